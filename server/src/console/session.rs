//! Signing in and out, sessions and CSRF tokens (issue 26; see docs/console.md).
//!
//! To be built: sessions kept in the server's database (so that several servers behind a load
//! balancer share them), cookies `Secure; HttpOnly; SameSite=Strict`, an idle timeout, a CSRF
//! token per session checked on every form posted ([`guard`]), failed sign-ins slowed and then
//! locked for a while, the language switch.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::{ConsoleError, Ctx};
use crate::api::AppState;

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: Duration::from_secs(30 * 60),
            slow_after: 3,
            lock_after: 5,
            lock_for: Duration::from_secs(15 * 60),
        }
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}

/// The sign-in page's address, coming back to `return_to` afterwards.
pub fn sign_in_url(return_to: &str) -> String {
    let _ = return_to;
    "/console/sign-in".to_owned()
}

/// The person signed in with this request's session cookie.
pub async fn signed_in(parts: &mut Parts, state: &Arc<AppState>) -> Result<Ctx, ConsoleError> {
    let _ = state;
    Err(ConsoleError::NotSignedIn {
        return_to: parts.uri.to_string(),
    })
}

/// Every request to the console passes here: a form posted must carry its session's CSRF
/// token.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let _ = state;
    next.run(request).await
}
