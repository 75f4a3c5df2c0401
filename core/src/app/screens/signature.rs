//! Signature screen: a signature being drawn for one signature item of a form. The shell sends
//! each finished stroke (points with their time and pressure); the core keeps them on the back
//! stack (so a half-drawn signature survives the process being killed), draws the preview, and
//! signs the form on Accept (`Store::sign`), back on the form with a Done notice.
//!
//! The preview is a PNG the core renders with the signature renderer
//! (`media::signature::render_png`, the same ink the copies for the customer show), written to
//! `files()/signatures/preview-<strokes' sha, 16 digits>.png` once per drawing; earlier previews
//! are removed. The screen asks the phone to keep the screen on while it is open
//! (`KeepScreenOn` when it opens and when it closes, and `keep_screen_on` on the record for a
//! shell drawing it again after a restart).

use serde::{Deserialize, Serialize};

use super::{Action, Cx, Outcome};
use crate::InvalidInput;
use crate::app::effect::Effect;
use crate::error::Result;
use crate::forms::seal::{SignatureCapture, StrokePoint};
use crate::forms::template::SignerRole;
use crate::ids::FormId;
use crate::media::signature::{RenderOptions, render_png};
use crate::text::said;

/// What the Signature screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureScreen {
    /// "用户签名" / "Customer signature": the item's label.
    pub title: String,
    /// The form it signs.
    pub form_title: String,
    /// Who signs, in words.
    pub role: String,
    /// What the signer confirms (the item's help), when the template says.
    pub statement: Option<String>,
    pub signer_label: String,
    pub signer_name: String,
    /// The strokes drawn so far, as the core renders them (none until there is ink).
    pub preview_path: Option<String>,
    pub strokes: u32,
    pub points: u32,
    /// The pad's words and accessibility label.
    pub pad_hint: String,
    pub clear: Action,
    pub accept: Action,
    pub cancel: Action,
    /// Keep the screen on while this screen is shown.
    pub keep_screen_on: bool,
}

/// One point of a stroke as the screen reports it: position in screen points, milliseconds
/// since the signature began, pen pressure (0 to 1) where the screen gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InkPoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    pub pressure: Option<f32>,
}

/// What the user does on the Signature screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SignatureEvent {
    Refresh,
    /// One stroke, pen down to pen up.
    Stroke {
        points: Vec<InkPoint>,
    },
    /// Start again.
    Clear,
    /// The signer's name as typed.
    Name {
        text: String,
    },
    /// Sign the form with what was drawn.
    Accept,
    /// Leave without signing.
    Cancel,
}

/// The signature being drawn: the form, the item, the signer and the strokes so far; kept on
/// the back stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureInput {
    pub form: FormId,
    pub item: String,
    pub role: SignerRole,
    pub signer_name: String,
    pub strokes: Vec<Vec<StrokePoint>>,
}

impl SignatureInput {
    pub fn new(form: FormId, item: String, role: SignerRole, signer_name: String) -> Self {
        Self {
            form,
            item,
            role,
            signer_name,
            strokes: Vec::new(),
        }
    }

    /// What would be signed now, at `at`.
    fn capture(&self, at: chrono::DateTime<chrono::Utc>) -> SignatureCapture {
        SignatureCapture {
            role: self.role,
            signer_name: self.signer_name.trim().to_owned(),
            signed_at: at,
            strokes: self.strokes.clone(),
        }
    }
}

/// The most points one stroke may bring (a stroke is a second or two of a finger).
const MAX_STROKE_POINTS: usize = 5_000;

