//! A form being filled at the door: the answers, the photos and the signatures of one visit,
//! checked against the exact template version it was started on.

use crate::text::said;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use super::seal::{Seal, Signature};
use super::template::{Condition, HazardGrade, Item, ItemKind, SignerRole, Template};
use crate::InvalidInput;
use crate::geo::GeoPoint;
use crate::household::Volume;
use crate::ids::{FormId, HouseholdId, WorkOrderId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub id: FormId,
    pub template_id: String,
    pub template_version: u32,
    pub household_id: HouseholdId,
    pub work_order_id: Option<WorkOrderId>,
    /// The sealed form this one corrects, when it is an amendment.
    pub amends: Option<FormId>,
    pub started_at: DateTime<Utc>,
    /// Answers by item id (photos and signatures are kept apart).
    pub answers: BTreeMap<String, Answer>,
    /// Photos by item id, in the order they were attached. For a failed check, its evidence.
    pub photos: BTreeMap<String, Vec<PhotoRef>>,
    pub signatures: BTreeMap<String, Signature>,
    pub outcome: Outcome,
    pub seal: Option<Seal>,
}

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

/// A photo attached to an item: its content address (SHA-256 of the stored file, hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub sha256: crate::ids::PhotoHash,
    pub attached_at: DateTime<Utc>,
}

impl PhotoRef {
    pub fn new(sha256: &str, attached_at: DateTime<Utc>) -> Result<Self, InvalidInput> {
        Ok(Self {
            sha256: crate::ids::PhotoHash::parse(sha256)?,
            attached_at,
        })
    }
}

/// How the visit ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The form was filled in and signed.
    Completed,
    /// Nobody opened the door: only the technician's signature is needed.
    NobodyHome { note: String },
    /// The customer did not let the technician in.
    AccessRefused { note: String },
    /// The form was filled in but the customer would not sign: the reason and a photo (of the
    /// door, the customer's refusal, a witness) stand in for the customer's signature.
    CustomerRefusedToSign { reason: String, photo: PhotoRef },
}

impl Outcome {
    /// Whether the checklist itself had to be filled in.
    pub fn has_answers(&self) -> bool {
        matches!(
            self,
            Outcome::Completed | Outcome::CustomerRefusedToSign { .. }
        )
    }
}

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

impl Form {
    /// A visit's form is filed under an order of its own household (or of none), and amends a
    /// form of its own household: otherwise an order's deadline would be met by a visit to
    /// another address, and an amendment would rewrite this household's readings at another
    /// visit's time. `order` and `amended` are the records its links name, where known.
    pub fn check_links(
        &self,
        order: Option<&crate::workorder::WorkOrder>,
        amended: Option<&Form>,
    ) -> Result<(), InvalidInput> {
        if order.is_some_and(|o| o.household_id.is_some_and(|h| h != self.household_id)) {
            return Err(InvalidInput::new(
                "work_order",
                said(
                    "该工单属于另一户",
                    "the work order is for another household",
                ),
            ));
        }
        if amended.is_some_and(|f| f.household_id != self.household_id) {
            return Err(InvalidInput::new(
                "amends",
                said(
                    "所更正的表单属于另一户",
                    "the amended form is of another household",
                ),
            ));
        }
        Ok(())
    }

