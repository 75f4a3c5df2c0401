//! Files of a backup: hashed as they are read, written durably (a temporary file, synced,
//! renamed, its directory synced), photos where the server and the backup keep them, and the
//! lock that lets one backup or restore work on a backup directory at a time.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::PHOTOS_DIR;
use super::error::BackupError;
use super::manifest::FileEntry;

/// An I/O error said with what was being done and the file it was done to.
pub fn failed(
    zh: &'static str,
    en: &'static str,
    path: &Path,
) -> impl Fn(std::io::Error) -> BackupError {
    let path = path.display().to_string();
    move |e| BackupError::Io {
        zh,
        en,
        detail: format!("{path}: {e}"),
    }
}

/// The SHA-256 and size of a file, read once.
pub fn hash_file(path: &Path) -> Result<FileEntry, BackupError> {
    let read = failed("读取文件", "reading a file", path);
    let mut file = File::open(path).map_err(&read)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(&read)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(FileEntry {
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}

/// Copies `from` to `to` durably (a temporary name beside `to`, synced, renamed), hashing the
/// bytes on the way: what was copied.
pub fn copy_durably(from: &Path, to: &Path) -> Result<FileEntry, BackupError> {
    let read = failed("读取文件", "reading a file", from);
    let write = failed("写文件", "writing a file", to);
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(&write)?;
    }
    let temporary = temporary_name(to);
    let mut source = File::open(from).map_err(&read)?;
    let mut target = File::create(&temporary).map_err(&write)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    let copied = (|| {
        loop {
            let n = source.read(&mut buf).map_err(&read)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            target.write_all(&buf[..n]).map_err(&write)?;
            bytes += n as u64;
        }
        target.sync_all().map_err(&write)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    drop(target);
    std::fs::rename(&temporary, to).map_err(&write)?;
    sync_parent(to)?;
    Ok(FileEntry {
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}

/// Writes `bytes` to `path` durably.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let write = failed("写文件", "writing a file", path);
    let temporary = temporary_name(path);
    let mut file = File::create(&temporary).map_err(&write)?;
    file.write_all(bytes).map_err(&write)?;
    file.sync_all().map_err(&write)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(&write)?;
    sync_parent(path)
}

/// Syncs a file written by someone else (SQLite's `VACUUM INTO` does not).
pub fn sync_file(path: &Path) -> Result<(), BackupError> {
    File::open(path).and_then(|f| f.sync_all()).map_err(failed(
        "同步文件",
        "syncing a file",
        path,
    ))?;
    sync_parent(path)
}

/// Syncs the directory holding `path`, so that a rename or a new file in it survives a power cut.
pub fn sync_parent(path: &Path) -> Result<(), BackupError> {
    match path.parent() {
        Some(dir) => File::open(dir).and_then(|d| d.sync_all()).map_err(failed(
            "同步目录",
            "syncing a directory",
            dir,
        )),
        None => Ok(()),
    }
}

/// A name beside `path` for writing it first: ends in `.tmp`, which a rotation removes.
fn temporary_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// A left-over temporary file of [`copy_durably`] or [`write_durably`].
pub fn is_temporary(name: &str) -> bool {
    name.ends_with(".tmp")
}

/// A photo in the server's photo directory (`<data>/photos` or `--blobs DIR`), where its
/// object store keeps it ([`crate::photos::blob_path`]).
pub fn server_photo(photo_dir: &Path, sha256: &str) -> PathBuf {
    photo_dir.join(crate::photos::blob_path(sha256).as_ref())
}

/// A photo in the backup directory: `photos/<first two hex>/<sha256>.jpg`.
pub fn backup_photo(backup_dir: &Path, sha256: &str) -> PathBuf {
    backup_dir
        .join(PHOTOS_DIR)
        .join(&sha256[..2.min(sha256.len())])
        .join(format!("{sha256}.jpg"))
}

/// The SHA-256 a backup's photo file is named by (`None`: not a photo's name).
pub fn photo_hash(name: &str) -> Option<&str> {
    let hash = name.strip_suffix(".jpg")?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

/// An exclusive (a backup, a rotation) or shared (a restore reading) hold on a backup
/// directory, across processes: `doorstep admin backup` and the server's two loops never
/// write, or remove photos, at the same time. Released when dropped.
pub struct Lock {
    _file: Option<File>,
}

impl Lock {
    pub fn exclusive(backup_dir: &Path) -> Result<Lock, BackupError> {
        Self::take(backup_dir, libc::LOCK_EX)
    }

    /// Shared: a restore only reads, possibly from a read-only disk: a directory no backup
    /// ever locked (no `.lock`) needs no lock.
    pub fn shared(backup_dir: &Path) -> Result<Lock, BackupError> {
        let path = backup_dir.join(".lock");
        match File::open(&path) {
            Ok(file) => Self::hold(file, libc::LOCK_SH, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock { _file: None }),
            Err(e) => Err(failed(
                "锁定备份目录",
                "locking the backup directory",
                &path,
            )(e)),
        }
    }

    fn take(backup_dir: &Path, how: libc::c_int) -> Result<Lock, BackupError> {
        let path = backup_dir.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed(
                "锁定备份目录",
                "locking the backup directory",
                &path,
            ))?;
        Self::hold(file, how, &path)
    }

    fn hold(file: File, how: libc::c_int, path: &Path) -> Result<Lock, BackupError> {
        use std::os::fd::AsRawFd;
        let lock = failed("锁定备份目录", "locking the backup directory", path);
        loop {
            // SAFETY: flock on a descriptor this function owns; it blocks until granted.
            let done = unsafe { libc::flock(file.as_raw_fd(), how) };
            if done == 0 {
                return Ok(Lock { _file: Some(file) });
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(lock(e));
            }
        }
    }
}
