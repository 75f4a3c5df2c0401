//! Scanned codes: a meter's serial, a seal's number or a customer card, read by the phone's
//! camera from a barcode or a QR code (the camera work is the app's). The core checks the
//! value against the utility's format for that kind of code and says which household it
//! belongs to (`Store::scanned_household`).
//!
//! Formats are configuration ([`ScanFormats`], JSON), one per kind: a prefix, a length, digits
//! only or not, and a check digit (Luhn, ISO 7064 MOD 11-2, or none). No regular expressions:
//! an office can write one without learning a language, and a code is checked in one pass. The
//! defaults accept every code the household file does (1 to 32 letters, digits and '-'), with
//! no check digit: a utility that prints a check digit on its cards says so in its formats.

use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::text::said;

/// What was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// The customer card (用户卡), or the bill's code: the customer number.
    CustomerCard,
    /// The meter's nameplate: its serial number.
    MeterSerial,
    /// A seal (or lock) put on at a shut-off: its number.
    SealNumber,
}

impl CodeKind {
    /// The field a refusal names.
    pub fn field(self) -> &'static str {
        match self {
            CodeKind::CustomerCard => "scan.customer_card",
            CodeKind::MeterSerial => "scan.meter_serial",
            CodeKind::SealNumber => "scan.seal_number",
        }
    }
}

/// How a code's last character checks the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDigit {
    #[default]
    None,
    /// Luhn (mod 10), as on bank cards: every character before it a digit.
    Luhn,
    /// ISO 7064 MOD 11-2, as on Chinese identity cards: the check character is 0-9 or X.
    Iso7064Mod11_2,
}

/// The format of one kind of code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeFormat {
    /// What the code starts with (part of the value, e.g. "HZ"); empty: anything.
    pub prefix: String,
    /// The fewest and most characters, prefix and check digit included.
    pub min_len: usize,
    pub max_len: usize,
    /// After the prefix, only the digits 0-9 (and an X check character under ISO 7064).
    pub digits_only: bool,
    pub check_digit: CheckDigit,
}

impl Default for CodeFormat {
    /// Any code the household file accepts: 1 to 32 letters, digits and '-'.
    fn default() -> Self {
        Self {
            prefix: String::new(),
            min_len: 1,
            max_len: 32,
            digits_only: false,
            check_digit: CheckDigit::None,
        }
    }
}

/// The utility's formats, one per kind of code; each defaults to [`CodeFormat::default`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanFormats {
    pub customer_card: CodeFormat,
    pub meter_serial: CodeFormat,
    pub seal_number: CodeFormat,
}

impl ScanFormats {
    pub fn of(&self, kind: CodeKind) -> &CodeFormat {
        match kind {
            CodeKind::CustomerCard => &self.customer_card,
            CodeKind::MeterSerial => &self.meter_serial,
            CodeKind::SealNumber => &self.seal_number,
        }
    }

    /// Formats from the utility's configuration (JSON); a key left out keeps its default.
    pub fn from_json(json: &str) -> Result<Self, InvalidInput> {
        serde_json::from_str(json).map_err(|_| {
            InvalidInput::new(
                "scan.formats",
                said("扫码格式配置无法读取", "the scan formats cannot be read"),
            )
        })
    }
}

