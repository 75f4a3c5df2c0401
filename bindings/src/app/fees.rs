//! The Fees screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::fees` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::fees::{
    FeesCollection, FeesEvent, FeesLine, FeesScreen, FeesTotal,
};

#[uniffi::remote(Record)]
pub struct FeesScreen {
    pub title: String,
    pub day: String,
    pub is_today: bool,
    pub previous: Action,
    pub next: Action,
    pub today: Option<Action>,
    pub collections: Vec<FeesCollection>,
    pub hand_in: Vec<FeesTotal>,
    pub total: String,
    pub receipts: String,
    pub settlement: String,
    pub empty: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct FeesCollection {
    pub form_id: String,
    pub time: String,
    pub household: String,
    pub lines: Vec<FeesLine>,
    pub method: String,
    pub receipt: String,
    pub total: String,
    pub open_receipt: Action,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct FeesLine {
    pub item: String,
    pub quantity: String,
    pub total: String,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct FeesTotal {
    pub method: String,
    pub amount: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum FeesEvent {
    Refresh,
    PreviousDay,
    NextDay,
    Today,
    OpenReceipt { form_id: String },
}
