//! A phone number, normalised as it is typed, so that search finds it however it was written.

use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::words::said;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
