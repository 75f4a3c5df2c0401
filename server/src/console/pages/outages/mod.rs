//! Outage notices (Art.7(2)): the list with how far each was told, the form that posts one
//! (districts ticked or an area drawn on a plain drawing of the city, previewed before it is
//! posted), and one outage's households with their notifications. The rules are the core's
//! and the office functions' ([`crate::admin::announce_outage`],
//! [`crate::admin::record_notifications`]); these pages only draw and read forms.
//!
//! Scope: a dispatcher sees the outages that touch their districts, and of each only the
//! households of their districts; they post outages inside their districts only.

mod detail;
pub mod fields;
mod form;
mod map;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use doorstep_core::app::screens::outage::reason_words;
use doorstep_core::outage::{OutageArea, OutageNotice};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::District;
use maud::{Markup, html};

use crate::admin::{OutageSummary, every, outage_summaries};
use crate::api::AppState;
use crate::console::layout::{Nav, page, when};
use crate::console::{ConsoleError, Ctx, Role, Staff};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/outages", get(show))
        .route("/console/outages/new", get(form::new).post(form::create))
        .route("/console/outages/preview", get(form::preview))
        .route("/console/outages/{id}", get(detail::show))
        .route(
            "/console/outages/{id}/notify",
            axum::routing::post(detail::notify),
        )
        .route("/console/outages/{id}/not-told.csv", get(detail::export))
}

/// Whether `staff` sees this outage: the whole city does; a dispatcher one that touches their
/// districts (named, or overlapping the drawn area).
pub(super) fn touches(staff: &Staff, area: &OutageArea, districts: &[District]) -> bool {
    if staff.whole_city() {
        return true;
    }
    match area {
        OutageArea::Districts(ids) => ids.iter().any(|d| staff.districts.contains(d)),
        OutageArea::Polygon(area) => districts
            .iter()
            .any(|d| staff.districts.contains(&d.id) && area.overlaps(&d.boundary)),
    }
}

/// The districts an area reaches: named, or overlapped by the drawn area.
pub(super) fn reached<'a>(area: &OutageArea, districts: &'a [District]) -> Vec<&'a District> {
    districts
        .iter()
        .filter(|d| match area {
            OutageArea::Districts(ids) => ids.contains(&d.id),
            OutageArea::Polygon(area) => area.overlaps(&d.boundary),
        })
        .collect()
}

/// Every district, by name.
pub(super) async fn districts(ctx: &Ctx) -> Result<Vec<District>, ConsoleError> {
    let mut all: Vec<District> = ctx.read(|tx| every(tx, Entity::District)).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

async fn show(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let w = &ctx.words().outages;
    let staff = ctx.staff.clone();
    let now = ctx.now;
    let summaries = ctx
        .with_storage(move |storage| {
            Ok(outage_summaries(storage, now, &|h| {
                staff.covers(h.district_id)
            })?)
        })
        .await?;
    let all = districts(&ctx).await?;
    let shown: Vec<&OutageSummary> = summaries
        .iter()
        .filter(|s| touches(&ctx.staff, &s.notice.area, &all))
        .collect();
    let lang = ctx.lang.core();
    let content = html! {
        p { a.button href="/console/outages/new" { (w.new_link) } }
        p.muted { ((w.count)(shown.len())) }
        @if shown.is_empty() {
            p.muted { (w.empty) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (w.col_title) }
                    th scope="col" { (w.col_reason) }
                    th scope="col" { (w.col_starts) }
                    th scope="col" { (w.col_ends) }
                    th scope="col" { (w.col_emergency) }
                    th scope="col" { (w.col_affected) }
                    th scope="col" { (w.col_told) }
                    th scope="col" { (w.col_not_told) }
                    th scope="col" { (w.col_late) }
                } }
                tbody {
                    @for s in &shown {
                        @let n = &s.notice;
                        @let late = s.overdue + s.told_late;
                        tr class=[row_class(s, now)] {
                            td { a href={ "/console/outages/" (n.id) } { (n.title) } }
                            td { (reason_words(n.reason).get(lang)) }
                            td { (when(n.starts_at)) }
                            td { (when(n.ends_at)) }
                            td {
                                @if let Some(reason) = &n.emergency {
                                    span.badge.red { (w.emergency) } " " (reason)
                                }
                            }
                            td { (s.affected) }
                            td { (s.told) }
                            td { (s.pending + s.overdue) }
                            td {
                                @if late > 0 { span.badge.red { (late) } } @else { "0" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, Nav::Outages, w.title, content))
}

/// A line with households not told after the deadline is a breach; one whose deadline is
/// near with households still to tell is a warning.
fn row_class(s: &OutageSummary, now: chrono::DateTime<chrono::Utc>) -> Option<&'static str> {
    if s.overdue > 0 {
        Some("breach")
    } else if s.pending > 0 && still_running(&s.notice, now) {
        Some("warn")
    } else {
        None
    }
}

/// Whether the notice's deadline is pressing: the core's level of its clock (from posting to
/// the deadline) is due soon or worse.
fn still_running(n: &OutageNotice, now: chrono::DateTime<chrono::Utc>) -> bool {
    use doorstep_core::app::clock::{Level, level};
    level(n.created_at, n.notice_deadline(), now) >= Level::DueSoon
}
