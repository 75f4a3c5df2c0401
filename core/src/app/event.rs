//! What the shell sends the core: the user's intents on the screen shown, the answers to
//! effects, and the app's life (started, a minute passed, back in the foreground).

use serde::{Deserialize, Serialize};

use super::screens::{
    actions::ActionEvent, copy::CopyEvent, enroll::EnrollEvent, fees::FeesEvent, form::FormEvent,
    household::HouseholdEvent, order::OrderEvent, outage::OutageEvent, search::SearchEvent,
    settings::SettingsEvent, signature::SignatureEvent, sync::SyncEvent, today::TodayEvent,
};
use crate::text::Lang;

/// Why an effect brought no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectFailure {
    /// The user backed out (closed the camera, the scanner, the prompt).
    Cancelled,
    /// The platform's permission was refused.
    Denied,
    /// The phone cannot (no camera, no position fix in time, no biometric enrolled).
    Unavailable,
}

/// One event for the core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The app came to the foreground (also its first start).
    Resumed,
    /// The app went to the background: the lock's idle time runs from here.
    Paused,
    /// A minute passed (the shell sends one each minute while a screen is shown).
    Tick,
    /// The system's Back (gesture or button), or the screen's own back arrow.
    Back,
    /// A link from a notification or another app (`doorstep://order/<id>`).
    OpenLink {
        link: String,
    },
    /// The user pressed Unlock on the locked screen: ask the platform's prompt again.
    Unlock,
    /// The user switched the language.
    SetLanguage {
        lang: Lang,
    },

    /// The camera wrote the photo to the effect's path.
    PhotoTaken {
        request: u64,
    },
    /// The scanner read a code.
    Scanned {
        request: u64,
        text: String,
    },
    /// The phone's position, with its accuracy.
    Located {
        request: u64,
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    },
    /// The platform's PIN or biometric prompt let the user in.
    Unlocked {
        request: u64,
    },
    /// An effect brought no answer.
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
