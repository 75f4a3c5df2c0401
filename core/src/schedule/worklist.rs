//! The day's work list of one technician.
//!
//! Order of the list, and why:
//! 1. Faults (pipeline faults, faults of the user's equipment): people may be in danger.
//!    Among them, the nearest deadline first; a breached deadline is the nearest of all.
//! 2. Special-group home service (Art.7(7)): behind every fault, ahead of everything else,
//!    nearest visit deadline first.
//! 3. Other orders with a regulated deadline, nearest deadline first.
//! 4. Orders without a regulated deadline (inspections, patrols, return visits, shut-offs…),
//!    oldest report first.
//!    At equal urgency (deadlines in the same [`WorkListOptions::urgency_bucket`], or no
//!    deadline) special-group users (elderly, weak, sick, disabled) go ahead of others.
//! 5. Inspections due or overdue in the technician's district, the most overdue chosen first up
//!    to a day's capacity, then ordered into a walking route from the start point.
//!
//! Every order is judged on the targets stamped on it ([`WorkOrder::targets`]).
//!
//! Every item carries a [`WorkReason`] saying why it is on the list.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;
use crate::geo::{GeoPoint, route::walking_route};
use crate::household::Category;
use crate::ids::{HouseholdId, WorkOrderId};
use crate::schedule::inspection::{InspectionDue, inspection_due};
use crate::workorder::deadline::{DeadlineState, Milestone, next_deadline};
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderStatus};

#[derive(Debug, Clone)]
pub struct WorkListOptions {
    /// How many inspections fit in a day next to the orders.
    pub max_inspections: usize,
    /// Inspections falling due within this many days are offered as well as overdue ones, so
    /// that a technician in the building can do them in the same walk.
    pub horizon_days: i64,
    /// Deadlines this close together count as equally urgent.
    pub urgency_bucket: Duration,
}

impl Default for WorkListOptions {
    fn default() -> Self {
        Self {
            max_inspections: 25,
            horizon_days: 7,
            urgency_bucket: Duration::hours(1),
        }
    }
}

/// An open order the technician (or their crew) holds, with what the list needs to know of
/// its household.
#[derive(Debug, Clone)]
pub struct OrderCandidate {
    pub order: WorkOrder,
    pub special_group: bool,
    /// The order's own location, else its household's.
    pub location: Option<GeoPoint>,
}

/// A household of the technician's district whose inspection is due.
#[derive(Debug, Clone)]
pub struct InspectionCandidate {
    pub household_id: HouseholdId,
    pub category: Category,
    pub due_on: NaiveDate,
    pub special_group: bool,
    pub location: Option<GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    pub task: Task,
    pub household_id: Option<HouseholdId>,
    pub location: Option<GeoPoint>,
    pub special_group: bool,
    pub reason: WorkReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "snake_case")]
pub enum Task {
    Order {
        work_order_id: WorkOrderId,
        kind: WorkOrderKind,
        status: WorkOrderStatus,
    },
    Inspection {
        category: Category,
    },
}

/// Why an item is on the list, in data: the shells word it in the user's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WorkReason {
    /// A fault that may endanger people; `due_at` is its next regulated deadline.
    Emergency {
        milestone: Milestone,
        due_at: DateTime<Utc>,
        breached: bool,
    },
    /// An order with a regulated deadline.
    Deadline {
        milestone: Milestone,
        due_at: DateTime<Utc>,
        breached: bool,
    },
    /// An order assigned to the technician, without a regulated deadline.
    Assigned {
        reported_at: DateTime<Utc>,
    },
    InspectionOverdue {
        due_on: NaiveDate,
        days: i64,
    },
    InspectionDue {
        due_on: NaiveDate,
        in_days: i64,
    },
    /// A special-group household's home service (Art.7(7)): first in line after the faults.
    SpecialGroup {
        milestone: Milestone,
        due_at: DateTime<Utc>,
        breached: bool,
    },
}

