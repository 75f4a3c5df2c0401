//! The device's side of sync: enroll once with a one-time code, then [`Syncer::sync`] pushes
//! the outbox (`push.rs`), uploads the photos the server lacks (`photos.rs`) and pulls what
//! changed (`pull.rs`), in one call, over one HTTP transport that retries (`transport.rs`).
//!
//! Every step is safe to cut and repeat: the server applies each operation once (keyed by device
//! and operation id), photo uploads resume at the last stored chunk, and the pull cursor moves
//! only in the transaction that applies its page. A transient failure (no network, a cut
//! connection, a server error, a 408 or 429) is retried with exponential backoff, or after the
//! server's Retry-After; a cancelled sync stops at the next request and keeps everything already
//! acknowledged.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::sync::protocol::{EnrollRequest, EnrollResponse, PHOTO_CHUNK_BYTES};
use crate::team::Technician;
use crate::text::said;
use pull::Pulling;
use transport::Request;

mod photos;
mod pull;
mod push;
mod transport;

/// The steps of a sync, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Push,
    Photos,
    Pull,
}

/// Where a sync is: `done` of `total` in `phase` (operations, photos, or changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    /// Operations the server stored but parked for the service center to decide (sealed work
    /// for a household that had left the technician's district): kept on the phone, listed
    /// with the refused ones, until the decision comes with a pull.
    pub parked: u64,
    pub conflicts: u64,
    pub photos_uploaded: u64,
    pub photo_bytes: u64,
    /// Photos that could not be read from the device's vault (a file missing or damaged), or
    /// whose bytes the server found not to match their hash: left waiting, tried again at the
    /// next sync, and never in the way of the rest of the sync.
    pub photos_unreadable: u64,
    pub pulled: u64,
    pub removed: u64,
    /// Pulled changes this version of the app cannot read (sent by a newer server): kept, and
    /// applied once the app is updated. More than none: ask the user to update the app.
    pub held_back: u64,
}

