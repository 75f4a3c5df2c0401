//! No acknowledged work is lost by a restore of the server (issue 27): the phone keeps what
//! the server acknowledged until the server says a backup holds it (or 7 days, from a server
//! that reports no backups), with the photos it names, and pushes it again, in order and
//! before newer work, when the server's generation changes. Against the store's API, as a
//! sync drives it; the story through a real server restored from a copy is
//! `server/tests/sync/restored.rs`.

use crate::common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use common::*;
use doorstep_core::household::Household;
use doorstep_core::ids::OperationId;
use doorstep_core::store::Store;
use doorstep_core::store::sync::{KEPT_WITHOUT_BACKUPS, Standing};
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{PullResponse, Pulled, PushOp, PushResponse, ServerBackup};
use serde_json::{Value, json};

const FIRST: &str = "6f1d2c3b-0000-4000-8000-000000000001";
const RESTORED: &str = "6f1d2c3b-0000-4000-8000-000000000002";

fn page(changes: Vec<Value>) -> PullResponse<Pulled> {
    serde_json::from_value(json!({
        "changes": changes,
        "cursor": "9.a",
        "more": false,
        "reset": false,
        "remaining": 0,
        "server_time": Utc::now(),
        "server_hlc": Hlc { wall_ms: 1, counter: 0, node: "server".into() },
    }))
    .expect("the page reads")
}

/// A phone holding one household, pulled from a server of generation [`FIRST`].
fn phone(dir: &tempfile::TempDir) -> (Store, Household) {
    let mut store = open(dir);
    let h = household(
        "3300000001",
        "王秀英",
        "13812345678",
        "文三路88号",
        30.2775,
        120.1301,
    );
    store.apply_pull(&page(vec![put(1, &h)])).unwrap();
    store.note_server_backup(&generation(FIRST)).unwrap();
    (store, h)
}

fn generation(g: &str) -> ServerBackup {
    ServerBackup {
        generation: Some(g.into()),
        backed_up_through: None,
    }
}

/// `n` edits of the household's name, each one operation.
fn edits(store: &mut Store, h: &mut Household, n: usize) {
    for i in 0..n {
        h.name = format!("王秀英{i}");
        store.save_household(h, Utc::now()).unwrap();
    }
}

/// The outbox pushed and acknowledged to its end by a server of `generation`, which parks
/// `parked`.
fn push(store: &mut Store, generation: &str, parked: &[OperationId]) -> Vec<PushOp> {
    let sent = store.push_batch(100).unwrap();
    let answer = PushResponse {
        acknowledged_through: sent.last().unwrap().seq,
        applied: sent.len() as u32,
        conflicts: 0,
        parked: parked.to_vec(),
        server_hlc: Hlc {
            wall_ms: 1,
            counter: 0,
            node: "server".into(),
        },
        generation: Some(generation.into()),
        backed_up_through: None,
    };
    store.acknowledge_answer(&sent, &answer).unwrap();
    store.note_server_backup(&answer.backup()).unwrap();
    sent
}

fn kept_seqs(store: &Store) -> Vec<i64> {
    store
        .kept_operations()
        .unwrap()
        .iter()
        .map(|k| k.seq)
        .collect()
}

/// A wall clock the test moves.
fn clock(store: &mut Store, start: DateTime<Utc>) -> Arc<Mutex<DateTime<Utc>>> {
    let now = Arc::new(Mutex::new(start));
    let read = now.clone();
    store.go_by(Arc::new(move || *read.lock().unwrap()));
    now
}

