//! Every built-in form, filled in as a technician would: a complete valid form seals, each
//! kind of wrong answer is reported against its item, and conditional items come and go.

use crate::common;

use common::forms::{photo, signature};
use common::*;
use doorstep_core::error::Error;
use doorstep_core::forms::FormKind;
use doorstep_core::forms::builtin::builtin_templates;
use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult, Form, PhotoRef, ProblemKind};
use doorstep_core::forms::template::ItemKind;
use doorstep_core::forms::{Decimal, Template};
use doorstep_core::household::{SupplyStatus, Volume};
use doorstep_core::store::Store;
use doorstep_core::testkit::valid_answer;

/// Answers every item that is visible (re-checking as answers reveal more), attaches the
/// photos photo items need, then collects every signature.
fn fill(store: &mut Store, form: &Form, template: &Template) {
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template.items().filter(|i| current.is_visible(template, i)) {
            if current.answers.contains_key(&item.id) {
                continue;
            }
            if let Some(answer) = valid_answer(item, at(2026, 11, 2, 1, 30)) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            } else if let ItemKind::Photo { min, max } = item.kind {
                for n in 0..min.max(1).min(max) {
                    store
                        .attach_photo(
                            form.id,
                            &item.id,
                            PhotoRef::new(&photo(n as u8 + 1), at(2026, 11, 2, 1, 10)).unwrap(),
                        )
                        .unwrap();
                }
            }
        }
    }
    for item in template.items() {
        if let ItemKind::Signature { role } = item.kind {
            store
                .sign(
                    form.id,
                    &item.id,
                    signature(role, "王秀英", at(2026, 11, 2, 1, 40)),
                )
                .unwrap();
        }
    }
}

fn start(template: &Template) -> (tempfile::TempDir, Store, Form) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000300",
        "王秀英",
        "13800000300",
        "凤起路30号",
        30.27,
        120.16,
    );
    store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
    let form = store
        .start_form(template, h.id, None, at(2026, 11, 2, 1, 0))
        .unwrap();
    (dir, store, form)
}

#[test]
fn there_are_ten_built_in_forms() {
    assert_eq!(builtin_templates().len(), 10);
}

#[test]
fn every_built_in_form_filled_in_completely_seals_and_applies_its_consequences() {
    let mut readings_recorded = 0;
    for template in builtin_templates() {
        let (_dir, mut store, form) = start(&template);
        fill(&mut store, &form, &template);
        let problems = store.form_problems(form.id).unwrap();
        assert!(problems.is_empty(), "{}: {problems:?}", template.id);
        store
            .complete_form(form.id, at(2026, 11, 2, 1, 45))
            .unwrap_or_else(|e| panic!("{}: {e}", template.id));
        assert!(store.form(form.id).unwrap().is_sealed());

        // What the sealed form changed, in the same transaction.
        let file = store.household_file(form.household_id).unwrap();
        let h = &file.household;
        match template.kind {
            kind if kind.is_inspection() => assert_eq!(
                h.last_inspection_at,
                Some(at(2026, 11, 2, 1, 45)),
                "{}",
                template.id
            ),
            FormKind::AcceptanceAndGasOn => {
                assert_eq!(h.supply, SupplyStatus::Active);
                assert_eq!(h.meter.as_ref().unwrap().serial, "M20261102");
                assert_eq!(h.gas_on_date, chrono::NaiveDate::from_ymd_opt(2026, 11, 2));
            }
            FormKind::ShutOff => assert!(
                matches!(h.supply, SupplyStatus::ShutOff { .. }),
                "{:?}",
                h.supply
            ),
            FormKind::Reconnection => assert_eq!(h.supply, SupplyStatus::Active),
            FormKind::SpecialGroupRegistration => {
                let registration = h.special_group.as_ref().expect("registered");
                assert!(registration.consent_given);
                assert_eq!(
                    registration.contact.as_ref().unwrap().phone.as_str(),
                    "13800001234"
                );
            }
            _ => {}
        }
        if template.items().any(|i| i.id == "meter_reading")
            && matches!(file.readings.first(), Some(r) if r.value == Volume::from_litres(1_234_567))
        {
            readings_recorded += 1;
        }
    }
    assert!(
        readings_recorded >= 3,
        "meter readings on forms reach the household's readings"
    );
}

