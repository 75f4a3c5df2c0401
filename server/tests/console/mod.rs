//! The service center's console over real HTTP (issue 26): one file per part of it. The
//! browser tests (a real headless Chromium) are in server/browser.

mod auth;
mod board;
mod calls;
mod conflicts;
mod escaped;
mod household;
mod inspections_special;
mod outages_complaints;
