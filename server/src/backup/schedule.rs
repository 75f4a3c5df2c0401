//! The two backup loops of `doorstep serve` on its embedded storage, and what they report on
//! `/metrics`:
//!
//! - **scheduled**: a full backup every `--backup-every` (weekly by default), counted from the
//!   newest scheduled or on-demand backup in the directory, so a restart does not move the week;
//! - **immediate** (Art.15, 重要数据立即备份): every `--backup-important-within` (2 minutes by
//!   default), a backup when the server holds a change or a photo the newest backup lacks, so
//!   that acknowledged work is in the backup directory within minutes.
//!
//! Both take the same checked snapshot ([`super::take`]); the backup directory's lock keeps
//! them, and `doorstep admin backup`, one at a time.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;

use super::manifest::Kind;
use super::rotate::{Standing, list};
use super::take::{Source, take};
use super::{DEFAULT_KEEP, LAST_BACKUP};
use crate::api::AppState;
use crate::photos::sweep::parse_duration;
use crate::serve::StorageOptions;
use crate::storage::{Counted, Storage, read};

/// When and where `doorstep serve` backs itself up.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupOptions {
    /// Where the embedded server backs itself up (the SQLite database and the photos). No
    /// backups without it. On PostgreSQL and S3, their own tools back up (docs/operations.md).
    #[arg(long, env = "DOORSTEP_BACKUP_DIR", value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How often a full backup is taken (e.g. `7d`, `1d`, `12h`).
    #[arg(long, default_value = "7d", value_parser = parse_duration)]
    pub backup_every: Duration,
    /// How many scheduled and on-demand backups are kept (the newest); of the immediate
    /// copies, the newest two.
    #[arg(long, default_value_t = DEFAULT_KEEP, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
    /// New work (a change, a photo) is in the backup directory within this (Art.15:
    /// important data backed up immediately), e.g. `2m`, `30s`.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub backup_important_within: Duration,
}

/// What the loops count, for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    pub taken: AtomicU64,
    pub failed: AtomicU64,
    /// When the last checked backup was made (Unix seconds): this server's, or one
    /// `doorstep admin backup` recorded in the database.
    pub last_success_unix: AtomicU64,
    pub last_snapshot_ms: AtomicU64,
    pub last_database_bytes: AtomicU64,
}

/// The backup lines of `/metrics` (Prometheus' text format).
pub fn metrics_text(m: &Metrics) -> String {
    let line = |name: &str, help: &str, kind: &str, value: String| {
        format!(
            "# HELP doorstep_{name} {help}\n# TYPE doorstep_{name} {kind}\ndoorstep_{name} {value}\n"
        )
    };
    let get = |v: &AtomicU64| v.load(Ordering::Relaxed);
    [
        line(
            "backups_total",
            "Backups written and checked by this server.",
            "counter",
            get(&m.taken).to_string(),
        ),
        line(
            "backups_failed_total",
            "Backups that failed to write or to check (renamed *-failed).",
            "counter",
            get(&m.failed).to_string(),
        ),
        line(
            "backup_last_success_timestamp_seconds",
            "When the last checked backup was made (0: none known).",
            "gauge",
            get(&m.last_success_unix).to_string(),
        ),
        line(
            "backup_last_snapshot_seconds",
            "How long the last online copy of the database took.",
            "gauge",
            format!("{:.3}", get(&m.last_snapshot_ms) as f64 / 1000.0),
        ),
        line(
            "backup_last_database_bytes",
            "Size of the last backup's database file.",
            "gauge",
            get(&m.last_database_bytes).to_string(),
        ),
    ]
    .concat()
}

/// What both loops share.
struct Loops {
    storage: Arc<dyn Storage>,
    source: Source,
    dir: PathBuf,
    keep: usize,
    state: Arc<AppState>,
    /// The last change and the number of complete photos the newest backup holds.
    held: Mutex<Option<(i64, u64)>>,
}

/// Starts the two loops when `--backup-dir` is given on the embedded storage; says in the log
/// why there are no backups otherwise. Call inside the server's runtime.
pub fn spawn_schedules(
    storage_options: &StorageOptions,
    options: BackupOptions,
    storage: Arc<dyn Storage>,
    state: Arc<AppState>,
) {
    let Some(dir) = options.backup_dir else {
        tracing::warn!(
            "no backups: give --backup-dir (or DOORSTEP_BACKUP_DIR) to back up the embedded database and photos"
        );
        return;
    };
    if storage_options.database_url.is_some() {
        tracing::warn!(
            "--backup-dir ignored: on PostgreSQL, backups are the database's own (continuous archiving, pgBackRest; docs/operations.md)"
        );
        return;
    }
    let source = match Source::of(storage_options) {
        Ok(source) => source,
        Err(e) => {
            tracing::warn!(error = %e, "--backup-dir ignored");
            return;
        }
    };
    tracing::info!(
        dir = %dir.display(),
        every_secs = options.backup_every.as_secs(),
        important_within_secs = options.backup_important_within.as_secs(),
        keep = options.backup_keep,
        "backups on"
    );
    let loops = Arc::new(Loops {
        storage,
        source,
        dir,
        keep: options.backup_keep as usize,
        state,
        held: Mutex::new(None),
    });
    tokio::spawn(scheduled(loops.clone(), options.backup_every));
    tokio::spawn(immediate(loops, options.backup_important_within));
}

