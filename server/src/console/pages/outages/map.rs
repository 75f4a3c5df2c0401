//! A plain drawing of the city, as inline SVG drawn by the server: the districts' boundaries,
//! the households' positions as dots, and the area being drawn. No map tiles, nothing from
//! outside. Clicking the drawing adds a corner to the corners field (a few lines of script,
//! [`SCRIPT`]); typing the corners works without it.

use doorstep_core::geo::GeoPoint;
use doorstep_core::team::District;
use maud::{Markup, PreEscaped, html};

/// The most household dots drawn: beyond it, every n-th (the drawing shows where people
/// live, not each of them).
pub const MAX_DOTS: usize = 4_000;

/// The drawing's width in its own units; its height follows the ground's proportions.
const WIDTH: f64 = 720.0;
const MAX_HEIGHT: f64 = 480.0;

/// How degrees become the drawing's units: x grows east, y south, the same metres per unit
/// both ways (a degree of longitude is shorter by the cosine of the latitude).
struct Frame {
    lon0: f64,
    lat1: f64,
    sx: f64,
    sy: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn around(points: impl Iterator<Item = (f64, f64)>) -> Frame {
        let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (lon, lat) in points {
            w = w.min(lon);
            e = e.max(lon);
            s = s.min(lat);
            n = n.max(lat);
        }
        if w > e {
            // Nothing to draw: Hangzhou's centre.
            (w, e, s, n) = (120.10, 120.25, 30.20, 30.32);
        }
        let pad_lon = ((e - w) * 0.05).max(0.002);
        let pad_lat = ((n - s) * 0.05).max(0.002);
        let (w, e, s, n) = (w - pad_lon, e + pad_lon, s - pad_lat, n + pad_lat);
        let squash = ((s + n) / 2.0).to_radians().cos();
        let ground_w = (e - w) * squash;
        let ground_h = n - s;
        let mut scale = WIDTH / ground_w;
        if ground_h * scale > MAX_HEIGHT {
            scale = MAX_HEIGHT / ground_h;
        }
        Frame {
            lon0: w,
            lat1: n,
            sx: scale * squash,
            sy: scale,
            width: ground_w * scale,
            height: ground_h * scale,
        }
    }

    fn xy(&self, p: &GeoPoint) -> (f64, f64) {
        (
            (p.lon() - self.lon0) * self.sx,
            (self.lat1 - p.lat()) * self.sy,
        )
    }

    fn points(&self, ring: &[GeoPoint]) -> String {
        ring.iter()
            .map(|p| {
                let (x, y) = self.xy(p);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The drawing: `districts` outlined and named, `dots` (households), `drawn` the area's
/// corners so far. `label` says what it shows, for a screen reader.
pub fn drawing(
    districts: &[District],
    dots: &[GeoPoint],
    drawn: &[GeoPoint],
    label: &str,
) -> Markup {
    let frame = Frame::around(
        districts
            .iter()
            .flat_map(|d| d.boundary.ring().iter())
            .chain(dots.iter())
            .chain(drawn.iter())
            .map(|p| (p.lon(), p.lat())),
    );
    let stride = dots.len().div_ceil(MAX_DOTS).max(1);
    let mut dot_path = String::new();
    for p in dots.iter().step_by(stride) {
        let (x, y) = frame.xy(p);
        dot_path.push_str(&format!("M{:.1} {:.1}h2v2h-2z", x - 1.0, y - 1.0));
    }
    html! {
        div.map {
            svg #outage-map xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
                viewBox=(format!("0 0 {:.0} {:.0}", frame.width, frame.height))
                data-lon0=(frame.lon0) data-lat1=(frame.lat1) data-sx=(frame.sx) data-sy=(frame.sy) {
                @for d in districts {
                    @let (cx, cy) = centre(&frame, d.boundary.ring());
                    polygon points=(frame.points(d.boundary.ring()))
                        fill="none" stroke="#4a5560" stroke-width="1.5" stroke-dasharray="4 3" {}
                    text x=(format!("{cx:.1}")) y=(format!("{cy:.1}")) font-size="13" fill="#1b1f24"
                        text-anchor="middle" { (d.name) }
                }
                path d=(dot_path) fill="#a3161b" {}
                polygon #drawn-area points=(frame.points(drawn))
                    fill="rgba(11,79,138,0.25)" stroke="#0b4f8a" stroke-width="2" {}
            }
        }
    }
}

fn centre(frame: &Frame, ring: &[GeoPoint]) -> (f64, f64) {
    let n = ring.len().max(1) as f64;
    let (sx, sy) = ring
        .iter()
        .map(|p| frame.xy(p))
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    (sx / n, sy / n)
}

/// The drawing's script: a click adds the corner under the pointer to `#corners` (`lon lat`,
/// longitude first); typing in `#corners` redraws the area; `#clear-corners` empties it.
pub const SCRIPT: PreEscaped<&str> = PreEscaped(
    r#"(function () {
  "use strict";
  var svg = document.getElementById("outage-map");
  var field = document.getElementById("corners");
  var area = document.getElementById("drawn-area");
  if (!svg || !field || !area) { return; }
  var lon0 = Number(svg.dataset.lon0), lat1 = Number(svg.dataset.lat1);
  var sx = Number(svg.dataset.sx), sy = Number(svg.dataset.sy);
  function draw() {
    var points = field.value.split(",").map(function (corner) {
      var p = corner.trim().split(/\s+/);
      var lon = Number(p[0]), lat = Number(p[1]);
      if (p.length !== 2 || isNaN(lon) || isNaN(lat)) { return null; }
      return ((lon - lon0) * sx).toFixed(1) + "," + ((lat1 - lat) * sy).toFixed(1);
    }).filter(Boolean);
    area.setAttribute("points", points.join(" "));
  }
  svg.style.cursor = "crosshair";
  svg.addEventListener("click", function (e) {
    var pt = svg.createSVGPoint();
    pt.x = e.clientX; pt.y = e.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    var corner = (lon0 + p.x / sx).toFixed(6) + " " + (lat1 - p.y / sy).toFixed(6);
    var typed = field.value.trim();
    field.value = typed ? typed + ", " + corner : corner;
    draw();
  });
  field.addEventListener("input", draw);
  var clear = document.getElementById("clear-corners");
  if (clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () { field.value = ""; draw(); field.focus(); });
  }
})();"#,
);
