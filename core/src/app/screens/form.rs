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
//!
//! This file holds the records, the events and [`handle`]; `view.rs` draws the record
//! ([`render`]), `effects.rs` takes in the effects' answers ([`answer`]).

mod charges;
mod effects;
mod view;

pub use charges::{ChargeField, ChargeLineDraft, ChargesDraft, FormChargeView};
pub use effects::answer;
use view::photo_limit;
pub use view::{render, role_label};

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use super::copy::{CopyInput, Paper};
use super::signature::SignatureInput;
use super::{Action, Cx, Outcome, Purpose};
use crate::InvalidInput;
use crate::app::effect::{Effect, Symbology};
use crate::app::route::Route;
use crate::calendar::service_timezone;
use crate::error::{Error, Result};
use crate::fees::PaymentMethod;
use crate::forms::Decimal;
use crate::forms::form::{Answer as Given, CheckAnswer, CheckResult, Form, Outcome as Visit};
use crate::forms::template::{Item, ItemKind, SignerRole};
use crate::household::Volume;
use crate::ids::FormId;
use crate::scan::CodeKind;
use crate::text::{Text, said};

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
        /// The advice field's label ("整改建议" / "Rectification advice").
        advice_label: String,
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
    /// Fees collected at the door, entered field by field (`ChargeAdd`, `ChargeEdit`, ...): the
    /// lines as typed, Add line, the payment methods, the receipt and the total ("¥35.00", empty
    /// while no line is counted).
    Charges {
        lines: Vec<FormChargeView>,
        add_line: Action,
        methods: Vec<FormOption>,
        method_label: String,
        receipt: String,
        receipt_label: String,
        total: String,
        total_label: String,
    },
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
    /// The seal's line as read: "已于 今天 14:05 签封" / "sealed today 14:05".
    pub sealed: String,
    /// The seal's digest, its first 12 hex digits ("封存码 3f9a…" / "seal 3f9a…").
    pub digest: String,
    /// What sealing changed: a follow-up order opened, the gas shut off, a reading kept.
    pub consequences: Vec<String>,
    pub accessibility: String,
    /// The papers for the customer (`OpenCopy`).
    pub copies: Vec<FormCopy>,
}

/// A paper for the customer a sealed form makes, and the button that opens it.
#[derive(Debug, Clone, PartialEq)]
pub struct FormCopy {
    pub paper: Paper,
    pub open: Action,
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
    /// Open a paper for the customer of the sealed form (the Copy screen).
    OpenCopy {
        paper: Paper,
    },
    /// The fees collected on site, on a charges item, sent whole at each change (as `Type`
    /// sends the whole field): the lines at the published prices, how the money was paid and
    /// the receipt's number. This phone's technician is the collector. No lines, no method and
    /// no receipt clears the answer.
    Charges {
        item: String,
        lines: Vec<FormChargeLine>,
        method: Option<PaymentMethod>,
        receipt: String,
    },
    /// A charge line added to a charges item (quantity 1, no price yet).
    ChargeAdd {
        item: String,
    },
    /// A field of a charge line typed (the whole field at each keystroke).
    ChargeEdit {
        item: String,
        index: u32,
        field: ChargeField,
        text: String,
    },
    ChargeRemove {
        item: String,
        index: u32,
    },
    /// How the money was paid; none clears it.
    ChargeMethod {
        item: String,
        method: Option<PaymentMethod>,
    },
    /// The receipt number typed (the whole field).
    ChargeReceipt {
        item: String,
        text: String,
    },
}

/// One charged item as the technician enters it: quantity × unit price in fen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormChargeLine {
    pub item: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
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
    /// Numbers and readings typed that did parse, as typed: the field goes on showing the
    /// technician's own text ("1", not the stored "1.000") while the next digit is typed.
    #[serde(default)]
    pub shown: BTreeMap<String, String>,
    /// Charges items as typed field by field, by item (the lines that do not parse yet too).
    #[serde(default)]
    pub charges: BTreeMap<String, ChargesDraft>,
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
                Ok(answer) => {
                    let typed = answer.is_some();
                    let outcome = save(cx, input, id, &item, answer)?;
                    if typed {
                        input.shown.insert(item, text);
                    }
                    Ok(outcome)
                }
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
            input.charges.remove(&item);
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
            if let Some(item) = unfinished_charges(input) {
                return Err(InvalidInput::new(
                    item,
                    said("有未填完的收费", "a charge is not finished"),
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
        FormEvent::OpenCopy { paper } => {
            if !form.is_sealed() {
                return Err(InvalidInput::new(
                    "form",
                    said(
                        "表单签封后才能出具给用户的单据",
                        "the customer's papers are made once the form is sealed",
                    ),
                )
                .into());
            }
            Ok(Outcome::go(Route::Copy(CopyInput { paper, form: id })))
        }
        FormEvent::Amend => {
            let now = cx.now;
            let amendment = cx.write(|s| s.amend(id, now))?;
            Ok(Outcome::go(Route::Form(FormInput::of(amendment.id)))
                .done(said("已开始更正", "Amendment started")))
        }
        FormEvent::Charges {
            item,
            lines,
            method,
            receipt,
        } => {
            charges_item(&item_of(&item)?)?;
            let outcome = charges::save(cx, input, id, &item, lines, method, &receipt)?;
            input.charges.remove(&item);
            Ok(outcome)
        }
        FormEvent::ChargeAdd { item } => {
            charges_item(&item_of(&item)?)?;
            charges::change(cx, input, id, &form, &item, charges::Change::Add)
        }
        FormEvent::ChargeEdit {
            item,
            index,
            field,
            text,
        } => {
            charges_item(&item_of(&item)?)?;
            let change = charges::Change::Edit { index, field, text };
            charges::change(cx, input, id, &form, &item, change)
        }
        FormEvent::ChargeRemove { item, index } => {
            charges_item(&item_of(&item)?)?;
            let change = charges::Change::Remove { index };
            charges::change(cx, input, id, &form, &item, change)
        }
        FormEvent::ChargeMethod { item, method } => {
            charges_item(&item_of(&item)?)?;
            let change = charges::Change::Method(method);
            charges::change(cx, input, id, &form, &item, change)
        }
        FormEvent::ChargeReceipt { item, text } => {
            charges_item(&item_of(&item)?)?;
            let change = charges::Change::Receipt(text);
            charges::change(cx, input, id, &form, &item, change)
        }
    }
}

fn charges_item(item: &Item) -> Result<()> {
    if matches!(item.kind, ItemKind::Charges) {
        Ok(())
    } else {
        Err(wrong_kind(&item.id).into())
    }
}

/// The first charges item with a line that does not parse yet.
fn unfinished_charges(input: &FormInput) -> Option<String> {
    input
        .charges
        .iter()
        .find(|(_, draft)| draft.unfinished())
        .map(|(item, _)| item.clone())
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
    input.shown.remove(item);
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
