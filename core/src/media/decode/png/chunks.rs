//! The walk over a PNG's chunks, before any pixel is decoded: the image header (its size checked
//! against the pixel limit as soon as it is read), the EXIF, and
//! the proof that the file is whole (every chunk inside the file, every chunk other than the
//! image data matching its CRC — the decoder checks those of the image data — and IEND reached).
//! The chunks other than image data are counted and their bytes summed: a file of ten thousand
//! tiny chunks or of megabytes of metadata is refused before it costs anything.

use std::io::{Read, Seek, SeekFrom};

use crate::media::decode::{Limits, check_size};
use crate::media::exif;
use crate::media::{MediaError, Part};

/// The most bytes of chunks other than image data (text, colour profile, EXIF, …) in a file.
pub(super) const MAX_ANCILLARY_BYTES: usize = 8 * 1024 * 1024;

/// What the walk found.
#[derive(Debug)]
pub(super) struct Layout {
    pub size: (u32, u32),
    /// The TIFF structure of the first `eXIf` chunk, when it is one of at most 64 KiB.
    pub exif: Option<Vec<u8>>,
}

pub(super) fn walk<R: Read + Seek>(source: &mut R, limits: &Limits) -> Result<Layout, MediaError> {
    let file_len = source.seek(SeekFrom::End(0))?;
    source.seek(SeekFrom::Start(8))?;
    let mut position = 8u64;
    let mut size = None;
    let mut exif = None;
    let mut chunks = 0u64;
    let mut ancillary = 0u64;
    let mut seen_image_data = false;
    loop {
        let mut header = [0u8; 8];
        if position + 8 > file_len {
            return Err(MediaError::Truncated);
        }
        source.read_exact(&mut header)?;
        let length = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if length > i32::MAX as u64 {
            return Err(MediaError::Corrupt(
                "a chunk declares an impossible length".into(),
            ));
        }
        if position + 8 + length + 4 > file_len {
            return Err(MediaError::Truncated);
        }
        position += 8 + length + 4;
        if size.is_none() && &kind != b"IHDR" {
            return Err(MediaError::Corrupt(
                "the image header is not the first chunk".into(),
            ));
        }
        let image_data = matches!(&kind, b"IDAT" | b"fdAT");
        if image_data {
            seen_image_data = true;
            // The decoder checks the image data's CRC as it reads it; an animation's frames
            // are not read at all (a photo is the still image).
            source.seek(SeekFrom::Current(length as i64 + 4))?;
            continue;
        }
        chunks += 1;
        ancillary += length;
        if chunks > u64::from(limits.max_chunks) {
            return Err(MediaError::TooComplex {
                what: Part::Chunks,
                count: chunks,
                limit: u64::from(limits.max_chunks),
            });
        }
        if ancillary > MAX_ANCILLARY_BYTES as u64 {
            return Err(MediaError::TooComplex {
                what: Part::MetadataBytes,
                count: ancillary,
                limit: MAX_ANCILLARY_BYTES as u64,
            });
        }
        let keep = match &kind {
            b"IHDR" | b"PLTE" => true,
            b"eXIf" => exif.is_none() && length as usize <= exif::MAX_EXIF_BYTES + 6,
            _ => false,
        };
        let data = checked_data(source, kind, length, keep)?;
        match &kind {
            b"IHDR" if length == 13 && size.is_none() => {
                let width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                let height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                // A bomb is refused on its header, before the rest of the file is read.
                check_size(u64::from(width), u64::from(height), limits.max_pixels)?;
                size = Some((width, height));
            }
            b"IHDR" => return Err(MediaError::Corrupt("the image header is damaged".into())),
            // The `png` crate panics on a palette that is not whole RGB triples (found by the
            // `photo` fuzz target).
            b"PLTE" if length % 3 != 0 || length > 768 || length == 0 => {
                return Err(MediaError::Corrupt(
                    "the palette is not whole colours".into(),
                ));
            }
            b"eXIf" if keep && !seen_image_data => {
                exif = exif::tiff_in(&data).map(<[u8]>::to_vec);
            }
            b"IEND" => break,
            _ => {}
        }
    }
    if !seen_image_data {
        return Err(MediaError::Corrupt("the file has no image data".into()));
    }
    let size = size.ok_or_else(|| MediaError::Corrupt("no image header".into()))?;
    Ok(Layout { size, exif })
}

/// Reads a chunk's data and CRC, checks the CRC, and returns the data when asked to keep it.
fn checked_data<R: Read>(
    source: &mut R,
    kind: [u8; 4],
    length: u64,
    keep: bool,
) -> Result<Vec<u8>, MediaError> {
    let mut crc = Crc32::new();
    crc.update(&kind);
    let mut kept = Vec::new();
    let mut left = length;
    let mut buffer = [0u8; 8192];
    while left > 0 {
        let n = left.min(buffer.len() as u64) as usize;
        source.read_exact(&mut buffer[..n])?;
        crc.update(&buffer[..n]);
        if keep {
            kept.extend_from_slice(&buffer[..n]);
        }
        left -= n as u64;
    }
    let mut stored = [0u8; 4];
    source.read_exact(&mut stored)?;
    if crc.finish() != u32::from_be_bytes(stored) {
        return Err(MediaError::Corrupt(format!(
            "the {} chunk fails its checksum",
            String::from_utf8_lossy(&kind).escape_debug()
        )));
    }
    Ok(kept)
}

/// CRC-32 as PNG computes it (ISO 3309, polynomial 0xEDB88320).
struct Crc32(u32);

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

impl Crc32 {
    fn new() -> Self {
        Self(0xFFFF_FFFF)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = CRC_TABLE[((self.0 ^ u32::from(b)) & 0xFF) as usize] ^ (self.0 >> 8);
        }
    }

    fn finish(&self) -> u32 {
        self.0 ^ 0xFFFF_FFFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_png_s() {
        let mut crc = Crc32::new();
        crc.update(b"IEND");
        assert_eq!(crc.finish(), 0xAE42_6082);
    }
}
