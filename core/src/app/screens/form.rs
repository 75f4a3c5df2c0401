//! Form screen: a form as its template says: its sections and the items shown (the template's
//! conditions applied), each with its answer formatted and its problems in words; progress
//! (required items answered); the visit's outcome; complete and seal (only when nothing is
//! missing); once sealed, a short digest, what sealing changed, and Amend.
//!
//! A number or a meter reading is typed as text the core parses: what does not parse yet ("12.")
//! stays in [`FormInput::typed`] with its problem, and the store keeps the last valid answer.
//! Photos, scans and positions are effects; their answers come back to [`answer`], where a
//! file that is not a photo or a code of the wrong format is a message beside its item and
//! nothing is written. Thumbnails are written once, decrypted, to `files()/thumbs/<sha>.jpg`
//! (the app's private folder) so the shell draws them without the store's key.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use super::signature::SignatureInput;
use super::{Action, Answer, Cx, Outcome, Purpose};
use crate::InvalidInput;
use crate::app::effect::{Effect, Symbology};
use crate::app::event::EffectFailure;
use crate::app::format;
use crate::app::route::Route;
use crate::calendar::service_timezone;
use crate::error::{Error, Result};
use crate::forms::Decimal;
use crate::forms::form::{
    Answer as Given, CapturedLocation, CheckAnswer, CheckResult, Form, Outcome as Visit, PhotoRef,
};
use crate::forms::template::{Item, ItemKind, SignerRole};
use crate::geo::GeoPoint;
use crate::household::{HistoryKind, Volume};
use crate::ids::FormId;
use crate::media::PhotoPolicy;
use crate::scan::{CodeKind, ScanFormats};
use crate::store::develop_photo;
use crate::text::{Lang, Text, said};
use crate::words;

/// What the Form screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FormScreen {
    pub title: String,
    /// The household: its customer number and address.
    pub subtitle: String,
    /// Whether this form corrects a sealed one ("更正" / "Amendment").
    pub amendment: Option<String>,
    pub sections: Vec<FormSection>,
    pub progress: FormProgress,
    pub outcome: FormOutcome,
    /// Problems of the whole form, not of one item (a note missing, a rule between answers).
    pub form_problems: Vec<String>,
    /// Complete and seal: enabled only when nothing is missing.
    pub seal: Action,
    /// Once sealed: when, its digest shortened, and what sealing changed.
    pub sealed: Option<FormSeal>,
    /// Start an amendment of the sealed form.
    pub amend: Option<Action>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormSection {
    pub id: String,
    pub title: String,
    pub items: Vec<FormItem>,
}

/// One item as shown: its words, its kind with what the kind needs, its answer formatted, its
/// problems, and a message from the last effect's answer (a photo refused, a code misread).
#[derive(Debug, Clone, PartialEq)]
pub struct FormItem {
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub kind: FormItemKind,
    /// The answer as the technician reads it ("12.5 kPa", "合格"), none when unanswered.
    pub value: Option<String>,
    pub problems: Vec<String>,
    pub message: Option<String>,
    /// Photos on the item (a photo item's, or a failed check's evidence).
    pub photos: Vec<FormPhoto>,
    /// Take a photo for the item, where it takes photos now.
    pub take_photo: Option<Action>,
    /// False once the form is sealed.
    pub editable: bool,
    pub accessibility: String,
}

/// An item's kind and what the shell needs to draw its control.
#[derive(Debug, Clone, PartialEq)]
pub enum FormItemKind {
    /// Pass / fail / not applicable (`options` ids: `pass`, `fail`, `na`); a failed check with
    /// a hazard rule asks for advice.
    Check {
        options: Vec<FormOption>,
        advice: String,
        advice_wanted: bool,
        hazard: Option<String>,
    },
    /// A number typed as text: `typed` is what the field holds (the answer, or what was typed
    /// and does not parse yet).
    Number {
        unit: String,
        decimals: u8,
        min: Option<String>,
        max: Option<String>,
        typed: String,
    },
    /// Text; `scan` when the item is a code the camera can read (a meter serial, a seal number).
    Text {
        typed: String,
        max_len: u32,
        multiline: bool,
        scan: Option<Action>,
    },
    SingleChoice {
        options: Vec<FormOption>,
    },
    MultipleChoice {
        options: Vec<FormOption>,
        min: u32,
        max: Option<u32>,
    },
    /// A day; `initial` is where the picker opens (the answer, or today), in Beijing time.
    Date {
        initial: FormDate,
    },
    DateTime {
        initial: FormDate,
    },
    /// A meter reading in m³, typed with up to three decimals.
    MeterReading {
        unit: String,
        typed: String,
    },
    Photo {
        min: u32,
        max: u32,
    },
    Signature {
        role: String,
        signed_by: Option<String>,
        sign: Action,
    },
    Location {
        locate: Action,
    },
    /// Fees charged on site: shown here, entered on the fees screen.
    Charges,
}

/// A choice, a check's mark or a visit outcome, with whether it is picked.
#[derive(Debug, Clone, PartialEq)]
pub struct FormOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
    pub accessibility: String,
}

/// A date and time in Beijing time, for a picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// A photo on an item: its thumbnail as a plain JPEG file the shell draws (none when the photo
/// is not on this phone), and its removal.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPhoto {
    pub sha256: String,
    pub path: Option<String>,
    pub remove: Action,
    pub accessibility: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormProgress {
    pub answered: u32,
    pub required: u32,
    pub label: String,
}

/// How the visit ended, and the note a visit without answers needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FormOutcome {
    pub chosen: FormOutcomeChoice,
    pub options: Vec<FormOption>,
    pub note: String,
    pub note_label: String,
    /// Whether the note field is shown (nobody home, access refused, refused to sign).
    pub note_wanted: bool,
    /// What the last answer of the camera said (the refusal's photo not taken in).
    pub message: Option<String>,
}

