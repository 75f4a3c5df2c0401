//! The photo pipeline: decode (scaled in the DCT domain), resize, turn upright, stamp, encode
//! without EXIF, thumbnail, hash. One function, the same for the app, the CLI and the benchmark.

use crate::text::{Lang, said};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::MediaError;
use super::decode::{Decoded, Limits, decode_for_edge, encode_jpeg};
use super::exif::{self, CameraMetadata};
use super::transform::{fit, orient, resize};
use super::watermark::{StampText, stamp};
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

/// What is burnt into the photo as proof of visit, besides what the photo's own EXIF says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkContext {
    /// The device's clock when the photo was taken.
    pub captured_at: DateTime<Utc>,
    /// The language of the stamp's labels: Chinese unless asked.
    #[serde(default = "chinese")]
    pub lang: Lang,
    /// The household's customer number: 1 to 32 ASCII letters, digits or `-`.
    pub customer_number: Option<String>,
    pub device_position: Option<GeoPoint>,
    /// The technician's badge number: 1 to 16 ASCII letters or digits.
    pub technician: String,
}

fn chinese() -> Lang {
    Lang::Zh
}

impl WatermarkContext {
    /// Refuses what the stamp must not print: a name, Chinese text, a control character or an
    /// over-long value in place of a customer number or a badge. The value itself is never
    /// quoted (it may be a name): the error names the field.
    pub fn validate(&self) -> Result<(), crate::InvalidInput> {
        if let Some(number) = &self.customer_number {
            crate::household::validate_code("watermark.customer_number", number)?;
        }
        crate::team::validate_badge("watermark.technician", &self.technician)
    }
}

/// Whose account of the time or place the stamp prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Witness {
    /// The photo's EXIF, written by the camera.
    Camera,
    /// The device the app runs on (its clock, its position fix).
    Device,
}

/// What the stamp on a photo says about when and where, and whose account each is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    pub time: DateTime<Utc>,
    /// `Device` when the camera recorded no time or one further than the policy allows from the
    /// device's clock; the stamp then marks the time as the device's.
    pub time_from: Witness,
    pub position: Option<GeoPoint>,
    /// `Camera` when the device had no position and the photo's EXIF had one.
    pub position_from: Option<Witness>,
}

impl Stamped {
    /// The camera's time when it agrees with the device's clock, else the device's; the
    /// device's position, else the camera's. The time of the ingest itself is never stamped.
    pub fn choose(
        context: &WatermarkContext,
        camera: &CameraMetadata,
        policy: &PhotoPolicy,
    ) -> Stamped {
        let (time, time_from) = match camera.taken_at {
            Some(t) if (t - context.captured_at).num_seconds().abs() <= policy.max_clock_gap_s => {
                (t, Witness::Camera)
            }
            _ => (context.captured_at, Witness::Device),
        };
        let (position, position_from) = match (context.device_position, camera.position) {
            (Some(p), _) => (Some(p), Some(Witness::Device)),
            (None, Some(p)) => (Some(p), Some(Witness::Camera)),
            (None, None) => (None, None),
        };
        Stamped {
            time,
            time_from,
            position,
            position_from,
        }
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
    /// What the stamp says about when and where (none for photos taken before it was recorded).
    #[serde(default)]
    pub stamped: Option<Stamped>,
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
    // Checked before decoding: a refused value costs nothing.
    context.validate()?;
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
    let stamped = Stamped::choose(context, &camera, policy);
    stamp(
        &mut photo,
        &StampText {
            lang: context.lang,
            time: stamped.time,
            device_clock: stamped.time_from == Witness::Device,
            customer_number: context.customer_number.as_deref(),
            position: stamped.position,
            technician: &context.technician,
        }
        .lines(),
    )?;
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
        stamped: Some(stamped),
    };
    Ok(IngestedPhoto {
        sha256: crate::ids::PhotoHash::of(&jpeg),
        jpeg,
        thumbnail,
        metadata,
    })
}
