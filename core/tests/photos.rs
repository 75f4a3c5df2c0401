//! Photos as evidence: upright, small, stamped, stripped of EXIF, stored once, encrypted, and
//! hostile files refused with their own error.

use crate::common;

use chrono::TimeZone;
use common::photos::*;
use common::*;
use doorstep_core::error::Error;
use doorstep_core::geo::GeoPoint;
use doorstep_core::media::decode::RgbImage;
use doorstep_core::media::exif::Orientation;
use doorstep_core::media::pipeline::Witness;
use doorstep_core::media::transform::orient;
use doorstep_core::media::watermark::{glyph, scale};
use doorstep_core::media::{MediaError, PhotoPolicy, WatermarkContext, ingest};
use doorstep_core::sync::protocol::Operation;
use doorstep_core::text::Lang;

fn context() -> WatermarkContext {
    WatermarkContext {
        // 2026-11-02 09:30 in Beijing.
        captured_at: chrono::Utc.with_ymd_and_hms(2026, 11, 2, 1, 30, 0).unwrap(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some("3300000001".into()),
        device_position: GeoPoint::new(30.2775, 120.1301).ok(),
        technician: "T00101".into(),
    }
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The stored orientation whose EXIF turn gives the upright picture back.
fn inverse(o: u8) -> u8 {
    match o {
        6 => 8,
        8 => 6,
        other => other,
    }
}

#[test]
fn photo_taken_in_each_of_the_eight_orientations_is_stored_upright() {
    let dir = tempfile::tempdir().unwrap();
    let upright = test_card(480, 240);
    for o in 1..=8u8 {
        let stored = orient(upright.clone(), Orientation(inverse(o)));
        let file = write(
            &dir,
            &format!("o{o}.jpg"),
            &jpeg_with_exif(
                &stored,
                &exif_payload(u16::from(o), "2026:11:02 09:29:40", 30.2776, 120.1302),
            ),
        );
        let photo = ingest(&file, &context(), &PhotoPolicy::default()).unwrap();
        let out = decode(&photo.jpeg);
        assert_eq!(
            (out.width, out.height),
            (480, 240),
            "orientation {o}: landscape again"
        );
        let red = pixel(&out, 30, 20);
        let blue = pixel(&out, 450, 20);
        assert!(
            red[0] > 180 && red[2] < 80,
            "orientation {o}: red block top-left, got {red:?}"
        );
        assert!(
            blue[2] > 180 && blue[0] < 80,
            "orientation {o}: blue block top-right, got {blue:?}"
        );
        assert_eq!(photo.metadata.camera.orientation, Some(o));
    }
}

#[test]
fn camera_time_and_place_are_kept_and_a_mismatch_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let card = test_card(640, 480);
    let honest = write(
        &dir,
        "honest.jpg",
        &jpeg_with_exif(
            &card,
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    );
    let photo = ingest(&honest, &context(), &PhotoPolicy::default()).unwrap();
    let m = &photo.metadata;
    assert_eq!(
        m.camera.taken_at,
        Some(
            chrono::Utc
                .with_ymd_and_hms(2026, 11, 2, 1, 29, 40)
                .unwrap()
        ),
        "EXIF local time read in UTC+8"
    );
    let p = m.camera.position.unwrap();
    assert!((p.lat() - 30.2776).abs() < 1e-4 && (p.lon() - 120.1302).abs() < 1e-4);
    assert_eq!(m.clock_gap_s, Some(-20));
    assert!(m.position_gap_m.unwrap() < 20.0);
    assert!(!m.flagged);

    // An old photo from the gallery, taken elsewhere, is flagged on both counts.
    let old = write(
        &dir,
        "old.jpg",
        &jpeg_with_exif(
            &card,
            &exif_payload(1, "2025:06:01 15:00:00", 31.2304, 121.4737),
        ),
    );
    let photo = ingest(&old, &context(), &PhotoPolicy::default()).unwrap();
    assert!(photo.metadata.flagged);
    assert!(photo.metadata.position_gap_m.unwrap() > 100_000.0);
}

#[test]
fn stored_photo_carries_no_exif_and_is_resized_with_a_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "big.jpg",
        &jpeg_with_exif(
            &test_card(3000, 2000),
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    );
    let policy = PhotoPolicy {
        max_edge: 1024,
        ..PhotoPolicy::default()
    };
    let photo = ingest(&file, &context(), &policy).unwrap();
    assert!(
        !photo.jpeg.windows(4).any(|w| w == b"Exif"),
        "no EXIF in the stored photo"
    );
    assert!(
        !photo.jpeg.windows(2).any(|w| w == [0xFF, 0xE1]),
        "no APP1 segment at all"
    );
    let out = decode(&photo.jpeg);
    assert_eq!((out.width, out.height), (1024, 683));
    let thumb = decode(&photo.thumbnail);
    assert_eq!((thumb.width, thumb.height), (320, 213));
    assert_eq!(
        (
            photo.metadata.original_width,
            photo.metadata.original_height
        ),
        (3000, 2000)
    );
}

#[test]
fn proof_of_visit_watermark_changes_the_corner_only() {
    let dir = tempfile::tempdir().unwrap();
    let grey = doorstep_core::media::decode::RgbImage {
        width: 1200,
        height: 900,
        pixels: vec![128; 1200 * 900 * 3],
    };
    let file = write(
        &dir,
        "wall.jpg",
        &doorstep_core::media::decode::encode_jpeg(&grey, 95).unwrap(),
    );
    let out = decode(
        &ingest(&file, &context(), &PhotoPolicy::default())
            .unwrap()
            .jpeg,
    );
    let differs = |x: u32, y: u32| pixel(&out, x, y).iter().any(|&c| c.abs_diff(128) > 40);
    let corner = (out.height - 60..out.height)
        .flat_map(|y| (0..300).map(move |x| (x, y)))
        .filter(|&(x, y)| differs(x, y))
        .count();
    assert!(
        corner > 2000,
        "the stamp is in the bottom-left corner ({corner} pixels changed)"
    );
    let elsewhere = (0..60)
        .flat_map(|y| (900..1200).map(move |x| (x, y)))
        .filter(|&(x, y)| differs(x, y))
        .count();
    assert_eq!(elsewhere, 0, "the rest of the photo is untouched");
}

#[test]
fn same_photo_twice_is_stored_once_and_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000400",
        "李娟",
        "13800000400",
        "延安路40号",
        30.27,
        120.16,
    );
    store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
    let file = write(
        &dir,
        "seal.jpg",
        &jpeg_with_exif(
            &test_card(800, 600),
            &exif_payload(6, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    );
    let first = store
        .ingest_photo(&file, Some(h.id), &context(), &PhotoPolicy::default())
        .unwrap();
    let again = store
        .ingest_photo(&file, Some(h.id), &context(), &PhotoPolicy::default())
        .unwrap();
    assert_eq!(first, again);
    let names = store.photo_vault().names().unwrap();
    assert_eq!(
        names,
        vec![
            format!("{}.jpg", first.sha256),
            format!("{}.thumb.jpg", first.sha256)
        ]
    );
    let taken = store
        .outbox(100)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.operation, Operation::PhotoTaken { .. }))
        .count();
    assert_eq!(taken, 1, "one photo, one operation");

    for name in &names {
        let raw = std::fs::read(store.photo_vault().dir().join(name)).unwrap();
        assert!(
            !raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]),
            "{name}: no JPEG header at rest"
        );
    }
    let jpeg = store.photo_jpeg(&first.sha256).unwrap();
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&jpeg)),
        first.sha256.as_str(),
        "the id is the hash of the stored JPEG"
    );
    assert_eq!(
        &store.photo_thumbnail(&first.sha256).unwrap()[..3],
        &[0xFF, 0xD8, 0xFF]
    );
    assert!(
        store.household_file(h.id).unwrap().history.iter().any(|e| e
            .summary
            .en
            .starts_with("photo taken")
            && e.summary.zh.starts_with("已拍照"))
    );
}

