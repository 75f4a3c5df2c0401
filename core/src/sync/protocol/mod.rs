//! The sync protocol's messages, shared by the device client and the server (see
//! `docs/sync-protocol.md`). Everything travels as JSON over HTTPS except photo bytes, which
//! travel raw.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calls::Call;
use crate::complaint::Complaint;
use crate::fees::Settlement;
use crate::forms::form::Form;
use crate::forms::template::Template;
use crate::household::{HistoryEvent, Household, MeterReading};
use crate::ids::{OperationId, PhotoHash, TechnicianId};
use crate::outage::OutageNotice;
use crate::satisfaction::Satisfaction;
use crate::sync::Hlc;
use crate::team::{Crew, District, Technician};
use crate::workorder::WorkOrder;

#[cfg(test)]
mod document;
mod error;
mod operation;
pub use error::ErrorKind;
pub use operation::Operation;

/// Bumped on any change a server of the previous version could not read.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest photo the server accepts, in bytes (the pipeline makes them far smaller).
pub const MAX_PHOTO_BYTES: u64 = 16 * 1024 * 1024;

/// The largest request body the server reads, in bytes; larger requests get 413.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Photo bytes are uploaded in chunks of at most this size; an upload cut in the middle resumes
/// at the last chunk the server stored.
pub const PHOTO_CHUNK_BYTES: usize = 1024 * 1024;

/// `POST /v1/enroll`, the only request without a credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time code the service center issued to the technician.
    pub code: String,
    /// The device's own id (its store's id); the credential is bound to it.
    pub device_id: String,
    /// The device model, for the back office's device list (never a person's name).
    pub device_model: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub technician: Technician,
    /// The device's secret, sent once: `Authorization: Bearer <credential>` on every request.
    pub credential: String,
    pub server_time: DateTime<Utc>,
}

/// One outbox operation as it is pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushOp {
    /// The device's outbox sequence number: acknowledgements are given up to one.
    pub seq: i64,
    pub op_id: OperationId,
    pub hlc: Hlc,
    /// The device's clock when the change was made.
    pub device_time: DateTime<Utc>,
    pub operation: Operation,
    /// The operation's merge base: the newest server change of its household (of its order,
    /// for a work order's step) that the device had seen when the technician made it (its pull
    /// cursor, less a change held back unapplied). Server writes above it were concurrent with
    /// the operation; a household that left the device's scope above it had not left it yet
    /// as far as the technician knew. Absent from a device older than the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_seq: Option<i64>,
}

/// `POST /v1/push`: a page of the outbox, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub ops: Vec<PushOp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every operation up to and including this device sequence number is stored on the server
    /// (now or by an earlier request); the device may drop them from its outbox.
    pub acknowledged_through: i64,
    /// How many of the pushed operations were new to the server (the rest were repeats).
    pub applied: u32,
    /// How many edits the merge overrode (kept for the back office to review).
    pub conflicts: u32,
    /// Operations of the request stored but set aside for the service center to decide (a
    /// sealed form for a household the device could no longer reach when it made it): they
    /// are acknowledged with the rest, and the device keeps them, readable, until the
    /// decision comes with a pull ([`PullResponse::decisions`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parked: Vec<OperationId>,
    pub server_hlc: Hlc,
    /// The server database's generation ([`ServerBackup::generation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// What the server's backups hold of this device's work
    /// ([`ServerBackup::backed_up_through`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backed_up_through: Option<i64>,
}

impl PushResponse {
    /// What the answer says of the server's backups.
    pub fn backup(&self) -> ServerBackup {
        ServerBackup {
            generation: self.generation.clone(),
            backed_up_through: self.backed_up_through,
        }
    }
}

/// What a push or pull answer tells the device about the server's backups, so that no work
/// it acknowledged is lost by a restore (docs/sync-protocol.md, "Restores"). The device keeps
/// every acknowledged operation until a backup holds it, and pushes it again when the
/// generation changes. Both are left out of an answer when unknown: an older server sends
/// neither, and an older device ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerBackup {
    /// A random id of the server's database, made when it was first opened and replaced by a
    /// restore: a device that sees it change learns that the server forgot what it had
    /// acknowledged after the backup it was restored from.
    pub generation: Option<String>,
    /// The highest sequence number of this device's operations that the server's last checked
    /// backup holds; the device may forget what it keeps up to there. Absent where backups are
    /// the database's own (PostgreSQL's archiving): the device then keeps them 7 days.
    pub backed_up_through: Option<i64>,
}