    pub fn new(
        template: &Template,
        household_id: HouseholdId,
        work_order_id: Option<WorkOrderId>,
        started_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: FormId::new(),
            template_id: template.id.clone(),
            template_version: template.version,
            household_id,
            work_order_id,
            amends: None,
            started_at,
            answers: BTreeMap::new(),
            photos: BTreeMap::new(),
            signatures: BTreeMap::new(),
            outcome: Outcome::Completed,
            seal: None,
        }
    }

    pub fn is_sealed(&self) -> bool {
        self.seal.is_some()
    }

    /// Sets (or with `None`, clears) the answer to `item`. An answer of the wrong type for the
    /// item is refused; a value out of range is kept and reported by [`Form::problems`], so that
    /// a draft can be saved while the technician is still measuring.
    pub fn answer(
        &mut self,
        template: &Template,
        item: &str,
        answer: Option<Answer>,
    ) -> Result<(), InvalidInput> {
        let spec = template.item(item).ok_or_else(|| {
            InvalidInput::new(
                item,
                said("此表单中没有这一项", "no such item in this form"),
            )
        })?;
        match answer {
            None => {
                self.answers.remove(item);
            }
            Some(answer) => {
                check_answer_type(spec, &answer)?;
                check_answer_size(item, &answer)?;
                check_location_accuracy(item, &answer)?;
                self.answers.insert(item.to_owned(), answer);
            }
        }
        Ok(())
    }

    /// Whether `item` is shown, given the answers so far: an item whose condition refers to a
    /// hidden item is hidden too.
    pub fn is_visible(&self, template: &Template, item: &Item) -> bool {
        let mut current = item;
        let mut depth = 0;
        while let Some(condition) = &current.visible_when {
            if !self.matches(condition) || depth > 64 {
                return false;
            }
            match template.item(&condition.item) {
                Some(next) => current = next,
                None => return false,
            }
            depth += 1;
        }
        true
    }

    fn matches(&self, condition: &Condition) -> bool {
        match self.answers.get(&condition.item) {
            Some(Answer::Check(c)) => condition.is.iter().any(|v| v == c.result.as_str()),
            Some(Answer::Choice(choice)) => condition.is.contains(choice),
            Some(Answer::Choices(chosen)) => chosen.iter().any(|c| condition.is.contains(c)),
            _ => false,
        }
    }

    /// Every problem that keeps the form from being completed, in template order. Hidden items
    /// are not checked (and their answers are not sealed).
    /// Whether the form needs this signature item signed: the technician's always (when the
    /// item is required), the others only when the visit was completed with their signature.
    fn wants_signature(&self, item: &Item, role: SignerRole) -> bool {
        match (&self.outcome, role) {
            (_, SignerRole::Technician) => item.required,
            (Outcome::Completed, _) => item.required,
            _ => false,
        }
    }

    /// Drops the signatures that no longer count: given before the form changed, and either on
    /// an item the form no longer shows or by a signer its outcome no longer asks for (a
    /// customer who signed, then refused to sign again after a correction). Sealing calls it,
    /// so that a seal holds only signatures of what it seals; returns the items dropped.
    pub fn drop_stale_signatures(&mut self, template: &Template) -> Vec<String> {
        let content_digest = super::seal::content_digest(self, template);
        let stale: Vec<String> = self
            .signatures
            .iter()
            .filter(|(id, s)| {
                s.signed_digest != content_digest
                    && match template.item(id) {
                        Some(item) => match item.kind {
                            ItemKind::Signature { role } => {
                                !self.is_visible(template, item)
                                    || !self.wants_signature(item, role)
                            }
                            _ => true,
                        },
                        None => true,
                    }
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &stale {
            self.signatures.remove(id);
        }
        stale
    }

    /// Every photo the form rests on: its items' photos and the one standing in for a refused
    /// signature. A sealed form is complete only once all of them are on the server.
    pub fn evidence_photos(&self) -> impl Iterator<Item = &PhotoRef> {
        let refusal = match &self.outcome {
            Outcome::CustomerRefusedToSign { photo, .. } => Some(photo),
            _ => None,
        };
        self.photos.values().flatten().chain(refusal)
    }

    pub fn problems(&self, template: &Template) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |item: &str, kind| {
            problems.push(Problem {
                item: Some(item.to_owned()),
                kind,
            })
        };
        let needs_answers = self.outcome.has_answers();
        let content_digest = super::seal::content_digest(self, template);
        for item in template.items().filter(|i| self.is_visible(template, i)) {
            if let ItemKind::Signature { role } = item.kind {
                let wanted = self.wants_signature(item, role);
                match self.signatures.get(&item.id) {
                    // One the outcome no longer asks for is dropped at sealing instead.
                    Some(s) if s.signed_digest != content_digest && wanted => {
                        push(&item.id, ProblemKind::SignatureOutdated)
                    }
                    Some(_) => {}
                    None if wanted => push(&item.id, ProblemKind::SignatureMissing { role }),
                    None => {}
                }
                continue;
            }
            if !needs_answers {
                continue;
            }
            let photos = self.photos.get(&item.id).map(Vec::len).unwrap_or(0) as u32;
            if let ItemKind::Photo { min, max } = item.kind {
                if photos == 0 && item.required {
                    push(&item.id, ProblemKind::Missing);
                } else if photos < min && (photos > 0 || item.required) {
                    push(&item.id, ProblemKind::TooFewPhotos { min });
                } else if photos > max {
                    push(&item.id, ProblemKind::TooManyPhotos { max });
                }
                continue;
            }
            let Some(answer) = self.answers.get(&item.id) else {
                if item.required {
                    push(&item.id, ProblemKind::Missing);
                }
                continue;
            };
            for kind in answer_problems(item, answer, photos) {
                push(&item.id, kind);
            }
        }
        match &self.outcome {
            Outcome::NobodyHome { note } | Outcome::AccessRefused { note }
                if note.trim().is_empty() =>
            {
                problems.push(Problem {
                    item: None,
                    kind: ProblemKind::NoteMissing,
                });
            }
            Outcome::CustomerRefusedToSign { reason, .. } if reason.trim().is_empty() => {
                problems.push(Problem {
                    item: None,
                    kind: ProblemKind::NoteMissing,
                });
            }
            _ => {}
        }
        problems
    }

    /// The failed checks of the form with their hazard grade, for the consequences and the
    /// household's timeline.
    pub fn hazards<'t>(&self, template: &'t Template) -> Vec<(&'t Item, HazardGrade, bool)> {
        template
            .items()
            .filter(|i| self.is_visible(template, i))
            .filter_map(|item| match (&item.kind, self.answers.get(&item.id)) {
                (
                    ItemKind::Check { hazard: Some(rule) },
                    Some(Answer::Check(CheckAnswer {
                        result: CheckResult::Fail,
                        ..
                    })),
                ) => Some((item, rule.grade, rule.shut_off)),
                _ => None,
            })
            .collect()
    }

    /// The same draft moved onto a newer version of its template: answers that still fit are
    /// kept, the others are listed with the reason. Signatures never carry over: what was
    /// signed is not what the new version shows.
    pub fn move_to(&self, template: &Template) -> (Form, Vec<(String, String)>) {
        let mut moved = Form {
            template_version: template.version,
            template_id: template.id.clone(),
            signatures: BTreeMap::new(),
            seal: None,
            ..self.clone()
        };
        moved.answers.clear();
        moved.photos.clear();
        let mut dropped = Vec::new();
        for (id, answer) in &self.answers {
            match template.item(id) {
                None => dropped.push((id.clone(), "the item is no longer in the form".to_owned())),
                Some(item) => match check_answer_type(item, answer) {
                    Ok(())
                        if answer_problems(item, answer, u32::MAX)
                            .iter()
                            .any(|p| matches!(p, ProblemKind::NotAChoice)) =>
                    {
                        dropped.push((
                            id.clone(),
                            "the chosen option is no longer offered".to_owned(),
                        ));
                    }
                    Ok(()) => {
                        moved.answers.insert(id.clone(), answer.clone());
                    }
                    Err(e) => dropped.push((id.clone(), e.reason)),
                },
            }
        }
        for (id, photos) in &self.photos {
            let fits = template
                .item(id)
                .is_some_and(|i| matches!(i.kind, ItemKind::Photo { .. } | ItemKind::Check { .. }));
            if fits {
                moved.photos.insert(id.clone(), photos.clone());
            } else {
                dropped.push((
                    id.clone(),
                    "photos of an item no longer in the form".to_owned(),
                ));
            }
        }
        for id in self.signatures.keys() {
            dropped.push((
                id.clone(),
                "signatures are given again on the new version".to_owned(),
            ));
        }
        (moved, dropped)
    }
}

