//! Sealing: what makes a completed form evidence.
//!
//! 1. The *content* (template id and version, household, order, outcome, the answers and the
//!    photo hashes of the visible items) is canonicalised with RFC 8785 (JSON Canonicalization
//!    Scheme: sorted keys, no whitespace, one spelling per number) and hashed with SHA-256: the
//!    content digest. Key order, whitespace and the order answers were given cannot change it.
//! 2. Each signature is given over the content digest of the moment (`signed_digest`) and
//!    carries the SHA-256 of its strokes; a signature over other content is outdated.
//! 3. The seal digest is SHA-256 over the canonical content digest and signatures. Changing an
//!    answer, a photo or a signature changes it; [`verify`] recomputes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::form::{Answer, Form, Outcome, PhotoRef};
use super::template::{SignerRole, Template};
use crate::InvalidInput;
use crate::ids::{FormId, HouseholdId, WorkOrderId};

/// One point of a signature stroke, in screen points, with the time since the first point and
/// the pen pressure where the screen reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<f32>,
}

/// A signature as captured on the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureCapture {
    pub role: SignerRole,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    pub strokes: Vec<Vec<StrokePoint>>,
}

impl SignatureCapture {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        crate::household::validate_text("signature.signer_name", &self.signer_name, 1, 64)?;
        let points: usize = self.strokes.iter().map(Vec::len).sum();
        if points < 2 {
            return Err(InvalidInput::new(
                "signature.strokes",
                "the signature is empty: ask the signer to sign",
            ));
        }
        let sane = |v: f32| v.is_finite() && (-10_000.0..=10_000.0).contains(&v);
        if self.strokes.iter().flatten().any(|p| {
            !sane(p.x)
                || !sane(p.y)
                || p.pressure
                    .is_some_and(|q| !q.is_finite() || !(0.0..=16.0).contains(&q))
        }) {
            return Err(InvalidInput::new(
                "signature.strokes",
                "a point lies outside any screen",
            ));
        }
        Ok(())
    }

    /// SHA-256 (hex) of the canonical strokes: what the seal binds.
    pub fn strokes_sha256(&self) -> String {
        sha256_hex(&canonical(&self.strokes))
    }
}

/// A signature as kept on the form: who, when, the strokes, and the content digest it signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub capture: SignatureCapture,
    pub strokes_sha256: String,
    pub signed_digest: String,
}

impl Signature {
    /// Binds a capture to the form's content as it is now.
    pub fn bind(
        capture: SignatureCapture,
        form: &Form,
        template: &Template,
    ) -> Result<Self, InvalidInput> {
        capture.validate()?;
        Ok(Self {
            strokes_sha256: capture.strokes_sha256(),
            signed_digest: content_digest(form, template),
            capture,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    pub content_digest: String,
    /// The form's digest: content digest and signatures.
    pub digest: String,
    pub sealed_at: DateTime<Utc>,
}

/// What the content digest covers. Field names are part of the format: never rename them.
#[derive(Serialize)]
struct Content<'a> {
    form_id: FormId,
    template_id: &'a str,
    template_version: u32,
    household_id: HouseholdId,
    work_order_id: Option<WorkOrderId>,
    amends: Option<FormId>,
    started_at: &'a DateTime<Utc>,
    outcome: &'a Outcome,
    answers: BTreeMap<&'a str, &'a Answer>,
    photos: BTreeMap<&'a str, Vec<&'a str>>,
}

#[derive(Serialize)]
struct Sealed<'a> {
    content_digest: &'a str,
    signatures: BTreeMap<&'a str, SignatureDigest<'a>>,
}

#[derive(Serialize)]
struct SignatureDigest<'a> {
    role: SignerRole,
    signer_name: &'a str,
    signed_at: &'a DateTime<Utc>,
    strokes_sha256: &'a str,
    signed_digest: &'a str,
}

/// SHA-256 (hex) of the form's canonical content: visible items only.
pub fn content_digest(form: &Form, template: &Template) -> String {
    let visible = |id: &str| {
        template
            .item(id)
            .is_some_and(|item| form.is_visible(template, item))
    };
    let content = Content {
        form_id: form.id,
        template_id: &form.template_id,
        template_version: form.template_version,
        household_id: form.household_id,
        work_order_id: form.work_order_id,
        amends: form.amends,
        started_at: &form.started_at,
        outcome: &form.outcome,
        answers: form
            .answers
            .iter()
            .filter(|(id, _)| visible(id))
            .map(|(id, a)| (id.as_str(), a))
            .collect(),
        photos: form
            .photos
            .iter()
            .filter(|(id, photos)| visible(id) && !photos.is_empty())
            .map(|(id, photos)| {
                (
                    id.as_str(),
                    photos
                        .iter()
                        .map(|p: &PhotoRef| p.sha256.as_str())
                        .collect(),
                )
            })
            .collect(),
    };
    sha256_hex(&canonical(&content))
}

/// The seal digest over a content digest and the signatures.
pub fn seal_digest(content_digest: &str, signatures: &BTreeMap<String, Signature>) -> String {
    let sealed = Sealed {
        content_digest,
        signatures: signatures
            .iter()
            .map(|(id, s)| {
                let digest = SignatureDigest {
                    role: s.capture.role,
                    signer_name: &s.capture.signer_name,
                    signed_at: &s.capture.signed_at,
                    strokes_sha256: &s.strokes_sha256,
                    signed_digest: &s.signed_digest,
                };
                (id.as_str(), digest)
            })
            .collect(),
    };
    sha256_hex(&canonical(&sealed))
}

/// Seals a form that has no problems left; returns the problems otherwise.
pub fn seal(
    form: &Form,
    template: &Template,
    at: DateTime<Utc>,
) -> Result<Seal, Vec<super::form::Problem>> {
    let problems = form.problems(template);
    if !problems.is_empty() {
        return Err(problems);
    }
    let content_digest = content_digest(form, template);
    let digest = seal_digest(&content_digest, &form.signatures);
    Ok(Seal {
        content_digest,
        digest,
        sealed_at: at,
    })
}

/// Why a sealed form does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealBroken {
    #[error("the form is not sealed")]
    NotSealed,
    #[error("the answers or photos were changed after sealing")]
    ContentChanged,
    #[error("a signature was changed after sealing")]
    SignatureChanged,
}

/// Recomputes a sealed form's digests: any change to an answer, a photo or a signature since
/// sealing is found.
pub fn verify(form: &Form, template: &Template) -> Result<(), SealBroken> {
    let seal = form.seal.as_ref().ok_or(SealBroken::NotSealed)?;
    let content = content_digest(form, template);
    if content != seal.content_digest {
        return Err(SealBroken::ContentChanged);
    }
    let strokes_intact = form
        .signatures
        .values()
        .all(|s| s.capture.strokes_sha256() == s.strokes_sha256 && s.signed_digest == content);
    if !strokes_intact || seal_digest(&content, &form.signatures) != seal.digest {
        return Err(SealBroken::SignatureChanged);
    }
    Ok(())
}

fn canonical<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(value).expect("form content is always serialisable JSON")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
