//! The app benchmark (issue 23): what the technician waits for on a screen, through the app
//! layer (`doorstep_core::app::App`) as the shells call it, on an encrypted store whose
//! technician has a day of about 500 lines (the same city as `scripts/bench-bindings`).
//!
//! - `screen_today_ms`: Today drawn again (`App::screen`), median.
//! - `screen_form_ms`: the largest built-in template's form, half answered, drawn again.
//! - `event_answer_ms`: one item answered and the new screen drawn.
//! - `screen_during_sync_p99_ms`: Today drawn again and again from another thread while one
//!   pulled page of 5,000 changes is applied through the store's pull path (`apply_pull`, what
//!   `App::run_sync` does with each page): the 99th percentile.
//!
//! Each figure is printed with its target (`…_target_ms`). The screens are drawn by whatever
//! the screens' code renders: the figures grow as the screens do.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::app::{App, AppConfig, Event, ManualClock, Screen};
use doorstep_core::forms::builtin::builtin_templates;
use doorstep_core::forms::form::Answer;
use doorstep_core::forms::template::{Item, ItemKind};
use doorstep_core::household::Household;
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{Change, ChangeAction, Entity, PullResponse, Pulled, Record};
use doorstep_core::synthetic::{CitySize, generate};

use super::{figure, median_ms};

/// The targets of issue 23: half a frame at 60 Hz for a screen, and a screen never held up
/// by a sync for more than a few frames.
const SCREEN_TARGET_MS: f64 = 8.0;
const DURING_SYNC_TARGET_MS: f64 = 50.0;
/// Changes in the pulled page of `screen_during_sync_p99_ms`.
const PAGE: usize = 5_000;
const WARMUP: usize = 20;

#[derive(clap::Args)]
pub struct Args {
    /// Timed renders (and answers) per figure.
    #[arg(long, default_value_t = 200)]
    iterations: usize,
    /// Directory for the app's folder (a temporary one by default, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().join("app"));
    if dir.join("doorstep.db").exists() {
        return Err(format!(
            "{} holds a store already; give an empty --dir",
            dir.display()
        )
        .into());
    }
    std::fs::create_dir_all(&dir)?;
    let key = StoreKey::generate();
    let now = Utc::now();
    let iterations = args.iterations.max(10);

    // One district, one technician: every open order is theirs, plus the inspections due.
    let size = CitySize {
        households: 5_000,
        readings: 60_000,
        open_orders: 475,
        districts_per_side: 1,
        technicians_per_district: 1,
    };
    let city = generate(&size, 11, now);
    let technician = city.technicians[0].clone();
    let template = builtin_templates()
        .into_iter()
        .max_by_key(|t| t.items().count())
        .ok_or("no built-in template")?;
    let form_household = city
        .work_orders
        .iter()
        .find_map(|o| o.household_id)
        .ok_or("no order with a household")?;
    let (form_id, open_items) = {
        let mut store = Store::open(dir.join("doorstep.db"), &key)?;
        store.receive_districts(&city.districts)?;
        store.receive_crews(&city.crews)?;
        store.receive_technicians(&city.technicians)?;
        store.receive_households(&city.households)?;
        store.receive_readings(&city.readings)?;
        store.receive_work_orders(&city.work_orders)?;
        store.receive_templates(std::slice::from_ref(&template))?;
        store.set_enrollment("https://doorstep.invalid", "bench-credential", &technician)?;
        let form = store.start_form(&template, form_household, None, now)?;
        // Half the items a technician answers by tapping, answered.
        let answerable: Vec<&Item> = template.items().filter(|i| simple(i).is_some()).collect();
        let (answered, open) = answerable.split_at(answerable.len() / 2);
        for item in answered {
            let answer = simple(item).ok_or("an answerable item")?;
            store.answer(form.id, &item.id, Some(answer))?;
        }
        let open: Vec<(String, Answer)> = open
            .iter()
            .filter_map(|i| simple(i).map(|a| (i.id.clone(), a)))
            .collect();
        (form.id, open)
    };
    eprintln!(
        "store of {} households, {} orders; form on `{}` ({} items, {} left open)",
        city.households.len(),
        city.work_orders.len(),
        template.id,
        template.items().count(),
        open_items.len()
    );

    let clock = Arc::new(ManualClock::new(now));
    let app = App::open_with_clock(AppConfig::new(&dir), &key, clock)?;
    let today = app.screen()?;
    if !matches!(today.body, Screen::Today(_)) {
        return Err("the app did not open on Today".into());
    }
    figure("screen_today_ms", renders(&app, iterations)?);
    figure("screen_today_target_ms", SCREEN_TARGET_MS);

    let opened = app.handle(Event::OpenLink {
        link: format!("doorstep://form/{form_id}"),
    })?;
    if !matches!(opened.screen.body, Screen::Form(_)) {
        return Err("the form's link did not open the form".into());
    }
    figure("screen_form_ms", renders(&app, iterations)?);
    figure("screen_form_target_ms", SCREEN_TARGET_MS);

