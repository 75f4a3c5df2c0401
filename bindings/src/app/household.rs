//! The Household screen's records as the shells see them: mirrors of
//! `doorstep_core::app::screens::household` (the compiler checks each field against the core's).

use doorstep_core::app::Action;
use doorstep_core::app::screens::household::{
    ApplianceLine, FormStart, HouseholdEvent, HouseholdScreen, PhoneLine, SpecialGroupView,
    SupplyView, TimelineKind, TimelineLine,
};
use doorstep_core::app::screens::parts::{Badge, Field};

#[uniffi::remote(Record)]
pub struct HouseholdScreen {
    pub title: String,
    pub missing: Option<String>,
    pub badges: Vec<Badge>,
    pub account: Vec<Field>,
    pub phones: Vec<PhoneLine>,
    pub supply: SupplyView,
    pub meter: Vec<Field>,
    pub appliances: Vec<ApplianceLine>,
    pub special_group: Option<SpecialGroupView>,
    pub next_inspection: Field,
    pub timeline: Vec<TimelineLine>,
    pub form_starts: Vec<FormStart>,
    pub open_order: Action,
    pub edit_contact: Action,
    pub navigate: Action,
}

#[uniffi::remote(Record)]
pub struct PhoneLine {
    pub whose: String,
    pub number: String,
    pub call: Action,
}

#[uniffi::remote(Record)]
pub struct SupplyView {
    pub status: String,
    pub detail: Option<String>,
    pub off: bool,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct ApplianceLine {
    pub label: String,
    pub flue: String,
    pub hazard: bool,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct SpecialGroupView {
    pub groups: String,
    pub needs: String,
    pub contact: String,
    pub registered: String,
    pub accessibility: String,
}

#[uniffi::remote(Record)]
pub struct TimelineLine {
    pub when: String,
    pub text: String,
    pub kind: TimelineKind,
    pub opens: Option<HouseholdEvent>,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum TimelineKind {
    Form,
    Draft,
    Photo,
    Signature,
    Order,
    Reading,
    Visit,
    Notice,
    File,
}

#[uniffi::remote(Record)]
pub struct FormStart {
    pub template_id: String,
    pub action: Action,
    pub event: HouseholdEvent,
}

#[uniffi::remote(Enum)]
pub enum HouseholdEvent {
    Refresh,
    StartForm { template_id: String },
    OpenForm { form_id: String },
    OpenOrder { order_id: String },
    NewOrder,
    EditContact,
    Navigate,
    Call { phone: u32 },
}
