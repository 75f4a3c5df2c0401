//! PNG: the `png` crate, row by row. The file's chunks are walked first ([`chunks`]): a file
//! cut short, with a damaged chunk or with too many chunks is refused before any pixel is
//! decoded, and its EXIF is taken from the walk. The rows are then shrunk on the fly by an
//! integer box factor ([`shrink`], like libvips' shrink-on-load), so no full-size buffer exists;
//! an interlaced (Adam7) image has its rows in seven passes and is decoded whole only when that
//! fits the budget.

mod chunks;
mod shrink;

use std::io::{BufRead, Seek};

use super::{Decoded, Format, Limits};
use crate::media::MediaError;
use shrink::BoxShrink;

/// The bytes the decoder gives us rows in, and the fixed cost of the decoder itself (its
/// zlib window and read buffers).
const DECODER_FIXED_BYTES: u64 = 1024 * 1024;

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let layout = chunks::walk(source, limits)?;
    let (width, height) = layout.size;

    source.rewind()?;
    let decoder_bytes = (width as usize)
        .saturating_mul(8)
        .saturating_add(chunks::MAX_ANCILLARY_BYTES + 1024 * 1024);
    let mut decoder = png::Decoder::new_with_limits(
        source,
        png::Limits {
            bytes: decoder_bytes,
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    // The CRCs and the zlib stream's own Adler-32: a damaged image is refused, not drawn.
    decoder.ignore_checksums(false);
    // Text and colour profiles are not used: not decompressed.
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let mut reader = decoder.read_info().map_err(png_error)?;
    let channels = reader.output_color_type().0.samples();
    let interlaced = reader.info().interlaced;

    let factor = shrink::factor(width, height, min_edge);
    let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
    let row_bytes = u64::from(width) * (3 * 8 + channels as u64 + 3);
    let whole_bytes = if interlaced {
        reader.output_buffer_size() as u64
    } else {
        0
    };
    let needed = u64::from(out_width) * u64::from(out_height) * 3
        + row_bytes
        + whole_bytes
        + DECODER_FIXED_BYTES;
    limits.afford(needed)?;

    let mut image = BoxShrink::new(width, height, factor, channels);
    if interlaced {
        let mut whole = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut whole).map_err(png_error)?;
        let line = reader.output_line_size(width);
        for row in whole.chunks_exact(line).take(height as usize) {
            image.push_row(row);
        }
    } else {
        while let Some(row) = reader.next_row().map_err(png_error)? {
            image.push_row(row.data());
        }
    }
    Ok(Decoded {
        image: image.finish()?,
        format: Format::Png,
        original: (width, height),
        exif: layout.exif,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(data)
            .unwrap();
        bytes
    }

    fn decode_bytes(bytes: &[u8], min_edge: u32) -> Result<Decoded, MediaError> {
        decode(&mut std::io::Cursor::new(bytes), min_edge, &Limits::PHONE)
    }

    #[test]
    fn rows_are_shrunk_by_a_box_that_keeps_the_edge_asked() {
        // 10×4 grey ramp, shrunk by 3 for an edge of 3: boxes of 3×3, 3×3, 3×3, 1×3 and a
        // last row of 3×1, …
        let data: Vec<u8> = (0..40).map(|i| (i % 10 * 20) as u8).collect();
        let bytes = encode(
            10,
            4,
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            &data,
        );
        let decoded = decode_bytes(&bytes, 3).unwrap();
        assert_eq!((decoded.image.width, decoded.image.height), (4, 2));
        assert_eq!(decoded.original, (10, 4));
        let first_row: Vec<u8> = decoded.image.pixels[..12]
            .iter()
            .step_by(3)
            .copied()
            .collect();
        assert_eq!(first_row, vec![20, 80, 140, 180]);
    }

    #[test]
    fn sixteen_bit_grey_is_read_as_eight() {
        let data: Vec<u8> = [0x1234u16, 0xFFFF, 0x0000, 0x8000]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let bytes = encode(
            2,
            2,
            png::ColorType::Grayscale,
            png::BitDepth::Sixteen,
            &data,
        );
        let decoded = decode_bytes(&bytes, 2048).unwrap();
        assert_eq!(
            decoded.image.pixels,
            vec![0x12, 0x12, 0x12, 255, 255, 255, 0, 0, 0, 0x80, 0x80, 0x80]
        );
    }
}
