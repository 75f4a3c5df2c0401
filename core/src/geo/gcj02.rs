//! GCJ-02, the obfuscated datum that maps published in mainland China are drawn in (AMap,
//! Tencent, Baidu before its own extra shift, Apple and Google inside China).
//!
//! A WGS-84 position drawn on such a map lands a few hundred metres off, so a shell converts at
//! the map's edge and nothing else in Doorstep ever holds a GCJ-02 point. The forward shift is
//! the public algorithm: a fixed polynomial-and-sine offset in metres, turned into degrees on
//! the Krasovsky 1940 ellipsoid. It has no closed-form inverse; [`gcj02_to_wgs84`] iterates.
//!
//! Outside the rough mainland box that every implementation uses, both directions return the
//! point unchanged. The box is generous (it takes in Korea and Taiwan, say): what matters is that
//! we agree with the maps, not with the border.

use super::GeoPoint;

/// Semi-major axis of the Krasovsky 1940 ellipsoid, in metres.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky 1940 ellipsoid.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// Below this change in degrees (about 0.01 mm) the inverse has converged.
const INVERSE_TOLERANCE_DEG: f64 = 1e-10;
/// The offset changes by well under 1 % of a step per step, so a handful of rounds suffice;
/// the cap only guards against a point where that would not hold.
const INVERSE_MAX_ROUNDS: usize = 30;

/// The position a GCJ-02 map shows for the WGS-84 point `p`.
pub fn wgs84_to_gcj02(p: GeoPoint) -> GeoPoint {
    if !in_mainland_box(p.lat(), p.lon()) {
        return p;
    }
    let (d_lat, d_lon) = offset_deg(p.lat(), p.lon());
    shifted(p, p.lat() + d_lat, p.lon() + d_lon)
}

/// The WGS-84 point that a GCJ-02 map shows at `p`, to well under a millimetre.
///
/// Solves `wgs84_to_gcj02(w) = p` by fixed-point iteration `w ← p − offset(w)`, which converges
/// because the offset barely changes over the few hundred metres between `w` and `p`.
/// A WGS-84 point within about a kilometre inside the edge of the box can be shifted out of
/// it; such a point does not come back (nobody inspects gas meters in the open sea there).
pub fn gcj02_to_wgs84(p: GeoPoint) -> GeoPoint {
    if !in_mainland_box(p.lat(), p.lon()) {
        return p;
    }
    let (mut lat, mut lon) = (p.lat(), p.lon());
    for _ in 0..INVERSE_MAX_ROUNDS {
        let (d_lat, d_lon) = offset_deg(lat, lon);
        let (next_lat, next_lon) = (p.lat() - d_lat, p.lon() - d_lon);
        let converged = (next_lat - lat).abs() < INVERSE_TOLERANCE_DEG
            && (next_lon - lon).abs() < INVERSE_TOLERANCE_DEG;
        (lat, lon) = (next_lat, next_lon);
        if converged {
            break;
        }
    }
    shifted(p, lat, lon)
}

/// The rough box every GCJ-02 implementation tests, so that we shift exactly where maps do.
fn in_mainland_box(lat: f64, lon: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

/// A point `p` moved to (`lat`, `lon`). The box is far from the poles and the antimeridian and
/// the shift is under 0.01°, so the result is always a valid point; `p` is only a formal fallback.
fn shifted(p: GeoPoint, lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap_or(p)
}

/// GCJ-02 minus WGS-84 at a WGS-84 point, as (Δlat, Δlon) in degrees.
fn offset_deg(lat: f64, lon: f64) -> (f64, f64) {
    let (north_m, east_m) = offset_m(lon - 105.0, lat - 35.0);

    // Metres to degrees on the ellipsoid: north through the meridian radius of curvature,
    // east through the prime-vertical radius scaled to the parallel.
    let (sin_lat, cos_lat) = lat.to_radians().sin_cos();
    let w = 1.0 - KRASOVSKY_EE * sin_lat * sin_lat;
    let meridian_radius = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w * w.sqrt());
    let prime_vertical_radius = KRASOVSKY_A / w.sqrt();
    let d_lat = (north_m / meridian_radius).to_degrees();
    let d_lon = (east_m / (prime_vertical_radius * cos_lat)).to_degrees();
    (d_lat, d_lon)
}

