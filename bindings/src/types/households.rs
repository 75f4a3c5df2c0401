//! A household and its file, as the technician opens it at the door.

use doorstep_core::household as core_household;

pub use doorstep_core::household::{
    Address, Category, HistoryKind, ReadingSource, ShutOffReason, SupplyStatus,
};

use super::{Label, Point, Timestamp, WorkOrder, day};

#[uniffi::remote(Enum)]
pub enum Category {
    Residential,
    Commercial,
    Industrial,
    Heating,
}

#[uniffi::remote(Enum)]
pub enum HistoryKind {
    FileOpened,
    FileUpdated,
    MeterReading,
    WorkOrder,
    WorkOrderStatus,
    CheckIn,
    Visit,
    Form,
    Photo,
    Signature,
    Call,
    Complaint,
    SupplyChange,
    SpecialGroupRegistered,
    OutageNotice,
}

#[uniffi::remote(Enum)]
pub enum ReadingSource {
    Technician,
    Customer,
    RemoteMeter,
    Estimated,
}

#[uniffi::remote(Enum)]
pub enum ShutOffReason {
    Arrears,
    Hazard,
    PlannedWorks,
    CustomerRequest,
    Demolition,
}

/// A structured Chinese address: 区 / 街道 / 楼 / 单元 / 室, as the core keeps it.
#[uniffi::remote(Record)]
pub struct Address {
    pub district: String,
    pub street: String,
    pub building: String,
    pub unit: String,
    pub room: String,
}

/// A household as a list or a search shows it. A mirror: its id and due day cross as text.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HouseholdSummary {
    pub id: String,
    pub customer_number: String,
    pub name: String,
    pub address: String,
    pub category: Category,
    pub special_group: bool,
    pub inspection_due_on: Option<String>,
}

impl From<doorstep_core::store::HouseholdSummary> for HouseholdSummary {
    fn from(h: doorstep_core::store::HouseholdSummary) -> Self {
        Self {
            id: h.id.to_string(),
            customer_number: h.customer_number,
            name: h.name,
            address: h.address,
            category: h.category,
            special_group: h.special_group,
            inspection_due_on: h.inspection_due_on.map(day),
        }
    }
}

/// Whether gas flows to the household, as the core keeps it.
#[uniffi::remote(Enum)]
pub enum SupplyStatus {
    NotConnected,
    Active,
    ShutOff {
        reason: ShutOffReason,
        since: Timestamp,
        seal: Option<String>,
    },
    PermanentlyDisconnected {
        since: Timestamp,
    },
}

/// A household's file as the door screen shows it. A mirror: ids, phones and days cross as
/// text, the location as plain numbers, and the special-group registration (consent, contact
/// person, groups) as the two things the technician needs at the door.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Household {
    pub id: String,
    pub customer_number: String,
    pub name: String,
    pub phones: Vec<String>,
    pub address: Address,
    pub location: Option<Point>,
    pub district_id: Option<String>,
    pub category: Category,
    pub supply: SupplyStatus,
    pub gas_on_date: Option<String>,
    pub last_inspection_at: Option<Timestamp>,
    /// Registered for priority service at home (elderly, disabled).
    pub special_group: bool,
    /// What the registered person needs, in the words of whoever registered them.
    pub special_needs: Option<String>,
    /// Whom to call for the registered person (a relative, a neighbour).
    pub contact_person: Option<super::ContactPerson>,
}

impl From<core_household::Household> for Household {
    fn from(h: core_household::Household) -> Self {
        Self {
            id: h.id.to_string(),
            customer_number: h.customer_number,
            name: h.name,
            phones: h.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            address: h.address,
            location: h.location.map(Into::into),
            district_id: h.district_id.map(|d| d.to_string()),
            category: h.category,
            supply: h.supply,
            gas_on_date: h.gas_on_date.map(day),
            last_inspection_at: h.last_inspection_at,
            special_group: h.special_group.is_some(),
            contact_person: h
                .special_group
                .as_ref()
                .and_then(|g| g.contact.as_ref())
                .map(|c| super::ContactPerson {
                    name: c.name.clone(),
                    relation: c.relation.clone(),
                    phone: c.phone.as_str().to_owned(),
                }),
            special_needs: h.special_group.map(|g| g.needs),
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MeterReading {
    pub taken_at: Timestamp,
    /// The reading in m³, exactly (up to three decimals).
    pub cubic_metres: String,
    pub source: ReadingSource,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryEvent {
    pub at: Timestamp,
    pub kind: HistoryKind,
    pub subject_id: Option<String>,
    /// The line as the timeline shows it, in both languages (lines written before the app
    /// kept Chinese have the English in both).
    pub summary: Label,
}

/// Everything known about one household, as the technician opens it at the door.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HouseholdFile {
    pub household: Household,
    pub inspection_due_on: Option<String>,
    /// The latest readings, newest first.
    pub readings: Vec<MeterReading>,
    /// The latest readings show abnormal use (a still meter, a jump, a reading going back).
    pub abnormal_use: bool,
    pub work_orders: Vec<WorkOrder>,
    /// The timeline, newest first.
    pub history: Vec<HistoryEvent>,
}

impl From<doorstep_core::store::HouseholdFile> for HouseholdFile {
    fn from(f: doorstep_core::store::HouseholdFile) -> Self {
        Self {
            household: f.household.into(),
            inspection_due_on: f.inspection_due_on.map(day),
            readings: f
                .readings
                .into_iter()
                .map(|r| MeterReading {
                    taken_at: r.taken_at,
                    cubic_metres: r.value.decimal_text(),
                    source: r.source,
                })
                .collect(),
            abnormal_use: f.abnormal_use.is_some(),
            work_orders: f.work_orders.into_iter().map(Into::into).collect(),
            history: f
                .history
                .into_iter()
                .map(|e| HistoryEvent {
                    at: e.at,
                    kind: e.kind,
                    subject_id: e.subject_id,
                    summary: e.summary.into(),
                })
                .collect(),
        }
    }
}
