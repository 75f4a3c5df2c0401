//! libjpeg-turbo's own account of a decode, turned into our refusals. The `mozjpeg` wrapper
//! takes a custom error manager (`Decompress::builder().with_err`) but does not expose the
//! decoder's state, so the error manager is where we listen: libjpeg calls `emit_message` for
//! every trace message (start of image, every start of scan) and every warning, and
//! `error_exit` for a fatal error, each with the decoder's common struct (its memory manager).
//!
//! - Time: scans are counted as libjpeg reads them (`JTRC_SOS`) and refused past the limit.
//! - Memory: at the start of image, libjpeg's `max_memory_to_use` is set to the decoder's share
//!   of the budget; past it jmemnobs.c has no backing store and gives up (a backstop: the
//!   header's account refuses such a file before decoding).
//! - Damage: every warning is fatal, except those about metadata only (see [`harmless`]). The
//!   end of the file (the source fakes an end-of-image marker) is `Truncated`, anything else
//!   `Corrupt` with libjpeg's words.
//!
//! libjpeg cannot return from an error: the error manager unwinds (as `mozjpeg` does) with a
//! [`Refusal`], caught around the decode. The per-decode state lives in a thread-local set for
//! the length of the (synchronous) decode.

use std::cell::Cell;
use std::os::raw::{c_int, c_long};

use mozjpeg_sys as ffi;

use crate::media::{MediaError, Part};

/// What one decode may do, and what it has done so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct Watch {
    pub max_scans: u32,
    /// libjpeg's own allocations, in bytes.
    pub decoder_memory: u64,
    scans: u32,
}

impl Watch {
    pub fn new(max_scans: u32, decoder_memory: u64) -> Self {
        Watch {
            max_scans,
            decoder_memory,
            scans: 0,
        }
    }
}

thread_local! {
    static WATCH: Cell<Option<Watch>> = const { Cell::new(None) };
}

/// The payload libjpeg unwinds with.
struct Refusal(MediaError);

/// Runs `work` (a whole decode, from reading the header to finishing) under `watch`, with an
/// error manager that refuses by the decoder's account. Any other unwinding becomes `Corrupt`.
pub(super) fn watched<T>(
    watch: Watch,
    work: impl FnOnce(mozjpeg::decompress::DecompressBuilder<'static>) -> std::io::Result<T>,
) -> Result<T, MediaError> {
    struct Reset(Option<Watch>);
    impl Drop for Reset {
        fn drop(&mut self) {
            WATCH.with(|w| w.set(self.0.take()));
        }
    }
    let _reset = Reset(WATCH.with(|w| w.replace(Some(watch))));
    let builder = mozjpeg::Decompress::builder().with_err(error_manager());
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(builder))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(MediaError::Truncated),
        Ok(Err(e)) => Err(MediaError::Corrupt(e.to_string())),
        Err(payload) => Err(match payload.downcast::<Refusal>() {
            Ok(refusal) => refusal.0,
            Err(other) => MediaError::Corrupt(
                other
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| other.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "the decoder gave up".to_owned()),
            ),
        }),
    }
}

fn error_manager() -> ffi::jpeg_error_mgr {
    // SAFETY: jpeg_std_error fills every field of a zeroed manager (plain C data).
    let mut err: ffi::jpeg_error_mgr = unsafe { std::mem::zeroed() };
    unsafe { ffi::jpeg_std_error(&mut err) };
    err.error_exit = Some(error_exit);
    err.emit_message = Some(emit_message);
    // Our emit_message sees every message whatever the level; 1 says we want the scans.
    err.trace_level = 1;
    err
}

