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
use crate::InvalidInput;
use crate::text::said;

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
    /// A return visit follows a resolved repair or a closed complaint within its target
    /// (Art.5(5), Art.16): the return-visit order is done (`Resolved`), by the office's call
    /// or a form sealed at the door.
    ReturnVisit,
}

impl Milestone {
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Handle => "handle",
            Milestone::Repair => "repair",
            Milestone::EmergencyOnSite => "emergency_on_site",
            Milestone::LeadershipReport => "leadership_report",
            Milestone::EquipmentOnSite => "equipment_on_site",
            Milestone::SpecialGroupVisit => "special_group_visit",
            Milestone::ComplaintInvestigation => "complaint_investigation",
            Milestone::ComplaintAnswer => "complaint_answer",
            Milestone::ReturnVisit => "return_visit",
        }
    }

    /// The status whose reaching meets the milestone. [`WorkOrder::reached`] counts a later
    /// status as reaching it too (a crew that reports "on site" was dispatched), and counts
    /// `ReferredElsewhere` as reaching `Resolved`, since both share the final rank.
    /// `None` for a milestone no status meets (a report to the leadership, a complaint's
    /// steps): those are met by their own records.
    fn met_by(self) -> Option<WorkOrderStatus> {
        match self {
            Milestone::Handle
            | Milestone::EmergencyOnSite
            | Milestone::EquipmentOnSite
            | Milestone::SpecialGroupVisit => Some(WorkOrderStatus::OnSite),
            Milestone::Repair | Milestone::ReturnVisit => Some(WorkOrderStatus::Resolved),
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

/// The regulated deadlines of `order`, judged on the targets stamped on it when it was opened
/// ([`WorkOrder::targets`]), in the order the regulation lists them.
///
/// - An ordinary pipeline fault is handled within 6 h and repaired within 24 h (Art.7(3)).
/// - A major fault has its crew on site and the leadership told at once (Art.5(1)), counted
///   from the report, or from the raise when it was raised later; a raised fault keeps its
///   ordinary clocks too, counted from the report, so that a raise never erases a lateness.
/// - A fault of the user's own equipment has a crew on site at once, or within the appointment
///   the user asked for (Art.7(4)); see [`equipment_due`].
/// - A special-group home service is visited within its target (Art.7(7)).
/// - A return visit is made within its target of the resolution or closing it follows
///   (Art.5(5)).
///
/// Other kinds (inspections, shut-offs, patrols…) have no clock here; periodic inspections are
/// scheduled by [`crate::schedule::inspection`].
///
/// A cancelled order keeps the deadlines it met before it was cancelled (they happened and are
/// reported), and drops the ones it had not met: cancelling says the order was not needed (a
/// duplicate call, a false report), so there is nothing left to be late for.
pub fn deadlines(order: &WorkOrder) -> Vec<Deadline> {
    let policy = &order.targets;
    let after = |from: DateTime<Utc>, allowed: Duration| {
        from.checked_add_signed(allowed)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let from_report = |allowed| after(order.reported_at, allowed);
    let mut regulated = Vec::new();
    match order.kind {
        WorkOrderKind::PipelineFault => {
            let major_since = order.major_since();
            if major_since.is_none_or(|since| since > order.reported_at) {
                regulated.push((Milestone::Handle, from_report(policy.pipeline_handle)));
                regulated.push((Milestone::Repair, from_report(policy.pipeline_repair)));
            }
            if let Some(since) = major_since {
                regulated.push((
                    Milestone::EmergencyOnSite,
                    after(since, policy.major_on_site),
                ));
                regulated.push((
                    Milestone::LeadershipReport,
                    after(since, policy.leadership_report),
                ));
            }
        }
        WorkOrderKind::UserEquipmentFault => {
            regulated.push((Milestone::EquipmentOnSite, equipment_due(order)));
        }
        WorkOrderKind::SpecialGroupService => {
            regulated.push((
                Milestone::SpecialGroupVisit,
                from_report(policy.special_group_visit),
            ));
        }
        WorkOrderKind::Inspection
        | WorkOrderKind::AcceptanceAndGasOn
        | WorkOrderKind::ShutOff
        | WorkOrderKind::Reconnection
        | WorkOrderKind::ComplaintFollowUp
        | WorkOrderKind::AbnormalUsePatrol => {}
        WorkOrderKind::ReturnVisit => {
            // Its report is the resolution or the closing it follows up.
            regulated.push((Milestone::ReturnVisit, from_report(policy.return_visit)));
        }
    }
    let cancelled = order.status() == WorkOrderStatus::Cancelled;
    regulated
        .into_iter()
        .map(|(milestone, due_at)| Deadline {
            milestone,
            due_at,
            met_at: met_at(order, milestone),
        })
        .filter(|d| !cancelled || d.met_at.is_some())
        .collect()
}

/// When `milestone` was met on `order`: by a status, or by its own record.
fn met_at(order: &WorkOrder, milestone: Milestone) -> Option<DateTime<Utc>> {
    match milestone {
        Milestone::LeadershipReport => order.leadership_report.as_ref().map(|r| r.at),
        _ => milestone.met_by().and_then(|s| order.reached(s)),
    }
}

/// When a crew must be on site for a fault of the user's equipment: the target from the report,
/// or the end of the appointment taken at intake; then each agreed change moves it to the end
/// of its window, as long as the change was recorded while the clock still ran. A change
/// recorded after the deadline in force was missed, or after the crew arrived, leaves it where
/// it was: the lateness already incurred stays.
pub fn equipment_due(order: &WorkOrder) -> DateTime<Utc> {
    let arrived = order.reached(WorkOrderStatus::OnSite);
    let mut due = match order.appointment {
        Some(window) => window.to,
        None => order
            .reported_at
            .checked_add_signed(order.targets.equipment_on_site)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    };
    for change in &order.appointment_changes {
        if change.recorded_at > due || arrived.is_some_and(|at| change.recorded_at >= at) {
            break;
        }
        due = change.window.to;
    }
    due
}

/// The earliest deadline of `order` not yet met, if any: what a crew must beat next.
pub fn next_deadline(order: &WorkOrder) -> Option<Deadline> {
    deadlines(order)
        .into_iter()
        .filter(|d| d.met_at.is_none())
        .min_by_key(|d| d.due_at)
}

impl DeadlinePolicy {
    /// The names of the targets, as stored and typed (`doorstep admin district policy --set`).
    pub const TARGETS: [&'static str; 10] = [
        "pipeline_handle",
        "pipeline_repair",
        "major_on_site",
        "leadership_report",
        "equipment_on_site",
        "special_group_visit",
        "complaint_investigate",
        "complaint_answer",
        "return_visit",
        "outage_lead",
    ];

    fn target_mut(&mut self, name: &str) -> Option<&mut Duration> {
        Some(match name {
            "pipeline_handle" => &mut self.pipeline_handle,
            "pipeline_repair" => &mut self.pipeline_repair,
            "major_on_site" => &mut self.major_on_site,
            "leadership_report" => &mut self.leadership_report,
            "equipment_on_site" => &mut self.equipment_on_site,
            "special_group_visit" => &mut self.special_group_visit,
            "complaint_investigate" => &mut self.complaint_investigate,
            "complaint_answer" => &mut self.complaint_answer,
            "return_visit" => &mut self.return_visit,
            "outage_lead" => &mut self.outage_lead,
            _ => return None,
        })
    }

    /// Whether every target is its default (a district that set none stores none).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The target called `name`.
    pub fn target(&self, name: &str) -> Option<Duration> {
        self.clone().target_mut(name).map(|d| *d)
    }

    /// Sets the target called `name`, refusing an unknown name or a duration out of range.
    pub fn set(&mut self, name: &str, allowed: Duration) -> Result<(), InvalidInput> {
        let field = format!("deadline_policy.{name}");
        check_target(&field, allowed)?;
        let slot = self.target_mut(name).ok_or_else(|| {
            InvalidInput::new(
                "deadline_policy",
                said("未知的时限名称", "unknown target name"),
            )
        })?;
        *slot = allowed;
        Ok(())
    }

    /// Every target is more than nothing and at most 30 days: a district's typo must not give
    /// its crews a year, nor put every order in breach at once.
    pub fn validate(&self, field: &str) -> Result<(), InvalidInput> {
        for name in Self::TARGETS {
            let allowed = self.target(name).expect("every listed target exists");
            check_target(&format!("{field}.{name}"), allowed)?;
        }
        Ok(())
    }
}

fn check_target(field: &str, allowed: Duration) -> Result<(), InvalidInput> {
    if allowed <= Duration::zero() || allowed > Duration::days(30) {
        return Err(InvalidInput::new(
            field,
            said(
                "须大于0且不超过30天",
                "must be more than zero and at most 30 days",
            ),
        ));
    }
    Ok(())
}

/// A target as an office types it: a whole number and a unit, `30m`, `6h`, `7d` (or `90s`).
pub fn parse_target(field: &str, text: &str) -> Result<Duration, InvalidInput> {
    let bad = || {
        InvalidInput::new(
            field,
            said(
                "须为整数加单位：s、m、h 或 d，如 30m",
                "must be a whole number and a unit: s, m, h or d, e.g. 30m",
            ),
        )
    };
    let text = text.trim();
    let unit = text.chars().last().ok_or_else(bad)?;
    let number: i64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let allowed = match unit {
        's' => Duration::try_seconds(number),
        'm' => Duration::try_minutes(number),
        'h' => Duration::try_hours(number),
        'd' => Duration::try_days(number),
        _ => None,
    }
    .ok_or_else(bad)?;
    check_target(field, allowed)?;
    Ok(allowed)
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
    use crate::workorder::{AgreedBy, Appointment, AppointmentChange, FaultClass, WorkOrderSource};
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
        deadlines(order)
            .into_iter()
            .find(|d| d.milestone == milestone)
            .expect("the order has this deadline")
    }

    #[test]
    fn pipeline_fault_is_handled_in_6_hours_and_repaired_in_24() {
        let o = pipeline_fault_reported_at_1am();
        let ds = deadlines(&o);
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
        let next = next_deadline(&o).unwrap();
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
        let next = next_deadline(&o).unwrap();
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
        let next = next_deadline(&o).unwrap();
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
            next_deadline(&o).unwrap().state(due),
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
        assert_eq!(next_deadline(&o), None);
    }

    #[test]
    fn user_equipment_fault_with_a_crew_on_site_within_60_minutes_counts_as_at_once() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.advance(WorkOrderStatus::Dispatched, local(2, 18, 12), None)
            .unwrap();
        o.advance(WorkOrderStatus::OnSite, local(2, 18, 57), None)
            .unwrap();
        let ds = deadlines(&o);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].milestone, Milestone::EquipmentOnSite);
        assert_eq!(ds[0].due_at, local(2, 19, 0));
        assert_eq!(
            ds[0].state(local(2, 19, 30)),
            DeadlineState::Met {
                margin: Duration::minutes(3)
            }
        );
    }

    #[test]
    fn user_equipment_fault_reached_after_the_districts_target_is_late() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.targets = DeadlinePolicy {
            equipment_on_site: Duration::minutes(10),
            ..DeadlinePolicy::default()
        };
        o.advance(WorkOrderStatus::OnSite, local(2, 18, 12), None)
            .unwrap();
        let on_site = &deadlines(&o)[0];
        assert_eq!(on_site.due_at, local(2, 18, 10));
        assert_eq!(
            on_site.state(local(2, 19, 0)),
            DeadlineState::MetLate {
                late_by: Duration::minutes(2)
            }
        );
    }

    #[test]
    fn kinds_without_a_regulated_deadline_have_none() {
        for kind in WorkOrderKind::ALL {
            let o = order(kind, local(2, 9, 0));
            let ds = deadlines(&o);
            if kind.is_emergency()
                || kind == WorkOrderKind::SpecialGroupService
                || kind == WorkOrderKind::ReturnVisit
            {
                assert!(!ds.is_empty(), "{} should have a deadline", kind.as_str());
            } else {
                assert!(ds.is_empty(), "{} should have none", kind.as_str());
                assert_eq!(next_deadline(&o), None);
            }
        }
    }

    #[test]
    fn crew_that_reports_resolved_straight_away_met_every_milestone_then() {
        let mut o = pipeline_fault_reported_at_1am();
        o.advance(WorkOrderStatus::Resolved, local(2, 6, 0), None)
            .unwrap();
        for d in deadlines(&o) {
            assert_eq!(d.met_at, Some(local(2, 6, 0)), "{}", d.milestone.as_str());
        }

        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
        o.advance(WorkOrderStatus::OnSite, local(2, 18, 5), None)
            .unwrap();
        assert_eq!(
            deadline_of(&o, Milestone::EquipmentOnSite).met_at,
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
        let ds = deadlines(&o);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].milestone, Milestone::Handle);
        assert_eq!(ds[0].met_at, Some(local(2, 3, 0)));
        assert_eq!(next_deadline(&o), None);

        let mut duplicate = pipeline_fault_reported_at_1am();
        duplicate
            .advance(WorkOrderStatus::Cancelled, local(2, 1, 5), None)
            .unwrap();
        assert!(deadlines(&duplicate).is_empty());
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

    fn office() -> crate::workorder::RecordedBy {
        crate::workorder::RecordedBy::Office {
            operator: "dispatcher".into(),
        }
    }

    fn milestones(o: &WorkOrder) -> Vec<(Milestone, DateTime<Utc>)> {
        deadlines(o)
            .iter()
            .map(|d| (d.milestone, d.due_at))
            .collect()
    }

    #[test]
    fn a_leak_with_evacuation_is_reported_to_the_leadership_and_has_its_crew_on_site_within_its_target()
     {
        let mut o = pipeline_fault_reported_at_1am();
        o.class = Some(FaultClass::Major);
        assert_eq!(
            milestones(&o),
            vec![
                (Milestone::EmergencyOnSite, local(2, 1, 30)),
                (Milestone::LeadershipReport, local(2, 1, 30)),
            ],
            "a major fault at intake has the major clocks only, from the report"
        );
        o.report_to_leadership("值班经理", local(2, 1, 10), office())
            .unwrap();
        o.advance(WorkOrderStatus::OnSite, local(2, 1, 25), None)
            .unwrap();
        for d in deadlines(&o) {
            assert!(!d.is_breached(local(3, 0, 0)), "{}", d.milestone.as_str());
        }
        assert!(
            o.report_to_leadership("总经理", local(2, 1, 20), office())
                .is_err(),
            "the first report is the one counted"
        );
    }

    #[test]
    fn a_fault_raised_to_major_on_site_gets_the_major_clocks_from_the_raise_and_keeps_its_lateness()
    {
        let mut o = pipeline_fault_reported_at_1am();
        // Nobody came in 6 h; at 08:00 the crew arrives, finds a broken main and raises it.
        o.advance(WorkOrderStatus::OnSite, local(2, 8, 0), None)
            .unwrap();
        o.raise_to_major(local(2, 8, 5), office(), "主管断裂")
            .unwrap();
        assert_eq!(
            milestones(&o),
            vec![
                (Milestone::Handle, local(2, 7, 0)),
                (Milestone::Repair, local(3, 1, 0)),
                (Milestone::EmergencyOnSite, local(2, 8, 35)),
                (Milestone::LeadershipReport, local(2, 8, 35)),
            ]
        );
        assert!(deadline_of(&o, Milestone::Handle).is_breached(local(2, 9, 0)));
        assert_eq!(o.class_changes.len(), 1);
        assert_eq!(o.class_changes[0].from, FaultClass::Ordinary);
        let err = o
            .raise_to_major(local(2, 9, 0), office(), "again")
            .unwrap_err();
        assert_eq!(err.field, "work_order.class");
    }

    #[test]
    fn only_a_pipeline_fault_has_a_class_and_only_a_major_one_is_reported_upwards() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
        let before = o.clone();
        assert_eq!(
            o.raise_to_major(local(2, 9, 5), office(), "fire")
                .unwrap_err()
                .field,
            "work_order.class"
        );
        o.class = Some(FaultClass::Major);
        assert_eq!(o.validate().unwrap_err().field, "work_order.class");
        let mut ordinary = pipeline_fault_reported_at_1am();
        assert_eq!(
            ordinary
                .report_to_leadership("经理", local(2, 2, 0), office())
                .unwrap_err()
                .field,
            "work_order.leadership_report"
        );
        assert_eq!(before.fault_class(), None);
        assert_eq!(ordinary.fault_class(), Some(FaultClass::Ordinary));
    }

    fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Appointment {
        Appointment { from, to }
    }

    fn change(to: Appointment, recorded_at: DateTime<Utc>) -> AppointmentChange {
        AppointmentChange {
            window: to,
            agreed_by: AgreedBy::User,
            agreed_at: recorded_at,
            recorded_at,
            recorded_by: office(),
        }
    }

    #[test]
    fn a_user_who_asked_for_the_afternoon_is_on_time_when_the_crew_comes_in_the_window_or_before() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
        o.appointment = Some(window(local(2, 14, 0), local(2, 16, 0)));
        o.validate().unwrap();
        assert_eq!(
            milestones(&o),
            vec![(Milestone::EquipmentOnSite, local(2, 16, 0))]
        );
        o.advance(WorkOrderStatus::OnSite, local(2, 13, 30), None)
            .unwrap();
        assert!(!deadline_of(&o, Milestone::EquipmentOnSite).is_breached(local(3, 0, 0)));
    }

    #[test]
    fn an_appointment_moved_in_time_moves_the_clock_and_one_moved_after_it_ran_out_does_not() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
        // At 09:30, within the hour, the user asks for the evening instead.
        o.change_appointment(change(
            window(local(2, 18, 0), local(2, 19, 0)),
            local(2, 9, 30),
        ))
        .unwrap();
        assert_eq!(equipment_due(&o), local(2, 19, 0));
        // At 20:00 nobody came; a consent recorded now for tomorrow does not erase it.
        o.change_appointment(change(
            window(local(3, 9, 0), local(3, 10, 0)),
            local(2, 20, 0),
        ))
        .unwrap();
        assert_eq!(
            o.appointment_changes.len(),
            2,
            "the change is kept as history"
        );
        assert_eq!(equipment_due(&o), local(2, 19, 0));
        o.advance(WorkOrderStatus::OnSite, local(3, 9, 30), None)
            .unwrap();
        assert!(deadline_of(&o, Milestone::EquipmentOnSite).is_breached(local(3, 9, 30)));
    }

    #[test]
    fn a_changed_appointment_is_refused_whole_when_its_window_or_consent_is_wrong() {
        let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
        let before = o.clone();
        let backwards = change(window(local(2, 18, 0), local(2, 17, 0)), local(2, 9, 30));
        assert_eq!(
            o.change_appointment(backwards).unwrap_err().field,
            "work_order.appointment.window"
        );
        let mut nameless = change(window(local(2, 18, 0), local(2, 19, 0)), local(2, 9, 30));
        nameless.agreed_by = AgreedBy::Contact { name: " ".into() };
        assert_eq!(
            o.change_appointment(nameless).unwrap_err().field,
            "work_order.appointment.agreed_by"
        );
        let mut pipeline = pipeline_fault_reported_at_1am();
        assert_eq!(
            pipeline
                .change_appointment(change(
                    window(local(2, 18, 0), local(2, 19, 0)),
                    local(2, 2, 0)
                ))
                .unwrap_err()
                .field,
            "work_order.appointment"
        );
        assert_eq!(o, before);
    }

    #[test]
    fn a_special_group_home_service_is_visited_within_24_hours() {
        let mut o = order(WorkOrderKind::SpecialGroupService, local(2, 9, 0));
        assert_eq!(
            milestones(&o),
            vec![(Milestone::SpecialGroupVisit, local(3, 9, 0))]
        );
        o.advance(WorkOrderStatus::OnSite, local(3, 8, 0), None)
            .unwrap();
        assert!(!deadline_of(&o, Milestone::SpecialGroupVisit).is_breached(local(4, 0, 0)));
    }

    #[test]
    fn an_order_is_judged_on_the_targets_stamped_on_it_and_an_old_one_reads_as_the_defaults() {
        let mut o = pipeline_fault_reported_at_1am();
        o.class = Some(FaultClass::Major);
        o.targets
            .set("major_on_site", Duration::minutes(20))
            .unwrap();
        assert_eq!(
            deadline_of(&o, Milestone::EmergencyOnSite).due_at,
            local(2, 1, 20)
        );
        let mut json = serde_json::to_value(&o).unwrap();
        json.as_object_mut().unwrap().remove("targets");
        let old: WorkOrder = serde_json::from_value(json).unwrap();
        assert_eq!(old.targets, DeadlinePolicy::default());
        assert_eq!(
            deadline_of(&old, Milestone::EmergencyOnSite).due_at,
            local(2, 1, 30)
        );
    }

    #[test]
    fn a_target_is_typed_as_a_number_and_a_unit_and_refused_out_of_range() {
        assert_eq!(parse_target("--set", "20m").unwrap(), Duration::minutes(20));
        assert_eq!(parse_target("--set", "7d").unwrap(), Duration::days(7));
        for bad in ["", "m", "20", "20x", "0m", "-5m", "31d", "9999999999999d"] {
            assert_eq!(
                parse_target("--set", bad).unwrap_err().field,
                "--set",
                "{bad}"
            );
        }
        let mut p = DeadlinePolicy::default();
        assert_eq!(
            p.set("nonsense", Duration::minutes(1)).unwrap_err().field,
            "deadline_policy"
        );
        assert_eq!(p, DeadlinePolicy::default());
    }

    proptest! {
        /// No sequence of appointment changes turns a breached deadline into a met one: once
        /// the clock in force ran out, whatever is recorded later leaves it breached, at the
        /// same due time.
        #[test]
        fn no_sequence_of_appointment_changes_turns_a_breached_deadline_into_a_met_one(
            initial in proptest::option::of((0i64..600, 1i64..300)),
            changes in proptest::collection::vec((0i64..3000, 0i64..3000, 1i64..300), 0..8),
            arrival in proptest::option::of(0i64..4000),
        ) {
            let reported = local(2, 9, 0);
            let at = |m: i64| reported + Duration::minutes(m);
            let mut o = order(WorkOrderKind::UserEquipmentFault, reported);
            o.appointment = initial.map(|(from, len)| window(at(from), at(from + len)));
            if let Some(a) = arrival {
                o.advance(WorkOrderStatus::OnSite, at(a), None).unwrap();
            }
            let mut recorded: Vec<_> = changes;
            recorded.sort_by_key(|c| c.0);
            for (rec, from, len) in recorded {
                let before = deadline_of(&o, Milestone::EquipmentOnSite);
                // The clock had run out when the change was recorded.
                let breached_then = before.due_at < at(rec)
                    && before.met_at.is_none_or(|m| m > before.due_at);
                o.change_appointment(change(window(at(from), at(from + len)), at(rec))).unwrap();
                let after = deadline_of(&o, Milestone::EquipmentOnSite);
                if breached_then {
                    prop_assert_eq!(after.due_at, before.due_at);
                    prop_assert!(after.is_breached(at(rec)));
                    prop_assert!(after.is_breached(at(100_000)));
                }
            }
        }
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
            for d in deadlines(&o) {
                let a = d.state(o.reported_at + Duration::minutes(read_at_a_min));
                let b = d.state(o.reported_at + Duration::minutes(read_at_b_min));
                prop_assert_eq!(a, b);
            }
        }
    }
}