#[test]
fn every_kind_of_wrong_answer_is_reported_against_its_item() {
    let mut seen = std::collections::HashSet::new();
    for template in builtin_templates() {
        let (_dir, mut store, form) = start(&template);
        fill(&mut store, &form, &template);
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            let wrong: Vec<(Answer, ProblemKind)> = match &item.kind {
                ItemKind::Number {
                    min, max, decimals, ..
                } => {
                    let mut w = vec![(
                        Answer::Number(Decimal::new(1, decimals + 1)),
                        ProblemKind::TooManyDecimals {
                            decimals: *decimals,
                        },
                    )];
                    if let Some(min) = min {
                        w.push((
                            Answer::Number(Decimal::new(-1_000_000_000, 0)),
                            ProblemKind::BelowMinimum { min: *min },
                        ));
                    }
                    if let Some(max) = max {
                        w.push((
                            Answer::Number(Decimal::new(1_000_000_000, 0)),
                            ProblemKind::AboveMaximum { max: *max },
                        ));
                    }
                    w
                }
                ItemKind::Text { max_len, .. } => vec![(
                    Answer::Text("长".repeat(*max_len as usize + 1)),
                    ProblemKind::TooLong { max_len: *max_len },
                )],
                ItemKind::SingleChoice { .. } => vec![(
                    Answer::Choice("no_such_option".into()),
                    ProblemKind::NotAChoice,
                )],
                ItemKind::MultipleChoice {
                    choices,
                    max: Some(max),
                    ..
                } if (*max as usize) < choices.len() => vec![(
                    Answer::Choices(choices.iter().map(|c| c.id.clone()).collect()),
                    ProblemKind::TooManyChoices { max: *max },
                )],

                ItemKind::Check { hazard: Some(rule) }
                    if rule.photo_required && !current.photos.contains_key(&item.id) =>
                {
                    vec![(
                        Answer::Check(CheckAnswer {
                            result: CheckResult::Fail,
                            advice: Some("整改".into()),
                        }),
                        ProblemKind::HazardPhotoMissing,
                    )]
                }
                ItemKind::Check { hazard: Some(rule) } if rule.advice_required => vec![(
                    Answer::Check(CheckAnswer {
                        result: CheckResult::Fail,
                        advice: None,
                    }),
                    ProblemKind::AdviceMissing,
                )],
                _ => vec![],
            };
            for (answer, expected) in wrong {
                let before = store.form(form.id).unwrap().answers.get(&item.id).cloned();
                store.answer(form.id, &item.id, Some(answer)).unwrap();
                let problems = store.form_problems(form.id).unwrap();
                assert!(
                    problems
                        .iter()
                        .any(|p| p.item.as_deref() == Some(item.id.as_str()) && p.kind == expected),
                    "{}.{}: expected {expected:?}, got {problems:?}",
                    template.id,
                    item.id
                );
                let Err(Error::Incomplete { .. }) =
                    store.complete_form(form.id, at(2026, 11, 2, 2, 0))
                else {
                    panic!("{}.{} sealed", template.id, item.id)
                };
                seen.insert(std::mem::discriminant(&expected));
                store.answer(form.id, &item.id, before).unwrap();
            }
            if item.required && valid_answer(item, at(2026, 11, 2, 1, 30)).is_some() {
                let before = store.form(form.id).unwrap().answers.get(&item.id).cloned();
                store.answer(form.id, &item.id, None).unwrap();
                let problems = store.form_problems(form.id).unwrap();
                assert!(
                    problems
                        .iter()
                        .any(|p| p.item.as_deref() == Some(item.id.as_str())),
                    "{}.{}: missing answer not reported",
                    template.id,
                    item.id
                );
                seen.insert(std::mem::discriminant(&ProblemKind::Missing));
                store.answer(form.id, &item.id, before).unwrap();
            }
        }
    }
    assert!(
        seen.len() >= 7,
        "the built-in forms exercise every kind of problem: saw {}",
        seen.len()
    );
}

