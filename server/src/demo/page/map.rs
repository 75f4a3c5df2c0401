//! The day's route as an inline SVG drawn from positions only (no tiles, no network): the
//! district's roads and compound blocks, the outage compound shaded, every visit a numbered
//! dot in time order and each technician's route a line of their colour.

use std::fmt::Write;

use doorstep_core::geo::GeoPoint;

use super::super::world::World;
use super::words::esc;

/// One visit on the map: its number in the day, where it was, whose route it is on.
#[derive(Debug, Clone, Copy)]
pub struct Stop {
    pub number: usize,
    pub at: GeoPoint,
    /// Index into [`COLOURS`]: the inspector's route first, the crew's second.
    pub route: usize,
}

/// The routes' colours, in the order of the technicians in the header.
pub const COLOURS: [&str; 3] = ["#1f6feb", "#d9480f", "#6f42c1"];

const WIDTH: f64 = 960.0;
const MARGIN: f64 = 24.0;

/// Lat/lon to the picture's pixels: an equirectangular projection, good enough for a few
/// kilometres, north up.
struct Frame {
    west: f64,
    north: f64,
    scale: f64,
    lon_factor: f64,
    height: f64,
}

impl Frame {
    fn around(points: impl Iterator<Item = GeoPoint>) -> Option<Self> {
        let (mut south, mut west, mut north, mut east) = (90.0f64, 180.0f64, -90.0f64, -180.0f64);
        let mut any = false;
        for p in points {
            any = true;
            south = south.min(p.lat());
            north = north.max(p.lat());
            west = west.min(p.lon());
            east = east.max(p.lon());
        }
        if !any {
            return None;
        }
        let lon_factor = ((south + north) / 2.0).to_radians().cos();
        let span = ((east - west) * lon_factor).max(1e-6);
        let scale = (WIDTH - 2.0 * MARGIN) / span;
        let height = (north - south) * scale + 2.0 * MARGIN;
        Some(Self {
            west,
            north,
            scale,
            lon_factor,
            height,
        })
    }

    fn xy(&self, p: GeoPoint) -> (f64, f64) {
        (self.x(p.lon()), self.y(p.lat()))
    }

    fn x(&self, lon: f64) -> f64 {
        MARGIN + (lon - self.west) * self.lon_factor * self.scale
    }

    fn y(&self, lat: f64) -> f64 {
        MARGIN + (self.north - lat) * self.scale
    }
}

/// The map; empty when the world has no compound to draw.
pub fn svg(world: &World, stops: &[Stop]) -> String {
    let corners = world
        .compounds
        .iter()
        .flat_map(|c| [c.block.0, c.block.1])
        .chain(stops.iter().map(|s| s.at));
    let Some(frame) = Frame::around(corners) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH:.0} {h:.0}\" \
         width=\"{WIDTH:.0}\" height=\"{h:.0}\" role=\"img\" aria-labelledby=\"map-title\">\
         <title id=\"map-title\">{title}</title>\
         <defs><pattern id=\"outage\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fde2e2\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#e03131\" stroke-width=\"3\"/>\
         </pattern></defs>\
         <rect width=\"100%\" height=\"100%\" fill=\"#f8f9fa\"/>",
        h = frame.height,
        title = esc("路线图 / Route map"),
    );
    roads(&mut out, world, &frame);
    blocks(&mut out, world, &frame);
    routes(&mut out, stops, &frame);
    out.push_str("</svg>");
    out
}

