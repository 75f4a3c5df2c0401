//! The dispatch board (issue 26): the open orders of the person's districts, nearest deadline
//! first, with the core's countdowns and levels; filters by district, kind and crew; for each
//! pipeline fault, when it reached the phone and when it was accepted; dispatching and
//! reassigning ([`assign`]); the technicians' phones ([`phones`]).
//!
//! The table is also served alone (`/console/board/rows?…`): the page redraws it every 30 s
//! (`data-refresh`), so the countdowns move without a reload.

pub mod assign;
pub mod lines;
pub mod phones;

use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use chrono::{DateTime, Utc};
use doorstep_core::app::Level;
use doorstep_core::app::clock::level;
use doorstep_core::app::format;
use doorstep_core::app::screens::order::milestone_label;
use doorstep_core::workorder::{WorkOrderKind, WorkOrderStatus};
use maud::{Markup, html};
use serde::Deserialize;

use self::lines::{Board, Directory, Filter, Line};
use crate::api::AppState;
use crate::console::layout::{Nav, page, when};
use crate::console::words::Words;
use crate::console::{ConsoleError, Ctx, Role};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/board", get(show))
        .route("/console/board/rows", get(rows))
        .merge(assign::routes())
        .merge(phones::routes())
}

/// The board's query: every value as typed (an empty one is "all"; one that does not parse
/// filters nothing).
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub crew: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub order: String,
    /// `dispatched`: the order was just dispatched (post/redirect/get).
    #[serde(default)]
    pub done: String,
}

impl BoardQuery {
    fn filter(&self) -> Filter {
        let text = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        Filter {
            district: self.district.trim().parse().ok(),
            kind: WorkOrderKind::parse(self.kind.trim()).ok(),
            crew: self.crew.trim().parse().ok(),
            page: self.page.trim().parse().ok().filter(|p| *p > 0),
            order: text(&self.order),
        }
    }
}

