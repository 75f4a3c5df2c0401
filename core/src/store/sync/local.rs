//! What the phone has not pushed yet of a record, or has set aside: a pulled change of it
//! waits, so that the technician's work is neither overwritten nor taken off the phone before
//! the server has it (or the service center has decided on it).

use rusqlite::{Connection, OptionalExtension};

use super::plan::{LocalWork, departs};
use super::rejected::HOLDING;
use crate::error::Result;
use crate::store::outbox::PUSHED;
use crate::sync::protocol::{Change, Entity};

/// What the phone holds of `change`'s record that the change must not overwrite. With
/// nothing pending at all (`anything_pending` false: the usual case, a sync pushes before it
/// pulls), no query is made for pending work.
pub(super) fn local_work(
    conn: &Connection,
    change: &Change,
    anything_pending: bool,
) -> Result<LocalWork> {
    let departs = departs(change);
    let unpushed = anything_pending && has_pending(conn, change.entity, &change.id, departs)?;
    let household_departs = change.entity == Entity::Household && departs;
    let set_aside = !unpushed && household_departs && holds_set_aside(conn, &change.id)?;
    let draft = !unpushed
        && !set_aside
        && household_departs
        && conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM forms WHERE household_id = ?1 AND sealed_at IS NULL)",
            )?
            .query_row([&change.id], |r| r.get(0))?;
    Ok(LocalWork {
        unpushed,
        set_aside,
        draft,
    })
}

/// Something waits to be pushed: an operation in the outbox or a photo not uploaded. When
/// nothing does, [`has_pending`] is false for every record.
pub(super) fn anything_pending(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox)
                 OR EXISTS (SELECT 1 FROM photos p
                            WHERE NOT EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = p.sha256))",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The record has operations in the outbox that the server has not acknowledged; a household
/// also those of its forms, and, when it is to leave the phone (`departs`), photos of it not
/// uploaded yet (they would leave with it). A photo waiting does not hold back a new version of
/// the household itself: it changes nothing of the record, and one the server refuses would
/// otherwise keep the household's updates off the phone for good.
fn has_pending(conn: &Connection, entity: Entity, id: &str, departs: bool) -> Result<bool> {
    let exists = |sql: &str, params: &[&str]| -> Result<bool> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get::<_, i64>(0))
            .optional()?
            .is_some())
    };
    if exists(
        &format!("SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND {PUSHED} LIMIT 1"),
        &[entity.as_str(), id],
    )? {
        return Ok(true);
    }
    if entity != Entity::Household {
        return Ok(false);
    }
    // A household whose sealed forms or photos still wait to be pushed stays. A draft's steps
    // do not count (they are not pushed before its seal): a long draft would otherwise hold
    // every office update of the household; a draft holds only its departure (`draft`).
    if exists(
        "SELECT 1 FROM outbox JOIN forms f ON outbox.entity = 'form' AND outbox.entity_id = f.id
         WHERE f.household_id = ?1 AND f.sealed_at IS NOT NULL LIMIT 1",
        &[id],
    )? {
        return Ok(true);
    }
    Ok(departs
        && exists(
            "SELECT 1 FROM photos p WHERE p.household_id = ?1
             AND NOT EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = p.sha256) LIMIT 1",
            &[id],
        )?)
}

/// The household has work set aside that the server does not have for good ([`HOLDING`]): a
/// sealed form refused (for the technician to take up with the service center), or work parked
/// for the service center to decide. Its own operations or its forms'. The household does not
/// leave the phone with it: a sealed form stays readable until the server has it or the office
/// has decided.
fn holds_set_aside(conn: &Connection, household: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM sync_rejected WHERE household_id = ?1 AND {HOLDING})"
        ))?
        .query_row([household], |r| r.get(0))?)
}