/// `POST /v1/photos/missing`: which of these photos the server lacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingPhotosRequest {
    pub sha256: Vec<PhotoHash>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingPhoto {
    pub sha256: PhotoHash,
    /// Bytes the server already holds of an upload that was cut: resume from here.
    pub received: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingPhotosResponse {
    pub missing: Vec<MissingPhoto>,
}

/// The answer to `PUT /v1/photos/{sha256}?offset=…&total=…` (the body is the raw chunk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoChunkResponse {
    pub received: u64,
    pub complete: bool,
}

/// A record the device may hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", content = "record", rename_all = "snake_case")]
pub enum Record {
    Household(Box<Household>),
    WorkOrder(Box<WorkOrder>),
    Reading(MeterReading),
    /// A sealed form (drafts never leave the device that fills them).
    Form(Box<Form>),
    District(District),
    Crew(Crew),
    Technician(Technician),
    Outage(Box<OutageNotice>),
    Template(Box<Template>),
    /// A line of a household's timeline as the server keeps it (another phone's visit, an
    /// office change), carried to the phones that hold the household.
    HistoryEvent(Box<HistoryEvent>),
    /// A technician's settlement of one day's fees: the office's only (no device reads it).
    Settlement(Box<Settlement>),
    /// A complaint: office only, never sent to a device (it may name a technician).
    Complaint(Box<Complaint>),
    /// A call the service center took: office only.
    Call(Box<Call>),
    /// The scores of one return visit: office only.
    Satisfaction(Satisfaction),
}

/// The kinds of record, as they are named on the wire and in the server's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Household,
    WorkOrder,
    Reading,
    Form,
    District,
    Crew,
    Technician,
    Outage,
    Template,
    Photo,
    HistoryEvent,
    Settlement,
    Complaint,
    Call,
    Satisfaction,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Household => "household",
            Entity::WorkOrder => "work_order",
            Entity::Reading => "reading",
            Entity::Form => "form",
            Entity::District => "district",
            Entity::Crew => "crew",
            Entity::Technician => "technician",
            Entity::Outage => "outage",
            Entity::Template => "template",
            Entity::Photo => "photo",
            Entity::HistoryEvent => "history_event",
            Entity::Settlement => "settlement",
            Entity::Complaint => "complaint",
            Entity::Call => "call",
            Entity::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Some(match s {
            "household" => Entity::Household,
            "work_order" => Entity::WorkOrder,
            "reading" => Entity::Reading,
            "form" => Entity::Form,
            "district" => Entity::District,
            "crew" => Entity::Crew,
            "technician" => Entity::Technician,
            "outage" => Entity::Outage,
            "template" => Entity::Template,
            "photo" => Entity::Photo,
            "history_event" => Entity::HistoryEvent,
            "settlement" => Entity::Settlement,
            "complaint" => Entity::Complaint,
            "call" => Entity::Call,
            "satisfaction" => Entity::Satisfaction,
            _ => return None,
        })
    }
}

impl Record {
    pub fn entity(&self) -> Entity {
        match self {
            Record::Household(_) => Entity::Household,
            Record::WorkOrder(_) => Entity::WorkOrder,
            Record::Reading(_) => Entity::Reading,
            Record::Form(_) => Entity::Form,
            Record::District(_) => Entity::District,
            Record::Crew(_) => Entity::Crew,
            Record::Technician(_) => Entity::Technician,
            Record::Outage(_) => Entity::Outage,
            Record::Template(_) => Entity::Template,
            Record::HistoryEvent(_) => Entity::HistoryEvent,
            Record::Settlement(_) => Entity::Settlement,
            Record::Complaint(_) => Entity::Complaint,
            Record::Call(_) => Entity::Call,
            Record::Satisfaction(_) => Entity::Satisfaction,
        }
    }
}

/// What happened to one record, as a pull reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ChangeAction {
    /// The record as it is now: insert or replace.
    Put { record: Record },
    /// The record left the device's scope (say, the household moved to another district): drop
    /// it from the device without treating it as deleted.
    Leave,
    /// The record was deleted (a tombstone).
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    pub entity: Entity,
    pub id: String,
    #[serde(flatten)]
    pub action: ChangeAction,
}

