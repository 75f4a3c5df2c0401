//! The store's side of sync: where the device stands with the server (enrollment, pull cursor),
//! the outbox as pushes see it, operations the server refused, photos waiting for upload, and
//! pulled changes applied in one transaction per page.

use crate::words::said;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::forms::keep_template;
use super::households::write_household;
use super::outbox::keep_high_water;
use super::team::{write_crew, write_district, write_outage, write_technician};
use super::workorders::store_order;
use super::{Store, enum_text, now_ms, search, ts};
use crate::error::{Error, Result};
use crate::forms::form::Form;
use crate::ids::{OperationId, TechnicianId};
use crate::sync::protocol::{
    ErrorKind,
    Change, ChangeAction, Entity, HeldBack, PullResponse, Pulled, PushOp, Record,
};
use crate::team::Technician;

/// Where this device stands with the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server's base URL, once enrolled.
    pub server: Option<String>,
    pub technician_id: Option<TechnicianId>,
    /// The cursor of the last pulled page ("" before the first pull).
    pub cursor: String,
    /// The newest server change pulled.
    pub pulled_through: i64,
    /// When the last sync finished.
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// An operation the server refused for good, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedOperation {
    pub seq: i64,
    pub op_id: OperationId,
    /// What the refusal means to this build (a kind it did not know is read by its status).
    pub error: ErrorKind,
    pub message: String,
    pub rejected_at: DateTime<Utc>,
}

