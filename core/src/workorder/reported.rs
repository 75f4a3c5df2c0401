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
    /// The step is a resolution made before steps the order held (the resolution another
    /// phone had reported, or steps made after it): it is the order's resolution now, at its
    /// own time. `displaced` are the steps that made way for it, oldest first, for review.
    ResolvedEarlier { displaced: Vec<StatusStep> },
    /// The step contradicts the order (a step back, or a step after a resolution made before
    /// it): the order is unchanged and the step is for review.
    Contradicts,
}

impl WorkOrder {
    /// Takes in `step`, reported from the field, its time already the trusted one. A step
    /// dated before the order's last step counts at that step's time (the order's steps stay in
    /// time order), except a phone's resolution: that counts at its own time, and the phones'
    /// steps made after it, a later resolution among them, make way for it. The office's steps
    /// never make way: nothing counts before the last of them.
    pub fn take_reported(&mut self, mut step: StatusStep) -> Taken {
        step.at = step.at.max(self.recorded_by_the_server());
        let last = self
            .steps
            .last()
            .expect("an order always has its first step");
        let resolves = step.status.is_final() && step.reported_by.is_some();
        if check_transition(last.status, step.status).is_ok() {
            if !resolves || step.at >= last.at {
                step.at = step.at.max(last.at);
                self.steps.push(step);
                return Taken::Moved;
            }
        } else if !self.resolved_later_elsewhere(&step) {
            return Taken::Contradicts;
        }
        // Had the steps arrived in the order they were made, each made after this resolution
        // would have come after it: they make way, kept for review.
        let kept = self
            .steps
            .iter()
            .position(|s| s.at > step.at)
            .unwrap_or(self.steps.len());
        let displaced = self.steps.split_off(kept);
        self.steps.push(step);
        Taken::ResolvedEarlier { displaced }
    }

    /// The time of the last step no phone reported (the office's, or the order's opening):
    /// such a step is the office's record and never makes way, so no step counts before it.
    fn recorded_by_the_server(&self) -> chrono::DateTime<chrono::Utc> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.reported_by.is_none())
            .map_or(self.reported_at, |s| s.at)
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
        o.take_reported(step(WorkOrderStatus::Accepted, 60, "a"));
        let before = o.clone();
        assert_eq!(
            o.take_reported(step(WorkOrderStatus::Dispatched, 70, "b")),
            Taken::Contradicts
        );
        assert_eq!(o, before);
        assert_eq!(
            o.take_reported(step(WorkOrderStatus::OnSite, 50, "b")),
            Taken::Moved
        );
        assert_eq!(
            o.steps.last().unwrap().at,
            reported_at() + Duration::minutes(60)
        );
    }

    #[test]
    fn a_resolution_made_before_another_phones_last_step_counts_at_its_own_time() {
        let mut o = order();
        let a_on_site = step(WorkOrderStatus::OnSite, 60, "a");
        o.take_reported(a_on_site.clone());
        let b_resolved = step(WorkOrderStatus::Resolved, 50, "b");
        assert_eq!(
            o.take_reported(b_resolved.clone()),
            Taken::ResolvedEarlier {
                displaced: vec![a_on_site]
            }
        );
        assert_eq!(o.reached(WorkOrderStatus::Resolved), Some(b_resolved.at));
        o.validate().unwrap();
    }

    #[test]
    fn a_resolution_made_before_the_offices_dispatch_counts_at_the_dispatch() {
        let mut o = order();
        let dispatched = reported_at() + Duration::minutes(60);
        o.advance(WorkOrderStatus::Dispatched, dispatched, None)
            .unwrap();
        let b_on_site = step(WorkOrderStatus::OnSite, 70, "b");
        o.take_reported(b_on_site.clone());
        let a_resolved = step(WorkOrderStatus::Resolved, 30, "a");
        assert_eq!(
            o.take_reported(a_resolved.clone()),
            Taken::ResolvedEarlier {
                displaced: vec![b_on_site]
            }
        );
        assert_eq!(o.steps[1].status, WorkOrderStatus::Dispatched);
        assert_eq!(o.reached(WorkOrderStatus::Resolved), Some(dispatched));
        o.validate().unwrap();
    }

    /// One phone's steps: forward only, each later than the one before; even minutes for one
    /// phone and odd for the other, so that no two steps of the two phones share a time.
    fn phone_steps(device: &'static str, parity: i64) -> impl Strategy<Value = Vec<StatusStep>> {
        (
            proptest::sample::subsequence(
                vec![
                    WorkOrderStatus::Dispatched,
                    WorkOrderStatus::Accepted,
                    WorkOrderStatus::EnRoute,
                    WorkOrderStatus::OnSite,
                ],
                0..=4,
            ),
            proptest::option::of(proptest::sample::select(vec![
                WorkOrderStatus::Resolved,
                WorkOrderStatus::ReferredElsewhere,
                WorkOrderStatus::Cancelled,
            ])),
            proptest::collection::vec(1i64..30, 5),
        )
            .prop_map(move |(mut statuses, last, gaps)| {
                statuses.extend(last);
                let mut minute = parity;
                statuses
                    .into_iter()
                    .zip(gaps)
                    .map(|(status, gap)| {
                        minute += 2 * gap;
                        step(status, minute, device)
                    })
                    .collect()
            })
    }

    use proptest::prelude::*;

    proptest! {
        /// Whichever order two phones' steps arrive in (each phone's in its own order), the
        /// order ends resolved by the resolution made first, at its time, and stays valid.
        #[test]
        fn the_resolution_made_first_stands_in_any_arrival_order(
            a in phone_steps("a", 0),
            b in phone_steps("b", 1),
            arrivals in proptest::collection::vec(any::<bool>(), 10),
        ) {
            let mut o = order();
            let (mut from_a, mut from_b) = (a.iter(), b.iter());
            let mut arrivals = arrivals.into_iter();
            loop {
                let next = if arrivals.next().unwrap_or(true) {
                    from_a.next().or_else(|| from_b.next())
                } else {
                    from_b.next().or_else(|| from_a.next())
                };
                let Some(step) = next else { break };
                o.take_reported(step.clone());
            }
            prop_assert!(o.validate().is_ok(), "{:?}", o.steps);
            let first = a.iter().chain(&b).filter(|s| s.status.is_final()).min_by_key(|s| s.at);
            match first {
                Some(first) => prop_assert_eq!(o.steps.last(), Some(first)),
                None => prop_assert!(o.is_open()),
            }
        }
    }
}
