//! PNG, WebP and the formats Doorstep does not take: every hostile sample refused with its own
//! error or accepted and right, files from public collections (PngSuite, image-webp's tests)
//! decoded as their references, EXIF read in every form phones write. Memory and CPU bounds
//! are measured in a child process by the benchmark's harness on the same samples; here, the
//! outcomes.

use std::io::Cursor;

use doorstep_core::media::MediaError;
use doorstep_core::media::decode::{Decoded, Format, Limits, decode_reader};
use doorstep_core::media::exif::{self, Orientation};
use doorstep_core::media::samples::{self, Expect, Sample};
use doorstep_core::media::transform::orient;

mod camera_exif;
mod png_files;
mod webp_files;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/photos/formats/"
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decode(bytes: &[u8], min_edge: u32) -> Result<Decoded, MediaError> {
    decode_reader(Cursor::new(bytes), min_edge, &Limits::PHONE)
}

/// The colour `rgba` shows over white, as the decoders composite it.
fn over_white(rgba: [u8; 4]) -> [u8; 3] {
    let a = u16::from(rgba[3]);
    rgba[..3]
        .iter()
        .map(|&c| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8)
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

fn pixel(decoded: &Decoded, x: u32, y: u32) -> [u8; 3] {
    let i = (y * decoded.image.width + x) as usize * 3;
    decoded.image.pixels[i..i + 3].try_into().unwrap()
}

/// Not a flat grey picture: what a half-decoded or misread image looks like.
fn has_colour(decoded: &Decoded) -> bool {
    decoded
        .image
        .pixels
        .chunks_exact(3)
        .any(|p| p[0].abs_diff(p[1]) > 40 || p[1].abs_diff(p[2]) > 40)
}

#[test]
fn every_hostile_png_and_webp_sample_is_refused_with_its_own_error_or_accepted() {
    let all: Vec<Sample> = samples::png::hostile()
        .into_iter()
        .chain(samples::webp::hostile())
        .collect();
    assert!(all.len() >= 13, "{} samples", all.len());
    for sample in all {
        let outcome = decode(&sample.bytes, 2048);
        match (sample.expect, &outcome) {
            (Expect::Accepted, Ok(decoded)) => {
                assert!(
                    decoded.image.width > 0 && decoded.image.height > 0,
                    "{}",
                    sample.name
                );
                assert_eq!(
                    decoded.image.pixels.len(),
                    decoded.image.width as usize * decoded.image.height as usize * 3,
                    "{}",
                    sample.name
                );
            }
            (Expect::Refused(kind), Err(e)) => assert_eq!(e.name(), kind, "{}: {e}", sample.name),
            (expect, outcome) => panic!(
                "{}: expected {expect:?}, got {:?}",
                sample.name,
                outcome.as_ref().map(|d| d.original)
            ),
        }
    }
}

/// A 64×32 picture, red on its left quarter, so a turn shows where the red went.
fn red_left_quarter() -> (u32, u32, Vec<u8>) {
    let (w, h) = (64u32, 32u32);
    let rgb = (0..w * h)
        .flat_map(|i| {
            if i % w < 16 {
                [220, 20, 20]
            } else {
                [40, 90, 200]
            }
        })
        .collect();
    (w, h, rgb)
}

#[test]
fn heic_avif_gif_bmp_and_tiff_are_refused_by_their_name() {
    let heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x00".to_vec();
    let avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf\x00\x00\x00\x00".to_vec();
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&[124, 0, 0, 0, 16, 0, 0, 0]);
    for (bytes, name) in [
        (heic, "HEIC"),
        (avif, "AVIF"),
        (b"GIF89a\x10\0\x10\0".to_vec(), "GIF"),
        (bmp, "BMP"),
        (b"II*\0\x08\0\0\0\0\0".to_vec(), "TIFF"),
    ] {
        match decode(&bytes, 2048) {
            Err(e @ MediaError::Unsupported { format }) => {
                assert_eq!(format, name);
                assert!(e.to_string().contains(name), "{e}");
            }
            other => panic!("{name}: {:?}", other.map(|d| d.original)),
        }
    }
    // A phone's video, or a text, is not named as an image format.
    for bytes in [
        &b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isommp41"[..],
        b"hello",
    ] {
        assert!(matches!(decode(bytes, 2048), Err(MediaError::NotAnImage)));
    }
}

#[test]
fn damaged_pngs_and_webps_are_refused_or_read_but_never_crash_the_app() {
    use rand::{Rng, SeedableRng};
    let (w, h, rgb) = red_left_quarter();
    let originals = [
        samples::png::grey16(64, 48),
        samples::png::palette_with_transparency(40, 30),
        samples::png::stripes(70, 50, true),
        samples::png::with_exif(w, h, &rgb, &samples::webp::orientation_exif(6)),
        samples::webp::LOSSY_PHOTO.to_vec(),
        fixture("vips_orientation_6.webp"),
        fixture("lossy_alpha.webp"),
        fixture("image-webp_color_index.webp"),
        samples::webp::lossless(16, 8, &[120; 16 * 8 * 4]),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    for original in &originals {
        for _ in 0..250 {
            let mut bytes = original.clone();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..bytes.len());
                match rng.random_range(0..3) {
                    0 => bytes[at] ^= 1 << rng.random_range(0..8),
                    1 => bytes[at] = rng.random(),
                    _ => {
                        // A length or size field: four random bytes.
                        let end = (at + 4).min(bytes.len());
                        rng.fill(&mut bytes[at..end]);
                    }
                }
            }
            // Any outcome but a panic (a refusal, or a picture of the declared size).
            if let Ok(decoded) = decode(&bytes, 2048) {
                assert_eq!(
                    decoded.image.pixels.len(),
                    decoded.image.width as usize * decoded.image.height as usize * 3
                );
            }
        }
    }
}
