//! The device's sync client: enroll once with a one-time code, then [`Syncer::sync`] pushes the
//! outbox, uploads the photos the server lacks and pulls what changed, in one call.
//!
//! Every step is safe to cut and repeat: the server applies each operation once (keyed by device
//! and operation id), photo uploads resume at the last stored chunk, and the pull cursor moves
//! only in the transaction that applies its page. A transient failure (no network, a cut
//! connection, a server error, a 408 or 429) is retried with exponential backoff, or after the
//! server's Retry-After; a cancelled sync stops at the next request and keeps everything already
//! acknowledged.

use crate::words::said;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ureq::Body;
use ureq::http::{Response, StatusCode};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sync::PageApplied;
use crate::sync::protocol::{
    EnrollRequest, EnrollResponse, ErrorBody, ErrorKind, MissingPhotosRequest, MissingPhotosResponse,
    PHOTO_CHUNK_BYTES, PhotoChunkResponse, PullResponse, Pulled, PushRequest, PushResponse,
};
use crate::team::Technician;

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

/// Photo uploads in flight at once: the next photo is read and sent while the server checks
/// and stores the one before.
const PHOTO_UPLOADS_IN_FLIGHT: usize = 4;

/// About how many bytes a push request may carry: half the server's limit, so that a request
/// of big operations is never refused for its size.
const PUSH_REQUEST_BYTES: usize = crate::sync::protocol::MAX_REQUEST_BYTES / 2;

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

/// The largest answer the client reads: a pull page of 5,000 households is a few megabytes.
const ANSWER_LIMIT_BYTES: u64 = 256 * 1024 * 1024;

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

/// One request, sent again exactly as it is on every try.
enum Request<'a> {
    Get {
        url: &'a str,
        query: &'a [(&'a str, &'a str)],
    },
    /// A JSON body, serialized once before the first try.
    Post {
        url: &'a str,
        json: Vec<u8>,
    },
    Put {
        url: &'a str,
        bytes: &'a [u8],
    },
}

impl<'a> Request<'a> {
    fn post(url: &'a str, body: &impl Serialize) -> Result<Self> {
        Ok(Self::Post {
            url,
            json: serde_json::to_vec(body)?,
        })
    }

    /// The bytes of its body.
    fn body_len(&self) -> usize {
        match self {
            Self::Get { .. } => 0,
            Self::Post { json, .. } => json.len(),
            Self::Put { bytes, .. } => bytes.len(),
        }
    }
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
        session.push(store, progress, &mut report)?;
        match session.photos(store, progress, &mut report) {
            Ok(()) => {}
            // A weak uplink that cannot carry photos may still bring new work orders down: the
            // pull runs, and the photos wait for the next sync, which resumes them.
            Err(photos @ Error::Network { .. }) => {
                session.pull(store, progress, &mut report)?;
                return Err(photos);
            }
            Err(e) => return Err(e),
        }
        session.pull(store, progress, &mut report)?;
        lock(store)?.note_sync_finished(chrono::Utc::now())?;
        Ok(report)
    }

    /// Sends a request once, with the device's credential if it has one.
    fn call(
        &self,
        request: &Request<'_>,
        credential: Option<&str>,
    ) -> std::result::Result<Response<Body>, ureq::Error> {
        let bearer = credential.map(|c| format!("Bearer {c}"));
        macro_rules! authed {
            ($builder:expr) => {
                match &bearer {
                    Some(b) => $builder.header("authorization", b),
                    None => $builder,
                }
            };
        }
        match request {
            Request::Get { url, query } => {
                let mut builder = authed!(self.http.get(*url));
                for (name, value) in *query {
                    builder = builder.query(*name, *value);
                }
                builder.call()
            }
            Request::Post { url, json } => authed!(self.http.post(*url))
                .header("content-type", "application/json")
                .send(&json[..]),
            Request::Put { url, bytes } => authed!(self.http.put(*url))
                .header("content-type", "application/octet-stream")
                .send(*bytes),
        }
    }

    /// Sends a request and decodes its JSON answer until it gets one that is not a transient
    /// failure, waiting longer after each failure; a refusal becomes a typed error.
    fn json<T: DeserializeOwned>(
        &self,
        request: &Request<'_>,
        credential: Option<&str>,
        cancel: &CancelToken,
    ) -> Result<T> {
        let mut retry = Retry::new(&self.options);
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            match self.attempt(request, credential) {
                Attempt::Answered(answer) => return answer,
                Attempt::Failed(failure) => retry.again(&self.options, failure, cancel)?,
            }
        }
    }

    /// One try of a request: its decoded answer or refusal, or a transient failure (no answer,
    /// a server error, a 408 or 429, an answer cut in the middle) to be tried again.
    fn attempt<T: DeserializeOwned>(
        &self,
        request: &Request<'_>,
        credential: Option<&str>,
    ) -> Attempt<T> {
        let mut response = match self.call(request, credential) {
            Ok(r) if !is_transient(r.status()) => r,
            Ok(r) if r.status().is_server_error() => {
                return Attempt::Failed(Failure {
                    reason: format!("server error {}", r.status().as_u16()),
                    wait: retry_after(&r),
                    timed_out: false,
                });
            }
            Ok(r) => {
                return Attempt::Failed(Failure {
                    reason: format!(
                        "the server asked to try later (HTTP {})",
                        r.status().as_u16()
                    ),
                    wait: retry_after(&r),
                    timed_out: false,
                });
            }
            Err(e) => return Attempt::Failed(Failure::of(&e)),
        };
        let status = response.status();
        let read = response
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT_BYTES)
            .read_to_vec();
        Attempt::Answered(match read {
            Ok(body) if status.is_success() => {
                serde_json::from_slice(&body).map_err(|e| Error::Network {
                    reason: format!(
                        "unreadable answer from the server: {}",
                        crate::error::without_values(&e.to_string())
                    ),
                })
            }
            Ok(body) => Err(refusal(status, &body)),
            // The answer cut in the middle: tried again, on the same budget.
            Err(e) => return Attempt::Failed(Failure::of(&e)),
        })
    }
}

