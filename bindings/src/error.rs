//! The one public error of the library: few kinds, each a thing the app does something
//! different about. Messages name fields and reasons, never a person's data.
//!
//! Every error of the core becomes one of these in one place, `From<Error>` (after
//! application-services' `GetErrorHandling`): what the technician or the server said passes
//! through; what the device did wrong (disk, database, stored files) is logged with its cause
//! first, since the app can only report it.

use doorstep_core::Error;
use doorstep_core::input::without_values;

/// What went wrong, by what the app should do about it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DoorstepError {
    /// The caller passed something the core refuses; `field` names it (for example
    /// `household.phones`, `signature.strokes`, `household_id`); `reason_zh` and `reason` say
    /// what is wrong in Chinese and in English.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        field: String,
        reason: String,
        reason_zh: String,
    },
    /// The thing asked for does not exist on this device.
    #[error("{what} not found")]
    NotFound { what: String },
    /// The form is sealed: it never changes; make an amendment.
    #[error("the form is sealed and cannot change: make an amendment instead")]
    Sealed,
    /// The form cannot be completed yet: every problem names its item and reason.
    #[error("the form is not complete: {} problem(s) to fix", problems.len())]
    Incomplete {
        problems: Vec<crate::types::FormProblem>,
    },
    /// The change contradicts what is already there: a duplicate on this device (`Conflict`),
    /// or a request the server refused for good (what its refusal means).
    #[error("conflict ({kind}): {reason}")]
    Conflict {
        kind: doorstep_core::sync::protocol::ErrorKind,
        reason: String,
    },
    /// The server refused this device: a wrong or used enrollment code, a revoked device.
    #[error("the server refused this device: {reason}")]
    Auth { reason: String },
    /// The server could not be reached or the connection broke: try again later.
    #[error("the server could not be reached: {reason}")]
    Network { reason: String },
    /// The event belongs to another screen than the one shown (`event` and `screen` name
    /// both): nothing changed.
    #[error("the event {event} does not fit the screen shown ({screen})")]
    WrongScreen { event: String, screen: String },
    /// An effect's answer the app does not wait for: never asked (`late` false), or asked by
    /// a screen the user has left, or answered already (`late` true). Dropped.
    #[error("no screen waits for the answer to request {request}")]
    Unanswerable { request: u64, late: bool },
    /// The app is locked: unlock it with the platform's prompt first.
    #[error("the app is locked")]
    Locked,
    /// The device is not enrolled with a server yet.
    #[error("this device is not enrolled with a server yet")]
    NotEnrolled,
    /// The caller cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// The photo could not be taken in (not a photo, damaged, too large or too costly for the
    /// phone): `reason_zh` and `reason` say why and what to do, in Chinese and in English.
    #[error("photo refused: {reason}")]
    Photo { reason: String, reason_zh: String },
    /// The store or its files failed: unreadable (moved aside, never deleted), written by a
    /// newer app, closed, or a disk error.
    #[error("storage: {reason}")]
    Storage { reason: String },
}

pub type Result<T, E = DoorstepError> = std::result::Result<T, E>;

impl DoorstepError {
    fn photo(e: &doorstep_core::media::MediaError) -> Self {
        let said = doorstep_core::words::photo_refusal(e);
        Self::Photo {
            reason: said.en,
            reason_zh: said.zh,
        }
    }

    pub(crate) fn invalid(field: &str, reason: doorstep_core::text::Text) -> Self {
        doorstep_core::InvalidInput::new(field, reason).into()
    }

    /// An answer that cannot be read, named by its item (as the core names an answer's other
    /// problems), so that the screen marks the item the technician must correct.
    pub(crate) fn about_item(self, item: &str) -> Self {
        match self {
            Self::InvalidInput {
                reason, reason_zh, ..
            } => Self::InvalidInput {
                field: item.to_owned(),
                reason,
                reason_zh,
            },
            other => other,
        }
    }
}

impl From<doorstep_core::InvalidInput> for DoorstepError {
    fn from(e: doorstep_core::InvalidInput) -> Self {
        Self::InvalidInput {
            field: e.field,
            reason: e.reason,
            reason_zh: e.reason_zh,
        }
    }
}

/// The table: every error of the core, once, as the app sees it. The first arms are what the
/// technician, the caller or the server said, which the app shows and nothing logs; the last
/// is the device failing (its disk, its database, a stored file), which the app can only
/// report, so it is logged here with its cause before it becomes `Storage`.
impl From<doorstep_core::app::AppError> for DoorstepError {
    fn from(e: doorstep_core::app::AppError) -> Self {
        use doorstep_core::app::AppError as A;
        match e {
            A::NotOnThisScreen { event, screen } => DoorstepError::WrongScreen {
                event: event.into(),
                screen: screen.into(),
            },
            A::UnknownRequest { request } => DoorstepError::Unanswerable {
                request,
                late: false,
            },
            A::LateAnswer { request } => DoorstepError::Unanswerable {
                request,
                late: true,
            },
            A::Locked => DoorstepError::Locked,
            A::Core(e) => e.into(),
        }
    }
}

