//! The phone dies while a photo is being stored: afterwards the photo is either not there at all
//! or there completely (file decrypts and matches its name, row present), never half.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use common::child::run_and_kill;
use common::photos::test_card;
use common::*;
use doorstep_core::media::decode::encode_jpeg;
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::store::{Store, photo_dir};
use doorstep_core::sync::protocol::Operation;
use rand::Rng;
use sha2::Digest;

const RUNS: usize = 15;
const ATTACH_RUNS: usize = 8;

#[test]
fn photo_cut_off_mid_ingest_is_either_absent_or_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    let mut reported: Vec<String> = Vec::new();
    let mut rng = rand::rng();
    for run in 0..RUNS {
        let work = Duration::from_millis(rng.random_range(100..1500));
        let lines = run_and_kill("photo_child_ingests_until_killed", &path, run, work);
        reported.extend(
            lines
                .iter()
                .filter_map(|l| l.strip_prefix("stored ").map(str::to_owned)),
        );

        let store = Store::open(&path, &key()).unwrap();
        let vault = store.photo_vault();
        let leftovers = std::fs::read_dir(photo_dir(&path))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "tmp")
            })
            .count();
        assert_eq!(
            leftovers, 0,
            "run {run}: half-written files are cleared at open"
        );
        for name in vault.names().unwrap() {
            let plain = vault
                .get(&name)
                .unwrap_or_else(|e| panic!("run {run}: {name} is not a complete photo: {e}"));
            assert_eq!(&plain[..3], &[0xFF, 0xD8, 0xFF], "run {run}: {name}");
            if let Some(sha) = name.strip_suffix(".jpg").filter(|n| !n.ends_with(".thumb")) {
                assert_eq!(
                    hex::encode(sha2::Sha256::digest(&plain)),
                    sha,
                    "run {run}: {name} holds other bytes"
                );
            }
        }
        for sha in &reported {
            store
                .photo(sha)
                .unwrap_or_else(|e| panic!("run {run}: reported photo lost: {e}"));
            store.photo_jpeg(sha).unwrap();
            store.photo_thumbnail(sha).unwrap();
        }
        for entry in store.outbox(100_000).unwrap() {
            if let Operation::PhotoTaken { sha256, .. } = entry.operation {
                store
                    .photo_jpeg(sha256.as_str())
                    .unwrap_or_else(|e| panic!("run {run}: queued photo without its file: {e}"));
            }
        }
    }
    assert!(
        reported.len() >= RUNS,
        "the child stored too few photos to prove anything ({})",
        reported.len()
    );
}

#[test]
#[ignore = "run by photo_cut_off_mid_ingest_is_either_absent_or_complete as its child process"]
fn photo_child_ingests_until_killed() {
    camera_child(
        "3300000500",
        (800, 600, 640),
        |store, _, input, context, policy| {
            let stored = store.ingest_photo(input, None, context, policy).unwrap();
            format!("stored {}", stored.sha256)
        },
    );
}

/// A child process of these tests: takes a different camera photo again and again with `take`
/// (given the store, its path, the camera file, the watermark and the policy), printing what
/// `take` says of each, until it is killed.
fn camera_child(
    customer_number: &str,
    (width, height, max_edge): (u32, u32, u32),
    mut take: impl FnMut(&mut Store, &str, &std::path::Path, &WatermarkContext, &PhotoPolicy) -> String,
) {
    let Some((path, run)) = common::child::assignment() else {
        return;
    };
    let mut store = Store::open(&path, &key()).unwrap();
    let input = std::path::PathBuf::from(format!("{path}.input-{run}.jpg"));
    let mut out = std::io::stdout().lock();
    common::child::say_ready(&mut out);
    let context = WatermarkContext {
        captured_at: chrono::Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some(customer_number.into()),
        device_position: None,
        technician: "T00101".into(),
    };
    let policy = PhotoPolicy {
        max_edge,
        ..PhotoPolicy::default()
    };
    let stride = width as usize * 3;
    for i in 0u32.. {
        let mut card = test_card(width, height);
        // Every photo differs: a stripe whose place depends on the run and the count.
        let row = ((run as u32 * 97 + i * 13) % (height - 8)) as usize;
        for b in &mut card.pixels[row * stride..(row + 8) * stride] {
            *b = (i % 251) as u8;
        }
        std::fs::write(&input, encode_jpeg(&card, 85).unwrap()).unwrap();
        let said = take(&mut store, &path, &input, &context, &policy);
        writeln!(out, "{said}").unwrap();
        out.flush().unwrap();
    }
}

/// The camera button of a form (`add_photo_to_form`) records the photo and attaches it in one
/// transaction: cut off at any moment, every photo the store holds is on the form and every
/// photo on the form is held, never one without the other.
#[test]
fn camera_button_cut_off_leaves_the_photo_on_its_form_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    let form_id = {
        let mut store = Store::open(&path, &key()).unwrap();
        let h = household(
            "3300000601",
            "郭强",
            "13800000601",
            "延安路6号",
            30.27,
            120.16,
        );
        store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
        store
            .start_form(
                &common::forms::hose_check(),
                h.id,
                None,
                at(2026, 11, 2, 1, 0),
            )
            .unwrap()
            .id
    };
    std::fs::write(dir.path().join("form"), form_id.to_string()).unwrap();
    let mut rng = rand::rng();
    let mut attached = 0;
    for run in 0..ATTACH_RUNS {
        let work = Duration::from_millis(rng.random_range(100..800));
        run_and_kill("photo_child_attaches_until_killed", &path, run, work);
        let store = Store::open(&path, &key()).unwrap();
        let form = store.form(form_id).unwrap();
        let on_form: BTreeSet<String> = form
            .photos
            .get("leak_test")
            .into_iter()
            .flatten()
            .map(|p| p.sha256.to_string())
            .collect();
        let held: BTreeSet<String> = store
            .photos_to_upload()
            .unwrap()
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            on_form, held,
            "run {run}: photos held and photos on the form"
        );
        for sha in &held {
            store
                .photo_jpeg(sha)
                .unwrap_or_else(|e| panic!("run {run}: attached photo without its file: {e}"));
        }
        attached = on_form.len();
    }
    assert!(
        attached >= ATTACH_RUNS / 2,
        "the child attached too few photos to prove anything ({attached})"
    );
}

#[test]
#[ignore = "run by camera_button_cut_off_leaves_the_photo_on_its_form_or_not_at_all as its child"]
fn photo_child_attaches_until_killed() {
    let mut form = None;
    camera_child(
        "3300000601",
        (400, 300, 320),
        |store, path, input, context, policy| {
            let form = *form.get_or_insert_with(|| {
                let dir = std::path::Path::new(path).parent().unwrap();
                std::fs::read_to_string(dir.join("form"))
                    .unwrap()
                    .parse::<doorstep_core::ids::FormId>()
                    .unwrap()
            });
            let stored = store
                .add_photo_to_form(form, "leak_test", input, context, policy)
                .unwrap();
            format!("attached {}", stored.sha256)
        },
    );
}
