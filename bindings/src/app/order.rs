//! The WorkOrder screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::order` (the compiler checks each field against the core's).

use doorstep_core::app::screens::order::{OrderEvent, WorkOrderScreen};

#[uniffi::remote(Record)]
pub struct WorkOrderScreen {
    pub title: String,
}

#[uniffi::remote(Enum)]
pub enum OrderEvent {
    Refresh,
}
