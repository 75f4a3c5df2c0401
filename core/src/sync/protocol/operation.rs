//! What the technician did, as it travels to the server: one outbox operation. The device
//! appends them (`store::outbox`); the server applies each exactly once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Entity;
use crate::forms::form::{Answer, Form, Outcome, PhotoRef};
use crate::forms::seal::Signature;
use crate::geo::GeoPoint;
use crate::household::{Household, MeterReading};
use crate::ids::{FormId, HouseholdId, OutageId, PhotoHash, WorkOrderId};
use crate::media::PhotoMetadata;
use crate::outage::Notification;
use crate::visit::CheckIn;
use crate::workorder::{AppointmentChange, WorkOrder, WorkOrderStatus};

/// What the technician did, as it travels to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    HouseholdSaved {
        household: Box<Household>,
        /// The fields the technician changed (all of them for a household created on the
        /// device); the server merges only these.
        #[serde(default)]
        changed: Vec<String>,
        /// The newest server change the device had pulled when the edit was made: server
        /// writes above it were concurrent with the edit.
        #[serde(default)]
        base_seq: i64,
    },
    MeterReadingRecorded {
        reading: MeterReading,
    },
    WorkOrderOpened {
        order: Box<WorkOrder>,
    },
    WorkOrderMoved {
        work_order_id: WorkOrderId,
        status: WorkOrderStatus,
        at: DateTime<Utc>,
        position: Option<GeoPoint>,
    },
    InspectionSigned {
        household_id: HouseholdId,
        at: DateTime<Utc>,
    },
    FormStarted {
        form: Box<Form>,
    },
    FormAnswered {
        form_id: FormId,
        item: String,
        answer: Option<Answer>,
    },
    FormPhotoAttached {
        form_id: FormId,
        item: String,
        photo: PhotoRef,
    },
    FormPhotoRemoved {
        form_id: FormId,
        item: String,
        sha256: PhotoHash,
    },
    FormSigned {
        form_id: FormId,
        item: String,
        signature: Box<Signature>,
    },
    FormOutcomeSet {
        form_id: FormId,
        outcome: Outcome,
    },
    FormMovedToTemplate {
        form_id: FormId,
        template_version: u32,
    },
    /// The complete sealed form, so that the server can verify its digest and signatures.
    FormSealed {
        form: Box<Form>,
    },
    /// A photo was taken and stored (its file is uploaded separately, by hash).
    PhotoTaken {
        sha256: PhotoHash,
        household_id: Option<HouseholdId>,
        metadata: Box<PhotoMetadata>,
    },
    CheckedIn {
        household_id: HouseholdId,
        at: DateTime<Utc>,
        position: GeoPoint,
        check_in: CheckIn,
    },
    /// The technician declined an assigned order, or handed it back, with a reason: it returns
    /// unassigned to the office's list (`WorkOrder::hand_back`).
    WorkOrderHandedBack {
        work_order_id: WorkOrderId,
        at: DateTime<Utc>,
        reason: String,
    },
    /// The user agreed to another time for a fault of their equipment (Art.7(4)).
    WorkOrderAppointmentChanged {
        work_order_id: WorkOrderId,
        change: Box<AppointmentChange>,
    },
    /// The crew on site raised an ordinary pipeline fault to major (Art.5(1)).
    WorkOrderClassRaised {
        work_order_id: WorkOrderId,
        at: DateTime<Utc>,
        reason: String,
    },
    /// Households told of a planned outage by the technician (a notice posted at their
    /// building, a call, a visit): added to the notice's notifications, a set merged by union.
    OutageNotified {
        outage_id: OutageId,
        notifications: Vec<Notification>,
    },
}

impl Operation {
    /// The evidence of a visit: work done at a real door that only the phone holds (a sealed
    /// form, a check-in, a photo, a meter reading, an inspection's signature). Made for a
    /// household the phone could no longer reach, it is kept whole for the service center to
    /// decide, never refused; an edit of a household's details or an order's step is not.
    pub fn is_visit_evidence(&self) -> bool {
        matches!(
            self,
            Operation::FormSealed { .. }
                | Operation::CheckedIn { .. }
                | Operation::PhotoTaken { .. }
                | Operation::MeterReadingRecorded { .. }
                | Operation::InspectionSigned { .. }
        )
    }

