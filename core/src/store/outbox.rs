//! The outbox: local changes waiting to be pushed to the back office, in the order they
//! happened. Each entry is an operation (what the technician did), not a row dump, with a
//! device-generated id (UUIDv7) and a hybrid logical clock stamp; the server applies each
//! exactly once, keyed by device and operation id.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::sync::{pulled_through, seen_through};
use super::{Change, Store, meta, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::ids::{FormId, OperationId};
use crate::sync::Hlc;
use crate::sync::protocol::{Entity, Operation, PushOp};
use crate::text::said;

/// The largest operation the outbox takes: one must fit in a push request
/// ([`crate::sync::protocol::MAX_REQUEST_BYTES`]) with the request's own fields around it.
pub const MAX_OPERATION_BYTES: usize = crate::sync::protocol::MAX_REQUEST_BYTES - 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub op_id: OperationId,
    pub hlc: Hlc,
    /// The device's clock when the change was made.
    pub device_time: DateTime<Utc>,
    pub operation: Operation,
}

/// The next sequence number follows the last one queued or, once the outbox was emptied, the
/// highest one issued (kept in `meta`, ?7).
const QUEUE: &str =
    "INSERT INTO outbox(seq, op_id, hlc, entity, entity_id, device_time, payload, base_seq)
     VALUES (
       max(coalesce((SELECT max(seq) FROM outbox), 0),
           coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?7), 0)) + 1,
       ?1, ?2, ?3, ?4, ?5, ?6, ?8)";

