//! Parked operations: work a device pushed for a household it could no longer reach when the
//! technician made it, stored whole and set aside for the service center, which accepts it into
//! the household's file or rejects it with a reason (`doorstep admin parked`). The device keeps
//! the work, readable, until the decision reaches it with a pull.

use chrono::{DateTime, Utc};
use doorstep_core::sync::protocol::{Operation, ParkedDecision, PushOp};
use doorstep_core::team::Technician;

use super::{Apply, Device};
use crate::error::{Error, Result};
use crate::records::{decode, scope_of};
use crate::storage::{ParkDecision, ParkReason, ParkedQuery, ParkedRow, Tx};
use doorstep_core::ids::OperationId;
use doorstep_core::sync::protocol::Entity;

/// Sets a pushed operation aside for the office. Its entry in the operation log (written by
/// the push like any other) keeps it exactly once.
pub(super) fn park(
    tx: &mut dyn Tx,
    device: &Device,
    op: &PushOp,
    reason: ParkReason,
    received_at: DateTime<Utc>,
) -> Result<()> {
    let (entity, entity_id) = op.operation.subject();
    tracing::info!(
        device = %device.id,
        op = %op.op_id,
        entity = entity.as_str(),
        reason = reason.as_str(),
        "parked a device's operation for the service center"
    );
    tx.put_parked(&ParkedRow {
        device_id: device.id.clone(),
        op_id: op.op_id,
        technician_id: device.technician.id.to_string(),
        entity,
        entity_id,
        household_id: op.operation.household_id().map(|h| h.to_string()),
        base_seq: op.base_seq,
        reason,
        parked_at: received_at,
        decision: None,
    })?;
    Ok(())
}

/// Whether this device's operation was parked (decided since or not).
pub(super) fn is_parked(tx: &mut dyn Tx, device_id: &str, op_id: OperationId) -> Result<bool> {
    Ok(!tx
        .parked(&ParkedQuery {
            device_id: Some(device_id),
            op_id: Some(op_id),
            limit: 1,
            ..ParkedQuery::default()
        })?
        .is_empty())
}

/// The service center's decision on a parked operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decide {
    /// Into the household's file, with what it changes, as if the device had still reached
    /// the household.
    Accept,
    /// Not taken in, for this reason (told to the technician).
    Reject(String),
}

/// Decides the parked operation `op_id`: accepting applies it now, as the device pushed it
/// (its clock stamp, merge base and arrival time, so its times are believed as they were).
/// The decision is made at a server change of its own, so the device learns it at its next
/// pull. A decision is made once.
pub fn decide(
    tx: &mut dyn Tx,
    op_id: OperationId,
    decide: &Decide,
    by: &str,
    at: DateTime<Utc>,
) -> Result<ParkedRow> {
    let mut parked = tx
        .parked(&ParkedQuery {
            op_id: Some(op_id),
            limit: 2,
            ..ParkedQuery::default()
        })?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("parked operation"))?;
    if parked.decision.is_some() {
        return Err(Error::Conflict(
            "the parked operation was decided already".into(),
        ));
    }
    let reason = match decide {
        Decide::Accept => {
            apply_accepted(tx, &parked)?;
            None
        }
        Decide::Reject(reason) => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(Error::invalid(
                    "a rejection needs a reason: the technician is told it",
                ));
            }
            Some(reason.to_owned())
        }
    };
    parked.decision = Some(ParkDecision {
        accepted: *decide == Decide::Accept,
        reason,
        by: by.to_owned(),
        at,
        seq: tx.next_seq()?,
    });
    tx.put_parked(&parked)?;
    Ok(parked)
}

/// Applies an accepted operation as its device pushed it, the device's scope set aside.
fn apply_accepted(tx: &mut dyn Tx, parked: &ParkedRow) -> Result<()> {
    let row = tx
        .op(&parked.device_id, parked.op_id)?
        .ok_or_else(|| Error::internal("a parked operation is missing from the operation log"))?;
    let op = PushOp {
        seq: row.device_seq,
        op_id: row.op_id,
        hlc: row.hlc.parse().map_err(Error::internal)?,
        device_time: row.device_time,
        operation: serde_json::from_str::<Operation>(&row.payload).map_err(Error::internal)?,
        base_seq: parked.base_seq,
    };
    // The technician as they are now (deactivated or not: the work was done).
    let technician: Technician = decode(
        &tx.record(Entity::Technician, &parked.technician_id)?
            .ok_or(Error::NotFound("technician"))?,
    )?;
    let device = Device {
        id: parked.device_id.clone(),
        scope: scope_of(&technician),
        technician,
    };
    let mut apply = Apply {
        tx,
        device: &device,
        op: &op,
        payload: &row.payload,
        received_at: row.received_at,
        office_accepts: true,
        conflicts: 0,
        server_seq: 0,
    };
    apply.operation()
}

/// The decisions on this device's parked operations made after server change `after`.
pub fn decisions(tx: &mut dyn Tx, device_id: &str, after: i64) -> Result<Vec<ParkedDecision>> {
    Ok(tx
        .parked(&ParkedQuery {
            device_id: Some(device_id),
            decided_after: Some(after),
            limit: MAX_DECISIONS,
            ..ParkedQuery::default()
        })?
        .into_iter()
        .filter_map(|p| {
            p.decision.map(|d| ParkedDecision {
                op_id: p.op_id,
                accepted: d.accepted,
                reason: d.reason,
                decided_at: d.at,
                seq: d.seq,
            })
        })
        .collect())
}

/// The most decisions one pull carries (the rest come with the next).
const MAX_DECISIONS: usize = 500;
