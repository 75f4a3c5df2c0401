//! Work orders: what was reported, and every status the order has been in. Mirrors: ids cross
//! as text, positions as plain numbers, and the current status comes computed.

use doorstep_core::workorder as core_workorder;

pub use doorstep_core::workorder::deadline::Milestone;
pub use doorstep_core::workorder::{FaultClass, WorkOrderKind, WorkOrderStatus};

use super::{Point, Timestamp};

#[uniffi::remote(Enum)]
pub enum WorkOrderKind {
    PipelineFault,
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

#[uniffi::remote(Enum)]
pub enum WorkOrderStatus {
    New,
    Dispatched,
    Accepted,
    EnRoute,
    OnSite,
    Resolved,
    ReferredElsewhere,
    Cancelled,
}

#[uniffi::remote(Enum)]
pub enum Milestone {
    Handle,
    Repair,
    EmergencyOnSite,
    LeadershipReport,
    EquipmentOnSite,
    SpecialGroupVisit,
    ComplaintInvestigation,
    ComplaintAnswer,
    ReturnVisit,
}
/// How serious a pipeline fault is: ordinary (6 h / 24 h) or major (抢险).
#[uniffi::remote(Enum)]
pub enum FaultClass {
    Ordinary,
    Major,
}

/// When the user wants the crew to come (a fault of their equipment): arriving before `start`
/// is in time too, after `end` is late. (`start`/`end`, not the core's `from`/`to`: `from` is a
/// keyword in Python.)
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct AppointmentWindow {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Who agreed to a changed appointment.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AppointmentConsent {
    /// The user themselves.
    User,
    /// A contact person (their name or relation, e.g. 女儿).
    Contact { name: String },
}

impl AppointmentConsent {
    pub(crate) fn to_core(&self) -> core_workorder::AgreedBy {
        match self {
            AppointmentConsent::User => core_workorder::AgreedBy::User,
            AppointmentConsent::Contact { name } => {
                core_workorder::AgreedBy::Contact { name: name.clone() }
            }
        }
    }
}

/// One clock of an order, judged on the targets stamped on it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderDeadline {
    pub milestone: Milestone,
    pub due_at: Timestamp,
    /// When it was met, by the clock of the device that recorded the step.
    pub met_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StatusStep {
    pub status: WorkOrderStatus,
    /// When it happened, by the device's clock.
    pub at: Timestamp,
    pub position: Option<Point>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkOrder {
    pub id: String,
    pub number: String,
    pub kind: WorkOrderKind,
    pub household_id: Option<String>,
    pub location: Option<Point>,
    pub description: String,
    pub reported_at: Timestamp,
    pub status: WorkOrderStatus,
    /// Every status the order has been in, oldest first.
    pub steps: Vec<StatusStep>,
    /// The technician it is assigned to (none once handed back).
    pub assignee: Option<String>,
    /// A pipeline fault's class; none for other kinds.
    pub fault_class: Option<FaultClass>,
    /// The appointment in force, for a fault of the user's equipment.
    pub appointment: Option<AppointmentWindow>,
    /// Its regulated clocks, each with its due time.
    pub deadlines: Vec<OrderDeadline>,
}

impl From<core_workorder::WorkOrder> for WorkOrder {
    fn from(o: core_workorder::WorkOrder) -> Self {
        let deadlines = core_workorder::deadline::deadlines(&o)
            .into_iter()
            .map(|d| OrderDeadline {
                milestone: d.milestone,
                due_at: d.due_at,
                met_at: d.met_at,
            })
            .collect();
        Self {
            id: o.id.to_string(),
            status: o.status(),
            assignee: o.assignee.map(|a| a.to_string()),
            fault_class: o.fault_class(),
            appointment: o.current_appointment().map(|a| AppointmentWindow {
                start: a.from,
                end: a.to,
            }),
            deadlines,
            number: o.number,
            kind: o.kind,
            household_id: o.household_id.map(|h| h.to_string()),
            location: o.location.map(Into::into),
            description: o.description,
            reported_at: o.reported_at,
            steps: o
                .steps
                .into_iter()
                .map(|s| StatusStep {
                    status: s.status,
                    at: s.at,
                    position: s.position.map(Into::into),
                })
                .collect(),
        }
    }
}
