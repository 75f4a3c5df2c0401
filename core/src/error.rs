//! Errors of the core.
//!
//! Two kinds, after application-services: [`InvalidInput`] (in [`crate::input`], below every
//! domain module) says which field of a record a caller got wrong and why (it never repeats the
//! value, so no personal data reaches a log), and [`Error`] is the rich internal error every
//! fallible core function returns. The FFI and the server map `Error` to their own small public
//! kinds at their edge.

use std::path::PathBuf;

use crate::input::{InvalidInput, without_values};

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

    /// The server did not accept this device's credential or enrollment code; `kind` says
    /// whether the device was revoked (`ErrorKind::Revoked`: the app wipes the store).
    #[error("the server refused this device: {reason}")]
    Auth {
        kind: crate::sync::protocol::ErrorKind,
        reason: String,
    },

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
