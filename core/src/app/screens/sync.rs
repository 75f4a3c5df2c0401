//! Sync screen: the sync: phases with progress, the last result, refused changes in words, held-back changes.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Sync screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncScreen {
    pub title: String,
}

/// What the user does on the Sync screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SyncEvent {
    Refresh,
}

pub fn render(cx: &Cx<'_>, view: &crate::app::SyncView) -> Result<SyncScreen> {
    let _ = (view,);
    Ok(SyncScreen {
        title: cx.say("Sync", "Sync"),
    })
}

pub fn handle(
    cx: &mut Cx<'_>,
    view: &mut crate::app::SyncView,
    event: SyncEvent,
) -> Result<Outcome> {
    let _ = (cx, view, event);
    Ok(Outcome::stay())
}

/// What follows a sync's end: notifications of new urgent orders, the wipe of a revoked
/// device. The effects for the shell.
pub fn after(
    done: &mut crate::app::SyncAfter<'_>,
) -> crate::app::AppResult<Vec<crate::app::Effect>> {
    let _ = done;
    Ok(Vec::new())
}
