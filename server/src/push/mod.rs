//! Push: a device's outbox operations applied exactly once, in one transaction per request.
//!
//! An operation already stored (same device, same operation id) is skipped, so a retried,
//! duplicated or replayed request changes nothing. Every operation is checked against the
//! technician's scope; a refused one rolls the whole request back and is named in the answer,
//! so the device can park it and push the rest.
//!
//! This module takes the request apart and checks each operation's scope; the record kinds'
//! own rules are in `household`, `order` and `form` (field stamps in `stamps`).

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Utc};
use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::Origin;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::sync::protocol::{Entity, PushOp, Record};
use doorstep_core::sync::raw::IncomingOp;
use doorstep_core::sync::time::{Arrival, CLOCK_TOLERANCE};
use doorstep_core::sync::{Hlc, HlcClock};
use doorstep_core::team::Technician;

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::records::{self, decode, save};
use crate::storage::cache::CachedTx;
use crate::storage::{OpRow, StoredRecord, Tx};

pub use self::household::{office_stamp, stamp_office_edit, stamp_office_edit_since};
pub(crate) use self::order::district_targets;

mod form;
pub mod generation;
mod household;
mod order;
pub mod outage;
pub mod parked;
mod stamps;

/// The device a request came from, as authentication established it.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub technician: Technician,
    /// The buckets the technician may read and write.
    pub scope: Vec<Bucket>,
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pushed {
    pub acknowledged_through: i64,
    pub applied: u32,
    pub conflicts: u32,
    /// Operations stored but set aside for the office to decide.
    pub parked: Vec<OperationId>,
    /// The database's generation and what its last backup holds of the device's work
    /// ([`generation`]), filled in by the answer.
    pub generation: Option<String>,
    pub backed_up_through: Option<i64>,
}

