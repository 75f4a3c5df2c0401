//! The Search screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::search` (the compiler checks each field against the core's).

use doorstep_core::app::screens::search::{SearchEvent, SearchScreen};

#[uniffi::remote(Record)]
pub struct SearchScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum SearchEvent {
    Refresh,
}
