//! Today screen: the technician, the date, the sync state, the outage banner and the day's lines in order, with filters.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Today screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayScreen {
    pub title: String,
}

/// What the user does on the Today screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TodayEvent {
    Refresh,
}

/// The input typed on the Today screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TodayInput {}

/// What an effect asked from the Today screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TodayPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, input: &TodayInput, sync: &crate::app::SyncView) -> Result<TodayScreen> {
    let _ = (input, sync);
    Ok(TodayScreen {
        title: cx.say("Today", "Today"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut TodayInput, event: TodayEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut TodayInput,
    purpose: TodayPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
