//! [`DoorstepApp`]: the technician's app as the shells see it, the core's app layer
//! (`doorstep_core::app`, docs/adr/0007-app-layer.md) behind one object. The shell sends an
//! [`Event`], draws the [`ScreenState`] it gets back and carries out the [`Effect`]s.
//!
//! The records are the core's own, declared here again with `#[uniffi::remote]` so UniFFI can
//! carry them: the compiler checks every field against the core's, and no conversion is
//! written by hand.

mod actions;
mod copy;
mod enroll;
mod fees;
mod form;
mod household;
mod lock;
mod order;
mod outage;
mod parts;
mod search;
mod settings;
mod signature;
mod sync;
mod today;

use std::sync::Arc;

use doorstep_core::app::screens::{
    actions::{ActionEvent, ActionScreen},
    copy::{CopyEvent, CopyScreen},
    enroll::{EnrollEvent, EnrollScreen},
    fees::{FeesEvent, FeesScreen},
    form::{FormEvent, FormScreen},
    household::{HouseholdEvent, HouseholdScreen},
    lock::LockedScreen,
    order::{OrderEvent, WorkOrderScreen},
    outage::{OutageEvent, OutageScreen},
    search::{SearchEvent, SearchScreen},
    settings::{SettingsEvent, SettingsScreen},
    signature::{SignatureEvent, SignatureScreen},
    sync::{SyncEvent, SyncScreen},
    today::{TodayEvent, TodayScreen},
};
use doorstep_core::app::{
    Action, App, AppConfig, Clock, Effect, EffectFailure, Event, ManualClock, MapPlace, Notice,
    NoticeKind, Screen, ScreenState, Symbology, SystemClock, Update,
};
use doorstep_core::store::StoreKey;

use crate::error::{DoorstepError, Result};
use crate::types::Language;

#[uniffi::remote(Record)]
pub struct Update {
    pub screen: ScreenState,
    pub effects: Vec<Effect>,
}

#[uniffi::remote(Record)]
pub struct ScreenState {
    pub body: Screen,
    pub can_go_back: bool,
    pub back_label: String,
    pub notice: Option<Notice>,
}

#[uniffi::remote(Enum)]
pub enum Screen {
    Enroll(EnrollScreen),
    Today(TodayScreen),
    Household(HouseholdScreen),
    WorkOrder(WorkOrderScreen),
    Form(FormScreen),
    Signature(SignatureScreen),
    Sync(SyncScreen),
    Search(SearchScreen),
    Settings(SettingsScreen),
    Action(ActionScreen),
    Outage(OutageScreen),
    Fees(FeesScreen),
    Copy(CopyScreen),
    Locked(LockedScreen),
}

#[uniffi::remote(Record)]
pub struct Notice {
    pub text: String,
    pub kind: NoticeKind,
}

#[uniffi::remote(Enum)]
pub enum NoticeKind {
    Done,
    Info,
    Problem,
}

#[uniffi::remote(Record)]
pub struct Action {
    pub label: String,
    pub accessibility: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
}

#[uniffi::remote(Record)]
pub struct MapPlace {
    pub wgs84_lat: f64,
    pub wgs84_lon: f64,
    pub gcj02_lat: f64,
    pub gcj02_lon: f64,
}

#[uniffi::remote(Enum)]
pub enum Symbology {
    Qr,
    Barcode,
}

#[uniffi::remote(Enum)]
pub enum Effect {
    TakePhoto {
        request: u64,
        path: String,
        prompt: String,
    },
    Scan {
        request: u64,
        kinds: Vec<Symbology>,
        prompt: String,
    },
    Locate {
        request: u64,
        accuracy_m: u32,
        timeout_s: u32,
    },
    OpenMap {
        label: String,
        place: MapPlace,
    },
    Call {
        number: String,
    },
    Share {
        path: String,
        mime: String,
        title: String,
    },
    Print {
        path: String,
        mime: String,
        title: String,
    },
    SyncNow,
    ScheduleSync {
        within_minutes: u32,
    },
    Notify {
        id: String,
        title: String,
        body: String,
        link: String,
        urgent: bool,
    },
    KeepScreenOn {
        on: bool,
    },
    Unlock {
        request: u64,
        prompt: String,
    },
    ForgetStoreKey,
    RunEnrollment,
}

#[uniffi::remote(Enum)]
pub enum EffectFailure {
    Cancelled,
    Denied,
    Unavailable,
}

#[uniffi::remote(Enum)]
pub enum Event {
    Resumed,
    Paused,
    Tick,
    Back,
    OpenLink {
        link: String,
    },
    Unlock,
    SetLanguage {
        lang: Language,
    },
    PhotoTaken {
        request: u64,
    },
    Scanned {
        request: u64,
        text: String,
    },
    Located {
        request: u64,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    },
    Unlocked {
        request: u64,
    },
    EffectFailed {
        request: u64,
        failure: EffectFailure,
    },
    Enroll(EnrollEvent),
    Today(TodayEvent),
    Household(HouseholdEvent),
    Order(OrderEvent),
    Form(FormEvent),
    Signature(SignatureEvent),
    Sync(SyncEvent),
    Search(SearchEvent),
    Settings(SettingsEvent),
    Action(ActionEvent),
    Outage(OutageEvent),
    Fees(FeesEvent),
    Copy(CopyEvent),
}

/// Told each new screen while a sync runs on the shell's worker thread.
#[uniffi::export(with_foreign)]
pub trait AppListener: Send + Sync {
    fn on_update(&self, update: Update);
}

