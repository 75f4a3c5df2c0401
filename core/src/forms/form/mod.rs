//! A form being filled at the door: the answers, the photos and the signatures of one visit,
//! checked against the exact template version it was started on.
//! Its answers and the checks on each are in [`answer`]; what keeps it from being completed
//! in [`problem`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::seal::{Seal, Signature};
use super::template::{Condition, HazardGrade, Item, ItemKind, SignerRole, Template};
use crate::InvalidInput;
use crate::ids::{FormId, HouseholdId, PhotoHash, WorkOrderId};
use crate::text::said;

mod answer;
mod problem;

pub use answer::{
    Answer, CapturedLocation, CheckAnswer, CheckResult, MAX_ANSWER_CHARS, MAX_ANSWER_CHOICES,
};
use answer::{check_answer_size, check_answer_type, check_location_accuracy};
pub use problem::{Problem, ProblemKind};
use problem::{answer_problems, form_rule_problems};

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

/// A photo attached to an item, by its content address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub sha256: PhotoHash,
    pub attached_at: DateTime<Utc>,
}

impl PhotoRef {
    pub fn new(sha256: &str, attached_at: DateTime<Utc>) -> Result<Self, InvalidInput> {
        Ok(Self {
            sha256: PhotoHash::parse(sha256)?,
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

/// The most text of an outcome's note or reason.
pub const MAX_NOTE_CHARS: usize = 2_000;

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

    /// Every problem that keeps the form from being completed, in template order. Hidden items
    /// are not checked (and their answers are not sealed).
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
        if needs_answers {
            problems.extend(form_rule_problems(self, template));
        }
        problems
    }

    /// What the form says was charged at the door: the answer of its visible charges item
    /// (Art.14), if it has one.
    pub fn charges(&self, template: &Template) -> Option<&crate::fees::Charges> {
        template
            .items()
            .filter(|i| matches!(i.kind, ItemKind::Charges) && self.is_visible(template, i))
            .find_map(|i| match self.answers.get(&i.id) {
                Some(Answer::Charges(c)) => Some(c),
                _ => None,
            })
    }

    /// The money this sealed form collected, as the day's settlement counts it.
    pub fn collection(&self, template: &Template) -> Option<crate::fees::Collection> {
        let seal = self.seal.as_ref()?;
        crate::fees::Collection::of(self.id, seal.sealed_at, self.charges(template)?)
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
