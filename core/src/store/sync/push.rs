//! The outbox as pushes see it (cut into requests that fit the server's limit), and the
//! photos the server does not have yet.

use chrono::Utc;
use rusqlite::params;

use crate::error::Result;
use crate::ids::PhotoHash;
use crate::store::outbox::PUSHED;
use crate::store::{Store, ts};
use crate::sync::protocol::PushOp;

/// What a pushed operation adds to its payload on the wire (sequence number, ids, clock
/// stamp, time, field names), generously.
const ENVELOPE: usize = 256;

impl Store {
    /// The oldest `limit` outbox operations, as a push sends them.
    pub fn push_batch(&self, limit: usize) -> Result<Vec<PushOp>> {
        self.push_batch_after(i64::MIN, limit, usize::MAX)
    }

    /// The outbox operations after `after_seq`, oldest first (a form's as its seal: none of a
    /// form still being filled): at most `limit` of them, and no
    /// more than fill about `max_bytes` of request (always at least one), so that a push
    /// request of big operations (sealed forms with their signatures) stays under the server's
    /// limit while one of small operations carries many.
    pub fn push_batch_after(
        &self,
        after_seq: i64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<PushOp>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, op_id, hlc, device_time, payload, base_seq FROM outbox
             WHERE seq > ?1 AND {PUSHED} ORDER BY seq LIMIT ?2"
        ))?;
        let mut rows = stmt.query(params![after_seq, limit as i64])?;
        let mut ops = Vec::new();
        let mut bytes = 0;
        while let Some(r) = rows.next()? {
            let payload = r.get_ref(4)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    4,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            bytes += payload.len() + ENVELOPE;
            if bytes > max_bytes && !ops.is_empty() {
                break;
            }
            ops.push(PushOp {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                hlc: r.get::<_, String>(2)?.parse()?,
                device_time: r.get(3)?,
                operation: serde_json::from_str(payload)?,
                base_seq: r.get(5)?,
            });
        }
        Ok(ops)
    }

    /// Photos the server does not have yet (as far as this device knows), oldest first.
    pub fn photos_to_upload(&self) -> Result<Vec<PhotoHash>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.sha256 FROM photos p
             WHERE NOT EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = p.sha256)
             ORDER BY p.taken_at, p.sha256",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_photos_uploaded(&mut self, sha256: &[PhotoHash]) -> Result<()> {
        self.receive(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO photo_uploads(sha256, uploaded_at) VALUES (?1, ?2)",
            )?;
            let now = ts(&Utc::now());
            for hash in sha256 {
                insert.execute(params![hash, now])?;
            }
            Ok(())
        })
    }
}