/// A scanned value checked against its format: the code as the records keep it (trimmed,
/// letters upper-cased).
pub fn check(kind: CodeKind, scanned: &str, formats: &ScanFormats) -> Result<String, InvalidInput> {
    let format = formats.of(kind);
    let code = scanned.trim().to_ascii_uppercase();
    let refuse = |zh: String, en: String| InvalidInput::new(kind.field(), said(zh, en));
    let expected = describe(format);
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || code.is_empty() {
        return Err(refuse(
            format!("不是可识别的编码：应为{}", expected.0),
            format!("not a code that can be read: expected {}", expected.1),
        ));
    }
    let length = code.chars().count();
    if length < format.min_len || length > format.max_len {
        return Err(refuse(
            format!("长度为{length}：应为{}", expected.0),
            format!("{length} characters long: expected {}", expected.1),
        ));
    }
    let Some(rest) = code.strip_prefix(&format.prefix.to_ascii_uppercase()) else {
        return Err(refuse(
            format!("开头不对：应为{}", expected.0),
            format!("wrong start: expected {}", expected.1),
        ));
    };
    let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let (body, last) = match rest.char_indices().last() {
        Some((i, c)) => (&rest[..i], c),
        None => ("", ' '),
    };
    let digits = match format.check_digit {
        CheckDigit::Iso7064Mod11_2 => digits_ok(body) && (last.is_ascii_digit() || last == 'X'),
        CheckDigit::Luhn => digits_ok(rest),
        CheckDigit::None => !format.digits_only || digits_ok(rest),
    };
    if !digits || (format.digits_only && !digits_ok(body)) {
        return Err(refuse(
            format!("含有非数字字符：应为{}", expected.0),
            format!("not all digits: expected {}", expected.1),
        ));
    }
    let valid = match format.check_digit {
        CheckDigit::None => true,
        CheckDigit::Luhn => !body.is_empty() && luhn_check_digit(body) == last,
        CheckDigit::Iso7064Mod11_2 => !body.is_empty() && mod11_2_check_character(body) == last,
    };
    if !valid {
        return Err(refuse(
            "校验位不对：可能扫错或输错，请重扫".to_owned(),
            "the check digit does not match: scanned or typed wrong, scan again".to_owned(),
        ));
    }
    Ok(code)
}

/// What a format expects, in both languages, for a refusal.
fn describe(format: &CodeFormat) -> (String, String) {
    let length = if format.min_len == format.max_len {
        (
            format!("{}位", format.min_len),
            format!("{} characters", format.min_len),
        )
    } else {
        (
            format!("{}到{}位", format.min_len, format.max_len),
            format!("{} to {} characters", format.min_len, format.max_len),
        )
    };
    let kind = if format.digits_only {
        ("数字", "digits")
    } else {
        ("字母、数字或“-”", "letters, digits or '-'")
    };
    let mut zh = format!("{}{}", length.0, kind.0);
    let mut en = format!("{} of {}", length.1, kind.1);
    if !format.prefix.is_empty() {
        zh = format!("以“{}”开头的{zh}", format.prefix);
        en = format!("{en} starting with \"{}\"", format.prefix);
    }
    match format.check_digit {
        CheckDigit::None => {}
        CheckDigit::Luhn => {
            zh.push_str("，末位为Luhn校验位");
            en.push_str(", the last a Luhn check digit");
        }
        CheckDigit::Iso7064Mod11_2 => {
            zh.push_str("，末位为ISO 7064 MOD 11-2校验位");
            en.push_str(", the last an ISO 7064 MOD 11-2 check character");
        }
    }
    (zh, en)
}

