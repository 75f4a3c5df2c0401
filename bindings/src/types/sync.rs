//! The device and the server: enrollment, sync progress and reports, and what the server
//! refused. Progress and reports cross as the core's; the technician's ids cross as text; the
//! sync status is this layer's own record, gathered from several calls of the store.

pub use doorstep_core::device_sync::{SyncPhase, SyncProgress, SyncReport};
pub use doorstep_core::store::sync::Standing;
pub use doorstep_core::sync::protocol::ErrorKind;

use super::{Label, Timestamp};

/// The kind of a server's refusal (docs/sync-protocol.md); `Unknown` is one a newer server
/// sent that this app does not know.
#[uniffi::remote(Enum)]
pub enum ErrorKind {
    Malformed,
    Unauthorized,
    Revoked,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    TooLarge,
    Invalid,
    FormTampered,
    PhotoMismatch,
    Internal,
    Unknown,
}

#[uniffi::remote(Enum)]
pub enum SyncPhase {
    Push,
    Photos,
    Pull,
}

#[uniffi::remote(Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    pub parked: u64,
    pub conflicts: u64,
    pub photos_uploaded: u64,
    pub photo_bytes: u64,
    pub photos_unreadable: u64,
    pub pulled: u64,
    pub removed: u64,
    pub held_back: u64,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TechnicianInfo {
    pub id: String,
    pub badge: String,
    pub name: String,
    pub district_id: Option<String>,
    pub crew_id: Option<String>,
}

impl From<doorstep_core::team::Technician> for TechnicianInfo {
    fn from(t: doorstep_core::team::Technician) -> Self {
        Self {
            id: t.id.to_string(),
            badge: t.badge,
            name: t.name,
            district_id: t.district_id.map(|d| d.to_string()),
            crew_id: t.crew_id.map(|c| c.to_string()),
        }
    }
}

/// Where a piece of work on the refused list stands.
#[uniffi::remote(Enum)]
pub enum Standing {
    /// The server refused it for good.
    Refused,
    /// The server stored it for the service center to decide; it stays on the phone until then.
    Parked,
    /// The service center decided against it (`decision_reason`).
    Rejected,
}

/// Work the server refused for good, parked for the service center, or the service center
/// rejected: listed for the technician in their words (`what`, `why`, `to_do`), with the
/// household and the form it was for.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedOperation {
    pub operation_id: String,
    pub standing: Standing,
    /// What the server's refusal means (a kind this app does not know is read by its status).
    pub error: ErrorKind,
    /// The server's English detail, for the service center.
    pub message: String,
    pub rejected_at: Timestamp,
    /// The household the work was for, and its customer number while it is on the phone.
    pub household_id: Option<String>,
    pub customer_number: Option<String>,
    /// The form, when the work is a form, and its template's title (when the phone knows it).
    pub form_id: Option<String>,
    pub form_title: Option<Label>,
    pub decided_at: Option<Timestamp>,
    /// The service center's reason for a rejection, in its words.
    pub decision_reason: Option<String>,
    /// What the work was and for which household, e.g. "入户安检表（已签封）· 户号 3300000001".
    pub what: Label,
    /// Why it is listed.
    pub why: Label,
    /// What to do about it.
    pub to_do: Label,
}

impl From<doorstep_core::store::sync::RejectedOperation> for RejectedOperation {
    fn from(r: doorstep_core::store::sync::RejectedOperation) -> Self {
        Self {
            operation_id: r.op_id.to_string(),
            standing: r.standing,
            error: r.error,
            message: r.message,
            rejected_at: r.rejected_at,
            household_id: r.household_id.map(|h| h.to_string()),
            customer_number: r.customer_number,
            form_id: r.form.as_ref().map(|f| f.id.to_string()),
            form_title: r.form.and_then(|f| f.title).map(Into::into),
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            what: r.what.into(),
            why: r.why.into(),
            to_do: r.to_do.into(),
        }
    }
}

/// Where this device stands with the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub technician_id: Option<String>,
    pub last_sync_at: Option<Timestamp>,
    /// Changes made on this device that the next sync sends (the server has not acknowledged
    /// them yet). A form still being filled is not counted: it is sent whole, once sealed.
    pub pending_operations: u64,
    /// Photos the server does not have yet.
    pub pending_photos: Vec<String>,
    /// Work refused, parked for the service center, or rejected by it (as `conflicts()`).
    pub rejected: Vec<RejectedOperation>,
    /// Changes from the server that this version of the app cannot read (a newer server sent
    /// them): kept, and applied after the app is updated. More than none: ask for an update.
    pub held_back: u64,
}
