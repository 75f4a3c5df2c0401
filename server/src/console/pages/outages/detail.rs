//! One outage (`/console/outages/{id}`): what it is, the households it affects with how and
//! when each was told (PENDING, LATE), notifications recorded for one household or several
//! ticked at once ([`record_notifications`]), and who is still not told as the deadline
//! nears, exportable as CSV (audited `export`).

use axum::Form;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use doorstep_core::app::clock::{Level, level};
use doorstep_core::app::format;
use doorstep_core::app::screens::outage::{how_words, reason_words};
use doorstep_core::household::Household;
use doorstep_core::ids::OutageId;
use doorstep_core::outage::{NoticeState, NotifiedHow, OutageArea, OutageNotice};
use maud::{Markup, html};

use super::fields::{Fields, beijing_time, csv_value};
use super::map;
use crate::admin::{outage_households, record_notifications};
use crate::console::layout::{Nav, Refused, csrf_field, page, when};
use crate::console::{ConsoleError, Ctx, Lang, Role};

/// What a refused notification keeps: the reason beside its field, the ticks and choices.
#[derive(Default)]
struct Kept {
    refusal: Option<(&'static str, String)>,
    ticked: Vec<String>,
    how: String,
    at: String,
}

fn outage_id(text: &str) -> Result<OutageId, ConsoleError> {
    text.parse()
        .map_err(|_| ConsoleError::NotFound("outage notice"))
}

/// The notice and the households of it this person sees, each with where it stands now;
/// refused (403) for a dispatcher when the outage does not touch their districts.
async fn load(
    ctx: &Ctx,
    id: OutageId,
) -> Result<(OutageNotice, Vec<(Household, NoticeState)>), ConsoleError> {
    let now = ctx.now;
    let (notice, mut households) = ctx
        .with_storage(move |storage| Ok(outage_households(storage, id, now)?))
        .await?;
    let all = super::districts(ctx).await?;
    if !super::touches(&ctx.staff, &notice.area, &all) {
        return Err(ConsoleError::Forbidden);
    }
    households.retain(|(h, _)| ctx.staff.covers(h.district_id));
    Ok((notice, households))
}

pub(super) async fn show(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let id = outage_id(&id)?;
    let query = Fields(query);
    let w = &ctx.words().outages;
    let status = if query.ticked("posted") {
        Some(w.posted.to_owned())
    } else {
        query
            .get("told")
            .parse::<usize>()
            .ok()
            .map(|n| (w.notified)(n))
    };
    render(&ctx, id, status, &Kept::default()).await
}

async fn render(
    ctx: &Ctx,
    id: OutageId,
    status: Option<String>,
    kept: &Kept,
) -> Result<Markup, ConsoleError> {
    let (notice, households) = load(ctx, id).await?;
    let all = super::districts(ctx).await?;
    let author = ctx
        .read(crate::console::account::names_by_login)
        .await?
        .remove(&notice.created_by)
        .unwrap_or_else(|| notice.created_by.clone());
    let w = &ctx.words().outages;
    let lang = ctx.lang.core();
    let now = ctx.now;
    let deadline = notice.notice_deadline();
    let not_told: Vec<&(Household, NoticeState)> = households
        .iter()
        .filter(|(_, s)| !matches!(s, NoticeState::Notified { .. }))
        .collect();
    let area_text = match &notice.area {
        OutageArea::Districts(_) => super::reached(&notice.area, &all)
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        OutageArea::Polygon(area) => (w.facts_area_drawn)(area.ring().len()),
    };
    let drawn = match &notice.area {
        OutageArea::Polygon(area) => area.ring().to_vec(),
        OutageArea::Districts(_) => Vec::new(),
    };
    let reached: Vec<_> = super::reached(&notice.area, &all)
        .into_iter()
        .cloned()
        .collect();
    let dots: Vec<_> = households.iter().filter_map(|(h, _)| h.location).collect();
    let refused = Refused::of(&kept.refusal);
    let action = format!("/console/outages/{id}/notify");
    let content = html! {
        @if let Some(status) = &status { p.notice role="status" { (status) } }
        @if let Some(reason) = refused.reason("") { p.alert role="alert" { (reason) } }
        div.grid {
            div.panel {
                dl.facts {
                    dt { (w.col_title) } dd { (notice.title) }
                    dt { (w.col_reason) } dd { (reason_words(notice.reason).get(lang)) }
                    dt { (w.facts_period) } dd { (when(notice.starts_at)) " – " (when(notice.ends_at)) }
                    dt { (w.facts_area) } dd { (area_text) }
                    dt { (w.facts_deadline) }
                    dd {
                        (when(deadline)) " · " (format::remaining(deadline - now, lang))
                        " · " ((w.facts_lead)(notice.lead().num_hours()))
                    }
                    @if let Some(reason) = &notice.emergency {
                        dt { (w.col_emergency) } dd { span.badge.red { (w.emergency) } " " (reason) }
                    }
                    dt { (w.facts_created) } dd { (when(notice.created_at)) " · " (author) }
                }
            }
            (map::drawing(&reached, &dots, &drawn, w.map_label))
        }
        section aria-labelledby="not-told" {
            h2 #not-told { (w.not_told_title) }
            @if not_told.is_empty() {
                p.muted { (w.not_told_none) }
            } @else {
                p { ((w.not_told_summary)(not_told.len())) " "
                    a href={ "/console/outages/" (id) "/not-told.csv" } { (w.export_csv) } }
                table {
                    thead { tr {
                        th scope="col" { (w.col_customer) }
                        th scope="col" { (w.col_name) }
                        th scope="col" { (w.col_address) }
                        th scope="col" { (w.col_time_left) }
                    } }
                    tbody {
                        @for (h, _) in &not_told {
                            @let level = level(notice.created_at, deadline, now);
                            tr class=[row_class(level)] {
                                td { (h.customer_number) }
                                td { (h.name) }
                                td { (h.address.one_line()) }
                                td { span class={ "badge " (badge(level)) } { (format::remaining(deadline - now, lang)) } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="households" {
            h2 #households { (w.households_title) " (" (households.len()) ")" }
            @if !ctx.staff.whole_city() { p.muted { (w.own_districts_only) } }
            form method="post" action=(action) {
                (csrf_field(&ctx.csrf))
                fieldset.panel.filters {
                    legend { (w.notify_legend) }
                    div {
                        label for="how" { (w.field_how) }
                        select #how name="how" {
                            @for how in NotifiedHow::ALL {
                                option value=(how.as_str()) selected[kept.how == how.as_str()] {
                                    (how_words(how).get(lang))
                                }
                            }
                        }
                    }
                    div {
                        label for="at" { ((w.in_beijing_time_or_now)(w.field_at)) }
                        input #at type="datetime-local" name="at" value=(kept.at)
                            aria-describedby=[refused.reason("at").map(|_| "at-error")];
                        @if let Some(reason) = refused.reason("at") { p.field-error #at-error role="alert" { (reason) } }
                    }
                    div { button type="submit" { (w.notify_submit) } }
                    @if let Some(reason) = refused.reason("households") {
                        p.field-error role="alert" { (reason) }
                    }
                }
                table {
                    thead { tr {
                        th scope="col" { (w.col_select) }
                        th scope="col" { (w.col_customer) }
                        th scope="col" { (w.col_name) }
                        th scope="col" { (w.col_address) }
                        th scope="col" { (w.col_state) }
                        th scope="col" { span.muted { (w.notify_one) } }
                    } }
                    tbody {
                        @for (h, state) in &households {
                            @let number = &h.customer_number;
                            @let told = matches!(state, NoticeState::Notified { .. });
                            tr class=[matches!(state, NoticeState::Overdue).then_some("breach")] {
                                td {
                                    input type="checkbox" name="households" value=(number)
                                        id={ "h-" (number) } aria-label=((w.select_household)(number))
                                        checked[kept.ticked.contains(number)];
                                }
                                td { label for={ "h-" (number) } style="display:inline;font-weight:normal" { (number) } }
                                td { (h.name) }
                                td { (h.address.one_line()) }
                                td { (state_text(ctx.lang, state, now)) }
                                td {
                                    @if !told {
                                        button.secondary type="submit" name="one" value=(number) { (w.notify_one) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(ctx, Nav::Outages, &notice.title, content))
}

/// Where a household stands, in words: how and when it was told (late?), PENDING or LATE.
fn state_text(lang: Lang, state: &NoticeState, _now: DateTime<Utc>) -> Markup {
    let w = &lang.words().outages;
    html! {
        @match state {
            NoticeState::Notified { first, late } => {
                span.badge.green { (how_words(first.how).get(lang.core())) }
                " " (when(first.at))
                @if *late { " " span.badge.amber { (w.told_late) } }
            }
            NoticeState::Pending => span.badge.amber { (w.state_pending) },
            NoticeState::Overdue => span.badge.red { (w.state_late) },
        }
    }
}

fn row_class(level: Level) -> Option<&'static str> {
    match level {
        Level::Late => Some("breach"),
        Level::Urgent | Level::DueSoon => Some("warn"),
        Level::OnTime => None,
    }
}

fn badge(level: Level) -> &'static str {
    match level {
        Level::Late | Level::Urgent => "red",
        Level::DueSoon => "amber",
        Level::OnTime => "green",
    }
}

pub(super) async fn notify(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let id = outage_id(&id)?;
    let f = Fields(fields);
    let w = &ctx.words().outages;
    let numbers = match f.get("one") {
        "" => f.all("households"),
        one => vec![one.to_owned()],
    };
    let mut kept = Kept {
        refusal: None,
        ticked: numbers.clone(),
        how: f.get("how").to_owned(),
        at: f.get("at").to_owned(),
    };
    let how = NotifiedHow::ALL
        .into_iter()
        .find(|h| h.as_str() == kept.how);
    let at = match kept.at.as_str() {
        "" => Ok(None),
        typed => beijing_time(typed)
            .map(Some)
            .ok_or(("at", w.error_time.to_owned())),
    };
    let refusal = match (how, at.clone(), numbers.is_empty()) {
        (_, _, true) => Some(("households", w.error_none_selected.to_owned())),
        (None, _, _) => Some(("", w.error_reason.to_owned())),
        (_, Err(refusal), _) => Some(refusal),
        _ => None,
    };
    if let Some(refusal) = refusal {
        kept.refusal = Some(refusal);
        return refused(&ctx, id, &kept).await;
    }
    let (Some(how), Ok(at)) = (how, at) else {
        return Err(ConsoleError::Internal("checked above".into()));
    };
    // Only households of the outage this person sees.
    let (_, seen) = load(&ctx, id).await?;
    if numbers
        .iter()
        .any(|n| !seen.iter().any(|(h, _)| &h.customer_number == n))
    {
        return Err(ConsoleError::Forbidden);
    }
    let act = ctx.act();
    let told = ctx
        .with_storage(move |storage| Ok(record_notifications(storage, id, &numbers, how, at, &act)))
        .await?;
    match told {
        Ok(n) => Ok(Redirect::to(&format!("/console/outages/{id}?told={n}")).into_response()),
        Err(crate::error::Error::InvalidInput(e)) => {
            let field = if e.field == "at" { "at" } else { "households" };
            let reason = match ctx.lang {
                Lang::Zh => e.reason_zh,
                Lang::En => e.reason,
            };
            kept.refusal = Some((field, reason));
            refused(&ctx, id, &kept).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refused(ctx: &Ctx, id: OutageId, kept: &Kept) -> Result<Response, ConsoleError> {
    let markup = render(ctx, id, None, kept).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
}

/// The households not told yet (pending or late) as CSV, in the person's language; audited as
/// an export of the outage's list.
pub(super) async fn export(ctx: Ctx, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let id = outage_id(&id)?;
    let (_, households) = load(&ctx, id).await?;
    let row = ctx.audit_row("export", "outage", &id.to_string());
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let w = &ctx.words().outages;
    let line = |values: &[&str]| {
        values
            .iter()
            .map(|v| csv_value(v))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    // A byte-order mark first: spreadsheets then read the Chinese as UTF-8.
    let mut csv = String::from("\u{feff}");
    csv.push_str(&line(&w.csv_header));
    for (h, state) in &households {
        let state = match state {
            NoticeState::Notified { .. } => continue,
            NoticeState::Pending => w.state_pending,
            NoticeState::Overdue => w.state_late,
        };
        let phones = h
            .phones
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        csv.push_str(&line(&[
            &h.customer_number,
            &h.name,
            &h.address.one_line(),
            &phones,
            state,
        ]));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"not-told-{id}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}
