//! The database's copy: made online with `VACUUM INTO` (one read transaction of its own, so
//! the server's writers go on; ADR 0009 says why rather than the backup API), and read back
//! as a file apart from the server's storage: what a backup holds is read from the copy
//! itself, never from the live database a moment later.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::error::BackupError;
use super::files;
use super::manifest::FileEntry;

/// Copies the live database at `live` into `out` (which must not exist), consistent as of one
/// moment, and syncs it: how long the copy took.
pub fn vacuum_into(live: &Path, out: &Path) -> Result<Duration, BackupError> {
    let started = Instant::now();
    let conn = Connection::open_with_flags(
        live,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(30))?;
    let target = out
        .to_str()
        .ok_or_else(|| BackupError::Database(format!("{}: not UTF-8", out.display())))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    drop(conn);
    // VACUUM INTO leaves the copy to the page cache: synced before anyone relies on it.
    files::sync_file(out)?;
    Ok(started.elapsed())
}

/// What a copy holds, as read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    pub generation: Option<String>,
    pub last_seq: i64,
    /// Every complete photo: its hash and size.
    pub photos: Vec<FileEntry>,
    /// Per device, the highest `device_seq` of its operations held with every photo they name.
    pub backed_up_through: BTreeMap<String, i64>,
}

/// Opens a copy for reading only (never the live database).
pub fn open_copy(path: &Path) -> Result<Connection, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Database(format!(
            "{}: no such file",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    Ok(conn)
}

/// `PRAGMA integrity_check`: `Ok` when SQLite says `ok`, else what it found (first lines).
pub fn integrity(conn: &Connection) -> Result<Result<(), String>, BackupError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(if lines == ["ok"] {
        Ok(())
    } else {
        Err(lines.join(" | "))
    })
}

/// The server's last change in a copy.
pub fn last_seq(conn: &Connection) -> Result<i64, BackupError> {
    Ok(conn
        .query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Reads what the copy at `path` holds.
pub fn contents(path: &Path) -> Result<Contents, BackupError> {
    let conn = open_copy(path)?;
    let generation = conn
        .query_row(
            "SELECT value FROM server_meta WHERE name = ?1",
            [super::GENERATION],
            |r| r.get(0),
        )
        .optional()?;
    let photos = conn
        .prepare("SELECT sha256, total FROM photos WHERE complete ORDER BY sha256")?
        .query_map([], |r| {
            Ok(FileEntry {
                sha256: r.get(0)?,
                bytes: r.get::<_, i64>(1)? as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Contents {
        generation,
        last_seq: last_seq(&conn)?,
        photos,
        backed_up_through: backed_up_through(&conn)?,
    })
}

/// Per device, the highest `device_seq` the copy holds, stopping short of the device's first
/// operation whose photos are not all in it: the phone uploads a sealed form's photos after
/// pushing the form, so a form may be in the copy while its photos are not yet (a form's
/// photos through `form_photos`, a photo's own metadata by its hash).
fn backed_up_through(conn: &Connection) -> Result<BTreeMap<String, i64>, BackupError> {
    let mut through: BTreeMap<String, i64> = conn
        .prepare("SELECT device_id, MAX(device_seq) FROM ops GROUP BY device_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let waiting = conn
        .prepare(
            "SELECT o.device_id, MIN(o.device_seq) FROM ops o
             WHERE (o.entity = 'form' AND EXISTS (
                       SELECT 1 FROM form_photos f WHERE f.form_id = o.entity_id AND NOT EXISTS (
                           SELECT 1 FROM photos p WHERE p.sha256 = f.sha256 AND p.complete)))
                OR (o.entity = 'photo' AND NOT EXISTS (
                       SELECT 1 FROM photos p WHERE p.sha256 = o.entity_id AND p.complete))
             GROUP BY o.device_id",
        )?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (device, first_waiting) in waiting {
        if let Some(seq) = through.get_mut(&device) {
            *seq = (*seq).min(first_waiting - 1);
        }
    }
    Ok(through)
}