/// A store with one household and a hose check started for it, and a camera file.
fn draft_and_camera_file(
    i: u32,
) -> (
    tempfile::TempDir,
    doorstep_core::store::Store,
    doorstep_core::forms::form::Form,
    std::path::PathBuf,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        &format!("3300000{i}"),
        "郭强",
        &format!("13800000{i}"),
        &format!("延安路{i}号"),
        30.27,
        120.16,
    );
    store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
    let form = store
        .start_form(
            &common::forms::hose_check(),
            h.id,
            None,
            at(2026, 11, 2, 1, 0),
        )
        .unwrap();
    let file = write(&dir, "leak.jpg", &encode(&test_card(640, 480)));
    (dir, store, form, file)
}

#[test]
fn camera_button_of_a_form_attaches_the_stored_photo() {
    let (_dir, mut store, form, file) = draft_and_camera_file(401);
    let stored = store
        .add_photo_to_form(
            form.id,
            "leak_test",
            &file,
            &context(),
            &PhotoPolicy::default(),
        )
        .unwrap();
    assert_eq!(
        store.form(form.id).unwrap().photos["leak_test"][0].sha256,
        stored.sha256
    );
}

#[test]
fn photo_for_a_wrong_item_or_a_sealed_form_is_refused_with_nothing_stored_or_queued() {
    let (_dir, mut store, form, file) = draft_and_camera_file(402);
    let policy = PhotoPolicy::default();
    let sha256 = ingest(&file, &context(), &policy).unwrap().sha256;
    let queued = store.outbox_len().unwrap();
    let nothing_stored = |store: &doorstep_core::store::Store| {
        assert!(matches!(store.photo(&sha256), Err(Error::NotFound { .. })));
        assert_eq!(
            store.outbox_len().unwrap(),
            queued,
            "nothing queued to upload"
        );
        assert!(store.photos_to_upload().unwrap().is_empty());
    };

    for item in ["no_such_item", "hose_length"] {
        let refused = store.add_photo_to_form(form.id, item, &file, &context(), &policy);
        assert!(
            matches!(&refused, Err(Error::Invalid(e)) if e.field == item),
            "{item}: {refused:?}"
        );
        nothing_stored(&store);
    }

    store
        .set_outcome(
            form.id,
            doorstep_core::forms::form::Outcome::NobodyHome {
                note: "敲门无人应答".into(),
            },
        )
        .unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            common::forms::signature(
                doorstep_core::forms::template::SignerRole::Technician,
                "徐磊",
                at(2026, 11, 2, 1, 5),
            ),
        )
        .unwrap();
    store.complete_form(form.id, at(2026, 11, 2, 1, 6)).unwrap();
    let queued = store.outbox_len().unwrap();
    let refused = store.add_photo_to_form(form.id, "leak_test", &file, &context(), &policy);
    assert!(matches!(refused, Err(Error::Sealed)), "{refused:?}");
    assert!(matches!(store.photo(&sha256), Err(Error::NotFound { .. })));
    assert_eq!(store.outbox_len().unwrap(), queued);
}

