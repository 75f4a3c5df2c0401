//! Signing in and out, sessions and CSRF tokens (issue 26; see docs/console.md).
//!
//! - Sessions are rows of the server's database (`staff_sessions`), so that several servers
//!   behind a load balancer share them. The cookie `doorstep_session` carries a random token;
//!   the row is keyed by its SHA-256 (the token itself is never stored). Cookies are
//!   `HttpOnly; SameSite=Strict; Path=/console; Secure`.
//! - A session not used for [`Settings::idle_timeout`] (by the server's clock,
//!   [`AppState::now`]) is over and its row deleted; its `last_seen_at` moves at most once a
//!   minute, to spare writes.
//! - Every form posted carries its session's CSRF token ([`guard`]); the sign-in form carries a
//!   token of its own, from a cookie given with the sign-in page (a login CSRF).
//! - Failed sign-ins are counted per login typed (also logins no one has): after
//!   [`Settings::slow_after`] in a row each attempt waits ([`delay`]), after
//!   [`Settings::lock_after`] the login is locked for [`Settings::lock_for`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use sha2::{Digest, Sha256};

use super::account::{self, SessionRow};
use super::layout::bare_page;
use super::{ConsoleError, Ctx, Lang, ROOT, Staff};
use crate::api::AppState;
use crate::storage::{self, Actor, AuditRow};

/// How long sessions last and how sign-in failures are met.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session not used for this long is over.
    pub idle_timeout: Duration,
    /// After this many failed sign-ins in a row, each further attempt waits.
    pub slow_after: u32,
    /// After this many, the login is locked for [`Settings::lock_for`].
    pub lock_after: u32,
    pub lock_for: Duration,
    /// The wait of the first slowed attempt; each next one waits twice as long…
    pub first_delay: Duration,
    /// …up to this.
    pub max_delay: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: Duration::from_secs(30 * 60),
            slow_after: 3,
            lock_after: 5,
            lock_for: Duration::from_secs(15 * 60),
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// The session's cookie.
pub const SESSION_COOKIE: &str = "doorstep_session";
/// The language chosen (`zh-CN` or `en`).
pub const LANG_COOKIE: &str = "doorstep_lang";
/// The sign-in form's own token (before there is a session).
pub const SIGN_IN_COOKIE: &str = "doorstep_sign_in";
pub const SIGN_IN_PATH: &str = "/console/sign-in";
pub const SIGN_OUT_PATH: &str = "/console/sign-out";
pub const LANG_PATH: &str = "/console/lang";
/// The header a script may send the CSRF token in instead of the form's field.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form body the guard reads.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;
/// A session's `last_seen_at` is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(SIGN_IN_PATH, get(sign_in_page).post(sign_in))
        .route(SIGN_OUT_PATH, post(sign_out))
        .route(LANG_PATH, post(choose_language))
}

/// How long an attempt waits after `failures` failed sign-ins in a row: nothing before
/// [`Settings::slow_after`], then [`Settings::first_delay`] doubling with each failure, at
/// most [`Settings::max_delay`].
pub fn delay(settings: &Settings, failures: i64) -> Duration {
    let Some(over) = failures
        .checked_sub(i64::from(settings.slow_after))
        .filter(|n| *n >= 0)
    else {
        return Duration::ZERO;
    };
    let doubled = settings
        .first_delay
        .checked_mul(1u32 << over.min(16) as u32)
        .unwrap_or(settings.max_delay);
    doubled.min(settings.max_delay)
}

/// The sign-in page's address, coming back to `return_to` afterwards (only a page of the
/// console: anything else comes back to the console's start).
pub fn sign_in_url(return_to: &str) -> String {
    let next = safe_next(return_to);
    if next == ROOT {
        SIGN_IN_PATH.to_owned()
    } else {
        format!("{SIGN_IN_PATH}?next={}", encode(&next))
    }
}

/// `next` if it is a path of the console (no other site, no other part of this one), else
/// the console's start.
pub fn safe_next(next: &str) -> String {
    let under = next
        .strip_prefix(ROOT)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    let plain = !next.contains("//")
        && !next.contains('\\')
        && !next.contains("..")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if under && plain {
        next.to_owned()
    } else {
        ROOT.to_owned()
    }
}

