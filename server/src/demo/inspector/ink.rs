//! Signatures as a finger draws them on the pad: a few strokes of a few dozen points each,
//! left to right like handwritten characters, with the time running on and the pressure rising
//! and falling within each stroke. Every signer's hand is its own (the generator is seeded per
//! signature), so no two signatures of the day are the same drawing.

use doorstep_core::app::screens::signature::InkPoint;
use rand::Rng;
use rand::rngs::StdRng;

/// The pad, in screen points: a phone held sideways.
const PAD: (f32, f32) = (640.0, 280.0);

/// One signature: 3 to 6 strokes of 20 to 60 points, `t_ms` increasing from the first point
/// to the last, pressure between 0.3 and 0.8.
pub fn signature(rng: &mut StdRng) -> Vec<Vec<InkPoint>> {
    let strokes = rng.random_range(3..=6usize);
    // The characters sit on a line across the pad, each stroke a little right of the last.
    let baseline = PAD.1 * rng.random_range(0.45..0.6);
    let width = PAD.0 * rng.random_range(0.55..0.85);
    let left = (PAD.0 - width) * rng.random_range(0.2..0.8);
    let slant = rng.random_range(-0.25..0.25f32);
    let mut t_ms = 0u32;
    (0..strokes)
        .map(|s| {
            let points = rng.random_range(20..=60usize);
            let x0 = left + width * s as f32 / strokes as f32;
            let span = width / strokes as f32 * rng.random_range(0.6..1.3);
            let height = rng.random_range(30.0..90.0f32);
            let turns = rng.random_range(0.8..2.5f32);
            let phase = rng.random_range(0.0..std::f32::consts::TAU);
            let peak = rng.random_range(0.55..0.8f32);
            // A pen lifted between strokes.
            t_ms += rng.random_range(90..260);
            (0..points)
                .map(|i| {
                    let f = i as f32 / (points - 1) as f32;
                    let wave = (phase + f * turns * std::f32::consts::TAU).sin();
                    let y = baseline - height * 0.5 * wave + slant * span * f;
                    let x = x0 + span * f + rng.random_range(-0.8..0.8);
                    t_ms += rng.random_range(7..16);
                    // Light at pen down and pen up, firmest mid-stroke.
                    let pressure = 0.3 + (peak - 0.3) * (std::f32::consts::PI * f).sin();
                    InkPoint {
                        x: x.clamp(1.0, PAD.0 - 1.0),
                        y: y.clamp(1.0, PAD.1 - 1.0),
                        t_ms,
                        pressure: Some(pressure.clamp(0.3, 0.8)),
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_core::forms::seal::{SignatureCapture, StrokePoint};
    use doorstep_core::forms::template::SignerRole;
    use rand::SeedableRng;

    #[test]
    fn a_generated_signature_is_one_the_app_accepts_and_differs_from_signer_to_signer() {
        let mut drawings = Vec::new();
        for seed in 0..200 {
            let strokes = signature(&mut StdRng::seed_from_u64(seed));
            assert!(
                (3..=6).contains(&strokes.len()),
                "{} strokes",
                strokes.len()
            );
            let mut last = 0;
            for stroke in &strokes {
                assert!((20..=60).contains(&stroke.len()), "{} points", stroke.len());
                for p in stroke {
                    assert!(p.t_ms > last, "time runs on");
                    last = p.t_ms;
                    let q = p.pressure.expect("the pad gives pressure");
                    assert!((0.3..=0.8).contains(&q), "pressure {q}");
                }
            }
            let capture = SignatureCapture {
                role: SignerRole::Customer,
                signer_name: "王秀英".into(),
                signed_at: chrono::Utc::now(),
                strokes: strokes
                    .iter()
                    .map(|s| {
                        s.iter()
                            .map(|p| StrokePoint {
                                x: p.x,
                                y: p.y,
                                t_ms: p.t_ms,
                                pressure: p.pressure,
                            })
                            .collect()
                    })
                    .collect(),
            };
            capture.validate().expect("the app takes it as a signature");
            drawings.push(capture.strokes_sha256());
        }
        drawings.sort();
        drawings.dedup();
        assert_eq!(drawings.len(), 200, "every signer draws their own");
    }
}
