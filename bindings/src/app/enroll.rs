//! The Enroll screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::enroll` (the compiler checks each field against the core's).

use doorstep_core::app::screens::enroll::{EnrollEvent, EnrollScreen};

#[uniffi::remote(Record)]
pub struct EnrollScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum EnrollEvent {
    Refresh,
}
