//! The records and enums that cross the boundary, in the users' words.
//!
//! Ids cross as their text (UUIDs), times as milliseconds lifted into each language's own type
//! (`Instant` in Kotlin, `datetime` in Python, `Date` in Swift; see [`Timestamp`]), calendar
//! days as `YYYY-MM-DD`, exact decimals (answers, meter readings in m³) as their decimal text so
//! that nothing is rounded through a float. The core's small enums cross as they are
//! (`uniffi::remote`); its larger records are reshaped here into what a screen shows, by plain
//! conversion and nothing else.

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::forms::form as core_form;
use doorstep_core::forms::template as core_template;
use doorstep_core::household as core_household;
use doorstep_core::schedule::worklist as core_worklist;
use doorstep_core::text::said;
use doorstep_core::workorder as core_workorder;

pub use doorstep_core::device_sync::{SyncPhase, SyncProgress, SyncReport};
pub use doorstep_core::forms::form::CheckResult;
pub use doorstep_core::forms::template::{FormKind, HazardGrade, SignerRole};
pub use doorstep_core::household::{Category, HistoryKind, ReadingSource, ShutOffReason};
pub use doorstep_core::sync::protocol::ErrorKind;
pub use doorstep_core::visit::CheckInVerdict;
pub use doorstep_core::workorder::deadline::Milestone;
pub use doorstep_core::workorder::{WorkOrderKind, WorkOrderStatus};

use crate::error::{DoorstepError, Result};

// ---- The core's own small enums and records, as they are ----

/// The kind of a server's refusal (docs/sync-protocol.md); `Unknown` is one a newer server
/// sent that this app does not know.
#[uniffi::remote(Enum)]
pub enum ErrorKind {
    Malformed,
    Unauthorized,
    Revoked,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    TooLarge,
    Invalid,
    FormTampered,
    PhotoMismatch,
    Internal,
    Unknown,
}

#[uniffi::remote(Enum)]
pub enum Category {
    Residential,
    Commercial,
    Industrial,
    Heating,
}

#[uniffi::remote(Enum)]
pub enum WorkOrderKind {
    PipelineFault,
    UserEquipmentFault,
    Inspection,
    AcceptanceAndGasOn,
    ShutOff,
    Reconnection,
    SpecialGroupService,
    ComplaintFollowUp,
    AbnormalUsePatrol,
    ReturnVisit,
}

#[uniffi::remote(Enum)]
pub enum WorkOrderStatus {
    New,
    Dispatched,
    Accepted,
    EnRoute,
    OnSite,
    Resolved,
    ReferredElsewhere,
    Cancelled,
}

#[uniffi::remote(Enum)]
pub enum Milestone {
    Dispatch,
    Handle,
    Repair,
}

#[uniffi::remote(Enum)]
pub enum SignerRole {
    Customer,
    Technician,
    Witness,
}

#[uniffi::remote(Enum)]
pub enum CheckResult {
    Pass,
    Fail,
    Na,
}

#[uniffi::remote(Enum)]
pub enum HazardGrade {
    General,
    Major,
}

#[uniffi::remote(Enum)]
pub enum FormKind {
    ResidentialInspection,
    NonResidentialInspection,
    AcceptanceAndGasOn,
    ShutOff,
    Reconnection,
    RepairClosing,
    SpecialGroupRegistration,
    ReturnVisit,
    AbnormalUsePatrol,
    SafetyEducation,
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

#[uniffi::remote(Enum)]
pub enum CheckInVerdict {
    AtAddress,
    FarFromAddress { excess_m: f64 },
    PositionTooImprecise,
    AddressNotLocated,
}

#[uniffi::remote(Enum)]
pub enum SyncPhase {
    Push,
    Photos,
    Pull,
}

#[uniffi::remote(Record)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    pub conflicts: u64,
    pub photos_uploaded: u64,
    pub photo_bytes: u64,
    pub photos_unreadable: u64,
    pub pulled: u64,
    pub removed: u64,
    pub held_back: u64,
}

// ---- Conversions of ids, times, days and decimals ----

