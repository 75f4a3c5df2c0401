//! What a photo may cost a cheap phone: every hostile or large sample
//! (`media::samples::hostile()`) and a camera's own photo go through the whole `media::ingest`
//! in a child process (this binary run again, by exact test name), and the parent reads the
//! child's peak resident memory and CPU time from the kernel's own accounting (`wait4`'s
//! rusage), not from a wall clock. A child's figures include the test binary's own baseline
//! (a child given nothing to do), which is printed beside them.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use doorstep_core::media::samples::{self, Expect, Sample};
use doorstep_core::media::{PhotoPolicy, WatermarkContext, ingest};

/// The budget of any file, accepted or refused (issue 20).
const ANY_FILE_MIB: f64 = 128.0;
/// The budget of a camera's own photo: baseline JPEG, 4:2:0, up to 16 megapixels.
const CAMERA_MIB: f64 = 64.0;
/// CPU time of any accepted file, on the 2-core machine of 2026-12-06. The test build runs the
/// core unoptimised and its dependencies with debug checks: the 8000×8000 RGBA PNG (converted
/// and shrunk row by row in the core) takes 17.3 s there against 0.51 s in the release build,
/// the 16 MP camera photo 2.2 s against about 0.1 s. `cargo test --release` holds the tight bound.
const ACCEPTED_CPU_S: f64 = if cfg!(debug_assertions) { 25.0 } else { 3.0 };
/// A refusal is cheap: told from the header, or by a decoder stopped early.
const REFUSED_CPU_S: f64 = 1.0;

#[test]
fn any_file_costs_a_phone_under_128_mib_or_is_refused_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = cost_in_child(None);
    eprintln!("baseline (child doing nothing): {baseline}");
    let mut failures = Vec::new();
    for sample in samples::hostile() {
        let cost = cost_of(&sample, dir.path());
        eprintln!("{:<32} {cost}", sample.name);
        let cpu_bound = match sample.expect {
            Expect::Accepted => ACCEPTED_CPU_S,
            Expect::Refused(_) => REFUSED_CPU_S,
        };
        if cost.outcome != outcome(sample.expect) {
            failures.push(format!(
                "{}: {}, expected {:?}",
                sample.name, cost.outcome, sample.expect
            ));
        }
        if cost.peak_mib >= ANY_FILE_MIB {
            failures.push(format!("{}: peak {:.1} MiB", sample.name, cost.peak_mib));
        }
        if cost.cpu_s >= cpu_bound {
            failures.push(format!(
                "{}: {:.2} s of CPU, bound {cpu_bound} s",
                sample.name, cost.cpu_s
            ));
        }
    }
    assert!(failures.is_empty(), "over the bounds: {failures:#?}");
}

#[test]
fn a_cameras_own_photo_costs_under_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let sample = samples::camera_photo();
    let cost = cost_of(&sample, dir.path());
    eprintln!("{:<32} {cost}", sample.name);
    assert_eq!(cost.outcome, outcome(Expect::Accepted));
    assert!(cost.peak_mib < CAMERA_MIB, "{}: {cost}", sample.name);
    assert!(cost.cpu_s < ACCEPTED_CPU_S, "{}: {cost}", sample.name);
}

#[test]
#[ignore = "run by the tests above as their child process"]
fn child_process() {
    match std::env::var(ROLE_VAR).as_deref() {
        Ok("measure") => measure_the_ingest(),
        Ok("ingest") => ingest_the_file(),
        _ => {}
    }
}

/// The roles of the child: "measure" runs the ingest as its own child and reports its cost;
/// "ingest" ingests the file named by `FILE_VAR` (nothing without it: the baseline).
const ROLE_VAR: &str = "DOORSTEP_BOUNDS_ROLE";
const CHILD: &str = "child_process";
/// The file the child ingests.
const FILE_VAR: &str = "DOORSTEP_BOUNDS_FILE";

fn ingest_the_file() {
    let Some(path) = std::env::var_os(FILE_VAR) else {
        return;
    };
    let context = WatermarkContext {
        captured_at: chrono::Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some("3300000001".into()),
        device_position: None,
        technician: "T00101".into(),
    };
    let said = match ingest(Path::new(&path), &context, &PhotoPolicy::default()) {
        Ok(_) => outcome(Expect::Accepted),
        Err(e) => outcome(Expect::Refused(e.name())),
    };
    // libtest has written "test … " without a newline: the line starts on its own.
    println!("\noutcome {said}");
}

/// Runs the ingest in a grandchild and prints `cost <peak KiB> <CPU µs> <outcome>`.
///
/// Why a process between the test and the ingest: Linux starts a new program's peak memory
/// (`ru_maxrss`) at the peak of the process that spawned it (exec keeps the old address
/// space's high-water mark, and `posix_spawn` shares the parent's), so a child of the test
/// process, which made the samples, would be charged their memory. This process is fresh and
/// small: what its child is charged beyond the baseline is the ingest's.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reads its rusage"
)]
fn measure_the_ingest() {
    let mut command = child("ingest");
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 only writes into the two
    // out-parameters, which live for the whole call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the ingest failed (status {status:#x}): {out}"
    );
    let outcome = out
        .lines()
        .find_map(|l| l.strip_prefix("outcome "))
        .unwrap_or("nothing (baseline)");
    let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    println!(
        "\ncost {} {} {outcome}",
        usage.ru_maxrss, // KiB on Linux
        micros(usage.ru_utime) + micros(usage.ru_stime)
    );
}

/// What the child made of a file ([`outcome`]), and what it cost.
struct Cost {
    outcome: String,
    peak_mib: f64,
    cpu_s: f64,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: peak {:.1} MiB, CPU {:.3} s",
            self.outcome, self.peak_mib, self.cpu_s
        )
    }
}

fn cost_of(sample: &Sample, dir: &Path) -> Cost {
    let path = dir.join(sample.name);
    std::fs::write(&path, &sample.bytes).unwrap();
    let cost = cost_in_child(Some(&path));
    std::fs::remove_file(&path).unwrap();
    cost
}

/// The ingest of `file` (none: the baseline), measured by a child of this test.
fn cost_in_child(file: Option<&Path>) -> Cost {
    let mut command = child("measure");
    command.env_remove(FILE_VAR);
    if let Some(file) = file {
        command.env(FILE_VAR, file);
    }
    let out = command.stderr(Stdio::inherit()).output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("cost "))
        .unwrap_or_else(|| panic!("the measuring child said no cost: {out}"));
    let mut fields = line.splitn(3, ' ');
    let mut number = || fields.next().unwrap().parse::<f64>().unwrap();
    let (peak_kib, cpu_us) = (number(), number());
    Cost {
        peak_mib: peak_kib / 1024.0,
        cpu_s: cpu_us / 1e6,
        outcome: fields.next().unwrap().to_owned(),
    }
}

/// An outcome as one line of the child's output: "Accepted" or "Refused TooLarge".
fn outcome(expect: Expect) -> String {
    match expect {
        Expect::Accepted => "Accepted".to_owned(),
        Expect::Refused(kind) => format!("Refused {kind}"),
    }
}

/// This test binary run again as the child test, in `role`.
fn child(role: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--ignored",
            "--exact",
            CHILD,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROLE_VAR, role);
    command
}
