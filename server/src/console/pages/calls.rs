//! The calls page (issue 26; Art.5(1), Art.13): find the caller's household as you type (by
//! customer number, name, phone or part of the address, [`crate::storage::search`]), record
//! what was said and what it became (an order, dispatched or left for the board; a complaint;
//! an answer on the spot) through the office's own [`crate::admin::record_call`], and the day's
//! call log. An alarm opens an emergency order; a major fault's result page shows the report
//! to the leadership to make, and records it ([`crate::admin::report_leadership`]).
//!
//! - `GET /console/calls[?q=…][&household=ID][&page=N]`: the page.
//! - `GET /console/calls/search?q=…`: the results list alone (the as-you-type search).
//! - `POST /console/calls`: records the call; a refused value draws the form again with the
//!   reason beside the field, nothing written; else to the call's result page.
//! - `GET /console/calls/{id}`: what the call became. `POST /console/calls/{id}/leadership`:
//!   the report to the leadership of the major fault it opened.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::calls::{Call, CallKind, CallOutcome};
use doorstep_core::complaint::{Complainant, Complaint, ComplaintChannel};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::Household;
use doorstep_core::ids::{CallId, ComplaintId, CrewId, DistrictId, TechnicianId, WorkOrderId};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, Technician};
use doorstep_core::workorder::deadline::{DeadlinePolicy, Milestone, deadlines};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind};
use maud::{Markup, html};
use serde::Deserialize;

use crate::admin::{CallBecomes, CallSaid, ComplaintOpen, open_complaint, record_call};
use crate::api::AppState;
use crate::bucket::Bucket;
use crate::console::layout::{Nav, csrf_field, page, when};
use crate::console::words::Words;
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;
use crate::records::decode;
use crate::storage::{StoredRecord, Tx};

/// Households listed for one search.
const RESULTS: usize = 20;
/// Calls per page of the log.
const LOG_PAGE: usize = 50;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/calls", get(show).post(take))
        .route("/console/calls/search", get(search))
        .route("/console/calls/{id}", get(result))
        .route("/console/calls/{id}/leadership", post(leadership))
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A household found, with what the list shows of it.
struct Hit {
    household: Household,
    open_orders: usize,
}

/// One line of the call log.
struct LogRow {
    at: DateTime<Utc>,
    kind: CallKind,
    household: Option<String>,
    outcome: Outcome,
    taken_by: String,
}

enum Outcome {
    Order(String),
    Complaint(String),
    Answered,
}

/// Whom a call's order may be sent to: `(form value, label)`.
type Choices = Vec<(String, String)>;

/// Everything the page draws.
struct PageData {
    query: String,
    hits: Option<(Vec<Hit>, bool)>,
    chosen: Option<Household>,
    dispatch: Choices,
    log: Vec<LogRow>,
    log_total: usize,
    log_page: usize,
}

/// The districts a search or a list is limited to: `None` for the whole city.
fn scope(ctx: &Ctx) -> Option<Vec<DistrictId>> {
    (!ctx.staff.whole_city()).then(|| ctx.staff.districts.clone())
}

fn find(
    tx: &mut dyn Tx,
    query: &str,
    districts: Option<&[DistrictId]>,
) -> crate::error::Result<(Vec<Hit>, bool)> {
    let mut records = tx.find_households(query, districts, RESULTS + 1)?;
    let more = records.len() > RESULTS;
    records.truncate(RESULTS);
    let mut hits = Vec::with_capacity(records.len());
    for r in &records {
        let household: Household = decode(r)?;
        let open_orders = open_orders(tx, &household)?;
        hits.push(Hit {
            household,
            open_orders,
        });
    }
    Ok((hits, more))
}

/// The household's open work orders, found through the tie of its records to it.
fn open_orders(tx: &mut dyn Tx, household: &Household) -> crate::error::Result<usize> {
    let entries = tx.changes(&[Bucket::Household(household.id)], 0, 10_000)?;
    let mut n = 0;
    for e in entries {
        if e.entity != Entity::WorkOrder || e.left {
            continue;
        }
        if let Some(r) = tx.record(Entity::WorkOrder, &e.id)?.filter(|r| !r.deleted) {
            let order: WorkOrder = decode(&r)?;
            if order.household_id == Some(household.id) && order.is_open() {
                n += 1;
            }
        }
    }
    Ok(n)
}

