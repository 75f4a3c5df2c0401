//! The console benchmark (issue 26): the dispatch board of a city of `--households` households
//! with `--open` open work orders (and `--closed` closed ones), rendered by the server for a
//! supervisor (the whole city: the largest board), first page, no filter.
//!
//! - `console_board_ms`: the median of `--requests` requests of `GET /console/board` over real
//!   HTTP to the server in this process, signed in as a supervisor;
//! - `console_board_render_ms`: the same page drawn by the board's function directly (no HTTP,
//!   no session): what the page itself costs.
//!
//! On SQLite in a temporary directory, as `doorstep serve` runs by default; and on PostgreSQL
//! too when `DOORSTEP_BENCH_DATABASE_URL` names an empty database (figures suffixed `_pg`).
//! The city is the core's generator ([`doorstep_core::synthetic`]); data is prepared untimed.

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::synthetic::{CitySize, generate};
use doorstep_core::workorder::WorkOrderStatus;
use doorstep_server::admin::Act;
use doorstep_server::api::{AppState, router};
use doorstep_server::console::account::{self, NewStaff, SessionRow};
use doorstep_server::console::pages::board::{BoardQuery, render};
use doorstep_server::console::session::SESSION_COOKIE;
use doorstep_server::console::{Ctx, Lang, Role, Staff};
use doorstep_server::records;
use doorstep_server::serve::StorageOptions;
use doorstep_server::storage::{self, Actor, Counted, Storage};
use sha2::{Digest, Sha256};

use super::{figure, median_ms};

type BenchResult<T> = Result<T, Box<dyn Error>>;

#[derive(clap::Args)]
pub struct Args {
    /// Households in the city (5 × 5 districts).
    #[arg(long, default_value_t = 100_000)]
    households: usize,
    /// Open work orders on the board.
    #[arg(long, default_value_t = 5_000)]
    open: usize,
    /// Closed work orders (resolved): stored, never on the board.
    #[arg(long, default_value_t = 5_000)]
    closed: usize,
    /// Requests timed (the median is printed).
    #[arg(long, default_value_t = 50)]
    requests: usize,
}

pub fn run(args: Args) -> BenchResult<()> {
    if args.requests == 0 || args.households == 0 {
        return Err("--requests and --households must be at least 1".into());
    }
    let temp = tempfile::tempdir()?;
    let sqlite = StorageOptions {
        data: temp.path().join("server"),
        database_url: None,
        blobs: None,
        pool: 16,
    };
    measure(&args, &sqlite, "")?;
    if let Ok(url) = std::env::var("DOORSTEP_BENCH_DATABASE_URL") {
        let pg = StorageOptions {
            data: temp.path().join("server-pg"),
            database_url: Some(url),
            blobs: None,
            pool: 16,
        };
        measure(&args, &pg, "_pg")?;
    }
    Ok(())
}

