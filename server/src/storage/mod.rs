//! The server's storage: one interface ([`Storage`], [`Tx`]) with two backends, SQLite (the
//! embedded default) and PostgreSQL (several servers sharing one database). The sync rules are
//! written once, against [`Tx`]; a backend only reads and writes rows.
//!
//! Every write runs in one transaction that starts by taking the next server sequence number
//! ([`Tx::next_seq`]), which serialises writers: a change with a lower sequence number is always
//! committed before one with a higher number, so a pull cursor never skips a change that commits
//! late.

/// The columns a stored record is read from, in the order both backends' `record_row` reads
/// them (a macro so that each backend's statements are `concat!`ed constants).
macro_rules! record_columns {
    () => {
        "entity, id, key, seq, deleted, body, stamps, buckets"
    };
}

pub mod cache;
pub mod open_orders;
pub mod postgres;
pub mod search;
pub mod sqlite;
#[cfg(test)]
mod tests;
pub mod throwaway;

use chrono::{DateTime, Utc};
use doorstep_core::ids::{OperationId, TechnicianId};

use crate::bucket::Bucket;
use crate::error::Result;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Entity;

pub use self::postgres::PostgresStorage;
pub use self::sqlite::SqliteStorage;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(String),
    /// A unique key is taken (a customer number, an order number).
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// The current version of one record, with what the merge and the pull need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub entity: Entity,
    pub id: String,
    /// A unique business key: a household's customer number, an order's number.
    pub key: Option<String>,
    /// The server sequence number of its last change.
    pub seq: i64,
    pub deleted: bool,
    /// The record as JSON (the core's serde form).
    pub body: String,
    /// The field stamps of the merge (JSON), "{}" for records that are not merged per field.
    pub stamps: String,
    /// The scope buckets the record is in (stored as their text: `all`, `district:<id>`, …).
    pub buckets: Vec<Bucket>,
}

/// One entry of a bucket's change list: the record changed at `seq` (or left the bucket).
#[derive(Debug, Clone, PartialEq)]
pub struct BucketEntry {
    pub seq: i64,
    pub entity: Entity,
    pub id: String,
    /// The record left this bucket at `seq`.
    pub left: bool,
}

/// One applied operation, kept exactly once per device and operation id.
#[derive(Debug, Clone, PartialEq)]
pub struct OpRow {
    pub device_id: String,
    pub op_id: OperationId,
    pub device_seq: i64,
    pub hlc: String,
    pub entity: String,
    pub entity_id: String,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub server_seq: i64,
    pub payload: String,
}

/// An operation set aside for the service center to decide (`parked` table).
#[derive(Debug, Clone, PartialEq)]
pub struct ParkedRow {
    pub device_id: String,
    pub op_id: OperationId,
    pub technician_id: String,
    /// The record the operation changes (its subject), as the operation log names it.
    pub entity: Entity,
    pub entity_id: String,
    pub household_id: Option<String>,
    pub base_seq: Option<i64>,
    pub reason: ParkReason,
    pub parked_at: DateTime<Utc>,
    pub decision: Option<ParkDecision>,
}

/// Why an operation was parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkReason {
    /// Its household had left the device's scope before the device's merge base: the device
    /// had heard of the move when the work was made.
    LeftScope,
    /// Its household is not on the server: the office deleted it, or never took it in (a
    /// household opened on the phone and refused).
    NoHousehold,
    /// A sealed form whose receipt number another sealed form already carries (Art.14): kept
    /// whole for the office to check the receipt book, never lost.
    ReceiptUsedTwice,
}

impl ParkReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ParkReason::LeftScope => "left_scope",
            ParkReason::NoHousehold => "no_household",
            ParkReason::ReceiptUsedTwice => "receipt_used_twice",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            ParkReason::LeftScope,
            ParkReason::NoHousehold,
            ParkReason::ReceiptUsedTwice,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// The service center's decision on a parked operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ParkDecision {
    pub accepted: bool,
    pub reason: Option<String>,
    /// Who decided (an operator's login name, `admin` when unknown).
    pub by: String,
    pub at: DateTime<Utc>,
    /// The server change it was made at.
    pub seq: i64,
}