/// The outcomes a technician picks on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormOutcomeChoice {
    Completed,
    NobodyHome,
    AccessRefused,
    /// The form was filled in but the customer would not sign: picking it opens the camera
    /// for the photo that stands in for the signature; the note says why.
    CustomerRefusedToSign,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormSeal {
    pub sealed_at: String,
    /// The seal's digest, its first 12 hex digits ("封存码 3f9a…" / "seal 3f9a…").
    pub digest: String,
    /// What sealing changed: a follow-up order opened, the gas shut off, a reading kept.
    pub consequences: Vec<String>,
    pub accessibility: String,
}

/// A check's mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormCheckMark {
    Pass,
    Fail,
    NotApplicable,
}

/// What the user does on the Form screen. Items are named by their template id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormEvent {
    Refresh,
    Check {
        item: String,
        mark: FormCheckMark,
    },
    /// Rectification advice of a failed check.
    Advice {
        item: String,
        text: String,
    },
    /// Text typed in a number, meter reading or text item (the whole field, each keystroke).
    Type {
        item: String,
        text: String,
    },
    /// A single choice picked.
    Choose {
        item: String,
        choice: String,
    },
    /// An option of a multiple choice ticked or unticked.
    Toggle {
        item: String,
        choice: String,
    },
    /// A day picked (Beijing time).
    PickDate {
        item: String,
        year: i32,
        month: u32,
        day: u32,
    },
    /// A day and time picked (Beijing time).
    PickDateTime {
        item: String,
        at: FormDate,
    },
    /// The answer cleared.
    Clear {
        item: String,
    },
    TakePhoto {
        item: String,
    },
    RemovePhoto {
        item: String,
        sha256: String,
    },
    Scan {
        item: String,
    },
    Locate {
        item: String,
    },
    /// Open the signature screen for a signature item.
    Sign {
        item: String,
    },
    SetOutcome {
        choice: FormOutcomeChoice,
    },
    /// The note of a visit without answers.
    Note {
        text: String,
    },
    Seal,
    Amend,
}

/// The input typed on the Form screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormInput {
    pub id: Option<FormId>,
    /// Numbers and readings typed that do not parse yet, by item.
    #[serde(default)]
    pub typed: BTreeMap<String, String>,
    /// What the last effect's answer said about an item (a photo refused, a code misread).
    #[serde(default)]
    pub messages: BTreeMap<String, Text>,
}

impl FormInput {
    pub fn of(id: FormId) -> Self {
        Self {
            id: Some(id),
            ..Self::default()
        }
    }
}

/// What an effect asked from the Form screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormPurpose {
    Photo {
        form: FormId,
        item: String,
    },
    Scan {
        form: FormId,
        item: String,
        kind: CodeKind,
    },
    Locate {
        form: FormId,
        item: String,
    },
    /// The photo that stands in for the customer's refused signature.
    RefusalPhoto {
        form: FormId,
    },
}

/// The key of the outcome's message among the items' (no item id starts with '#').
const OUTCOME: &str = "#outcome";

/// The accuracy a position item asks the phone for, and how long it may try.
const LOCATE_ACCURACY_M: u32 = 30;
const LOCATE_TIMEOUT_S: u32 = 30;

pub fn render(cx: &Cx<'_>, input: &FormInput) -> Result<FormScreen> {
    let id = form_id(input)?;
    let form = cx.read().form(id)?;
    let template = cx
        .read()
        .template(&form.template_id, form.template_version)?;
    let household = cx.read().household(form.household_id)?;
    let sealed = form.is_sealed();
    let problems = if sealed {
        Vec::new()
    } else {
        cx.read().form_problems(id)?
    };
    let mut by_item: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut form_problems = Vec::new();
    for p in &problems {
        let words = cx.t(&words::problem(&p.kind));
        match &p.item {
            Some(item) => by_item.entry(item.as_str()).or_default().push(words),
            None => form_problems.push(words),
        }
    }

    let (mut answered, mut required) = (0, 0);
    let mut sections = Vec::new();
    for section in &template.sections {
        let mut items = Vec::new();
        for item in section
            .items
            .iter()
            .filter(|i| form.is_visible(&template, i))
        {
            let has = has_answer(&form, item);
            if item.required {
                required += 1;
                answered += u32::from(has);
            }
            let item_problems = by_item.remove(item.id.as_str()).unwrap_or_default();
            items.push(render_item(cx, input, &form, item, item_problems));
        }
        if !items.is_empty() {
            sections.push(FormSection {
                id: section.id.clone(),
                title: cx.t(&section.title),
                items,
            });
        }
    }
    let progress = FormProgress {
        answered,
        required,
        label: cx.say(
            &format!("必填项已完成 {answered}/{required}"),
            &format!("{answered} of {required} required answered"),
        ),
    };

    let seal_text = said("完成并签封", "Complete and seal");
    let seal = if sealed {
        Action::disabled(cx, &seal_text, &said("已签封", "already sealed"))
    } else if !input.typed.is_empty() {
        Action::disabled(
            cx,
            &seal_text,
            &said("有未填完的数字", "a number is not finished"),
        )
    } else if !problems.is_empty() {
        let n = problems.len();
        Action::disabled(
            cx,
            &seal_text,
            &said(
                format!("还有 {n} 处未完成"),
                format!("{n} {} left", if n == 1 { "thing" } else { "things" }),
            ),
        )
    } else {
        Action::new(cx, &seal_text, true)
    };
    let sealed_view = match &form.seal {
        Some(seal) => Some(seal_view(cx, &form, seal, form.household_id)?),
        None => None,
    };
    let amend = sealed.then(|| Action::new(cx, &said("更正", "Amend"), true));
    let amendment = form
        .amends
        .map(|_| cx.say("更正已签封的表单", "Amends a sealed form"));
    Ok(FormScreen {
        title: cx.t(&template.title),
        subtitle: format!(
            "{} · {}",
            household.customer_number,
            household.address.one_line()
        ),
        amendment,
        sections,
        progress,
        outcome: outcome_view(cx, &form.outcome, input.messages.get(OUTCOME)),
        form_problems,
        seal,
        sealed: sealed_view,
        amend,
    })
}

