//! Reading photos: the format is told by the file's first bytes (not its name), the declared
//! size is checked before any pixel buffer is allocated, and JPEGs are decoded straight to the
//! size needed by scaling in the DCT domain (libjpeg-turbo's `scale_num / 8`), which costs a
//! fraction of the time and memory of a full-size decode followed by a resize.

use std::io::{BufRead, BufReader, Seek};
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

mod jpeg;
mod png;
mod webp;

pub use jpeg::{encode_jpeg, scale_numerator};

/// What a decode may cost. A file whose decoder would need more is refused with its own
/// [`MediaError`] before the work is done, not after the phone ran out of memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Declared sizes above this many pixels are refused before decoding (decompression bombs).
    pub max_pixels: u64,
    /// The peak memory, in bytes, that decoding (and the pipeline after it) may take: computed
    /// from the header (pixel buffers, a progressive JPEG's coefficients) before decoding.
    pub max_memory: u64,
    /// The most scans a JPEG may have (each costs a pass over the whole image).
    pub max_scans: u32,
    /// The most chunks or segments a file may carry before its image data.
    pub max_chunks: u32,
}

impl Limits {
    /// Whether a decode that needs `needed` bytes at its peak fits the memory budget; if not,
    /// the refusal, made before any of it is allocated.
    pub fn afford(&self, needed: u64) -> Result<(), MediaError> {
        const MIB: u64 = 1024 * 1024;
        if needed > self.max_memory {
            return Err(MediaError::OverBudget {
                needed_mib: needed.div_ceil(MIB),
                budget_mib: self.max_memory / MIB,
            });
        }
        Ok(())
    }

    /// Enough for any real camera's photo; the budget of any file on a cheap phone.
    pub const PHONE: Limits = Limits {
        max_pixels: 64_000_000,
        max_memory: 128 * 1024 * 1024,
        max_scans: 100,
        max_chunks: 1_000,
    };
}

/// A decoded photo: pixels (no smaller than asked, when the file is larger), its format, its
/// size as stored in the file, and the EXIF it carried (the TIFF structure, without any
/// `Exif\0\0` prefix), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub image: RgbImage,
    pub format: Format,
    pub original: (u32, u32),
    pub exif: Option<Vec<u8>>,
}

/// The image at `path` decoded so that its longest edge is at least `min_edge` (when the file is
/// larger) and as small as the decoder can cheaply make it, within `limits`.
pub fn decode_for_edge(path: &Path, min_edge: u32, limits: &Limits) -> Result<Decoded, MediaError> {
    let file = BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
    decode_reader(file, min_edge, limits)
}

/// [`decode_for_edge`] on any seekable source (the fuzz target feeds it bytes in memory).
pub fn decode_reader<R: BufRead + Seek>(
    mut source: R,
    min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let head = source.fill_buf()?.to_vec();
    // Each format's own walk hands over its EXIF: no container reader runs behind it.
    match sniff(&head)? {
        Format::Jpeg => jpeg::decode(&mut source, min_edge, limits),
        Format::Png => png::decode(&mut source, min_edge, limits),
        Format::WebP => webp::decode(&mut source, min_edge, limits),
    }
}

/// The format from the first bytes; an empty file and anything else are refused. Image formats
/// Doorstep does not take (HEIC, the iPhone's default, AVIF, GIF, BMP, TIFF and the camera raw
/// files built on it) are named in their refusal, so the technician knows what was picked.
pub fn sniff(head: &[u8]) -> Result<Format, MediaError> {
    let unsupported = |format| Err(MediaError::Unsupported { format });
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
        [b'R', b'I', b'F', b'F', ..] if head.len() < 12 => Err(MediaError::Truncated),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => match iso_bmff_image(head) {
            Some(format) => unsupported(format),
            None => Err(MediaError::NotAnImage),
        },
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => unsupported("GIF"),
        // "BM" is two letters of text too: the DIB header's size must be one of the known ones.
        [b'B', b'M', ..]
            if matches!(
                head.get(14..18),
                Some([12 | 40 | 52 | 56 | 64 | 108 | 124, 0, 0, 0])
            ) =>
        {
            unsupported("BMP")
        }
        [b'I', b'I', 42 | 43, 0, ..] | [b'M', b'M', 0, 42 | 43, ..] => unsupported("TIFF"),
        _ => Err(MediaError::NotAnImage),
    }
}

