//! A form as it is filled in, signed and sealed, and what keeps it from being completed.
//! Answers, problems and outcomes are mirrors: decimals, days and ids cross as text and are
//! read back with the core's checks.

use chrono::{DateTime, Utc};
use doorstep_core::forms::form as core_form;
pub use doorstep_core::forms::seal::Seal;
use doorstep_core::household as core_household;
use doorstep_core::media::signature::SignatureCapture;
pub use doorstep_core::media::signature::StrokePoint;

pub use doorstep_core::forms::form::CheckResult;

use super::{Point, SignerRole, Timestamp, day, parse_day};
use crate::error::Result;

#[uniffi::remote(Enum)]
pub enum CheckResult {
    Pass,
    Fail,
    Na,
}

/// The answer to one item.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerValue {
    Check {
        result: CheckResult,
        /// Rectification advice for a failed check (整改意见).
        advice: Option<String>,
    },
    /// An exact decimal, as text: `0.35`, `-2`, `12.50`.
    Number {
        value: String,
    },
    Text {
        value: String,
    },
    Choice {
        id: String,
    },
    Choices {
        ids: Vec<String>,
    },
    /// A day, `YYYY-MM-DD`.
    Date {
        value: String,
    },
    DateTime {
        value: Timestamp,
    },
    /// A meter reading in m³, as text with up to three decimals: `1234.567`.
    MeterReading {
        cubic_metres: String,
    },
    Location {
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    },
    /// Fees collected on site: lines in fen, the payment method, the receipt number.
    Charges {
        value: super::ChargesValue,
    },
}

impl AnswerValue {
    pub(crate) fn to_core(&self) -> Result<core_form::Answer> {
        use core_form::Answer as A;
        Ok(match self {
            AnswerValue::Check { result, advice } => A::Check(core_form::CheckAnswer {
                result: *result,
                advice: advice.clone(),
            }),
            AnswerValue::Number { value } => A::Number(value.parse()?),
            AnswerValue::Text { value } => A::Text(value.clone()),
            AnswerValue::Choice { id } => A::Choice(id.clone()),
            AnswerValue::Choices { ids } => A::Choices(ids.clone()),
            AnswerValue::Date { value } => A::Date(parse_day("answer", value)?),
            AnswerValue::DateTime { value } => A::DateTime(*value),
            AnswerValue::MeterReading { cubic_metres } => {
                A::MeterReading(core_household::Volume::parse_cubic_metres(cubic_metres)?)
            }
            AnswerValue::Location {
                lat,
                lon,
                accuracy_m,
            } => {
                // The accuracy is the core's to check (`Form::answer`).
                A::Location(core_form::CapturedLocation {
                    point: Point {
                        lat: *lat,
                        lon: *lon,
                    }
                    .to_core()?,
                    accuracy_m: *accuracy_m,
                })
            }
            AnswerValue::Charges { value } => A::Charges(value.to_core()?),
        })
    }
}

