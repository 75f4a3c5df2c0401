//! # doorstep-core
//!
//! Every rule and record of Doorstep, the offline-first field app of a city gas utility's
//! customer service. The Android and iOS shells reach it through `doorstep-ffi`; the sync server
//! reuses its types and validation, so that each rule is written once.
//!
//! - [`household`]: one household, one file: account, meter, appliances, supply, special group,
//!   history; abnormal consumption.
//! - [`workorder`]: work orders, their forward-only status machine and their deadlines.
//! - [`team`]: technicians, crews, districts. [`outage`]: planned outage notices.
//! - [`schedule`]: when a household is due for inspection, and the technician's day's work list.
//! - [`geo`]: WGS-84 points, areas, distances, walking routes, the GCJ-02 datum.
//! - [`visit`]: checking in at a household.
//! - [`store`]: the encrypted device store with its outbox.
//! - [`sync`]: the hybrid logical clock that stamps every outbox operation.

pub mod error;
pub mod forms;
pub mod geo;
pub mod household;
pub mod ids;
pub mod media;
pub mod outage;
pub mod schedule;
pub mod store;
pub mod sync;
pub mod synthetic;
#[cfg(feature = "test-support")]
pub mod testkit;
pub mod team;
pub mod visit;
pub mod words;
pub mod workorder;

pub use error::{Error, InvalidInput, Result};
