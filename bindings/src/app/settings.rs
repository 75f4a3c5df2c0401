//! The Settings screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::settings` (the compiler checks each field against the core's).

use doorstep_core::app::screens::parts::Field;
use doorstep_core::app::screens::settings::{LanguageChoice, SettingsEvent, SettingsScreen};

use crate::types::Language;

#[uniffi::remote(Record)]
pub struct SettingsScreen {
    pub title: String,
    pub language_title: String,
    pub languages: Vec<LanguageChoice>,
    pub device: Field,
    pub server: Field,
    pub technician: Field,
    pub store_size: Field,
    pub core_version: Field,
    pub store_schema: Field,
    pub last_sync: Field,
}

#[uniffi::remote(Record)]
pub struct LanguageChoice {
    pub lang: Language,
    pub label: String,
    pub selected: bool,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum SettingsEvent {
    Refresh,
    SetLanguage { lang: Language },
}
