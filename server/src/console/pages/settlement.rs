//! The settlement page (日清日结, Art.14; Supervisor and above): each technician's days of
//! collected fees from the receipts ledger, settled (balanced or with its discrepancy, as
//! `settle list`) or not yet; a day settled from the page with the amounts handed over, in
//! yuan ([`parse_yuan`]), through the office function `admin settle` runs
//! ([`settle_technician_day`]), and the result shown as it prints it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate};
use doorstep_core::calendar::service_timezone;
use doorstep_core::fees::{PaymentMethod, Settlement, day_bounds, parse_yuan, yuan};
use doorstep_core::ids::TechnicianId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::Technician;
use maud::{Markup, html};
use serde::Deserialize;

use crate::admin::{settle_technician_day, settlements};
use crate::api::AppState;
use crate::console::layout::{Nav, csrf_field, page, when};
use crate::console::words::settlement::Settlement as Words;
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;
use crate::records::decode;
use crate::storage::{ReceiptRow, Tx};

/// How many days back the list looks.
const DAYS: i64 = 31;
/// The most rows the list shows (the latest).
const SHOWN: usize = 300;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/settlement", get(show))
        .route("/console/settlement/settle", get(settle_form).post(settle))
        .route("/console/settlement/{id}", get(result))
}

fn method_label(w: &Words, method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Cash => w.method_cash,
        PaymentMethod::WechatPay => w.method_wechat,
        PaymentMethod::Alipay => w.method_alipay,
        PaymentMethod::BankCard => w.method_bank_card,
    }
}

/// A technician's name and badge, as the list shows them.
fn technician_name(
    w: &Words,
    technicians: &HashMap<TechnicianId, Technician>,
    id: TechnicianId,
) -> String {
    technicians.get(&id).map_or_else(
        || w.unknown_technician.to_owned(),
        |t| format!("{} ({})", t.name, t.badge),
    )
}

fn all_technicians(tx: &mut dyn Tx) -> crate::error::Result<HashMap<TechnicianId, Technician>> {
    let mut found = HashMap::new();
    let mut after = String::new();
    loop {
        let page = tx.records(Entity::Technician, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            let t: Technician = decode(record)?;
            found.insert(t.id, t);
        }
    }
    Ok(found)
}

/// One technician's day: what the receipts say, and its settlement if any.
struct Day {
    day: NaiveDate,
    technician: TechnicianId,
    receipts: usize,
    collected_fen: i64,
    settlement: Option<Settlement>,
}

fn service_day(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    at.with_timezone(&service_timezone()).date_naive()
}

