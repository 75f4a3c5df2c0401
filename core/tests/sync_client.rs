//! The device's sync against a fake server that misbehaves as weak uplinks and faulty servers
//! do: acknowledgements past what was sent, endless estimates, cut photo uploads, "try later".
//! (Against the real server, on both backends: `server/tests/sync.rs` and `chaos.rs`.)

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::photos::{exif_payload, jpeg_with_exif, test_card};
use common::*;
use doorstep_core::device_sync::{CancelToken, SyncOptions, SyncPhase, SyncProgress, Syncer};
use doorstep_core::error::Error;
use doorstep_core::household::Household;
use doorstep_core::ids::TechnicianId;
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::store::Store;
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::ErrorKind;
use doorstep_core::team::{Technician, TechnicianRole};
use serde_json::{Value, json};

/// A request as the fake server read it.
struct Asked {
    method: String,
    /// The path with its query.
    path: String,
    body: Vec<u8>,
}

enum Answer {
    /// A status, extra headers and a JSON body.
    Json(u16, Vec<(&'static str, String)>, Value),
    /// The connection closes with no answer: a cut on a weak uplink.
    Cut,
}

/// One server on a local port, answering each request (one per connection) with `answer`.
struct FakeServer {
    url: String,
    /// Every request's method, path and arrival, in order.
    asked: Arc<Mutex<Vec<(String, String, Instant)>>>,
}

impl FakeServer {
    fn start(mut answer: impl FnMut(&Asked) -> Answer + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                log.lock().unwrap().push((
                    request.method.clone(),
                    request.path.clone(),
                    Instant::now(),
                ));
                if let Answer::Json(status, headers, body) = answer(&request) {
                    let body = serde_json::to_vec(&body).unwrap();
                    let mut head = format!(
                        "HTTP/1.1 {status} Answer\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n",
                        body.len()
                    );
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&body);
                }
            }
        });
        Self { url, asked }
    }

    /// The paths asked with `method`, in order, without their query.
    fn asked(&self, method: &str, path: &str) -> Vec<Instant> {
        self.asked
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p, _)| m == method && p.split('?').next() == Some(path))
            .map(|(_, _, at)| *at)
            .collect()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Asked> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let (method, path, length) = read_head(&mut reader)?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Asked { method, path, body })
}

/// A request's method, path and body length.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<(String, String, usize)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    Some((method, path, length))
}

fn ok(body: Value) -> Answer {
    Answer::Json(200, vec![], body)
}

fn server_hlc() -> Value {
    serde_json::to_value(Hlc {
        wall_ms: Utc::now().timestamp_millis().unsigned_abs(),
        counter: 0,
        node: "server".into(),
    })
    .unwrap()
}

/// The server's answer to a push it stored whole.
fn stored_whole(request: &Asked) -> Answer {
    let pushed: Value = serde_json::from_slice(&request.body).unwrap();
    let ops = pushed["ops"].as_array().unwrap();
    ok(json!({
        "acknowledged_through": ops.last().unwrap()["seq"],
        "applied": ops.len(),
        "conflicts": 0,
        "server_hlc": server_hlc(),
    }))
}

fn pull_page(changes: Vec<Value>, more: bool, remaining: u64) -> Answer {
    ok(json!({
        "changes": changes,
        "cursor": format!("{}.scope", changes.len()),
        "more": more,
        "reset": false,
        "remaining": remaining,
        "server_time": Utc::now(),
        "server_hlc": server_hlc(),
    }))
}

fn neighbour(n: u32) -> Household {
    household(
        &format!("33000005{n:02}"),
        "王秀英",
        "13812345678",
        "文三路88号",
        30.2775,
        120.1301,
    )
}

/// A phone enrolled with `server`.
fn enrolled(dir: &tempfile::TempDir, server: &FakeServer) -> Mutex<Store> {
    let mut store = open(dir);
    enroll(&mut store, &server.url);
    Mutex::new(store)
}

