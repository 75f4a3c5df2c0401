//! The Enroll screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::enroll` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::enroll::{EnrollEvent, EnrollField, EnrollScreen};

#[uniffi::remote(Record)]
pub struct EnrollScreen {
    pub title: String,
    pub intro: String,
    pub server: EnrollField,
    pub code: EnrollField,
    pub scan: Action,
    pub submit: Action,
    pub progress: Option<String>,
    pub message: Option<String>,
}

#[uniffi::remote(Record)]
pub struct EnrollField {
    pub label: String,
    pub value: String,
    pub placeholder: String,
    pub problem: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum EnrollEvent {
    Refresh,
    SetServer { text: String },
    SetCode { text: String },
    Scan,
    Submit,
}
