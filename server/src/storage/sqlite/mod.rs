//! The embedded backend: one SQLite file, one writer connection and a few readers, in WAL mode
//! with `synchronous = FULL` (an acknowledged push survives a power cut: the device has already
//! dropped those operations).

mod sql;
mod tx;

use std::path::Path;
use std::sync::Mutex;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Entity;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, ParkDecision,
    ParkReason, ParkedQuery, ParkedRow, PhotoRow, Storage, StorageError, StorageResult,
    StoredRecord, Tx,
};
use crate::bucket::Bucket;
use crate::error::Result;

/// The tables, keys and indexes (also the benchmark's reference for a plain insert of the same rows).
pub const SCHEMA: &str = include_str!("../sqlite.sql");
const READERS: usize = 8;

/// Row changes committed between two checkpoints of the log (about 8 MiB of pages when rows
/// are records of a few hundred bytes).
const CHECKPOINT_ROWS: u64 = 8000;

pub struct SqliteStorage {
    writer: Mutex<Writer>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

struct Writer {
    conn: Connection,
    /// Row changes committed when the checkpointer was last woken.
    changes_at_checkpoint: u64,
    /// Wakes the thread that checkpoints the log on a connection of its own.
    checkpoint: std::sync::mpsc::SyncSender<()>,
}

impl SqliteStorage {
    pub fn open(path: &Path) -> StorageResult<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Database(e.to_string()))?;
        }
        let conn = connect(path)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        // The log is checkpointed (its pages copied into the database, which is then synced)
        // by a thread of its own, woken by the writer every CHECKPOINT_ROWS changes, not in
        // the middle of whichever request crosses the mark. The writer's own automatic
        // checkpoint stays on, far later, in case that thread cannot keep up.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 16384;")
            .map_err(db)?;
        let checkpointer = connect(path)?;
        let (checkpoint, wake) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                // Ends when the storage (and so the sender) is dropped.
                while wake.recv().is_ok() {
                    // PASSIVE: never waits for readers or the writer; what it cannot copy now
                    // is copied next time. A failure (another checkpoint running) is the same.
                    let _ =
                        checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| StorageError::Database(format!("checkpoint thread: {e}")))?;
        let storage = Self {
            writer: Mutex::new(Writer {
                changes_at_checkpoint: conn.total_changes(),
                conn,
                checkpoint,
            }),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
        };
        super::search::build_at_open(&storage)?;
        super::open_orders::build_at_open(&storage)?;
        crate::reports::units::build_at_open(&storage)?;
        Ok(storage)
    }
}

fn connect(path: &Path) -> StorageResult<Connection> {
    let conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(db)?;
    // Every statement is prepared once per connection: more of them than the default 16 run on
    // the writer (push, photos, enrollment, admin), and a statement pushed out of the cache is
    // parsed again on its next use.
    conn.set_prepared_statement_cache_capacity(64);
    // A page cache of 32 MiB per connection (the default is 2 MiB): a push or a pull touches
    // records all over the table, and every miss is a read from the file.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -32768;",
    )
    .map_err(db)?;
    Ok(conn)
}

/// A connection for read transactions: one that cannot write, as PostgreSQL's read-only
/// transactions cannot (every write goes through the one writer, which serialises them).
fn reader(path: &Path) -> StorageResult<Connection> {
    let conn = connect(path)?;
    conn.execute_batch("PRAGMA query_only = ON;").map_err(db)?;
    Ok(conn)
}

fn db(e: rusqlite::Error) -> StorageError {
    StorageError::Database(e.to_string())
}

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