/// The query string of a filter (for the pager and the refreshing part).
fn query_of(filter: &Filter, page: Option<usize>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(d) = filter.district {
        pairs.push(("district", d.to_string()));
    }
    if let Some(k) = filter.kind {
        pairs.push(("kind", k.as_str().to_owned()));
    }
    if let Some(c) = filter.crew {
        pairs.push(("crew", c.to_string()));
    }
    if let Some(p) = page {
        pairs.push(("page", p.to_string()));
    }
    if let Some(o) = &filter.order {
        pairs.push(("order", o.clone()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encoded(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A query value, percent-encoded (anything but unreserved characters).
fn encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads the board for the person signed in.
pub async fn read_board(ctx: &Ctx, filter: Filter) -> Result<(Directory, Board), ConsoleError> {
    let staff = ctx.staff.clone();
    ctx.read(move |tx| {
        let dir = Directory::read(tx)?;
        let board = lines::board(tx, &dir, &staff, &filter)?;
        Ok((dir, board))
    })
    .await
}

async fn show(ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Markup, ConsoleError> {
    render(&ctx, q).await
}

/// The whole board page for the person signed in (what `GET /console/board` serves).
pub async fn render(ctx: &Ctx, q: BoardQuery) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let filter = q.filter();
    let (dir, board) = read_board(ctx, filter.clone()).await?;
    let phones = phones::read(ctx).await?;
    let w = ctx.words();
    let done = (q.done == "dispatched")
        .then_some(filter.order.as_deref())
        .flatten();
    let content = html! {
        @if let Some(number) = done {
            p.notice role="status" { ((w.board.dispatched)(number)) }
        }
        (filters(ctx, &dir, &filter))
        section #board-rows data-refresh="30"
            data-src=(format!("/console/board/rows?{}", query_of(&filter, Some(board.page)))) {
            (table(ctx, &dir, &filter, &board))
        }
        (phones::panel(ctx, &phones))
    };
    Ok(page(ctx, Nav::Board, w.board.title, content))
}

/// The table alone, for the page's refresh.
async fn rows(ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let filter = q.filter();
    let (dir, board) = read_board(&ctx, filter.clone()).await?;
    Ok(table(&ctx, &dir, &filter, &board))
}

/// The filters: a GET form, each choice a labelled select.
fn filters(ctx: &Ctx, dir: &Directory, filter: &Filter) -> Markup {
    let w = ctx.words();
    let lang = ctx.lang.core();
    let selected = |yes: bool| yes.then_some("selected");
    let crews = dir.crews.iter().filter(|c| ctx.staff.covers(c.district_id));
    html! {
        form.filters method="get" action="/console/board" aria-label=(w.board.filters) {
            div {
                label for="f-district" { (w.board.district) }
                select #f-district name="district" {
                    option value="" { (w.board.all) }
                    @for d in dir.districts_for(&ctx.staff) {
                        option value=(d.id) selected=[selected(filter.district == Some(d.id))] { (d.name) }
                    }
                }
            }
            div {
                label for="f-kind" { (w.board.kind) }
                select #f-kind name="kind" {
                    option value="" { (w.board.all) }
                    @for k in WorkOrderKind::ALL {
                        option value=(k.as_str()) selected=[selected(filter.kind == Some(k))] { (k.label().get(lang)) }
                    }
                }
            }
            div {
                label for="f-crew" { (w.board.crew) }
                select #f-crew name="crew" {
                    option value="" { (w.board.all) }
                    @for c in crews {
                        option value=(c.id) selected=[selected(filter.crew == Some(c.id))] { (c.name) }
                    }
                }
            }
            div {
                button type="submit" { (w.board.apply) }
                " "
                a href="/console/board" { (w.board.clear) }
            }
        }
    }
}

/// The level's class on the row and the badge, and its word.
fn level_look(w: &Words, level: Level) -> (&'static str, &'static str, &'static str) {
    match level {
        Level::Late => ("breach", "red", w.board.level_late),
        Level::Urgent => ("warn", "red", w.board.level_urgent),
        Level::DueSoon => ("warn", "amber", w.board.level_due_soon),
        Level::OnTime => ("", "green", w.board.level_on_time),
    }
}

/// The count, the table and the pager.
fn table(ctx: &Ctx, dir: &Directory, filter: &Filter, board: &Board) -> Markup {
    let w = ctx.words();
    let from = (board.page - 1) * lines::PAGE + 1;
    let to = from + board.lines.len().saturating_sub(1);
    html! {
        p #board-count role="status" { ((w.board.count)(board.total, from, to)) }
        @if board.order_missing && let Some(number) = &filter.order {
            p.alert { ((w.board.order_not_on_board)(number)) }
        }
        @if !board.lines.is_empty() {
            table #board {
                caption.muted { (w.board.table) }
                thead {
                    tr {
                        th scope="col" { (w.board.col_number) }
                        th scope="col" { (w.board.col_kind) }
                        th scope="col" { (w.board.col_where) }
                        th scope="col" { (w.board.col_reported) }
                        th scope="col" { (w.board.col_assignee) }
                        th scope="col" { (w.board.col_status) }
                        th scope="col" { (w.board.col_deadline) }
                        th scope="col" { (w.board.col_phone) }
                        th scope="col" { (w.board.col_action) }
                    }
                }
                tbody {
                    @for line in &board.lines {
                        (row(ctx, dir, filter, line))
                    }
                }
            }
        }
        @if board.pages > 1 {
            nav.pager aria-label=((w.board.page_of)(board.page, board.pages)) {
                @if board.page > 1 {
                    a rel="prev" href=(format!("/console/board?{}", query_of(&Filter { order: None, ..filter.clone() }, Some(board.page - 1)))) { (w.board.previous) }
                    " "
                }
                span { ((w.board.page_of)(board.page, board.pages)) }
                @if board.page < board.pages {
                    " "
                    a rel="next" href=(format!("/console/board?{}", query_of(&Filter { order: None, ..filter.clone() }, Some(board.page + 1)))) { (w.board.next) }
                }
            }
        }
    }
}

fn row(ctx: &Ctx, dir: &Directory, filter: &Filter, line: &Line) -> Markup {
    let w = ctx.words();
    let lang = ctx.lang.core();
    let o = &line.order;
    let now = ctx.now;
    let countdown = line.next.as_ref().map(|(d, from)| {
        let lvl = level(*from, d.due_at, now);
        (d, lvl, level_look(w, lvl))
    });
    let class = countdown.as_ref().map(|(_, _, (c, _, _))| *c).unwrap_or("");
    let highlighted = filter.order.as_deref() == Some(o.number.as_str());
    let status = o.status();
    html! {
        tr id=(format!("order-{}", o.number)) class=[(!class.is_empty()).then_some(class)]
            aria-current=[highlighted.then_some("true")]
            style=[highlighted.then_some("outline: 3px solid #f2b705; outline-offset: -3px")] {
            td {
                (o.number)
                @if o.major_since().is_some() {
                    " " span.badge.red { (w.board.major) }
                }
            }
            td { (o.kind.label().get(lang)) }
            td {
                @if let (Some(h), Some(number)) = (o.household_id, &line.customer_number) {
                    a href=(format!("/console/households/{h}")) { (number) }
                } @else if let Some(p) = o.location {
                    ((w.board.place)(p.lat(), p.lon()))
                }
            }
            td { (when(o.reported_at)) }
            td { (assigned_to(w, dir, o)) }
            td { (status.label().get(lang)) }
            td {
                @match &countdown {
                    Some((d, lvl, (_, colour, word))) => {
                        (milestone_label(d.milestone).get(lang)) br;
                        span.muted { ((w.board.due_by)(&when(d.due_at))) } br;
                        span class=(format!("badge {colour}")) data-level=(level_name(*lvl)) { (word) }
                        " " (format::remaining(d.due_at - now, lang))
                    }
                    None => span.muted { (w.board.no_deadline) },
                }
            }
            td {
                @if let Some(d) = &line.delivery {
                    (delivery(w, d))
                }
            }
            td {
                @if status.rank() < WorkOrderStatus::Accepted.rank() {
                    a href=(format!("/console/board/{}/assign", line.id)) {
                        @if o.assignee.is_some() || o.crew.is_some() { (w.board.redispatch) } @else { (w.board.dispatch) }
                    }
                }
            }
        }
    }
}

/// The level as the page's markup names it (for tests and scripts; not read by people).
fn level_name(level: Level) -> &'static str {
    match level {
        Level::Late => "late",
        Level::Urgent => "urgent",
        Level::DueSoon => "due_soon",
        Level::OnTime => "on_time",
    }
}

