//! Our own walk of a JPEG's header: SOI, then every segment up to the first SOS, never the
//! entropy-coded data. It tells what decoding will cost (size, coding, sampling, whether the
//! first scan holds every component) and hands over the EXIF, before libjpeg allocates
//! anything. Outside input: every length is checked, every read may meet the end of the file.

use std::io::{self, Read};

use crate::media::{MediaError, Part};

/// How the frame is coded (the SOF marker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// SOF0: what cameras write.
    Baseline,
    /// SOF1: sequential Huffman, extended tables.
    Extended,
    /// SOF2: the scans refine the whole image, so all its coefficients stay in memory.
    Progressive,
    /// SOF3 and SOF11.
    Lossless,
    /// SOF9 and SOF10 (libjpeg-turbo is built here without the arithmetic decoder).
    Arithmetic,
    /// SOF5–7 and SOF13–15, which libjpeg does not decode.
    Hierarchical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Component {
    pub id: u8,
    /// Horizontal and vertical sampling factors (1 to 4 in a valid file).
    pub h: u8,
    pub v: u8,
}

/// What the header says, up to the first scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub width: u32,
    pub height: u32,
    pub coding: Coding,
    /// Bits per sample (8 for every camera).
    pub precision: u8,
    pub components: Vec<Component>,
    /// The component ids of the first scan.
    pub first_scan: Vec<u8>,
    /// The first EXIF APP1 segment's TIFF structure, without `Exif\0\0`.
    pub exif: Option<Vec<u8>>,
    /// Marker segments before the first scan.
    pub segments: u32,
}

impl Header {
    /// libjpeg keeps every DCT coefficient of the image when the scans are not one pass over
    /// every component: progressive, or sequential with one scan per component.
    pub fn keeps_all_coefficients(&self) -> bool {
        self.coding == Coding::Progressive || self.first_scan.len() < self.components.len()
    }

