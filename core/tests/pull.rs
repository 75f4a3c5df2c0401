//! A technician who has not updated the app yet pulls from a server that was: what this version
//! cannot read is held back in its place, the rest of the pull arrives, and nothing is lost.
//! (The same over real HTTP, on both server backends: `server/tests/sync.rs`.)

use crate::common;

use chrono::Utc;
use common::*;
use doorstep_core::household::{Category, Household};
use doorstep_core::store::Store;
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{PullResponse, Pulled};
use serde_json::{Value, json};

/// A page as a newer server sends it, read as the device reads every page.
fn page(changes: Vec<Value>, cursor: &str, reset: bool) -> PullResponse<Pulled> {
    let page = json!({
        "changes": changes,
        "cursor": cursor,
        "more": false,
        "reset": reset,
        "remaining": 0,
        "server_time": Utc::now(),
        "server_hlc": server_hlc(),
        "a_field_of_a_newer_protocol": {"ignored": true},
    });
    serde_json::from_slice(&serde_json::to_vec(&page).unwrap()).expect("the page reads")
}

fn server_hlc() -> Hlc {
    Hlc {
        wall_ms: Utc::now().timestamp_millis().unsigned_abs(),
        counter: 0,
        node: "server".into(),
    }
}

fn first(n: u32) -> Household {
    household(
        &format!("33000000{n:02}"),
        "王秀英",
        "13812345678",
        "文三路88号",
        30.2775,
        120.1301,
    )
}

/// A household with a category this version does not know, as a newer server sends it.
fn with_unknown_category(seq: i64, h: &Household) -> Value {
    let mut change = put(seq, h);
    change["record"]["record"]["category"] = "district_heating".into();
    change
}

fn held_reasons(dir: &tempfile::TempDir) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(dir.path().join("doorstep.db")).unwrap();
    key().unlock(&conn).unwrap();
    let mut stmt = conn
        .prepare("SELECT entity, reason FROM held_back ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_page_from_a_newer_server_is_applied_around_what_this_app_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let readable = first(1);
    let newer = first(2);
    let page = page(
        vec![
            put(1, &readable),
            with_unknown_category(2, &newer),
            // A kind of record this version has never heard of.
            json!({"seq": 3, "entity": "meter_swap", "id": "ms-1", "action": "put",
                   "record": {"entity": "meter_swap", "record": {"old": "M1", "new": "M2"}}}),
            // An action this version does not know, on a kind it does.
            json!({"seq": 4, "entity": "household", "id": readable.id.to_string(),
                   "action": "archive"}),
        ],
        "4.abc",
        false,
    );
    assert_eq!(
        page.changes
            .iter()
            .filter(|c| matches!(c, Pulled::HeldBack(_)))
            .count(),
        3
    );

    let applied = store.apply_pull(&page).unwrap();
    assert_eq!((applied.written, applied.held_back), (1, 3));
    assert_eq!(store.household(readable.id).unwrap(), readable);
    assert!(store.household(newer.id).is_err());
    assert_eq!(store.held_back().unwrap(), 3);
    let state = store.sync_state().unwrap();
    assert_eq!(
        state.cursor, "4.abc",
        "the pull goes on past what it held back"
    );
    assert_eq!(state.pulled_through, 4);

    // Why, for whoever looks into it: a field or a variant, never a value of the record.
    let reasons = held_reasons(&dir);
    assert_eq!(reasons.len(), 3);
    assert!(reasons.iter().all(|(_, reason)| !reason.contains("王秀英")
        && !reason.contains("13812345678")
        && !reason.contains("district_heating")));
}

#[test]
fn a_later_change_of_a_record_held_back_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = first(1);
    store
        .apply_pull(&page(vec![with_unknown_category(1, &h)], "1.a", false))
        .unwrap();
    assert_eq!(store.held_back().unwrap(), 1);

    h.category = Category::Commercial;
    let applied = store
        .apply_pull(&page(vec![put(2, &h)], "2.a", false))
        .unwrap();
    assert_eq!(applied.written, 1);
    assert_eq!(store.household(h.id).unwrap(), h);
    assert_eq!(store.held_back().unwrap(), 0);
    assert_eq!(
        store.apply_held_back().unwrap().written,
        0,
        "the replaced change is never applied over the later one"
    );
    assert_eq!(store.household(h.id).unwrap(), h);
}

