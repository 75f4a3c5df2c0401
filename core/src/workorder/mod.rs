//! Work orders: what the service center asks a crew or an inspector to do, where it came from,
//! and the forward-only status machine that records when each step really happened.

mod clocks;
pub mod deadline;
mod reported;

pub use clocks::{
    AgreedBy, Appointment, AppointmentChange, ClassChange, FaultClass, HandBack, LeadershipReport,
    RecordedBy,
};
pub use deadline::DeadlinePolicy;
pub use reported::{StepReporter, Taken};

use crate::text::{Text, said};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::GeoPoint;
use crate::household::validate_text;
use crate::ids::{ComplaintId, CrewId, HouseholdId, TechnicianId, WorkOrderId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub id: WorkOrderId,
    /// The service center's order number, as read out on the phone.
    pub number: String,
    pub kind: WorkOrderKind,
    pub source: WorkOrderSource,
    /// The household it concerns; a pipeline fault in the street may have none.
    pub household_id: Option<HouseholdId>,
    /// Where the work is, when it is not (only) the household's address.
    pub location: Option<GeoPoint>,
    pub description: String,
    /// When the customer or the system reported it: every deadline counts from here.
    pub reported_at: DateTime<Utc>,
    pub assignee: Option<TechnicianId>,
    pub crew: Option<CrewId>,
    /// Every status the order has been in, oldest first; the first is always `New` at
    /// `reported_at`.
    pub steps: Vec<StatusStep>,
    /// The order or complaint this one follows up (a return visit, a complaint's follow-up
    /// work): an id, never free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<FollowUp>,
    /// The targets of its district when it was opened: every clock of the order is judged on
    /// them, whatever the district sets later. An order stored before orders were stamped reads
    /// as the defaults.
    #[serde(default)]
    pub targets: DeadlinePolicy,
    /// A pipeline fault's class as it stands (none reads as ordinary); none for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<FaultClass>,
    /// Every change of the class, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_changes: Vec<ClassChange>,
    /// The report of a major fault to the leadership (Art.5(1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leadership_report: Option<LeadershipReport>,
    /// The window the user asked for at intake, instead of a crew at once (Art.7(4)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<Appointment>,
    /// Every change of the appointment the user agreed to since, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_changes: Vec<AppointmentChange>,
    /// Every time a technician declined or handed the order back, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hand_backs: Vec<HandBack>,
}

/// What a follow-up order (a return visit, a complaint's follow-up work) follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "of", content = "id", rename_all = "snake_case")]
pub enum FollowUp {
    Order(WorkOrderId),
    Complaint(ComplaintId),
}

