//! The Today screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::today` (the compiler checks each field against the core's).

use doorstep_core::app::screens::today::{TodayEvent, TodayScreen};

#[uniffi::remote(Record)]
pub struct TodayScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum TodayEvent {
    Refresh,
}
