//! The server's own error: what push, records, photos, authentication, the storage and the
//! admin tool return. It says what went wrong inside the server; only its two edges turn it
//! into a reply: the HTTP layer ([`crate::api::ApiError`], a status and a JSON body) and the
//! admin tool (a line for the operator). Messages name what was wrong, never a person's data.

use doorstep_core::InvalidInput;
use doorstep_core::ids::OperationId;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credential, or one the server does not know.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The device was revoked by the back office.
    #[error("this device was revoked")]
    Revoked,
    /// Outside the technician's scope: says what (`the household`).
    #[error("{0} is outside this technician's scope")]
    OutOfScope(&'static str),
    /// A value that breaks one of the core's rules: which field, and why in both languages.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// A request or operation that breaks one of the server's rules.
    #[error("{0}")]
    Invalid(String),
    /// A sealed form whose digest or signatures do not match its content.
    #[error("{0}")]
    Tampered(String),
    /// Photo bytes whose SHA-256 is not the hash they were uploaded under.
    #[error("the photo's bytes do not match its hash")]
    PhotoMismatch,
    #[error("{0}")]
    TooLarge(String),
    /// A body or query that is not what the endpoint reads (malformed JSON, missing fields).
    #[error("{0}")]
    Malformed(String),
    /// A unique key taken, or a sealed record that differs from what is stored.
    #[error("{0}")]
    Conflict(String),
    /// An endpoint asked with a method it does not answer (`GET /v1/push`).
    #[error("this endpoint does not answer this method")]
    MethodNotAllowed,
    /// A record the request names that the server does not hold (or that was deleted).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A failure of the server's own; its message goes to the log only.
    #[error("{0}")]
    Internal(String),
    /// An operation for a record the device could no longer reach when it was made: it is not
    /// refused but parked for the service center to decide (`push::parked`). Raised before the
    /// operation writes anything; never a reply of its own.
    #[error("the operation is set aside for the service center ({})", .0.as_str())]
    Park(crate::storage::ParkReason),
    /// A refusal of one pushed operation: the device sets that operation aside and goes on
    /// with the rest.
    #[error("{refusal}")]
    Operation {
        op: OperationId,
        refusal: Box<Error>,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    /// A failure of the server's own. A decoding error's quoted values are left out: they may
    /// be a person's data.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(doorstep_core::input::without_values(&e.to_string()))
    }

    /// The same refusal, naming the pushed operation that caused it. Only refusals of the
    /// operation itself name it: a failure of the server (storage, internal) leaves the
    /// operation to be sent again.
    pub fn for_op(self, op: OperationId) -> Self {
        match self {
            Error::OutOfScope(_)
            | Error::InvalidInput(_)
            | Error::Invalid(_)
            | Error::Tampered(_)
            | Error::Conflict(_)
            | Error::NotFound(_)
            | Error::Storage(StorageError::Duplicate(_)) => Error::Operation {
                op,
                refusal: Box::new(self),
            },
            other => other,
        }
    }

    /// The error itself, without the operation it names.
    pub fn refusal(&self) -> &Error {
        match self {
            Error::Operation { refusal, .. } => refusal.refusal(),
            other => other,
        }
    }

    /// The pushed operation it refuses, if it refuses one.
    pub fn op(&self) -> Option<OperationId> {
        match self {
            Error::Operation { op, .. } => Some(*op),
            _ => None,
        }
    }
}
