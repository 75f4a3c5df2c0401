//! `doorstep photo …` and `doorstep signature …`: the core's media pipeline on one file, as the
//! app runs it, for engineers and support.

use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use clap::{Args, Subcommand};
use doorstep_core::media::signature::{RenderOptions, SignatureCapture, render_png};
use doorstep_core::media::vault::Vault;
use doorstep_core::media::{PhotoPolicy, WatermarkContext, ingest};
use doorstep_core::store::StoreKey;

#[derive(Subcommand)]
pub enum PhotoCommand {
    /// Run the photo pipeline (decode, orient, resize, watermark, encode, thumbnail, hash) on
    /// one file and write `<sha256>.jpg` and `<sha256>.thumb.jpg` into the output folder
    /// (encrypted with `--key`, as the app stores them).
    Ingest(IngestArgs),
}

#[derive(Args)]
pub struct IngestArgs {
    /// The photo: JPEG, PNG or WebP.
    file: PathBuf,
    /// Folder for the results (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Longest edge of the result, in pixels.
    #[arg(long, default_value_t = 2048)]
    max_edge: u32,
    /// JPEG quality of the result, 1 to 100.
    #[arg(long, default_value_t = 80)]
    quality: u8,
    /// Customer number for the watermark.
    #[arg(long)]
    customer: Option<String>,
    /// Technician badge for the watermark.
    #[arg(long, default_value = "CLI")]
    technician: String,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// The store key (64 hex characters): the files are then written encrypted, exactly as the
    /// app's photo vault holds them. Without it they are plain JPEGs.
    #[arg(long)]
    key: Option<String>,
}

#[derive(Subcommand)]
pub enum SignatureCommand {
    /// Render a signature (the strokes JSON a device captures) to a PNG.
    Render {
        /// JSON: {"role", "signer_name", "signed_at", "strokes": [[{"x","y","t_ms","pressure"}]]}
        strokes: PathBuf,
        /// The PNG to write.
        out: PathBuf,
        /// Width of the picture in pixels.
        #[arg(long, default_value_t = 800)]
        width: u32,
    },
}

pub fn photo(command: PhotoCommand) -> Result<(), Box<dyn std::error::Error>> {
    let PhotoCommand::Ingest(args) = command;
    let policy = PhotoPolicy {
        max_edge: args.max_edge,
        quality: args.quality,
        ..PhotoPolicy::default()
    };
    let context = WatermarkContext {
        captured_at: Utc::now(),
        customer_number: args.customer,
        device_position: None,
        technician: args.technician,
    };
    let started = Instant::now();
    let photo = ingest(&args.file, &context, &policy)?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let key = args.key.as_deref().map(StoreKey::from_hex).transpose()?;
    let vault = Vault::open(&args.out, key.as_ref().map(StoreKey::as_bytes))?;
    let (main, thumb) = (
        format!("{}.jpg", photo.sha256),
        format!("{}.thumb.jpg", photo.sha256),
    );
    vault.put(&main, &photo.jpeg)?;
    vault.put(&thumb, &photo.thumbnail)?;
    let (main, thumb) = (args.out.join(main), args.out.join(thumb));
    if args.json {
        let report = serde_json::json!({
            "id": photo.sha256,
            "width": photo.metadata.width,
            "height": photo.metadata.height,
            "bytes": photo.jpeg.len(),
            "thumbnail_bytes": photo.thumbnail.len(),
            "elapsed_ms": elapsed_ms,
            "metadata": photo.metadata,
            "file": main,
            "thumbnail": thumb,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("id {}", photo.sha256);
        println!(
            "size {}x{} ({} bytes), thumbnail {} bytes",
            photo.metadata.width,
            photo.metadata.height,
            photo.jpeg.len(),
            photo.thumbnail.len()
        );
        println!("took {elapsed_ms:.1} ms");
    }
    Ok(())
}

pub fn signature(command: SignatureCommand) -> Result<(), Box<dyn std::error::Error>> {
    let SignatureCommand::Render {
        strokes,
        out,
        width,
    } = command;
    let capture: SignatureCapture =
        serde_json::from_slice(&std::fs::read(&strokes)?).map_err(|e| {
            format!(
                "{} is not a signature's strokes JSON: {e}",
                strokes.display()
            )
        })?;
    let png = render_png(
        &capture,
        &RenderOptions {
            width,
            ..RenderOptions::default()
        },
    )?;
    std::fs::write(&out, png)?;
    println!("wrote {}", out.display());
    Ok(())
}