impl Change<'_> {
    /// Appends `operation` to the outbox inside the current change.
    pub(super) fn append(&mut self, operation: &Operation) -> Result<OperationId> {
        let op_id = OperationId::new();
        let hlc = self.stamp();
        let (entity, entity_id) = operation.subject();
        let payload = serde_json::to_string(operation)?;
        if payload.len() > MAX_OPERATION_BYTES {
            // Refused now, with the step it belongs to (and nothing of that step written),
            // rather than queued for a push the server would refuse for good.
            return Err(InvalidInput::new(
                entity.as_str(),
                said(
                    "内容过大，无法同步：请减少文字或重新签名",
                    "too large to send to the service center: shorten the text or sign again",
                ),
            )
            .into());
        }
        let base_seq = self.merge_base(operation)?;
        self.tx.prepare_cached(QUEUE)?.execute(params![
            op_id,
            hlc.to_string(),
            entity.as_str(),
            entity_id,
            ts(&Utc::now()),
            payload,
            meta::Key::OUTBOX_SEQ.name(),
            base_seq
        ])?;
        Ok(op_id)
    }

    /// The operation's merge base: the newest server change of its household (of its order,
    /// for an order's step) the technician had seen as they made it (`PushOp::base_seq`).
    fn merge_base(&self, operation: &Operation) -> Result<i64> {
        let household = match operation {
            Operation::WorkOrderMoved { work_order_id, .. } => {
                return seen_through(&self.tx, Entity::WorkOrder, &work_order_id.to_string());
            }
            Operation::FormAnswered { form_id, .. }
            | Operation::FormPhotoAttached { form_id, .. }
            | Operation::FormPhotoRemoved { form_id, .. }
            | Operation::FormSigned { form_id, .. }
            | Operation::FormOutcomeSet { form_id, .. }
            | Operation::FormMovedToTemplate { form_id, .. } => self
                .tx
                .prepare_cached("SELECT household_id FROM forms WHERE id = ?1")?
                .query_row([form_id], |r| r.get::<_, String>(0))
                .optional()?,
            other => other.household_id().map(|h| h.to_string()),
        };
        match household {
            Some(id) => seen_through(&self.tx, Entity::Household, &id),
            None => pulled_through(&self.tx),
        }
    }

    /// Takes a sealed form's draft steps not yet pushed out of the outbox: the sealed form
    /// carries all of them, and the server keeps none of them (a draft lives on the device).
    /// Its start stays, evidence of the visit with its check-in. Called after the seal is
    /// queued, in its transaction: a seal that does not commit leaves the steps, and the
    /// sequence numbers they had are below the seal's, so none is given again.
    pub(super) fn drop_draft_steps(&mut self, form: FormId) -> Result<usize> {
        let steps: Vec<(i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT seq, payload FROM outbox WHERE entity = 'form' AND entity_id = ?1",
            )?
            .query_map([form.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut dropped = 0;
        for (seq, payload) in steps {
            if is_draft_step(&serde_json::from_str(&payload)?) {
                dropped += self
                    .tx
                    .prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                    .execute([seq])?;
            }
        }
        Ok(dropped)
    }
}

/// A step of a draft form that its sealed form repeats in full.
fn is_draft_step(operation: &Operation) -> bool {
    match operation {
        Operation::FormAnswered { .. }
        | Operation::FormPhotoAttached { .. }
        | Operation::FormPhotoRemoved { .. }
        | Operation::FormSigned { .. }
        | Operation::FormOutcomeSet { .. }
        | Operation::FormMovedToTemplate { .. } => true,
        Operation::FormStarted { .. }
        | Operation::FormSealed { .. }
        | Operation::HouseholdSaved { .. }
        | Operation::MeterReadingRecorded { .. }
        | Operation::WorkOrderOpened { .. }
        | Operation::WorkOrderMoved { .. }
        | Operation::InspectionSigned { .. }
        | Operation::PhotoTaken { .. }
        | Operation::CheckedIn { .. } => false,
    }
}

impl Store {
    /// The operations not yet acknowledged by the server, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, hlc, device_time, payload FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, OperationId>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, DateTime<Utc>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (seq, op_id, hlc, device_time, payload) = row?;
            entries.push(OutboxEntry {
                seq,
                op_id,
                hlc: hlc.parse()?,
                device_time,
                operation: serde_json::from_str(&payload)?,
            });
        }
        Ok(entries)
    }

    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Removes the operations of the pushed batch `sent` that the server acknowledged (up to and
    /// including `through`). An acknowledgement outside the batch is no answer to this push (a
    /// faulty server, a mixed-up answer): it is refused with nothing removed, since believing
    /// it would drop operations that never left the phone.
    pub fn acknowledge_pushed(&mut self, sent: &[PushOp], through: i64) -> Result<usize> {
        match (sent.first(), sent.last()) {
            (Some(first), Some(last)) if (first.seq..=last.seq).contains(&through) => {
                self.acknowledge_through(through)
            }
            _ => Err(Error::Protocol {
                reason: format!(
                    "the server acknowledged operations through {through}, outside the pushed batch"
                ),
            }),
        }
    }

    /// Removes the operations up to and including `seq` (a sync checks the server's number
    /// first: [`Store::acknowledge_pushed`]). The clock's and the sequence's high-water marks
    /// are kept in `meta` first, so that neither a stamp nor a sequence number is ever issued
    /// twice, even once the outbox is empty.
    pub fn acknowledge_through(&mut self, seq: i64) -> Result<usize> {
        let tx = self.conn.transaction()?;
        // The highest number actually removed, not `seq`: a number no operation had would move
        // the next one there, and one near `i64::MAX` leaves none to give.
        let highest: Option<i64> =
            tx.query_row("SELECT max(seq) FROM outbox WHERE seq <= ?1", [seq], |r| {
                r.get(0)
            })?;
        keep_high_water(&tx, self.clock.last(), highest.unwrap_or(0))?;
        let removed = tx.execute("DELETE FROM outbox WHERE seq <= ?1", [seq])?;
        tx.commit()?;
        Ok(removed)
    }
}

/// Before operations leave the outbox (acknowledged, or set aside as refused), keeps in `meta`
/// the newest clock stamp and the highest sequence number so far: the next operation must not
/// reuse either, even once the outbox is empty and the app restarted.
pub(super) fn keep_high_water(tx: &Transaction<'_>, newest: &Hlc, seq: i64) -> Result<()> {
    meta::raise_text(tx, meta::Key::HLC, &newest.to_string())?;
    meta::raise_number(tx, meta::Key::OUTBOX_SEQ, seq)
}
