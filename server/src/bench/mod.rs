//! `doorstep bench …`: benchmarks on generated data, not timed tests. Each figure is printed on
//! its own line as `figure <name> <value>` so that runs can be compared.

mod app;
mod console;
mod media;
mod store;
mod sync;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum What {
    /// The device store: open, the day's work list, search, a household file, writes.
    Store(store::Args),
    /// The photo pipeline on a 12-megapixel photo against libvips and ImageMagick, and the
    /// signature renderer.
    Media(media::Args),
    /// Sync against the real server in this process: a device pushing 10,000 operations and
    /// 200 photos, the first pull of a district of 100,000 households, 200 devices syncing at
    /// once, and the push against a plain SQLite insert of the same rows.
    Sync(sync::Args),
    /// The technician's app (issue 23): Today of 500 lines, the largest form half answered,
    /// one answer, and Today drawn while a pull of 5,000 changes is applied.
    App(app::Args),
    /// The service center's console (issue 26): the dispatch board of a city of 100,000
    /// households and 5,000 open orders, rendered by the server.
    Console(console::Args),
}

pub fn run(what: What) -> Result<(), Box<dyn std::error::Error>> {
    match what {
        What::Store(args) => store::run(args),
        What::Media(args) => media::run(args),
        What::Sync(args) => sync::run(args),
        What::App(args) => app::run(args),
        What::Console(args) => console::run(args),
    }
}

/// Prints one figure the way every benchmark does.
pub fn figure(name: &str, value: f64) {
    println!("figure {name} {value:.3}");
}

/// The median of a set of timings, in milliseconds.
pub fn median_ms(mut samples: Vec<std::time::Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}
