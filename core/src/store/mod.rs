//! The device store: one encrypted SQLite file (SQLCipher) holding everything the technician
//! has: households in scope, orders, readings, history, and the outbox of local changes.
//!
//! - The key is a random 256-bit key the shell keeps in the Android Keystore / iOS Keychain.
//!   It is handed in raw, so opening skips SQLCipher's passphrase derivation (which would cost
//!   hundreds of milliseconds on a cheap phone at every start).
//! - WAL, foreign keys on, one writer (this struct, `&mut self` for every change).
//! - Every local change is one transaction that writes the record *and* appends its operation
//!   to the outbox ([`outbox`]): both land or neither does.
//! - Records received from the back office are written without outbox entries.
//! - A file that cannot be read is never deleted: it is moved aside and the error says where.

mod cipher;
mod fees;
mod forms;
mod households;
mod meta;
mod outages;
pub mod outbox;
mod photos;
mod readings;
mod schema;
mod screens;
mod search;
pub mod sync;
mod team;
mod templates;
mod worklist;
mod workorders;

use crate::text::said;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Transaction};

use crate::error::{Error, Result};
use crate::sync::{Hlc, HlcClock};

pub use forms::TemplateMove;
pub use households::{HouseholdFile, HouseholdSummary};
pub use outbox::{MAX_OPERATION_BYTES, OutboxEntry};
pub use photos::{DevelopedPhoto, StoredPhoto, develop_photo};
pub use schema::LATEST_VERSION;
pub use search::SearchHit;
pub use worklist::WorkDay;

/// The 256-bit key of the store. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key from 64 hexadecimal characters (how a shell may pass it on).
    pub fn from_hex(hex_key: &str) -> Result<Self, crate::InvalidInput> {
        let bytes = hex::decode(hex_key.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                crate::InvalidInput::new(
                    "key",
                    said(
                        "须为64个十六进制字符（256位）",
                        "must be 64 hexadecimal characters (256 bits)",
                    ),
                )
            })?;
        Ok(Self(bytes))
    }

    /// The raw key, for the parts of the store that encrypt on their own (the photo vault).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 hexadecimal characters, for the platform keystore that keeps it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A fresh random key, for a new installation.
    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// Applies this key and the store's cipher settings to a connection, before its first
    /// read. For tools and tests that need the file without the store around it.
    pub fn unlock(&self, conn: &Connection) -> rusqlite::Result<()> {
        // HMAC-SHA256 rather than SQLCipher's default SHA-512: every phone CPU since ARMv8 has
        // SHA-256 instructions, so each page read or written costs less battery. A raw key, so
        // there is no key derivation to configure.
        //
        // Keying needs SQLCipher set up: see [`cipher::ensure_ready`].
        cipher::keep_linked();
        cipher::ensure_ready()?;
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
            hex::encode(self.0)
        ))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    vault: crate::media::vault::Vault,
    clock: HlcClock,
    device_id: String,
    /// The wall time the clock stamps go by: the system's unless [`Store::go_by`] said.
    wall: Option<WallClock>,
}

