//! Proves that any bytes given as a photo (the camera's file, a gallery pick, a synced upload)
//! end in an image or a typed `MediaError`: never a panic, an abort or a huge allocation.
#![no_main]

use doorstep_core::media::decode::{Limits, decode_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small pixel budget keeps every run fast; the bomb check itself is what is exercised.
    let limits = Limits {
        max_pixels: 4_000_000,
        ..Limits::PHONE
    };
    if let Ok(decoded) = decode_reader(std::io::Cursor::new(data), 256, &limits) {
        let image = decoded.image;
        assert_eq!(
            image.pixels.len(),
            image.width as usize * image.height as usize * 3
        );
    }
});