/// `GET /v1/pull?cursor=…&limit=…`: the changes in the device's scope after its cursor.
///
/// The server sends [`Change`]s (its stored records as they are); the device reads each one
/// as a [`Pulled`], so that one it cannot read does not make the page unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse<C = Change> {
    pub changes: Vec<C>,
    /// Hand back on the next pull. Opaque to the device.
    pub cursor: String,
    /// More changes wait: pull again at once.
    pub more: bool,
    /// The device's scope changed since its cursor was issued: this page starts a full pull, and
    /// once it is done (`more == false`) every record the pull did not mention leaves the device.
    pub reset: bool,
    /// About how many changes wait after this page (for progress).
    pub remaining: u64,
    pub server_time: DateTime<Utc>,
    pub server_hlc: Hlc,
    /// The service center's decisions on this device's parked operations, made after the
    /// cursor the device sent (sent again until the cursor passes them; applying one twice
    /// changes nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<ParkedDecision>,
    /// The server database's generation ([`ServerBackup::generation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// What the server's backups hold of this device's work
    /// ([`ServerBackup::backed_up_through`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backed_up_through: Option<i64>,
}

impl<C> PullResponse<C> {
    /// What the page says of the server's backups.
    pub fn backup(&self) -> ServerBackup {
        ServerBackup {
            generation: self.generation.clone(),
            backed_up_through: self.backed_up_through,
        }
    }
}

/// The service center's decision on an operation it had parked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParkedDecision {
    pub op_id: OperationId,
    /// Taken into the household's file (with what it changes), or rejected.
    pub accepted: bool,
    /// The office's reason, in its words (a rejection always has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub decided_at: DateTime<Utc>,
    /// The server change the decision was made at.
    pub seq: i64,
}

/// A pulled change as the device reads it.
///
/// A newer server (or a newer process of a server shared behind a load balancer) may send
/// what this build does not know: a kind of record, a value of an enum, an action. Such a
/// change is held back as it came, with its place in the pull, instead of failing the page:
/// the rest of the pull goes on, and the change is applied once the app is updated and can
/// read it, unless a later change of the same record replaced it first.
#[derive(Debug, Clone, PartialEq)]
pub enum Pulled {
    Change(Change),
    HeldBack(HeldBack),
}

/// A pulled change this build cannot read.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldBack {
    pub seq: i64,
    /// The kind of record, as the server named it (it may be one this build does not know).
    pub entity: String,
    pub id: String,
    /// The change as it came, to read again after an update.
    pub body: String,
    /// Why it could not be read: names a field or a variant, never a value.
    pub reason: String,
}

impl<'de> Deserialize<'de> for Pulled {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// What every change has, whatever its kind: enough to hold it back in its place.
        #[derive(Deserialize)]
        struct Head {
            seq: i64,
            entity: String,
            id: String,
        }
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        match serde_json::from_str::<Change>(raw.get()) {
            Ok(change) => Ok(Pulled::Change(change)),
            Err(unreadable) => {
                let head: Head = serde_json::from_str(raw.get()).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "a pulled change without its place: {}",
                        crate::input::without_values(&e.to_string())
                    ))
                })?;
                Ok(Pulled::HeldBack(HeldBack {
                    seq: head.seq,
                    entity: head.entity,
                    id: head.id,
                    body: raw.get().to_owned(),
                    reason: crate::input::without_values(&unreadable.to_string()),
                }))
            }
        }
    }
}

impl Pulled {
    pub fn seq(&self) -> i64 {
        match self {
            Pulled::Change(c) => c.seq,
            Pulled::HeldBack(h) => h.seq,
        }
    }

    /// The kind of record (as the server named it) and its id.
    pub fn subject(&self) -> (&str, &str) {
        match self {
            Pulled::Change(c) => (c.entity.as_str(), &c.id),
            Pulled::HeldBack(h) => (&h.entity, &h.id),
        }
    }
}

impl From<Change> for Pulled {
    fn from(change: Change) -> Self {
        Pulled::Change(change)
    }
}

/// The body of every refused request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable machine-readable kind; one this build does not know reads as
    /// [`ErrorKind::Unknown`].
    pub error: ErrorKind,
    /// What was wrong, in words; never personal data.
    pub message: String,
    /// The pushed operation that was refused, when one was; the device parks it and goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_id: Option<OperationId>,
    /// The field a rule found wrong (`household.phones[1]`), when one rule of the core did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The reason in Chinese, the users' first language, when the core gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_zh: Option<String>,
}

/// Identifies the server's answer to `GET /v1/whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub device_id: String,
    pub technician_id: TechnicianId,
    pub server_time: DateTime<Utc>,
}
