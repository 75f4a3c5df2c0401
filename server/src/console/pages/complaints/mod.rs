//! Complaints and return visits (Art.7(6), Art.5(5), Art.16): the queue of complaints with
//! their two clocks (the core's deadlines, breaches highlighted), each complaint's page with
//! its steps ([`crate::admin::take_complaint_step`]), the return visits to make with their
//! scores ([`crate::admin::record_visit_scores`]) and the month's satisfaction summary
//! ([`crate::admin::score_summary`]).
//!
//! Scope: a dispatcher sees the complaints and visits of their districts' households; closing
//! a complaint (with the user's acceptance) is a supervisor's.

mod clock;
mod complaint;
mod summary;
mod visit;

use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use doorstep_core::app::screens::order::milestone_label;
use maud::{Markup, html};

use super::outages::fields::Fields;
use crate::admin::{Followed, complaint_rows, return_visit_rows};
use crate::api::AppState;
use crate::console::layout::{Nav, page, when};
use crate::console::{ConsoleError, Ctx, Role};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/complaints", get(show))
        .route("/console/complaints/{number}", get(complaint::show))
        .route(
            "/console/complaints/{number}/step",
            axum::routing::post(complaint::step),
        )
        .route(
            "/console/return-visits/{number}",
            get(visit::show).post(visit::record),
        )
}

async fn show(
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let query = Fields(query);
    let all = query.ticked("all");
    let w = &ctx.words().complaints;
    let lang = ctx.lang.core();
    let now = ctx.now;
    let (mut complaints, mut visits) = ctx
        .with_storage(move |storage| {
            Ok((
                complaint_rows(storage, !all)?,
                return_visit_rows(storage, false)?,
            ))
        })
        .await?;
    complaints.retain(|row| ctx.staff.covers(row.district));
    visits.retain(|row| ctx.staff.covers(row.district));
    let summary = summary::section(&ctx, &query).await?;
    let content = html! {
        section aria-labelledby="queue" {
            h2 #queue { (w.queue_title) }
            p.filters {
                span.muted { ((w.count)(complaints.len())) }
                @if all {
                    a href="/console/complaints" { (w.show_open) }
                } @else {
                    a href="/console/complaints?all=1" { (w.show_all) }
                }
            }
            @if complaints.is_empty() {
                p.muted { (w.empty) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.col_number) }
                        th scope="col" { (w.col_channel) }
                        th scope="col" { (w.col_status) }
                        th scope="col" { (w.col_received) }
                        @for d in complaints[0].complaint.deadlines() {
                            th scope="col" { (milestone_label(d.milestone).get(lang)) }
                        }
                        th scope="col" { (w.col_household) }
                        th scope="col" { (w.col_order) }
                    } }
                    tbody {
                        @for row in &complaints {
                            @let c = &row.complaint;
                            @let deadlines = c.deadlines();
                            tr class=[clock::row_class(deadlines.iter().map(|d| clock::pressing(d, c.received_at, now)))] {
                                td { a href={ "/console/complaints/" (c.number) } { (c.number) } }
                                td { ((w.channel)(c.channel)) }
                                td { ((w.status)(c.status())) }
                                td { (when(c.received_at)) }
                                @for d in &deadlines {
                                    td { (clock::cell(ctx.lang, d, c.received_at, now)) }
                                }
                                td { (row.household.as_deref().unwrap_or("-")) }
                                td { (row.order.as_deref().unwrap_or("-")) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="visits" {
            h2 #visits { (w.visits_title) }
            p.muted { ((w.visits_count)(visits.len())) }
            @if visits.is_empty() {
                p.muted { (w.visits_empty) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.col_visit) }
                        th scope="col" { (w.col_follows) }
                        th scope="col" { (w.col_household) }
                        th scope="col" { (w.col_scheduled) }
                        th scope="col" { (w.col_due) }
                    } }
                    tbody {
                        @for row in &visits {
                            @let v = &row.visit;
                            @let deadline = row.due.map(|due| doorstep_core::workorder::deadline::Deadline {
                                milestone: doorstep_core::workorder::deadline::Milestone::ReturnVisit,
                                due_at: due,
                                met_at: None,
                            });
                            tr class=[clock::row_class(deadline.iter().map(|d| clock::pressing(d, v.reported_at, now)))] {
                                td { a href={ "/console/return-visits/" (v.number) } { (v.number) } }
                                td { (follows(&ctx, row.follows.as_ref())) }
                                td { (row.household.as_deref().unwrap_or("-")) }
                                td { (when(v.reported_at)) }
                                td {
                                    @if let Some(d) = &deadline {
                                        (clock::cell(ctx.lang, d, v.reported_at, now))
                                    } @else { "-" }
                                }
                            }
                        }
                    }
                }
            }
        }
        (summary)
    };
    Ok(page(&ctx, Nav::Complaints, w.title, content))
}

/// What a return visit follows up, in words, linked to the complaint when it is one.
fn follows(ctx: &Ctx, followed: Option<&Followed>) -> Markup {
    let w = &ctx.words().complaints;
    html! {
        @match followed {
            Some(Followed::Order(n)) => { ((w.follows_order)(n)) }
            Some(Followed::Complaint(n)) => {
                a href={ "/console/complaints/" (n) } { ((w.follows_complaint)(n)) }
            }
            None => { "-" }
        }
    }
}