impl WorkReason {
    /// A one-line explanation, in Chinese (`zh`) or English.
    pub fn describe(&self, chinese: bool) -> String {
        let fmt = |t: &DateTime<Utc>| {
            t.with_timezone(&crate::calendar::service_timezone())
                .format("%m-%d %H:%M")
                .to_string()
        };
        match (self, chinese) {
            (
                WorkReason::Emergency {
                    milestone,
                    due_at,
                    breached,
                },
                true,
            ) => format!(
                "紧急故障：须在 {} 前{}{}",
                fmt(due_at),
                milestone_zh(*milestone),
                if *breached { "（已超时）" } else { "" }
            ),
            (
                WorkReason::Emergency {
                    milestone,
                    due_at,
                    breached,
                },
                false,
            ) => format!(
                "Emergency: {} due by {}{}",
                milestone_en(*milestone),
                fmt(due_at),
                if *breached { " (overdue)" } else { "" }
            ),
            (
                WorkReason::Deadline {
                    milestone,
                    due_at,
                    breached,
                },
                true,
            ) => format!(
                "工单时限：须在 {} 前{}{}",
                fmt(due_at),
                milestone_zh(*milestone),
                if *breached { "（已超时）" } else { "" }
            ),
            (
                WorkReason::Deadline {
                    milestone,
                    due_at,
                    breached,
                },
                false,
            ) => format!(
                "Order deadline: {} due by {}{}",
                milestone_en(*milestone),
                fmt(due_at),
                if *breached { " (overdue)" } else { "" }
            ),
            (WorkReason::Assigned { .. }, true) => "已派给您的工单".to_owned(),
            (WorkReason::Assigned { .. }, false) => "Order assigned to you".to_owned(),
            (WorkReason::InspectionOverdue { days, .. }, true) => format!("安检已逾期 {days} 天"),
            (WorkReason::InspectionOverdue { days: 1, .. }, false) => {
                "Inspection overdue by 1 day".to_owned()
            }
            (WorkReason::InspectionOverdue { days, .. }, false) => {
                format!("Inspection overdue by {days} days")
            }
            (WorkReason::InspectionDue { in_days: 0, .. }, true) => "今天到期的定期安检".to_owned(),
            (WorkReason::InspectionDue { in_days: 0, .. }, false) => {
                "Inspection due today".to_owned()
            }
            (WorkReason::InspectionDue { in_days, .. }, true) => {
                format!("定期安检 {in_days} 天后到期")
            }
            (WorkReason::InspectionDue { in_days: 1, .. }, false) => {
                "Inspection due tomorrow".to_owned()
            }
            (WorkReason::InspectionDue { in_days, .. }, false) => {
                format!("Inspection due in {in_days} days")
            }
            (
                WorkReason::SpecialGroup {
                    milestone,
                    due_at,
                    breached,
                },
                true,
            ) => format!(
                "特殊群体优先：须在 {} 前{}{}",
                fmt(due_at),
                milestone_zh(*milestone),
                if *breached { "（已超时）" } else { "" }
            ),
            (
                WorkReason::SpecialGroup {
                    milestone,
                    due_at,
                    breached,
                },
                false,
            ) => format!(
                "Special group first: {} due by {}{}",
                milestone_en(*milestone),
                fmt(due_at),
                if *breached { " (overdue)" } else { "" }
            ),
        }
    }
}

fn milestone_en(m: Milestone) -> &'static str {
    match m {
        Milestone::Handle => "on-site response",
        Milestone::Repair => "repair",
        Milestone::EmergencyOnSite => "emergency crew on site",
        Milestone::LeadershipReport => "report to the leadership",
        Milestone::EquipmentOnSite => "on site",
        Milestone::SpecialGroupVisit => "home visit",
        Milestone::ComplaintInvestigation => "investigation started",
        Milestone::ComplaintAnswer => "first answer",
        Milestone::ReturnVisit => "return visit",
    }
}

fn milestone_zh(m: Milestone) -> &'static str {
    match m {
        Milestone::Handle => "到场处理",
        Milestone::Repair => "修复",
        Milestone::EmergencyOnSite => "抢险到场",
        Milestone::LeadershipReport => "上报领导",
        Milestone::EquipmentOnSite => "到场",
        Milestone::SpecialGroupVisit => "上门服务",
        Milestone::ComplaintInvestigation => "开始调查",
        Milestone::ComplaintAnswer => "首次答复",
        Milestone::ReturnVisit => "回访",
    }
}