fn render_item(
    cx: &Cx<'_>,
    input: &FormInput,
    form: &Form,
    item: &Item,
    problems: Vec<String>,
) -> FormItem {
    let editable = !form.is_sealed();
    let answer = form.answers.get(&item.id);
    let typed = |fallback: String| input.typed.get(&item.id).cloned().unwrap_or(fallback);
    let kind = match &item.kind {
        ItemKind::Check { hazard } => {
            let (mark, advice) = match answer {
                Some(Given::Check(c)) => (Some(c.result), c.advice.clone().unwrap_or_default()),
                _ => (None, String::new()),
            };
            let options = [CheckResult::Pass, CheckResult::Fail, CheckResult::Na]
                .into_iter()
                .map(|r| option(cx, r.as_str(), &mark_label(r), mark == Some(r)))
                .collect();
            FormItemKind::Check {
                options,
                advice,
                advice_wanted: mark == Some(CheckResult::Fail)
                    && hazard.as_ref().is_some_and(|h| h.advice_required),
                hazard: hazard.as_ref().map(|h| cx.t(&hazard_label(h.grade))),
            }
        }
        ItemKind::Number {
            unit,
            decimals,
            min,
            max,
        } => FormItemKind::Number {
            unit: cx.t(&unit.label()),
            decimals: *decimals,
            min: min.map(|m| m.to_string()),
            max: max.map(|m| m.to_string()),
            typed: typed(match answer {
                Some(Given::Number(n)) => n.to_string(),
                _ => String::new(),
            }),
        },
        ItemKind::Text { max_len, multiline } => FormItemKind::Text {
            typed: match answer {
                Some(Given::Text(t)) => t.clone(),
                _ => String::new(),
            },
            max_len: *max_len,
            multiline: *multiline,
            scan: scan_kind(item).map(|_| {
                if editable {
                    Action::new(cx, &said("扫码", "Scan"), true)
                } else {
                    Action::disabled(cx, &said("扫码", "Scan"), &said("已签封", "sealed"))
                }
            }),
        },
        ItemKind::SingleChoice { choices } => FormItemKind::SingleChoice {
            options: choices
                .iter()
                .map(|c| {
                    let picked = matches!(answer, Some(Given::Choice(x)) if *x == c.id);
                    option(cx, &c.id, &c.label, picked)
                })
                .collect(),
        },
        ItemKind::MultipleChoice { choices, min, max } => FormItemKind::MultipleChoice {
            options: choices
                .iter()
                .map(|c| {
                    let picked = matches!(answer, Some(Given::Choices(x)) if x.contains(&c.id));
                    option(cx, &c.id, &c.label, picked)
                })
                .collect(),
            min: *min,
            max: *max,
        },
        ItemKind::Date => FormItemKind::Date {
            initial: match answer {
                Some(Given::Date(d)) => pick_of_day(*d),
                _ => pick_of(cx.now),
            },
        },
        ItemKind::DateTime => FormItemKind::DateTime {
            initial: match answer {
                Some(Given::DateTime(at)) => pick_of(*at),
                _ => pick_of(cx.now),
            },
        },
        ItemKind::MeterReading => FormItemKind::MeterReading {
            unit: "m³".into(),
            typed: typed(match answer {
                Some(Given::MeterReading(v)) => v.decimal_text(),
                _ => String::new(),
            }),
        },
        ItemKind::Photo { min, max } => FormItemKind::Photo {
            min: *min,
            max: *max,
        },
        ItemKind::Signature { role } => {
            let signature = form.signatures.get(&item.id);
            let text = if signature.is_some() {
                said("重新签名", "Sign again")
            } else {
                said("签名", "Sign")
            };
            FormItemKind::Signature {
                role: cx.t(&role_label(*role)),
                signed_by: signature.map(|s| s.capture.signer_name.clone()),
                sign: if editable {
                    Action::new(cx, &text, true)
                } else {
                    Action::disabled(cx, &text, &said("已签封", "sealed"))
                },
            }
        }
        ItemKind::Location => FormItemKind::Location {
            locate: if editable {
                Action::new(cx, &said("获取位置", "Get position"), true)
            } else {
                Action::disabled(
                    cx,
                    &said("获取位置", "Get position"),
                    &said("已签封", "sealed"),
                )
            },
        },
        ItemKind::Charges => FormItemKind::Charges,
    };
    let photos: Vec<FormPhoto> = form
        .photos
        .get(&item.id)
        .map(|photos| {
            photos
                .iter()
                .enumerate()
                .map(|(n, p)| thumb(cx, p.sha256.as_str(), n + 1, editable))
                .collect()
        })
        .unwrap_or_default();
    let take_photo = photo_limit(form, item).map(|max| {
        let text = said("拍照", "Take photo");
        if !editable {
            Action::disabled(cx, &text, &said("已签封", "sealed"))
        } else if photos.len() as u32 >= max {
            Action::disabled(
                cx,
                &text,
                &said(format!("最多 {max} 张"), format!("at most {max}")),
            )
        } else {
            Action::new(cx, &text, true)
        }
    });
    let value = value_of(cx, form, item);
    let label = cx.t(&item.label);
    let message = input.messages.get(&item.id).map(|m| cx.t(m));
    let mut spoken = vec![label.clone()];
    spoken.push(
        value
            .clone()
            .unwrap_or_else(|| cx.say("未填写", "not answered")),
    );
    if item.required {
        spoken.push(cx.say("必填", "required"));
    }
    spoken.extend(problems.iter().cloned());
    spoken.extend(message.clone());
    let accessibility = spoken.join(if cx.lang == Lang::Zh { "，" } else { ", " });
    FormItem {
        id: item.id.clone(),
        label,
        help: item.help.as_ref().map(|h| cx.t(h)),
        required: item.required,
        kind,
        value,
        problems,
        message,
        photos,
        take_photo,
        editable,
        accessibility,
    }
}

