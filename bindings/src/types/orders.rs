//! Work orders: what was reported, and every status the order has been in. Mirrors: ids cross
//! as text, positions as plain numbers, and the current status comes computed.

use doorstep_core::workorder as core_workorder;

pub use doorstep_core::workorder::deadline::Milestone;
pub use doorstep_core::workorder::{WorkOrderKind, WorkOrderStatus};

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
    Dispatch,
    Handle,
    Repair,
    EmergencyOnSite,
    LeadershipReport,
    EquipmentOnSite,
    SpecialGroupVisit,
    ComplaintInvestigation,
    ComplaintAnswer,
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
}

impl From<core_workorder::WorkOrder> for WorkOrder {
    fn from(o: core_workorder::WorkOrder) -> Self {
        Self {
            id: o.id.to_string(),
            status: o.status(),
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
