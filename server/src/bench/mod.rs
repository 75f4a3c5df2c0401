//! `doorstep bench …`: benchmarks on generated data, not timed tests. Each figure is printed on
//! its own line as `figure <name> <value>` so that runs can be compared.

mod media;
mod store;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum What {
    /// The device store: open, the day's work list, search, a household file, writes.
    Store(store::Args),
    /// The photo pipeline on a 12-megapixel photo against libvips and ImageMagick, and the
    /// signature renderer.
    Media(media::Args),
}

pub fn run(what: What) -> Result<(), Box<dyn std::error::Error>> {
    match what {
        What::Store(args) => store::run(args),
        What::Media(args) => media::run(args),
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