/// The still-image format of an ISO-BMFF file (its `ftyp` box's major and compatible brands):
/// AVIF when any brand says so (an AVIF may also carry `mif1`), else HEIC for the HEIF brands;
/// none for a video or anything else.
fn iso_bmff_image(head: &[u8]) -> Option<&'static str> {
    let declared = u32::from_be_bytes(head.get(..4)?.try_into().ok()?) as usize;
    let ftyp = head.get(8..declared.clamp(8, head.len()))?;
    // Major brand, minor version (not a brand), then the compatible brands.
    let brands: Vec<&[u8]> = ftyp
        .chunks_exact(4)
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, brand)| brand)
        .collect();
    let any = |set: &[&[u8; 4]]| {
        brands
            .iter()
            .any(|b| set.iter().any(|s| s.as_slice() == *b))
    };
    if any(&[b"avif", b"avis"]) {
        Some("AVIF")
    } else if any(&[
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
    ]) {
        Some("HEIC")
    } else {
        None
    }
}

pub(super) fn check_size(width: u64, height: u64, max_pixels: u64) -> Result<(), MediaError> {
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

/// Copies pixels of `channels` bytes into RGB, compositing any alpha over white (a signature or
/// a screenshot with transparency must not turn black).
pub(super) fn to_rgb(data: &[u8], channels: usize, rgb: &mut [u8]) {
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
        assert!(matches!(
            sniff(b"RIFF\x10\0\0\0WE"),
            Err(MediaError::Truncated)
        ));
    }

    #[test]
    fn image_formats_not_taken_are_named_in_their_refusal() {
        let named = |head: &[u8]| match sniff(head) {
            Err(MediaError::Unsupported { format }) => Some(format),
            _ => None,
        };
        let ftyp = |brands: &[&[u8; 4]]| {
            let mut bytes = vec![0, 0, 0, (8 + 4 * brands.len()) as u8];
            bytes.extend_from_slice(b"ftyp");
            for (i, brand) in brands.iter().enumerate() {
                bytes.extend_from_slice(brand.as_slice());
                if i == 0 {
                    bytes.extend_from_slice(&[0, 0, 0, 0]);
                }
            }
            bytes[3] += 4;
            bytes.extend_from_slice(&[0; 32]);
            bytes
        };
        // An iPhone's photo: major brand heic, compatible mif1, heic.
        assert_eq!(named(&ftyp(&[b"heic", b"mif1", b"heic"])), Some("HEIC"));
        for brand in [
            b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
        ] {
            assert_eq!(named(&ftyp(&[brand])), Some("HEIC"), "{brand:?}");
        }
        assert_eq!(named(&ftyp(&[b"avif", b"mif1", b"miaf"])), Some("AVIF"));
        assert_eq!(named(&ftyp(&[b"mif1", b"avif"])), Some("AVIF"));
        assert_eq!(named(&ftyp(&[b"avis", b"msf1"])), Some("AVIF"));
        // A phone's video is not an image: not named as one.
        assert!(matches!(
            sniff(&ftyp(&[b"isom", b"mp41"])),
            Err(MediaError::NotAnImage)
        ));
        assert_eq!(named(b"GIF89a\x01\0\x01\0"), Some("GIF"));
        assert_eq!(named(b"GIF87a\x01\0\x01\0"), Some("GIF"));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&[40, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(named(&bmp), Some("BMP"));
        assert!(matches!(
            sniff(b"BMW is a car, not a bitmap"),
            Err(MediaError::NotAnImage)
        ));
        assert_eq!(named(b"II*\0\x08\0\0\0"), Some("TIFF"));
        assert_eq!(named(b"MM\0*\0\0\0\x08"), Some("TIFF"));
    }
}