/// The technician's app over the device's store. Every call blocks (reads take milliseconds,
/// a sync or an enrollment as long as the network does): call from a worker, never the UI
/// thread.
#[derive(uniffi::Object)]
pub struct DoorstepApp {
    app: App,
    /// The hand-set clock of [`DoorstepApp::open_with_time`]; `None` on the phone's clock.
    manual: Option<Arc<ManualClock>>,
}

impl std::fmt::Debug for DoorstepApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoorstepApp").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl DoorstepApp {
    /// Opens the app over the store in `directory` (created if new) with `key_hex` from the
    /// platform keystore, in `language`, telling the server `device_model` at enrollment.
    /// Reopened after the process was killed, it shows the same screen with the same input.
    #[uniffi::constructor]
    pub fn open(
        directory: String,
        key_hex: String,
        language: Language,
        device_model: String,
    ) -> Result<Arc<Self>> {
        Self::open_on(directory, key_hex, language, device_model, None)
    }

    /// FOR TESTS AND THE DEMO ONLY: [`DoorstepApp::open`] on a clock set by hand to `now_iso`
    /// (RFC 3339, e.g. `2026-12-07T09:00:00+08:00`), moved only by [`DoorstepApp::set_time`]
    /// and [`DoorstepApp::advance_minutes`]. A shipped shell never calls it.
    #[uniffi::constructor]
    pub fn open_with_time(
        directory: String,
        key_hex: String,
        language: Language,
        device_model: String,
        now_iso: String,
    ) -> Result<Arc<Self>> {
        let clock = Arc::new(ManualClock::new(parse_time("now_iso", &now_iso)?));
        Self::open_on(directory, key_hex, language, device_model, Some(clock))
    }

    /// FOR TESTS AND THE DEMO ONLY: sets the hand-set clock to `now_iso` (RFC 3339). Refused
    /// on the phone's clock.
    pub fn set_time(&self, now_iso: String) -> Result<()> {
        let at = parse_time("now_iso", &now_iso)?;
        self.manual_clock("now_iso")?.set(at);
        Ok(())
    }

    /// FOR TESTS AND THE DEMO ONLY: moves the hand-set clock `minutes` forward (the shell
    /// then sends `Tick` as it would each minute). Refused on the phone's clock.
    pub fn advance_minutes(&self, minutes: u32) -> Result<()> {
        self.manual_clock("minutes")?
            .advance(chrono::Duration::minutes(i64::from(minutes)));
        Ok(())
    }

    /// The time the app goes by, RFC 3339 in UTC.
    pub fn now_iso(&self) -> String {
        self.app.now().to_rfc3339()
    }

    /// Takes one event: the new screen and the effects to carry out. An event that does not
    /// fit is an error and changes nothing.
    pub fn handle(&self, event: Event) -> Result<Update> {
        Ok(self.app.handle(event)?)
    }

    /// The screen now (to redraw after a configuration change).
    pub fn screen(&self) -> Result<ScreenState> {
        Ok(self.app.screen()?)
    }

    /// Runs the sync a `SyncNow` effect asked for (or the background job's), telling
    /// `listener` each new screen while it runs; returns the screen after it, with its effects
    /// (notifications of new urgent orders).
    pub fn run_sync(&self, listener: Option<Arc<dyn AppListener>>) -> Result<Update> {
        let progress = |update: Update| {
            if let Some(l) = &listener {
                let told =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| l.on_update(update)));
                if told.is_err() {
                    tracing::warn!("the app listener failed");
                }
            }
        };
        Ok(self.app.run_sync(&progress)?)
    }

    /// Enrolls with what the Enroll screen holds, as a `RunEnrollment` effect asked; returns
    /// the screen after it (Today and a `SyncNow`, or the Enroll screen with why not).
    pub fn run_enrollment(&self) -> Result<Update> {
        Ok(self.app.run_enrollment()?)
    }

    /// Stops the sync running now before its next request.
    pub fn cancel_sync(&self) {
        self.app.cancel_sync();
    }
}

impl DoorstepApp {
    fn open_on(
        directory: String,
        key_hex: String,
        language: Language,
        device_model: String,
        manual: Option<Arc<ManualClock>>,
    ) -> Result<Arc<Self>> {
        let key = StoreKey::from_hex(&key_hex).map_err(|mut e| {
            e.field = "key_hex".into();
            DoorstepError::from(e)
        })?;
        let mut config = AppConfig::new(directory);
        config.lang = language;
        config.device_model = device_model;
        let clock: Arc<dyn Clock> = match &manual {
            Some(m) => m.clone(),
            None => Arc::new(SystemClock),
        };
        let app = App::open_with_clock(config, &key, clock)?;
        Ok(Arc::new(Self { app, manual }))
    }

    fn manual_clock(&self, field: &str) -> Result<&ManualClock> {
        self.manual.as_deref().ok_or_else(|| {
            invalid(
                field,
                "应用使用手机时钟，不能手动设置时间",
                "the app goes by the phone's clock: open it with open_with_time to set the time",
            )
        })
    }
}

fn parse_time(field: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            invalid(
                field,
                "时间格式应为 RFC 3339，例如 2026-12-07T09:00:00+08:00",
                "a time in RFC 3339, e.g. 2026-12-07T09:00:00+08:00",
            )
        })
}

fn invalid(field: &str, zh: &str, en: &str) -> DoorstepError {
    DoorstepError::from(doorstep_core::Error::from(
        doorstep_core::InvalidInput::new(field, doorstep_core::text::said(zh, en)),
    ))
}
