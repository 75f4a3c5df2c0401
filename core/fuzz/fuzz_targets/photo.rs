//! Proves that any bytes given as a photo (the camera's file, a gallery pick, a synced upload)
//! end in an image or a typed `MediaError`: never a panic, an abort, a huge allocation or a
//! long run. `core/fuzz/run` runs it under the phone's budget: `-malloc_limit_mb=128`,
//! `-rss_limit_mb` at 128 plus libFuzzer's own baseline, and a few seconds per input.
#![no_main]

use doorstep_core::media::decode::{Limits, decode_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The phone's limits as they are, pixels included: a smaller pixel cap would refuse every
    // large declared size as TooLarge before the memory budget is ever computed, and the
    // budget (with the decoders' own accounting of rows, strips and coefficients) is what
    // this target is here to hold to 128 MiB. The edge is small so accepted files decode at
    // their cheapest scale.
    if let Ok(decoded) = decode_reader(std::io::Cursor::new(data), 256, &Limits::PHONE) {
        let image = decoded.image;
        assert_eq!(
            image.pixels.len(),
            image.width as usize * image.height as usize * 3
        );
    }
});
