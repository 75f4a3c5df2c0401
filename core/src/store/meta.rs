//! What the store keeps about itself and its sync, one value per key in the `meta` table: the
//! device's identity, where it stands with the server, the high-water marks that keep clock
//! stamps and sequence numbers from being issued twice, and the marks of work under way.
//!
//! Every key is named here and nowhere else (the `meta` rows of old files and the trigger of
//! schema v5, which reads [`Flag::EVICTING`], use the same words).

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// A value kept in `meta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key(&'static str);

impl Key {
    /// This installation's id, made at first open.
    pub const DEVICE_ID: Key = Key("device_id");
    /// The newest clock stamp issued or seen, kept when the outbox is emptied.
    pub const HLC: Key = Key("hlc");
    /// The highest outbox sequence number issued, kept when the outbox is emptied.
    pub const OUTBOX_SEQ: Key = Key("outbox_seq");
    /// The server's base URL, once enrolled.
    pub const SERVER: Key = Key("server");
    /// The device's credential (only ever in this encrypted file).
    pub const CREDENTIAL: Key = Key("credential");
    pub const TECHNICIAN_ID: Key = Key("technician_id");
    /// The cursor of the last pulled page.
    pub const CURSOR: Key = Key("cursor");
    /// The newest server change pulled.
    pub const PULLED_THROUGH: Key = Key("pulled_through");
    /// When the last sync finished.
    pub const LAST_SYNC_AT: Key = Key("last_sync_at");
    /// The generation of the server's database last heard of: another one means the server
    /// was restored from a backup (`store::sync::kept`).
    pub const SERVER_GENERATION: Key = Key("server_generation");

    /// The key's name, for a statement that reads it in SQL (the outbox's next number).
    pub fn name(self) -> &'static str {
        self.0
    }
}

/// A mark that work is under way, present or absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Flag(&'static str);

impl Flag {
    /// A full pull after a scope change is under way: what it does not send again leaves.
    pub const RESETTING: Flag = Flag("resetting");
    /// A household is being removed with its sealed forms (the trigger of schema v5 lets
    /// them go only then). Raised and lowered within one transaction.
    pub const EVICTING: Flag = Flag("evicting");
    /// Photos of removed households are still in the vault: swept after the commit.
    pub const SWEEP_VAULT: Flag = Flag("sweep_vault");
    /// The server's generation reports its backups (`backed_up_through`): kept operations wait
    /// for a backup to hold them, however long, instead of being dropped after 7 days.
    pub const BACKUPS_REPORTED: Flag = Flag("server_reports_backups");
}

pub(super) fn get(conn: &Connection, key: Key) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key.0], |r| r.get(0))
        .optional()?)
}

pub(super) fn set(conn: &Connection, key: Key, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key.0, value])?;
    Ok(())
}

/// Keeps `value` unless the stored one is larger: for texts that sort as what they stand for
/// (clock stamps).
pub(super) fn raise_text(conn: &Connection, key: Key, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
    )?
    .execute([key.0, value])?;
    Ok(())
}

/// Keeps `value` unless the stored number is larger.
pub(super) fn raise_number(conn: &Connection, key: Key, value: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE
         SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
    )?
    .execute(rusqlite::params![key.0, value])?;
    Ok(())
}

pub(super) fn raise(conn: &Connection, flag: Flag) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO meta(key, value) VALUES (?1, '1')")?
        .execute([flag.0])?;
    Ok(())
}

pub(super) fn lower(conn: &Connection, flag: Flag) -> Result<()> {
    conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?
        .execute([flag.0])?;
    Ok(())
}

pub(super) fn is_raised(conn: &Connection, flag: Flag) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)")?
        .query_row([flag.0], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .unwrap();
        conn
    }

    #[test]
    fn a_high_water_mark_never_goes_down() {
        let conn = conn();
        raise_number(&conn, Key::OUTBOX_SEQ, 9).unwrap();
        raise_number(&conn, Key::OUTBOX_SEQ, 10).unwrap();
        raise_number(&conn, Key::OUTBOX_SEQ, 2).unwrap();
        assert_eq!(get(&conn, Key::OUTBOX_SEQ).unwrap().as_deref(), Some("10"));
        raise_text(&conn, Key::HLC, "002").unwrap();
        raise_text(&conn, Key::HLC, "001").unwrap();
        assert_eq!(get(&conn, Key::HLC).unwrap().as_deref(), Some("002"));
    }

    #[test]
    fn a_flag_is_raised_once_and_lowered() {
        let conn = conn();
        assert!(!is_raised(&conn, Flag::RESETTING).unwrap());
        raise(&conn, Flag::RESETTING).unwrap();
        raise(&conn, Flag::RESETTING).unwrap();
        assert!(is_raised(&conn, Flag::RESETTING).unwrap());
        lower(&conn, Flag::RESETTING).unwrap();
        assert!(!is_raised(&conn, Flag::RESETTING).unwrap());
    }
}
