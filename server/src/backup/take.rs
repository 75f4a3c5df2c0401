//! Taking one backup of the embedded server: the database copied online, the photos it knows
//! copied once into the shared `photos/`, the manifest written last, the whole checked; then
//! what it holds recorded in the server's own table (for the phones) and the rotation applied.
//! A backup that fails to write or to check is renamed `*-failed` and is an error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::check::{Depth, check};
use super::error::BackupError;
use super::manifest::{FORMAT, Kind, Manifest};
use super::rotate::{Rotated, rotate};
use super::{BACKED_UP_THROUGH, DATABASE_FILE, LAST_BACKUP, files, snapshot};
use crate::serve::StorageOptions;
use crate::storage::{Storage, write};

/// The live data of the embedded server: its database file and its photo directory.
#[derive(Debug, Clone)]
pub struct Source {
    pub database: PathBuf,
    pub photos: PathBuf,
}

impl Source {
    /// The server's data as its storage options name them; an error on S3 (`--blobs
    /// s3://…`), whose photos the bucket's versioning keeps. PostgreSQL is the caller's to
    /// refuse (it has no data directory to copy).
    pub fn of(options: &StorageOptions) -> Result<Source, BackupError> {
        let photos = match options.blobs.as_deref() {
            Some(url) if url.starts_with("s3://") => return Err(BackupError::PhotosNotLocal),
            Some(dir) => PathBuf::from(dir),
            None => options.data.join("photos"),
        };
        Ok(Source {
            database: options.data.join(DATABASE_FILE),
            photos,
        })
    }
}

/// A backup written and checked.
#[derive(Debug, Clone)]
pub struct Taken {
    pub path: PathBuf,
    pub manifest: Manifest,
    /// Photos copied by this backup (the others were in `photos/` already).
    pub photos_copied: usize,
    pub rotated: Rotated,
}

impl Taken {
    pub fn snapshot(&self) -> Duration {
        Duration::from_millis(self.manifest.snapshot_ms)
    }
}

/// Takes a backup of `source` into `backup_dir`, checks it, records it in `storage` (the same
/// database, opened by the server or the admin tool) and rotates, keeping `keep` full backups.
pub fn take(
    storage: &dyn Storage,
    source: &Source,
    backup_dir: &Path,
    kind: Kind,
    keep: usize,
) -> Result<Taken, BackupError> {
    std::fs::create_dir_all(backup_dir).map_err(files::failed(
        "创建备份目录",
        "creating the backup directory",
        backup_dir,
    ))?;
    let _lock = files::Lock::exclusive(backup_dir)?;
    let made_at = Utc::now();
    let path = backup_dir.join(name(made_at, kind));
    std::fs::create_dir(&path).map_err(files::failed("创建备份", "creating the backup", &path))?;
    let written = write_backup(source, backup_dir, &path, made_at, kind).and_then(|taken| {
        let depth = if kind.is_full() {
            Depth::Full
        } else {
            Depth::Sizes
        };
        check(&path, depth).map(|_| taken)
    });
    let (manifest, photos_copied) = match written {
        Ok(taken) => taken,
        Err(e) => {
            set_aside(&path);
            forget_damaged_photos(backup_dir, &e);
            return Err(e);
        }
    };
    record(storage, &path, &manifest)?;
    let rotated = rotate(backup_dir, keep)?;
    Ok(Taken {
        path,
        manifest,
        photos_copied,
        rotated,
    })
}

/// `20261207T020000.123Z-scheduled`: sorted by name, sorted by time.
fn name(made_at: DateTime<Utc>, kind: Kind) -> String {
    format!("{}-{}", made_at.format("%Y%m%dT%H%M%S%.3fZ"), kind.as_str())
}

fn write_backup(
    source: &Source,
    backup_dir: &Path,
    path: &Path,
    made_at: DateTime<Utc>,
    kind: Kind,
) -> Result<(Manifest, usize), BackupError> {
    let copy = path.join(DATABASE_FILE);
    let took = snapshot::vacuum_into(&source.database, &copy)?;
    let database = files::hash_file(&copy)?;
    let contents = snapshot::contents(&copy)?;
    let mut copied = 0;
    for photo in &contents.photos {
        let to = files::backup_photo(backup_dir, &photo.sha256);
        if to.exists() {
            continue;
        }
        let from = files::server_photo(&source.photos, &photo.sha256);
        let got = files::copy_durably(&from, &to)?;
        if got != *photo {
            // The server's own file is not the photo it recorded: never kept as good.
            let _ = std::fs::remove_file(&to);
            return Err(BackupError::Check {
                path: path.to_owned(),
                faults: vec![super::Fault::PhotoChanged(photo.sha256.clone())],
            });
        }
        copied += 1;
    }
    let manifest = Manifest {
        format: FORMAT,
        made_at,
        kind,
        generation: contents.generation,
        last_seq: contents.last_seq,
        snapshot_ms: took.as_millis() as u64,
        database,
        photos: contents.photos,
        backed_up_through: contents.backed_up_through,
    };
    manifest.write(path)?;
    Ok((manifest, copied))
}

/// Renames a backup that failed `*-failed`, so that it is never restored nor counted.
fn set_aside(path: &Path) {
    let mut failed = path.as_os_str().to_owned();
    failed.push("-failed");
    if let Err(e) = std::fs::rename(path, &failed) {
        tracing::error!(error = %e, path = %path.display(), "a failed backup could not be set aside");
    }
}

/// A photo of `photos/` found damaged is removed, so that the next backup copies it again
/// from the server instead of failing on it forever.
fn forget_damaged_photos(backup_dir: &Path, e: &BackupError) {
    if let BackupError::Check { faults, .. } = e {
        for fault in faults {
            if let super::Fault::PhotoChanged(sha256) = fault {
                let _ = std::fs::remove_file(files::backup_photo(backup_dir, sha256));
            }
        }
    }
}

/// Records in the server's own table what the checked backup holds: per device, what its
/// phone may forget; and the backup itself.
fn record(storage: &dyn Storage, path: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let last = serde_json::json!({
        "made_at": manifest.made_at,
        "kind": manifest.kind,
        "path": path.display().to_string(),
        "last_seq": manifest.last_seq,
    })
    .to_string();
    write(storage, |tx| {
        for (device, through) in &manifest.backed_up_through {
            tx.put_server_meta(
                &format!("{BACKED_UP_THROUGH}{device}"),
                &through.to_string(),
            )?;
        }
        tx.put_server_meta(LAST_BACKUP, &last)?;
        Ok(())
    })?;
    Ok(())
}