pub fn push(
    tx: &mut dyn Tx,
    device: &Device,
    ops: &[IncomingOp<'_>],
    clock: &mut HlcClock,
    received_at: DateTime<Utc>,
) -> Result<Pushed> {
    // The operations of one request mostly touch a few households, each several times; the
    // records, bucket entries and operations it writes go to the database together at the end.
    CachedTx::run(tx, |tx| apply_all(tx, device, ops, clock, received_at))
}

fn apply_all(
    tx: &mut CachedTx<'_>,
    device: &Device,
    ops: &[IncomingOp<'_>],
    clock: &mut HlcClock,
    received_at: DateTime<Utc>,
) -> Result<Pushed> {
    let ids: Vec<OperationId> = ops.iter().map(|i| i.op.op_id).collect();
    let mut stored_ops: HashSet<OperationId> =
        tx.stored_ops(&device.id, &ids)?.into_iter().collect();
    let mut pushed = Pushed::default();
    for IncomingOp { op, payload } in ops {
        pushed.acknowledged_through = pushed.acknowledged_through.max(op.seq);
        if op.hlc.node != device.id {
            return Err(
                Error::invalid("the operation's clock stamp is not this device's").for_op(op.op_id),
            );
        }
        // Stored before, or earlier in this request.
        if !stored_ops.insert(op.op_id) {
            // One parked before and sent again (the answer that named it was lost) is named
            // again, so the device keeps it for the office's decision instead of dropping it;
            // decided meanwhile, the decision reaches it with its next pull (its cursor is
            // still before the decision: a device pulls only after its push went through).
            if !pushed.parked.contains(&op.op_id) && parked::is_parked(tx, &device.id, op.op_id)? {
                pushed.parked.push(op.op_id);
            }
            continue;
        }
        // Within what both databases store (PostgreSQL's timestamps end at year 294276, and
        // refusing it there as an internal error would make the phone retry it forever).
        if !(EARLIEST_DEVICE_TIME..=LATEST_DEVICE_TIME).contains(&op.device_time.year()) {
            return Err(
                Error::invalid("the operation's device_time is not a plausible time")
                    .for_op(op.op_id),
            );
        }
        // A stamp from a phone whose clock runs ahead (say Beijing time set in a UTC zone) stays
        // on its operation but does not move the server's clock: every phone that pulls would
        // inherit it, and their own steps would then disagree with their stamps and no longer
        // count at the time they happened (`sync::time`).
        clock.observe_unless_ahead(
            &op.hlc,
            received_at.timestamp_millis().max(0) as u64,
            CLOCK_TOLERANCE.num_milliseconds().unsigned_abs(),
        );
        let mut apply = Apply {
            tx: &mut *tx,
            device,
            op,
            payload,
            received_at,
            office_accepts: false,
            conflicts: 0,
            server_seq: 0,
        };
        let (conflicts, server_seq) = match apply.operation() {
            Ok(()) => (apply.conflicts, apply.server_seq),
            Err(Error::Park(reason)) => {
                parked::park(tx, device, op, reason, received_at)?;
                pushed.parked.push(op.op_id);
                (0, 0)
            }
            Err(e) => return Err(e.for_op(op.op_id)),
        };
        let (entity, entity_id) = op.operation.subject();
        tx.insert_op(&OpRow {
            device_id: device.id.clone(),
            op_id: op.op_id,
            device_seq: op.seq,
            hlc: op.hlc.to_string(),
            entity: entity.as_str().to_owned(),
            entity_id,
            device_time: op.device_time,
            received_at,
            server_seq,
            payload: (*payload).to_owned(),
        })?;
        pushed.applied += 1;
        pushed.conflicts += conflicts;
    }
    Ok(pushed)
}

/// The years an operation's `device_time` may lie in: no phone's clock is set before the
/// project began keeping records on phones, nor by accident thousands of years ahead.
const EARLIEST_DEVICE_TIME: i32 = 2000;
const LATEST_DEVICE_TIME: i32 = 9999;

struct Apply<'a> {
    tx: &'a mut dyn Tx,
    device: &'a Device,
    op: &'a PushOp,
    /// The operation's JSON as the device sent it.
    payload: &'a str,
    received_at: DateTime<Utc>,
    /// The service center applies a parked operation it accepted: the device's scope does
    /// not decide any more.
    office_accepts: bool,
    conflicts: u32,
    server_seq: i64,
}

fn in_scope(buckets: &[Bucket], scope: &[Bucket]) -> bool {
    buckets.iter().any(|b| scope.contains(b))
}

fn forbidden(what: &'static str) -> Error {
    Error::OutOfScope(what)
}

impl Apply<'_> {
    fn origin(&self) -> Origin {
        Origin::Device(self.device.id.clone())
    }

    /// The operation's clock stamp and arrival, which every time it carries is believed
    /// against (`sync::time`).
    fn arrival(&self) -> Arrival<'_> {
        Arrival {
            stamp: &self.op.hlc,
            received_at: self.received_at,
        }
    }

    /// The operation's merge base (`PushOp::base_seq`): the newest server change of its
    /// household (or order) the device had seen when it was made. Unknown (a device older than
    /// the field) reads as 0: every write of others counts as unseen and the rules decide.
    fn base(&self) -> i64 {
        self.op.base_seq.unwrap_or(0)
    }

    /// The stamp this operation's field writes are merged and stored with: its own, or its
    /// arrival time if its clock runs far ahead (`sync::time::trusted_stamp`).
    fn merge_stamp(&self) -> Hlc {
        self.arrival().merge_stamp()
    }

    fn operation(&mut self) -> Result<()> {
        match &self.op.operation {
            Operation::HouseholdSaved {
                household,
                changed,
                base_seq,
            } => self.household_saved(household, changed, *base_seq),
            Operation::MeterReadingRecorded { reading } => {
                reading.validate(self.received_at)?;
                let household = self.household_in_scope(&reading.household_id.to_string())?;
                let record = records::stored_in(
                    &Record::Reading(reading.clone()),
                    records::child_buckets(&household)?,
                )?;
                if self.tx.record(Entity::Reading, &record.id)?.is_none() {
                    self.server_seq = save(self.tx, record, None)?.seq;
                    crate::patrols::patrol_if_abnormal(self.tx, &household, self.received_at)?;
                }
                Ok(())
            }
            Operation::WorkOrderOpened { order } => self.order_opened(order),
            Operation::WorkOrderMoved {
                work_order_id,
                status,
                at,
                position,
            } => {
                self.order_moved(&work_order_id.to_string(), *status, *at, *position)?;
                self.order_step_line(&work_order_id.to_string(), *status, *at)
            }
            Operation::InspectionSigned { household_id, at } => {
                // Believed as any step of the device is: a phone whose clock runs a year ahead
                // must not put the household's next inspection off by a year.
                let at = self.arrival().step_time(*at);
                self.inspection_signed(&household_id.to_string(), at)
            }
            Operation::FormSealed { form } => self.form_sealed(form),
            Operation::FormStarted { form } => {
                self.household_in_scope(&form.household_id.to_string())?;
                Ok(())
            }
            Operation::CheckedIn { household_id, .. } => {
                self.household_in_scope(&household_id.to_string())?;
                Ok(())
            }
            // Its hash was checked as the operation was read (a `PhotoHash`).
            Operation::PhotoTaken { household_id, .. } => {
                if let Some(h) = household_id {
                    self.household_in_scope(&h.to_string())?;
                }
                Ok(())
            }
            // Drafts live on the device: their steps are kept in the operation log only.
            Operation::FormAnswered { .. }
            | Operation::FormPhotoAttached { .. }
            | Operation::FormPhotoRemoved { .. }
            | Operation::FormSigned { .. }
            | Operation::FormOutcomeSet { .. }
            | Operation::FormMovedToTemplate { .. } => Ok(()),
            Operation::WorkOrderHandedBack {
                work_order_id,
                at,
                reason,
            } => self.order_handed_back(&work_order_id.to_string(), *at, reason),
            Operation::WorkOrderAppointmentChanged {
                work_order_id,
                change,
            } => self.order_appointment_changed(&work_order_id.to_string(), change),
            Operation::WorkOrderClassRaised {
                work_order_id,
                at,
                reason,
            } => self.order_class_raised(&work_order_id.to_string(), *at, reason),
            Operation::OutageNotified {
                outage_id,
                notifications,
            } => self.outage_notified(*outage_id, notifications),
        }
    }

    /// The household an operation is for, if the device may write it (`reachable`).
    fn household_in_scope(&mut self, id: &str) -> Result<StoredRecord> {
        let record = self
            .tx
            .record(Entity::Household, id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("household"))?;
        self.reachable(&record)?;
        Ok(record)
    }

    /// Whether the device may write `record` with this operation: the record is in the
    /// device's scope, or was when the technician made the operation: it left one of the
    /// device's buckets after the operation's merge base, so the phone had not yet heard of
    /// the move (a household re-imported into another district while the technician worked
    /// offline). Honest work is not refused for a move its maker could not know of. Work made
    /// after the phone had heard of it is parked whole for the service center when it is
    /// evidence of a visit ([`Error::Park`], `Operation::is_visit_evidence`), and refused as
    /// any write outside the scope otherwise.
    fn reachable(&mut self, record: &StoredRecord) -> Result<()> {
        if self.office_accepts || in_scope(&record.buckets, &self.device.scope) {
            return Ok(());
        }
        if let Some(base) = self.op.base_seq {
            for bucket in &self.device.scope {
                let entry = self.tx.bucket_entry(bucket, record.entity, &record.id)?;
                if entry.is_some_and(|e| e.left && e.seq > base) {
                    return Ok(());
                }
            }
        }
        if self.op.operation.is_visit_evidence() {
            Err(Error::Park(crate::storage::ParkReason::LeftScope))
        } else if record.entity == Entity::WorkOrder {
            Err(forbidden("the work order"))
        } else {
            Err(forbidden("the household"))
        }
    }

    /// The record `id` names, decoded, if there is an id and the server holds the record.
    fn held<T: serde::de::DeserializeOwned>(
        &mut self,
        entity: Entity,
        id: Option<impl std::fmt::Display>,
    ) -> Result<Option<T>> {
        let Some(id) = id else { return Ok(None) };
        self.tx
            .record(entity, &id.to_string())?
            .map(|r| decode(&r))
            .transpose()
    }
}
