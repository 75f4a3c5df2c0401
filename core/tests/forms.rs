//! Forms at the door: drafts that survive the app, sealing that proves the visit, and what a
//! sealed form changes.

use crate::common;

use common::forms::*;
use common::*;
use doorstep_core::error::Error;
use doorstep_core::forms::Template;
use doorstep_core::forms::form::{
    Answer, CheckAnswer, CheckResult, Outcome, PhotoRef, ProblemKind,
};
use doorstep_core::forms::seal::verify;
use doorstep_core::forms::template::SignerRole;
use doorstep_core::household::{ShutOffReason, SupplyStatus, Volume};
use doorstep_core::ids::FormId;
use doorstep_core::store::Store;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::workorder::WorkOrderKind;

fn pass() -> Option<Answer> {
    Some(Answer::Check(CheckAnswer {
        result: CheckResult::Pass,
        advice: None,
    }))
}

fn fail(advice: &str) -> Option<Answer> {
    Some(Answer::Check(CheckAnswer {
        result: CheckResult::Fail,
        advice: Some(advice.into()),
    }))
}

/// The customer and the inspector sign, in that order.
fn sign_both(store: &mut Store, form: FormId, at: chrono::DateTime<chrono::Utc>) {
    store
        .sign(
            form,
            "customer_signature",
            signature(SignerRole::Customer, "钱秀英", at),
        )
        .unwrap();
    store
        .sign(
            form,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at),
        )
        .unwrap();
}

fn setup() -> (
    tempfile::TempDir,
    Store,
    doorstep_core::household::Household,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000200",
        "钱秀英",
        "13800000200",
        "环城北路20号",
        30.27,
        120.16,
    );
    store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
    (dir, store, h)
}

#[test]
fn inspection_draft_survives_a_restart_and_seals_with_both_signatures() {
    let (dir, mut store, h) = setup();
    let t = hose_check();
    let form = store
        .start_form(&t, h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    drop(store); // the app is killed mid-visit

    let mut store = open(&dir);
    let draft = store.form(form.id).unwrap();
    assert_eq!(
        draft.answers.len(),
        2,
        "every answer was saved as it was given"
    );
    store
        .answer(
            form.id,
            "meter_reading",
            Some(Answer::MeterReading(Volume::from_litres(1_234_567))),
        )
        .unwrap();
    let problems = store.form_problems(form.id).unwrap();
    let missing: Vec<_> = problems.iter().map(|p| p.item.clone().unwrap()).collect();
    assert_eq!(missing, vec!["customer_signature", "technician_signature"]);

    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    let sealed = store
        .complete_form(form.id, at(2026, 11, 2, 1, 22))
        .unwrap();

    let form = store.form(form.id).unwrap();
    assert_eq!(form.seal.as_ref(), Some(&sealed));
    verify(&form, &t).unwrap();
    let file = store.household_file(h.id).unwrap();
    assert_eq!(
        file.inspection_due_on,
        chrono::NaiveDate::from_ymd_opt(2028, 11, 2),
        "a signed residential inspection: due again in two years"
    );
    assert_eq!(
        file.readings[0].value,
        Volume::from_litres(1_234_567),
        "the reading on the form reached the household's readings"
    );
    assert!(
        store
            .outbox(100)
            .unwrap()
            .iter()
            .any(|e| matches!(&e.operation, Operation::FormSealed { form: f } if f.id == form.id))
    );
}

#[test]
fn every_problem_is_reported_with_its_item_and_nothing_is_sealed() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store
        .answer(
            form.id,
            "leak_test",
            Some(Answer::Check(CheckAnswer {
                result: CheckResult::Fail,
                advice: None,
            })),
        )
        .unwrap();
    store
        .answer(form.id, "hose_ok", fail("更换为不锈钢波纹管"))
        .unwrap();
    store
        .answer(
            form.id,
            "hose_length",
            Some(Answer::Number("2.55".parse().unwrap())),
        )
        .unwrap();
    store
        .answer(
            form.id,
            "notes",
            Some(Answer::Text(
                "这是一段非常非常非常非常非常非常长的备注文字".into(),
            )),
        )
        .unwrap();
    let queued = store.outbox_len().unwrap();
    let Err(Error::Incomplete { problems }) = store.complete_form(form.id, at(2026, 11, 2, 2, 0))
    else {
        panic!("sealed with problems")
    };
    let found: Vec<(String, ProblemKind)> = problems
        .into_iter()
        .map(|p| (p.item.unwrap(), p.kind))
        .collect();
    assert!(
        found.contains(&("leak_test".into(), ProblemKind::HazardPhotoMissing)),
        "{found:?}"
    );
    assert!(found.contains(&("leak_test".into(), ProblemKind::AdviceMissing)));
    assert!(found.contains(&(
        "hose_length".into(),
        ProblemKind::TooManyDecimals { decimals: 1 }
    )));
    assert!(found.contains(&(
        "hose_length".into(),
        ProblemKind::AboveMaximum {
            max: "2.0".parse().unwrap()
        }
    )));
    assert!(found.contains(&("notes".into(), ProblemKind::TooLong { max_len: 20 })));
    assert!(found.contains(&(
        "customer_signature".into(),
        ProblemKind::SignatureMissing {
            role: SignerRole::Customer
        }
    )));
    assert!(!store.form(form.id).unwrap().is_sealed());
    assert_eq!(
        store.outbox_len().unwrap(),
        queued,
        "a refused completion queues nothing"
    );

    // An answer of the wrong kind is refused when given, naming the item.
    let Err(Error::Invalid(e)) =
        store.answer(form.id, "hose_length", Some(Answer::Text("两米".into())))
    else {
        panic!()
    };
    assert_eq!(e.field, "hose_length");
}

