//! The console's pages, one module each.

pub mod board;
pub mod calls;
pub mod complaints;
pub mod conflicts;
pub mod contact;
pub mod household;
pub mod inspections;
pub mod outages;
pub mod reports;
pub mod settlement;
pub mod special;
pub mod staff;

use std::sync::Arc;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::api::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/board") }))
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/board") }),
        )
        .merge(board::routes())
        .merge(calls::routes())
        .merge(complaints::routes())
        .merge(conflicts::routes())
        .merge(contact::routes())
        .merge(household::routes())
        .merge(inspections::routes())
        .merge(outages::routes())
        .merge(reports::routes())
        .merge(settlement::routes())
        .merge(special::routes())
        .merge(staff::routes())
}
