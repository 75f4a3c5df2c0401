//! The Search screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::search` (the compiler checks each field against the core's).

use doorstep_core::app::screens::search::{SearchEvent, SearchLine, SearchScreen};

#[uniffi::remote(Record)]
pub struct SearchScreen {
    pub title: String,
    pub query: String,
    pub placeholder: String,
    pub query_accessibility: String,
    pub results: Vec<SearchLine>,
    pub summary: String,
}

#[uniffi::remote(Record)]
pub struct SearchLine {
    pub household_id: String,
    pub name: String,
    pub customer_number: String,
    pub address: String,
    pub matched: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum SearchEvent {
    Refresh,
    SetQuery { text: String },
    Clear,
    Open { household_id: String },
}