#[test]
fn conditional_item_appears_only_when_its_condition_holds() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    let has_length_problem = |store: &Store| {
        store
            .form_problems(form.id)
            .unwrap()
            .iter()
            .any(|p| p.item.as_deref() == Some("hose_length"))
    };
    assert!(!has_length_problem(&store), "hidden while the hose is fine");
    store.answer(form.id, "hose_ok", fail("更换软管")).unwrap();
    assert!(has_length_problem(&store), "asked for once the hose fails");
    store.answer(form.id, "hose_ok", pass()).unwrap();
    assert!(!has_length_problem(&store), "gone again");
}

#[test]
fn signature_given_before_an_answer_changed_must_be_given_again() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    store
        .answer(form.id, "notes", Some(Answer::Text("用户外出".into())))
        .unwrap();
    let problems = store.form_problems(form.id).unwrap();
    assert_eq!(
        problems
            .iter()
            .filter(|p| p.kind == ProblemKind::SignatureOutdated)
            .count(),
        2
    );
    let wrong_signer = store.sign(
        form.id,
        "customer_signature",
        signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 30)),
    );
    assert!(matches!(wrong_signer, Err(Error::Invalid(_))));
}

#[test]
fn sealed_form_refuses_every_change_even_through_raw_sql() {
    let (dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store
        .set_outcome(
            form.id,
            Outcome::NobodyHome {
                note: "敲门无人应答,已留联系卡".into(),
            },
        )
        .unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 5)),
        )
        .unwrap();
    store.complete_form(form.id, at(2026, 11, 2, 1, 6)).unwrap();

    assert!(matches!(
        store.answer(form.id, "leak_test", pass()),
        Err(Error::Sealed)
    ));
    assert!(matches!(
        store.complete_form(form.id, at(2026, 11, 2, 1, 7)),
        Err(Error::Sealed)
    ));
    drop(store);

    let conn = rusqlite::Connection::open(dir.path().join("doorstep.db")).unwrap();
    key().unlock(&conn).unwrap();
    let tampered = conn.execute(
        "UPDATE forms SET doc = replace(doc, 'nobody_home', 'completed') WHERE id = ?1",
        [form.id.to_string()],
    );
    assert!(tampered.unwrap_err().to_string().contains("form is sealed"));
    let deleted = conn.execute("DELETE FROM forms WHERE id = ?1", [form.id.to_string()]);
    assert!(deleted.unwrap_err().to_string().contains("form is sealed"));
    drop(conn);

    // A change made behind the store's back (e.g. in a copied file) is found by verification.
    let store = open(&dir);
    let mut copy = store.form(form.id).unwrap();
    verify(&copy, &hose_check()).unwrap();
    copy.outcome = Outcome::AccessRefused { note: "x".into() };
    assert!(verify(&copy, &hose_check()).is_err());
}