/// What one try of a request came to.
enum Attempt<T> {
    /// The server's answer, or its refusal.
    Answered(Result<T>),
    Failed(Failure),
}

/// A transient failure of one try.
struct Failure {
    reason: String,
    /// The wait the server asked for (Retry-After).
    wait: Option<Duration>,
    /// No answer in time: on a slow link, a smaller request may get through where this one
    /// cannot.
    timed_out: bool,
}

impl Failure {
    fn of(e: &ureq::Error) -> Self {
        let timed_out = match e {
            ureq::Error::Timeout(_) => true,
            ureq::Error::Io(io) => io.kind() == std::io::ErrorKind::TimedOut,
            _ => false,
        };
        Self {
            reason: transport_reason(e),
            wait: None,
            timed_out,
        }
    }
}

/// The retries of one request: every failure (no answer, a server error, an answer cut in the
/// middle) counts against one budget of `attempts`, each wait twice the one before.
struct Retry {
    attempt: u32,
    wait: Duration,
}

impl Retry {
    fn new(options: &SyncOptions) -> Self {
        Self {
            attempt: 0,
            wait: options.backoff,
        }
    }

    /// After a failure: waits and returns to try again, or, the budget spent, the failure. A
    /// wait the server `asked` for (Retry-After) replaces the backoff's, up to `max_backoff`: a
    /// sync is not held for minutes on a server's word.
    fn again(
        &mut self,
        options: &SyncOptions,
        failure: Failure,
        cancel: &CancelToken,
    ) -> Result<()> {
        let Failure {
            reason: failure,
            wait: asked,
            ..
        } = failure;
        self.attempt += 1;
        if self.attempt >= options.attempts {
            return Err(Error::Network { reason: failure });
        }
        tracing::debug!(attempt = self.attempt, %failure, "sync request failed; backing off");
        let wait = match asked {
            Some(asked) => asked.min(options.max_backoff),
            None => jitter(self.wait),
        };
        sleep_unless_cancelled(wait, cancel)?;
        self.wait = (self.wait * 2).min(options.max_backoff);
        Ok(())
    }
}

struct Session<'a> {
    syncer: &'a Syncer,
    server: String,
    credential: String,
    cancel: &'a CancelToken,
    /// Bytes per photo upload request now: halved (down to [`SMALLEST_PHOTO_CHUNK`]) each time
    /// a chunk does not get through in time, for every upload of this sync.
    photo_chunk: AtomicUsize,
    /// Changes per pull page now: halved (down to [`SMALLEST_PULL_PAGE`]) each time a page does
    /// not arrive in time, for the rest of this sync.
    pull_page: AtomicUsize,
}

