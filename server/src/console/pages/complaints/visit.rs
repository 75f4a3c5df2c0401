//! One return visit (`/console/return-visits/{number}`): what it follows up, when it is due,
//! and the scores the user gave on the call (the core's score items, as `return-visit record`
//! takes them), recorded through [`record_visit_scores`]. The form sends the version of the
//! scores it was drawn from: scores a phone sealed meanwhile are never silently replaced.

use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::satisfaction::{Overall, SCORE_RANGE, ScoreSource};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::deadline::{Deadline, Milestone};
use maud::{Markup, html};

use super::super::outages::fields::{Fields, beijing_time};
use super::clock;
use crate::admin::{
    ReturnVisitRecord, ReturnVisitRow, record_visit_scores, return_visit_by_number,
};
use crate::console::layout::{Nav, Refused, csrf_field, page, when};
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;

/// The score items, by the form's field and the core's item.
const ITEMS: [(&str, &str); 4] = [
    ("timeliness", "score_timeliness"),
    ("attitude", "score_attitude"),
    ("quality", "score_quality"),
    ("safety_explanation", "score_safety_explanation"),
];

/// The visit, its scores' version (the change they were last written at; 0: none yet);
/// refused (403) to a dispatcher when its household is not in their districts.
async fn load(ctx: &Ctx, number: &str) -> Result<(ReturnVisitRow, i64), ConsoleError> {
    let number = number.to_owned();
    let row = ctx
        .with_storage(move |storage| Ok(return_visit_by_number(storage, &number)?))
        .await?;
    ctx.may_see(row.district)?;
    let id = row.visit.id.to_string();
    let version = ctx
        .read(move |tx| Ok(tx.record(Entity::Satisfaction, &id)?.map_or(0, |r| r.seq)))
        .await?;
    Ok((row, version))
}

#[derive(Default)]
struct Kept {
    refusal: Option<(&'static str, String)>,
    values: Fields,
}

pub(super) async fn show(
    ctx: Ctx,
    Path(number): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (row, version) = load(&ctx, &number).await?;
    let status = Fields(query)
        .ticked("done")
        .then_some(ctx.words().complaints.scores_recorded);
    Ok(render(&ctx, &row, version, status, &Kept::default()))
}

fn label_of(w: &crate::console::words::complaints::Complaints, field: &str) -> &'static str {
    match field {
        "timeliness" => w.field_timeliness,
        "attitude" => w.field_attitude,
        "quality" => w.field_quality,
        _ => w.field_safety_explanation,
    }
}

fn render(
    ctx: &Ctx,
    row: &ReturnVisitRow,
    version: i64,
    status: Option<&str>,
    kept: &Kept,
) -> Markup {
    let w = &ctx.words().complaints;
    let v = &row.visit;
    let now = ctx.now;
    let refused = Refused::of(&kept.refusal);
    // What the form shows: what was typed, else the scores recorded.
    let current = |field: &str| -> String {
        let typed = kept.values.get(field);
        if !typed.is_empty() || kept.refusal.is_some() {
            return typed.to_owned();
        }
        let Some(s) = &row.scores else {
            return String::new();
        };
        match field {
            "overall" => s.scores.overall.as_str().to_owned(),
            "timeliness" => s.scores.timeliness.to_string(),
            "attitude" => s.scores.attitude.to_string(),
            "quality" => s.scores.quality.to_string(),
            "safety_explanation" => s.scores.safety_explanation.to_string(),
            _ => String::new(),
        }
    };
    let deadline = row.due.map(|due| Deadline {
        milestone: Milestone::ReturnVisit,
        due_at: due,
        met_at: v.reached(doorstep_core::workorder::WorkOrderStatus::Resolved),
    });
    let content = html! {
        @if let Some(status) = status { p.notice role="status" { (status) } }
        @if let Some(reason) = refused.reason("") { p.alert role="alert" { (reason) } }
        div.grid {
            div.panel {
                dl.facts {
                    dt { (w.col_follows) } dd { (super::follows(ctx, row.follows.as_ref())) }
                    dt { (w.col_household) } dd { (row.household.as_deref().unwrap_or("-")) }
                    dt { (w.col_scheduled) } dd { (when(v.reported_at)) }
                    dt { (w.col_due) }
                    dd {
                        @if let Some(d) = &deadline { (clock::cell(ctx.lang, d, v.reported_at, now)) } @else { "-" }
                    }
                    dt { (w.col_status) }
                    dd { @if v.is_open() { (w.visit_status_open) } @else { (w.visit_status_done) } }
                    @if let Some(s) = &row.scores {
                        dt { (w.col_overall) }
                        dd {
                            ((w.overall)(s.scores.overall)) " · " (when(s.recorded_at))
                            @if let ScoreSource::Office(by) = &s.source { " · " ((w.scores_recorded_by)(by)) }
                        }
                    }
                }
            }
            form.panel method="post" action={ "/console/return-visits/" (v.number) } {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="version" value=(version);
                fieldset {
                    legend { (w.scores_legend) }
                    label for="overall" { (w.field_overall) }
                    select #overall name="overall" required aria-describedby=[refused.described("overall")] {
                        option value="" { "—" }
                        @for o in Overall::ALL {
                            option value=(o.as_str()) selected[current("overall") == o.as_str()] { ((w.overall)(o)) }
                        }
                    }
                    (refused.beside("overall"))
                    p.muted #score-hint { (w.score_hint) }
                    @for (field, _) in ITEMS {
                        label for=(field) { (label_of(w, field)) }
                        select id=(field) name=(field) required
                            aria-describedby={ "score-hint" @if let Some(e) = refused.described(field) { " " (e) } } {
                            option value="" { "—" }
                            @for score in SCORE_RANGE.rev() {
                                option value=(score) selected[current(field) == score.to_string()] { (score) }
                            }
                        }
                        (refused.beside(field))
                    }
                    label for="at" { ((ctx.words().outages.in_beijing_time_or_now)(w.field_called_at)) }
                    input #at type="datetime-local" name="at" value=(kept.values.get("at"))
                        aria-describedby=[refused.described("at")];
                    (refused.beside("at"))
                    p { button type="submit" { (w.scores_submit) } }
                }
            }
        }
    };
    page(ctx, Nav::Complaints, &(w.visit_title)(&v.number), content)
}