/// The answer must be of the kind the item asks for.
fn check_answer_type(item: &Item, answer: &Answer) -> Result<(), InvalidInput> {
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

/// The most text of an outcome's note or reason.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// A location's accuracy is a distance: not kept otherwise, as JSON has no NaN or infinity
/// (the draft could not be read back) and no check could compare it.
fn check_location_accuracy(item: &str, answer: &Answer) -> Result<(), InvalidInput> {
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

fn check_answer_size(item: &str, answer: &Answer) -> Result<(), InvalidInput> {
    let too_long = |text: &str| text.chars().count() > MAX_ANSWER_CHARS;
    let refused = match answer {
        Answer::Text(text) => too_long(text),
        Answer::Check(check) => check.advice.as_deref().is_some_and(too_long),
        Answer::Choices(ids) => ids.len() > MAX_ANSWER_CHOICES,
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

impl Outcome {
    /// An outcome's own text is bounded like an answer's ([`MAX_NOTE_CHARS`]).
    pub fn check_size(&self) -> Result<(), InvalidInput> {
        let (field, text) = match self {
            Outcome::Completed => return Ok(()),
            Outcome::NobodyHome { note } | Outcome::AccessRefused { note } => {
                ("outcome.note", note)
            }
            Outcome::CustomerRefusedToSign { reason, .. } => ("outcome.reason", reason),
        };
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(InvalidInput::new(
                field,
                said(
                    format!("最多{MAX_NOTE_CHARS}字"),
                    format!("at most {MAX_NOTE_CHARS} characters"),
                ),
            ));
        }
        Ok(())
    }
}

/// The problems of one answer against its item (`photos`: photos attached to the item).
fn answer_problems(item: &Item, answer: &Answer, photos: u32) -> Vec<ProblemKind> {
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
