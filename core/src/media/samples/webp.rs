//! WebP samples: a lossy photo (a small fixture written by libvips: `image-webp` has no lossy
//! encoder), the same photo with EXIF in the `Exif\0\0` form, lossless images from
//! `image-webp`'s encoder, and files that must be refused from their headers.

use super::{Expect, Sample};

/// A 320×240 lossy WebP (libvips 8.14, Q 80): a sky-to-green gradient with a red block in its
/// top-left corner (64×48 px) and a white disc; see `core/tests/fixtures/photos/formats`.
pub const LOSSY_PHOTO: &[u8] =
    include_bytes!("../../../tests/fixtures/photos/formats/lossy_photo.webp");

/// The hostile and large WebP files.
pub fn hostile() -> Vec<Sample> {
    vec![
        Sample {
            name: "webp_lossless_8000",
            bytes: lossless_declaring(8000, 8000),
            expect: Expect::Refused("OverBudget"),
        },
        Sample {
            name: "webp_lossy_photo",
            bytes: LOSSY_PHOTO.to_vec(),
            expect: Expect::Accepted,
        },
        Sample {
            name: "webp_exif_orientation_6",
            bytes: with_exif(
                LOSSY_PHOTO,
                &[b"Exif\0\0".as_slice(), &orientation_exif(6)].concat(),
            ),
            expect: Expect::Accepted,
        },
        Sample {
            name: "webp_truncated",
            bytes: LOSSY_PHOTO[..LOSSY_PHOTO.len() / 2].to_vec(),
            expect: Expect::Refused("Truncated"),
        },
        Sample {
            name: "webp_animated",
            bytes: animated(LOSSY_PHOTO),
            expect: Expect::Refused("Unsupported"),
        },
        Sample {
            name: "webp_10000_chunks",
            bytes: with_chunks(LOSSY_PHOTO, 10_000),
            expect: Expect::Refused("TooComplex"),
        },
    ]
}

/// A lossless WebP of RGBA `pixels`, from `image-webp`'s encoder.
pub fn lossless(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    image_webp::WebPEncoder::new(&mut bytes)
        .encode(rgba, width, height, image_webp::ColorType::Rgba8)
        .expect("a WebP in memory");
    bytes
}

/// A lossless WebP whose header declares `width × height` (as the 2.7 KB 8000×8000
/// file does) over the bitstream of a tiny image: what it would cost is known from the header,
/// and it must be refused from there, before any decoding.
pub fn lossless_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = lossless(4, 4, &[90; 64]);
    let bits = (width - 1) | (height - 1) << 14 | 1 << 28;
    // RIFF header (12), chunk header (8), signature byte 0x2F, then the 32 bits of size.
    bytes[21..25].copy_from_slice(&bits.to_le_bytes());
    bytes
}

/// A TIFF structure (little-endian) whose first IFD holds only an orientation (SHORT).
pub fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff
}

/// `simple` (a `VP8 ` or `VP8L` WebP) in the extended form, with an `EXIF` chunk holding
/// `exif` as given.
pub fn with_exif(simple: &[u8], exif: &[u8]) -> Vec<u8> {
    let (width, height) = size(simple);
    extended(
        width,
        height,
        0x08,
        &[image_chunk(simple), chunk(b"EXIF", exif)],
    )
}

/// `simple` in the extended form with `count` unknown chunks before its image.
pub fn with_chunks(simple: &[u8], count: usize) -> Vec<u8> {
    let (width, height) = size(simple);
    let mut chunks: Vec<Vec<u8>> = (0..count).map(|i| chunk(b"junk", &[i as u8])).collect();
    chunks.push(image_chunk(simple));
    extended(width, height, 0, &chunks)
}

/// A two-frame animation of `simple`.
pub fn animated(simple: &[u8]) -> Vec<u8> {
    let (width, height) = size(simple);
    let frame = |image: &[u8]| {
        let mut anmf = vec![0; 6];
        anmf.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        anmf.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        anmf.extend_from_slice(&[100, 0, 0, 0]);
        anmf.extend_from_slice(image);
        chunk(b"ANMF", &anmf)
    };
    let image = image_chunk(simple);
    extended(
        width,
        height,
        0x02,
        &[
            chunk(b"ANIM", &[255, 255, 255, 255, 0, 0]),
            frame(&image),
            frame(&image),
        ],
    )
}

fn extended(width: u32, height: u32, flags: u8, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut vp8x = vec![flags, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    for c in chunks {
        body.extend_from_slice(c);
    }
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend(body);
    file
}

/// The image chunk (header and data) of a simple WebP.
fn image_chunk(simple: &[u8]) -> Vec<u8> {
    let length = u32::from_le_bytes([simple[16], simple[17], simple[18], simple[19]]) as usize;
    let end = (20 + length + (length & 1)).min(simple.len());
    simple[12..end].to_vec()
}

/// The size a simple WebP declares.
fn size(simple: &[u8]) -> (u32, u32) {
    match &simple[12..16] {
        b"VP8L" => {
            let bits = u32::from_le_bytes([simple[21], simple[22], simple[23], simple[24]]);
            (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
        }
        _ => (
            u32::from(u16::from_le_bytes([simple[26], simple[27]]) & 0x3FFF),
            u32::from(u16::from_le_bytes([simple[28], simple[29]]) & 0x3FFF),
        ),
    }
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}
