//! The service center's console: server-rendered HTML pages under `/console`, served by
//! `doorstep serve` on the same address as the sync API (docs/console.md).
//!
//! - Every page is a [`maud`] template (checked when the server compiles), drawn from the
//!   server's records and the core's rules: the console calls the office functions the admin
//!   tool calls ([`crate::admin`]), it does not restate them.
//! - Every text comes from one table per language ([`words`]); Chinese unless the person chose
//!   English (a cookie remembers it).
//! - Staff sign in ([`session`], [`account`]): roles, argon2 passwords, sessions kept in the
//!   server's database, a CSRF token on every form. Every handler takes a [`Ctx`]: whoever is
//!   signed in, their language and their token; a handler that needs more than a dispatcher
//!   asks [`Ctx::require`], and one that reads a household asks [`Ctx::may_see`].
//! - One small stylesheet and one small script ([`layout`]), served from the binary.

pub mod account;
pub mod layout;
pub mod pages;
pub mod session;
pub mod words;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use doorstep_core::ids::DistrictId;

use crate::admin::Act;
use crate::api::AppState;
use crate::error::Error;
use crate::storage::{Actor, AuditRow, Storage, Tx};

pub use self::words::{Lang, Words};

/// Where the console lives.
pub const ROOT: &str = "/console";

/// The console's routes, under [`ROOT`]; merged into the server's router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(layout::routes())
        .merge(session::routes())
        .merge(pages::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::guard,
        ))
        .with_state(state)
}

/// A member of staff's role. Each includes what the one before may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Takes calls and dispatches in their own districts.
    Dispatcher,
    /// The whole city: every district, complaints' acceptance, conflicts, settlements.
    Supervisor,
    /// And the staff accounts.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Dispatcher, Role::Supervisor, Role::Administrator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dispatcher => "dispatcher",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    /// The sign-in name, as the audit log names them (`staff:<login>`).
    pub login: String,
    /// The name shown at the top of every page.
    pub name: String,
    pub role: Role,
    /// A dispatcher's districts; supervisors and administrators see the whole city.
    pub districts: Vec<DistrictId>,
}

impl Staff {
    /// Whether this person sees the whole city.
    pub fn whole_city(&self) -> bool {
        self.role >= Role::Supervisor
    }

    /// Whether this person may see and act on what belongs to `district` (`None`: a record of
    /// no district, e.g. a fault in the street outside every boundary: the whole city's).
    pub fn covers(&self, district: Option<DistrictId>) -> bool {
        self.whole_city() || district.is_some_and(|d| self.districts.contains(&d))
    }
}

/// What every console handler takes: the person signed in, their language, the CSRF token of
/// their session, the server's time and its state. Extracting it refuses a request without a
/// live session (a redirect to the sign-in page) and, for a form posted, without its token.
pub struct Ctx {
    pub staff: Staff,
    pub lang: Lang,
    /// The session's CSRF token: [`layout::csrf_field`] puts it in every form.
    pub csrf: String,
    pub now: DateTime<Utc>,
    pub state: Arc<AppState>,
    /// The path and query of this request (the sign-in page returns to it; the language
    /// switch comes back to it).
    pub here: String,
}

