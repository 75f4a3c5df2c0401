//! The UniFFI layer over `doorstep-core`, the only way the Android and iOS shells reach it.
//!
//! It wraps and forwards: every rule, query and merge is the core's. What lives here is the
//! shape of the surface a field app needs, named in the users' words ([`DeviceStore`] and its
//! methods), the records and enums that cross the boundary ([`types`]), and one small public
//! error enum ([`DoorstepError`]).
//!
//! Calls block: opening a store, syncing and taking in a photo do real work on the calling
//! thread. The shells call them off the UI thread (Kotlin: `withContext(Dispatchers.IO)`,
//! Swift: a detached task). See docs/adr/0004-bindings.md.

uniffi::setup_scaffolding!("doorstep");

pub mod app;
mod error;
mod log;
mod store;
pub mod types;

pub use app::DoorstepApp;
pub use error::DoorstepError;
pub use log::{LogLevel, LogSink, set_log_sink};
pub use store::{DeviceStore, SyncObserver};
pub use types::*;

/// The version of the library, for the shells' about screen and bug reports.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A fresh random key for a new installation's store, as 64 hexadecimal characters. The shells
/// keep it in the platform's keystore (Android Keystore, iOS Keychain), never in a file.
#[uniffi::export]
pub fn generate_store_key() -> String {
    doorstep_core::store::StoreKey::generate().to_hex()
}

/// What a refused operation means for the technician, in Chinese or English, from its
/// `RejectedOperation::error` kind. The operation's `message` is the server's English detail,
/// for the service center.
#[uniffi::export]
pub fn describe_refusal(kind: ErrorKind, language: Language) -> String {
    doorstep_core::words::refusal(kind).get(language).to_owned()
}

/// What keeps a form item from being complete (one of `Incomplete`'s problems, or of
/// `validate_form`'s), in Chinese or English, to show beside the item.
#[uniffi::export]
pub fn describe_form_problem(
    problem: ProblemKind,
    language: Language,
) -> Result<String, DoorstepError> {
    Ok(doorstep_core::words::problem(&problem.to_core()?)
        .get(language)
        .to_owned())
}

/// Why a line is on the work list, in the core's words: Chinese or English, with deadlines in
/// the service area's time ("紧急故障：须在 11-28 23:00 前修复"). Called when a line is shown.
#[uniffi::export]
pub fn describe_work_reason(
    reason: WorkReason,
    language: Language,
) -> Result<String, DoorstepError> {
    Ok(reason.to_core()?.describe(language == Language::Zh))
}
