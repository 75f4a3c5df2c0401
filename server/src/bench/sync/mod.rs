//! The sync benchmark: the real server in this process (axum on a loopback port, embedded SQLite
//! and a photo directory in a temporary directory, as `doorstep serve` runs by default) and real
//! devices (encrypted stores, the core's [`Syncer`]) talking to it over HTTP.
//!
//! 1. Push: one device pushes `--ops` operations (of which `--photos` are the photos' own
//!    `photo_taken`; the rest household edits and meter readings, half each) and uploads
//!    `--photos` camera photos. It talks to the server through a byte-counting forwarder, so the
//!    wire cost of each phase is measured, not estimated.
//! 2. What the push stored, inserted into a fresh SQLite file of the server's tables: its
//!    operation rows (`ingest_vs_sqlite_ratio`), and every row it stored (operations, records,
//!    bucket entries, conflicts, audit lines: `ingest_vs_stored_rows_ratio`).
//! 3. First pull: a freshly enrolled device in a district of `--households` households.
//! 4. Load: `--devices` devices, each with a few local changes, all syncing at the same moment.
//!
//! Data is prepared untimed; only the syncs (and the plain insert) are timed.

use std::error::Error;
use std::path::Path;
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::device_sync::{CancelToken, SyncOptions, SyncProgress, Syncer};
use doorstep_core::household::{Household, MeterReading, Phone, ReadingSource, Volume};
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::sync::protocol::Record;
use doorstep_core::synthetic::{City, CitySize, generate};
use doorstep_core::team::Technician;
use doorstep_server::records;
use doorstep_server::storage;

use super::figure;

type BenchResult<T> = Result<T, Box<dyn Error>>;

mod ingest;
mod wire;

use self::ingest::*;
use self::wire::*;

#[derive(clap::Args)]
pub struct Args {
    /// Households in the district of the first pull.
    #[arg(long, default_value_t = 100_000)]
    households: usize,
    /// Devices syncing at the same moment.
    #[arg(long, default_value_t = 200)]
    devices: usize,
    /// Operations the pushing device has queued (the photos' own operations included).
    #[arg(long, default_value_t = 10_000)]
    ops: usize,
    /// Photos the pushing device uploads.
    #[arg(long, default_value_t = 200)]
    photos: usize,
}

/// Local changes each device of the load test makes before it syncs.
const CHANGES_PER_DEVICE: usize = 5;
/// Households per district of the load test.
const LOAD_HOUSEHOLDS_PER_DISTRICT: usize = 50;
/// Devices (technicians) per district of the load test.
const LOAD_DEVICES_PER_DISTRICT: usize = 10;
/// The size of the generated camera photos: a phone's 2-megapixel mode; the stored photo, with
/// sensor noise, is a few hundred KB.
const CAMERA: (u32, u32) = (1600, 1200);