#[test]
fn customer_refusing_to_sign_is_recorded_with_reason_and_photo() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 5)),
        )
        .unwrap();
    // The photo must be one this phone took, at this household.
    let refused = Outcome::CustomerRefusedToSign {
        reason: "用户称无需安检,拒绝签字".into(),
        photo: PhotoRef::new(&photo(9), at(2026, 11, 2, 1, 4)).unwrap(),
    };
    let not_taken = store.set_outcome(form.id, refused);
    assert!(
        matches!(&not_taken, Err(Error::Invalid(e)) if e.field == "outcome.photo"),
        "{not_taken:?}"
    );
    let elsewhere = household(
        "3300000299",
        "孙丽",
        "13800000299",
        "环城北路29号",
        30.27,
        120.16,
    );
    store
        .save_household(&elsewhere, at(2026, 1, 1, 1, 0))
        .unwrap();
    let wrong_house = take_photo(&mut store, _dir.path(), elsewhere.id, 8);
    let refused = Outcome::CustomerRefusedToSign {
        reason: "用户称无需安检,拒绝签字".into(),
        photo: wrong_house,
    };
    assert!(matches!(
        store.set_outcome(form.id, refused),
        Err(Error::Invalid(e)) if e.field == "outcome.photo"
    ));
    assert_eq!(store.form(form.id).unwrap().outcome, Outcome::Completed);
    let refused = Outcome::CustomerRefusedToSign {
        reason: "用户称无需安检,拒绝签字".into(),
        photo: take_photo(&mut store, _dir.path(), h.id, 9),
    };
    store.set_outcome(form.id, refused).unwrap();
    // The outcome is part of the content: the technician signs again.
    assert!(matches!(
        store.complete_form(form.id, at(2026, 11, 2, 1, 6)),
        Err(Error::Incomplete { .. })
    ));
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 7)),
        )
        .unwrap();
    store.complete_form(form.id, at(2026, 11, 2, 1, 8)).unwrap();
}

#[test]
fn major_hazard_opens_a_follow_up_order_and_shuts_the_gas_off() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store
        .answer(form.id, "leak_test", fail("立即关闭表前阀,更换接头后复查"))
        .unwrap();
    store
        .attach_photo(
            form.id,
            "leak_test",
            PhotoRef::new(&photo(1), at(2026, 11, 2, 1, 10)).unwrap(),
        )
        .unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    store
        .complete_form(form.id, at(2026, 11, 2, 1, 22))
        .unwrap();

    let file = store.household_file(h.id).unwrap();
    assert_eq!(
        file.household.supply,
        SupplyStatus::ShutOff {
            reason: ShutOffReason::Hazard,
            since: at(2026, 11, 2, 1, 22),
            seal: None,
        }
    );
    assert_eq!(file.work_orders.len(), 1);
    assert_eq!(file.work_orders[0].kind, WorkOrderKind::Inspection);
    // The item's label says what passes; the order and the timeline name it as what failed,
    // in both languages.
    let description = &file.work_orders[0].description;
    assert!(
        description.contains("failed check: Leak test"),
        "{description}"
    );
    assert!(description.contains("不合格项："), "{description}");
    let shut_off = file
        .history
        .iter()
        .find(|e| e.summary.en.starts_with("gas shut off on the spot"))
        .expect("the shut-off on the timeline");
    assert!(
        shut_off.summary.en.contains("(failed check: Leak test"),
        "{:?}",
        shut_off.summary
    );
    assert!(
        shut_off.summary.zh.starts_with("当场停气（不合格项："),
        "{:?}",
        shut_off.summary
    );
    for e in &file.history {
        assert!(
            !e.summary.zh.is_empty() && e.summary.zh != e.summary.en,
            "every line in Chinese too: {:?}",
            e.summary
        );
    }
    assert_eq!(
        file.inspection_due_on, None,
        "no gas, no periodic inspection until reconnection"
    );

    // A typo corrected the next day: the amendment seals, and the visit's effects are not made
    // a second time (no second follow-up order, the shut-off still dated from the visit).
    let amendment = store.amend(form.id, at(2026, 11, 3, 9, 0)).unwrap();
    store
        .answer(
            amendment.id,
            "leak_test",
            fail("立即关闭表前阀，更换接头后复查"),
        )
        .unwrap();
    sign_both(&mut store, amendment.id, at(2026, 11, 3, 9, 5));
    store
        .complete_form(amendment.id, at(2026, 11, 3, 9, 6))
        .unwrap();
    let after = store.household_file(h.id).unwrap();
    assert_eq!(
        after.work_orders.len(),
        1,
        "one hazard, one follow-up order"
    );
    assert_eq!(after.household.supply, file.household.supply);
    assert_eq!(
        store
            .outbox(100)
            .unwrap()
            .iter()
            .filter(|e| matches!(e.operation, Operation::WorkOrderOpened { .. }))
            .count(),
        1
    );
}