fn option(cx: &Cx<'_>, id: &str, label: &Text, selected: bool) -> FormOption {
    let label = cx.t(label);
    let state = if selected {
        cx.say("已选", "selected")
    } else {
        cx.say("未选", "not selected")
    };
    FormOption {
        id: id.to_owned(),
        accessibility: cx.say(&format!("{label}，{state}"), &format!("{label}, {state}")),
        label,
        selected,
    }
}

/// The most photos an item takes now: a photo item's max; a failed check with a hazard rule
/// takes evidence (up to the largest photo item allows, 20); others none.
fn photo_limit(form: &Form, item: &Item) -> Option<u32> {
    match &item.kind {
        ItemKind::Photo { max, .. } => Some(*max),
        ItemKind::Check { hazard: Some(_) } => matches!(
            form.answers.get(&item.id),
            Some(Given::Check(CheckAnswer {
                result: CheckResult::Fail,
                ..
            }))
        )
        .then_some(20),
        _ => None,
    }
}

fn has_answer(form: &Form, item: &Item) -> bool {
    match item.kind {
        ItemKind::Photo { .. } => form.photos.get(&item.id).is_some_and(|p| !p.is_empty()),
        ItemKind::Signature { .. } => form.signatures.contains_key(&item.id),
        _ => form.answers.contains_key(&item.id),
    }
}

/// The answer as the technician reads it.
fn value_of(cx: &Cx<'_>, form: &Form, item: &Item) -> Option<String> {
    if let ItemKind::Photo { .. } = item.kind {
        let n = form.photos.get(&item.id).map_or(0, Vec::len);
        return (n > 0).then(|| cx.say(&format!("{n} 张照片"), &format!("{n} photo(s)")));
    }
    if let ItemKind::Signature { .. } = item.kind {
        return form.signatures.get(&item.id).map(|s| {
            let when = format::moment(s.capture.signed_at, cx.now, cx.lang);
            cx.say(
                &format!("{} 已签 {when}", s.capture.signer_name),
                &format!("signed by {} {when}", s.capture.signer_name),
            )
        });
    }
    let answer = form.answers.get(&item.id)?;
    Some(match (answer, &item.kind) {
        (Given::Check(c), _) => cx.t(&mark_label(c.result)),
        (Given::Number(n), ItemKind::Number { unit, .. }) => {
            let unit = cx.t(&unit.label());
            if unit.is_empty() {
                n.to_string()
            } else {
                format!("{n} {unit}")
            }
        }
        (Given::Number(n), _) => n.to_string(),
        (Given::Text(t), _) => t.clone(),
        (Given::Choice(id), ItemKind::SingleChoice { choices }) => choices
            .iter()
            .find(|c| &c.id == id)
            .map_or_else(|| id.clone(), |c| cx.t(&c.label)),
        (Given::Choices(ids), ItemKind::MultipleChoice { choices, .. }) => ids
            .iter()
            .map(|id| {
                choices
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or_else(|| id.clone(), |c| cx.t(&c.label))
            })
            .collect::<Vec<_>>()
            .join(if cx.lang == Lang::Zh { "、" } else { ", " }),
        (Given::Choice(id), _) => id.clone(),
        (Given::Choices(ids), _) => ids.join(", "),
        (Given::Date(d), _) => match cx.lang {
            Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
            Lang::En => d.format("%-d %b %Y").to_string(),
        },
        (Given::DateTime(at), _) => format::moment(*at, cx.now, cx.lang),
        (Given::MeterReading(v), _) => v.to_string(),
        (Given::Location(l), _) => format!(
            "{:.5}, {:.5} (±{} m)",
            l.point.lat(),
            l.point.lon(),
            l.accuracy_m.round()
        ),
        (Given::Charges(c), _) => match c.total_fen() {
            Some(fen) => cx.say(
                &format!("共 {}", format::money(fen)),
                &format!("total {}", format::money(fen)),
            ),
            None => cx.say("金额有误", "amounts do not add up"),
        },
    })
}

/// A photo's thumbnail, written decrypted to `files()/thumbs/<sha>.jpg` the first time it is
/// shown (the app's private folder: only the app and its shell read it).
fn thumb(cx: &Cx<'_>, sha256: &str, n: usize, editable: bool) -> FormPhoto {
    let dir = cx.files().join("thumbs");
    let path = dir.join(format!("{sha256}.jpg"));
    let written = path.exists()
        || cx
            .read()
            .photo_thumbnail(sha256)
            .ok()
            .and_then(|jpeg| {
                std::fs::create_dir_all(&dir).ok()?;
                let part = dir.join(format!("{sha256}.part"));
                std::fs::write(&part, jpeg).ok()?;
                std::fs::rename(&part, &path).ok()
            })
            .is_some();
    let text = said("删除照片", "Remove photo");
    FormPhoto {
        sha256: sha256.to_owned(),
        path: written.then(|| path.to_string_lossy().into_owned()),
        remove: if editable {
            Action::new(cx, &text, true)
        } else {
            Action::disabled(cx, &text, &said("已签封", "sealed"))
        },
        accessibility: if written {
            cx.say(&format!("第 {n} 张照片"), &format!("photo {n}"))
        } else {
            cx.say(
                &format!("第 {n} 张照片（不在本机）"),
                &format!("photo {n} (not on this phone)"),
            )
        },
    }
}

