//! Backups (Art.15: business data backed up at least weekly, important data immediately),
//! issue 27.
//!
//! On SQLite (the embedded default) the server backs itself up: the database online, with the
//! photo directory, on a schedule and on demand, each backup checked after it is written, kept
//! by a documented rotation; important data copied within minutes of being acknowledged. On
//! PostgreSQL and S3 the database's and the object store's own tools do it
//! (docs/operations.md).
//!
//! The server's generation (a value kept in the database, changed by a restore) tells the
//! phones that the server they sync with was restored: they push again what it acknowledged
//! and they still keep (docs/operations.md, "No acknowledged work is lost").
//!
//! A backup directory (`--backup-dir`) holds:
//! ```text
//! <backup-dir>/20261207T020000.000Z-scheduled/doorstep.sqlite   the database, made online
//! <backup-dir>/20261207T020000.000Z-scheduled/manifest.json     written last: no manifest, no backup
//! <backup-dir>/photos/ab/ab12….jpg                              every photo once, named by its SHA-256
//! <backup-dir>/.lock                                            one backup or restore at a time
//! ```
//! `take` writes and checks one backup, `check` checks one, `rotate` keeps what the rotation
//! says, `restore` puts one back into an empty data directory, `schedule` runs the two loops
//! of `doorstep serve`. ADR 0009 says why it is built this way.

mod check;
mod error;
mod files;
mod manifest;
mod restore;
mod rotate;
mod schedule;
mod snapshot;
mod take;

use crate::error::Result;
use crate::storage::Tx;

pub use self::check::{Depth, Fault, check};
pub use self::error::BackupError;
pub use self::manifest::{FileEntry, Kind, Manifest};
pub use self::restore::{Restored, restore};
pub use self::rotate::{Listed, Plan, Rotated, Standing, list, plan, rotate};
pub use self::schedule::{BackupOptions, Metrics, metrics_text, spawn_schedules};
pub use self::take::{Source, Taken, take};

/// The database file in a backup, named as in the data directory.
pub const DATABASE_FILE: &str = "doorstep.sqlite";
/// A backup's manifest: written last, so a backup without one is incomplete.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The photos of every backup, in the backup directory: one file per SHA-256.
pub const PHOTOS_DIR: &str = "photos";
/// The newest scheduled and on-demand backups kept by default: two months of weeklies.
pub const DEFAULT_KEEP: u32 = 8;

/// `server_meta` names (the phones' helper reads them through [`generation`] and
/// [`backed_up_through`]).
pub const GENERATION: &str = "generation";
/// Prefix of `backed_up_through:<device_id>`: the highest `device_seq` of that device's
/// operations a checked backup holds (with every photo they name).
pub const BACKED_UP_THROUGH: &str = "backed_up_through:";
/// The last checked backup: JSON `{made_at, kind, path}`.
pub const LAST_BACKUP: &str = "last_backup";
/// Where a restored database came from: JSON `{backup, made_at, restored_at}`.
pub const RESTORED_FROM: &str = "restored_from";

/// The server's generation: a random UUID made at the first open of a database and changed
/// by every restore, so that a phone learns that the server it syncs with lost what was
/// acknowledged after the backup. Made here when the database has none yet: call it in a
/// write transaction ([`crate::serve::seed_templates`] does, at every open).
pub fn generation(tx: &mut dyn Tx) -> Result<String> {
    match tx.server_meta(GENERATION)? {
        Some(generation) => Ok(generation),
        None => new_generation(tx),
    }
}

/// A new generation, replacing the old one (a restore).
pub fn new_generation(tx: &mut dyn Tx) -> Result<String> {
    let generation = uuid::Uuid::new_v4().to_string();
    tx.put_server_meta(GENERATION, &generation)?;
    Ok(generation)
}

/// What the last checked backup holds of a device's operations: the highest `device_seq`
/// (`None`: no backup holds any of them, or the server was restored since).
pub fn backed_up_through(tx: &mut dyn Tx, device_id: &str) -> Result<Option<i64>> {
    Ok(tx
        .server_meta(&format!("{BACKED_UP_THROUGH}{device_id}"))?
        .and_then(|v| v.parse().ok()))
}