    /// Refuses, by name, what the decoder here cannot turn into a photo.
    pub fn check_supported(&self) -> Result<(), MediaError> {
        let format = match self.coding {
            Coding::Lossless => Some("lossless JPEG"),
            Coding::Arithmetic => Some("arithmetic-coded JPEG"),
            Coding::Hierarchical => Some("hierarchical JPEG"),
            Coding::Baseline | Coding::Extended | Coding::Progressive => None,
        };
        if let Some(format) = format {
            return Err(MediaError::Unsupported { format });
        }
        if self.precision != 8 {
            return Err(MediaError::Unsupported {
                format: "12-bit JPEG",
            });
        }
        match self.components.len() {
            1 | 3 => Ok(()),
            4 => Err(MediaError::Unsupported {
                format: "CMYK JPEG",
            }),
            n => Err(corrupt(format!("the frame declares {n} colour components"))),
        }
    }
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP1: u8 = 0xE1;

/// Reads the header from the start of `source`, counting segments up to `max_segments`.
pub(crate) fn read<R: Read>(source: &mut R, max_segments: u32) -> Result<Header, MediaError> {
    let mut source = Bytes(source);
    if source.u8()? != 0xFF || source.u8()? != SOI {
        return Err(MediaError::NotAnImage);
    }
    let mut frame: Option<(Coding, u8, u32, u32, Vec<Component>)> = None;
    let mut exif = None;
    let mut segments = 0u32;
    loop {
        let marker = source.next_marker()?;
        segments += 1;
        if segments > max_segments {
            return Err(MediaError::TooComplex {
                what: Part::Segments,
                count: u64::from(segments),
                limit: u64::from(max_segments),
            });
        }
        match marker {
            SOI => return Err(corrupt("a second start-of-image marker")),
            EOI => return Err(corrupt("the file ends before any image data")),
            // Markers without a length (restart markers, TEM).
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let length = source.u16()?;
        let Some(length) = length.checked_sub(2) else {
            return Err(corrupt(format!("a segment of length {length}")));
        };
        let length = usize::from(length);
        if let Some(coding) = frame_coding(marker) {
            if frame.is_some() {
                return Err(corrupt("two frame headers"));
            }
            let segment = source.payload(length)?;
            frame = Some(read_frame(coding, &segment)?);
        } else if marker == SOS {
            let Some((coding, precision, width, height, components)) = frame else {
                return Err(corrupt("a scan before the frame header"));
            };
            let segment = source.payload(length)?;
            let first_scan = read_scan(&segment, &components)?;
            return Ok(Header {
                width,
                height,
                coding,
                precision,
                components,
                first_scan,
                exif,
                segments,
            });
        } else if marker == APP1 && exif.is_none() {
            let segment = source.payload(length)?;
            exif = segment.strip_prefix(b"Exif\0\0").map(<[u8]>::to_vec);
        } else {
            source.skip(length)?;
        }
    }
}

fn frame_coding(marker: u8) -> Option<Coding> {
    Some(match marker {
        0xC0 => Coding::Baseline,
        0xC1 => Coding::Extended,
        0xC2 => Coding::Progressive,
        0xC3 | 0xCB => Coding::Lossless,
        0xC9 | 0xCA => Coding::Arithmetic,
        0xC5..=0xC7 | 0xCD..=0xCF => Coding::Hierarchical,
        _ => return None,
    })
}

/// SOF: precision, height, width, then three bytes per component (id, sampling, table).
fn read_frame(
    coding: Coding,
    segment: &[u8],
) -> Result<(Coding, u8, u32, u32, Vec<Component>), MediaError> {
    let [precision, h0, h1, w0, w1, count, rest @ ..] = segment else {
        return Err(corrupt("a frame header too short"));
    };
    if rest.len() != usize::from(*count) * 3 || *count == 0 {
        return Err(corrupt(
            "a frame header whose length disagrees with its components",
        ));
    }
    let mut components = Vec::with_capacity(usize::from(*count));
    for c in rest.chunks_exact(3) {
        let (h, v) = (c[1] >> 4, c[1] & 0x0F);
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
            return Err(corrupt(format!("a sampling factor of {h}×{v}")));
        }
        components.push(Component { id: c[0], h, v });
    }
    let height = u32::from(u16::from_be_bytes([*h0, *h1]));
    let width = u32::from(u16::from_be_bytes([*w0, *w1]));
    Ok((coding, *precision, width, height, components))
}

/// SOS: the count of components, then two bytes each (id, tables), then three bytes of
/// spectral selection and approximation.
fn read_scan(segment: &[u8], components: &[Component]) -> Result<Vec<u8>, MediaError> {
    let [count, rest @ ..] = segment else {
        return Err(corrupt("a scan header too short"));
    };
    if !(1..=4).contains(count) || rest.len() != usize::from(*count) * 2 + 3 {
        return Err(corrupt(
            "a scan header whose length disagrees with its components",
        ));
    }
    let ids: Vec<u8> = rest[..usize::from(*count) * 2]
        .chunks_exact(2)
        .map(|c| c[0])
        .collect();
    if ids.iter().any(|id| !components.iter().any(|c| c.id == *id)) {
        return Err(corrupt("a scan of a component the frame does not have"));
    }
    Ok(ids)
}

fn corrupt(what: impl Into<String>) -> MediaError {
    MediaError::Corrupt(what.into())
}

/// Reads that turn the end of the file into [`MediaError::Truncated`].
struct Bytes<'a, R>(&'a mut R);