fn outcome_view(cx: &Cx<'_>, outcome: &Visit, message: Option<&Text>) -> FormOutcome {
    let (chosen, note) = match outcome {
        Visit::Completed => (FormOutcomeChoice::Completed, String::new()),
        Visit::NobodyHome { note } => (FormOutcomeChoice::NobodyHome, note.clone()),
        Visit::AccessRefused { note } => (FormOutcomeChoice::AccessRefused, note.clone()),
        Visit::CustomerRefusedToSign { reason, .. } => {
            (FormOutcomeChoice::CustomerRefusedToSign, reason.clone())
        }
    };
    let choices = [
        FormOutcomeChoice::Completed,
        FormOutcomeChoice::NobodyHome,
        FormOutcomeChoice::AccessRefused,
        FormOutcomeChoice::CustomerRefusedToSign,
    ];
    FormOutcome {
        chosen,
        options: choices
            .into_iter()
            .map(|c| option(cx, visit_id(c), &visit_label(c), c == chosen))
            .collect(),
        note,
        note_label: cx.say("现场情况说明", "What was found"),
        note_wanted: chosen != FormOutcomeChoice::Completed,
        message: message.map(|m| cx.t(m)),
    }
}

fn seal_view(
    cx: &Cx<'_>,
    form: &Form,
    seal: &crate::forms::seal::Seal,
    household: crate::ids::HouseholdId,
) -> Result<FormSeal> {
    let short: String = seal.digest.chars().take(12).collect();
    let sealed_at = format::moment(seal.sealed_at, cx.now, cx.lang);
    let subject = form.id.to_string();
    let file = cx.read().household_file(household)?;
    let consequences: Vec<String> = file
        .history
        .iter()
        .rev()
        .filter(|h| h.at == seal.sealed_at && h.kind != HistoryKind::Form)
        .filter(|h| h.subject_id.as_deref() == Some(&subject) || h.kind == HistoryKind::WorkOrder)
        .map(|h| cx.t(&h.summary))
        .collect();
    let digest = cx.say(&format!("封存码 {short}"), &format!("seal {short}"));
    Ok(FormSeal {
        accessibility: cx.say(
            &format!("已于 {sealed_at} 签封，{digest}"),
            &format!("sealed {sealed_at}, {digest}"),
        ),
        sealed_at,
        digest,
        consequences,
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut FormInput, event: FormEvent) -> Result<Outcome> {
    let id = form_id(input)?;
    if let FormEvent::Refresh = event {
        return Ok(Outcome::stay());
    }
    let form = cx.read().form(id)?;
    let template = cx
        .read()
        .template(&form.template_id, form.template_version)?;
    let item_of = |item: &str| -> Result<Item> {
        template.item(item).cloned().ok_or_else(|| {
            InvalidInput::new(
                item,
                said("此表单中没有这一项", "no such item in this form"),
            )
            .into()
        })
    };
    match event {
        FormEvent::Refresh => Ok(Outcome::stay()),
        FormEvent::Check { item, mark } => {
            let result = match mark {
                FormCheckMark::Pass => CheckResult::Pass,
                FormCheckMark::Fail => CheckResult::Fail,
                FormCheckMark::NotApplicable => CheckResult::Na,
            };
            let advice = match form.answers.get(&item) {
                Some(Given::Check(c)) if result == CheckResult::Fail => c.advice.clone(),
                _ => None,
            };
            save(
                cx,
                input,
                id,
                &item,
                Some(Given::Check(CheckAnswer { result, advice })),
            )
        }
        FormEvent::Advice { item, text } => {
            let Some(Given::Check(c)) = form.answers.get(&item) else {
                return Err(InvalidInput::new(
                    item,
                    said("请先选择检查结果", "mark the check first"),
                )
                .into());
            };
            let advice = (!text.trim().is_empty()).then_some(text);
            let answer = Given::Check(CheckAnswer {
                result: c.result,
                advice,
            });
            save(cx, input, id, &item, Some(answer))
        }
        FormEvent::Type { item, text } => {
            let spec = item_of(&item)?;
            let parsed = match &spec.kind {
                ItemKind::Number { .. } if text.trim().is_empty() => Ok(None),
                ItemKind::Number { .. } => text.parse::<Decimal>().map(|n| Some(Given::Number(n))),
                ItemKind::MeterReading if text.trim().is_empty() => Ok(None),
                ItemKind::MeterReading => {
                    Volume::parse_cubic_metres(&text).map(|v| Some(Given::MeterReading(v)))
                }
                ItemKind::Text { .. } if text.is_empty() => Ok(None),
                ItemKind::Text { .. } => Ok(Some(Given::Text(text.clone()))),
                _ => return Err(wrong_kind(&item).into()),
            };
            match parsed {
                Ok(answer) => save(cx, input, id, &item, answer),
                Err(problem) => {
                    if form.is_sealed() {
                        return Err(Error::Sealed);
                    }
                    // Kept as typed, with why it is not a number yet; the store keeps the last
                    // valid answer until the field holds one again.
                    input.typed.insert(item.clone(), text);
                    input.messages.insert(item, problem.said());
                    Ok(Outcome::stay())
                }
            }
        }
        FormEvent::Choose { item, choice } => {
            save(cx, input, id, &item, Some(Given::Choice(choice)))
        }
        FormEvent::Toggle { item, choice } => {
            let mut chosen = match form.answers.get(&item) {
                Some(Given::Choices(c)) => c.clone(),
                _ => Vec::new(),
            };
            if let Some(at) = chosen.iter().position(|c| *c == choice) {
                chosen.remove(at);
            } else {
                chosen.push(choice);
            }
            let answer = (!chosen.is_empty()).then_some(Given::Choices(chosen));
            save(cx, input, id, &item, answer)
        }
        FormEvent::PickDate {
            item,
            year,
            month,
            day,
        } => {
            let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
                InvalidInput::new(item.clone(), said("不是有效的日期", "not a valid date"))
            })?;
            save(cx, input, id, &item, Some(Given::Date(date)))
        }
        FormEvent::PickDateTime { item, at } => {
            let local = NaiveDate::from_ymd_opt(at.year, at.month, at.day)
                .and_then(|d| d.and_hms_opt(at.hour, at.minute, 0))
                .and_then(|t| service_timezone().from_local_datetime(&t).single())
                .ok_or_else(|| {
                    InvalidInput::new(
                        item.clone(),
                        said("不是有效的日期时间", "not a valid date and time"),
                    )
                })?;
            save(cx, input, id, &item, Some(Given::DateTime(local.to_utc())))
        }
        FormEvent::Clear { item } => {
            item_of(&item)?;
            save(cx, input, id, &item, None)
        }
        FormEvent::TakePhoto { item } => {
            let spec = item_of(&item)?;
            let Some(max) = photo_limit(&form, &spec) else {
                return Err(InvalidInput::new(
                    item,
                    said("这一项现在不拍照", "this item takes no photo now"),
                )
                .into());
            };
            cx.read().photo_item_household(id, &item)?;
            if form.photos.get(&item).map_or(0, Vec::len) as u32 >= max {
                return Err(InvalidInput::new(
                    item,
                    said(
                        format!("最多 {max} 张照片"),
                        format!("at most {max} photos"),
                    ),
                )
                .into());
            }
            let prompt = cx.t(&spec.label);
            // The camera writes where the app expects a photo of this request
            // (`files()/photo-<request>.jpg`), so a late answer's file is found and removed.
            let request = cx.ask(
                Purpose::Form(FormPurpose::Photo {
                    form: id,
                    item: item.clone(),
                }),
                None,
            );
            input.messages.remove(&item);
            let path = photo_path(cx, request);
            Ok(Outcome::stay().with_effect(Effect::TakePhoto {
                request,
                path: path.to_string_lossy().into_owned(),
                prompt,
            }))
        }
        FormEvent::RemovePhoto { item, sha256 } => {
            cx.write(|s| s.remove_photo(id, &item, &sha256))?;
            input.messages.remove(&item);
            Ok(Outcome::stay())
        }
        FormEvent::Scan { item } => {
            let spec = item_of(&item)?;
            let kind = scan_kind(&spec).ok_or_else(|| {
                InvalidInput::new(
                    item.clone(),
                    said("这一项不能扫码", "this item is not scanned"),
                )
            })?;
            editable(&form)?;
            let request = cx.ask(
                Purpose::Form(FormPurpose::Scan {
                    form: id,
                    item: item.clone(),
                    kind,
                }),
                None,
            );
            input.messages.remove(&item);
            Ok(Outcome::stay().with_effect(Effect::Scan {
                request,
                kinds: vec![Symbology::Barcode, Symbology::Qr],
                prompt: cx.t(&spec.label),
            }))
        }
        FormEvent::Locate { item } => {
            let spec = item_of(&item)?;
            if !matches!(spec.kind, ItemKind::Location) {
                return Err(wrong_kind(&item).into());
            }
            editable(&form)?;
            let request = cx.ask(
                Purpose::Form(FormPurpose::Locate {
                    form: id,
                    item: item.clone(),
                }),
                None,
            );
            input.messages.remove(&item);
            Ok(Outcome::stay().with_effect(Effect::Locate {
                request,
                accuracy_m: LOCATE_ACCURACY_M,
                timeout_s: LOCATE_TIMEOUT_S,
            }))
        }
        FormEvent::Sign { item } => {
            let spec = item_of(&item)?;
            let role = spec.signer().ok_or_else(|| {
                InvalidInput::new(item.clone(), said("不是签名项", "not a signature item"))
            })?;
            editable(&form)?;
            let signer = default_signer(cx, &form, role);
            Ok(Outcome::go(Route::Signature(SignatureInput::new(
                id, item, role, signer,
            )))
            .with_effect(Effect::KeepScreenOn { on: true }))
        }
        FormEvent::SetOutcome { choice } => {
            let note = match &form.outcome {
                Visit::NobodyHome { note } | Visit::AccessRefused { note } => note.clone(),
                Visit::CustomerRefusedToSign { reason, .. } => reason.clone(),
                Visit::Completed => String::new(),
            };
            let outcome = match choice {
                FormOutcomeChoice::Completed => Visit::Completed,
                FormOutcomeChoice::NobodyHome => Visit::NobodyHome { note },
                FormOutcomeChoice::AccessRefused => Visit::AccessRefused { note },
                FormOutcomeChoice::CustomerRefusedToSign => {
                    // Recorded once its photo is taken (`answer`).
                    editable(&form)?;
                    let request =
                        cx.ask(Purpose::Form(FormPurpose::RefusalPhoto { form: id }), None);
                    let path = photo_path(cx, request);
                    return Ok(Outcome::stay().with_effect(Effect::TakePhoto {
                        request,
                        path: path.to_string_lossy().into_owned(),
                        prompt: cx.say(
                            "拍摄用户拒签的证明照片（门牌、现场或见证人）",
                            "photo for the refused signature (the door, the site or a witness)",
                        ),
                    }));
                }
            };
            cx.write(|s| s.set_outcome(id, outcome))?;
            Ok(Outcome::stay())
        }
        FormEvent::Note { text } => {
            let outcome = match form.outcome {
                Visit::NobodyHome { .. } => Visit::NobodyHome { note: text },
                Visit::AccessRefused { .. } => Visit::AccessRefused { note: text },
                Visit::CustomerRefusedToSign { photo, .. } => Visit::CustomerRefusedToSign {
                    reason: text,
                    photo,
                },
                Visit::Completed => {
                    return Err(InvalidInput::new(
                        "outcome.note",
                        said("正常入户不需填写说明", "a visit done needs no note"),
                    )
                    .into());
                }
            };
            cx.write(|s| s.set_outcome(id, outcome))?;
            Ok(Outcome::stay())
        }
        FormEvent::Seal => {
            if !input.typed.is_empty() {
                return Err(InvalidInput::new(
                    input.typed.keys().next().cloned().unwrap_or_default(),
                    said("有未填完的数字", "a number is not finished"),
                )
                .into());
            }
            let now = cx.now;
            match cx.write(|s| s.complete_form(id, now)) {
                Ok(_) => Ok(Outcome::stay().done(said("已签封", "Sealed"))),
                Err(Error::Incomplete { problems }) => {
                    let n = problems.len();
                    Ok(Outcome::stay().problem(said(
                        format!("还有 {n} 处未完成，未签封"),
                        format!("not sealed: {n} left to do"),
                    )))
                }
                Err(e) => Err(e),
            }
        }
        FormEvent::Amend => {
            let now = cx.now;
            let amendment = cx.write(|s| s.amend(id, now))?;
            Ok(Outcome::go(Route::Form(FormInput::of(amendment.id)))
                .done(said("已开始更正", "Amendment started")))
        }
    }
}

