//! `doorstep demo` (issue 24): a whole working day of a district in one command.
//!
//! The demo generates a district of a Chinese city ([`world`]), starts the real sync server on
//! loopback over its own data directory ([`place`], [`server`]), enrolls two phones (an
//! inspector and a repair crew member) with real one-time codes, and runs their day through the
//! app layer's events exactly as the Android and iOS shells will ([`phone`]): the day is a list
//! of [`Scene`]s in time order, each played by the inspector ([`inspector`]), the crew member
//! ([`crew`]) or the service center ([`office`]), on a clock the demo moves. At the end it asks
//! the server what the day left ([`summary`]), writes the day's page
//! (`doorstep-demo/index.html`, [`page`]) and serves until Ctrl-C.
//!
//! The day played is yesterday (Beijing time), 08:00 to 18:00: every time the phones and the
//! office record is then in the past, as a real day's records are when the office reads them.
//! Nothing leaves the machine: the server listens on loopback and the phones talk to it only.

pub mod crew;
pub mod inspector;
pub mod office;
pub mod page;
pub mod phone;
pub mod place;
pub mod progress;
pub mod server;
pub mod summary;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use doorstep_core::app::AppError;

use crate::storage::{Storage, StorageError};
use phone::DemoPhone;
use place::Journal;
use world::World;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The demo's own directory: created by the demo, refused when something else made it.
    /// Never `serve`'s default, so that fake households never land in a real server's data.
    #[arg(long, default_value = "doorstep-demo")]
    pub data: PathBuf,
    /// The district and the day are generated from this seed: the same seed, the same day.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Households in the district.
    #[arg(long, default_value_t = 3_000)]
    pub households: usize,
    /// Where the demo's server listens (loopback; port 0 takes any free port).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// Start over: remove what an earlier run of the demo left in `--data`.
    #[arg(long)]
    pub fresh: bool,
    /// Exit after the summary instead of serving until Ctrl-C.
    #[arg(long)]
    pub no_serve: bool,
    /// Print the summary as JSON on stdout (progress and figures go to stderr).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The data directory is not the demo's, or holds another run the user must choose about.
    #[error("{0}")]
    Place(String),
    #[error("the demo's server: {0}")]
    Server(String),
    #[error("the server's storage: {0}")]
    Storage(#[from] StorageError),
    #[error("the server refused the office's work: {0}")]
    Office(#[from] crate::error::Error),
    /// A phone's app refused an event the scene sent: the scene and the app's error.
    #[error("{scene}: the app refused it: {source}")]
    App {
        scene: String,
        #[source]
        source: AppError,
    },
    /// The app showed something the scene did not expect (another screen, a missing button).
    #[error("{scene}: {what}")]
    Script { scene: String, what: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type DemoResult<T> = Result<T, DemoError>;

/// Who plays a scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Inspector,
    Crew,
    Office,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Inspector => "巡检员 / inspector",
            Role::Crew => "抢修员 / repair crew",
            Role::Office => "服务中心 / service center",
        }
    }
}

/// One moment of the day: at `at` (Beijing time on the demo's day), `role` does `play`.
/// A scene's name is unique; the journal records each scene once it is played, so a run that
/// was stopped continues with the scene after the last one played.
pub struct Scene {
    pub at: NaiveTime,
    pub role: Role,
    pub name: &'static str,
    /// What the progress line says while it plays, in both languages.
    pub title: &'static str,
    pub play: fn(&mut Day<'_>) -> DemoResult<()>,
}

/// What every scene plays with.
pub struct Day<'a> {
    pub world: &'a World,
    /// The server's storage: the office works on it directly, as `doorstep admin` does.
    pub storage: &'a dyn Storage,
    pub inspector: &'a DemoPhone,
    pub crew: &'a DemoPhone,
    /// The day played (Beijing time).
    pub date: NaiveDate,
    /// The scene playing now, for errors.
    pub scene: &'static str,
    /// When the scene plays (UTC).
    pub now: DateTime<Utc>,
    /// The scene was begun by a run that stopped in it: what it did then is on the phones
    /// and the server, and the scene goes on from there (a step taken is not taken again).
    pub replaying: bool,
}

impl Day<'_> {
    /// The UTC instant of a Beijing wall-clock time on the demo's day.
    pub fn at(&self, time: NaiveTime) -> DateTime<Utc> {
        world::beijing(self.date, time)
    }

    /// An error of the scene playing: the app showed something it did not expect.
    pub fn script(&self, what: impl Into<String>) -> DemoError {
        DemoError::Script {
            scene: self.scene.to_owned(),
            what: what.into(),
        }
    }

    /// The phone playing `role`.
    pub fn phone(&self, role: Role) -> &DemoPhone {
        match role {
            Role::Crew => self.crew,
            _ => self.inspector,
        }
    }
}

