//! JPEG samples: a camera's photo, and files made to cost too much or to be damaged, each with
//! what the pipeline must do with it. Written by libjpeg-turbo itself (through `mozjpeg-sys`,
//! which lets us give the scan script: progressive without successive approximation, one scan
//! per component), rows generated on the fly so that a 64 MP file costs no 192 MB of pixels.

use std::os::raw::{c_int, c_uint};

use mozjpeg_sys as ffi;

use super::{Expect, Sample, photo_like};

/// How a sample is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    /// One interleaved sequential scan, as cameras write.
    Baseline,
    /// libjpeg's standard progression (with successive approximation).
    Progressive,
    /// DC of all components, then each component's AC in one scan (luma last), no successive
    /// approximation: every scan can be repeated without libjpeg finding the progression odd.
    ProgressiveFlat,
    /// Sequential, one scan per component (non-interleaved).
    ScanPerComponent,
}

#[derive(Debug, Clone, Copy)]
struct Encoding {
    width: u32,
    height: u32,
    /// Chroma subsampled 2×2 (4:2:0) or kept whole (4:4:4).
    subsampled: bool,
    coding: Coding,
    quality: u8,
}

/// The hostile and large JPEG files, in the order they are made.
pub fn hostile() -> Vec<Sample> {
    let cheap = |width, height, subsampled, coding| {
        encode(
            &Encoding {
                width,
                height,
                subsampled,
                coding,
                quality: 85,
            },
            None,
            wall_row,
        )
    };
    vec![
        Sample {
            name: "progressive_444_8000",
            bytes: cheap(8000, 8000, false, Coding::Progressive),
            expect: Expect::Refused("OverBudget"),
        },
        Sample {
            name: "progressive_444_12mp",
            bytes: cheap(4000, 3000, false, Coding::Progressive),
            expect: Expect::Accepted,
        },
        Sample {
            name: "repeated_last_scan",
            bytes: repeated_last_scan(3000),
            expect: Expect::Refused("TooComplex"),
        },
        Sample {
            name: "baseline_420_64mp",
            bytes: cheap(9216, 6912, true, Coding::Baseline),
            expect: Expect::Accepted,
        },
        Sample {
            name: "scan_per_component",
            bytes: cheap(3000, 2000, true, Coding::ScanPerComponent),
            expect: Expect::Accepted,
        },
        Sample {
            name: "cut_near_thumbnail_end",
            bytes: cut_near_thumbnail_end(),
            expect: Expect::Refused("Truncated"),
        },
        Sample {
            name: "flipped_entropy_bits",
            bytes: flipped_entropy_bits(),
            expect: Expect::Refused("Corrupt"),
        },
    ]
}

/// A camera's photo: baseline 4:2:0 at quality 92, with EXIF (orientation, time, a
/// thumbnail) as a phone writes it.
pub fn camera(width: u32, height: u32) -> Vec<u8> {
    let image = photo_like(width, height);
    let thumbnail = thumbnail_jpeg();
    let stride = width as usize * 3;
    encode(
        &Encoding {
            width,
            height,
            subsampled: true,
            coding: Coding::Baseline,
            quality: 92,
        },
        Some(&exif_with_thumbnail(&thumbnail)),
        |y, row| row.copy_from_slice(&image.pixels[y as usize * stride..][..stride]),
    )
}

/// A progressive file whose last scan is written again `copies` times: each copy is a pass
/// over the image, so the decode costs what the file's author wants (the 33 s file).
pub fn repeated_last_scan(copies: usize) -> Vec<u8> {
    last_scan_repeated(Coding::ProgressiveFlat, copies)
}

/// The same with libjpeg's standard progression, whose last scan refines what the one before
/// it left: read twice, it is an inconsistent progression.
pub fn repeated_refinement_scan(copies: usize) -> Vec<u8> {
    last_scan_repeated(Coding::Progressive, copies)
}

