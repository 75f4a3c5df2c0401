//! `doorstep`: the one command-line tool of Doorstep: the sync server (`serve`), the back
//! office's tool (`admin`), benchmarks, and the photo and signature pipelines.

mod bench;
mod media;

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
    /// Photos: run the evidence pipeline on a file.
    Photo {
        #[command(subcommand)]
        command: media::PhotoCommand,
    },
    /// Signatures: render captured strokes.
    Signature {
        #[command(subcommand)]
        command: media::SignatureCommand,
    },
    /// Run the sync server (embedded SQLite and a photo directory unless told otherwise).
    Serve(doorstep_server::serve::ServeOptions),
    /// The back office's tool: districts, technicians, crews, households, work orders, devices.
    Admin(doorstep_server::admin::AdminOptions),
    /// A whole working day of a generated district: the server, two phones driven through the
    /// app, a summary and the day's page (`doorstep-demo/index.html`).
    Demo(doorstep_server::demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench { what } => bench::run(what),
        Command::Photo { command } => media::photo(command),
        Command::Signature { command } => media::signature(command),
        Command::Serve(options) => doorstep_server::serve::serve(options).map_err(Into::into),
        Command::Admin(options) => doorstep_server::admin::run(options).map_err(Into::into),
        Command::Demo(args) => doorstep_server::demo::run(args).map_err(Into::into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("doorstep: {e}");
            ExitCode::FAILURE
        }
    }
}
