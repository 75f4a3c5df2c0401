//! The Form screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::form` (the compiler checks each field against the core's).

use doorstep_core::app::screens::form::{FormEvent, FormScreen};

#[uniffi::remote(Record)]
pub struct FormScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum FormEvent {
    Refresh,
}