/// The smallest pull page a slow downlink is given: 100 households are some 60 KB.
const SMALLEST_PULL_PAGE: usize = 100;

/// The smallest photo chunk a slow uplink is given: 32 KiB take 4 s at 64 kbit/s.
const SMALLEST_PHOTO_CHUNK: usize = 32 * 1024;

impl Session<'_> {
    fn json<T: DeserializeOwned>(&self, request: &Request<'_>) -> Result<T> {
        self.syncer
            .json(request, Some(&self.credential), self.cancel)
    }

    /// Pushes the outbox a batch at a time, oldest first. While one batch is on its way the
    /// next is read from the store, so the device's work overlaps the server's; batches are
    /// still sent one after the other, each only once the one before is acknowledged.
    fn push(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        let total = lock(store)?.outbox_len()?;
        let mut done = 0;
        progress(SyncProgress {
            phase: SyncPhase::Push,
            done,
            total,
        });
        // Halved when a request is refused for its size (a proxy before the server may take
        // less than the server does): the push goes on in smaller requests.
        let limit = std::cell::Cell::new(self.syncer.options.push_batch.max(1));
        let bytes = std::cell::Cell::new(PUSH_REQUEST_BYTES);
        let read_after = |seq: i64| lock(store)?.push_batch_after(seq, limit.get(), bytes.get());
        let url = format!("{}/v1/push", self.server);
        let mut batch = read_after(i64::MIN)?;
        while let Some(last) = batch.last().map(|op| op.seq) {
            let request = PushRequest { ops: batch };
            let sent = Request::post(&url, &request)?;
            let (answer, next) = std::thread::scope(|s| {
                let sending = s.spawn(|| self.json::<PushResponse>(&sent));
                let next = read_after(last);
                let answer = sending.join().unwrap_or_else(|_| {
                    Err(Error::Network {
                        reason: "the push request's thread failed".into(),
                    })
                });
                (answer, next)
            });
            // The batch read ahead follows on only if this one was acknowledged to its end.
            let mut follows = false;
            match answer {
                Ok(ack) => {
                    let removed =
                        lock(store)?.acknowledge_pushed(&request.ops, ack.acknowledged_through)?;
                    if removed == 0 {
                        return Err(Error::Protocol {
                            reason: "the server acknowledged none of the pushed operations".into(),
                        });
                    }
                    done += removed as u64;
                    report.pushed += removed as u64;
                    report.conflicts += u64::from(ack.conflicts);
                    follows = ack.acknowledged_through == last;
                }
                Err(Error::Refused {
                    kind,
                    status,
                    message,
                    operation: Some(refused),
                }) if request.ops.iter().any(|op| op.op_id == refused) => {
                    // A refused operation is parked with its reason and the rest goes on.
                    lock(store)?.park_rejected(refused, kind.or_status(status), &message)?;
                    done += 1;
                    report.rejected += 1;
                }
                Err(
                    e @ Error::Refused {
                        operation: None, ..
                    },
                ) if e.refused_as() == Some(ErrorKind::TooLarge) => {
                    if let [alone] = &request.ops[..] {
                        // One operation alone is too large for whatever stands before the
                        // server: set aside with the reason, not retried at every sync.
                        let reason = "the operation is larger than the server, or a proxy \
                                      before it, accepts";
                        lock(store)?.park_rejected(alone.op_id, ErrorKind::TooLarge, reason)?;
                        done += 1;
                        report.rejected += 1;
                    } else {
                        limit.set((request.ops.len() / 2).max(1));
                        bytes.set((sent.body_len() / 2).max(1));
                    }
                }
                Err(e) => return Err(e),
            }
            progress(SyncProgress {
                phase: SyncPhase::Push,
                done: done.min(total.max(done)),
                total: total.max(done),
            });
            batch = if follows {
                next?
            } else {
                read_after(i64::MIN)?
            };
        }
        Ok(())
    }

    fn photos(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        let waiting = lock(store)?.photos_to_upload()?;
        let total = waiting.len() as u64;
        let mut done = 0;
        progress(SyncProgress {
            phase: SyncPhase::Photos,
            done,
            total,
        });
        for hashes in waiting.chunks(500) {
            let request = MissingPhotosRequest {
                sha256: hashes.to_vec(),
            };
            let url = format!("{}/v1/photos/missing", self.server);
            let missing: MissingPhotosResponse = self.json(&Request::post(&url, &request)?)?;
            let lacking: std::collections::HashMap<&str, u64> = missing
                .missing
                .iter()
                .map(|m| (m.sha256.as_str(), m.received))
                .collect();
            let there: Vec<String> = hashes
                .iter()
                .filter(|h| !lacking.contains_key(h.as_str()))
                .cloned()
                .collect();
            lock(store)?.mark_photos_uploaded(&there)?;
            done += there.len() as u64;
            let uploads: Vec<&String> = hashes
                .iter()
                .filter(|h| lacking.contains_key(h.as_str()))
                .collect();
            // A few uploads in flight, each its own request; the photos are marked uploaded
            // and progress is told here, on the sync's own thread, as each one completes.
            let next = std::sync::atomic::AtomicUsize::new(0);
            let failed = AtomicBool::new(false);
            // Each upload's answer: the bytes sent, or `None` for a photo set aside (above).
            let (sender, finished) = std::sync::mpsc::channel::<Result<(&String, Option<u64>)>>();
            let mut first_error = None;
            std::thread::scope(|s| {
                for _ in 0..PHOTO_UPLOADS_IN_FLIGHT.min(uploads.len()) {
                    let sender = sender.clone();
                    let (next, failed, uploads, lacking) = (&next, &failed, &uploads, &lacking);
                    s.spawn(move || {
                        while !failed.load(Ordering::SeqCst) {
                            let Some(hash) = uploads.get(next.fetch_add(1, Ordering::SeqCst))
                            else {
                                break;
                            };
                            let read = lock(store).map(|s| s.photo_jpeg(hash));
                            let sent = match read {
                                Ok(Ok(bytes)) => {
                                    match self.upload(hash, &bytes, lacking[hash.as_str()]) {
                                        // The server refused this photo (its bytes, its size):
                                        // it stays waiting, and the other photos and the pull
                                        // go on. A failure of the network or of the server
                                        // itself stops the sync, to be tried again.
                                        Err(e)
                                            if e.refused_as().is_some_and(
                                                ErrorKind::refuses_one_photo,
                                            ) =>
                                        {
                                            Ok(None)
                                        }
                                        sent => sent.map(Some),
                                    }
                                }
                                Ok(Err(_unreadable)) => Ok(None),
                                Err(poisoned) => Err(poisoned),
                            };
                            if sent.is_err() {
                                failed.store(true, Ordering::SeqCst);
                            }
                            if sender.send(sent.map(|n| (*hash, n))).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(sender);
                for result in finished {
                    let marked = result.and_then(|(hash, sent)| {
                        if sent.is_some() {
                            lock(store)?.mark_photos_uploaded(std::slice::from_ref(hash))?;
                        }
                        Ok((hash, sent))
                    });
                    match marked {
                        Ok((hash, None)) => {
                            // A hash names no one; the photo stays in the list of photos waiting.
                            tracing::warn!(
                                photo = %hash,
                                "a photo could not be read or the server refused it; it stays waiting"
                            );
                            report.photos_unreadable += 1;
                        }
                        Ok((_, Some(sent))) => {
                            report.photo_bytes += sent;
                            report.photos_uploaded += 1;
                            done += 1;
                            progress(SyncProgress {
                                phase: SyncPhase::Photos,
                                done,
                                total,
                            });
                        }
                        Err(e) => {
                            failed.store(true, Ordering::SeqCst);
                            first_error.get_or_insert(e);
                        }
                    }
                }
            });
            if let Some(e) = first_error {
                return Err(e);
            }
        }
        progress(SyncProgress {
            phase: SyncPhase::Photos,
            done: total,
            total,
        });
        Ok(())
    }

    /// Uploads one photo from `offset` in chunks; returns the bytes sent. A chunk that does not
    /// get through in time is sent again smaller (the server keeps nothing of a chunk that did
    /// not arrive whole, and says where the upload stands after one that did): on an uplink too
    /// slow for a whole photo within the timeout, the photo still arrives, a part at a time,
    /// instead of starting over from nothing at every try and every sync.
    fn upload(&self, hash: &str, bytes: &[u8], mut offset: u64) -> Result<u64> {
        let total = bytes.len() as u64;
        let mut sent = 0;
        loop {
            // Never an empty chunk: if the server holds every byte but has not finished the
            // photo (an earlier request was cut), the last byte again makes it finish.
            let start = offset.min(total.saturating_sub(1)) as usize;
            let mut end = start;
            let answer: PhotoChunkResponse =
                self.shrinking(&self.photo_chunk, SMALLEST_PHOTO_CHUNK, |chunk| {
                    end = (start + chunk).min(bytes.len());
                    let url = format!(
                        "{}/v1/photos/{hash}?offset={start}&total={total}",
                        self.server
                    );
                    let request = Request::Put {
                        url: &url,
                        bytes: &bytes[start..end],
                    };
                    (
                        end - start,
                        self.syncer.attempt(&request, Some(&self.credential)),
                    )
                })?;
            sent += (end - start) as u64;
            if answer.complete {
                return Ok(sent);
            }
            // The server says where it stands: normally after this chunk; after a cut, where
            // the last chunk it stored ended.
            offset = answer.received;
        }
    }

    /// Tries the request `attempt` makes for the current value of `size` (it returns the size
    /// it sent and the try's outcome) until it is answered. A try not answered in time halves
    /// `size`, down to `smallest`, for the rest of this sync: over a link too slow for a whole
    /// photo or page within the timeout, smaller requests get through where the same one would
    /// fail at every try and every sync.
    fn shrinking<T>(
        &self,
        size: &AtomicUsize,
        smallest: usize,
        mut attempt: impl FnMut(usize) -> (usize, Attempt<T>),
    ) -> Result<T> {
        let mut retry = Retry::new(&self.syncer.options);
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let (sent, outcome) = attempt(size.load(Ordering::SeqCst));
            match outcome {
                Attempt::Answered(answer) => return answer,
                Attempt::Failed(failure) => {
                    if failure.timed_out && sent > smallest {
                        size.fetch_min((sent / 2).max(smallest), Ordering::SeqCst);
                    }
                    retry.again(&self.syncer.options, failure, self.cancel)?;
                }
            }
        }
    }

    /// Pulls page after page. The next page is asked for (with the cursor the page before
    /// handed back) while the device applies the one before, so the server builds a page while
    /// the device writes one; pages are applied in order, each with its cursor in the same
    /// transaction, so a cut anywhere resumes at the first page not applied.
    fn pull(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        progress(SyncProgress {
            phase: SyncPhase::Pull,
            done: 0,
            total: 0,
        });
        let cursor = lock(store)?.sync_state()?.cursor;
        let pulled = self.pull_pages(store, cursor, progress, report);
        // Then the changes held back that can be applied now: readable since the app was
        // updated, their record's local work pushed, their unique key free. After the pages,
        // not before: a record the server sent again merged with the pushed work has replaced
        // its older held copy by now. Also when the pull was cut: what is held is the latest of
        // its record the phone has.
        let mut store = lock(store)?;
        let held = match (store.apply_held_back(), &pulled) {
            (Ok(held), _) => held,
            (Err(e), Ok(())) => return Err(e),
            // The pull's own failure is the one to report.
            (Err(e), Err(_)) => {
                tracing::warn!(error = %e, "held-back changes could not be applied");
                PageApplied::default()
            }
        };
        report.pulled += u64::from(held.written);
        report.removed += u64::from(held.removed);
        report.held_back = store.held_back()?;
        if store.vault_sweep_due()? {
            // Photos of households that left the phone went with them: so do their files.
            store.sweep_photo_vault()?;
        }
        pulled
    }

    fn pull_pages(
        &self,
        store: &Mutex<Store>,
        cursor: String,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        let mut done = 0u64;
        let mut total = 0u64;
        std::thread::scope(|s| {
            // One page waits while the next is being fetched: at most two pages ahead.
            let (sender, pages) = std::sync::mpsc::sync_channel::<Result<PullResponse<Pulled>>>(1);
            s.spawn(move || {
                let mut cursor = cursor;
                loop {
                    let page = self.fetch_page(&cursor);
                    let next = match &page {
                        Ok(p) if p.more => Some(p.cursor.clone()),
                        _ => None,
                    };
                    // The sync stopped taking pages (it failed): so does the fetching.
                    if sender.send(page).is_err() {
                        return;
                    }
                    match next {
                        Some(c) => cursor = c,
                        None => return,
                    }
                }
            });
            for page in pages {
                let page = page?;
                let applied = lock(store)?.apply_pull(&page)?;
                done = done.saturating_add(page.changes.len() as u64);
                // `remaining` is the server's estimate: the last page ends the bar full, whatever
                // it said.
                total = if page.more {
                    total.max(done.saturating_add(page.remaining))
                } else {
                    done
                };
                report.pulled += u64::from(applied.written);
                report.removed += u64::from(applied.removed);
                progress(SyncProgress {
                    phase: SyncPhase::Pull,
                    done,
                    total,
                });
                if !page.more {
                    return Ok(());
                }
            }
            Err(Error::Network {
                reason: "the pull stopped before its last page".into(),
            })
        })
    }

    /// One page after `cursor`, in smaller pages over a slow downlink ([`Session::shrinking`]).
    fn fetch_page(&self, cursor: &str) -> Result<PullResponse<Pulled>> {
        let url = format!("{}/v1/pull", self.server);
        self.shrinking(&self.pull_page, SMALLEST_PULL_PAGE, |size| {
            let limit = size.to_string();
            let request = Request::Get {
                url: &url,
                query: &[("cursor", cursor), ("limit", limit.as_str())],
            };
            (size, self.syncer.attempt(&request, Some(&self.credential)))
        })
    }
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    // A panic while the store was held cannot leave it half-written (every change is one
    // transaction), so a poisoned lock is still safe to use.
    Ok(store.lock().unwrap_or_else(|p| p.into_inner()))
}

fn refusal(status: StatusCode, body: &[u8]) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (kind, message, op) = match parsed {
        Some(b) => (b.error, b.message, b.op_id),
        // Not the server's own answer (a proxy's page): no kind, so its status says what it
        // means (`ErrorKind::or_status`), and a proxy's 413 is handled as the server's would be.
        None => (ErrorKind::Unknown, format!("HTTP {}", status.as_u16()), None),
    };
    match status {
        StatusCode::UNAUTHORIZED => Error::Auth { reason: message },
        _ => Error::Refused {
            kind,
            status: status.as_u16(),
            message,
            operation: op,
        },
    }
}

/// Answers that say "not now" rather than "no": a server error, a request the server gave up
/// waiting for (408), too many requests (429). Tried again after a wait.
fn is_transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// The wait a `Retry-After` header asks for, in seconds (an HTTP date is left to the backoff).
fn retry_after(response: &Response<Body>) -> Option<Duration> {
    let seconds = response.headers().get("retry-after")?.to_str().ok()?;
    seconds.trim().parse().ok().map(Duration::from_secs)
}

const TIMED_OUT: &str = "the request timed out";

fn transport_reason(e: &ureq::Error) -> String {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Timeout(_) => TIMED_OUT.into(),
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => "could not connect".into(),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable
            ) =>
        {
            "could not connect".into()
        }
        ureq::Error::Io(io) if io.kind() == ErrorKind::TimedOut => TIMED_OUT.into(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "the secure connection failed".into(),
        _ => "the connection broke".into(),
    }
}

