//! Signatures: captured as strokes (points with position, time and, where the screen gives it,
//! pressure), kept as vectors, and rendered to an anti-aliased PNG whose line width follows the
//! pressure (or, without pressure, the pen's speed, as ink would).

use crate::text::said;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Transform};

use super::MediaError;
use crate::InvalidInput;

/// One point of a stroke, in screen points, with the time since the signature began and the
/// pen pressure where the screen reports it (0 to 1; some screens report up to a few units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<f32>,
}

/// Who signs a form: a template asks for signatures by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    Customer,
    Technician,
    Witness,
}

/// A signature as captured on the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureCapture {
    pub role: SignerRole,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    pub strokes: Vec<Vec<StrokePoint>>,
}

/// Screens are a few thousand points wide; anything beyond this is not a signature.
const MAX_COORDINATE: f32 = 20_000.0;
const MAX_POINTS: usize = 50_000;

impl SignatureCapture {
    /// Refuses what cannot be a signature: nothing drawn, a single dot, points off any screen,
    /// impossible pressure, or an absurd number of points.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        crate::household::validate_text("signature.signer_name", &self.signer_name, 1, 64)?;
        let field = "signature.strokes";
        let points: Vec<&StrokePoint> = self.strokes.iter().flatten().collect();
        if points.is_empty() {
            return Err(InvalidInput::new(
                field,
                said(
                    "签名为空：请签字人签名",
                    "the signature is empty: ask the signer to sign",
                ),
            ));
        }
        if points.len() > MAX_POINTS {
            return Err(InvalidInput::new(
                field,
                said(
                    format!("超过{MAX_POINTS}个点"),
                    format!("more than {MAX_POINTS} points"),
                ),
            ));
        }
        let sane = |v: f32| v.is_finite() && v.abs() <= MAX_COORDINATE;
        if points.iter().any(|p| !sane(p.x) || !sane(p.y)) {
            return Err(InvalidInput::new(
                field,
                said("有点超出了屏幕范围", "a point lies outside any screen"),
            ));
        }
        if points.iter().any(|p| {
            p.pressure
                .is_some_and(|q| !q.is_finite() || !(0.0..=16.0).contains(&q))
        }) {
            return Err(InvalidInput::new(
                field,
                said("压力值不可能出现", "a pressure value is impossible"),
            ));
        }
        let (min_x, min_y, max_x, max_y) = bounds(&points);
        if (max_x - min_x).max(max_y - min_y) < 3.0 {
            return Err(InvalidInput::new(
                field,
                said(
                    "签名只有一个点：请签字人签名",
                    "the signature is a single dot: ask the signer to sign",
                ),
            ));
        }
        Ok(())
    }

    /// SHA-256 (hex) of the canonical strokes: what a form's seal binds.
    pub fn strokes_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let canonical =
            serde_json_canonicalizer::to_vec(&self.strokes).expect("strokes are plain JSON");
        hex::encode(Sha256::digest(canonical))
    }
}

