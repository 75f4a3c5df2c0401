//! EXIF as phones write it: GPS in every numeric form (the Nokia 8.3's signed rationals),
//! orientation as SHORT or LONG, and hostile EXIF at a bounded cost.

use super::*;

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
