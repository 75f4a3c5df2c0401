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

fn variant(e: &MediaError) -> &'static str {
    match e {
        MediaError::Empty => "Empty",
        MediaError::NotAnImage => "NotAnImage",
        MediaError::Truncated => "Truncated",
        MediaError::TooLarge { .. } => "TooLarge",
        MediaError::Unsupported { .. } => "Unsupported",
        MediaError::OverBudget { .. } => "OverBudget",
        MediaError::TooComplex { .. } => "TooComplex",
        MediaError::Corrupt(_) => "Corrupt",
        MediaError::Io(_) => "Io",
        MediaError::Invalid(_) => "Invalid",
    }
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
            (Expect::Refused(kind), Err(e)) => assert_eq!(variant(e), kind, "{}: {e}", sample.name),
            (expect, outcome) => panic!(
                "{}: expected {expect:?}, got {:?}",
                sample.name,
                outcome.as_ref().map(|d| d.original)
            ),
        }
    }
}

#[test]
fn large_png_is_decoded_row_by_row_to_the_size_needed_with_its_colours() {
    let bytes = samples::png::stripes(8000, 8000, false);
    assert!(bytes.len() < 8 * 1024 * 1024, "{} bytes", bytes.len());
    let decoded = decode(&bytes, 2048).unwrap();
    assert_eq!(decoded.original, (8000, 8000));
    // Shrunk by the largest whole factor keeping 2048 px: 3 (2667 px); no 256 MB buffer.
    assert_eq!((decoded.image.width, decoded.image.height), (2667, 2667));
    let width = samples::png::STRIPE_WIDTH / 3;
    for x in (0..2667).step_by(5) {
        let stripe = samples::png::STRIPES[(x / width) as usize % 4];
        for y in [0, 1333, 2665] {
            assert_eq!(pixel(&decoded, x, y), over_white(stripe), "({x}, {y})");
        }
    }
    // The last column and row average what is left (2 px of 8000): the same colour here.
    let last = samples::png::STRIPES[(7999 / samples::png::STRIPE_WIDTH) as usize % 4];
    assert_eq!(pixel(&decoded, 2666, 2666), over_white(last));
}

#[test]
fn interlaced_png_is_decoded_whole_only_when_it_fits_the_budget() {
    let refused = decode(&samples::png::stripes(8000, 8000, true), 2048);
    match refused {
        Err(MediaError::OverBudget {
            needed_mib,
            budget_mib,
        }) => assert!(
            needed_mib > budget_mib && budget_mib == 128,
            "{needed_mib} MiB"
        ),
        other => panic!("{:?}", other.map(|d| d.original)),
    }
    // A small one is accepted, and reads the same as its plain twin.
    let plain = decode(&samples::png::stripes(301, 207, false), 100).unwrap();
    let interlaced = decode(&samples::png::stripes(301, 207, true), 100).unwrap();
    assert_eq!((plain.image.width, plain.image.height), (101, 69));
    assert_eq!(plain.image, interlaced.image);
    assert!(has_colour(&plain));
}