impl Ctx {
    pub fn words(&self) -> &'static Words {
        self.lang.words()
    }

    /// Refuses anyone below `role`.
    pub fn require(&self, role: Role) -> Result<(), ConsoleError> {
        if self.staff.role >= role {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden)
        }
    }

    /// Refuses a dispatcher a record of another district.
    pub fn may_see(&self, district: Option<DistrictId>) -> Result<(), ConsoleError> {
        if self.staff.covers(district) {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden)
        }
    }

    /// The audit log's actor for what this person does.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.staff.login.clone())
    }

    /// What the office functions ([`crate::admin`]) take: now, by this person.
    pub fn act(&self) -> Act {
        Act {
            at: self.now,
            actor: self.actor(),
        }
    }

    /// An audit line for what this person read or did (`household_viewed`, `export`, …).
    pub fn audit_row(&self, action: &str, entity: &str, id: &str) -> AuditRow {
        AuditRow {
            at: self.now,
            actor: self.actor(),
            device_id: None,
            action: action.to_owned(),
            entity: Some(entity.to_owned()),
            entity_id: Some(id.to_owned()),
        }
    }

    /// Runs `f` in a read transaction on a blocking thread.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnMut(&mut dyn Tx) -> crate::error::Result<T> + Send + 'static,
    ) -> Result<T, ConsoleError> {
        let storage = self.state.storage.clone();
        blocking(move || crate::storage::read(&*storage, f)).await
    }

    /// Runs `f` in a write transaction on a blocking thread.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnMut(&mut dyn Tx) -> crate::error::Result<T> + Send + 'static,
    ) -> Result<T, ConsoleError> {
        let storage = self.state.storage.clone();
        blocking(move || crate::storage::write(&*storage, f)).await
    }

    /// Runs `f` with the storage on a blocking thread (an office function that opens its own
    /// transaction, e.g. [`crate::admin::create_order`]).
    pub async fn with_storage<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Storage) -> Result<T, ConsoleError> + Send + 'static,
    ) -> Result<T, ConsoleError> {
        let storage = self.state.storage.clone();
        tokio::task::spawn_blocking(move || f(&*storage))
            .await
            .map_err(|e| ConsoleError::Internal(e.to_string()))?
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::error::Result<T> + Send + 'static,
) -> Result<T, ConsoleError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ConsoleError::Internal(e.to_string()))?
        .map_err(ConsoleError::from)
}

impl FromRequestParts<Arc<AppState>> for Ctx {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        session::signed_in(parts, state).await
    }
}

/// Why a console request was refused. Each is a page of its own in both languages (the page
/// that failed cannot know what the person was reading); a form's own mistakes are shown on
/// the form, in the person's language, by the page that drew it.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No live session: back to the sign-in page, then to `return_to`.
    #[error("not signed in")]
    NotSignedIn { return_to: String },
    /// A form posted without its session's CSRF token, or with another's.
    #[error("the form's security token is missing or wrong")]
    BadToken,
    /// Signed in, but this role or these districts may not see it.
    #[error("not allowed for this account")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value the person typed that a rule refuses: the field, and why in both languages.
    #[error("{field}: {en}")]
    Invalid {
        field: String,
        zh: String,
        en: String,
    },
    /// An edit made on a page drawn from an older version of the record.
    #[error("changed since the page was drawn")]
    Stale,
    #[error("{0}")]
    Internal(String),
}

impl From<Error> for ConsoleError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(what) => ConsoleError::NotFound(what),
            Error::InvalidInput(input) => ConsoleError::Invalid {
                field: input.field.to_string(),
                zh: input.reason_zh.to_string(),
                en: input.reason.to_string(),
            },
            Error::OutOfScope(_) | Error::Unauthorized(_) | Error::Revoked => {
                ConsoleError::Forbidden
            }
            Error::Invalid(text) | Error::Conflict(text) => ConsoleError::Invalid {
                field: String::new(),
                zh: text.clone(),
                en: text,
            },
            other => ConsoleError::Internal(other.to_string()),
        }
    }
}

impl ConsoleError {
    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::NotSignedIn { .. } => StatusCode::SEE_OTHER,
            ConsoleError::BadToken | ConsoleError::Forbidden => StatusCode::FORBIDDEN,
            ConsoleError::NotFound(_) => StatusCode::NOT_FOUND,
            ConsoleError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ConsoleError::Stale => StatusCode::CONFLICT,
            ConsoleError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        if let ConsoleError::NotSignedIn { return_to } = &self {
            return Redirect::to(&session::sign_in_url(return_to)).into_response();
        }
        if let ConsoleError::Internal(detail) = &self {
            tracing::error!(error = %detail, "console request failed");
        }
        (self.status(), layout::error_page(&self)).into_response()
    }
}
