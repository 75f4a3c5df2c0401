//! A console client for the tests: signs a member of staff in and keeps the session cookie
//! and the CSRF token (issue 26; built with the sign-in).
//!
//! ```ignore
//! let password = console::staff(&server, "wangli", Role::Dispatcher, &[district]);
//! let mut c = Console::sign_in(&server, "wangli", &password);
//! let page = c.get("/console/board");
//! assert_eq!(page.status, 200);
//! let done = c.post("/console/calls", &[("kind", "repair")]); // the CSRF token added
//! assert_eq!(done.status, 303);
//! let shown = c.follow(&done);
//! ```
//!
//! Redirects are not followed (a test sees the 303 and where it goes: [`Console::follow`]);
//! cookies are kept by the client itself (the session's is `Secure`, which reqwest's own
//! cookie store would not send over plain HTTP).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::Utc;
use doorstep_core::ids::DistrictId;
use doorstep_server::admin::Act;
use doorstep_server::api::WallClock;
use doorstep_server::console::Role;
use doorstep_server::console::account::{self, NewStaff};
use doorstep_server::storage::{self, Actor, Storage};
use sha2::{Digest, Sha256};

use super::TestServer;

/// Creates a member of staff through the library (as `doorstep admin staff add` does) and
/// returns their generated password. A dispatcher needs districts the server holds.
pub fn staff(server: &TestServer, login: &str, role: Role, districts: &[DistrictId]) -> String {
    let act = Act {
        at: Utc::now(),
        actor: Actor::Admin(Some("test".to_owned())),
    };
    let (_, password) = account::create(
        &*server.storage,
        NewStaff {
            login: login.to_owned(),
            name: format!("{login} name"),
            role,
            districts: districts.to_vec(),
            password: None,
        },
        &act,
    )
    .expect("the member of staff is created");
    password.expect("a generated password")
}

/// A member of staff signed in at once: an administrator (who may open every page).
pub fn admin(server: &TestServer, login: &str) -> Console {
    let password = staff(server, login, Role::Administrator, &[]);
    Console::sign_in(server, login, &password)
}

/// A server clock the test moves forward: the system's time plus an offset
/// (`TestServer::start_with(backend, |s| s.wall = clock.wall())`).
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn wall(&self) -> WallClock {
        let offset = self.offset_ms.clone();
        Arc::new(move || Utc::now() + chrono::Duration::milliseconds(offset.load(Ordering::SeqCst)))
    }

    /// Makes `by` pass on the server's clock.
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

/// A response as the test reads it.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub body: String,
    /// Where a redirect goes.
    pub location: Option<String>,
    /// Every `Set-Cookie` header, whole (to check their attributes).
    pub set_cookies: Vec<String>,
    pub content_type: Option<String>,
}

impl Page {
    /// Asserts a plain 200 and hands back the page (for chaining).
    pub fn ok(self) -> Page {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.body
        );
        self
    }

    /// Whether the body contains `text`.
    pub fn shows(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    /// A redirect to the sign-in page.
    pub fn to_sign_in(&self) -> bool {
        (300..400).contains(&self.status)
            && self
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/console/sign-in"))
    }
}

/// A browser of the console: its cookies, its session.
pub struct Console {
    pub url: String,
    storage: Arc<dyn Storage>,
    client: reqwest::blocking::Client,
    cookies: BTreeMap<String, String>,
}

