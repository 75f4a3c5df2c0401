//! What keeps a form from being completed, each problem named by its item.

use serde::{Deserialize, Serialize};

use super::answer::{Answer, CheckResult};
use crate::InvalidInput;
use crate::forms::decimal::Decimal;
use crate::forms::template::{FormKind, Item, ItemKind, SignerRole, Template};
use crate::text::said;

/// One thing that keeps a form from being completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The item it is about, when it is about one.
    pub item: Option<String>,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ProblemKind {
    Missing,
    BelowMinimum {
        min: Decimal,
    },
    AboveMaximum {
        max: Decimal,
    },
    TooManyDecimals {
        decimals: u8,
    },
    TooLong {
        max_len: u32,
    },
    NotAChoice,
    TooFewChoices {
        min: u32,
    },
    TooManyChoices {
        max: u32,
    },
    TooFewPhotos {
        min: u32,
    },
    TooManyPhotos {
        max: u32,
    },
    /// A failed check whose hazard rule wants photo evidence has none.
    HazardPhotoMissing,
    /// A failed check whose hazard rule wants rectification advice has none.
    AdviceMissing,
    SignatureMissing {
        role: SignerRole,
    },
    /// The answers changed after this signature was given: the signer must sign again.
    SignatureOutdated,
    /// Nobody home / access refused needs a note saying what the technician found.
    NoteMissing,
    /// A consequence of the form cannot be applied (e.g. a contact phone that is not a number).
    Invalid {
        field: String,
        reason: String,
        /// The reason in Chinese (empty in problems kept before it was added).
        #[serde(default)]
        reason_zh: String,
    },
}

impl ProblemKind {
    pub fn invalid(e: InvalidInput) -> Self {
        ProblemKind::Invalid {
            field: e.field,
            reason: e.reason,
            reason_zh: e.reason_zh,
        }
    }
}

/// The problems of one answer against its item (`photos`: photos attached to the item).
pub(super) fn answer_problems(item: &Item, answer: &Answer, photos: u32) -> Vec<ProblemKind> {
    let mut found = Vec::new();
    match (&item.kind, answer) {
        (ItemKind::Check { hazard }, Answer::Check(check)) => {
            if let (Some(rule), CheckResult::Fail) = (hazard, check.result) {
                if rule.photo_required && photos == 0 {
                    found.push(ProblemKind::HazardPhotoMissing);
                }
                if rule.advice_required
                    && check.advice.as_deref().is_none_or(|a| a.trim().is_empty())
                {
                    found.push(ProblemKind::AdviceMissing);
                }
            }
        }
        (
            ItemKind::Number {
                decimals, min, max, ..
            },
            Answer::Number(value),
        ) => {
            if value.scale() > *decimals {
                found.push(ProblemKind::TooManyDecimals {
                    decimals: *decimals,
                });
            }
            if let Some(min) = min
                && value < min
            {
                found.push(ProblemKind::BelowMinimum { min: *min });
            }
            if let Some(max) = max
                && value > max
            {
                found.push(ProblemKind::AboveMaximum { max: *max });
            }
        }
        (ItemKind::Text { max_len, .. }, Answer::Text(text)) => {
            if text.trim().is_empty() && item.required {
                found.push(ProblemKind::Missing);
            }
            if text.chars().count() > *max_len as usize {
                found.push(ProblemKind::TooLong { max_len: *max_len });
            }
        }
        (ItemKind::SingleChoice { choices }, Answer::Choice(choice))
            if !choices.iter().any(|c| &c.id == choice) =>
        {
            found.push(ProblemKind::NotAChoice);
        }
        (ItemKind::MultipleChoice { choices, min, max }, Answer::Choices(chosen)) => {
            if chosen.iter().any(|c| !choices.iter().any(|o| &o.id == c)) {
                found.push(ProblemKind::NotAChoice);
            }
            // One option picked twice counts once.
            let count = chosen
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len() as u32;
            if count < *min || (count == 0 && item.required) {
                found.push(ProblemKind::TooFewChoices { min: (*min).max(1) });
            }
            if let Some(max) = max
                && count > *max
            {
                found.push(ProblemKind::TooManyChoices { max: *max });
            }
        }
        (ItemKind::MeterReading, Answer::MeterReading(v)) if v.litres() < 0 => {
            found.push(ProblemKind::BelowMinimum {
                min: Decimal::new(0, 0),
            });
        }
        (ItemKind::Charges, Answer::Charges(charges)) => {
            if let Err(e) = charges.validate() {
                found.push(ProblemKind::invalid(e));
            }
        }
        (ItemKind::Location, Answer::Location(l))
            if !l.accuracy_m.is_finite() || l.accuracy_m < 0.0 =>
        {
            found.push(ProblemKind::invalid(InvalidInput::new(
                "accuracy_m",
                said("须为以米计的距离", "must be a distance in metres"),
            )));
        }
        _ => {}
    }
    found
}

