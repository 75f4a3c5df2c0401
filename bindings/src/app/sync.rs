//! The Sync screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::sync` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::sync::{
    SetAsideLine, SyncEvent, SyncScreen, SyncStage, SyncStageLine,
};

#[uniffi::remote(Record)]
pub struct SyncScreen {
    pub title: String,
    pub status: String,
    pub stages: Vec<SyncStageLine>,
    pub last_result: Option<String>,
    pub last_failure: Option<String>,
    pub waiting: String,
    pub set_aside: Vec<SetAsideLine>,
    pub set_aside_title: String,
    pub held_back: Option<String>,
    pub sync_now: Action,
    pub cancel: Action,
}

#[uniffi::remote(Enum)]
pub enum SyncStage {
    Push,
    Photos,
    Pull,
}

#[uniffi::remote(Record)]
pub struct SyncStageLine {
    pub stage: SyncStage,
    pub label: String,
    pub progress: String,
    pub done: u64,
    pub total: u64,
    pub active: bool,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct SetAsideLine {
    pub what: String,
    pub why: String,
    pub to_do: String,
    pub when: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum SyncEvent {
    Refresh,
    SyncNow,
    Cancel,
}
