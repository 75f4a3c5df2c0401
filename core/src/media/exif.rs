//! What the camera wrote about a photo: its orientation, when it was taken and where. Kept as
//! metadata (the output JPEG carries no EXIF) and compared with the device's own clock and
//! position.
//!
//! Every format hands over the same thing, the TIFF structure ([`tiff_in`] strips the
//! `Exif\0\0` prefix some writers put before it). Its cost is bounded before it is parsed
//! ([`within_budget`]): kamadak-exif refuses IFD loops and more than 8 IFDs, but parses every
//! entry's value eagerly, and entries may all point at the same bytes.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use exif::{Field, In, Tag, Value};
use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;

/// EXIF larger than this is ignored (JPEG's APP1 cannot hold more; a PNG or WebP chunk can).
pub const MAX_EXIF_BYTES: usize = 64 * 1024;
/// The most IFD entries read in one EXIF (a phone writes a few hundred).
const MAX_ENTRIES: usize = 4_096;
/// The most bytes of entry values read in one EXIF: entries of a 64 KiB block that all point at
/// the same bytes would otherwise cost gigabytes (5,000 entries × 64 KiB per IFD).
const MAX_VALUE_BYTES: usize = 256 * 1024;

/// EXIF orientation 1–8: how the stored pixels must be turned to stand upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orientation(pub u8);

impl Orientation {
    pub const UPRIGHT: Orientation = Orientation(1);

