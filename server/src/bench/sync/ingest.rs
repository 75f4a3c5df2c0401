//! What a push costs: its time and bytes, and what it stored, inserted again into a fresh
//! SQLite file of the server's tables (the plain insert the ingest is measured against).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::device_sync::{CancelToken, SyncPhase, SyncProgress};
use doorstep_core::media::decode::encode_jpeg;
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::synthetic::City;
use rand::{Rng, SeedableRng};

use super::*;

/// A sync phase, when it began and the bytes (up, down) sent by then.
pub(super) type Mark = (SyncPhase, Instant, (u64, u64));

pub(super) struct Push {
    pub(super) device_id: String,
    pub(super) ops: usize,
    pub(super) ops_time: Duration,
    /// The server's own share of `ops_time`: answering the push requests.
    pub(super) server_time: Duration,
    /// The server's change sequence before the push.
    pub(super) seq_before: i64,
    pub(super) ops_request_bytes: u64,
    pub(super) photos_time: Duration,
    pub(super) photo_bytes: u64,
    pub(super) photo_wire_bytes: u64,
}

pub(super) fn push_figures(
    args: &Args,
    server: &BenchServer,
    proxy: &Proxy,
    city: &City,
    dir: &Path,
) -> BenchResult<Push> {
    let technician = &city.technicians[0];
    let device = Device::enroll(server, &proxy.url, technician, dir, "push")?;
    // The households of the district, pulled as a technician starts the day.
    device.sync()?;

    let started = Instant::now();
    let camera_dir = dir.join("camera");
    std::fs::create_dir_all(&camera_dir)?;
    let base = doorstep_core::media::samples::photo_like(CAMERA.0, CAMERA.1);
    let policy = PhotoPolicy::default();
    let mut photo_bytes = 0;
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let hs = &city.households;
    for i in 0..args.photos {
        // Each photo its own: a patch of fresh noise where the meter's dial is.
        let mut image = base.clone();
        let (x0, y0) = (
            (i * 37) % (CAMERA.0 as usize - 128),
            (i * 53) % (CAMERA.1 as usize - 128),
        );
        for y in y0..y0 + 128 {
            for x in x0..x0 + 128 {
                let p = (y * CAMERA.0 as usize + x) * 3;
                image.pixels[p] = rng.random();
            }
        }
        let path = camera_dir.join(format!("IMG_{i:04}.jpg"));
        std::fs::write(&path, encode_jpeg(&image, 92)?)?;
        let h = &hs[i % hs.len()];
        let context = WatermarkContext {
            captured_at: Utc::now(),
            lang: doorstep_core::text::Lang::Zh,
            customer_number: Some(h.customer_number.clone()),
            device_position: h.location,
            technician: technician.badge.clone(),
        };
        let stored = device
            .store()
            .ingest_photo(&path, Some(h.id), &context, &policy)?;
        photo_bytes += stored.bytes;
        std::fs::remove_file(&path)?;
    }
    let changes = args.ops - args.photos;
    {
        let mut store = device.store();
        for i in 0..changes {
            let h = &hs[(i / 2) % hs.len()];
            if i % 2 == 0 {
                reading(&mut store, h, i)?;
            } else {
                edit(&mut store, h, i)?;
            }
        }
        let queued = store.outbox_len()?;
        if queued != args.ops as u64 {
            return Err(format!("{queued} operations queued, not {}", args.ops).into());
        }
    }
    eprintln!(
        "queued {} operations and {} photos ({} KiB on average) in {:.1} s",
        args.ops,
        args.photos,
        photo_bytes / args.photos.max(1) as u64 / 1024,
        started.elapsed().as_secs_f64()
    );

    // The moments the sync moves to the photos and to the pull, with the bytes sent by then.
    let marks: Mutex<Vec<Mark>> = Mutex::new(Vec::new());
    let progress = |p: SyncProgress| {
        let mut marks = marks.lock().unwrap_or_else(|p| p.into_inner());
        if marks.last().is_none_or(|m| m.0 != p.phase) {
            marks.push((p.phase, Instant::now(), proxy.bytes()));
        }
    };
    let before = proxy.bytes();
    let push_micros = || server.state.metrics.push_micros.load(Ordering::Relaxed);
    let server_before = push_micros();
    let seq_before: i64 = read_only(&server.db_path)?.query_row(
        "SELECT value FROM counters WHERE name = 'seq'",
        [],
        |r| r.get(0),
    )?;
    let t0 = Instant::now();
    let report = device
        .syncer
        .sync(&device.store, &progress, &CancelToken::new())?;
    let marks = marks.into_inner().unwrap_or_else(|p| p.into_inner());
    let mark = |phase| {
        marks
            .iter()
            .find(|m| m.0 == phase)
            .map(|m| (m.1, m.2))
            .ok_or("the sync skipped a phase")
    };
    let (t_photos, at_photos) = mark(SyncPhase::Photos)?;
    let server_time = Duration::from_micros(push_micros() - server_before);
    let (t_pull, at_pull) = mark(SyncPhase::Pull)?;
    if report.pushed != args.ops as u64 || report.photos_uploaded != args.photos as u64 {
        return Err(format!(
            "pushed {} of {} operations, uploaded {} of {} photos",
            report.pushed, args.ops, report.photos_uploaded, args.photos
        )
        .into());
    }
    let device_id = device.store().device_id().to_owned();
    Ok(Push {
        device_id,
        ops: args.ops,
        ops_time: t_photos - t0,
        server_time,
        seq_before,
        ops_request_bytes: at_photos.0 - before.0,
        photos_time: t_pull - t_photos,
        photo_bytes,
        photo_wire_bytes: (at_pull.0 + at_pull.1) - (at_photos.0 + at_photos.1),
    })
}

