//! Camera files for the photo tests: JPEGs with EXIF (orientation, time, GPS) and hostile files.
#![allow(dead_code)]

use doorstep_core::media::decode::{RgbImage, encode_jpeg};

/// An EXIF APP1 payload with orientation, DateTimeOriginal (local time, no offset) and GPS.
pub fn exif_payload(orientation: u16, taken: &str, lat: f64, lon: f64) -> Vec<u8> {
    // Little-endian TIFF: IFD0 at 8 with two entries (Orientation, ExifIFD pointer, GPS pointer).
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let ifd0_entries = 3u16;
    let ifd0_size = 2 + 12 * ifd0_entries as u32 + 4;
    let exif_ifd = 8 + ifd0_size;
    let exif_size = 2 + 12 + 4;
    let date_at = exif_ifd + exif_size;
    let gps_ifd = date_at + 20;
    let gps_size = 2 + 12 * 4 + 4;
    let rationals_at = gps_ifd + gps_size;
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(kind.to_le_bytes());
        tiff.extend(count.to_le_bytes());
        tiff.extend(value.to_le_bytes());
    };
    tiff.extend(ifd0_entries.to_le_bytes());
    entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut tiff, 0x8769, 4, 1, exif_ifd);
    entry(&mut tiff, 0x8825, 4, 1, gps_ifd);
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    entry(&mut tiff, 0x9003, 2, 20, date_at);
    tiff.extend(0u32.to_le_bytes());
    let mut date = taken.as_bytes().to_vec();
    date.resize(20, 0);
    tiff.extend(date);
    tiff.extend(4u16.to_le_bytes());
    entry(&mut tiff, 1, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
    entry(&mut tiff, 2, 5, 3, rationals_at);
    entry(&mut tiff, 3, 2, 2, u32::from_le_bytes([b'E', 0, 0, 0]));
    entry(&mut tiff, 4, 5, 3, rationals_at + 24);
    tiff.extend(0u32.to_le_bytes());
    for degrees in [lat, lon] {
        let whole = degrees.trunc();
        let minutes = ((degrees - whole) * 60.0).trunc();
        let seconds = ((degrees - whole) * 60.0 - minutes) * 60.0;
        for (num, den) in [
            (whole as u32, 1u32),
            (minutes as u32, 1),
            ((seconds * 10_000.0).round() as u32, 10_000),
        ] {
            tiff.extend(num.to_le_bytes());
            tiff.extend(den.to_le_bytes());
        }
    }
    [b"Exif\0\0".as_slice(), &tiff].concat()
}

/// A JPEG of `image` carrying `app1` right after its start marker.
pub fn jpeg_with_exif(image: &RgbImage, app1: &[u8]) -> Vec<u8> {
    let plain = encode_jpeg(image, 92).unwrap();
    let length = (app1.len() + 2) as u16;
    [
        &plain[..2],
        &[0xFF, 0xE1],
        &length.to_be_bytes(),
        app1,
        &plain[2..],
    ]
    .concat()
}

/// A landscape test card: a red block in the top-left corner of the upright picture, a blue
/// block in the top-right, the rest mid-grey.
pub fn test_card(width: u32, height: u32) -> RgbImage {
    let mut image = RgbImage {
        width,
        height,
        pixels: vec![128; (width * height * 3) as usize],
    };
    for y in 0..height / 4 {
        for x in 0..width / 4 {
            let i = ((y * width + x) * 3) as usize;
            image.pixels[i..i + 3].copy_from_slice(&[230, 20, 20]);
            let j = ((y * width + (width - 1 - x)) * 3) as usize;
            image.pixels[j..j + 3].copy_from_slice(&[20, 20, 230]);
        }
    }
    image
}

pub fn pixel(image: &RgbImage, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * image.width + x) * 3) as usize;
    [image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]]
}

/// Decodes a JPEG the pipeline produced.
pub fn decode(jpeg: &[u8]) -> RgbImage {
    doorstep_core::media::decode::decode_reader(
        std::io::Cursor::new(jpeg),
        100_000,
        &doorstep_core::media::decode::Limits::PHONE,
    )
    .unwrap()
    .image
}

pub use doorstep_core::media::samples::png::crc32;

/// A PNG whose header declares `width`×`height` (with a valid checksum) and no pixel data.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

/// A complete, valid JPEG whose frame header is rewritten to declare `width`×`height`.
pub fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = encode_jpeg(&test_card(64, 32), 80).unwrap();
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline frame");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}