#[test]
fn what_an_older_app_held_back_is_applied_once_the_app_can_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = first(1);
    let other = first(2);
    {
        let mut store = open(&dir);
        store
            .apply_pull(&page(
                vec![
                    with_unknown_category(1, &h),
                    with_unknown_category(2, &other),
                ],
                "2.a",
                false,
            ))
            .unwrap();
        assert_eq!(store.held_back().unwrap(), 2);
    }
    // The app is updated and now reads the first change (stands in for a build that knows the
    // category: the held row's text becomes what that build reads); the second it still cannot.
    {
        let conn = rusqlite::Connection::open(dir.path().join("doorstep.db")).unwrap();
        key().unlock(&conn).unwrap();
        conn.execute(
            "UPDATE held_back SET body = ?1 WHERE id = ?2",
            [put(1, &h).to_string(), h.id.to_string()],
        )
        .unwrap();
    }
    let mut store = Store::open(dir.path().join("doorstep.db"), &key()).unwrap();
    let applied = store.apply_held_back().unwrap();
    assert_eq!((applied.written, applied.held_back), (1, 1));
    assert_eq!(store.household(h.id).unwrap(), h);
    assert!(store.household(other.id).is_err());
    assert_eq!(store.held_back().unwrap(), 1);
    assert_eq!(store.apply_held_back().unwrap().written, 0, "applied once");
}

#[test]
fn a_record_this_app_finds_invalid_is_held_back_instead_of_stopping_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let fine = first(1);
    let mut strict = put(2, &first(2));
    // Readable, but against this version's rules (a newer server allows longer room numbers).
    strict["record"]["record"]["address"]["room"] = "1".repeat(200).into();
    let applied = store
        .apply_pull(&page(vec![put(1, &fine), strict], "2.a", false))
        .unwrap();
    assert_eq!((applied.written, applied.held_back), (1, 1));
    assert_eq!(store.household(fine.id).unwrap(), fine);
    let reasons = held_reasons(&dir);
    assert!(
        reasons[0].1.contains("household.address.room"),
        "{reasons:?}"
    );
}

#[test]
fn a_full_pull_after_a_scope_change_drops_what_was_held_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    store
        .apply_pull(&page(
            vec![with_unknown_category(1, &first(1))],
            "1.a",
            false,
        ))
        .unwrap();
    assert_eq!(store.held_back().unwrap(), 1);
    // The full pull sends every record in the new scope again, held ones included.
    store
        .apply_pull(&page(vec![put(5, &first(2))], "5.b", true))
        .unwrap();
    assert_eq!(store.held_back().unwrap(), 0);
}

#[test]
fn a_change_without_its_place_in_the_pull_makes_the_page_unreadable() {
    let page = json!({
        "changes": [{"entity": "household", "action": "put"}],
        "cursor": "1.a", "more": false, "reset": false, "remaining": 0,
        "server_time": Utc::now(),
        "server_hlc": server_hlc(),
    });
    let err = serde_json::from_value::<PullResponse<Pulled>>(page).unwrap_err();
    assert!(err.to_string().contains("without its place"), "{err}");
}

fn leave(seq: i64, h: &Household) -> Value {
    json!({"seq": seq, "entity": "household", "id": h.id.to_string(), "action": "leave"})
}

#[test]
fn a_household_that_leaves_while_a_form_is_being_filled_there_leaves_once_it_is_sealed_and_sent() {
    use common::forms::hose_check;
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = first(1);
    store
        .apply_pull(&page(vec![put(1, &h)], "1.a", false))
        .unwrap();
    let draft = store
        .start_form(&hose_check(), h.id, None, Utc::now())
        .unwrap();
    send_outbox(&mut store);
    assert_eq!(
        store.outbox_len().unwrap(),
        0,
        "nothing of the draft is pushed before its seal"
    );

    // The household moves to another district while the technician is filling the form.
    let applied = store
        .apply_pull(&page(vec![leave(2, &h)], "2.a", false))
        .unwrap();
    assert_eq!(applied.kept_local, 1);
    assert!(
        store.form(draft.id).is_ok(),
        "the draft in progress is not lost"
    );
    assert!(store.household(h.id).is_ok());
    assert_eq!(
        store.held_back().unwrap(),
        0,
        "nothing for an app update to fix"
    );
    assert_eq!(
        store.apply_held_back().unwrap().removed,
        0,
        "still being filled"
    );

    // Filled, signed, sealed and sent: then the household leaves the phone.
    fill_and_seal(&mut store, draft.id);
    assert_eq!(
        store.apply_held_back().unwrap().removed,
        0,
        "not before the sealed form is sent"
    );
    send_outbox(&mut store);
    assert_eq!(store.apply_held_back().unwrap().removed, 1);
    assert!(
        store.household(h.id).is_err(),
        "it left, as the server said"
    );
}