/// Enrolls the phone's store with the server at `url`.
fn enroll(store: &mut Store, url: &str) {
    let technician = Technician {
        id: TechnicianId::new(),
        badge: "T00101".into(),
        name: "徐磊".into(),
        phone: None,
        role: TechnicianRole::Inspector,
        crew_id: None,
        district_id: None,
        active: true,
    };
    store
        .set_enrollment(url, "device.secret", &technician)
        .unwrap();
}

/// Quick retries, so that a test of a failing server takes milliseconds.
fn quick() -> SyncOptions {
    SyncOptions {
        attempts: 3,
        backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
        timeout: Duration::from_secs(10),
        ..SyncOptions::default()
    }
}

/// Syncs once; returns the answer and every progress report.
fn sync(
    options: SyncOptions,
    store: &Mutex<Store>,
) -> (
    Result<doorstep_core::device_sync::SyncReport, Error>,
    Vec<SyncProgress>,
) {
    let heard = Mutex::new(Vec::new());
    let answer = Syncer::new(options).unwrap().sync(
        store,
        &|p| heard.lock().unwrap().push(p),
        &CancelToken::new(),
    );
    (answer, heard.into_inner().unwrap())
}

/// `n` households saved on the phone, their operations queued.
fn queue_households(store: &Mutex<Store>, n: u32) {
    let mut store = store.lock().unwrap();
    for n in 1..=n {
        store
            .save_household(&neighbour(n), at(2026, 11, 2, 9, n))
            .unwrap();
    }
}

fn outbox_seqs(store: &Mutex<Store>) -> Vec<i64> {
    let store = store.lock().unwrap();
    store.outbox(100).unwrap().iter().map(|e| e.seq).collect()
}

#[test]
fn a_server_acknowledging_operations_it_was_never_sent_loses_none_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::start(|request| match request.path.split('?').next() {
        // A faulty server (or one restored from an old backup) answers with a number it was
        // never sent.
        Some("/v1/push") => ok(json!({
            "acknowledged_through": 1000,
            "applied": 3,
            "conflicts": 0,
            "server_hlc": server_hlc(),
        })),
        _ => pull_page(vec![], false, 0),
    });
    let store = enrolled(&dir, &server);
    queue_households(&store, 5);
    let before = outbox_seqs(&store);
    assert_eq!(before.len(), 5);

    let (answer, _) = sync(
        SyncOptions {
            push_batch: 3,
            ..quick()
        },
        &store,
    );
    assert_eq!(
        outbox_seqs(&store),
        before,
        "nothing leaves the outbox on an acknowledgement outside the batch sent"
    );
    assert!(matches!(&answer, Err(Error::Protocol { .. })), "{answer:?}");
    // The server's number did not become the outbox's: the next operation follows the last.
    store
        .lock()
        .unwrap()
        .save_household(&neighbour(6), at(2026, 11, 2, 9, 6))
        .unwrap();
    assert_eq!(
        outbox_seqs(&store).last(),
        Some(&(before.last().unwrap() + 1))
    );
}

#[test]
fn an_acknowledgement_beyond_the_pushed_batch_is_refused_by_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    for n in 1..=5 {
        store
            .save_household(&neighbour(n), at(2026, 11, 2, 9, n))
            .unwrap();
    }
    let sent = store.push_batch(3).unwrap();
    let (first, last) = (sent[0].seq, sent[2].seq);
    for outside in [last + 1, 1000, i64::MAX, first - 1, i64::MIN] {
        let refused = store.acknowledge_pushed(&sent, outside);
        assert!(
            matches!(&refused, Err(Error::Protocol { .. })),
            "{outside}: {refused:?}"
        );
        assert_eq!(store.outbox_len().unwrap(), 5, "{outside}: nothing removed");
    }
    assert_eq!(store.acknowledge_pushed(&sent, last).unwrap(), 3);
    store
        .save_household(&neighbour(6), at(2026, 11, 2, 9, 6))
        .unwrap();
    let seqs: Vec<i64> = store.outbox(10).unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![last + 1, last + 2, last + 3]);
}

