//! The HTTP API (axum): the sync endpoints under `/v1`, health and metrics. Handlers decode,
//! authenticate, and hand the work to the storage on a blocking thread; every refusal is an
//! [`ApiError`] with its status and JSON body, made from the server's [`Error`].

mod error;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::Utc;
use doorstep_core::input::without_values;
use doorstep_core::sync::HlcClock;
use doorstep_core::sync::protocol::{
    EnrollRequest, EnrollResponse, MAX_REQUEST_BYTES, MissingPhoto, MissingPhotosRequest,
    MissingPhotosResponse, PhotoChunkResponse, PullResponse, PushRequest, PushResponse, WhoAmI,
};
use doorstep_core::sync::raw::read_push_request;
use object_store::ObjectStore;
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use self::error::{ApiError, ApiResult};
use crate::error::{Error, Result};
use crate::photos::blocking;
use crate::push::Device;
use crate::storage::{Actor, AuditRow, Storage, read, write};
use crate::{auth, delivery, photos, pull, push};

/// What every handler shares.
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub blobs: Arc<dyn ObjectStore>,
    /// The server's hybrid logical clock: it observes every pushed stamp.
    pub clock: Mutex<HlcClock>,
    pub metrics: Metrics,
    /// The wall time the server goes by: the system's, or the day `doorstep demo` plays.
    pub wall: WallClock,
    /// The console's sessions and sign-in limits.
    pub console: crate::console::session::Settings,
    /// The yearly evaluation's items and weights (`<data>/evaluation.toml`, read when the
    /// server starts; the documented defaults without it).
    pub evaluation: crate::reports::evaluation::Weights,
}

/// Where the server takes the time from: [`AppState::new`] the system's clock; `doorstep demo`
/// its own day's, moved with the scenes, so that what its phones did at 09:30 by their clocks
/// reaches a server whose clock agrees, and is believed (`doorstep_core::sync::time`).
pub type WallClock = Arc<dyn Fn() -> chrono::DateTime<Utc> + Send + Sync>;

#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub refused: AtomicU64,
    pub ops_applied: AtomicU64,
    pub conflicts: AtomicU64,
    pub photos_received: AtomicU64,
    pub changes_pulled: AtomicU64,
    /// Time spent answering pushes, from the request's first byte to its answer, in
    /// microseconds: the server's own cost of ingesting operations.
    pub push_micros: AtomicU64,
    /// Bytes of request bodies received and of response bodies sent, as they crossed the
    /// wire (before any decoding): what the phones' syncs cost their data plans.
    pub bytes_received: AtomicU64,
    pub bytes_sent: AtomicU64,
    /// The backup loops' counters and gauges (issue 27).
    pub backup: crate::backup::Metrics,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, blobs: Arc<dyn ObjectStore>) -> Arc<Self> {
        Self::with_clock(storage, blobs, Arc::new(Utc::now))
    }

    /// A server going by `wall` instead of the system's clock (`doorstep demo`).
    pub fn with_clock(
        storage: Arc<dyn Storage>,
        blobs: Arc<dyn ObjectStore>,
        wall: WallClock,
    ) -> Arc<Self> {
        Arc::new(Self {
            storage,
            blobs,
            clock: Mutex::new(HlcClock::resume("server", None)),
            metrics: Metrics::default(),
            wall,
            console: Default::default(),
            evaluation: Default::default(),
        })
    }

    /// The server's time now.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        (self.wall)()
    }

    fn server_hlc(&self) -> doorstep_core::sync::Hlc {
        let now = self.now();
        let mut clock = self.clock.lock().unwrap_or_else(|p| p.into_inner());
        clock.tick(now.timestamp_millis().max(0) as u64)
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    let console = crate::console::router(state.clone());
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/enroll", post(enroll))
        .route("/v1/whoami", get(whoami))
        .route("/v1/push", post(push_ops))
        .route("/v1/photos/missing", post(photos_missing))
        .route("/v1/photos/{sha256}", put(photo_chunk))
        .route("/v1/pull", get(pull_changes))
        .fallback(|| async { ApiError::from(Error::NotFound("endpoint")) })
        .method_not_allowed_fallback(|| async { ApiError::from(Error::MethodNotAllowed) })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
        .merge(console)
}