/// Cancels a sync from another thread; the sync stops before its next request.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// Whether `other` is a clone of this token (cancels the same sync).
    pub fn same_as(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Operations per push request.
    pub push_batch: usize,
    /// Changes per pull page.
    pub pull_page: usize,
    /// Bytes per photo upload request (at most the protocol's `PHOTO_CHUNK_BYTES`).
    pub photo_chunk: usize,
    /// Tries of one request before the sync gives up (the shell's scheduler tries again later).
    pub attempts: u32,
    /// The first wait after a failure; it doubles with every further failure, up to `max_backoff`.
    pub backoff: Duration,
    /// The longest wait between tries, also when the server asks for a longer one (Retry-After).
    pub max_backoff: Duration,
    pub timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            push_batch: 2000,
            pull_page: 5000,
            photo_chunk: PHOTO_CHUNK_BYTES,
            attempts: 5,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Talks to one server for one device store.
///
/// HTTP is ureq's: blocking, on the caller's thread, with rustls. The sync is blocking by
/// design (docs/adr/0004-bindings.md), and a blocking client spares the phones an async
/// runtime they would carry only to wait on it.
pub struct Syncer {
    http: ureq::Agent,
    options: SyncOptions,
    /// Held for a whole sync: a second sync of the same store (the background worker and a
    /// pull-to-refresh at once) waits for the first, then runs, instead of pushing the same
    /// operations alongside it.
    one_at_a_time: Mutex<()>,
}

impl Syncer {
    pub fn new(options: SyncOptions) -> Result<Self> {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .timeout_connect(Some(Duration::from_secs(10)))
            .user_agent(concat!("doorstep/", env!("CARGO_PKG_VERSION")))
            // A refusal is an answer to read (its JSON says why), not a transport failure.
            .http_status_as_error(false)
            .build();
        Ok(Self {
            http: config.into(),
            options,
            one_at_a_time: Mutex::new(()),
        })
    }

    /// Enrolls the device with `server` using the technician's one-time `code`.
    pub fn enroll(
        &self,
        store: &Mutex<Store>,
        server: &str,
        code: &str,
        device_model: &str,
    ) -> Result<Technician> {
        self.enroll_cancellable(store, server, code, device_model, &CancelToken::new())
    }

    /// [`Syncer::enroll`], stopped before its next try once `cancel` is cancelled.
    pub fn enroll_cancellable(
        &self,
        store: &Mutex<Store>,
        server: &str,
        code: &str,
        device_model: &str,
        cancel: &CancelToken,
    ) -> Result<Technician> {
        let server = server.trim_end_matches('/').to_owned();
        if !(server.starts_with("https://") || server.starts_with("http://")) {
            return Err(crate::InvalidInput::new(
                "server",
                said("必须是 http(s):// 地址", "must be an http(s):// address"),
            )
            .into());
        }
        let device_id = lock(store)?.device_id().to_owned();
        let request = EnrollRequest {
            code: code.trim().to_owned(),
            device_id,
            device_model: device_model.to_owned(),
        };
        let url = format!("{server}/v1/enroll");
        let response: EnrollResponse = self.json(&Request::post(&url, &request)?, None, cancel)?;
        lock(store)?.set_enrollment(&server, &response.credential, &response.technician)?;
        Ok(response.technician)
    }

    /// One whole sync: push, photos, pull. `progress` hears every step. One at a time: a
    /// sync started while another runs waits for it to end (use one `Syncer` a store).
    pub fn sync(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        cancel: &CancelToken,
    ) -> Result<SyncReport> {
        let _turn = self
            .one_at_a_time
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let (server, credential) = {
            let store = lock(store)?;
            let server = store.sync_state()?.server.ok_or(Error::NotEnrolled)?;
            (server, store.credential()?.ok_or(Error::NotEnrolled)?)
        };
        let session = Session {
            syncer: self,
            server,
            credential,
            cancel,
            photo_chunk: AtomicUsize::new(self.options.photo_chunk.clamp(1, PHOTO_CHUNK_BYTES)),
            pull_page: AtomicUsize::new(self.options.pull_page.max(1)),
        };
        let mut report = SyncReport::default();
        // A pull that finds the server restored from a backup has put the work the server
        // forgot back in the outbox and started the pull over: the sync runs once more.
        for _ in 0..2 {
            if session.run(store, progress, &mut report)? == Pulling::Done {
                break;
            }
        }
        lock(store)?.note_sync_finished(chrono::Utc::now())?;
        Ok(report)
    }
}

impl Session<'_> {
    /// Push, photos, pull.
    fn run(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<Pulling> {
        self.push(store, progress, report)?;
        match self.photos(store, progress, report) {
            Ok(()) => {}
            // A weak uplink that cannot carry photos may still bring new work orders down: the
            // pull runs, and the photos wait for the next sync, which resumes them.
            Err(photos @ Error::Network { .. }) => {
                self.pull(store, progress, report)?;
                return Err(photos);
            }
            Err(e) => return Err(e),
        }
        self.pull(store, progress, report)
    }
}

/// One sync's connection to the server, and what it learned of the link on the way.
struct Session<'a> {
    syncer: &'a Syncer,
    server: String,
    credential: String,
    cancel: &'a CancelToken,
    /// Bytes per photo upload request now: halved (down to `photos::SMALLEST_PHOTO_CHUNK`)
    /// each time a chunk does not get through in time, for every upload of this sync.
    photo_chunk: AtomicUsize,
    /// Changes per pull page now: halved (down to `pull::SMALLEST_PULL_PAGE`) each time a
    /// page does not arrive in time, for the rest of this sync.
    pull_page: AtomicUsize,
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    // A panic while the store was held cannot leave it half-written (every change is one
    // transaction), so a poisoned lock is still safe to use.
    Ok(store.lock().unwrap_or_else(|p| p.into_inner()))
}
