//! The check of a backup, after it is written and before it is restored: the manifest reads,
//! the database file is the one the manifest names (SHA-256 and size), SQLite opens it and
//! finds it whole (`PRAGMA integrity_check`), its last change is the manifest's, and every
//! photo it names is in the backup directory with its size (and its hash, in a full check).

use std::path::Path;

use super::DATABASE_FILE;
use super::error::BackupError;
use super::files;
use super::manifest::{FORMAT, Manifest};
use super::snapshot;

/// How far a check reads the photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Every photo hashed: a scheduled or on-demand backup, and every restore.
    Full,
    /// Every photo present with its size: an immediate copy every few minutes, whose new
    /// photos were hashed as they were copied (the others by the copies and checks before).
    Sizes,
}

/// One thing wrong with a backup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("清单格式 {0} 无法识别 / manifest format {0} is not one this server reads")]
    Format(u32),
    #[error("没有数据库文件 / the database file is missing")]
    DatabaseMissing,
    #[error(
        "数据库文件与清单的 SHA-256 或大小不符 / the database file's SHA-256 or size is not the manifest's"
    )]
    DatabaseChanged,
    #[error("数据库完整性检查未通过 / the database's integrity check failed: {0}")]
    Integrity(String),
    #[error("数据库无法读取 / the database cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "数据库的最后变更 {found} 不是清单的 {manifest} / the database's last change {found} is not the manifest's {manifest}"
    )]
    LastSeq { manifest: i64, found: i64 },
    #[error("缺少照片 / photo missing: {0}")]
    PhotoMissing(String),
    #[error("照片与其 SHA-256 或大小不符 / photo does not match its SHA-256 or size: {0}")]
    PhotoChanged(String),
}

/// Checks the backup in `dir` (whose photos are in its parent's `photos/`): its manifest, or
/// why it is not good.
pub fn check(dir: &Path, depth: Depth) -> Result<Manifest, BackupError> {
    let manifest = Manifest::read(dir)?.ok_or_else(|| BackupError::Incomplete(dir.to_owned()))?;
    let mut faults = Vec::new();
    if manifest.format != FORMAT {
        faults.push(Fault::Format(manifest.format));
    } else {
        check_database(dir, &manifest, &mut faults)?;
        let backup_dir = dir.parent().unwrap_or(dir);
        check_photos(backup_dir, &manifest, depth, &mut faults)?;
    }
    if faults.is_empty() {
        Ok(manifest)
    } else {
        Err(BackupError::Check {
            path: dir.to_owned(),
            faults,
        })
    }
}

fn check_database(
    dir: &Path,
    manifest: &Manifest,
    faults: &mut Vec<Fault>,
) -> Result<(), BackupError> {
    let path = dir.join(DATABASE_FILE);
    if !path.is_file() {
        faults.push(Fault::DatabaseMissing);
        return Ok(());
    }
    if files::hash_file(&path)? != manifest.database {
        // Whatever SQLite makes of it, it is not the copy that was checked when written.
        faults.push(Fault::DatabaseChanged);
        return Ok(());
    }
    let read = (|| {
        let conn = snapshot::open_copy(&path)?;
        Ok::<_, BackupError>((snapshot::integrity(&conn)?, snapshot::last_seq(&conn)?))
    })();
    match read {
        Ok((Err(found), _)) => faults.push(Fault::Integrity(found)),
        Ok((Ok(()), found)) if found != manifest.last_seq => faults.push(Fault::LastSeq {
            manifest: manifest.last_seq,
            found,
        }),
        Ok(_) => {}
        Err(e) => faults.push(Fault::Unreadable(e.to_string())),
    }
    Ok(())
}

fn check_photos(
    backup_dir: &Path,
    manifest: &Manifest,
    depth: Depth,
    faults: &mut Vec<Fault>,
) -> Result<(), BackupError> {
    for photo in &manifest.photos {
        let path = files::backup_photo(backup_dir, &photo.sha256);
        let size = match std::fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                faults.push(Fault::PhotoMissing(photo.sha256.clone()));
                continue;
            }
            Err(e) => return Err(files::failed("读取照片", "reading a photo", &path)(e)),
        };
        let same = match depth {
            Depth::Sizes => size == photo.bytes,
            Depth::Full => files::hash_file(&path)? == *photo,
        };
        if !same {
            faults.push(Fault::PhotoChanged(photo.sha256.clone()));
        }
    }
    Ok(())
}