fn household(tx: &mut dyn Tx, id: &str) -> crate::error::Result<Option<Household>> {
    match tx.record(Entity::Household, id)?.filter(|r| !r.deleted) {
        Some(r) => Ok(Some(decode(&r)?)),
        None => Ok(None),
    }
}

fn every<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: Entity,
) -> crate::error::Result<Vec<T>> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page: Vec<StoredRecord> = tx.records(entity, &after, 1000)?;
        let Some(last) = page.last() else {
            return Ok(out);
        };
        after = last.id.clone();
        for r in page.iter().filter(|r| !r.deleted) {
            out.push(decode(r)?);
        }
    }
}

/// The crews and active technicians an order for `district` may be sent to: the district's,
/// or (no district) those of the person's districts, or the whole city's.
fn dispatch_choices(
    tx: &mut dyn Tx,
    district: Option<DistrictId>,
    staff_scope: Option<&[DistrictId]>,
    w: &Words,
) -> crate::error::Result<Choices> {
    let fits = |d: Option<DistrictId>| match (district, staff_scope) {
        (Some(want), _) => d == Some(want),
        (None, Some(mine)) => d.is_some_and(|d| mine.contains(&d)),
        (None, None) => true,
    };
    let mut out = Vec::new();
    let mut crews: Vec<Crew> = every(tx, Entity::Crew)?;
    crews.sort_by(|a, b| a.name.cmp(&b.name));
    for c in crews.into_iter().filter(|c| fits(c.district_id)) {
        out.push((format!("c:{}", c.id), (w.calls.crew_entry)(&c.name)));
    }
    let mut technicians: Vec<Technician> = every(tx, Entity::Technician)?;
    technicians.sort_by(|a, b| a.name.cmp(&b.name));
    for t in technicians
        .into_iter()
        .filter(|t| t.active && fits(t.district_id))
    {
        out.push((
            format!("t:{}", t.id),
            (w.calls.technician_entry)(&t.name, &t.badge),
        ));
    }
    Ok(out)
}

/// Today's calls (the service center's day) the person may see, newest first: a dispatcher's
/// are those of households in their districts and those they took.
fn todays_calls(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    login: &str,
    staff_scope: Option<&[DistrictId]>,
) -> crate::error::Result<Vec<LogRow>> {
    let tz = doorstep_core::calendar::service_timezone();
    let today = now.with_timezone(&tz).date_naive();
    let mut calls: Vec<Call> = every(tx, Entity::Call)?;
    calls.retain(|c| c.at.with_timezone(&tz).date_naive() == today);
    calls.sort_by_key(|c| std::cmp::Reverse(c.at));
    let names = crate::console::account::names_by_login(tx)?;
    let mut rows = Vec::with_capacity(calls.len());
    for c in calls {
        let held = match c.household_id {
            Some(h) => household(tx, &h.to_string())?,
            None => None,
        };
        let visible = match staff_scope {
            None => true,
            Some(mine) => {
                c.taken_by == login
                    || held
                        .as_ref()
                        .and_then(|h| h.district_id)
                        .is_some_and(|d| mine.contains(&d))
            }
        };
        if !visible {
            continue;
        }
        let outcome = match &c.outcome {
            CallOutcome::Order(o) => {
                Outcome::Order(record_key(tx, Entity::WorkOrder, &o.to_string())?)
            }
            CallOutcome::Complaint(id) => {
                Outcome::Complaint(record_key(tx, Entity::Complaint, &id.to_string())?)
            }
            CallOutcome::Answered(_) => Outcome::Answered,
        };
        rows.push(LogRow {
            at: c.at,
            kind: c.kind,
            household: held.map(|h| h.customer_number),
            outcome,
            taken_by: names.get(&c.taken_by).cloned().unwrap_or(c.taken_by),
        });
    }
    Ok(rows)
}

/// A record's business key (an order's or a complaint's number), else its id.
fn record_key(tx: &mut dyn Tx, entity: Entity, id: &str) -> crate::error::Result<String> {
    Ok(tx
        .record(entity, id)?
        .and_then(|r| r.key)
        .unwrap_or_else(|| id.to_owned()))
}