#[test]
fn a_household_deleted_while_the_phone_had_an_edit_of_it_waiting_leaves_after_the_push() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = first(1);
    store
        .apply_pull(&page(vec![put(1, &h)], "1.a", false))
        .unwrap();
    h.name = "王建国".into();
    store.save_household(&h, Utc::now()).unwrap();
    let deleted =
        json!({"seq": 2, "entity": "household", "id": h.id.to_string(), "action": "delete"});
    let applied = store
        .apply_pull(&page(vec![deleted], "2.a", false))
        .unwrap();
    assert_eq!(applied.kept_local, 1);
    assert!(
        store.household(h.id).is_ok(),
        "the edit still waits to be pushed"
    );
    // The server refuses the edit (the household is gone) and the phone sets it aside.
    send_outbox(&mut store);
    assert_eq!(store.apply_held_back().unwrap().removed, 1);
    assert!(
        store.household(h.id).is_err(),
        "the deletion is not lost because it arrived while the edit waited"
    );
}

/// The small test inspection, passed, signed by both and sealed.
fn fill_and_seal(store: &mut Store, form: doorstep_core::ids::FormId) {
    use common::forms::signature;
    use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult};
    use doorstep_core::forms::template::SignerRole;
    let pass = || {
        Some(Answer::Check(CheckAnswer {
            result: CheckResult::Pass,
            advice: None,
        }))
    };
    store.answer(form, "leak_test", pass()).unwrap();
    store.answer(form, "hose_ok", pass()).unwrap();
    let now = Utc::now();
    store
        .sign(
            form,
            "customer_signature",
            signature(SignerRole::Customer, "王秀英", now),
        )
        .unwrap();
    store
        .sign(
            form,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", now),
        )
        .unwrap();
    store.complete_form(form, now).unwrap();
}

#[test]
fn the_photos_of_a_household_that_left_the_phone_leave_with_it_once_a_backup_holds_them() {
    use common::photos::{exif_payload, jpeg_with_exif, test_card};
    use doorstep_core::geo::GeoPoint;
    use doorstep_core::media::{PhotoPolicy, WatermarkContext};
    use doorstep_core::sync::protocol::ServerBackup;
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = first(1);
    store
        .apply_pull(&page(vec![put(1, &h)], "1.a", false))
        .unwrap();
    let camera = dir.path().join("camera.jpg");
    std::fs::write(
        &camera,
        jpeg_with_exif(
            &test_card(640, 480),
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    )
    .unwrap();
    let context = WatermarkContext {
        captured_at: Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some(h.customer_number.clone()),
        device_position: GeoPoint::new(30.2775, 120.1301).ok(),
        technician: "T00101".into(),
    };
    let photo = store
        .ingest_photo(&camera, Some(h.id), &context, &PhotoPolicy::default())
        .unwrap();
    store
        .mark_photos_uploaded(std::slice::from_ref(&photo.sha256))
        .unwrap();
    send_outbox(&mut store);
    assert_eq!(
        store.photo_vault().names().unwrap().len(),
        2,
        "the photo and its thumbnail"
    );

    store
        .apply_pull(&page(vec![leave(2, &h)], "2.a", false))
        .unwrap();
    assert!(store.household(h.id).is_err());
    // The photo's acknowledged operation is kept until a backup of the server holds it (a
    // restored server gets it again, file and all): so is its file.
    store.sweep_photo_vault().unwrap();
    assert_eq!(store.photo_vault().names().unwrap().len(), 2);
    let kept = store.kept_operations().unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    store
        .note_server_backup(&ServerBackup {
            generation: None,
            backed_up_through: Some(kept[0].seq),
        })
        .unwrap();
    // Due until it is done, even if the app dies first (it is kept with the departure).
    drop(store);
    let store = open(&dir);
    assert!(store.vault_sweep_due().unwrap());
    assert_eq!(store.sweep_photo_vault().unwrap(), 2);
    assert!(!store.vault_sweep_due().unwrap());
    assert!(
        store.photo_vault().names().unwrap().is_empty(),
        "no encrypted photo of a household no longer the technician's stays on the phone"
    );
}

/// The outbox as a sync sends it: pushed and acknowledged by the server.
fn send_outbox(store: &mut Store) {
    // A draft's operations are not pushed: there may be nothing to send.
    if let Some(last) = store.push_batch(100).unwrap().last() {
        store.acknowledge_through(last.seq).unwrap();
    }
}

/// The office swapped two households' customer numbers. The pull sends each household's new
/// version, and each carries the number the other still holds on the phone: each is held, the
/// pull goes on (and every later pull with it), and after the pull both are applied together.
/// A clash with a number no held change will free stays held, and the household keeps its own.
#[test]
fn customer_numbers_swapped_by_the_office_arrive_without_stopping_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (mut a, mut b, c) = (first(1), first(2), first(3));
    store
        .apply_pull(&page(vec![put(1, &a), put(2, &b), put(3, &c)], "3", false))
        .unwrap();
    std::mem::swap(&mut a.customer_number, &mut b.customer_number);

    let applied = store
        .apply_pull(&page(vec![put(4, &b)], "4", false))
        .unwrap();
    assert_eq!((applied.written, applied.clashing), (0, 1));
    assert_eq!(
        store.held_back().unwrap(),
        0,
        "not a change that needs an updated app"
    );
    assert_eq!(
        held_reasons(&dir),
        vec![(
            "household".to_owned(),
            "its customer number is held by another record on this phone".to_owned()
        )]
    );
    let applied = store
        .apply_pull(&page(vec![put(5, &a)], "5", false))
        .unwrap();
    assert_eq!(
        (applied.written, applied.clashing),
        (0, 1),
        "the pull goes on"
    );

    // After the pull: both, together.
    assert_eq!(store.apply_held_back().unwrap().written, 2);
    assert_eq!(
        store.household(a.id).unwrap().customer_number,
        a.customer_number
    );
    assert_eq!(
        store.household(b.id).unwrap().customer_number,
        b.customer_number
    );
    assert!(held_reasons(&dir).is_empty());

    // A number still taken by a household whose change is not coming: held, nothing half-done.
    let mut taken = c.clone();
    taken.customer_number = a.customer_number.clone();
    store
        .apply_pull(&page(vec![put(6, &taken)], "6", false))
        .unwrap();
    let mut other = b.clone();
    other.customer_number = c.customer_number.clone();
    store
        .apply_pull(&page(vec![put(7, &other)], "7", false))
        .unwrap();
    let applied = store.apply_held_back().unwrap();
    assert_eq!(applied.written, 0, "{applied:?}");
    assert_eq!(
        store.household(c.id).unwrap().customer_number,
        c.customer_number
    );
    assert_eq!(
        store.household(b.id).unwrap().customer_number,
        b.customer_number
    );
    assert_eq!(held_reasons(&dir).len(), 2);
}