async fn show(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let today = service_day(ctx.now);
    let from = day_bounds(today - Duration::days(DAYS - 1)).0;
    let to = day_bounds(today).1;
    let (technicians, mut days) = ctx
        .read(move |tx| {
            let technicians = all_technicians(tx)?;
            let mut days: BTreeMap<(NaiveDate, TechnicianId), Day> = BTreeMap::new();
            for id in technicians.keys() {
                for r in tx.receipts_between(&id.to_string(), from, to)? {
                    let day = days.entry((service_day(r.sealed_at), *id)).or_insert(Day {
                        day: service_day(r.sealed_at),
                        technician: *id,
                        receipts: 0,
                        collected_fen: 0,
                        settlement: None,
                    });
                    day.receipts += 1;
                    day.collected_fen = day.collected_fen.saturating_add(r.total_fen);
                }
            }
            for s in settlements(tx, None)? {
                if s.day < service_day(from) || s.day > today {
                    continue;
                }
                let day = days.entry((s.day, s.technician_id)).or_insert(Day {
                    day: s.day,
                    technician: s.technician_id,
                    receipts: 0,
                    collected_fen: 0,
                    settlement: None,
                });
                day.settlement = Some(s);
            }
            Ok((technicians, days.into_values().collect::<Vec<_>>()))
        })
        .await?;
    // The latest first.
    days.reverse();
    let total = days.len();
    days.truncate(SHOWN);
    let w = &ctx.words().settlement;
    let content = html! {
        p.muted { ((w.intro)(DAYS)) }
        p.muted { ((w.shown)(total, days.len())) }
        @if !days.is_empty() {
            table {
                thead { tr {
                    th scope="col" { (w.col_day) }
                    th scope="col" { (w.col_technician) }
                    th scope="col" { (w.col_receipts) }
                    th scope="col" { (w.col_collected) }
                    th scope="col" { (w.col_status) }
                } }
                tbody {
                    @for d in &days {
                        tr.breach[d.settlement.as_ref().is_some_and(|s| !s.balances())] {
                            td { (d.day) }
                            td { (technician_name(w, &technicians, d.technician)) }
                            td { (d.receipts) }
                            td { ((w.yuan)(&yuan(d.collected_fen))) }
                            td {
                                @match &d.settlement {
                                    Some(s) => {
                                        (status_badge(w, s)) " "
                                        a href=(format!("/console/settlement/{}", s.id)) { (w.see) }
                                    }
                                    None => {
                                        span.badge.amber { (w.not_settled) } " "
                                        a href=(format!("/console/settlement/settle?technician={}&day={}", d.technician, d.day)) {
                                            (w.settle)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, Nav::Settlement, w.title, content))
}

fn difference(s: &Settlement) -> i64 {
    s.discrepancies.iter().map(|d| d.difference_fen).sum()
}

fn status_badge(w: &Words, s: &Settlement) -> Markup {
    html! {
        @if s.balances() {
            span.badge.green { (w.balanced) }
        } @else {
            span.badge.red { ((w.discrepancy)(&yuan(difference(s)))) }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Which {
    technician: TechnicianId,
    day: NaiveDate,
}

/// What the settle form shows: the technician, the day's receipts, a settlement made already.
struct Settling {
    name: String,
    receipts: Vec<ReceiptRow>,
    settled: Option<Settlement>,
}

async fn settling(ctx: &Ctx, which: &Which) -> Result<Settling, ConsoleError> {
    let (technician, day) = (which.technician, which.day);
    let w = &ctx.words().settlement;
    let unknown = w.unknown_technician;
    ctx.read(move |tx| {
        let record = tx
            .record(Entity::Technician, &technician.to_string())?
            .ok_or(Error::NotFound("technician"))?;
        let t: Technician = decode(&record)?;
        let (from, to) = day_bounds(day);
        let receipts = tx.receipts_between(&t.id.to_string(), from, to)?;
        let settled = settlements(tx, Some(technician))?
            .into_iter()
            .find(|s| s.day == day);
        let name = if t.name.is_empty() {
            unknown.to_owned()
        } else {
            format!("{} ({})", t.name, t.badge)
        };
        Ok(Settling {
            name,
            receipts,
            settled,
        })
    })
    .await
}

async fn settle_form(ctx: Ctx, Query(which): Query<Which>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let settling = settling(&ctx, &which).await?;
    if let Some(s) = &settling.settled {
        return Ok(Redirect::to(&format!("/console/settlement/{}", s.id)).into_response());
    }
    let typed = PaymentMethod::ALL.map(|_| "0.00".to_owned());
    Ok(settle_page(&ctx, &which, &settling, &typed, &[], None).into_response())
}

fn field_name(method: PaymentMethod) -> &'static str {
    method.as_str()
}

fn settle_page(
    ctx: &Ctx,
    which: &Which,
    settling: &Settling,
    typed: &[String; 4],
    errors: &[(PaymentMethod, String)],
    alert: Option<&str>,
) -> Markup {
    let w = &ctx.words().settlement;
    let mut by_method: BTreeMap<PaymentMethod, i64> = BTreeMap::new();
    for r in &settling.receipts {
        if let Ok(m) = PaymentMethod::parse("method", &r.method) {
            *by_method.entry(m).or_insert(0) += r.total_fen;
        }
    }
    let total: i64 = by_method.values().sum();
    let title = (w.settle_title)(&settling.name, &which.day.to_string());
    let content = html! {
        @if let Some(text) = alert { p.alert role="alert" { (text) } }
        div.grid {
            section.panel aria-labelledby="collected" {
                h2 #collected { (w.collected_heading) }
                table {
                    thead { tr { th scope="col" { (w.col_method) } th scope="col" { (w.col_collected) } } }
                    tbody {
                        @for m in PaymentMethod::ALL {
                            tr { td { (method_label(w, m)) } td { ((w.yuan)(&yuan(by_method.get(&m).copied().unwrap_or(0)))) } }
                        }
                        tr { th scope="row" { (w.total) } td { ((w.yuan)(&yuan(total))) } }
                    }
                }
                p {
                    (w.receipts) ": "
                    @if settling.receipts.is_empty() { span.muted { (w.no_receipts) } }
                    @else {
                        @for (i, r) in settling.receipts.iter().enumerate() {
                            @if i > 0 { ", " } (r.receipt)
                        }
                    }
                }
            }
            form.panel method="post" action="/console/settlement/settle" {
                h2 { (w.declared_heading) }
                p.muted { (w.declared_hint) }
                (csrf_field(&ctx.csrf))
                input type="hidden" name="technician" value=(which.technician);
                input type="hidden" name="day" value=(which.day);
                @for (i, m) in PaymentMethod::ALL.into_iter().enumerate() {
                    @let name = field_name(m);
                    @let error = errors.iter().find(|(e, _)| *e == m).map(|(_, t)| t.as_str());
                    @let error_id = format!("{name}-error");
                    label for=(name) { ((w.declared_field)(method_label(w, m))) }
                    input type="text" id=(name) name=(name) value=(typed[i]) inputmode="decimal"
                        maxlength="16"
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[error.map(|_| error_id.as_str())];
                    @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
                }
                p { button type="submit" { (w.settle_button) } }
            }
        }
        p { a href="/console/settlement" { (w.back_to_list) } }
    };
    page(ctx, Nav::Settlement, &title, content)
}

async fn settle(
    ctx: Ctx,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let get = |name: &str| {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let which = Which {
        technician: get("technician")
            .parse()
            .map_err(|_| ConsoleError::NotFound("technician"))?,
        day: get("day")
            .parse()
            .map_err(|_| ConsoleError::NotFound("day"))?,
    };
    let typed = PaymentMethod::ALL.map(|m| get(field_name(m)));
    let reason = |e: &doorstep_core::InvalidInput| match ctx.lang {
        Lang::Zh => e.reason_zh.to_string(),
        Lang::En => e.reason.to_string(),
    };
    let mut declared = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, m) in PaymentMethod::ALL.into_iter().enumerate() {
        let text = if typed[i].trim().is_empty() {
            "0"
        } else {
            typed[i].as_str()
        };
        match parse_yuan(text) {
            Ok(fen) => {
                declared.insert(m, fen);
            }
            // The core's reason speaks of a unit price: this is an amount handed over.
            Err(_) => errors.push((m, ctx.words().settlement.amount_invalid.to_owned())),
        }
    }
    let w = &ctx.words().settlement;
    if !errors.is_empty() {
        let settling = settling(&ctx, &which).await?;
        let page = settle_page(&ctx, &which, &settling, &typed, &errors, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let act = ctx.act();
    let (technician, day) = (which.technician, which.day);
    let outcome = ctx
        .with_storage(move |storage| {
            match settle_technician_day(storage, technician, day, &declared, &act) {
                Ok(s) => Ok(Ok(s)),
                Err(Error::InvalidInput(e)) => Ok(Err(Some(e))),
                Err(Error::Conflict(_)) => Ok(Err(None)),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    match outcome {
        Ok(s) => Ok(Redirect::to(&format!("/console/settlement/{}", s.id)).into_response()),
        Err(refused) => {
            let settling = settling(&ctx, &which).await?;
            let (status, alert, errors) = match &refused {
                // Settled already (by someone else meanwhile).
                None => (
                    StatusCode::CONFLICT,
                    Some(w.settled_already.to_owned()),
                    Vec::new(),
                ),
                Some(e) => match PaymentMethod::ALL
                    .into_iter()
                    .find(|m| e.field == format!("settlement.declared.{}", m.as_str()))
                {
                    Some(m) => (StatusCode::UNPROCESSABLE_ENTITY, None, vec![(m, reason(e))]),
                    // The day is not over yet: the core's reason.
                    None => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(reason(e)),
                        Vec::new(),
                    ),
                },
            };
            let page = settle_page(&ctx, &which, &settling, &typed, &errors, alert.as_deref());
            Ok((status, page).into_response())
        }
    }
}

async fn result(ctx: Ctx, Path(id): Path<String>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let unknown = ctx.words().settlement.unknown_technician;
    let (s, name) = ctx
        .read(move |tx| {
            let record = tx
                .record(Entity::Settlement, &id)?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("settlement"))?;
            let s: Settlement = decode(&record)?;
            let name = match tx.record(Entity::Technician, &s.technician_id.to_string())? {
                Some(r) => {
                    let t: Technician = decode(&r)?;
                    format!("{} ({})", t.name, t.badge)
                }
                None => unknown.to_owned(),
            };
            Ok((s, name))
        })
        .await?;
    let w = &ctx.words().settlement;
    let title = (w.result_title)(&name, &s.day.to_string());
    let content = html! {
        p { (status_badge(w, &s)) }
        p.muted { ((w.settled_by)(&s.settled_by, &when(s.settled_at))) }
        table {
            thead { tr {
                th scope="col" { (w.col_method) }
                th scope="col" { (w.col_collected) }
                th scope="col" { (w.col_declared) }
                th scope="col" { (w.col_difference) }
            } }
            tbody {
                @for m in PaymentMethod::ALL {
                    @let collected = s.collected.by_method.get(&m).copied().unwrap_or(0);
                    @let declared = s.declared.get(&m).copied().unwrap_or(0);
                    tr.breach[collected != declared] {
                        td { (method_label(w, m)) }
                        td { ((w.yuan)(&yuan(collected))) }
                        td { ((w.yuan)(&yuan(declared))) }
                        td { ((w.yuan)(&yuan(declared - collected))) }
                    }
                }
                tr {
                    th scope="row" { (w.total) }
                    td { ((w.yuan)(&yuan(s.collected.total_fen))) }
                    td { ((w.yuan)(&yuan(s.declared.values().sum()))) }
                    td { ((w.yuan)(&yuan(difference(&s)))) }
                }
            }
        }
        p {
            (w.receipts) ": "
            @if s.collected.receipts.is_empty() { span.muted { (w.no_receipts) } }
            @else { (s.collected.receipts.join(", ")) }
        }
        p { a href="/console/settlement" { (w.back_to_list) } }
    };
    Ok(page(&ctx, Nav::Settlement, &title, content))
}
