//! A pulled record written to its table, or taken off the phone. Records received from the
//! server are written without outbox entries.

use rusqlite::{OptionalExtension, Transaction, params};

use super::KEEP_NAMED_PHOTOS;
use crate::error::Result;
use crate::forms::form::Form;
use crate::store::households::write_household;
use crate::store::meta::{self, Flag};
use crate::store::readings::{SameMoment, write_reading};
use crate::store::team::{write_crew, write_district, write_outage, write_technician};
use crate::store::templates::keep_template;
use crate::store::workorders::store_order;
use crate::store::{search, ts};
use crate::sync::protocol::{Entity, Record};
use crate::text::said;

pub(super) fn write_record(tx: &Transaction<'_>, record: &Record) -> Result<()> {
    match record {
        Record::Household(h) => {
            h.validate()?;
            write_household(tx, h)?;
        }
        Record::WorkOrder(o) => {
            o.validate()?;
            store_order(tx, o)?;
        }
        Record::Reading(r) => {
            write_reading(tx, r, SameMoment::Replace)?;
        }
        Record::Form(f) => write_sealed_form(tx, f)?,
        Record::District(d) => write_district(tx, d)?,
        Record::Crew(c) => write_crew(tx, c)?,
        Record::Technician(t) => write_technician(tx, t)?,
        Record::Outage(o) => write_outage(tx, o)?,
        Record::Template(t) => {
            t.validate()?;
            keep_template(tx, t)?;
        }
        // Filed under its household, once: kept when the household is here (it comes in its
        // buckets, after it), skipped otherwise.
        Record::HistoryEvent(line) => {
            let held: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM households WHERE id = ?1)")?
                .query_row([line.household_id], |r| r.get(0))?;
            if held {
                crate::store::households::write_history(tx, line)?;
            }
        }
        // The office's own: no device is sent one, and one that came is not kept.
        Record::Settlement(_) => {}
        // Office-only records: never in a device's buckets; one that came would be ignored.
        Record::Complaint(_) | Record::Call(_) | Record::Satisfaction(_) => {}
    }
    Ok(())
}

const INSERT_SEALED_FORM: &str = "INSERT OR IGNORE INTO forms(id, template_id, template_version, household_id, work_order_id, amends, started_at, sealed_at, digest, doc)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// A sealed form from the server (filled on another device): kept as it is, once.
fn write_sealed_form(tx: &Transaction<'_>, f: &Form) -> Result<()> {
    let Some(seal) = &f.seal else {
        return Err(crate::InvalidInput::new(
            "form.seal",
            said(
                "只有已封存的表单才会发送到手机",
                "only sealed forms are sent to devices",
            ),
        )
        .into());
    };
    tx.prepare_cached(INSERT_SEALED_FORM)?.execute(params![
        f.id,
        f.template_id,
        f.template_version,
        f.household_id,
        f.work_order_id,
        f.amends,
        ts(&f.started_at),
        ts(&seal.sealed_at),
        seal.digest,
        serde_json::to_string(f)?
    ])?;
    Ok(())
}

/// A household and everything filed under it, in an order the foreign keys allow (an
/// amendment before the form it amends).
const REMOVE_HOUSEHOLD: &[&str] = &[
    // Photos a kept operation names stay, for a server restored from a backup (`kept`).
    KEEP_NAMED_PHOTOS,
    "DELETE FROM photo_uploads WHERE sha256 IN (SELECT sha256 FROM photos WHERE household_id = ?1)",
    "DELETE FROM photos WHERE household_id = ?1",
    "DELETE FROM forms WHERE household_id = ?1 AND amends IS NOT NULL",
    "DELETE FROM forms WHERE household_id = ?1",
    "DELETE FROM check_ins WHERE household_id = ?1",
    "DELETE FROM meter_readings WHERE household_id = ?1",
    "DELETE FROM history WHERE household_id = ?1",
    "UPDATE work_orders SET household_id = NULL WHERE household_id = ?1",
    "DELETE FROM households WHERE id = ?1",
];

/// An order stays while a sealed form names it; a draft lets go of it.
const REMOVE_WORK_ORDER: &[&str] = &[
    "UPDATE forms SET work_order_id = NULL WHERE work_order_id = ?1 AND sealed_at IS NULL",
    "DELETE FROM work_orders WHERE id = ?1
     AND NOT EXISTS (SELECT 1 FROM forms WHERE work_order_id = ?1)",
];

/// Removes a record from the device (it left the scope, or was deleted). A household goes
/// with everything filed under it. Returns whether anything was there.
pub(super) fn remove_record(tx: &Transaction<'_>, entity: Entity, id: &str) -> Result<bool> {
    let sql: &[&str] = match entity {
        Entity::Household => return remove_household(tx, id),
        Entity::WorkOrder => REMOVE_WORK_ORDER,
        Entity::District => &["DELETE FROM districts WHERE id = ?1"],
        Entity::Crew => &["DELETE FROM crews WHERE id = ?1"],
        Entity::Technician => &["DELETE FROM technicians WHERE id = ?1"],
        Entity::Outage => &["DELETE FROM outages WHERE id = ?1"],
        // Readings, forms and templates go with their household or stay (templates).
        Entity::Reading | Entity::Form | Entity::Template | Entity::Photo => &[],
        // Timeline lines go with their household.
        Entity::HistoryEvent => &[],
        Entity::Settlement => &[],
        Entity::Complaint | Entity::Call | Entity::Satisfaction => &[],
    };
    let mut removed = 0;
    for statement in sql {
        removed = tx.prepare_cached(statement)?.execute([id])?;
    }
    Ok(removed > 0)
}

fn remove_household(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    let rowid: Option<i64> = tx
        .prepare_cached("SELECT rowid FROM households WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(rowid) = rowid else {
        return Ok(false);
    };
    search::remove_household(tx, rowid)?;
    meta::raise(tx, Flag::EVICTING)?;
    for sql in REMOVE_HOUSEHOLD {
        tx.prepare_cached(sql)?.execute([id])?;
    }
    meta::lower(tx, Flag::EVICTING)?;
    // Its photos' files go after the commit (`Store::sweep_photo_vault`); marked in the
    // same transaction, so a crash before the sweep is made good by the next sync.
    meta::raise(tx, Flag::SWEEP_VAULT)?;
    Ok(true)
}
