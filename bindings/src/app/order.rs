//! The WorkOrder screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::order` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::order::{
    ChargeView, OrderButton, OrderEvent, StepLine, WorkOrderScreen,
};
use doorstep_core::app::screens::parts::{Badge, Countdown, Field};

#[uniffi::remote(Record)]
pub struct WorkOrderScreen {
    pub title: String,
    pub missing: Option<String>,
    pub badges: Vec<Badge>,
    pub facts: Vec<Field>,
    pub countdowns: Vec<Countdown>,
    pub appointment: Option<Field>,
    pub steps: Vec<StepLine>,
    pub actions: Vec<OrderButton>,
    pub charges: Vec<ChargeView>,
    pub charges_total: Option<String>,
}

#[uniffi::remote(Record)]
pub struct StepLine {
    pub status: String,
    pub when: String,
    pub by: String,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct OrderButton {
    pub action: Action,
    pub event: OrderEvent,
}

#[uniffi::remote(Record)]
pub struct ChargeView {
    pub item: String,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum OrderEvent {
    Refresh,
    Accept,
    OnTheWay,
    CheckIn,
    Close,
    Refer,
    HandBack,
    RaiseToMajor,
    ChangeAppointment,
    OpenHousehold,
}
