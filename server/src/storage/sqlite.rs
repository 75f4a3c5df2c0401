//! The embedded backend: one SQLite file, one writer connection and a few readers, in WAL mode
//! with `synchronous = FULL` (an acknowledged push survives a power cut: the device has already
//! dropped those operations).

use std::path::Path;
use std::sync::Mutex;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Entity;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, PhotoRow,
    Storage, StorageError, StorageResult, StoredRecord, Tx,
};
use crate::bucket::Bucket;
use crate::error::Result;

/// The tables, keys and indexes (also the benchmark's reference for a plain insert of the same rows).
pub const SCHEMA: &str = include_str!("sqlite.sql");
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
        Ok(Self {
            writer: Mutex::new(Writer {
                changes_at_checkpoint: conn.total_changes(),
                conn,
                checkpoint,
            }),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
        })
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

const RECORD_UPSERT: &str = "ON CONFLICT(entity, id) DO UPDATE SET key = excluded.key,
    seq = excluded.seq, deleted = excluded.deleted, body = excluded.body,
    stamps = excluded.stamps, buckets = excluded.buckets";

const RECORD_COLUMNS: &str = "entity, id, key, seq, deleted, body, stamps, buckets";

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

impl Tx for SqliteTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        let last = self.last_seq()?;
        self.seq = Some(last + 1);
        Ok(last + 1)
    }

    fn last_seq(&mut self) -> StorageResult<i64> {
        match self.seq {
            Some(seq) => Ok(seq),
            None => self
                .tx
                .prepare_cached("SELECT value FROM counters WHERE name = 'seq'")
                .map_err(db)?
                .query_row([], |r| r.get(0))
                .map_err(db),
        }
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE entity = ?1 AND id = ?2"
            ))
            .map_err(db)?
            .query_row(params![entity.as_str(), id], record_row)
            .optional()
            .map_err(db)?
            .map(with_buckets)
            .transpose()
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.tx
            .prepare_cached("SELECT id FROM records WHERE entity = ?1 AND key = ?2")
            .map_err(db)?
            .query_row(params![entity.as_str(), key], |r| r.get(0))
            .optional()
            .map_err(db)
    }

    fn put_record(&mut self, r: &StoredRecord) -> StorageResult<()> {
        self.put_records(&[r])
    }

    fn put_records(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let buckets = records
            .iter()
            .map(|r| serde_json::to_string(&r.buckets))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let rows: Vec<(&StoredRecord, &String)> = records.iter().copied().zip(&buckets).collect();
        let entity = records
            .first()
            .map(|r| r.entity)
            .filter(|e| records.iter().all(|r| r.entity == *e));
        insert_rows(
            &self.tx,
            "INSERT INTO records(entity, id, key, seq, deleted, body, stamps, buckets)",
            RECORD_UPSERT,
            8,
            &rows,
            |stmt, at, (r, buckets)| {
                stmt.raw_bind_parameter(at, r.entity.as_str())?;
                stmt.raw_bind_parameter(at + 1, &r.id)?;
                stmt.raw_bind_parameter(at + 2, &r.key)?;
                stmt.raw_bind_parameter(at + 3, r.seq)?;
                stmt.raw_bind_parameter(at + 4, r.deleted)?;
                stmt.raw_bind_parameter(at + 5, &r.body)?;
                stmt.raw_bind_parameter(at + 6, &r.stamps)?;
                stmt.raw_bind_parameter(at + 7, buckets.as_str())
            },
        )
        .map_err(duplicate_key(entity))
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map(params![entity.as_str(), after_id, limit as i64], record_row)
            .map_err(db)?;
        rows.map(|r| with_buckets(r.map_err(db)?)).collect()
    }

    fn put_bucket_entry(&mut self, bucket: &Bucket, e: &BucketEntry) -> StorageResult<()> {
        self.put_bucket_entries(&[(*bucket, e.clone())])
    }

    fn put_bucket_entries(&mut self, entries: &[(Bucket, BucketEntry)]) -> StorageResult<()> {
        insert_rows(
            &self.tx,
            "INSERT INTO bucket_entries(bucket, entity, id, seq, left_bucket)",
            "ON CONFLICT(bucket, entity, id) DO UPDATE SET seq = excluded.seq,
               left_bucket = excluded.left_bucket",
            5,
            entries,
            |stmt, at, (bucket, e)| {
                stmt.raw_bind_parameter(at, bucket.to_string())?;
                stmt.raw_bind_parameter(at + 1, e.entity.as_str())?;
                stmt.raw_bind_parameter(at + 2, &e.id)?;
                stmt.raw_bind_parameter(at + 3, e.seq)?;
                stmt.raw_bind_parameter(at + 4, e.left)
            },
        )
        .map_err(db)
    }

    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        // One ordered range of the (bucket, seq) index per bucket, each stopping at `limit`,
        // merged here: a single query over all the buckets ordered by seq would sort every
        // entry after the cursor at every page.
        let mut out = Vec::new();
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT seq, entity, id, left_bucket FROM bucket_entries
                 WHERE bucket = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .map_err(db)?;
        for bucket in distinct(buckets) {
            let rows = stmt
                .query_map(params![bucket, after, limit as i64], |r| {
                    Ok(BucketEntry {
                        seq: r.get(0)?,
                        entity: entity(r.get(1)?)?,
                        id: r.get(2)?,
                        left: r.get(3)?,
                    })
                })
                .map_err(db)?;
            for row in rows {
                out.push(row.map_err(db)?);
            }
        }
        out.sort_by_key(|e| e.seq);
        out.truncate(limit);
        Ok(out)
    }

    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT count(*) FROM bucket_entries WHERE bucket = ?1 AND seq > ?2")
            .map_err(db)?;
        let mut n = 0;
        for bucket in distinct(buckets) {
            n += stmt
                .query_row(params![bucket, after], |r| r.get::<_, i64>(0))
                .map_err(db)? as u64;
        }
        Ok(n)
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM ops WHERE device_id = ?1 AND op_id = ?2")
            .map_err(db)?
            .query_row(params![device_id, op_id.to_string()], |_| Ok(()))
            .optional()
            .map_err(db)?
            .is_some())
    }

    fn stored_ops(
        &mut self,
        device_id: &str,
        op_ids: &[OperationId],
    ) -> StorageResult<Vec<OperationId>> {
        if op_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The ids travel as one JSON array, so that one prepared statement serves any count.
        let ids = serde_json::to_string(op_ids).map_err(corrupt)?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT op_id FROM ops WHERE device_id = ?1
                   AND op_id IN (SELECT value FROM json_each(?2))",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![device_id, ids], |r| r.get(0))
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn insert_op(&mut self, o: &OpRow) -> StorageResult<()> {
        self.insert_ops(std::slice::from_ref(o))
    }

    fn insert_ops(&mut self, ops: &[OpRow]) -> StorageResult<()> {
        insert_rows(
            &self.tx,
            "INSERT INTO ops(device_id, op_id, device_seq, hlc, entity, entity_id, device_time,
                             received_at, server_seq, payload)",
            "",
            10,
            ops,
            |stmt, at, o| {
                stmt.raw_bind_parameter(at, &o.device_id)?;
                stmt.raw_bind_parameter(at + 1, o.op_id.to_string())?;
                stmt.raw_bind_parameter(at + 2, o.device_seq)?;
                stmt.raw_bind_parameter(at + 3, &o.hlc)?;
                stmt.raw_bind_parameter(at + 4, &o.entity)?;
                stmt.raw_bind_parameter(at + 5, &o.entity_id)?;
                stmt.raw_bind_parameter(at + 6, o.device_time)?;
                stmt.raw_bind_parameter(at + 7, o.received_at)?;
                stmt.raw_bind_parameter(at + 8, o.server_seq)?;
                stmt.raw_bind_parameter(at + 9, &o.payload)
            },
        )
        .map_err(db)
    }

    fn insert_conflict(&mut self, c: &ConflictRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO conflicts(seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(db)?
            .execute(params![
                c.seq,
                c.entity.as_str(),
                c.entity_id,
                c.field,
                c.rule.as_str(),
                c.kept,
                c.lost,
                c.kept_by.to_string(),
                c.lost_by.to_string(),
                c.op_id.map(|o| o.to_string()),
                c.at
            ])
            .map_err(db)?;
        Ok(())
    }

    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at
                 FROM conflicts ORDER BY n DESC LIMIT ?1",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(ConflictRow {
                    seq: r.get(0)?,
                    entity: entity(r.get(1)?)?,
                    entity_id: r.get(2)?,
                    field: r.get(3)?,
                    rule: parsed(r.get(4)?, "rule", ConflictRule::parse)?,
                    kept: r.get(5)?,
                    lost: r.get(6)?,
                    kept_by: parsed(r.get(7)?, "kept_by", Author::parse)?,
                    lost_by: parsed(r.get(8)?, "lost_by", Author::parse)?,
                    op_id: r.get::<_, Option<String>>(9)?.and_then(|o| o.parse().ok()),
                    at: r.get(10)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn audit(&mut self, a: &AuditRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit(at, actor, device_id, action, entity, entity_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db)?
            .execute(params![a.at, a.actor, a.device_id, a.action, a.entity, a.entity_id])
            .map_err(db)?;
        Ok(())
    }

    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT at, actor, device_id, action, entity, entity_id FROM audit ORDER BY n DESC LIMIT ?1",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(AuditRow {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    device_id: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices
                 WHERE ?1 IS NULL OR technician_id = ?1 ORDER BY enrolled_at, id",
            )
            .map_err(db)?;
        let rows = stmt.query_map([technician], device_row).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.tx
            .prepare_cached(
                "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices WHERE id = ?1",
            )
            .map_err(db)?
            .query_row([id], device_row)
            .optional()
            .map_err(db)
    }

    fn put_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO devices(id, technician_id, credential_sha256, model, enrolled_at, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET technician_id = excluded.technician_id,
                   credential_sha256 = excluded.credential_sha256, model = excluded.model,
                   enrolled_at = excluded.enrolled_at, revoked_at = excluded.revoked_at",
            )
            .map_err(db)?
            .execute(params![
                d.id,
                d.technician_id,
                d.credential_sha256,
                d.model,
                d.enrolled_at,
                d.revoked_at
            ])
            .map_err(db)?;
        Ok(())
    }

    fn enrollment(&mut self, code: &str) -> StorageResult<Option<EnrollmentRow>> {
        self.tx
            .prepare_cached(
                "SELECT code_sha256, technician_id, expires_at, used_by FROM enrollments WHERE code_sha256 = ?1",
            )
            .map_err(db)?
            .query_row([code], |r| {
                Ok(EnrollmentRow {
                    code_sha256: r.get(0)?,
                    technician_id: r.get(1)?,
                    expires_at: r.get(2)?,
                    used_by: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_enrollment(&mut self, e: &EnrollmentRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO enrollments(code_sha256, technician_id, expires_at, used_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(code_sha256) DO UPDATE SET used_by = excluded.used_by",
            )
            .map_err(db)?
            .execute(params![e.code_sha256, e.technician_id, e.expires_at, e.used_by])
            .map_err(db)?;
        Ok(())
    }

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>> {
        self.tx
            .prepare_cached(
                "SELECT sha256, total, received, complete FROM photos WHERE sha256 = ?1",
            )
            .map_err(db)?
            .query_row([sha256], |r| {
                Ok(PhotoRow {
                    sha256: r.get(0)?,
                    total: r.get(1)?,
                    received: r.get(2)?,
                    complete: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_photo(&mut self, p: &PhotoRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO photos(sha256, total, received, complete) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(sha256) DO UPDATE SET total = excluded.total, received = excluded.received,
                   complete = excluded.complete",
            )
            .map_err(db)?
            .execute(params![p.sha256, p.total, p.received, p.complete])
            .map_err(db)?;
        Ok(())
    }

    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO photo_chunks(sha256, offset, bytes) VALUES (?1, ?2, ?3)",
            )
            .map_err(db)?
            .execute(params![sha256, offset, bytes])
            .map_err(db)?;
        Ok(())
    }

    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT bytes FROM photo_chunks WHERE sha256 = ?1 ORDER BY offset")
            .map_err(db)?;
        let mut rows = stmt.query([sha256]).map_err(db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db)? {
            out.extend_from_slice(row.get_ref(0).map_err(db)?.as_blob().map_err(corrupt)?);
        }
        Ok(out)
    }

    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached("DELETE FROM photo_chunks WHERE sha256 = ?1")
            .map_err(db)?
            .execute([sha256])
            .map_err(db)?;
        Ok(())
    }

    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO form_photos(form_id, sha256) VALUES (?1, ?2)")
            .map_err(db)?
            .execute([form_id, sha256])
            .map_err(db)?;
        Ok(())
    }

    fn forms_waiting(&mut self) -> StorageResult<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT DISTINCT f.form_id FROM form_photos f
                 WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = f.sha256 AND p.complete)
                 ORDER BY f.form_id",
            )
            .map_err(db)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        let (sql, arg) = match what {
            Counted::Ops => ("SELECT count(*) FROM ops", None),
            Counted::Conflicts => ("SELECT count(*) FROM conflicts", None),
            Counted::CompletePhotos => ("SELECT count(*) FROM photos WHERE complete", None),
            Counted::Devices => ("SELECT count(*) FROM devices", None),
            Counted::Audit => ("SELECT count(*) FROM audit", None),
            Counted::Records(e) => (
                "SELECT count(*) FROM records WHERE entity = ?1 AND NOT deleted",
                Some(e.as_str()),
            ),
        };
        let mut stmt = self.tx.prepare_cached(sql).map_err(db)?;
        let n: i64 = match arg {
            Some(a) => stmt.query_row([a], |r| r.get(0)),
            None => stmt.query_row([], |r| r.get(0)),
        }
        .map_err(db)?;
        Ok(n as u64)
    }
}
