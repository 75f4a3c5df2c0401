//! The shared backend: one PostgreSQL database that several server processes use at once, each
//! with a small pool of connections. It behaves as the SQLite backend does: writers take one
//! lock (the `seq` counter's row) for their whole transaction, so they run one at a time across
//! every process, and readers see one snapshot.
//!
//! The client is the synchronous `postgres` crate: the server calls storage from
//! `spawn_blocking`, never from a runtime thread.

use std::error::Error as _;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Entity;
use postgres::error::SqlState;
use postgres::types::{FromSql, ToSql};
use postgres::{Config, IsolationLevel, NoTls, Row, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, PhotoRow,
    Storage, StorageError, StorageResult, StoredRecord, Tx,
};
use crate::bucket::Bucket;
use crate::error::{Error, Result};

const SCHEMA: &str = include_str!("postgres.sql");
/// The advisory lock that keeps servers starting at once from creating the tables together
/// (concurrent `CREATE TABLE IF NOT EXISTS` can still fail on the catalog's unique keys).
const SCHEMA_LOCK: i64 = 0x646f_6f72_7374_6570; // "doorstep"
/// Taken first by every write, as SQLite's single writer is: a merge that read a record before
/// taking its sequence number cannot have read a version another process is replacing.
pub(super) const WRITER_LOCK: &str = "SELECT value FROM counters WHERE name = 'seq' FOR UPDATE";
/// A deadlock or serialization failure is the database's way of asking for a retry.
const ATTEMPTS: u32 = 5;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

pub struct PostgresStorage {
    pool: Pool,
}

impl PostgresStorage {
    pub fn connect(url: &str, pool_size: u32) -> StorageResult<Self> {
        Self::with_config(url.parse().map_err(db)?, pool_size)
    }

    pub(super) fn with_config(config: Config, pool_size: u32) -> StorageResult<Self> {
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(pool_error)?;
        let mut conn = pool.get().map_err(pool_error)?;
        let mut tx = conn.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .map_err(db)?;
        tx.batch_execute(SCHEMA).map_err(db)?;
        tx.commit().map_err(db)?;
        drop(conn);
        Ok(Self { pool })
    }

    fn run(&self, write: bool, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        let mut attempt = 1;
        loop {
            let tx = conn
                .build_transaction()
                .isolation_level(if write {
                    IsolationLevel::ReadCommitted
                } else {
                    IsolationLevel::RepeatableRead
                })
                .read_only(!write)
                .start()
                .map_err(db)?;
            let mut t = PgTx {
                tx,
                aborted: false,
                retry: false,
            };
            let result = if write {
                t.execute(WRITER_LOCK, &[]).map_err(Error::from)
            } else {
                Ok(())
            }
            .and_then(|()| f(&mut t));
            let PgTx {
                tx,
                aborted,
                mut retry,
            } = t;
            let result = match result {
                // PostgreSQL answers COMMIT of an aborted transaction with a silent rollback: a
                // body that ignored a failed statement must not be reported as saved.
                Ok(()) if aborted => Err(StorageError::Database(
                    "the transaction was aborted by an earlier statement".into(),
                )
                .into()),
                Ok(()) => tx.commit().map_err(|e| {
                    retry |= retryable(&e);
                    db(e).into()
                }),
                // Dropping the transaction rolls it back.
                Err(e) => Err(e),
            };
            if result.is_err() && retry && attempt < ATTEMPTS {
                attempt += 1;
                continue;
            }
            return result;
        }
    }
}

fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
    )
}

/// Only the primary message and code of a server error: its detail quotes row values
/// (`Key (entity, key)=(household, C-1001) already exists`), and these messages reach the log.
fn db(e: postgres::Error) -> StorageError {
    StorageError::Database(match (e.as_db_error(), e.source()) {
        (Some(d), _) => format!("{} ({})", d.message(), d.code().code()),
        (None, Some(cause)) => format!("{e}: {cause}"),
        (None, None) => e.to_string(),
    })
}

fn pool_error(e: r2d2::Error) -> StorageError {
    StorageError::Database(format!("connection pool: {e}"))
}

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

impl Storage for PostgresStorage {
    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.run(true, f)
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.run(false, f)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

struct PgTx<'c> {
    tx: Transaction<'c>,
    /// A statement failed, which aborts a PostgreSQL transaction (SQLite's only the statement).
    aborted: bool,
    /// It failed with a deadlock or serialization failure: the whole body may run again.
    retry: bool,
}