async fn count_requests(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let request = request.map(|body| Counted::body(body, state.clone(), Direction::Received));
    let response = next.run(request).await;
    let response = response.map(|body| Counted::body(body, state.clone(), Direction::Sent));
    if path == "/v1/push" {
        let micros = started.elapsed().as_micros().try_into().unwrap_or(u64::MAX);
        state
            .metrics
            .push_micros
            .fetch_add(micros, Ordering::Relaxed);
    }
    if !response.status().is_success() {
        state.metrics.refused.fetch_add(1, Ordering::Relaxed);
    }
    // Only the route: never the path as sent.
    tracing::info!(%method, path = %path_for_log(&path), status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0, "request");
    response
}

/// Which way a body goes, for [`Counted`].
#[derive(Clone, Copy)]
enum Direction {
    Received,
    Sent,
}

/// A body whose bytes are added to the metrics as they pass, unchanged otherwise: its size
/// hint and end are the inner body's, so a response with a known length keeps its
/// `Content-Length` (a body of unknown size would go out chunked).
struct Counted {
    inner: axum::body::Body,
    state: Arc<AppState>,
    direction: Direction,
}

impl Counted {
    fn body(
        inner: axum::body::Body,
        state: Arc<AppState>,
        direction: Direction,
    ) -> axum::body::Body {
        axum::body::Body::new(Self {
            inner,
            state,
            direction,
        })
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<std::result::Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if let std::task::Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let metrics = &self.state.metrics;
            let counter = match self.direction {
                Direction::Received => &metrics.bytes_received,
                Direction::Sent => &metrics.bytes_sent,
            };
            counter.fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The route a request went to, as the log names it: an endpoint's own path, a photo's with
/// `{sha256}` for its hash, and `(no such endpoint)` for any other path, which the client chose
/// and which could carry anything.
fn path_for_log(path: &str) -> &'static str {
    const ENDPOINTS: &[&str] = &[
        "/health",
        "/metrics",
        "/v1/enroll",
        "/v1/whoami",
        "/v1/push",
        "/v1/photos/missing",
        "/v1/pull",
    ];
    if let Some(endpoint) = ENDPOINTS.iter().find(|e| **e == path) {
        endpoint
    } else if path
        .strip_prefix("/v1/photos/")
        .is_some_and(|hash| !hash.contains('/'))
    {
        "/v1/photos/{sha256}"
    } else {
        "(no such endpoint)"
    }
}

/// JSON bodies whose every rejection is a typed [`ApiError`]: malformed JSON is 400, an
/// oversized body 413.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(json_rejection(e).into()),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::BytesRejection(b) => bytes_rejection(b),
        JsonRejection::MissingJsonContentType(_) => {
            Error::Malformed("the body must be JSON (content-type: application/json)".into())
        }
        // A value of the wrong type or out of range is named by its place, never repeated: it
        // may be a phone or an address.
        JsonRejection::JsonDataError(e) => Error::Malformed(format!(
            "the body is not valid: {}",
            without_values(&e.body_text())
        )),
        e => Error::Malformed(format!("the body is not valid: {}", e.body_text())),
    }
}

/// A JSON body not decoded yet: the push decodes its own, keeping each operation's text.
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> ApiResult<Self> {
        if !is_json(req.headers()) {
            return Err(json_rejection(
                axum::extract::rejection::MissingJsonContentType::default().into(),
            )
            .into());
        }
        Ok(raw_body(req).await.map(JsonBytes)?)
    }
}

/// `application/json` or `application/<something>+json`, as [`Json`] requires.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

fn bytes_rejection(b: BytesRejection) -> Error {
    if b.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge(format!(
            "a request body may be at most {MAX_REQUEST_BYTES} bytes"
        ))
    } else {
        Error::Malformed("the body could not be read".into())
    }
}

async fn raw_body(req: Request) -> Result<Bytes> {
    Bytes::from_request(req, &()).await.map_err(bytes_rejection)
}

fn query<T: DeserializeOwned>(q: Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::Malformed(format!("the query is not valid: {}", e.body_text())))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
}

async fn authenticated(state: &Arc<AppState>, headers: &HeaderMap) -> Result<Device> {
    let authorization = bearer(headers);
    let storage = state.storage.clone();
    blocking(move || {
        read(&*storage, |tx| {
            auth::authenticate(tx, authorization.as_deref())
        })
    })
    .await
}

