//! The store's side of sync, one job a file:
//!
//! - `state`: where the device stands with the server (enrollment, pull cursor, last sync).
//! - `push`: the outbox cut into push requests, and photos waiting for upload.
//! - `rejected`: work set aside for the technician: refused for good, or parked for the
//!   service center (and its decision).
//! - `pull`: a pulled page applied in one transaction, as `plan` decides from plain data.
//! - `held_back`: pulled changes kept until they can be applied, and applied then.
//! - `kept`: acknowledged work kept until a backup of the server holds it, and pushed again
//!   when the server was restored.
//! - `reset`: the full pull after a scope change, and what it sweeps off the phone.
//! - `local`: what the phone has not pushed yet, which a pulled change must not overwrite.
//! - `records`: a pulled record written to (or removed from) its table.

mod held_back;
mod kept;
mod local;
mod plan;
mod pull;
mod push;
mod records;
mod rejected;
mod reset;
mod state;

pub use kept::{BackupNoted, KEPT_WITHOUT_BACKUPS, KeptOperation};
pub use pull::PageApplied;
pub use rejected::{RejectedOperation, SetAsideForm, Standing};
pub use state::SyncState;

pub(super) use kept::{Acknowledged, KEEP_NAMED_PHOTOS, keep_acknowledged};
pub(super) use rejected::park_for_office;
pub(super) use state::{pulled_through, seen_through};
