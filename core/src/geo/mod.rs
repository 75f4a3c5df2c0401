//! Places on the earth: WGS-84 points, areas (district and outage polygons), great-circle
//! distances, walking routes, and the GCJ-02 datum that Chinese map SDKs display in.
//!
//! Everything Doorstep stores is WGS-84 (what GPS gives). GCJ-02 appears only at the edge,
//! when a shell draws on a Chinese map or reads a position from one: see [`gcj02`].

pub mod boundary;
pub mod gcj02;
pub mod route;

pub use boundary::BoundaryError;

use crate::text::said;
use geo::{Contains, Distance, Haversine, Intersects};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;

/// A WGS-84 position in decimal degrees. Always finite and within range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = InvalidInput;
    fn try_from(raw: RawPoint) -> Result<Self, InvalidInput> {
        GeoPoint::new(raw.lat, raw.lon)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(p: GeoPoint) -> Self {
        RawPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

impl GeoPoint {
    /// A point from latitude and longitude in degrees; refuses NaN, infinities and values
    /// outside ±90° / ±180°.
    pub fn new(lat: f64, lon: f64) -> Result<Self, InvalidInput> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidInput::new(
                "lat",
                said(
                    "纬度必须在-90到90度之间",
                    "latitude must be between -90 and 90 degrees",
                ),
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(InvalidInput::new(
                "lon",
                said(
                    "经度必须在-180到180度之间",
                    "longitude must be between -180 and 180 degrees",
                ),
            ));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in metres (haversine on the mean earth radius): good to a few
    /// metres at the scale of a city, which is all a check-in or a walking route needs.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        Haversine.distance(self.to_geo(), other.to_geo())
    }

    fn to_geo(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// A closed area on the map: a district's boundary or the area a planned outage affects.
/// One outer ring of at least three distinct points; the ring is closed implicitly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<GeoPoint>", into = "Vec<GeoPoint>")]
pub struct Area {
    ring: Vec<GeoPoint>,
    #[serde(skip)]
    polygon: geo::Polygon<f64>,
}

impl TryFrom<Vec<GeoPoint>> for Area {
    type Error = InvalidInput;
    fn try_from(ring: Vec<GeoPoint>) -> Result<Self, InvalidInput> {
        Area::new(ring)
    }
}

impl From<Area> for Vec<GeoPoint> {
    fn from(area: Area) -> Self {
        area.ring
    }
}

impl Area {
    pub fn new(mut ring: Vec<GeoPoint>) -> Result<Self, InvalidInput> {
        // A closed ring repeats its first corner at the end, sometimes more than once.
        while ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        let mut distinct = ring.clone();
        distinct.sort_by(|a, b| a.lat.total_cmp(&b.lat).then(a.lon.total_cmp(&b.lon)));
        distinct.dedup();
        if distinct.len() < 3 {
            return Err(InvalidInput::new(
                "area",
                said(
                    "区域至少需要三个不同的顶点",
                    "an area needs at least three distinct corners",
                ),
            ));
        }
        let exterior: Vec<geo::Coord<f64>> = ring
            .iter()
            .map(|p| geo::Coord { x: p.lon, y: p.lat })
            .collect();
        let polygon = geo::Polygon::new(geo::LineString::from(exterior), vec![]);
        Ok(Self { ring, polygon })
    }

    /// The corners, in order, without repeating the first.
    pub fn ring(&self) -> &[GeoPoint] {
        &self.ring
    }

    /// Whether the point lies strictly inside the area (a point exactly on the boundary is
    /// outside; an address on the border line of a district should be assigned explicitly).
    pub fn contains(&self, point: &GeoPoint) -> bool {
        self.polygon.contains(&point.to_geo())
    }

    /// Whether the two areas share any ground or border (one inside the other counts).
    pub fn overlaps(&self, other: &Area) -> bool {
        self.polygon.intersects(&other.polygon)
    }

    /// (south-west, north-east) corners of the smallest box around the area, for a cheap
    /// pre-filter in the store before the exact test.
    pub fn bounding_box(&self) -> (GeoPoint, GeoPoint) {
        let mut sw = self.ring[0];
        let mut ne = self.ring[0];
        for p in &self.ring {
            sw.lat = sw.lat.min(p.lat);
            sw.lon = sw.lon.min(p.lon);
            ne.lat = ne.lat.max(p.lat);
            ne.lon = ne.lon.max(p.lon);
        }
        (sw, ne)
    }
}
