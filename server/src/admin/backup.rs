//! `doorstep admin backup` and `doorstep admin restore` (issue 27): see [`crate::backup`].

use super::Act;
use crate::serve::StorageOptions;

/// `doorstep admin backup …`
#[derive(Debug, clap::Args)]
pub struct BackupArgs {}

/// `doorstep admin restore …`
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {}

/// Backs up now. It does not take the storage opened for the other commands: a backup is of
/// the data directory (SQLite) or explains the database's own tools (PostgreSQL).
pub(super) fn backup(
    _storage: &StorageOptions,
    _args: BackupArgs,
    _act: &Act,
) -> Result<(), String> {
    todo!("issue 27: admin backup")
}

/// Restores into an empty data directory, before any storage is opened there.
pub(super) fn restore(
    _storage: &StorageOptions,
    _args: RestoreArgs,
    _act: &Act,
) -> Result<(), String> {
    todo!("issue 27: admin restore")
}
