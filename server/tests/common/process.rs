//! `doorstep` as a process: the admin tool run to its end, and `doorstep serve` started on a
//! free port and killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `doorstep serve`: its address; killed when dropped.
pub struct Served {
    pub child: Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `doorstep args…` to its end: its output, trimmed; a failure fails the test.
pub fn doorstep(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "doorstep {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `doorstep serve args…` on a free port of the loopback.
pub fn serve(args: &[&str]) -> Served {
    serve_on(args, "127.0.0.1:0")
}

/// `doorstep serve args…` on `listen`, once it says where it listens.
pub fn serve_on(args: &[&str], listen: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .arg("serve")
        .args(args)
        .args(["--listen", listen])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_owned();
    Served { child, url }
}
