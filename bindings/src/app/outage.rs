//! The Outage screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::outage` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::outage::{
    OutageBuilding, OutageEvent, OutageHousehold, OutageScreen,
};
use doorstep_core::app::screens::parts::Countdown;

#[uniffi::remote(Record)]
pub struct OutageScreen {
    pub title: String,
    pub notice_title: String,
    pub reason: String,
    pub from: String,
    pub until: String,
    pub period: String,
    pub districts: Vec<String>,
    pub emergency: Option<String>,
    pub deadline: Option<Countdown>,
    pub progress: String,
    pub households_progress: String,
    pub buildings_notified: u32,
    pub buildings_total: u32,
    pub buildings: Vec<OutageBuilding>,
    pub empty: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct OutageBuilding {
    pub key: String,
    pub address: String,
    pub households: Vec<OutageHousehold>,
    pub notified: bool,
    pub status: String,
    pub post_notice: Action,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct OutageHousehold {
    pub household_id: String,
    pub room: String,
    pub name: String,
    pub notified: bool,
    pub status: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum OutageEvent {
    Refresh,
    NoticePosted { building: String },
}
