//! The history of every household, kept on the server (Art.15: one file per household): the
//! lines the server derives where it applies a phone's operations and the office's changes,
//! each a `Record::HistoryEvent` in its household's buckets, so that every phone holding the
//! household pulls the visits of other technicians and the office's changes. A line is named
//! by what it says (`HistoryEvent::line`): the phone that made the change wrote the same line
//! under the same id, and keeps it once.

use doorstep_core::household::HistoryEvent;
use doorstep_core::sync::protocol::{Entity, Record};

use crate::error::Result;
use crate::records::{child_buckets, save, stored_in};
use crate::storage::{StoredRecord, Tx};

/// Keeps `lines` of `household` that the server does not hold yet.
pub fn keep(tx: &mut dyn Tx, household: &StoredRecord, lines: Vec<HistoryEvent>) -> Result<()> {
    for line in lines {
        let record = stored_in(
            &Record::HistoryEvent(Box::new(line)),
            child_buckets(household)?,
        )?;
        if tx.record(Entity::HistoryEvent, &record.id)?.is_none() {
            save(tx, record, None)?;
        }
    }
    Ok(())
}
