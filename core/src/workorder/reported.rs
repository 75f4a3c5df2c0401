//! A step reported from the field, taken into an order as the server holds it.
//!
//! The status moves forward only, and of two resolutions made offline on different phones, the
//! one made first on site stands, whichever reached the server first: a supervisor reads "first"
//! as first at the door, not first through the network. Times are the trusted ones
//! (`sync::time::Arrival::step_time`), the same the deadlines are judged on.

use serde::{Deserialize, Serialize};

use super::{StatusStep, WorkOrder, check_transition};
use crate::ids::{OperationId, TechnicianId};

/// Who reported a step from the field, as the server recorded it when the step arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReporter {
    pub technician: TechnicianId,
    /// The phone it came from.
    pub device: String,
    /// The operation that carried it.
    pub op_id: OperationId,
}

/// What taking a reported step in did to the order.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// The order moved on to the step.
    Moved,
    /// The step is a resolution made before the one that stood, which another phone had
    /// reported: it is the order's resolution now. `displaced` are the steps it replaced (that
    /// resolution, and any step made after this one), oldest first, for review.
    ResolvedEarlier { displaced: Vec<StatusStep> },
    /// The step contradicts the order (a step back, or a step after a resolution made before
    /// it): the order is unchanged and the step is for review.
    Contradicts,
}

impl WorkOrder {
    /// Takes in `step`, reported from the field, its time already the trusted one. A step
    /// dated before the order's last step counts at that step's time (the order's steps stay in
    /// time order); a resolution dated before the phone resolution that stands replaces it.
    pub fn take_reported(&mut self, mut step: StatusStep) -> Taken {
        let last = self
            .steps
            .last()
            .expect("an order always has its first step");
        if check_transition(last.status, step.status).is_ok() {
            step.at = step.at.max(last.at);
            self.steps.push(step);
            return Taken::Moved;
        }
        if !self.resolved_later_elsewhere(&step) {
            return Taken::Contradicts;
        }
        // Every step made after this resolution goes with the one it replaces: had the steps
        // arrived in the order they were made, each would have come after a resolution.
        let kept = self
            .steps
            .iter()
            .position(|s| s.at > step.at)
            .expect("the standing resolution is later than the step");
        let displaced = self.steps.split_off(kept);
        self.steps.push(step);
        Taken::ResolvedEarlier { displaced }
    }

    /// `step` resolves the order before the resolution that stands, which a phone reported (not
    /// the office's cancellation, nor one recorded before reporters were) and another phone
    /// than the step's.
    fn resolved_later_elsewhere(&self, step: &StatusStep) -> bool {
        let Some(standing) = self.steps.last() else {
            return false;
        };
        let (Some(by), Some(theirs)) = (&step.reported_by, &standing.reported_by) else {
            return false;
        };
        step.status.is_final()
            && standing.status.is_final()
            && by.device != theirs.device
            && step.at < standing.at
            && step.at >= self.reported_at
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use super::*;
    use crate::ids::HouseholdId;
    use crate::workorder::{WorkOrderKind, WorkOrderSource, WorkOrderStatus};

    fn reported_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0).unwrap()
    }

    fn order() -> WorkOrder {
        WorkOrder::open(
            "GD-1",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            reported_at(),
        )
    }

    fn step(status: WorkOrderStatus, minutes: i64, device: &str) -> StatusStep {
        StatusStep {
            status,
            at: reported_at() + Duration::minutes(minutes),
            position: None,
            reported_by: Some(StepReporter {
                technician: TechnicianId::new(),
                device: device.into(),
                op_id: OperationId::new(),
            }),
        }
    }

    #[test]
    fn a_resolution_made_earlier_on_another_phone_replaces_the_one_that_arrived_first() {
        let mut o = order();
        let b_on_site = step(WorkOrderStatus::OnSite, 100, "b");
        let b_resolved = step(WorkOrderStatus::Resolved, 130, "b");
        assert_eq!(o.take_reported(b_on_site.clone()), Taken::Moved);
        assert_eq!(o.take_reported(b_resolved.clone()), Taken::Moved);
        let a_resolved = step(WorkOrderStatus::ReferredElsewhere, 90, "a");
        assert_eq!(
            o.take_reported(a_resolved.clone()),
            Taken::ResolvedEarlier {
                displaced: vec![b_on_site, b_resolved]
            }
        );
        assert_eq!(o.steps.last(), Some(&a_resolved));
        assert_eq!(
            o.reached(WorkOrderStatus::Resolved),
            Some(a_resolved.at),
            "deadlines follow the resolution that stands"
        );
        o.validate().unwrap();
    }

    #[test]
    fn whichever_arrives_first_the_resolution_made_first_stands() {
        let a = step(WorkOrderStatus::Resolved, 60, "a");
        let b = step(WorkOrderStatus::ReferredElsewhere, 61, "b");
        let (mut a_first, mut b_first) = (order(), order());
        a_first.take_reported(a.clone());
        assert_eq!(a_first.take_reported(b.clone()), Taken::Contradicts);
        b_first.take_reported(b);
        b_first.take_reported(a);
        assert_eq!(a_first.steps, b_first.steps);
    }

    #[test]
    fn a_resolution_the_office_made_or_the_same_phone_reported_stays() {
        let mut cancelled = order();
        cancelled.take_reported(StatusStep {
            reported_by: None,
            ..step(WorkOrderStatus::Cancelled, 60, "office")
        });
        let before = cancelled.clone();
        let earlier = step(WorkOrderStatus::Resolved, 30, "a");
        assert_eq!(cancelled.take_reported(earlier), Taken::Contradicts);
        assert_eq!(cancelled, before);

        let mut own = order();
        own.take_reported(step(WorkOrderStatus::Resolved, 60, "a"));
        let before = own.clone();
        let earlier = step(WorkOrderStatus::ReferredElsewhere, 30, "a");
        assert_eq!(own.take_reported(earlier), Taken::Contradicts);
        assert_eq!(own, before);
    }

    #[test]
    fn a_step_back_contradicts_and_a_step_dated_before_the_last_counts_at_it() {
        let mut o = order();
        o.take_reported(step(WorkOrderStatus::OnSite, 60, "a"));
        assert_eq!(
            o.take_reported(step(WorkOrderStatus::Accepted, 70, "b")),
            Taken::Contradicts
        );
        assert_eq!(
            o.take_reported(step(WorkOrderStatus::Resolved, 50, "b")),
            Taken::Moved
        );
        assert_eq!(
            o.steps.last().unwrap().at,
            reported_at() + Duration::minutes(60)
        );
    }
}