/// Reads what the page draws. A household asked for by its id must be one the person may see.
async fn load(
    ctx: &Ctx,
    query: &str,
    chosen: Option<&str>,
    log_page: usize,
) -> Result<PageData, ConsoleError> {
    let query = query.trim().to_owned();
    let shown_query = query.clone();
    let chosen = chosen
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let staff_scope = scope(ctx);
    let (now, login, lang) = (ctx.now, ctx.staff.login.clone(), ctx.lang);
    let (hits, chosen, dispatch, log) = ctx
        .read(move |tx| {
            let districts = staff_scope.as_deref();
            let hits = if query.is_empty() {
                None
            } else {
                Some(find(tx, &query, districts)?)
            };
            let chosen = match &chosen {
                Some(id) => Some(household(tx, id)?.ok_or(Error::NotFound("household"))?),
                None => None,
            };
            let dispatch = dispatch_choices(
                tx,
                chosen.as_ref().and_then(|h| h.district_id),
                districts,
                lang.words(),
            )?;
            let log = todays_calls(tx, now, &login, districts)?;
            Ok((hits, chosen, dispatch, log))
        })
        .await?;
    if let Some(h) = &chosen {
        ctx.may_see(h.district_id)?;
        // The page shows the household's name, phones and address.
        let row = ctx.audit_row("household_viewed", "household", &h.id.to_string());
        ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    }
    let log_total = log.len();
    let pages = log_total.div_ceil(LOG_PAGE).max(1);
    let log_page = log_page.clamp(1, pages);
    let log = log
        .into_iter()
        .skip((log_page - 1) * LOG_PAGE)
        .take(LOG_PAGE)
        .collect();
    Ok(PageData {
        query: shown_query,
        hits,
        chosen,
        dispatch,
        log,
        log_total,
        log_page,
    })
}

// ---------------------------------------------------------------------------------------------
// The page

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    page: Option<usize>,
}

async fn show(ctx: Ctx, Query(q): Query<ShowQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let data = load(&ctx, &q.q, Some(&q.household), q.page.unwrap_or(1)).await?;
    let form = CallForm {
        household: q.household.trim().to_owned(),
        ..CallForm::default()
    };
    Ok(draw(&ctx, &data, &form, None))
}

#[derive(Debug, Default, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The results list alone, for the as-you-type search.
async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let query = q.q.trim().to_owned();
    if query.is_empty() {
        return Ok(html! {});
    }
    let staff_scope = scope(&ctx);
    let found = ctx
        .read(move |tx| find(tx, &query, staff_scope.as_deref()))
        .await?;
    Ok(results(ctx.words(), &found.0, found.1))
}

