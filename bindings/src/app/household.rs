//! The Household screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::household` (the compiler checks each field against the core's).

use doorstep_core::app::screens::household::{HouseholdEvent, HouseholdScreen};

#[uniffi::remote(Record)]
pub struct HouseholdScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum HouseholdEvent {
    Refresh,
}
