//! A backup's manifest (`manifest.json`): what the backup is and what it holds, written last
//! so that a backup cut off while it was written has none and is never taken for good.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::BackupError;
use super::{MANIFEST_FILE, files};

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `--backup-every` (weekly by default).
    Scheduled,
    /// `doorstep admin backup`.
    OnDemand,
    /// Within `--backup-important-within` of new work (Art.15, 重要数据立即备份).
    Immediate,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scheduled => "scheduled",
            Kind::OnDemand => "on_demand",
            Kind::Immediate => "immediate",
        }
    }

    /// Scheduled and on-demand backups are kept by `--backup-keep`; immediate copies apart.
    pub fn is_full(self) -> bool {
        self != Kind::Immediate
    }
}

/// A file by its content: SHA-256 (hex) and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// 1: this layout.
    pub format: u32,
    pub made_at: DateTime<Utc>,
    pub kind: Kind,
    /// The generation of the server the copy was taken from (`None`: a database that never
    /// had one).
    pub generation: Option<String>,
    /// The server's last change (sequence number) in the copy.
    pub last_seq: i64,
    /// How long the online copy of the database took.
    pub snapshot_ms: u64,
    pub database: FileEntry,
    /// Every complete photo the copy knows, each in `<backup-dir>/photos`.
    pub photos: Vec<FileEntry>,
    /// Per device, the highest `device_seq` of its operations the copy holds with every photo
    /// they name: what the phone may forget once the backup is checked.
    pub backed_up_through: BTreeMap<String, i64>,
}

pub const FORMAT: u32 = 1;

impl Manifest {
    /// The manifest of the backup in `dir`: `None` when it has none (incomplete).
    pub fn read(dir: &Path) -> Result<Option<Manifest>, BackupError> {
        let path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(files::failed("读取备份清单", "reading the manifest", &path)(e)),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| BackupError::Io {
                zh: "读取备份清单",
                en: "reading the manifest",
                detail: format!("{}: {e}", path.display()),
            })
    }

    /// Writes the manifest into `dir`, durably (a temporary file synced and renamed).
    pub fn write(&self, dir: &Path) -> Result<(), BackupError> {
        let text = serde_json::to_vec_pretty(self).map_err(|e| BackupError::Io {
            zh: "写备份清单",
            en: "writing the manifest",
            detail: e.to_string(),
        })?;
        files::write_durably(&dir.join(MANIFEST_FILE), &text)
    }

    /// The photos' total size.
    pub fn photo_bytes(&self) -> u64 {
        self.photos.iter().map(|p| p.bytes).sum()
    }
}
