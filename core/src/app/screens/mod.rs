//! The screens: for each, the record the shell draws (`…Screen`), the events it takes
//! (`…Event`), the input kept on the back stack while it is open (`…Input`), and two functions:
//! `render` (the record, from the store's read-only connection and the input) and `handle`
//! (an event: a change through the writer, a move on the back stack, effects). Each screen is
//! one file; docs/screens.md describes them for the shells' authors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::effect::Effect;
use super::event::EffectFailure;
use super::route::Route;
use crate::error::Result;
use crate::store::Store;
use crate::text::{Lang, Text};

pub mod actions;
pub mod copy;
pub mod enroll;
pub mod fees;
pub mod form;
pub mod household;
pub mod lock;
pub mod order;
pub mod outage;
pub mod parts;
pub mod search;
pub mod settings;
pub mod signature;
pub mod sync;
pub mod today;

/// What the shell draws: the screen on top of the back stack.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one is built per event and handed to the shell
pub enum Screen {
    Enroll(enroll::EnrollScreen),
    Today(today::TodayScreen),
    Household(household::HouseholdScreen),
    WorkOrder(order::WorkOrderScreen),
    Form(form::FormScreen),
    Signature(signature::SignatureScreen),
    Sync(sync::SyncScreen),
    Search(search::SearchScreen),
    Settings(settings::SettingsScreen),
    Action(actions::ActionScreen),
    Outage(outage::OutageScreen),
    Fees(fees::FeesScreen),
    Copy(copy::CopyScreen),
    Locked(lock::LockedScreen),
}

/// A short message shown once over the screen after an action ("已签封" / "Sealed"), or why
/// an action did not happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub text: String,
    pub kind: NoticeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeKind {
    Done,
    Info,
    Problem,
}

/// A button or menu entry: its words, its accessibility label, and whether it can be pressed
/// now (with why not, in words, when it cannot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: String,
    pub accessibility: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
}

impl Action {
    pub fn new(cx: &Cx<'_>, text: &Text, enabled: bool) -> Self {
        let label = cx.t(text);
        Self {
            accessibility: label.clone(),
            label,
            enabled,
            disabled_reason: None,
        }
    }

    /// An action that cannot be pressed now, and why.
    pub fn disabled(cx: &Cx<'_>, text: &Text, why: &Text) -> Self {
        let mut a = Self::new(cx, text, false);
        a.disabled_reason = Some(cx.t(why));
        a.accessibility = format!("{}（{}）", a.label, cx.t(why));
        if cx.lang == Lang::En {
            a.accessibility = format!("{} ({})", a.label, cx.t(why));
        }
        a
    }
}

/// What an effect the app is waiting for was asked for, so that its answer reaches the screen
/// that asked (and only while that screen is still open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Purpose {
    Enroll(enroll::EnrollPurpose),
    Today(today::TodayPurpose),
    Household(household::HouseholdPurpose),
    Order(order::OrderPurpose),
    Form(form::FormPurpose),
    Action(actions::ActionPurpose),
    Outage(outage::OutagePurpose),
    Unlock,
}

/// An effect's answer, as the screen that asked receives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The photo is at the path the effect named.
    Photo {
        path: PathBuf,
    },
    Scanned {
        text: String,
    },
    Located {
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    },
    Unlocked,
    Failed(EffectFailure),
}

/// An effect the app waits for, and the screen (by its depth on the back stack and its route)
/// that asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub request: u64,
    pub depth: usize,
    pub purpose: Purpose,
    /// The file a photo is written to.
    pub path: Option<PathBuf>,
}

/// How the back stack moves after an event.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Nav {
    #[default]
    Stay,
    Push(Route),
    Pop,
    Replace(Route),
    /// Clear the stack to this route (after enrolling: Today).
    Root(Route),
}

/// What handling an event did, beyond the changes in the store.
#[derive(Debug, Default)]
pub struct Outcome {
    pub nav: Nav,
    pub effects: Vec<Effect>,
    pub notice: Option<(Text, NoticeKind)>,
}

impl Outcome {
    pub fn stay() -> Self {
        Self::default()
    }
    pub fn go(route: Route) -> Self {
        Self {
            nav: Nav::Push(route),
            ..Self::default()
        }
    }
    pub fn back() -> Self {
        Self {
            nav: Nav::Pop,
            ..Self::default()
        }
    }
    pub fn with_effect(mut self, effect: Effect) -> Self {
        self.effects.push(effect);
        self
    }
    pub fn done(mut self, text: Text) -> Self {
        self.notice = Some((text, NoticeKind::Done));
        self
    }
    pub fn problem(mut self, text: Text) -> Self {
        self.notice = Some((text, NoticeKind::Problem));
        self
    }
}

/// What a screen works with while it renders or handles an event: the time, the language,
/// the store (read through its own connection, written through the one writer), the folder
/// the app's files go to, and the effects it is waiting for.
pub struct Cx<'a> {
    pub now: DateTime<Utc>,
    pub lang: Lang,
    reader: &'a Store,
    writer: &'a Mutex<Store>,
    files: &'a Path,
    depth: usize,
    pending: &'a mut Vec<Pending>,
    next_request: &'a mut u64,
}

impl<'a> Cx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        now: DateTime<Utc>,
        lang: Lang,
        reader: &'a Store,
        writer: &'a Mutex<Store>,
        files: &'a Path,
        depth: usize,
        pending: &'a mut Vec<Pending>,
        next_request: &'a mut u64,
    ) -> Self {
        Self {
            now,
            lang,
            reader,
            writer,
            files,
            depth,
            pending,
            next_request,
        }
    }

    /// The store, read through the screens' own connection (never waits for a sync).
    pub fn read(&self) -> &Store {
        self.reader
    }

    /// A change, through the one writer (waits for a sync's step in progress, never for a
    /// whole sync).
    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut store = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }

    /// A text in the user's language.
    pub fn t(&self, text: &Text) -> String {
        text.get(self.lang).to_owned()
    }

    /// Words given in both languages, in the user's.
    pub fn say(&self, zh: &str, en: &str) -> String {
        match self.lang {
            Lang::Zh => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    }

    /// The folder where the app writes files for the shell (photos to take, customer copies).
    pub fn files(&self) -> &Path {
        self.files
    }

    /// A new request number for an effect whose answer `purpose` awaits; a photo's answer
    /// is expected at `path`.
    pub fn ask(&mut self, purpose: Purpose, path: Option<PathBuf>) -> u64 {
        *self.next_request += 1;
        let request = *self.next_request;
        self.pending.push(Pending {
            request,
            depth: self.depth,
            purpose,
            path,
        });
        request
    }
}
