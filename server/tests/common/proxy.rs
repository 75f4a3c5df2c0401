//! A fault-injecting HTTP proxy between a device and the server: it cuts connections in the
//! middle of a request or of a response, sends requests twice, delays them, and replays old
//! requests out of order, at random but from a seed, so a failing run can be repeated.
//!
//! It speaks just enough HTTP/1.1 for this: messages framed by Content-Length (what the client
//! and the server send), one upstream connection per request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How often each fault strikes, out of 1.0 per request.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub cut_request: f64,
    pub cut_response: f64,
    pub duplicate: f64,
    pub delay: f64,
    pub replay: f64,
}

impl Faults {
    pub fn none() -> Self {
        Self {
            cut_request: 0.0,
            cut_response: 0.0,
            duplicate: 0.0,
            delay: 0.0,
            replay: 0.0,
        }
    }
    pub fn harsh() -> Self {
        Self {
            cut_request: 0.12,
            cut_response: 0.12,
            duplicate: 0.1,
            delay: 0.1,
            replay: 0.1,
        }
    }
}

#[derive(Debug, Default)]
pub struct Counts {
    pub requests: AtomicU64,
    pub cut_requests: AtomicU64,
    pub cut_responses: AtomicU64,
    pub duplicates: AtomicU64,
    pub delays: AtomicU64,
    pub replays: AtomicU64,
}

pub struct Proxy {
    pub url: String,
    pub counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
    faults: Arc<Mutex<Faults>>,
}

struct Shared {
    upstream: String,
    rng: Mutex<StdRng>,
    faults: Arc<Mutex<Faults>>,
    counts: Arc<Counts>,
    /// Requests kept to be replayed later, out of order.
    held: Mutex<Vec<Vec<u8>>>,
}

impl Proxy {
    /// A proxy in front of `upstream` (`http://host:port`).
    pub fn start(upstream: &str, faults: Faults, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let faults = Arc::new(Mutex::new(faults));
        let counts = Arc::new(Counts::default());
        let shared = Arc::new(Shared {
            upstream: upstream.trim_start_matches("http://").to_owned(),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            faults: faults.clone(),
            counts: counts.clone(),
            held: Mutex::new(Vec::new()),
        });
        let stop_flag = stop.clone();
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while !stop_flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let shared = shared.clone();
                        std::thread::spawn(move || serve_client(client, &shared));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self {
            url,
            counts,
            stop,
            faults,
        }
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one HTTP message (head and Content-Length body). `None` at a clean end of stream.
fn read_message(reader: &mut BufReader<TcpStream>) -> Option<(Vec<u8>, usize)> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line).ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        .unwrap_or(0);
    let head_len = head.len();
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    head.extend_from_slice(&body);
    Some((head, head_len))
}

/// Sends one request upstream and reads the whole answer.
fn exchange(upstream: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut conn = TcpStream::connect(upstream).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    conn.write_all(request).ok()?;
    let mut reader = BufReader::new(conn);
    read_message(&mut reader).map(|(m, _)| m)
}

fn serve_client(client: TcpStream, shared: &Shared) {
    let mut writer = client.try_clone().unwrap();
    let mut reader = BufReader::new(client);
    while let Some((request, head_len)) = read_message(&mut reader) {
        shared.counts.requests.fetch_add(1, Ordering::Relaxed);
        let faults = *shared.faults.lock().unwrap();
        let (roll, cut_at, delay_ms, replay_now): (f64, f64, u64, bool) = {
            let mut rng = shared.rng.lock().unwrap();
            (
                rng.random(),
                rng.random(),
                rng.random_range(1..40),
                rng.random_bool(0.3),
            )
        };
        // Old requests sent again, out of order, before this one.
        if replay_now {
            let held: Vec<Vec<u8>> = std::mem::take(&mut *shared.held.lock().unwrap());
            for old in held {
                shared.counts.replays.fetch_add(1, Ordering::Relaxed);
                let _ = exchange(&shared.upstream, &old);
            }
        }
        let mut edge = 0.0;
        let mut strikes = |p: f64| {
            let hit = roll >= edge && roll < edge + p;
            edge += p;
            hit
        };
        if strikes(faults.cut_request) {
            // The server sees the head and part of the body, then the connection drops.
            shared.counts.cut_requests.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut up) = TcpStream::connect(&shared.upstream) {
                let body_len = request.len() - head_len;
                let upto = head_len.min(request.len()) * usize::from(body_len == 0)
                    + (head_len + (body_len as f64 * cut_at) as usize) * usize::from(body_len > 0);
                let _ = up.write_all(&request[..upto.min(request.len().saturating_sub(1))]);
                let _ = up.shutdown(Shutdown::Both);
            }
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        if strikes(faults.cut_response) {
            // The server applies the request; the answer is cut on its way back.
            shared.counts.cut_responses.fetch_add(1, Ordering::Relaxed);
            if let Some(response) = exchange(&shared.upstream, &request) {
                let upto = ((response.len() as f64) * cut_at) as usize;
                let _ = writer.write_all(&response[..upto.min(response.len() - 1)]);
            }
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        if strikes(faults.duplicate) {
            shared.counts.duplicates.fetch_add(1, Ordering::Relaxed);
            let copy = request.clone();
            let upstream = shared.upstream.clone();
            std::thread::spawn(move || exchange(&upstream, &copy));
        }
        if strikes(faults.delay) {
            shared.counts.delays.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(delay_ms));
        }
        if strikes(faults.replay) {
            shared.held.lock().unwrap().push(request.clone());
        }
        match exchange(&shared.upstream, &request) {
            Some(response) => {
                if writer.write_all(&response).is_err() {
                    return;
                }
            }
            None => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}
