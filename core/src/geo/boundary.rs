//! A district's boundary as the back office writes it: corners typed as `lon lat, lon lat, …`,
//! or a GeoJSON file (a `Polygon`, a `Feature` holding one, or a `FeatureCollection` of exactly
//! one such feature). Both are WGS-84 decimal degrees, longitude first, as in GeoJSON.

use std::fmt;

use super::{Area, GeoPoint};

/// Why a boundary could not be read: where, when one corner is to blame, and why. It never
/// repeats the text it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryError {
    /// One corner of the ring: `corner N` of typed corners, `position N` of a GeoJSON ring
    /// (counted from 1).
    Corner {
        what: &'static str,
        number: usize,
        reason: String,
    },
    /// The boundary as a whole: not JSON, not a polygon, holes, too few corners.
    Shape(String),
}

impl fmt::Display for BoundaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoundaryError::Corner {
                what,
                number,
                reason,
            } => write!(f, "{what} {number}: {reason}"),
            BoundaryError::Shape(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for BoundaryError {}

fn shape(reason: impl Into<String>) -> BoundaryError {
    BoundaryError::Shape(reason.into())
}

/// An area the office drew: besides [`Area::new`]'s checks, its boundary encloses some ground
/// and does not cross itself. Three corners on one line contain nothing, and a bow tie contains
/// points by no rule anyone meant; either would assign households to the wrong district.
/// (Only here, where the office gives a boundary: a district already stored is read back as it
/// is, never refused.)
fn drawn(ring: Vec<GeoPoint>) -> Result<Area, BoundaryError> {
    use geo::Validation;
    let area = Area::new(ring).map_err(|e| shape(e.reason))?;
    if geo::Area::unsigned_area(&area.polygon) <= 0.0 || !area.polygon.is_valid() {
        return Err(shape(
            "the boundary must enclose some ground and must not cross itself",
        ));
    }
    Ok(area)
}

impl Area {
    /// Whether the area encloses some ground and does not cross itself: what a boundary the
    /// office draws must do (a planned outage's area is checked by it too).
    pub fn is_drawn_well(&self) -> bool {
        drawn(self.ring.clone()).is_ok()
    }

    /// An area from its corners typed as `lon lat, lon lat, lon lat, …` (at least three
    /// distinct corners; the ring closes by itself).
    pub fn parse_corners(text: &str) -> Result<Area, BoundaryError> {
        let mut ring = Vec::new();
        for (i, corner) in text.split(',').enumerate() {
            let bad = |reason: String| BoundaryError::Corner {
                what: "corner",
                number: i + 1,
                reason,
            };
            let how = || {
                bad(
                    "write each corner as 'lon lat' in decimal degrees, longitude first, \
                     corners separated by ','"
                        .to_owned(),
                )
            };
            let numbers: Vec<&str> = corner.split_whitespace().collect();
            let [lon, lat] = numbers[..] else {
                return Err(how());
            };
            let (Ok(lon), Ok(lat)) = (lon.parse::<f64>(), lat.parse::<f64>()) else {
                return Err(how());
            };
            ring.push(
                GeoPoint::new(lat, lon)
                    .map_err(|e| bad(format!("{} (longitude first)", e.reason)))?,
            );
        }
        drawn(ring)
    }

    /// The outer ring of a GeoJSON Polygon, of a Feature holding one, or of a FeatureCollection
    /// of exactly one such feature. A polygon with holes, a MultiPolygon or any other geometry
    /// is refused.
    pub fn from_geojson(text: &str) -> Result<Area, BoundaryError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| shape(format!("not JSON: {e}")))?;
        let geometry = match value["type"].as_str() {
            Some("Polygon") => &value,
            Some("Feature") => &value["geometry"],
            Some("FeatureCollection") => match value["features"].as_array().map(Vec::as_slice) {
                Some([feature]) => &feature["geometry"],
                _ => return Err(shape("a FeatureCollection must hold exactly one feature")),
            },
            _ => return Err(shape("expected a GeoJSON Polygon or a Feature holding one")),
        };
        if geometry["type"].as_str() != Some("Polygon") {
            return Err(shape(
                "the geometry must be a Polygon (not a MultiPolygon or other)",
            ));
        }
        let rings = geometry["coordinates"]
            .as_array()
            .ok_or_else(|| shape("the Polygon has no coordinates"))?;
        if rings.len() > 1 {
            return Err(shape("a district boundary cannot have holes"));
        }
        let outer = rings
            .first()
            .and_then(|r| r.as_array())
            .ok_or_else(|| shape("the Polygon has no outer ring"))?;
        let mut ring = Vec::new();
        for (i, position) in outer.iter().enumerate() {
            let bad = |reason: String| BoundaryError::Corner {
                what: "position",
                number: i + 1,
                reason,
            };
            let (Some(lon), Some(lat)) = (position[0].as_f64(), position[1].as_f64()) else {
                return Err(bad("expected [longitude, latitude]".to_owned()));
            };
            ring.push(GeoPoint::new(lat, lon).map_err(|e| bad(e.reason))?);
        }
        drawn(ring)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_that_encloses_nothing_or_crosses_itself_is_refused() {
        for corners in [
            "120 30, 121 30, 122 30",         // one line
            "120 30, 121 31, 121 30, 120 31", // a bow tie
        ] {
            let err = Area::parse_corners(corners).unwrap_err();
            assert!(
                err.to_string().contains("must not cross itself"),
                "{corners}: {err}"
            );
        }
        assert!(Area::parse_corners("120 30, 121 30, 121 31, 120 31").is_ok());
    }

    fn corners(area: &Area) -> Vec<(f64, f64)> {
        area.ring().iter().map(|p| (p.lon(), p.lat())).collect()
    }

    const SQUARE: [(f64, f64); 4] = [
        (120.10, 30.25),
        (120.15, 30.25),
        (120.15, 30.30),
        (120.10, 30.30),
    ];

    #[test]
    fn typed_corners_are_longitude_first_and_the_ring_closes_by_itself() {
        let area = Area::parse_corners("120.10 30.25, 120.15 30.25,120.15   30.30 , 120.10 30.30")
            .unwrap();
        assert_eq!(corners(&area), SQUARE);
        assert!(area.contains(&GeoPoint::new(30.27, 120.12).unwrap()));
        let closed = Area::parse_corners(
            "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30, 120.10 30.25",
        )
        .unwrap();
        assert_eq!(closed, area);
        // Found by the `boundary` fuzz target: a ring closed twice kept its second closing
        // corner, and read back from its own corners (or from JSON) as another area.
        let twice = Area::parse_corners(
            "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30, 120.10 30.25, 120.10 30.25",
        )
        .unwrap();
        assert_eq!(twice, area);
        let json = serde_json::to_string(&twice).unwrap();
        assert_eq!(serde_json::from_str::<Area>(&json).unwrap(), area);
    }

    #[test]
    fn a_bad_corner_is_named_by_its_number() {
        let how = "write each corner as 'lon lat' in decimal degrees, longitude first, \
                   corners separated by ','";
        for (text, number) in [
            ("120.10 30.25, 120.15, 120.15 30.30", 2),
            ("120.10 30.25; 120.15 30.25; 120.15 30.30", 1),
            ("120.10 30.25, 120.15 30.25, 120.15 北纬30度", 3),
            ("120.10 30.25, 120.15 30.25, 120.15 30.30,", 4),
            ("", 1),
        ] {
            assert_eq!(
                Area::parse_corners(text).unwrap_err().to_string(),
                format!("corner {number}: {how}"),
                "{text}"
            );
        }
        assert_eq!(
            Area::parse_corners("30.25 120.10, 30.25 120.15, 30.30 120.15")
                .unwrap_err()
                .to_string(),
            "corner 1: latitude must be between -90 and 90 degrees (longitude first)"
        );
        assert_eq!(
            Area::parse_corners("120.10 30.25, 120.10 30.25, 120.15 30.30")
                .unwrap_err()
                .to_string(),
            "an area needs at least three distinct corners"
        );
        assert!(Area::parse_corners("NaN 30, 120 30, 120 31").is_err());
    }

    const RING: &str =
        "[[120.10, 30.25], [120.15, 30.25], [120.15, 30.30], [120.10, 30.30], [120.10, 30.25]]";

    #[test]
    fn a_geojson_polygon_feature_or_collection_of_one_is_read() {
        let polygon = format!(r#"{{"type": "Polygon", "coordinates": [{RING}]}}"#);
        let feature = format!(
            r#"{{"type": "Feature", "properties": {{"name": "拱墅区"}}, "geometry": {polygon}}}"#
        );
        let collection = format!(r#"{{"type": "FeatureCollection", "features": [{feature}]}}"#);
        for text in [&polygon, &feature, &collection] {
            assert_eq!(
                corners(&Area::from_geojson(text).unwrap()),
                SQUARE,
                "{text}"
            );
        }
    }

    #[test]
    fn a_geojson_file_that_is_not_one_plain_polygon_is_refused_with_a_reason() {
        let polygon = format!(r#"{{"type": "Polygon", "coordinates": [{RING}]}}"#);
        for (text, message) in [
            (
                "{\"type\": \"Polygon\",".to_owned(),
                "not JSON: EOF while parsing a value at line 1 column 19",
            ),
            (
                r#"{"type": "Point", "coordinates": [120.1, 30.2]}"#.to_owned(),
                "expected a GeoJSON Polygon or a Feature holding one",
            ),
            (
                r#"{"type": "FeatureCollection", "features": []}"#.to_owned(),
                "a FeatureCollection must hold exactly one feature",
            ),
            (
                format!(
                    r#"{{"type": "Feature", "geometry": {{"type": "MultiPolygon", "coordinates": [[{RING}]]}}}}"#
                ),
                "the geometry must be a Polygon (not a MultiPolygon or other)",
            ),
            (
                r#"{"type": "Polygon"}"#.to_owned(),
                "the Polygon has no coordinates",
            ),
            (
                format!(r#"{{"type": "Polygon", "coordinates": [{RING}, {RING}]}}"#),
                "a district boundary cannot have holes",
            ),
            (
                r#"{"type": "Polygon", "coordinates": []}"#.to_owned(),
                "the Polygon has no outer ring",
            ),
            (
                r#"{"type": "Polygon", "coordinates": [[[120.1, 30.2], [120.2], [120.2, 30.3]]]}"#
                    .to_owned(),
                "position 2: expected [longitude, latitude]",
            ),
            (
                r#"{"type": "Polygon", "coordinates": [[[120.1, 30.2], [120.2, 30.2], [30.3, 120.2]]]}"#
                    .to_owned(),
                "position 3: latitude must be between -90 and 90 degrees",
            ),
            (
                r#"{"type": "Polygon", "coordinates": [[[120.1, 30.2], [120.2, 30.2]]]}"#
                    .to_owned(),
                "an area needs at least three distinct corners",
            ),
        ] {
            assert_eq!(
                Area::from_geojson(&text).unwrap_err().to_string(),
                message,
                "{text}"
            );
        }
        assert!(Area::from_geojson(&polygon).is_ok());
    }
}