fn jitter(wait: Duration) -> Duration {
    let spread = rand::random::<f64>() * 0.5 + 0.75;
    wait.mul_f64(spread)
}

fn sleep_unless_cancelled(wait: Duration, cancel: &CancelToken) -> Result<()> {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < wait {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        std::thread::sleep(step.min(wait - slept));
        slept += step;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::atomic::AtomicU32;

    /// A server whose answers are cut in the middle, then fail with 503, in turn: every try
    /// counts against the one budget of `attempts`, not `attempts` of each kind nested (which
    /// made 25 tries of a request with the default 5).
    #[test]
    fn a_request_whose_answers_keep_failing_is_tried_attempts_times_in_all() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/whoami", listener.local_addr().unwrap());
        let tries = Arc::new(AtomicU32::new(0));
        let counted = tries.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let answer: &[u8] = if n.is_multiple_of(2) {
                    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"cut"
                } else {
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                };
                let _ = stream.write_all(answer);
            }
        });
        let options = SyncOptions {
            attempts: 4,
            backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
            timeout: Duration::from_secs(5),
            ..SyncOptions::default()
        };
        let syncer = Syncer::new(options).unwrap();
        let request = Request::Get {
            url: &url,
            query: &[],
        };
        let answer: Result<serde_json::Value> = syncer.json(&request, None, &CancelToken::new());
        assert!(matches!(answer, Err(Error::Network { .. })), "{answer:?}");
        assert_eq!(tries.load(Ordering::SeqCst), 4);
    }
}
