//! Signature screen: a signature being drawn: strokes in, a preview drawn by the core, clear and accept.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Signature screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureScreen {
    pub title: String,
}

/// What the user does on the Signature screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SignatureEvent {
    Refresh,
}

/// The input typed on the Signature screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignatureInput {}

pub fn render(cx: &Cx<'_>, input: &SignatureInput) -> Result<SignatureScreen> {
    let _ = (input,);
    Ok(SignatureScreen {
        title: cx.say("Signature", "Signature"),
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    input: &mut SignatureInput,
    event: SignatureEvent,
) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}
