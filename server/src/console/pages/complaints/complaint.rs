//! One complaint (`/console/complaints/{number}`): who complained and of what (read audited as
//! `complaint_viewed`: the complainant is personal data), its clocks, its steps so far, and the
//! next step's form: start the investigation, the first answer, or closing with the user's
//! acceptance (a supervisor's). Each step goes through [`take_complaint_step`], with the
//! version the page was drawn from: a step taken meanwhile elsewhere is never overwritten.

use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::complaint::{Acceptance, Complaint, ComplaintStatus};
use doorstep_core::household::Household;
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::WorkOrder;
use maud::{Markup, html};

use super::super::outages::fields::Fields;
use super::clock;
use crate::admin::{
    ComplaintStep, Followed, complaint_by_number, return_visit_rows, take_complaint_step,
};
use crate::console::layout::{Nav, Refused, csrf_field, page, when};
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;
use crate::records::decode;

/// A complaint as its page reads it.
struct Loaded {
    complaint: Complaint,
    /// The server change it was last written at: the version its forms send.
    seq: i64,
    household: Option<String>,
    district: Option<DistrictId>,
    order: Option<String>,
}

/// The complaint numbered `number`, refused (403) to a dispatcher when its household is not
/// in their districts.
async fn load(ctx: &Ctx, number: &str) -> Result<Loaded, ConsoleError> {
    let number = number.to_owned();
    let loaded = ctx
        .read(move |tx| {
            let (complaint, id) = complaint_by_number(tx, &number)?;
            let seq = tx.record(Entity::Complaint, &id)?.map_or(0, |r| r.seq);
            let (household, district) = match complaint.household_id {
                Some(h) => match tx.record(Entity::Household, &h.to_string())? {
                    Some(r) if !r.deleted => {
                        let h: Household = decode(&r)?;
                        (Some(h.customer_number), h.district_id)
                    }
                    _ => (None, None),
                },
                None => (None, None),
            };
            let order = match complaint.against_order {
                Some(o) => tx
                    .record(Entity::WorkOrder, &o.to_string())?
                    .map(|r| decode::<WorkOrder>(&r).map(|o| o.number))
                    .transpose()?,
                None => None,
            };
            Ok(Loaded {
                complaint,
                seq,
                household,
                district,
                order,
            })
        })
        .await?;
    ctx.may_see(loaded.district)?;
    Ok(loaded)
}