impl Storage for SqliteStorage {
    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = &mut *guard;
        {
            let tx = writer
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let mut t = SqliteTx { tx, seq: None };
            f(&mut t)?;
            t.store_seq()?;
            t.tx.commit().map_err(db)?;
        }
        let changes = writer.conn.total_changes();
        if changes.wrapping_sub(writer.changes_at_checkpoint) >= CHECKPOINT_ROWS {
            writer.changes_at_checkpoint = changes;
            // Already awake: it checkpoints this commit too.
            let _ = writer.checkpoint.try_send(());
        }
        Ok(())
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => reader(&self.path)?,
        };
        let result = (|| {
            let tx = conn.transaction().map_err(db)?;
            let mut t = SqliteTx { tx, seq: None };
            f(&mut t)?;
            t.tx.commit().map_err(db)?;
            Ok(())
        })();
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < READERS {
            readers.push(conn);
        }
        result
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

struct SqliteTx<'c> {
    tx: Transaction<'c>,
    /// The last sequence number this transaction took: read from `counters` at the first
    /// [`Tx::next_seq`], counted here, and written back once before the commit (the writer
    /// connection and its immediate transaction already serialise writers).
    seq: Option<i64>,
}

impl SqliteTx<'_> {
    fn store_seq(&mut self) -> StorageResult<()> {
        if let Some(seq) = self.seq {
            self.tx
                .prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'seq'")
                .map_err(db)?
                .execute([seq])
                .map_err(db)?;
        }
        Ok(())
    }
}

fn entity(text: String) -> rusqlite::Result<Entity> {
    parsed(text, "entity", Entity::parse)
}

/// A column's text read back as the type it was written from.
fn parsed<T>(text: String, column: &str, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, column.into())
    })
}

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(StoredRecord, String)> {
    Ok((
        StoredRecord {
            entity: entity(r.get(0)?)?,
            id: r.get(1)?,
            key: r.get(2)?,
            seq: r.get(3)?,
            deleted: r.get(4)?,
            body: r.get(5)?,
            stamps: r.get(6)?,
            buckets: Vec::new(),
        },
        r.get(7)?,
    ))
}

fn with_buckets((mut record, buckets): (StoredRecord, String)) -> StorageResult<StoredRecord> {
    record.buckets = serde_json::from_str(&buckets).map_err(corrupt)?;
    Ok(record)
}

/// The buckets once each, as `IN (…)` would take them.
fn distinct(buckets: &[Bucket]) -> Vec<String> {
    let mut list: Vec<String> = buckets.iter().map(Bucket::to_string).collect();
    list.sort_unstable();
    list.dedup();
    list
}

/// Inserts `rows` with `head` (`INSERT INTO t(a, b)`) and `tail` (an `ON CONFLICT` clause or
/// nothing): many rows a statement (64, then 8, then 1), each statement prepared once.
/// `bind` binds one row's `columns` values from the given parameter index on.
fn insert_rows<R>(
    tx: &Transaction<'_>,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[R],
    bind: impl Fn(&mut rusqlite::CachedStatement<'_>, usize, &R) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut rest = rows;
    for size in [64, 8, 1] {
        if rest.len() < size {
            continue;
        }
        let row = format!("({})", vec!["?"; columns].join(", "));
        let sql = format!("{head} VALUES {} {tail}", vec![row; size].join(", "));
        let mut stmt = tx.prepare_cached(&sql)?;
        while rest.len() >= size {
            let (these, after) = rest.split_at(size);
            for (i, r) in these.iter().enumerate() {
                bind(&mut stmt, 1 + i * columns, r)?;
            }
            stmt.raw_execute()?;
            rest = after;
        }
    }
    Ok(())
}

/// A taken unique key, named for the records written (`None`: of several kinds).
fn duplicate_key(entity: Option<Entity>) -> impl Fn(rusqlite::Error) -> StorageError {
    move |e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StorageError::Duplicate(match entity {
                Some(Entity::Household) => "customer number",
                Some(Entity::WorkOrder) => "work order number",
                _ => "record key",
            })
        }
        e => db(e),
    }
}

/// A row of `SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at`.
fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        id: r.get(0)?,
        technician_id: r.get(1)?,
        credential_sha256: r.get(2)?,
        model: r.get(3)?,
        enrolled_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}
