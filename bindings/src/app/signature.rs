//! The Signature screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::signature` (the compiler checks each field against the core's).

use doorstep_core::app::screens::signature::{SignatureEvent, SignatureScreen};

#[uniffi::remote(Record)]
pub struct SignatureScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum SignatureEvent {
    Refresh,
}
