//! What an order records about its clocks besides its steps: a pipeline fault's class and every
//! change of it, the report of a major fault to the leadership, the appointment of a fault of
//! the user's equipment and every change the user agreed to, and each time a technician declined
//! or handed the order back. Each is kept as history on the order, never overwritten, so that a
//! deadline can be judged on what was in force when it ran out.
//!
//! Decisions (issue 22):
//! - A pipeline fault is ordinary unless the office said major at intake or it was raised since.
//!   Only ordinary -> major is allowed: lowering a class would erase the clocks it started.
//! - An order raised to major keeps the ordinary 6 h / 24 h clocks counted from the report (they
//!   were in force, and a lateness on them stays) and gains the major clocks counted from the
//!   raise. An order major at intake has the major clocks only, from the report.
//! - A hand back (or a decline, before the technician accepted) clears the assignee and the
//!   crew: the order is back on the office's list, its status unchanged (statuses only move
//!   forward); the office dispatches it again by naming an assignee.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{WorkOrder, WorkOrderKind, WorkOrderStatus};
use crate::InvalidInput;
use crate::household::validate_text;
use crate::ids::{CrewId, TechnicianId};
use crate::text::{Text, said};

/// How serious a pipeline fault is (Art.7(3), Art.5(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultClass {
    /// 一般故障: handled in 6 h, repaired in 24 h.
    Ordinary,
    /// 重大故障 (抢险: a leak with evacuation, a fire, a broken main): crew on site at once,
    /// the leadership told at once.
    Major,
}

impl FaultClass {
    pub const ALL: [FaultClass; 2] = [FaultClass::Ordinary, FaultClass::Major];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultClass::Ordinary => "ordinary",
            FaultClass::Major => "major",
        }
    }

    pub fn label(self) -> Text {
        match self {
            FaultClass::Ordinary => said("一般故障", "ordinary fault"),
            FaultClass::Major => said("重大故障（抢险）", "major fault (emergency repair)"),
        }
    }
}

/// Who recorded something on an order: an operator of the service center, or a technician
/// from their phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RecordedBy {
    Office { operator: String },
    Technician { technician: TechnicianId },
}

/// One change of a pipeline fault's class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassChange {
    pub from: FaultClass,
    pub to: FaultClass,
    pub at: DateTime<Utc>,
    pub by: RecordedBy,
    pub reason: String,
}

/// The report of a major fault to the leadership (Art.5(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadershipReport {
    /// Who was told: the leader's title or name.
    pub told: String,
    pub at: DateTime<Utc>,
    pub by: RecordedBy,
}

/// When the user wants the crew to come, instead of at once (Art.7(4)). Arrival before `from`
/// counts as in time; after `to` it is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Appointment {
    pub fn validate(&self, field: &str) -> Result<(), InvalidInput> {
        if self.to <= self.from {
            return Err(InvalidInput::new(
                field,
                said("结束时间须晚于开始时间", "must end after it starts"),
            ));
        }
        Ok(())
    }
}

/// Who agreed to a changed appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "agreed", rename_all = "snake_case")]
pub enum AgreedBy {
    /// The user themselves.
    User,
    /// A contact person the user named (a relative, a neighbour).
    Contact { name: String },
}

/// A changed appointment, with the user's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentChange {
    pub window: Appointment,
    pub agreed_by: AgreedBy,
    /// When the user agreed.
    pub agreed_at: DateTime<Utc>,
    /// When it was recorded (the device's clock, believed as a step's is): a change counts for
    /// the clock from here.
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: RecordedBy,
}

/// A technician declined the order (before accepting it) or handed it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandBack {
    pub technician: TechnicianId,
    pub at: DateTime<Utc>,
    pub reason: String,
    /// Declined before it was accepted, rather than handed back after.
    pub declined: bool,
}

fn closed(field: &str) -> InvalidInput {
    InvalidInput::new(field, said("工单已结束", "the order is closed"))
}

fn before_report(field: &str) -> InvalidInput {
    InvalidInput::new(
        field,
        said("不能早于报修时间", "cannot be before the report"),
    )
}

impl WorkOrder {
    /// The class of a pipeline fault (ordinary unless said otherwise); none for other kinds.
    pub fn fault_class(&self) -> Option<FaultClass> {
        (self.kind == WorkOrderKind::PipelineFault)
            .then(|| self.class.unwrap_or(FaultClass::Ordinary))
    }

    /// When the fault became major: its report, or the raise. `None` for an ordinary fault.
    pub fn major_since(&self) -> Option<DateTime<Utc>> {
        if self.fault_class() != Some(FaultClass::Major) {
            return None;
        }
        Some(
            self.class_changes
                .iter()
                .find(|c| c.to == FaultClass::Major)
                .map_or(self.reported_at, |c| c.at),
        )
    }

