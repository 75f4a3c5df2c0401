//! The schema and its forward-only migrations, run at open.
//!
//! `MIGRATIONS[i]` upgrades a file from version `i` to `i + 1`. A step is never edited once
//! released: a change is a new step. Every earlier version is kept as a fixture in
//! `store/fixtures/v<N>.sql` (schema and rows as that version wrote them) and upgraded in a test.

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::meta::{self, Key};
use crate::error::{Error, Result};
use crate::household::Household;
use crate::sync::Hlc;

type Step = fn(&Transaction<'_>) -> Result<()>;

const MIGRATIONS: &[Step] = &[
    to_v1, to_v2, to_v3, to_v4, to_v5, to_v6, to_v7, to_v8, to_v9, to_v10,
];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > LATEST_VERSION {
        return Err(Error::StoreTooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    for version in found..LATEST_VERSION {
        let tx = conn.transaction()?;
        MIGRATIONS[version as usize](&tx)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The device id (made at first open) and the newest clock stamp this device issued.
pub(super) fn device_identity(conn: &Connection) -> Result<(String, Option<Hlc>)> {
    let device_id = match meta::get(conn, Key::DEVICE_ID)? {
        Some(id) => id,
        None => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            meta::set(conn, Key::DEVICE_ID, &id)?;
            id
        }
    };
    // The newest stamp is the last one in the outbox or, once the outbox was acknowledged and
    // emptied, the one kept in `meta` at that moment. Not writing it on every change saves a
    // page per write.
    let mut newest: Option<Hlc> = None;
    let last_queued: Option<String> = conn
        .query_row(
            "SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    for stamp in [meta::get(conn, Key::HLC)?, last_queued]
        .into_iter()
        .flatten()
    {
        let stamp: Hlc = stamp.parse().map_err(Error::Invalid)?;
        if newest.as_ref().is_none_or(|n| stamp > *n) {
            newest = Some(stamp);
        }
    }
    Ok((device_id, newest))
}

/// Version 1: the records, the history and the outbox.
fn to_v1(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v1.sql"))?;
    Ok(())
}

/// Version 2: household search (FTS5, trigram tokenizer: matches any substring of three or more
/// characters, which is what partial Chinese names and addresses need) and check-ins.
fn to_v2(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v2.sql"))?;
    let mut read = tx.prepare("SELECT rowid, doc FROM households")?;
    let rows = read.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (rowid, doc) = row?;
        let household: Household = serde_json::from_str(&doc)?;
        super::search::index_household(tx, rowid, &household)?;
    }
    Ok(())
}

/// Version 3: forms and the template versions they were started on; sealed forms are
/// protected by triggers.
fn to_v3(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v3.sql"))?;
    Ok(())
}

/// Version 4: photos (metadata rows; the files are in the vault).
fn to_v4(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v4.sql"))?;
    Ok(())
}

/// Version 5: sync state (refused operations, uploaded photos) and eviction of sealed forms
/// whose household left the technician's scope.
fn to_v5(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v5.sql"))?;
    Ok(())
}

/// Version 6: the timeline's lines in Chinese as well as English.
fn to_v6(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v6.sql"))?;
    Ok(())
}

/// Version 7: pulled changes this build could not read, held back until it can.
fn to_v7(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v7.sql"))?;
    Ok(())
}

/// Version 8: the records a full pull after a scope change has not sent again yet.
fn to_v8(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v8.sql"))?;
    Ok(())
}

/// Version 9: each operation's merge base; set-aside work's household and standing (refused,
/// parked for the service center, rejected by it).
fn to_v9(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v9.sql"))?;
    Ok(())
}

/// Version 10: acknowledged operations (and the photos they name) kept until a backup of the
/// server holds them, to push again after a restore.
fn to_v10(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(include_str!("schema/v10.sql"))?;
    Ok(())
}
