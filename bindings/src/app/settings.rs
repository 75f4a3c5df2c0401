//! The Settings screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::settings` (the compiler checks each field against the core's).

use doorstep_core::app::screens::settings::{SettingsEvent, SettingsScreen};

#[uniffi::remote(Record)]
pub struct SettingsScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum SettingsEvent {
    Refresh,
}
