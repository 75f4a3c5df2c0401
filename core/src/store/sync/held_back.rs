//! Pulled changes kept until they can be applied: one this build cannot read (from a newer
//! server), one of a record with local work not pushed yet, one whose unique key another
//! record on the phone still holds. A later change of the same record replaces it.
//!
//! A held change's place (`held_back.seq`) is where the pull stood before it came, plus one: the
//! phone's copy of the record has every change of it up to there and none after (a pull sends
//! only a record's latest change), so an edit made on the copy had seen that far and no further
//! (`state::seen_through`). A later change held in its place keeps the first one's place.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::local::{anything_pending, local_work};
use super::plan::{self, Step, Until};
use super::pull::{PageApplied, apply_change};
use super::state::pulled_through;
use crate::error::Result;
use crate::store::{Store, ts};
use crate::sync::protocol::{Change, ChangeAction, Entity, HeldBack, Pulled, Record};

const HOLD: &str = "INSERT INTO held_back(entity, id, seq, body, reason, held_at, until)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT(entity, id) DO UPDATE SET seq = iif(held_back.seq > 0 AND excluded.seq > 0,
                                                 min(held_back.seq, excluded.seq), excluded.seq),
         body = excluded.body,
         reason = excluded.reason, held_at = excluded.held_at, until = excluded.until";

impl Store {
    /// Applies the held-back changes that can be applied now, oldest first, in one
    /// transaction: those this build can read now (the app was updated), those whose record's
    /// local work has been pushed, and those whose unique key is free now. The rest stay held.
    /// Called after each pull: a record the server sent again (merged with the pushed work)
    /// has replaced its held change by then, so an older held copy never overwrites it.
    pub fn apply_held_back(&mut self) -> Result<PageApplied> {
        if !anything_held(&self.conn)? {
            return Ok(PageApplied::default());
        }
        self.without_foreign_keys(|store| {
            let tx = store.conn.transaction()?;
            let mut held: Vec<(String, String, String)> = tx
                .prepare("SELECT entity, id, body FROM held_back ORDER BY seq")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let anything_pending = anything_pending(&tx)?;
            let mut applied = PageApplied::default();
            // Again while any applies: one change can free the number another waits for.
            loop {
                let before = held.len();
                let mut still = Vec::new();
                for (entity, id, body) in held {
                    let Some(change) = readable(&body) else {
                        continue;
                    };
                    let local = local_work(&tx, &change, anything_pending)?;
                    if plan::step(&change, local) == Step::Wait {
                        continue;
                    }
                    let first = forget_held_back(&tx, &entity, &id)?;
                    let clashing = applied.clashing;
                    apply_change(&tx, &change, anything_pending, &mut applied)?;
                    keep_first_held(&tx, &entity, &id, first)?;
                    if applied.clashing > clashing {
                        applied.clashing = clashing;
                        still.push((entity, id, body));
                    }
                }
                if still.len() == before || still.is_empty() {
                    break;
                }
                held = still;
            }
            swap_numbers(&tx, anything_pending, &mut applied)?;
            applied.held_back = u32::try_from(held_back_count(&tx)?).unwrap_or(u32::MAX);
            tx.commit()?;
            Ok(applied)
        })
    }

    /// How many pulled changes wait for an app that can read them.
    pub fn held_back(&self) -> Result<u64> {
        held_back_count(&self.conn)
    }
}

/// Keeps a pulled change until it can be applied; a later one of the same record replaces it.
pub(super) fn hold_back(tx: &Transaction<'_>, held: &HeldBack, until: Until) -> Result<()> {
    if until == Until::Update {
        tracing::warn!(
            entity = %held.entity,
            reason = %held.reason,
            "a pulled change this app cannot read is held back until it is updated"
        );
    }
    // A synthetic departure (seq 0, made by a full pull) has no place in the pull.
    let place = match held.seq {
        0 => 0,
        seq => pulled_through(tx)?.saturating_add(1).min(seq),
    };
    tx.prepare_cached(HOLD)?.execute(params![
        held.entity,
        held.id,
        place,
        held.body,
        held.reason,
        ts(&Utc::now()),
        until.as_str()
    ])?;
    Ok(())
}

/// A readable change, kept as it came, with why it waits.
pub(super) fn held(change: &Change, reason: &str) -> Result<HeldBack> {
    Ok(HeldBack {
        seq: change.seq,
        entity: change.entity.as_str().to_owned(),
        id: change.id.clone(),
        body: serde_json::to_string(change)?,
        reason: reason.to_owned(),
    })
}

