//! WebP: EXIF in both forms, lossy and lossless pictures right, files refused from their
//! headers (too big, animated, cut short, too many chunks).

use super::*;

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
        Err(MediaError::TooComplex {
            what: doorstep_core::media::Part::Chunks,
            ..
        }) => {}
        other => panic!("{:?}", other.map(|d| d.original)),
    }
}

#[test]
fn lossless_webp_whose_codes_could_outgrow_the_phone_is_refused_before_decoding() {
    // A lossless stream may declare up to 65,536 groups of Huffman codes whatever its pixel
    // count, and the decoder builds them all: what they can cost grows with the coded bytes. A
    // small picture with 400 KB of coded data is refused from its chunk sizes, before any table
    // is built; the same picture coded in a few bytes is read.
    let small = samples::webp::lossless(64, 64, &[0, 128, 255, 255].repeat(64 * 64));
    assert!(decode(&small, 2048).is_ok());
    let mut padded = small.clone();
    let chunk_start = 12;
    assert_eq!(&padded[chunk_start..chunk_start + 4], b"VP8L");
    let extra = 400 * 1024;
    padded.extend(std::iter::repeat_n(0u8, extra));
    let chunk_len = u32::from_le_bytes(padded[16..20].try_into().unwrap()) + extra as u32;
    padded[16..20].copy_from_slice(&chunk_len.to_le_bytes());
    let riff_len = (padded.len() - 8) as u32;
    padded[4..8].copy_from_slice(&riff_len.to_le_bytes());
    match decode(&padded, 2048) {
        Err(MediaError::OverBudget { needed_mib, .. }) => assert!(needed_mib > 128, "{needed_mib}"),
        other => panic!("{:?}", other.map(|d| d.original)),
    }
}
