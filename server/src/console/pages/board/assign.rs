//! Dispatching an order from the board, or moving it to another crew or technician: a page
//! with the order as it is and a form of the crews and active technicians of its district,
//! posting the version (`seq`) it was drawn from. An order that changed since (a phone
//! accepted, worked or handed it back) is not dispatched: the page is drawn again with the
//! order as it is now. The change itself is the admin tool's ([`crate::admin::dispatch_order`]).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::deadline::next_deadline;
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::lines::{Directory, clock_start};
use super::{assigned_to, level_look};
use crate::admin::{DispatchTo, dispatch_order};
use crate::api::AppState;
use crate::console::layout::{Nav, csrf_field, page, when};
use crate::console::{ConsoleError, Ctx, Role, Staff};
use crate::records::decode;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/board/{order_id}/assign", get(show).post(post))
}

/// The order as the page draws it, with the choices of its district.
struct Drawn {
    seq: i64,
    order: WorkOrder,
    district: Option<DistrictId>,
    customer_number: Option<String>,
    dir: Directory,
}

impl Drawn {
    /// The crews and active technicians of the order's district, as the form offers them.
    fn choices(&self) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        for c in self
            .dir
            .crews
            .iter()
            .filter(|c| c.district_id == self.district)
        {
            out.push((format!("crew:{}", c.id), c.name.clone(), true));
        }
        for t in self
            .dir
            .technicians
            .iter()
            .filter(|t| t.active && t.district_id == self.district)
        {
            out.push((
                format!("tech:{}", t.id),
                format!("{} ({})", t.name, t.badge),
                false,
            ));
        }
        out
    }
}

/// Reads the order; a dispatcher is refused one of another district.
async fn draw(ctx: &Ctx, order_id: &str) -> Result<Drawn, ConsoleError> {
    let id = order_id.to_owned();
    let drawn = ctx
        .read(move |tx| {
            let dir = Directory::read(tx)?;
            let Some(record) = tx.record(Entity::WorkOrder, &id)?.filter(|r| !r.deleted) else {
                return Ok(None);
            };
            let order: WorkOrder = decode(&record)?;
            let district = dir.district_of(&record, &order);
            let customer_number = match order.household_id {
                Some(h) => tx
                    .record(Entity::Household, &h.to_string())?
                    .and_then(|r| r.key),
                None => None,
            };
            Ok(Some(Drawn {
                seq: record.seq,
                order,
                district,
                customer_number,
                dir,
            }))
        })
        .await?
        .ok_or(ConsoleError::NotFound("work order"))?;
    ctx.may_see(drawn.district)?;
    Ok(drawn)
}

async fn show(ctx: Ctx, Path(order_id): Path<String>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let drawn = draw(&ctx, &order_id).await?;
    Ok(view(&ctx, &order_id, &drawn, None, None))
}

#[derive(Debug, Deserialize)]
struct DispatchForm {
    #[serde(default)]
    seq: String,
    #[serde(default)]
    to: String,
}

/// What a dispatch came to, decided in its write transaction.
enum Outcome {
    Done(String),
    Forbidden,
    Stale,
    /// Refused, with the reason shown beside the choice.
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    Closed,
    Accepted,
    NotOfDistrict,
}

async fn post(
    ctx: Ctx,
    Path(order_id): Path<String>,
    Form(form): Form<DispatchForm>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let drawn_seq: Option<i64> = form.seq.trim().parse().ok();
    let to = form.to.trim().to_owned();
    let staff: Staff = ctx.staff.clone();
    let act = ctx.act();
    let id = order_id.clone();
    let outcome = ctx
        .write(move |tx| {
            let dir = Directory::read(tx)?;
            let Some(record) = tx.record(Entity::WorkOrder, &id)?.filter(|r| !r.deleted) else {
                return Err(crate::error::Error::NotFound("work order"));
            };
            let order: WorkOrder = decode(&record)?;
            let district = dir.district_of(&record, &order);
            if !staff.covers(district) {
                return Ok(Outcome::Forbidden);
            }
            if drawn_seq != Some(record.seq) {
                return Ok(Outcome::Stale);
            }
            if !order.is_open() {
                return Ok(Outcome::Refused(Refusal::Closed));
            }
            if order.status().rank() >= WorkOrderStatus::Accepted.rank() {
                return Ok(Outcome::Refused(Refusal::Accepted));
            }
            let target = match to.split_once(':') {
                Some(("crew", c)) => c
                    .parse()
                    .ok()
                    .filter(|c| dir.crew(*c).is_some_and(|c| c.district_id == district))
                    .map(DispatchTo::Crew),
                Some(("tech", t)) => t
                    .parse()
                    .ok()
                    .filter(|t| {
                        dir.technician(*t)
                            .is_some_and(|t| t.active && t.district_id == district)
                    })
                    .map(DispatchTo::Technician),
                _ => None,
            };
            let Some(target) = target else {
                return Ok(Outcome::Refused(Refusal::NotOfDistrict));
            };
            let number = order.number.clone();
            dispatch_order(tx, order, target, &act)?;
            Ok(Outcome::Done(number))
        })
        .await?;
    match outcome {
        Outcome::Done(number) => Ok(Redirect::to(&format!(
            "/console/board?order={}&done=dispatched",
            super::encoded(&number)
        ))
        .into_response()),
        Outcome::Forbidden => Err(ConsoleError::Forbidden),
        Outcome::Stale => {
            let drawn = draw(&ctx, &order_id).await?;
            let w = ctx.words();
            Ok((
                StatusCode::CONFLICT,
                view(&ctx, &order_id, &drawn, Some(w.board.stale), None),
            )
                .into_response())
        }
        Outcome::Refused(refusal) => {
            let drawn = draw(&ctx, &order_id).await?;
            let w = ctx.words();
            let reason = match refusal {
                Refusal::Closed => w.board.closed,
                Refusal::Accepted => w.board.already_accepted,
                Refusal::NotOfDistrict => w.board.not_of_district,
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                view(
                    &ctx,
                    &order_id,
                    &drawn,
                    None,
                    Some((reason, form.to.trim())),
                ),
            )
                .into_response())
        }
    }
}

