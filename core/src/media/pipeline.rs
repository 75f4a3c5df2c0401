//! The photo pipeline: decode (scaled in the DCT domain), resize, turn upright, stamp, encode
//! without EXIF, thumbnail, hash. One function, the same for the app, the CLI and the benchmark.

use crate::text::said;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::MediaError;
use super::decode::{Decoded, Limits, decode_for_edge, encode_jpeg};
use super::exif::{self, CameraMetadata};
use super::transform::{fit, orient, resize};
use super::watermark::stamp;
use crate::geo::GeoPoint;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoPolicy {
    /// Longest edge of the stored photo: 2048 px keeps a meter seal's number readable at
    /// a few hundred KB.
    pub max_edge: u32,
    pub quality: u8,
    pub thumbnail_edge: u32,
    pub thumbnail_quality: u8,
    /// What decoding a file may cost (pixels, memory, scans, chunks).
    pub limits: Limits,
    /// Camera and device clocks further apart than this flag the photo.
    pub max_clock_gap_s: i64,
    /// Camera GPS and device position further apart than this flag the photo.
    pub max_position_gap_m: f64,
}

impl Default for PhotoPolicy {
    fn default() -> Self {
        Self {
            max_edge: 2048,
            quality: 80,
            thumbnail_edge: 320,
            thumbnail_quality: 70,
            limits: Limits::PHONE,
            max_clock_gap_s: 600,
            max_position_gap_m: 200.0,
        }
    }
}

/// What is burnt into the photo as proof of visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkContext {
    /// The device's clock when the photo was taken.
    pub captured_at: DateTime<Utc>,
    pub customer_number: Option<String>,
    pub device_position: Option<GeoPoint>,
    /// The technician's badge number.
    pub technician: String,
}

impl WatermarkContext {
    fn lines(&self) -> Vec<String> {
        let local = self
            .captured_at
            .with_timezone(&crate::calendar::service_timezone());
        let mut lines = vec![local.format("%Y-%m-%d %H:%M:%S %:z").to_string()];
        if let Some(number) = &self.customer_number {
            lines.push(format!("CUST {number}"));
        }
        match self.device_position {
            Some(p) => lines.push(format!(
                "{}{:.5} {}{:.5}",
                if p.lat() < 0.0 { 'S' } else { 'N' },
                p.lat().abs(),
                if p.lon() < 0.0 { 'W' } else { 'E' },
                p.lon().abs()
            )),
            None => lines.push("NO GPS FIX".to_owned()),
        }
        lines.push(format!("TECH {}", self.technician));
        lines
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoMetadata {
    pub original_width: u32,
    pub original_height: u32,
    pub width: u32,
    pub height: u32,
    /// What the camera recorded (EXIF), kept here since the stored JPEG carries none.
    pub camera: CameraMetadata,
    pub device_time: DateTime<Utc>,
    pub device_position: Option<GeoPoint>,
    /// Camera time minus device time, in seconds, when the camera recorded a time.
    pub clock_gap_s: Option<i64>,
    /// Distance between the camera's GPS and the device's position, when both are known.
    pub position_gap_m: Option<f64>,
    /// The camera's time or place disagrees with the device's: a supervisor should look.
    pub flagged: bool,
}

#[derive(Debug, Clone)]
pub struct IngestedPhoto {
    /// The photo's id: the SHA-256 of `jpeg`.
    pub sha256: crate::ids::PhotoHash,
    pub jpeg: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub metadata: PhotoMetadata,
}

/// Runs the whole pipeline on the photo at `path`.
pub fn ingest(
    path: &Path,
    context: &WatermarkContext,
    policy: &PhotoPolicy,
) -> Result<IngestedPhoto, MediaError> {
    if policy.max_edge < 64 || policy.thumbnail_edge < 16 || !(1..=100).contains(&policy.quality) {
        return Err(crate::InvalidInput::new(
            "photo_policy",
            said(
                "长边至少64像素，缩略图至少16像素，质量1到100",
                "max edge of at least 64 px, thumbnail of 16, quality 1 to 100",
            ),
        )
        .into());
    }
    let Decoded {
        image: decoded,
        original: (original_width, original_height),
        exif,
        ..
    } = decode_for_edge(path, policy.max_edge, &policy.limits)?;
    let camera = exif.as_deref().map(exif::parse).unwrap_or_default();
    let (w, h) = fit(decoded.width, decoded.height, policy.max_edge);
    let resized = resize(&decoded, w, h)?;
    drop(decoded);
    let mut photo = orient(resized, camera.orientation());
    stamp(&mut photo, &context.lines());
    let jpeg = encode_jpeg(&photo, policy.quality)?;
    let (tw, th) = fit(photo.width, photo.height, policy.thumbnail_edge);
    let thumbnail = encode_jpeg(&resize(&photo, tw, th)?, policy.thumbnail_quality)?;

    let clock_gap_s = camera
        .taken_at
        .map(|t| (t - context.captured_at).num_seconds());
    let position_gap_m = match (camera.position, context.device_position) {
        (Some(a), Some(b)) => Some(a.distance_m(&b)),
        _ => None,
    };
    let flagged = clock_gap_s.is_some_and(|g| g.abs() > policy.max_clock_gap_s)
        || position_gap_m.is_some_and(|d| d > policy.max_position_gap_m);
    let metadata = PhotoMetadata {
        original_width,
        original_height,
        width: photo.width,
        height: photo.height,
        camera,
        device_time: context.captured_at,
        device_position: context.device_position,
        clock_gap_s,
        position_gap_m,
        flagged,
    };
    Ok(IngestedPhoto {
        sha256: crate::ids::PhotoHash::of(&jpeg),
        jpeg,
        thumbnail,
        metadata,
    })
}