/// The answer to an effect this screen asked for. What the phone brought that cannot be taken
/// (not a photo, a code of the wrong format, no position) is a message beside the item, and
/// nothing is written; a photo's file is removed once taken in or refused.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut FormInput,
    purpose: FormPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let (form, item) = match &purpose {
        FormPurpose::Photo { form, item }
        | FormPurpose::Scan { form, item, .. }
        | FormPurpose::Locate { form, item } => (*form, item.clone()),
        FormPurpose::RefusalPhoto { form } => (*form, OUTCOME.to_owned()),
    };
    let photo_file = match (&purpose, &answer) {
        (FormPurpose::Photo { .. } | FormPurpose::RefusalPhoto { .. }, Answer::Photo { path }) => {
            Some(path.clone())
        }
        _ => None,
    };
    let taken = take_in(cx, form, &item, purpose, answer);
    if let Some(path) = photo_file {
        let _ = std::fs::remove_file(path);
    }
    match taken? {
        Ok(()) => {
            input.messages.remove(&item);
            input.typed.remove(&item);
            Ok(Outcome::stay())
        }
        Err(Some(message)) => {
            let outcome = Outcome::stay().problem(message.clone());
            input.messages.insert(item, message);
            Ok(outcome)
        }
        Err(None) => Ok(Outcome::stay()),
    }
}

