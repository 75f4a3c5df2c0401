//! WebP: the `image-webp` crate.

use std::io::{BufRead, Seek};

use super::{Decoded, Format, Limits, RgbImage, check_size, to_rgb};
use crate::media::MediaError;

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    _min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let image = decode_webp(source, limits.max_pixels)?;
    Ok(Decoded {
        original: (image.width, image.height),
        image,
        format: Format::WebP,
        exif: None,
    })
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
