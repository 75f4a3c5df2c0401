//! The Today screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::today` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::parts::{Badge, Countdown};
use doorstep_core::app::screens::today::{
    FilterChip, OutageBanner, TodayEvent, TodayFilter, TodayLine, TodayScreen, TodaySync,
};

#[uniffi::remote(Record)]
pub struct TodayScreen {
    pub title: String,
    pub technician: String,
    pub date: String,
    pub sync: TodaySync,
    pub outages: Vec<OutageBanner>,
    pub filters: Vec<FilterChip>,
    pub lines: Vec<TodayLine>,
    pub empty: Option<String>,
    pub pull_to_sync: String,
    pub search: Action,
    pub sync_button: Action,
    pub settings: Action,
    pub fees: Action,
}

#[uniffi::remote(Record)]
pub struct TodaySync {
    pub last_sync: String,
    pub waiting: String,
    pub waiting_count: u64,
    pub refused: Option<String>,
    pub refused_count: u64,
    pub photos: Option<String>,
    pub running: bool,
    pub failure: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct OutageBanner {
    pub outage_id: String,
    pub text: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum TodayFilter {
    All,
    Orders,
    Inspections,
}

#[uniffi::remote(Record)]
pub struct FilterChip {
    pub filter: TodayFilter,
    pub label: String,
    pub count: u32,
    pub selected: bool,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct TodayLine {
    pub position: u32,
    pub order_id: Option<String>,
    pub household_id: Option<String>,
    pub title: String,
    pub address: String,
    pub reason: String,
    pub badges: Vec<Badge>,
    pub countdown: Option<Countdown>,
    pub distance: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum TodayEvent {
    Refresh,
    SetFilter { filter: TodayFilter },
    PullToSync,
    OpenOrder { id: String },
    OpenHousehold { id: String },
    OpenOutage { id: String },
    OpenSearch,
    OpenSync,
    OpenSettings,
    OpenFees,
}
