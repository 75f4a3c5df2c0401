//! The Rust side of the FFI overhead benchmark (`scripts/bench-bindings`): builds a device
//! store whose technician has a day's work list of about 500 items, then times the calls the
//! Python and Kotlin sides repeat on the same store, through the same `DeviceStore` methods,
//! without crossing the FFI.
//!
//! `cargo run --profile mobile -p doorstep-ffi --example ffi_overhead -- <dir> [iterations]` prints
//! `figure rust_work_list_ms …`, `figure rust_household_file_ms …` and the store's location
//! (`store <dir>`, `key <hex>`, `household <id>`) for the other languages.

use std::time::Instant;

use chrono::Utc;
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::synthetic::{CitySize, generate};
use doorstep_ffi::DeviceStore;

/// Calls made before measuring, in every language of the benchmark.
const WARMUP: usize = 20;

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: ffi_overhead <dir> [iterations]")?,
    );
    let iterations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(30);
    std::fs::create_dir_all(&dir)?;
    let key = StoreKey::generate();

    // One district, one technician: every open order is theirs, plus the inspections due.
    let size = CitySize {
        households: 5_000,
        readings: 60_000,
        open_orders: 475,
        districts_per_side: 1,
        technicians_per_district: 1,
    };
    let city = generate(&size, 11, Utc::now());
    let technician = city.technicians[0].clone();
    let household = city
        .work_orders
        .iter()
        .find_map(|o| o.household_id)
        .ok_or("no order with a household")?;
    {
        let mut store = Store::open(dir.join("doorstep.db"), &key)?;
        store.receive_districts(&city.districts)?;
        store.receive_crews(&city.crews)?;
        store.receive_technicians(&city.technicians)?;
        store.receive_households(&city.households)?;
        store.receive_readings(&city.readings)?;
        store.receive_work_orders(&city.work_orders)?;
        store.set_enrollment("https://doorstep.invalid", "bench-credential", &technician)?;
    }

    let store = DeviceStore::open(dir.display().to_string(), key.to_hex())?;
    let items = store.work_list(None)?.len();
    // As in every language of the benchmark (the JVM needs it to compile the generated code).
    for _ in 0..WARMUP {
        std::hint::black_box(store.work_list(None)?);
        std::hint::black_box(store.household_file(household.to_string())?);
    }
    let mut list = Vec::new();
    let mut file = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        std::hint::black_box(store.work_list(None)?);
        list.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        std::hint::black_box(store.household_file(household.to_string())?);
        file.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    store.close_store();
    println!("store {}", dir.display());
    println!("key {}", key.to_hex());
    println!("household {household}");
    println!("figure work_list_items {items}");
    println!("figure rust_work_list_ms {:.3}", median_ms(list));
    println!("figure rust_household_file_ms {:.3}", median_ms(file));
    Ok(())
}
