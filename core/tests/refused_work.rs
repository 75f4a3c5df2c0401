//! A visit is never orphaned on the phone (issue 21 §1): a form travels whole, as its seal; a
//! sealed form the server parks for the service center, or refuses, keeps its household (and
//! itself) on the phone until the office has decided; the list says what it is in the
//! technician's words. Against the store's API, as a sync drives it; the end-to-end story
//! through the real server is `server/tests`'.

use crate::common;

use chrono::Utc;
use common::forms::{hose_check, signature};
use common::*;
use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult};
use doorstep_core::forms::template::SignerRole;
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, OperationId};
use doorstep_core::store::Store;
use doorstep_core::store::sync::Standing;
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{ErrorKind, Operation, ParkedDecision, PullResponse, Pulled};
use doorstep_core::words;
use serde_json::{Value, json};

fn page(changes: Vec<Value>, decisions: Vec<ParkedDecision>, reset: bool) -> PullResponse<Pulled> {
    let page = json!({
        "changes": changes,
        "cursor": "c",
        "more": false,
        "reset": reset,
        "remaining": 0,
        "server_time": Utc::now(),
        "server_hlc": Hlc {
            wall_ms: Utc::now().timestamp_millis().unsigned_abs(),
            counter: 0,
            node: "server".into(),
        },
        "decisions": decisions,
    });
    serde_json::from_value(page).expect("the page reads")
}

fn leave(seq: i64, h: &Household) -> Value {
    json!({"seq": seq, "entity": "household", "id": h.id.to_string(), "action": "leave"})
}

fn decision(op_id: OperationId, accepted: bool, reason: Option<&str>) -> ParkedDecision {
    ParkedDecision {
        op_id,
        accepted,
        reason: reason.map(str::to_owned),
        decided_at: Utc::now(),
        seq: 10,
    }
}

/// A phone holding household 3300000001, pulled from the server.
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
    store
        .apply_pull(&page(vec![put(1, &h)], vec![], false))
        .unwrap();
    (store, h)
}

fn pass() -> Option<Answer> {
    Some(Answer::Check(CheckAnswer {
        result: CheckResult::Pass,
        advice: None,
    }))
}

/// The small inspection started, answered and signed, not sealed yet.
fn draft(store: &mut Store, h: &Household) -> FormId {
    let form = store
        .start_form(&hose_check(), h.id, None, Utc::now())
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    let now = Utc::now();
    for (item, role, name) in [
        ("customer_signature", SignerRole::Customer, "王秀英"),
        ("technician_signature", SignerRole::Technician, "徐磊"),
    ] {
        store
            .sign(form.id, item, signature(role, name, now))
            .unwrap();
    }
    form.id
}

/// The form sealed; returns the seal's operation id.
fn seal(store: &mut Store, form: FormId) -> OperationId {
    store.complete_form(form, Utc::now()).unwrap();
    let ops = store.push_batch(100).unwrap();
    ops.iter()
        .find(|op| matches!(&op.operation, Operation::FormSealed { form: f } if f.id == form))
        .expect("the seal is queued")
        .op_id
}

/// Pushes the outbox; the server parks `parked` and stores the rest.
fn push_parking(store: &mut Store, parked: &[OperationId]) {
    let sent = store.push_batch(100).unwrap();
    let last = sent.last().unwrap().seq;
    store.acknowledge_push(&sent, last, parked).unwrap();
}

