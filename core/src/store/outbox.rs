//! The outbox: local changes waiting to be pushed to the back office, in the order they
//! happened. Each entry is an operation (what the technician did), not a row dump, with a
//! device-generated id (UUIDv7) and a hybrid logical clock stamp; the server applies each
//! exactly once, keyed by device and operation id.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::sync::{Acknowledged, keep_acknowledged, park_for_office, pulled_through, seen_through};
use super::{Change, Store, meta, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::ids::{FormId, OperationId};
use crate::sync::Hlc;
use crate::sync::protocol::{Entity, Operation, PushOp, PushResponse};
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
        if let Operation::WorkOrderMoved { work_order_id, .. }
        | Operation::WorkOrderHandedBack { work_order_id, .. }
        | Operation::WorkOrderAppointmentChanged { work_order_id, .. }
        | Operation::WorkOrderClassRaised { work_order_id, .. } = operation
        {
            return seen_through(&self.tx, Entity::WorkOrder, &work_order_id.to_string());
        }
        match household_of(&self.tx, operation)? {
            Some(id) => seen_through(&self.tx, Entity::Household, &id),
            None => pulled_through(&self.tx),
        }
    }

    /// Takes a sealed form's start and draft steps out of the outbox: the sealed form carries
    /// all of them (its `started_at` too), so that the seal is the form's one pushed operation
    /// and the server accepts or refuses the form as one. (A start pushed by an older build is
    /// the server's already and stays so.) Called after the seal is queued, in its
    /// transaction: a seal that does not commit leaves the steps, and the sequence numbers they
    /// had are below the seal's, so none is given again.
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
            if serde_json::from_str::<Operation>(&payload)?.is_draft_step() {
                dropped += self
                    .tx
                    .prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
                    .execute([seq])?;
            }
        }
        Ok(dropped)
    }
}

/// The household an operation was done for: the one it names, or its form's (a draft step), or
/// its order's (an order's step), as the phone holds them.
pub(crate) fn household_of(conn: &Connection, operation: &Operation) -> Result<Option<String>> {
    let lookup = |sql: &str, id: String| -> Result<Option<String>> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    };
    match operation {
        Operation::WorkOrderMoved { work_order_id, .. }
        | Operation::WorkOrderHandedBack { work_order_id, .. }
        | Operation::WorkOrderAppointmentChanged { work_order_id, .. }
        | Operation::WorkOrderClassRaised { work_order_id, .. } => lookup(
            "SELECT household_id FROM work_orders WHERE id = ?1",
            work_order_id.to_string(),
        ),
        Operation::FormAnswered { form_id, .. }
        | Operation::FormPhotoAttached { form_id, .. }
        | Operation::FormPhotoRemoved { form_id, .. }
        | Operation::FormSigned { form_id, .. }
        | Operation::FormOutcomeSet { form_id, .. }
        | Operation::FormMovedToTemplate { form_id, .. } => lookup(
            "SELECT household_id FROM forms WHERE id = ?1",
            form_id.to_string(),
        ),
        other => Ok(other.household_id().map(|h| h.to_string())),
    }
}

/// An outbox operation (a row of `outbox`, named so in the query) that a push sends: any but
/// those of a form still being filled. A draft's start and steps stay on the phone until its
/// seal takes them out of the outbox ([`Change::drop_draft_steps`]): a form travels whole, as
/// its seal.
pub(crate) const PUSHED: &str = "NOT EXISTS (SELECT 1 FROM forms WHERE outbox.entity = 'form'
     AND forms.id = outbox.entity_id AND forms.sealed_at IS NULL)";

impl Store {
    /// The operations not yet acknowledged by the server, oldest first, with those of forms
    /// still being filled (which wait for their seal and are never pushed).
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

    /// The operations a push would send now: the work waiting for the server. Those of a form
    /// still being filled are not counted; they leave with its seal, which is counted.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM outbox WHERE {PUSHED}"),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Removes the operations of the pushed batch `sent` that the server acknowledged (up to and
    /// including `through`). An acknowledgement outside the batch is no answer to this push (a
    /// faulty server, a mixed-up answer): it is refused with nothing removed, since believing
    /// it would drop operations that never left the phone.
    pub fn acknowledge_pushed(&mut self, sent: &[PushOp], through: i64) -> Result<usize> {
        self.acknowledge_push(sent, through, &[])
    }

