//! Fees screen: the day's fees collected and the settlement.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Fees screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FeesScreen {
    pub title: String,
}

/// What the user does on the Fees screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FeesEvent {
    Refresh,
}

/// The input typed on the Fees screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeesInput {}

pub fn render(cx: &Cx<'_>, input: &FeesInput) -> Result<FeesScreen> {
    let _ = (input,);
    Ok(FeesScreen {
        title: cx.say("Fees", "Fees"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut FeesInput, event: FeesEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}