/// The dispatch page: the order as it is, and the form (when the order may be dispatched).
/// `alert`: why the post was not applied; `refused`: the reason beside the choice, and the
/// choice kept.
fn view(
    ctx: &Ctx,
    order_id: &str,
    drawn: &Drawn,
    alert: Option<&str>,
    refused: Option<(&str, &str)>,
) -> Markup {
    let w = ctx.words();
    let lang = ctx.lang.core();
    let o = &drawn.order;
    let status = o.status();
    let choices = drawn.choices();
    let kept = refused.map(|(_, to)| to);
    let may_dispatch = o.is_open() && status.rank() < WorkOrderStatus::Accepted.rank();
    let next = next_deadline(o);
    let content = html! {
        @if let Some(text) = alert {
            p.alert role="alert" { (text) }
        }
        section.panel aria-labelledby="order-now" {
            h2 #order-now { (w.board.the_order) }
            dl.facts {
                dt { (w.board.col_number) } dd { (o.number) }
                dt { (w.board.col_kind) } dd { (o.kind.label().get(lang)) }
                @if let Some(number) = &drawn.customer_number {
                    dt { (w.board.household) } dd { (number) }
                }
                dt { (w.board.col_reported) } dd { (when(o.reported_at)) }
                dt { (w.board.col_status) } dd #order-status { (status.label().get(lang)) }
                dt { (w.board.col_assignee) } dd #order-assignee { (assigned_to(w, &drawn.dir, o)) }
                dt { (w.board.col_deadline) }
                dd {
                    @match &next {
                        Some(d) => {
                            @let lvl = doorstep_core::app::clock::level(clock_start(o, d), d.due_at, ctx.now);
                            @let (_, colour, word) = level_look(w, lvl);
                            (doorstep_core::app::screens::order::milestone_label(d.milestone).get(lang)) " · "
                            ((w.board.due_by)(&when(d.due_at))) " "
                            span class=(format!("badge {colour}")) { (word) }
                        }
                        None => span.muted { (w.board.no_deadline) },
                    }
                }
            }
        }
        @if !o.is_open() {
            p.alert { (w.board.closed) }
        } @else if !may_dispatch {
            p.alert { (w.board.already_accepted) }
        } @else if choices.is_empty() {
            p.alert { (w.board.no_one_to_choose) }
        } @else {
            form.panel method="post" action=(format!("/console/board/{order_id}/assign")) {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="seq" value=(drawn.seq);
                label for="dispatch-to" { (w.board.to) }
                select #dispatch-to name="to" required
                    aria-describedby=[refused.is_some().then_some("dispatch-error")] {
                    option value="" { (w.board.choose) }
                    optgroup label=(w.board.crews) {
                        @for (value, name, _) in choices.iter().filter(|c| c.2) {
                            option value=(value) selected[kept == Some(value.as_str())] { (name) }
                        }
                    }
                    optgroup label=(w.board.technicians) {
                        @for (value, name, _) in choices.iter().filter(|c| !c.2) {
                            option value=(value) selected[kept == Some(value.as_str())] { (name) }
                        }
                    }
                }
                @if let Some((reason, _)) = refused {
                    p.field-error #dispatch-error { (reason) }
                }
                p { button type="submit" { (w.board.submit_dispatch) } }
            }
        }
        p { a href=(format!("/console/board?order={}", super::encoded(&o.number))) { (w.board.back_to_board) } }
    };
    page(
        ctx,
        Nav::Board,
        &(w.board.dispatch_title)(&o.number),
        content,
    )
}
