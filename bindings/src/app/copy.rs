//! The Copy screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::copy` (the compiler checks each field against the core's).

use doorstep_core::app::screens::copy::{CopyEvent, CopyScreen};

#[uniffi::remote(Record)]
pub struct CopyScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum CopyEvent {
    Refresh,
}
