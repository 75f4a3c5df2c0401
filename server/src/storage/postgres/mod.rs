//! The shared backend: one PostgreSQL database that several server processes use at once, each
//! with a small pool of connections. It behaves as the SQLite backend does: writers take one
//! lock (the `seq` counter's row) for their whole transaction, so they run one at a time across
//! every process, and readers see one snapshot.
//!
//! The client is the synchronous `postgres` crate: the server calls storage from
//! `spawn_blocking`, never from a runtime thread.

mod sql;
mod tx;

use std::error::Error as _;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Entity;
use postgres::error::SqlState;
use postgres::types::{FromSql, ToSql};
use postgres::{Config, IsolationLevel, NoTls, Row, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, ParkDecision,
    ParkReason, ParkedQuery, ParkedRow, PhotoRow, Storage, StorageError, StorageResult,
    StoredRecord, Tx,
};
use crate::bucket::Bucket;
use crate::error::{Error, Result};

const SCHEMA: &str = include_str!("../postgres.sql");
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
        let storage = Self { pool };
        super::search::build_at_open(&storage)?;
        super::open_orders::build_at_open(&storage)?;
        crate::reports::units::build_at_open(&storage)?;
        Ok(storage)
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