async fn scheduled(loops: Arc<Loops>, every: Duration) {
    let every = every.max(Duration::from_secs(1));
    loop {
        let dir = loops.dir.clone();
        let wait = tokio::task::spawn_blocking(move || due_in(&dir, every))
            .await
            .unwrap_or(every);
        tokio::time::sleep(wait).await;
        if !run(&loops, Kind::Scheduled).await {
            // Tried again within the hour, not a week later; the failure is on /metrics.
            tokio::time::sleep(every.min(Duration::from_secs(3600))).await;
        }
    }
}

/// How long until the next scheduled backup: `every` after the newest full backup (now, when
/// there is none).
fn due_in(dir: &std::path::Path, every: Duration) -> Duration {
    let newest = list(dir).ok().and_then(|listed| {
        listed
            .into_iter()
            .filter_map(|b| match b.standing {
                Standing::Complete(m) if m.kind.is_full() => Some(m.made_at),
                _ => None,
            })
            .max()
    });
    match newest {
        Some(made_at) => (made_at + every - Utc::now()).to_std().unwrap_or_default(),
        None => Duration::ZERO,
    }
}

async fn immediate(loops: Arc<Loops>, within: Duration) {
    let dir = loops.dir.clone();
    let newest = tokio::task::spawn_blocking(move || {
        list(&dir).ok().and_then(|listed| {
            listed
                .into_iter()
                .filter_map(|b| match b.standing {
                    Standing::Complete(m) => Some(*m),
                    _ => None,
                })
                .max_by_key(|m| m.made_at)
        })
    })
    .await
    .ok()
    .flatten();
    if let Some(m) = newest {
        *lock(&loops.held) = Some((m.last_seq, m.photos.len() as u64));
    }
    let mut tick = tokio::time::interval(within.max(Duration::from_secs(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let storage = loops.storage.clone();
        let live = tokio::task::spawn_blocking(move || {
            read(&*storage, |tx| {
                Ok((
                    (tx.last_seq()?, tx.count(Counted::CompletePhotos)?),
                    tx.server_meta(LAST_BACKUP)?,
                ))
            })
        })
        .await;
        let Ok(Ok((live, last_backup))) = live else {
            tracing::warn!("backup: the server's last change could not be read");
            continue;
        };
        if let Some(at) = last_backup
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|v| v["made_at"].as_str().map(str::to_owned))
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
        {
            let metrics = &loops.state.metrics.backup;
            metrics
                .last_success_unix
                .fetch_max(at.timestamp().max(0) as u64, Ordering::Relaxed);
        }
        if *lock(&loops.held) != Some(live) {
            run(&loops, Kind::Immediate).await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Takes one backup: whether it was written and checked.
async fn run(loops: &Arc<Loops>, kind: Kind) -> bool {
    let l = loops.clone();
    let taken =
        tokio::task::spawn_blocking(move || take(&*l.storage, &l.source, &l.dir, kind, l.keep))
            .await;
    let metrics = &loops.state.metrics.backup;
    match taken {
        Ok(Ok(taken)) => {
            let m = &taken.manifest;
            metrics.taken.fetch_add(1, Ordering::Relaxed);
            metrics
                .last_success_unix
                .fetch_max(m.made_at.timestamp().max(0) as u64, Ordering::Relaxed);
            metrics
                .last_snapshot_ms
                .store(m.snapshot_ms, Ordering::Relaxed);
            metrics
                .last_database_bytes
                .store(m.database.bytes, Ordering::Relaxed);
            *lock(&loops.held) = Some((m.last_seq, m.photos.len() as u64));
            tracing::info!(
                kind = kind.as_str(),
                path = %taken.path.display(),
                last_seq = m.last_seq,
                snapshot_ms = m.snapshot_ms,
                database_bytes = m.database.bytes,
                photos = m.photos.len(),
                photos_copied = taken.photos_copied,
                backups_removed = taken.rotated.backups_removed.len(),
                photos_removed = taken.rotated.photos_removed,
                "backup written and checked"
            );
            true
        }
        Ok(Err(e)) => {
            metrics.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(kind = kind.as_str(), error = %e, "backup failed");
            false
        }
        Err(e) => {
            metrics.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(kind = kind.as_str(), error = %e, "backup task failed");
            false
        }
    }
}