fn results(w: &Words, hits: &[Hit], more: bool) -> Markup {
    let c = &w.calls;
    html! {
        @if hits.is_empty() {
            p.muted role="status" { (c.found_none) }
        } @else {
            p role="status" { ((c.found)(hits.len(), more)) }
            table {
                thead { tr {
                    th scope="col" { (c.col_number) }
                    th scope="col" { (c.col_name) }
                    th scope="col" { (c.col_address) }
                    th scope="col" { (c.col_phones) }
                    th scope="col" { (c.col_category) }
                    th scope="col" { (c.col_special) }
                    th scope="col" { (c.col_open_orders) }
                    th scope="col" { span.muted { (c.choose) } }
                } }
                tbody {
                    @for hit in hits {
                        @let h = &hit.household;
                        tr {
                            td { (h.customer_number) }
                            td { (h.name) }
                            td { (h.address.one_line()) }
                            td {
                                @for (i, p) in h.phones.iter().enumerate() {
                                    @if i > 0 { br; }
                                    (p.as_str())
                                }
                            }
                            td { ((c.category)(h.category)) }
                            td { @if h.is_special_group() { span.badge.amber { (c.special_mark) } } }
                            td { (hit.open_orders) }
                            td {
                                a.button href={ "/console/calls?household=" (h.id) "#call" } {
                                    (c.choose) span.muted { " " (h.customer_number) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the call form holds (also what it posts).
#[derive(Debug, Clone, Default, Deserialize)]
struct CallForm {
    #[serde(default)]
    household: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    becomes: String,
    #[serde(default)]
    order_kind: String,
    #[serde(default)]
    dispatch: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    caller_name: String,
    #[serde(default)]
    caller_phone: String,
    #[serde(default)]
    answer: String,
}

/// A value refused: the form's field and why, in both languages.
#[derive(Debug, Clone)]
struct Refusal {
    field: &'static str,
    zh: String,
    en: String,
}

impl Refusal {
    fn core(field: &'static str, e: &InvalidInput) -> Self {
        Refusal {
            field,
            zh: e.reason_zh.to_string(),
            en: e.reason.to_string(),
        }
    }

    fn words(field: &'static str, say: fn(&Words) -> &'static str) -> Self {
        Refusal {
            field,
            zh: say(Lang::Zh.words()).to_owned(),
            en: say(Lang::En.words()).to_owned(),
        }
    }

    fn said(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

fn draw(ctx: &Ctx, data: &PageData, form: &CallForm, refused: Option<&Refusal>) -> Markup {
    let w = ctx.words();
    let c = &w.calls;
    let error = |field: &str| -> Markup {
        html! {
            @if let Some(r) = refused.filter(|r| r.field == field) {
                span.field-error id={ (field) "-error" } { (r.said(ctx.lang)) }
            }
        }
    };
    let described = |field: &str| -> Option<String> {
        refused
            .filter(|r| r.field == field)
            .map(|_| format!("{field}-error"))
    };
    let kind = if form.kind.is_empty() {
        CallKind::Repair.as_str()
    } else {
        form.kind.as_str()
    };
    let becomes = if form.becomes.is_empty() {
        "order"
    } else {
        form.becomes.as_str()
    };
    let order_kind = if form.order_kind.is_empty() {
        WorkOrderKind::UserEquipmentFault.as_str()
    } else {
        form.order_kind.as_str()
    };
    let caller_name = match (&data.chosen, form.caller_name.is_empty()) {
        (Some(h), true) => h.name.clone(),
        _ => form.caller_name.clone(),
    };
    let caller_phone = match (&data.chosen, form.caller_phone.is_empty()) {
        (Some(h), true) => h
            .phones
            .first()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        _ => form.caller_phone.clone(),
    };
    let pages = data.log_total.div_ceil(LOG_PAGE).max(1);
    let content = html! {
        section.panel aria-labelledby="find-heading" {
            h2 #find-heading { (c.find_heading) }
            form.filters method="get" action="/console/calls" role="search" {
                div {
                    label for="q" { (c.search_label) }
                    input #q type="search" name="q" value=(data.query) autocomplete="off"
                        size="40" aria-describedby="q-hint"
                        data-search="/console/calls/search" data-target="results";
                    div #q-hint .muted { (c.search_hint) }
                }
                button type="submit" { (c.search_button) }
            }
            div #results aria-live="polite" {
                @if let Some((hits, more)) = &data.hits { (results(w, hits, *more)) }
            }
        }
        section.panel #call aria-labelledby="call-heading" {
            h2 #call-heading { (c.call_heading) }
            @if let Some(r) = refused {
                p.alert role="alert" { (c.form_refused) " " (r.said(ctx.lang)) }
            }
            form method="post" action="/console/calls" {
                (csrf_field(&ctx.csrf))
                @if let Some(h) = &data.chosen {
                    input type="hidden" name="household" value=(h.id);
                    h3 { (c.household_chosen) }
                    dl.facts {
                        dt { (c.col_number) } dd { (h.customer_number) }
                        dt { (c.col_name) } dd { (h.name) }
                        dt { (c.col_address) } dd { (h.address.one_line()) }
                        dt { (c.col_phones) } dd {
                            @for (i, p) in h.phones.iter().enumerate() {
                                @if i > 0 { ", " }
                                (p.as_str())
                            }
                        }
                        dt { (c.col_category) } dd {
                            ((c.category)(h.category))
                            @if h.is_special_group() { " " span.badge.amber { (c.special_mark) } }
                        }
                    }
                    p { a href="/console/calls" { (c.choose_another) } }
                } @else {
                    p.notice { (c.no_household) }
                    p.muted { (c.no_household_hint) }
                    div.filters {
                        div {
                            label for="lat" { (c.lat) }
                            input #lat type="text" name="lat" value=(form.lat) inputmode="decimal" size="12"
                                aria-describedby=[described("lat")];
                            (error("lat"))
                        }
                        div {
                            label for="lon" { (c.lon) }
                            input #lon type="text" name="lon" value=(form.lon) inputmode="decimal" size="12";
                        }
                        div {
                            label for="place" { (c.place) }
                            input #place type="text" name="place" value=(form.place) size="40";
                        }
                    }
                }
                label for="kind" { (c.kind) }
                select #kind name="kind" {
                    @for k in CallKind::ALL {
                        option value=(k.as_str()) selected[k.as_str() == kind] { ((c.call_kind)(k)) }
                    }
                }
                (error("kind"))
                p.muted { (c.alarm_note) }
                label for="summary" { (c.summary) }
                textarea #summary name="summary" rows="3" required
                    aria-describedby=[described("summary")] { (form.summary) }
                (error("summary"))
                fieldset {
                    legend { (c.becomes) }
                    (error("becomes"))
                    div {
                        input #becomes-order type="radio" name="becomes" value="order" checked[becomes == "order"];
                        label.inline-choice for="becomes-order" style="display:inline" { (c.becomes_order) }
                    }
                    div.filters {
                        div {
                            label for="order_kind" { (c.order_kind) }
                            select #order_kind name="order_kind" aria-describedby=[described("order_kind")] {
                                @for k in WorkOrderKind::ALL {
                                    option value=(k.as_str()) selected[k.as_str() == order_kind] {
                                        (k.label().get(ctx.lang.core()))
                                    }
                                }
                            }
                            (error("order_kind"))
                        }
                        div {
                            label for="dispatch" { (c.dispatch_to) }
                            select #dispatch name="dispatch" aria-describedby=[described("dispatch")] {
                                option value="" { (c.leave_new) }
                                @for (value, label) in &data.dispatch {
                                    option value=(value) selected[*value == form.dispatch] { (label) }
                                }
                            }
                            (error("dispatch"))
                        }
                    }
                    div {
                        input #becomes-complaint type="radio" name="becomes" value="complaint" checked[becomes == "complaint"];
                        label for="becomes-complaint" style="display:inline" { (c.becomes_complaint) }
                    }
                    div.filters {
                        div {
                            label for="caller_name" { (c.caller_name) }
                            input #caller_name type="text" name="caller_name" value=(caller_name)
                                aria-describedby=[described("caller_name")];
                            (error("caller_name"))
                        }
                        div {
                            label for="caller_phone" { (c.caller_phone) }
                            input #caller_phone type="text" name="caller_phone" value=(caller_phone) inputmode="tel"
                                aria-describedby=[described("caller_phone")];
                            (error("caller_phone"))
                        }
                    }
                    div {
                        input #becomes-answer type="radio" name="becomes" value="answer" checked[becomes == "answer"];
                        label for="becomes-answer" style="display:inline" { (c.becomes_answer) }
                    }
                    label for="answer" { (c.answer) }
                    textarea #answer name="answer" rows="2" aria-describedby=[described("answer")] { (form.answer) }
                    (error("answer"))
                }
                p { button type="submit" { (c.take) } }
            }
        }
        section.panel aria-labelledby="log-heading" {
            h2 #log-heading { (c.log_heading) }
            p.muted { ((c.log_count)(data.log_total)) }
            @if !data.log.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (c.col_time) }
                        th scope="col" { (c.col_kind) }
                        th scope="col" { (c.col_household) }
                        th scope="col" { (c.col_outcome) }
                        th scope="col" { (c.col_taken_by) }
                    } }
                    tbody {
                        @for row in &data.log {
                            tr {
                                td { (when(row.at)) }
                                td {
                                    @if row.kind == CallKind::Alarm {
                                        span.badge.red { ((c.call_kind)(row.kind)) }
                                    } @else {
                                        ((c.call_kind)(row.kind))
                                    }
                                }
                                td { (row.household.as_deref().unwrap_or("—")) }
                                td {
                                    @match &row.outcome {
                                        Outcome::Order(number) => a href={ "/console/board?order=" (number) } { ((c.outcome_order)(number)) },
                                        Outcome::Complaint(number) => ((c.outcome_complaint)(number)),
                                        Outcome::Answered => (c.outcome_answered),
                                    }
                                }
                                td { (row.taken_by) }
                            }
                        }
                    }
                }
                @if pages > 1 {
                    nav.filters aria-label=(c.log_heading) {
                        @if data.log_page > 1 {
                            a href={ "/console/calls?page=" (data.log_page - 1) } { (c.previous) }
                        }
                        span { ((c.page_of)(data.log_page, pages)) }
                        @if data.log_page < pages {
                            a href={ "/console/calls?page=" (data.log_page + 1) } { (c.next) }
                        }
                    }
                }
            }
        }
    };
    page(ctx, Nav::Calls, c.title, content)
}

// ---------------------------------------------------------------------------------------------
// Taking a call

async fn take(ctx: Ctx, axum::Form(form): axum::Form<CallForm>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    match taken(&ctx, &form).await {
        Ok(call) => Ok(Redirect::to(&format!("/console/calls/{call}")).into_response()),
        Err(Refused::Value(refusal)) => {
            let data = load(&ctx, "", Some(&form.household), 1).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                draw(&ctx, &data, &form, Some(&refusal)),
            )
                .into_response())
        }
        Err(Refused::Page(e)) => Err(e),
    }
}