#[test]
fn photo_taken_off_a_draft_is_gone_and_a_sealed_form_keeps_its_photos() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    let p1 = PhotoRef::new(&photo(1), at(2026, 11, 2, 1, 1)).unwrap();
    let p2 = PhotoRef::new(&photo(2), at(2026, 11, 2, 1, 2)).unwrap();
    store
        .attach_photo(form.id, "leak_test", p1.clone())
        .unwrap();
    store
        .attach_photo(form.id, "leak_test", p2.clone())
        .unwrap();
    let f = store
        .remove_photo(form.id, "leak_test", &p1.sha256)
        .unwrap();
    assert_eq!(f.photos["leak_test"], vec![p2.clone()]);
    assert!(matches!(
        store.attach_photo(form.id, "notes", p1.clone()),
        Err(Error::Invalid(_))
    ));
    assert!(PhotoRef::new("not-a-hash", at(2026, 11, 2, 1, 1)).is_err());

    store
        .answer(form.id, "leak_test", fail("更换接头"))
        .unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    store
        .complete_form(form.id, at(2026, 11, 2, 1, 22))
        .unwrap();
    assert!(matches!(
        store.remove_photo(form.id, "leak_test", &p2.sha256),
        Err(Error::Sealed)
    ));
    assert_eq!(store.form(form.id).unwrap().photos["leak_test"], vec![p2]);
}

#[test]
fn amendment_points_at_the_original_and_is_sealed_itself() {
    let (_dir, mut store, h) = setup();
    let t = hose_check();
    let form = store
        .start_form(&t, h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    store
        .answer(
            form.id,
            "meter_reading",
            Some(Answer::MeterReading(Volume::from_litres(1_000))),
        )
        .unwrap();
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    let original = store
        .complete_form(form.id, at(2026, 11, 2, 1, 22))
        .unwrap();

    let amendment = store.amend(form.id, at(2026, 11, 3, 2, 0)).unwrap();
    assert_eq!(amendment.amends, Some(form.id));
    assert!(
        amendment.signatures.is_empty(),
        "an amendment is signed anew"
    );
    store
        .answer(
            amendment.id,
            "meter_reading",
            Some(Answer::MeterReading(Volume::from_litres(10_000))),
        )
        .unwrap();
    sign_both(&mut store, amendment.id, at(2026, 11, 3, 2, 5));
    let corrected = store
        .complete_form(amendment.id, at(2026, 11, 3, 2, 6))
        .unwrap();
    assert_ne!(corrected.digest, original.digest);
    let readings = store.household_file(h.id).unwrap().readings;
    assert_eq!(
        readings
            .iter()
            .map(|r| (r.taken_at, r.value))
            .collect::<Vec<_>>(),
        vec![(original.sealed_at, Volume::from_litres(10_000))],
        "the corrected reading replaces the original's, at the time of the visit"
    );
    assert_eq!(
        store.form(form.id).unwrap().seal,
        Some(original),
        "the original is untouched"
    );
    assert!(
        store.amend(form.id, at(2026, 11, 3, 2, 30)).is_err(),
        "one visit, one line of corrections: the amendment is what is amended next"
    );
    assert!(
        store.amend(amendment.id, at(2026, 11, 3, 3, 0)).is_ok(),
        "an amendment can be amended"
    );
    let draft = store
        .start_form(&t, h.id, None, at(2026, 11, 3, 4, 0))
        .unwrap();
    assert!(
        store.amend(draft.id, at(2026, 11, 3, 4, 1)).is_err(),
        "a draft is edited, not amended"
    );
}

#[test]
fn open_draft_moves_onto_a_new_template_version_and_says_what_did_not_fit() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store
        .answer(form.id, "notes", Some(Answer::Text("备注".into())))
        .unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 5)),
        )
        .unwrap();

    // A newer version published meanwhile does not touch the open draft…
    store.receive_templates(&[hose_check_v2()]).unwrap();
    assert_eq!(store.form(form.id).unwrap().template_version, 1);
    assert_eq!(store.template("hose_check", 1).unwrap(), hose_check());
    // …until the technician moves it.
    let moved = store
        .move_draft_to_template(form.id, &hose_check_v2())
        .unwrap();
    assert_eq!(moved.form.template_version, 2);
    assert!(moved.form.answers.contains_key("leak_test"));
    let dropped: Vec<&str> = moved
        .dropped
        .iter()
        .map(|(item, _)| item.as_str())
        .collect();
    assert_eq!(dropped, vec!["notes", "technician_signature"]);
    // A version number cannot be reused for different content.
    let mut clash = hose_check_v2();
    clash.title.en = "Something else".into();
    assert!(store.receive_templates(&[clash]).is_err());
}