/// Which parked operations to read. Every filter left `None` (or false) takes all.
#[derive(Debug, Clone, Default)]
pub struct ParkedQuery<'a> {
    pub device_id: Option<&'a str>,
    pub op_id: Option<OperationId>,
    /// Only those still waiting for a decision.
    pub waiting: bool,
    /// Only those decided at a server change after this one.
    pub decided_after: Option<i64>,
    pub limit: usize,
}

/// An edit the merge overrode, for the back office to review.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub seq: i64,
    pub entity: Entity,
    pub entity_id: String,
    pub field: String,
    pub rule: ConflictRule,
    /// JSON values.
    pub kept: String,
    pub lost: String,
    pub kept_by: Author,
    pub lost_by: Author,
    pub op_id: Option<OperationId>,
    pub at: DateTime<Utc>,
}

/// A conflict kept for review (console/conflicts, issue 26): its number, the row, and how the
/// office resolved it, if it did.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedConflict {
    /// The conflict's number (`conflicts.n`): its identity.
    pub n: i64,
    pub row: ConflictRow,
    pub resolution: Option<ConflictResolution>,
}

/// How the office resolved a conflict (`conflict_resolutions`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictResolution {
    /// The conflict's number.
    pub conflict: i64,
    /// The value the merge overrode was taken (an office edit); else the kept one stands.
    pub took_other: bool,
    /// Who resolved it, as the audit log names them (`staff:<login>`).
    pub by: Actor,
    pub at: DateTime<Utc>,
    /// The server change of the office's edit, when the other value was taken.
    pub seq: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub device_id: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

/// Who did what an audit line records. Stored as `admin`, `admin:<operator>` or
/// `technician:<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The back office's tool, run by an operator (their login name), or by one it could not
    /// name.
    Admin(Option<String>),
    /// A technician, through one of their devices.
    Technician(TechnicianId),
    /// A member of the service center's staff signed in to the console (their login).
    Staff(String),
    /// An actor this version does not write (a newer server's), kept as it was stored.
    Other(String),
}

impl Actor {
    /// A stored actor read back.
    pub fn parse(text: &str) -> Actor {
        if text == "admin" {
            return Actor::Admin(None);
        }
        if let Some(operator) = text.strip_prefix("admin:") {
            return Actor::Admin(Some(operator.to_owned()));
        }
        if let Some(login) = text.strip_prefix("staff:") {
            return Actor::Staff(login.to_owned());
        }
        text.strip_prefix("technician:")
            .and_then(|id| id.parse().ok())
            .map_or_else(|| Actor::Other(text.to_owned()), Actor::Technician)
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Admin(None) => f.write_str("admin"),
            Actor::Admin(Some(operator)) => write!(f, "admin:{operator}"),
            Actor::Technician(id) => write!(f, "technician:{id}"),
            Actor::Staff(login) => write!(f, "staff:{login}"),
            Actor::Other(text) => f.write_str(text),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    pub id: String,
    pub technician_id: String,
    /// SHA-256 of the device's secret (hex); the secret itself is never stored.
    pub credential_sha256: String,
    pub model: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentRow {
    /// SHA-256 of the one-time code (hex).
    pub code_sha256: String,
    pub technician_id: String,
    pub expires_at: DateTime<Utc>,
    pub used_by: Option<String>,
}

/// A photo the server holds or is receiving.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    pub sha256: String,
    pub total: i64,
    pub received: i64,
    pub complete: bool,
}

/// A work order served to a device in a pull page (`order_deliveries`, issue 23): when it
/// reached the phone, for the urgent orders' 30- and 60-minute targets.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRow {
    pub order_id: String,
    pub device_id: String,
    /// The device's technician when it was served.
    pub technician_id: String,
    /// The server change the order was served at: a cursor at or past it acknowledges it.
    pub seq: i64,
    pub served_at: DateTime<Utc>,
    /// When the device asked a page after it (none yet: served, not confirmed).
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Money collected on a sealed form (Art.14), as the receipt ledger keeps it (`receipts`): a
/// receipt number is used on one sealed form only, and the day's settlement reads its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    pub receipt: String,
    pub form_id: String,
    /// The technician who collected the money (the charges' collector).
    pub technician_id: String,
    pub sealed_at: DateTime<Utc>,
    /// The payment method's name (`PaymentMethod::as_str`).
    pub method: String,
    pub total_fen: i64,
}

