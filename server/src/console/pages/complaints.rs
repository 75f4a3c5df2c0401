//! The complaints page (issue 26): to be built.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use crate::api::AppState;
use crate::console::layout::{Nav, page};
use crate::console::{ConsoleError, Ctx, Role};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/complaints", get(show))
}

async fn show(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let w = ctx.words();
    Ok(page(
        &ctx,
        Nav::Complaints,
        w.complaints.title,
        html! { p.muted { (w.common.none) } },
    ))
}