/// The published offset in metres (north, east) as a function of `x` = lon − 105° and
/// `y` = lat − 35°: a low-order polynomial plus sine ripples of fixed periods in degrees.
fn offset_m(x: f64, y: f64) -> (f64, f64) {
    // The ripple along x with periods of 1/3° and 1° is shared by both components.
    let ripple = ripples(x, &[(20.0, 1.0 / 3.0), (20.0, 1.0)]);
    let north = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + ripple
        + ripples(y, &[(20.0, 2.0), (40.0, 6.0), (160.0, 24.0), (320.0, 60.0)]);
    let east = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + ripple
        + ripples(x, &[(20.0, 2.0), (40.0, 6.0), (150.0, 24.0), (300.0, 60.0)]);
    (north, east)
}

/// Two thirds of a sum of sines `amplitude · sin(2π t / period)`, `period` in degrees.
fn ripples(t: f64, waves: &[(f64, f64)]) -> f64 {
    let sum: f64 = waves
        .iter()
        .map(|&(amplitude, period)| amplitude * (2.0 * std::f64::consts::PI * t / period).sin())
        .sum();
    sum * 2.0 / 3.0
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    /// A published pair: where a WGS-84 point shows on a GCJ-02 map, both as (lat, lon).
    struct Reference {
        place: &'static str,
        wgs84: (f64, f64),
        gcj02: (f64, f64),
    }

    const REFERENCES: &[Reference] = &[
        // googollee/eviltransform, go/transform_test.go (the same vectors are in its
        // python/test.py and javascript/test.js).
        Reference {
            place: "Shanghai",
            wgs84: (31.1774276, 121.5272106),
            gcj02: (31.17530398364597, 121.531541859215),
        },
        Reference {
            place: "Shenzhen",
            wgs84: (22.543847, 113.912316),
            gcj02: (22.540796131694766, 113.9171764808363),
        },
        Reference {
            place: "Beijing",
            wgs84: (39.911954, 116.377817),
            gcj02: (39.91334545536069, 116.38404722455657),
        },
        // wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915) and its printed
        // result, both (lon, lat) there; near Tian'anmen.
        Reference {
            place: "Tian'anmen",
            wgs84: (39.915, 116.404),
            gcj02: (39.91640428150164, 116.41024449916938),
        },
    ];

    #[test]
    fn forward_matches_published_reference_points() {
        for r in REFERENCES {
            let got = wgs84_to_gcj02(point(r.wgs84.0, r.wgs84.1));
            let (lat, lon) = r.gcj02;
            assert!(
                (got.lat() - lat).abs() < 1e-6 && (got.lon() - lon).abs() < 1e-6,
                "{}: got ({}, {}), published ({lat}, {lon})",
                r.place,
                got.lat(),
                got.lon()
            );
        }
    }

    #[test]
    fn inverse_of_published_gcj02_points_is_within_half_a_metre() {
        for r in REFERENCES {
            let back = gcj02_to_wgs84(point(r.gcj02.0, r.gcj02.1));
            let error_m = back.distance_m(&point(r.wgs84.0, r.wgs84.1));
            assert!(error_m < 0.5, "{}: {error_m} m off", r.place);
        }
    }

    #[test]
    fn the_shift_in_china_is_hundreds_of_metres() {
        // Why the module exists at all: drawn unconverted, a household would sit down the street.
        let beijing = point(39.911954, 116.377817);
        let shift_m = beijing.distance_m(&wgs84_to_gcj02(beijing));
        assert!((300.0..800.0).contains(&shift_m), "{shift_m} m");
    }

    #[test]
    fn points_outside_the_mainland_box_pass_through_unchanged() {
        let outside = [
            point(52.520008, 13.404954),  // Berlin
            point(35.689487, 139.691706), // Tokyo, just east of the box
            point(-33.86882, 151.20929),  // Sydney
            point(0.5, 110.0),            // south of the box
            point(56.0, 100.0),           // north of the box
            point(40.0, 71.9),            // west of the box
        ];
        for p in outside {
            assert_eq!(wgs84_to_gcj02(p), p);
            assert_eq!(gcj02_to_wgs84(p), p);
        }
    }

    proptest! {
        #[test]
        fn round_trip_inside_china_stays_under_half_a_metre(
            lat in 18.0f64..53.0,
            lon in 74.0f64..134.0,
        ) {
            let wgs = point(lat, lon);
            let gcj = wgs84_to_gcj02(wgs);
            prop_assert!(wgs.distance_m(&gcj) > 1.0);
            let error_m = gcj02_to_wgs84(gcj).distance_m(&wgs);
            prop_assert!(error_m < 0.5, "{} m", error_m);
        }
    }
}