/// What tests and metrics count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Ops,
    Conflicts,
    CompletePhotos,
    Records(Entity),
    Devices,
    Audit,
}

// console/board (issue 26): a device's last pull.
/// A device's last pull as the server served it (`device_syncs`): when, the change its next
/// cursor stands at, and the app version its request named.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSyncRow {
    pub device_id: String,
    pub synced_at: DateTime<Utc>,
    pub cursor_seq: i64,
    pub app_version: Option<String>,
}
// (end console/board)

/// The rows of one transaction.
pub trait Tx {
    /// Takes the next server sequence number; the first call in a write transaction also
    /// serialises it with every other writer.
    fn next_seq(&mut self) -> StorageResult<i64>;
    /// The last sequence number taken (by a committed transaction, or by this one).
    fn last_seq(&mut self) -> StorageResult<i64>;
    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>>;
    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>>;
    /// Inserts or replaces the record (and its buckets); a taken key is [`StorageError::Duplicate`].
    fn put_record(&mut self, record: &StoredRecord) -> StorageResult<()>;
    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>>;
    fn put_bucket_entry(&mut self, bucket: &Bucket, entry: &BucketEntry) -> StorageResult<()>;
    /// [`Tx::put_record`] for each, in order; a backend may write them in fewer statements.
    /// Each record appears at most once.
    fn put_records(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        records.iter().try_for_each(|r| self.put_record(r))
    }
    /// [`Tx::put_bucket_entry`] for each; at most one entry per (bucket, entity, id).
    fn put_bucket_entries(&mut self, entries: &[(Bucket, BucketEntry)]) -> StorageResult<()> {
        entries
            .iter()
            .try_for_each(|(bucket, e)| self.put_bucket_entry(bucket, e))
    }
    /// Entries of these buckets after `after`, oldest first.
    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>>;
    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64>;

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool>;
    /// Which of `op_ids` are stored for this device: one query for a whole push.
    fn stored_ops(
        &mut self,
        device_id: &str,
        op_ids: &[OperationId],
    ) -> StorageResult<Vec<OperationId>>;
    fn insert_op(&mut self, op: &OpRow) -> StorageResult<()>;
    /// [`Tx::insert_op`] for each, in order.
    fn insert_ops(&mut self, ops: &[OpRow]) -> StorageResult<()> {
        ops.iter().try_for_each(|o| self.insert_op(o))
    }
    /// Whether the device pushed any operation about this record (its subject).
    fn pushed_about(&mut self, device_id: &str, entity: Entity, id: &str) -> StorageResult<bool>;
    /// The operation a device pushed, as the operation log keeps it.
    fn op(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<Option<OpRow>>;
    /// A record's entry in one bucket: when it last changed there, and whether it left.
    fn bucket_entry(
        &mut self,
        bucket: &Bucket,
        entity: Entity,
        id: &str,
    ) -> StorageResult<Option<BucketEntry>>;
    /// Parks an operation, or records the decision on one parked before (same device and id).
    fn put_parked(&mut self, parked: &ParkedRow) -> StorageResult<()>;
    /// Parked operations, oldest first.
    fn parked(&mut self, query: &ParkedQuery<'_>) -> StorageResult<Vec<ParkedRow>>;
    fn insert_conflict(&mut self, conflict: &ConflictRow) -> StorageResult<()>;
    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>>;
    fn audit(&mut self, row: &AuditRow) -> StorageResult<()>;
    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>>;

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>>;
    /// Every enrolled device (or only `technician`'s), in the order they enrolled.
    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>>;
    fn put_device(&mut self, device: &DeviceRow) -> StorageResult<()>;
    fn enrollment(&mut self, code_sha256: &str) -> StorageResult<Option<EnrollmentRow>>;
    fn put_enrollment(&mut self, enrollment: &EnrollmentRow) -> StorageResult<()>;

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>>;
    fn put_photo(&mut self, photo: &PhotoRow) -> StorageResult<()>;
    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()>;
    /// The stored chunks of an upload, in order, joined.
    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>>;
    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()>;
    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()>;
    /// Sealed forms some of whose photos have not arrived.
    fn forms_waiting(&mut self) -> StorageResult<Vec<String>>;

    fn count(&mut self, what: Counted) -> StorageResult<u64>;

    /// The sealed forms a receipt number was given on.
    fn receipt_forms(&mut self, receipt: &str) -> StorageResult<Vec<String>>;
    /// Keeps a sealed form's receipt (once per receipt and form).
    fn put_receipt(&mut self, row: &ReceiptRow) -> StorageResult<()>;
    /// A technician's receipts of forms sealed in `[from, to)`, oldest first.
    /// Records that an order was served to a device in a pull page (its first time only).
    fn put_delivery(&mut self, row: &DeliveryRow) -> StorageResult<()>;
    /// How many orders served to the device at or before `through` wait for its
    /// acknowledgement.
    fn deliveries_waiting(&mut self, device_id: &str, through: i64) -> StorageResult<u64>;
    /// The device asked a page after `through`: what it was served up to there reached it.
    fn acknowledge_deliveries(
        &mut self,
        device_id: &str,
        through: i64,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Every device an order was served to, first served first.
    fn deliveries(&mut self, order_id: &str) -> StorageResult<Vec<DeliveryRow>>;

    fn receipts_between(
        &mut self,
        technician: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StorageResult<Vec<ReceiptRow>>;

    // console/staff (issue 26): staff accounts, sessions and sign-in failures.
    /// A member of staff by id, or by login.
    fn staff_member(
        &mut self,
        id: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>>;
    fn staff_by_login(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>>;
    /// Every member of staff, by login.
    fn staff_members(&mut self) -> StorageResult<Vec<crate::console::account::StaffRow>>;
    /// Inserts or replaces a member of staff (by id); a login taken is
    /// [`StorageError::Duplicate`].
    fn put_staff(&mut self, row: &crate::console::account::StaffRow) -> StorageResult<()>;
    /// A console session by the SHA-256 of its token.
    fn staff_session(
        &mut self,
        token_sha256: &str,
    ) -> StorageResult<Option<crate::console::account::SessionRow>>;
    /// Starts a session.
    fn put_staff_session(&mut self, row: &crate::console::account::SessionRow)
    -> StorageResult<()>;
    /// The session was used at `at` (nothing if it has ended meanwhile).
    fn touch_staff_session(&mut self, token_sha256: &str, at: DateTime<Utc>) -> StorageResult<()>;
    fn drop_staff_session(&mut self, token_sha256: &str) -> StorageResult<()>;
    /// Ends every session of a member of staff.
    fn drop_staff_sessions(&mut self, staff_id: &str) -> StorageResult<()>;
    /// Ends every session not used since `before`.
    fn drop_idle_staff_sessions(&mut self, before: DateTime<Utc>) -> StorageResult<()>;
    fn sign_in_failures(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::SignInFailures>>;
    /// Counts one more failed sign-in for `login` at `at`: the failures in a row now.
    fn count_sign_in_failure(&mut self, login: &str, at: DateTime<Utc>) -> StorageResult<i64>;
    /// Locks `login` until `until` (its count starts again).
    fn lock_sign_in(&mut self, login: &str, until: DateTime<Utc>) -> StorageResult<()>;
    /// A sign-in succeeded: the failures are forgotten.
    fn clear_sign_in_failures(&mut self, login: &str) -> StorageResult<()>;
    // (end console/staff)

    // console/search (issue 26): the household search.
    /// Households found by `query` (part of a customer number, a name, a phone's digits or an
    /// address, see [`search`]), only in `districts` when given, an exact customer number
    /// first, then by customer number; at most `limit`.
    fn find_households(
        &mut self,
        query: &str,
        districts: Option<&[doorstep_core::ids::DistrictId]>,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>>;
    /// Keeps the search current for these records (households written or deleted; others are
    /// not its): called by the backends' [`Tx::put_records`].
    fn index_households(&mut self, records: &[&StoredRecord]) -> StorageResult<()>;
    /// Fills an empty search from the households stored (a database older than the search);
    /// how many were indexed (0 when it was already filled or there are none).
    fn build_household_search(&mut self) -> StorageResult<u64>;
    // (end console/search)

    // console/board (issue 26): open work orders for the dispatch board.
    /// Keeps the open orders' index current for these records (called by the backends'
    /// `put_record`/`put_records`; an order closed or deleted leaves it).
    fn index_work_orders(&mut self, records: &[&StoredRecord]) -> StorageResult<()>;
    /// The open work orders, by id after `after_id`, at most `limit`.
    fn open_work_orders(
        &mut self,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>>;
    /// Indexes every stored order if the index is empty while orders exist; how many were read.
    fn build_open_work_orders(&mut self) -> StorageResult<u64>;
    /// Every open work order's id and version (`seq`), without its body.
    fn open_work_order_versions(&mut self) -> StorageResult<Vec<(String, i64)>>;
    /// Records a device's last pull (the dispatch board's phones).
    fn put_device_sync(&mut self, row: &DeviceSyncRow) -> StorageResult<()>;
    /// Every device's last pull, by device id.
    fn device_syncs(&mut self) -> StorageResult<Vec<DeviceSyncRow>>;
    // (end console/board)

    // console/conflicts (issue 26): conflicts resolved by the office.
    /// The conflicts kept for review, newest first: those not resolved yet, or (`resolved`)
    /// those resolved; `offset` of them skipped.
    fn conflicts_to_review(
        &mut self,
        resolved: bool,
        offset: usize,
        limit: usize,
    ) -> StorageResult<Vec<ReviewedConflict>>;
    /// How many [`Tx::conflicts_to_review`] lists in all.
    fn count_conflicts_to_review(&mut self, resolved: bool) -> StorageResult<u64>;
    /// One conflict kept for review, by its number.
    fn conflict_to_review(&mut self, n: i64) -> StorageResult<Option<ReviewedConflict>>;
    /// Records a conflict's resolution (once: a second is refused by the database).
    fn resolve_conflict(&mut self, resolution: &ConflictResolution) -> StorageResult<()>;
    // (end console/conflicts)

    // console/household (issue 26): what the phones' operations say about a household's file.
    /// The operations pushed about one record (their subject, `Operation::subject`), newest
    /// received first, at most `limit`: a household's check-ins, a photo's metadata.
    fn ops_about(&mut self, entity: Entity, id: &str, limit: usize) -> StorageResult<Vec<OpRow>>;
    // (end console/household)

    // reports/units (issue 27): the unit a piece of work belonged to when it was done.
    /// Appends to the unit history a row for each household and technician among `records`
    /// whose unit (district; crew and district) differs from its latest row, at the server's
    /// time of the write (called by the backends' `put_record`/`put_records`).
    fn track_units(&mut self, records: &[&StoredRecord]) -> StorageResult<()>;
    /// Every row of the unit history, by entity, id and change.
    fn unit_history(&mut self) -> StorageResult<Vec<crate::reports::units::UnitRow>>;
    /// Fills an empty unit history from the households and technicians stored (a database
    /// older than the history); how many were read (0 when it was already filled).
    fn build_unit_history(&mut self) -> StorageResult<u64>;
    // (end reports/units)

    // backup (issue 27): what the server keeps about itself (its generation, its backups).
    /// A value the server keeps about itself, by name (`generation`, …).
    fn server_meta(&mut self, name: &str) -> StorageResult<Option<String>>;
    /// Sets a value the server keeps about itself.
    fn put_server_meta(&mut self, name: &str, value: &str) -> StorageResult<()>;
    /// Forgets every value whose name starts with `prefix` (a restore forgets what the
    /// backups of the server it replaces held: `backed_up_through:`).
    fn drop_server_meta_starting(&mut self, prefix: &str) -> StorageResult<()>;
    // (end backup)
}

/// A database the server keeps its truth in.
pub trait Storage: Send + Sync + 'static {
    /// Runs `f` in one write transaction: it commits if `f` returns `Ok`, else rolls back.
    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    /// Runs `f` in a read transaction (one consistent snapshot).
    fn read(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// Runs `f` in a write transaction and hands back its value.
pub fn write<T>(storage: &dyn Storage, mut f: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
    let mut out = None;
    storage.write(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    Ok(out.expect("a committed transaction ran its body"))
}

/// Runs `f` in a read transaction and hands back its value.
pub fn read<T>(storage: &dyn Storage, mut f: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
    let mut out = None;
    storage.read(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    Ok(out.expect("a finished transaction ran its body"))
}
