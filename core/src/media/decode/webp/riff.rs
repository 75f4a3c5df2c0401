//! The walk over a WebP's RIFF chunks, before `image-webp` is given the file: the image's size
//! and kind from its headers, the EXIF chunk, and the refusals that need no decoding (a file
//! cut short, an animation, too many chunks). `image-webp` walks every chunk of an extended
//! file itself, however many there are: it is only called once this walk has bounded them.

use std::io::{Read, Seek, SeekFrom};

use crate::media::decode::Limits;
use crate::media::exif;
use crate::media::{MediaError, Part};

/// How the image data is coded, which decides what decoding it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    /// VP8: YUV planes, then RGB; an `ALPH` chunk is a second, lossless-coded plane.
    Lossy { data_bytes: u64 },
    /// VP8L: ARGB decoded whole.
    Lossless,
}

#[derive(Debug)]
pub(super) struct Layout {
    pub size: (u32, u32),
    pub coding: Coding,
    /// Whether `image-webp` decodes to RGBA (else RGB).
    pub alpha: bool,
    /// The bytes of prefix-coded (lossless) data: the `VP8L` image, or a lossy image's `ALPH`
    /// plane. Its Huffman tables cost memory in proportion to these bytes, not to the pixels.
    pub prefix_coded_bytes: u64,
    pub exif: Option<Vec<u8>>,
}

pub(super) fn walk<R: Read + Seek>(source: &mut R, limits: &Limits) -> Result<Layout, MediaError> {
    let file_len = source.seek(SeekFrom::End(0))?;
    source.seek(SeekFrom::Start(0))?;
    let mut riff = [0u8; 12];
    read(source, &mut riff)?;
    let riff_end = 8 + u64::from(u32::from_le_bytes([riff[4], riff[5], riff[6], riff[7]]));
    if riff_end > file_len {
        return Err(MediaError::Truncated);
    }
    let mut position = 12u64;
    let mut chunks = 0u64;
    let mut extended: Option<([u8; 10], (u32, u32))> = None;
    let mut simple: Option<Layout> = None;
    let mut image: Option<([u8; 4], u64)> = None;
    let mut exif = None;
    let mut alpha_plane = 0u64;
    while position + 8 <= riff_end {
        let mut header = [0u8; 8];
        read(source, &mut header)?;
        let kind = [header[0], header[1], header[2], header[3]];
        let length = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        let padded = length + (length & 1);
        if position + 8 + length > riff_end {
            return Err(MediaError::Truncated);
        }
        chunks += 1;
        if chunks > u64::from(limits.max_chunks) {
            return Err(MediaError::TooComplex {
                what: Part::Chunks,
                count: chunks,
                limit: u64::from(limits.max_chunks),
            });
        }
        let first = chunks == 1;
        match &kind {
            b"VP8X" if first && length >= 10 => {
                let mut vp8x = [0u8; 10];
                read(source, &mut vp8x)?;
                let width = 1 + u32::from_le_bytes([vp8x[4], vp8x[5], vp8x[6], 0]);
                let height = 1 + u32::from_le_bytes([vp8x[7], vp8x[8], vp8x[9], 0]);
                if vp8x[0] & 0x02 != 0 {
                    return Err(MediaError::Unsupported {
                        format: "animated WebP",
                    });
                }
                extended = Some((vp8x, (width, height)));
            }
            b"VP8 " if first => simple = Some(lossy_header(source, length, false)?),
            b"VP8L" if first => simple = Some(lossless_header(source, length)?),
            _ if first => {
                return Err(MediaError::Corrupt(
                    "the WebP starts with no image header".into(),
                ));
            }
            b"ANIM" | b"ANMF" => {
                return Err(MediaError::Unsupported {
                    format: "animated WebP",
                });
            }
            b"VP8 " | b"VP8L" if extended.is_some() && image.is_none() => {
                image = Some((kind, length));
            }
            b"ALPH" if extended.is_some() => alpha_plane = alpha_plane.max(length),
            b"EXIF" if exif.is_none() && length as usize <= exif::MAX_EXIF_BYTES + 6 => {
                let mut chunk = vec![0u8; length as usize];
                read(source, &mut chunk)?;
                exif = Some(exif::tiff_in(&chunk).map(<[u8]>::to_vec));
            }
            _ => {}
        }
        position += 8 + padded;
        source.seek(SeekFrom::Start(position))?;
    }
    if let Some(layout) = simple {
        return Ok(layout);
    }
    let Some((vp8x, size)) = extended else {
        return Err(MediaError::Corrupt("the WebP has no image".into()));
    };
    let Some((kind, length)) = image else {
        return Err(MediaError::Corrupt("the WebP has no image data".into()));
    };
    // `image-webp` decodes to RGBA when the extended header says alpha, whatever the data.
    let alpha = vp8x[0] & 0x10 != 0;
    let (coding, prefix_coded_bytes) = match &kind {
        b"VP8 " => (Coding::Lossy { data_bytes: length }, alpha_plane),
        _ => (Coding::Lossless, length),
    };
    Ok(Layout {
        size,
        coding,
        alpha,
        prefix_coded_bytes,
        exif: exif.flatten(),
    })
}

/// The frame header of a simple lossy WebP (`VP8 `): its size.
fn lossy_header<R: Read>(source: &mut R, length: u64, alpha: bool) -> Result<Layout, MediaError> {
    let mut head = [0u8; 10];
    read(source, &mut head)?;
    if head[3..6] != [0x9D, 0x01, 0x2A] {
        return Err(MediaError::Corrupt(
            "the VP8 frame header is damaged".into(),
        ));
    }
    let width = u32::from(u16::from_le_bytes([head[6], head[7]]) & 0x3FFF);
    let height = u32::from(u16::from_le_bytes([head[8], head[9]]) & 0x3FFF);
    Ok(Layout {
        size: (width, height),
        coding: Coding::Lossy { data_bytes: length },
        alpha,
        prefix_coded_bytes: 0,
        exif: None,
    })
}

/// The header of a simple lossless WebP (`VP8L`): its size and whether it has alpha.
fn lossless_header<R: Read>(source: &mut R, length: u64) -> Result<Layout, MediaError> {
    let mut head = [0u8; 5];
    read(source, &mut head)?;
    if head[0] != 0x2F {
        return Err(MediaError::Corrupt("the VP8L header is damaged".into()));
    }
    let bits = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
    Ok(Layout {
        size: (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)),
        coding: Coding::Lossless,
        alpha: (bits >> 28) & 1 != 0,
        prefix_coded_bytes: length,
        exif: None,
    })
}

fn read<R: Read>(source: &mut R, buffer: &mut [u8]) -> Result<(), MediaError> {
    source.read_exact(buffer).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => MediaError::Truncated,
        _ => MediaError::Io(e),
    })
}
