//! Proves that signature strokes arriving as JSON (from the shell or a synced form) are either
//! refused with a typed error or rendered: never a panic, whatever the coordinates.
#![no_main]

use doorstep_core::media::signature::{RenderOptions, SignatureCapture, render_png};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(capture) = serde_json::from_slice::<SignatureCapture>(data) else {
        return;
    };
    let options = RenderOptions {
        width: 200,
        pen_px: 4.0,
    };
    if capture.validate().is_ok() {
        render_png(&capture, &options).expect("a valid signature renders");
    }
});
