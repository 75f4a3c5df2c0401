//! The open work orders, kept apart (`open_work_orders`: their ids) wherever orders are
//! written, so that the dispatch board reads the orders still open and not every order the
//! utility ever closed (issue 26: a year of a city's orders is hundreds of thousands of
//! records; the board wants the few thousand open ones).

use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::WorkOrder;

use super::{StorageResult, StoredRecord, Tx};

/// What the index should hold for these records: `Ok(id)` for each open order, `Err(id)` for
/// each order that is closed, deleted or unreadable by this version (it leaves). Other records
/// are not the index's.
pub fn rows_of(records: &[&StoredRecord]) -> Vec<Result<String, String>> {
    records
        .iter()
        .filter(|r| r.entity == Entity::WorkOrder)
        .map(|r| {
            let open =
                !r.deleted && serde_json::from_str::<WorkOrder>(&r.body).is_ok_and(|o| o.is_open());
            if open {
                Ok(r.id.clone())
            } else {
                Err(r.id.clone())
            }
        })
        .collect()
}

/// Indexes every order stored, a page at a time (an older database's first start).
pub(super) fn index_every_order(tx: &mut dyn Tx) -> StorageResult<u64> {
    let mut after = String::new();
    let mut read = 0;
    loop {
        let page = tx.records(Entity::WorkOrder, &after, 1000)?;
        let Some(last) = page.last() else {
            return Ok(read);
        };
        after = last.id.clone();
        let records: Vec<&StoredRecord> = page.iter().collect();
        tx.index_work_orders(&records)?;
        read += records.len() as u64;
    }
}

/// Builds the index at open if the database holds orders and the index is empty.
pub(super) fn build_at_open(storage: &dyn super::Storage) -> StorageResult<()> {
    let read = super::write(storage, |tx| Ok(tx.build_open_work_orders()?))
        .map_err(|e| super::StorageError::Database(e.to_string()))?;
    if read > 0 {
        tracing::info!(orders = read, "open work orders indexed");
    }
    Ok(())
}
