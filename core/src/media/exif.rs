//! What the camera wrote about a photo: its orientation, when it was taken and where. Kept as
//! metadata (the output JPEG carries no EXIF) and compared with the device's own clock and
//! position.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use exif::{In, Tag, Value};
use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;

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

/// Reads the EXIF a decoder found in a photo (the TIFF structure); broken EXIF is none, which
/// is not an error: the photo itself is still evidence.
pub fn parse(raw: &[u8]) -> CameraMetadata {
    let Ok(exif) = exif::Reader::new().read_raw(raw.to_vec()) else {
        return CameraMetadata::default();
    };
    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|o| u8::try_from(o).ok());
    let text = |tag: Tag| match exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(parts)) => parts
            .first()
            .map(|p| String::from_utf8_lossy(p).trim().to_owned()),
        _ => None,
    };
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
        let Value::Rational(parts) = &exif.get_field(value_tag, In::PRIMARY)?.value else {
            return None;
        };
        let [d, m, s] = parts.as_slice() else {
            return None;
        };
        let degrees = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        let sign = if text(ref_tag).is_some_and(|r| r.eq_ignore_ascii_case(negative)) {
            -1.0
        } else {
            1.0
        };
        Some(sign * degrees)
    };
    let position = match (
        coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S"),
        coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W"),
    ) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
        _ => None,
    };
    CameraMetadata {
        orientation,
        taken_at,
        position,
    }
}
