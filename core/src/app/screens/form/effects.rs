//! The answers to the effects the Form screen asked for: a photo for a slot or for a refused
//! signature, a scanned code, a position.

use super::{FormInput, FormPurpose, OUTCOME};
use crate::InvalidInput;
use crate::app::event::EffectFailure;
use crate::app::screens::{Answer, Cx, Outcome};
use crate::error::{Error, Result};
use crate::forms::form::{Answer as Given, CapturedLocation, Outcome as Visit, PhotoRef};
use crate::geo::GeoPoint;
use crate::ids::FormId;
use crate::media::PhotoPolicy;
use crate::scan::ScanFormats;
use crate::store::develop_photo;
use crate::text::{Text, said};
use crate::words;

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
