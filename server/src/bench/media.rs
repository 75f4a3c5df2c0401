//! The media benchmark: a 12-megapixel photo-like JPEG through the whole pipeline, against
//! libvips (`vipsthumbnail`) and ImageMagick (`convert`) doing the resize and re-encode on the
//! same file in the same run; and a 2,000-point signature rendered.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::forms::template::SignerRole;
use doorstep_core::geo::GeoPoint;
use doorstep_core::media::decode::encode_jpeg;
use doorstep_core::media::signature::{RenderOptions, SignatureCapture, StrokePoint, render_png};
use doorstep_core::media::{PhotoPolicy, WatermarkContext, ingest};

use super::{figure, median_ms};
use doorstep_core::media::samples::photo_like;

#[derive(clap::Args)]
pub struct Args {
    /// Width of the generated photo.
    #[arg(long, default_value_t = 4000)]
    width: u32,
    /// Height of the generated photo.
    #[arg(long, default_value_t = 3000)]
    height: u32,
    /// Timed runs of each tool (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let vips = find_tool(&["vipsthumbnail"], "--version", "vips", "libvips-tools")?;
    let magick = find_tool(
        &["magick", "/usr/bin/convert"],
        "-version",
        "ImageMagick",
        "imagemagick",
    )?;
    let dir = tempfile::tempdir()?;
    let photo = dir.path().join("photo.jpg");
    std::fs::write(
        &photo,
        encode_jpeg(&photo_like(args.width, args.height), 92)?,
    )?;
    eprintln!(
        "generated a {}×{} JPEG of {} KiB",
        args.width,
        args.height,
        std::fs::metadata(&photo)?.len() / 1024
    );

    let policy = PhotoPolicy::default();
    let context = WatermarkContext {
        captured_at: Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some("3300000001".into()),
        device_position: GeoPoint::new(30.2775, 120.1301).ok(),
        technician: "T00101".into(),
    };
    ingest(&photo, &context, &policy)?;
    let ours = (0..args.runs)
        .map(|_| {
            let t = Instant::now();
            let result = ingest(&photo, &context, &policy)?;
            let elapsed = t.elapsed();
            assert_eq!(
                result.metadata.width.max(result.metadata.height),
                policy.max_edge.min(args.width.max(args.height))
            );
            Ok(elapsed)
        })
        .collect::<Result<Vec<Duration>, doorstep_core::media::MediaError>>()?;
    let ours_ms = median_ms(ours);
    figure("photo_ingest_ms", ours_ms);
    let out = dir.path().join("ours");
    let self_exe = std::env::current_exe()?;
    let (_, ours_peak) = measure(
        Command::new(&self_exe)
            .args(["photo", "ingest"])
            .arg(&photo)
            .arg("--out")
            .arg(&out),
        1,
    )?;
    figure("photo_peak_mib", ours_peak);

    let vips_out = format!(
        "{}[Q={}]",
        dir.path().join("vips.jpg").display(),
        policy.quality
    );
    let (vips_ms, vips_peak) = measure(
        Command::new(&vips).arg(&photo).args([
            "--size",
            &policy.max_edge.to_string(),
            "-o",
            &vips_out,
        ]),
        args.runs,
    )?;
    figure("vips_ms", vips_ms);
    figure("vips_peak_mib", vips_peak);

    let size = format!("{0}x{0}", policy.max_edge);
    let mut convert = Command::new(&magick);
    if magick.ends_with("magick") {
        convert.arg("convert");
    }
    convert
        .arg(&photo)
        .args(["-resize", &size, "-quality", &policy.quality.to_string()])
        .arg(dir.path().join("magick.jpg"));
    let (magick_ms, magick_peak) = measure(&mut convert, args.runs.min(3))?;
    figure("imagemagick_ms", magick_ms);
    figure("imagemagick_peak_mib", magick_peak);
    figure("ratio_vs_vips", ours_ms / vips_ms);

    let signature = two_thousand_point_signature();
    let renders = (0..20)
        .map(|_| {
            let t = Instant::now();
            render_png(&signature, &RenderOptions::default())?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<Duration>, doorstep_core::media::MediaError>>()?;
    figure("signature_render_ms", median_ms(renders));
    Ok(())
}

/// The first of `candidates` that runs and names `expect` in its version; a missing reference
/// tool is an error that says which package to install, never a silently skipped figure.
fn find_tool(
    candidates: &[&str],
    version_flag: &str,
    expect: &str,
    package: &str,
) -> Result<PathBuf, String> {
    for candidate in candidates {
        if let Ok(out) = Command::new(candidate).arg(version_flag).output() {
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            if out.status.success() && text.contains(expect) {
                return Ok(PathBuf::from(candidate));
            }
        }
    }
    Err(format!(
        "the reference tool {} is missing: install the Debian package {package}",
        candidates[0]
    ))
}

/// Runs `command` `runs` times: the median wall time in ms and the largest peak resident memory
/// in MiB (from wait4's rusage of each child).
fn measure(command: &mut Command, runs: usize) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let mut times = Vec::new();
    let mut peak_kib = 0i64;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let (status, rusage) = wait4(child.id())?;
        times.push(t.elapsed());
        if status != 0 {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr {
                std::io::Read::read_to_string(&mut e, &mut stderr)?;
            }
            return Err(format!("{:?} failed: {stderr}", command.get_program()).into());
        }
        peak_kib = peak_kib.max(rusage.ru_maxrss);
    }
    Ok((median_ms(times), peak_kib as f64 / 1024.0))
}

fn wait4(pid: u32) -> std::io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 only writes into the two
    // out-parameters, which live for the whole call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((status, usage))
}

fn two_thousand_point_signature() -> SignatureCapture {
    let strokes = (0..4)
        .map(|s| {
            (0..500)
                .map(|i| {
                    let t = i as f32 / 500.0;
                    StrokePoint {
                        x: 100.0 * s as f32 + 90.0 * t + 20.0 * (t * 25.0).sin(),
                        y: 80.0 + 50.0 * (t * 9.0 + s as f32).sin(),
                        t_ms: s * 1000 + i,
                        pressure: Some(0.4 + 0.5 * (t * 7.0).sin().abs()),
                    }
                })
                .collect()
        })
        .collect();
    SignatureCapture {
        role: SignerRole::Customer,
        signer_name: "王秀英".into(),
        signed_at: Utc::now(),
        strokes,
    }
}