impl From<core_form::Answer> for AnswerValue {
    fn from(a: core_form::Answer) -> Self {
        use core_form::Answer as A;
        match a {
            A::Check(c) => AnswerValue::Check {
                result: c.result,
                advice: c.advice,
            },
            A::Number(n) => AnswerValue::Number {
                value: n.to_string(),
            },
            A::Text(value) => AnswerValue::Text { value },
            A::Choice(id) => AnswerValue::Choice { id },
            A::Choices(ids) => AnswerValue::Choices { ids },
            A::Date(d) => AnswerValue::Date { value: day(d) },
            A::DateTime(t) => AnswerValue::DateTime { value: t },
            A::MeterReading(v) => AnswerValue::MeterReading {
                cubic_metres: v.decimal_text(),
            },
            A::Location(l) => AnswerValue::Location {
                lat: l.point.lat(),
                lon: l.point.lon(),
                accuracy_m: l.accuracy_m,
            },
            A::Charges(c) => AnswerValue::Charges { value: c.into() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemAnswer {
    pub item: String,
    pub answer: AnswerValue,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemPhoto {
    pub item: String,
    pub sha256: String,
    pub attached_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemSignature {
    pub item: String,
    pub role: SignerRole,
    pub signer_name: String,
    pub signed_at: Timestamp,
}

/// One point of a signature stroke, as the core keeps it: screen points, milliseconds since
/// the signature began, the pen pressure where the screen reports it.
#[uniffi::remote(Record)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    pub pressure: Option<f32>,
}

/// A signature as the signature pad captured it. The core's `SignatureCapture` less its time,
/// which is the moment the library receives it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SignatureInput {
    pub role: SignerRole,
    pub signer_name: String,
    pub strokes: Vec<Vec<StrokePoint>>,
}

impl SignatureInput {
    pub(crate) fn into_core(self, at: DateTime<Utc>) -> SignatureCapture {
        SignatureCapture {
            role: self.role,
            signer_name: self.signer_name,
            signed_at: at,
            strokes: self.strokes,
        }
    }
}

/// How the visit ended.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum VisitOutcome {
    /// The form was filled in and signed.
    Completed,
    /// Nobody opened the door: only the technician signs.
    NobodyHome { note: String },
    /// The customer did not let the technician in.
    AccessRefused { note: String },
    /// The customer would not sign: the reason and a photo stand in for the signature.
    CustomerRefusedToSign {
        reason: String,
        photo_sha256: String,
    },
}

impl VisitOutcome {
    pub(crate) fn to_core(&self, at: DateTime<Utc>) -> Result<core_form::Outcome> {
        use core_form::Outcome as O;
        Ok(match self {
            VisitOutcome::Completed => O::Completed,
            VisitOutcome::NobodyHome { note } => O::NobodyHome { note: note.clone() },
            VisitOutcome::AccessRefused { note } => O::AccessRefused { note: note.clone() },
            VisitOutcome::CustomerRefusedToSign {
                reason,
                photo_sha256,
            } => O::CustomerRefusedToSign {
                reason: reason.clone(),
                photo: core_form::PhotoRef::new(photo_sha256, at)?,
            },
        })
    }
}

impl From<core_form::Outcome> for VisitOutcome {
    fn from(o: core_form::Outcome) -> Self {
        use core_form::Outcome as O;
        match o {
            O::Completed => VisitOutcome::Completed,
            O::NobodyHome { note } => VisitOutcome::NobodyHome { note },
            O::AccessRefused { note } => VisitOutcome::AccessRefused { note },
            O::CustomerRefusedToSign { reason, photo } => VisitOutcome::CustomerRefusedToSign {
                reason,
                photo_sha256: photo.sha256.into(),
            },
        }
    }
}

/// A sealed form's seal, as the core keeps it: its digests and the moment it was sealed.
#[uniffi::remote(Record)]
pub struct Seal {
    pub content_digest: String,
    pub digest: String,
    pub sealed_at: Timestamp,
}

/// A form as it stands: a draft, or sealed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Form {
    pub id: String,
    pub template_id: String,
    pub template_version: u32,
    pub household_id: String,
    pub work_order_id: Option<String>,
    /// The sealed form this one corrects, when it is an amendment.
    pub amends: Option<String>,
    pub started_at: Timestamp,
    pub answers: Vec<ItemAnswer>,
    pub photos: Vec<ItemPhoto>,
    pub signatures: Vec<ItemSignature>,
    pub outcome: VisitOutcome,
    pub seal: Option<Seal>,
}

impl From<core_form::Form> for Form {
    fn from(f: core_form::Form) -> Self {
        Self {
            id: f.id.to_string(),
            template_id: f.template_id,
            template_version: f.template_version,
            household_id: f.household_id.to_string(),
            work_order_id: f.work_order_id.map(|o| o.to_string()),
            amends: f.amends.map(|a| a.to_string()),
            started_at: f.started_at,
            answers: f
                .answers
                .into_iter()
                .map(|(item, a)| ItemAnswer {
                    item,
                    answer: a.into(),
                })
                .collect(),
            photos: f
                .photos
                .into_iter()
                .flat_map(|(item, photos)| {
                    photos.into_iter().map(move |p| ItemPhoto {
                        item: item.clone(),
                        sha256: p.sha256.into(),
                        attached_at: p.attached_at,
                    })
                })
                .collect(),
            signatures: f
                .signatures
                .into_iter()
                .map(|(item, s)| ItemSignature {
                    item,
                    role: s.capture.role,
                    signer_name: s.capture.signer_name,
                    signed_at: s.capture.signed_at,
                })
                .collect(),
            outcome: f.outcome.into(),
            seal: f.seal,
        }
    }
}

/// Why a form cannot be completed yet.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProblemKind {
    Missing,
    BelowMinimum {
        min: String,
    },
    AboveMaximum {
        max: String,
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
    HazardPhotoMissing,
    AdviceMissing,
    SignatureMissing {
        role: SignerRole,
    },
    SignatureOutdated,
    NoteMissing,
    Invalid {
        field: String,
        reason: String,
        reason_zh: String,
    },
}

/// One thing that keeps a form from being completed, with the item it is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormProblem {
    pub item: Option<String>,
    pub kind: ProblemKind,
}

/// The same problem, named by the field of the record it came in.
fn named(field: &str, e: doorstep_core::InvalidInput) -> doorstep_core::InvalidInput {
    doorstep_core::InvalidInput {
        field: field.to_owned(),
        ..e
    }
}

impl ProblemKind {
    pub(crate) fn to_core(&self) -> Result<core_form::ProblemKind> {
        use core_form::ProblemKind as K;
        Ok(match self.clone() {
            ProblemKind::Missing => K::Missing,
            ProblemKind::BelowMinimum { min } => K::BelowMinimum {
                min: min
                    .parse()
                    .map_err(|e: doorstep_core::InvalidInput| named("min", e))?,
            },
            ProblemKind::AboveMaximum { max } => K::AboveMaximum {
                max: max
                    .parse()
                    .map_err(|e: doorstep_core::InvalidInput| named("max", e))?,
            },
            ProblemKind::TooManyDecimals { decimals } => K::TooManyDecimals { decimals },
            ProblemKind::TooLong { max_len } => K::TooLong { max_len },
            ProblemKind::NotAChoice => K::NotAChoice,
            ProblemKind::TooFewChoices { min } => K::TooFewChoices { min },
            ProblemKind::TooManyChoices { max } => K::TooManyChoices { max },
            ProblemKind::TooFewPhotos { min } => K::TooFewPhotos { min },
            ProblemKind::TooManyPhotos { max } => K::TooManyPhotos { max },
            ProblemKind::HazardPhotoMissing => K::HazardPhotoMissing,
            ProblemKind::AdviceMissing => K::AdviceMissing,
            ProblemKind::SignatureMissing { role } => K::SignatureMissing { role },
            ProblemKind::SignatureOutdated => K::SignatureOutdated,
            ProblemKind::NoteMissing => K::NoteMissing,
            ProblemKind::Invalid {
                field,
                reason,
                reason_zh,
            } => K::Invalid {
                field,
                reason,
                reason_zh,
            },
        })
    }
}

impl From<core_form::Problem> for FormProblem {
    fn from(p: core_form::Problem) -> Self {
        use core_form::ProblemKind as K;
        Self {
            item: p.item,
            kind: match p.kind {
                K::Missing => ProblemKind::Missing,
                K::BelowMinimum { min } => ProblemKind::BelowMinimum {
                    min: min.to_string(),
                },
                K::AboveMaximum { max } => ProblemKind::AboveMaximum {
                    max: max.to_string(),
                },
                K::TooManyDecimals { decimals } => ProblemKind::TooManyDecimals { decimals },
                K::TooLong { max_len } => ProblemKind::TooLong { max_len },
                K::NotAChoice => ProblemKind::NotAChoice,
                K::TooFewChoices { min } => ProblemKind::TooFewChoices { min },
                K::TooManyChoices { max } => ProblemKind::TooManyChoices { max },
                K::TooFewPhotos { min } => ProblemKind::TooFewPhotos { min },
                K::TooManyPhotos { max } => ProblemKind::TooManyPhotos { max },
                K::HazardPhotoMissing => ProblemKind::HazardPhotoMissing,
                K::AdviceMissing => ProblemKind::AdviceMissing,
                K::SignatureMissing { role } => ProblemKind::SignatureMissing { role },
                K::SignatureOutdated => ProblemKind::SignatureOutdated,
                K::NoteMissing => ProblemKind::NoteMissing,
                K::Invalid {
                    field,
                    reason,
                    reason_zh,
                } => ProblemKind::Invalid {
                    field,
                    reason,
                    reason_zh,
                },
            },
        }
    }
}
