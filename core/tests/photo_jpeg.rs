//! JPEGs as evidence: a file that would cost the phone too much memory or time is refused before
//! or while decoding, by the decoder's own account; a damaged one is refused, never accepted
//! half grey; what a camera writes (and what public collections hold) is decoded whole and
//! right. The samples are made by `media::samples::jpeg` (the same files the benchmark measures
//! in a child process); the public files are in `fixtures/photos/jpeg` (see its README).

use std::io::Cursor;
use std::sync::OnceLock;

use doorstep_core::media::MediaError;
use doorstep_core::media::decode::{Decoded, Limits, decode_reader, scale_numerator};
use doorstep_core::media::samples::{Expect, Sample, jpeg};

const EDGE: u32 = 2048;

fn decode(bytes: &[u8], min_edge: u32) -> Result<Decoded, MediaError> {
    decode_reader(Cursor::new(bytes), min_edge, &Limits::PHONE)
}

/// The hostile samples are made once for all the tests here (a few seconds).
fn sample(name: &str) -> &'static Sample {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES
        .get_or_init(jpeg::hostile)
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sample {name}"))
}

/// Decodes a sample and checks it against what it must give; the decoded photo when accepted.
fn judged(name: &str) -> Option<Decoded> {
    let sample = sample(name);
    let result = decode(&sample.bytes, EDGE);
    match (sample.expect, result) {
        (Expect::Accepted, Ok(decoded)) => Some(decoded),
        (Expect::Refused(want), Err(e)) => {
            assert_eq!(e.name(), want, "{name}: {e}");
            None
        }
        (expect, result) => panic!(
            "{name}: expected {expect:?}, got {:?}",
            result.map(|d| d.original)
        ),
    }
}

/// Not a flat grey: the decode reached the bottom rows with real content.
fn has_detail_to_the_last_row(decoded: &Decoded) -> bool {
    let image = &decoded.image;
    let stride = image.width as usize * 3;
    let last = &image.pixels[image.pixels.len() - stride..];
    last.iter().max() != last.iter().min()
}

#[test]
fn a_progressive_8000_square_444_photo_is_refused_before_decoding_over_budget() {
    // OverBudget is the header's verdict (what decoding would need): nothing was decoded.
    judged("progressive_444_8000");
    let Err(MediaError::OverBudget {
        needed_mib,
        budget_mib,
    }) = decode(&sample("progressive_444_8000").bytes, EDGE)
    else {
        panic!("over budget")
    };
    assert!(
        needed_mib > 366 && budget_mib == 128,
        "{needed_mib} of {budget_mib}"
    );
}

#[test]
fn a_12_mp_progressive_444_photo_is_accepted_and_scaled_in_the_dct_domain() {
    let decoded = judged("progressive_444_12mp").expect("accepted");
    assert_eq!(decoded.original, (4000, 3000));
    assert_eq!(scale_numerator(4000, EDGE), 5);
    assert_eq!((decoded.image.width, decoded.image.height), (2500, 1875));
    assert!(has_detail_to_the_last_row(&decoded));

    // Right, not only the right size: the half-scale decode is the full decode averaged 2×2.
    let bytes = &sample("progressive_444_12mp").bytes;
    let half = decode(bytes, 2000).unwrap().image;
    // A full-size decode and its pipeline would pass the phone's budget: allow it here.
    let roomy = Limits {
        max_memory: 256 << 20,
        ..Limits::PHONE
    };
    let full = decode_reader(Cursor::new(bytes), 4000, &roomy)
        .unwrap()
        .image;
    assert!(matches!(
        decode(bytes, 4000),
        Err(MediaError::OverBudget { .. })
    ));
    assert_eq!((half.width, half.height, full.width), (2000, 1500, 4000));
    let mut diff = 0u64;
    for y in 0..half.height as usize {
        for x in 0..half.width as usize {
            for c in 0..3 {
                let at = |yy: usize, xx: usize| u64::from(full.pixels[(yy * 4000 + xx) * 3 + c]);
                let mean = (at(2 * y, 2 * x)
                    + at(2 * y, 2 * x + 1)
                    + at(2 * y + 1, 2 * x)
                    + at(2 * y + 1, 2 * x + 1)
                    + 2)
                    / 4;
                diff += mean.abs_diff(u64::from(half.pixels[(y * 2000 + x) * 3 + c]));
            }
        }
    }
    let mean_diff = diff as f64 / (2000.0 * 1500.0 * 3.0);
    assert!(mean_diff < 2.0, "mean difference {mean_diff:.2} per sample");
}