/// The technician moves to another crew: the full pull (`reset`) that follows sends again what
/// is still in scope, and only what it did not send leaves the phone, when it ends. A household
/// that stays keeps what only the phone has of it: its timeline of the technician's visits.
#[test]
fn a_full_pull_after_a_scope_change_keeps_what_stays_and_sweeps_what_left() {
    use doorstep_core::household::{MeterReading, ReadingSource, Volume};
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (stays, leaves) = (first(1), first(2));
    store
        .apply_pull(&page(vec![put(1, &stays), put(2, &leaves)], "2.a", false))
        .unwrap();
    store
        .record_meter_reading(&MeterReading {
            household_id: stays.id,
            taken_at: Utc::now() - chrono::Duration::hours(1),
            value: Volume::from_litres(1_234_500),
            source: ReadingSource::Technician,
        })
        .unwrap();
    store.acknowledge_through(i64::MAX).unwrap(); // pushed
    let timeline = store.household_file(stays.id).unwrap().history.len();
    assert!(timeline >= 1);

    // The full pull, in two pages: nothing leaves before it ends.
    let mut first_page = page(vec![put(7, &stays)], "7.b", true);
    first_page.more = true;
    let applied = store.apply_pull(&first_page).unwrap();
    assert_eq!(applied.removed, 0);
    assert!(
        store.household(leaves.id).is_ok(),
        "not before the full pull ends"
    );
    let applied = store.apply_pull(&page(vec![], "7.b", false)).unwrap();
    assert_eq!(applied.removed, 1);
    assert!(
        store.household(leaves.id).is_err(),
        "left with the old scope"
    );
    let file = store.household_file(stays.id).unwrap();
    assert_eq!(
        file.history.len(),
        timeline,
        "the timeline stays with the household"
    );
    assert_eq!(file.readings.len(), 1);
}

