//! The device and the server: enrollment, sync progress and reports, and what the server
//! refused. Progress and reports cross as the core's; the technician's ids cross as text; the
//! sync status is this layer's own record, gathered from several calls of the store.

pub use doorstep_core::sync::client::{SyncPhase, SyncProgress, SyncReport};
pub use doorstep_core::sync::protocol::ErrorKind;

use super::Timestamp;

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

/// An operation the server refused for good, with its reason: a conflict for the technician
/// (or the back office) to look at.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedOperation {
    pub operation_id: String,
    /// What the server's refusal means (a kind this app does not know is read by its status).
    pub error: ErrorKind,
    pub message: String,
    pub rejected_at: Timestamp,
}

/// Where this device stands with the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub technician_id: Option<String>,
    pub last_sync_at: Option<Timestamp>,
    /// Changes made on this device and not yet acknowledged by the server.
    pub pending_operations: u64,
    /// Photos the server does not have yet.
    pub pending_photos: Vec<String>,
    pub rejected: Vec<RejectedOperation>,
    /// Changes from the server that this version of the app cannot read (a newer server sent
    /// them): kept, and applied after the app is updated. More than none: ask for an update.
    pub held_back: u64,
}
