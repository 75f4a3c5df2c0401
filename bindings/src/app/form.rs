//! The Form screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::form` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::copy::Paper;
use doorstep_core::app::screens::form::{
    ChargeField, FormChargeLine, FormChargeView, FormCheckMark, FormCopy, FormDate, FormEvent,
    FormItem, FormItemKind, FormOption, FormOutcome, FormOutcomeChoice, FormPhoto, FormProgress,
    FormScreen, FormSeal, FormSection,
};
use doorstep_core::fees::PaymentMethod;

#[uniffi::remote(Record)]
pub struct FormScreen {
    pub title: String,
    pub subtitle: String,
    pub amendment: Option<String>,
    pub sections: Vec<FormSection>,
    pub progress: FormProgress,
    pub outcome: FormOutcome,
    pub form_problems: Vec<String>,
    pub seal: Action,
    pub sealed: Option<FormSeal>,
    pub amend: Option<Action>,
}

#[uniffi::remote(Record)]
pub struct FormSection {
    pub id: String,
    pub title: String,
    pub items: Vec<FormItem>,
}

#[uniffi::remote(Record)]
pub struct FormItem {
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub kind: FormItemKind,
    pub value: Option<String>,
    pub problems: Vec<String>,
    pub message: Option<String>,
    pub photos: Vec<FormPhoto>,
    pub take_photo: Option<Action>,
    pub editable: bool,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum FormItemKind {
    Check {
        options: Vec<FormOption>,
        advice: String,
        advice_label: String,
        advice_wanted: bool,
        hazard: Option<String>,
    },
    Number {
        unit: String,
        decimals: u8,
        min: Option<String>,
        max: Option<String>,
        typed: String,
    },
    Text {
        typed: String,
        max_len: u32,
        multiline: bool,
        scan: Option<Action>,
    },
    SingleChoice {
        options: Vec<FormOption>,
    },
    MultipleChoice {
        options: Vec<FormOption>,
        min: u32,
        max: Option<u32>,
    },
    Date {
        initial: FormDate,
    },
    DateTime {
        initial: FormDate,
    },
    MeterReading {
        unit: String,
        typed: String,
    },
    Photo {
        min: u32,
        max: u32,
    },
    Signature {
        role: String,
        signed_by: Option<String>,
        sign: Action,
    },
    Location {
        locate: Action,
    },
    Charges {
        lines: Vec<FormChargeView>,
        add_line: Action,
        methods: Vec<FormOption>,
        method_label: String,
        receipt: String,
        receipt_label: String,
        total: String,
        total_label: String,
    },
}

#[uniffi::remote(Record)]
pub struct FormChargeView {
    pub index: u32,
    pub item: String,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
    pub item_label: String,
    pub quantity_label: String,
    pub unit_price_label: String,
    pub problem: Option<String>,
    pub remove: Action,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum ChargeField {
    Item,
    Quantity,
    UnitPrice,
}

#[uniffi::remote(Record)]
pub struct FormOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct FormDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

#[uniffi::remote(Record)]
pub struct FormPhoto {
    pub sha256: String,
    pub path: Option<String>,
    pub remove: Action,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct FormProgress {
    pub answered: u32,
    pub required: u32,
    pub label: String,
}

#[uniffi::remote(Record)]
pub struct FormOutcome {
    pub chosen: FormOutcomeChoice,
    pub options: Vec<FormOption>,
    pub note: String,
    pub note_label: String,
    pub note_wanted: bool,
    pub message: Option<String>,
}

#[uniffi::remote(Enum)]
pub enum FormOutcomeChoice {
    Completed,
    NobodyHome,
    AccessRefused,
    CustomerRefusedToSign,
}

#[uniffi::remote(Record)]
pub struct FormSeal {
    pub sealed_at: String,
    pub sealed: String,
    pub digest: String,
    pub consequences: Vec<String>,
    pub accessibility: String,
    pub copies: Vec<FormCopy>,
}

#[uniffi::remote(Record)]
pub struct FormCopy {
    pub paper: Paper,
    pub open: Action,
}

#[uniffi::remote(Enum)]
pub enum FormCheckMark {
    Pass,
    Fail,
    NotApplicable,
}

#[uniffi::remote(Enum)]
pub enum FormEvent {
    Refresh,
    Check {
        item: String,
        mark: FormCheckMark,
    },
    Advice {
        item: String,
        text: String,
    },
    Type {
        item: String,
        text: String,
    },
    Choose {
        item: String,
        choice: String,
    },
    Toggle {
        item: String,
        choice: String,
    },
    PickDate {
        item: String,
        year: i32,
        month: u32,
        day: u32,
    },
    PickDateTime {
        item: String,
        at: FormDate,
    },
    Clear {
        item: String,
    },
    TakePhoto {
        item: String,
    },
    RemovePhoto {
        item: String,
        sha256: String,
    },
    Scan {
        item: String,
    },
    Locate {
        item: String,
    },
    Sign {
        item: String,
    },
    SetOutcome {
        choice: FormOutcomeChoice,
    },
    Note {
        text: String,
    },
    Seal,
    Amend,
    OpenCopy {
        paper: Paper,
    },
    Charges {
        item: String,
        lines: Vec<FormChargeLine>,
        method: Option<PaymentMethod>,
        receipt: String,
    },
    ChargeAdd {
        item: String,
    },
    ChargeEdit {
        item: String,
        index: u32,
        field: ChargeField,
        text: String,
    },
    ChargeRemove {
        item: String,
        index: u32,
    },
    ChargeMethod {
        item: String,
        method: Option<PaymentMethod>,
    },
    ChargeReceipt {
        item: String,
        text: String,
    },
}

#[uniffi::remote(Record)]
pub struct FormChargeLine {
    pub item: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
}