    /// Raises an ordinary pipeline fault to major at `at` (on site, or at the office).
    pub fn raise_to_major(
        &mut self,
        at: DateTime<Utc>,
        by: RecordedBy,
        reason: &str,
    ) -> Result<(), InvalidInput> {
        let field = "work_order.class";
        match self.fault_class() {
            None => {
                return Err(InvalidInput::new(
                    field,
                    said(
                        "只有管网故障分一般和重大",
                        "only a pipeline fault has a class",
                    ),
                ));
            }
            Some(FaultClass::Major) => {
                return Err(InvalidInput::new(
                    field,
                    said("已是重大故障", "the fault is already major"),
                ));
            }
            Some(FaultClass::Ordinary) => {}
        }
        if !self.is_open() {
            return Err(closed(field));
        }
        validate_text("work_order.class_change.reason", reason, 1, 500)?;
        if at < self.reported_at {
            return Err(before_report("work_order.class_change.at"));
        }
        self.class_changes.push(ClassChange {
            from: FaultClass::Ordinary,
            to: FaultClass::Major,
            at,
            by,
            reason: reason.trim().to_owned(),
        });
        self.class = Some(FaultClass::Major);
        Ok(())
    }

    /// Records that the leadership was told of this major fault. Once: the first report is the
    /// one the clock counts.
    pub fn report_to_leadership(
        &mut self,
        told: &str,
        at: DateTime<Utc>,
        by: RecordedBy,
    ) -> Result<(), InvalidInput> {
        let field = "work_order.leadership_report";
        let Some(since) = self.major_since() else {
            return Err(InvalidInput::new(
                field,
                said(
                    "只有重大故障须上报领导",
                    "only a major fault is reported to the leadership",
                ),
            ));
        };
        if self.leadership_report.is_some() {
            return Err(InvalidInput::new(
                field,
                said("已上报过领导", "the leadership was already told"),
            ));
        }
        validate_text("work_order.leadership_report.told", told, 1, 64)?;
        if at < since.min(self.reported_at) {
            return Err(before_report("work_order.leadership_report.at"));
        }
        self.leadership_report = Some(LeadershipReport {
            told: told.trim().to_owned(),
            at,
            by,
        });
        Ok(())
    }

    /// The appointment in force: the last agreed change, else the one taken at intake.
    pub fn current_appointment(&self) -> Option<Appointment> {
        self.appointment_changes
            .last()
            .map(|c| c.window)
            .or(self.appointment)
    }

    /// Records a changed appointment the user agreed to. It is kept whatever the clock says; a
    /// change recorded after the clock ran out does not move it (see
    /// [`deadline`](super::deadline)).
    pub fn change_appointment(&mut self, change: AppointmentChange) -> Result<(), InvalidInput> {
        let field = "work_order.appointment";
        if self.kind != WorkOrderKind::UserEquipmentFault {
            return Err(InvalidInput::new(
                field,
                said(
                    "只有户内设施故障可以预约上门时间",
                    "only a fault of the user's equipment has an appointment",
                ),
            ));
        }
        if !self.is_open() {
            return Err(closed(field));
        }
        validate_change(&change, self.reported_at)?;
        if self
            .appointment_changes
            .last()
            .is_some_and(|last| change.recorded_at < last.recorded_at)
        {
            return Err(InvalidInput::new(
                "work_order.appointment.recorded_at",
                said("不能早于上一次改约", "cannot be before the previous change"),
            ));
        }
        self.appointment_changes.push(change);
        Ok(())
    }

    /// Takes in a changed appointment a phone reported, its times already the trusted ones:
    /// placed among the changes by when it was recorded, so that a later change (the office's,
    /// or another phone's) stays the one in force. Refused, changing nothing, when it breaks a
    /// rule of [`Self::change_appointment`] other than its order in time.
    pub fn take_reported_appointment(
        &mut self,
        change: AppointmentChange,
    ) -> Result<(), InvalidInput> {
        let at = self
            .appointment_changes
            .partition_point(|c| c.recorded_at <= change.recorded_at);
        let later = self.appointment_changes.split_off(at);
        let taken = self.change_appointment(change);
        self.appointment_changes.extend(later);
        taken
    }