pub fn render(cx: &Cx<'_>, input: &SignatureInput) -> Result<SignatureScreen> {
    let form = cx.read().form(input.form)?;
    let template = cx
        .read()
        .template(&form.template_id, form.template_version)?;
    let item = template.item(&input.item);
    let role = cx.t(&super::form::role_label(input.role));
    let title = item
        .map(|i| cx.t(&i.label))
        .unwrap_or_else(|| cx.say(&format!("{role}签名"), &format!("{role} signature")));
    let capture = input.capture(cx.now);
    let accept_text = said("确认签名", "Accept");
    let accept = match capture.validate() {
        Ok(()) => Action::new(cx, &accept_text, true),
        Err(e) => Action::disabled(cx, &accept_text, &e.said()),
    };
    let points: usize = input.strokes.iter().map(Vec::len).sum();
    let clear_text = said("清除重签", "Clear");
    let clear = if points == 0 {
        Action::disabled(cx, &clear_text, &said("尚未签字", "nothing drawn yet"))
    } else {
        Action::new(cx, &clear_text, true)
    };
    Ok(SignatureScreen {
        form_title: cx.t(&template.title),
        statement: item.and_then(|i| i.help.as_ref()).map(|h| cx.t(h)),
        signer_label: cx.say("签字人姓名", "Signer's name"),
        signer_name: input.signer_name.clone(),
        preview_path: preview(cx, &capture),
        strokes: input.strokes.len() as u32,
        points: points as u32,
        pad_hint: cx.say(
            &format!("请{role}在此处签字"),
            &format!("{role}: sign here"),
        ),
        clear,
        accept,
        cancel: Action::new(cx, &said("取消", "Cancel"), true),
        keep_screen_on: true,
        title,
        role,
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    input: &mut SignatureInput,
    event: SignatureEvent,
) -> Result<Outcome> {
    match event {
        SignatureEvent::Refresh => Ok(Outcome::stay()),
        SignatureEvent::Stroke { points } => {
            if points.is_empty() || points.len() > MAX_STROKE_POINTS {
                return Err(InvalidInput::new(
                    "signature.stroke",
                    said(
                        format!("一笔须有 1 到 {MAX_STROKE_POINTS} 个点"),
                        format!("a stroke has 1 to {MAX_STROKE_POINTS} points"),
                    ),
                )
                .into());
            }
            let stroke: Vec<StrokePoint> = points
                .into_iter()
                .map(|p| StrokePoint {
                    x: p.x,
                    y: p.y,
                    t_ms: p.t_ms,
                    pressure: p.pressure,
                })
                .collect();
            input.strokes.push(stroke);
            // The same checks as signing (points on a screen, pressure possible, not too many):
            // a stroke that could never be signed is refused now, not at Accept.
            if let Err(e) = check_points(input) {
                input.strokes.pop();
                return Err(e.into());
            }
            Ok(Outcome::stay())
        }
        SignatureEvent::Clear => {
            input.strokes.clear();
            Ok(Outcome::stay())
        }
        SignatureEvent::Name { text } => {
            if text.chars().count() > 64 {
                return Err(InvalidInput::new(
                    "signature.signer_name",
                    said("姓名最多 64 个字", "a name has at most 64 characters"),
                )
                .into());
            }
            input.signer_name = text;
            Ok(Outcome::stay())
        }
        SignatureEvent::Accept => {
            let capture = input.capture(cx.now);
            let (form, item) = (input.form, input.item.clone());
            cx.write(|s| s.sign(form, &item, capture))?;
            Ok(Outcome::back()
                .with_effect(Effect::KeepScreenOn { on: false })
                .done(said("已签名", "Signed")))
        }
        SignatureEvent::Cancel => {
            Ok(Outcome::back().with_effect(Effect::KeepScreenOn { on: false }))
        }
    }
}

/// A drawing's points checked as a signature's are (on a screen, pressure possible, not too
/// many), leaving out what only a finished signature needs: a name, and more than a dot (the
/// probe gets one point beside the first, so only the other rules can refuse it).
fn check_points(input: &SignatureInput) -> std::result::Result<(), InvalidInput> {
    let mut strokes = input.strokes.clone();
    if let Some(first) = strokes.first().and_then(|s| s.first()).cloned() {
        strokes.push(vec![StrokePoint {
            x: if first.x > 0.0 {
                first.x - 10.0
            } else {
                first.x + 10.0
            },
            pressure: None,
            ..first
        }]);
    }
    SignatureCapture {
        role: input.role,
        signer_name: "-".into(),
        signed_at: chrono::DateTime::UNIX_EPOCH,
        strokes,
    }
    .validate()
}

/// The preview PNG of what is drawn, written once per drawing; none before there is ink that
/// could be a signature.
fn preview(cx: &Cx<'_>, capture: &SignatureCapture) -> Option<String> {
    let probe = SignatureCapture {
        signer_name: "-".into(),
        ..capture.clone()
    };
    probe.validate().ok()?;
    let dir = cx.files().join("signatures");
    let name = format!("preview-{}.png", &probe.strokes_sha256()[..16]);
    let path = dir.join(&name);
    if !path.exists() {
        let png = render_png(
            &probe,
            &RenderOptions {
                width: 600,
                pen_px: 5.0,
            },
        )
        .ok()?;
        std::fs::create_dir_all(&dir).ok()?;
        // Earlier drawings' previews are not needed any more.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with("preview-") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let part = dir.join(format!("{name}.part"));
        std::fs::write(&part, png).ok()?;
        std::fs::rename(&part, &path).ok()?;
    }
    Some(path.to_string_lossy().into_owned())
}
