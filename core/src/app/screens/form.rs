//! Form screen: a form as its template says: sections, items with answers and problems, progress, outcomes, seal, digest, amend.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the Form screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FormScreen {
    pub title: String,
}

/// What the user does on the Form screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormEvent {
    Refresh,
}

/// The input typed on the Form screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormInput {
    pub id: Option<crate::ids::FormId>,
}

impl FormInput {
    pub fn of(id: crate::ids::FormId) -> Self {
        Self { id: Some(id) }
    }
}

/// What an effect asked from the Form screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, input: &FormInput) -> Result<FormScreen> {
    let _ = (input,);
    Ok(FormScreen {
        title: cx.say("Form", "Form"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut FormInput, event: FormEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut FormInput,
    purpose: FormPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