/// What a refused step keeps: the reason beside its field, and the texts typed.
#[derive(Default)]
struct Kept {
    refusal: Option<(&'static str, String)>,
    said: String,
    answer: String,
    acceptance: String,
}

pub(super) async fn show(
    ctx: Ctx,
    Path(number): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let loaded = load(&ctx, &number).await?;
    let row = ctx.audit_row(
        "complaint_viewed",
        "complaint",
        &loaded.complaint.id.to_string(),
    );
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let status = Fields(query)
        .ticked("done")
        .then_some(ctx.words().complaints.done);
    render(&ctx, loaded, status, &Kept::default()).await
}

async fn render(
    ctx: &Ctx,
    loaded: Loaded,
    status: Option<&str>,
    kept: &Kept,
) -> Result<Markup, ConsoleError> {
    let w = &ctx.words().complaints;
    let lang = ctx.lang.core();
    let now = ctx.now;
    let c = &loaded.complaint;
    let number = c.number.clone();
    let visits = ctx
        .with_storage(|storage| Ok(return_visit_rows(storage, true)?))
        .await?;
    let visit = visits
        .iter()
        .find(|v| v.follows == Some(Followed::Complaint(number.clone())));
    let refused = Refused::of(&kept.refusal);
    let action = format!("/console/complaints/{}/step", c.number);
    let version = loaded.seq.to_string();
    let content = html! {
        @if let Some(status) = status { p.notice role="status" { (status) } }
        @if let Some(reason) = refused.reason("") { p.alert role="alert" { (reason) } }
        div.grid {
            div.panel {
                dl.facts {
                    dt { (w.col_status) } dd { ((w.status)(c.status())) }
                    dt { (w.col_channel) } dd { ((w.channel)(c.channel)) }
                    dt { (w.col_received) } dd { (when(c.received_at)) }
                    dt { (w.complainant) }
                    dd {
                        (c.complainant.name)
                        @if let Some(phone) = &c.complainant.phone { " · " (phone) }
                    }
                    dt { (w.summary) } dd { (c.summary) }
                    dt { (w.col_household) } dd { (loaded.household.as_deref().unwrap_or("-")) }
                    dt { (w.col_order) } dd { (loaded.order.as_deref().unwrap_or("-")) }
                    @if let Some(v) = visit {
                        dt { (w.visits_title) }
                        dd { a href={ "/console/return-visits/" (v.visit.number) } { (v.visit.number) } }
                    }
                }
            }
            div.panel {
                h2 { (w.clocks) }
                dl.facts {
                    @for d in c.deadlines() {
                        dt { (doorstep_core::app::screens::order::milestone_label(d.milestone).get(lang)) }
                        dd { (clock::cell(ctx.lang, &d, c.received_at, now)) }
                    }
                }
                h2 { (w.steps) }
                dl.facts {
                    dt { (w.step_received) } dd { (when(c.received_at)) }
                    @if let Some(s) = &c.investigation {
                        dt { (w.step_investigation) } dd { (when(s.at)) " · " (w.by) " " (s.by) }
                    }
                    @if let Some(a) = &c.answer {
                        dt { (w.step_answer) } dd { (when(a.at)) " · " (w.by) " " (a.by) br; (a.said) }
                    }
                    @if let Some(closure) = &c.closure {
                        dt { (w.step_closure) }
                        dd {
                            (when(closure.at)) " · " (w.by) " " (closure.by) " · "
                            ((w.acceptance)(closure.acceptance)) br; (closure.answer)
                        }
                    }
                }
            }
        }
        @match c.status() {
            ComplaintStatus::Received => {
                form.panel method="post" action=(action) {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="version" value=(version);
                    input type="hidden" name="step" value="investigate";
                    button type="submit" { (w.investigate) }
                }
            }
            ComplaintStatus::Investigating => {
                form.panel method="post" action=(action) {
                    (csrf_field(&ctx.csrf))
                    input type="hidden" name="version" value=(version);
                    input type="hidden" name="step" value="answer";
                    fieldset {
                        legend { (w.answer_legend) }
                        label for="said" { (w.field_said) }
                        textarea #said name="said" required aria-describedby=[refused.described("said")] { (kept.said) }
                        (refused.beside("said"))
                        p { button type="submit" { (w.answer_submit) } }
                    }
                }
            }
            ComplaintStatus::Answered => {
                @if ctx.staff.role >= Role::Supervisor {
                    form.panel method="post" action=(action) {
                        (csrf_field(&ctx.csrf))
                        input type="hidden" name="version" value=(version);
                        input type="hidden" name="step" value="close";
                        fieldset {
                            legend { (w.close_legend) }
                            label for="answer" { (w.field_answer) }
                            textarea #answer name="answer" required aria-describedby=[refused.described("answer")] { (kept.answer) }
                            (refused.beside("answer"))
                            fieldset aria-describedby=[refused.described("acceptance")] {
                                legend { (w.field_acceptance) }
                                @for a in Acceptance::ALL {
                                    @let id = format!("acceptance-{}", a.as_str());
                                    div {
                                        input id=(id) type="radio" name="acceptance" value=(a.as_str())
                                            checked[kept.acceptance == a.as_str()] required;
                                        " " label for=(id) style="display:inline" { ((w.acceptance)(a)) }
                                    }
                                }
                                (refused.beside("acceptance"))
                            }
                            p { button type="submit" { (w.close_submit) } }
                        }
                    }
                } @else {
                    p.muted { (w.close_supervisor_only) }
                }
            }
            ComplaintStatus::Closed => {}
        }
    };
    Ok(page(
        ctx,
        Nav::Complaints,
        &(w.complaint_title)(&c.number),
        content,
    ))
}

/// The form's field for a core refusal of a step.
fn field_of(core_field: &str) -> &'static str {
    match core_field {
        "complaint.answer.said" => "said",
        "complaint.closure.answer" => "answer",
        _ => "",
    }
}

pub(super) async fn step(
    ctx: Ctx,
    Path(number): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let f = Fields(fields);
    let w = &ctx.words().complaints;
    let loaded = load(&ctx, &number).await?;
    let mut kept = Kept {
        refusal: None,
        said: f.get("said").to_owned(),
        answer: f.get("answer").to_owned(),
        acceptance: f.get("acceptance").to_owned(),
    };
    let step = match f.get("step") {
        "investigate" => ComplaintStep::Investigate,
        "answer" => ComplaintStep::Answer {
            said: kept.said.clone(),
        },
        "close" => {
            ctx.require(Role::Supervisor)?;
            let Some(acceptance) = Acceptance::ALL
                .into_iter()
                .find(|a| a.as_str() == kept.acceptance)
            else {
                kept.refusal = Some(("acceptance", w.error_choose.to_owned()));
                return refused(&ctx, loaded, &kept).await;
            };
            ComplaintStep::Close {
                answer: kept.answer.clone(),
                acceptance,
            }
        }
        _ => return Err(ConsoleError::NotFound("step")),
    };
    if f.get("version") != loaded.seq.to_string() {
        return Err(ConsoleError::Stale);
    }
    let act = ctx.act();
    let number = loaded.complaint.number.clone();
    let taken = ctx
        .with_storage(move |storage| Ok(take_complaint_step(storage, &number, None, &step, &act)))
        .await?;
    match taken {
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/complaints/{}?done=1",
            loaded.complaint.number
        ))
        .into_response()),
        Err(Error::InvalidInput(e)) => {
            let reason = match ctx.lang {
                Lang::Zh => e.reason_zh.clone(),
                Lang::En => e.reason.clone(),
            };
            kept.refusal = Some((field_of(&e.field), reason));
            refused(&ctx, loaded, &kept).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refused(ctx: &Ctx, loaded: Loaded, kept: &Kept) -> Result<Response, ConsoleError> {
    let markup = render(ctx, loaded, None, kept).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
}