enum Refused {
    /// A value of the form: drawn beside its field.
    Value(Refusal),
    /// The request itself (not allowed, not found, …).
    Page(ConsoleError),
}

impl From<ConsoleError> for Refused {
    fn from(e: ConsoleError) -> Self {
        Refused::Page(e)
    }
}

/// The form's field a core rule names.
fn field_of(core_field: &str) -> &'static str {
    match core_field {
        "call.summary" => "summary",
        "call.outcome.answer" => "answer",
        "call.outcome" => "becomes",
        "complaint.complainant.name" => "caller_name",
        "complaint.complainant.phone" | "phone" => "caller_phone",
        "complaint.summary" => "summary",
        "work_order.household_id" | "lat" | "lon" | "geo.lat" | "geo.lon" => "lat",
        "work_order.description" => "summary",
        f if f.starts_with("work_order") => "order_kind",
        _ => "kind",
    }
}

/// Records the call the form describes; its id.
async fn taken(ctx: &Ctx, form: &CallForm) -> Result<CallId, Refused> {
    let w = ctx.words();
    let kind = CallKind::ALL
        .into_iter()
        .find(|k| k.as_str() == form.kind)
        .ok_or_else(|| Refused::Value(Refusal::words("kind", |w| w.common.error_not_found)))?;
    // The household, one the person may see.
    let chosen = match form.household.trim() {
        "" => None,
        id => {
            let id = id.to_owned();
            let h = ctx
                .read(move |tx| household(tx, &id))
                .await?
                .ok_or(ConsoleError::NotFound("household"))?;
            ctx.may_see(h.district_id)?;
            Some(h)
        }
    };
    // Where, for a call with no household.
    let location = if chosen.is_some() {
        None
    } else {
        match (form.lat.trim(), form.lon.trim()) {
            ("", "") => None,
            (lat, lon) => {
                let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
                    return Err(Refused::Value(Refusal::words("lat", |w| {
                        w.calls.position_refused
                    })));
                };
                Some(
                    GeoPoint::new(lat, lon)
                        .map_err(|e| Refused::Value(Refusal::core("lat", &e)))?,
                )
            }
        }
    };
    let becomes = if kind == CallKind::Alarm {
        "order"
    } else {
        form.becomes.as_str()
    };
    // What it becomes, checked by the core's rule of calls before anything is written.
    let outcome = match becomes {
        "order" => CallOutcome::Order(WorkOrderId::new()),
        "complaint" => CallOutcome::Complaint(ComplaintId::new()),
        _ => CallOutcome::Answered(form.answer.clone()),
    };
    Call {
        id: CallId::new(),
        kind,
        at: ctx.now,
        taken_by: ctx.staff.login.clone(),
        household_id: chosen.as_ref().map(|h| h.id),
        summary: form.summary.clone(),
        outcome,
    }
    .validate()
    .map_err(|e| Refused::Value(Refusal::core(field_of(&e.field), &e)))?;
    let summary = match (form.place.trim(), &chosen) {
        ("", _) | (_, Some(_)) => form.summary.trim().to_owned(),
        (place, None) => (w.calls.at_place)(place, form.summary.trim()),
    };
    let becomes = match becomes {
        "order" => {
            let order_kind = if kind == CallKind::Alarm {
                WorkOrderKind::PipelineFault
            } else {
                WorkOrderKind::parse(&form.order_kind)
                    .map_err(|e| Refused::Value(Refusal::core("order_kind", &e)))?
            };
            let (assignee, crew) = dispatch_of(ctx, form, chosen.as_ref()).await?;
            CallBecomes::Order {
                kind: order_kind,
                number: None,
                assignee,
                crew,
            }
        }
        "complaint" => {
            let number = complaint_number(ctx.now);
            let complainant = Complainant {
                name: form.caller_name.trim().to_owned(),
                phone: Some(form.caller_phone.trim().to_owned()).filter(|p| !p.is_empty()),
            };
            // The core's rules of a complaint first, for the reasons in the person's language.
            Complaint::receive(
                number.as_str(),
                complainant.clone(),
                ComplaintChannel::Phone,
                summary.as_str(),
                ctx.now,
                &DeadlinePolicy::default(),
            )
            .validate()
            .map_err(|e| Refused::Value(Refusal::core(field_of(&e.field), &e)))?;
            let args = ComplaintOpen {
                number: number.clone(),
                name: complainant.name,
                phone: complainant.phone,
                channel: ComplaintChannel::Phone,
                summary: summary.clone(),
                household: chosen.as_ref().map(|h| h.customer_number.clone()),
                order: None,
                technician: None,
                received_at: Some(ctx.now),
            };
            let act = ctx.act();
            ctx.with_storage(move |storage| {
                open_complaint(storage, args, &act).map_err(|text| ConsoleError::Invalid {
                    field: String::new(),
                    zh: text.clone(),
                    en: text,
                })
            })
            .await?;
            CallBecomes::Complaint(number)
        }
        _ => CallBecomes::Answer(form.answer.trim().to_owned()),
    };
    let said = CallSaid {
        kind,
        household: chosen.as_ref().map(|h| h.customer_number.clone()),
        summary,
        location,
        becomes,
        at: ctx.now,
    };
    let act = ctx.act();
    let recorded = ctx
        .with_storage(move |storage| Ok(record_call(storage, &said, &act)))
        .await?;
    match recorded {
        Ok(recorded) => Ok(recorded.call),
        Err(Error::InvalidInput(e)) => Err(Refused::Value(Refusal::core(field_of(&e.field), &e))),
        Err(e) => Err(Refused::Page(e.into())),
    }
}