#[test]
fn a_photo_whose_last_scan_repeats_3000_times_is_refused_at_its_101st_scan_not_after_decoding_them_all() {
    // Refused as the 101st scan begins (the count says where it stopped), not after decoding
    // 3,000: the time it takes is a benchmark's business, not a test's (a loaded CI machine
    // made a 500 ms bound fail).
    judged("repeated_last_scan");
    let Err(MediaError::TooComplex {
        what: doorstep_core::media::Part::Scans,
        count,
        limit,
    }) = decode(&sample("repeated_last_scan").bytes, EDGE)
    else {
        panic!("too many scans")
    };
    assert_eq!((count, limit), (101, 100));
    // The same file within the limit is a valid photo: the scans alone decide.
    let few = jpeg::repeated_last_scan(90);
    assert!(decode(&few, EDGE).is_ok());
}

#[test]
fn a_64_mp_baseline_photo_is_accepted_small_through_dct_scaling() {
    let decoded = judged("baseline_420_64mp").expect("accepted");
    assert_eq!(decoded.original, (9216, 6912));
    assert_eq!((decoded.image.width, decoded.image.height), (2304, 1728));
    assert!(has_detail_to_the_last_row(&decoded));
}

#[test]
fn a_photo_written_one_scan_per_component_is_accepted_whole() {
    let decoded = judged("scan_per_component").expect("accepted");
    assert_eq!(decoded.original, (3000, 2000));
    assert!(has_detail_to_the_last_row(&decoded));
}

#[test]
fn a_photo_cut_short_is_refused_even_when_its_thumbnail_ends_near_the_cut() {
    let bytes = &sample("cut_near_thumbnail_end").bytes;
    // What fooled the old check: an end-of-image marker in the file's last 64 KB.
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    assert!(tail.windows(2).any(|w| w == [0xFF, 0xD9]));
    judged("cut_near_thumbnail_end");
}

#[test]
fn a_photo_cut_anywhere_is_refused_as_truncated() {
    let photo = jpeg::camera(640, 480);
    assert!(decode(&photo, EDGE).is_ok());
    for cut in (3..photo.len() - 1).step_by(photo.len() / 23) {
        let result = decode(&photo[..cut], EDGE);
        assert!(
            matches!(result, Err(MediaError::Truncated)),
            "cut at {cut} of {}: {:?}",
            photo.len(),
            result.map(|d| d.original)
        );
    }
    // A progressive photo is read whole before its first row: cut, it is refused all the same.
    let progressive = &sample("progressive_444_12mp").bytes;
    assert!(matches!(
        decode(&progressive[..progressive.len() * 2 / 3], EDGE),
        Err(MediaError::Truncated)
    ));
    // Only the end-of-image marker missing: still cut short.
    assert!(matches!(
        decode(&photo[..photo.len() - 2], EDGE),
        Err(MediaError::Truncated)
    ));
}

#[test]
fn a_photo_with_flipped_bits_in_its_image_data_is_refused_as_corrupt() {
    judged("flipped_entropy_bits");
    let Err(MediaError::Corrupt(why)) = decode(&sample("flipped_entropy_bits").bytes, EDGE) else {
        panic!("corrupt")
    };
    assert!(why.contains("Corrupt JPEG data"), "named by libjpeg: {why}");
}

#[test]
fn a_progressive_photo_whose_refinement_scan_repeats_is_refused_as_corrupt() {
    // libjpeg's standard progression refines each coefficient once; a refinement read twice
    // is an inconsistent progression (the 33 s file, written the usual way).
    assert!(decode(&jpeg::repeated_refinement_scan(0), EDGE).is_ok());
    assert!(matches!(
        decode(&jpeg::repeated_refinement_scan(20), EDGE),
        Err(MediaError::Corrupt(why)) if why.contains("progression")
    ));
}

#[test]
fn oddities_in_metadata_alone_do_not_refuse_a_whole_photo() {
    let photo = jpeg::camera(320, 240);
    // An unknown JFIF version (libjpeg warns, reads on).
    let jfif = photo
        .windows(5)
        .position(|w| w == b"JFIF\0")
        .expect("a JFIF segment");
    let mut odd_version = photo.clone();
    odd_version[jfif + 5] = 9;
    // Stray bytes between two header segments (libjpeg and our walk skip them).
    let app0_end = 4 + usize::from(u16::from_be_bytes([photo[4], photo[5]]));
    let mut stray = photo[..app0_end].to_vec();
    stray.extend_from_slice(&[0x00, 0x13, 0x37]);
    stray.extend_from_slice(&photo[app0_end..]);
    let whole = decode(&photo, EDGE).unwrap().image;
    for (what, file) in [("JFIF version", odd_version), ("stray bytes", stray)] {
        let decoded = decode(&file, EDGE).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(decoded.image, whole, "{what}");
    }
}

