//! What a user, a file or the network supplied, and how the core refuses it: which field
//! broke which rule, in both languages, never repeating the value (so no personal data reaches
//! a log, a device or a screen).

use crate::text::{Text, said};

/// A value a user, a file or the network supplied that breaks a rule.
///
/// `field` names the field as a path (`household.phones[1]`), `reason` says what is wrong in
/// words a technician can act on. Neither carries the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct InvalidInput {
    pub field: String,
    /// What is wrong, in English.
    pub reason: String,
    /// The same in Chinese, the users' first language: what a screen shows first.
    pub reason_zh: String,
}

impl InvalidInput {
    /// `reason` in both languages ([`crate::text::said`]).
    pub fn new(field: impl Into<String>, reason: Text) -> Self {
        Self {
            field: field.into(),
            reason: reason.en,
            reason_zh: reason.zh,
        }
    }

    /// The reason in both languages.
    pub fn said(&self) -> Text {
        said(&self.reason_zh, &self.reason)
    }

    /// The same problem, seen from an enclosing record: `phones[1]` becomes `household.phones[1]`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// A decoding error's message (serde's) without the values it quotes: serde says `invalid
/// type: string "13812345678", expected a sequence` or ``integer `13812345678` ``, and the
/// value may be a phone, a name or an address. Every quoted or back-quoted value becomes `…`;
/// the names after `field` (``missing field `phones` ``) stay, since they are the schema's.
/// Used wherever such a message can reach a log, a device or a screen.
pub fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[start] as char;
        let (before, quoted) = rest.split_at(start);
        out.push_str(before);
        // The closing quote; a double-quoted value escapes its own quotes with a backslash.
        let body = &quoted[1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                '\\' if quote == '"' && !escaped => escaped = true,
                c if c == quote && !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else {
            // An unclosed quote: what follows may be a value cut short.
            out.push(quote);
            out.push('…');
            return out;
        };
        out.push(quote);
        if before.ends_with("field ") {
            out.push_str(&body[..end]);
        } else {
            out.push('…');
        }
        out.push(quote);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::without_values;
    use proptest::prelude::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Contact {
        phones: Vec<String>,
        name: String,
        floor: u8,
    }

    fn decoding_error(json: &str) -> String {
        without_values(
            &serde_json::from_str::<Contact>(json)
                .unwrap_err()
                .to_string(),
        )
    }

    #[test]
    fn a_wrong_value_sent_by_a_device_is_not_repeated_in_the_error() {
        let m = decoding_error(r#"{"phones": "13812345678", "name": "王芳", "floor": 1}"#);
        assert!(!m.contains("13812345678"), "{m}");
        assert!(
            m.contains("invalid type: string \"…\", expected a sequence"),
            "{m}"
        );
        let m = decoding_error(r#"{"phones": [], "name": 13812345678, "floor": 1}"#);
        assert!(!m.contains("13812345678"), "{m}");
        let m = decoding_error(r#"{"phones": [], "name": "王芳", "floor": 300}"#);
        assert!(!m.contains("300"), "{m}");
        // The schema's own names stay: they say what to fix.
        let m = decoding_error(r#"{"name": "王芳", "floor": 1}"#);
        assert!(m.contains("missing field `phones`"), "{m}");
        assert_eq!(without_values("no quotes at all"), "no quotes at all");
        assert_eq!(without_values(r#"string "cut sho"#), "string \"…");
        assert_eq!(
            without_values(r#"string "a \"quoted\" name" then"#),
            "string \"…\" then"
        );
    }

    proptest! {
        #[test]
        fn no_text_a_device_sends_in_the_wrong_place_reaches_the_message(
            value in "[\\PC]{1,30}",
        ) {
            // The message is the same whatever the text (where it was aside).
            let message = |v: &str| {
                let json = serde_json::json!({"phones": v, "name": "x", "floor": 1}).to_string();
                let m = decoding_error(&json);
                m[..m.find(" at line ").unwrap_or(m.len())].to_owned()
            };
            prop_assert_eq!(message(&value), message("a"));
        }
    }
}
