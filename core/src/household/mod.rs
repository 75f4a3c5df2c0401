//! One household, one file (一户一档, Art.15): the account, where it is, its meter and
//! appliances, whether gas flows, whether it is registered as a special-group user, and the
//! history of everything that happened there.

pub mod consumption;
pub mod import;

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
    let field = "household.customer_number";
    if number.is_empty() || number.len() > 32 {
        return Err(InvalidInput::new(
            field,
            said("须为1到32个字符", "must be 1 to 32 characters"),
        ));
    }
    if !number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
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

/// A phone number as a person would type it; validated as a Chinese mobile number
/// (11 digits, 1[3-9]…) or a landline (area code 0xx/0xxx, 7 or 8 digits, optional extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let field = "phone";
        // People write numbers with spaces, dashes and a +86 prefix; keep digits (and one
        // extension separator) so that search finds the number however it was typed.
        let trimmed = input.trim();
        let without_country = trimmed
            .strip_prefix("+86")
            .or_else(|| trimmed.strip_prefix("0086"))
            .unwrap_or(trimmed);
        let (main, extension) = match without_country.split_once(['#', 'x', '转']) {
            Some((main, ext)) => (main, Some(ext.trim())),
            None => (without_country, None),
        };
        if main
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
        {
            return Err(InvalidInput::new(
                field,
                said(
                    "只能包含数字、空格和“-”",
                    "may only contain digits, spaces and '-'",
                ),
            ));
        }
        let digits: String = main.chars().filter(char::is_ascii_digit).collect();
        let is_mobile = digits.len() == 11
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        // Area codes are 0 followed by a non-zero digit; "00" is the international prefix.
        let is_landline = digits.starts_with('0')
            && !digits.starts_with("00")
            && (10..=12).contains(&digits.len());
        if !is_mobile && !is_landline {
            return Err(InvalidInput::new(
                field,
                said(
                    "不是手机号（以13–19开头的11位数字），也不是带区号的固定电话",
                    "not a mobile number (11 digits starting 13–19) or a landline with area code",
                ),
            ));
        }
        match extension {
            Some(ext)
                if ext.is_empty() || ext.len() > 6 || !ext.chars().all(|c| c.is_ascii_digit()) =>
            {
                Err(InvalidInput::new(
                    field,
                    said("分机号须为1到6位数字", "an extension must be 1 to 6 digits"),
                ))
            }
            Some(ext) if is_landline => Ok(Self(format!("{digits}#{ext}"))),
            Some(_) => Err(InvalidInput::new(
                field,
                said("手机号没有分机号", "a mobile number has no extension"),
            )),
            None => Ok(Self(digits)),
        }
    }

    /// The normalised number: digits only, `#` before an extension.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = InvalidInput;
    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
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
pub struct Meter {
    pub serial: String,
    pub kind: MeterKind,
    /// The reading when the meter was fitted.
    pub initial_reading: Volume,
}

impl Meter {
    fn validate(&self) -> Result<(), InvalidInput> {
        let field = "household.meter.serial";
        if self.serial.is_empty() || self.serial.len() > 32 {
            return Err(InvalidInput::new(
                field,
                said("须为1到32个字符", "must be 1 to 32 characters"),
            ));
        }
        if !self
            .serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(InvalidInput::new(
                field,
                said(
                    "只能包含字母、数字和“-”",
                    "only letters, digits and '-' are allowed",
                ),
            ));
        }
        if self.initial_reading.litres() < 0 {
            return Err(InvalidInput::new(
                "household.meter.initial_reading",
                said("不能为负数", "must not be negative"),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeterKind {
    /// Mechanical diaphragm meter (膜式表), read by eye.
    Diaphragm,
    /// Prepaid IC-card meter (IC卡表).
    IcCard,
    /// Remote-reading meter (远传表).
    Remote,
    /// Ultrasonic meter.
    Ultrasonic,
    /// Turbine or roots meter of commercial and industrial users.
    Industrial,
}

/// A gas volume in litres (1/1000 m³), the resolution of a household meter's last drum.
/// Integer, so that consumption adds up exactly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Volume(i64);

impl Volume {
    pub const fn from_litres(litres: i64) -> Self {
        Self(litres)
    }

    pub const fn litres(self) -> i64 {
        self.0
    }

    /// Parses a reading as written on a meter: cubic metres with up to three decimals.
    pub fn parse_cubic_metres(text: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::new(
                "reading",
                said(
                    "以立方米填写，最多三位小数，例如1234.567",
                    "write cubic metres with at most three decimals, e.g. 1234.567",
                ),
            )
        };
        let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        if whole.is_empty()
            || fraction.len() > 3
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let fraction: i64 = format!("{fraction:0<3}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(fraction))
            .map(Self)
            .ok_or_else(bad)
    }
}

impl Volume {
    /// Cubic metres with three decimals and no unit ("1234.567", "-0.250"): the form
    /// [`Volume::parse_cubic_metres`] reads back, for the apps to show and send again.
    pub fn decimal_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let litres = self.0.unsigned_abs();
        format!("{sign}{}.{:03}", litres / 1000, litres % 1000)
    }
}

impl std::fmt::Display for Volume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} m³", self.decimal_text())
    }
}

/// One meter reading: taken in the field, by the customer, or by a remote meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterReading {
    pub household_id: HouseholdId,
    pub taken_at: DateTime<Utc>,
    pub value: Volume,
    pub source: ReadingSource,
}