/// Takes an effect's answer into the form: `Ok(Err(message))` when it cannot be (`None`: the
/// user cancelled, nothing to say).
fn take_in(
    cx: &mut Cx<'_>,
    form: FormId,
    item: &str,
    purpose: FormPurpose,
    answer: Answer,
) -> Result<std::result::Result<(), Option<Text>>> {
    let refused = |e: Error| -> Result<std::result::Result<(), Option<Text>>> {
        match e {
            Error::Media(m) => Ok(Err(Some(words::photo_refusal(&m)))),
            Error::Invalid(i) => Ok(Err(Some(i.said()))),
            Error::Sealed => Ok(Err(Some(said(
                "表单已签封，未加入",
                "the form is sealed: not added",
            )))),
            e => Err(e),
        }
    };
    match (purpose, answer) {
        (_, Answer::Failed(failure)) => Ok(Err(match failure {
            EffectFailure::Cancelled => None,
            EffectFailure::Denied => Some(said(
                "没有权限：请在系统设置中允许本应用使用相机和位置",
                "no permission: allow the app the camera and location in the phone's settings",
            )),
            EffectFailure::Unavailable => Some(said(
                "手机暂时无法完成，请重试",
                "the phone could not do it now: try again",
            )),
        })),
        (FormPurpose::Photo { .. }, Answer::Photo { path }) => {
            let context = match cx
                .read()
                .photo_item_household(form, item)
                .and_then(|h| cx.read().camera_context(h, cx.now, None))
            {
                Ok(context) => context,
                Err(e) => return refused(e),
            };
            let photo = match develop_photo(&path, &context, &PhotoPolicy::default()) {
                Ok(photo) => photo,
                Err(e) => return refused(e),
            };
            match cx.write(|s| s.attach_developed_photo(form, item, photo, &context)) {
                Ok(_) => Ok(Ok(())),
                Err(e) => refused(e),
            }
        }
        (FormPurpose::RefusalPhoto { .. }, Answer::Photo { path }) => {
            let draft = cx.read().form(form)?;
            if draft.is_sealed() {
                return refused(Error::Sealed);
            }
            let household = draft.household_id;
            let context = match cx.read().camera_context(household, cx.now, None) {
                Ok(context) => context,
                Err(e) => return refused(e),
            };
            let photo = match develop_photo(&path, &context, &PhotoPolicy::default()) {
                Ok(photo) => photo,
                Err(e) => return refused(e),
            };
            let stored = cx.write(|s| s.keep_photo(photo, Some(household), &context))?;
            let photo = PhotoRef::new(&stored.sha256, context.captured_at)?;
            let reason = match draft.outcome {
                Visit::NobodyHome { note } | Visit::AccessRefused { note } => note,
                Visit::CustomerRefusedToSign { reason, .. } => reason,
                Visit::Completed => String::new(),
            };
            let outcome = Visit::CustomerRefusedToSign { reason, photo };
            match cx.write(|s| s.set_outcome(form, outcome)) {
                Ok(_) => Ok(Ok(())),
                Err(e) => refused(e),
            }
        }
        (FormPurpose::Scan { kind, .. }, Answer::Scanned { text }) => {
            let code = match crate::scan::check(kind, &text, &ScanFormats::default()) {
                Ok(code) => code,
                Err(e) => return Ok(Err(Some(e.said()))),
            };
            match cx.write(|s| s.answer(form, item, Some(Given::Text(code)))) {
                Ok(_) => Ok(Ok(())),
                Err(e) => refused(e),
            }
        }
        (
            FormPurpose::Locate { .. },
            Answer::Located {
                lat,
                lon,
                accuracy_m,
            },
        ) => {
            let point = match GeoPoint::new(lat, lon) {
                Ok(point) => point,
                Err(e) => return Ok(Err(Some(e.said()))),
            };
            let located = Given::Location(CapturedLocation { point, accuracy_m });
            match cx.write(|s| s.answer(form, item, Some(located))) {
                Ok(_) => Ok(Ok(())),
                Err(e) => refused(e),
            }
        }
        _ => Err(InvalidInput::new(
            "request",
            said(
                "这个回复与所请求的不符",
                "the answer is not of the kind requested",
            ),
        )
        .into()),
    }
}