/// What one pulled page changed on the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageApplied {
    pub written: u32,
    pub removed: u32,
    /// Records with local changes not yet pushed: kept as they are; the server sends them again
    /// once it has merged the local change.
    pub kept_local: u32,
    /// Changes this build cannot read (from a newer server), held back until it can.
    pub held_back: u32,
    /// Changes whose unique key (a customer number, an order number) another record on the
    /// phone still holds: kept, and applied once that record's own change has come (two
    /// households' numbers swapped) or the clash is resolved.
    pub clashing: u32,
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// The newest server change this device has pulled (0 before the first pull).
pub(super) fn pulled_through(conn: &Connection) -> Result<i64> {
    Ok(meta(conn, "pulled_through")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

impl Store {
    pub fn sync_state(&self) -> Result<SyncState> {
        Ok(SyncState {
            server: meta(&self.conn, "server")?,
            technician_id: meta(&self.conn, "technician_id")?
                .map(|t| t.parse())
                .transpose()?,
            cursor: meta(&self.conn, "cursor")?.unwrap_or_default(),
            pulled_through: pulled_through(&self.conn)?,
            last_sync_at: meta(&self.conn, "last_sync_at")?
                .map(|t| t.parse::<DateTime<Utc>>())
                .transpose()
                .map_err(|_| {
                    crate::InvalidInput::new("meta.last_sync_at", said("不是时间", "not a time"))
                })?,
        })
    }

    /// The device's credential, kept only in the encrypted store.
    pub fn credential(&self) -> Result<Option<String>> {
        meta(&self.conn, "credential")
    }

    /// Keeps what enrollment gave: the server, the credential and the technician.
    pub fn set_enrollment(
        &mut self,
        server: &str,
        credential: &str,
        technician: &Technician,
    ) -> Result<()> {
        technician.validate()?;
        self.receive(|tx| {
            set_meta(tx, "server", server)?;
            set_meta(tx, "credential", credential)?;
            set_meta(tx, "technician_id", &technician.id.to_string())?;
            write_technician(tx, technician)
        })
    }

    /// The oldest `limit` outbox operations, as a push sends them.
    pub fn push_batch(&self, limit: usize) -> Result<Vec<PushOp>> {
        Ok(self
            .outbox(limit)?
            .into_iter()
            .map(|e| PushOp {
                seq: e.seq,
                op_id: e.op_id,
                hlc: e.hlc,
                device_time: e.device_time,
                operation: e.operation,
            })
            .collect())
    }

    /// The outbox operations after `after_seq`, oldest first: at most `limit` of them, and no
    /// more than fill about `max_bytes` of request (always at least one), so that a push
    /// request of big operations (sealed forms with their signatures) stays under the server's
    /// limit while one of small operations carries many.
    pub fn push_batch_after(
        &self,
        after_seq: i64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<PushOp>> {
        /// What a pushed operation adds to its payload on the wire (sequence number, ids,
        /// clock stamp, time, field names), generously.
        const ENVELOPE: usize = 256;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, hlc, device_time, payload FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![after_seq, limit as i64])?;
        let mut ops = Vec::new();
        let mut bytes = 0;
        while let Some(r) = rows.next()? {
            let payload = r.get_ref(4)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    4,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            bytes += payload.len() + ENVELOPE;
            if bytes > max_bytes && !ops.is_empty() {
                break;
            }
            ops.push(PushOp {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                hlc: r.get::<_, String>(2)?.parse()?,
                device_time: r.get(3)?,
                operation: serde_json::from_str(payload)?,
            });
        }
        Ok(ops)
    }

    /// Moves a refused operation out of the outbox into the list the technician sees, so that
    /// the rest of the outbox can go on. Nothing is dropped, and its sequence number and stamp
    /// are never given again (the outbox may be empty after it).
    pub fn park_rejected(
        &mut self,
        op_id: OperationId,
        error: ErrorKind,
        message: &str,
    ) -> Result<()> {
        let newest = self.clock.last().clone();
        self.receive(|tx| {
            let seq: Option<i64> = tx
                .prepare_cached("SELECT seq FROM outbox WHERE op_id = ?1")?
                .query_row([op_id], |r| r.get(0))
                .optional()?;
            let Some(seq) = seq else {
                return Err(Error::NotFound {
                    what: "outbox operation",
                });
            };
            keep_high_water(tx, &newest, seq)?;
            let moved = tx
                .prepare_cached(
                    "INSERT INTO sync_rejected(seq, op_id, hlc, device_time, payload, error, message, rejected_at)
                     SELECT seq, op_id, hlc, device_time, payload, ?2, ?3, ?4 FROM outbox WHERE op_id = ?1",
                )?
                .execute(params![op_id, error.as_str(), message, ts(&Utc::now())])?;
            if moved == 0 {
                return Err(Error::NotFound {
                    what: "outbox operation",
                });
            }
            tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?
                .execute([op_id])?;
            Ok(())
        })
    }

    pub fn rejected_operations(&self) -> Result<Vec<RejectedOperation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, error, message, rejected_at FROM sync_rejected ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RejectedOperation {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                error: ErrorKind::parse(&r.get::<_, String>(2)?),
                message: r.get(3)?,
                rejected_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Photos the server does not have yet (as far as this device knows), oldest first.
    pub fn photos_to_upload(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.sha256 FROM photos p WHERE NOT EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = p.sha256)
             ORDER BY p.taken_at, p.sha256",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_photos_uploaded(&mut self, sha256: &[String]) -> Result<()> {
        self.receive(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO photo_uploads(sha256, uploaded_at) VALUES (?1, ?2)",
            )?;
            let now = ts(&Utc::now());
            for hash in sha256 {
                insert.execute(params![hash, now])?;
            }
            Ok(())
        })
    }

    pub fn note_sync_finished(&mut self, at: DateTime<Utc>) -> Result<()> {
        set_meta(&self.conn, "last_sync_at", &ts(&at))
    }

    /// Applies one pulled page and keeps its cursor, in one transaction: a cut between pages
    /// resumes at the next page. Records with local changes not yet pushed are kept. A change
    /// this build cannot read is held back ([`Pulled`]) and the page goes on.
    pub fn apply_pull(&mut self, page: &PullResponse<Pulled>) -> Result<PageApplied> {
        // A record's latest change may come before its parent's (a household edited after its
        // form was sealed): references are checked by the server, and the parent arrives later
        // in the same pull. Foreign keys are off for this transaction only.
        self.without_foreign_keys(|store| store.apply_page(page))
    }

    fn without_foreign_keys<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let done = f(self);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        done
    }

    fn apply_page(&mut self, page: &PullResponse<Pulled>) -> Result<PageApplied> {
        let now = now_ms();
        self.clock.observe(&page.server_hlc, now);
        let hlc = self.clock.last().to_string();
        let tx = self.conn.transaction()?;
        let mut applied = PageApplied::default();
        if page.reset {
            // Also when a full pull was already under way (the scope changed again before it
            // ended): what that one brought is not known to be in the new scope either.
            mark_for_reset(&tx)?;
            set_meta(&tx, "resetting", "1")?;
        }
        let resetting = meta(&tx, "resetting")?.is_some();
        // With nothing waiting to be pushed (the usual case: a sync pushes before it pulls, and
        // always on a first pull) no record can have local changes: one query for the page
        // instead of three for every record. Likewise for changes held back.
        let anything_pending = anything_pending(&tx)?;
        let mut anything_held = anything_held(&tx)?;
        for pulled in &page.changes {
            if resetting {
                // Sent again by the full pull: it stays (whatever becomes of this change).
                let (entity, id) = pulled.subject();
                confirm_after_reset(&tx, entity, id)?;
            }
            match pulled {
                Pulled::Change(change) => {
                    if anything_held {
                        // A later change of the record replaces the one held back.
                        forget_held_back(&tx, change.entity.as_str(), &change.id)?;
                    }
                    apply_change(&tx, change, anything_pending, &mut applied)?;
                }
                Pulled::HeldBack(held) => {
                    hold_back(&tx, held, Until::Update)?;
                    applied.held_back += 1;
                }
            }
            anything_held |=
                applied.held_back > 0 || applied.kept_local > 0 || applied.clashing > 0;
        }
        if !page.more && resetting {
            sweep_after_reset(&tx, &mut applied)?;
            tx.execute("DELETE FROM meta WHERE key = 'resetting'", [])?;
        }
        set_meta(&tx, "cursor", &page.cursor)?;
        let through = page
            .changes
            .iter()
            .map(Pulled::seq)
            .max()
            .unwrap_or(0)
            .max(pulled_through(&tx)?);
        set_meta(&tx, "pulled_through", &through.to_string())?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('hlc', ?1)
             ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
            [hlc],
        )?;
        tx.commit()?;
        Ok(applied)
    }

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
            let held: Vec<(String, String, String)> = tx
                .prepare("SELECT entity, id, body FROM held_back ORDER BY seq")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let anything_pending = anything_pending(&tx)?;
            let mut applied = PageApplied::default();
            let mut held = held;
            // Again while any applies: one change can free the number another waits for.
            loop {
                let before = held.len();
                let mut still = Vec::new();
                for (entity, id, body) in held {
                    // Read as a pulled change is read: still unreadable, it stays as it is.
                    let Ok(Pulled::Change(change)) = serde_json::from_str::<Pulled>(&body) else {
                        continue;
                    };
                    if waits_for_local_work(&tx, &change, anything_pending)? {
                        continue;
                    }
                    forget_held_back(&tx, &entity, &id)?;
                    let clashing = applied.clashing;
                    apply_change(&tx, &change, anything_pending, &mut applied)?;
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

/// Applies one readable change, unless the record has local changes still to push.
fn apply_change(
    tx: &Transaction<'_>,
    change: &Change,
    anything_pending: bool,
    applied: &mut PageApplied,
) -> Result<()> {
    if waits_for_local_work(tx, change, anything_pending)? {
        // Kept in its place, applied once the local work is pushed: a record the server sends
        // again after merging is replaced by that later change first; one it does not (a
        // household that left the technician's scope, a refused edit) is not lost.
        hold_back(
            tx,
            &held(change, "local changes not yet pushed")?,
            Until::Pushed,
        )?;
        applied.kept_local += 1;
        return Ok(());
    }
    match &change.action {
        ChangeAction::Put { record } => match write_record(tx, record) {
            Ok(()) => applied.written += 1,
            // Readable but not valid by this build's rules (a newer server's rules changed):
            // held back like an unreadable change. Records are checked before anything of
            // them is written.
            Err(Error::Invalid(invalid)) => {
                hold_back(tx, &held(change, &invalid.to_string())?, Until::Update)?;
                applied.held_back += 1;
            }
            // Another record here holds its unique key: one that the server has changed too
            // (two households' customer numbers swapped; its change comes later), or one opened
            // on this phone that the server refused. Failing the page would stop every pull
            // from here on; the change is kept and tried again after each pull.
            Err(Error::Duplicate { what }) => {
                let reason = format!("its {what} is held by another record on this phone");
                hold_back(tx, &held(change, &reason)?, Until::Clash)?;
                applied.clashing += 1;
            }
            Err(e) => return Err(e),
        },
        ChangeAction::Leave | ChangeAction::Delete => {
            if remove_record(tx, change.entity, &change.id)? {
                applied.removed += 1;
            }
        }
    }
    Ok(())
}

/// The newest server change of a record the device has seen: its pull cursor, except that a
/// change of the record held back (not applied yet) was not seen. An edit made now carries it
/// as its base, so the server knows which writes of others the technician had before them.
pub(super) fn seen_through(conn: &Connection, entity: Entity, id: &str) -> Result<i64> {
    let through = pulled_through(conn)?;
    let held: Option<i64> = conn
        .prepare_cached("SELECT seq FROM held_back WHERE entity = ?1 AND id = ?2")?
        .query_row([entity.as_str(), id], |r| r.get(0))
        .optional()?;
    Ok(match held {
        // Not a synthetic departure (seq 0) made by a full pull.
        Some(seq) if seq > 0 => through.min(seq - 1),
        _ => through,
    })
}

/// Changes waiting for an app that can read them.
fn held_back_count(conn: &Connection) -> Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM held_back WHERE until = 'update'")?
        .query_row([], |r| r.get(0))?;
    Ok(count.unsigned_abs())
}

/// Any change held, for whatever reason.
fn anything_held(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM held_back)")?
        .query_row([], |r| r.get(0))?)
}

