//! The media benchmark: a 12-megapixel photo-like JPEG through the whole pipeline, against
//! libvips (`vipsthumbnail`) and ImageMagick (`convert`) doing the resize and re-encode on the
//! same file in the same run, with the quality of both outputs (PSNR); the peak memory of the
//! command-line ingest on a camera's photo and on every hostile sample; and a 2,000-point
//! signature rendered.
//!
//! Every outside command is measured through this same binary run as
//! `doorstep bench media -- COMMAND…`, which spawns it and reports its `wait4` rusage: a
//! program spawned straight from the benchmark would start with the benchmark's own peak
//! memory (Linux keeps the spawner's high-water mark across exec), hundreds of MiB here.

mod quality;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep_core::forms::template::SignerRole;
use doorstep_core::geo::GeoPoint;
use doorstep_core::media::decode::{Limits, RgbImage, decode_for_edge, encode_jpeg};
use doorstep_core::media::samples::{self, photo_like};
use doorstep_core::media::signature::{RenderOptions, SignatureCapture, StrokePoint, render_png};
use doorstep_core::media::simd::jpeg_simd;
use doorstep_core::media::transform::{fit, orient, resize};
use doorstep_core::media::{MediaError, PhotoPolicy, WatermarkContext, exif, ingest};

use super::{figure, median_ms};
use quality::Reference;

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
    /// Internal: run this command and print its rusage (see the module's documentation).
    #[arg(last = true, hide = true)]
    measure: Vec<OsString>,
}

pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    if let Some((program, rest)) = args.measure.split_first() {
        return report_rusage(program, rest);
    }
    // Without SIMD every photo figure is slower (on x86: nasm was missing at build time). The
    // ratios against libvips, which the issues set targets on, get their own names then, so
    // that they can never be read as the fast build's.
    let simd = jpeg_simd();
    figure("jpeg_simd", f64::from(u8::from(simd)));
    if !simd {
        eprintln!(
            "warning: this build's libjpeg-turbo has no SIMD (on x86: install nasm, \
             `apt-get install -y nasm`, then `cargo clean -p mozjpeg-sys` and build again); \
             ratio figures are printed as *_without_simd"
        );
    }
    let ratio = |name: &str| {
        if simd {
            name.to_owned()
        } else {
            format!("{name}_without_simd")
        }
    };
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
    let self_exe = std::env::current_exe()?;
    let ingest_cli = |file: &Path, out: &Path| -> Vec<OsString> {
        vec![
            "photo".into(),
            "ingest".into(),
            file.into(),
            "--out".into(),
            out.into(),
        ]
    };
    let cli = measure(
        &self_exe,
        &ingest_cli(&photo, &dir.path().join("ours")),
        args.runs,
    )?;
    figure("photo_peak_mib", cli.peak_mib);
    figure("photo_cli_ms", cli.wall_ms);
    figure("photo_cli_cpu_ms", cli.cpu_ms);

    let vips_jpg = dir.path().join("vips.jpg");
    let vips_out = format!("{}[Q={}]", vips_jpg.display(), policy.quality);
    let vips_run = measure(
        &vips,
        &[
            photo.clone().into(),
            "--size".into(),
            policy.max_edge.to_string().into(),
            "-o".into(),
            vips_out.into(),
        ],
        args.runs,
    )?;
    figure("vips_ms", vips_run.wall_ms);
    figure("vips_cpu_ms", vips_run.cpu_ms);
    figure("vips_peak_mib", vips_run.peak_mib);

    let size = format!("{0}x{0}", policy.max_edge);
    let mut convert: Vec<OsString> = Vec::new();
    if magick.ends_with("magick") {
        convert.push("convert".into());
    }
    convert.extend([
        photo.clone().into(),
        "-resize".into(),
        size.into(),
        "-quality".into(),
        policy.quality.to_string().into(),
        dir.path().join("magick.jpg").into(),
    ]);
    let magick_run = measure(&magick, &convert, args.runs.min(3))?;
    figure("imagemagick_ms", magick_run.wall_ms);
    figure("imagemagick_peak_mib", magick_run.peak_mib);
    // In process against vips' whole process, as this figure always was; and both as
    // processes seen from outside, CPU (vips runs two threads, we run one) and wall.
    figure(&ratio("ratio_vs_vips"), ours_ms / vips_run.wall_ms);
    figure(&ratio("cpu_ratio_vs_vips"), cli.cpu_ms / vips_run.cpu_ms);
    figure(&ratio("cli_ratio_vs_vips"), cli.wall_ms / vips_run.wall_ms);

    let (ours_psnr, vips_psnr) = psnr_against_lanczos(&photo, &vips_jpg, &policy)?;
    figure("photo_psnr_db", ours_psnr);
    figure("vips_psnr_db", vips_psnr);

    let camera = samples::camera_photo();
    let camera_file = dir.path().join(camera.name);
    std::fs::write(&camera_file, &camera.bytes)?;
    drop(camera);
    let camera_run = measure(
        &self_exe,
        &ingest_cli(&camera_file, &dir.path().join("camera")),
        1,
    )?;
    figure("photo_peak_mib_camera", camera_run.peak_mib);
    figure(
        "photo_peak_mib_worst",
        worst_peak(&self_exe, dir.path(), &ingest_cli)?,
    );

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

