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

pub use crate::media::signature::{SignatureCapture, StrokePoint};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::form::{Answer, CheckAnswer, CheckResult};
    use crate::household::Volume;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const TEMPLATE: &str = r#"{
      "id": "digest_test", "version": 3, "kind": "abnormal_use_patrol",
      "title": {"zh": "测试", "en": "Test"},
      "sections": [{"id": "s", "title": {"zh": "一", "en": "One"}, "items": [
        {"id": "a", "kind": "check", "label": {"zh": "甲", "en": "A"}},
        {"id": "b", "kind": "number", "unit": "kPa", "decimals": 2, "label": {"zh": "乙", "en": "B"}},
        {"id": "c", "kind": "text", "label": {"zh": "丙", "en": "C"}},
        {"id": "d", "kind": "meter_reading", "label": {"zh": "丁", "en": "D"}},
        {"id": "e", "kind": "multiple_choice", "label": {"zh": "戊", "en": "E"},
         "choices": [{"id": "x", "label": {"zh": "x", "en": "x"}}, {"id": "y", "label": {"zh": "y", "en": "y"}}]},
        {"id": "p", "kind": "photo", "max": 5, "label": {"zh": "照片", "en": "Photo"}},
        {"id": "sig", "kind": "signature", "role": "technician", "label": {"zh": "签字", "en": "Signature"}}
      ]}]
    }"#;

    fn template() -> Template {
        Template::from_json(TEMPLATE).unwrap()
    }

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn answers(
        check: bool,
        number: i64,
        text: &str,
        reading: i64,
        pick_y: bool,
    ) -> Vec<(&'static str, Answer)> {
        vec![
            (
                "a",
                Answer::Check(CheckAnswer {
                    result: if check {
                        CheckResult::Pass
                    } else {
                        CheckResult::Na
                    },
                    advice: None,
                }),
            ),
            (
                "b",
                Answer::Number(crate::forms::Decimal::new(i128::from(number), 2)),
            ),
            ("c", Answer::Text(text.to_owned())),
            ("d", Answer::MeterReading(Volume::from_litres(reading))),
            (
                "e",
                Answer::Choices(if pick_y {
                    vec!["x".into(), "y".into()]
                } else {
                    vec!["x".into()]
                }),
            ),
        ]
    }

    fn filled(order: &[usize], answers: &[(&'static str, Answer)], photos: &[u8]) -> Form {
        let template = template();
        let mut form = Form::new(
            &template,
            crate::ids::HouseholdId(uuid::Uuid::nil()),
            None,
            t(0),
        );
        form.id = crate::ids::FormId(uuid::Uuid::from_u128(7));
        for &i in order {
            let (item, answer) = &answers[i % answers.len()];
            form.answer(&template, item, Some(answer.clone())).unwrap();
        }
        for p in photos {
            form.photos
                .entry("p".into())
                .or_default()
                .push(PhotoRef::new(&format!("{p:064x}"), t(1)).unwrap());
        }
        form
    }

    fn signed(form: Form, x: f32) -> Form {
        let strokes = [(x, 1.0, 0, None), (9.5, 4.25, 80, Some(0.5))];
        signed_with(form, &template(), &strokes)
    }

    /// `form` signed by the technician with one stroke through `points` (x, y, time, pressure)
    /// on `template`'s signature item `sig`, and sealed.
    fn signed_with(
        mut form: Form,
        template: &Template,
        points: &[(f32, f32, u32, Option<f32>)],
    ) -> Form {
        let capture = SignatureCapture {
            role: SignerRole::Technician,
            signer_name: "徐磊".into(),
            signed_at: t(5),
            strokes: vec![
                points
                    .iter()
                    .map(|&(x, y, t_ms, pressure)| super::StrokePoint {
                        x,
                        y,
                        t_ms,
                        pressure,
                    })
                    .collect(),
            ],
        };
        let signature = Signature::bind(capture, &form, template).unwrap();
        form.signatures.insert("sig".into(), signature);
        form.seal = Some(seal(&form, template, t(6)).unwrap());
        form
    }

    /// A form sealed where the phone's GPS gave a long coordinate reaches the server as JSON
    /// and must verify there: every number reads back from its text to the very value the
    /// phone signed (serde_json's `float_roundtrip`, see the workspace's Cargo.toml; without
    /// it the first longitude reads back one unit in the last place off, and the server would
    /// refuse the visit as tampered).
    #[test]
    fn a_form_sealed_at_a_gps_position_verifies_after_crossing_as_json() {
        let template = Template::from_json(
            r#"{"id": "where", "version": 1, "kind": "abnormal_use_patrol",
                "title": {"zh": "位置", "en": "Where"},
                "sections": [{"id": "s", "title": {"zh": "一", "en": "One"}, "items": [
                  {"id": "here", "kind": "location", "label": {"zh": "位置", "en": "Position"}},
                  {"id": "sig", "kind": "signature", "role": "technician",
                   "label": {"zh": "签字", "en": "Signature"}}]}]}"#,
        )
        .unwrap();
        // Coordinates as a phone reports them (doubles with every digit), an accuracy that was
        // a 32-bit float, and pen strokes in screen pixels.
        for (lat, lon) in [
            (45.75, 127.07214156225547),
            (30.274084123456789, 120.15507937622071),
            (22.543099, 114.057871),
            (31.0 / 1.1, 121.0 / 1.07),
        ] {
            let mut form = Form::new(
                &template,
                crate::ids::HouseholdId(uuid::Uuid::nil()),
                None,
                t(0),
            );
            let here = Answer::Location(crate::forms::form::CapturedLocation {
                point: crate::geo::GeoPoint::new(lat, lon).unwrap(),
                accuracy_m: f64::from(4.9_f32),
            });
            form.answer(&template, "here", Some(here)).unwrap();
            let strokes = [
                (123.456_78, 987.654_3, 0, Some(0.333_333_34)),
                (0.1, 1.0 / 3.0, 16, None),
            ];
            let form = signed_with(form, &template, &strokes);

            let sent: Form = serde_json::from_str(&serde_json::to_string(&form).unwrap()).unwrap();
            assert_eq!(sent, form, "at {lat}, {lon}");
            assert_eq!(verify(&sent, &template), Ok(()), "at {lat}, {lon}");
        }
    }

    /// Writes JSON with the keys of every object in a shuffled order and random white space.
    fn scramble(value: &serde_json::Value, rng: &mut impl rand::Rng, out: &mut String) {
        let space = |rng: &mut dyn rand::RngCore, out: &mut String| {
            for _ in 0..(rng.next_u32() % 3) {
                out.push([' ', '\n', '\t'][(rng.next_u32() % 3) as usize]);
            }
        };
        match value {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                for i in (1..keys.len()).rev() {
                    keys.swap(i, (rng.next_u32() as usize) % (i + 1));
                }
                out.push('{');
                for (n, k) in keys.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    space(rng, out);
                    out.push_str(&serde_json::to_string(k).unwrap());
                    space(rng, out);
                    out.push(':');
                    space(rng, out);
                    scramble(&map[*k], rng, out);
                }
                space(rng, out);
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    space(rng, out);
                    scramble(item, rng, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    proptest! {
        #[test]
        fn digest_does_not_depend_on_the_order_answers_were_given(
            order in Just((0..5).collect::<Vec<usize>>()).prop_shuffle(),
            number in -100_000i64..100_000, text in "\\PC{0,12}", reading in 0i64..10_000_000, check: bool, pick: bool,
        ) {
            let given = answers(check, number, &text, reading, pick);
            let a = filled(&order, &given, &[1, 2]);
            let b = filled(&[0, 1, 2, 3, 4], &given, &[1, 2]);
            prop_assert_eq!(content_digest(&a, &template()), content_digest(&b, &template()));
        }

        #[test]
        fn digest_does_not_depend_on_key_order_or_white_space(seed: u64, number in -100_000i64..100_000, text in "\\PC{0,12}") {
            use rand::SeedableRng;
            let form = signed(filled(&[0, 1, 2, 3, 4], &answers(true, number, &text, 5, true), &[3]), 1.0);
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut json = String::new();
            scramble(&serde_json::to_value(&form).unwrap(), &mut rng, &mut json);
            let again: Form = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&again, &form);
            prop_assert!(verify(&again, &template()).is_ok());
        }

        #[test]
        fn digest_changes_when_anything_that_matters_changes(
            number in -100_000i64..100_000, reading in 0i64..10_000_000, what in 0usize..7,
        ) {
            let base = answers(true, number, "无异常", reading, false);
            let original = signed(filled(&[0, 1, 2, 3, 4], &base, &[1]), 1.0);
            let changed = match what {
                0 => signed(filled(&[0, 1, 2, 3, 4], &answers(false, number, "无异常", reading, false), &[1]), 1.0),
                1 => signed(filled(&[0, 1, 2, 3, 4], &answers(true, number + 1, "无异常", reading, false), &[1]), 1.0),
                2 => signed(filled(&[0, 1, 2, 3, 4], &answers(true, number, "有异常", reading, false), &[1]), 1.0),
                3 => signed(filled(&[0, 1, 2, 3, 4], &answers(true, number, "无异常", reading + 1, false), &[1]), 1.0),
                4 => signed(filled(&[0, 1, 2, 3, 4], &answers(true, number, "无异常", reading, true), &[1]), 1.0),
                5 => signed(filled(&[0, 1, 2, 3, 4], &base, &[2]), 1.0),
                _ => signed(filled(&[0, 1, 2, 3, 4], &base, &[1]), 1.5),
            };
            prop_assert_ne!(&original.seal.as_ref().unwrap().digest, &changed.seal.as_ref().unwrap().digest);
            // And a sealed form edited afterwards no longer verifies.
            let mut tampered = original.clone();
            tampered.answers = changed.answers.clone();
            tampered.photos = changed.photos.clone();
            tampered.signatures = changed.signatures.clone();
            prop_assert!(verify(&tampered, &template()).is_err());
        }
    }

    #[test]
    fn a_hidden_answer_is_not_sealed() {
        let json = TEMPLATE.replace(
            r#"{"id": "c", "kind": "text","#,
            r#"{"id": "c", "kind": "text", "visible_when": {"item": "a", "is": ["fail"]},"#,
        );
        let template = Template::from_json(&json).unwrap();
        let mut form = Form::new(&template, crate::ids::HouseholdId::new(), None, t(0));
        form.answer(
            &template,
            "a",
            Some(Answer::Check(CheckAnswer {
                result: CheckResult::Pass,
                advice: None,
            })),
        )
        .unwrap();
        let before = content_digest(&form, &template);
        form.answer(&template, "c", Some(Answer::Text("藏起来的".into())))
            .unwrap();
        assert_eq!(content_digest(&form, &template), before);
    }
}
