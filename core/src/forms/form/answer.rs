//! The answer to one item, and the checks an answer meets before a draft keeps it: its kind
//! fits the item, its size fits the outbox, its location's accuracy is a distance.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::fees::Charges;
use crate::forms::decimal::Decimal;
use crate::forms::template::{Item, ItemKind};
use crate::geo::GeoPoint;
use crate::household::Volume;
use crate::text::said;

/// The answer to one item. Numbers are exact decimals; times are UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    Check(CheckAnswer),
    Number(Decimal),
    Text(String),
    Choice(String),
    Choices(Vec<String>),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    MeterReading(Volume),
    Location(CapturedLocation),
    /// What was charged and collected at the door (Art.14): lines in fen, method, receipt.
    Charges(Charges),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckAnswer {
    pub result: CheckResult,
    /// Rectification advice given to the customer for a failed check (整改意见).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Pass,
    Fail,
    Na,
}

impl CheckResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckResult::Pass => "pass",
            CheckResult::Fail => "fail",
            CheckResult::Na => "na",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturedLocation {
    pub point: GeoPoint,
    pub accuracy_m: f64,
}

/// The answer must be of the kind the item asks for.
pub(super) fn check_answer_type(item: &Item, answer: &Answer) -> Result<(), InvalidInput> {
    let fits = matches!(
        (&item.kind, answer),
        (ItemKind::Check { .. }, Answer::Check(_))
            | (ItemKind::Number { .. }, Answer::Number(_))
            | (ItemKind::Text { .. }, Answer::Text(_))
            | (ItemKind::SingleChoice { .. }, Answer::Choice(_))
            | (ItemKind::MultipleChoice { .. }, Answer::Choices(_))
            | (ItemKind::Date, Answer::Date(_))
            | (ItemKind::DateTime, Answer::DateTime(_))
            | (ItemKind::MeterReading, Answer::MeterReading(_))
            | (ItemKind::Location, Answer::Location(_))
            | (ItemKind::Charges, Answer::Charges(_))
    );
    if fits {
        Ok(())
    } else {
        let how = match item.kind {
            ItemKind::Photo { .. } => said(
                "这一项请加照片，不用作答",
                "attach photos to this item instead of answering it",
            ),
            ItemKind::Signature { .. } => said(
                "这一项请签名，不用作答",
                "sign this item instead of answering it",
            ),
            _ => said(
                "这种答案不适合这一项",
                "this kind of answer does not fit the item",
            ),
        };
        Err(InvalidInput::new(item.id.clone(), how))
    }
}

/// The most text one answer may carry (a text, a check's advice), whatever its item allows (a
/// template's `max_len` is at most 10,000), and the most options one answer may name. Past
/// them an answer is refused at once instead of being kept as a problem of the draft: every
/// answer travels in the outbox, and none may grow too large to be sent.
pub const MAX_ANSWER_CHARS: usize = 10_000;
pub const MAX_ANSWER_CHOICES: usize = 100;

/// A location's accuracy is a distance: not kept otherwise, as JSON has no NaN or infinity
/// (the draft could not be read back) and no check could compare it.
pub(super) fn check_location_accuracy(item: &str, answer: &Answer) -> Result<(), InvalidInput> {
    match answer {
        Answer::Location(l) if !l.accuracy_m.is_finite() || l.accuracy_m < 0.0 => {
            Err(InvalidInput::new(
                item,
                said(
                    "位置精度须为零或正的有限米数",
                    "the location's accuracy must be a finite number of metres, zero or more",
                ),
            ))
        }
        _ => Ok(()),
    }
}

pub(super) fn check_answer_size(item: &str, answer: &Answer) -> Result<(), InvalidInput> {
    let too_long = |text: &str| text.chars().count() > MAX_ANSWER_CHARS;
    let refused = match answer {
        Answer::Text(text) => too_long(text),
        Answer::Check(check) => check.advice.as_deref().is_some_and(too_long),
        Answer::Choices(ids) => ids.len() > MAX_ANSWER_CHOICES,
        Answer::Charges(c) => {
            c.lines.len() > crate::fees::MAX_CHARGE_LINES
                || c.lines.iter().any(|l| too_long(&l.item))
                || c.receipt.as_deref().is_some_and(too_long)
        }
        _ => false,
    };
    if refused {
        return Err(InvalidInput::new(
            item,
            said(
                format!("答案太长：文字最多{MAX_ANSWER_CHARS}字，选项最多{MAX_ANSWER_CHOICES}个"),
                format!(
                    "too large: at most {MAX_ANSWER_CHARS} characters of text, {MAX_ANSWER_CHOICES} options"
                ),
            ),
        ));
    }
    Ok(())
}
