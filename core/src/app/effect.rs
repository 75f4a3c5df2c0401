//! What the core asks the shell to do: the few things only a phone can (camera, scanner,
//! location, keystore prompt, background work, notifications), each answered, where it has an
//! answer, with an event that carries the effect's `request` number back.

use serde::{Deserialize, Serialize};

/// A place in both datums a map app may want: Chinese map apps (Amap, Baidu after its own
/// shift, Tencent) take GCJ-02; others take WGS-84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapPlace {
    pub wgs84_lat: f64,
    pub wgs84_lon: f64,
    pub gcj02_lat: f64,
    pub gcj02_lon: f64,
}

/// The symbologies a scan may read, so the shell can set its scanner up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// A QR code (enrollment, customer cards).
    Qr,
    /// A one-dimensional barcode (meter serials, seals).
    Barcode,
}

/// One thing for the shell to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    /// Open the camera; write the JPEG to `path` (a file the core chose, in the app's private
    /// storage) and answer `PhotoTaken { request }`, or `EffectFailed`.
    TakePhoto {
        request: u64,
        path: String,
        prompt: String,
    },
    /// Open the scanner; answer `Scanned { request, text }`, or `EffectFailed`.
    Scan {
        request: u64,
        kinds: Vec<Symbology>,
        prompt: String,
    },
    /// Get the position, to at least `accuracy_m` if the phone can within `timeout_s`; answer
    /// `Located { request, .. }` with what it got, or `EffectFailed`.
    Locate {
        request: u64,
        accuracy_m: u32,
        timeout_s: u32,
    },
    /// Open the phone's map app at a place (no answer).
    OpenMap { label: String, place: MapPlace },
    /// Start a phone call to `number` (the dialer; no answer).
    Call { number: String },
    /// Share a file the core wrote (a customer copy) with the platform's share sheet.
    Share {
        path: String,
        mime: String,
        title: String,
    },
    /// Print a file the core wrote with the platform's print service.
    Print {
        path: String,
        mime: String,
        title: String,
    },
    /// Run a sync now, off the UI thread (the bindings' `run_sync`); its progress and end come
    /// back as new screens.
    SyncNow,
    /// Ask the platform to run a sync in the background when it can (WorkManager, BGTask):
    /// within `within_minutes`, with a network.
    ScheduleSync { within_minutes: u32 },
    /// Show a notification; tapping it opens `link` (`OpenLink`).
    Notify {
        id: String,
        title: String,
        body: String,
        link: String,
        urgent: bool,
    },
    /// Keep the screen on (during a signature) or let it sleep again.
    KeepScreenOn { on: bool },
    /// Ask the user for the platform's PIN or biometric; answer `Unlocked { request }` or
    /// `EffectFailed`.
    Unlock { request: u64, prompt: String },
    /// The device was revoked and its store wiped: forget the store key in the keystore.
    ForgetStoreKey,
    /// Enroll now, off the UI thread (the bindings' `run_enrollment`): the Enroll screen shows
    /// its progress meanwhile, and the screen after it comes back from that call.
    RunEnrollment,
}