fn measure(args: &Args, options: &StorageOptions, suffix: &str) -> BenchResult<()> {
    std::fs::create_dir_all(&options.data)?;
    let storage = options.open_storage()?;
    if storage::read(&*storage, |tx| {
        Ok(tx.count(Counted::Records(Entity::WorkOrder))?)
    })? > 0
    {
        return Err("the benchmark's database must be empty".into());
    }
    let started = Instant::now();
    seed(args, &*storage)?;
    eprintln!(
        "{}: {} households, {} open and {} closed orders ({:.1} s)",
        storage.backend(),
        args.households,
        args.open,
        args.closed,
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let state = AppState::new(storage.clone(), options.open_blobs()?);

    // The page drawn by its function.
    let ctx = Ctx {
        staff: supervisor(),
        lang: Lang::Zh,
        csrf: "bench".into(),
        now: Utc::now(),
        state: state.clone(),
        here: "/console/board".into(),
    };
    let mut samples = Vec::with_capacity(args.requests);
    let mut bytes = 0;
    for _ in 0..=args.requests {
        let t = Instant::now();
        let page = runtime
            .block_on(render(&ctx, BoardQuery::default()))
            .map_err(|e| e.to_string())?;
        samples.push(t.elapsed());
        bytes = page.into_string().len();
    }
    samples.remove(0); // the first warms the caches
    eprintln!("the board's page: {bytes} bytes");
    figure(
        &format!("console_board_render_ms{suffix}"),
        median_ms(samples),
    );

    // Over HTTP, signed in: a supervisor's account and a session made through the library,
    // its cookie sent as a browser sends it.
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}/console/board", listener.local_addr()?);
    let app = router(state.clone());
    runtime.spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server stopped: {e}");
        }
    });
    let cookie = session(&*storage)?;
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut samples = Vec::with_capacity(args.requests);
    for _ in 0..=args.requests {
        let t = Instant::now();
        let response = client
            .get(&url)
            .header("cookie", format!("{SESSION_COOKIE}={cookie}"))
            .send()?;
        let status = response.status();
        let body = response.text()?;
        samples.push(t.elapsed());
        if !status.is_success() || !body.contains("id=\"board\"") {
            return Err(format!("the board was not served: {status}").into());
        }
    }
    samples.remove(0);
    figure(&format!("console_board_ms{suffix}"), median_ms(samples));
    drop(runtime);
    Ok(())
}

/// A supervisor's account and a live session of theirs: the session cookie's value.
fn session(storage: &dyn Storage) -> BenchResult<String> {
    let now = Utc::now();
    let act = Act {
        at: now,
        actor: Actor::Admin(Some("bench".into())),
    };
    let (row, _) = account::create(
        storage,
        NewStaff {
            login: "bench".into(),
            name: "Bench".into(),
            role: Role::Supervisor,
            districts: Vec::new(),
            password: None,
        },
        &act,
    )?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let session = SessionRow {
        token_sha256: hex::encode(Sha256::digest(token.as_bytes())),
        staff_id: row.id,
        csrf: uuid::Uuid::new_v4().simple().to_string(),
        created_at: now,
        last_seen_at: now,
    };
    storage::write(storage, |tx| Ok(tx.put_staff_session(&session)?))?;
    Ok(token)
}

/// A supervisor: the whole city's board.
fn supervisor() -> Staff {
    Staff {
        id: "bench".into(),
        login: "bench".into(),
        name: "Bench".into(),
        role: Role::Supervisor,
        districts: Vec::new(),
    }
}

/// The city: the core's generator with `open + closed` orders, the closed ones resolved.
fn seed(args: &Args, storage: &dyn Storage) -> BenchResult<()> {
    let size = CitySize {
        households: args.households,
        readings: 0,
        open_orders: args.open + args.closed,
        ..CitySize::benchmark()
    };
    let now = Utc::now();
    let mut city = generate(&size, 26, now);
    for order in city.work_orders.iter_mut().skip(args.open) {
        let last = order.steps.last().map_or(order.reported_at, |s| s.at);
        order.advance(
            WorkOrderStatus::Resolved,
            (last + Duration::minutes(1)).min(now),
            None,
        )?;
    }
    let city = Arc::new(city);
    storage::write(storage, |tx| {
        let records = city
            .districts
            .iter()
            .map(|d| Record::District(d.clone()))
            .chain(city.crews.iter().map(|x| Record::Crew(x.clone())))
            .chain(
                city.technicians
                    .iter()
                    .map(|t| Record::Technician(t.clone())),
            )
            .chain(
                city.households
                    .iter()
                    .map(|h| Record::Household(Box::new(h.clone()))),
            )
            .chain(
                city.work_orders
                    .iter()
                    .map(|o| Record::WorkOrder(Box::new(o.clone()))),
            );
        for record in records {
            records::put_from_office(tx, &record)?;
        }
        Ok(())
    })?;
    Ok(())
}
