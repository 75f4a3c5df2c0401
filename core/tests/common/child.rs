//! The crash tests' harness: run one `#[ignore]`d test of this same binary as a child process,
//! let it work for a while, kill it with SIGKILL and return the whole lines it printed.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Starts the child test `name` on the store at `db` (env `DOORSTEP_CRASH_DB`, run number in
/// `DOORSTEP_CRASH_RUN`), waits for its `ready` line, lets it run for `work`, kills it and
/// returns what it reported. A line cut by the kill was never fully reported and is dropped.
pub fn run_and_kill(name: &str, db: &Path, run: usize, work: Duration) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DOORSTEP_CRASH_DB", db)
        .env("DOORSTEP_CRASH_RUN", run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            if line.ends_with('\n') {
                let _ = lines_tx.send(line.trim_end().to_owned());
            }
            line.clear();
        }
    });
    while lines_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("child started")
        != "ready"
    {}
    std::thread::sleep(work);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap();
    lines_rx.try_iter().collect()
}

/// In a child test: the store path and run number its parent handed it (`run_and_kill`), or
/// `None` when the test was run as itself, where it does nothing.
pub fn assignment() -> Option<(String, usize)> {
    let path = std::env::var("DOORSTEP_CRASH_DB").ok()?;
    let run = std::env::var("DOORSTEP_CRASH_RUN")
        .expect("DOORSTEP_CRASH_RUN set with DOORSTEP_CRASH_DB")
        .parse()
        .expect("the run is a number");
    Some((path, run))
}

/// Tells the parent the child has opened its store and starts working. libtest has written
/// "test … " without a newline: the line starts on its own.
pub fn say_ready(out: &mut impl Write) {
    writeln!(out, "\nready").unwrap();
    out.flush().unwrap();
}
