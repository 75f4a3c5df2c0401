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
use crate::error::{Error, Result};

const SCHEMA: &str = include_str!("postgres.sql");
/// The advisory lock that keeps servers starting at once from creating the tables together
/// (concurrent `CREATE TABLE IF NOT EXISTS` can still fail on the catalog's unique keys).
const SCHEMA_LOCK: i64 = 0x646f_6f72_7374_6570; // "doorstep"
/// Taken first by every write, as SQLite's single writer is: a merge that read a record before
/// taking its sequence number cannot have read a version another process is replacing.
const WRITER_LOCK: &str = "SELECT value FROM counters WHERE name = 'seq' FOR UPDATE";
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

    fn with_config(config: Config, pool_size: u32) -> StorageResult<Self> {
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

    fn put_bucket_entry(&mut self, bucket: &str, e: &BucketEntry) -> StorageResult<()> {
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

    fn put_bucket_entries(&mut self, entries: &[(String, BucketEntry)]) -> StorageResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let buckets: Vec<&str> = entries.iter().map(|(b, _)| b.as_str()).collect();
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
        buckets: &[String],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
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

    fn count_changes(&mut self, buckets: &[String], after: i64) -> StorageResult<u64> {
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

/// Each test gets a database of its own (created and dropped here), so they run in parallel.
/// They need a real PostgreSQL: `scripts/services start`, then `source target/services/env`.
#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::storage::{read, write};

    struct TestDb {
        admin: Config,
        name: String,
    }

    impl TestDb {
        /// None only when the PostgreSQL tests are skipped on purpose.
        fn new() -> Option<Self> {
            let url = match std::env::var("DOORSTEP_TEST_DATABASE_URL") {
                Ok(url) => url,
                Err(_) if std::env::var("DOORSTEP_SKIP_POSTGRES").as_deref() == Ok("1") => {
                    eprintln!("PostgreSQL tests skipped (DOORSTEP_SKIP_POSTGRES=1)");
                    return None;
                }
                Err(_) => panic!(
                    "DOORSTEP_TEST_DATABASE_URL is not set: run `scripts/services start` and \
                     `source target/services/env`, or set DOORSTEP_SKIP_POSTGRES=1 to skip \
                     the PostgreSQL tests"
                ),
            };
            let admin: Config = url
                .parse()
                .expect("DOORSTEP_TEST_DATABASE_URL is not a URL");
            let name = format!("doorstep_t_{}", uuid::Uuid::new_v4().simple());
            let mut client = admin.connect(NoTls).expect("connect to the test server");
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create a test database");
            Some(Self { admin, name })
        }

        fn open(&self) -> PostgresStorage {
            let mut config = self.admin.clone();
            config.dbname(&self.name);
            PostgresStorage::with_config(config, 2).expect("open the test database")
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Ok(mut client) = self.admin.connect(NoTls) {
                let _ = client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        // Whole microseconds: what TIMESTAMPTZ keeps.
        Utc.timestamp_opt(1_700_000_000 + secs, 123_456_000)
            .unwrap()
    }

    fn record(entity: Entity, id: &str, key: Option<&str>) -> StoredRecord {
        StoredRecord {
            entity,
            id: id.into(),
            key: key.map(Into::into),
            seq: 1,
            deleted: false,
            body: format!(r#"{{"id":"{id}"}}"#),
            stamps: "{}".into(),
            buckets: vec!["all".into(), "district:1".into()],
        }
    }

    fn entry(seq: i64, id: &str, left: bool) -> BucketEntry {
        BucketEntry {
            seq,
            entity: Entity::Household,
            id: id.into(),
            left,
        }
    }

    fn op(device: &str, op_id: OperationId) -> OpRow {
        OpRow {
            device_id: device.into(),
            op_id,
            device_seq: 1,
            hlc: "0001".into(),
            entity: "household".into(),
            entity_id: "h1".into(),
            device_time: at(0),
            received_at: at(1),
            server_seq: 1,
            payload: "{}".into(),
        }
    }

    fn photo(sha: &str, complete: bool) -> PhotoRow {
        PhotoRow {
            sha256: sha.into(),
            total: 10,
            received: if complete { 10 } else { 3 },
            complete,
        }
    }

    #[test]
    fn the_schema_can_be_created_by_servers_starting_at_once() {
        let Some(db) = TestDb::new() else { return };
        std::thread::scope(|s| {
            let db = &db;
            let opened: Vec<_> = (0..4).map(|_| s.spawn(move || db.open())).collect();
            for o in opened {
                o.join().unwrap();
            }
        });
        let s = db.open();
        assert_eq!(s.backend(), "postgres");
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 1);
    }

    #[test]
    fn sequence_numbers_are_gap_free_and_committed_in_order_across_processes() {
        let Some(db) = TestDb::new() else { return };
        const WRITERS: usize = 3;
        const WRITES: usize = 40;
        let start = Barrier::new(WRITERS);
        let bucket = vec!["b".to_owned()];
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let (db, start, bucket) = (&db, &start, &bucket);
                s.spawn(move || {
                    // A storage (pool) of its own, as another server process has.
                    let storage = db.open();
                    start.wait();
                    for i in 0..WRITES {
                        write(&storage, |tx| {
                            let seq = tx.next_seq()?;
                            // Every lower number is already committed and visible.
                            let last = tx
                                .changes(bucket, 0, usize::MAX >> 1)?
                                .last()
                                .map(|e| e.seq);
                            assert_eq!(last.unwrap_or(0), seq - 1, "writer {w} write {i}");
                            tx.put_bucket_entry("b", &entry(seq, &format!("{w}/{i}"), false))?;
                            Ok(())
                        })
                        .unwrap();
                    }
                });
            }
        });
        let s = db.open();
        let seqs: Vec<i64> = read(&s, |tx| Ok(tx.changes(&bucket, 0, 1000)?))
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (1..=(WRITERS * WRITES) as i64).collect::<Vec<_>>());
    }

    #[test]
    fn a_write_reads_what_the_writer_before_it_committed() {
        let Some(db) = TestDb::new() else { return };
        const WRITERS: usize = 2;
        const WRITES: usize = 20;
        std::thread::scope(|s| {
            for _ in 0..WRITERS {
                let db = &db;
                s.spawn(move || {
                    let storage = db.open();
                    for _ in 0..WRITES {
                        // Read, then take a sequence number, as a merge does: no lost update.
                        write(&storage, |tx| {
                            let n: u64 = match tx.record(Entity::Crew, "c")? {
                                Some(r) => r.body.parse().unwrap(),
                                None => 0,
                            };
                            std::thread::sleep(std::time::Duration::from_millis(2));
                            let mut r = record(Entity::Crew, "c", None);
                            r.seq = tx.next_seq()?;
                            r.body = (n + 1).to_string();
                            Ok(tx.put_record(&r)?)
                        })
                        .unwrap();
                    }
                });
            }
        });
        let s = db.open();
        let body = read(&s, |tx| Ok(tx.record(Entity::Crew, "c")?))
            .unwrap()
            .unwrap()
            .body;
        assert_eq!(body, (WRITERS * WRITES).to_string());
    }

    #[test]
    fn a_failed_body_rolls_back_and_a_swallowed_error_is_not_committed() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        let refused = s.write(&mut |tx| {
            tx.next_seq()?;
            Err(Error::invalid("no"))
        });
        assert!(matches!(refused, Err(Error::Invalid(_))));
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 1);

        let id = OperationId::new();
        write(&s, |tx| Ok(tx.insert_op(&op("secret-device", id))?)).unwrap();
        let mut message = String::new();
        let swallowed = s.write(&mut |tx| {
            tx.next_seq()?;
            if let Err(e) = tx.insert_op(&op("secret-device", id)) {
                message = e.to_string();
            }
            Ok(())
        });
        assert!(matches!(
            swallowed,
            Err(Error::Storage(StorageError::Database(_)))
        ));
        // The code and primary message only: the detail would quote the row's key.
        assert!(message.contains("23505"), "{message}");
        assert!(!message.contains("secret-device"), "{message}");
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 2);
        assert_eq!(read(&s, |tx| Ok(tx.count(Counted::Ops)?)).unwrap(), 1);
    }

    #[test]
    fn a_write_that_deadlocks_runs_again() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        write(&s, |tx| Ok(tx.put_photo(&photo("p", false))?)).unwrap();
        let mut config = db.admin.clone();
        config.dbname(&db.name);
        let mut other = config.connect(NoTls).unwrap();
        let mut other = other.transaction().unwrap();
        other
            .execute("UPDATE photos SET total = 11 WHERE sha256 = 'p'", &[])
            .unwrap();
        let mut runs = 0;
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                // Holds the writer lock, then waits for `other`'s row: `other` then waits for
                // the writer lock, and PostgreSQL ends the writer's attempt as the deadlock.
                s.write(&mut |tx| {
                    runs += 1;
                    tx.put_photo(&photo("p", true))?;
                    Ok(())
                })
            });
            let mut watcher = config.connect(NoTls).unwrap();
            while watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .unwrap()
                .get::<_, i64>(0)
                == 0
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other.execute(WRITER_LOCK, &[]).unwrap();
            other.commit().unwrap();
            writer.join().unwrap().unwrap();
        });
        // At least once more: a retry that takes the writer lock before `other` does deadlocks
        // again, by the same rule, and runs a third time.
        assert!(runs >= 2, "{runs}");
        let p = read(&s, |tx| Ok(tx.photo("p")?)).unwrap().unwrap();
        assert!(p.complete);
    }

    #[test]
    fn records_are_upserted_and_keys_are_unique() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        write(&s, |tx| {
            tx.put_record(&record(Entity::Household, "h1", Some("C-1")))?;
            let mut changed = record(Entity::Household, "h1", Some("C-2"));
            changed.seq = 7;
            changed.deleted = true;
            changed.body = r#"{"changed":true}"#.into();
            changed.buckets = vec!["tech:9".into()];
            tx.put_record(&changed)?;
            assert_eq!(tx.record(Entity::Household, "h1")?, Some(changed));
            assert_eq!(tx.record(Entity::WorkOrder, "h1")?, None);
            tx.put_record(&record(Entity::Household, "h2", Some("C-1")))?;
            tx.put_record(&record(Entity::Household, "h3", None))?;
            tx.put_record(&record(Entity::Household, "h4", None))?;
            tx.put_record(&record(Entity::WorkOrder, "o1", Some("C-1")))?;
            tx.put_record(&record(Entity::Technician, "t1", Some("B-1")))?;
            Ok(())
        })
        .unwrap();

        let mut duplicates = Vec::new();
        write(&s, |tx| {
            duplicates.clear();
            for (entity, key) in [
                (Entity::Household, "C-2"),
                (Entity::WorkOrder, "C-1"),
                (Entity::Technician, "B-1"),
            ] {
                match tx.put_record(&record(entity, "new", Some(key))) {
                    Err(StorageError::Duplicate(what)) => duplicates.push(what),
                    other => panic!("{other:?}"),
                }
            }
            // The transaction is still usable after a taken key, as in SQLite.
            tx.put_record(&record(Entity::Household, "h5", Some("C-5")))?;
            Ok(())
        })
        .unwrap();
        assert_eq!(
            duplicates,
            ["customer number", "work order number", "record key"]
        );

        read(&s, |tx| {
            assert_eq!(
                tx.record_id_by_key(Entity::Household, "C-1")?.as_deref(),
                Some("h2")
            );
            assert_eq!(tx.record_id_by_key(Entity::Household, "C-9")?, None);
            assert_eq!(
                tx.record(Entity::Household, "h5")?.map(|r| r.id).as_deref(),
                Some("h5")
            );
            let page = |tx: &mut dyn Tx, after| -> StorageResult<Vec<String>> {
                Ok(tx
                    .records(Entity::Household, after, 2)?
                    .into_iter()
                    .map(|r| r.id)
                    .collect())
            };
            assert_eq!(page(tx, "")?, ["h1", "h2"]);
            assert_eq!(page(tx, "h2")?, ["h3", "h4"]);
            assert_eq!(page(tx, "h4")?, ["h5"]);
            assert_eq!(tx.count(Counted::Records(Entity::Household))?, 4); // h1 is deleted
            assert_eq!(tx.count(Counted::Records(Entity::WorkOrder))?, 1);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn bucket_changes_come_oldest_first_from_the_asked_buckets() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        write(&s, |tx| {
            tx.put_bucket_entry("a", &entry(1, "h1", false))?;
            tx.put_bucket_entry("b", &entry(2, "h2", false))?;
            tx.put_bucket_entry("c", &entry(3, "h3", false))?;
            tx.put_bucket_entry("a", &entry(4, "h4", false))?;
            // Compacted: the record's last change replaces its entry.
            tx.put_bucket_entry("a", &entry(5, "h1", true))?;
            Ok(())
        })
        .unwrap();
        read(&s, |tx| {
            let ab = ["a".to_owned(), "b".to_owned()];
            let seqs = |v: Vec<BucketEntry>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
            assert_eq!(seqs(tx.changes(&ab, 0, 10)?), [2, 4, 5]);
            assert_eq!(seqs(tx.changes(&ab, 0, 2)?), [2, 4]);
            assert_eq!(seqs(tx.changes(&ab, 4, 10)?), [5]);
            assert_eq!(tx.changes(&ab, 4, 10)?, [entry(5, "h1", true)]);
            assert_eq!(tx.changes(&[], 0, 10)?, []);
            assert_eq!(tx.count_changes(&ab, 0)?, 3);
            assert_eq!(tx.count_changes(&ab, 2)?, 2);
            assert_eq!(tx.count_changes(&["z".to_owned()], 0)?, 0);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn operations_are_kept_once_per_device() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        let id = OperationId::new();
        write(&s, |tx| {
            assert!(!tx.op_exists("d1", id)?);
            tx.insert_op(&op("d1", id))?;
            assert!(tx.op_exists("d1", id)?);
            assert!(!tx.op_exists("d2", id)?);
            assert!(!tx.op_exists("d1", OperationId::new())?);
            tx.insert_op(&op("d2", id))?;
            let other = OperationId::new();
            assert_eq!(tx.stored_ops("d1", &[other, id, id])?, vec![id]);
            assert_eq!(tx.stored_ops("d3", &[id])?, vec![]);
            assert_eq!(tx.stored_ops("d1", &[])?, vec![]);
            Ok(())
        })
        .unwrap();
        assert_eq!(read(&s, |tx| Ok(tx.count(Counted::Ops)?)).unwrap(), 2);
        let again = s.write(&mut |tx| Ok(tx.insert_op(&op("d1", id))?));
        assert!(matches!(
            again,
            Err(Error::Storage(StorageError::Database(_)))
        ));
    }

    #[test]
    fn photo_chunks_are_joined_in_order() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        write(&s, |tx| {
            tx.put_photo_chunk("p", 6, b"world")?;
            tx.put_photo_chunk("p", 0, b"hallo ")?;
            tx.put_photo_chunk("p", 0, b"hello ")?; // a chunk sent again replaces it
            tx.put_photo_chunk("q", 0, b"other")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(
            read(&s, |tx| Ok(tx.photo_chunks("p")?)).unwrap(),
            b"hello world"
        );
        write(&s, |tx| Ok(tx.drop_photo_chunks("p")?)).unwrap();
        read(&s, |tx| {
            assert_eq!(tx.photo_chunks("p")?, b"");
            assert_eq!(tx.photo_chunks("q")?, b"other");
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn forms_wait_for_their_photos() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        write(&s, |tx| {
            tx.put_photo(&photo("p1", true))?;
            tx.put_photo(&photo("p2", false))?;
            for (form, sha) in [
                ("f1", "p1"),
                ("f2", "p1"),
                ("f2", "p2"),
                ("f3", "p3"),
                ("f3", "p3"),
            ] {
                tx.put_form_photo(form, sha)?;
            }
            assert_eq!(tx.forms_waiting()?, ["f2", "f3"]);
            tx.put_photo(&photo("p2", true))?;
            assert_eq!(tx.photo("p2")?, Some(photo("p2", true)));
            assert_eq!(tx.photo("p3")?, None);
            Ok(())
        })
        .unwrap();
        read(&s, |tx| {
            assert_eq!(tx.forms_waiting()?, ["f3"]);
            assert_eq!(tx.count(Counted::CompletePhotos)?, 2);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn rows_round_trip_and_are_counted() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        let op_id = OperationId::new();
        let conflict = |seq, op_id| ConflictRow {
            seq,
            entity: Entity::Household,
            entity_id: "h1".into(),
            field: "phone".into(),
            rule: ConflictRule::Field(doorstep_core::sync::merge::FieldRule::OfficeWins),
            kept: "\"1\"".into(),
            lost: "\"2\"".into(),
            kept_by: Author::Office,
            lost_by: Author::Device("d1".into()),
            op_id,
            at: at(seq),
        };
        let audit = |action: &str, device_id: Option<&str>| AuditRow {
            at: at(0),
            actor: "admin".into(),
            device_id: device_id.map(Into::into),
            action: action.into(),
            entity: Some("household".into()),
            entity_id: None,
        };
        let mut device = DeviceRow {
            id: "d1".into(),
            technician_id: "t1".into(),
            credential_sha256: "ab".into(),
            model: "Pixel".into(),
            enrolled_at: at(0),
            revoked_at: None,
        };
        let mut enrollment = EnrollmentRow {
            code_sha256: "cd".into(),
            technician_id: "t1".into(),
            expires_at: at(60),
            used_by: None,
        };
        write(&s, |tx| {
            tx.insert_conflict(&conflict(1, Some(op_id)))?;
            tx.insert_conflict(&conflict(2, None))?;
            tx.audit(&audit("enrol", Some("d1")))?;
            tx.audit(&audit("revoke", None))?;
            tx.put_device(&device)?;
            tx.put_enrollment(&enrollment)?;
            Ok(())
        })
        .unwrap();
        device.revoked_at = Some(at(5));
        enrollment.used_by = Some("d1".into());
        write(&s, |tx| {
            tx.put_device(&device)?;
            tx.put_enrollment(&enrollment)?;
            Ok(())
        })
        .unwrap();
        read(&s, |tx| {
            assert_eq!(
                tx.conflicts(10)?,
                [conflict(2, None), conflict(1, Some(op_id))]
            );
            assert_eq!(tx.conflicts(1)?.len(), 1);
            assert_eq!(
                tx.audit_log(10)?,
                [audit("revoke", None), audit("enrol", Some("d1"))]
            );
            assert_eq!(tx.device("d1")?.as_ref(), Some(&device));
            assert_eq!(tx.device("d2")?, None);
            assert_eq!(tx.devices(None)?, [device.clone()]);
            assert_eq!(tx.devices(Some("t1"))?, [device.clone()]);
            assert_eq!(tx.devices(Some("t2"))?, []);
            assert_eq!(tx.enrollment("cd")?.as_ref(), Some(&enrollment));
            assert_eq!(tx.enrollment("ef")?, None);
            assert_eq!(tx.count(Counted::Conflicts)?, 2);
            assert_eq!(tx.count(Counted::Audit)?, 2);
            assert_eq!(tx.count(Counted::Devices)?, 1);
            assert_eq!(tx.count(Counted::Ops)?, 0);
            assert_eq!(tx.count(Counted::CompletePhotos)?, 0);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn reads_cannot_write() {
        let Some(db) = TestDb::new() else { return };
        let s = db.open();
        let refused = s.read(&mut |tx| Ok(tx.put_photo(&photo("p", true))?));
        assert!(matches!(
            refused,
            Err(Error::Storage(StorageError::Database(_)))
        ));
    }
}
