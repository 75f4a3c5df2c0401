//! The server's stories, end to end over real HTTP on SQLite and PostgreSQL, as one test binary:
//! one link of the server and its test helpers instead of one per file (the test command's build
//! is the longest part of it; docs/testing.md). Run one file's tests with a filter, e.g.
//! `cargo test -p doorstep-server --test server sync::`.

#[macro_use]
mod common;

mod admin;
mod app_sync;
mod backup;
mod chaos;
mod cli;
mod clocks;
mod console;
mod convergence;
mod debris;
mod delivery;
mod demo;
mod demo_page;
mod fees;
mod forms_keep;
mod forms_photos;
mod metrics;
mod office;
mod outages;
mod patrols;
mod reports;
mod scope_change;
mod scope_leaks;
mod security;
mod serve;
mod sync;
