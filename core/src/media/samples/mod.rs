//! Photos made to order, for the benchmark and the tests: a camera's photo, and files made to
//! be hostile (too big to decode, too costly, damaged), each with what the pipeline must do with
//! it. Deterministic: the same bytes on every machine and every run.

use rand::{Rng, SeedableRng};

use super::decode::{RgbImage, encode_jpeg};

pub mod jpeg;
pub mod png;
pub mod webp;

/// A file the pipeline is given, and what it must make of it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A short name for figures and test messages, such as `progressive_444_8000`.
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

/// What the pipeline must do with a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Accepted, decoded whole and right.
    Accepted,
    /// Refused with this `MediaError` variant (its name, such as `"OverBudget"`).
    Refused(&'static str),
}

/// Every hostile or large sample of every format.
pub fn hostile() -> Vec<Sample> {
    let mut all = jpeg::hostile();
    all.extend(png::hostile());
    all.extend(webp::hostile());
    all.extend(beyond_any_format());
    all
}

/// What a 16-megapixel phone camera writes: a baseline JPEG, 4:2:0, 4608×3456, with its EXIF.
/// The common case, held to the tighter budget (64 MiB for the whole ingest).
pub fn camera_photo() -> Sample {
    Sample {
        name: "camera_baseline_420_16mp",
        bytes: jpeg::camera(4608, 3456),
        expect: Expect::Accepted,
    }
}

/// A header that declares far more than the pixel limit (64 MP): refused before anything else.
fn beyond_any_format() -> Vec<Sample> {
    vec![Sample {
        name: "jpeg_declaring_20000x20000",
        bytes: declaring(
            &encode_jpeg(&photo_like(64, 48), 85).expect("encodes"),
            20_000,
        ),
        expect: Expect::Refused("TooLarge"),
    }]
}

/// `jpeg` with its frame header (SOF0) rewritten to declare `edge`×`edge` pixels.
fn declaring(jpeg: &[u8], edge: u16) -> Vec<u8> {
    let mut bytes = jpeg.to_vec();
    let sof = bytes
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("a baseline JPEG has a SOF0");
    // Marker (2), length (2), precision (1), then height and width, big-endian.
    bytes[sof + 5..sof + 7].copy_from_slice(&edge.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&edge.to_be_bytes());
    bytes
}

/// A synthetic photo with the statistics of a real one: smooth gradients (sky, walls), edges
/// (pipes, a meter) and sensor noise, so that the JPEG is as costly to decode as a camera's.
pub fn photo_like(width: u32, height: u32) -> RgbImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut image = RgbImage::new(width, height);
    let (w, h) = (width as f32, height as f32);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / w, y as f32 / h);
            let wall = 150.0 + 60.0 * (fx * 6.0).sin() * (fy * 3.0).cos();
            let pipe = if ((fy - 0.45) * h).abs() < h * 0.02 + 4.0 * (fx * 40.0).sin() {
                -90.0
            } else {
                0.0
            };
            let meter = if ((fx - 0.6) * w).hypot((fy - 0.55) * h) < h * 0.12 {
                60.0
            } else {
                0.0
            };
            let noise: f32 = rng.random_range(-12.0..12.0);
            let i = (y as usize * width as usize + x as usize) * 3;
            let base = wall + pipe + meter + noise;
            image.pixels[i] = (base + 20.0 * fy).clamp(0.0, 255.0) as u8;
            image.pixels[i + 1] = (base - 10.0 * fx).clamp(0.0, 255.0) as u8;
            image.pixels[i + 2] = (base * 0.8 + 40.0 * fx).clamp(0.0, 255.0) as u8;
        }
    }
    image
}
