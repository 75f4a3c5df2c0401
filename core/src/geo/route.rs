//! The order in which a technician walks the day's stops.
//!
//! A good order, not the best one: the exact shortest path is a travelling-salesman problem,
//! and a technician with 30 households does not need the last few per cent but does need the
//! list on the phone at once, offline, the same on every device. So: nearest neighbour from
//! where the technician stands, then 2-opt (undo crossings by reversing a stretch of the
//! route) for a bounded number of passes. The path is open: it starts at `start` and ends at
//! the last stop, because nobody walks back to where they picked up the list.
//!
//! Distances are great-circle metres, not street distances; at the scale of a few blocks the
//! order they give is what a technician would pick from the map.

use super::GeoPoint;

/// 2-opt stops after this many full passes even if it still finds improvements. From a
/// nearest-neighbour start it usually settles in a few; the cap keeps a day of 200 stops to a
/// few milliseconds on a phone whatever the points.
const MAX_TWO_OPT_PASSES: usize = 16;

/// A reversal must shorten the route by more than this (in metres) to be made, so that float
/// rounding never makes 2-opt go back and forth between two equal routes.
const MIN_GAIN_M: f64 = 1e-6;

/// The order in which to visit `stops` when walking from `start`: a permutation of the indices
/// of `stops`, first stop first.
///
/// Deterministic (ties go to the lower index), and never longer than visiting the stops in the
/// order given nor than plain nearest neighbour.
pub fn walking_route(start: GeoPoint, stops: &[GeoPoint]) -> Vec<usize> {
    if stops.len() < 2 {
        return (0..stops.len()).collect();
    }
    let distances = DistanceTable::new(start, stops);

    let mut best = nearest_neighbour(&distances);
    two_opt(&mut best, &distances);

    // The given order may already be a good walk (planned by hand, say) that nearest neighbour
    // and 2-opt do not find; 2-opt from it can only shorten it, so keep whichever is shorter.
    let given: Vec<usize> = (0..stops.len()).collect();
    if route_length_m(start, stops, &best) > route_length_m(start, stops, &given) {
        let mut from_given = given;
        two_opt(&mut from_given, &distances);
        if route_length_m(start, stops, &from_given) < route_length_m(start, stops, &best) {
            best = from_given;
        }
    }
    best
}

/// Length in metres of the walk from `start` through `stops` in `order`, not returning.
///
/// # Panics
/// If `order` holds an index that is not an index of `stops`, like slice indexing.
pub fn route_length_m(start: GeoPoint, stops: &[GeoPoint], order: &[usize]) -> f64 {
    let mut here = start;
    let mut total = 0.0;
    for &i in order {
        total += here.distance_m(&stops[i]);
        here = stops[i];
    }
    total
}

/// Every pairwise distance, computed once: 2-opt looks each one up many times. Node 0 is the
/// start, node `i + 1` is `stops[i]`.
struct DistanceTable {
    nodes: usize,
    metres: Vec<f64>,
}

impl DistanceTable {
    fn new(start: GeoPoint, stops: &[GeoPoint]) -> Self {
        let points: Vec<GeoPoint> = std::iter::once(start)
            .chain(stops.iter().copied())
            .collect();
        let nodes = points.len();
        let mut metres = vec![0.0; nodes * nodes];
        for a in 0..nodes {
            for b in a + 1..nodes {
                let d = points[a].distance_m(&points[b]);
                metres[a * nodes + b] = d;
                metres[b * nodes + a] = d;
            }
        }
        Self { nodes, metres }
    }

    /// Between the start or a stop (`None`) and a stop (`Some(index into stops)`).
    fn between(&self, from: Option<usize>, to: usize) -> f64 {
        let from = from.map_or(0, |i| i + 1);
        self.metres[from * self.nodes + to + 1]
    }

    fn stops(&self) -> usize {
        self.nodes - 1
    }
}

/// From the start, always walk to the closest stop not yet visited.
fn nearest_neighbour(distances: &DistanceTable) -> Vec<usize> {
    let n = distances.stops();
    let mut visited = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut here = None;
    for _ in 0..n {
        let next = (0..n).filter(|&i| !visited[i]).min_by(|&a, &b| {
            distances
                .between(here, a)
                .total_cmp(&distances.between(here, b))
        });
        let Some(next) = next else { break };
        visited[next] = true;
        order.push(next);
        here = Some(next);
    }
    order
}

