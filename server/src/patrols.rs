//! Abnormal consumption → patrol (Art.5(2), Art.15): every reading that reaches the server
//! (imported from the billing system, pushed by a phone, on a sealed form) has its household's
//! readings analysed by the core's rule (`schedule::patrol::patrol_for`); an abnormal household gets
//! one unassigned patrol order on its district's list.

use chrono::{DateTime, Utc};
use doorstep_core::household::consumption::ConsumptionPolicy;
use doorstep_core::household::{HistoryEvent, HistoryKind, Household, MeterReading};
use doorstep_core::schedule::patrol::patrol_for;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::text::{said, with_detail};
use doorstep_core::workorder::WorkOrder;

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{StoredRecord, Tx};

/// How many of a household's tied records one page reads.
const PAGE: usize = 500;

/// Opens the patrol `household`'s readings call for at `now`, unless one is open; returns it.
pub fn patrol_if_abnormal(
    tx: &mut dyn Tx,
    household: &StoredRecord,
    now: DateTime<Utc>,
) -> Result<Option<WorkOrder>> {
    if household.deleted {
        return Ok(None);
    }
    let file: Household = decode(household)?;
    let id = file.id;
    let (mut readings, mut orders) = (Vec::<MeterReading>::new(), Vec::<WorkOrder>::new());
    let mut after = 0;
    loop {
        let entries = tx.changes(&[Bucket::Household(id)], after, PAGE)?;
        let Some(last) = entries.last() else { break };
        after = last.seq;
        for entry in &entries {
            if entry.left || !matches!(entry.entity, Entity::Reading | Entity::WorkOrder) {
                continue;
            }
            let Some(record) = tx.record(entry.entity, &entry.id)?.filter(|r| !r.deleted) else {
                continue;
            };
            match entry.entity {
                Entity::Reading => readings.push(decode(&record)?),
                _ => orders.push(decode(&record)?),
            }
        }
        if entries.len() < PAGE {
            break;
        }
    }
    readings.retain(|r| r.household_id == id);
    let Some(order) = patrol_for(
        &file,
        &readings,
        &orders,
        &ConsumptionPolicy::default(),
        now,
    ) else {
        return Ok(None);
    };
    order.validate().map_err(Error::internal)?;
    put_from_office(tx, &Record::WorkOrder(Box::new(order.clone())))?;
    let line = HistoryEvent::line(
        id,
        now,
        HistoryKind::WorkOrder,
        Some(&order.id.to_string()),
        &with_detail(&said("已开工单", "work order opened"), &order.kind.label()),
    );
    crate::history::keep(tx, household, vec![line])?;
    Ok(Some(order))
}
