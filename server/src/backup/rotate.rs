//! The rotation: which backups a backup directory keeps (decided from the listing alone, by
//! [`plan`]), then done by [`rotate`]:
//!
//! - the newest `--backup-keep` scheduled and on-demand backups (default 8: two months of
//!   weeklies);
//! - the newest two immediate copies (the last one and the one before, should the last be
//!   damaged after its check);
//! - the newest two failed backups (renamed `*-failed`), for someone to look at; older ones go;
//! - no incomplete backup (no manifest): the lock is held, so none is being written; it was cut
//!   off;
//! - in `photos/`, only the photos a kept backup names (and no temporary file).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::PHOTOS_DIR;
use super::error::BackupError;
use super::files;
use super::manifest::Manifest;

/// Immediate copies kept: the newest and the one before.
pub const KEEP_IMMEDIATE: usize = 2;
/// Failed backups kept for someone to look at.
pub const KEEP_FAILED: usize = 2;

/// A backup as the directory listing shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub path: PathBuf,
    pub standing: Standing,
}

#[derive(Debug, Clone)]
pub enum Standing {
    /// Has its manifest (good as far as the listing knows; [`super::check`] says more).
    Complete(Box<Manifest>),
    /// Renamed `*-failed` after a failed check or write, or with a manifest that cannot be read.
    Failed,
    /// No manifest: cut off while it was written.
    Incomplete,
}

/// The backups in `backup_dir`, oldest first (their names start with the time they were made).
pub fn list(backup_dir: &Path) -> Result<Vec<Listed>, BackupError> {
    let read = files::failed("读取备份目录", "reading the backup directory", backup_dir);
    let mut listed = Vec::new();
    let entries = match std::fs::read_dir(backup_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(listed),
        Err(e) => return Err(read(e)),
    };
    for entry in entries {
        let entry = entry.map_err(&read)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == PHOTOS_DIR
            || name.starts_with('.')
            || !entry.file_type().map_err(&read)?.is_dir()
        {
            continue;
        }
        let path = entry.path();
        let standing = if name.ends_with("-failed") {
            Standing::Failed
        } else {
            match Manifest::read(&path) {
                Ok(Some(manifest)) => Standing::Complete(Box::new(manifest)),
                Ok(None) => Standing::Incomplete,
                Err(_) => Standing::Failed,
            }
        };
        listed.push(Listed { path, standing });
    }
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listed)
}

/// What a rotation keeps and removes, by index into the listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub keep: Vec<usize>,
    pub remove: Vec<usize>,
}

/// The rotation of a listing (oldest first), keeping the newest `keep` full backups.
pub fn plan(listed: &[Listed], keep: usize) -> Plan {
    let mut plan = Plan::default();
    let (mut full, mut immediate, mut failed) = (0, 0, 0);
    for (i, backup) in listed.iter().enumerate().rev() {
        let kept = match &backup.standing {
            Standing::Complete(m) if m.kind.is_full() => {
                full += 1;
                full <= keep
            }
            Standing::Complete(_) => {
                immediate += 1;
                immediate <= KEEP_IMMEDIATE
            }
            Standing::Failed => {
                failed += 1;
                failed <= KEEP_FAILED
            }
            Standing::Incomplete => false,
        };
        if kept {
            plan.keep.push(i);
        } else {
            plan.remove.push(i);
        }
    }
    plan.keep.reverse();
    plan.remove.reverse();
    plan
}

/// What a rotation removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotated {
    pub backups_removed: Vec<PathBuf>,
    pub photos_removed: u64,
}

/// Rotates `backup_dir`. The caller holds its exclusive lock.
pub fn rotate(backup_dir: &Path, keep: usize) -> Result<Rotated, BackupError> {
    let listed = list(backup_dir)?;
    let plan = plan(&listed, keep);
    let mut rotated = Rotated::default();
    for &i in &plan.remove {
        let path = &listed[i].path;
        std::fs::remove_dir_all(path).map_err(files::failed(
            "删除旧备份",
            "removing an old backup",
            path,
        ))?;
        rotated.backups_removed.push(path.clone());
    }
    let named: HashSet<&str> = plan
        .keep
        .iter()
        .filter_map(|&i| match &listed[i].standing {
            Standing::Complete(m) => Some(m.photos.iter().map(|p| p.sha256.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    rotated.photos_removed = remove_photos_not_named(&backup_dir.join(PHOTOS_DIR), &named)?;
    Ok(rotated)
}

fn remove_photos_not_named(photos: &Path, named: &HashSet<&str>) -> Result<u64, BackupError> {
    let read = files::failed("读取备份照片", "reading the backup's photos", photos);
    let mut removed = 0;
    let shards = match std::fs::read_dir(photos) {
        Ok(shards) => shards,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(read(e)),
    };
    for shard in shards {
        let shard = shard.map_err(&read)?;
        if !shard.file_type().map_err(&read)?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(shard.path()).map_err(&read)? {
            let file = file.map_err(&read)?;
            let name = file.file_name().to_string_lossy().into_owned();
            let keep = files::photo_hash(&name).is_some_and(|hash| named.contains(hash));
            if !keep || files::is_temporary(&name) {
                let path = file.path();
                std::fs::remove_file(&path).map_err(files::failed(
                    "删除照片",
                    "removing a photo",
                    &path,
                ))?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::{FileEntry, Kind};

    fn backup(name: &str, kind: Kind) -> Listed {
        Listed {
            path: PathBuf::from(name),
            standing: Standing::Complete(Box::new(Manifest {
                format: 1,
                made_at: chrono::Utc::now(),
                kind,
                generation: None,
                last_seq: 0,
                snapshot_ms: 0,
                database: FileEntry {
                    sha256: String::new(),
                    bytes: 0,
                },
                photos: Vec::new(),
                backed_up_through: Default::default(),
            })),
        }
    }

    fn other(name: &str, standing: Standing) -> Listed {
        Listed {
            path: PathBuf::from(name),
            standing,
        }
    }

    #[test]
    fn the_rotation_keeps_the_newest_full_backups_two_immediate_copies_and_two_failed_ones() {
        let listed = vec![
            backup("01-scheduled", Kind::Scheduled),
            backup("02-immediate", Kind::Immediate),
            other("03-scheduled-failed", Standing::Failed),
            backup("04-on_demand", Kind::OnDemand),
            other("05-immediate", Standing::Incomplete),
            backup("06-immediate", Kind::Immediate),
            other("07-scheduled-failed", Standing::Failed),
            other("08-immediate-failed", Standing::Failed),
            backup("09-scheduled", Kind::Scheduled),
            backup("10-immediate", Kind::Immediate),
            backup("11-scheduled", Kind::Scheduled),
        ];
        let plan = plan(&listed, 2);
        let names = |ix: &[usize]| -> Vec<String> {
            ix.iter()
                .map(|&i| listed[i].path.display().to_string())
                .collect()
        };
        assert_eq!(
            names(&plan.keep),
            [
                "06-immediate",
                "07-scheduled-failed",
                "08-immediate-failed",
                "09-scheduled",
                "10-immediate",
                "11-scheduled"
            ]
        );
        assert_eq!(
            names(&plan.remove),
            [
                "01-scheduled",
                "02-immediate",
                "03-scheduled-failed",
                "04-on_demand",
                "05-immediate"
            ]
        );
    }
}
