//! Copy screen: a copy for the customer (visit report, hazard rectification notice, fee receipt) as a self-contained HTML document to print or share.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Copy screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyScreen {
    pub title: String,
}

/// What the user does on the Copy screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CopyEvent {
    Refresh,
}

/// The input typed on the Copy screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CopyInput {}

pub fn render(cx: &Cx<'_>, input: &CopyInput) -> Result<CopyScreen> {
    let _ = (input,);
    Ok(CopyScreen {
        title: cx.say("Copy", "Copy"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut CopyInput, event: CopyEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}