/// Every scene of the day, in the order they play (by time; at the same time, the office
/// first, then the inspector, then the crew).
pub fn scenes() -> Vec<Scene> {
    let mut all = office::scenes();
    all.extend(inspector::scenes());
    all.extend(crew::scenes());
    all.sort_by_key(|s| {
        (
            s.at,
            match s.role {
                Role::Office => 0,
                Role::Inspector => 1,
                Role::Crew => 2,
            },
        )
    });
    all
}

/// `doorstep demo`.
pub fn run(args: Args) -> DemoResult<()> {
    let started = Instant::now();
    let progress = progress::Progress::new(args.json);
    let mut journal = place::prepare(&args, &progress)?;
    let world = world::generate(journal.seed, journal.households, journal.date);
    let running = server::start(&args, &journal)?;
    if !journal.seeded {
        let households = world.households.len() as u64;
        progress.phase("服务中心建档 / The office sets up the district", households);
        progress.message(&format!(
            "{households} 户，{} 条读数 / households, readings",
            world.readings.len()
        ));
        world::seed(&*running.state.storage, &world)?;
        journal.seeded = true;
        journal.save(&args.data)?;
        progress.advance(households);
        progress.done();
    }
    progress.phase("手机注册 / Two phones enrolled", 2);
    let (inspector, crew) = phone::enroll_both(&args.data, &world, &running, &mut journal)?;
    progress.advance(2);
    progress.done();
    play_the_day(
        &world,
        &running,
        &inspector,
        &crew,
        &mut journal,
        &args,
        &progress,
    )?;

    let mut summary = summary::gather(
        &*running.state.storage,
        &world,
        &journal,
        &running,
        started.elapsed(),
    )?;
    summary.console = console_sign_in(&*running.state.storage)?;
    progress.phase("当日报告 / The day's page", 1);
    page::write(
        &args.data,
        &*running.state.storage,
        &*running.state.blobs,
        &world,
        &journal,
    )?;
    progress.advance(1);
    progress.finish();
    summary::print(&summary, args.json, &running.url, &args.data);
    if args.no_serve {
        running.stop();
        return Ok(());
    }
    eprintln!("serving on {} until Ctrl-C", running.url);
    running.wait_for_ctrl_c();
    Ok(())
}

/// The console's administrator of the demo, `demo`: created at the first run, given a new
/// generated password at every run (the last one printed is the one that works).
fn console_sign_in(storage: &dyn Storage) -> DemoResult<summary::ConsoleSignIn> {
    use crate::console::account::{self, NewStaff};
    const LOGIN: &str = "demo";
    let act = crate::admin::Act {
        at: Utc::now(),
        actor: crate::storage::Actor::Admin(Some(LOGIN.to_owned())),
    };
    let existing = crate::storage::read(storage, |tx| Ok(tx.staff_by_login(LOGIN)?))?;
    let (_, password) = match existing {
        Some(row) => account::set_password(storage, &row.id, None, &act)?,
        None => account::create(
            storage,
            NewStaff {
                login: LOGIN.to_owned(),
                name: "演示管理员 / demo administrator".to_owned(),
                role: crate::console::Role::Administrator,
                districts: Vec::new(),
                password: None,
            },
            &act,
        )?,
    };
    Ok(summary::ConsoleSignIn {
        url: String::new(),
        login: LOGIN.to_owned(),
        password: password.expect("a generated password"),
    })
}

fn play_the_day(
    world: &World,
    running: &server::Running,
    inspector: &DemoPhone,
    crew: &DemoPhone,
    journal: &mut Journal,
    args: &Args,
    progress: &progress::Progress,
) -> DemoResult<()> {
    let scenes = scenes();
    progress.phase("工作日 / The working day", scenes.len() as u64);
    for scene in &scenes {
        if journal.played.iter().any(|s| s == scene.name) {
            progress.step(scene.title);
            continue;
        }
        let mut day = Day {
            world,
            storage: &*running.state.storage,
            inspector,
            crew,
            date: journal.date,
            scene: scene.name,
            now: world::beijing(journal.date, scene.at),
            replaying: journal.playing.as_deref() == Some(scene.name),
        };
        for phone in [inspector, crew] {
            phone.move_clock_to(day.now);
        }
        running.move_clock_to(day.now);
        progress.message(&format!("{} {}", scene.at.format("%H:%M"), scene.title));
        journal.playing = Some(scene.name.to_owned());
        journal.save(&args.data)?;
        (scene.play)(&mut day)?;
        journal.played.push(scene.name.to_owned());
        journal.playing = None;
        journal.save(&args.data)?;
        progress.step(scene.title);
    }
    progress.done();
    Ok(())
}