    /// A form's start or one of its draft steps: what the form's seal carries whole, so they
    /// never leave the phone (a form travels as its seal).
    pub fn is_draft_step(&self) -> bool {
        match self {
            Operation::FormStarted { .. }
            | Operation::FormAnswered { .. }
            | Operation::FormPhotoAttached { .. }
            | Operation::FormPhotoRemoved { .. }
            | Operation::FormSigned { .. }
            | Operation::FormOutcomeSet { .. }
            | Operation::FormMovedToTemplate { .. } => true,
            Operation::FormSealed { .. }
            | Operation::HouseholdSaved { .. }
            | Operation::MeterReadingRecorded { .. }
            | Operation::WorkOrderOpened { .. }
            | Operation::WorkOrderMoved { .. }
            | Operation::InspectionSigned { .. }
            | Operation::PhotoTaken { .. }
            | Operation::CheckedIn { .. }
            | Operation::WorkOrderHandedBack { .. }
            | Operation::WorkOrderAppointmentChanged { .. }
            | Operation::WorkOrderClassRaised { .. }
            | Operation::OutageNotified { .. } => false,
        }
    }

    /// The photos the operation names (a sealed form's evidence and its refusal photo, a photo
    /// taken, a photo attached to a draft): their files must be on the server for the work to
    /// be whole there, so the phone keeps them as long as it keeps the operation.
    pub fn photos(&self) -> Vec<&PhotoHash> {
        match self {
            Operation::FormSealed { form } | Operation::FormStarted { form } => {
                let mut photos: Vec<&PhotoHash> =
                    form.photos.values().flatten().map(|p| &p.sha256).collect();
                if let Outcome::CustomerRefusedToSign { photo, .. } = &form.outcome {
                    photos.push(&photo.sha256);
                }
                photos
            }
            Operation::FormOutcomeSet {
                outcome: Outcome::CustomerRefusedToSign { photo, .. },
                ..
            }
            | Operation::FormPhotoAttached { photo, .. } => vec![&photo.sha256],
            Operation::PhotoTaken { sha256, .. } => vec![sha256],
            _ => Vec::new(),
        }
    }

    /// The household the operation is about, when the operation names it. A draft step names
    /// only its form (the device knows the form's household).
    pub fn household_id(&self) -> Option<HouseholdId> {
        match self {
            Operation::HouseholdSaved { household, .. } => Some(household.id),
            Operation::MeterReadingRecorded { reading } => Some(reading.household_id),
            Operation::WorkOrderOpened { order } => order.household_id,
            Operation::InspectionSigned { household_id, .. }
            | Operation::CheckedIn { household_id, .. } => Some(*household_id),
            Operation::PhotoTaken { household_id, .. } => *household_id,
            Operation::FormStarted { form } | Operation::FormSealed { form } => {
                Some(form.household_id)
            }
            Operation::WorkOrderMoved { .. }
            | Operation::FormAnswered { .. }
            | Operation::FormPhotoAttached { .. }
            | Operation::FormPhotoRemoved { .. }
            | Operation::FormSigned { .. }
            | Operation::FormOutcomeSet { .. }
            | Operation::FormMovedToTemplate { .. }
            | Operation::WorkOrderHandedBack { .. }
            | Operation::WorkOrderAppointmentChanged { .. }
            | Operation::WorkOrderClassRaised { .. } => None,
            // Several households at once (a building's): its subject is the notice.
            Operation::OutageNotified { .. } => None,
        }
    }

    /// The kind of record it changes and that record's id.
    pub fn subject(&self) -> (Entity, String) {
        match self {
            Operation::HouseholdSaved { household, .. } => {
                (Entity::Household, household.id.to_string())
            }
            Operation::MeterReadingRecorded { reading } => {
                (Entity::Household, reading.household_id.to_string())
            }
            Operation::WorkOrderOpened { order } => (Entity::WorkOrder, order.id.to_string()),
            Operation::WorkOrderMoved { work_order_id, .. } => {
                (Entity::WorkOrder, work_order_id.to_string())
            }
            Operation::InspectionSigned { household_id, .. }
            | Operation::CheckedIn { household_id, .. } => {
                (Entity::Household, household_id.to_string())
            }
            Operation::PhotoTaken { sha256, .. } => (Entity::Photo, sha256.to_string()),
            Operation::FormStarted { form } | Operation::FormSealed { form } => {
                (Entity::Form, form.id.to_string())
            }
            Operation::FormAnswered { form_id, .. }
            | Operation::FormPhotoAttached { form_id, .. }
            | Operation::FormPhotoRemoved { form_id, .. }
            | Operation::FormSigned { form_id, .. }
            | Operation::FormOutcomeSet { form_id, .. }
            | Operation::FormMovedToTemplate { form_id, .. } => (Entity::Form, form_id.to_string()),
            Operation::WorkOrderHandedBack { work_order_id, .. }
            | Operation::WorkOrderAppointmentChanged { work_order_id, .. }
            | Operation::WorkOrderClassRaised { work_order_id, .. } => {
                (Entity::WorkOrder, work_order_id.to_string())
            }
            Operation::OutageNotified { outage_id, .. } => (Entity::Outage, outage_id.to_string()),
        }
    }
}