/// Reverse stretches `order[i..=j]` while that shortens the walk, for at most
/// [`MAX_TWO_OPT_PASSES`] passes. Reversing replaces the edges (before i → i) and (j → after j)
/// with (before i → j) and (i → after j); on an open path a stretch reaching the last stop has
/// no edge after it, so only the first pair counts.
fn two_opt(order: &mut [usize], distances: &DistanceTable) {
    let n = order.len();
    if n < 2 {
        return;
    }
    let before = |order: &[usize], i: usize| if i == 0 { None } else { Some(order[i - 1]) };
    for _ in 0..MAX_TWO_OPT_PASSES {
        let mut improved = false;
        for i in 0..n - 1 {
            for j in i + 1..n {
                let prev = before(order, i);
                let mut gain =
                    distances.between(prev, order[i]) - distances.between(prev, order[j]);
                if j + 1 < n {
                    let next = order[j + 1];
                    gain += distances.between(Some(order[j]), next)
                        - distances.between(Some(order[i]), next);
                }
                if gain > MIN_GAIN_M {
                    order[i..=j].reverse();
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    /// `n` points along a street running east from `start`, about 11 m apart.
    fn along_a_street(start: GeoPoint, n: usize) -> Vec<GeoPoint> {
        (1..=n)
            .map(|k| point(start.lat(), start.lon() + 0.0001 * k as f64))
            .collect()
    }

    fn is_permutation(order: &[usize], n: usize) -> bool {
        let mut sorted = order.to_vec();
        sorted.sort_unstable();
        sorted == (0..n).collect::<Vec<_>>()
    }

    #[test]
    fn no_stops_is_an_empty_route() {
        assert!(walking_route(point(31.23, 121.47), &[]).is_empty());
        assert_eq!(route_length_m(point(31.23, 121.47), &[], &[]), 0.0);
    }

    #[test]
    fn a_single_stop_is_the_route() {
        let start = point(31.23, 121.47);
        let stop = point(31.231, 121.47);
        assert_eq!(walking_route(start, &[stop]), vec![0]);
        let length = route_length_m(start, &[stop], &[0]);
        assert!((length - start.distance_m(&stop)).abs() < 1e-9);
    }

    #[test]
    fn houses_along_a_street_are_walked_door_to_door() {
        let start = point(31.23, 121.47);
        let street = along_a_street(start, 8);
        let shuffled_positions = [5, 2, 7, 0, 3, 6, 1, 4];
        let stops: Vec<GeoPoint> = shuffled_positions.iter().map(|&k| street[k]).collect();

        let order = walking_route(start, &stops);

        let walked: Vec<usize> = order.iter().map(|&i| shuffled_positions[i]).collect();
        assert_eq!(walked, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn standing_mid_street_walks_the_short_end_first() {
        // Houses 0..=7 spans along a meridian, the technician at 2.4: west end first and then
        // all the way east (2.4 + 7 spans) beats east end first and back (4.6 + 7 spans).
        let span = 0.0001;
        let street: Vec<GeoPoint> = (0..8)
            .map(|k| point(31.23 + span * k as f64, 121.47))
            .collect();
        let start = point(31.23 + span * 2.4, 121.47);

        let order = walking_route(start, &street);

        let shortest = start.distance_m(&street[0]) + street[0].distance_m(&street[7]);
        assert!((route_length_m(start, &street, &order) - shortest).abs() < 1e-6);
    }

    #[test]
    fn two_opt_fixes_what_nearest_neighbour_gets_wrong() {
        // Stops at +1, -2, +5, -10 spans north of the start along a meridian. Nearest neighbour
        // zig-zags (1 + 3 + 7 + 15 = 26 spans); the best walk goes north to +5 first and then
        // south to -10 (5 + 15 = 20 spans).
        let span = 0.001;
        let start = point(31.23, 121.47);
        let stops: Vec<GeoPoint> = [1.0, -2.0, 5.0, -10.0]
            .iter()
            .map(|k| point(31.23 + span * k, 121.47))
            .collect();
        let span_m = start.distance_m(&point(31.23 + span, 121.47));

        let zig_zag = nearest_neighbour_order(start, &stops);
        let order = walking_route(start, &stops);

        assert_eq!(zig_zag, vec![0, 1, 2, 3]);
        assert!((route_length_m(start, &stops, &zig_zag) / span_m - 26.0).abs() < 1e-6);
        assert!((route_length_m(start, &stops, &order) / span_m - 20.0).abs() < 1e-6);
    }

    #[test]
    fn stops_at_the_same_door_are_all_kept() {
        let start = point(31.23, 121.47);
        let door = point(31.231, 121.471);
        let order = walking_route(start, &[door, door, door]);
        assert!(is_permutation(&order, 3));
    }

    fn nearest_neighbour_order(start: GeoPoint, stops: &[GeoPoint]) -> Vec<usize> {
        nearest_neighbour(&DistanceTable::new(start, stops))
    }

    prop_compose! {
        /// A point within a few kilometres of central Shanghai: a district's day of work.
        fn city_point()(dlat in -0.03f64..0.03, dlon in -0.03f64..0.03) -> GeoPoint {
            point(31.23 + dlat, 121.47 + dlon)
        }
    }

    proptest! {
        #[test]
        fn route_visits_every_stop_exactly_once(
            start in city_point(),
            stops in prop::collection::vec(city_point(), 0..60),
        ) {
            let order = walking_route(start, &stops);
            prop_assert!(is_permutation(&order, stops.len()));
        }

        #[test]
        fn route_is_never_longer_than_the_given_order_or_nearest_neighbour(
            start in city_point(),
            stops in prop::collection::vec(city_point(), 0..60),
        ) {
            let order = walking_route(start, &stops);
            let length = route_length_m(start, &stops, &order);
            let given: Vec<usize> = (0..stops.len()).collect();
            let given_length = route_length_m(start, &stops, &given);
            let nn = nearest_neighbour_order(start, &stops);
            let nn_length = route_length_m(start, &stops, &nn);
            prop_assert!(length <= given_length + 1e-6, "{} > given {}", length, given_length);
            prop_assert!(length <= nn_length + 1e-6, "{} > nn {}", length, nn_length);
        }
    }
}
