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
mod tests;