fn encode(image: &doorstep_core::media::decode::RgbImage) -> Vec<u8> {
    doorstep_core::media::decode::encode_jpeg(image, 90).unwrap()
}

#[test]
fn hostile_and_broken_files_are_refused_each_with_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = encode(&test_card(320, 240));
    let policy = PhotoPolicy::default();
    let try_file =
        |name: &str, bytes: &[u8]| ingest(&write(&dir, name, bytes), &context(), &policy);

    assert!(matches!(try_file("empty.jpg", b""), Err(MediaError::Empty)));
    assert!(matches!(
        try_file("cut.jpg", &good[..good.len() / 2]),
        Err(MediaError::Truncated)
    ));
    assert!(matches!(
        try_file("notes.jpg", b"this is a text file, not a photo"),
        Err(MediaError::NotAnImage)
    ));
    assert!(matches!(
        try_file("report.jpg", b"%PDF-1.7\n1 0 obj"),
        Err(MediaError::NotAnImage)
    ));
    assert!(matches!(
        try_file("bomb.jpg", &jpeg_declaring(60_000, 60_000)),
        Err(MediaError::TooLarge {
            width: 60_000,
            height: 60_000,
            ..
        })
    ));
    assert!(matches!(
        try_file("bomb.png", &png_declaring(100_000, 100_000)),
        Err(MediaError::TooLarge { .. })
    ));
    let mut scrambled = good.clone();
    let middle = scrambled.len() / 3;
    for b in &mut scrambled[middle..middle + 200] {
        *b = 0xFF;
    }
    scrambled[2..6].copy_from_slice(&[0xFF, 0xC8, 0x00, 0x02]);
    assert!(
        matches!(
            try_file("scrambled.jpg", &scrambled),
            Err(MediaError::Corrupt(_))
        ),
        "damaged markers"
    );
    // A photo with the wrong extension is still a photo: content decides, not the name.
    assert!(try_file("photo.png", &good).is_ok());
    // The store reports the same refusal, typed, and writes nothing.
    let mut store = open(&dir);
    let err = store
        .ingest_photo(&write(&dir, "empty2.jpg", b""), None, &context(), &policy)
        .unwrap_err();
    assert!(matches!(err, Error::Media(MediaError::Empty)));
    assert_eq!(store.outbox_len().unwrap(), 0);
}