/// The technician or crew chosen, one of those the page offered for this household.
async fn dispatch_of(
    ctx: &Ctx,
    form: &CallForm,
    chosen: Option<&Household>,
) -> Result<(Option<TechnicianId>, Option<CrewId>), Refused> {
    let value = form.dispatch.trim().to_owned();
    if value.is_empty() {
        return Ok((None, None));
    }
    let district = chosen.and_then(|h| h.district_id);
    let staff_scope = scope(ctx);
    let lang = ctx.lang;
    let choices = ctx
        .read(move |tx| dispatch_choices(tx, district, staff_scope.as_deref(), lang.words()))
        .await?;
    let refused = || Refused::Value(Refusal::words("dispatch", |w| w.calls.dispatch_refused));
    if !choices.iter().any(|(v, _)| *v == value) {
        return Err(refused());
    }
    match value.split_once(':') {
        Some(("t", id)) => Ok((Some(id.parse().map_err(|_| refused())?), None)),
        Some(("c", id)) => Ok((None, Some(id.parse().map_err(|_| refused())?))),
        _ => Err(refused()),
    }
}

/// A new complaint's number: TS-, the service center's day, and a part of a fresh id.
fn complaint_number(now: DateTime<Utc>) -> String {
    let day = now
        .with_timezone(&doorstep_core::calendar::service_timezone())
        .format("%Y%m%d");
    let id = ComplaintId::new().0.simple().to_string();
    format!("TS-{day}-{}", &id[24..]).to_uppercase()
}

