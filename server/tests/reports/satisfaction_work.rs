//! Issue 27: see reports/mod.rs.