impl WorkOrder {
    /// A new order as the service center opens it.
    pub fn open(
        number: impl Into<String>,
        kind: WorkOrderKind,
        source: WorkOrderSource,
        household_id: Option<HouseholdId>,
        description: impl Into<String>,
        reported_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: WorkOrderId::new(),
            number: number.into(),
            kind,
            source,
            household_id,
            location: None,
            description: description.into(),
            reported_at,
            assignee: None,
            crew: None,
            steps: vec![StatusStep {
                status: WorkOrderStatus::New,
                at: reported_at,
                position: None,
                reported_by: None,
            }],
            follows: None,
            targets: DeadlinePolicy::default(),
            class: None,
            class_changes: Vec::new(),
            leadership_report: None,
            appointment: None,
            appointment_changes: Vec::new(),
            hand_backs: Vec::new(),
        }
    }

    pub fn validate(&self) -> Result<(), InvalidInput> {
        let field = "work_order.number";
        if self.number.is_empty()
            || self.number.len() > 32
            || !self
                .number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(InvalidInput::new(
                field,
                said(
                    "须为1到32个字母、数字或“-”",
                    "must be 1 to 32 letters, digits or '-'",
                ),
            ));
        }
        validate_text("work_order.description", &self.description, 0, 2000)?;
        if self.household_id.is_none() && self.location.is_none() {
            return Err(InvalidInput::new(
                "work_order.household_id",
                said(
                    "工单需要用户或位置",
                    "an order needs a household or a location",
                ),
            ));
        }
        match self.steps.first() {
            Some(first) if first.status == WorkOrderStatus::New && first.at == self.reported_at => {
            }
            _ => {
                return Err(InvalidInput::new(
                    "work_order.steps",
                    said(
                        "第一步必须是报修时的“新建”",
                        "the first step must be 'new' at the report time",
                    ),
                ));
            }
        }
        for pair in self.steps.windows(2) {
            check_transition(pair[0].status, pair[1].status)?;
            if pair[1].at < pair[0].at {
                return Err(InvalidInput::new(
                    "work_order.steps",
                    said("步骤必须按时间先后排列", "steps must be in time order"),
                ));
            }
        }
        self.validate_clock_records()
    }

    pub fn status(&self) -> WorkOrderStatus {
        self.steps
            .last()
            .map(|s| s.status)
            .unwrap_or(WorkOrderStatus::New)
    }

    pub fn is_open(&self) -> bool {
        !self.status().is_final()
    }

    /// When the order first reached `status` (or a later one, since steps may be skipped:
    /// a crew that reports "on site" has also accepted the order).
    pub fn reached(&self, status: WorkOrderStatus) -> Option<DateTime<Utc>> {
        self.steps
            .iter()
            .find(|s| s.status.rank() >= status.rank() && s.status != WorkOrderStatus::Cancelled)
            .map(|s| s.at)
    }

    /// Moves the order to `status` at `at` (the device's clock when the technician did it).
    /// Refuses a move backwards, out of a final status, or to a time before the last step.
    pub fn advance(
        &mut self,
        status: WorkOrderStatus,
        at: DateTime<Utc>,
        position: Option<GeoPoint>,
    ) -> Result<(), InvalidInput> {
        let last = self
            .steps
            .last()
            .expect("an order always has its first step");
        check_transition(last.status, status)?;
        if at < last.at {
            return Err(InvalidInput::new(
                "work_order.status",
                said(
                    "这一步不能早于上一步",
                    "a step cannot happen before the previous one",
                ),
            ));
        }
        self.steps.push(StatusStep {
            status,
            at,
            position,
            reported_by: None,
        });
        Ok(())
    }
}