// ---------------------------------------------------------------------------------------------
// What the call became

/// A call and what it opened, as its result page shows them.
struct Taken {
    call: Call,
    household: Option<Household>,
    order: Option<WorkOrder>,
    complaint: Option<String>,
}

async fn read_taken(ctx: &Ctx, id: &str) -> Result<Taken, ConsoleError> {
    let id = id.to_owned();
    let taken = ctx
        .read(move |tx| {
            let record = tx
                .record(Entity::Call, &id)?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("call"))?;
            let call: Call = decode(&record)?;
            let household = match call.household_id {
                Some(h) => household(tx, &h.to_string())?,
                None => None,
            };
            let (order, complaint) = match &call.outcome {
                CallOutcome::Order(o) => (
                    match tx.record(Entity::WorkOrder, &o.to_string())? {
                        Some(r) => Some(decode::<WorkOrder>(&r)?),
                        None => None,
                    },
                    None,
                ),
                CallOutcome::Complaint(c) => (
                    None,
                    Some(record_key(tx, Entity::Complaint, &c.to_string())?),
                ),
                CallOutcome::Answered(_) => (None, None),
            };
            Ok(Taken {
                call,
                household,
                order,
                complaint,
            })
        })
        .await?;
    // A dispatcher sees the calls of their districts' households, and those they took.
    let district = taken.household.as_ref().and_then(|h| h.district_id);
    if taken.call.taken_by != ctx.staff.login {
        ctx.may_see(district)?;
    }
    Ok(taken)
}