impl<R: Read> Bytes<'_, R> {
    fn u8(&mut self) -> Result<u8, MediaError> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    fn u16(&mut self) -> Result<u16, MediaError> {
        let mut b = [0u8; 2];
        self.exact(&mut b)?;
        Ok(u16::from_be_bytes(b))
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<(), MediaError> {
        self.0.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => MediaError::Truncated,
            _ => MediaError::Io(e),
        })
    }

    /// A segment's payload (at most 65,533 bytes: the length field is 16 bits).
    fn payload(&mut self, length: usize) -> Result<Vec<u8>, MediaError> {
        let mut segment = vec![0u8; length];
        self.exact(&mut segment)?;
        Ok(segment)
    }

    fn skip(&mut self, length: usize) -> Result<(), MediaError> {
        let skipped = io::copy(&mut self.0.by_ref().take(length as u64), &mut io::sink())?;
        if skipped < length as u64 {
            return Err(MediaError::Truncated);
        }
        Ok(())
    }

    /// The next marker code, skipping what libjpeg skips too (its `next_marker`): stray bytes
    /// before a marker, fill bytes `FF`, and a stuffed `FF 00`.
    fn next_marker(&mut self) -> Result<u8, MediaError> {
        loop {
            while self.u8()? != 0xFF {}
            let mut code = self.u8()?;
            while code == 0xFF {
                code = self.u8()?;
            }
            if code != 0 {
                return Ok(code);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    fn file(sof: u8, components: &[(u8, u8)], scan: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
        let mut f = vec![0xFF, SOI];
        for e in extra {
            f.extend_from_slice(e);
        }
        let mut frame = vec![8, 0x0B, 0xB8, 0x0F, 0xA0, components.len() as u8];
        for (id, hv) in components {
            frame.extend_from_slice(&[*id, *hv, 0]);
        }
        f.extend(segment(sof, &frame));
        let mut sos = vec![scan.len() as u8];
        for id in scan {
            sos.extend_from_slice(&[*id, 0]);
        }
        sos.extend_from_slice(&[0, 63, 0]);
        f.extend(segment(SOS, &sos));
        f.extend_from_slice(&[0x12, 0x34, 0xFF, EOI]);
        f
    }

    #[test]
    fn the_header_walk_reads_size_coding_sampling_and_exif() {
        let exif = segment(APP1, b"Exif\0\0MM\0*");
        let bytes = file(
            0xC2,
            &[(1, 0x22), (2, 0x11), (3, 0x11)],
            &[1, 2, 3],
            &[exif],
        );
        let header = read(&mut bytes.as_slice(), 100).unwrap();
        assert_eq!((header.width, header.height), (4000, 3000));
        assert_eq!(header.coding, Coding::Progressive);
        assert_eq!(header.components[0], Component { id: 1, h: 2, v: 2 });
        assert_eq!(header.first_scan, vec![1, 2, 3]);
        assert_eq!(header.exif.as_deref(), Some(&b"MM\0*"[..]));
        assert_eq!(header.segments, 3);
        assert!(header.keeps_all_coefficients());
    }

    #[test]
    fn a_sequential_file_with_one_scan_per_component_keeps_its_coefficients() {
        let bytes = file(0xC0, &[(1, 0x11), (2, 0x11), (3, 0x11)], &[1], &[]);
        let header = read(&mut bytes.as_slice(), 100).unwrap();
        assert!(header.keeps_all_coefficients());
        let bytes = file(0xC0, &[(1, 0x22), (2, 0x11), (3, 0x11)], &[1, 2, 3], &[]);
        assert!(
            !read(&mut bytes.as_slice(), 100)
                .unwrap()
                .keeps_all_coefficients()
        );
    }

    #[test]
    fn too_many_segments_before_the_image_are_refused() {
        let comments: Vec<Vec<u8>> = (0..20).map(|_| segment(0xFE, b"hi")).collect();
        let bytes = file(0xC0, &[(1, 0x11)], &[1], &comments);
        assert!(matches!(
            read(&mut bytes.as_slice(), 10),
            Err(MediaError::TooComplex {
                what: Part::Segments,
                ..
            })
        ));
    }

    #[test]
    fn every_cut_of_a_header_is_refused_not_a_panic() {
        let exif = segment(APP1, b"Exif\0\0MM\0*");
        let bytes = file(
            0xC0,
            &[(1, 0x22), (2, 0x11), (3, 0x11)],
            &[1, 2, 3],
            &[exif],
        );
        let sos_end = bytes.len() - 4;
        for cut in 0..sos_end {
            let result = read(&mut &bytes[..cut], 100);
            assert!(
                matches!(result, Err(MediaError::Truncated | MediaError::NotAnImage)),
                "cut at {cut}: {result:?}"
            );
        }
    }

    #[test]
    fn codings_the_decoder_lacks_are_named() {
        for (sof, name) in [
            (0xC9, "arithmetic-coded JPEG"),
            (0xC3, "lossless JPEG"),
            (0xC5, "hierarchical JPEG"),
        ] {
            let bytes = file(sof, &[(1, 0x11)], &[1], &[]);
            let header = read(&mut bytes.as_slice(), 100).unwrap();
            assert!(
                matches!(header.check_supported(), Err(MediaError::Unsupported { format }) if format == name)
            );
        }
    }

    #[test]
    fn malformed_segments_are_corrupt() {
        let bad_sampling = file(0xC0, &[(1, 0x51)], &[1], &[]);
        let unknown_scan = file(0xC0, &[(1, 0x11)], &[7], &[]);
        let short_length = [0xFF, SOI, 0xFF, 0xE0, 0x00, 0x01];
        for bytes in [bad_sampling, unknown_scan, short_length.to_vec()] {
            assert!(matches!(
                read(&mut bytes.as_slice(), 100),
                Err(MediaError::Corrupt(_))
            ));
        }
    }
}
