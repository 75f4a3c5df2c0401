//! Work the server acknowledged, kept on the phone until a backup of the server holds it.
//!
//! A server restored from its last backup has forgotten what it acknowledged after it, and
//! that work is no longer in the phone's outbox. So an acknowledged operation moves from the
//! outbox to `kept_ops` (with the photos it names, which stay on the phone even if their
//! household leaves it) instead of being dropped, and:
//! - is dropped once an answer says a backup holds it (`backed_up_through` reaches its
//!   sequence number), or 7 days after it was acknowledged while the server reports no backups
//!   (PostgreSQL's continuous archiving makes its window seconds);
//! - goes back to the outbox, under its own sequence number (so before newer work) and with
//!   its own operation id, when an answer carries another generation of the server's database
//!   than the one the phone remembers: the server was restored. Pushes are idempotent, so what
//!   the restored server still has counts as a repeat. The pull then starts over from the
//!   beginning, since the restored server's sequence is not the one the cursor counted.
//!
//! See docs/sync-protocol.md, "Restores".

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

use super::reset::mark_for_reset;
use crate::error::Result;
use crate::ids::OperationId;
use crate::store::meta::{self, Flag, Key};
use crate::store::outbox::PUSHED;
use crate::store::{Store, ts};
use crate::sync::protocol::{Operation, ServerBackup};

/// How long an acknowledged operation is kept when the server reports no backups.
pub const KEPT_WITHOUT_BACKUPS: Duration = Duration::days(7);

/// An acknowledged operation the phone keeps until a backup of the server holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptOperation {
    pub seq: i64,
    pub op_id: OperationId,
    pub acknowledged_at: DateTime<Utc>,
    /// The generation of the server's database that acknowledged it (None: a server that
    /// named none).
    pub generation: Option<String>,
}

/// What an answer's word on the server's backups did on the phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupNoted {
    /// The server's generation changed: it was restored from a backup.
    pub restored: bool,
    /// Kept operations put back in the outbox to be pushed again.
    pub pushed_again: u32,
    /// Kept operations dropped: a backup holds them, or their time was up.
    pub forgotten: u32,
}

/// Which outbox operations an acknowledgement keeps.
pub(in crate::store) enum Acknowledged {
    /// Every pushed one up to and including this sequence number.
    Through(i64),
    /// This one (parked for the service center: it leaves the outbox for the set-aside list).
    One(OperationId),
}

const KEEP: &str = "INSERT OR REPLACE INTO kept_ops(seq, op_id, hlc, entity, entity_id,
         device_time, payload, base_seq, acknowledged_at, generation)
     SELECT seq, op_id, hlc, entity, entity_id, device_time, payload, base_seq, ?3, ?4
     FROM outbox WHERE (?1 IS NULL OR seq <= ?1) AND (?2 IS NULL OR op_id = ?2)";