#[test]
fn an_option_picked_twice_counts_once_towards_the_fewest_choices() {
    let (_dir, mut store, h) = setup();
    let json = HOSE_CHECK.replace(
        r#"{"id": "notes", "kind": "text", "max_len": 20,"#,
        r#"{"id": "notes", "kind": "multiple_choice", "min": 2,
         "choices": [{"id": "a", "label": {"zh": "甲", "en": "A"}},
                     {"id": "b", "label": {"zh": "乙", "en": "B"}}],"#,
    );
    let t = Template::from_json(&json).unwrap();
    let form = store
        .start_form(&t, h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    let twice = Some(Answer::Choices(vec!["a".into(), "a".into()]));
    store.answer(form.id, "notes", twice).unwrap();
    let problems = store.form_problems(form.id).unwrap();
    assert!(
        problems.iter().any(|p| p.item.as_deref() == Some("notes")
            && p.kind == ProblemKind::TooFewChoices { min: 2 }),
        "{problems:?}"
    );
}

#[test]
fn a_customer_who_signed_then_refused_to_sign_the_correction_does_not_block_the_seal() {
    let (_dir, mut store, h) = setup();
    let refusal = take_photo(&mut store, _dir.path(), h.id, 9);
    let t = hose_check();
    let form = store
        .start_form(&t, h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 20));
    // The inspector corrects an answer; the customer will not sign again.
    store
        .answer(
            form.id,
            "notes",
            Some(Answer::Text("补记：表前阀已查".into())),
        )
        .unwrap();
    store
        .set_outcome(
            form.id,
            Outcome::CustomerRefusedToSign {
                reason: "不愿再签".into(),
                photo: refusal,
            },
        )
        .unwrap();
    let problems = store.form_problems(form.id).unwrap();
    assert!(
        problems
            .iter()
            .all(|p| p.item.as_deref() != Some("customer_signature")),
        "the customer's old signature is not asked for again: {problems:?}"
    );
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "徐磊", at(2026, 11, 2, 1, 26)),
        )
        .unwrap();
    store
        .complete_form(form.id, at(2026, 11, 2, 1, 27))
        .unwrap();
    let sealed = store.form(form.id).unwrap();
    assert!(
        !sealed.signatures.contains_key("customer_signature"),
        "a signature of what the form no longer says is not sealed with it"
    );
    verify(&sealed, &t).expect("the seal holds, as the server will check");
}

