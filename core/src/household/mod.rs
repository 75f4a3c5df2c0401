//! One household, one file (一户一档, Art.15): the account, where it is, its meter and
//! appliances, whether gas flows, whether it is registered as a special-group user, and the
//! history of everything that happened there.

pub mod consumption;
pub mod import;
mod meter;
mod phone;
mod special_group;

pub use meter::{Meter, MeterKind, MeterReading, ReadingSource, Volume, meter_read};
pub use phone::Phone;
pub use special_group::{ContactPerson, SpecialGroup, SpecialGroupRegistration};

use crate::text::{Text, said};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::GeoPoint;
use crate::ids::{DistrictId, HistoryEventId, HouseholdId};

/// The complete file of one household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: HouseholdId,
    /// The utility's customer number: unique, letters and digits.
    pub customer_number: String,
    pub name: String,
    pub phones: Vec<Phone>,
    pub address: Address,
    /// Where the household is, in WGS-84; unknown for addresses never located.
    pub location: Option<GeoPoint>,
    pub district_id: Option<DistrictId>,
    pub category: Category,
    pub meter: Option<Meter>,
    pub appliances: Vec<Appliance>,
    pub supply: SupplyStatus,
    /// The day gas was first turned on (new users count their first inspection from it).
    pub gas_on_date: Option<NaiveDate>,
    /// When the last inspection form was signed at this address.
    pub last_inspection_at: Option<DateTime<Utc>>,
    pub special_group: Option<SpecialGroupRegistration>,
}

impl Household {
    /// Its fields' names as its JSON spells them: the names an edit may give as changed.
    pub const FIELDS: [&'static str; 14] = [
        "id",
        "customer_number",
        "name",
        "phones",
        "address",
        "location",
        "district_id",
        "category",
        "meter",
        "appliances",
        "supply",
        "gas_on_date",
        "last_inspection_at",
        "special_group",
    ];

    /// Checks every field and returns the first problem, naming the field.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_customer_number(&self.customer_number)?;
        validate_text("household.name", &self.name, 1, 64)?;
        if self.phones.len() > 8 {
            return Err(InvalidInput::new(
                "household.phones",
                said("最多8个电话号码", "at most 8 phone numbers"),
            ));
        }
        self.address.validate()?;
        if let Some(meter) = &self.meter {
            meter.validate()?;
        }
        for (i, appliance) in self.appliances.iter().enumerate() {
            appliance
                .validate()
                .map_err(|e| e.within(&format!("household.appliances[{i}]")))?;
        }
        self.supply.validate()?;
        if let Some(registration) = &self.special_group {
            registration.validate()?;
        }
        Ok(())
    }

    pub fn is_special_group(&self) -> bool {
        self.special_group.is_some()
    }
}

fn validate_customer_number(number: &str) -> Result<(), InvalidInput> {
    validate_code("household.customer_number", number)
}

/// A number printed on a bill or a meter plate (a customer number, a meter's serial): 1 to 32
/// letters, digits and '-'.
pub(crate) fn validate_code(field: &str, code: &str) -> Result<(), InvalidInput> {
    if code.is_empty() || code.len() > 32 {
        return Err(InvalidInput::new(
            field,
            said("须为1到32个字符", "must be 1 to 32 characters"),
        ));
    }
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(InvalidInput::new(
            field,
            said(
                "只能包含字母、数字和“-”",
                "only letters, digits and '-' are allowed",
            ),
        ));
    }
    Ok(())
}

/// Checks a free-text field: trimmed length between `min` and `max` characters, no control
/// characters.
pub(crate) fn validate_text(
    field: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), InvalidInput> {
    let count = text.trim().chars().count();
    if count < min {
        return Err(InvalidInput::new(
            field,
            said("不能为空", "must not be empty"),
        ));
    }
    if text.chars().count() > max {
        return Err(InvalidInput::new(
            field,
            said(
                format!("最多{max}个字符"),
                format!("must be at most {max} characters"),
            ),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            field,
            said("不能包含控制字符", "must not contain control characters"),
        ));
    }
    Ok(())
}