    /// Whether width and height swap (the four orientations with a quarter turn).
    pub fn swaps_axes(self) -> bool {
        (5..=8).contains(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CameraMetadata {
    pub orientation: Option<u8>,
    /// DateTimeOriginal, in UTC when the camera recorded its offset; otherwise read as the
    /// utility's time zone (phones write local time).
    pub taken_at: Option<DateTime<Utc>>,
    pub position: Option<GeoPoint>,
    /// GPSAltitude, metres above sea level (negative below).
    #[serde(default)]
    pub altitude_m: Option<f64>,
}

impl CameraMetadata {
    pub fn orientation(&self) -> Orientation {
        Orientation(
            self.orientation
                .filter(|o| (1..=8).contains(o))
                .unwrap_or(1),
        )
    }
}

/// The TIFF structure in an EXIF chunk as PNG's `eXIf` or WebP's `EXIF` hold it: with or
/// without the `Exif\0\0` prefix (libvips writes it, the specifications do not), none when it
/// is not TIFF or is larger than [`MAX_EXIF_BYTES`] (ignored, not refused: the photo is still
/// evidence).
pub fn tiff_in(chunk: &[u8]) -> Option<&[u8]> {
    let tiff = chunk.strip_prefix(b"Exif\0\0").unwrap_or(chunk);
    let is_tiff = tiff.starts_with(b"II*\0") || tiff.starts_with(b"MM\0*");
    (is_tiff && tiff.len() <= MAX_EXIF_BYTES).then_some(tiff)
}

/// Reads the EXIF a decoder found in a photo (the TIFF structure); broken, oversized or too
/// costly EXIF is none, which is not an error: the photo itself is still evidence.
pub fn parse(raw: &[u8]) -> CameraMetadata {
    let Some(tiff) = tiff_in(raw) else {
        return CameraMetadata::default();
    };
    if !within_budget(tiff) {
        return CameraMetadata::default();
    }
    let Ok(exif) = exif::Reader::new().read_raw(tiff.to_vec()) else {
        return CameraMetadata::default();
    };
    let field = |tag: Tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag: Tag| match field(tag).map(|f| &f.value) {
        Some(Value::Ascii(parts)) => parts
            .first()
            .map(|p| String::from_utf8_lossy(p).trim().to_owned()),
        _ => None,
    };
    let orientation = field(Tag::Orientation)
        .and_then(|f| number(&f.value, 0))
        .filter(|o| o.fract() == 0.0 && (1.0..=8.0).contains(o))
        .map(|o| o as u8);
    let taken_at = text(Tag::DateTimeOriginal).and_then(|local| {
        let naive = NaiveDateTime::parse_from_str(&local, "%Y:%m:%d %H:%M:%S").ok()?;
        let offset = text(Tag::OffsetTimeOriginal)
            .and_then(|o| {
                DateTime::parse_from_str(&format!("2000-01-01T00:00:00{o}"), "%Y-%m-%dT%H:%M:%S%:z")
                    .ok()
            })
            .map(|d| *d.offset())
            .unwrap_or_else(crate::calendar::service_timezone);
        offset
            .from_local_datetime(&naive)
            .single()
            .map(|t: DateTime<FixedOffset>| t.with_timezone(&Utc))
    });
    let coordinate = |value_tag: Tag, ref_tag: Tag, negative: &str| -> Option<f64> {
        let signed = degrees(field(value_tag)?)?;
        let negative = match text(ref_tag) {
            Some(r) if !r.is_empty() => r.eq_ignore_ascii_case(negative),
            // No reference: a signed value carries its own sign.
            _ => signed < 0.0,
        };
        Some(if negative {
            -signed.abs()
        } else {
            signed.abs()
        })
    };
    let position = match (
        coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S"),
        coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W"),
    ) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
        _ => None,
    };
    let altitude_m = field(Tag::GPSAltitude)
        .and_then(|f| number(&f.value, 0))
        .filter(|a| a.is_finite() && a.abs() < 100_000.0)
        .map(|a| {
            let below = field(Tag::GPSAltitudeRef).and_then(|f| number(&f.value, 0)) == Some(1.0);
            if below { -a.abs() } else { a }
        });
    CameraMetadata {
        orientation,
        taken_at,
        position,
        altitude_m,
    }
}

/// A GPS coordinate in degrees, from the three values (degrees, minutes, seconds) the standard
/// asks for, or the one (decimal degrees) or two (degrees, decimal minutes) some phones write,
/// in whichever numeric type they wrote it: RATIONAL, SRATIONAL (Nokia 8.3), FLOAT, DOUBLE or
/// an integer.
fn degrees(field: &Field) -> Option<f64> {
    let parts: Vec<f64> = (0..3).map_while(|i| number(&field.value, i)).collect();
    let (d, m, s) = match parts.as_slice() {
        [d] => (*d, 0.0, 0.0),
        [d, m] => (*d, *m, 0.0),
        [d, m, s] => (*d, *m, *s),
        _ => return None,
    };
    // One sign for the whole: a negative degree with positive minutes means further south.
    let sign = if d < 0.0 || m < 0.0 || s < 0.0 {
        -1.0
    } else {
        1.0
    };
    let value = sign * (d.abs() + m.abs() / 60.0 + s.abs() / 3600.0);
    value.is_finite().then_some(value)
}

/// The `index`th number of a value of any numeric EXIF type; none for a zero denominator.
fn number(value: &Value, index: usize) -> Option<f64> {
    let n = match value {
        Value::Byte(v) => f64::from(*v.get(index)?),
        Value::Short(v) => f64::from(*v.get(index)?),
        Value::Long(v) => f64::from(*v.get(index)?),
        Value::SByte(v) => f64::from(*v.get(index)?),
        Value::SShort(v) => f64::from(*v.get(index)?),
        Value::SLong(v) => f64::from(*v.get(index)?),
        Value::Rational(v) => {
            let r = v.get(index)?;
            (r.denom != 0).then(|| r.to_f64())?
        }
        Value::SRational(v) => {
            let r = v.get(index)?;
            (r.denom != 0).then(|| r.to_f64())?
        }
        Value::Float(v) => f64::from(*v.get(index)?),
        Value::Double(v) => *v.get(index)?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// Whether kamadak-exif may parse `tiff` at a bounded cost: the IFDs it would walk (the chain
/// of at most 8, and the Exif, GPS and Interop IFDs they point to, each once) hold at most
/// [`MAX_ENTRIES`] entries whose values add up to at most [`MAX_VALUE_BYTES`].
pub fn within_budget(tiff: &[u8]) -> bool {
    let mut walk = IfdWalk {
        tiff,
        little_endian: tiff.starts_with(b"II"),
        seen: Vec::new(),
        entries: 0,
        value_bytes: 0,
    };
    let Some(mut offset) = walk.u32_at(4) else {
        return false;
    };
    for _ in 0..8 {
        if offset == 0 {
            break;
        }
        match walk.ifd(offset as usize, 0) {
            Some(next) => offset = next,
            None => return false,
        }
    }
    walk.entries <= MAX_ENTRIES && walk.value_bytes <= MAX_VALUE_BYTES
}

struct IfdWalk<'a> {
    tiff: &'a [u8],
    little_endian: bool,
    seen: Vec<usize>,
    entries: usize,
    value_bytes: usize,
}

impl IfdWalk<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// Counts one IFD and the sub-IFDs it points to; returns the next IFD's offset, or none
    /// when the structure is broken or over budget (then it is not parsed at all).
    fn ifd(&mut self, offset: usize, depth: u8) -> Option<u32> {
        if self.seen.contains(&offset) || depth > 2 {
            return None;
        }
        self.seen.push(offset);
        let count = usize::from(self.u16_at(offset)?);
        self.entries += count;
        if self.entries > MAX_ENTRIES {
            return None;
        }
        for i in 0..count {
            let entry = offset + 2 + i * 12;
            let (tag, kind, n) = (
                self.u16_at(entry)?,
                self.u16_at(entry + 2)?,
                self.u32_at(entry + 4)?,
            );
            let unit: usize = match kind {
                1 | 2 | 6 | 7 => 1,
                3 | 8 => 2,
                4 | 9 | 11 => 4,
                5 | 10 | 12 => 8,
                _ => 0,
            };
            let bytes = unit.saturating_mul(n as usize);
            if bytes > 4 {
                self.value_bytes = self.value_bytes.saturating_add(bytes);
                if self.value_bytes > MAX_VALUE_BYTES {
                    return None;
                }
            }
            // Exif, GPS and Interop pointers: kamadak-exif follows them.
            if matches!(tag, 0x8769 | 0x8825 | 0xA005) && bytes <= 4 && bytes > 0 {
                let child = self.u32_at(entry + 8)? as usize;
                if child != 0 && !self.seen.contains(&child) {
                    self.ifd(child, depth + 1);
                }
            }
        }
        self.u32_at(offset + 2 + count * 12)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_chunk_is_read_with_or_without_its_prefix() {
        let tiff = b"II*\0\x08\0\0\0\0\0\0\0\0\0";
        assert_eq!(tiff_in(tiff), Some(&tiff[..]));
        let prefixed = [b"Exif\0\0".as_slice(), tiff].concat();
        assert_eq!(tiff_in(&prefixed), Some(&tiff[..]));
        assert_eq!(tiff_in(b"not exif"), None);
        let huge = [tiff.as_slice(), &vec![0; MAX_EXIF_BYTES]].concat();
        assert_eq!(tiff_in(&huge), None, "over 64 KiB: ignored");
    }

    #[test]
    fn big_endian_exif_is_walked_and_read_too() {
        // MM, IFD at 8, one entry: Orientation (0x0112), SHORT, 1 value, 6.
        let tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
        assert!(within_budget(tiff));
        assert_eq!(parse(tiff).orientation(), Orientation(6));
    }
}