/// Our output before stamping (decode scaled in the DCT domain, resize, orient, encode at the
/// policy's quality, decoded again) and vipsthumbnail's, each against a floating-point
/// Lanczos-3 resize of the fully decoded original to its size: PSNR in dB.
fn psnr_against_lanczos(
    photo: &Path,
    vips_jpg: &Path,
    policy: &PhotoPolicy,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let decoded = decode_for_edge(photo, policy.max_edge, &policy.limits)?;
    let orientation = decoded
        .exif
        .as_deref()
        .map(exif::parse)
        .unwrap_or_default()
        .orientation();
    let (w, h) = fit(decoded.image.width, decoded.image.height, policy.max_edge);
    let ours = orient(resize(&decoded.image, w, h)?, orientation);
    drop(decoded);
    let dir = photo.parent().unwrap_or(Path::new("."));
    let ours_jpg = dir.join("ours-unstamped.jpg");
    std::fs::write(&ours_jpg, encode_jpeg(&ours, policy.quality)?)?;
    let ours = whole(&ours_jpg, policy)?;
    let vips = whole(vips_jpg, policy)?;

    let original = whole(photo, policy)?;
    let reference = Reference::lanczos3(&original, ours.width, ours.height);
    let ours_db = reference.psnr_db(&ours)?;
    let vips_db = if (vips.width, vips.height) == (ours.width, ours.height) {
        reference.psnr_db(&vips)?
    } else {
        Reference::lanczos3(&original, vips.width, vips.height).psnr_db(&vips)?
    };
    Ok((ours_db, vips_db))
}

/// The image at `path` decoded at full size: a reference on this machine, not a phone's decode,
/// so without the phone's memory budget.
fn whole(path: &Path, policy: &PhotoPolicy) -> Result<RgbImage, MediaError> {
    let limits = Limits {
        max_memory: u64::MAX,
        ..policy.limits
    };
    Ok(decode_for_edge(path, u32::MAX, &limits)?.image)
}

/// The worst peak memory of `doorstep photo ingest` over every hostile sample, accepted or
/// refused (each sample's outcome and cost on stderr).
fn worst_peak(
    self_exe: &Path,
    dir: &Path,
    ingest_cli: &dyn Fn(&Path, &Path) -> Vec<OsString>,
) -> Result<f64, Box<dyn std::error::Error>> {
    let mut worst = 0.0f64;
    for sample in samples::hostile() {
        let file = dir.join(sample.name);
        std::fs::write(&file, &sample.bytes)?;
        let (run, refusal) = measure_once(self_exe, &ingest_cli(&file, &dir.join("hostile")))?;
        std::fs::remove_file(&file)?;
        eprintln!(
            "{:<32} expected {:?}, {}: peak {:.1} MiB, CPU {:.0} ms",
            sample.name,
            sample.expect,
            refusal.as_deref().map_or("accepted", str::trim),
            run.peak_mib,
            run.cpu_ms
        );
        worst = worst.max(run.peak_mib);
    }
    Ok(worst)
}

/// What one or more runs of a command cost: median wall and CPU time, largest peak memory.
struct Measured {
    wall_ms: f64,
    cpu_ms: f64,
    peak_mib: f64,
}

/// Runs `program` `runs` times (each must succeed).
fn measure(
    program: &Path,
    args: &[OsString],
    runs: usize,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let (mut walls, mut cpus, mut peak) = (Vec::new(), Vec::new(), 0.0f64);
    for _ in 0..runs.max(1) {
        let (run, failure) = measure_once(program, args)?;
        if let Some(stderr) = failure {
            return Err(format!("{} failed: {stderr}", program.display()).into());
        }
        walls.push(Duration::from_secs_f64(run.wall_ms / 1000.0));
        cpus.push(Duration::from_secs_f64(run.cpu_ms / 1000.0));
        peak = peak.max(run.peak_mib);
    }
    Ok(Measured {
        wall_ms: median_ms(walls),
        cpu_ms: median_ms(cpus),
        peak_mib: peak,
    })
}

/// Runs `program` once through `doorstep bench media -- …`: its cost, and its stderr if it
/// failed.
fn measure_once(
    program: &Path,
    args: &[OsString],
) -> Result<(Measured, Option<String>), Box<dyn std::error::Error>> {
    let out = Command::new(std::env::current_exe()?)
        .args(["bench", "media", "--"])
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("rusage "))
        .ok_or_else(|| format!("measuring {} failed: {stdout}", program.display()))?;
    let fields: Vec<f64> = line.split(' ').map(str::parse).collect::<Result<_, _>>()?;
    let [status, peak_kib, cpu_us, wall_us] = fields[..] else {
        return Err(format!("a rusage line of four numbers, not {line}").into());
    };
    let failure = (status != 0.0).then(|| String::from_utf8_lossy(&out.stderr).into_owned());
    let measured = Measured {
        wall_ms: wall_us / 1000.0,
        cpu_ms: cpu_us / 1000.0,
        peak_mib: peak_kib / 1024.0,
    };
    Ok((measured, failure))
}

/// `doorstep bench media -- PROGRAM ARGS…`: runs the program (its stdout discarded, its stderr
/// passed on) and prints `rusage <exit status> <peak KiB> <CPU µs> <wall µs>`.
fn report_rusage(program: &OsStr, args: &[OsString]) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .spawn()?;
    let (status, usage) = wait4(child.id())?;
    let wall_us = started.elapsed().as_micros();
    let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    println!(
        "rusage {status} {} {} {wall_us}",
        usage.ru_maxrss, // KiB on Linux
        micros(usage.ru_utime) + micros(usage.ru_stime)
    );
    Ok(())
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
