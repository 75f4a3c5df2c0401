//! Operations the server refused for good: set aside from the outbox, with the reason, for
//! the technician to see, so that the rest of the outbox goes on.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::OperationId;
use crate::store::outbox::keep_high_water;
use crate::store::{Store, ts};
use crate::sync::protocol::ErrorKind;

/// An operation the server refused for good, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedOperation {
    pub seq: i64,
    pub op_id: OperationId,
    /// What the refusal means to this build (a kind it did not know is read by its status).
    pub error: ErrorKind,
    pub message: String,
    pub rejected_at: DateTime<Utc>,
}

const SET_ASIDE: &str =
    "INSERT INTO sync_rejected(seq, op_id, hlc, device_time, payload, error, message, rejected_at)
     SELECT seq, op_id, hlc, device_time, payload, ?2, ?3, ?4 FROM outbox WHERE op_id = ?1";

impl Store {
    /// Moves a refused operation out of the outbox into the list the technician sees, so that
    /// the rest of the outbox can go on. Nothing is dropped, and its sequence number and stamp
    /// are never given again (the outbox may be empty after it).
    pub fn park_rejected(
        &mut self,
        op_id: OperationId,
        error: ErrorKind,
        message: &str,
    ) -> Result<()> {
        let newest = self.clock.last().clone();
        let not_queued = || Error::NotFound {
            what: "outbox operation",
        };
        self.receive(|tx| {
            let seq: Option<i64> = tx
                .prepare_cached("SELECT seq FROM outbox WHERE op_id = ?1")?
                .query_row([op_id], |r| r.get(0))
                .optional()?;
            let seq = seq.ok_or_else(not_queued)?;
            keep_high_water(tx, &newest, seq)?;
            let moved = tx.prepare_cached(SET_ASIDE)?.execute(params![
                op_id,
                error.as_str(),
                message,
                ts(&Utc::now())
            ])?;
            if moved == 0 {
                return Err(not_queued());
            }
            tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?
                .execute([op_id])?;
            Ok(())
        })
    }

    pub fn rejected_operations(&self) -> Result<Vec<RejectedOperation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, error, message, rejected_at FROM sync_rejected ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RejectedOperation {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                error: ErrorKind::parse(&r.get::<_, String>(2)?),
                message: r.get(3)?,
                rejected_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
