//! The Copy screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::copy` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::copy::{CopyEvent, CopyScreen, Paper};
use doorstep_core::app::screens::parts::Field;

#[uniffi::remote(Enum)]
pub enum Paper {
    VisitReport,
    HazardNotice,
    Receipt,
}

#[uniffi::remote(Record)]
pub struct CopyScreen {
    pub title: String,
    pub paper: Paper,
    pub description: String,
    pub summary: Vec<Field>,
    pub file_name: String,
    pub print: Action,
    pub share: Action,
    pub problem: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum CopyEvent {
    Refresh,
    Print,
    Share,
}