    /// The technician `by` (of the crew `their_crew`) declines the order (before accepting it)
    /// or hands it back: it leaves their list and returns, unassigned, to the office's. The
    /// order must be theirs: assigned to them, or to no one and to their crew.
    pub fn hand_back(
        &mut self,
        by: TechnicianId,
        their_crew: Option<CrewId>,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<HandBack, InvalidInput> {
        let field = "work_order.assignee";
        if !self.is_open() {
            return Err(closed(field));
        }
        let theirs = match self.assignee {
            Some(a) => a == by,
            None => self.crew.is_some() && self.crew == their_crew,
        };
        if !theirs {
            return Err(InvalidInput::new(
                field,
                said("这张工单没有派给您", "the order is not assigned to you"),
            ));
        }
        validate_text("work_order.hand_back.reason", reason, 1, 500)?;
        if at < self.reported_at {
            return Err(before_report("work_order.hand_back.at"));
        }
        let back = HandBack {
            technician: by,
            at,
            reason: reason.trim().to_owned(),
            declined: self.status().rank() < WorkOrderStatus::Accepted.rank(),
        };
        self.assignee = None;
        self.crew = None;
        self.hand_backs.push(back.clone());
        Ok(back)
    }

    /// The rules of the records above, as [`WorkOrder::validate`] checks them.
    pub(super) fn validate_clock_records(&self) -> Result<(), InvalidInput> {
        if self.class.is_some() && self.kind != WorkOrderKind::PipelineFault {
            return Err(InvalidInput::new(
                "work_order.class",
                said(
                    "只有管网故障分一般和重大",
                    "only a pipeline fault has a class",
                ),
            ));
        }
        if (self.appointment.is_some() || !self.appointment_changes.is_empty())
            && self.kind != WorkOrderKind::UserEquipmentFault
        {
            return Err(InvalidInput::new(
                "work_order.appointment",
                said(
                    "只有户内设施故障可以预约上门时间",
                    "only a fault of the user's equipment has an appointment",
                ),
            ));
        }
        if let Some(a) = &self.appointment {
            a.validate("work_order.appointment")?;
        }
        for change in &self.appointment_changes {
            validate_change(change, self.reported_at)?;
        }
        if let Some(r) = &self.leadership_report {
            validate_text("work_order.leadership_report.told", &r.told, 1, 64)?;
        }
        self.targets.validate("work_order.targets")
    }
}

fn validate_change(
    change: &AppointmentChange,
    reported_at: DateTime<Utc>,
) -> Result<(), InvalidInput> {
    change.window.validate("work_order.appointment.window")?;
    if let AgreedBy::Contact { name } = &change.agreed_by {
        validate_text("work_order.appointment.agreed_by", name, 1, 64)?;
    }
    if change.recorded_at < reported_at {
        return Err(before_report("work_order.appointment.recorded_at"));
    }
    if change.agreed_at > change.recorded_at {
        return Err(InvalidInput::new(
            "work_order.appointment.agreed_at",
            said("不能晚于记录时间", "cannot be after it was recorded"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ids::HouseholdId;
    use crate::workorder::WorkOrderSource;

    fn crew_order(crew: CrewId) -> WorkOrder {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        let mut o = WorkOrder::open(
            "GD-9",
            WorkOrderKind::ShutOff,
            WorkOrderSource::System,
            Some(HouseholdId::new()),
            "",
            t,
        );
        o.crew = Some(crew);
        o
    }

    #[test]
    fn a_crew_member_hands_back_their_crews_order_and_no_one_else_can() {
        let crew = CrewId::new();
        let mut o = crew_order(crew);
        let at = o.reported_at + chrono::Duration::minutes(5);
        let stranger = TechnicianId::new();
        let before = o.clone();
        let err = o
            .hand_back(stranger, Some(CrewId::new()), at, "not ours")
            .unwrap_err();
        assert_eq!(err.field, "work_order.assignee");
        assert_eq!(o, before, "a refused hand back changes nothing");

        let member = TechnicianId::new();
        let back = o.hand_back(member, Some(crew), at, "缺少配件").unwrap();
        assert!(back.declined, "handed back before anyone accepted it");
        assert_eq!((o.assignee, o.crew), (None, None));
        assert_eq!(o.status(), WorkOrderStatus::New, "the status does not move");
        assert_eq!(o.hand_backs, vec![back]);
    }

    #[test]
    fn a_phones_appointment_change_arriving_after_the_offices_later_one_leaves_the_office_in_force()
    {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        let h = chrono::Duration::hours;
        let mut o = WorkOrder::open(
            "GD-10",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            t,
        );
        let change = |from: i64, recorded: i64, by: RecordedBy| AppointmentChange {
            window: Appointment {
                from: t + h(from),
                to: t + h(from + 1),
            },
            agreed_by: AgreedBy::User,
            agreed_at: t + chrono::Duration::minutes(recorded),
            recorded_at: t + chrono::Duration::minutes(recorded),
            recorded_by: by,
        };
        let office = RecordedBy::Office {
            operator: "wangli".into(),
        };
        let phone = RecordedBy::Technician {
            technician: TechnicianId::new(),
        };
        o.change_appointment(change(10, 40, office.clone()))
            .unwrap();
        // Made offline at minute 20, it arrives after the office's change of minute 40.
        o.take_reported_appointment(change(5, 20, phone.clone()))
            .unwrap();
        assert_eq!(o.appointment_changes.len(), 2);
        assert_eq!(o.appointment_changes[0].recorded_by, phone);
        assert_eq!(o.current_appointment().unwrap().from, t + h(10));
        let before = o.clone();
        let mut backwards = change(5, 50, phone);
        backwards.window.to = backwards.window.from;
        assert!(o.take_reported_appointment(backwards).is_err());
        assert_eq!(o, before, "a refused change leaves the order as it was");
    }

    #[test]
    fn an_accepted_order_handed_back_is_not_a_decline() {
        let me = TechnicianId::new();
        let mut o = crew_order(CrewId::new());
        o.assignee = Some(me);
        let t = o.reported_at;
        o.advance(WorkOrderStatus::Accepted, t, None).unwrap();
        let back = o.hand_back(me, None, t, "需要专业队伍").unwrap();
        assert!(!back.declined);
    }
}
