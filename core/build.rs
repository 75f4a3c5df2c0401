//! Says, where cargo shows it, that a photo decoder without its SIMD code is being built.
//!
//! libjpeg-turbo (through mozjpeg-sys) assembles its x86 SIMD code with nasm; without nasm it
//! quietly builds the plain C code, and cargo hides that crate's own warning. This crate's
//! warnings are shown, so the newcomer who has not installed nasm is told here, once per build
//! of the core. ARM builds (the phones) use NEON intrinsics and need no nasm.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NASM");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" && arch != "x86" {
        return;
    }
    let nasm = std::env::var("NASM").unwrap_or_else(|_| "nasm".to_owned());
    let found = Command::new(&nasm)
        .arg("-v")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        println!(
            "cargo:warning=nasm is not installed: the photo decoder (libjpeg-turbo) is built \
             without its SIMD code and every photo decodes about 1.4 times slower. Install it \
             (`sudo apt-get install -y nasm`), then `cargo clean -p mozjpeg-sys` and build again."
        );
    }
}
