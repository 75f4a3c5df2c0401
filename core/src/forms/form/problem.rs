//! What keeps a form from being completed, each problem named by its item.

use serde::{Deserialize, Serialize};

use super::answer::{Answer, CheckResult};
use crate::InvalidInput;
use crate::forms::decimal::Decimal;
use crate::forms::template::{Item, ItemKind, SignerRole};
use crate::words::said;

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
