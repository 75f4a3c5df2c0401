//! The technician's app driven only through events (`doorstep_core::app`): one file per
//! screen, each test named after the story it proves. `Phone` is an app over a real encrypted
//! store, on a clock the test moves, enrolled without a server (the sync stories that need one
//! are in the server's tests and the bindings' Python and Kotlin tests).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use doorstep_core::app::{App, AppConfig, Event, ManualClock, Screen, ScreenState, Update};
use doorstep_core::ids::TechnicianId;
use doorstep_core::store::Store;
use doorstep_core::team::{Technician, TechnicianRole};
use doorstep_core::text::Lang;

use crate::common;

mod actions;
mod copy;
mod enroll;
mod fees;
mod form;
mod household;
mod lock;
mod navigation;
mod order;
mod outage;
mod process_death;
mod search;
mod settings;
mod signature;
mod sync;
mod today;

/// An app on a phone: its folder, its clock, and the app object (dropped and opened again
/// for the process-death stories).
pub struct Phone {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub app: Option<App>,
    pub technician: Technician,
}

impl Phone {
    /// A phone not enrolled yet, at `now`.
    pub fn fresh(now: DateTime<Utc>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(now));
        let technician = Technician {
            id: TechnicianId::new(),
            badge: "T0427".into(),
            name: "王师傅".into(),
            phone: None,
            role: TechnicianRole::Inspector,
            crew_id: None,
            district_id: None,
            active: true,
        };
        let mut phone = Self {
            dir,
            clock,
            app: None,
            technician,
        };
        phone.reopen();
        phone
    }

    /// A phone enrolled with a (never contacted) server, at `now`, whose store `seed` fills
    /// as a pull would.
    pub fn enrolled(now: DateTime<Utc>, seed: impl FnOnce(&mut Store)) -> Self {
        let mut phone = Self::fresh(now);
        phone.app.take();
        {
            let mut store =
                Store::open(phone.dir.path().join("doorstep.db"), &common::key()).unwrap();
            store
                .set_enrollment("http://127.0.0.1:9", "credential", &phone.technician)
                .unwrap();
            seed(&mut store);
        }
        // A fresh saved state: the app starts on Today.
        let _ = std::fs::remove_file(phone.dir.path().join("app-state.bin"));
        phone.reopen();
        phone
    }

    /// The process killed and started again: a new app object over the same folder.
    pub fn reopen(&mut self) {
        self.app.take();
        let mut config = AppConfig::new(self.dir.path());
        config.lang = Lang::Zh;
        config.sync.attempts = 1;
        self.app = Some(App::open_with_clock(config, &common::key(), self.clock.clone()).unwrap());
    }

    pub fn app(&self) -> &App {
        self.app.as_ref().unwrap()
    }

    /// Sends an event that must be taken.
    pub fn send(&self, event: Event) -> Update {
        match self.app().handle(event.clone()) {
            Ok(update) => update,
            Err(e) => panic!("{event:?} was not taken: {e}"),
        }
    }

    pub fn screen(&self) -> ScreenState {
        self.app().screen().unwrap()
    }

    pub fn later(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The technician looks at the phone again after a while: the minute's tick, and when the
    /// idle phone locked itself, the platform's prompt answered (the stories of the lock itself
    /// are in `lock.rs`).
    pub fn glance(&self) -> Update {
        let update = self.send(Event::Tick);
        if !matches!(update.screen.body, Screen::Locked(_)) {
            return update;
        }
        let asked = self.send(Event::Unlock);
        let request = asked
            .effects
            .iter()
            .find_map(|e| match e {
                doorstep_core::app::Effect::Unlock { request, .. } => Some(*request),
                _ => None,
            })
            .expect("a locked phone asks for the platform's prompt");
        self.send(Event::Unlocked { request })
    }
}

/// The body of a screen state, as the variant a test expects.
#[macro_export]
macro_rules! on_screen {
    ($state:expr, $variant:ident) => {
        match $state.body {
            doorstep_core::app::Screen::$variant(s) => s,
            other => panic!(
                "expected the {} screen, got {other:?}",
                stringify!($variant)
            ),
        }
    };
}

pub fn is_today(state: &ScreenState) -> bool {
    matches!(state.body, Screen::Today(_))
}
