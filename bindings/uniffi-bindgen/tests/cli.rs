//! The generator `scripts/bindings` runs. Its integration test also makes `cargo test
//! --workspace` build the binary itself (target/debug/uniffi-bindgen) with the features of the
//! whole workspace, which `scripts/test` then hands to `scripts/bindings` instead of building
//! it again alone (a build of this crate by itself unifies its dependencies' features
//! differently and recompiles most of them: minutes on two cores).

use std::process::Command;

fn bindgen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_uniffi-bindgen"))
}

#[test]
fn a_developer_generating_bindings_is_offered_library_mode() {
    let out = bindgen().args(["generate", "--help"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--library"), "{help}");
    assert!(help.contains("--language"), "{help}");
}

#[test]
fn generating_from_a_file_that_is_not_a_library_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_library = dir.path().join("libdoorstep_ffi.a");
    std::fs::write(&not_a_library, "not a library").unwrap();
    let out_dir = dir.path().join("python");
    let out = bindgen()
        .args([
            "generate",
            "--language",
            "python",
            "--no-format",
            "--library",
        ])
        .arg(&not_a_library)
        .arg("--out-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert!(!out_dir.join("doorstep.py").exists());
}
