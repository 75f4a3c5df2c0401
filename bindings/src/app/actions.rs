//! The Action screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::actions` (the compiler checks each field against the core's).

use doorstep_core::app::screens::actions::{ActionEvent, ActionScreen};

#[uniffi::remote(Record)]
pub struct ActionScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum ActionEvent {
    Refresh,
}
