//! Filling a form on the Form screen as a technician does: the items the scene has words for,
//! in the order it gives them, then every other item the screen shows, answered by its kind
//! (a check passed, a choice's first option, a photo taken, a signature drawn on the pad); the
//! screen is drawn again after each answer, since an answer may show other items (a repair
//! done shows its cause and work). Then sealed, once the screen says nothing is missing.

use chrono::{DateTime, Utc};
use doorstep_core::app::screens::form::{
    FormChargeLine, FormCheckMark, FormDate, FormEvent, FormItem, FormItemKind, FormScreen,
};
use doorstep_core::app::screens::signature::SignatureEvent;
use doorstep_core::app::{Event, NoticeKind, Screen};
use doorstep_core::calendar::service_timezone;
use doorstep_core::fees::PaymentMethod;

use super::handwriting;
use crate::demo::DemoResult;
use crate::demo::phone::DemoPhone;

/// What the technician enters on one item.
pub enum Given {
    Check(FormCheckMark),
    /// Typed in a text, number or reading field.
    Type(String),
    /// A single choice's option, or a multiple choice's options ticked.
    Choose(&'static str),
    /// A date and time picked (Beijing time on the picker).
    At(DateTime<Utc>),
    /// Photos taken with the camera.
    Photos(u32),
    /// The signer draws on the pad (`seed`: the signer's hand).
    Sign {
        seed: u64,
    },
    /// The fees collected, entered whole.
    Charges {
        lines: Vec<FormChargeLine>,
        method: PaymentMethod,
        receipt: String,
    },
}

/// The Form screen shown now.
pub fn on_form(phone: &DemoPhone) -> DemoResult<FormScreen> {
    let screen = phone.screen()?;
    match screen.body {
        Screen::Form(form) => Ok(form),
        _ => Err(phone.unexpected("the Form screen", &screen)),
    }
}

/// Answers the items named, in the order given; each must be on the screen when its turn comes.
pub fn answer(phone: &DemoPhone, answers: Vec<(&str, Given)>) -> DemoResult<FormScreen> {
    for (id, given) in answers {
        let form = on_form(phone)?;
        let item = shown(&form, id)
            .ok_or_else(|| phone.script(format!("the form does not show the item {id}")))?;
        give(phone, &item, given)?;
    }
    on_form(phone)
}

/// Answers every item the screen shows and nobody answered yet, by its kind: a check passed,
/// a number at its least, a text "无", a choice's first option, a date today, a photo item's
/// least photos (one at least), a signature signed; a location located. Fees are never
/// guessed: a form with money collected names them in [`answer`].
pub fn answer_the_rest(phone: &DemoPhone, seed: u64) -> DemoResult<FormScreen> {
    let mut tried = Vec::new();
    loop {
        let form = on_form(phone)?;
        let next = form
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.editable && !tried.contains(&i.id) && unanswered(i))
            .cloned();
        let Some(item) = next else {
            return Ok(form);
        };
        tried.push(item.id.clone());
        let given = match &item.kind {
            FormItemKind::Check { .. } => Given::Check(FormCheckMark::Pass),
            FormItemKind::Number { min, .. } => {
                Given::Type(min.clone().unwrap_or_else(|| "0".to_owned()))
            }
            FormItemKind::Text { .. } => Given::Type("无".to_owned()),
            FormItemKind::SingleChoice { options }
            | FormItemKind::MultipleChoice { options, .. } => match options.first() {
                Some(o) => {
                    let id = o.id.clone();
                    choose(phone, &item, id)?;
                    continue;
                }
                None => continue,
            },
            FormItemKind::Date { .. } | FormItemKind::DateTime { .. } => Given::At(phone.now()),
            FormItemKind::Photo { min, .. } => Given::Photos((*min).max(1)),
            FormItemKind::Signature { .. } => Given::Sign {
                seed: seed ^ hash(&item.id),
            },
            FormItemKind::Location { .. } => {
                phone.send(Event::Form(FormEvent::Locate {
                    item: item.id.clone(),
                }))?;
                continue;
            }
            FormItemKind::MeterReading { .. } | FormItemKind::Charges { .. } => {
                if item.required {
                    return Err(phone.script(format!(
                        "the form asks for {} and the scene gave nothing for it",
                        item.id
                    )));
                }
                continue;
            }
        };
        give(phone, &item, given)?;
    }
}

/// Seals the form: the seal must be enabled (nothing missing), and the app must say it sealed.
pub fn seal(phone: &DemoPhone) -> DemoResult<FormScreen> {
    let form = on_form(phone)?;
    if !form.seal.enabled {
        let missing: Vec<String> = form
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| !i.problems.is_empty())
            .map(|i| i.id.clone())
            .collect();
        return Err(phone.script(format!(
            "the seal is disabled ({}); items with problems: {}; the form's: {}",
            form.seal.disabled_reason.unwrap_or_default(),
            missing.join(", "),
            form.form_problems.len()
        )));
    }
    let sealed = phone.send(Event::Form(FormEvent::Seal))?;
    let done = sealed
        .screen
        .notice
        .as_ref()
        .is_some_and(|n| n.kind == NoticeKind::Done);
    let form = on_form(phone)?;
    if !done || form.sealed.is_none() {
        return Err(phone.script("the form was not sealed"));
    }
    Ok(form)
}