#[test]
fn a_drafts_operations_are_never_pushed_before_its_seal_and_the_seal_is_the_forms_one_operation() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut h) = phone(&dir);
    let form = draft(&mut store, &h);
    assert!(
        store.push_batch(100).unwrap().is_empty(),
        "nothing of a draft"
    );
    assert_eq!(
        store.outbox_len().unwrap(),
        0,
        "pending counts what a push sends"
    );

    // Other work goes on meanwhile, and its acknowledgement leaves the draft's steps queued.
    h.name = "王建国".into();
    store.save_household(&h, Utc::now()).unwrap();
    let sent = store.push_batch(100).unwrap();
    assert_eq!(sent.len(), 1);
    assert!(matches!(
        sent[0].operation,
        Operation::HouseholdSaved { .. }
    ));
    store.acknowledge_pushed(&sent, sent[0].seq).unwrap();
    assert!(
        store
            .outbox(100)
            .unwrap()
            .iter()
            .any(|e| matches!(&e.operation, Operation::FormStarted { form: f } if f.id == form)),
        "skipped, not acknowledged"
    );

    let seal = seal(&mut store, form);
    let sent = store.push_batch(100).unwrap();
    assert_eq!(sent.len(), 1, "the seal alone: {sent:?}");
    assert_eq!(sent[0].op_id, seal);
    assert!(
        matches!(&sent[0].operation, Operation::FormSealed { form: f }
        if f.id == form && f.answers.len() == 2)
    );
    assert_eq!(
        store.outbox(100).unwrap().len(),
        1,
        "its start and steps left"
    );
    assert_eq!(store.outbox_len().unwrap(), 1);
}

#[test]
fn a_long_draft_does_not_hold_the_households_office_updates() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    draft(&mut store, &h);
    // Something else waits too, so the pull looks at each record's pending work.
    let other = household(
        "3300000002",
        "李明",
        "13912345678",
        "文二路1号",
        30.27,
        120.13,
    );
    store.save_household(&other, Utc::now()).unwrap();
    let mut renamed = h.clone();
    renamed.name = "王建国".into();
    let applied = store
        .apply_pull(&page(vec![put(2, &renamed)], vec![], false))
        .unwrap();
    assert_eq!((applied.written, applied.kept_local), (1, 0));
    assert_eq!(store.household(h.id).unwrap().name, "王建国");
}

#[test]
fn a_parked_sealed_form_stays_readable_after_its_households_leave_until_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let form = draft(&mut store, &h);
    let seal = seal(&mut store, form);
    push_parking(&mut store, &[seal]);
    assert_eq!(store.outbox_len().unwrap(), 0);
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].standing, Standing::Parked);
    assert_eq!(listed[0].household_id, Some(h.id));
    assert_eq!(listed[0].form.as_ref().map(|f| f.id), Some(form));

    // The office moved the household to another district: the phone is told it left.
    let applied = store
        .apply_pull(&page(vec![leave(2, &h)], vec![], false))
        .unwrap();
    assert_eq!((applied.removed, applied.kept_local), (0, 1));
    assert_eq!(store.apply_held_back().unwrap().removed, 0);
    assert!(
        store.form(form).unwrap().is_sealed(),
        "the visit is readable"
    );
    assert!(store.household(h.id).is_ok());

    // A full pull that does not send it again sweeps it no more than the leave did.
    store.apply_pull(&page(vec![], vec![], true)).unwrap();
    assert!(store.form(form).is_ok());
}

#[test]
fn a_parked_form_the_office_accepts_leaves_the_list_and_the_phone_with_its_household() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let form = draft(&mut store, &h);
    let seal = seal(&mut store, form);
    push_parking(&mut store, &[seal]);
    store
        .apply_pull(&page(vec![leave(2, &h)], vec![], false))
        .unwrap();

    let applied = store
        .apply_pull(&page(vec![], vec![decision(seal, true, None)], false))
        .unwrap();
    assert_eq!(applied.decided, 1);
    assert!(
        store.rejected_operations().unwrap().is_empty(),
        "the server has it"
    );
    assert_eq!(store.apply_held_back().unwrap().removed, 1);
    assert!(store.household(h.id).is_err());
    assert!(
        store.form(form).is_err(),
        "in the household's file, on the server"
    );
}

