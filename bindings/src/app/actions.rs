//! The Action screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::actions` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::actions::{
    ActionChoice, ActionEvent, ActionField, ActionFieldKind, ActionFieldView, ActionScreen,
};

use crate::types::Timestamp;

#[uniffi::remote(Record)]
pub struct ActionScreen {
    pub title: String,
    pub subject: String,
    pub fields: Vec<ActionFieldView>,
    pub problem: Option<String>,
    pub submit: Action,
    pub add_phone: Option<Action>,
}

#[uniffi::remote(Record)]
pub struct ActionFieldView {
    pub field: ActionField,
    pub label: String,
    pub kind: ActionFieldKind,
    pub value: String,
    pub time: Option<Timestamp>,
    pub choices: Vec<ActionChoice>,
    pub required: bool,
    pub problem: Option<String>,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum ActionFieldKind {
    Text,
    LongText,
    Phone,
    Time,
    Choice,
}

#[uniffi::remote(Record)]
pub struct ActionChoice {
    pub id: String,
    pub label: String,
    pub chosen: bool,
}

#[uniffi::remote(Enum)]
pub enum ActionField {
    Kind,
    Description,
    FaultClass,
    Phone { index: u32 },
    ContactName,
    ContactRelation,
    ContactPhone,
    WindowFrom,
    WindowTo,
    AgreedBy,
    AgreedName,
    AgreedAt,
    Reason,
}

#[uniffi::remote(Enum)]
pub enum ActionEvent {
    Refresh,
    SetText { field: ActionField, text: String },
    SetTime { field: ActionField, at: Timestamp },
    Choose { field: ActionField, choice: String },
    AddPhone,
    RemovePhone { index: u32 },
    Submit,
}
