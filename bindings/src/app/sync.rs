//! The Sync screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::sync` (the compiler checks each field against the core's).

use doorstep_core::app::screens::sync::{SyncEvent, SyncScreen};

#[uniffi::remote(Record)]
pub struct SyncScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum SyncEvent {
    Refresh,
}