/// The scope changes again before the full pull of the first change has ended (the office moved
/// the technician by mistake and back): what the first full pull brought and the second does not
/// send leaves too.
#[test]
fn a_second_scope_change_during_a_full_pull_sweeps_what_the_first_brought() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (old, wrong, right) = (first(1), first(2), first(3));
    store
        .apply_pull(&page(vec![put(1, &old)], "1.a", false))
        .unwrap();
    let mut wrong_page = page(vec![put(5, &wrong)], "5.b", true);
    wrong_page.more = true;
    store.apply_pull(&wrong_page).unwrap();
    // Cut here. The next pull finds the scope changed again: a new full pull.
    let applied = store
        .apply_pull(&page(vec![put(9, &right)], "9.c", true))
        .unwrap();
    assert_eq!(applied.removed, 2, "{applied:?}");
    assert!(store.household(old.id).is_err());
    assert!(
        store.household(wrong.id).is_err(),
        "what the cut full pull brought leaves too"
    );
    assert!(store.household(right.id).is_ok());
}

/// A change that clashes for good (its number held by a household whose change is not coming)
/// does not keep two other households' swapped numbers from being applied.
#[test]
fn a_clash_for_good_does_not_hold_up_a_swap_of_two_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (mut a, mut b, keeper, mut stuck) = (first(1), first(2), first(3), first(4));
    store
        .apply_pull(&page(
            vec![put(1, &a), put(2, &b), put(3, &keeper), put(4, &stuck)],
            "4",
            false,
        ))
        .unwrap();
    stuck.customer_number = keeper.customer_number.clone();
    store
        .apply_pull(&page(vec![put(5, &stuck)], "5", false))
        .unwrap();
    std::mem::swap(&mut a.customer_number, &mut b.customer_number);
    store
        .apply_pull(&page(vec![put(6, &b), put(7, &a)], "7", false))
        .unwrap();
    let applied = store.apply_held_back().unwrap();
    assert_eq!(applied.written, 2, "{applied:?}");
    assert_eq!(
        store.household(a.id).unwrap().customer_number,
        a.customer_number
    );
    assert_eq!(
        store.household(b.id).unwrap().customer_number,
        b.customer_number
    );
    assert_eq!(held_reasons(&dir).len(), 1, "the one for good stays held");
    assert_eq!(
        store.household(stuck.id).unwrap().customer_number,
        first(4).customer_number
    );
}

/// The technician moves to another crew: the old crew and its members (their names and phones)
/// leave the phone with the full pull that follows, as the old crew's households and orders do.
#[test]
fn a_scope_change_takes_the_old_crew_and_its_members_off_the_phone() {
    use doorstep_core::ids::{CrewId, TechnicianId};
    use doorstep_core::sync::protocol::{Change, ChangeAction, Entity, Record};
    use doorstep_core::team::{Crew, Technician, TechnicianRole};
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (old_crew, new_crew) = (CrewId::new(), CrewId::new());
    let person = |badge: &str, name: &str, crew| Technician {
        id: TechnicianId::new(),
        badge: badge.into(),
        name: name.into(),
        phone: None,
        role: TechnicianRole::RepairTechnician,
        crew_id: Some(crew),
        district_id: None,
        active: true,
    };
    let me = person("T00101", "徐磊", old_crew);
    let mate = person("T00102", "周强", old_crew);
    let crew = |id, name: &str| Crew {
        id,
        name: name.into(),
        district_id: None,
    };
    let change = |seq: i64, record: Record| {
        let (entity, id) = match &record {
            Record::Technician(t) => (Entity::Technician, t.id.to_string()),
            Record::Crew(c) => (Entity::Crew, c.id.to_string()),
            _ => unreachable!(),
        };
        serde_json::to_value(Change {
            seq,
            entity,
            id,
            action: ChangeAction::Put { record },
        })
        .unwrap()
    };
    store
        .apply_pull(&page(
            vec![
                change(1, Record::Crew(crew(old_crew, "抢修一班"))),
                change(2, Record::Technician(me.clone())),
                change(3, Record::Technician(mate.clone())),
            ],
            "3.a",
            false,
        ))
        .unwrap();
    assert!(store.technician(mate.id).is_ok());

    let moved = Technician {
        crew_id: Some(new_crew),
        ..me.clone()
    };
    store
        .apply_pull(&page(
            vec![
                change(7, Record::Crew(crew(new_crew, "抢修二班"))),
                change(8, Record::Technician(moved)),
            ],
            "8.b",
            true,
        ))
        .unwrap();
    assert!(
        store.technician(mate.id).is_err(),
        "the old crew-mate left the phone"
    );
    assert_eq!(store.technician(me.id).unwrap().crew_id, Some(new_crew));
}