    // One item answered and the new screen drawn: what a tap on the form costs. The form
    // screen's own event (`FormEvent::Choose`) when this build has it; the bench is built with
    // whatever screens exist, so the event is read from its JSON, and a build without it
    // answers through the writer and draws the screen, which is what the event does.
    let taps: Vec<(String, String)> = open_items
        .iter()
        .filter_map(|(item, answer)| match answer {
            Answer::Choice(choice) => Some((item.clone(), choice.clone())),
            _ => None,
        })
        .collect();
    if taps.is_empty() {
        return Err("the largest template has no single choice left to answer".into());
    }
    let event = |item: &str, choice: &str| {
        serde_json::from_value::<Event>(serde_json::json!(
            { "Form": { "Choose": { "item": item, "choice": choice } } }
        ))
        .ok()
    };
    let through_event = event(&taps[0].0, &taps[0].1).is_some();
    eprintln!(
        "event_answer_ms through {}",
        if through_event {
            "the form's Choose event"
        } else {
            "the writer and a render (no form events in this build)"
        }
    );
    let writer = app.store();
    let mut answers = Vec::with_capacity(iterations);
    for i in 0..iterations + WARMUP {
        let (item, choice) = &taps[i % taps.len()];
        let t = Instant::now();
        match event(item, choice) {
            Some(event) => {
                std::hint::black_box(app.handle(event)?);
            }
            None => {
                writer
                    .lock()
                    .map_err(|_| "the store's lock is poisoned")?
                    .answer(form_id, item, Some(Answer::Choice(choice.clone())))?;
                std::hint::black_box(app.screen()?);
            }
        }
        if i >= WARMUP {
            answers.push(t.elapsed());
        }
    }
    figure("event_answer_ms", median_ms(answers));
    figure("event_answer_target_ms", SCREEN_TARGET_MS);
    app.handle(Event::Back)?;

    figure(
        "screen_during_sync_p99_ms",
        during_sync(&app, &city.households)?,
    );
    figure("screen_during_sync_target_ms", DURING_SYNC_TARGET_MS);
    Ok(())
}

/// The median of `iterations` renders of the screen shown, after a warm-up.
fn renders(app: &App, iterations: usize) -> Result<f64, Box<dyn std::error::Error>> {
    for _ in 0..WARMUP {
        std::hint::black_box(app.screen()?);
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        std::hint::black_box(app.screen()?);
        samples.push(t.elapsed());
    }
    Ok(median_ms(samples))
}

/// The 99th percentile of Today's renders while a page of `PAGE` household changes is applied
/// on another thread.
fn during_sync(app: &App, households: &[Household]) -> Result<f64, Box<dyn std::error::Error>> {
    let changes: Vec<Pulled> = households
        .iter()
        .cycle()
        .take(PAGE)
        .enumerate()
        .map(|(i, h)| {
            let mut h = h.clone();
            // The office recorded an inspection: a change the phone takes as it comes.
            h.last_inspection_at = Some(Utc::now() - chrono::Duration::minutes(i as i64));
            Pulled::Change(Change {
                seq: i as i64 + 1,
                entity: Entity::Household,
                id: h.id.to_string(),
                action: ChangeAction::Put {
                    record: Record::Household(Box::new(h)),
                },
            })
        })
        .collect();
    let page = PullResponse {
        changes,
        cursor: format!("{PAGE}.bench"),
        more: false,
        reset: false,
        remaining: 0,
        server_time: Utc::now(),
        server_hlc: Hlc {
            wall_ms: Utc::now().timestamp_millis().unsigned_abs(),
            counter: 0,
            node: "server".into(),
        },
        decisions: Vec::new(),
        generation: None,
        backed_up_through: None,
    };
    let writer = app.store();
    let done = AtomicBool::new(false);
    let (samples, applied) = std::thread::scope(|scope| {
        let applying = scope.spawn(|| {
            let t = Instant::now();
            let applied = writer
                .lock()
                .map_err(|_| "the store's lock is poisoned".to_owned())
                .and_then(|mut s| s.apply_pull(&page).map_err(|e| e.to_string()));
            done.store(true, Ordering::Release);
            applied.map(|_| t.elapsed())
        });
        let mut samples: Vec<Duration> = Vec::new();
        while !done.load(Ordering::Acquire) {
            let t = Instant::now();
            if app.screen().is_err() {
                break;
            }
            samples.push(t.elapsed());
        }
        (samples, applying.join())
    });
    let applied = applied.map_err(|_| "the pull thread panicked")??;
    eprintln!(
        "applied {PAGE} changes in {:.0} ms; Today drawn {} times meanwhile",
        applied.as_secs_f64() * 1000.0,
        samples.len()
    );
    Ok(percentile_ms(samples, 0.99))
}

fn percentile_ms(mut samples: Vec<Duration>, p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort();
    let at = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[at].as_secs_f64() * 1000.0
}

/// An answer a technician gives with a tap, for the item kinds that take one.
fn simple(item: &Item) -> Option<Answer> {
    use doorstep_core::forms::form::{CheckAnswer, CheckResult};
    match &item.kind {
        ItemKind::Check { .. } => Some(Answer::Check(CheckAnswer {
            result: CheckResult::Pass,
            advice: None,
        })),
        ItemKind::SingleChoice { choices } => choices.first().map(|c| Answer::Choice(c.id.clone())),
        _ => None,
    }
}
