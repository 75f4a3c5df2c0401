//! A signature drawn from its strokes as inline SVG: built here from numbers only (the points'
//! coordinates), never from a record's text, so it is safe to put in the page as it is.

use doorstep_core::media::signature::SignatureCapture;

/// Room around the strokes, in the capture's own points.
const MARGIN: f32 = 8.0;

/// The signature as an `<svg>` element, scaled to its box by the browser (`viewBox`).
pub fn svg(capture: &SignatureCapture) -> String {
    let points = || {
        capture
            .strokes
            .iter()
            .flatten()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
    };
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in points() {
        min_x = min_x.min(p.x);
        min_y = min_y.min(p.y);
        max_x = max_x.max(p.x);
        max_y = max_y.max(p.y);
    }
    if min_x > max_x {
        (min_x, min_y, max_x, max_y) = (0.0, 0.0, 1.0, 1.0);
    }
    let (x, y) = (min_x - MARGIN, min_y - MARGIN);
    let (w, h) = (max_x - min_x + 2.0 * MARGIN, max_y - min_y + 2.0 * MARGIN);
    let stroke_width = (w.max(h) / 120.0).max(1.0);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="signature" viewBox="{x:.1} {y:.1} {w:.1} {h:.1}" width="320" height="{:.0}" aria-hidden="true" focusable="false"><g fill="none" stroke="#1b1f24" stroke-width="{stroke_width:.1}" stroke-linecap="round" stroke-linejoin="round">"##,
        (320.0 * h / w).clamp(40.0, 240.0)
    );
    for stroke in &capture.strokes {
        let drawn: Vec<String> = stroke
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| format!("{:.1},{:.1}", p.x, p.y))
            .collect();
        match drawn.len() {
            0 => {}
            1 => svg.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="{stroke_width:.1}" fill="#1b1f24"/>"##,
                stroke[0].x, stroke[0].y
            )),
            _ => svg.push_str(&format!(r#"<polyline points="{}"/>"#, drawn.join(" "))),
        }
    }
    svg.push_str("</g></svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use doorstep_core::media::signature::{SignerRole, StrokePoint};
    use proptest::prelude::*;

    fn capture(strokes: Vec<Vec<(f32, f32)>>) -> SignatureCapture {
        SignatureCapture {
            role: SignerRole::Customer,
            signer_name: "<script>alert(1)</script>".into(),
            signed_at: Utc::now(),
            strokes: strokes
                .into_iter()
                .map(|s| {
                    s.into_iter()
                        .enumerate()
                        .map(|(i, (x, y))| StrokePoint {
                            x,
                            y,
                            t_ms: i as u32 * 10,
                            pressure: None,
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn each_stroke_is_one_line_through_its_points_and_a_dot_is_a_circle() {
        let svg = svg(&capture(vec![
            vec![(10.0, 20.0), (30.5, 40.25), (50.0, 20.0)],
            vec![(70.0, 70.0)],
        ]));
        assert!(svg.starts_with("<svg "));
        assert!(
            svg.contains(r#"<polyline points="10.0,20.0 30.5,40.2 50.0,20.0"/>"#),
            "{svg}"
        );
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains(r#"viewBox="2.0 12.0 76.0 66.0""#), "{svg}");
    }

    proptest! {
        /// Whatever the strokes, the SVG holds only the markup made here and numbers: never
        /// the signer's name or any other text of the record.
        #[test]
        fn the_svg_is_made_of_numbers_only(strokes in prop::collection::vec(
            prop::collection::vec((-20_000.0f32..20_000.0, -20_000.0f32..20_000.0), 0..20), 0..6)
        ) {
            let svg = svg(&capture(strokes.clone()));
            prop_assert!(!svg.contains("script"));
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
            prop_assert_eq!(
                svg.matches("<polyline").count(),
                strokes.iter().filter(|s| s.len() > 1).count()
            );
        }
    }
}