/// A moment (UTC). It crosses the FFI as whole milliseconds since the Unix epoch, one integer,
/// and each language lifts it into its own type by the conversions in `uniffi.toml`: Python's
/// `datetime.datetime` (aware, UTC), Kotlin's `java.time.Instant`, Swift's `Date`. UniFFI's
/// built-in timestamp crosses as seconds and nanoseconds and is lifted in Python with datetime
/// arithmetic, which made times the costliest field of a work list line. Milliseconds are the
/// core's own grain (its clocks and stamps are milliseconds): finer digits are dropped at the
/// boundary, both ways. A moment outside chrono's range (about 262,000 years either side of
/// year 0) cannot be lifted; no calendar a shell uses reaches it.
pub type Timestamp = DateTime<Utc>;

uniffi::custom_type!(Timestamp, i64, {
    remote,
    lower: |t| t.timestamp_millis(),
    try_lift: |ms| DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("{ms} ms from the Unix epoch is out of range")),
});

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_id<T: std::str::FromStr>(field: &str, text: &str) -> Result<T> {
    text.trim()
        .parse()
        .map_err(|_| DoorstepError::invalid(field, said("不是有效的编号", "not a valid id")))
}

fn parse_day(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        DoorstepError::invalid(
            field,
            said("日期请写成 YYYY-MM-DD", "a day is written YYYY-MM-DD"),
        )
    })
}

// ---- Places ----

/// A point on the map (WGS-84).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl From<doorstep_core::geo::GeoPoint> for Point {
    fn from(p: doorstep_core::geo::GeoPoint) -> Self {
        Self {
            lat: p.lat(),
            lon: p.lon(),
        }
    }
}

impl Point {
    pub(crate) fn to_core(self) -> Result<doorstep_core::geo::GeoPoint> {
        Ok(doorstep_core::geo::GeoPoint::new(self.lat, self.lon)?)
    }
}

/// Where the device is, as its location service reports it.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    /// The radius, in metres, within which the device is.
    pub accuracy_m: f64,
}

impl Position {
    pub(crate) fn to_core(self) -> Result<doorstep_core::visit::DevicePosition> {
        let point = Point {
            lat: self.lat,
            lon: self.lon,
        }
        .to_core()?;
        Ok(doorstep_core::visit::DevicePosition::new(
            point,
            self.accuracy_m,
        )?)
    }
}

// ---- The technician ----

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TechnicianInfo {
    pub id: String,
    pub badge: String,
    pub name: String,
    pub district_id: Option<String>,
    pub crew_id: Option<String>,
}

impl From<doorstep_core::team::Technician> for TechnicianInfo {
    fn from(t: doorstep_core::team::Technician) -> Self {
        Self {
            id: t.id.to_string(),
            badge: t.badge,
            name: t.name,
            district_id: t.district_id.map(|d| d.to_string()),
            crew_id: t.crew_id.map(|c| c.to_string()),
        }
    }
}

// ---- The work list ----

/// One line of the day's work list, most urgent first.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkItem {
    pub task: WorkTask,
    pub household_id: Option<String>,
    pub location: Option<Point>,
    /// An elderly or disabled user registered for priority service.
    pub special_group: bool,
    /// Why it is on the list, in data: the screen words it when it shows the line
    /// ([`crate::describe_work_reason`] gives the core's wording), so a list of hundreds crosses
    /// the FFI without a thousand strings no one reads.
    pub reason: WorkReason,
}

/// The language of a text the core words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// Simplified Chinese, the users' first language.
    Zh,
    En,
}