#[test]
fn an_acknowledgement_past_the_outbox_does_not_use_up_the_sequence_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    store
        .save_household(&neighbour(1), at(2026, 11, 2, 9, 1))
        .unwrap();
    let last = store.outbox(10).unwrap()[0].seq;
    store.acknowledge_through(i64::MAX).unwrap();
    for n in 2..=3 {
        store
            .save_household(&neighbour(n), at(2026, 11, 2, 9, n))
            .expect("the technician's work is still queued");
    }
    let seqs: Vec<i64> = store.outbox(10).unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![last + 1, last + 2]);
}

fn pulls(progress: &[SyncProgress]) -> Vec<(u64, u64)> {
    progress
        .iter()
        .filter(|p| p.phase == SyncPhase::Pull)
        .map(|p| (p.done, p.total))
        .collect()
}

/// A sync against a server answering with `answer`: the changes pulled, and the pull's
/// progress reports as (done, total).
fn pull_through(
    dir: &tempfile::TempDir,
    answer: impl FnMut(&Asked) -> Answer + Send + 'static,
) -> (u64, Vec<(u64, u64)>) {
    let server = FakeServer::start(answer);
    let store = enrolled(dir, &server);
    let (answer, progress) = sync(quick(), &store);
    (answer.unwrap().pulled, pulls(&progress))
}

#[test]
fn the_pull_progress_bar_ends_full_when_the_server_overestimated() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = vec![
        pull_page(vec![put(2, &neighbour(2)), put(1, &neighbour(1))], true, 50),
        pull_page(vec![put(3, &neighbour(3))], false, 7),
    ]
    .into_iter();
    let (pulled, pulls) = pull_through(&dir, move |_| pages.next().unwrap_or(Answer::Cut));
    assert_eq!(pulled, 3);
    assert!(pulls.iter().all(|(done, total)| done <= total), "{pulls:?}");
    assert_eq!(pulls.last(), Some(&(3, 3)), "{pulls:?}");
}

#[test]
fn a_server_estimating_endless_changes_does_not_stop_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let mut pages = vec![
        pull_page(vec![put(1, &neighbour(1))], true, u64::MAX),
        pull_page(vec![put(2, &neighbour(2))], false, u64::MAX),
    ]
    .into_iter();
    let (pulled, pulls) = pull_through(&dir, move |_| pages.next().unwrap_or(Answer::Cut));
    assert_eq!(pulled, 2);
    assert!(pulls.iter().all(|(done, total)| done <= total), "{pulls:?}");
    assert_eq!(pulls.last(), Some(&(2, 2)), "{pulls:?}");
}

