//! WorkOrder screen: a work order: kind, source, class, deadlines with countdowns, appointment, steps, actions, charges.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Answer, Cx, Outcome};
use crate::error::Result;

/// What the WorkOrder screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOrderScreen {
    pub title: String,
}

/// What the user does on the WorkOrder screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    Refresh,
}

/// What an effect asked from the WorkOrder screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderPurpose {
    Nothing,
}

pub fn render(cx: &Cx<'_>, id: crate::ids::WorkOrderId) -> Result<WorkOrderScreen> {
    let _ = (id,);
    Ok(WorkOrderScreen {
        title: cx.say("WorkOrder", "WorkOrder"),
    })
}

pub fn handle(cx: &mut Cx<'_>, id: crate::ids::WorkOrderId, event: OrderEvent) -> Result<Outcome> {
    let _ = (cx, id, event);
    Ok(Outcome::stay())
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    id: crate::ids::WorkOrderId,
    purpose: OrderPurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, id, purpose, answer);
    Ok(Outcome::stay())
}
