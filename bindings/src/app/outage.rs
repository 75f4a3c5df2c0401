//! The Outage screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::outage` (the compiler checks each field against the core's).

use doorstep_core::app::screens::outage::{OutageEvent, OutageScreen};

#[uniffi::remote(Record)]
pub struct OutageScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum OutageEvent {
    Refresh,
}
