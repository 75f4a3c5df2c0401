//! # doorstep-server
//!
//! The back office's source of truth: the sync API devices push to and pull from, the storage
//! behind it (SQLite or PostgreSQL; photos in a directory or S3-compatible storage), the admin
//! tool, and the service center's console.
//!
//! - [`api`]: the HTTP endpoints, and the one place an [`error::Error`] becomes a reply.
//!   [`auth`]: enrollment and credentials. [`admin`]: the back office's command-line tool.
//! - [`push`]: operations applied exactly once, merged per field. [`pull`]: changes by scope.
//! - [`photos`]: resumable, verified photo uploads. [`records`]: records and their
//!   [`bucket`]s.
//! - [`storage`]: the one storage interface and its two backends.
//! - [`console`]: the service center's web console, under `/console`.

pub mod admin;
pub mod api;
pub mod auth;
pub mod backup;
pub mod bucket;
pub mod console;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod history;
pub mod patrols;
pub mod photos;
pub mod pull;
pub mod push;
pub mod records;
pub mod reports;
pub mod serve;
pub mod storage;