/// Saves an answer (or clears it) and forgets what was typed for the item.
fn save(
    cx: &mut Cx<'_>,
    input: &mut FormInput,
    id: FormId,
    item: &str,
    answer: Option<Given>,
) -> Result<Outcome> {
    cx.write(|s| s.answer(id, item, answer))?;
    input.typed.remove(item);
    input.messages.remove(item);
    Ok(Outcome::stay())
}

fn form_id(input: &FormInput) -> Result<FormId> {
    input
        .id
        .ok_or_else(|| InvalidInput::new("form", said("没有打开表单", "no form is open")).into())
}

fn editable(form: &Form) -> Result<()> {
    if form.is_sealed() {
        Err(Error::Sealed)
    } else {
        Ok(())
    }
}

fn wrong_kind(item: &str) -> InvalidInput {
    InvalidInput::new(
        item,
        said(
            "这种答案不适合这一项",
            "this kind of answer does not fit the item",
        ),
    )
}

/// Where the camera writes the photo of `request`: the name the app removes a late answer by.
fn photo_path(cx: &Cx<'_>, request: u64) -> PathBuf {
    cx.files().join(format!("photo-{request}.jpg"))
}

/// The code a text item holds when the camera can read it, by the item's id in the built-in
/// templates: `meter_serial` (the meter's nameplate), `seal_number`, `customer_number`.
fn scan_kind(item: &Item) -> Option<CodeKind> {
    if !matches!(item.kind, ItemKind::Text { .. }) {
        return None;
    }
    match item.id.as_str() {
        "meter_serial" => Some(CodeKind::MeterSerial),
        "seal_number" => Some(CodeKind::SealNumber),
        "customer_number" => Some(CodeKind::CustomerCard),
        _ => None,
    }
}

/// Who signs, as the signature screen first shows it: the enrolled technician, the household's
/// account holder, or nobody yet for a witness.
fn default_signer(cx: &Cx<'_>, form: &Form, role: SignerRole) -> String {
    match role {
        SignerRole::Technician => cx
            .read()
            .sync_state()
            .ok()
            .and_then(|s| s.technician_id)
            .and_then(|t| cx.read().technician(t).ok())
            .map(|t| t.name)
            .unwrap_or_default(),
        SignerRole::Customer => cx
            .read()
            .household(form.household_id)
            .map(|h| h.name)
            .unwrap_or_default(),
        SignerRole::Witness => String::new(),
    }
}

fn pick_of(at: chrono::DateTime<chrono::Utc>) -> FormDate {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&service_timezone());
    FormDate {
        year: local.year(),
        month: local.month(),
        day: local.day(),
        hour: local.hour(),
        minute: local.minute(),
    }
}

fn pick_of_day(day: NaiveDate) -> FormDate {
    use chrono::Datelike;
    FormDate {
        year: day.year(),
        month: day.month(),
        day: day.day(),
        hour: 0,
        minute: 0,
    }
}

fn mark_label(result: CheckResult) -> Text {
    match result {
        CheckResult::Pass => said("合格", "Pass"),
        CheckResult::Fail => said("不合格", "Fail"),
        CheckResult::Na => said("不适用", "N/A"),
    }
}

fn hazard_label(grade: crate::forms::template::HazardGrade) -> Text {
    match grade {
        crate::forms::template::HazardGrade::General => {
            said("不合格即为一般隐患", "a fail is a general hazard")
        }
        crate::forms::template::HazardGrade::Major => {
            said("不合格即为重大隐患", "a fail is a major hazard")
        }
    }
}

/// Who signs, in words.
pub fn role_label(role: SignerRole) -> Text {
    match role {
        SignerRole::Customer => said("用户", "Customer"),
        SignerRole::Technician => said("检查人员", "Technician"),
        SignerRole::Witness => said("见证人", "Witness"),
    }
}

fn visit_id(choice: FormOutcomeChoice) -> &'static str {
    match choice {
        FormOutcomeChoice::Completed => "completed",
        FormOutcomeChoice::NobodyHome => "nobody_home",
        FormOutcomeChoice::AccessRefused => "access_refused",
        FormOutcomeChoice::CustomerRefusedToSign => "customer_refused_to_sign",
    }
}

fn visit_label(choice: FormOutcomeChoice) -> Text {
    match choice {
        FormOutcomeChoice::Completed => said("正常入户", "Visit done"),
        FormOutcomeChoice::NobodyHome => said("无人在家", "Nobody home"),
        FormOutcomeChoice::AccessRefused => said("拒绝入户", "Access refused"),
        FormOutcomeChoice::CustomerRefusedToSign => said("用户拒签", "Customer refused to sign"),
    }
}