impl PgTx<'_> {
    fn fail(&mut self, e: postgres::Error) -> StorageError {
        self.aborted = true;
        self.retry |= retryable(&e);
        db(e)
    }

    fn query(&mut self, sql: &str, params: Params) -> StorageResult<Vec<Row>> {
        self.tx.query(sql, params).map_err(|e| self.fail(e))
    }

    fn query_opt(&mut self, sql: &str, params: Params) -> StorageResult<Option<Row>> {
        self.tx.query_opt(sql, params).map_err(|e| self.fail(e))
    }

    fn query_one(&mut self, sql: &str, params: Params) -> StorageResult<Row> {
        self.tx.query_one(sql, params).map_err(|e| self.fail(e))
    }

    fn execute(&mut self, sql: &str, params: Params) -> StorageResult<()> {
        self.tx.execute(sql, params).map_err(|e| self.fail(e))?;
        Ok(())
    }

    fn count_of(&mut self, sql: &str, params: Params) -> StorageResult<u64> {
        let n: i64 = get(&self.query_one(sql, params)?, 0)?;
        Ok(n as u64)
    }
}

fn get<'r, T: FromSql<'r>>(row: &'r Row, i: usize) -> StorageResult<T> {
    row.try_get(i).map_err(corrupt)
}

fn entity(row: &Row, i: usize) -> StorageResult<Entity> {
    parsed(row, i, Entity::parse)
}

/// A column's text read back as the type it was written from.
fn parsed<T>(row: &Row, i: usize, parse: fn(&str) -> Option<T>) -> StorageResult<T> {
    let text: &str = get(row, i)?;
    parse(text).ok_or_else(|| corrupt(format!("column {i} holds an unknown name {text:?}")))
}

const RECORD_COLUMNS: &str = "entity, id, key, seq, deleted, body, stamps, buckets";

fn record_row(r: &Row) -> StorageResult<StoredRecord> {
    Ok(StoredRecord {
        entity: entity(r, 0)?,
        id: get(r, 1)?,
        key: get(r, 2)?,
        seq: get(r, 3)?,
        deleted: get(r, 4)?,
        body: get(r, 5)?,
        stamps: get(r, 6)?,
        buckets: serde_json::from_str(get(r, 7)?).map_err(corrupt)?,
    })
}

/// SQLite reads a limit past `i64::MAX` (wrapped to -1) as none; PostgreSQL refuses it.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn is_duplicate_key(e: &postgres::Error) -> bool {
    e.as_db_error().is_some_and(|d| {
        *d.code() == SqlState::UNIQUE_VIOLATION && d.constraint() == Some("records_key")
    })
}

/// A row of `SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at`.
fn device_row(r: &Row) -> StorageResult<DeviceRow> {
    Ok(DeviceRow {
        id: get(r, 0)?,
        technician_id: get(r, 1)?,
        credential_sha256: get(r, 2)?,
        model: get(r, 3)?,
        enrolled_at: get(r, 4)?,
        revoked_at: get(r, 5)?,
    })
}

