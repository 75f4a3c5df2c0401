//! WebP: the `image-webp` crate, which decodes whole images only. Its chunks are walked first
//! ([`riff`]): a file cut short, an animation or too many chunks is refused, and the memory the
//! decode will take is computed from the headers and refused past the budget before any is
//! allocated.

mod riff;

use std::io::{BufRead, Seek};

use super::{Decoded, Format, Limits, RgbImage, check_size, to_rgb};
use crate::media::MediaError;
use riff::Coding;

/// What `image-webp` allocates beside the output buffer, in bytes per pixel, measured with a
/// counting allocator on 2000×1500 files written by libwebp (vips): lossless 0.04–0.08 (its
/// transforms and entropy image, at most 0.875 at their finest subsampling: counted as 1);
/// lossy 1.5 for the YUV planes (of the frame rounded up to 16 px macroblocks), plus, with
/// alpha, 6 for the alpha plane (decoded as lossless ARGB, then its green taken twice).
const LOSSLESS_WORK_PER_PIXEL: f64 = 1.0;
const LOSSY_PLANES_PER_PIXEL: f64 = 1.5;
const LOSSY_ALPHA_PER_PIXEL: f64 = 6.0 + LOSSLESS_WORK_PER_PIXEL;
/// The decoder's own fixed cost (read buffers, one set of Huffman tables).
const DECODER_FIXED_BYTES: u64 = 1024 * 1024;
/// The most bytes of Huffman tables `image-webp` can build per byte of prefix-coded data. A
/// lossless stream may declare up to 65,536 groups of five codes, whatever its pixel count, and
/// the decoder builds every one: a code of the green alphabet with a colour cache (up to 2,328
/// symbols) all longer than its 10-bit table costs a 4 KiB table and 2 × 2,328 tree nodes of 16
/// bytes (78.5 KiB), and is written in no less than about 146 bytes (the first length, then
/// repeat codes of 3 bits for 6 symbols each): 551 bytes per byte. Groups of one-symbol codes
/// cost less per byte (about 112). Rounded up, so that a crafted stream of any size fits the
/// budget or is refused before decoding; a camera never writes lossless WebP, and a real one
/// (a screenshot) is far below this.
const HUFFMAN_BYTES_PER_CODED_BYTE: u64 = 640;

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    _min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let layout = riff::walk(source, limits)?;
    let (width, height) = layout.size;
    check_size(u64::from(width), u64::from(height), limits.max_pixels)?;
    let needed = bytes_needed(&layout);
    limits.afford(needed)?;
    source.rewind()?;
    let image = decode_webp(source, limits.max_pixels)?;
    Ok(Decoded {
        original: (image.width, image.height),
        image,
        format: Format::WebP,
        exif: layout.exif,
    })
}

/// The peak bytes decoding takes: the output buffer (RGB, or RGBA with alpha, turned into RGB
/// in place), what `image-webp` allocates beside it, and its fixed cost.
fn bytes_needed(layout: &riff::Layout) -> u64 {
    let pixels = u64::from(layout.size.0) * u64::from(layout.size.1);
    let output = pixels * if layout.alpha { 4 } else { 3 };
    let work = match layout.coding {
        // Without alpha, the decoder decodes ARGB into a buffer of its own, then copies RGB out.
        Coding::Lossless if !layout.alpha => {
            pixels * 4 + per_pixel(pixels, LOSSLESS_WORK_PER_PIXEL)
        }
        Coding::Lossless => per_pixel(pixels, LOSSLESS_WORK_PER_PIXEL),
        Coding::Lossy { data_bytes } => {
            let macroblocks =
                u64::from(layout.size.0.div_ceil(16)) * u64::from(layout.size.1.div_ceil(16));
            let alpha = if layout.alpha {
                per_pixel(pixels, LOSSY_ALPHA_PER_PIXEL)
            } else {
                0
            };
            per_pixel(macroblocks * 256, LOSSY_PLANES_PER_PIXEL) + data_bytes + alpha
        }
    };
    let huffman_tables = layout
        .prefix_coded_bytes
        .saturating_mul(HUFFMAN_BYTES_PER_CODED_BYTE);
    output + work + huffman_tables + DECODER_FIXED_BYTES
}

fn per_pixel(pixels: u64, bytes: f64) -> u64 {
    (pixels as f64 * bytes).ceil() as u64
}

fn decode_webp<R: BufRead + Seek>(reader: R, max_pixels: u64) -> Result<RgbImage, MediaError> {
    let webp_error = |e: image_webp::DecodingError| match e {
        image_webp::DecodingError::IoError(io)
            if io.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            MediaError::Truncated
        }
        other => MediaError::Corrupt(other.to_string()),
    };
    let mut decoder = image_webp::WebPDecoder::new(reader).map_err(webp_error)?;
    if decoder.is_animated() {
        return Err(MediaError::Unsupported {
            format: "animated WebP",
        });
    }
    let (width, height) = decoder.dimensions();
    check_size(u64::from(width), u64::from(height), max_pixels)?;
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| MediaError::Corrupt("impossible size".into()))?;
    let mut pixels = vec![0; size];
    decoder.read_image(&mut pixels).map_err(webp_error)?;
    if decoder.has_alpha() {
        // RGBA to RGB in place: each pixel is written at or before where it was read.
        for i in 0..width as usize * height as usize {
            let mut rgb = [0u8; 3];
            to_rgb(&pixels[i * 4..i * 4 + 4], 4, &mut rgb);
            pixels[i * 3..i * 3 + 3].copy_from_slice(&rgb);
        }
        pixels.truncate(width as usize * height as usize * 3);
    }
    Ok(RgbImage {
        width,
        height,
        pixels,
    })
}