/// The Luhn check digit of a string of digits.
pub fn luhn_check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// The ISO 7064 MOD 11-2 check character of a string of digits: 0-9 or X.
pub fn mod11_2_check_character(digits: &str) -> char {
    let mut p: u32 = 0;
    for b in digits.bytes() {
        p = ((p + u32::from(b - b'0')) * 2) % 11;
    }
    match (12 - p % 11) % 11 {
        10 => 'X',
        c => char::from(b'0' + c as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn luhn_cards() -> ScanFormats {
        ScanFormats {
            customer_card: CodeFormat {
                prefix: "HZ".into(),
                min_len: 10,
                max_len: 10,
                digits_only: true,
                check_digit: CheckDigit::Luhn,
            },
            ..ScanFormats::default()
        }
    }

    #[test]
    fn a_customer_card_with_its_luhn_check_digit_is_read_and_a_mistyped_one_is_refused() {
        let formats = luhn_cards();
        let body = "1234567";
        let card = format!("HZ{body}{}", luhn_check_digit(body));
        assert_eq!(
            check(
                CodeKind::CustomerCard,
                &format!(" {} ", card.to_lowercase()),
                &formats
            )
            .unwrap(),
            card
        );
        let wrong = format!("HZ{body}{}", (luhn_check_digit(body) as u8 - b'0' + 1) % 10);
        let err = check(CodeKind::CustomerCard, &wrong, &formats).unwrap_err();
        assert_eq!(err.field, "scan.customer_card");
        assert!(err.reason.contains("check digit"));
        assert!(!err.reason.contains(&wrong), "the value is not repeated");
    }

    #[test]
    fn a_code_of_the_wrong_format_is_refused_naming_what_was_expected() {
        let formats = luhn_cards();
        let err = check(CodeKind::CustomerCard, "SH12345678", &formats).unwrap_err();
        assert_eq!(
            err.reason,
            "wrong start: expected 10 characters of digits starting with \"HZ\", the last a Luhn check digit"
        );
        assert!(err.reason_zh.contains("以“HZ”开头"));
        let err = check(CodeKind::CustomerCard, "HZ123", &formats).unwrap_err();
        assert!(err.reason.starts_with("5 characters long"));
        let err = check(CodeKind::MeterSerial, "表号 123", &ScanFormats::default()).unwrap_err();
        assert_eq!(err.field, "scan.meter_serial");
    }

    #[test]
    fn by_default_every_code_the_household_file_accepts_is_read() {
        for code in ["HZ000001", "HZ-0001", "LJ2026-0001", "FQ-778812"] {
            for kind in [
                CodeKind::CustomerCard,
                CodeKind::MeterSerial,
                CodeKind::SealNumber,
            ] {
                assert_eq!(check(kind, code, &ScanFormats::default()).unwrap(), code);
            }
        }
        let formats = ScanFormats::from_json(
            r#"{"seal_number": {"prefix": "FQ", "check_digit": "iso7064_mod11_2"}}"#,
        )
        .unwrap();
        assert_eq!(formats.customer_card, CodeFormat::default());
        assert_eq!(
            formats.seal_number.max_len, 32,
            "a key left out keeps its default"
        );
    }

    #[test]
    fn iso_7064_mod_11_2_is_the_check_of_a_chinese_identity_number() {
        // The standard's worked example: 11010519491231002 → X.
        assert_eq!(mod11_2_check_character("11010519491231002"), 'X');
        let formats = ScanFormats {
            seal_number: CodeFormat {
                prefix: "FQ".into(),
                check_digit: CheckDigit::Iso7064Mod11_2,
                ..CodeFormat::default()
            },
            ..ScanFormats::default()
        };
        assert_eq!(
            check(CodeKind::SealNumber, "fq11010519491231002x", &formats).unwrap(),
            "FQ11010519491231002X"
        );
        assert!(check(CodeKind::SealNumber, "FQ110105194912310021", &formats).is_err());
    }

    #[test]
    fn luhn_of_the_textbook_number() {
        assert_eq!(luhn_check_digit("7992739871"), '3');
    }

    proptest! {
        #[test]
        fn a_code_made_with_its_check_digit_always_checks_and_one_changed_digit_never_does(
            body in "[0-9]{1,20}", at in any::<prop::sample::Index>(), by in 1u8..10,
        ) {
            for (algorithm, digit) in [
                (CheckDigit::Luhn, luhn_check_digit(&body)),
                (CheckDigit::Iso7064Mod11_2, mod11_2_check_character(&body)),
            ] {
                let formats = ScanFormats {
                    meter_serial: CodeFormat { check_digit: algorithm, digits_only: true, ..CodeFormat::default() },
                    ..ScanFormats::default()
                };
                let code = format!("{body}{digit}");
                prop_assert!(check(CodeKind::MeterSerial, &code, &formats).is_ok());
                let mut changed: Vec<u8> = body.clone().into_bytes();
                let i = at.index(changed.len());
                changed[i] = b'0' + (changed[i] - b'0' + by) % 10;
                let changed = format!("{}{digit}", String::from_utf8(changed).unwrap());
                prop_assert!(check(CodeKind::MeterSerial, &changed, &formats).is_err());
            }
        }
    }
}
