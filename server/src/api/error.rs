//! A refusal as a client reads it: an HTTP status and a JSON body with a stable kind (see
//! `doorstep_core::sync::protocol::ErrorBody`). Every internal [`Error`] becomes one here, in
//! one table ([`ApiError::from`]); nothing else of the server knows about statuses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use doorstep_core::ids::OperationId;
use doorstep_core::sync::protocol::{ErrorBody, ErrorKind};

use crate::error::Error;
use crate::storage::StorageError;

/// The reply to a refused request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// What was wrong, in English; never personal data.
    pub message: String,
    /// The pushed operation that was refused, when one was.
    pub op_id: Option<OperationId>,
    /// The field a core rule found wrong (`household.phones[1]`), when one did.
    pub field: Option<String>,
    /// The reason in Chinese, when a core rule gave one.
    pub reason_zh: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A refusal the HTTP layer makes by itself (a body it cannot read, a route it does not
    /// have).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            op_id: None,
            field: None,
            reason_zh: None,
        }
    }

    /// The HTTP status: the one the protocol gives the kind (`ErrorKind::status`).
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let kind = match e.refusal() {
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::Revoked => ErrorKind::Revoked,
            Error::OutOfScope(_) => ErrorKind::Forbidden,
            Error::InvalidInput(_) | Error::Invalid(_) => ErrorKind::Invalid,
            Error::Tampered(_) => ErrorKind::FormTampered,
            Error::PhotoMismatch => ErrorKind::PhotoMismatch,
            Error::TooLarge(_) => ErrorKind::TooLarge,
            Error::Malformed(_) => ErrorKind::Malformed,
            Error::Conflict(_) | Error::Storage(StorageError::Duplicate(_)) => ErrorKind::Conflict,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::MethodNotAllowed => ErrorKind::MethodNotAllowed,
            Error::Storage(_) | Error::Internal(_) | Error::Park(_) | Error::Operation { .. } => {
                ErrorKind::Internal
            }
        };
        if kind == ErrorKind::Internal {
            // The detail goes to the log (it names no person); the client learns only the kind.
            tracing::error!(error = %e, "request failed");
            return ApiError::new(
                kind,
                "the server could not complete the request; it was not applied",
            );
        }
        let (field, reason_zh) = match e.refusal() {
            Error::InvalidInput(input) => {
                (Some(input.field.clone()), Some(input.reason_zh.clone()))
            }
            _ => (None, None),
        };
        ApiError {
            kind,
            message: e.to_string(),
            op_id: e.op(),
            field,
            reason_zh,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            error: self.kind,
            message: self.message,
            op_id: self.op_id,
            field: self.field,
            reason_zh: self.reason_zh,
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_core::text::Text;

    #[test]
    fn a_refused_household_edit_keeps_the_field_and_the_chinese_reason() {
        let input = doorstep_core::InvalidInput::new(
            "household.phones[1]",
            Text {
                zh: "手机号码无效".into(),
                en: "not a valid phone number".into(),
            },
        );
        let op = OperationId::new();
        let reply = ApiError::from(Error::from(input).for_op(op));
        assert_eq!(reply.kind, ErrorKind::Invalid);
        assert_eq!(reply.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.op_id, Some(op));
        assert_eq!(reply.field.as_deref(), Some("household.phones[1]"));
        assert_eq!(reply.reason_zh.as_deref(), Some("手机号码无效"));
        assert!(reply.message.contains("not a valid phone number"));
    }

    #[test]
    fn a_failure_of_the_server_tells_the_client_only_its_kind() {
        let reply = ApiError::from(Error::Internal("stored household unreadable".into()));
        assert_eq!(reply.kind, ErrorKind::Internal);
        assert!(!reply.message.contains("household"), "{}", reply.message);
        assert_eq!(reply.op_id, None);
    }
}
