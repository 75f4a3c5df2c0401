//! The regulated deadlines of a work order (Art.7(3), Art.7(4)) and whether each was kept.
//!
//! Every deadline counts from the report (`reported_at`) and is judged on the time each step
//! really happened on the device that recorded it ([`StatusStep::at`](super::StatusStep::at)),
//! never on when the step reached a server: crews work offline in basements, and a repair
//! finished at 23:00 and synced the next morning was finished at 23:00.
//!
//! Durations are serialized as whole seconds (an integer), so that the console, the server and
//! the shells read them without a duration format of their own.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{WorkOrder, WorkOrderKind, WorkOrderStatus};

/// How long the utility has for each regulated step, counted from the report. The defaults are
/// the regulation's figures or, where it says "at once", the utility's targets. The policy is
/// data: a district may set its own (it syncs to the phones), and every order is stamped with
/// the targets in force when it was opened, so that phone, office and reports judge it alike.
/// A field missing from a stored policy reads as its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlinePolicy {
    /// An ordinary pipeline fault is handled (a crew on site) within 6 h of the report
    /// (Art.7(3)).
    #[serde(with = "whole_seconds")]
    pub pipeline_handle: Duration,
    /// An ordinary pipeline fault is repaired within 24 h of the report (Art.7(3)).
    #[serde(with = "whole_seconds")]
    pub pipeline_repair: Duration,
    /// A major fault (抢险: a leak with evacuation, a fire, a broken main) has its crew on
    /// site at once: within this target (default 30 minutes).
    #[serde(with = "whole_seconds")]
    pub major_on_site: Duration,
    /// A major fault is reported to the leadership at once (Art.5(1)): within this target of
    /// the report, or of the order being raised to major (default 30 minutes).
    #[serde(with = "whole_seconds")]
    pub leadership_report: Duration,
    /// A fault of the user's own equipment has a crew on site at once unless another time was
    /// agreed (Art.7(4)): within this target (default 60 minutes).
    #[serde(with = "whole_seconds")]
    pub equipment_on_site: Duration,
    /// Until the equipment-fault clock counted arrival, it counted dispatch; kept only so that
    /// a stored policy written then still reads. Not used by any rule.
    #[serde(with = "whole_seconds")]
    pub equipment_dispatch: Duration,
    /// A special-group household's home-service order is visited within 24 h (Art.7(7)).
    #[serde(with = "whole_seconds")]
    pub special_group_visit: Duration,
    /// A complaint's investigation starts at once: within 2 h (Art.7(6)).
    #[serde(with = "whole_seconds")]
    pub complaint_investigate: Duration,
    /// A complaint gets its first answer to the user as soon as possible: within 24 h (Art.7(6)).
    #[serde(with = "whole_seconds")]
    pub complaint_answer: Duration,
    /// A return visit follows a resolved repair or a closed complaint within 7 days (Art.5(5)).
    #[serde(with = "whole_seconds")]
    pub return_visit: Duration,
    /// A planned outage is announced at least 24 h before it starts (Art.7(2)).
    #[serde(with = "whole_seconds")]
    pub outage_lead: Duration,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            pipeline_handle: Duration::hours(6),
            pipeline_repair: Duration::hours(24),
            major_on_site: Duration::minutes(30),
            leadership_report: Duration::minutes(30),
            equipment_on_site: Duration::minutes(60),
            equipment_dispatch: Duration::minutes(15),
            special_group_visit: Duration::hours(24),
            complaint_investigate: Duration::hours(2),
            complaint_answer: Duration::hours(24),
            return_visit: Duration::days(7),
            outage_lead: Duration::hours(24),
        }
    }
}

