//! The Fees screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::fees` (the compiler checks each field against the core's).

use doorstep_core::app::screens::fees::{FeesEvent, FeesScreen};

#[uniffi::remote(Record)]
pub struct FeesScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum FeesEvent {
    Refresh,
}