pub fn run(args: Args) -> BenchResult<()> {
    if args.ops < args.photos || args.devices == 0 || args.households == 0 {
        return Err(
            "--ops must be at least --photos; --devices and --households at least 1".into(),
        );
    }
    let temp = tempfile::tempdir()?;
    let server = BenchServer::start(&temp.path().join("server"))?;
    let proxy = Proxy::start(server.addr)?;

    // Three cities on one server, told apart by their customer numbers and badges: one big
    // district for the first pull, one district for the pushing device, small districts for
    // the devices under load.
    let started = Instant::now();
    let big = city(args.households, 1, 1, 7, "33", "B");
    let push_households = (args.ops / 10).clamp(10, 1000);
    let pusher = city(push_households, 1, 1, 8, "34", "P");
    let load_districts = args.devices.div_ceil(LOAD_DEVICES_PER_DISTRICT);
    let side = (1..).find(|s| s * s >= load_districts).unwrap_or(1);
    let load = city(
        side * side * LOAD_HOUSEHOLDS_PER_DISTRICT,
        side,
        args.devices.div_ceil(side * side),
        9,
        "35",
        "L",
    );
    storage::write(&*server.storage, |tx| {
        for c in [&big, &pusher, &load] {
            let records = c
                .districts
                .iter()
                .map(|d| Record::District(d.clone()))
                .chain(c.crews.iter().map(|x| Record::Crew(x.clone())))
                .chain(c.technicians.iter().map(|t| Record::Technician(t.clone())))
                .chain(
                    c.households
                        .iter()
                        .map(|h| Record::Household(Box::new(h.clone()))),
                );
            for record in records {
                records::put_from_office(tx, &record)?;
            }
        }
        Ok(())
    })?;
    eprintln!(
        "server holds {} households in {} districts ({:.1} s)",
        big.households.len() + pusher.households.len() + load.households.len(),
        big.districts.len() + pusher.districts.len() + load.districts.len(),
        started.elapsed().as_secs_f64()
    );

    let devices = temp.path().join("devices");
    std::fs::create_dir_all(&devices)?;

    // 1. Push.
    let push = push_figures(&args, &server, &proxy, &pusher, &devices)?;
    eprintln!(
        "pushed {} operations in {:.3} s, {} photos in {:.3} s",
        push.ops,
        push.ops_time.as_secs_f64(),
        args.photos,
        push.photos_time.as_secs_f64()
    );
    figure(
        "push_ops_per_s",
        push.ops as f64 / push.ops_time.as_secs_f64(),
    );
    figure(
        "push_wire_bytes_per_op",
        push.ops_request_bytes as f64 / push.ops as f64,
    );
    figure(
        "push_photo_wire_overhead",
        push.photo_wire_bytes as f64 / push.photo_bytes as f64,
    );
    figure(
        "push_total_s",
        (push.ops_time + push.photos_time).as_secs_f64(),
    );

    // 2. What the push stored, inserted into a plain SQLite file.
    let stored = StoredRows::read(&server.db_path, &push.device_id, push.seq_before)?;
    if stored.count("ops") != push.ops {
        return Err(format!(
            "the server holds {} operations of {}",
            stored.count("ops"),
            push.ops
        )
        .into());
    }
    let only_ops = stored.plain_insert(&temp.path().join("plain-ops.sqlite"), true)?;
    let all = stored.plain_insert(&temp.path().join("plain-all.sqlite"), false)?;
    let ingest_rate = push.ops as f64 / push.server_time.as_secs_f64();
    let plain_rate = push.ops as f64 / only_ops.as_secs_f64();
    let all_rows_rate = push.ops as f64 / all.as_secs_f64();
    figure("plain_insert_ops_per_s", plain_rate);
    figure("server_ingest_ops_per_s", ingest_rate);
    figure("ingest_vs_sqlite_ratio", ingest_rate / plain_rate);
    figure(
        "push_vs_sqlite_ratio",
        (push.ops as f64 / push.ops_time.as_secs_f64()) / plain_rate,
    );
    // Everything the push stored, not only its operations: how the server's time compares
    // with what storing its rows alone costs SQLite.
    figure(
        "ingest_rows_per_op",
        stored.total() as f64 / push.ops as f64,
    );
    figure("plain_insert_stored_rows_ops_per_s", all_rows_rate);
    figure("ingest_vs_stored_rows_ratio", ingest_rate / all_rows_rate);

    // 3. The first pull of a big district.
    let puller = Device::enroll(&server, &server.url, &big.technicians[0], &devices, "pull")?;
    let t = Instant::now();
    let report = puller.sync()?;
    let pull_s = t.elapsed().as_secs_f64();
    if report.pulled < args.households as u64 {
        return Err(format!(
            "the first pull brought {} records for {} households",
            report.pulled, args.households
        )
        .into());
    }
    drop(puller);
    figure("pull_100k_s", pull_s);

    // 4. Devices syncing at once.
    let (durations, errors) = load_figures(&args, &server, &load, &devices)?;
    let mut ms: Vec<f64> = durations.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if ms.is_empty() {
            0.0
        } else {
            ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1]
        }
    };
    figure("load_p50_ms", at(0.50));
    figure("load_p99_ms", at(0.99));
    figure("load_errors", errors as f64);
    Ok(())
}

/// A generated city of `households` in `side`² districts, with customer numbers starting with
/// `prefix` and badges with `badge`, so that several cities share one server.
fn city(
    households: usize,
    side: usize,
    technicians: usize,
    seed: u64,
    prefix: &str,
    badge: &str,
) -> City {
    let size = CitySize {
        households,
        readings: 0,
        open_orders: 0,
        districts_per_side: side,
        technicians_per_district: technicians,
    };
    let mut city = generate(&size, seed, Utc::now());
    for (i, h) in city.households.iter_mut().enumerate() {
        h.customer_number = format!("{prefix}{i:08}");
    }
    for (i, t) in city.technicians.iter_mut().enumerate() {
        t.badge = format!("{badge}{i:05}");
    }
    city
}

