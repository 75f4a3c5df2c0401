//! The one public error of the library: few kinds, each a thing the app does something
//! different about. Messages name fields and reasons, never a person's data.

use doorstep_core::Error;

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
    /// The device is not enrolled with a server yet.
    #[error("this device is not enrolled with a server yet")]
    NotEnrolled,
    /// The caller cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// The photo could not be taken in (not a photo, damaged, too large).
    #[error("photo refused: {reason}")]
    Photo { reason: String },
    /// The store or its files failed: unreadable (moved aside, never deleted), written by a
    /// newer app, closed, or a disk error.
    #[error("storage: {reason}")]
    Storage { reason: String },
}

pub type Result<T, E = DoorstepError> = std::result::Result<T, E>;

impl DoorstepError {
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

impl From<Error> for DoorstepError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(e) => e.into(),
            Error::NotFound { what } => Self::NotFound { what: what.into() },
            Error::Duplicate { what } => Self::Conflict {
                kind: doorstep_core::sync::protocol::ErrorKind::Conflict,
                reason: format!("{what} already exists"),
            },
            Error::Sealed => Self::Sealed,
            Error::Incomplete { problems } => Self::Incomplete {
                problems: problems.into_iter().map(Into::into).collect(),
            },
            Error::Network { reason } => Self::Network { reason },
            Error::Auth { reason } => Self::Auth { reason },
            Error::Refused {
                kind,
                status,
                message,
                ..
            } => Self::Conflict {
                kind: kind.or_status(status),
                reason: message,
            },
            Error::Protocol { reason } => Self::Network { reason },
            Error::NotEnrolled => Self::NotEnrolled,
            Error::Cancelled => Self::Cancelled,
            Error::Media(doorstep_core::media::MediaError::Invalid(e)) => e.into(),
            Error::Media(e) => Self::Photo {
                reason: e.to_string(),
            },
            e @ (Error::StoreUnreadable { .. }
            | Error::StoreTooNew { .. }
            | Error::Vault(_)
            | Error::Sqlite(_)
            | Error::Io(_)
            | Error::Json(_)) => Self::Storage {
                reason: e.to_string(),
            },
        }
    }
}
