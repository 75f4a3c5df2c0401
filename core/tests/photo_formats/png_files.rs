//! PNG: large files decoded in rows to the size needed, interlaced ones only within budget,
//! PngSuite read as the `png` crate reads it, damaged files refused, EXIF handed over.

use super::*;

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
    let crc = doorstep_core::media::samples::png::crc32(&zlib_damaged[idat.start - 4..idat.end]);
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
            assert_eq!((what, limit), (doorstep_core::media::Part::Chunks, 1000));
        }
        other => panic!("{:?}", other.map(|d| d.original)),
    }
    // A few hundred (what real files carry at most) are fine.
    assert!(decode(&samples::png::many_chunks(300), 2048).is_ok());
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
