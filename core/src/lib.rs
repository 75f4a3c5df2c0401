//! # doorstep-core
//!
//! Every rule and record of Doorstep, the offline-first field app of a city gas utility's
//! customer service. The Android and iOS shells reach it through `doorstep-ffi`; the sync server
//! reuses its types and validation, so that each rule is written once.
//!
//! The modules, from the bottom up: each uses only modules listed above it (apart from the
//! crate's own tests; `tests/module_graph.rs` fails on any import cycle).
//!
//! - [`text`]: text in the users' two languages ([`text::Text`], [`text::said`]).
//! - [`input`]: how the core refuses what a user, a file or the network supplied
//!   ([`InvalidInput`]: the field and the rule, never the value).
//! - [`calendar`]: the utility's time zone and the day a moment falls on there.
//! - [`ids`]: typed identifiers, and a photo's hash ([`ids::PhotoHash`]).
//! - [`geo`]: WGS-84 points, areas, distances, walking routes, the GCJ-02 datum.
//! - [`visit`]: checking in at a household.
//! - [`household`]: one household, one file: account, meter, appliances, supply, special group,
//!   history; abnormal consumption; the import of a utility's customer file and of its
//!   billing system's meter readings.
//! - [`scan`]: scanned codes (customer cards, meter serials, seal numbers) checked against the
//!   utility's formats.
//! - [`workorder`]: work orders, their forward-only status machine and their deadlines.
//! - [`team`]: technicians, crews, districts (with their deadline policy). [`outage`]: planned
//!   outage notices.
//! - [`fees`]: charges collected on site and the day's settlement per technician (Art.14).
//! - [`schedule`]: when a household is due for inspection or for a patrol of abnormal use, and
//!   the technician's day's work list.
//! - [`media`]: photos (decoded, watermarked, hashed, kept encrypted) and signatures.
//! - [`forms`]: form templates, the forms of visits, sealing, and what a sealed form changes.
//! - [`complaint`]: complaints, their steps and their two clocks. [`calls`]: the call log.
//! - [`compliance`]: which regulated deadlines were met, late or open, per clause.
//! - [`return_visit`]: the return visit a resolved repair or a closed complaint schedules.
//! - [`satisfaction`]: the scores of a return visit and their aggregate per unit.
//! - [`synthetic`]: a synthetic city for benchmarks, demos and tests.
//! - [`testkit`] (the `test-support` feature): what the core's and the server's tests share to
//!   fill a form, sign it and start from a household.
//! - [`sync`]: what the device and the server share to synchronise: the hybrid logical clock,
//!   the protocol's messages (with [`sync::protocol::Operation`], what the technician did),
//!   the per-field merge rules, the time a step counts at.
//! - [`error`]: the core's [`Error`], which every fallible function returns.
//! - [`words`]: what the core says to the technician about a refusal or an incomplete form.
//! - [`store`]: the encrypted device store with its outbox.
//! - [`device_sync`]: the device's side of sync: push, photos, pull over one HTTP transport.
//! - [`app`]: the technician's app as state: screens, events, effects, navigation, the clock
//!   (docs/adr/0007-app-layer.md, docs/screens.md).

pub mod app;
pub mod calendar;
pub mod calls;
pub mod complaint;
pub mod compliance;
pub mod device_sync;
pub mod error;
pub mod fees;
pub mod forms;
pub mod geo;
pub mod household;
pub mod ids;
pub mod input;
pub mod media;
pub mod outage;
pub mod return_visit;
pub mod satisfaction;
pub mod scan;
pub mod schedule;
pub mod store;
pub mod sync;
pub mod synthetic;
pub mod team;
#[cfg(feature = "test-support")]
pub mod testkit;
pub mod text;
pub mod visit;
pub mod words;
pub mod workorder;

pub use error::{Error, Result};
pub use input::InvalidInput;
