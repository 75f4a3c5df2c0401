//! The conflicts page (issue 26): to be built.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};

use crate::api::AppState;
use crate::console::layout::{Nav, page};
use crate::console::{ConsoleError, Ctx, Role};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/conflicts", get(show))
}

async fn show(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let w = ctx.words();
    Ok(page(
        &ctx,
        Nav::Conflicts,
        w.conflicts.title,
        html! { p.muted { (w.common.none) } },
    ))
}
