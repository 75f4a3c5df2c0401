//! Settings screen: language, device, server, store size, app and core versions.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Settings screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsScreen {
    pub title: String,
}

/// What the user does on the Settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SettingsEvent {
    Refresh,
}

pub fn render(cx: &Cx<'_>) -> Result<SettingsScreen> {
    let _ = ((),);
    Ok(SettingsScreen {
        title: cx.say("Settings", "Settings"),
    })
}

pub fn handle(cx: &mut Cx<'_>, event: SettingsEvent) -> Result<Outcome> {
    let _ = (cx, (), event);
    Ok(Outcome::stay())
}