fn last_scan_repeated(coding: Coding, copies: usize) -> Vec<u8> {
    // 12 MP of flat 16×16 tiles: every AC coefficient is zero, so a scan of them is a few
    // bytes of end-of-band runs, yet decoding it is a pass over 190,000 blocks.
    let file = encode(
        &Encoding {
            width: 4000,
            height: 3000,
            subsampled: true,
            coding,
            quality: 85,
        },
        None,
        tile_row,
    );
    let last_scan = rfind(&file, &[0xFF, 0xDA]).expect("a progressive file has scans");
    let eoi = file.len() - 2;
    let mut out = file[..eoi].to_vec();
    for _ in 0..copies {
        out.extend_from_slice(&file[last_scan..eoi]);
    }
    out.extend_from_slice(&file[eoi..]);
    out
}

/// A camera photo cut 30 KB after its EXIF thumbnail's end-of-image marker: a check of the
/// file's tail sees that marker; only the decoder knows the image stops short.
fn cut_near_thumbnail_end() -> Vec<u8> {
    let mut file = camera(1600, 1200);
    let thumbnail_end = find(&file[4..], &[0xFF, 0xD9]).expect("the thumbnail ends") + 4 + 2;
    file.truncate(thumbnail_end + 30 * 1024);
    assert!(
        file.len() > thumbnail_end + 1024,
        "the image data is cut, not the header"
    );
    file
}

/// A photo whose entropy-coded data has bits flipped in its middle (a bad card, a bad copy).
fn flipped_entropy_bits() -> Vec<u8> {
    let mut file = encode(
        &Encoding {
            width: 1200,
            height: 900,
            subsampled: true,
            coding: Coding::Baseline,
            quality: 90,
        },
        None,
        |y, row| {
            let image_row = photo_row(1200, y);
            row.copy_from_slice(&image_row);
        },
    );
    let scan = find(&file, &[0xFF, 0xDA]).expect("a scan") + 14;
    let middle = scan + (file.len() - scan) / 2;
    for (i, bit) in [(0, 3), (97, 6), (401, 1), (1203, 7), (2411, 0)] {
        let at = middle + i;
        if file[at] != 0xFF && file[at] ^ (1 << bit) != 0xFF && file[at - 1] != 0xFF {
            file[at] ^= 1 << bit;
        }
    }
    file
}

/// A wall with a pipe: smooth, so that large files stay a few hundred KB and fast to write.
fn wall_row(y: u32, row: &mut [u8]) {
    for (x, px) in row.chunks_exact_mut(3).enumerate() {
        let x = x as u32;
        let shade = ((x / 7 + y / 5) % 64) as u8;
        let pipe = if (y / 40) % 9 == 4 { 70 } else { 0 };
        px[0] = 120u8.wrapping_add(shade).saturating_sub(pipe);
        px[1] = 110u8.wrapping_add(shade / 2).saturating_sub(pipe);
        px[2] = 90u8.wrapping_add((x % 97) as u8 / 4);
    }
}

/// A mosaic of flat 16×16 tiles (whole chroma blocks in 4:2:0): only DC coefficients.
fn tile_row(y: u32, row: &mut [u8]) {
    for (x, px) in row.chunks_exact_mut(3).enumerate() {
        let (tx, ty) = (x as u32 / 16, y / 16);
        px[0] = (96 + (tx * 7 + ty * 13) % 64) as u8;
        px[1] = (96 + (tx * 3 + ty * 5) % 64) as u8;
        px[2] = (96 + (tx + ty * 11) % 64) as u8;
    }
}

/// A wall with sensor-like noise, cheaply: entropy data as dense as a camera's.
fn photo_row(width: u32, y: u32) -> Vec<u8> {
    let mut row = vec![0u8; width as usize * 3];
    wall_row(y, &mut row);
    // Sensor-like noise from a fixed hash, so the entropy data is dense like a camera's.
    for (x, v) in row.iter_mut().enumerate() {
        let h = (x as u32).wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503);
        *v = v.saturating_add((h >> 27) as u8);
    }
    row
}

fn thumbnail_jpeg() -> Vec<u8> {
    encode(
        &Encoding {
            width: 160,
            height: 120,
            subsampled: true,
            coding: Coding::Baseline,
            quality: 80,
        },
        None,
        |y, row| row.copy_from_slice(&photo_row(160, y)),
    )
}

