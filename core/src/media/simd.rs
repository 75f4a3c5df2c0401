//! Whether the linked libjpeg-turbo decodes with its SIMD code. On x86 that code is assembled by
//! nasm at build time; without nasm, mozjpeg-sys builds the plain C fallback (`jsimd_none.c`)
//! and says so in a build-script warning that cargo does not print for a crates.io package:
//! every photo then takes about 1.4 times as long, and nothing said so. Phones are
//! not concerned (ARM builds use NEON intrinsics from the C sources), but a benchmark is: it
//! must say which build it measured.

// libjpeg-turbo's own probes, exported by the static library mozjpeg-sys links: the x86, ARM
// and fallback builds all define them; the fallback's answer 0.
unsafe extern "C" {
    fn jsimd_can_idct_islow() -> std::ffi::c_int;
    fn jsimd_can_ycc_rgb() -> std::ffi::c_int;
}

/// True when libjpeg-turbo's inverse DCT and colour conversion run in SIMD on this CPU, in this
/// build: nasm was there when it was compiled (x86) and the CPU has the instructions (SSE2 at
/// least). mozjpeg-sys builds with `NO_GETENV`, so `JSIMD_FORCENONE` has no effect.
pub fn jpeg_simd() -> bool {
    // SAFETY: both functions take no argument and only read the CPU's features (once, into a
    // static of the library); they are safe to call from any thread at any time.
    unsafe { jsimd_can_idct_islow() != 0 && jsimd_can_ycc_rgb() != 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This machine builds with nasm (scripts/test installs it) and has SSE2: a `false` here
    /// means the build fell back to C without anyone being told.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_x86_build_decodes_jpeg_with_simd() {
        assert!(
            jpeg_simd(),
            "libjpeg-turbo was built without SIMD: install nasm (apt-get install -y nasm) and \
             rebuild mozjpeg-sys (cargo clean -p mozjpeg-sys)"
        );
    }
}