async fn result(ctx: Ctx, Path(id): Path<String>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let taken = read_taken(&ctx, &id).await?;
    Ok(draw_result(&ctx, &taken, None, ""))
}

fn draw_result(ctx: &Ctx, taken: &Taken, refused: Option<&Refusal>, told: &str) -> Markup {
    let w = ctx.words();
    let c = &w.calls;
    let lang = ctx.lang.core();
    let call = &taken.call;
    let content = html! {
        p.notice role="status" { ((c.result_recorded)((c.call_kind)(call.kind), &when(call.at))) }
        section.panel {
            dl.facts {
                dt { (c.summary) } dd { (call.summary) }
                @if let Some(h) = &taken.household {
                    dt { (c.col_household) } dd {
                        a href={ "/console/households/" (h.id) } { (h.customer_number) }
                    }
                }
            }
            @if let Some(order) = &taken.order {
                p {
                    ((c.result_order)(&order.number, order.kind.label().get(lang)))
                    @if let Some(class) = order.class { " " span.badge.red[class == doorstep_core::workorder::FaultClass::Major] { (class.label().get(lang)) } }
                    " "
                    @if order.assignee.is_some() || order.crew.is_some() { (c.result_dispatched) } @else { (c.result_left_new) }
                }
                p { a href={ "/console/board?order=" (order.number) } { (c.to_board) } }
            }
            @if let Some(number) = &taken.complaint {
                p { ((c.result_complaint)(number)) }
            }
            @if let CallOutcome::Answered(text) = &call.outcome {
                p { (c.result_answer) " " (text) }
            }
            @if let Some(h) = &taken.household {
                p { a href={ "/console/households/" (h.id) } { (c.to_household) } }
            }
        }
        @if let Some(order) = taken.order.as_ref().filter(|o| o.major_since().is_some()) {
            section.panel aria-labelledby="leadership-heading" {
                h2 #leadership-heading { (c.leadership_heading) }
                @if let Some(report) = &order.leadership_report {
                    p.notice { ((c.leadership_done)(&report.told, &when(report.at))) }
                } @else {
                    @if let Some(due) = deadlines(order).into_iter().find(|d| d.milestone == Milestone::LeadershipReport) {
                        p.alert role="alert" { ((c.leadership_due)(&when(due.due_at))) }
                    }
                    form method="post" action={ "/console/calls/" (call.id) "/leadership" } {
                        (csrf_field(&ctx.csrf))
                        label for="told" { (c.leadership_told) }
                        input #told type="text" name="told" value=(told) required
                            aria-describedby=[refused.map(|_| "told-error")];
                        @if let Some(r) = refused {
                            span.field-error #told-error { (r.said(ctx.lang)) }
                        }
                        p { button type="submit" { (c.leadership_record) } }
                    }
                }
            }
        }
        p { a.button href="/console/calls" { (c.take_another) } }
    };
    page(ctx, Nav::Calls, c.result_title, content)
}

#[derive(Debug, Default, Deserialize)]
struct LeadershipForm {
    #[serde(default)]
    told: String,
}

async fn leadership(
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<LeadershipForm>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let taken = read_taken(&ctx, &id).await?;
    let order = taken
        .order
        .as_ref()
        .ok_or(ConsoleError::NotFound("work order"))?;
    // The core's rule first, for the reason in the person's language.
    let mut check = order.clone();
    if let Err(e) = check.report_to_leadership(
        &form.told,
        ctx.now,
        doorstep_core::workorder::RecordedBy::Office {
            operator: ctx.staff.login.clone(),
        },
    ) {
        let refusal = Refusal::core("told", &e);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            draw_result(&ctx, &taken, Some(&refusal), &form.told),
        )
            .into_response());
    }
    let (number, told, act) = (order.number.clone(), form.told.clone(), ctx.act());
    ctx.with_storage(move |storage| {
        crate::admin::report_leadership(storage, &number, &told, None, &act).map_err(|text| {
            ConsoleError::Invalid {
                field: String::new(),
                zh: text.clone(),
                en: text,
            }
        })
    })
    .await?;
    Ok(Redirect::to(&format!("/console/calls/{id}")).into_response())
}