/// A structured Chinese address: 区 / 街道 (or road and number) / 楼 / 单元 / 室.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    pub district: String,
    pub street: String,
    pub building: String,
    pub unit: String,
    pub room: String,
}

impl Address {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("household.address.district", &self.district, 1, 32)?;
        validate_text("household.address.street", &self.street, 1, 64)?;
        for (field, value) in [
            ("household.address.building", &self.building),
            ("household.address.unit", &self.unit),
            ("household.address.room", &self.room),
        ] {
            validate_text(field, value, 0, 32)?;
        }
        Ok(())
    }

    /// The address on one line, the way it is written on an envelope in China.
    pub fn one_line(&self) -> String {
        let mut line = format!("{}{}", self.district, self.street);
        for (part, suffix) in [
            (&self.building, "栋"),
            (&self.unit, "单元"),
            (&self.room, "室"),
        ] {
            if !part.is_empty() {
                line.push_str(part);
                if !part.ends_with(suffix) {
                    line.push_str(suffix);
                }
            }
        }
        line
    }
}

/// What the gas is used for; decides how often the household is inspected (Art.7(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Residential,
    Commercial,
    Industrial,
    Heating,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Residential,
        Category::Commercial,
        Category::Industrial,
        Category::Heating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Residential => "residential",
            Category::Commercial => "commercial",
            Category::Industrial => "industrial",
            Category::Heating => "heating",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                InvalidInput::new(
                    "household.category",
                    said("未知的用户类别：可用居民、商业、工业或采暖（residential、commercial、industrial、heating）", "unknown category: use residential, commercial, industrial or heating"),
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appliance {
    pub kind: ApplianceKind,
    pub brand: String,
    pub installed_on: Option<NaiveDate>,
    pub flue: FlueType,
}

impl Appliance {
    fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("brand", &self.brand, 0, 32)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplianceKind {
    Stove,
    WaterHeater,
    WallBoiler,
    Oven,
    Dryer,
    CommercialBurner,
    IndustrialBoiler,
    Other,
}

/// How an appliance gets rid of its flue gas; a flueless water heater is a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlueType {
    /// Open-flame appliance with no flue (a stove).
    None,
    /// Natural-draught flue.
    Natural,
    /// Fan-assisted (forced exhaust, 强排).
    ForcedExhaust,
    /// Room-sealed, balanced flue (平衡式).
    Balanced,
}

/// Whether gas flows to the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SupplyStatus {
    NotConnected,
    Active,
    ShutOff {
        reason: ShutOffReason,
        since: DateTime<Utc>,
        /// The number of the seal (or lock) put on the valve, as the shut-off form gave it: the
        /// reconnection checks the seal it finds against it. None for a shut-off recorded
        /// without one (a hazard shut on the spot, records from before it was kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seal: Option<String>,
    },
    PermanentlyDisconnected {
        since: DateTime<Utc>,
    },
}

impl SupplyStatus {
    fn validate(&self) -> Result<(), InvalidInput> {
        Ok(())
    }

    /// The seal number the reconnection is to find on the valve: the shut-off's, while the
    /// supply is shut off.
    pub fn seal_to_check(&self) -> Option<&str> {
        match self {
            SupplyStatus::ShutOff { seal, .. } => seal.as_deref(),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SupplyStatus::NotConnected => "not_connected",
            SupplyStatus::Active => "active",
            SupplyStatus::ShutOff { .. } => "shut_off",
            SupplyStatus::PermanentlyDisconnected { .. } => "permanently_disconnected",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutOffReason {
    Arrears,
    Hazard,
    PlannedWorks,
    CustomerRequest,
    Demolition,
}

impl ShutOffReason {
    /// The reason's name, as the timeline and the screens say it.
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            ShutOffReason::Arrears => ("欠费", "arrears"),
            ShutOffReason::Hazard => ("安全隐患", "hazard"),
            ShutOffReason::PlannedWorks => ("计划施工", "planned works"),
            ShutOffReason::CustomerRequest => ("用户申请", "at the customer's request"),
            ShutOffReason::Demolition => ("拆迁", "demolition"),
        };
        said(zh, en)
    }
}

/// One entry of a household's history timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub id: HistoryEventId,
    pub household_id: HouseholdId,
    /// When it happened, by the clock of the device that recorded it.
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    /// The record it is about (a work order, a form, a reading), when there is one.
    pub subject_id: Option<String>,
    /// A short description without personal data, in both languages (it is shown on the
    /// timeline). Lines written before the store kept Chinese have the English in both.
    pub summary: crate::text::Text,
}

