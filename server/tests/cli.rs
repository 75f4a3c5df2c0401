//! The `doorstep` command-line tool as an engineer runs it.

use std::process::Command;

#[path = "../../core/tests/common/photos.rs"]
mod camera;

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
        vec!["bench", "media", "--help"],
        vec!["photo", "--help"],
        vec!["photo", "ingest", "--help"],
        vec!["signature", "--help"],
        vec!["signature", "render", "--help"],
        vec!["admin", "sweep", "--help"],
    ] {
        let (ok, out, _) = doorstep(&args);
        assert!(ok, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

/// An operator with the database's address (and its password) in the environment asks for
/// help: the help says the variable exists, never what it holds.
#[test]
fn help_never_shows_the_database_password() {
    for args in [
        vec!["serve", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "device", "revoke", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
            .args(&args)
            .env(
                "DOORSTEP_DATABASE_URL",
                "postgres://doorstep:S3cret-pw@db.example/doorstep",
            )
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("DOORSTEP_DATABASE_URL"),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains("S3cret-pw"),
            "{args:?} shows the password: {text}"
        );
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

#[test]
fn photo_ingest_writes_the_photo_named_by_its_hash_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let image = doorstep_core::media::decode::RgbImage {
        width: 900,
        height: 600,
        pixels: (0..900 * 600 * 3).map(|i| (i % 251) as u8).collect(),
    };
    let input = dir.path().join("camera.jpg");
    std::fs::write(
        &input,
        doorstep_core::media::decode::encode_jpeg(&image, 90).unwrap(),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (ok, stdout, err) = doorstep(&[
        "photo",
        "ingest",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-edge",
        "512",
        "--json",
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = report["id"].as_str().unwrap();
    assert_eq!(report["width"], 512);
    let stored = std::fs::read(out.join(format!("{id}.jpg"))).unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&stored)), id);
    assert!(out.join(format!("{id}.thumb.jpg")).exists());

    // With the store key the files are written as the app's vault holds them: encrypted.
    let sealed = dir.path().join("sealed");
    let key = "11".repeat(32);
    let (ok, stdout, err) = doorstep(&[
        "photo",
        "ingest",
        input.to_str().unwrap(),
        "--out",
        sealed.to_str().unwrap(),
        "--key",
        &key,
    ]);
    assert!(ok, "{err}");
    let id = stdout
        .lines()
        .next()
        .unwrap()
        .strip_prefix("id ")
        .unwrap()
        .to_owned();
    let raw = std::fs::read(sealed.join(format!("{id}.jpg"))).unwrap();
    assert!(
        !raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]),
        "no JPEG header at rest"
    );
    let vault = doorstep_core::media::vault::Vault::open(&sealed, Some(&[0x11; 32])).unwrap();
    let opened = vault.get(&format!("{id}.jpg")).unwrap();
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&opened)),
        id,
        "decrypts to the photo of that id"
    );

    let (ok, _, err) = doorstep(&[
        "photo",
        "ingest",
        dir.path().join("missing.jpg").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("doorstep:"), "{err}");
    std::fs::write(dir.path().join("empty.jpg"), b"").unwrap();
    let (ok, _, err) = doorstep(&[
        "photo",
        "ingest",
        dir.path().join("empty.jpg").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn photo_ingest_stamps_the_position_the_photo_records_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("camera.jpg");
    std::fs::write(
        &input,
        camera::jpeg_with_exif(
            &camera::test_card(900, 600),
            &camera::exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let ingest = |extra: &[&str]| {
        let mut args = vec![
            "photo",
            "ingest",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ];
        args.extend(extra);
        doorstep(&args)
    };

    // No --lat/--lon: the camera's GPS is stamped (not "no fix"), with the default badge.
    let (ok, stdout, err) = ingest(&["--customer", "3300000001"]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let stamped = &report["metadata"]["stamped"];
    assert_eq!(stamped["position_from"], "camera", "{stamped}");
    assert!((stamped["position"]["lat"].as_f64().unwrap() - 30.2776).abs() < 1e-4);
    assert!((stamped["position"]["lon"].as_f64().unwrap() - 120.1302).abs() < 1e-4);
    // The camera's 2026 clock is far from now: the device's time is stamped instead.
    assert_eq!(stamped["time_from"], "device");

    // The device's position, when given, is the one stamped; English labels on request.
    let (ok, stdout, err) = ingest(&["--lat", "-33.8688", "--lon", "151.2093", "--lang", "en"]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let stamped = &report["metadata"]["stamped"];
    assert_eq!(stamped["position_from"], "device");
    assert_eq!(stamped["position"]["lat"], -33.8688);

    // A name where the customer number goes: refused, the field named, the name not echoed.
    let (ok, _, err) = ingest(&["--customer", "王小明 3300000001"]);
    assert!(!ok);
    assert!(err.contains("watermark.customer_number"), "{err}");
    assert!(!err.contains("王小明") && !err.contains("???"), "{err}");
    let (ok, _, err) = ingest(&["--technician", "Zhang Wei"]);
    assert!(!ok);
    assert!(err.contains("watermark.technician"), "{err}");
}

#[test]
fn signature_render_turns_strokes_into_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let strokes = serde_json::json!({
        "role": "customer", "signer_name": "王秀英", "signed_at": "2026-11-02T01:30:00Z",
        "strokes": [[{"x": 10, "y": 40, "t_ms": 0, "pressure": 0.3}, {"x": 80, "y": 10, "t_ms": 90, "pressure": 0.8}, {"x": 150, "y": 45, "t_ms": 200}]]
    });
    let input = dir.path().join("strokes.json");
    std::fs::write(&input, strokes.to_string()).unwrap();
    let out = dir.path().join("signature.png");
    let (ok, _, err) = doorstep(&[
        "signature",
        "render",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(&std::fs::read(&out).unwrap()[..4], b"\x89PNG");

    std::fs::write(
        &input,
        r#"{"role":"customer","signer_name":"x","signed_at":"2026-11-02T01:30:00Z","strokes":[]}"#,
    )
    .unwrap();
    let (ok, _, err) = doorstep(&[
        "signature",
        "render",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn media_benchmark_prints_every_figure_against_the_reference_tools() {
    let (ok, out, err) = doorstep(&[
        "bench", "media", "--width", "1200", "--height", "900", "--runs", "1",
    ]);
    assert!(ok, "{err}");
    for name in [
        "photo_ingest_ms",
        "photo_peak_mib",
        "vips_ms",
        "vips_peak_mib",
        "imagemagick_ms",
        "imagemagick_peak_mib",
        "ratio_vs_vips",
        "signature_render_ms",
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
fn sync_benchmark_prints_every_figure_and_no_sync_fails() {
    let (ok, out, err) = doorstep(&[
        "bench",
        "sync",
        "--households",
        "2000",
        "--devices",
        "10",
        "--ops",
        "500",
        "--photos",
        "5",
    ]);
    assert!(ok, "{err}");
    let figure = |name: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("figure {name} ")))
            .unwrap_or_else(|| panic!("no {name} in {out}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    for name in [
        "push_ops_per_s",
        "push_wire_bytes_per_op",
        "push_photo_wire_overhead",
        "push_total_s",
        "plain_insert_ops_per_s",
        "server_ingest_ops_per_s",
        "ingest_vs_sqlite_ratio",
        "push_vs_sqlite_ratio",
        "plain_insert_stored_rows_ops_per_s",
        "ingest_vs_stored_rows_ratio",
        "pull_100k_s",
        "load_p50_ms",
        "load_p99_ms",
    ] {
        assert!(figure(name) > 0.0, "{name} in {out}");
    }
    assert_eq!(figure("load_errors"), 0.0, "{out}\n{err}");
    // The plain insert found what the push stored: each operation's own row, and records and
    // bucket entries besides.
    assert!(figure("ingest_rows_per_op") > 1.5, "{out}");
}