#[test]
fn an_answer_too_large_to_send_is_refused_at_once_and_nothing_is_queued() {
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    let queued = store.outbox_len().unwrap();
    let huge = "长".repeat(doorstep_core::forms::form::MAX_ANSWER_CHARS + 1);
    let err = store
        .answer(form.id, "notes", Some(Answer::Text(huge.clone())))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(e) if e.field == "notes" && !e.reason_zh.is_empty()),
        "{err:?}"
    );
    let advice = store.answer(form.id, "hose_ok", fail(&huge)).unwrap_err();
    assert!(
        matches!(&advice, Error::Invalid(e) if e.field == "hose_ok"),
        "{advice:?}"
    );
    let note = "没人".repeat(doorstep_core::forms::form::MAX_NOTE_CHARS);
    let outcome = store
        .set_outcome(form.id, Outcome::NobodyHome { note })
        .unwrap_err();
    assert!(
        matches!(&outcome, Error::Invalid(e) if e.field == "outcome.note"),
        "{outcome:?}"
    );
    assert_eq!(store.outbox_len().unwrap(), queued, "nothing queued");
    // A text over the item's own limit (but within what can be sent) is kept as a problem.
    store
        .answer(form.id, "notes", Some(Answer::Text("长".repeat(21))))
        .unwrap();
}

/// Two signatures drawn for a very long time: each is a signature, but the sealed form would be
/// more than one push request can carry, and the server would refuse it on every sync. Sealing is
/// refused at once, naming the form, with nothing written; signing again seals.
#[test]
fn a_form_too_large_to_send_is_refused_at_sealing_not_stuck_in_the_outbox() {
    use doorstep_core::store::MAX_OPERATION_BYTES;
    let (_dir, mut store, h) = setup();
    let form = store
        .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    store.answer(form.id, "leak_test", pass()).unwrap();
    store.answer(form.id, "hose_ok", pass()).unwrap();
    let long = |role, name: &str| {
        let mut s = signature(role, name, at(2026, 11, 2, 1, 5));
        s.strokes = vec![
            (0..48_000u32)
                .map(|i| doorstep_core::media::signature::StrokePoint {
                    x: 10.0 + (i % 400) as f32 + 0.123,
                    y: 40.0 + (i % 97) as f32 + 0.456,
                    t_ms: i * 16,
                    pressure: Some(0.5),
                })
                .collect(),
        ];
        s
    };
    store
        .sign(
            form.id,
            "customer_signature",
            long(SignerRole::Customer, "钱秀英"),
        )
        .unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            long(SignerRole::Technician, "徐磊"),
        )
        .unwrap();
    let queued = store.outbox_len().unwrap();
    let refused = store.complete_form(form.id, at(2026, 11, 2, 1, 6));
    assert!(
        matches!(&refused, Err(Error::Invalid(e)) if e.field == "form"),
        "{refused:?}"
    );
    assert!(store.form(form.id).unwrap().seal.is_none(), "still a draft");
    assert_eq!(store.outbox_len().unwrap(), queued, "nothing queued");
    assert!(
        store
            .outbox(1000)
            .unwrap()
            .iter()
            .all(|e| serde_json::to_string(&e.operation).unwrap().len() <= MAX_OPERATION_BYTES)
    );
    sign_both(&mut store, form.id, at(2026, 11, 2, 1, 7));
    store.complete_form(form.id, at(2026, 11, 2, 1, 8)).unwrap();
}

#[test]
fn a_form_cannot_be_filed_under_another_households_order() {
    use doorstep_core::workorder::{WorkOrder, WorkOrderSource};
    let (_dir, mut store, h) = setup();
    let neighbour = household(
        "3300000201",
        "孙丽",
        "13800000201",
        "环城北路22号",
        30.27,
        120.16,
    );
    store
        .save_household(&neighbour, at(2026, 1, 1, 1, 0))
        .unwrap();
    let order = WorkOrder::open(
        "GD-0100",
        WorkOrderKind::Inspection,
        WorkOrderSource::System,
        Some(neighbour.id),
        "",
        at(2026, 1, 1, 1, 0),
    );
    store.open_work_order(&order).unwrap();
    let template = hose_check();
    let refused = store.start_form(&template, h.id, Some(order.id), at(2026, 1, 2, 1, 0));
    match refused {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "work_order"),
        other => panic!("filed under the neighbour's order: {other:?}"),
    }
    assert!(
        store.forms_of_household(h.id).unwrap().is_empty(),
        "nothing of the form was written"
    );
    store
        .start_form(
            &template,
            neighbour.id,
            Some(order.id),
            at(2026, 1, 2, 1, 0),
        )
        .unwrap();
}
