//! The full pull after the technician's scope changed: everything the server sent before is
//! marked, the full pull takes the mark off each record it sends again, and at its end what
//! is still marked has left the scope and leaves the phone.

use rusqlite::Transaction;

use super::plan::departures;
use super::pull::{PageApplied, apply_change};
use crate::error::Result;
use crate::sync::protocol::Entity;

/// The kinds of record a full pull sends again, and their tables.
const MARKED: [(Entity, &str); 4] = [
    (Entity::Household, "households"),
    (Entity::WorkOrder, "work_orders"),
    (Entity::Technician, "technicians"),
    (Entity::Crew, "crews"),
];

/// A full pull begins: every household, order, technician and crew the server sent before is
/// marked. (The old crew's members, their names and phones, leave with the old crew.) Changes
/// held back are dropped: the full pull sends each record's latest change again.
pub(super) fn mark_for_reset(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM held_back; DELETE FROM reset_pending;")?;
    for (entity, table) in MARKED {
        tx.execute(
            &format!("INSERT INTO reset_pending(entity, id) SELECT ?1, id FROM {table}"),
            [entity.as_str()],
        )?;
    }
    Ok(())
}

/// Sent again by the full pull: it stays (whatever becomes of this change).
pub(super) fn confirm_after_reset(tx: &Transaction<'_>, entity: &str, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM reset_pending WHERE entity = ?1 AND id = ?2")?
        .execute([entity, id])?;
    Ok(())
}

/// The full pull is complete: what it did not send again has left the technician's scope and
/// leaves the phone, as if the server had said so. One with local work waiting leaves once that
/// work is pushed. What it did send again keeps what only the phone has of it.
pub(super) fn sweep_after_reset(tx: &Transaction<'_>, applied: &mut PageApplied) -> Result<()> {
    let left: Vec<(String, String)> = tx
        .prepare("SELECT entity, id FROM reset_pending ORDER BY entity DESC, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for leave in departures(left) {
        apply_change(tx, &leave, true, applied)?;
    }
    tx.execute("DELETE FROM reset_pending", [])?;
    Ok(())
}