/// The shut-off form's reason and its notice (Art.7(2)): planned works are always announced in
/// advance, so "emergency, customer told afterwards" is not an answer for them. The item and
/// choice ids are the built-in shut-off template's (`templates/shut_off.json`).
const SHUT_OFF_REASON: &str = "shut_off_reason";
const PLANNED_WORKS: &str = "planned_works";
const SHUT_OFF_NOTICE: &str = "notice";
const TOLD_AFTERWARDS: &str = "emergency";

/// The rules between answers of one form (each answer's own rules are in [`answer_problems`]).
pub(super) fn form_rule_problems(form: &super::Form, template: &Template) -> Vec<Problem> {
    let mut found = Vec::new();
    let chosen = |item: &str| match form.answers.get(item) {
        Some(Answer::Choice(c)) => Some(c.as_str()),
        _ => None,
    };
    if template.kind == FormKind::ShutOff
        && chosen(SHUT_OFF_REASON) == Some(PLANNED_WORKS)
        && chosen(SHUT_OFF_NOTICE) == Some(TOLD_AFTERWARDS)
    {
        found.push(Problem {
            item: Some(SHUT_OFF_NOTICE.to_owned()),
            kind: ProblemKind::invalid(InvalidInput::new(
                SHUT_OFF_NOTICE,
                said(
                    "计划停气必须提前通知用户，“紧急停气、事后告知”只用于紧急情况",
                    "planned works are announced in advance: \"emergency, customer told afterwards\" is only for an emergency",
                ),
            )),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::super::Form;
    use super::*;
    use crate::fees::{ChargeLine, Charges, PaymentMethod};
    use crate::forms::builtin::builtin_template;
    use crate::forms::seal::content_digest;
    use crate::ids::{HouseholdId, TechnicianId};

    fn invalid_fields(form: &Form, template: &Template) -> Vec<(Option<String>, String)> {
        form.problems(template)
            .into_iter()
            .filter_map(|p| match p.kind {
                ProblemKind::Invalid { field, .. } => Some((p.item, field)),
                _ => None,
            })
            .collect()
    }

    fn charged(receipt: Option<&str>) -> Answer {
        Answer::Charges(Charges {
            lines: vec![ChargeLine {
                item: "更换灶前阀".into(),
                quantity: 1,
                unit_price_fen: 3500,
            }],
            method: Some(PaymentMethod::WechatPay),
            receipt: receipt.map(Into::into),
            collected_by: TechnicianId::new(),
        })
    }

    #[test]
    fn a_repair_closing_that_collected_money_without_a_receipt_cannot_be_completed() {
        for id in ["repair_closing", "acceptance_gas_on"] {
            let template = builtin_template(id).unwrap();
            let mut form = Form::new(&template, HouseholdId::new(), None, Utc::now());
            form.answer(&template, "charges", Some(charged(None)))
                .unwrap();
            assert!(
                invalid_fields(&form, &template)
                    .contains(&(Some("charges".into()), "charges.receipt".into())),
                "{id}"
            );
            form.answer(&template, "charges", Some(charged(Some("WX-20261201-7"))))
                .unwrap();
            assert_eq!(invalid_fields(&form, &template), vec![], "{id}");
            // A charge is not a text: the answer kind must fit.
            let err = form
                .answer(&template, "charges", Some(Answer::Text("35元".into())))
                .unwrap_err();
            assert_eq!(err.field, "charges");
        }
    }

    #[test]
    fn the_seal_covers_every_charge_line_and_the_receipt() {
        let template = builtin_template("repair_closing").unwrap();
        let mut form = Form::new(&template, HouseholdId::new(), None, Utc::now());
        form.answer(&template, "charges", Some(charged(Some("R1"))))
            .unwrap();
        let before = content_digest(&form, &template);
        let Some(Answer::Charges(mut c)) = form.answers.get("charges").cloned() else {
            unreachable!()
        };
        c.lines[0].unit_price_fen = 3501;
        form.answer(&template, "charges", Some(Answer::Charges(c.clone())))
            .unwrap();
        let priced = content_digest(&form, &template);
        assert_ne!(before, priced);
        c.receipt = Some("R2".into());
        form.answer(&template, "charges", Some(Answer::Charges(c)))
            .unwrap();
        assert_ne!(priced, content_digest(&form, &template));
    }

    #[test]
    fn a_planned_shut_off_cannot_be_an_emergency_told_afterwards() {
        let template = builtin_template("shut_off").unwrap();
        let mut form = Form::new(&template, HouseholdId::new(), None, Utc::now());
        let choose = |form: &mut Form, item: &str, choice: &str| {
            form.answer(&template, item, Some(Answer::Choice(choice.into())))
                .unwrap()
        };
        choose(&mut form, "shut_off_reason", "planned_works");
        choose(&mut form, "notice", "emergency");
        assert_eq!(
            invalid_fields(&form, &template),
            vec![(Some("notice".into()), "notice".into())]
        );
        // A leak found at the door is shut off first and the customer told afterwards.
        choose(&mut form, "shut_off_reason", "hazard");
        assert_eq!(invalid_fields(&form, &template), vec![]);
        // Planned works announced in advance are fine.
        choose(&mut form, "shut_off_reason", "planned_works");
        choose(&mut form, "notice", "advance_notice");
        assert_eq!(invalid_fields(&form, &template), vec![]);
    }
}