/// The server's database, for reading what it stored while it runs.
pub(super) fn read_only(server_db: &Path) -> rusqlite::Result<rusqlite::Connection> {
    rusqlite::Connection::open_with_flags(server_db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
}

/// The rows a push stored, read back from the server's database: table by table, each row's
/// columns as stored.
pub(super) struct StoredRows {
    pub(super) tables: Vec<(&'static str, Vec<Vec<rusqlite::types::Value>>)>,
}

impl StoredRows {
    /// The rows the pushes of `device_id` wrote: its operations (every column, the JSON payload
    /// as the device sent it), and the records, bucket entries and conflicts with a server
    /// sequence the push gave (above `seq_before`, up to its last operation's), and the audit
    /// lines of its requests. Nothing else writes to the server while the benchmark pushes.
    pub(super) fn read(server_db: &Path, device_id: &str, seq_before: i64) -> BenchResult<Self> {
        let source = read_only(server_db)?;
        let last: i64 = source.query_row(
            "SELECT MAX(server_seq) FROM ops WHERE device_id = ?1",
            [device_id],
            |r| r.get(0),
        )?;
        let device = rusqlite::types::Value::Text(device_id.to_owned());
        let (before, last) = (
            rusqlite::types::Value::Integer(seq_before),
            rusqlite::types::Value::Integer(last),
        );
        let queries: [(&'static str, &str, Vec<rusqlite::types::Value>); 5] = [
            (
                "ops",
                "SELECT * FROM ops WHERE device_id = ?1 ORDER BY device_seq",
                vec![device.clone()],
            ),
            (
                "records",
                "SELECT * FROM records WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
                vec![before.clone(), last.clone()],
            ),
            (
                "bucket_entries",
                "SELECT * FROM bucket_entries WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
                vec![before.clone(), last.clone()],
            ),
            (
                "conflicts",
                "SELECT * FROM conflicts WHERE seq > ?1 AND seq <= ?2 ORDER BY n",
                vec![before, last],
            ),
            (
                "audit",
                "SELECT * FROM audit WHERE device_id = ?1 AND action LIKE 'pushed %' ORDER BY n",
                vec![device],
            ),
        ];
        let mut tables = Vec::new();
        for (table, sql, params) in queries {
            let mut stmt = source.prepare(sql)?;
            let columns = stmt.column_count();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    (0..columns).map(|i| r.get(i)).collect()
                })?
                .collect::<rusqlite::Result<Vec<Vec<rusqlite::types::Value>>>>()?;
            tables.push((table, rows));
        }
        Ok(Self { tables })
    }

    pub(super) fn count(&self, table: &str) -> usize {
        self.tables
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, rows)| rows.len())
            .sum()
    }

    pub(super) fn total(&self) -> usize {
        self.tables.iter().map(|(_, rows)| rows.len()).sum()
    }

    /// The reference for the server's ingest: these rows (or only the operations) inserted into
    /// a fresh SQLite file with the server's own tables, keys and indexes, with one prepared
    /// statement a table in one transaction, in WAL mode with `synchronous = FULL` as the server
    /// runs. No reading, no JSON, no decisions: only what it costs SQLite to store what the push
    /// stored. Timed from the transaction's start to its commit.
    pub(super) fn plain_insert(&self, file: &Path, only_ops: bool) -> BenchResult<Duration> {
        let mut conn = rusqlite::Connection::open(file)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        conn.execute_batch(doorstep_server::storage::sqlite::SCHEMA)?;
        let t = Instant::now();
        let tx = conn.transaction()?;
        for (table, rows) in &self.tables {
            if (only_ops && *table != "ops") || rows.is_empty() {
                continue;
            }
            let marks = vec!["?"; rows[0].len()].join(", ");
            let mut insert = tx.prepare(&format!("INSERT INTO {table} VALUES ({marks})"))?;
            for row in rows {
                insert.execute(rusqlite::params_from_iter(row))?;
            }
        }
        tx.commit()?;
        Ok(t.elapsed())
    }
}
