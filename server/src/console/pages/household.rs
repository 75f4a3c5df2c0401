//! A household's file (issue 26): to be built.

use std::sync::Arc;

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}