impl Tx for PgTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        let row = self.query_one(
            "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value",
            &[],
        )?;
        get(&row, 0)
    }

    fn last_seq(&mut self) -> StorageResult<i64> {
        let row = self.query_one("SELECT value FROM counters WHERE name = 'seq'", &[])?;
        get(&row, 0)
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        self.query_opt(
            &format!("SELECT {RECORD_COLUMNS} FROM records WHERE entity = $1 AND id = $2"),
            &[&entity.as_str(), &id],
        )?
        .as_ref()
        .map(record_row)
        .transpose()
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.query_opt(
            "SELECT id FROM records WHERE entity = $1 AND key = $2",
            &[&entity.as_str(), &key],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn put_record(&mut self, r: &StoredRecord) -> StorageResult<()> {
        let buckets = serde_json::to_string(&r.buckets).map_err(corrupt)?;
        // In a savepoint: a taken key leaves the transaction usable, as in SQLite.
        let outcome = (|| {
            let mut sp = self.tx.savepoint("put_record")?;
            sp.execute(
                "INSERT INTO records(entity, id, key, seq, deleted, body, stamps, buckets)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT(entity, id) DO UPDATE SET key = excluded.key, seq = excluded.seq,
                   deleted = excluded.deleted, body = excluded.body, stamps = excluded.stamps,
                   buckets = excluded.buckets",
                &[
                    &r.entity.as_str(),
                    &r.id,
                    &r.key,
                    &r.seq,
                    &r.deleted,
                    &r.body,
                    &r.stamps,
                    &buckets,
                ],
            )?;
            sp.commit()
        })();
        outcome.map_err(|e| {
            if is_duplicate_key(&e) {
                StorageError::Duplicate(match r.entity {
                    Entity::Household => "customer number",
                    Entity::WorkOrder => "work order number",
                    _ => "record key",
                })
            } else {
                self.fail(e)
            }
        })
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        self.query(
            &format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE entity = $1 AND id > $2 ORDER BY id LIMIT $3"
            ),
            &[&entity.as_str(), &after_id, &sql_limit(limit)],
        )?
        .iter()
        .map(record_row)
        .collect()
    }

    fn put_bucket_entry(&mut self, bucket: &Bucket, e: &BucketEntry) -> StorageResult<()> {
        let bucket = bucket.to_string();
        self.execute(
            "INSERT INTO bucket_entries(bucket, entity, id, seq, left_bucket) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT(bucket, entity, id) DO UPDATE SET seq = excluded.seq, left_bucket = excluded.left_bucket",
            &[&bucket, &e.entity.as_str(), &e.id, &e.seq, &e.left],
        )
    }

    fn put_records(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        // One statement for them all: each column as an array, unnested into rows.
        let mut columns = (
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
        );
        for r in records {
            columns.0.push(r.entity.as_str());
            columns.1.push(r.id.as_str());
            columns.2.push(r.key.as_deref());
            columns.3.push(r.seq);
            columns.4.push(r.deleted);
            columns.5.push(r.body.as_str());
            columns.6.push(r.stamps.as_str());
            columns
                .7
                .push(serde_json::to_string(&r.buckets).map_err(corrupt)?);
        }
        self.execute(
            "INSERT INTO records(entity, id, key, seq, deleted, body, stamps, buckets)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[],
                                  $6::text[], $7::text[], $8::text[])
             ON CONFLICT(entity, id) DO UPDATE SET key = excluded.key, seq = excluded.seq,
               deleted = excluded.deleted, body = excluded.body, stamps = excluded.stamps,
               buckets = excluded.buckets",
            &[
                &columns.0, &columns.1, &columns.2, &columns.3, &columns.4, &columns.5, &columns.6,
                &columns.7,
            ],
        )
    }

    fn put_bucket_entries(&mut self, entries: &[(Bucket, BucketEntry)]) -> StorageResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let buckets: Vec<String> = entries.iter().map(|(b, _)| b.to_string()).collect();
        let entities: Vec<&str> = entries.iter().map(|(_, e)| e.entity.as_str()).collect();
        let ids: Vec<&str> = entries.iter().map(|(_, e)| e.id.as_str()).collect();
        let seqs: Vec<i64> = entries.iter().map(|(_, e)| e.seq).collect();
        let left: Vec<bool> = entries.iter().map(|(_, e)| e.left).collect();
        self.execute(
            "INSERT INTO bucket_entries(bucket, entity, id, seq, left_bucket)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[])
             ON CONFLICT(bucket, entity, id) DO UPDATE SET seq = excluded.seq,
               left_bucket = excluded.left_bucket",
            &[&buckets, &entities, &ids, &seqs, &left],
        )
    }

    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        let buckets: Vec<String> = buckets.iter().map(Bucket::to_string).collect();
        self.query(
            "SELECT seq, entity, id, left_bucket FROM bucket_entries
             WHERE bucket = ANY($1) AND seq > $2 ORDER BY seq LIMIT $3",
            &[&buckets, &after, &sql_limit(limit)],
        )?
        .iter()
        .map(|r| {
            Ok(BucketEntry {
                seq: get(r, 0)?,
                entity: entity(r, 1)?,
                id: get(r, 2)?,
                left: get(r, 3)?,
            })
        })
        .collect()
    }

    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64> {
        let buckets: Vec<String> = buckets.iter().map(Bucket::to_string).collect();
        self.count_of(
            "SELECT count(*) FROM bucket_entries WHERE bucket = ANY($1) AND seq > $2",
            &[&buckets, &after],
        )
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM ops WHERE device_id = $1 AND op_id = $2",
                &[&device_id, &op_id.to_string()],
            )?
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
        let ids: Vec<String> = op_ids.iter().map(ToString::to_string).collect();
        self.query(
            "SELECT op_id FROM ops WHERE device_id = $1 AND op_id = ANY($2)",
            &[&device_id, &ids],
        )?
        .iter()
        .map(|r| get::<&str>(r, 0)?.parse().map_err(corrupt))
        .collect()
    }

    fn insert_op(&mut self, o: &OpRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO ops(device_id, op_id, device_seq, hlc, entity, entity_id, device_time, received_at, server_seq, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &o.device_id,
                &o.op_id.to_string(),
                &o.device_seq,
                &o.hlc,
                &o.entity,
                &o.entity_id,
                &o.device_time,
                &o.received_at,
                &o.server_seq,
                &o.payload,
            ],
        )
    }

    fn insert_ops(&mut self, ops: &[OpRow]) -> StorageResult<()> {
        if ops.is_empty() {
            return Ok(());
        }
        let devices: Vec<&str> = ops.iter().map(|o| o.device_id.as_str()).collect();
        let op_ids: Vec<String> = ops.iter().map(|o| o.op_id.to_string()).collect();
        let device_seqs: Vec<i64> = ops.iter().map(|o| o.device_seq).collect();
        let hlcs: Vec<&str> = ops.iter().map(|o| o.hlc.as_str()).collect();
        let entities: Vec<&str> = ops.iter().map(|o| o.entity.as_str()).collect();
        let entity_ids: Vec<&str> = ops.iter().map(|o| o.entity_id.as_str()).collect();
        let device_times: Vec<chrono::DateTime<chrono::Utc>> =
            ops.iter().map(|o| o.device_time).collect();
        let received: Vec<chrono::DateTime<chrono::Utc>> =
            ops.iter().map(|o| o.received_at).collect();
        let server_seqs: Vec<i64> = ops.iter().map(|o| o.server_seq).collect();
        let payloads: Vec<&str> = ops.iter().map(|o| o.payload.as_str()).collect();
        self.execute(
            "INSERT INTO ops(device_id, op_id, device_seq, hlc, entity, entity_id, device_time,
                             received_at, server_seq, payload)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::text[], $7::timestamptz[], $8::timestamptz[], $9::bigint[],
                                  $10::text[])",
            &[
                &devices,
                &op_ids,
                &device_seqs,
                &hlcs,
                &entities,
                &entity_ids,
                &device_times,
                &received,
                &server_seqs,
                &payloads,
            ],
        )
    }

    fn insert_conflict(&mut self, c: &ConflictRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO conflicts(seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &c.seq,
                &c.entity.as_str(),
                &c.entity_id,
                &c.field,
                &c.rule.as_str(),
                &c.kept,
                &c.lost,
                &c.kept_by.to_string(),
                &c.lost_by.to_string(),
                &c.op_id.map(|o| o.to_string()),
                &c.at,
            ],
        )
    }

    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>> {
        self.query(
            "SELECT seq, entity, entity_id, field, rule, kept, lost, kept_by, lost_by, op_id, at
             FROM conflicts ORDER BY n DESC LIMIT $1",
            &[&sql_limit(limit)],
        )?
        .iter()
        .map(|r| {
            Ok(ConflictRow {
                seq: get(r, 0)?,
                entity: entity(r, 1)?,
                entity_id: get(r, 2)?,
                field: get(r, 3)?,
                rule: parsed(r, 4, ConflictRule::parse)?,
                kept: get(r, 5)?,
                lost: get(r, 6)?,
                kept_by: parsed(r, 7, Author::parse)?,
                lost_by: parsed(r, 8, Author::parse)?,
                op_id: get::<Option<&str>>(r, 9)?.and_then(|o| o.parse().ok()),
                at: get(r, 10)?,
            })
        })
        .collect()
    }

    fn audit(&mut self, a: &AuditRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO audit(at, actor, device_id, action, entity, entity_id) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&a.at, &a.actor, &a.device_id, &a.action, &a.entity, &a.entity_id],
        )
    }

    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>> {
        self.query(
            "SELECT at, actor, device_id, action, entity, entity_id FROM audit ORDER BY n DESC LIMIT $1",
            &[&sql_limit(limit)],
        )?
        .iter()
        .map(|r| {
            Ok(AuditRow {
                at: get(r, 0)?,
                actor: get(r, 1)?,
                device_id: get(r, 2)?,
                action: get(r, 3)?,
                entity: get(r, 4)?,
                entity_id: get(r, 5)?,
            })
        })
        .collect()
    }

    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>> {
        self.query(
            "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices
             WHERE $1::text IS NULL OR technician_id = $1 ORDER BY enrolled_at, id",
            &[&technician],
        )?
        .iter()
        .map(device_row)
        .collect()
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.query_opt(
            "SELECT id, technician_id, credential_sha256, model, enrolled_at, revoked_at FROM devices WHERE id = $1",
            &[&id],
        )?
        .as_ref()
        .map(device_row)
        .transpose()
    }

    fn put_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO devices(id, technician_id, credential_sha256, model, enrolled_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT(id) DO UPDATE SET technician_id = excluded.technician_id,
               credential_sha256 = excluded.credential_sha256, model = excluded.model,
               enrolled_at = excluded.enrolled_at, revoked_at = excluded.revoked_at",
            &[
                &d.id,
                &d.technician_id,
                &d.credential_sha256,
                &d.model,
                &d.enrolled_at,
                &d.revoked_at,
            ],
        )
    }

    fn enrollment(&mut self, code: &str) -> StorageResult<Option<EnrollmentRow>> {
        self.query_opt(
            "SELECT code_sha256, technician_id, expires_at, used_by FROM enrollments WHERE code_sha256 = $1",
            &[&code],
        )?
        .map(|r| {
            Ok(EnrollmentRow {
                code_sha256: get(&r, 0)?,
                technician_id: get(&r, 1)?,
                expires_at: get(&r, 2)?,
                used_by: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn put_enrollment(&mut self, e: &EnrollmentRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO enrollments(code_sha256, technician_id, expires_at, used_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT(code_sha256) DO UPDATE SET used_by = excluded.used_by",
            &[&e.code_sha256, &e.technician_id, &e.expires_at, &e.used_by],
        )
    }

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>> {
        self.query_opt(
            "SELECT sha256, total, received, complete FROM photos WHERE sha256 = $1",
            &[&sha256],
        )?
        .map(|r| {
            Ok(PhotoRow {
                sha256: get(&r, 0)?,
                total: get(&r, 1)?,
                received: get(&r, 2)?,
                complete: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn put_photo(&mut self, p: &PhotoRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO photos(sha256, total, received, complete) VALUES ($1, $2, $3, $4)
             ON CONFLICT(sha256) DO UPDATE SET total = excluded.total, received = excluded.received,
               complete = excluded.complete",
            &[&p.sha256, &p.total, &p.received, &p.complete],
        )
    }

    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()> {
        self.execute(
            r#"INSERT INTO photo_chunks(sha256, "offset", bytes) VALUES ($1, $2, $3)
               ON CONFLICT(sha256, "offset") DO UPDATE SET bytes = excluded.bytes"#,
            &[&sha256, &offset, &bytes],
        )
    }

    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>> {
        let mut out = Vec::new();
        for row in self.query(
            r#"SELECT bytes FROM photo_chunks WHERE sha256 = $1 ORDER BY "offset""#,
            &[&sha256],
        )? {
            out.extend_from_slice(get(&row, 0)?);
        }
        Ok(out)
    }

    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()> {
        self.execute("DELETE FROM photo_chunks WHERE sha256 = $1", &[&sha256])
    }

    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()> {
        self.execute(
            "INSERT INTO form_photos(form_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&form_id, &sha256],
        )
    }

    fn forms_waiting(&mut self) -> StorageResult<Vec<String>> {
        self.query(
            "SELECT DISTINCT f.form_id FROM form_photos f
             WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = f.sha256 AND p.complete)
             ORDER BY f.form_id",
            &[],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        let sql = match what {
            Counted::Ops => "SELECT count(*) FROM ops",
            Counted::Conflicts => "SELECT count(*) FROM conflicts",
            Counted::CompletePhotos => "SELECT count(*) FROM photos WHERE complete",
            Counted::Devices => "SELECT count(*) FROM devices",
            Counted::Audit => "SELECT count(*) FROM audit",
            Counted::Records(e) => {
                return self.count_of(
                    "SELECT count(*) FROM records WHERE entity = $1 AND NOT deleted",
                    &[&e.as_str()],
                );
            }
        };
        self.count_of(sql, &[])
    }
}
