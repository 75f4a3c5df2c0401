//! Exact decimal numbers for measured values (pressures, concentrations, readings): an integer
//! and a count of decimals, never a float, so that a value hashes the same on every device.

use crate::text::said;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::InvalidInput;

#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    units: i128,
    scale: u8,
}

impl Decimal {
    pub fn new(units: i128, scale: u8) -> Self {
        Self { units, scale }
    }

    /// How many decimals the value was written with (`2.50` has 2).
    pub fn scale(&self) -> u8 {
        self.scale
    }

    fn rescaled(&self, scale: u8) -> Option<i128> {
        10i128
            .checked_pow(u32::from(scale.checked_sub(self.scale)?))
            .and_then(|f| self.units.checked_mul(f))
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        match (self.rescaled(scale), other.rescaled(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Only values of absurd size overflow; compare their signs and magnitudes roughly.
            _ => (self.units.signum(), self.units).cmp(&(other.units.signum(), other.units)),
        }
    }
}

impl FromStr for Decimal {
    type Err = InvalidInput;
    /// `-12.50`, `0.5`, `3`: an optional sign, digits, an optional point and decimals.
    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::new(
                "number",
                said(
                    "请用数字填写，最多一个小数点",
                    "write a number with digits and at most one decimal point",
                ),
            )
        };
        let s = s.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        if digits.contains('.') && fraction.is_empty() {
            return Err(bad());
        }
        if whole.len() + fraction.len() > 30 {
            return Err(InvalidInput::new(
                "number",
                said("位数太多", "too many digits"),
            ));
        }
        let units: i128 = format!("{whole}{fraction}").parse().map_err(|_| bad())?;
        Ok(Self {
            units: if negative { -units } else { units },
            scale: fraction.len() as u8,
        })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

/// Decimals travel as strings (`"2.50"`), so that JSON never turns them into floats. Templates
/// may also write plain JSON numbers for limits; they are read through their text.
impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Text(t) => t,
            Raw::Number(n) => n.to_string(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_compare_by_value_and_print_as_written() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(d("2.50"), d("2.5"));
        assert!(d("-0.1") < d("0"));
        assert!(d("3.01") > d("3"));
        assert_eq!(d("2.50").to_string(), "2.50");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert_eq!(d("007").to_string(), "7");
        for bad in ["", "-", "1.", ".5", "1,5", "1e3", "abc", "1.2.3", "+1"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_may_be_written_as_json_numbers() {
        let v: Decimal = serde_json::from_str("3.5").unwrap();
        assert_eq!(v.to_string(), "3.5");
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"3.5\"");
    }
}