#[test]
fn acknowledged_work_is_kept_until_a_backup_of_the_server_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    edits(&mut store, &mut h, 3);
    let sent = push(&mut store, FIRST, &[]);
    assert_eq!(
        store.outbox_len().unwrap(),
        0,
        "acknowledged: not pushed again"
    );
    let kept = store.kept_operations().unwrap();
    assert_eq!(
        kept.iter().map(|k| (k.seq, k.op_id)).collect::<Vec<_>>(),
        sent.iter().map(|op| (op.seq, op.op_id)).collect::<Vec<_>>()
    );
    assert!(kept.iter().all(|k| k.generation.as_deref() == Some(FIRST)));

    // The server's backup holds the first two.
    let noted = store
        .note_server_backup(&ServerBackup {
            generation: Some(FIRST.into()),
            backed_up_through: Some(sent[1].seq),
        })
        .unwrap();
    assert!(!noted.restored);
    assert_eq!(noted.forgotten, 2);
    assert_eq!(kept_seqs(&store), vec![sent[2].seq]);
    // Kept across a restart of the app.
    drop(store);
    let store = open(&dir);
    assert_eq!(kept_seqs(&store), vec![sent[2].seq]);
}

#[test]
fn from_a_server_that_reports_no_backups_work_is_kept_seven_days() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    let start = Utc::now();
    let now = clock(&mut store, start);
    edits(&mut store, &mut h, 2);
    push(&mut store, FIRST, &[]);
    *now.lock().unwrap() = start + KEPT_WITHOUT_BACKUPS - Duration::minutes(1);
    assert_eq!(
        store
            .note_server_backup(&generation(FIRST))
            .unwrap()
            .forgotten,
        0
    );
    assert_eq!(kept_seqs(&store).len(), 2, "within the window");
    *now.lock().unwrap() = start + KEPT_WITHOUT_BACKUPS + Duration::minutes(1);
    assert_eq!(
        store
            .note_server_backup(&generation(FIRST))
            .unwrap()
            .forgotten,
        2
    );
    assert!(store.kept_operations().unwrap().is_empty());
}

#[test]
fn from_a_server_that_reports_backups_work_waits_for_a_backup_however_long() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    let start = Utc::now();
    let now = clock(&mut store, start);
    edits(&mut store, &mut h, 2);
    let sent = push(&mut store, FIRST, &[]);
    // A backup holds none of it yet (the weekly one ran before).
    store
        .note_server_backup(&ServerBackup {
            generation: Some(FIRST.into()),
            backed_up_through: Some(0),
        })
        .unwrap();
    *now.lock().unwrap() = start + Duration::days(30);
    assert_eq!(
        store
            .note_server_backup(&generation(FIRST))
            .unwrap()
            .forgotten,
        0
    );
    assert_eq!(kept_seqs(&store).len(), 2, "no backup holds it: kept");
    let noted = store
        .note_server_backup(&ServerBackup {
            generation: Some(FIRST.into()),
            backed_up_through: Some(sent[1].seq),
        })
        .unwrap();
    assert_eq!(noted.forgotten, 2);
}

#[test]
fn the_first_generation_heard_of_is_remembered_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    assert_eq!(store.server_generation().unwrap(), None);
    let noted = store.note_server_backup(&generation(FIRST)).unwrap();
    assert!(!noted.restored);
    assert_eq!(store.server_generation().unwrap().as_deref(), Some(FIRST));
    // An older server names none: nothing changes.
    let noted = store.note_server_backup(&ServerBackup::default()).unwrap();
    assert!(!noted.restored);
    assert_eq!(store.server_generation().unwrap().as_deref(), Some(FIRST));
}

