//! The Rust side of the FFI overhead benchmark (`scripts/bench-bindings`).
//!
//! `ffi_overhead make <dir>` builds a device store whose technician has a day's work list of
//! about 500 items and prints where it is (`store <dir>`, `key <hex>`, `household <id>`).
//! `ffi_overhead measure <dir> <key> <household> [iterations]` times the calls the Python and
//! Kotlin sides repeat on the same store, through the same `DeviceStore` methods, without
//! crossing the FFI, and prints `figure rust_work_list_ms …` and
//! `figure rust_household_file_ms …`, then `figure rust_screen_ms …` (the app's Today screen
//! through `DoorstepApp`, as Kotlin's `kotlin_screen_ms`). The script runs `measure` and the other languages in
//! turn, several rounds, so each ratio compares runs made moments apart.

use std::time::Instant;

use chrono::Utc;
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::synthetic::{CitySize, generate};
use doorstep_core::text::Lang;
use doorstep_ffi::{DeviceStore, DoorstepApp};

/// Calls made before measuring, in every language of the benchmark.
const WARMUP: usize = 20;

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["make", dir] => make(std::path::Path::new(dir)),
        ["measure", dir, key, household, rest @ ..] => {
            let iterations = rest.first().map(|n| n.parse()).transpose()?.unwrap_or(30);
            measure(dir, key, household, iterations)
        }
        _ => Err(USAGE.into()),
    }
}

const USAGE: &str = "usage: ffi_overhead make <dir> | ffi_overhead measure <dir> <key hex> <household id> [iterations]";

/// Writes the store the benchmark reads and prints where it is (`store`, `key`, `household`).
fn make(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
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
    let mut store = Store::open(dir.join("doorstep.db"), &key)?;
    store.receive_districts(&city.districts)?;
    store.receive_crews(&city.crews)?;
    store.receive_technicians(&city.technicians)?;
    store.receive_households(&city.households)?;
    store.receive_readings(&city.readings)?;
    store.receive_work_orders(&city.work_orders)?;
    store.set_enrollment("https://doorstep.invalid", "bench-credential", &technician)?;
    println!("store {}", dir.display());
    println!("key {}", key.to_hex());
    println!("household {household}");
    Ok(())
}

/// Times the calls, as every language of the benchmark does: `WARMUP` calls, then the median of
/// `iterations`.
fn measure(
    dir: &str,
    key: &str,
    household: &str,
    iterations: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = DeviceStore::open(dir.to_owned(), key.to_owned())?;
    let items = store.work_list(None)?.len();
    // As in every language of the benchmark (the JVM needs it to compile the generated code).
    for _ in 0..WARMUP {
        std::hint::black_box(store.work_list(None)?);
        std::hint::black_box(store.household_file(household.to_owned())?);
    }
    let mut list = Vec::new();
    let mut file = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        std::hint::black_box(store.work_list(None)?);
        list.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        std::hint::black_box(store.household_file(household.to_owned())?);
        file.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    store.close_store();
    println!("figure rust_work_list_items {items}");
    println!("figure rust_work_list_ms {:.3}", median_ms(list));
    println!("figure rust_household_file_ms {:.3}", median_ms(file));

    // The app layer (issue 23): Today drawn again through DoorstepApp, as Kotlin does.
    let app = DoorstepApp::open(dir.to_owned(), key.to_owned(), Lang::Zh, "bench".into())?;
    for _ in 0..WARMUP {
        std::hint::black_box(app.screen()?);
    }
    let mut screens = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        std::hint::black_box(app.screen()?);
        screens.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("figure rust_screen_ms {:.3}", median_ms(screens));
    Ok(())
}