/// Takes the record's held change off the list (a later change of it is about to be applied,
/// or held in its place: [`keep_first_held`]); gives back the place of the first one held.
pub(super) fn forget_held_back(
    tx: &Transaction<'_>,
    entity: &str,
    id: &str,
) -> Result<Option<i64>> {
    let first: Option<i64> = tx
        .prepare_cached("SELECT seq FROM held_back WHERE entity = ?1 AND id = ?2")?
        .query_row([entity, id], |r| r.get(0))
        .optional()?;
    if first.is_some() {
        tx.prepare_cached("DELETE FROM held_back WHERE entity = ?1 AND id = ?2")?
            .execute([entity, id])?;
    }
    Ok(first)
}

/// A later change of the record held again (after [`forget_held_back`]) keeps the place of the
/// first one held (a synthetic departure's 0 is no place).
pub(super) fn keep_first_held(
    tx: &Transaction<'_>,
    entity: &str,
    id: &str,
    first: Option<i64>,
) -> Result<()> {
    if let Some(first) = first.filter(|seq| *seq > 0) {
        tx.prepare_cached(
            "UPDATE held_back SET seq = min(seq, ?3) WHERE entity = ?1 AND id = ?2 AND seq > 0",
        )?
        .execute(params![entity, id, first])?;
    }
    Ok(())
}

/// A held change read as a pulled change is read: one still unreadable stays as it is.
fn readable(body: &str) -> Option<Change> {
    match serde_json::from_str::<Pulled>(body) {
        Ok(Pulled::Change(change)) => Some(change),
        _ => None,
    }
}

/// The place of the record's change held back, if one is: the phone's copy of the record holds
/// every change of it before that place, and none from there on.
pub(super) fn held_seq(conn: &Connection, entity: Entity, id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM held_back WHERE entity = ?1 AND id = ?2")?
        .query_row([entity.as_str(), id], |r| r.get(0))
        .optional()?)
}

/// Changes waiting for an app that can read them.
fn held_back_count(conn: &Connection) -> Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM held_back WHERE until = ?1")?
        .query_row([Until::Update.as_str()], |r| r.get(0))?;
    Ok(count.unsigned_abs())
}

/// Any change held, for whatever reason.
pub(super) fn anything_held(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM held_back)")?
        .query_row([], |r| r.get(0))?)
}

/// Households whose held changes wait for each other's customer numbers (the office swapped
/// them: each one's new number is the other's old one, which it keeps on the phone until its own
/// change is applied). Their numbers are freed together and their changes applied together, in
/// one savepoint: all of them, or (one still clashes with a household outside the cycle) none.
fn swap_numbers(
    tx: &Transaction<'_>,
    anything_pending: bool,
    applied: &mut PageApplied,
) -> Result<()> {
    let held: Vec<String> = tx
        .prepare("SELECT body FROM held_back WHERE until = ?1 AND entity = ?2 ORDER BY seq")?
        .query_map([Until::Clash.as_str(), Entity::Household.as_str()], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    let changes: Vec<(Change, String)> = held
        .iter()
        .filter_map(|body| {
            let change = readable(body)?;
            let ChangeAction::Put {
                record: Record::Household(h),
            } = &change.action
            else {
                return None;
            };
            let number = h.customer_number.clone();
            Some((change, number))
        })
        .collect();
    let wanting = changes
        .iter()
        .map(|(change, number)| (change.id.clone(), number.clone()))
        .collect();
    let mut holder = tx.prepare_cached("SELECT id FROM households WHERE customer_number = ?1")?;
    let cycle = plan::swap_cycle(wanting, |number| {
        holder.query_row([number], |r| r.get(0)).optional()
    })?;
    if cycle.is_empty() {
        return Ok(());
    }
    tx.execute_batch("SAVEPOINT swap_numbers")?;
    let before = *applied;
    for id in &cycle {
        tx.prepare_cached("UPDATE households SET customer_number = '~' || id WHERE id = ?1")?
            .execute([id])?;
    }
    let mut all = true;
    for (change, _) in changes.iter().filter(|(c, _)| cycle.contains(&c.id)) {
        forget_held_back(tx, Entity::Household.as_str(), &change.id)?;
        let (written, clashes) = (applied.written, applied.clashing);
        apply_change(tx, change, anything_pending, applied)?;
        // A household left holding its placeholder would show it: all or none.
        if applied.written == written || applied.clashing > clashes {
            all = false;
            break;
        }
    }
    if all {
        tx.execute_batch("RELEASE swap_numbers")?;
    } else {
        tx.execute_batch("ROLLBACK TO swap_numbers; RELEASE swap_numbers")?;
        *applied = before;
    }
    Ok(())
}
