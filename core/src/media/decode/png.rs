//! PNG: the `png` crate.

use std::io::{BufRead, Read, Seek};

use super::{Decoded, Format, Limits, RgbImage, check_size, to_rgb};
use crate::media::MediaError;

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    _min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    // IHDR is always the first chunk: refuse a bomb before the decoder reads further.
    let head = source.fill_buf()?;
    if let Some(ihdr) = head.get(16..24) {
        let width = u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]);
        let height = u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]);
        check_size(u64::from(width), u64::from(height), limits.max_pixels)?;
    }
    check_png_chunks(source)?;
    source.rewind()?;
    let image = decode_png(source, limits.max_pixels)?;
    Ok(Decoded {
        original: (image.width, image.height),
        image,
        format: Format::Png,
        exif: None,
    })
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