#[test]
fn conditional_items_appear_and_disappear_with_their_condition() {
    let mut conditions = 0;
    for template in builtin_templates() {
        let mut form = Form::new(
            &template,
            doorstep_core::ids::HouseholdId::new(),
            None,
            at(2026, 11, 2, 1, 0),
        );
        for item in template.items() {
            let Some(condition) = &item.visible_when else {
                continue;
            };
            let target = template.item(&condition.item).unwrap();
            let (matching, other) = match &target.kind {
                ItemKind::Check { .. } => {
                    let result = |s: &str| match s {
                        "pass" => CheckResult::Pass,
                        "fail" => CheckResult::Fail,
                        _ => CheckResult::Na,
                    };
                    let other = ["pass", "fail", "na"]
                        .into_iter()
                        .find(|v| !condition.is.iter().any(|c| c == v))
                        .unwrap();
                    (
                        Answer::Check(CheckAnswer {
                            result: result(&condition.is[0]),
                            advice: Some("整改".into()),
                        }),
                        Answer::Check(CheckAnswer {
                            result: result(other),
                            advice: None,
                        }),
                    )
                }
                ItemKind::SingleChoice { choices } => {
                    let other = choices
                        .iter()
                        .find(|c| !condition.is.contains(&c.id))
                        .unwrap();
                    (
                        Answer::Choice(condition.is[0].clone()),
                        Answer::Choice(other.id.clone()),
                    )
                }
                ItemKind::MultipleChoice { choices, .. } => {
                    let other = choices
                        .iter()
                        .find(|c| !condition.is.contains(&c.id))
                        .unwrap();
                    (
                        Answer::Choices(vec![condition.is[0].clone()]),
                        Answer::Choices(vec![other.id.clone()]),
                    )
                }
                _ => unreachable!("templates only condition on checks and choices"),
            };
            // Make the target itself visible first (conditions may chain).
            let mut chain = target;
            while let Some(up) = &chain.visible_when {
                let up_item = template.item(&up.item).unwrap();
                let value = match &up_item.kind {
                    ItemKind::Check { .. } => Answer::Check(CheckAnswer {
                        result: if up.is[0] == "fail" {
                            CheckResult::Fail
                        } else if up.is[0] == "na" {
                            CheckResult::Na
                        } else {
                            CheckResult::Pass
                        },
                        advice: Some("整改".into()),
                    }),
                    ItemKind::SingleChoice { .. } => Answer::Choice(up.is[0].clone()),
                    _ => Answer::Choices(vec![up.is[0].clone()]),
                };
                form.answer(&template, &up.item, Some(value)).unwrap();
                chain = up_item;
            }
            form.answer(&template, &condition.item, Some(matching))
                .unwrap();
            assert!(
                form.is_visible(&template, item),
                "{}.{} should appear",
                template.id,
                item.id
            );
            form.answer(&template, &condition.item, Some(other))
                .unwrap();
            assert!(
                !form.is_visible(&template, item),
                "{}.{} should disappear",
                template.id,
                item.id
            );
            conditions += 1;
        }
    }
    assert!(
        conditions >= 5,
        "the built-in forms use conditional items ({conditions})"
    );
}

#[test]
fn sealing_a_repair_closing_resolves_its_order_in_the_same_transaction_and_only_once() {
    use doorstep_core::forms::builtin::builtin_template;
    use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
    let template = builtin_template("repair_closing").unwrap();
    let (_dir, mut store, draft) = start(&template);
    let order = WorkOrder::open(
        "WX-20261102-01",
        WorkOrderKind::UserEquipmentFault,
        WorkOrderSource::Phone,
        Some(draft.household_id),
        "灶具打不着火 / stove will not light",
        at(2026, 11, 2, 0, 30),
    );
    store.open_work_order(&order).unwrap();
    let form = store
        .start_form(
            &template,
            draft.household_id,
            Some(order.id),
            at(2026, 11, 2, 1, 0),
        )
        .unwrap();
    fill(&mut store, &form, &template);
    store
        .complete_form(form.id, at(2026, 11, 2, 1, 45))
        .unwrap();

    let resolved = store.work_order(order.id).unwrap();
    assert_eq!(resolved.status(), WorkOrderStatus::Resolved);
    let last = resolved.steps.last().unwrap();
    assert_eq!(last.at, at(2026, 11, 2, 1, 45), "at the seal's time");
    // The app does not have to move it as well; if it does, the order keeps its one resolution.
    let again = store
        .move_work_order(
            order.id,
            WorkOrderStatus::Resolved,
            at(2026, 11, 2, 1, 50),
            None,
        )
        .unwrap();
    assert_eq!(again.steps, resolved.steps);
    let steps = store
        .push_batch(100)
        .unwrap()
        .into_iter()
        .filter(|op| {
            matches!(
                op.operation,
                doorstep_core::sync::protocol::Operation::WorkOrderMoved { .. }
            )
        })
        .count();
    assert_eq!(steps, 1, "one step queued for the server");
}