/// A wall clock other than the system's, for the store's clock stamps: the app's own clock
/// when it goes by a hand-set one (its tests, `doorstep demo`'s day). The server believes the
/// time a step carries only when it agrees with its operation's stamp
/// ([`crate::sync::time::trusted_step_time`]), so the stamps must go by the clock the steps do.
pub type WallClock = std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store at `path` with `key`, upgrading its schema if needed.
    ///
    /// A file that exists but cannot be read with this key (corrupt, truncated, not a database,
    /// or another key) is moved to `<path>.unreadable-<time>` together with its WAL, and
    /// [`Error::StoreUnreadable`] names the new place. Nothing is deleted.
    pub fn open(path: impl AsRef<Path>, key: &StoreKey) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let existed = path.exists() && std::fs::metadata(&path)?.len() > 0;
        let conn = match Self::connect(&path, key) {
            Ok(conn) => conn,
            Err(e) if existed && is_unreadable(&e) => {
                let set_aside = set_aside(&path)?;
                tracing::warn!(error = %e, "store unreadable; moved aside");
                return Err(Error::StoreUnreadable { set_aside });
            }
            Err(e) => return Err(e),
        };
        let (device_id, last_hlc) = schema::device_identity(&conn)?;
        let clock = HlcClock::resume(device_id.clone(), last_hlc);
        let vault = crate::media::vault::Vault::open(photo_dir(&path), Some(key.as_bytes()))?;
        Ok(Self {
            conn,
            path,
            vault,
            clock,
            device_id,
            wall: None,
        })
    }

    /// A second, read-only connection to the store at `path`, which a [`Store::open`] has
    /// made ready: the screens read through it, so a sync writing a pull page of thousands of
    /// changes never holds them up (WAL lets readers go on beside the one writer). Every
    /// reading method works on it; a change fails with SQLite's read-only error.
    /// See docs/adr/0007-app-layer.md.
    pub fn open_reader(path: impl AsRef<Path>, key: &StoreKey) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.unlock(&conn)?;
        conn.execute_batch(
            "PRAGMA query_only = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;",
        )?;
        let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found != schema::LATEST_VERSION {
            return Err(Error::StoreTooNew {
                found,
                supported: schema::LATEST_VERSION,
            });
        }
        let device_id = meta::get(&conn, meta::Key::DEVICE_ID)?.ok_or(Error::NotFound {
            what: "the store's device id (open the store for writing first)",
        })?;
        let vault = crate::media::vault::Vault::reader(photo_dir(&path), Some(key.as_bytes()));
        Ok(Self {
            conn,
            path,
            vault,
            clock: HlcClock::resume(device_id.clone(), None),
            device_id,
            wall: None,
        })
    }

    fn connect(path: &Path, key: &StoreKey) -> Result<Connection> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.unlock(&conn)?;
        // The first real read decrypts page 1: a wrong key or a damaged file fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;",
        )?;
        schema::migrate(&mut conn)?;
        Ok(conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This installation's id: the node of its clock stamps and the sender of its operations.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs SQLite's full integrity check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(if rows == ["ok"] { Vec::new() } else { rows })
    }

    /// One local change: `f` writes records and appends operations through the [`Change`];
    /// everything commits together or not at all.
    fn change<T>(&mut self, f: impl FnOnce(&mut Change<'_>) -> Result<T>) -> Result<T> {
        let wall_ms = self.wall_ms();
        let tx = self.conn.transaction()?;
        let mut change = Change {
            tx,
            clock: &mut self.clock,
            wall_ms,
        };
        let value = f(&mut change)?;
        change.tx.commit()?;
        Ok(value)
    }

    /// [`Self::change`] for a milestone that must survive a power cut, not only the app being
    /// killed: a sealed form, a work order's step (the deadlines count from it). Its commit
    /// waits for the log to reach flash (`synchronous = FULL` for this commit; the store
    /// otherwise runs with `NORMAL`, docs/adr/0001-device-store.md), which also makes every
    /// change before it durable.
    fn milestone<T>(&mut self, f: impl FnOnce(&mut Change<'_>) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let done = self.change(f);
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        done
    }

    /// Records received from the back office: written in one transaction, nothing queued.
    fn receive<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// A local change in progress: the transaction and the clock that stamps its operations.
struct Change<'a> {
    tx: Transaction<'a>,
    clock: &'a mut HlcClock,
    /// The wall time when the change began.
    wall_ms: u64,
}

impl Change<'_> {
    fn stamp(&mut self) -> Hlc {
        self.clock.tick(self.wall_ms)
    }
}

impl std::ops::Deref for Change<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

impl Store {
    /// Stamps go by `wall` from now on, not by the system's clock: see [`WallClock`].
    pub fn go_by(&mut self, wall: WallClock) {
        self.wall = Some(wall);
    }

    /// The wall time the clock stamps go by.
    fn now(&self) -> DateTime<Utc> {
        self.wall.as_ref().map_or_else(Utc::now, |wall| wall())
    }

    /// The wall time the clock stamps go by, in milliseconds.
    fn wall_ms(&self) -> u64 {
        let now = self.wall.as_ref().map_or_else(Utc::now, |wall| wall());
        u64::try_from(now.timestamp_millis()).unwrap_or(0)
    }
}

fn is_unreadable(e: &Error) -> bool {
    matches!(
        e,
        Error::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// The photo vault of the store at `path`: `<file>.photos/` beside it.
pub fn photo_dir(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.photos", path.display()))
}

/// Moves the store file and its WAL and shared-memory files to `<name>.unreadable-<time>`.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let target = PathBuf::from(format!("{}.unreadable-{stamp}", path.display()));
    std::fs::rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", target.display()))?;
        }
    }
    Ok(target)
}

/// Times are stored as fixed-width RFC 3339 text in UTC with nanoseconds: exact, and sorting as
/// text sorts them in time.
pub(crate) fn ts(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Reads a closed set's value back from the name it was stored under (its `as_str`); a name
/// this build does not know is a decoding error.
pub(crate) fn parse_named<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    text: &str,
) -> rusqlite::Result<T> {
    all.iter()
        .copied()
        .find(|v| name(*v) == text)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                "a stored name this version of the app does not know".into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synchronous(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_milestone_commits_to_flash_and_the_store_goes_back_to_fast_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("doorstep.db"), &StoreKey::generate()).unwrap();
        assert_eq!(synchronous(&store.conn), 1, "NORMAL for everyday writes");
        let during = store.milestone(|c| Ok(synchronous(&c.tx))).unwrap();
        assert_eq!(during, 2, "FULL while a milestone commits");
        assert_eq!(synchronous(&store.conn), 1);
        let failed: Result<()> = store.milestone(|_| Err(Error::Sealed));
        assert!(failed.is_err());
        assert_eq!(
            synchronous(&store.conn),
            1,
            "back to NORMAL after a refused milestone too"
        );
    }
}