/// The one rule of the status machine: forward only, never out of a final status.
pub fn check_transition(from: WorkOrderStatus, to: WorkOrderStatus) -> Result<(), InvalidInput> {
    let field = "work_order.status";
    if from.is_final() {
        return Err(InvalidInput::new(
            field,
            said(
                format!("工单已{}", from.label().zh),
                format!("the order is already {}", from.as_str()),
            ),
        ));
    }
    if to == WorkOrderStatus::New || to.rank() <= from.rank() {
        return Err(InvalidInput::new(
            field,
            said(
                format!("不能从“{}”退回“{}”", from.label().zh, to.label().zh),
                format!("cannot move back from {} to {}", from.as_str(), to.as_str()),
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusStep {
    pub status: WorkOrderStatus,
    /// When it happened, by the device's clock (it may have been offline).
    pub at: DateTime<Utc>,
    /// Where the device was, when the shell gave a position.
    pub position: Option<GeoPoint>,
    /// Who reported it from the field, as the server recorded it; none for the office's steps
    /// and for a step the server has not taken in yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<StepReporter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderKind {
    /// A fault of the utility's pipeline network: handled in 6 h, repaired in 24 h (Art.7(3)).
    PipelineFault,
    /// A fault of the user's own gas equipment: a crew goes at once (Art.7(4)).
    UserEquipmentFault,
    Inspection,
    AcceptanceAndGasOn,
    ShutOff,
    Reconnection,
    SpecialGroupService,
    ComplaintFollowUp,
    AbnormalUsePatrol,
    ReturnVisit,
}

impl WorkOrderKind {
    pub const ALL: [WorkOrderKind; 10] = [
        WorkOrderKind::PipelineFault,
        WorkOrderKind::UserEquipmentFault,
        WorkOrderKind::Inspection,
        WorkOrderKind::AcceptanceAndGasOn,
        WorkOrderKind::ShutOff,
        WorkOrderKind::Reconnection,
        WorkOrderKind::SpecialGroupService,
        WorkOrderKind::ComplaintFollowUp,
        WorkOrderKind::AbnormalUsePatrol,
        WorkOrderKind::ReturnVisit,
    ];

    /// Faults that can put people in danger go ahead of everything else on a work list.
    pub fn is_emergency(self) -> bool {
        matches!(
            self,
            WorkOrderKind::PipelineFault | WorkOrderKind::UserEquipmentFault
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkOrderKind::PipelineFault => "pipeline_fault",
            WorkOrderKind::UserEquipmentFault => "user_equipment_fault",
            WorkOrderKind::Inspection => "inspection",
            WorkOrderKind::AcceptanceAndGasOn => "acceptance_and_gas_on",
            WorkOrderKind::ShutOff => "shut_off",
            WorkOrderKind::Reconnection => "reconnection",
            WorkOrderKind::SpecialGroupService => "special_group_service",
            WorkOrderKind::ComplaintFollowUp => "complaint_follow_up",
            WorkOrderKind::AbnormalUsePatrol => "abnormal_use_patrol",
            WorkOrderKind::ReturnVisit => "return_visit",
        }
    }

    /// The kind's name, as the timeline and the screens say it.
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            WorkOrderKind::PipelineFault => ("管网故障", "pipeline fault"),
            WorkOrderKind::UserEquipmentFault => ("户内设施故障", "fault of the user's equipment"),
            WorkOrderKind::Inspection => ("安检", "safety inspection"),
            WorkOrderKind::AcceptanceAndGasOn => ("验收通气", "acceptance and gas on"),
            WorkOrderKind::ShutOff => ("停气", "shut-off"),
            WorkOrderKind::Reconnection => ("恢复供气", "reconnection"),
            WorkOrderKind::SpecialGroupService => ("特殊群体上门服务", "priority home service"),
            WorkOrderKind::ComplaintFollowUp => ("投诉回访", "complaint follow-up"),
            WorkOrderKind::AbnormalUsePatrol => ("异常用气巡检", "abnormal use patrol"),
            WorkOrderKind::ReturnVisit => ("回访", "return visit"),
        };
        said(zh, en)
    }

    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                InvalidInput::new(
                    "work_order.kind",
                    said("未知的工单类型", "unknown work order type"),
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderSource {
    Phone,
    Visit,
    System,
}

impl WorkOrderSource {
    pub const ALL: [WorkOrderSource; 3] = [
        WorkOrderSource::Phone,
        WorkOrderSource::Visit,
        WorkOrderSource::System,
    ];

    /// The source's name as it is stored and typed (`doorstep admin order add --source`).
    pub fn as_str(self) -> &'static str {
        match self {
            WorkOrderSource::Phone => "phone",
            WorkOrderSource::Visit => "visit",
            WorkOrderSource::System => "system",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderStatus {
    New,
    Dispatched,
    Accepted,
    EnRoute,
    OnSite,
    Resolved,
    /// Out of the utility's scope: the customer was referred to another repair channel (Art.7(3)).
    ReferredElsewhere,
    Cancelled,
}

impl WorkOrderStatus {
    pub const ALL: [WorkOrderStatus; 8] = [
        WorkOrderStatus::New,
        WorkOrderStatus::Dispatched,
        WorkOrderStatus::Accepted,
        WorkOrderStatus::EnRoute,
        WorkOrderStatus::OnSite,
        WorkOrderStatus::Resolved,
        WorkOrderStatus::ReferredElsewhere,
        WorkOrderStatus::Cancelled,
    ];

    /// Position in the forward-only order; the three final statuses share the last rank.
    pub fn rank(self) -> u8 {
        match self {
            WorkOrderStatus::New => 0,
            WorkOrderStatus::Dispatched => 1,
            WorkOrderStatus::Accepted => 2,
            WorkOrderStatus::EnRoute => 3,
            WorkOrderStatus::OnSite => 4,
            WorkOrderStatus::Resolved
            | WorkOrderStatus::ReferredElsewhere
            | WorkOrderStatus::Cancelled => 5,
        }
    }

    pub fn is_final(self) -> bool {
        self.rank() == 5
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WorkOrderStatus::New => "new",
            WorkOrderStatus::Dispatched => "dispatched",
            WorkOrderStatus::Accepted => "accepted",
            WorkOrderStatus::EnRoute => "en_route",
            WorkOrderStatus::OnSite => "on_site",
            WorkOrderStatus::Resolved => "resolved",
            WorkOrderStatus::ReferredElsewhere => "referred_elsewhere",
            WorkOrderStatus::Cancelled => "cancelled",
        }
    }

    /// The status's name, as the timeline and the screens say it.
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            WorkOrderStatus::New => ("新建", "new"),
            WorkOrderStatus::Dispatched => ("已派工", "dispatched"),
            WorkOrderStatus::Accepted => ("已接单", "accepted"),
            WorkOrderStatus::EnRoute => ("在途", "on the way"),
            WorkOrderStatus::OnSite => ("已到场", "on site"),
            WorkOrderStatus::Resolved => ("已处理完毕", "resolved"),
            WorkOrderStatus::ReferredElsewhere => ("已转其他渠道", "referred elsewhere"),
            WorkOrderStatus::Cancelled => ("已取消", "cancelled"),
        };
        said(zh, en)
    }

    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                InvalidInput::new("work_order.status", said("未知的状态", "unknown status"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_orders_kind_status_and_source_are_named_as_they_are_stored() {
        let serde_name = |v: serde_json::Value| v.as_str().unwrap().to_owned();
        for k in WorkOrderKind::ALL {
            assert_eq!(serde_name(serde_json::to_value(k).unwrap()), k.as_str());
        }
        for s in WorkOrderStatus::ALL {
            assert_eq!(serde_name(serde_json::to_value(s).unwrap()), s.as_str());
        }
        for s in WorkOrderSource::ALL {
            assert_eq!(serde_name(serde_json::to_value(s).unwrap()), s.as_str());
        }
    }
    use proptest::prelude::*;

    fn order() -> WorkOrder {
        let t = Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap();
        WorkOrder::open(
            "WO-1",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            t,
        )
    }

    #[test]
    fn crew_moves_an_order_forward_step_by_step() {
        let mut o = order();
        let mut t = o.reported_at;
        for s in [
            WorkOrderStatus::Dispatched,
            WorkOrderStatus::Accepted,
            WorkOrderStatus::EnRoute,
            WorkOrderStatus::OnSite,
            WorkOrderStatus::Resolved,
        ] {
            t += chrono::Duration::minutes(10);
            o.advance(s, t, None).unwrap();
        }
        assert_eq!(o.status(), WorkOrderStatus::Resolved);
        assert!(!o.is_open());
        o.validate().unwrap();
    }

    #[test]
    fn an_order_moved_backwards_is_refused_and_unchanged() {
        let mut o = order();
        o.advance(WorkOrderStatus::OnSite, o.reported_at, None)
            .unwrap();
        let before = o.clone();
        let err = o
            .advance(WorkOrderStatus::Accepted, o.reported_at, None)
            .unwrap_err();
        assert_eq!(err.field, "work_order.status");
        assert_eq!(o, before);
    }

    #[test]
    fn a_resolved_order_cannot_be_cancelled() {
        let mut o = order();
        o.advance(WorkOrderStatus::Resolved, o.reported_at, None)
            .unwrap();
        assert!(
            o.advance(WorkOrderStatus::Cancelled, o.reported_at, None)
                .is_err()
        );
    }

    #[test]
    fn skipping_steps_counts_the_skipped_ones_as_reached() {
        let mut o = order();
        let t = o.reported_at + chrono::Duration::hours(1);
        o.advance(WorkOrderStatus::OnSite, t, None).unwrap();
        assert_eq!(o.reached(WorkOrderStatus::Dispatched), Some(t));
        assert_eq!(o.reached(WorkOrderStatus::Resolved), None);
    }

    #[test]
    fn a_cancelled_order_never_counts_as_reached() {
        let mut o = order();
        o.advance(WorkOrderStatus::Cancelled, o.reported_at, None)
            .unwrap();
        assert_eq!(o.reached(WorkOrderStatus::Dispatched), None);
    }

    proptest! {
        /// Whatever sequence of moves is attempted, the accepted steps only ever go forward.
        #[test]
        fn status_only_moves_forward(moves in proptest::collection::vec(0usize..8, 0..20)) {
            let mut o = order();
            for m in moves {
                let _ = o.advance(WorkOrderStatus::ALL[m], o.reported_at, None);
            }
            for pair in o.steps.windows(2) {
                prop_assert!(pair[1].status.rank() > pair[0].status.rank());
            }
            prop_assert!(o.validate().is_ok());
        }
    }
}