/// Builds the day's work list. `orders` are the technician's open orders; `inspections` the due
/// households of their district (any number: the most overdue are chosen here). Households that
/// already have an order on the list are not offered again as an inspection.
pub fn work_list(
    orders: Vec<OrderCandidate>,
    inspections: Vec<InspectionCandidate>,
    start: Option<GeoPoint>,
    now: DateTime<Utc>,
    options: &WorkListOptions,
) -> Vec<WorkItem> {
    let mut ranked: Vec<(OrderRank, WorkItem)> = orders
        .into_iter()
        .filter(|c| c.order.is_open())
        .map(|c| rank_order(c, now, options))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut list: Vec<WorkItem> = ranked.into_iter().map(|(_, item)| item).collect();

    let on_list: std::collections::HashSet<HouseholdId> =
        list.iter().filter_map(|i| i.household_id).collect();
    let today = local_date(now);
    let horizon = today + Duration::days(options.horizon_days);
    let mut due: Vec<InspectionCandidate> = inspections
        .into_iter()
        .filter(|c| c.due_on <= horizon && !on_list.contains(&c.household_id))
        .collect();
    // Most overdue first; at the same due date, special-group users first.
    due.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then(b.special_group.cmp(&a.special_group))
    });
    due.truncate(options.max_inspections);

    let (located, unlocated): (Vec<_>, Vec<_>) =
        due.into_iter().partition(|c| c.location.is_some());
    let walk_from = start
        .or_else(|| list.iter().rev().find_map(|i| i.location))
        .or_else(|| located.first().and_then(|c| c.location));
    let ordered: Vec<InspectionCandidate> = match walk_from {
        Some(from) => {
            let points: Vec<GeoPoint> = located.iter().filter_map(|c| c.location).collect();
            let order = walking_route(from, &points);
            let mut slots: Vec<Option<InspectionCandidate>> =
                located.into_iter().map(Some).collect();
            order.into_iter().filter_map(|i| slots[i].take()).collect()
        }
        None => located,
    };
    list.extend(
        ordered
            .into_iter()
            .chain(unlocated)
            .map(|c| inspection_item(c, today)),
    );
    list
}

/// Sort key of an order: tier, urgency bucket, special group first, then exact deadline and
/// report time so that the order is total and stable.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct OrderRank {
    tier: u8,
    bucket: i64,
    not_special: bool,
    due_at: Option<DateTime<Utc>>,
    reported_at: DateTime<Utc>,
    id: WorkOrderId,
}

fn rank_order(
    candidate: OrderCandidate,
    now: DateTime<Utc>,
    options: &WorkListOptions,
) -> (OrderRank, WorkItem) {
    let order = &candidate.order;
    let next = next_deadline(order);
    let emergency = order.kind.is_emergency();
    let special_service = order.kind == WorkOrderKind::SpecialGroupService;
    let (tier, bucket, reason) = match &next {
        Some(d) => {
            let breached = matches!(
                d.state(now),
                DeadlineState::Breached { .. } | DeadlineState::MetLate { .. }
            );
            let bucket_secs = options.urgency_bucket.num_seconds().max(1);
            // Everything already breached shares the most urgent bucket.
            let bucket = if breached {
                i64::MIN
            } else {
                (d.due_at - now).num_seconds().div_euclid(bucket_secs)
            };
            let (milestone, due_at) = (d.milestone, d.due_at);
            let (tier, reason) = if emergency {
                let reason = WorkReason::Emergency {
                    milestone,
                    due_at,
                    breached,
                };
                (0, reason)
            } else if special_service {
                let reason = WorkReason::SpecialGroup {
                    milestone,
                    due_at,
                    breached,
                };
                (1, reason)
            } else {
                let reason = WorkReason::Deadline {
                    milestone,
                    due_at,
                    breached,
                };
                (2, reason)
            };
            (tier, bucket, reason)
        }
        None if emergency => (
            0,
            i64::MAX,
            WorkReason::Assigned {
                reported_at: order.reported_at,
            },
        ),
        None if special_service => (
            1,
            i64::MAX,
            WorkReason::Assigned {
                reported_at: order.reported_at,
            },
        ),
        None => (
            3,
            0,
            WorkReason::Assigned {
                reported_at: order.reported_at,
            },
        ),
    };
    let rank = OrderRank {
        tier,
        bucket,
        not_special: !candidate.special_group,
        due_at: next.as_ref().map(|d| d.due_at),
        reported_at: order.reported_at,
        id: order.id,
    };
    let item = WorkItem {
        task: Task::Order {
            work_order_id: order.id,
            kind: order.kind,
            status: order.status(),
        },
        household_id: order.household_id,
        location: candidate.location,
        special_group: candidate.special_group,
        reason,
    };
    (rank, item)
}

fn inspection_item(c: InspectionCandidate, today: NaiveDate) -> WorkItem {
    let reason = match inspection_due(c.due_on, today) {
        InspectionDue::Overdue { days } => WorkReason::InspectionOverdue {
            due_on: c.due_on,
            days,
        },
        InspectionDue::DueToday => WorkReason::InspectionDue {
            due_on: c.due_on,
            in_days: 0,
        },
        InspectionDue::DueIn { days } => WorkReason::InspectionDue {
            due_on: c.due_on,
            in_days: days,
        },
    };
    WorkItem {
        task: Task::Inspection {
            category: c.category,
        },
        household_id: Some(c.household_id),
        location: c.location,
        special_group: c.special_group,
        reason,
    }
}

#[cfg(test)]
mod tests;