impl From<Language> for doorstep_core::text::Lang {
    fn from(l: Language) -> Self {
        match l {
            Language::Zh => doorstep_core::text::Lang::Zh,
            Language::En => doorstep_core::text::Lang::En,
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum WorkTask {
    Order {
        work_order_id: String,
        kind: WorkOrderKind,
        status: WorkOrderStatus,
    },
    Inspection {
        category: Category,
    },
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum WorkReason {
    /// A fault that may endanger people; `due_at` is its next regulated deadline.
    Emergency {
        milestone: Milestone,
        due_at: Timestamp,
        breached: bool,
    },
    Deadline {
        milestone: Milestone,
        due_at: Timestamp,
        breached: bool,
    },
    Assigned {
        reported_at: Timestamp,
    },
    InspectionOverdue {
        due_on: String,
        days: i64,
    },
    InspectionDue {
        due_on: String,
        in_days: i64,
    },
}

impl From<core_worklist::WorkItem> for WorkItem {
    fn from(w: core_worklist::WorkItem) -> Self {
        use core_worklist::{Task, WorkReason as R};
        Self {
            task: match w.task {
                Task::Order {
                    work_order_id,
                    kind,
                    status,
                } => WorkTask::Order {
                    work_order_id: work_order_id.to_string(),
                    kind,
                    status,
                },
                Task::Inspection { category } => WorkTask::Inspection { category },
            },
            household_id: w.household_id.map(|h| h.to_string()),
            location: w.location.map(Into::into),
            special_group: w.special_group,
            reason: match w.reason {
                R::Emergency {
                    milestone,
                    due_at,
                    breached,
                } => WorkReason::Emergency {
                    milestone,
                    due_at,
                    breached,
                },
                R::Deadline {
                    milestone,
                    due_at,
                    breached,
                } => WorkReason::Deadline {
                    milestone,
                    due_at,
                    breached,
                },
                R::Assigned { reported_at } => WorkReason::Assigned { reported_at },
                R::InspectionOverdue { due_on, days } => WorkReason::InspectionOverdue {
                    due_on: day(due_on),
                    days,
                },
                R::InspectionDue { due_on, in_days } => WorkReason::InspectionDue {
                    due_on: day(due_on),
                    in_days,
                },
            },
        }
    }
}

impl WorkReason {
    pub(crate) fn to_core(&self) -> Result<core_worklist::WorkReason> {
        use core_worklist::WorkReason as R;
        Ok(match self {
            WorkReason::Emergency {
                milestone,
                due_at,
                breached,
            } => R::Emergency {
                milestone: *milestone,
                due_at: *due_at,
                breached: *breached,
            },
            WorkReason::Deadline {
                milestone,
                due_at,
                breached,
            } => R::Deadline {
                milestone: *milestone,
                due_at: *due_at,
                breached: *breached,
            },
            WorkReason::Assigned { reported_at } => R::Assigned {
                reported_at: *reported_at,
            },
            WorkReason::InspectionOverdue { due_on, days } => R::InspectionOverdue {
                due_on: parse_day("due_on", due_on)?,
                days: *days,
            },
            WorkReason::InspectionDue { due_on, in_days } => R::InspectionDue {
                due_on: parse_day("due_on", due_on)?,
                in_days: *in_days,
            },
        })
    }
}

// ---- Households ----

/// A household as a list or a search shows it.
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

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Address {
    pub district: String,
    pub street: String,
    pub building: String,
    pub unit: String,
    pub room: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Supply {
    NotConnected,
    Active,
    ShutOff {
        reason: ShutOffReason,
        since: Timestamp,
    },
    PermanentlyDisconnected {
        since: Timestamp,
    },
}

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
    pub supply: Supply,
    pub gas_on_date: Option<String>,
    pub last_inspection_at: Option<Timestamp>,
    /// Registered for priority service at home (elderly, disabled).
    pub special_group: bool,
    /// What the registered person needs, in the words of whoever registered them.
    pub special_needs: Option<String>,
}

impl From<core_household::Household> for Household {
    fn from(h: core_household::Household) -> Self {
        use core_household::SupplyStatus as S;
        Self {
            id: h.id.to_string(),
            customer_number: h.customer_number,
            name: h.name,
            phones: h.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            address: Address {
                district: h.address.district,
                street: h.address.street,
                building: h.address.building,
                unit: h.address.unit,
                room: h.address.room,
            },
            location: h.location.map(Into::into),
            district_id: h.district_id.map(|d| d.to_string()),
            category: h.category,
            supply: match h.supply {
                S::NotConnected => Supply::NotConnected,
                S::Active => Supply::Active,
                S::ShutOff { reason, since } => Supply::ShutOff { reason, since },
                S::PermanentlyDisconnected { since } => Supply::PermanentlyDisconnected { since },
            },
            gas_on_date: h.gas_on_date.map(day),
            last_inspection_at: h.last_inspection_at,
            special_group: h.special_group.is_some(),
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
pub struct StatusStep {
    pub status: WorkOrderStatus,
    /// When it happened, by the device's clock.
    pub at: Timestamp,
    pub position: Option<Point>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkOrder {
    pub id: String,
    pub number: String,
    pub kind: WorkOrderKind,
    pub household_id: Option<String>,
    pub location: Option<Point>,
    pub description: String,
    pub reported_at: Timestamp,
    pub status: WorkOrderStatus,
    /// Every status the order has been in, oldest first.
    pub steps: Vec<StatusStep>,
}

impl From<core_workorder::WorkOrder> for WorkOrder {
    fn from(o: core_workorder::WorkOrder) -> Self {
        Self {
            id: o.id.to_string(),
            status: o.status(),
            number: o.number,
            kind: o.kind,
            household_id: o.household_id.map(|h| h.to_string()),
            location: o.location.map(Into::into),
            description: o.description,
            reported_at: o.reported_at,
            steps: o
                .steps
                .into_iter()
                .map(|s| StatusStep {
                    status: s.status,
                    at: s.at,
                    position: s.position.map(Into::into),
                })
                .collect(),
        }
    }
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

// ---- Templates ----

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Label {
    pub zh: String,
    pub en: String,
}

impl From<doorstep_core::text::Text> for Label {
    fn from(t: doorstep_core::text::Text) -> Self {
        Self { zh: t.zh, en: t.en }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Choice {
    pub id: String,
    pub label: Label,
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ItemKind {
    Check {
        /// What a failed check means, when it is a hazard.
        hazard: Option<HazardGrade>,
        photo_required_on_fail: bool,
        advice_required_on_fail: bool,
    },
    Number {
        /// Shown after the number, in the user's language.
        unit: Label,
        decimals: u8,
        min: Option<String>,
        max: Option<String>,
    },
    Text {
        max_len: u32,
        multiline: bool,
    },
    SingleChoice {
        choices: Vec<Choice>,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        min: u32,
        max: Option<u32>,
    },
    Date,
    DateTime,
    MeterReading,
    Photo {
        min: u32,
        max: u32,
    },
    Signature {
        role: SignerRole,
    },
    Location,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Item {
    pub id: String,
    pub label: Label,
    pub help: Option<Label>,
    pub required: bool,
    /// Shown only when another item's answer matches (the core decides; see `visible_items`).
    pub conditional: bool,
    pub kind: ItemKind,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Section {
    pub id: String,
    pub title: Label,
    pub items: Vec<Item>,
}

/// A form template: what the form screen renders.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub kind: FormKind,
    pub title: Label,
    pub sections: Vec<Section>,
}

impl From<core_template::Template> for Template {
    fn from(t: core_template::Template) -> Self {
        use core_template::ItemKind as K;
        let unit = |u: core_template::Unit| Label::from(u.label());
        Self {
            id: t.id,
            version: t.version,
            kind: t.kind,
            title: t.title.into(),
            sections: t
                .sections
                .into_iter()
                .map(|s| Section {
                    id: s.id,
                    title: s.title.into(),
                    items: s
                        .items
                        .into_iter()
                        .map(|i| Item {
                            id: i.id,
                            label: i.label.into(),
                            help: i.help.map(Into::into),
                            required: i.required,
                            conditional: i.visible_when.is_some(),
                            kind: match i.kind {
                                K::Check { hazard } => ItemKind::Check {
                                    hazard: hazard.as_ref().map(|h| h.grade),
                                    photo_required_on_fail: hazard
                                        .as_ref()
                                        .is_some_and(|h| h.photo_required),
                                    advice_required_on_fail: hazard
                                        .as_ref()
                                        .is_some_and(|h| h.advice_required),
                                },
                                K::Number {
                                    unit: u,
                                    decimals,
                                    min,
                                    max,
                                } => ItemKind::Number {
                                    unit: unit(u),
                                    decimals,
                                    min: min.map(|m| m.to_string()),
                                    max: max.map(|m| m.to_string()),
                                },
                                K::Text { max_len, multiline } => {
                                    ItemKind::Text { max_len, multiline }
                                }
                                K::SingleChoice { choices } => ItemKind::SingleChoice {
                                    choices: choices_of(choices),
                                },
                                K::MultipleChoice { choices, min, max } => {
                                    ItemKind::MultipleChoice {
                                        choices: choices_of(choices),
                                        min,
                                        max,
                                    }
                                }
                                K::Date => ItemKind::Date,
                                K::DateTime => ItemKind::DateTime,
                                K::MeterReading => ItemKind::MeterReading,
                                K::Photo { min, max } => ItemKind::Photo { min, max },
                                K::Signature { role } => ItemKind::Signature { role },
                                K::Location => ItemKind::Location,
                            },
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn choices_of(choices: Vec<core_template::Choice>) -> Vec<Choice> {
    choices
        .into_iter()
        .map(|c| Choice {
            id: c.id,
            label: c.label.into(),
        })
        .collect()
}

// ---- Forms ----

/// The answer to one item.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerValue {
    Check {
        result: CheckResult,
        /// Rectification advice for a failed check (整改意见).
        advice: Option<String>,
    },
    /// An exact decimal, as text: `0.35`, `-2`, `12.50`.
    Number {
        value: String,
    },
    Text {
        value: String,
    },
    Choice {
        id: String,
    },
    Choices {
        ids: Vec<String>,
    },
    /// A day, `YYYY-MM-DD`.
    Date {
        value: String,
    },
    DateTime {
        value: Timestamp,
    },
    /// A meter reading in m³, as text with up to three decimals: `1234.567`.
    MeterReading {
        cubic_metres: String,
    },
    Location {
        lat: f64,
        lon: f64,
        accuracy_m: f64,
    },
}

impl AnswerValue {
    pub(crate) fn to_core(&self) -> Result<core_form::Answer> {
        use core_form::Answer as A;
        Ok(match self {
            AnswerValue::Check { result, advice } => A::Check(core_form::CheckAnswer {
                result: *result,
                advice: advice.clone(),
            }),
            AnswerValue::Number { value } => A::Number(value.parse()?),
            AnswerValue::Text { value } => A::Text(value.clone()),
            AnswerValue::Choice { id } => A::Choice(id.clone()),
            AnswerValue::Choices { ids } => A::Choices(ids.clone()),
            AnswerValue::Date { value } => A::Date(parse_day("answer", value)?),
            AnswerValue::DateTime { value } => A::DateTime(*value),
            AnswerValue::MeterReading { cubic_metres } => {
                A::MeterReading(core_household::Volume::parse_cubic_metres(cubic_metres)?)
            }
            AnswerValue::Location {
                lat,
                lon,
                accuracy_m,
            } => {
                // The accuracy is the core's to check (`Form::answer`).
                A::Location(core_form::CapturedLocation {
                    point: Point {
                        lat: *lat,
                        lon: *lon,
                    }
                    .to_core()?,
                    accuracy_m: *accuracy_m,
                })
            }
        })
    }
}

impl From<core_form::Answer> for AnswerValue {
    fn from(a: core_form::Answer) -> Self {
        use core_form::Answer as A;
        match a {
            A::Check(c) => AnswerValue::Check {
                result: c.result,
                advice: c.advice,
            },
            A::Number(n) => AnswerValue::Number {
                value: n.to_string(),
            },
            A::Text(value) => AnswerValue::Text { value },
            A::Choice(id) => AnswerValue::Choice { id },
            A::Choices(ids) => AnswerValue::Choices { ids },
            A::Date(d) => AnswerValue::Date { value: day(d) },
            A::DateTime(t) => AnswerValue::DateTime { value: t },
            A::MeterReading(v) => AnswerValue::MeterReading {
                cubic_metres: v.decimal_text(),
            },
            A::Location(l) => AnswerValue::Location {
                lat: l.point.lat(),
                lon: l.point.lon(),
                accuracy_m: l.accuracy_m,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemAnswer {
    pub item: String,
    pub answer: AnswerValue,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemPhoto {
    pub item: String,
    pub sha256: String,
    pub attached_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ItemSignature {
    pub item: String,
    pub role: SignerRole,
    pub signer_name: String,
    pub signed_at: Timestamp,
}

/// One point of a signature stroke, in screen points, with the milliseconds since the
/// signature began and the pen pressure where the screen reports it.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t_ms: u32,
    pub pressure: Option<f32>,
}

/// A signature as the signature pad captured it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SignatureInput {
    pub role: SignerRole,
    pub signer_name: String,
    pub strokes: Vec<Vec<StrokePoint>>,
}

impl SignatureInput {
    pub(crate) fn to_core(
        &self,
        at: DateTime<Utc>,
    ) -> doorstep_core::media::signature::SignatureCapture {
        doorstep_core::media::signature::SignatureCapture {
            role: self.role,
            signer_name: self.signer_name.clone(),
            signed_at: at,
            strokes: self
                .strokes
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|p| doorstep_core::media::signature::StrokePoint {
                            x: p.x,
                            y: p.y,
                            t_ms: p.t_ms,
                            pressure: p.pressure,
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// How the visit ended.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum VisitOutcome {
    /// The form was filled in and signed.
    Completed,
    /// Nobody opened the door: only the technician signs.
    NobodyHome { note: String },
    /// The customer did not let the technician in.
    AccessRefused { note: String },
    /// The customer would not sign: the reason and a photo stand in for the signature.
    CustomerRefusedToSign {
        reason: String,
        photo_sha256: String,
    },
}

impl VisitOutcome {
    pub(crate) fn to_core(&self, at: DateTime<Utc>) -> Result<core_form::Outcome> {
        use core_form::Outcome as O;
        Ok(match self {
            VisitOutcome::Completed => O::Completed,
            VisitOutcome::NobodyHome { note } => O::NobodyHome { note: note.clone() },
            VisitOutcome::AccessRefused { note } => O::AccessRefused { note: note.clone() },
            VisitOutcome::CustomerRefusedToSign {
                reason,
                photo_sha256,
            } => O::CustomerRefusedToSign {
                reason: reason.clone(),
                photo: core_form::PhotoRef::new(photo_sha256, at)?,
            },
        })
    }
}

impl From<core_form::Outcome> for VisitOutcome {
    fn from(o: core_form::Outcome) -> Self {
        use core_form::Outcome as O;
        match o {
            O::Completed => VisitOutcome::Completed,
            O::NobodyHome { note } => VisitOutcome::NobodyHome { note },
            O::AccessRefused { note } => VisitOutcome::AccessRefused { note },
            O::CustomerRefusedToSign { reason, photo } => VisitOutcome::CustomerRefusedToSign {
                reason,
                photo_sha256: photo.sha256.into(),
            },
        }
    }
}

/// A sealed form's seal: its digests and the moment it was sealed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FormSeal {
    pub content_digest: String,
    pub digest: String,
    pub sealed_at: Timestamp,
}

impl From<doorstep_core::forms::seal::Seal> for FormSeal {
    fn from(s: doorstep_core::forms::seal::Seal) -> Self {
        Self {
            content_digest: s.content_digest,
            digest: s.digest,
            sealed_at: s.sealed_at,
        }
    }
}

/// A form as it stands: a draft, or sealed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Form {
    pub id: String,
    pub template_id: String,
    pub template_version: u32,
    pub household_id: String,
    pub work_order_id: Option<String>,
    /// The sealed form this one corrects, when it is an amendment.
    pub amends: Option<String>,
    pub started_at: Timestamp,
    pub answers: Vec<ItemAnswer>,
    pub photos: Vec<ItemPhoto>,
    pub signatures: Vec<ItemSignature>,
    pub outcome: VisitOutcome,
    pub seal: Option<FormSeal>,
}

impl From<core_form::Form> for Form {
    fn from(f: core_form::Form) -> Self {
        Self {
            id: f.id.to_string(),
            template_id: f.template_id,
            template_version: f.template_version,
            household_id: f.household_id.to_string(),
            work_order_id: f.work_order_id.map(|o| o.to_string()),
            amends: f.amends.map(|a| a.to_string()),
            started_at: f.started_at,
            answers: f
                .answers
                .into_iter()
                .map(|(item, a)| ItemAnswer {
                    item,
                    answer: a.into(),
                })
                .collect(),
            photos: f
                .photos
                .into_iter()
                .flat_map(|(item, photos)| {
                    photos.into_iter().map(move |p| ItemPhoto {
                        item: item.clone(),
                        sha256: p.sha256.into(),
                        attached_at: p.attached_at,
                    })
                })
                .collect(),
            signatures: f
                .signatures
                .into_iter()
                .map(|(item, s)| ItemSignature {
                    item,
                    role: s.capture.role,
                    signer_name: s.capture.signer_name,
                    signed_at: s.capture.signed_at,
                })
                .collect(),
            outcome: f.outcome.into(),
            seal: f.seal.map(Into::into),
        }
    }
}

/// Why a form cannot be completed yet.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProblemKind {
    Missing,
    BelowMinimum {
        min: String,
    },
    AboveMaximum {
        max: String,
    },
    TooManyDecimals {
        decimals: u8,
    },
    TooLong {
        max_len: u32,
    },
    NotAChoice,
    TooFewChoices {
        min: u32,
    },
    TooManyChoices {
        max: u32,
    },
    TooFewPhotos {
        min: u32,
    },
    TooManyPhotos {
        max: u32,
    },
    HazardPhotoMissing,
    AdviceMissing,
    SignatureMissing {
        role: SignerRole,
    },
    SignatureOutdated,
    NoteMissing,
    Invalid {
        field: String,
        reason: String,
        reason_zh: String,
    },
}

/// One thing that keeps a form from being completed, with the item it is about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormProblem {
    pub item: Option<String>,
    pub kind: ProblemKind,
}

/// The same problem, named by the field of the record it came in.
fn named(field: &str, e: doorstep_core::InvalidInput) -> doorstep_core::InvalidInput {
    doorstep_core::InvalidInput {
        field: field.to_owned(),
        ..e
    }
}

impl ProblemKind {
    pub(crate) fn to_core(&self) -> Result<core_form::ProblemKind> {
        use core_form::ProblemKind as K;
        Ok(match self.clone() {
            ProblemKind::Missing => K::Missing,
            ProblemKind::BelowMinimum { min } => K::BelowMinimum {
                min: min
                    .parse()
                    .map_err(|e: doorstep_core::InvalidInput| named("min", e))?,
            },
            ProblemKind::AboveMaximum { max } => K::AboveMaximum {
                max: max
                    .parse()
                    .map_err(|e: doorstep_core::InvalidInput| named("max", e))?,
            },
            ProblemKind::TooManyDecimals { decimals } => K::TooManyDecimals { decimals },
            ProblemKind::TooLong { max_len } => K::TooLong { max_len },
            ProblemKind::NotAChoice => K::NotAChoice,
            ProblemKind::TooFewChoices { min } => K::TooFewChoices { min },
            ProblemKind::TooManyChoices { max } => K::TooManyChoices { max },
            ProblemKind::TooFewPhotos { min } => K::TooFewPhotos { min },
            ProblemKind::TooManyPhotos { max } => K::TooManyPhotos { max },
            ProblemKind::HazardPhotoMissing => K::HazardPhotoMissing,
            ProblemKind::AdviceMissing => K::AdviceMissing,
            ProblemKind::SignatureMissing { role } => K::SignatureMissing { role },
            ProblemKind::SignatureOutdated => K::SignatureOutdated,
            ProblemKind::NoteMissing => K::NoteMissing,
            ProblemKind::Invalid {
                field,
                reason,
                reason_zh,
            } => K::Invalid {
                field,
                reason,
                reason_zh,
            },
        })
    }
}

impl From<core_form::Problem> for FormProblem {
    fn from(p: core_form::Problem) -> Self {
        use core_form::ProblemKind as K;
        Self {
            item: p.item,
            kind: match p.kind {
                K::Missing => ProblemKind::Missing,
                K::BelowMinimum { min } => ProblemKind::BelowMinimum {
                    min: min.to_string(),
                },
                K::AboveMaximum { max } => ProblemKind::AboveMaximum {
                    max: max.to_string(),
                },
                K::TooManyDecimals { decimals } => ProblemKind::TooManyDecimals { decimals },
                K::TooLong { max_len } => ProblemKind::TooLong { max_len },
                K::NotAChoice => ProblemKind::NotAChoice,
                K::TooFewChoices { min } => ProblemKind::TooFewChoices { min },
                K::TooManyChoices { max } => ProblemKind::TooManyChoices { max },
                K::TooFewPhotos { min } => ProblemKind::TooFewPhotos { min },
                K::TooManyPhotos { max } => ProblemKind::TooManyPhotos { max },
                K::HazardPhotoMissing => ProblemKind::HazardPhotoMissing,
                K::AdviceMissing => ProblemKind::AdviceMissing,
                K::SignatureMissing { role } => ProblemKind::SignatureMissing { role },
                K::SignatureOutdated => ProblemKind::SignatureOutdated,
                K::NoteMissing => ProblemKind::NoteMissing,
                K::Invalid {
                    field,
                    reason,
                    reason_zh,
                } => ProblemKind::Invalid {
                    field,
                    reason,
                    reason_zh,
                },
            },
        }
    }
}

// ---- Visits, photos, sync ----

/// The check-in recorded with a visit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckIn {
    pub distance_m: Option<f64>,
    pub accuracy_m: f64,
    pub verdict: CheckInVerdict,
    /// A supervisor should look at this visit.
    pub flagged: bool,
}

impl From<doorstep_core::visit::CheckIn> for CheckIn {
    fn from(c: doorstep_core::visit::CheckIn) -> Self {
        Self {
            flagged: c.flagged(),
            distance_m: c.distance_m,
            accuracy_m: c.accuracy_m,
            verdict: c.verdict,
        }
    }
}

/// A photo as the store keeps it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Photo {
    pub sha256: String,
    pub household_id: Option<String>,
    pub taken_at: Timestamp,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// The camera's time or place differs from the device's: a supervisor should look.
    pub flagged: bool,
}

impl From<doorstep_core::store::StoredPhoto> for Photo {
    fn from(p: doorstep_core::store::StoredPhoto) -> Self {
        Self {
            sha256: p.sha256,
            household_id: p.household_id.map(|h| h.to_string()),
            taken_at: p.taken_at,
            bytes: p.bytes,
            width: p.metadata.width,
            height: p.metadata.height,
            flagged: p.metadata.flagged,
        }
    }
}

/// An operation the server refused for good, with its reason: a conflict for the technician
/// (or the back office) to look at.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RejectedOperation {
    pub operation_id: String,
    /// What the server's refusal means (a kind this app does not know is read by its status).
    pub error: ErrorKind,
    pub message: String,
    pub rejected_at: Timestamp,
}

/// Where this device stands with the server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub technician_id: Option<String>,
    pub last_sync_at: Option<Timestamp>,
    /// Changes made on this device and not yet acknowledged by the server.
    pub pending_operations: u64,
    /// Photos the server does not have yet.
    pub pending_photos: Vec<String>,
    pub rejected: Vec<RejectedOperation>,
    /// Changes from the server that this version of the app cannot read (a newer server sent
    /// them): kept, and applied after the app is updated. More than none: ask for an update.
    pub held_back: u64,
}
