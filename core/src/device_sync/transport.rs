//! The HTTP transport of a sync: one request sent, its answer read or its refusal typed, and
//! the retries of a request that failed for now (backoff, Retry-After, smaller requests over a
//! slow link).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::Body;
use ureq::http::{Response, StatusCode};

use super::{CancelToken, Session, SyncOptions, Syncer};
use crate::error::{Error, Result};
use crate::sync::protocol::{ErrorBody, ErrorKind};

/// The largest answer the client reads: a pull page of 5,000 households is a few megabytes.
const ANSWER_LIMIT_BYTES: u64 = 256 * 1024 * 1024;

/// One request, sent again exactly as it is on every try.
pub(super) enum Request<'a> {
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
    pub(super) fn post(url: &'a str, body: &impl Serialize) -> Result<Self> {
        Ok(Self::Post {
            url,
            json: serde_json::to_vec(body)?,
        })
    }

    /// The bytes of its body.
    pub(super) fn body_len(&self) -> usize {
        match self {
            Self::Get { .. } => 0,
            Self::Post { json, .. } => json.len(),
            Self::Put { bytes, .. } => bytes.len(),
        }
    }
}

impl Syncer {
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
    pub(super) fn json<T: DeserializeOwned>(
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
    pub(super) fn attempt<T: DeserializeOwned>(
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
                        crate::input::without_values(&e.to_string())
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
pub(super) enum Attempt<T> {
    /// The server's answer, or its refusal.
    Answered(Result<T>),
    Failed(Failure),
}

/// A transient failure of one try.
pub(super) struct Failure {
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

impl Session<'_> {
    pub(super) fn json<T: DeserializeOwned>(&self, request: &Request<'_>) -> Result<T> {
        self.syncer
            .json(request, Some(&self.credential), self.cancel)
    }

    /// Tries the request `attempt` makes for the current value of `size` (it returns the size
    /// it sent and the try's outcome) until it is answered. A try not answered in time halves
    /// `size`, down to `smallest`, for the rest of this sync: over a link too slow for a whole
    /// photo or page within the timeout, smaller requests get through where the same one would
    /// fail at every try and every sync.
    pub(super) fn shrinking<T>(
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
}

fn refusal(status: StatusCode, body: &[u8]) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (kind, message, op) = match parsed {
        Some(b) => (b.error, b.message, b.op_id),
        // Not the server's own answer (a proxy's page): no kind, so its status says what it
        // means (`ErrorKind::or_status`), and a proxy's 413 is handled as the server's would be.
        None => (
            ErrorKind::Unknown,
            format!("HTTP {}", status.as_u16()),
            None,
        ),
    };
    match status {
        StatusCode::UNAUTHORIZED => Error::Auth {
            kind: kind.or_status(status.as_u16()),
            reason: message,
        },
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
    use std::sync::Arc;
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
