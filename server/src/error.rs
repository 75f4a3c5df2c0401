//! The server's errors and how each reaches a client: an HTTP status and a JSON body with a
//! stable kind (see `doorstep_core::sync::protocol::ErrorBody`). Messages name what was wrong,
//! never a person's data.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use doorstep_core::ids::OperationId;
use doorstep_core::sync::protocol::{ErrorBody, ErrorKind};

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credential, or one the server does not know.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The device was revoked by the back office.
    #[error("this device was revoked")]
    Revoked,
    /// Outside the technician's scope.
    #[error("{message}")]
    Forbidden {
        message: String,
        op: Option<OperationId>,
    },
    /// A request or operation that breaks a rule.
    #[error("{message}")]
    Invalid {
        message: String,
        op: Option<OperationId>,
    },
    /// A sealed form whose digest or signatures do not match its content.
    #[error("{message}")]
    Tampered { message: String, op: OperationId },
    /// Photo bytes whose SHA-256 is not the hash they were uploaded under.
    #[error("the photo's bytes do not match its hash")]
    PhotoMismatch,
    #[error("{0}")]
    TooLarge(String),
    /// A body or query that is not what the endpoint reads (malformed JSON, missing fields).
    #[error("{0}")]
    Malformed(String),
    /// A unique key taken, or a sealed record that differs from what is stored.
    #[error("{message}")]
    Conflict {
        message: String,
        op: Option<OperationId>,
    },
    /// An endpoint asked with a method it does not answer (`GET /v1/push`).
    #[error("this endpoint does not answer this method")]
    MethodNotAllowed,
    /// A record the request names that the server does not hold (or that was deleted).
    #[error("{what} not found")]
    NotFound {
        what: &'static str,
        op: Option<OperationId>,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::Invalid {
            message: message.into(),
            op: None,
        }
    }

    pub fn not_found(what: &'static str) -> Self {
        ApiError::NotFound { what, op: None }
    }

    /// The same refusal, naming the pushed operation that caused it, so that the device sets
    /// that operation aside and goes on with the rest. Only refusals of the operation itself
    /// name it: a failure of the server (storage, internal) leaves the operation to be sent
    /// again.
    pub fn for_op(self, op_id: OperationId) -> Self {
        match self {
            ApiError::Forbidden { message, .. } => ApiError::Forbidden {
                message,
                op: Some(op_id),
            },
            ApiError::Invalid { message, .. } => ApiError::Invalid {
                message,
                op: Some(op_id),
            },
            ApiError::Conflict { message, .. } => ApiError::Conflict {
                message,
                op: Some(op_id),
            },
            ApiError::NotFound { what, .. } => ApiError::NotFound {
                what,
                op: Some(op_id),
            },
            ApiError::Storage(StorageError::Duplicate(what)) => ApiError::Conflict {
                message: format!("{what} already exists"),
                op: Some(op_id),
            },
            other => other,
        }
    }

    /// The HTTP status: the one the protocol gives the kind (`ErrorKind::status`).
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Unauthorized(_) => ErrorKind::Unauthorized,
            ApiError::Revoked => ErrorKind::Revoked,
            ApiError::Forbidden { .. } => ErrorKind::Forbidden,
            ApiError::Invalid { .. } => ErrorKind::Invalid,
            ApiError::Tampered { .. } => ErrorKind::FormTampered,
            ApiError::PhotoMismatch => ErrorKind::PhotoMismatch,
            ApiError::TooLarge(_) => ErrorKind::TooLarge,
            ApiError::Malformed(_) => ErrorKind::Malformed,
            ApiError::Conflict { .. } | ApiError::Storage(StorageError::Duplicate(_)) => {
                ErrorKind::Conflict
            }
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::MethodNotAllowed => ErrorKind::MethodNotAllowed,
            ApiError::Storage(_) | ApiError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn op(&self) -> Option<OperationId> {
        match self {
            ApiError::Forbidden { op, .. }
            | ApiError::Invalid { op, .. }
            | ApiError::Conflict { op, .. }
            | ApiError::NotFound { op, .. } => *op,
            ApiError::Tampered { op, .. } => Some(*op),
            _ => None,
        }
    }
}

impl From<doorstep_core::InvalidInput> for ApiError {
    fn from(e: doorstep_core::InvalidInput) -> Self {
        ApiError::invalid(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The detail goes to the log (it names no person); the client learns only the kind.
            tracing::error!(error = %self, "request failed");
            "the server could not complete the request; it was not applied".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            error: self.kind(),
            message,
            op_id: self.op(),
        };
        (status, Json(body)).into_response()
    }
}
