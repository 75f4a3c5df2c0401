//! Enroll screen: the server address and one-time code, typed or from a scanned QR code; progress and errors.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Enroll screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollScreen {
    pub title: String,
}

/// What the user does on the Enroll screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrollEvent {
    Refresh,
}

/// The input typed on the Enroll screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnrollInput {}

/// What an effect asked from the Enroll screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrollPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, input: &EnrollInput) -> Result<EnrollScreen> {
    let _ = (input,);
    Ok(EnrollScreen {
        title: cx.say("Enroll", "Enroll"),
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    input: &mut EnrollInput,
    event: EnrollEvent,
    syncer: &crate::device_sync::Syncer,
    config: &crate::app::AppConfig,
) -> Result<Outcome> {
    let _ = (cx, input, event, syncer, config);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut EnrollInput,
    purpose: EnrollPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