fn shown(form: &FormScreen, id: &str) -> Option<FormItem> {
    form.sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.id == id)
        .cloned()
}

fn unanswered(item: &FormItem) -> bool {
    match item.kind {
        FormItemKind::Photo { .. } => item.photos.is_empty(),
        FormItemKind::Signature { ref signed_by, .. } => signed_by.is_none(),
        _ => item.value.is_none(),
    }
}

fn give(phone: &DemoPhone, item: &FormItem, given: Given) -> DemoResult<()> {
    let id = item.id.clone();
    match given {
        Given::Check(mark) => {
            phone.send(Event::Form(FormEvent::Check { item: id, mark }))?;
        }
        Given::Type(text) => {
            phone.send(Event::Form(FormEvent::Type { item: id, text }))?;
        }
        Given::Choose(choice) => return choose(phone, item, choice.to_owned()),
        Given::At(at) => {
            let local = at.with_timezone(&service_timezone());
            use chrono::{Datelike, Timelike};
            let event = match item.kind {
                FormItemKind::Date { .. } => FormEvent::PickDate {
                    item: id,
                    year: local.year(),
                    month: local.month(),
                    day: local.day(),
                },
                _ => FormEvent::PickDateTime {
                    item: id,
                    at: FormDate {
                        year: local.year(),
                        month: local.month(),
                        day: local.day(),
                        hour: local.hour(),
                        minute: local.minute(),
                    },
                },
            };
            phone.send(Event::Form(event))?;
        }
        Given::Photos(n) => {
            // Up to `n` on the item: a form continued after a stopped run keeps its photos.
            let before = item.photos.len();
            let n = (n as usize).saturating_sub(before) as u32;
            for _ in 0..n {
                phone.send(Event::Form(FormEvent::TakePhoto { item: id.clone() }))?;
            }
            let after = shown(&on_form(phone)?, &item.id).map_or(0, |i| i.photos.len());
            if after != before + n as usize {
                return Err(phone.script(format!(
                    "{n} photos taken for {}, the form holds {after}",
                    item.id
                )));
            }
            return Ok(());
        }
        Given::Sign { seed } => return sign(phone, item, seed),
        Given::Charges {
            lines,
            method,
            receipt,
        } => {
            phone.send(Event::Form(FormEvent::Charges {
                item: id,
                lines,
                method: Some(method),
                receipt,
            }))?;
        }
    }
    taken(phone, item)
}

fn choose(phone: &DemoPhone, item: &FormItem, choice: String) -> DemoResult<()> {
    let event = match item.kind {
        FormItemKind::MultipleChoice { .. } => FormEvent::Toggle {
            item: item.id.clone(),
            choice,
        },
        _ => FormEvent::Choose {
            item: item.id.clone(),
            choice,
        },
    };
    phone.send(Event::Form(event))?;
    taken(phone, item)
}

/// The item shows an answer and no problem of its own.
fn taken(phone: &DemoPhone, item: &FormItem) -> DemoResult<()> {
    let form = on_form(phone)?;
    let now =
        shown(&form, &item.id).ok_or_else(|| phone.script(format!("{} left the form", item.id)))?;
    if now.value.is_none() || now.message.is_some() {
        return Err(phone.script(format!(
            "the answer to {} was not taken: {}",
            item.id,
            now.message
                .or(now.problems.first().cloned())
                .unwrap_or_default()
        )));
    }
    Ok(())
}

/// The signer signs on the pad: handwriting, then Accept; the form shows who signed.
fn sign(phone: &DemoPhone, item: &FormItem, seed: u64) -> DemoResult<()> {
    let opened = phone.send(Event::Form(FormEvent::Sign {
        item: item.id.clone(),
    }))?;
    let Screen::Signature(pad) = opened.screen.body else {
        return Err(phone.unexpected("the signature pad", &opened.screen));
    };
    let characters = pad.signer_name.chars().count();
    for points in handwriting::signature(seed, characters) {
        phone.send(Event::Signature(SignatureEvent::Stroke { points }))?;
    }
    let drawn = phone.screen()?;
    match &drawn.body {
        Screen::Signature(pad) if pad.accept.enabled && pad.preview_path.is_some() => {}
        Screen::Signature(pad) => {
            return Err(phone.script(format!(
                "the pad does not take the signature: {}",
                pad.accept.disabled_reason.clone().unwrap_or_default()
            )));
        }
        _ => return Err(phone.unexpected("the signature pad", &drawn)),
    }
    let back = phone.send(Event::Signature(SignatureEvent::Accept))?;
    if !matches!(back.screen.body, Screen::Form(_)) {
        return Err(phone.unexpected("the form after signing", &back.screen));
    }
    let form = on_form(phone)?;
    match shown(&form, &item.id).map(|i| i.kind) {
        Some(FormItemKind::Signature {
            signed_by: Some(_), ..
        }) => Ok(()),
        _ => Err(phone.script(format!("{} shows no signature", item.id))),
    }
}

/// A stable number of an item's id, so that each signer's hand differs.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