/// Copies the acknowledged operations into `kept_ops`, before they leave the outbox (in the
/// acknowledgement's transaction), with the photos they name. `generation`: the server's that
/// acknowledged them.
pub(in crate::store) fn keep_acknowledged(
    tx: &Transaction<'_>,
    which: Acknowledged,
    at: DateTime<Utc>,
    generation: Option<&str>,
) -> Result<usize> {
    let (through, op_id) = match which {
        Acknowledged::Through(seq) => (Some(seq), None),
        Acknowledged::One(op_id) => (None, Some(op_id)),
    };
    let kept = tx
        .prepare_cached(&format!("{KEEP} AND {PUSHED}"))?
        .execute(params![through, op_id, ts(&at), generation])?;
    // Only forms and photos name photos: the other payloads are not read.
    let named: Vec<(i64, String)> = tx
        .prepare_cached(&format!(
            "SELECT seq, payload FROM outbox WHERE (?1 IS NULL OR seq <= ?1)
             AND (?2 IS NULL OR op_id = ?2) AND entity IN ('form', 'photo') AND {PUSHED}"
        ))?
        .query_map(params![through, op_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO kept_photos(seq, sha256) VALUES (?1, ?2)")?;
    for (seq, payload) in named {
        let operation: Operation = serde_json::from_str(&payload)?;
        for photo in operation.photos() {
            insert.execute(params![seq, photo])?;
        }
    }
    Ok(kept)
}

/// Before a household leaves the phone with its photos: those a kept operation names stay,
/// without their household (`kept_only`), until the operation is dropped.
pub(in crate::store) const KEEP_NAMED_PHOTOS: &str =
    "UPDATE photos SET household_id = NULL, kept_only = 1 WHERE household_id = ?1
     AND EXISTS (SELECT 1 FROM kept_photos k WHERE k.sha256 = photos.sha256)";

impl Store {
    /// The operations the server acknowledged that the phone keeps until a backup holds
    /// them, oldest first.
    pub fn kept_operations(&self) -> Result<Vec<KeptOperation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, acknowledged_at, generation FROM kept_ops ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeptOperation {
                seq: r.get(0)?,
                op_id: r.get(1)?,
                acknowledged_at: r.get(2)?,
                generation: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The generation of the server's database the phone last heard of.
    pub fn server_generation(&self) -> Result<Option<String>> {
        meta::get(&self.conn, Key::SERVER_GENERATION)
    }

    /// Takes in what a push or pull answer says of the server's backups, in one transaction:
    /// a generation other than the one remembered puts every kept operation the earlier
    /// generation acknowledged back in the outbox (its photos to be offered again) and starts
    /// the pull over; `backed_up_through` drops what a backup holds; from a server that has
    /// not reported backups, what was acknowledged more than 7 days ago is dropped.
    pub fn note_server_backup(&mut self, backup: &ServerBackup) -> Result<BackupNoted> {
        let now = self.now();
        self.receive(|tx| note(tx, backup, now))
    }
}

fn note(tx: &Transaction<'_>, backup: &ServerBackup, now: DateTime<Utc>) -> Result<BackupNoted> {
    let mut noted = BackupNoted::default();
    if let Some(generation) = &backup.generation {
        let remembered = meta::get(tx, Key::SERVER_GENERATION)?;
        if remembered.as_ref().is_some_and(|r| r != generation) {
            noted.restored = true;
            noted.pushed_again = push_again(tx, generation)?;
            start_pull_over(tx)?;
            meta::lower(tx, Flag::BACKUPS_REPORTED)?;
            tracing::warn!(
                pushed_again = noted.pushed_again,
                "the server was restored from a backup: kept work goes to it again"
            );
        }
        if remembered.as_ref() != Some(generation) {
            meta::set(tx, Key::SERVER_GENERATION, generation)?;
        }
    }
    if let Some(through) = backup.backed_up_through {
        noted.forgotten += tx
            .prepare_cached("DELETE FROM kept_ops WHERE seq <= ?1")?
            .execute([through])? as u32;
        meta::raise(tx, Flag::BACKUPS_REPORTED)?;
    }
    if !meta::is_raised(tx, Flag::BACKUPS_REPORTED)? {
        noted.forgotten += tx
            .prepare_cached("DELETE FROM kept_ops WHERE acknowledged_at < ?1")?
            .execute([ts(&(now - KEPT_WITHOUT_BACKUPS))])? as u32;
    }
    if noted.forgotten > 0 {
        forget_photos(tx)?;
    }
    Ok(noted)
}

/// Kept operations another generation acknowledged go back to the outbox as they were pushed.
/// One the server parked for the service center leaves the set-aside list with it (the server
/// will name it parked again); one the office has rejected meanwhile stays as it is, decided.
fn push_again(tx: &Transaction<'_>, generation: &str) -> Result<u32> {
    const OLDER: &str = "generation IS NOT ?1";
    tx.prepare_cached(&format!(
        "DELETE FROM kept_ops WHERE {OLDER} AND op_id IN
           (SELECT op_id FROM sync_rejected WHERE state <> 'parked')"
    ))?
    .execute([generation])?;
    tx.prepare_cached(&format!(
        "DELETE FROM sync_rejected WHERE state = 'parked'
         AND op_id IN (SELECT op_id FROM kept_ops WHERE {OLDER})"
    ))?
    .execute([generation])?;
    // The restored server may lack their photos: each is offered again (the photos step asks
    // which the server lacks, and uploads only those).
    tx.prepare_cached(&format!(
        "DELETE FROM photo_uploads WHERE sha256 IN (SELECT k.sha256 FROM kept_photos k
           JOIN kept_ops o ON o.seq = k.seq WHERE o.{OLDER})"
    ))?
    .execute([generation])?;
    let again = tx
        .prepare_cached(&format!(
            "INSERT INTO outbox(seq, op_id, hlc, entity, entity_id, device_time, payload, base_seq)
             SELECT seq, op_id, hlc, entity, entity_id, device_time, payload, base_seq
             FROM kept_ops WHERE {OLDER}"
        ))?
        .execute([generation])?;
    tx.prepare_cached(&format!("DELETE FROM kept_ops WHERE {OLDER}"))?
        .execute([generation])?;
    Ok(again as u32)
}

/// The restored server's changes are numbered from its backup on: the cursor and the newest
/// change pulled mean nothing there. A full pull begins, as after a scope change: what it
/// does not send again leaves the phone at its end.
fn start_pull_over(tx: &Transaction<'_>) -> Result<()> {
    mark_for_reset(tx)?;
    meta::raise(tx, Flag::RESETTING)?;
    meta::set(tx, Key::CURSOR, "")?;
    meta::set(tx, Key::PULLED_THROUGH, "0")
}

/// The photos of operations no longer kept (nor waiting in the outbox again): those that
/// stayed only for them leave the phone, their files with the next vault sweep.
fn forget_photos(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM kept_photos WHERE seq NOT IN (SELECT seq FROM kept_ops)
           AND seq NOT IN (SELECT seq FROM outbox);
         DELETE FROM photo_uploads WHERE sha256 IN (SELECT sha256 FROM photos p WHERE p.kept_only = 1
           AND NOT EXISTS (SELECT 1 FROM kept_photos k WHERE k.sha256 = p.sha256));",
    )?;
    let gone = tx.execute(
        "DELETE FROM photos WHERE kept_only = 1
         AND NOT EXISTS (SELECT 1 FROM kept_photos k WHERE k.sha256 = photos.sha256)",
        [],
    )?;
    if gone > 0 {
        meta::raise(tx, Flag::SWEEP_VAULT)?;
    }
    Ok(())
}