#[test]
fn new_work_reaches_a_technician_whose_uplink_cannot_carry_photos() {
    let dir = tempfile::tempdir().unwrap();
    let assigned = neighbour(7);
    let change = put(1, &assigned);
    let server = FakeServer::start(move |request| {
        match (request.method.as_str(), request.path.split('?').next()) {
            ("POST", Some("/v1/push")) => stored_whole(request),
            ("POST", Some("/v1/photos/missing")) => {
                let asked: Value = serde_json::from_slice(&request.body).unwrap();
                let missing: Vec<Value> = asked["sha256"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| json!({"sha256": h, "received": 0}))
                    .collect();
                ok(json!({ "missing": missing }))
            }
            // The photo's bytes never get through.
            ("PUT", _) => Answer::Cut,
            ("GET", Some("/v1/pull")) => pull_page(vec![change.clone()], false, 0),
            _ => Answer::Json(404, vec![], json!({"error": "not_found", "message": "no"})),
        }
    });
    let store = enrolled(&dir, &server);
    let camera_file = dir.path().join("camera.jpg");
    std::fs::write(
        &camera_file,
        jpeg_with_exif(
            &test_card(320, 240),
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    )
    .unwrap();
    let context = WatermarkContext {
        captured_at: at(2026, 11, 2, 1, 30),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: None,
        device_position: None,
        technician: "T00101".into(),
    };
    let photo = store
        .lock()
        .unwrap()
        .ingest_photo(&camera_file, None, &context, &PhotoPolicy::default())
        .unwrap();

    let (answer, _) = sync(quick(), &store);
    assert!(
        !server
            .asked("PUT", &format!("/v1/photos/{}", photo.sha256))
            .is_empty(),
        "the upload was tried"
    );
    let store = store.lock().unwrap();
    assert_eq!(
        store.household(assigned.id).map(|h| h.customer_number).ok(),
        Some(assigned.customer_number.clone()),
        "the pull ran and its changes are on the phone"
    );
    assert!(matches!(answer, Err(Error::Network { .. })), "{answer:?}");
    assert_eq!(
        store.photos_to_upload().unwrap(),
        vec![photo.sha256.clone()],
        "the photo waits for the next sync"
    );
    assert_eq!(store.outbox_len().unwrap(), 0, "the push was acknowledged");
}

#[test]
fn a_busy_server_is_tried_again_after_the_wait_it_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut pushes = 0;
    let server = FakeServer::start(move |request| match request.path.split('?').next() {
        Some("/v1/push") => {
            pushes += 1;
            match pushes {
                1 => Answer::Json(
                    408,
                    vec![],
                    json!({"error": "timeout", "message": "request timeout"}),
                ),
                2 => Answer::Json(
                    429,
                    vec![("retry-after", "5".into())],
                    json!({"error": "busy", "message": "too many requests"}),
                ),
                _ => stored_whole(request),
            }
        }
        _ => pull_page(vec![], false, 0),
    });
    let store = enrolled(&dir, &server);
    store
        .lock()
        .unwrap()
        .save_household(&neighbour(1), at(2026, 11, 2, 9, 1))
        .unwrap();

    let options = SyncOptions {
        attempts: 5,
        backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(300),
        ..quick()
    };
    let (answer, _) = sync(options, &store);
    assert_eq!(answer.unwrap().pushed, 1);
    assert_eq!(store.lock().unwrap().outbox_len().unwrap(), 0);
    let pushes = server.asked("POST", "/v1/push");
    assert_eq!(pushes.len(), 3, "408, then 429, then stored");
    // Retry-After (5 s) is honoured, but no longer than the longest backoff (300 ms).
    let waited = pushes[2] - pushes[1];
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
}

/// A server behind a link that carries `rate` bytes a second each way. A request whose body has
/// not arrived whole after `patience` is one the phone gave up on: the rest of its bytes never
/// left the phone, and the server keeps nothing of it. Photo chunks are kept as the real server
/// keeps them (at the offset it expects, else the answer says where the upload stands); pulls
/// page through `households` as the server would, `limit` at a time.
struct SlowUplink {
    url: String,
    /// The photo's bytes as the server holds them.
    received: Arc<Mutex<Vec<u8>>>,
    /// The sizes of the photo chunks that arrived whole, in order.
    chunks: Arc<Mutex<Vec<usize>>>,
    /// The `limit` of every pull asked for, in order.
    limits: Arc<Mutex<Vec<usize>>>,
}

impl SlowUplink {
    fn start(rate: usize, patience: Duration) -> Self {
        Self::serving(rate, patience, Vec::new())
    }