impl Console {
    /// A browser that has not signed in.
    pub fn new(server: &TestServer) -> Console {
        Console {
            url: server.url.clone(),
            storage: server.storage.clone(),
            client: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    /// Signs in (panics if it does not): the client then holds the session.
    pub fn sign_in(server: &TestServer, login: &str, password: &str) -> Console {
        let mut c = Console::new(server);
        let page = c.try_sign_in(login, password, None);
        assert_eq!(
            page.status, 303,
            "sign-in of {login} refused: {}",
            page.body
        );
        assert!(c.cookie().is_some(), "a session cookie after signing in");
        c
    }

    /// Opens the sign-in page and posts the form (with the page's own token), as a person
    /// does; `next` as the page was asked with. The answer: 303 when signed in.
    pub fn try_sign_in(&mut self, login: &str, password: &str, next: Option<&str>) -> Page {
        let path = match next {
            Some(next) => format!("/console/sign-in?next={}", encode(next)),
            None => "/console/sign-in".to_owned(),
        };
        let form = self.get(&path);
        assert_eq!(form.status, 200, "the sign-in page: {}", form.body);
        let token = hidden(&form.body, "csrf").expect("the sign-in form's token");
        let next_field = hidden(&form.body, "next").unwrap_or_default();
        self.post_raw(
            "/console/sign-in",
            &[
                ("login", login),
                ("password", password),
                ("csrf", &token),
                ("next", &next_field),
            ],
            None,
        )
    }

    pub fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.url));
        self.send(request)
    }

    /// Follows a redirect (a GET of its `Location`).
    pub fn follow(&mut self, page: &Page) -> Page {
        let location = page
            .location
            .clone()
            .unwrap_or_else(|| panic!("not a redirect ({}): {}", page.status, page.body));
        self.get(&location)
    }

    /// Posts a form with the session's CSRF token added.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf();
        self.post_with_csrf(path, fields, &token)
    }

    /// Posts a form carrying `token` as its CSRF token.
    pub fn post_with_csrf(&mut self, path: &str, fields: &[(&str, &str)], token: &str) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", token));
        self.post_raw(path, &all, None)
    }

    /// Posts a form as it is, without the CSRF token.
    pub fn post_without_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_raw(path, fields, None)
    }

    /// Posts a form as it is, with extra headers (an `Origin`, the token's header).
    pub fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: Option<&[(&str, &str)]>,
    ) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = self
            .client
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (k, v) in headers.unwrap_or_default() {
            request = request.header(*k, *v);
        }
        self.send(request)
    }

    /// Signs out (the session's row is deleted).
    pub fn sign_out(&mut self) -> Page {
        self.post("/console/sign-out", &[])
    }

    /// Switches the language (`zh-CN` or `en`), remembered in the client's cookies.
    pub fn language(&mut self, code: &str) {
        let page = self.post("/console/lang", &[("lang", code), ("back", "/console")]);
        assert_eq!(page.status, 303, "{}", page.body);
    }

    /// The session cookie's value.
    pub fn cookie(&self) -> Option<String> {
        self.cookies.get("doorstep_session").cloned()
    }

    /// Sets (or with `None` removes) a cookie this browser sends.
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.cookies.insert(name.to_owned(), v.to_owned()),
            None => self.cookies.remove(name),
        };
    }

    /// The session's CSRF token (as every page's forms carry it), read from the server's
    /// database by the session cookie.
    pub fn csrf(&self) -> String {
        let cookie = self.cookie().expect("signed in");
        let key = hex::encode(Sha256::digest(cookie.as_bytes()));
        storage::read(&*self.storage, |tx| Ok(tx.staff_session(&key)?))
            .unwrap()
            .map(|s| s.csrf)
            .unwrap_or_default()
    }

    fn send(&mut self, request: reqwest::blocking::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            let header = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request.header("cookie", header)
        };
        let response = request.send().expect("the console answers");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let content_type = header("content-type");
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        for line in &set_cookies {
            let first = line.split(';').next().unwrap_or_default();
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            let gone = value.is_empty()
                || line
                    .split(';')
                    .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if gone {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        let body = response.text().unwrap_or_default();
        Page {
            status,
            body,
            location,
            set_cookies,
            content_type,
        }
    }
}

/// The value of the first hidden field `name` of a page (HTML-unescaped as far as the
/// console's values need).
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body.find(&marker)? + marker.len();
    let end = body[at..].find('"')?;
    Some(
        body[at..at + end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// `text` percent-encoded for a form or a query.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