/// Who an order is dispatched to: the technician (name and badge), or the crew.
pub fn assigned_to(w: &Words, dir: &Directory, o: &doorstep_core::workorder::WorkOrder) -> Markup {
    html! {
        @if let Some(t) = o.assignee {
            @match dir.technician(t) {
                Some(t) => { (t.name) " (" (t.badge) ")" }
                None => { (w.common.none) }
            }
        } @else if let Some(c) = o.crew {
            (w.board.crew_prefix)
            @match dir.crew(c) {
                Some(c) => (c.name),
                None => (w.common.none),
            }
        } @else {
            span.muted { (w.board.nobody) }
        }
    }
}

fn delivery(w: &Words, d: &crate::delivery::OrderDelivery) -> Markup {
    let after = |at: DateTime<Utc>| (at - d.reported_at).num_minutes();
    html! {
        @match (&d.reached, &d.served_unconfirmed) {
            (Some(r), _) => { ((w.board.reached)(&when(r.at), after(r.at))) }
            (None, Some(r)) => { ((w.board.served_unconfirmed)(&when(r.at))) }
            (None, None) => { span.muted { (w.board.not_served) } }
        }
        br;
        @match d.accepted_at {
            Some(at) => { ((w.board.accepted)(&when(at), after(at))) }
            None => { span.muted { (w.board.not_accepted) } }
        }
    }
}