/// A phone: its encrypted store and its sync client.
struct Device {
    store: Mutex<Store>,
    syncer: Syncer,
}

impl Device {
    fn enroll(
        server: &BenchServer,
        url: &str,
        technician: &Technician,
        dir: &Path,
        name: &str,
    ) -> BenchResult<Self> {
        let store = Store::open(dir.join(format!("{name}.db")), &StoreKey::generate())?;
        let device = Self {
            store: Mutex::new(store),
            syncer: Syncer::new(SyncOptions::default())?,
        };
        let code = server.enrollment_code(technician)?;
        device
            .syncer
            .enroll(&device.store, url, &code, "Bench phone")?;
        Ok(device)
    }

    fn sync(&self) -> doorstep_core::Result<doorstep_core::device_sync::SyncReport> {
        self.syncer
            .sync(&self.store, &|_: SyncProgress| {}, &CancelToken::new())
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A technician's edit at the door: a new phone number.
fn edit(store: &mut Store, h: &Household, n: usize) -> doorstep_core::Result<()> {
    let mut household = store.household(h.id)?;
    household.phones = vec![Phone::parse(&format!("138{:08}", n % 100_000_000))?];
    store.save_household(&household, Utc::now())
}

fn reading(store: &mut Store, h: &Household, n: usize) -> doorstep_core::Result<()> {
    store.record_meter_reading(&MeterReading {
        household_id: h.id,
        taken_at: Utc::now() - chrono::Duration::seconds(n as i64 + 60),
        value: Volume::from_litres(1_000_000 + n as i64 * 10),
        source: ReadingSource::Technician,
    })
}

/// Every device enrolled and started (untimed), a few local changes each, then all syncing at
/// once: the duration of each sync, and how many failed.
fn load_figures(
    args: &Args,
    server: &BenchServer,
    city: &City,
    dir: &Path,
) -> BenchResult<(Vec<Duration>, usize)> {
    let started = Instant::now();
    let technicians = &city.technicians[..args.devices];
    let devices: Vec<Device> = technicians
        .iter()
        .enumerate()
        .map(|(i, t)| Device::enroll(server, &server.url, t, dir, &format!("load-{i}")))
        .collect::<BenchResult<_>>()?;
    // The first sync of each (its district's households), a few devices at a time.
    let workers = 4;
    let first: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let devices = &devices;
                s.spawn(move || {
                    devices
                        .iter()
                        .skip(w)
                        .step_by(workers)
                        .filter_map(|d| d.sync().err().map(|e| e.to_string()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if let Some(e) = first.first() {
        return Err(format!("a device's first sync failed: {e}").into());
    }
    for (i, (device, technician)) in devices.iter().zip(technicians).enumerate() {
        let hs: Vec<&Household> = city
            .households
            .iter()
            .filter(|h| h.district_id == technician.district_id)
            .collect();
        let mut store = device.store();
        for k in 0..CHANGES_PER_DEVICE {
            let h = hs[(i * CHANGES_PER_DEVICE + k) % hs.len()];
            let n = i * CHANGES_PER_DEVICE + k;
            if k % 2 == 0 {
                reading(&mut store, h, n)?;
            } else {
                edit(&mut store, h, n)?;
            }
        }
    }
    eprintln!(
        "{} devices enrolled, synced once and changed {} records each in {:.1} s",
        devices.len(),
        CHANGES_PER_DEVICE,
        started.elapsed().as_secs_f64()
    );

    let barrier = Barrier::new(devices.len());
    let results: Vec<Result<Duration, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter()
            .map(|d| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let t = Instant::now();
                    d.sync().map(|_| t.elapsed()).map_err(|e| e.to_string())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    });
    let mut durations = Vec::new();
    let mut errors = 0;
    for r in results {
        match r {
            Ok(d) => durations.push(d),
            Err(e) => {
                if errors == 0 {
                    eprintln!("a sync under load failed: {e}");
                }
                errors += 1;
            }
        }
    }
    Ok((durations, errors))
}