pub(super) async fn record(
    ctx: Ctx,
    Path(number): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (row, version) = load(&ctx, &number).await?;
    let w = &ctx.words().complaints;
    let mut kept = Kept {
        refusal: None,
        values: Fields(fields),
    };
    let f = &kept.values;
    if f.get("version") != version.to_string() {
        return Err(ConsoleError::Stale);
    }
    let overall = Overall::ALL
        .into_iter()
        .find(|o| o.as_str() == f.get("overall"));
    let score = |field: &str| f.get(field).parse::<u8>().ok();
    let at = match f.get("at") {
        "" => Ok(None),
        typed => beijing_time(typed).map(Some).ok_or(()),
    };
    let refusal = if overall.is_none() {
        Some(("overall", w.error_choose.to_owned()))
    } else if let Some((field, _)) = ITEMS.iter().find(|(field, _)| score(field).is_none()) {
        Some((*field, w.error_choose.to_owned()))
    } else if at.is_err() {
        Some(("at", w.error_time.to_owned()))
    } else {
        None
    };
    let (Some(overall), Ok(at), None) = (overall, at, refusal.clone()) else {
        kept.refusal = refusal;
        return refused(&ctx, &row, version, &kept);
    };
    let args = ReturnVisitRecord {
        number: row.visit.number.clone(),
        overall,
        timeliness: score("timeliness").unwrap_or_default(),
        attitude: score("attitude").unwrap_or_default(),
        quality: score("quality").unwrap_or_default(),
        safety_explanation: score("safety_explanation").unwrap_or_default(),
        at,
    };
    let act = ctx.act();
    let recorded = ctx
        .with_storage(move |storage| Ok(record_visit_scores(storage, &args, &act)))
        .await?;
    match recorded {
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/return-visits/{}?done=1",
            row.visit.number
        ))
        .into_response()),
        Err(Error::InvalidInput(e)) => {
            let field = ITEMS
                .iter()
                .find(|(_, item)| *item == e.field)
                .map_or(if e.field == "at" { "at" } else { "" }, |(field, _)| field);
            let reason = match ctx.lang {
                Lang::Zh => e.reason_zh.clone(),
                Lang::En => e.reason.clone(),
            };
            kept.refusal = Some((field, reason));
            refused(&ctx, &row, version, &kept)
        }
        Err(e) => Err(e.into()),
    }
}

fn refused(
    ctx: &Ctx,
    row: &ReturnVisitRow,
    version: i64,
    kept: &Kept,
) -> Result<Response, ConsoleError> {
    let markup = render(ctx, row, version, None, kept);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
}