impl HistoryEvent {
    /// A timeline line, its id made from what it says: the phone that writes it and the server
    /// that derives it from the phone's operation name it alike, so that the line coming back
    /// from the server is the same line, stored once.
    pub fn line(
        household_id: HouseholdId,
        at: DateTime<Utc>,
        kind: HistoryKind,
        subject_id: Option<&str>,
        summary: &Text,
    ) -> Self {
        Self {
            id: line_id(household_id, at, kind, subject_id, summary),
            household_id,
            at,
            kind,
            subject_id: subject_id.map(str::to_owned),
            summary: summary.clone(),
        }
    }
}

/// The id of a line: the first 16 bytes of the SHA-256 of its household, time (ms), kind,
/// subject and English summary, marked as a UUID of version 8 (custom).
fn line_id(
    household_id: HouseholdId,
    at: DateTime<Utc>,
    kind: HistoryKind,
    subject_id: Option<&str>,
    summary: &Text,
) -> HistoryEventId {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in [
        household_id.to_string().as_str(),
        &at.timestamp_millis().to_string(),
        kind.as_str(),
        subject_id.unwrap_or(""),
        &summary.en,
    ] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    HistoryEventId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl HistoryKind {
    pub const ALL: [HistoryKind; 15] = [
        HistoryKind::FileOpened,
        HistoryKind::FileUpdated,
        HistoryKind::MeterReading,
        HistoryKind::WorkOrder,
        HistoryKind::WorkOrderStatus,
        HistoryKind::CheckIn,
        HistoryKind::Visit,
        HistoryKind::Form,
        HistoryKind::Photo,
        HistoryKind::Signature,
        HistoryKind::Call,
        HistoryKind::Complaint,
        HistoryKind::SupplyChange,
        HistoryKind::SpecialGroupRegistered,
        HistoryKind::OutageNotice,
    ];

    /// The name a timeline line's kind is stored under.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryKind::FileOpened => "file_opened",
            HistoryKind::FileUpdated => "file_updated",
            HistoryKind::MeterReading => "meter_reading",
            HistoryKind::WorkOrder => "work_order",
            HistoryKind::WorkOrderStatus => "work_order_status",
            HistoryKind::CheckIn => "check_in",
            HistoryKind::Visit => "visit",
            HistoryKind::Form => "form",
            HistoryKind::Photo => "photo",
            HistoryKind::Signature => "signature",
            HistoryKind::Call => "call",
            HistoryKind::Complaint => "complaint",
            HistoryKind::SupplyChange => "supply_change",
            HistoryKind::SpecialGroupRegistered => "special_group_registered",
            HistoryKind::OutageNotice => "outage_notice",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_lines_kind_is_stored_under_the_name_it_always_had() {
        for kind in HistoryKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn the_field_names_an_edit_may_give_are_the_households_own() {
        let city = crate::synthetic::generate(
            &crate::synthetic::CitySize {
                households: 1,
                readings: 0,
                open_orders: 0,
                districts_per_side: 1,
                technicians_per_district: 1,
            },
            1,
            Utc::now(),
        );
        let json = serde_json::to_value(&city.households[0]).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = Household::FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn unknown_category_names_the_field() {
        let err = Category::parse("domestic").unwrap_err();
        assert_eq!(err.field, "household.category");
        assert_eq!(Category::parse("heating").unwrap(), Category::Heating);
    }

    #[test]
    fn address_reads_as_one_line() {
        let a = Address {
            district: "西湖区".into(),
            street: "文三路88号".into(),
            building: "3".into(),
            unit: "2".into(),
            room: "501".into(),
        };
        assert_eq!(a.one_line(), "西湖区文三路88号3栋2单元501室");
    }
}
