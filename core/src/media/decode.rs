//! Reading photos: the format is told by the file's first bytes (not its name), the declared
//! size is checked before any pixel buffer is allocated, and JPEGs are decoded straight to the
//! size needed by scaling in the DCT domain (libjpeg-turbo's `scale_num / 8`), which costs a
//! fraction of the time and memory of a full-size decode followed by a resize.

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use super::MediaError;

/// An 8-bit RGB image, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl RgbImage {
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; width as usize * height as usize * 3],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

/// The image at `path` decoded so that its longest edge is at least `min_edge` (when the file is
/// larger) and as small as the decoder can cheaply make it; `max_pixels` bounds the declared
/// size. Returns the image, the format and the original size.
pub fn decode_for_edge(
    path: &Path,
    min_edge: u32,
    max_pixels: u64,
) -> Result<(RgbImage, Format, (u32, u32)), MediaError> {
    let file = BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
    decode_reader(file, min_edge, max_pixels)
}

/// [`decode_for_edge`] on any seekable source (the fuzz target feeds it bytes in memory).
pub fn decode_reader<R: BufRead + Seek>(
    mut source: R,
    min_edge: u32,
    max_pixels: u64,
) -> Result<(RgbImage, Format, (u32, u32)), MediaError> {
    let head = source.fill_buf()?.to_vec();
    let format = sniff(&head)?;
    match format {
        Format::Jpeg => {
            check_jpeg_complete(&mut source)?;
            source.rewind()?;
            decode_jpeg(source, min_edge, max_pixels).map(|(img, size)| (img, format, size))
        }
        Format::Png => {
            // IHDR is always the first chunk: refuse a bomb before the decoder reads further.
            if let Some(ihdr) = head.get(16..24) {
                let width = u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]);
                let height = u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]);
                check_size(u64::from(width), u64::from(height), max_pixels)?;
            }
            check_png_chunks(&mut source)?;
            source.rewind()?;
            decode_png(source, max_pixels).map(|img| {
                let size = (img.width, img.height);
                (img, format, size)
            })
        }
        Format::WebP => decode_webp(source, max_pixels).map(|img| {
            let size = (img.width, img.height);
            (img, format, size)
        }),
    }
}

/// The format from the first bytes; an empty file and anything else are refused.
pub fn sniff(head: &[u8]) -> Result<Format, MediaError> {
    match head {
        [] => Err(MediaError::Empty),
        [0xFF, 0xD8, 0xFF, ..] => Ok(Format::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(Format::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Ok(Format::WebP),
        [0xFF, 0xD8] | [0xFF] | [0x89, ..] if head.len() < 8 => Err(MediaError::Truncated),
        _ => Err(MediaError::NotAnImage),
    }
}

fn check_size(width: u64, height: u64, max_pixels: u64) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("the image declares no pixels".into()));
    }
    if width.saturating_mul(height) > max_pixels {
        return Err(MediaError::TooLarge {
            width,
            height,
            max_pixels,
        });
    }
    Ok(())
}

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

fn decode_png<R: BufRead + Seek>(reader: R, max_pixels: u64) -> Result<RgbImage, MediaError> {
    let mut decoder = png::Decoder::new_with_limits(
        reader,
        png::Limits {
            bytes: usize::try_from(max_pixels.saturating_mul(8)).unwrap_or(usize::MAX),
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(png_error)?;
    let info = reader.info();
    check_size(u64::from(info.width), u64::from(info.height), max_pixels)?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).map_err(png_error)?;
    let (width, height) = (frame.width, frame.height);
    let data = &buffer[..frame.buffer_size()];
    let mut image = RgbImage::new(width, height);
    let pixels = width as usize * height as usize;
    match frame.color_type {
        png::ColorType::Rgb => image.pixels.copy_from_slice(&data[..pixels * 3]),
        png::ColorType::Rgba => to_rgb(data, 4, &mut image.pixels),
        png::ColorType::Grayscale => to_rgb(data, 1, &mut image.pixels),
        png::ColorType::GrayscaleAlpha => to_rgb(data, 2, &mut image.pixels),
        png::ColorType::Indexed => return Err(MediaError::Corrupt("palette not expanded".into())),
    }
    Ok(image)
}

/// Copies pixels of `channels` bytes into RGB, compositing any alpha over white (a signature or
/// a screenshot with transparency must not turn black).
fn to_rgb(data: &[u8], channels: usize, rgb: &mut [u8]) {
    for (src, dst) in data.chunks_exact(channels).zip(rgb.chunks_exact_mut(3)) {
        let (color, alpha): ([u8; 3], u8) = match channels {
            1 => ([src[0]; 3], 255),
            2 => ([src[0]; 3], src[1]),
            _ => ([src[0], src[1], src[2]], src[3]),
        };
        for (d, c) in dst.iter_mut().zip(color) {
            *d = ((u16::from(c) * u16::from(alpha) + 255 * (255 - u16::from(alpha))) / 255) as u8;
        }
    }
}

/// Walks the chunk headers up to the image data and refuses a palette that is not whole RGB
/// triples (or longer than 256 entries): the `png` crate panics on one instead of erroring
/// (found by the `photo` fuzz target).
fn check_png_chunks<R: Read + Seek>(source: &mut R) -> Result<(), MediaError> {
    source.seek(std::io::SeekFrom::Start(8))?;
    let mut header = [0u8; 8];
    loop {
        if source.read_exact(&mut header).is_err() {
            return Err(MediaError::Truncated);
        }
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        match &header[4..8] {
            b"PLTE" if length % 3 != 0 || length > 768 || length == 0 => {
                return Err(MediaError::Corrupt(
                    "the palette is not whole colours".into(),
                ));
            }
            b"IDAT" | b"IEND" => return Ok(()),
            _ => {
                source.seek(std::io::SeekFrom::Current(i64::from(length) + 4))?;
            }
        }
    }
}

fn png_error(e: png::DecodingError) -> MediaError {
    match e {
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated
        }
        png::DecodingError::LimitsExceeded => {
            MediaError::Corrupt("the image needs more memory than allowed".into())
        }
        other => MediaError::Corrupt(other.to_string()),
    }
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
    let (width, height) = decoder.dimensions();
    check_size(u64::from(width), u64::from(height), max_pixels)?;
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| MediaError::Corrupt("impossible size".into()))?;
    let mut buffer = vec![0; size];
    decoder.read_image(&mut buffer).map_err(webp_error)?;
    let mut image = RgbImage::new(width, height);
    if decoder.has_alpha() {
        to_rgb(&buffer, 4, &mut image.pixels);
    } else {
        let len = image.pixels.len();
        image.pixels.copy_from_slice(&buffer[..len]);
    }
    Ok(image)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_scaling_decodes_no_larger_than_needed() {
        assert_eq!(
            scale_numerator(4000, 2048),
            5,
            "4000 px → 2500 px, the first n/8 at or above 2048"
        );
        assert_eq!(scale_numerator(2048, 2048), 8);
        assert_eq!(
            scale_numerator(1000, 2048),
            8,
            "never upscaled in the decoder"
        );
        assert_eq!(scale_numerator(16000, 320), 1);
    }

    #[test]
    fn format_is_told_by_content_not_name() {
        assert!(matches!(sniff(b""), Err(MediaError::Empty)));
        assert!(matches!(
            sniff(b"%PDF-1.7 ..."),
            Err(MediaError::NotAnImage)
        ));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), Format::Jpeg);
        assert!(matches!(sniff(&[0xFF, 0xD8]), Err(MediaError::Truncated)));
    }
}