/// A big-endian TIFF as cameras write it: IFD0 with the orientation (1, upright) and the time
/// taken, IFD1 pointing at a JPEG thumbnail.
fn exif_with_thumbnail(thumbnail: &[u8]) -> Vec<u8> {
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    let time = b"2026:12:06 10:30:00\0";
    // Header (8), IFD0: count, 2 entries, next (2 + 24 + 4 = 30), the time (20), IFD1: count,
    // 3 entries, next (2 + 36 + 4 = 42), then the thumbnail.
    let ifd0 = 8u32;
    let time_at = ifd0 + 30;
    let ifd1 = time_at + time.len() as u32;
    let thumb_at = ifd1 + 42;
    let mut t = b"MM\0\x2A".to_vec();
    t.extend_from_slice(&ifd0.to_be_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0112, SHORT, 1, [0, 1, 0, 0]);
    entry(
        &mut t,
        0x0132,
        ASCII,
        time.len() as u32,
        time_at.to_be_bytes(),
    );
    t.extend_from_slice(&ifd1.to_be_bytes());
    t.extend_from_slice(time);
    t.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut t, 0x0103, SHORT, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x0201, LONG, 1, thumb_at.to_be_bytes());
    entry(
        &mut t,
        0x0202,
        LONG,
        1,
        (thumbnail.len() as u32).to_be_bytes(),
    );
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(thumbnail);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    app1
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Writes a JPEG with libjpeg-turbo, asking `row(y, pixels)` for each RGB row in turn. A
/// failure here is a bug in the sample, not a file to judge: it panics.
fn encode(
    encoding: &Encoding,
    app1: Option<&[u8]>,
    mut row: impl FnMut(u32, &mut [u8]),
) -> Vec<u8> {
    let flat_progression = [
        scan(&[0, 1, 2], 0, 0),
        scan(&[1], 1, 63),
        scan(&[2], 1, 63),
        scan(&[0], 1, 63),
    ];
    let per_component = [scan(&[0], 0, 63), scan(&[1], 0, 63), scan(&[2], 0, 63)];
    let mut writer = Writer::new();
    let cinfo = &mut writer.cinfo;
    cinfo.image_width = encoding.width;
    cinfo.image_height = encoding.height;
    cinfo.input_components = 3;
    cinfo.in_color_space = ffi::J_COLOR_SPACE::JCS_RGB;
    // SAFETY: the struct was created by jpeg_CreateCompress (Writer::new) and is not started.
    unsafe {
        ffi::jpeg_c_set_int_param(
            cinfo,
            ffi::J_INT_PARAM::JINT_COMPRESS_PROFILE,
            ffi::JINT_COMPRESS_PROFILE_VALUE::JCP_FASTEST as c_int,
        );
        ffi::jpeg_set_defaults(cinfo);
        ffi::jpeg_set_quality(cinfo, c_int::from(encoding.quality), 1);
        let luma = &mut *cinfo.comp_info;
        let factor = if encoding.subsampled { 2 } else { 1 };
        luma.h_samp_factor = factor;
        luma.v_samp_factor = factor;
        match encoding.coding {
            Coding::Baseline => {}
            Coding::Progressive => ffi::jpeg_simple_progression(cinfo),
            Coding::ProgressiveFlat => {
                cinfo.scan_info = flat_progression.as_ptr();
                cinfo.num_scans = flat_progression.len() as c_int;
            }
            Coding::ScanPerComponent => {
                cinfo.scan_info = per_component.as_ptr();
                cinfo.num_scans = per_component.len() as c_int;
            }
        }
        ffi::jpeg_start_compress(cinfo, 1);
        if let Some(app1) = app1 {
            ffi::jpeg_write_marker(cinfo, 0xE1, app1.as_ptr(), app1.len() as c_uint);
        }
        let mut pixels = vec![0u8; encoding.width as usize * 3];
        for y in 0..encoding.height {
            row(y, &mut pixels);
            let rows = [pixels.as_ptr()];
            ffi::jpeg_write_scanlines(cinfo, rows.as_ptr(), 1);
        }
        ffi::jpeg_finish_compress(cinfo);
    }
    std::mem::take(&mut writer.sink.out)
}

