//! The core's stories against a real encrypted store, as one test binary: one link of the core
//! and its test helpers instead of one per file (docs/testing.md). The crash tests
//! (`crash.rs`, `photo_crash.rs`, `first_open.rs`) stay binaries of their own: each runs its own
//! executable again as a child process, by test name, and kills it. Run one file's tests with a
//! filter, e.g. `cargo test -p doorstep-core --test core store::`.

#[macro_use]
mod common;

mod app;
mod builtin_forms;
mod cipher;
mod field_orders;
mod forms;
mod kept_work;
mod migrations;
mod module_graph;
mod outages_fees;
mod photo_formats;
mod photo_jpeg;
mod photos;
mod pull;
mod refused_work;
mod store;
mod sync_client;