/// A plain grey wall of `width` × `height`, as a camera's JPEG.
fn wall(dir: &tempfile::TempDir, name: &str, width: u32, height: u32) -> std::path::PathBuf {
    let grey = RgbImage {
        width,
        height,
        pixels: vec![128; (width * height * 3) as usize],
    };
    write(dir, name, &encode(&grey))
}

/// How many of `c`'s font pixels, drawn at `left` font pixels into line `line` of a stamp of
/// `lines` lines, disagree with the photo: each is read at the centre of its scaled block,
/// white where the font has ink, dark (box or outline) elsewhere. The geometry is the one
/// `watermark`'s module doc gives.
fn glyph_mismatches(out: &RgbImage, lines: u32, line: u32, left: u32, c: char) -> usize {
    let s = scale(out.width, out.height) as u32;
    let g = glyph(c).unwrap();
    let top = out.height - (18 * s * lines + 2 * s);
    let (x0, y0) = (2 * s + left * s, top + 2 * s + 18 * s * line);
    let width = if g.wide { 16 } else { 8 };
    (0..16u32)
        .flat_map(|gy| (0..width).map(move |gx| (gx, gy)))
        .filter(|&(gx, gy)| {
            let ink = g.rows[gy as usize] & (0x8000 >> gx) != 0;
            let [r, ..] = pixel(out, x0 + gx * s + s / 2, y0 + gy * s + s / 2);
            (r > 160) != ink
        })
        .count()
}

#[test]
fn stamp_is_in_chinese_by_default_and_in_english_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = wall(&dir, "wall.jpg", 2048, 1536);
    let out = decode(
        &ingest(&file, &context(), &PhotoPolicy::default())
            .unwrap()
            .jpeg,
    );
    assert_eq!(
        scale(out.width, out.height),
        3,
        "glyphs drawn 3× on a 2048 px photo"
    );
    // 时间 / 户号 / 位置 / 技师, each label at the start of its line.
    for (line, label) in ["时间", "户号", "位置", "技师"].iter().enumerate() {
        for (i, c) in label.chars().enumerate() {
            let wrong = glyph_mismatches(&out, 4, line as u32, 16 * i as u32, c);
            assert_eq!(wrong, 0, "{c} drawn in line {line}");
        }
    }
    assert!(
        glyph_mismatches(&out, 4, 0, 0, '技') > 20,
        "another glyph is told apart"
    );

    let english = WatermarkContext {
        lang: Lang::En,
        ..context()
    };
    let out = decode(
        &ingest(&file, &english, &PhotoPolicy::default())
            .unwrap()
            .jpeg,
    );
    for (line, label) in ["TIME", "CUST", "GPS", "TECH"].iter().enumerate() {
        for (i, c) in label.chars().enumerate() {
            let wrong = glyph_mismatches(&out, 4, line as u32, 8 * i as u32, c);
            assert_eq!(wrong, 0, "{c} drawn in line {line}");
        }
    }
}