fn bounds(points: &[&StrokePoint]) -> (f32, f32, f32, f32) {
    points.iter().fold(
        (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
        |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderOptions {
    /// Width of the picture in pixels; the height follows the signature's shape.
    pub width: u32,
    /// Pen width in pixels at full pressure.
    pub pen_px: f32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            width: 800,
            pen_px: 6.0,
        }
    }
}

/// Renders the signature to a PNG: dark ink on white, anti-aliased, 8-bit grey (ink has one
/// colour: a quarter of the bytes of RGBA, on the device and on the wire).
pub fn render_png(
    capture: &SignatureCapture,
    options: &RenderOptions,
) -> Result<Vec<u8>, MediaError> {
    let pixmap = render(capture, options)?;
    let grey: Vec<u8> = pixmap.pixels().iter().map(|p| p.red()).collect();
    let mut png_bytes = Vec::with_capacity(grey.len() / 8);
    let mut encoder = png::Encoder::new(&mut png_bytes, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    writer
        .write_image_data(&grey)
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    Ok(png_bytes)
}

/// Renders the signature to pixels (RGBA, premultiplied): for tests and the PNG.
pub fn render(capture: &SignatureCapture, options: &RenderOptions) -> Result<Pixmap, MediaError> {
    capture.validate()?;
    if !(64..=4096).contains(&options.width) || !(0.5..=64.0).contains(&options.pen_px) {
        return Err(InvalidInput::new(
            "render_options",
            said(
                "宽度64到4096像素，笔宽0.5到64像素",
                "width 64 to 4096 px, pen 0.5 to 64 px",
            ),
        )
        .into());
    }
    let points: Vec<&StrokePoint> = capture.strokes.iter().flatten().collect();
    let (min_x, min_y, max_x, max_y) = bounds(&points);
    let margin = options.pen_px * 2.0;
    let inner_w = options.width as f32 - 2.0 * margin;
    let scale = inner_w / (max_x - min_x).max(1.0);
    let height =
        (((max_y - min_y) * scale + 2.0 * margin).ceil() as u32).clamp(32, options.width * 2);
    let scale = scale.min((height as f32 - 2.0 * margin) / (max_y - min_y).max(1.0));
    let to_canvas = |p: &StrokePoint| {
        (
            margin + (p.x - min_x) * scale,
            margin + (p.y - min_y) * scale,
        )
    };

    // Pressure relative to this signer's hardest press; without pressure, slower is thicker.
    let max_pressure = points
        .iter()
        .filter_map(|p| p.pressure)
        .fold(0.0f32, f32::max);
    let radius = |stroke: &[StrokePoint], i: usize| -> f32 {
        let weight = match stroke[i].pressure {
            Some(q) if max_pressure > 0.0 => 0.35 + 0.65 * (q / max_pressure),
            _ => {
                let j = if i == 0 {
                    1.min(stroke.len() - 1)
                } else {
                    i - 1
                };
                let (a, b) = (&stroke[i], &stroke[j]);
                let distance = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt() * scale;
                let dt = (a.t_ms.abs_diff(b.t_ms)).max(1) as f32;
                (1.1 - (distance / dt) / 4.0).clamp(0.45, 1.0)
            }
        };
        options.pen_px * 0.5 * weight
    };

    // Caps and joins (circles) and segments (quadrilaterals) are filled separately: their
    // windings differ, and one non-zero fill would cancel them where they overlap.
    let mut caps = PathBuilder::new();
    let mut path = PathBuilder::new();
    for stroke in capture.strokes.iter().filter(|s| !s.is_empty()) {
        // Points closer than half a pixel on the canvas add nothing but path segments.
        let mut kept: Vec<(f32, f32, f32)> = Vec::with_capacity(stroke.len());
        for (i, p) in stroke.iter().enumerate() {
            let (x, y) = to_canvas(p);
            let r = radius(stroke, i);
            match kept.last() {
                Some(&(lx, ly, _)) if (x - lx).hypot(y - ly) < 0.5 && i + 1 < stroke.len() => {}
                _ => kept.push((x, y, r)),
            }
        }
        for (i, &(x, y, r)) in kept.iter().enumerate() {
            // Round caps at the ends, round joins where the line turns; straight runs need none.
            let turns = i > 0 && i + 1 < kept.len() && {
                let (a, b) = (kept[i - 1], kept[i + 1]);
                let (d1x, d1y, d2x, d2y) = (x - a.0, y - a.1, b.0 - x, b.1 - y);
                let cos = (d1x * d2x + d1y * d2y) / ((d1x.hypot(d1y) * d2x.hypot(d2y)).max(1e-6));
                cos < 0.9
            };
            if i == 0 || i + 1 == kept.len() || turns {
                caps.push_circle(x, y, r);
            }
        }
        for pair in kept.windows(2) {
            let ((x0, y0, r0), (x1, y1, r1)) = (pair[0], pair[1]);
            let (dx, dy) = (x1 - x0, y1 - y0);
            let length = dx.hypot(dy);
            if length < 0.01 {
                continue;
            }
            let (nx, ny) = (-dy / length, dx / length);
            path.move_to(x0 + nx * r0, y0 + ny * r0);
            path.line_to(x1 + nx * r1, y1 + ny * r1);
            path.line_to(x1 - nx * r1, y1 - ny * r1);
            path.line_to(x0 - nx * r0, y0 - ny * r0);
            path.close();
        }
    }
    let mut pixmap = Pixmap::new(options.width, height)
        .ok_or_else(|| MediaError::Corrupt("canvas too large".into()))?;
    pixmap.fill(Color::WHITE);
    let mut ink = Paint::default();
    ink.set_color_rgba8(0, 0, 0, 255);
    ink.anti_alias = true;
    for shapes in [caps.finish(), path.finish()].into_iter().flatten() {
        pixmap.fill_path(
            &shapes,
            &ink,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn capture(strokes: Vec<Vec<StrokePoint>>) -> SignatureCapture {
        SignatureCapture {
            role: SignerRole::Customer,
            signer_name: "王秀英".into(),
            signed_at: Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap(),
            strokes,
        }
    }

    fn point(x: f32, y: f32, t_ms: u32, pressure: Option<f32>) -> StrokePoint {
        StrokePoint {
            x,
            y,
            t_ms,
            pressure,
        }
    }

    #[test]
    fn bad_strokes_are_refused_with_a_reason() {
        let cases = [
            (vec![], "empty"),
            (vec![vec![point(5.0, 5.0, 0, None)]], "single dot"),
            (
                vec![vec![point(5.0, 5.0, 0, None), point(6.0, 5.5, 10, None)]],
                "single dot",
            ),
            (
                vec![vec![
                    point(0.0, 0.0, 0, None),
                    point(f32::NAN, 5.0, 10, None),
                ]],
                "outside any screen",
            ),
            (
                vec![vec![point(0.0, 0.0, 0, None), point(1e9, 5.0, 10, None)]],
                "outside any screen",
            ),
            (
                vec![vec![
                    point(0.0, 0.0, 0, Some(-1.0)),
                    point(50.0, 5.0, 10, None),
                ]],
                "pressure",
            ),
        ];
        for (strokes, reason) in cases {
            let err = capture(strokes).validate().unwrap_err();
            assert!(err.reason.contains(reason), "{reason}: {err}");
            assert_eq!(err.field, "signature.strokes");
        }
    }

    #[test]
    fn signature_renders_as_dark_ink_on_white_with_width_following_pressure() {
        let light: Vec<StrokePoint> = (0..50)
            .map(|i| point(i as f32 * 4.0, 20.0, i * 10, Some(0.1)))
            .collect();
        let heavy: Vec<StrokePoint> = (0..50)
            .map(|i| point(i as f32 * 4.0, 120.0, 600 + i * 10, Some(1.0)))
            .collect();
        let pixmap = render(&capture(vec![light, heavy]), &RenderOptions::default()).unwrap();
        let dark_in_row = |y: u32| {
            (0..pixmap.width())
                .filter(|&x| pixmap.pixel(x, y).unwrap().red() < 128)
                .count()
        };
        let column_ink = |y_range: std::ops::Range<u32>| {
            y_range
                .filter(|&y| pixmap.pixel(400, y).unwrap().red() < 128)
                .count()
        };
        let h = pixmap.height();
        let light_thickness = column_ink(0..h / 2);
        let heavy_thickness = column_ink(h / 2..h);
        assert!(
            heavy_thickness > light_thickness,
            "pressure widens the line: {light_thickness} vs {heavy_thickness}"
        );
        assert!(dark_in_row(1) == 0, "white margin");
        let grey = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() > 30 && p.red() < 225)
            .count();
        assert!(grey > 0, "anti-aliased edges");
        let png = render_png(
            &capture(vec![
                (0..10)
                    .map(|i| point(i as f32, (i * i) as f32, i * 5, None))
                    .collect(),
            ]),
            &RenderOptions::default(),
        )
        .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