/// The roads between the blocks: a line along every block edge, east-west roads named.
fn roads(out: &mut String, world: &World, frame: &Frame) {
    let mut lats: Vec<f64> = Vec::new();
    let mut lons: Vec<f64> = Vec::new();
    let near = |list: &[f64], v: f64| list.iter().any(|x| (x - v).abs() < 1e-7);
    for c in &world.compounds {
        for lat in [c.block.0.lat(), c.block.1.lat()] {
            if !near(&lats, lat) {
                lats.push(lat);
            }
        }
        for lon in [c.block.0.lon(), c.block.1.lon()] {
            if !near(&lons, lon) {
                lons.push(lon);
            }
        }
    }
    let (x0, x1) = (MARGIN / 2.0, WIDTH - MARGIN / 2.0);
    let (y0, y1) = (MARGIN / 2.0, frame.height - MARGIN / 2.0);
    out.push_str("<g stroke=\"#dee2e6\" stroke-width=\"10\" stroke-linecap=\"round\">");
    for &lat in &lats {
        let y = frame.y(lat);
        let _ = write!(
            out,
            "<line x1=\"{x0:.1}\" y1=\"{y:.1}\" x2=\"{x1:.1}\" y2=\"{y:.1}\"/>"
        );
    }
    for &lon in &lons {
        let x = frame.x(lon);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{y0:.1}\" x2=\"{x:.1}\" y2=\"{y1:.1}\"/>"
        );
    }
    out.push_str("</g><g font-size=\"11\" fill=\"#868e96\">");
    // Each compound opens on the road along its block's south edge.
    let mut named: Vec<&str> = Vec::new();
    for c in &world.compounds {
        if named.contains(&c.road.as_str()) {
            continue;
        }
        named.push(&c.road);
        let (x, y) = frame.xy(c.block.0);
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 4.0,
            y + 4.0,
            esc(&c.road)
        );
    }
    out.push_str("</g>");
}

/// The compounds' blocks with their buildings, the outage compound shaded.
fn blocks(out: &mut String, world: &World, frame: &Frame) {
    out.push_str("<g font-size=\"12\" text-anchor=\"middle\">");
    for (i, c) in world.compounds.iter().enumerate() {
        let (xa, ya) = frame.xy(c.block.0);
        let (xb, yb) = frame.xy(c.block.1);
        let (x, y, w, h) = (xa + 9.0, yb + 9.0, (xb - xa - 18.0), (ya - yb - 18.0));
        if w <= 0.0 || h <= 0.0 {
            continue;
        }
        let outage = i == world.cast.outage_compound;
        let fill = if outage { "url(#outage)" } else { "#f1ede4" };
        let stroke = if outage { "#e03131" } else { "#d6ccb8" };
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"4\" \
             fill=\"{fill}\" stroke=\"{stroke}\"/>"
        );
        for b in &c.buildings {
            let (bx, by) = frame.xy(*b);
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"8\" fill=\"#ced4da\"/>",
                bx - 2.0,
                by - 8.0
            );
        }
        let label = if outage {
            format!("{}（停气）", c.name)
        } else {
            c.name.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#495057\">{}</text>",
            x + w / 2.0,
            y + 15.0,
            esc(&label)
        );
    }
    out.push_str("</g>");
}

/// Each technician's route as a line through their stops, then every stop as a numbered dot;
/// a dot that would cover another is moved aside on a small circle around it.
fn routes(out: &mut String, stops: &[Stop], frame: &Frame) {
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let mut dots = Vec::new();
    for s in stops {
        let (mut x, mut y) = frame.xy(s.at);
        let (cx, cy) = (x, y);
        let mut k = 0;
        while placed.iter().any(|(px, py)| (px - x).hypot(py - y) < 17.0) && k < 36 {
            k += 1;
            let angle = f64::from(k) * 1.1;
            let radius = 18.0 + 6.0 * f64::from(k / 6);
            (x, y) = (cx + radius * angle.cos(), cy + radius * angle.sin());
        }
        placed.push((x, y));
        dots.push((s, x, y));
    }
    for route in 0..COLOURS.len() {
        let points: Vec<String> = dots
            .iter()
            .filter(|(s, ..)| s.route == route)
            .map(|(_, x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        if points.len() > 1 {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\" \
                 stroke-linejoin=\"round\" stroke-dasharray=\"{}\" opacity=\"0.85\"/>",
                points.join(" "),
                COLOURS[route],
                if route == 0 { "none" } else { "8 4" }
            );
        }
    }
    out.push_str("<g font-size=\"11\" font-weight=\"700\" text-anchor=\"middle\">");
    for (s, x, y) in dots {
        let colour = COLOURS[s.route.min(COLOURS.len() - 1)];
        let _ = write!(
            out,
            "<a href=\"#visit-{n}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"{colour}\" \
             stroke=\"#fff\" stroke-width=\"2\"/><text x=\"{x:.1}\" y=\"{ty:.1}\" \
             fill=\"#fff\">{n}</text></a>",
            n = s.number,
            ty = y + 4.0,
        );
    }
    out.push_str("</g>");
}