#[test]
fn a_name_or_chinese_text_in_place_of_a_number_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = wall(&dir, "wall.jpg", 320, 240);
    let refused = |context: WatermarkContext| match ingest(&file, &context, &PhotoPolicy::default())
    {
        Err(MediaError::Invalid(e)) => {
            assert!(
                !e.to_string().contains("王") && !e.reason_zh.contains("王"),
                "the value is not quoted: {e}"
            );
            e.field
        }
        other => panic!("refused as invalid, got {:?}", other.map(|p| p.metadata)),
    };
    for number in [
        "王小明 3300000001",
        "王小明",
        "3300000001 ",
        "33000\n00001",
        "33000\u{7}00001",
        "３３００",
        "",
        &"9".repeat(33),
    ] {
        let context = WatermarkContext {
            customer_number: Some(number.to_owned()),
            ..context()
        };
        assert_eq!(refused(context), "watermark.customer_number", "{number:?}");
    }
    for badge in ["王师傅", "T-001", "T 001", "", "T0000000000000001"] {
        let context = WatermarkContext {
            technician: badge.to_owned(),
            ..context()
        };
        assert_eq!(refused(context), "watermark.technician", "{badge:?}");
    }
    // What a customer number and a badge may hold: ASCII letters, digits (and '-' in a number).
    let fine = WatermarkContext {
        customer_number: Some("HZ-3300000001".into()),
        technician: "T00101".into(),
        ..context()
    };
    assert!(ingest(&file, &fine, &PhotoPolicy::default()).is_ok());
}

#[test]
fn camera_time_is_stamped_when_it_agrees_with_the_device_clock() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "honest.jpg",
        &jpeg_with_exif(
            &test_card(2048, 1536),
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    );
    let photo = ingest(&file, &context(), &PhotoPolicy::default()).unwrap();
    let stamped = photo.metadata.stamped.unwrap();
    assert_eq!(
        stamped.time,
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 2, 1, 29, 40)
            .unwrap(),
        "the camera's 09:29:40, not the device's 09:30:00"
    );
    assert_eq!(stamped.time_from, Witness::Camera);
    assert_eq!(stamped.position_from, Some(Witness::Device));
    assert!(!photo.metadata.flagged);
    // No device-clock mark after the time: the first line ends with the zone.
    let out = decode(&photo.jpeg);
    let mark_at = 4 + 1 + 26 + 1; // 时间, a space, the time, a space: in half-width cells
    assert!(glyph_mismatches(&out, 4, 0, 8 * mark_at, '设') > 20);
}

#[test]
fn device_time_is_stamped_and_marked_when_the_camera_clock_disagrees() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        &dir,
        "old.jpg",
        &jpeg_with_exif(
            &test_card(2048, 1536),
            &exif_payload(1, "2025:06:01 15:00:00", 31.2304, 121.4737),
        ),
    );
    let no_exif = write(&dir, "plain.jpg", &encode(&test_card(2048, 1536)));
    for file in [old, no_exif] {
        let photo = ingest(&file, &context(), &PhotoPolicy::default()).unwrap();
        let stamped = photo.metadata.stamped.clone().unwrap();
        assert_eq!(stamped.time, context().captured_at, "the device's clock");
        assert_eq!(stamped.time_from, Witness::Device);
        let out = decode(&photo.jpeg);
        let mark_at = 4 + 1 + 26 + 1;
        for (i, c) in "设备时钟".chars().enumerate() {
            let wrong = glyph_mismatches(&out, 4, 0, 8 * mark_at + 16 * i as u32, c);
            assert_eq!(wrong, 0, "{c} of the device-clock mark");
        }
    }
}

#[test]
fn without_a_device_fix_the_camera_position_is_stamped() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "gps.jpg",
        &jpeg_with_exif(
            &test_card(640, 480),
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    );
    let no_fix = WatermarkContext {
        device_position: None,
        ..context()
    };
    let stamped = ingest(&file, &no_fix, &PhotoPolicy::default())
        .unwrap()
        .metadata
        .stamped
        .unwrap();
    assert_eq!(stamped.position_from, Some(Witness::Camera));
    assert!((stamped.position.unwrap().lat() - 30.2776).abs() < 1e-4);

    let plain = wall(&dir, "plain.jpg", 640, 480);
    let stamped = ingest(&plain, &no_fix, &PhotoPolicy::default())
        .unwrap()
        .metadata
        .stamped
        .unwrap();
    assert_eq!((stamped.position, stamped.position_from), (None, None));
}