#[test]
fn pngsuite_images_read_the_same_interlaced_or_not_and_as_the_png_crate_reads_them() {
    for (plain, interlaced) in [
        ("pngsuite_basn6a08.png", "pngsuite_ibasn6a08.png"),
        ("pngsuite_ftbwn3p08.png", "pngsuite_iftbwn3p08.png"),
    ] {
        let a = decode(&fixture(plain), 2048).unwrap();
        let b = decode(&fixture(interlaced), 2048).unwrap();
        assert_eq!(a.image, b.image, "{plain} vs {interlaced}");
        assert_eq!(a.format, Format::Png);
    }
    for name in [
        "pngsuite_basn6a08.png",
        "pngsuite_basn0g16.png",
        "pngsuite_basn4a16.png",
        "pngsuite_basn3p01.png",
        "pngsuite_ftbwn3p08.png",
    ] {
        let bytes = fixture(name);
        let ours = decode(&bytes, 2048).unwrap();
        assert_eq!(ours.original, (32, 32), "{name}");
        // The reference: the png crate's whole-frame decode, alpha composited over white.
        let mut decoder = png::Decoder::new(Cursor::new(&bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut frame = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut frame).unwrap();
        let channels = info.color_type.samples();
        let expected: Vec<u8> = frame
            .chunks_exact(channels)
            .flat_map(|p| match channels {
                1 => [p[0]; 3],
                2 => over_white([p[0], p[0], p[0], p[1]]),
                3 => [p[0], p[1], p[2]],
                _ => over_white([p[0], p[1], p[2], p[3]]),
            })
            .collect();
        assert_eq!(ours.image.pixels, expected, "{name}");
    }
}

#[test]
fn sixteen_bit_grey_and_palette_with_transparency_are_read_right() {
    let grey = decode(&samples::png::grey16(64, 48), 2048).unwrap();
    assert_eq!(pixel(&grey, 0, 0), [0, 0, 0]);
    assert_eq!(pixel(&grey, 63, 47), [255, 255, 255]);
    let palette = decode(&samples::png::palette_with_transparency(64, 48), 2048).unwrap();
    assert_eq!(pixel(&palette, 0, 5), [10, 20, 30], "opaque");
    assert_eq!(
        pixel(&palette, 1, 5),
        over_white([200, 100, 50, 128]),
        "half"
    );
    assert_eq!(
        pixel(&palette, 2, 5),
        [255, 255, 255],
        "transparent: white, not black"
    );
}

#[test]
fn damaged_png_is_refused_never_accepted_half_drawn() {
    let whole = samples::png::stripes(640, 480, false);
    // Cut anywhere: refused, as cut short (or, inside the header, damaged).
    for cut in (9..whole.len()).step_by(37) {
        match decode(&whole[..cut], 2048) {
            Err(MediaError::Truncated | MediaError::Corrupt(_)) => {}
            other => panic!("cut at {cut}: {:?}", other.map(|d| d.original)),
        }
    }
    // A byte of the image data changed, its CRC made right again: the zlib stream is damaged.
    let idat = samples::png::idat_range(&whole);
    let mut zlib_damaged = whole.clone();
    zlib_damaged[idat.start + idat.len() / 2] ^= 0x55;
    let crc = crc32(&zlib_damaged[idat.start - 4..idat.end]);
    zlib_damaged[idat.end..idat.end + 4].copy_from_slice(&crc.to_be_bytes());
    assert!(
        matches!(decode(&zlib_damaged, 2048), Err(MediaError::Corrupt(_))),
        "damaged zlib stream"
    );
    // The stored CRC of the image data, or of the header, wrong.
    let mut bad_crc = whole.clone();
    bad_crc[idat.end] ^= 1;
    assert!(matches!(
        decode(&bad_crc, 2048),
        Err(MediaError::Corrupt(_))
    ));
    let mut bad_header = whole.clone();
    bad_header[8 + 8 + 13] ^= 1;
    assert!(matches!(
        decode(&bad_header, 2048),
        Err(MediaError::Corrupt(_))
    ));
}

#[test]
fn png_with_ten_thousand_tiny_chunks_is_refused_before_decoding() {
    match decode(&samples::png::many_chunks(10_000), 2048) {
        Err(MediaError::TooComplex { what, limit, .. }) => {
            assert_eq!((what, limit), ("chunks", 1000));
        }
        other => panic!("{:?}", other.map(|d| d.original)),
    }
    // A few hundred (what real files carry at most) are fine.
    assert!(decode(&samples::png::many_chunks(300), 2048).is_ok());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
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
fn png_exif_chunk_turns_the_photo_with_or_without_the_exif_prefix() {
    let (w, h, rgb) = red_left_quarter();
    let tiff = samples::webp::orientation_exif(6);
    for exif in [tiff.clone(), [b"Exif\0\0".as_slice(), &tiff].concat()] {
        let decoded = decode(&samples::png::with_exif(w, h, &rgb, &exif), 2048).unwrap();
        let camera = exif::parse(decoded.exif.as_deref().expect("eXIf handed over"));
        assert_eq!(camera.orientation(), Orientation(6));
        let upright = orient(decoded.image, camera.orientation());
        assert_eq!((upright.width, upright.height), (32, 64));
        // Orientation 6: the stored left edge is the top once turned.
        assert_eq!(&upright.pixels[..3], &[220, 20, 20]);
        assert_eq!(&upright.pixels[upright.pixels.len() - 3..], &[40, 90, 200]);
    }
}

#[test]
fn webp_whose_exif_starts_with_the_libvips_prefix_is_turned() {
    // Written by libvips 8.14 (`Exif\0\0` then TIFF), orientation 6.
    let vips = fixture("vips_orientation_6.webp");
    let generated = samples::webp::with_exif(
        samples::webp::LOSSY_PHOTO,
        &[b"Exif\0\0".as_slice(), &samples::webp::orientation_exif(6)].concat(),
    );
    let bare = samples::webp::with_exif(
        samples::webp::LOSSY_PHOTO,
        &samples::webp::orientation_exif(6),
    );
    for (name, bytes) in [("vips", vips), ("prefixed", generated), ("bare", bare)] {
        let decoded = decode(&bytes, 2048).unwrap();
        assert_eq!(decoded.format, Format::WebP);
        let camera = exif::parse(decoded.exif.as_deref().expect(name));
        assert_eq!(camera.orientation(), Orientation(6), "{name}");
        let upright = orient(decoded.image, camera.orientation());
        assert_eq!((upright.width, upright.height), (240, 320), "{name}");
        // The red block of the stored top-left corner is now top-right.
        let [r, g, b]: [u8; 3] = upright.pixels[(5 * 240 + 230) * 3..][..3]
            .try_into()
            .unwrap();
        assert!(r > 180 && g < 80 && b < 80, "{name}: {r},{g},{b}");
    }
}

#[test]
fn lossy_webp_photo_is_accepted_in_colour_and_a_cut_one_refused() {
    let photo = decode(samples::webp::LOSSY_PHOTO, 2048).unwrap();
    assert_eq!((photo.image.width, photo.image.height), (320, 240));
    let [r, g, b] = pixel(&photo, 10, 10);
    assert!(r > 180 && g < 80 && b < 80, "red corner: {r},{g},{b}");
    assert!(has_colour(&photo));
    for cut in (13..samples::webp::LOSSY_PHOTO.len()).step_by(97) {
        assert!(
            matches!(
                decode(&samples::webp::LOSSY_PHOTO[..cut], 2048),
                Err(MediaError::Truncated)
            ),
            "cut at {cut}"
        );
    }
    // With alpha (libvips, Q 80): the half-transparent right half is lighter, over white.
    let alpha = decode(&fixture("lossy_alpha.webp"), 2048).unwrap();
    let [r, g, b] = pixel(&alpha, 10, 10);
    assert!(
        r > 180 && g < 80 && b < 80,
        "opaque red corner: {r},{g},{b}"
    );
    let left = pixel(&alpha, 150, 200);
    let right = pixel(&alpha, 170, 200);
    assert!(
        right.iter().zip(left).all(|(r, l)| *r > l),
        "{left:?} {right:?}"
    );
}

#[test]
fn lossless_webp_decodes_as_its_reference_png() {
    for (webp, png) in [
        ("image-webp_color_index.webp", "image-webp_color_index.png"),
        (
            "image-webp_lossless_indexed_2bit_palette.webp",
            "image-webp_lossless_indexed_2bit_palette.png",
        ),
    ] {
        let a = decode(&fixture(webp), 4096).unwrap();
        let b = decode(&fixture(png), 4096).unwrap();
        assert_eq!(a.image, b.image, "{webp}");
    }
    // image-webp's own encoder, with alpha: composited over white.
    let rgba: Vec<u8> = (0..16 * 8)
        .flat_map(|i| {
            if i % 16 < 8 {
                [0, 0, 255, 255]
            } else {
                [255, 0, 0, 0]
            }
        })
        .collect();
    let decoded = decode(&samples::webp::lossless(16, 8, &rgba), 2048).unwrap();
    assert_eq!(pixel(&decoded, 0, 0), [0, 0, 255]);
    assert_eq!(pixel(&decoded, 15, 7), [255, 255, 255]);
}

#[test]
fn webp_too_big_for_the_phone_is_refused_from_its_header() {
    let bytes = samples::webp::lossless_declaring(8000, 8000);
    assert!(bytes.len() < 3 * 1024, "{} bytes", bytes.len());
    match decode(&bytes, 2048) {
        // 256 MB of RGBA, before the decoder's own work.
        Err(MediaError::OverBudget { needed_mib, .. }) => {
            assert!(needed_mib >= 256, "{needed_mib}")
        }
        other => panic!("{:?}", other.map(|d| d.original)),
    }
}

#[test]
fn animated_webp_is_refused_as_not_a_still_photo() {
    for bytes in [
        samples::webp::animated(samples::webp::LOSSY_PHOTO),
        fixture("image-webp_animated_random_lossy.webp"),
    ] {
        match decode(&bytes, 2048) {
            Err(MediaError::Unsupported { format }) => assert_eq!(format, "animated WebP"),
            other => panic!("{:?}", other.map(|d| d.original)),
        }
    }
    match decode(
        &samples::webp::with_chunks(samples::webp::LOSSY_PHOTO, 5_000),
        2048,
    ) {
        Err(MediaError::TooComplex { what: "chunks", .. }) => {}
        other => panic!("{:?}", other.map(|d| d.original)),
    }
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

/// A little-endian TIFF: IFD0 (with a pointer to a GPS IFD when `gps` is not empty). Each
/// entry is (tag, type, count, value bytes); values over 4 bytes go after the IFDs.
fn tiff(ifd0: &[(u16, u16, u32, Vec<u8>)], gps: &[(u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
    let mut ifd0 = ifd0.to_vec();
    let ifd0_len = |n: usize| 2 + 12 * n + 4;
    let n0 = ifd0.len() + usize::from(!gps.is_empty());
    let gps_at = 8 + ifd0_len(n0);
    if !gps.is_empty() {
        ifd0.push((0x8825, 4, 1, (gps_at as u32).to_le_bytes().to_vec()));
    }
    let mut data_at = gps_at
        + if gps.is_empty() {
            0
        } else {
            ifd0_len(gps.len())
        };
    let mut out = b"II*\0\x08\0\0\0".to_vec();
    let mut data = Vec::new();
    for ifd in [&ifd0[..], gps] {
        if ifd.is_empty() {
            continue;
        }
        out.extend_from_slice(&(ifd.len() as u16).to_le_bytes());
        for (tag, kind, count, value) in ifd {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if value.len() <= 4 {
                let mut inline = value.clone();
                inline.resize(4, 0);
                out.extend_from_slice(&inline);
            } else {
                out.extend_from_slice(&(data_at as u32).to_le_bytes());
                data.extend_from_slice(value);
                data_at += value.len();
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    out.extend(data);
    out
}

fn rationals(values: &[(i32, i32)]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|(n, d)| [n.to_le_bytes(), d.to_le_bytes()].concat())
        .collect()
}

const RATIONAL: u16 = 5;
const SRATIONAL: u16 = 10;
const DOUBLE: u16 = 12;

#[test]
fn nokia_gps_in_signed_rationals_is_read_as_exiftool_reads_it() {
    // As a Nokia 8.3 writes it: SRATIONAL degrees, minutes, seconds; refs N and E.
    let nokia = tiff(
        &[],
        &[
            (0x0001, 2, 2, b"N\0".to_vec()),
            (
                0x0002,
                SRATIONAL,
                3,
                rationals(&[(30, 1), (16, 1), (3900, 100)]),
            ),
            (0x0003, 2, 2, b"E\0".to_vec()),
            (
                0x0004,
                SRATIONAL,
                3,
                rationals(&[(120, 1), (7, 1), (4836, 100)]),
            ),
            (0x0006, SRATIONAL, 1, rationals(&[(1234, 100)])),
        ],
    );
    let camera = exif::parse(&nokia);
    let p = camera.position.expect("position read");
    assert!(
        (p.lat() - (30.0 + 16.0 / 60.0 + 39.0 / 3600.0)).abs() < 1e-9,
        "{}",
        p.lat()
    );
    assert!(
        (p.lon() - (120.0 + 7.0 / 60.0 + 48.36 / 3600.0)).abs() < 1e-9,
        "{}",
        p.lon()
    );
    assert_eq!(camera.altitude_m, Some(12.34));
}

#[test]
fn gps_is_read_in_every_form_phones_write() {
    let gps = |kind: u16, lat: Vec<u8>, count: u32, refs: Option<(&[u8], &[u8])>| {
        let mut entries = Vec::new();
        if let Some((lat_ref, _)) = refs {
            entries.push((0x0001, 2, 2, lat_ref.to_vec()));
        }
        entries.push((0x0002, kind, count, lat.clone()));
        if let Some((_, lon_ref)) = refs {
            entries.push((0x0003, 2, 2, lon_ref.to_vec()));
        }
        entries.push((0x0004, kind, count, lat));
        exif::parse(&tiff(&[], &entries))
            .position
            .map(|p| (p.lat(), p.lon()))
    };
    let close = |got: Option<(f64, f64)>, lat: f64, lon: f64| {
        let (a, b) = got.expect("position read");
        assert!((a - lat).abs() < 1e-9 && (b - lon).abs() < 1e-9, "{a}, {b}");
    };
    // The standard: unsigned RATIONAL, south and west by their refs.
    let dms = rationals(&[(33, 1), (52, 1), (0, 1)]);
    close(
        gps(RATIONAL, dms.clone(), 3, Some((b"S\0", b"W\0"))),
        -(33.0 + 52.0 / 60.0),
        -(33.0 + 52.0 / 60.0),
    );
    // Signed rationals with the sign in the value and no refs.
    let negative = rationals(&[(-33, 1), (52, 1), (0, 1)]);
    close(
        gps(SRATIONAL, negative, 3, None),
        -(33.0 + 52.0 / 60.0),
        -(33.0 + 52.0 / 60.0),
    );
    // One value, decimal degrees, as DOUBLE.
    close(
        gps(
            DOUBLE,
            30.2775f64.to_le_bytes().to_vec(),
            1,
            Some((b"N\0", b"E\0")),
        ),
        30.2775,
        30.2775,
    );
    // Two values: degrees and decimal minutes.
    let dm = rationals(&[(30, 1), (1665, 100)]);
    close(
        gps(RATIONAL, dm, 2, Some((b"N\0", b"E\0"))),
        30.0 + 16.65 / 60.0,
        30.0 + 16.65 / 60.0,
    );
    // A zero denominator is no position, not infinity.
    assert_eq!(
        gps(
            RATIONAL,
            rationals(&[(30, 0), (0, 1), (0, 1)]),
            3,
            Some((b"N\0", b"E\0"))
        ),
        None
    );
}

#[test]
fn orientation_as_short_or_long_is_honoured_and_altitude_below_sea_is_negative() {
    let short = tiff(&[(0x0112, 3, 1, 6u16.to_le_bytes().to_vec())], &[]);
    let long = tiff(&[(0x0112, 4, 1, 8u32.to_le_bytes().to_vec())], &[]);
    assert_eq!(exif::parse(&short).orientation(), Orientation(6));
    assert_eq!(exif::parse(&long).orientation(), Orientation(8));
    let bogus = tiff(&[(0x0112, 3, 1, 77u16.to_le_bytes().to_vec())], &[]);
    assert_eq!(exif::parse(&bogus).orientation(), Orientation::UPRIGHT);
    let below = tiff(
        &[],
        &[
            (0x0005, 1, 1, vec![1]),
            (0x0006, RATIONAL, 1, rationals(&[(28, 1)])),
        ],
    );
    assert_eq!(exif::parse(&below).altitude_m, Some(-28.0));
}

#[test]
fn hostile_exif_costs_a_bounded_amount_and_is_ignored_not_refused() {
    // 2,000 entries, in 64 KiB of EXIF, all pointing at the same 40 KB: kamadak-exif copies
    // each value out (measured: 80 MB of peak RSS for this block, and 8 chained IFDs that
    // overlap would make it 640 MB); the budget check ignores the EXIF instead.
    let value = vec![7u8; 40_000];
    let mut entries: Vec<(u16, u16, u32, Vec<u8>)> =
        vec![(0x0112, 3, 1, 6u16.to_le_bytes().to_vec())];
    let count = 2_000u16;
    let ifd_len = 2 + 12 * usize::from(count) + 4;
    let data_at = (8 + ifd_len) as u32;
    let mut bomb = b"II*\0\x08\0\0\0".to_vec();
    bomb.extend_from_slice(&count.to_le_bytes());
    for _ in 0..count {
        bomb.extend_from_slice(&0x9286u16.to_le_bytes()); // UserComment, UNDEFINED
        bomb.extend_from_slice(&7u16.to_le_bytes());
        bomb.extend_from_slice(&(value.len() as u32).to_le_bytes());
        bomb.extend_from_slice(&data_at.to_le_bytes());
    }
    bomb.extend_from_slice(&0u32.to_le_bytes());
    bomb.extend_from_slice(&value);
    assert!(bomb.len() <= exif::MAX_EXIF_BYTES, "{}", bomb.len());
    assert!(!exif::within_budget(&bomb));
    let started = std::time::Instant::now();
    assert_eq!(exif::parse(&bomb), exif::CameraMetadata::default());
    assert!(started.elapsed().as_secs() < 1);

    // IFDs that point back at themselves: kamadak-exif stops (seen IFDs, at most 8).
    entries.push((0x8825, 4, 1, 8u32.to_le_bytes().to_vec()));
    let mut looped = tiff(&entries, &[]);
    let next = looped.len() - 4;
    looped[next..].copy_from_slice(&8u32.to_le_bytes());
    let started = std::time::Instant::now();
    let _ = exif::parse(&looped);
    assert!(started.elapsed().as_secs() < 1);

    // Over 64 KiB: ignored, the photo is still taken.
    let mut huge = tiff(&[(0x0112, 3, 1, 6u16.to_le_bytes().to_vec())], &[]);
    huge.resize(exif::MAX_EXIF_BYTES + 1, 0);
    assert_eq!(exif::parse(&huge), exif::CameraMetadata::default());
    let (w, h, rgb) = red_left_quarter();
    let decoded = decode(&samples::png::with_exif(w, h, &rgb, &huge), 2048).unwrap();
    assert_eq!(decoded.exif, None);
}

#[test]
fn animated_png_is_taken_as_its_still_image_only() {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 16, 8);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_animated(2, 0).unwrap();
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&[200, 30, 30].repeat(16 * 8))
        .unwrap();
    writer
        .write_image_data(&[30, 30, 200].repeat(16 * 8))
        .unwrap();
    writer.finish().unwrap();
    let decoded = decode(&bytes, 2048).unwrap();
    assert_eq!((decoded.image.width, decoded.image.height), (16, 8));
    assert!(
        decoded
            .image
            .pixels
            .chunks_exact(3)
            .all(|p| p == [200, 30, 30])
    );
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
