//! The `doorstep` command-line tool as an engineer runs it.

use std::process::Command;

fn doorstep(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["bench", "--help"],
        vec!["bench", "store", "--help"],
    ] {
        let (ok, out, _) = doorstep(&args);
        assert!(ok, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[test]
fn store_benchmark_prints_every_figure_on_its_own_line() {
    let (ok, out, err) = doorstep(&[
        "bench",
        "store",
        "--households",
        "400",
        "--readings",
        "2000",
        "--orders",
        "40",
        "--writes",
        "200",
    ]);
    assert!(ok, "{err}");
    for name in [
        "store_open_ms",
        "work_list_ms",
        "search_ms",
        "household_file_ms",
        "writes_per_s",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("figure {name} ")))
            .unwrap_or_else(|| panic!("no {name} in {out}"));
        let value: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(value > 0.0, "{line}");
    }
}

#[test]
fn unknown_subcommand_fails_with_a_message() {
    let (ok, _, err) = doorstep(&["bench", "spaceship"]);
    assert!(!ok);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}
