//! Outage screen: a planned outage notice and its households, with the notifications posted at each building.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Outage screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageScreen {
    pub title: String,
}

/// What the user does on the Outage screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutageEvent {
    Refresh,
}

/// The input typed on the Outage screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutageInput {
    pub id: Option<crate::ids::OutageId>,
}

impl OutageInput {
    pub fn of(id: crate::ids::OutageId) -> Self {
        Self { id: Some(id) }
    }
}

/// What an effect asked from the Outage screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutagePurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, input: &OutageInput) -> Result<OutageScreen> {
    let _ = (input,);
    Ok(OutageScreen {
        title: cx.say("Outage", "Outage"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut OutageInput, event: OutageEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut OutageInput,
    purpose: OutagePurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
