//! A household's file (issue 26): everything the phone shows of a household and more, for the
//! office, at `/console/households/{id}`; each signed form at `…/forms/{form_id}`; the photos
//! at `/console/photos/{sha256}` (and `/thumb`).
//!
//! Access: a dispatcher only for the households of their districts (403 otherwise, for the
//! file, its forms and its photos alike); every view of a file is audited `household_viewed`,
//! every view of a form `form_viewed`.

mod file;
mod form;
mod photo;
mod records;
mod signature;

use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::response::Html;
use axum::routing::get;
use doorstep_core::ids::{FormId, HouseholdId};

use crate::api::AppState;
use crate::console::{ConsoleError, Ctx};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/households/{id}", get(file_page))
        .route("/console/households/{id}/forms/{form_id}", get(form_page))
        .route("/console/photos/{sha256}", get(photo::full))
        .route("/console/photos/{sha256}/thumb", get(photo::thumb))
}

/// A household's address in the console.
pub fn file_url(id: HouseholdId) -> String {
    format!("/console/households/{id}")
}

/// The page of one of its signed forms.
pub fn form_url(household: HouseholdId, form: FormId) -> String {
    format!("/console/households/{household}/forms/{form}")
}

fn parse<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, ConsoleError> {
    text.parse().map_err(|_| ConsoleError::NotFound(what))
}

async fn file_page(ctx: Ctx, Path(id): Path<String>) -> Result<Html<String>, ConsoleError> {
    let id: HouseholdId = parse(&id, "household")?;
    let file = ctx.read(move |tx| records::household_file(tx, id)).await?;
    ctx.may_see(file.household.district_id)?;
    let audit = ctx.audit_row("household_viewed", "household", &id.to_string());
    ctx.write(move |tx| Ok(tx.audit(&audit)?)).await?;
    Ok(Html(file::page(&ctx, &file).into_string()))
}

async fn form_page(
    ctx: Ctx,
    Path((id, form_id)): Path<(String, String)>,
) -> Result<Html<String>, ConsoleError> {
    let id: HouseholdId = parse(&id, "household")?;
    let form_id: FormId = parse(&form_id, "form")?;
    let seen = ctx.read(move |tx| form::read(tx, id, form_id)).await?;
    ctx.may_see(seen.household.district_id)?;
    let audit = ctx.audit_row("form_viewed", "form", &form_id.to_string());
    ctx.write(move |tx| Ok(tx.audit(&audit)?)).await?;
    Ok(Html(form::page(&ctx, &seen).into_string()))
}
