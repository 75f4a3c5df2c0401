//! The app layer: every screen of the technician's app as state, every tap as an event, and
//! what only the phone can do as effects (docs/adr/0007-app-layer.md, docs/screens.md).
//!
//! The shell sends an [`Event`] to [`App::handle`] and draws the [`ScreenState`] of the
//! [`Update`] it gets back, then carries out its [`Effect`]s, answering those that have an
//! answer with another event. Texts come already in the user's language, times already in
//! Beijing time, which actions can be pressed already decided: no rule, word or format is left
//! to a shell. The back stack, the input not yet saved and the effects awaited are kept in an
//! encrypted file beside the store after every event, so a process killed in the background
//! reopens on the same screen with the same input.
//!
//! Screens read through the store's read-only connection ([`Store::open_reader`]); only changes
//! go through the writer, which a sync holds one step at a time. A sync runs on the shell's
//! worker thread ([`App::run_sync`]) while the screens go on.

pub mod clock;
mod dispatch;
pub mod effect;
pub mod event;
pub mod format;
mod lifecycle;
pub mod route;
mod saved;
pub mod screens;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use clock::{Clock, Level, ManualClock, SystemClock};
pub use effect::{Effect, MapPlace, Symbology};
pub use event::{EffectFailure, Event};
pub use route::{Link, Route};
pub use screens::{Action, Notice, NoticeKind, Screen};

use crate::device_sync::{CancelToken, SyncOptions, SyncProgress, SyncReport, Syncer};
use crate::error::Error;
use crate::ids::WorkOrderId;
use crate::store::{Store, StoreKey};
use crate::text::{Lang, Text};
use saved::Saved;
use screens::{Answer, Cx, Nav, Outcome, Pending, Purpose};

/// How an app is opened.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The app's private folder: the store, its photos, the saved state, files for the shell.
    pub dir: PathBuf,
    /// The language the app starts in (zh-CN unless the user chose English).
    pub lang: Lang,
    /// The phone's model, told to the server at enrollment.
    pub device_model: String,
    /// Idle time after which the app locks.
    pub lock_after: Duration,
    /// How often the core asks for a sync while the app is open (urgent orders must reach the
    /// phone within their 30- and 60-minute targets, without Google push).
    pub sync_every: Duration,
    pub sync: SyncOptions,
}

impl AppConfig {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            lang: Lang::Zh,
            device_model: "unknown".into(),
            lock_after: Duration::minutes(5),
            sync_every: Duration::minutes(5),
            sync: SyncOptions::default(),
        }
    }
}

/// Why an event was not taken. The screen is unchanged and nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The event belongs to another screen than the one shown.
    #[error("the event {event} does not fit the screen shown ({screen})")]
    NotOnThisScreen {
        event: &'static str,
        screen: &'static str,
    },
    /// An effect's answer with a request number the app never gave.
    #[error("no effect was asked with request {request}")]
    UnknownRequest { request: u64 },
    /// An effect's answer that came after the user left the screen that asked for it (or a
    /// second answer to the same request): dropped.
    #[error("the answer to request {request} came after its screen was left")]
    LateAnswer { request: u64 },
    /// The app is locked: only unlocking is taken.
    #[error("the app is locked")]
    Locked,
    #[error(transparent)]
    Core(#[from] Error),
}

pub type AppResult<T> = std::result::Result<T, AppError>;

/// What the shell draws now, and what it is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub screen: ScreenState,
    pub effects: Vec<Effect>,
}

/// The screen on top of the back stack, with what every screen has.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenState {
    pub body: Screen,
    /// Whether Back leaves this screen (false on the first screen: Back leaves the app).
    pub can_go_back: bool,
    /// The back arrow's accessibility label.
    pub back_label: String,
    /// A message shown once, after the event that caused it.
    pub notice: Option<Notice>,
}

/// Where the sync stands, for the Today and Sync screens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncView {
    /// The sync running now and its last step.
    pub running: Option<SyncProgress>,
    /// How the last sync ended.
    pub last: Option<SyncEnd>,
}

/// How a sync ended: its report, or why it failed (in both languages, no personal data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncEnd {
    pub at: DateTime<Utc>,
    pub report: Option<SyncReport>,
    pub failure: Option<Text>,
}

