//! Proves that any bytes given as a photo (the camera's file, a gallery pick, a synced upload)
//! end in an image or a typed `MediaError` within the phone's budget: never a panic, an abort,
//! more than 128 MiB or a long run. `core/fuzz/run` runs it with `-rss_limit_mb` at 128 MiB plus
//! libFuzzer's own baseline, `-malloc_limit_mb=128` and `-timeout=5`.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use doorstep_core::media::decode::{Limits, decode_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The phone's limits as they are, pixels included: a smaller pixel cap would refuse every
    // large declared size as TooLarge before the memory budget is ever computed, and the
    // budget (with the decoders' own accounting of rows, strips and coefficients) is what
    // this target is here to hold. The edge is small, so accepted files decode at their
    // cheapest scale and runs stay fast (70,000 inputs a second on the seeds).
    if let Ok(decoded) = decode_reader(std::io::Cursor::new(data), 256, &Limits::PHONE) {
        let image = decoded.image;
        assert_eq!(
            image.pixels.len(),
            image.width as usize * image.height as usize * 3
        );
    }
});

/// libFuzzer's `-malloc_limit_mb` acts only through a sanitizer's malloc hooks, and the targets
/// build without one (core/fuzz/run): this allocator holds the Rust side of a decode (PNG and
/// WebP decoders, pixel buffers, the resizer) to the budget itself, counting every live byte,
/// not one allocation at a time. It aborts on the input that crosses it, which libFuzzer
/// keeps as a crash. libjpeg's own memory (C `malloc`) is held by `-rss_limit_mb`.
#[global_allocator]
static BUDGETED: Budgeted = Budgeted;

const BUDGET: usize = Limits::PHONE.max_memory as usize;

struct Budgeted;

static LIVE: AtomicUsize = AtomicUsize::new(0);

impl Budgeted {
    fn charge(&self, bytes: usize) {
        if LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes > BUDGET {
            // No formatting: the allocator must not allocate.
            let _ = std::io::stderr()
                .write_all(b"==photo== over the 128 MiB budget: a decode took more than Limits::PHONE.max_memory\n");
            std::process::abort();
        }
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only the count is ours.
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            self.charge(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
