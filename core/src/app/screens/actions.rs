//! Action screen: the regulation's field actions with their input: open an order, edit contact details, change an appointment, hand back an order.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Action screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionScreen {
    pub title: String,
}

/// What the user does on the Action screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionEvent {
    Refresh,
}

/// The input typed on the Action screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionInput {}

/// What an effect asked from the Action screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActionPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, input: &ActionInput) -> Result<ActionScreen> {
    let _ = (input,);
    Ok(ActionScreen {
        title: cx.say("Action", "Action"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut ActionInput, event: ActionEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut ActionInput,
    purpose: ActionPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