#[test]
fn a_restored_server_gets_the_kept_work_again_in_order_before_newer_work_and_the_pull_starts_over()
{
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    edits(&mut store, &mut h, 3);
    let first = push(&mut store, FIRST, &[]);
    // A backup held the first one.
    store
        .note_server_backup(&ServerBackup {
            generation: Some(FIRST.into()),
            backed_up_through: Some(first[0].seq),
        })
        .unwrap();
    edits(&mut store, &mut h, 1);
    let newer = store.push_batch(100).unwrap();
    assert_eq!(store.sync_state().unwrap().cursor, "9.a");

    let noted = store.note_server_backup(&generation(RESTORED)).unwrap();
    assert!(noted.restored);
    assert_eq!(noted.pushed_again, 2);
    let again = store.push_batch(100).unwrap();
    let expected: Vec<(i64, OperationId)> = first[1..]
        .iter()
        .chain(&newer)
        .map(|op| (op.seq, op.op_id))
        .collect();
    assert_eq!(
        again
            .iter()
            .map(|op| (op.seq, op.op_id))
            .collect::<Vec<_>>(),
        expected,
        "the same operations, under their own numbers, before the newer one"
    );
    assert_eq!(again[0], first[1], "pushed again exactly as it was pushed");
    assert!(store.kept_operations().unwrap().is_empty());
    assert_eq!(
        store.server_generation().unwrap().as_deref(),
        Some(RESTORED)
    );
    let state = store.sync_state().unwrap();
    assert_eq!(
        (state.cursor.as_str(), state.pulled_through),
        ("", 0),
        "a full pull"
    );

    // The same answer again changes nothing more.
    assert!(
        !store
            .note_server_backup(&generation(RESTORED))
            .unwrap()
            .restored
    );
    // Acknowledged by the restored server, kept again under its generation.
    push(&mut store, RESTORED, &[]);
    let kept = store.kept_operations().unwrap();
    assert_eq!(kept.len(), 3);
    assert!(
        kept.iter()
            .all(|k| k.generation.as_deref() == Some(RESTORED))
    );

    // The full pull ends: a household it did not send again leaves the phone, as after a
    // scope change.
    let other = household(
        "3300000002",
        "张记面馆",
        "057187654321",
        "教工路18号",
        30.28,
        120.14,
    );
    store.apply_pull(&page(vec![put(3, &other)])).unwrap();
    assert!(store.household(other.id).is_ok());
    assert!(
        store.household(h.id).is_err(),
        "not in the restored server's full pull"
    );
}

#[test]
fn work_parked_before_the_restore_is_pushed_again_and_leaves_the_refused_list() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    edits(&mut store, &mut h, 2);
    let sent = store.push_batch(100).unwrap();
    let parked = sent[1].op_id;
    push(&mut store, FIRST, &[parked]);
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].standing, Standing::Parked);
    assert_eq!(
        kept_seqs(&store).len(),
        2,
        "parked work was acknowledged too"
    );

    store.note_server_backup(&generation(RESTORED)).unwrap();
    assert!(store.rejected_operations().unwrap().is_empty());
    let again = store.push_batch(100).unwrap();
    assert_eq!(
        again.iter().map(|op| op.op_id).collect::<Vec<_>>(),
        vec![sent[0].op_id, parked]
    );
}

#[test]
fn a_photo_of_kept_work_stays_after_its_household_left_and_is_offered_again_after_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let photo = common::forms::take_photo(&mut store, dir.path(), h.id, 7);
    store
        .mark_photos_uploaded(std::slice::from_ref(&photo.sha256))
        .unwrap();
    push(&mut store, FIRST, &[]);

    // The household leaves the phone: the photo's file stays for the kept operation.
    store
        .apply_pull(&page(vec![json!({"seq": 5, "entity": "household",
            "id": h.id.to_string(), "action": "leave"})]))
        .unwrap();
    assert!(store.household(h.id).is_err());
    store.sweep_photo_vault().unwrap();
    assert!(store.photo_jpeg(photo.sha256.as_str()).is_ok());
    assert!(
        store.photos_to_upload().unwrap().is_empty(),
        "the server has it"
    );

    // The server was restored: the photo is offered again with its operation.
    store.note_server_backup(&generation(RESTORED)).unwrap();
    assert_eq!(
        store.photos_to_upload().unwrap(),
        vec![photo.sha256.clone()]
    );
    assert_eq!(store.push_batch(100).unwrap().len(), 1);

    // Acknowledged and uploaded again, then held by a backup: the photo goes at last.
    store
        .mark_photos_uploaded(std::slice::from_ref(&photo.sha256))
        .unwrap();
    let sent = push(&mut store, RESTORED, &[]);
    store
        .note_server_backup(&ServerBackup {
            generation: Some(RESTORED.into()),
            backed_up_through: Some(sent[0].seq),
        })
        .unwrap();
    assert!(store.vault_sweep_due().unwrap());
    assert_eq!(
        store.sweep_photo_vault().unwrap(),
        2,
        "the photo and its thumbnail"
    );
    assert!(store.photo_jpeg(photo.sha256.as_str()).is_err());
}