/// A readable change, kept as it came, with why it waits.
fn held(change: &Change, reason: &str) -> Result<HeldBack> {
    Ok(HeldBack {
        seq: change.seq,
        entity: change.entity.as_str().to_owned(),
        id: change.id.clone(),
        body: serde_json::to_string(change)?,
        reason: reason.to_owned(),
    })
}

/// What a held change waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// An app that can read it (it came from a newer server).
    Update,
    /// The record's local changes to be pushed.
    Pushed,
    /// Another record on the phone to give up its unique key.
    Clash,
}

impl Until {
    fn as_str(self) -> &'static str {
        match self {
            Until::Update => "update",
            Until::Pushed => "pushed",
            Until::Clash => "clash",
        }
    }
}

/// Whether `change` must wait for the local work on its record: edits not yet pushed (the
/// server sends the record again once it merged them), and for a household that leaves the
/// phone, also a draft still being filled there.
fn waits_for_local_work(
    tx: &Transaction<'_>,
    change: &Change,
    anything_pending: bool,
) -> Result<bool> {
    let departs = !matches!(change.action, ChangeAction::Put { .. });
    if anything_pending && has_pending(tx, change.entity, &change.id, departs)? {
        return Ok(true);
    }
    if change.entity == Entity::Household && departs {
        let draft: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM forms WHERE household_id = ?1 AND sealed_at IS NULL)",
            )?
            .query_row([&change.id], |r| r.get(0))?;
        return Ok(draft);
    }
    Ok(false)
}