#[test]
fn a_camera_photo_hands_over_its_exif_from_the_header_walk() {
    let decoded = decode(&jpeg::camera(640, 480), EDGE).unwrap();
    let exif = decoded.exif.expect("the camera's EXIF");
    assert!(
        exif.starts_with(b"MM\0\x2A"),
        "without the Exif\\0\\0 prefix"
    );
    assert_eq!(
        doorstep_core::media::exif::parse(&exif).orientation,
        Some(1)
    );
}

#[test]
fn a_file_with_more_segments_than_the_limit_before_its_image_is_refused() {
    let photo = jpeg::camera(64, 48);
    let mut file = photo[..2].to_vec();
    for _ in 0..=Limits::PHONE.max_chunks {
        file.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x04, b'h', b'i']);
    }
    file.extend_from_slice(&photo[2..]);
    assert!(matches!(
        decode(&file, EDGE),
        Err(MediaError::TooComplex {
            what: doorstep_core::media::Part::Segments,
            ..
        })
    ));
}

/// Files from public collections (fixtures/photos/jpeg/README.md), each with its outcome.
#[test]
fn files_from_public_collections_are_accepted_whole_or_refused_by_name() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/photos/jpeg");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let accepted = |name: &str| decode(&read(name), EDGE).unwrap_or_else(|e| panic!("{name}: {e}"));

    // libjpeg-turbo's test image, and the same picture coded with the integer DCT: both whole,
    // and alike pixel for pixel.
    let original = accepted("testorig.jpg");
    let integer = accepted("testimgint.jpg");
    assert_eq!(
        (original.original, integer.original),
        ((227, 149), (227, 149))
    );
    assert!(has_detail_to_the_last_row(&original));
    let diff: u64 = original
        .image
        .pixels
        .iter()
        .zip(&integer.image.pixels)
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    assert!(diff as f64 / original.image.pixels.len() as f64 <= 2.0);

    let cat = accepted("progressive-cat.jpg");
    assert_eq!(cat.original, (320, 240));
    assert!(has_detail_to_the_last_row(&cat));
    let tiny = accepted("exif-xmp-metadata.jpg");
    assert_eq!(tiny.original, (5, 5));
    // Despite its name, its metadata is an XMP packet in APP1, not EXIF: the walk passes it by.
    assert!(tiny.exif.is_none());
    let portrait = accepted("portrait_2.jpg");
    assert_eq!(portrait.original, (113, 150));
    let exif = portrait.exif.expect("EXIF");
    assert_eq!(
        doorstep_core::media::exif::parse(&exif).orientation,
        Some(2)
    );

    let refused = [
        ("testimgari.jpg", "Unsupported"),
        ("monkey12.jpg", "Unsupported"),
        ("oss-fuzz-36829.jpeg", "Corrupt"),
    ];
    for (name, want) in refused {
        match decode(&read(name), EDGE) {
            Err(e) => assert_eq!(e.name(), want, "{name}: {e}"),
            Ok(d) => panic!("{name}: accepted {:?}", d.original),
        }
    }
    assert!(matches!(
        decode(&read("testimgari.jpg"), EDGE),
        Err(MediaError::Unsupported {
            format: "arithmetic-coded JPEG"
        })
    ));
    assert!(matches!(
        decode(&read("monkey12.jpg"), EDGE),
        Err(MediaError::Unsupported {
            format: "12-bit JPEG"
        })
    ));
}

#[test]
fn any_damage_to_a_photo_ends_in_a_photo_or_a_typed_refusal_never_a_crash() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    let photo = jpeg::camera(160, 120);
    let progressive = jpeg::repeated_refinement_scan(0);
    let header_end = |file: &[u8]| file.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap() + 40;
    for round in 0..400 {
        let source = if round % 2 == 0 { &photo } else { &progressive };
        let mut file = source.clone();
        // Mostly in the header, where our walk reads, sometimes anywhere.
        let span = if round % 3 == 0 {
            file.len()
        } else {
            header_end(&file)
        };
        for _ in 0..rng.random_range(1..8) {
            let at = rng.random_range(2..span);
            file[at] = rng.random();
        }
        if round % 5 == 0 {
            file.truncate(rng.random_range(2..file.len()));
        }
        if let Ok(decoded) = decode(&file, 256) {
            let image = decoded.image;
            assert_eq!(
                image.pixels.len(),
                image.width as usize * image.height as usize * 3
            );
        }
    }
}
