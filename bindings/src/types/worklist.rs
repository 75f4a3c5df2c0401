//! The day's work list. Mirrors of the core's work list: ids and days cross as text, and a
//! day that comes back (to be worded) is refused naming its field, which a custom type's lift
//! could not do.

use doorstep_core::schedule::worklist as core_worklist;

use super::{
    Category, Milestone, Point, Timestamp, WorkOrderKind, WorkOrderStatus, day, parse_day,
};
use crate::error::Result;

/// One line of the day's work list, most urgent first.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkItem {
    pub task: WorkTask,
    pub household_id: Option<String>,
    pub location: Option<Point>,
    /// An elderly or disabled user registered for priority service.
    pub special_group: bool,
    /// Why it is on the list, in data: the screen words it when it shows the line
    /// ([`crate::describe_work_reason`] gives the core's wording), so a list of hundreds crosses
    /// the FFI without a thousand strings no one reads.
    pub reason: WorkReason,
}

/// What the line is for: a work order, or an inspection that is due.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum WorkTask {
    Order {
        work_order_id: String,
        kind: WorkOrderKind,
        status: WorkOrderStatus,
    },
    Inspection {
        category: Category,
    },
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum WorkReason {
    /// A fault that may endanger people; `due_at` is its next regulated deadline.
    Emergency {
        milestone: Milestone,
        due_at: Timestamp,
        breached: bool,
    },
    Deadline {
        milestone: Milestone,
        due_at: Timestamp,
        breached: bool,
    },
    Assigned {
        reported_at: Timestamp,
    },
    InspectionOverdue {
        due_on: String,
        days: i64,
    },
    InspectionDue {
        due_on: String,
        in_days: i64,
    },
    /// A special-group household's home service: first in line after the faults (Art.7(7)).
    SpecialGroup {
        milestone: Milestone,
        due_at: Timestamp,
        breached: bool,
    },
}

impl From<core_worklist::WorkItem> for WorkItem {
    fn from(w: core_worklist::WorkItem) -> Self {
        use core_worklist::{Task, WorkReason as R};
        Self {
            task: match w.task {
                Task::Order {
                    work_order_id,
                    kind,
                    status,
                } => WorkTask::Order {
                    work_order_id: work_order_id.to_string(),
                    kind,
                    status,
                },
                Task::Inspection { category } => WorkTask::Inspection { category },
            },
            household_id: w.household_id.map(|h| h.to_string()),
            location: w.location.map(Into::into),
            special_group: w.special_group,
            reason: match w.reason {
                R::Emergency {
                    milestone,
                    due_at,
                    breached,
                } => WorkReason::Emergency {
                    milestone,
                    due_at,
                    breached,
                },
                R::Deadline {
                    milestone,
                    due_at,
                    breached,
                } => WorkReason::Deadline {
                    milestone,
                    due_at,
                    breached,
                },
                R::Assigned { reported_at } => WorkReason::Assigned { reported_at },
                R::InspectionOverdue { due_on, days } => WorkReason::InspectionOverdue {
                    due_on: day(due_on),
                    days,
                },
                R::InspectionDue { due_on, in_days } => WorkReason::InspectionDue {
                    due_on: day(due_on),
                    in_days,
                },
                R::SpecialGroup {
                    milestone,
                    due_at,
                    breached,
                } => WorkReason::SpecialGroup {
                    milestone,
                    due_at,
                    breached,
                },
            },
        }
    }
}

impl WorkReason {
    pub(crate) fn to_core(&self) -> Result<core_worklist::WorkReason> {
        use core_worklist::WorkReason as R;
        Ok(match self {
            WorkReason::Emergency {
                milestone,
                due_at,
                breached,
            } => R::Emergency {
                milestone: *milestone,
                due_at: *due_at,
                breached: *breached,
            },
            WorkReason::Deadline {
                milestone,
                due_at,
                breached,
            } => R::Deadline {
                milestone: *milestone,
                due_at: *due_at,
                breached: *breached,
            },
            WorkReason::Assigned { reported_at } => R::Assigned {
                reported_at: *reported_at,
            },
            WorkReason::InspectionOverdue { due_on, days } => R::InspectionOverdue {
                due_on: parse_day("due_on", due_on)?,
                days: *days,
            },
            WorkReason::InspectionDue { due_on, in_days } => R::InspectionDue {
                due_on: parse_day("due_on", due_on)?,
                in_days: *in_days,
            },
            WorkReason::SpecialGroup {
                milestone,
                due_at,
                breached,
            } => R::SpecialGroup {
                milestone: *milestone,
                due_at: *due_at,
                breached: *breached,
            },
        })
    }
}
