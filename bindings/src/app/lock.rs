//! The Locked screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::lock` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::lock::LockedScreen;

#[uniffi::remote(Record)]
pub struct LockedScreen {
    pub title: String,
    pub message: String,
    pub unlock: Action,
}
