//! The household's gas meter, the volumes it reads and the readings taken of it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::ids::HouseholdId;
use crate::text::said;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meter {
    pub serial: String,
    pub kind: MeterKind,
    /// The reading when the meter was fitted.
    pub initial_reading: Volume,
}

impl Meter {
    pub(super) fn validate(&self) -> Result<(), InvalidInput> {
        super::validate_code("household.meter.serial", &self.serial)?;
        if self.initial_reading.litres() < 0 {
            return Err(InvalidInput::new(
                "household.meter.initial_reading",
                said("不能为负数", "must not be negative"),
            ));
        }
        Ok(())
    }
}

/// The timeline's line for a reading, on the phone and on the server alike.
pub fn meter_read(value: Volume) -> crate::text::Text {
    said(format!("抄表：{value}"), format!("meter read: {value}"))
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

impl ReadingSource {
    pub const ALL: [ReadingSource; 4] = [
        ReadingSource::Technician,
        ReadingSource::Customer,
        ReadingSource::RemoteMeter,
        ReadingSource::Estimated,
    ];

    /// The name a reading's source is stored and sent under.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingSource::Technician => "technician",
            ReadingSource::Customer => "customer",
            ReadingSource::RemoteMeter => "remote_meter",
            ReadingSource::Estimated => "estimated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readings_source_is_stored_under_its_wire_name() {
        for source in ReadingSource::ALL {
            let json = serde_json::to_string(&source).unwrap();
            assert_eq!(json, format!("\"{}\"", source.as_str()));
        }
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
}