impl MeterReading {
    /// A meter shows no negative volume, and no reading is taken in the future: `now` is the
    /// phone's time when it records one, the server's when a reading arrives (a phone whose
    /// clock runs far ahead would otherwise date it where the consumption checks misread it).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), InvalidInput> {
        if self.value.litres() < 0 {
            return Err(InvalidInput::new(
                "reading.value",
                said("不能为负数", "must not be negative"),
            ));
        }
        if self.taken_at > now + chrono::Duration::minutes(5) {
            return Err(InvalidInput::new(
                "reading.taken_at",
                said(
                    "晚于现在：请检查手机时间",
                    "is in the future: check the phone's clock",
                ),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingSource {
    Technician,
    Customer,
    RemoteMeter,
    Estimated,
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
    },
    PermanentlyDisconnected {
        since: DateTime<Utc>,
    },
}

impl SupplyStatus {
    fn validate(&self) -> Result<(), InvalidInput> {
        Ok(())
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

/// A registration for priority service at home (老弱病残, Art.7(7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialGroupRegistration {
    pub groups: Vec<SpecialGroup>,
    /// What the person needs, in the words of whoever registered them.
    pub needs: String,
    pub contact: Option<ContactPerson>,
    /// The person agreed to be registered and to have their data kept for this purpose.
    pub consent_given: bool,
    pub registered_on: NaiveDate,
}

impl SpecialGroupRegistration {
    fn validate(&self) -> Result<(), InvalidInput> {
        if self.groups.is_empty() {
            return Err(InvalidInput::new(
                "household.special_group.groups",
                said("至少选择一类人群", "name at least one group"),
            ));
        }
        if !self.consent_given {
            return Err(InvalidInput::new(
                "household.special_group.consent_given",
                said(
                    "须经本人同意方可登记",
                    "a person is registered only with their consent",
                ),
            ));
        }
        validate_text("household.special_group.needs", &self.needs, 0, 500)?;
        if let Some(contact) = &self.contact {
            validate_text("household.special_group.contact.name", &contact.name, 1, 64)?;
            validate_text(
                "household.special_group.contact.relation",
                &contact.relation,
                0,
                32,
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialGroup {
    Elderly,
    Weak,
    Sick,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPerson {
    pub name: String,
    pub relation: String,
    pub phone: Phone,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn phone_typed_with_country_code_and_dashes_is_normalised() {
        assert_eq!(
            Phone::parse("+86 138-1234-5678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Phone::parse("0571-8765 4321").unwrap().as_str(),
            "057187654321"
        );
        assert_eq!(
            Phone::parse("010-12345678转123").unwrap().as_str(),
            "01012345678#123"
        );
    }

    #[test]
    fn invalid_phone_is_refused_without_repeating_it() {
        for bad in [
            "",
            "12345",
            "1381234567",
            "23812345678",
            "138123456789",
            "138abc45678",
            "13812345678#12",
            "0 0865574305",
        ] {
            let err = Phone::parse(bad).unwrap_err();
            assert_eq!(err.field, "phone");
            if !bad.is_empty() {
                assert!(
                    !err.to_string().contains(bad),
                    "the error repeats the number"
                );
            }
        }
    }

    #[test]
    fn unknown_category_names_the_field() {
        let err = Category::parse("domestic").unwrap_err();
        assert_eq!(err.field, "household.category");
        assert_eq!(Category::parse("heating").unwrap(), Category::Heating);
    }

    #[test]
    fn meter_reading_parses_cubic_metres_exactly() {
        assert_eq!(
            Volume::parse_cubic_metres("1234.5").unwrap().litres(),
            1_234_500
        );
        assert_eq!(Volume::parse_cubic_metres("0.007").unwrap().litres(), 7);
        assert_eq!(
            Volume::parse_cubic_metres("12").unwrap().to_string(),
            "12.000 m³"
        );
        for bad in ["", "-1", "1.2345", "1,5", "abc", ".5"] {
            assert!(Volume::parse_cubic_metres(bad).is_err(), "{bad} accepted");
        }
    }

    /// The apps show a reading and may send it back unchanged (an amended form): its text
    /// carries no unit and reads back as the same volume; a negative volume (a difference of
    /// readings) keeps its sign below one cubic metre.
    #[test]
    fn a_reading_as_text_reads_back_as_itself() {
        for litres in [0, 7, 1_234_567, 12_000, 999, 1_000, i64::MAX / 2] {
            let v = Volume::from_litres(litres);
            assert_eq!(Volume::parse_cubic_metres(&v.decimal_text()).unwrap(), v);
        }
        assert_eq!(Volume::from_litres(1_234_567).decimal_text(), "1234.567");
        assert_eq!(Volume::from_litres(-250).decimal_text(), "-0.250");
        assert_eq!(Volume::from_litres(-1_250).decimal_text(), "-1.250");
        assert_eq!(Volume::from_litres(-250).to_string(), "-0.250 m³");
        assert_eq!(
            Volume::from_litres(i64::MIN).decimal_text(),
            "-9223372036854775.808"
        );
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

    #[test]
    fn registration_without_consent_is_refused() {
        let r = SpecialGroupRegistration {
            groups: vec![SpecialGroup::Elderly],
            needs: String::new(),
            contact: None,
            consent_given: false,
            registered_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        assert_eq!(
            r.validate().unwrap_err().field,
            "household.special_group.consent_given"
        );
    }
}