/// The person signed in with this request's session cookie.
pub async fn signed_in(parts: &mut Parts, state: &Arc<AppState>) -> Result<Ctx, ConsoleError> {
    let here = parts
        .uri
        .path_and_query()
        .map_or(ROOT, |p| p.as_str())
        .to_owned();
    let signed = match parts.extensions.get::<Signed>() {
        Some(signed) => signed.clone(),
        None => resolve(state, &parts.headers)
            .await?
            .ok_or_else(|| ConsoleError::NotSignedIn {
                return_to: here.clone(),
            })?,
    };
    Ok(Ctx {
        staff: signed.staff,
        lang: lang_of(&parts.headers),
        csrf: signed.csrf,
        now: state.now(),
        state: state.clone(),
        here,
    })
}

/// A live session, as [`guard`] found it (kept in the request for [`signed_in`]).
#[derive(Debug, Clone)]
struct Signed {
    staff: Staff,
    csrf: String,
}

/// The session of the cookie, if it is live: an idle one, or one of a member of staff
/// deactivated, is deleted.
async fn resolve(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<Option<Signed>, ConsoleError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let key = sha256_hex(&token);
    let now = state.now();
    let idle =
        chrono::Duration::from_std(state.console.idle_timeout).unwrap_or(chrono::Duration::MAX);
    let touch_every = chrono::Duration::from_std(TOUCH_EVERY).unwrap_or_default();
    let storage = state.storage.clone();
    let work = move || -> crate::error::Result<Option<Signed>> {
        let found = storage::read(&*storage, |tx| {
            let Some(session) = tx.staff_session(&key)? else {
                return Ok(None);
            };
            let staff = tx.staff_member(&session.staff_id)?;
            Ok(Some((session, staff)))
        })?;
        let Some((session, staff)) = found else {
            return Ok(None);
        };
        let live = now - session.last_seen_at <= idle;
        let staff = staff.filter(|s| s.active).and_then(|s| s.staff());
        match staff {
            Some(staff) if live => {
                if now - session.last_seen_at >= touch_every {
                    storage::write(&*storage, |tx| Ok(tx.touch_staff_session(&key, now)?))?;
                }
                Ok(Some(Signed {
                    staff,
                    csrf: session.csrf,
                }))
            }
            _ => {
                storage::write(&*storage, |tx| Ok(tx.drop_staff_session(&key)?))?;
                Ok(None)
            }
        }
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ConsoleError::Internal(e.to_string()))?
        .map_err(ConsoleError::from)
}

/// Every request to the console passes here: a form posted must come from this server's own
/// pages (its `Origin`, when the browser sends one) and carry its session's CSRF token, in its
/// `csrf` field or the `X-CSRF-Token` header; else it is refused ([`ConsoleError::BadToken`])
/// before anything is done. Exceptions: the sign-in form, which checks its own token; the
/// language switch before sign-in (it only sets the language's cookie).
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    if !same_origin(&parts.headers) {
        return ConsoleError::BadToken.into_response();
    }
    if parts.uri.path() == SIGN_IN_PATH {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match resolve(&state, &parts.headers).await {
        Err(e) => return e.into_response(),
        Ok(None) if parts.uri.path() == LANG_PATH => {}
        Ok(None) => {
            return ConsoleError::NotSignedIn {
                return_to: ROOT.to_owned(),
            }
            .into_response();
        }
        Ok(Some(signed)) => {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| form_token(&parts.headers, &bytes));
            if !sent.is_some_and(|t| same(t.as_bytes(), signed.csrf.as_bytes())) {
                return ConsoleError::BadToken.into_response();
            }
            parts.extensions.insert(signed);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether the request's `Origin` (if any) is this server's own address.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// The `csrf` field of a form body (URL-encoded, or multipart).
fn form_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let kind = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    if kind.starts_with("application/x-www-form-urlencoded") {
        return form_fields(body)
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v);
    }
    if kind.starts_with("multipart/form-data") {
        let text = String::from_utf8_lossy(body);
        let at = text.find("name=\"csrf\"")?;
        let rest = &text[at..];
        let value = &rest[rest.find("\r\n\r\n")? + 4..];
        return Some(value[..value.find("\r\n")?].to_owned());
    }
    None
}