/// A step the regulation puts a clock on: one per clause, so that compliance is reported per
/// clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// A crew is dispatched: the order reached `Dispatched`. (No clause counts dispatch any
    /// more; kept for stored verdicts.)
    Dispatch,
    /// An ordinary pipeline fault is handled: a crew is on site (`OnSite`) within 6 h
    /// (Art.7(3)).
    Handle,
    /// An ordinary pipeline fault is repaired (`Resolved`), or found outside the utility's
    /// scope with the user referred to another repair channel (`ReferredElsewhere`, Art.7(3)):
    /// either ends the utility's part.
    Repair,
    /// A major fault (抢险) has its crew on site within its target.
    EmergencyOnSite,
    /// A major fault is reported to the leadership within its target (Art.5(1)).
    LeadershipReport,
    /// A fault of the user's equipment has a crew on site at once, or within the agreed
    /// appointment window (Art.7(4)).
    EquipmentOnSite,
    /// A special-group household's home service is visited within its deadline (Art.7(7)).
    SpecialGroupVisit,
    /// A complaint's investigation is started within its target (Art.7(6)).
    ComplaintInvestigation,
    /// A complaint's first answer reaches the user within its target (Art.7(6)).
    ComplaintAnswer,
}

impl Milestone {
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Dispatch => "dispatch",
            Milestone::Handle => "handle",
            Milestone::Repair => "repair",
            Milestone::EmergencyOnSite => "emergency_on_site",
            Milestone::LeadershipReport => "leadership_report",
            Milestone::EquipmentOnSite => "equipment_on_site",
            Milestone::SpecialGroupVisit => "special_group_visit",
            Milestone::ComplaintInvestigation => "complaint_investigation",
            Milestone::ComplaintAnswer => "complaint_answer",
        }
    }

    /// The status whose reaching meets the milestone. [`WorkOrder::reached`] counts a later
    /// status as reaching it too (a crew that reports "on site" was dispatched), and counts
    /// `ReferredElsewhere` as reaching `Resolved`, since both share the final rank.
    /// `None` for a milestone no status meets (a report to the leadership, a complaint's
    /// steps): those are met by their own records.
    fn met_by(self) -> Option<WorkOrderStatus> {
        match self {
            Milestone::Dispatch => Some(WorkOrderStatus::Dispatched),
            Milestone::Handle
            | Milestone::EmergencyOnSite
            | Milestone::EquipmentOnSite
            | Milestone::SpecialGroupVisit => Some(WorkOrderStatus::OnSite),
            Milestone::Repair => Some(WorkOrderStatus::Resolved),
            Milestone::LeadershipReport
            | Milestone::ComplaintInvestigation
            | Milestone::ComplaintAnswer => None,
        }
    }
}

/// One regulated deadline of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub milestone: Milestone,
    pub due_at: DateTime<Utc>,
    /// When the milestone was met, by the clock of the device that recorded the step.
    pub met_at: Option<DateTime<Utc>>,
}

/// Where a deadline stands. A deadline exactly met, or looked at exactly when due, is still in
/// time: the regulation says "within".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeadlineState {
    Met {
        #[serde(with = "whole_seconds")]
        margin: Duration,
    },
    MetLate {
        #[serde(with = "whole_seconds")]
        late_by: Duration,
    },
    Pending {
        #[serde(with = "whole_seconds")]
        remaining: Duration,
    },
    Breached {
        #[serde(with = "whole_seconds")]
        overdue_by: Duration,
    },
}

impl Deadline {
    /// The state at `now`. A met deadline is judged on `met_at` alone, whatever `now` is: the
    /// verdict must not change when a step recorded offline reaches the server later.
    pub fn state(&self, now: DateTime<Utc>) -> DeadlineState {
        match self.met_at {
            Some(met) if met <= self.due_at => DeadlineState::Met {
                margin: self.due_at - met,
            },
            Some(met) => DeadlineState::MetLate {
                late_by: met - self.due_at,
            },
            None if now <= self.due_at => DeadlineState::Pending {
                remaining: self.due_at - now,
            },
            None => DeadlineState::Breached {
                overdue_by: now - self.due_at,
            },
        }
    }

    /// Whether the deadline was or is being missed: met late, or unmet and past due. Both count
    /// against the unit in its evaluation (Art.19–20).
    pub fn is_breached(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.state(now),
            DeadlineState::MetLate { .. } | DeadlineState::Breached { .. }
        )
    }
}

