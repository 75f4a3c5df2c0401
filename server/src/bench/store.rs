//! The store benchmark: 100,000 households, 1,000,000 meter readings and 5,000 open work
//! orders in an encrypted store, then the operations a technician waits for.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::household::{MeterReading, ReadingSource, Volume};
use doorstep_core::schedule::WorkListOptions;
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::synthetic::{CitySize, generate};
use rand::{Rng, SeedableRng};

use super::{figure, median_ms};

#[derive(clap::Args)]
pub struct Args {
    /// Households to generate.
    #[arg(long, default_value_t = 100_000)]
    households: usize,
    /// Meter readings to generate.
    #[arg(long, default_value_t = 1_000_000)]
    readings: usize,
    /// Open work orders to generate.
    #[arg(long, default_value_t = 5_000)]
    orders: usize,
    /// Writes to time for `writes_per_s`.
    #[arg(long, default_value_t = 20_000)]
    writes: usize,
    /// Directory for the store file (a temporary one by default, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench-store.db");
    if path.exists() {
        return Err(format!("{} exists already; give an empty --dir", path.display()).into());
    }
    let key = StoreKey::generate();
    let now = Utc::now();

    let started = Instant::now();
    let size = CitySize {
        households: args.households,
        readings: args.readings,
        open_orders: args.orders,
        ..CitySize::benchmark()
    };
    let city = generate(&size, 7, now);
    eprintln!(
        "generated {} households, {} readings, {} orders in {:.1} s",
        city.households.len(),
        city.readings.len(),
        city.work_orders.len(),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    {
        let mut store = Store::open(&path, &key)?;
        store.receive_districts(&city.districts)?;
        store.receive_crews(&city.crews)?;
        store.receive_technicians(&city.technicians)?;
        store.receive_households(&city.households)?;
        for chunk in city.readings.chunks(100_000) {
            store.receive_readings(chunk)?;
        }
        store.receive_work_orders(&city.work_orders)?;
    }
    eprintln!(
        "loaded the store in {:.1} s ({} MiB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() / (1 << 20)
    );

    let open = (0..7)
        .map(|_| {
            let t = Instant::now();
            let store = Store::open(&path, &key)?;
            let elapsed = t.elapsed();
            drop(store);
            Ok(elapsed)
        })
        .collect::<Result<Vec<Duration>, doorstep_core::Error>>()?;
    figure("store_open_ms", median_ms(open));

    let mut store = Store::open(&path, &key)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);

    // The technician with the most open orders: the slowest list to build.
    let busiest = city
        .technicians
        .iter()
        .max_by_key(|t| {
            city.work_orders
                .iter()
                .filter(|o| o.assignee == Some(t.id))
                .count()
        })
        .ok_or("no technicians generated")?;
    let options = WorkListOptions::default();
    let start = city
        .households
        .iter()
        .find(|h| h.district_id == busiest.district_id)
        .and_then(|h| h.location);
    let mut items = 0;
    let list = (0..30)
        .map(|_| {
            let t = Instant::now();
            items = store.work_list(busiest.id, now, start, &options)?.len();
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>, doorstep_core::Error>>()?;
    eprintln!("work list of {items} items");
    figure("work_list_ms", median_ms(list));

    // Partial addresses: a street with part of its number, as typed at a counter.
    let queries: Vec<String> = (0..40)
        .map(|_| {
            let h = &city.households[rng.random_range(0..city.households.len())];
            let street: String = h
                .address
                .street
                .chars()
                .take(h.address.street.chars().count() - 1)
                .collect();
            street
        })
        .collect();
    let search = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            let hits = store.search_households(q, 20)?;
            assert!(!hits.is_empty(), "a generated address must be found");
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>, doorstep_core::Error>>()?;
    figure("search_ms", median_ms(search));

    let file = (0..200)
        .map(|_| {
            let h = &city.work_orders[rng.random_range(0..city.work_orders.len())];
            let id = h.household_id.ok_or("order without household")?;
            let t = Instant::now();
            let file = store.household_file(id)?;
            let elapsed = t.elapsed();
            assert!(!file.history.is_empty() || !file.work_orders.is_empty());
            Ok(elapsed)
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    figure("household_file_ms", median_ms(file));

    // Sustained local writes: every one its own transaction with its outbox entry.
    let t = Instant::now();
    for i in 0..args.writes {
        let h = &city.households[i % city.households.len()];
        store.record_meter_reading(&MeterReading {
            household_id: h.id,
            taken_at: now - chrono::Duration::milliseconds(i as i64 + 1),
            value: Volume::from_litres(9_000_000 + i as i64),
            source: ReadingSource::Technician,
        })?;
    }
    let elapsed = t.elapsed().as_secs_f64();
    figure("writes_per_s", args.writes as f64 / elapsed);
    let queued = store.outbox_len()?;
    if queued != args.writes as u64 {
        return Err(format!(
            "outbox holds {queued} operations after {} writes",
            args.writes
        )
        .into());
    }
    Ok(())
}