    fn serving(rate: usize, patience: Duration, households: Vec<Household>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let limits = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            photo: received.clone(),
            sizes: chunks.clone(),
            limits: limits.clone(),
            households,
        });
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let _ = Self::serve(stream, rate, patience, &shared);
                });
            }
        });
        Self {
            url,
            received,
            chunks,
            limits,
        }
    }

    fn serve(mut stream: TcpStream, rate: usize, patience: Duration, at: &Shared) -> Option<()> {
        let (photo, sizes) = (&at.photo, &at.sizes);
        let mut reader = BufReader::new(stream.try_clone().ok()?);
        let started = Instant::now();
        let (method, path, length) = read_head(&mut reader)?;
        let mut body = vec![0; length];
        for part in body.chunks_mut(4096) {
            reader.read_exact(part).ok()?;
            std::thread::sleep(Duration::from_secs_f64(part.len() as f64 / rate as f64));
        }
        if started.elapsed() > patience {
            return None;
        }
        let request = Asked { method, path, body };
        let answer = match (request.method.as_str(), request.path.split('?').next()) {
            ("POST", Some("/v1/push")) => stored_whole(&request),
            ("POST", Some("/v1/photos/missing")) => {
                let asked: Value = serde_json::from_slice(&request.body).unwrap();
                let held = photo.lock().unwrap().len();
                let missing: Vec<Value> = asked["sha256"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| json!({"sha256": h, "received": held}))
                    .collect();
                ok(json!({ "missing": missing }))
            }
            ("PUT", _) => {
                let query = request.path.split_once('?').unwrap().1;
                let number = |name: &str| -> usize {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                let (offset, total) = (number("offset"), number("total"));
                let mut held = photo.lock().unwrap();
                if offset == held.len() {
                    held.extend_from_slice(&request.body);
                    sizes.lock().unwrap().push(request.body.len());
                }
                ok(json!({"received": held.len(), "complete": held.len() == total}))
            }
            _ => {
                let query = request.path.split_once('?').map_or("", |q| q.1);
                let param = |name: &str| {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .unwrap_or("")
                        .to_owned()
                };
                let limit: usize = param("limit").parse().unwrap_or(5000);
                at.limits.lock().unwrap().push(limit);
                let from: usize = param("cursor")
                    .split('.')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let to = (from + limit).min(at.households.len());
                let changes = (from..to)
                    .map(|i| put(i as i64 + 1, &at.households[i]))
                    .collect();
                let mut page = pull_page(changes, to < at.households.len(), 0);
                if let Answer::Json(_, _, body) = &mut page {
                    body["cursor"] = json!(format!("{to}.scope"));
                    body["remaining"] = json!(at.households.len() - to);
                }
                page
            }
        };
        let Answer::Json(status, _, body) = answer else {
            return None;
        };
        let body = serde_json::to_vec(&body).ok()?;
        let head = format!(
            "HTTP/1.1 {status} Answer\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        for part in body.chunks(4096) {
            stream.write_all(part).ok()?;
            std::thread::sleep(Duration::from_secs_f64(part.len() as f64 / rate as f64));
        }
        Some(())
    }
}

/// What every connection of a [`SlowUplink`] shares.
struct Shared {
    photo: Arc<Mutex<Vec<u8>>>,
    sizes: Arc<Mutex<Vec<usize>>>,
    limits: Arc<Mutex<Vec<usize>>>,
    households: Vec<Household>,
}