/// The regulated deadlines of `order`, in the order the regulation lists them.
///
/// Only faults have one: a pipeline fault is handled within 6 h and repaired within 24 h
/// (Art.7(3)); a fault of the user's own equipment gets a crew at once (Art.7(4)). Other kinds
/// (inspections, shut-offs, return visits…) have no clock here; periodic inspections are
/// scheduled by [`crate::schedule::inspection`].
///
/// A cancelled order keeps the deadlines it met before it was cancelled (they happened and are
/// reported), and drops the ones it had not met: cancelling says the order was not needed (a
/// duplicate call, a false report), so there is nothing left to be late for.
pub fn deadlines(order: &WorkOrder, policy: &DeadlinePolicy) -> Vec<Deadline> {
    let regulated = match order.kind {
        WorkOrderKind::PipelineFault => vec![
            (Milestone::Handle, policy.pipeline_handle),
            (Milestone::Repair, policy.pipeline_repair),
        ],
        WorkOrderKind::UserEquipmentFault => vec![(Milestone::Dispatch, policy.equipment_dispatch)],
        WorkOrderKind::Inspection
        | WorkOrderKind::AcceptanceAndGasOn
        | WorkOrderKind::ShutOff
        | WorkOrderKind::Reconnection
        | WorkOrderKind::SpecialGroupService
        | WorkOrderKind::ComplaintFollowUp
        | WorkOrderKind::AbnormalUsePatrol
        | WorkOrderKind::ReturnVisit => Vec::new(),
    };
    let cancelled = order.status() == WorkOrderStatus::Cancelled;
    regulated
        .into_iter()
        .map(|(milestone, allowed)| Deadline {
            milestone,
            due_at: order
                .reported_at
                .checked_add_signed(allowed)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            met_at: milestone.met_by().and_then(|s| order.reached(s)),
        })
        .filter(|d| !cancelled || d.met_at.is_some())
        .collect()
}

/// The earliest deadline of `order` not yet met, if any: what a crew must beat next.
pub fn next_deadline(order: &WorkOrder, policy: &DeadlinePolicy) -> Option<Deadline> {
    deadlines(order, policy)
        .into_iter()
        .filter(|d| d.met_at.is_none())
        .min_by_key(|d| d.due_at)
}

