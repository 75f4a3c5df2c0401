//! `doorstep photo …` and `doorstep signature …`: the core's media pipeline on one file, as the
//! app runs it, for engineers and support.

use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use clap::{Args, Subcommand};
use doorstep_core::geo::GeoPoint;
use doorstep_core::media::signature::{RenderOptions, SignatureCapture, render_png};
use doorstep_core::media::vault::Vault;
use doorstep_core::media::{MediaError, PhotoPolicy, WatermarkContext, ingest};
use doorstep_core::store::StoreKey;
use doorstep_core::text::Lang;

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
    /// Customer number for the watermark: letters, digits and '-' only (no names: the stamp
    /// carries none).
    #[arg(long)]
    customer: Option<String>,
    /// Technician badge for the watermark: 1 to 16 letters or digits.
    #[arg(long, default_value = "CLI")]
    technician: String,
    /// Language of the watermark's labels.
    #[arg(long, value_enum, default_value_t = StampLang::Zh)]
    lang: StampLang,
    /// The device's latitude when the photo was taken (with --lon). Without them, the stamp
    /// shows the position the photo's EXIF records, if any.
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    lat: Option<f64>,
    /// The device's longitude (with --lat).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    lon: Option<f64>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// The store key (64 hex characters): the files are then written encrypted, exactly as the
    /// app's photo vault holds them. Without it they are plain JPEGs.
    #[arg(long)]
    key: Option<String>,
}

/// The watermark's language, as typed on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum StampLang {
    /// 时间, 户号, 位置, 技师.
    Zh,
    /// TIME, CUST, GPS, TECH.
    En,
}

impl From<StampLang> for Lang {
    fn from(l: StampLang) -> Self {
        match l {
            StampLang::Zh => Lang::Zh,
            StampLang::En => Lang::En,
        }
    }
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
    let device_position = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(GeoPoint::new(lat, lon)?),
        _ => None,
    };
    let context = WatermarkContext {
        captured_at: Utc::now(),
        lang: args.lang.into(),
        customer_number: args.customer,
        device_position,
        technician: args.technician,
    };
    let started = Instant::now();
    let photo = ingest(&args.file, &context, &policy).map_err(|e| match e {
        // The refusal as it is typed (`invalid watermark.customer_number: …`), said once.
        MediaError::Invalid(invalid) => Box::new(invalid) as Box<dyn std::error::Error>,
        other => Box::new(other),
    })?;
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
        if let Some(stamped) = &photo.metadata.stamped {
            println!(
                "stamped {} ({:?} clock), {}",
                stamped.time.to_rfc3339(),
                stamped.time_from,
                match (stamped.position, stamped.position_from) {
                    (Some(p), Some(from)) => format!("{:.5} {:.5} ({from:?})", p.lat(), p.lon()),
                    _ => "no position".to_owned(),
                }
            );
        }
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
