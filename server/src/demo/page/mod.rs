//! The day's page (`doorstep-demo/index.html`): the route on a map drawn from the positions
//! (SVG, no tiles), each visit with its form's answers, its photos (with the proof-of-visit
//! watermark) and its signatures. Everything on it is read back from the server (its storage
//! and its blob store), not from the demo's account of what it played: the page is what the
//! office would see of the day.
//!
//! ```text
//! index.html   the page (CSS inline, no script)
//! page/        <sha256>.jpg: each photo as the server stored it;
//!              sig-<form>-<item>.png: each signature drawn from its strokes
//! ```

mod html;
mod map;
mod pictures;
mod visits;
mod words;

use std::path::Path;

use object_store::ObjectStore;

use super::place::Journal;
use super::world::World;
use super::{DemoError, DemoResult};
use crate::storage::Storage;

pub use pictures::FOLDER;

/// Writes the page of the journal's day, and its pictures, into `data`.
pub fn write(
    data: &Path,
    storage: &dyn Storage,
    blobs: &dyn ObjectStore,
    world: &World,
    journal: &Journal,
) -> DemoResult<()> {
    let visits = visits::of_the_day(storage, journal.date)
        .map_err(|e| DemoError::Server(format!("reading the day's forms: {e}")))?;
    let pictures = pictures::save(data, blobs, &visits)?;
    let html = html::page(world, journal.date, &visits, &pictures);
    let temp = data.join("index.html.tmp");
    std::fs::write(&temp, html)?;
    std::fs::rename(temp, data.join("index.html"))?;
    Ok(())
}
