//! What can go wrong with a backup or a restore, said in Chinese and English for the operator
//! (and the log). Paths and photo hashes name files, never a person.

use std::path::PathBuf;

use super::check::Fault;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file could not be read or written: what was being done, and the system's reason.
    #[error("{zh}失败：{detail} / {en} failed: {detail}")]
    Io {
        zh: &'static str,
        en: &'static str,
        detail: String,
    },
    /// SQLite refused the snapshot or the reading of a copy.
    #[error("数据库：{0} / database: {0}")]
    Database(String),
    /// The check after writing (or before restoring) found faults.
    #[error(
        "备份未通过检查（{}）/ the backup failed its check ({}): {}",
        .path.display(), .path.display(), faults_text(.faults)
    )]
    Check { path: PathBuf, faults: Vec<Fault> },
    /// A backup directory without its manifest: cut off while it was written.
    #[error(
        "备份不完整（没有 manifest.json），不能恢复 / the backup is incomplete (no manifest.json) and is never restored: {}",
        .0.display()
    )]
    Incomplete(PathBuf),
    /// A backup renamed `*-failed` when it was written.
    #[error(
        "此备份写入时未通过检查，不能恢复 / this backup failed its check when it was written and is never restored: {}",
        .0.display()
    )]
    SetAside(PathBuf),
    /// Nothing to restore from.
    #[error(
        "{} 中没有通过检查的备份 / no backup in {} passes its check",
        .0.display(), .0.display()
    )]
    NoGoodBackup(PathBuf),
    /// A restore goes into an empty directory only: it never mixes with or replaces data.
    #[error(
        "数据目录不是空的，恢复只写入空目录 / the data directory is not empty; a restore writes into an empty one only: {}",
        .0.display()
    )]
    NotEmpty(PathBuf),
    /// The server's own backups are of the embedded deployment; S3 keeps its own versions.
    #[error(
        "照片在 S3：请用存储桶的版本控制备份照片（见 docs/operations.md）/ photos are in S3: they are backed up by the bucket's versioning (docs/operations.md)"
    )]
    PhotosNotLocal,
    /// A storage operation of the server (recording what a backup holds).
    #[error(transparent)]
    Server(#[from] crate::error::Error),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Database(e.to_string())
    }
}

fn faults_text(faults: &[Fault]) -> String {
    faults
        .iter()
        .map(Fault::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
