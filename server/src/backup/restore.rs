//! A restore: a checked backup put back into an EMPTY data directory, in the server's layout
//! (`<data>/doorstep.sqlite`, `<data>/photos`), with a new generation so that the phones learn
//! that the server was restored, and without the old server's `backed_up_through:*` (nothing
//! of this server is backed up yet).
//!
//! Photos go first and the database last, under a temporary name until its new generation is
//! written: a restore cut off leaves no database a server would start on.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::check::{Depth, check};
use super::error::BackupError;
use super::manifest::Manifest;
use super::rotate::{Standing, list};
use super::{BACKED_UP_THROUGH, DATABASE_FILE, MANIFEST_FILE, RESTORED_FROM, files};
use crate::storage::{SqliteStorage, write};

/// What a restore put back.
#[derive(Debug)]
pub struct Restored {
    /// The backup restored.
    pub from: PathBuf,
    pub manifest: Manifest,
    /// The restored server's new generation.
    pub generation: String,
    /// Newer backups that failed their check and were passed over (given a backup directory).
    pub passed_over: Vec<BackupError>,
}

/// Restores `from` (one backup, or a backup directory: its newest backup that passes its
/// check) into the empty (or missing) directory `data`.
pub fn restore(from: &Path, data: &Path) -> Result<Restored, BackupError> {
    refuse_unless_empty(data)?;
    let single = from.join(MANIFEST_FILE).exists() || from.join(DATABASE_FILE).exists();
    let backup_dir = if single {
        from.parent().unwrap_or(from).to_owned()
    } else {
        from.to_owned()
    };
    let _lock = files::Lock::shared(&backup_dir)?;
    if from
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("-failed"))
    {
        return Err(BackupError::SetAside(from.to_owned()));
    }
    let (path, manifest, passed_over) = if single {
        let manifest = check(from, Depth::Full)?;
        (from.to_owned(), manifest, Vec::new())
    } else {
        newest_good(from)?
    };
    std::fs::create_dir_all(data).map_err(files::failed(
        "创建数据目录",
        "creating the data directory",
        data,
    ))?;
    let photo_dir = data.join("photos");
    for photo in &manifest.photos {
        let to = files::server_photo(&photo_dir, &photo.sha256);
        let got = files::copy_durably(&files::backup_photo(&backup_dir, &photo.sha256), &to)?;
        if got != *photo {
            return Err(BackupError::Check {
                path,
                faults: vec![super::Fault::PhotoChanged(photo.sha256.clone())],
            });
        }
    }
    let restoring = data.join(format!("{DATABASE_FILE}.restoring"));
    let got = files::copy_durably(&path.join(DATABASE_FILE), &restoring)?;
    if got != manifest.database {
        return Err(BackupError::Check {
            path,
            faults: vec![super::Fault::DatabaseChanged],
        });
    }
    let generation = renew(&restoring, &path, &manifest)?;
    let database = data.join(DATABASE_FILE);
    std::fs::rename(&restoring, &database).map_err(files::failed(
        "放置数据库",
        "putting the database in place",
        &database,
    ))?;
    files::sync_parent(&database)?;
    Ok(Restored {
        from: path,
        manifest,
        generation,
        passed_over,
    })
}

/// Refuses a data directory with anything in it: a restore never mixes with nor replaces data.
fn refuse_unless_empty(data: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(data) {
        Ok(mut entries) => match entries.next() {
            Some(_) => Err(BackupError::NotEmpty(data.to_owned())),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(files::failed(
            "读取数据目录",
            "reading the data directory",
            data,
        )(e)),
    }
}

/// The newest backup of `backup_dir` that passes a full check, and the newer ones that failed.
fn newest_good(backup_dir: &Path) -> Result<(PathBuf, Manifest, Vec<BackupError>), BackupError> {
    let mut passed_over = Vec::new();
    let mut listed = list(backup_dir)?;
    listed.sort_by_key(made_at);
    for backup in listed.into_iter().rev() {
        if !matches!(backup.standing, Standing::Complete(_)) {
            continue;
        }
        match check(&backup.path, Depth::Full) {
            Ok(manifest) => return Ok((backup.path, manifest, passed_over)),
            Err(e) => passed_over.push(e),
        }
    }
    Err(BackupError::NoGoodBackup(backup_dir.to_owned()))
}

fn made_at(backup: &super::Listed) -> Option<chrono::DateTime<Utc>> {
    match &backup.standing {
        Standing::Complete(m) => Some(m.made_at),
        _ => None,
    }
}

/// Writes the restored database's new generation, forgets what the old server's backups held
/// and notes where it came from, through the server's own storage (which also brings the
/// schema up to this version); then leaves the file in rollback-journal mode, closed, with no
/// log beside it to lose in the rename (the server turns WAL on again at its first open).
fn renew(database: &Path, backup: &Path, manifest: &Manifest) -> Result<String, BackupError> {
    let storage =
        SqliteStorage::open(database).map_err(|e| BackupError::Database(e.to_string()))?;
    let restored_from = serde_json::json!({
        "backup": backup.display().to_string(),
        "made_at": manifest.made_at,
        "restored_at": Utc::now(),
    })
    .to_string();
    let generation = write(&storage, |tx| {
        tx.drop_server_meta_starting(BACKED_UP_THROUGH)?;
        tx.put_server_meta(RESTORED_FROM, &restored_from)?;
        super::new_generation(tx)
    })?;
    drop(storage);
    let conn = rusqlite::Connection::open(database)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // The storage's checkpoint thread closes its connection a moment after the storage is
    // dropped; until then the log cannot be left.
    let mut tries = 0;
    loop {
        let mode = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        });
        match mode {
            Ok(mode) if mode == "delete" => break,
            Ok(mode) if tries == 100 => {
                return Err(BackupError::Database(format!(
                    "{}: the journal mode stays {mode}",
                    database.display()
                )));
            }
            Err(e) if tries == 100 => return Err(e.into()),
            _ => tries += 1,
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(conn);
    files::sync_file(database)?;
    Ok(generation)
}
