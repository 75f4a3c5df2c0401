//! Search screen: households by customer number, name, phone or partial address.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Search screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchScreen {
    pub title: String,
}

/// What the user does on the Search screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SearchEvent {
    Refresh,
}

/// The input typed on the Search screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchInput {}

pub fn render(cx: &Cx<'_>, input: &SearchInput) -> Result<SearchScreen> {
    let _ = (input,);
    Ok(SearchScreen {
        title: cx.say("Search", "Search"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut SearchInput, event: SearchEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}