/// The fields of a URL-encoded form, decoded.
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` percent-encoded for a query's value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Compares two secrets in a time that does not depend on where they differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A new random token (256 bits, hex).
fn token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// A cookie the request carries.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The language the person chose (the cookie), Chinese unless English.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_default()
}

/// A cookie of the console: `HttpOnly; SameSite=…; Path=/console; Secure`.
fn set_cookie(name: &str, value: &str, max_age: Option<i64>, same_site: &str) -> String {
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    format!("{name}={value}; HttpOnly; SameSite={same_site}; Path={ROOT}; Secure{age}")
}

fn clear_cookie(name: &str) -> String {
    set_cookie(name, "", Some(0), "Strict")
}

#[derive(serde::Deserialize)]
struct SignInQuery {
    next: Option<String>,
}

/// What the sign-in form says back: nothing, or why it did not sign in.
enum Notice {
    None,
    Wrong,
    Locked(DateTime<Utc>),
    Expired,
}

async fn sign_in_page(headers: HeaderMap, Query(q): Query<SignInQuery>) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or(ROOT));
    let form_token = cookie(&headers, SIGN_IN_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(token);
    sign_in_form(
        lang_of(&headers),
        &next,
        "",
        &form_token,
        Notice::None,
        StatusCode::OK,
    )
}

fn sign_in_form(
    lang: Lang,
    next: &str,
    login: &str,
    form_token: &str,
    notice: Notice,
    status: StatusCode,
) -> Response {
    let w = lang.words();
    let here = sign_in_url(next);
    let said = match notice {
        Notice::None => None,
        Notice::Wrong => Some(w.sign_in.wrong.to_owned()),
        Notice::Locked(until) => Some((w.sign_in.locked)(&super::layout::when(until))),
        Notice::Expired => Some(w.sign_in.expired.to_owned()),
    };
    let content: Markup = html! {
        @if let Some(said) = said {
            p.alert role="alert" { (said) }
        }
        form.panel method="post" action=(SIGN_IN_PATH) {
            input type="hidden" name="csrf" value=(form_token);
            input type="hidden" name="next" value=(next);
            p {
                label for="login" { (w.sign_in.login) }
                input #login type="text" name="login" value=(login) autocomplete="username"
                    autofocus required maxlength="64";
            }
            p {
                label for="password" { (w.sign_in.password) }
                input #password type="password" name="password" autocomplete="current-password"
                    required maxlength="256";
            }
            p { button type="submit" { (w.sign_in.submit) } }
        }
    };
    let page = bare_page(lang, &here, w.sign_in.title, content);
    (
        status,
        AppendHeaders([
            (
                SET_COOKIE,
                set_cookie(SIGN_IN_COOKIE, form_token, Some(3600), "Strict"),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ]),
        page,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, ConsoleError> {
    let lang = lang_of(&headers);
    let next = safe_next(&form.next);
    let login = account::normal_login(&form.login);
    let expected = cookie(&headers, SIGN_IN_COOKIE);
    if !expected.is_some_and(|t| !form.csrf.is_empty() && same(t.as_bytes(), form.csrf.as_bytes()))
    {
        let fresh = token();
        return Ok(sign_in_form(
            lang,
            &next,
            &login,
            &fresh,
            Notice::Expired,
            StatusCode::FORBIDDEN,
        ));
    }
    let settings = state.console.clone();
    let now = state.now();
    let storage = state.storage.clone();
    let typed = login.clone();
    let failures = tokio::task::spawn_blocking(move || {
        storage::read(&*storage, |tx| Ok(tx.sign_in_failures(&typed)?))
    })
    .await
    .map_err(|e| ConsoleError::Internal(e.to_string()))??;
    if let Some(until) = failures
        .as_ref()
        .and_then(|f| f.locked_until)
        .filter(|until| *until > now)
    {
        return Ok(sign_in_form(
            lang,
            &next,
            &login,
            &form.csrf,
            Notice::Locked(until),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let wait = delay(&settings, failures.as_ref().map_or(0, |f| f.failures));
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }

    let storage = state.storage.clone();
    let password = form.password;
    let typed = login.clone();
    let outcome = tokio::task::spawn_blocking(move || -> crate::error::Result<Attempt> {
        let row = storage::read(&*storage, |tx| Ok(tx.staff_by_login(&typed)?))?;
        let staff = match row.filter(|r| r.active) {
            Some(row) if account::verify_password(&row.password_hash, &password) => row.staff(),
            Some(_) => None,
            None => {
                account::verify_nobody(&password);
                None
            }
        };
        let Some(staff) = staff else {
            let lock_for = chrono::Duration::from_std(settings.lock_for).unwrap_or_default();
            return storage::write(&*storage, |tx| {
                let failures = tx.count_sign_in_failure(&typed, now)?;
                if failures >= i64::from(settings.lock_after) {
                    tx.lock_sign_in(&typed, now + lock_for)?;
                    return Ok(Attempt::Locked(now + lock_for));
                }
                Ok(Attempt::Wrong)
            });
        };
        let session_token = token();
        let session = SessionRow {
            token_sha256: sha256_hex(&session_token),
            staff_id: staff.id.clone(),
            csrf: token(),
            created_at: now,
            last_seen_at: now,
        };
        let idle = chrono::Duration::from_std(settings.idle_timeout).unwrap_or_default();
        storage::write(&*storage, |tx| {
            tx.clear_sign_in_failures(&typed)?;
            tx.drop_idle_staff_sessions(now - idle)?;
            tx.put_staff_session(&session)?;
            tx.audit(&AuditRow {
                at: now,
                actor: Actor::Staff(staff.login.clone()),
                device_id: None,
                action: "staff_signed_in".to_owned(),
                entity: Some("staff".to_owned()),
                entity_id: Some(staff.id.clone()),
            })?;
            Ok(())
        })?;
        Ok(Attempt::SignedIn(session_token))
    })
    .await
    .map_err(|e| ConsoleError::Internal(e.to_string()))??;

    Ok(match outcome {
        Attempt::SignedIn(session_token) => (
            AppendHeaders([
                (
                    SET_COOKIE,
                    set_cookie(SESSION_COOKIE, &session_token, None, "Strict"),
                ),
                (SET_COOKIE, clear_cookie(SIGN_IN_COOKIE)),
            ]),
            Redirect::to(&next),
        )
            .into_response(),
        Attempt::Wrong => sign_in_form(
            lang,
            &next,
            &login,
            &form.csrf,
            Notice::Wrong,
            StatusCode::UNAUTHORIZED,
        ),
        Attempt::Locked(until) => sign_in_form(
            lang,
            &next,
            &login,
            &form.csrf,
            Notice::Locked(until),
            StatusCode::TOO_MANY_REQUESTS,
        ),
    })
}

enum Attempt {
    SignedIn(String),
    Wrong,
    Locked(DateTime<Utc>),
}

/// Ends the session: its row is deleted, so the cookie is refused from now on, wherever it
/// comes from.
async fn sign_out(ctx: Ctx, headers: HeaderMap) -> Result<Response, ConsoleError> {
    let key = cookie(&headers, SESSION_COOKIE).map(|t| sha256_hex(&t));
    let row = ctx.audit_row("staff_signed_out", "staff", &ctx.staff.id);
    ctx.write(move |tx| {
        if let Some(key) = &key {
            tx.drop_staff_session(key)?;
        }
        tx.audit(&row)?;
        Ok(())
    })
    .await?;
    Ok((
        AppendHeaders([(SET_COOKIE, clear_cookie(SESSION_COOKIE))]),
        Redirect::to(SIGN_IN_PATH),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// The language switch: remembered for a year, back to the page it was pressed on.
async fn choose_language(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    let back = safe_next(&form.back);
    let cookie = format!(
        "{LANG_COOKIE}={}; SameSite=Lax; Path={ROOT}; Max-Age={}",
        lang.code(),
        365 * 24 * 3600
    );
    (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(&back)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_wait_only_after_slow_after_failures_then_doubling_up_to_the_cap() {
        let s = Settings::default();
        assert_eq!(delay(&s, 0), Duration::ZERO);
        assert_eq!(delay(&s, 2), Duration::ZERO);
        assert_eq!(delay(&s, 3), Duration::from_millis(500));
        assert_eq!(delay(&s, 4), Duration::from_millis(1000));
        assert_eq!(delay(&s, 5), Duration::from_millis(2000));
        assert_eq!(delay(&s, 7), Duration::from_secs(5));
        assert_eq!(delay(&s, 1_000_000), Duration::from_secs(5));
    }

    #[test]
    fn next_goes_only_to_a_page_of_the_console() {
        assert_eq!(safe_next("/console/board?x=1"), "/console/board?x=1");
        assert_eq!(safe_next("/console"), "/console");
        for bad in [
            "https://evil.example/console",
            "//evil.example/console",
            "/console//evil.example",
            "/consolex",
            "/v1/pull",
            "/console/../v1/pull",
            "/console\\@evil",
            "",
        ] {
            assert_eq!(safe_next(bad), "/console", "{bad}");
        }
        assert_eq!(
            sign_in_url("/console/board?d=1"),
            "/console/sign-in?next=/console/board%3Fd%3D1"
        );
    }

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(
            form_fields(b"csrf=ab%2Fc&name=a+b&x"),
            vec![
                ("csrf".to_owned(), "ab/c".to_owned()),
                ("name".to_owned(), "a b".to_owned()),
                ("x".to_owned(), String::new())
            ]
        );
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