impl From<Error> for DoorstepError {
    fn from(e: Error) -> Self {
        use doorstep_core::media::MediaError;
        use doorstep_core::sync::protocol::ErrorKind;
        match e {
            Error::Invalid(e) | Error::Media(MediaError::Invalid(e)) => e.into(),
            Error::NotFound { what } => Self::NotFound { what: what.into() },
            Error::Duplicate { what } => Self::Conflict {
                kind: ErrorKind::Conflict,
                reason: format!("{what} already exists"),
            },
            Error::Sealed => Self::Sealed,
            Error::Incomplete { problems } => Self::Incomplete {
                problems: problems.into_iter().map(Into::into).collect(),
            },
            Error::Network { reason } | Error::Protocol { reason } => Self::Network { reason },
            Error::Auth { reason, .. } => Self::Auth { reason },
            Error::Refused {
                kind,
                status,
                message,
                ..
            } => Self::Conflict {
                kind: kind.or_status(status),
                reason: message,
            },
            Error::NotEnrolled => Self::NotEnrolled,
            Error::Cancelled => Self::Cancelled,
            // The camera's file could not be read: the photo is refused, and the cause logged.
            Error::Media(e @ MediaError::Io(_)) => {
                log_device_failure("a photo could not be read", &e);
                Self::photo(&e)
            }
            Error::Media(e) => Self::photo(&e),
            e @ (Error::StoreUnreadable { .. }
            | Error::StoreTooNew { .. }
            | Error::Vault(_)
            | Error::Sqlite(_)
            | Error::Io(_)
            | Error::Json(_)) => {
                log_device_failure("the store failed", &e);
                Self::Storage {
                    reason: without_values(&e.to_string()),
                }
            }
        }
    }
}

impl DoorstepError {
    /// A failure of the device, not of the technician: logged with its cause, then `Storage`.
    pub(crate) fn device_failure(what: &str, cause: &dyn std::error::Error) -> Self {
        log_device_failure(what, cause);
        Self::Storage {
            reason: format!("{what}: {}", without_values(&cause.to_string())),
        }
    }
}

/// Logs `what` failed and why, the whole chain of causes, with every quoted value cut out
/// (a decoding error quotes what it could not read, which may be a name or a phone).
fn log_device_failure(what: &str, cause: &dyn std::error::Error) {
    let mut chain = without_values(&cause.to_string());
    let mut source = cause.source();
    while let Some(e) = source {
        // Most of the core's errors already say their source's words.
        let said = without_values(&e.to_string());
        if !chain.contains(&said) {
            chain.push_str(": ");
            chain.push_str(&said);
        }
        source = e.source();
    }
    tracing::error!(cause = %chain, "{what}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What the bindings logged while `f` ran.
    fn logged(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_broken_disk_is_logged_with_its_cause_and_reaches_the_app_as_storage() {
        let mut public = None;
        let log = logged(|| {
            let disk = std::io::Error::other("no space left on device");
            public = Some(DoorstepError::from(Error::Io(disk)));
        });
        assert!(
            matches!(public, Some(DoorstepError::Storage { .. })),
            "{public:?}"
        );
        assert!(log.contains("ERROR"), "{log}");
        assert!(log.contains("no space left on device"), "{log}");
    }

    #[test]
    fn a_damaged_record_is_logged_without_the_values_it_holds() {
        let damaged = serde_json::from_str::<Vec<String>>(r#"{"phone": "13812345678"}"#)
            .expect_err("not a list");
        let mut public = None;
        let log = logged(|| public = Some(DoorstepError::from(Error::Json(damaged))));
        let Some(DoorstepError::Storage { reason }) = public else {
            panic!("{public:?}")
        };
        assert!(log.contains("decoded"), "{log}");
        assert!(!log.contains("13812345678"), "{log}");
        assert!(!reason.contains("13812345678"), "{reason}");
    }

    #[test]
    fn what_the_technician_got_wrong_is_not_logged() {
        let log = logged(|| {
            let _ = DoorstepError::from(Error::Sealed);
            let _ = DoorstepError::from(Error::Cancelled);
            let _ = DoorstepError::from(Error::NotFound { what: "form" });
        });
        assert_eq!(log, "");
    }
}
