//! Household screen: one household's file: account, address, supply, meter, appliances, special group, next inspection, timeline and the actions allowed.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Household screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdScreen {
    pub title: String,
}

/// What the user does on the Household screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HouseholdEvent {
    Refresh,
}

/// What an effect asked from the Household screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HouseholdPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, id: crate::ids::HouseholdId) -> Result<HouseholdScreen> {
    let _ = (id,);
    Ok(HouseholdScreen {
        title: cx.say("Household", "Household"),
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    id: crate::ids::HouseholdId,
    event: HouseholdEvent,
) -> Result<Outcome> {
    let _ = (cx, id, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    id: crate::ids::HouseholdId,
    purpose: HouseholdPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, id, purpose, answer);
    Ok(Outcome::stay())
}