#[test]
fn a_parked_form_the_office_rejects_stays_listed_with_its_reason_and_the_household_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let form = draft(&mut store, &h);
    let seal = seal(&mut store, form);
    push_parking(&mut store, &[seal]);

    // Decided in the same page that tells the household left: it leaves at once.
    let reason = "该户已由二所重新安检";
    let applied = store
        .apply_pull(&page(
            vec![leave(2, &h)],
            vec![decision(seal, false, Some(reason))],
            false,
        ))
        .unwrap();
    assert_eq!((applied.decided, applied.removed), (1, 1));
    assert!(store.household(h.id).is_err());
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 1);
    let rejected = &listed[0];
    assert_eq!(rejected.standing, Standing::Rejected);
    assert_eq!(rejected.decision_reason.as_deref(), Some(reason));
    assert!(rejected.decided_at.is_some());
    assert!(rejected.why.zh.contains(reason), "{:?}", rejected.why);
    assert_eq!(
        rejected.customer_number, None,
        "the household is off the phone"
    );
    assert_eq!(rejected.what.zh, "软管检查（已签封）");

    // Sent again until the cursor passes it, a decision changes nothing more; nor does one on
    // work this phone never parked.
    let again = store
        .apply_pull(&page(
            vec![],
            vec![
                decision(seal, true, None),
                decision(OperationId::new(), false, Some("?")),
            ],
            false,
        ))
        .unwrap();
    assert_eq!(again.decided, 0);
    assert_eq!(store.rejected_operations().unwrap(), listed);
}

#[test]
fn refused_work_keeps_its_household_until_the_office_decides() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let form = draft(&mut store, &h);
    let seal = seal(&mut store, form);
    store
        .park_rejected(
            seal,
            ErrorKind::Forbidden,
            "household outside the device's scope",
        )
        .unwrap();
    let deleted =
        json!({"seq": 2, "entity": "household", "id": h.id.to_string(), "action": "delete"});
    store
        .apply_pull(&page(vec![deleted], vec![], false))
        .unwrap();
    assert_eq!(store.apply_held_back().unwrap().removed, 0);
    assert!(store.form(form).unwrap().is_sealed());
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed[0].standing, Standing::Refused);
    assert_eq!(listed[0].household_id, Some(h.id));
}

/// A refused edit of a household is listed with what it was, but does not keep the household's
/// personal data on the phone once the household left the technician's scope: only a sealed
/// form, the one copy of a visit, does.
#[test]
fn refused_household_edit_does_not_keep_a_departed_household_on_the_phone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let mut edited = store.household(h.id).unwrap();
    edited.name = "王秀兰".into();
    store.save_household(&edited, chrono::Utc::now()).unwrap();
    let op = store.outbox(10).unwrap().last().unwrap().op_id;
    store
        .park_rejected(
            op,
            ErrorKind::Forbidden,
            "the household's new district is outside this technician's scope",
        )
        .unwrap();
    let left = json!({"seq": 2, "entity": "household", "id": h.id.to_string(), "action": "leave"});
    store.apply_pull(&page(vec![left], vec![], false)).unwrap();
    store.apply_held_back().unwrap();
    assert!(
        store.household(h.id).is_err(),
        "the household left the phone"
    );
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 1, "the refused edit is still listed");
    assert_eq!(listed[0].standing, Standing::Refused);
}

#[test]
fn the_refused_list_says_which_household_which_form_why_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, h) = phone(&dir);
    let parked_form = draft(&mut store, &h);
    let parked = seal(&mut store, parked_form);
    push_parking(&mut store, &[parked]);
    let refused_form = draft(&mut store, &h);
    let refused = seal(&mut store, refused_form);
    store
        .park_rejected(refused, ErrorKind::FormTampered, "digest mismatch")
        .unwrap();

    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 2);
    let (parked, refused) = (&listed[0], &listed[1]);
    for work in [parked, refused] {
        assert_eq!(work.what.zh, "软管检查（已签封）· 户号 3300000001");
        assert_eq!(
            work.what.en,
            "Hose check (sealed) · customer no. 3300000001"
        );
        assert_eq!(work.customer_number.as_deref(), Some("3300000001"));
        let title = work.form.as_ref().and_then(|f| f.title.as_ref()).unwrap();
        assert_eq!(title.en, "Hose check");
        for text in [&work.what, &work.why, &work.to_do] {
            assert!(!text.zh.contains("王秀英") && !text.zh.contains("13812345678"));
        }
    }
    assert_eq!(parked.form.as_ref().unwrap().id, parked_form);
    assert_eq!((parked.why.clone(), parked.to_do.clone()), words::parked());
    assert!(parked.why.en.contains("no longer in your district"));
    assert_eq!(refused.why, words::refusal(ErrorKind::FormTampered));
    assert_eq!(refused.to_do, words::refused(ErrorKind::FormTampered).1);
}
