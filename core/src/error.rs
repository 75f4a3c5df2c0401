//! Errors of the core.
//!
//! Two kinds, after application-services: [`InvalidInput`] says which field of a record a caller
//! got wrong and why (it never repeats the value, so no personal data reaches a log), and
//! [`Error`] is the rich internal error every fallible core function returns. The FFI and the
//! server map `Error` to their own small public kinds at their edge.

use std::path::PathBuf;

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
    /// `reason` in both languages ([`crate::words::said`]).
    pub fn new(field: impl Into<String>, reason: crate::forms::Text) -> Self {
        Self {
            field: field.into(),
            reason: reason.en,
            reason_zh: reason.zh,
        }
    }

    /// The reason in both languages.
    pub fn said(&self) -> crate::forms::Text {
        crate::words::said(&self.reason_zh, &self.reason)
    }

    /// The same problem, seen from an enclosing record: `phones[1]` becomes `household.phones[1]`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),

    #[error("{what} not found")]
    NotFound { what: &'static str },

    #[error("{what} already exists")]
    Duplicate { what: &'static str },

    /// The store file could not be read as a Doorstep store (corrupt, or opened with another
    /// key). The file was not deleted: it was moved to `set_aside` so that it can be recovered.
    #[error(
        "the store could not be read (corrupt, or the key is not the one it was written with); \
         it was moved aside to {set_aside} and nothing in it was deleted"
    )]
    StoreUnreadable { set_aside: PathBuf },

    /// The store was written by a newer version of Doorstep than this one.
    #[error(
        "the store has schema version {found}, newer than this app's {supported}: update the app"
    )]
    StoreTooNew { found: u32, supported: u32 },

    /// The form is sealed: it never changes; a correction is an amendment.
    #[error("the form is sealed and cannot change: make an amendment instead")]
    Sealed,

    /// The form cannot be completed yet; every problem names the item and the reason.
    #[error("the form is not complete: {} problem(s) to fix", problems.len())]
    Incomplete {
        problems: Vec<crate::forms::form::Problem>,
    },

    /// The server could not be reached, or the connection broke: try again later.
    #[error("the server could not be reached: {reason}")]
    Network { reason: String },

    /// The server did not accept this device's credential or enrollment code.
    #[error("the server refused this device: {reason}")]
    Auth { reason: String },

    /// The server refused a request for good: `kind` is the protocol's error kind as the
    /// server named it, `status` the HTTP status (what an unknown kind means, see
    /// [`Error::refused_as`]). `operation` names the pushed operation it refused, when it
    /// refused one.
    #[error("the server refused the request ({kind}, HTTP {status}): {message}")]
    Refused {
        kind: crate::sync::protocol::ErrorKind,
        status: u16,
        message: String,
        operation: Option<crate::ids::OperationId>,
    },

    /// The server's answer breaks the protocol (an acknowledgement outside the batch sent, none
    /// at all): nothing was taken from it; the sync is tried again later.
    #[error("the server's answer breaks the protocol: {reason}")]
    Protocol { reason: String },

    /// The device is not enrolled with a server yet.
    #[error("this device is not enrolled with a server yet")]
    NotEnrolled,

    /// The caller cancelled the work.
    #[error("cancelled")]
    Cancelled,

    #[error(transparent)]
    Media(#[from] crate::media::MediaError),

    #[error(transparent)]
    Vault(#[from] crate::media::vault::VaultError),

    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("stored record could not be decoded: {}", without_values(&.0.to_string()))]
    Json(#[from] serde_json::Error),
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

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// What a refusal of the server means to this build: its kind, or what its HTTP status says
    /// when the kind is one this build does not know. `None` for any other error.
    pub fn refused_as(&self) -> Option<crate::sync::protocol::ErrorKind> {
        match self {
            Error::Refused { kind, status, .. } => Some(kind.or_status(*status)),
            _ => None,
        }
    }
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
