//! `doorstep admin backup` and `doorstep admin restore` (issue 27): see [`crate::backup`].

use std::path::PathBuf;

use super::Act;
use crate::backup::{self, BackupError, DEFAULT_KEEP, Kind, Source};
use crate::serve::StorageOptions;

/// `doorstep admin backup …`
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where the backup goes (the same directory as `doorstep serve --backup-dir`).
    #[arg(long, env = "DOORSTEP_BACKUP_DIR", value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How many scheduled and on-demand backups the rotation keeps (the newest).
    #[arg(long, default_value_t = DEFAULT_KEEP, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
}

/// `doorstep admin restore …`
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup (`<backup-dir>/<time>-<kind>`), or a backup directory: its newest backup that
    /// passes its check. The data directory (`--data`) must be empty or missing.
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
}

/// What an operator of PostgreSQL and S3 is told: their own tools back up.
const NOT_OURS: &str = "\
在 PostgreSQL 与 S3 上，备份由数据库与对象存储自己完成，doorstep 不复制任何数据：
  - PostgreSQL：连续归档（archive_mode、archive_command 或 pgBackRest），每周一次全量备份；
    检查：pgbackrest info / pgbackrest check，或 pg_stat_archiver 中 failed_count 为 0、last_archived_time 在几分钟内；
  - S3：存储桶开启版本控制（及生命周期规则保留旧版本）；检查：aws s3api get-bucket-versioning 为 Enabled。
详见 docs/operations.md。
On PostgreSQL and S3, backups are the database's and the object store's own; doorstep copies nothing:
  - PostgreSQL: continuous archiving (archive_mode with archive_command, or pgBackRest), a full backup weekly;
    check: pgbackrest info / pgbackrest check, or pg_stat_archiver: failed_count 0, last_archived_time minutes old;
  - S3: bucket versioning on (with a lifecycle rule keeping old versions); check: aws s3api get-bucket-versioning says Enabled.
See docs/operations.md.";

/// Backs up now. It opens the storage itself, only once it knows there is a database to back
/// up (opening would otherwise make an empty one): a backup is of the data directory (SQLite)
/// or explains the database's own tools (PostgreSQL).
pub(super) fn backup(storage: &StorageOptions, args: BackupArgs, _act: &Act) -> Result<(), String> {
    if storage.database_url.is_some() {
        return Err(NOT_OURS.into());
    }
    let source = Source::of(storage).map_err(|e| e.to_string())?;
    let Some(dir) = args.backup_dir else {
        return Err(
            "请给出 --backup-dir（或 DOORSTEP_BACKUP_DIR）/ give --backup-dir (or DOORSTEP_BACKUP_DIR)"
                .into(),
        );
    };
    if !source.database.is_file() {
        return Err(format!(
            "没有数据库 / no database at {}: give --data",
            source.database.display()
        ));
    }
    let opened = storage.open_storage()?;
    let taken = backup::take(
        &*opened,
        &source,
        &dir,
        Kind::OnDemand,
        args.backup_keep as usize,
    )
    .map_err(|e| e.to_string())?;
    let m = &taken.manifest;
    println!(
        "备份已写入并通过检查 / backup written and checked: {}",
        taken.path.display()
    );
    println!(
        "数据库 / database: {} bytes, 最后变更 / last change {}, 复制用时 / copied in {} ms",
        m.database.bytes, m.last_seq, m.snapshot_ms
    );
    println!(
        "照片 / photos: {} ({} bytes), 新复制 / newly copied {}",
        m.photos.len(),
        m.photo_bytes(),
        taken.photos_copied
    );
    println!(
        "轮换删除 / rotation removed: {} backups, {} photos",
        taken.rotated.backups_removed.len(),
        taken.rotated.photos_removed
    );
    Ok(())
}

/// Restores into an empty data directory, before any storage is opened there.
pub(super) fn restore(
    storage: &StorageOptions,
    args: RestoreArgs,
    _act: &Act,
) -> Result<(), String> {
    if storage.database_url.is_some() {
        return Err(NOT_OURS.into());
    }
    if storage.blobs.is_some() {
        return Err(BackupError::PhotosNotLocal.to_string()
            + "\n恢复写入 <data>/photos：请去掉 --blobs / a restore writes <data>/photos: leave out --blobs");
    }
    let restored = backup::restore(&args.from, &storage.data).map_err(|e| e.to_string())?;
    for skipped in &restored.passed_over {
        eprintln!("跳过 / passed over: {skipped}");
    }
    let m = &restored.manifest;
    println!(
        "已恢复 / restored: {} → {}",
        restored.from.display(),
        storage.data.display()
    );
    println!(
        "备份时间 / made at: {} ({}), 最后变更 / last change {}, 照片 / photos {}",
        m.made_at.to_rfc3339(),
        m.kind.as_str(),
        m.last_seq,
        m.photos.len()
    );
    println!(
        "新的服务器代次 / new server generation: {}",
        restored.generation
    );
    Ok(())
}
