//! Where things are: a point on the map and the device's position. Mirrors, because the core's
//! points are checked when made (`GeoPoint::new`): they cross as plain numbers and are checked
//! on the way back in.

use crate::error::Result;

/// A point on the map (WGS-84).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl From<doorstep_core::geo::GeoPoint> for Point {
    fn from(p: doorstep_core::geo::GeoPoint) -> Self {
        Self {
            lat: p.lat(),
            lon: p.lon(),
        }
    }
}

impl Point {
    pub(crate) fn to_core(self) -> Result<doorstep_core::geo::GeoPoint> {
        Ok(doorstep_core::geo::GeoPoint::new(self.lat, self.lon)?)
    }
}

/// Where the device is, as its location service reports it.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    /// The radius, in metres, within which the device is.
    pub accuracy_m: f64,
}

impl Position {
    pub(crate) fn to_core(self) -> Result<doorstep_core::visit::DevicePosition> {
        let point = Point {
            lat: self.lat,
            lon: self.lon,
        }
        .to_core()?;
        Ok(doorstep_core::visit::DevicePosition::new(
            point,
            self.accuracy_m,
        )?)
    }
}