async fn health(State(state): State<Arc<AppState>>) -> ApiResult<Json<serde_json::Value>> {
    let storage = state.storage.clone();
    blocking(move || {
        read(&*storage, |tx| {
            Ok(tx.count(crate::storage::Counted::Devices)?)
        })
    })
    .await?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "storage": state.storage.backend(),
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let m = &state.metrics;
    let line = |name: &str, help: &str, v: &AtomicU64| {
        format!(
            "# HELP doorstep_{name} {help}\n# TYPE doorstep_{name} counter\ndoorstep_{name} {}\n",
            v.load(Ordering::Relaxed)
        )
    };
    let body = [
        line("requests_total", "HTTP requests received.", &m.requests),
        line(
            "requests_refused_total",
            "Requests answered with an error.",
            &m.refused,
        ),
        line(
            "ops_applied_total",
            "Device operations applied (repeats not counted).",
            &m.ops_applied,
        ),
        line(
            "conflicts_total",
            "Edits overridden by the merge.",
            &m.conflicts,
        ),
        line(
            "photos_received_total",
            "Photo chunks received.",
            &m.photos_received,
        ),
        line(
            "changes_pulled_total",
            "Changes sent to devices.",
            &m.changes_pulled,
        ),
        line(
            "bytes_received_total",
            "Bytes of request bodies received.",
            &m.bytes_received,
        ),
        line(
            "bytes_sent_total",
            "Bytes of response bodies sent.",
            &m.bytes_sent,
        ),
        format!(
            "# HELP doorstep_push_seconds_total Time spent answering pushes.\n\
             # TYPE doorstep_push_seconds_total counter\n\
             doorstep_push_seconds_total {:.6}\n",
            m.push_micros.load(Ordering::Relaxed) as f64 / 1e6
        ),
        crate::backup::metrics_text(&m.backup),
    ]
    .concat();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

async fn enroll(
    State(state): State<Arc<AppState>>,
    body: Result<Body<EnrollRequest>, ApiError>,
) -> ApiResult<Json<EnrollResponse>> {
    let Body(request) = body?;
    let storage = state.storage.clone();
    let now = state.now();
    let response = blocking(move || write(&*storage, |tx| auth::enroll(tx, &request, now))).await?;
    Ok(Json(response))
}

async fn whoami(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult<Json<WhoAmI>> {
    let device = authenticated(&state, &headers).await?;
    Ok(Json(WhoAmI {
        device_id: device.id,
        technician_id: device.technician.id,
        server_time: state.now(),
    }))
}

async fn push_ops(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<JsonBytes, ApiError>,
) -> ApiResult<Json<PushResponse>> {
    authenticated(&state, &headers).await?;
    let authorization = bearer(&headers);
    let JsonBytes(body) = body?;
    let storage = state.storage.clone();
    let backend = storage.backend();
    let st = state.clone();
    let pushed = blocking(move || {
        let ops = read_push_request(&body).map_err(|_| {
            // Decoded again the usual way for the usual message (where, and what is wrong).
            match Json::<PushRequest>::from_bytes(&body) {
                Err(e) => json_rejection(e),
                Ok(_) => Error::Malformed("the body is not valid".into()),
            }
        })?;
        write(&*storage, |tx| {
            // Checked again in the transaction that writes: a device revoked, or a technician
            // moved, while this request waited for the writer is refused, or served in its
            // new scope, not the one it had when the request came in.
            let device = auth::authenticate(tx, authorization.as_deref())?;
            let now = st.now();
            let mut clock = st.clock.lock().unwrap_or_else(|p| p.into_inner());
            let mut pushed = push::push(tx, &device, &ops, &mut clock, now)?;
            // What the phone keeps until a backup holds it, and how it learns of a restore.
            pushed.generation = Some(push::generation::generation(tx)?);
            pushed.backed_up_through =
                push::generation::backed_up_through(tx, &device.id, backend)?;
            if pushed.applied > 0 {
                tx.audit(&AuditRow {
                    at: now,
                    actor: Actor::Technician(device.technician.id),
                    device_id: Some(device.id.clone()),
                    action: format!("pushed {} operation(s)", pushed.applied),
                    entity: None,
                    entity_id: None,
                })?;
            }
            Ok(pushed)
        })
        .map(|pushed| (pushed, st.server_hlc()))
    })
    .await?;
    let (pushed, server_hlc) = pushed;
    state
        .metrics
        .ops_applied
        .fetch_add(u64::from(pushed.applied), Ordering::Relaxed);
    state
        .metrics
        .conflicts
        .fetch_add(u64::from(pushed.conflicts), Ordering::Relaxed);
    Ok(Json(PushResponse {
        acknowledged_through: pushed.acknowledged_through,
        applied: pushed.applied,
        conflicts: pushed.conflicts,
        parked: pushed.parked,
        server_hlc,
        generation: pushed.generation,
        backed_up_through: pushed.backed_up_through,
    }))
}

async fn photos_missing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Body<MissingPhotosRequest>, ApiError>,
) -> ApiResult<Json<MissingPhotosResponse>> {
    authenticated(&state, &headers).await?;
    let Body(request) = body?;
    if request.sha256.len() > 1000 {
        return Err(Error::TooLarge("ask about at most 1000 photos at a time".into()).into());
    }
    let storage = state.storage.clone();
    let missing =
        blocking(move || read(&*storage, |tx| photos::missing(tx, &request.sha256))).await?;
    Ok(Json(MissingPhotosResponse {
        missing: missing
            .into_iter()
            .map(|(sha256, received)| MissingPhoto { sha256, received })
            .collect(),
    }))
}

#[derive(Deserialize)]
struct ChunkQuery {
    offset: u64,
    total: u64,
}

async fn photo_chunk(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    q: Result<Query<ChunkQuery>, QueryRejection>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Json<PhotoChunkResponse>> {
    let device = authenticated(&state, &headers).await?;
    let uploader = photos::Uploader {
        device_id: device.id,
        technician_id: device.technician.id,
    };
    // A path that is not text (`%FF`): refused as a typed error, like any other bad request.
    let Path(sha256) =
        path.map_err(|_| Error::Malformed("the photo's hash in the path is not valid".into()))?;
    let q = query(q)?;
    let chunk = raw_body(request).await?;
    state
        .metrics
        .photos_received
        .fetch_add(1, Ordering::Relaxed);
    let answer = photos::put_chunk(
        state.storage.clone(),
        state.blobs.clone(),
        uploader,
        sha256,
        q.offset,
        q.total,
        chunk,
    )
    .await?;
    Ok(Json(answer))
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    cursor: String,
    limit: Option<usize>,
}

async fn pull_changes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    q: Result<Query<PullQuery>, QueryRejection>,
) -> ApiResult<Json<PullResponse<pull::Served>>> {
    // Authenticated in the read transaction the page comes from (below), once.
    let authorization = bearer(&headers);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let q = query(q)?;
    let storage = state.storage.clone();
    let backend = storage.backend();
    let st = state.clone();
    let page = blocking(move || {
        // The clock is held by a push for its whole transaction: waited for here, on a
        // blocking thread, never on one of the few threads that serve every request.
        let hlc = st.server_hlc();
        let served_at = st.now();
        let (mut page, delivered, device_id) = read(&*storage, |tx| {
            // The scope as it is in the snapshot the page is read from.
            let device = auth::authenticate(tx, authorization.as_deref())?;
            let mut page =
                pull::pull(tx, &device, &q.cursor, q.limit.unwrap_or(1000), hlc.clone())?;
            page.generation = push::generation::read_generation(tx)?;
            page.backed_up_through = push::generation::backed_up_through(tx, &device.id, backend)?;
            let delivered = delivery::plan(tx, &device, &q.cursor, &page, served_at)?;
            Ok((page, delivered, device.id.clone()))
        })?;
        // When work orders reached the phone (issue 23): written only when the page serves
        // an order or the cursor confirms one served before.
        if let Some(plan) = delivered {
            delivery::record(&*storage, &plan, served_at)?;
        }
        // A database used before it had a generation gets one now (a read cannot make it).
        if page.generation.is_none() {
            page.generation = Some(write(&*storage, push::generation::generation)?);
        }
        // The device's last sync, for the console's board (issue 26).
        crate::console::pages::board::phones::note_pull(
            &*storage,
            &device_id,
            &page.cursor,
            page.more,
            user_agent.as_deref(),
            served_at,
        )?;
        Ok(page)
    })
    .await?;
    state
        .metrics
        .changes_pulled
        .fetch_add(page.changes.len() as u64, Ordering::Relaxed);
    Ok(Json(page))
}

#[cfg(test)]
mod tests {
    use super::path_for_log;

    #[test]
    fn the_request_log_names_routes_never_the_path_a_client_made_up() {
        assert_eq!(path_for_log("/v1/push"), "/v1/push");
        assert_eq!(path_for_log("/v1/photos/missing"), "/v1/photos/missing");
        assert_eq!(
            path_for_log(&format!("/v1/photos/{}", "ab".repeat(32))),
            "/v1/photos/{sha256}"
        );
        for made_up in [
            "/v1/households/王芳/13812345678",
            "/v1/photos/a/b",
            "/v1/push/x",
        ] {
            assert_eq!(path_for_log(made_up), "(no such endpoint)");
        }
    }
}
