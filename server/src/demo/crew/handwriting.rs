//! Handwriting for the signature pad: a name written as a hurried signature is, one character
//! after another, each of a few brush strokes (横 竖 撇 捺 点 折) drawn with a wavering hand,
//! the pen's speed and pressure rising and falling along each stroke. Deterministic for a
//! seed: the same signer signs alike on every run, never twice exactly the same on one day.

use doorstep_core::app::screens::signature::InkPoint;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The pad, in screen points: a phone held sideways.
const PAD: (f32, f32) = (720.0, 260.0);
/// Between two sampled points of a stroke, in screen points and milliseconds.
const STEP: f32 = 7.0;
const STEP_MS: u32 = 11;

/// The strokes of `characters` characters signed, pen down to pen up, for `seed`.
pub fn signature(seed: u64, characters: usize) -> Vec<Vec<InkPoint>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let characters = characters.clamp(2, 4);
    // Hurried signers write smaller and lean forward as they go.
    let cell = (PAD.0 - 80.0) / characters as f32;
    let mut t_ms = 0u32;
    let mut strokes = Vec::new();
    for c in 0..characters {
        let left = 40.0 + c as f32 * cell + rng.random_range(-6.0..6.0);
        let top = 50.0 + rng.random_range(-10.0..10.0) + c as f32 * 4.0;
        let size = cell * rng.random_range(0.72..0.88);
        let box_ = Cell {
            left,
            top,
            size: size.min(PAD.1 - 80.0),
            slant: rng.random_range(0.08..0.2),
        };
        for _ in 0..rng.random_range(3..=6) {
            let shape = Shape::ALL[rng.random_range(0..Shape::ALL.len())];
            let stroke = draw(&mut rng, &box_, shape, &mut t_ms);
            strokes.push(stroke);
            // The pen lifted between strokes.
            t_ms += rng.random_range(90..220);
        }
        t_ms += rng.random_range(150..400);
    }
    strokes
}

/// Where one character is written.
struct Cell {
    left: f32,
    top: f32,
    size: f32,
    /// How far the hand leans to the right per unit of height.
    slant: f32,
}

/// The strokes a Chinese character is made of, as a signature draws them.
#[derive(Clone, Copy)]
enum Shape {
    /// 横: left to right, rising a little.
    Horizontal,
    /// 竖: top to bottom.
    Vertical,
    /// 撇: from the upper right, sweeping down to the left.
    LeftFalling,
    /// 捺: from the upper left, down to the right, thickening.
    RightFalling,
    /// 点: a short dab.
    Dot,
    /// 横折: across, then down.
    Turn,
}

impl Shape {
    const ALL: [Shape; 6] = [
        Shape::Horizontal,
        Shape::Vertical,
        Shape::LeftFalling,
        Shape::RightFalling,
        Shape::Dot,
        Shape::Turn,
    ];
}

fn draw(rng: &mut StdRng, cell: &Cell, shape: Shape, t_ms: &mut u32) -> Vec<InkPoint> {
    let mut r = |lo: f32, hi: f32| rng.random_range(lo..hi);
    // The path's corners, in the cell's unit square (0,0 top left).
    let path: Vec<(f32, f32)> = match shape {
        Shape::Horizontal => {
            let y = r(0.15, 0.85);
            vec![(r(0.05, 0.3), y), (r(0.7, 0.95), y - r(0.02, 0.08))]
        }
        Shape::Vertical => {
            let x = r(0.25, 0.75);
            vec![(x, r(0.05, 0.25)), (x + r(-0.04, 0.04), r(0.75, 0.98))]
        }
        Shape::LeftFalling => {
            let (x, y) = (r(0.45, 0.75), r(0.05, 0.35));
            vec![
                (x, y),
                (x - r(0.1, 0.2), y + r(0.25, 0.35)),
                (x - r(0.3, 0.45), y + r(0.45, 0.6)),
            ]
        }
        Shape::RightFalling => {
            let (x, y) = (r(0.25, 0.5), r(0.2, 0.45));
            vec![
                (x, y),
                (x + r(0.15, 0.25), y + r(0.2, 0.3)),
                (x + r(0.35, 0.5), y + r(0.4, 0.5)),
            ]
        }
        Shape::Dot => {
            let (x, y) = (r(0.2, 0.8), r(0.05, 0.8));
            vec![(x, y), (x + r(0.04, 0.08), y + r(0.05, 0.1))]
        }
        Shape::Turn => {
            let (x, y) = (r(0.1, 0.3), r(0.1, 0.4));
            let right = r(0.65, 0.9);
            vec![
                (x, y),
                (right, y - r(0.0, 0.05)),
                (right - r(0.02, 0.08), r(0.7, 0.95)),
            ]
        }
    };
    let to_screen = |(u, v): (f32, f32)| {
        let x = cell.left + u * cell.size + (1.0 - v) * cell.slant * cell.size;
        let y = cell.top + v * cell.size;
        (x.clamp(2.0, PAD.0 - 2.0), y.clamp(2.0, PAD.1 - 2.0))
    };
    let corners: Vec<(f32, f32)> = path.into_iter().map(to_screen).collect();
    let mut points = Vec::new();
    let length: f32 = corners
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .sum();
    let total = (length / STEP).ceil().max(2.0) as usize;
    let mut n = 0;
    for w in corners.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let segment = (x1 - x0).hypot(y1 - y0);
        let steps = (segment / STEP).ceil().max(1.0) as usize;
        for k in 0..steps {
            let f = k as f32 / steps as f32;
            let along = n as f32 / total as f32;
            // The pen presses harder in the middle of a stroke and lifts at its ends.
            let pressure = 0.25 + 0.5 * (along * std::f32::consts::PI).sin() + r(-0.05, 0.05);
            points.push(InkPoint {
                x: x0 + (x1 - x0) * f + r(-1.2, 1.2),
                y: y0 + (y1 - y0) * f + r(-1.2, 1.2),
                t_ms: *t_ms,
                pressure: Some(pressure.clamp(0.05, 1.0)),
            });
            *t_ms += STEP_MS + (r(0.0, 6.0) as u32);
            n += 1;
        }
    }
    let (x, y) = *corners.last().expect("a stroke has corners");
    points.push(InkPoint {
        x,
        y,
        t_ms: *t_ms,
        pressure: Some(0.1),
    });
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signer_signs_alike_for_a_seed_on_the_pad_in_strokes_of_many_points() {
        let a = signature(7, 3);
        assert_eq!(a, signature(7, 3));
        assert_ne!(a, signature(8, 3));
        assert!(a.len() >= 9, "three characters of three strokes or more");
        for stroke in &a {
            assert!(stroke.len() >= 3);
            assert!(stroke.windows(2).all(|w| w[0].t_ms < w[1].t_ms));
            for p in stroke {
                assert!((0.0..=PAD.0).contains(&p.x) && (0.0..=PAD.1).contains(&p.y));
                assert!(p.pressure.is_some_and(|q| (0.0..=1.0).contains(&q)));
            }
        }
    }
}
