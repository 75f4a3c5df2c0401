//! `doorstep`: the one command-line tool of Doorstep. Later issues add `serve`, `admin` and
//! `demo`; this one has the benchmarks.

mod bench;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Doorstep: the offline-first field app of a city gas utility's customer service.
#[derive(Parser)]
#[command(name = "doorstep", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure Doorstep on generated data; prints one `figure <name> <value>` line per figure.
    Bench {
        #[command(subcommand)]
        what: bench::What,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench { what } => bench::run(what),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doorstep: {e}");
            ExitCode::FAILURE
        }
    }
}