#[test]
fn a_photo_reaches_the_office_over_an_uplink_too_slow_to_carry_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let camera_file = dir.path().join("camera.jpg");
    // A scene with grain, as a phone's camera sees a stairwell: a photo of a few hundred KB.
    let mut scene = test_card(2048, 1536);
    for (i, p) in scene.pixels.iter_mut().enumerate() {
        *p = p.wrapping_add(((i.wrapping_mul(2_654_435_761) >> 13) & 63) as u8);
    }
    std::fs::write(
        &camera_file,
        jpeg_with_exif(
            &scene,
            &exif_payload(1, "2026:11:02 09:29:40", 30.2776, 120.1302),
        ),
    )
    .unwrap();
    let context = WatermarkContext {
        captured_at: at(2026, 11, 2, 1, 30),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: None,
        device_position: None,
        technician: "T00101".into(),
    };
    let mut store = open(&dir);
    let photo = store
        .ingest_photo(&camera_file, None, &context, &PhotoPolicy::default())
        .unwrap();
    let bytes = store.photo_jpeg(&photo.sha256).unwrap();
    assert!(
        bytes.len() > 4 * 32 * 1024,
        "a photo of {} bytes",
        bytes.len()
    );
    // Each request has a second to be answered; the whole photo would take three.
    let timeout = Duration::from_secs(1);
    let server = SlowUplink::start(bytes.len() / 3, timeout);
    enroll(&mut store, &server.url);
    let store = Mutex::new(store);

    let (answer, _) = sync(
        SyncOptions {
            attempts: 5,
            timeout,
            ..quick()
        },
        &store,
    );
    let report = answer.expect("the photo got through, a part at a time");
    assert_eq!(report.photos_uploaded, 1);
    assert_eq!(*server.received.lock().unwrap(), bytes, "byte for byte");
    let chunks = server.chunks.lock().unwrap();
    assert!(
        chunks.len() > 1 && chunks.iter().all(|&n| n < bytes.len() / 2),
        "sent in parts small enough for the link: {chunks:?}"
    );
    assert!(store.lock().unwrap().photos_to_upload().unwrap().is_empty());
}

#[test]
fn a_first_pull_reaches_a_phone_over_a_downlink_too_slow_for_a_whole_page() {
    let dir = tempfile::tempdir().unwrap();
    let households: Vec<Household> = (1..=400).map(neighbour).collect();
    let page_bytes = serde_json::to_vec(&households).unwrap().len();
    // Each request has a second to be answered; a page of all 400 households would take three.
    let timeout = Duration::from_secs(1);
    let server = SlowUplink::serving(page_bytes / 3, timeout, households.clone());
    let mut store = open(&dir);
    enroll(&mut store, &server.url);
    let store = Mutex::new(store);

    let (answer, progress) = sync(
        SyncOptions {
            attempts: 5,
            timeout,
            pull_page: 400,
            ..quick()
        },
        &store,
    );
    let report = answer.expect("the households arrived, a smaller page at a time");
    assert_eq!(report.pulled, 400);
    let store = store.lock().unwrap();
    for h in [&households[0], &households[399]] {
        assert_eq!(
            store.household(h.id).unwrap().customer_number,
            h.customer_number
        );
    }
    let limits = server.limits.lock().unwrap();
    assert_eq!(limits.first(), Some(&400));
    assert!(limits.iter().skip(1).all(|&l| l < 400), "{limits:?}");
    assert_eq!(pulls(&progress).last(), Some(&(400, 400)));
}

/// A proxy's page refusing a request for its size (nginx takes 1 MiB by default).
fn proxy_too_large() -> Answer {
    Answer::Json(
        413,
        vec![],
        json!("<html><body><h1>413 Request Entity Too Large</h1></body></html>"),
    )
}

#[test]
fn a_proxy_taking_less_than_the_server_gets_the_push_in_smaller_requests() {
    let dir = tempfile::tempdir().unwrap();
    let one_op = Arc::new(Mutex::new(0usize));
    let sizes = one_op.clone();
    let server = FakeServer::start(move |request| match request.path.split('?').next() {
        Some("/v1/push") => {
            let pushed: Value = serde_json::from_slice(&request.body).unwrap();
            let ops = pushed["ops"].as_array().unwrap().len();
            let mut per_op = sizes.lock().unwrap();
            *per_op = (*per_op).max(request.body.len() / ops);
            // Room for three operations a request, whatever the phone first sends.
            if request.body.len() > 3 * *per_op + 64 {
                proxy_too_large()
            } else {
                stored_whole(request)
            }
        }
        _ => pull_page(vec![], false, 0),
    });
    let store = enrolled(&dir, &server);
    queue_households(&store, 20);
    let (answer, _) = sync(quick(), &store);
    let report = answer.expect("pushed in smaller requests");
    assert_eq!((report.pushed, report.rejected), (20, 0));
    assert!(outbox_seqs(&store).is_empty());
}