/// The app's state that outlives the process (`saved.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    stack: Vec<Route>,
    lang: Lang,
    pending: Vec<Pending>,
    next_request: u64,
    locked: bool,
    /// The last event from the user (the lock's idle time runs from it).
    last_active: Option<DateTime<Utc>>,
    /// When the core last asked for a sync.
    sync_asked: Option<DateTime<Utc>>,
    sync: SyncView,
    /// Urgent orders the technician was already notified of.
    notified: Vec<WorkOrderId>,
    /// The notice of the last event, shown once.
    #[serde(skip)]
    notice: Option<Notice>,
}

/// The technician's app over one device store.
pub struct App {
    writer: Arc<Mutex<Store>>,
    reader: Mutex<Store>,
    syncer: Syncer,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    saved: Saved,
    files: PathBuf,
    config: AppConfig,
    cancel: Mutex<Option<CancelToken>>,
    /// The device was revoked and its store wiped: nothing is read or saved any more (the
    /// shell forgets the key and opens a new app to enroll again).
    wiped: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// Opens the app over the store in `config.dir` with `key`, on the phone's clock.
    pub fn open(config: AppConfig, key: &StoreKey) -> AppResult<Self> {
        Self::open_with_clock(config, key, Arc::new(SystemClock))
    }

    /// [`App::open`] with the clock a test or the demo sets.
    pub fn open_with_clock(
        config: AppConfig,
        key: &StoreKey,
        clock: Arc<dyn Clock>,
    ) -> AppResult<Self> {
        std::fs::create_dir_all(&config.dir).map_err(Error::from)?;
        let path = config.dir.join("doorstep.db");
        let mut writer = Store::open(&path, key)?;
        // The store's clock stamps go by the app's clock: a step made at 09:30 by the app's
        // (hand-set) clock is stamped 09:30, and the server believes it.
        let wall = clock.clone();
        writer.go_by(Arc::new(move || wall.now()));
        let reader = Store::open_reader(&path, key)?;
        let files = config.dir.join("files");
        std::fs::create_dir_all(&files).map_err(Error::from)?;
        let saved = Saved::new(&config.dir, key);
        let enrolled = writer.sync_state()?.technician_id.is_some();
        let mut state = saved.load::<State>().unwrap_or_else(|| State {
            stack: Vec::new(),
            lang: config.lang,
            pending: Vec::new(),
            next_request: 0,
            locked: false,
            last_active: None,
            sync_asked: None,
            sync: SyncView::default(),
            notified: Vec::new(),
            notice: None,
        });
        // Enrolled, or not, the first screen says so (a process killed between enrolling and
        // saving the state reopens on Today, not on a form whose code is used up).
        if state.stack.is_empty() || enrolled == matches!(state.stack[0], Route::Enroll(_)) {
            state.stack = vec![first_route(enrolled)];
        }
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            reader: Mutex::new(reader),
            syncer: Syncer::new(config.sync.clone())?,
            clock,
            state: Mutex::new(state),
            saved,
            files,
            config,
            cancel: Mutex::new(None),
            wiped: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The time the app goes by.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The store's writer, shared with the sync (for the bindings' older calls and tests).
    pub fn store(&self) -> Arc<Mutex<Store>> {
        self.writer.clone()
    }

    /// The screen now, with no effect (a shell redrawing after a configuration change).
    pub fn screen(&self) -> AppResult<ScreenState> {
        let mut state = lock(&self.state);
        let screen = self.render(&mut state)?;
        Ok(screen)
    }

    /// Takes one event: the new screen and the effects to carry out. An event that is not
    /// taken leaves the screen and the store as they were.
    pub fn handle(&self, event: Event) -> AppResult<Update> {
        let mut state = lock(&self.state);
        let before = state.clone();
        let result = self.apply(&mut state, event);
        let effects = match result {
            Ok(effects) => effects,
            Err(e) => {
                *state = before;
                return Err(e);
            }
        };
        self.save(&state)?;
        let screen = self.render(&mut state)?;
        Ok(Update { screen, effects })
    }

    /// Keeps the state for the next process, unless the store was wiped.
    fn save(&self, state: &State) -> AppResult<()> {
        if !self.is_wiped() {
            self.saved.save(state)?;
        }
        Ok(())
    }