fn scan(components: &[c_int], ss: c_int, se: c_int) -> ffi::jpeg_scan_info {
    let mut info = ffi::jpeg_scan_info {
        comps_in_scan: components.len() as c_int,
        Ss: ss,
        Se: se,
        ..Default::default()
    };
    info.component_index[..components.len()].copy_from_slice(components);
    info
}

/// libjpeg's compressor with its error manager and a destination into a `Vec`, boxed so the
/// pointers libjpeg keeps between them stay valid; destroyed on drop, panic or not.
struct Writer {
    cinfo: Box<ffi::jpeg_compress_struct>,
    _err: Box<ffi::jpeg_error_mgr>,
    sink: Box<Sink>,
}

#[repr(C)]
struct Sink {
    iface: ffi::jpeg_destination_mgr,
    chunk: Vec<u8>,
    out: Vec<u8>,
}

impl Writer {
    fn new() -> Self {
        // SAFETY: plain C structs, zeroed then filled by libjpeg's own initialisers.
        unsafe {
            let mut err: Box<ffi::jpeg_error_mgr> = Box::new(std::mem::zeroed());
            ffi::jpeg_std_error(&mut err);
            err.error_exit = Some(failed);
            let mut cinfo: Box<ffi::jpeg_compress_struct> = Box::new(std::mem::zeroed());
            cinfo.common.err = &mut *err;
            ffi::jpeg_CreateCompress(
                &mut *cinfo,
                ffi::JPEG_LIB_VERSION,
                std::mem::size_of::<ffi::jpeg_compress_struct>(),
            );
            let mut sink = Box::new(Sink {
                iface: std::mem::zeroed(),
                chunk: vec![0; 64 * 1024],
                out: Vec::new(),
            });
            sink.iface.init_destination = Some(Sink::init);
            sink.iface.empty_output_buffer = Some(Sink::empty);
            sink.iface.term_destination = Some(Sink::term);
            cinfo.dest = &mut sink.iface;
            Writer {
                cinfo,
                _err: err,
                sink,
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // SAFETY: created in Writer::new; destroying also frees libjpeg's pools.
        unsafe { ffi::jpeg_destroy_compress(&mut self.cinfo) };
    }
}

impl Sink {
    /// SAFETY (all three): `dest` is the `iface` at the start of a `#[repr(C)]` Sink.
    unsafe fn of(cinfo: &mut ffi::jpeg_compress_struct) -> &mut Sink {
        unsafe { &mut *cinfo.dest.cast::<Sink>() }
    }

    unsafe extern "C-unwind" fn init(cinfo: &mut ffi::jpeg_compress_struct) {
        let sink = unsafe { Sink::of(cinfo) };
        sink.iface.next_output_byte = sink.chunk.as_mut_ptr();
        sink.iface.free_in_buffer = sink.chunk.len();
    }

    unsafe extern "C-unwind" fn empty(cinfo: &mut ffi::jpeg_compress_struct) -> ffi::boolean {
        let sink = unsafe { Sink::of(cinfo) };
        sink.out.extend_from_slice(&sink.chunk);
        sink.iface.next_output_byte = sink.chunk.as_mut_ptr();
        sink.iface.free_in_buffer = sink.chunk.len();
        1
    }

    unsafe extern "C-unwind" fn term(cinfo: &mut ffi::jpeg_compress_struct) {
        let sink = unsafe { Sink::of(cinfo) };
        let used = sink.chunk.len() - sink.iface.free_in_buffer;
        sink.out.extend_from_slice(&sink.chunk[..used]);
    }
}

unsafe extern "C-unwind" fn failed(cinfo: &mut ffi::jpeg_common_struct) {
    // SAFETY: `err` is the manager set in Writer::new.
    let code = unsafe { (*cinfo.err).msg_code };
    std::panic::resume_unwind(Box::new(format!(
        "libjpeg failed writing a sample (message {code})"
    )))
}