/// Keeps a pulled change until it can be applied; a later one of the same record replaces it.
fn hold_back(tx: &Transaction<'_>, held: &HeldBack, until: Until) -> Result<()> {
    if until == Until::Update {
        tracing::warn!(
            entity = %held.entity,
            reason = %held.reason,
            "a pulled change this app cannot read is held back until it is updated"
        );
    }
    tx.prepare_cached(
        "INSERT INTO held_back(entity, id, seq, body, reason, held_at, until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(entity, id) DO UPDATE SET seq = excluded.seq, body = excluded.body,
             reason = excluded.reason, held_at = excluded.held_at, until = excluded.until",
    )?
    .execute(params![
        held.entity,
        held.id,
        held.seq,
        held.body,
        held.reason,
        ts(&Utc::now()),
        until.as_str()
    ])?;
    Ok(())
}

fn forget_held_back(tx: &Transaction<'_>, entity: &str, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM held_back WHERE entity = ?1 AND id = ?2")?
        .execute([entity, id])?;
    Ok(())
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
    let held: Vec<(String, String)> = tx
        .prepare(
            "SELECT id, body FROM held_back WHERE until = 'clash' AND entity = 'household'
             ORDER BY seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // (id, the number it takes, its change)
    let mut clashing: Vec<(String, String, Change)> = held
        .into_iter()
        .filter_map(|(id, body)| {
            let Ok(Pulled::Change(change)) = serde_json::from_str::<Pulled>(&body) else {
                return None;
            };
            let ChangeAction::Put {
                record: Record::Household(h),
            } = &change.action
            else {
                return None;
            };
            let number = h.customer_number.clone();
            Some((id, number, change))
        })
        .collect();
    // Only a cycle: a change whose number a household outside the set holds (one that will
    // not give it up, say opened on this phone and refused by the server) cannot be applied
    // with the others, and is left out, so that it does not keep a real swap from happening.
    loop {
        let before = clashing.len();
        let ids: Vec<String> = clashing.iter().map(|(id, _, _)| id.clone()).collect();
        let mut kept = Vec::new();
        for member in clashing {
            let holder: Option<String> = tx
                .prepare_cached("SELECT id FROM households WHERE customer_number = ?1")?
                .query_row([&member.1], |r| r.get(0))
                .optional()?;
            if holder.is_none_or(|h| ids.contains(&h)) {
                kept.push(member);
            }
        }
        clashing = kept;
        if clashing.len() == before {
            break;
        }
    }
    if clashing.len() < 2 {
        return Ok(());
    }
    tx.execute_batch("SAVEPOINT swap_numbers")?;
    let before = *applied;
    for (id, _, _) in &clashing {
        tx.prepare_cached("UPDATE households SET customer_number = '~' || id WHERE id = ?1")?
            .execute([id])?;
    }
    let mut all = true;
    for (id, _, change) in &clashing {
        forget_held_back(tx, "household", id)?;
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

/// The technician's scope changed and a full pull begins: every household, order, technician
/// and crew the server sent before is marked; the full pull takes the mark off each one it sends
/// again. (The old crew's members, their names and phones, leave with the old crew.) Changes
/// held back are dropped: the full pull sends each record's latest change again.
fn mark_for_reset(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM held_back;
         DELETE FROM reset_pending;
         INSERT INTO reset_pending(entity, id) SELECT 'household', id FROM households;
         INSERT INTO reset_pending(entity, id) SELECT 'work_order', id FROM work_orders;
         INSERT INTO reset_pending(entity, id) SELECT 'technician', id FROM technicians;
         INSERT INTO reset_pending(entity, id) SELECT 'crew', id FROM crews;",
    )?;
    Ok(())
}

fn confirm_after_reset(tx: &Transaction<'_>, entity: &str, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM reset_pending WHERE entity = ?1 AND id = ?2")?
        .execute([entity, id])?;
    Ok(())
}

/// The full pull is complete: what it did not send again has left the technician's scope and
/// leaves the phone, as if the server had said so. One with local work waiting leaves once that
/// work is pushed. What it did send again keeps what only the phone has of it.
fn sweep_after_reset(tx: &Transaction<'_>, applied: &mut PageApplied) -> Result<()> {
    let left: Vec<(String, String)> = tx
        .prepare("SELECT entity, id FROM reset_pending ORDER BY entity DESC, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (entity, id) in left {
        let Some(entity) = Entity::parse(&entity) else {
            continue;
        };
        let leave = Change {
            seq: 0,
            entity,
            id,
            action: ChangeAction::Leave,
        };
        apply_change(tx, &leave, true, applied)?;
    }
    tx.execute("DELETE FROM reset_pending", [])?;
    Ok(())
}

/// Something waits to be pushed: an operation in the outbox or a photo not uploaded. When
/// nothing does, [`has_pending`] is false for every record.
fn anything_pending(tx: &Transaction<'_>) -> Result<bool> {
    Ok(tx
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
fn has_pending(tx: &Transaction<'_>, entity: Entity, id: &str, departs: bool) -> Result<bool> {
    let found: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 LIMIT 1")?
        .query_row([entity.as_str(), id], |r| r.get(0))
        .optional()?;
    if found.is_some() {
        return Ok(true);
    }
    if entity == Entity::Household {
        // A household whose forms or photos still wait to be pushed stays.
        let waiting: Option<i64> = tx
            .prepare_cached(
                "SELECT 1 FROM outbox o JOIN forms f ON o.entity = 'form' AND o.entity_id = f.id
                 WHERE f.household_id = ?1 LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if waiting.is_some() {
            return Ok(true);
        }
        if !departs {
            return Ok(false);
        }
        let unsent_photo: Option<i64> = tx
            .prepare_cached(
                "SELECT 1 FROM photos p WHERE p.household_id = ?1
                 AND NOT EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = p.sha256) LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        return Ok(unsent_photo.is_some());
    }
    Ok(false)
}

fn write_record(tx: &Transaction<'_>, record: &Record) -> Result<()> {
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
            tx.prepare_cached(
                "INSERT OR REPLACE INTO meter_readings(household_id, taken_at, litres, source) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![r.household_id, ts(&r.taken_at), r.value.litres(), enum_text(&r.source)])?;
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
    }
    Ok(())
}

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
    tx.prepare_cached(
        "INSERT OR IGNORE INTO forms(id, template_id, template_version, household_id, work_order_id, amends, started_at, sealed_at, digest, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
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

/// Removes a record from the device (it left the scope, or was deleted). A household goes
/// with everything filed under it. Returns whether anything was there.
fn remove_record(tx: &Transaction<'_>, entity: Entity, id: &str) -> Result<bool> {
    let sql: &[&str] = match entity {
        Entity::Household => {
            let rowid: Option<i64> = tx
                .prepare_cached("SELECT rowid FROM households WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            let Some(rowid) = rowid else {
                return Ok(false);
            };
            search::remove_household(tx, rowid)?;
            set_meta(tx, "evicting", "1")?;
            for sql in [
                "DELETE FROM photo_uploads WHERE sha256 IN (SELECT sha256 FROM photos WHERE household_id = ?1)",
                "DELETE FROM photos WHERE household_id = ?1",
                "DELETE FROM forms WHERE household_id = ?1 AND amends IS NOT NULL",
                "DELETE FROM forms WHERE household_id = ?1",
                "DELETE FROM check_ins WHERE household_id = ?1",
                "DELETE FROM meter_readings WHERE household_id = ?1",
                "DELETE FROM history WHERE household_id = ?1",
                "UPDATE work_orders SET household_id = NULL WHERE household_id = ?1",
                "DELETE FROM households WHERE id = ?1",
            ] {
                tx.prepare_cached(sql)?.execute([id])?;
            }
            tx.execute("DELETE FROM meta WHERE key = 'evicting'", [])?;
            // Its photos' files go after the commit (`Store::sweep_photo_vault`); marked in the
            // same transaction, so a crash before the sweep is made good by the next sync.
            set_meta(tx, "sweep_vault", "1")?;
            return Ok(true);
        }
        Entity::WorkOrder => &[
            "UPDATE forms SET work_order_id = NULL WHERE work_order_id = ?1 AND sealed_at IS NULL",
            "DELETE FROM work_orders WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM forms WHERE work_order_id = ?1)",
        ],
        Entity::District => &["DELETE FROM districts WHERE id = ?1"],
        Entity::Crew => &["DELETE FROM crews WHERE id = ?1"],
        Entity::Technician => &["DELETE FROM technicians WHERE id = ?1"],
        Entity::Outage => &["DELETE FROM outages WHERE id = ?1"],
        // Readings, forms and templates go with their household or stay (templates).
        Entity::Reading | Entity::Form | Entity::Template | Entity::Photo => &[],
    };
    let mut removed = 0;
    for statement in sql {
        removed = tx.prepare_cached(statement)?.execute([id])?;
    }
    Ok(removed > 0)
}