#[test]
fn an_operation_too_large_for_the_proxy_alone_is_set_aside_not_retried_forever() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::start(|request| match request.path.split('?').next() {
        Some("/v1/push") => proxy_too_large(),
        _ => pull_page(vec![], false, 0),
    });
    let store = enrolled(&dir, &server);
    queue_households(&store, 3);
    let (answer, _) = sync(quick(), &store);
    let report = answer.expect("the sync goes on past what it cannot send");
    assert_eq!(report.rejected, 3);
    let store = store.lock().unwrap();
    let parked = store.rejected_operations().unwrap();
    assert_eq!(parked.len(), 3);
    assert!(
        parked.iter().all(|p| p.error == ErrorKind::TooLarge),
        "{parked:?}"
    );
}

#[test]
fn a_sealed_form_the_server_parks_is_set_aside_and_outlives_its_households_leave() {
    use common::forms::{hose_check, signature};
    use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult};
    use doorstep_core::forms::template::SignerRole;
    use doorstep_core::store::sync::Standing;
    let dir = tempfile::tempdir().unwrap();
    let h = neighbour(1);
    let pushed_ops = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = pushed_ops.clone();
    let household_id = h.id.to_string();
    let server = FakeServer::start(move |request| match request.path.split('?').next() {
        Some("/v1/push") => {
            let pushed: Value = serde_json::from_slice(&request.body).unwrap();
            let ops = pushed["ops"].as_array().unwrap();
            seen.lock()
                .unwrap()
                .extend(ops.iter().map(|op| op["operation"]["op"].to_string()));
            let sealed: Vec<&Value> = ops
                .iter()
                .filter(|op| op["operation"]["op"] == "form_sealed")
                .map(|op| &op["op_id"])
                .collect();
            ok(json!({
                "acknowledged_through": ops.last().unwrap()["seq"],
                "applied": ops.len(),
                "conflicts": 0,
                "parked": sealed,
                "server_hlc": server_hlc(),
            }))
        }
        _ => pull_page(
            vec![json!({"seq": 5, "entity": "household", "id": household_id, "action": "leave"})],
            false,
            0,
        ),
    });
    let store = enrolled(&dir, &server);
    let form = {
        let mut store = store.lock().unwrap();
        store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
        let form = store
            .start_form(&hose_check(), h.id, None, at(2026, 11, 2, 9, 5))
            .unwrap();
        let pass = || {
            Some(Answer::Check(CheckAnswer {
                result: CheckResult::Pass,
                advice: None,
            }))
        };
        store.answer(form.id, "leak_test", pass()).unwrap();
        store.answer(form.id, "hose_ok", pass()).unwrap();
        let now = Utc::now();
        store
            .sign(
                form.id,
                "customer_signature",
                signature(SignerRole::Customer, "王秀英", now),
            )
            .unwrap();
        store
            .sign(
                form.id,
                "technician_signature",
                signature(SignerRole::Technician, "徐磊", now),
            )
            .unwrap();
        store.complete_form(form.id, now).unwrap();
        form.id
    };

    let (answer, _) = sync(quick(), &store);
    let report = answer.expect("the sync goes on");
    assert_eq!((report.pushed, report.parked), (2, 1));
    assert_eq!(
        *pushed_ops.lock().unwrap(),
        vec!["\"household_saved\"", "\"form_sealed\""],
        "the form travels as its seal alone"
    );
    let store = store.lock().unwrap();
    assert_eq!(store.outbox_len().unwrap(), 0);
    let listed = store.rejected_operations().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].standing, Standing::Parked);
    assert!(
        store.form(form).unwrap().is_sealed(),
        "readable on the phone until the office decides"
    );
    assert!(store.household(h.id).is_ok());
}