/// Serde helper: a [`Duration`] as whole seconds (sub-second parts are dropped).
mod whole_seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(duration.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let seconds = i64::deserialize(deserializer)?;
        Duration::try_seconds(seconds).ok_or_else(|| D::Error::custom("duration out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::service_timezone;
    use crate::ids::HouseholdId;
    use crate::workorder::WorkOrderSource;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// A wall-clock time in the utility's city (UTC+8), as a dispatcher would say it.
    fn local(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        service_timezone()
            .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn order(kind: WorkOrderKind, reported_at: DateTime<Utc>) -> WorkOrder {
        WorkOrder::open(
            "WO-7",
            kind,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            reported_at,
        )
    }

    fn pipeline_fault_reported_at_1am() -> WorkOrder {
        order(WorkOrderKind::PipelineFault, local(2, 1, 0))
    }

    fn deadline_of(order: &WorkOrder, milestone: Milestone) -> Deadline {
        deadlines(order, &DeadlinePolicy::default())
            .into_iter()
            .find(|d| d.milestone == milestone)
            .expect("the order has this deadline")
    }

    #[test]
    fn pipeline_fault_is_handled_in_6_hours_and_repaired_in_24() {
        let o = pipeline_fault_reported_at_1am();
        let ds = deadlines(&o, &DeadlinePolicy::default());
        let due: Vec<_> = ds
            .iter()
            .map(|d| (d.milestone, d.due_at, d.met_at))
            .collect();
        assert_eq!(
            due,
            vec![
                (Milestone::Handle, local(2, 7, 0), None),
                (Milestone::Repair, local(3, 1, 0), None)
            ]
        );
    }

    #[test]
    fn crew_on_site_within_6_hours_met_the_handle_deadline() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::Dispatched, local(2, 1, 10), None)
            .unwrap();
        o.advance(WorkOrderStatus::OnSite, local(2, 5, 30), None)
            .unwrap();
        let handle = deadline_of(&o, Milestone::Handle);
        assert_eq!(handle.met_at, Some(local(2, 5, 30)));
        assert_eq!(
            handle.state(local(4, 0, 0)),
            DeadlineState::Met {
                margin: Duration::minutes(90)
            }
        );
        assert!(!handle.is_breached(local(4, 0, 0)));
    }

    #[test]
    fn crew_on_site_after_7_hours_met_the_handle_deadline_late() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::OnSite, local(2, 8, 0), None)
            .unwrap();
        let handle = deadline_of(&o, Milestone::Handle);
        assert_eq!(
            handle.state(local(2, 8, 0)),
            DeadlineState::MetLate {
                late_by: Duration::hours(1)
            }
        );
        assert!(handle.is_breached(local(2, 8, 0)));
    }

    #[test]
    fn open_fault_shows_the_time_left_on_the_next_deadline() {
        let mut o = pipeline_fault_reported_at_1am();
        let next = next_deadline(&o, &DeadlinePolicy::default()).unwrap();
        assert_eq!(next.milestone, Milestone::Handle);
        assert_eq!(
            next.state(local(2, 3, 0)),
            DeadlineState::Pending {
                remaining: Duration::hours(4)
            }
        );
        assert!(!next.is_breached(local(2, 3, 0)));

        o.advance(WorkOrderStatus::OnSite, local(2, 4, 0), None)
            .unwrap();
        let next = next_deadline(&o, &DeadlinePolicy::default()).unwrap();
        assert_eq!(next.milestone, Milestone::Repair);
        assert_eq!(
            next.state(local(2, 13, 0)),
            DeadlineState::Pending {
                remaining: Duration::hours(12)
            }
        );
    }

    #[test]
    fn fault_nobody_reached_in_6_hours_is_breached() {
        let o = pipeline_fault_reported_at_1am();
        let next = next_deadline(&o, &DeadlinePolicy::default()).unwrap();
        assert_eq!(
            next.state(local(2, 7, 45)),
            DeadlineState::Breached {
                overdue_by: Duration::minutes(45)
            }
        );
        assert!(next.is_breached(local(2, 7, 45)));
    }

    #[test]
    fn deadline_met_or_looked_at_exactly_when_due_is_in_time() {
        let mut o = pipeline_fault_reported_at_1am();
        let due = local(2, 7, 0);
        assert_eq!(
            next_deadline(&o, &DeadlinePolicy::default())
                .unwrap()
                .state(due),
            DeadlineState::Pending {
                remaining: Duration::zero()
            }
        );
        o.advance(WorkOrderStatus::OnSite, due, None).unwrap();
        assert_eq!(
            deadline_of(&o, Milestone::Handle).state(due),
            DeadlineState::Met {
                margin: Duration::zero()
            }
        );
    }

    /// The story of the rule: the crew closes the repair in a basement with no network at 23:00;
    /// the phone syncs at 09:00 the next day, 32 hours after the report. The repair was on time.
    #[test]
    fn repair_closed_offline_at_23_counts_as_23() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::OnSite, local(2, 4, 0), None)
            .unwrap();
        o.advance(WorkOrderStatus::Resolved, local(2, 23, 0), None)
            .unwrap();
        let synced_at = local(3, 9, 0);

        let repair = deadline_of(&o, Milestone::Repair);
        assert_eq!(repair.met_at, Some(local(2, 23, 0)));
        assert_eq!(
            repair.state(synced_at),
            DeadlineState::Met {
                margin: Duration::hours(2)
            }
        );
        assert!(!repair.is_breached(synced_at));
        assert_eq!(next_deadline(&o, &DeadlinePolicy::default()), None);
    }

    #[test]
    fn user_equipment_fault_dispatched_within_15_minutes_counts_as_immediate() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.advance(WorkOrderStatus::Dispatched, local(2, 18, 12), None)
            .unwrap();
        let ds = deadlines(&o, &DeadlinePolicy::default());
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].milestone, Milestone::Dispatch);
        assert_eq!(ds[0].due_at, local(2, 18, 15));
        assert_eq!(
            ds[0].state(local(2, 19, 0)),
            DeadlineState::Met {
                margin: Duration::minutes(3)
            }
        );
    }

    #[test]
    fn user_equipment_fault_dispatched_after_the_tolerance_is_late() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.advance(WorkOrderStatus::Dispatched, local(2, 18, 12), None)
            .unwrap();
        let strict = DeadlinePolicy {
            equipment_dispatch: Duration::minutes(10),
            ..DeadlinePolicy::default()
        };
        let dispatch = &deadlines(&o, &strict)[0];
        assert_eq!(dispatch.due_at, local(2, 18, 10));
        assert_eq!(
            dispatch.state(local(2, 19, 0)),
            DeadlineState::MetLate {
                late_by: Duration::minutes(2)
            }
        );
    }

    #[test]
    fn kinds_without_a_regulated_deadline_have_none() {
        for kind in WorkOrderKind::ALL {
            let o = order(kind, local(2, 9, 0));
            let ds = deadlines(&o, &DeadlinePolicy::default());
            if kind.is_emergency() {
                assert!(!ds.is_empty(), "{} should have a deadline", kind.as_str());
            } else {
                assert!(ds.is_empty(), "{} should have none", kind.as_str());
                assert_eq!(next_deadline(&o, &DeadlinePolicy::default()), None);
            }
        }
    }

    #[test]
    fn crew_that_reports_resolved_straight_away_met_every_milestone_then() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::Resolved, local(2, 6, 0), None)
            .unwrap();
        for d in deadlines(&o, &DeadlinePolicy::default()) {
            assert_eq!(d.met_at, Some(local(2, 6, 0)), "{}", d.milestone.as_str());
        }

        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.advance(WorkOrderStatus::OnSite, local(2, 18, 5), None)
            .unwrap();
        assert_eq!(
            deadline_of(&o, Milestone::Dispatch).met_at,
            Some(local(2, 18, 5))
        );
    }

    #[test]
    fn fault_referred_to_another_channel_met_the_repair_deadline() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::OnSite, local(2, 3, 0), None)
            .unwrap();
        o.advance(WorkOrderStatus::ReferredElsewhere, local(2, 3, 30), None)
            .unwrap();
        assert_eq!(
            deadline_of(&o, Milestone::Repair).met_at,
            Some(local(2, 3, 30))
        );
    }

    #[test]
    fn cancelled_order_keeps_the_deadlines_it_met_and_drops_the_others() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::OnSite, local(2, 3, 0), None)
            .unwrap();
        o.advance(WorkOrderStatus::Cancelled, local(3, 9, 0), None)
            .unwrap();
        let ds = deadlines(&o, &DeadlinePolicy::default());
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].milestone, Milestone::Handle);
        assert_eq!(ds[0].met_at, Some(local(2, 3, 0)));
        assert_eq!(next_deadline(&o, &DeadlinePolicy::default()), None);

        let mut duplicate = pipeline_fault_reported_at_1am();
        duplicate
            .advance(WorkOrderStatus::Cancelled, local(2, 1, 5), None)
            .unwrap();
        assert!(deadlines(&duplicate, &DeadlinePolicy::default()).is_empty());
    }

    #[test]
    fn deadline_and_its_state_travel_as_json_with_whole_seconds() {
        let d = Deadline {
            milestone: Milestone::Repair,
            due_at: local(3, 1, 0),
            met_at: None,
        };
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["milestone"], "repair");
        assert_eq!(serde_json::from_value::<Deadline>(json).unwrap(), d);

        let state = DeadlineState::Breached {
            overdue_by: Duration::minutes(45),
        };
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "state": "breached", "overdue_by": 2700 })
        );
        assert_eq!(
            serde_json::from_value::<DeadlineState>(json).unwrap(),
            state
        );

        let policy = DeadlinePolicy::default();
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(json["pipeline_handle"], 6 * 3600);
        assert_eq!(
            serde_json::from_value::<DeadlinePolicy>(json).unwrap(),
            policy
        );
    }

    proptest! {
        /// Once a milestone is met, its verdict is the same whenever anyone looks: when the
        /// step syncs cannot change it.
        #[test]
        fn verdict_on_a_met_deadline_does_not_depend_on_when_it_is_read(
            met_after_min in 0i64..3000,
            read_at_a_min in 0i64..100_000,
            read_at_b_min in 0i64..100_000,
        ) {
            let mut o = pipeline_fault_reported_at_1am();
            let met_at = o.reported_at + Duration::minutes(met_after_min);
            o.advance(WorkOrderStatus::Resolved, met_at, None).unwrap();
            for d in deadlines(&o, &DeadlinePolicy::default()) {
                let a = d.state(o.reported_at + Duration::minutes(read_at_a_min));
                let b = d.state(o.reported_at + Duration::minutes(read_at_b_min));
                prop_assert_eq!(a, b);
            }
        }
    }
}
