//! The Signature screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::signature` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::signature::{InkPoint, SignatureEvent, SignatureScreen};

#[uniffi::remote(Record)]
pub struct SignatureScreen {
    pub title: String,
    pub form_title: String,
    pub role: String,
    pub statement: Option<String>,
    pub signer_label: String,
    pub signer_name: String,
    pub preview_path: Option<String>,
    pub strokes: u32,
    pub points: u32,
    pub pad_hint: String,
    pub clear: Action,
    pub accept: Action,
    pub cancel: Action,
    pub keep_screen_on: bool,
}

#[uniffi::remote(Record)]
pub struct InkPoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    pub pressure: Option<f32>,
}

#[uniffi::remote(Enum)]
pub enum SignatureEvent {
    Refresh,
    Stroke { points: Vec<InkPoint> },
    Clear,
    Name { text: String },
    Accept,
    Cancel,
}