    fn is_wiped(&self) -> bool {
        self.wiped.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Enrolls on the calling thread (the shell's worker, after a `RunEnrollment` effect) with
    /// what the Enroll screen holds. Meanwhile the screen shows its progress and stays
    /// drawable: the app's state is not held while the server is asked. Enrolled: Today, and
    /// a first sync; refused: the Enroll screen with why, beside the field concerned.
    pub fn run_enrollment(&self) -> AppResult<Update> {
        let asked = match lock(&self.state).stack.first() {
            Some(Route::Enroll(input)) => screens::enroll::to_enroll(input),
            _ => None,
        };
        let result = match &asked {
            Some(_) if self.is_wiped() => Err(Error::NotEnrolled),
            Some((server, code)) => self
                .syncer
                .enroll(&self.writer, server, code, &self.config.device_model)
                .map(|_| ()),
            None => Ok(()),
        };
        let mut state = lock(&self.state);
        let mut effects = Vec::new();
        if asked.is_some() {
            state.notice = None;
            match result {
                Ok(()) => {
                    state.stack = vec![Route::Today(Default::default())];
                    state.pending.clear();
                    state.sync_asked = Some(self.now());
                    state.last_active = Some(self.now());
                    state.notice = Some(Notice {
                        text: crate::text::said("本机已登记", "This phone is enrolled")
                            .get(state.lang)
                            .to_owned(),
                        kind: NoticeKind::Done,
                    });
                    effects.push(Effect::SyncNow);
                }
                Err(e) => {
                    tracing::info!(error = %e, "enrollment refused");
                    if let Some(Route::Enroll(input)) = state.stack.first_mut() {
                        if self.is_wiped() {
                            input.enrolling = false;
                            input.message = Some(screens::sync::wiped_message());
                        } else {
                            screens::enroll::failed(input, &e);
                        }
                    }
                }
            }
        }
        self.save(&state)?;
        let screen = self.render(&mut state)?;
        Ok(Update { screen, effects })
    }

    /// Runs one sync on the calling thread (the shell's worker, after a `SyncNow` effect or
    /// from its background job), telling `progress` each new screen while it goes. The
    /// screens stay usable throughout: they read through their own connection.
    pub fn run_sync(&self, progress: &dyn Fn(Update)) -> AppResult<Update> {
        if self.is_wiped() {
            let screen = self.render(&mut lock(&self.state))?;
            return Ok(Update {
                screen,
                effects: Vec::new(),
            });
        }
        let token = CancelToken::new();
        *lock(&self.cancel) = Some(token.clone());
        lock(&self.state).sync.running = Some(SyncProgress {
            phase: crate::device_sync::SyncPhase::Push,
            done: 0,
            total: 0,
        });
        let on_step = |p: SyncProgress| {
            let mut state = lock(&self.state);
            state.sync.running = Some(p);
            if let Ok(screen) = self.render(&mut state) {
                drop(state);
                progress(Update {
                    screen,
                    effects: Vec::new(),
                });
            }
        };
        let result = self.syncer.sync(&self.writer, &on_step, &token);
        lock(&self.cancel).take();
        let mut state = lock(&self.state);
        state.sync.running = None;
        let at = self.now();
        let effects = screens::sync::after(&mut SyncAfter {
            app: self,
            state: &mut state,
            result: &result,
            at,
        })?;
        state.sync.last = Some(SyncEnd {
            at,
            report: result.as_ref().ok().copied(),
            failure: result.as_ref().err().map(crate::words::sync_failure),
        });
        self.save(&state)?;
        let screen = self.render(&mut state)?;
        Ok(Update { screen, effects })
    }

    /// Stops the sync running now before its next request.
    pub fn cancel_sync(&self) {
        if let Some(token) = lock(&self.cancel).as_ref() {
            token.cancel();
        }
    }

    fn apply(&self, state: &mut State, event: Event) -> AppResult<Vec<Effect>> {
        let now = self.now();
        state.notice = None;
        if state.locked {
            return self.while_locked(state, event);
        }
        match &event {
            Event::Tick | Event::Resumed | Event::Paused => {}
            _ => state.last_active = Some(now),
        }
        let outcome = match event {
            Event::Resumed => self.resumed(state, now)?,
            Event::Paused => {
                Outcome::stay().with_effect(Effect::ScheduleSync { within_minutes: 15 })
            }
            Event::Tick => self.tick(state, now)?,
            Event::Back => {
                if state.stack.len() > 1 {
                    let leaving_signature = matches!(state.stack.last(), Some(Route::Signature(_)));
                    let back = Outcome::back();
                    if leaving_signature {
                        back.with_effect(Effect::KeepScreenOn { on: false })
                    } else {
                        back
                    }
                } else {
                    Outcome::stay()
                }
            }
            Event::OpenLink { link } => self.open_link(state, &link)?,
            Event::SetLanguage { lang } => {
                state.lang = lang;
                Outcome::stay()
            }
            Event::Unlock => Outcome::stay(),
            Event::PhotoTaken { request } => self.answer(state, request, None)?,
            Event::Scanned { request, text } => {
                self.answer(state, request, Some(Answer::Scanned { text }))?
            }
            Event::Located {
                request,
                lat,
                lon,
                accuracy_m,
            } => self.answer(
                state,
                request,
                Some(Answer::Located {
                    lat,
                    lon,
                    accuracy_m,
                }),
            )?,
            Event::Unlocked { request } => {
                return Err(AppError::LateAnswer { request });
            }
            Event::EffectFailed { request, failure } => {
                self.answer(state, request, Some(Answer::Failed(failure)))?
            }
            event => self.on_screen(state, event, now)?,
        };
        Ok(self.follow(state, outcome))
    }

    /// Moves the back stack and keeps the notice; the effects to hand to the shell.
    fn follow(&self, state: &mut State, outcome: Outcome) -> Vec<Effect> {
        let keep_depth = match outcome.nav {
            Nav::Stay => state.stack.len(),
            Nav::Push(route) => {
                state.stack.push(route);
                state.stack.len() - 1
            }
            Nav::Pop => {
                if state.stack.len() > 1 {
                    state.stack.pop();
                }
                state.stack.len()
            }
            Nav::Replace(route) => {
                let top = state.stack.len() - 1;
                state.stack[top] = route;
                top
            }
            Nav::Root(route) => {
                state.stack = vec![route];
                0
            }
        };
        // What a screen no longer open was waiting for will not reach it.
        state.pending.retain(|p| p.depth < keep_depth);
        if let Some((text, kind)) = outcome.notice {
            state.notice = Some(Notice {
                text: text.get(state.lang).to_owned(),
                kind,
            });
        }
        outcome.effects
    }

    fn open_link(&self, state: &mut State, link: &str) -> AppResult<Outcome> {
        let link = Link::parse(link).ok_or_else(|| {
            Error::from(crate::InvalidInput::new(
                "link",
                crate::text::said("不是本应用的链接", "not a link of this app"),
            ))
        })?;
        let route = match link {
            Link::Order(id) => Route::WorkOrder { id },
            Link::Household(id) => Route::Household { id },
            Link::Outage(id) => Route::Outage(screens::outage::OutageInput::of(id)),
            Link::Form(id) => Route::Form(screens::form::FormInput::of(id)),
            Link::Sync => Route::Sync,
            Link::Fees => Route::Fees(Default::default()),
            Link::Copy(input) => Route::Copy(input),
        };
        if !self.enrolled()? {
            return Ok(Outcome::stay());
        }
        // A link opens over Today, whatever was open: Back returns to the day's work.
        let leaving_signature = matches!(state.stack.last(), Some(Route::Signature(_)));
        state.stack.truncate(1);
        state.pending.clear();
        let opened = Outcome::go(route);
        Ok(if leaving_signature {
            opened.with_effect(Effect::KeepScreenOn { on: false })
        } else {
            opened
        })
    }

    fn unanswerable(&self, state: &State, request: u64) -> AppError {
        if request == 0 || request > state.next_request {
            AppError::UnknownRequest { request }
        } else {
            // A photo the shell wrote for a screen no longer open is not kept.
            let _ = std::fs::remove_file(self.photo_path(request));
            AppError::LateAnswer { request }
        }
    }

    /// Where the camera writes the photo of `request`.
    fn photo_path(&self, request: u64) -> PathBuf {
        self.files.join(format!("photo-{request}.jpg"))
    }
}

/// What [`screens::sync::after`] works with once a sync ended: the app, its state, the result.
pub struct SyncAfter<'a> {
    pub app: &'a App,
    state: &'a mut State,
    pub result: &'a crate::error::Result<SyncReport>,
    pub at: DateTime<Utc>,
}

fn first_route(enrolled: bool) -> Route {
    if enrolled {
        Route::Today(Default::default())
    } else {
        Route::Enroll(Default::default())
    }
}