    /// [`Store::acknowledge_pushed`], with the operations of the batch the server `parked` for
    /// the service center to decide: they move to the list of set-aside work first (in the same
    /// transaction), where they keep their household on the phone until the decision comes.
    /// Returns how many operations left the outbox (acknowledged or parked).
    pub fn acknowledge_push(
        &mut self,
        sent: &[PushOp],
        through: i64,
        parked: &[OperationId],
    ) -> Result<usize> {
        let generation = meta::get(&self.conn, meta::Key::SERVER_GENERATION)?;
        self.acknowledge_by(sent, through, parked, generation.as_deref())
    }

    /// [`Store::acknowledge_push`] with the server's whole answer: what it acknowledged is
    /// kept under the generation of the server's database that says so
    /// ([`Store::note_server_backup`] then takes in the rest of what it says of its backups).
    pub fn acknowledge_answer(&mut self, sent: &[PushOp], answer: &PushResponse) -> Result<usize> {
        let generation = match &answer.generation {
            Some(g) => Some(g.clone()),
            None => meta::get(&self.conn, meta::Key::SERVER_GENERATION)?,
        };
        self.acknowledge_by(
            sent,
            answer.acknowledged_through,
            &answer.parked,
            generation.as_deref(),
        )
    }

    /// Acknowledged operations leave the outbox and are kept until a backup of the server
    /// holds them (`sync::kept`), as acknowledged by `generation` of the server's database.
    fn acknowledge_by(
        &mut self,
        sent: &[PushOp],
        through: i64,
        parked: &[OperationId],
        generation: Option<&str>,
    ) -> Result<usize> {
        match (sent.first(), sent.last()) {
            (Some(first), Some(last)) if (first.seq..=last.seq).contains(&through) => {
                let newest = self.clock.last().clone();
                let at = self.now();
                let tx = self.conn.transaction()?;
                let mut moved = 0;
                for op in sent.iter().filter(|op| op.seq <= through) {
                    if parked.contains(&op.op_id) {
                        keep_acknowledged(&tx, Acknowledged::One(op.op_id), at, generation)?;
                        moved += park_for_office(&tx, &newest, op.op_id)?;
                    }
                }
                keep_acknowledged(&tx, Acknowledged::Through(through), at, generation)?;
                let removed = acknowledge_in(&tx, &newest, through)?;
                tx.commit()?;
                Ok(moved + removed)
            }
            _ => Err(Error::Protocol {
                reason: format!(
                    "the server acknowledged operations through {through}, outside the pushed batch"
                ),
            }),
        }
    }

    /// Removes the operations up to and including `seq` (a sync checks the server's number
    /// first: [`Store::acknowledge_pushed`]), except those of forms still being filled, which
    /// no push sent. They are kept until a backup of the server holds them (`sync::kept`). The clock's and the sequence's high-water marks are kept in `meta` first,
    /// so that neither a stamp nor a sequence number is ever issued twice, even once the
    /// outbox is empty.
    pub fn acknowledge_through(&mut self, seq: i64) -> Result<usize> {
        let newest = self.clock.last().clone();
        let at = self.now();
        let generation = meta::get(&self.conn, meta::Key::SERVER_GENERATION)?;
        let tx = self.conn.transaction()?;
        keep_acknowledged(&tx, Acknowledged::Through(seq), at, generation.as_deref())?;
        let removed = acknowledge_in(&tx, &newest, seq)?;
        tx.commit()?;
        Ok(removed)
    }
}

/// Removes the pushed operations up to and including `seq`, keeping the high-water marks.
fn acknowledge_in(tx: &Transaction<'_>, newest: &Hlc, seq: i64) -> Result<usize> {
    // The highest number actually removed, not `seq`: a number no operation had would move
    // the next one there, and one near `i64::MAX` leaves none to give.
    let highest: Option<i64> = tx.query_row(
        &format!("SELECT max(seq) FROM outbox WHERE seq <= ?1 AND {PUSHED}"),
        [seq],
        |r| r.get(0),
    )?;
    keep_high_water(tx, newest, highest.unwrap_or(0))?;
    Ok(tx.execute(
        &format!("DELETE FROM outbox WHERE seq <= ?1 AND {PUSHED}"),
        [seq],
    )?)
}

/// Before operations leave the outbox (acknowledged, or set aside as refused), keeps in `meta`
/// the newest clock stamp and the highest sequence number so far: the next operation must not
/// reuse either, even once the outbox is empty and the app restarted.
pub(super) fn keep_high_water(tx: &Transaction<'_>, newest: &Hlc, seq: i64) -> Result<()> {
    meta::raise_text(tx, meta::Key::HLC, &newest.to_string())?;
    meta::raise_number(tx, meta::Key::OUTBOX_SEQ, seq)
}
