//! JPEG: libjpeg-turbo (the `mozjpeg` crate), scaled in the DCT domain.

use std::io::{BufRead, Read, Seek};

use super::{Decoded, Format, Limits, RgbImage, check_size};
use crate::media::MediaError;

/// libjpeg quietly fills a cut-off JPEG with grey; evidence must not be half a picture. A
/// complete JPEG has an end-of-image marker after its scan data.
fn check_jpeg_complete<R: Read + Seek>(source: &mut R) -> Result<(), MediaError> {
    let len = source.seek(std::io::SeekFrom::End(0))?;
    let tail_len = len.min(64 * 1024);
    source.seek(std::io::SeekFrom::End(-(tail_len as i64)))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    source.take(tail_len).read_to_end(&mut tail)?;
    // Cameras may append data (thumbnails, maker trailers) after the end marker, so look for
    // the marker anywhere in the tail rather than only in the last two bytes.
    if tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err(MediaError::Truncated)
    }
}

/// libjpeg reports a fatal error by unwinding (mozjpeg's error manager): catch it and turn it
/// into a typed error instead of a crash.
fn caught<T>(work: impl FnOnce() -> std::io::Result<T>) -> Result<T, MediaError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(MediaError::Truncated),
        Ok(Err(e)) => Err(MediaError::Corrupt(e.to_string())),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the decoder gave up".to_owned());
            Err(MediaError::Corrupt(message))
        }
    }
}

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    check_jpeg_complete(source)?;
    source.rewind()?;
    let (image, original) = decode_jpeg(source, min_edge, limits.max_pixels)?;
    Ok(Decoded {
        image,
        format: Format::Jpeg,
        original,
        exif: None,
    })
}

fn decode_jpeg<R: BufRead>(
    reader: R,
    min_edge: u32,
    max_pixels: u64,
) -> Result<(RgbImage, (u32, u32)), MediaError> {
    caught(move || {
        let mut decoder = mozjpeg::Decompress::new_reader(reader)?;
        let (width, height) = (decoder.width() as u32, decoder.height() as u32);
        if let Err(e) = check_size(u64::from(width), u64::from(height), max_pixels) {
            return Ok(Err(e));
        }
        decoder.scale(scale_numerator(width.max(height), min_edge));
        let mut started = decoder.rgb()?;
        let (w, h) = (started.width() as u32, started.height() as u32);
        let mut image = RgbImage::new(w, h);
        started.read_scanlines_into::<u8>(&mut image.pixels)?;
        started.finish()?;
        Ok(Ok((image, (width, height))))
    })?
}

/// The smallest `n` (of n/8, 1 ≤ n ≤ 8) whose scaled longest edge still reaches `min_edge`.
pub fn scale_numerator(longest: u32, min_edge: u32) -> u8 {
    if longest <= min_edge {
        return 8;
    }
    let n = (u64::from(min_edge) * 8).div_ceil(u64::from(longest));
    n.clamp(1, 8) as u8
}

/// Encodes RGB as a baseline JPEG (4:2:0, libjpeg-turbo's fast path), without any metadata.
pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    caught(|| {
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        compress.set_fastest_defaults();
        compress.set_size(image.width as usize, image.height as usize);
        compress.set_quality(f32::from(quality.clamp(1, 100)));
        let mut started = compress.start_compress(Vec::with_capacity(image.pixels.len() / 8))?;
        started.write_scanlines(&image.pixels)?;
        started.finish()
    })
}