/// Warnings about metadata only, which leave every pixel decoded as written:
/// - `JWRN_JFIF_MAJOR`: an unknown JFIF version in APP0; libjpeg reads the image all the same.
/// - `JWRN_ADOBE_XFORM`: an unknown colour transform code in Adobe's APP14; libjpeg takes the
///   usual one (YCbCr for three components), as every viewer does.
/// - `JWRN_BOGUS_ICC`: a malformed ICC profile segment; we never read the profile.
/// - `JWRN_EXTRANEOUS_DATA` before the first scan: stray bytes between header segments, which
///   libjpeg (and our header walk) skip. After a scan it means the entropy data did not end
///   where the decoder did, which is damage.
fn harmless(code: c_int, scans: u32) -> bool {
    match code {
        ffi::JWRN_JFIF_MAJOR | ffi::JWRN_ADOBE_XFORM | ffi::JWRN_BOGUS_ICC => true,
        ffi::JWRN_EXTRANEOUS_DATA => scans == 0,
        _ => false,
    }
}

unsafe extern "C-unwind" fn emit_message(cinfo: &mut ffi::jpeg_common_struct, level: c_int) {
    // SAFETY: libjpeg calls this with the struct whose `err` is our manager.
    let code = unsafe { (*cinfo.err).msg_code };
    let Some(mut watch) = WATCH.with(Cell::get) else {
        return;
    };
    if level >= 0 {
        match code {
            ffi::JTRC_SOI if !cinfo.mem.is_null() => {
                let limit = c_long::try_from(watch.decoder_memory).unwrap_or(c_long::MAX);
                // SAFETY: `mem` is the decoder's memory manager, alive for the decode.
                unsafe { (*cinfo.mem).max_memory_to_use = limit };
            }
            ffi::JTRC_SOS => {
                watch.scans += 1;
                WATCH.with(|w| w.set(Some(watch)));
                if watch.scans > watch.max_scans {
                    refuse(MediaError::TooComplex {
                        what: Part::Scans,
                        count: u64::from(watch.scans),
                        limit: u64::from(watch.max_scans),
                    });
                }
            }
            _ => {}
        }
        return;
    }
    if harmless(code, watch.scans) {
        return;
    }
    if code == ffi::JWRN_JPEG_EOF {
        refuse(MediaError::Truncated);
    }
    refuse(MediaError::Corrupt(message(cinfo)));
}

unsafe extern "C-unwind" fn error_exit(cinfo: &mut ffi::jpeg_common_struct) {
    // SAFETY: as in emit_message.
    let code = unsafe { (*cinfo.err).msg_code };
    let watch = WATCH.with(Cell::get);
    refuse(match code {
        ffi::JERR_NO_BACKING_STORE | ffi::JERR_OUT_OF_MEMORY => {
            // libjpeg says only that it needs more than its share.
            let budget_mib = watch.map_or(0, |w| w.decoder_memory / (1024 * 1024));
            MediaError::OverBudget {
                needed_mib: budget_mib + 1,
                budget_mib,
            }
        }
        ffi::JERR_ARITH_NOTIMPL => MediaError::Unsupported {
            format: "arithmetic-coded JPEG",
        },
        ffi::JERR_BAD_PRECISION => MediaError::Unsupported {
            format: "12-bit JPEG",
        },
        // The source reports the end of the file this way while skipping a segment.
        ffi::JERR_FILE_READ => MediaError::Truncated,
        _ => MediaError::Corrupt(message(cinfo)),
    });
}

fn refuse(error: MediaError) -> ! {
    // resume_unwind, not panic!: no panic hook, no backtrace on stderr for a bad file.
    std::panic::resume_unwind(Box::new(Refusal(error)))
}

/// libjpeg's own words for the current message (no personal data: codes and numbers).
fn message(cinfo: &mut ffi::jpeg_common_struct) -> String {
    // JMSG_LENGTH_MAX in jpeglib.h.
    let mut buffer = [0u8; 200];
    // SAFETY: `format_message` writes at most JMSG_LENGTH_MAX bytes, NUL included, into the
    // buffer; the binding declares it as 80 bytes, hence the cast to a plain pointer.
    unsafe {
        let Some(format) = (*cinfo.err).format_message else {
            return format!("libjpeg message {}", (*cinfo.err).msg_code);
        };
        let format: unsafe extern "C-unwind" fn(&mut ffi::jpeg_common_struct, *mut u8) =
            std::mem::transmute(format);
        format(cinfo, buffer.as_mut_ptr());
    }
    let text = buffer.split(|&b| b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(text).into_owned()
}
