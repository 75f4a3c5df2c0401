//! Posting an outage: the form (`/console/outages/new`), which goes to its preview (`/console/outages/preview`,
//! a GET with the form's values: the households the area affects and the lead time it must
//! give, nothing written) and the post itself, through [`announce_outage`]. A refused value
//! draws the form again with what was typed and the reason beside its field.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::InvalidInput;
use doorstep_core::app::screens::outage::reason_words;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::Household;
use doorstep_core::ids::DistrictId;
use doorstep_core::outage::{OutageArea, OutageReason};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::District;
use maud::{Markup, html};

use super::fields::{Fields, beijing_time};
use super::map;
use crate::admin::{NewOutage, announce_outage, preview_outage};
use crate::console::layout::{Nav, Refused, csrf_field, page};
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::records::decode;

/// The form as typed.
#[derive(Debug, Clone, Default)]
struct Draft {
    title: String,
    reason: String,
    starts: String,
    ends: String,
    emergency: bool,
    emergency_reason: String,
    districts: Vec<String>,
    corners: String,
}

impl Draft {
    fn read(f: &Fields) -> Draft {
        Draft {
            title: f.get("title").to_owned(),
            reason: f.get("reason").to_owned(),
            starts: f.get("starts").to_owned(),
            ends: f.get("ends").to_owned(),
            emergency: f.ticked("emergency"),
            emergency_reason: f.get("emergency_reason").to_owned(),
            districts: f.all("districts"),
            corners: f.get("corners").to_owned(),
        }
    }

    /// The form's values as hidden fields (the preview's post, its way back to the form).
    fn hidden(&self) -> Markup {
        html! {
            input type="hidden" name="title" value=(self.title);
            input type="hidden" name="reason" value=(self.reason);
            input type="hidden" name="starts" value=(self.starts);
            input type="hidden" name="ends" value=(self.ends);
            @if self.emergency { input type="hidden" name="emergency" value="on"; }
            input type="hidden" name="emergency_reason" value=(self.emergency_reason);
            @for d in &self.districts { input type="hidden" name="districts" value=(d); }
            input type="hidden" name="corners" value=(self.corners);
        }
    }
}

/// A refusal beside one field of the form (`""`: above the form).
type Refusal = (&'static str, String);

fn core_reason(lang: Lang, e: &InvalidInput) -> String {
    match lang {
        Lang::Zh => e.reason_zh.clone(),
        Lang::En => e.reason.clone(),
    }
}

/// The corners typed (`lon lat, lon lat, …`) as points, or which corner is not one.
fn corners(ctx: &Ctx, text: &str) -> Result<Vec<GeoPoint>, Refusal> {
    let w = &ctx.words().outages;
    let mut points = Vec::new();
    for (i, corner) in text.split(',').enumerate() {
        let numbers: Vec<f64> = corner
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| ("corners", (w.error_corners)(i + 1)))?;
        let [lon, lat] = numbers[..] else {
            return Err(("corners", (w.error_corners)(i + 1)));
        };
        points.push(GeoPoint::new(lat, lon).map_err(|e| ("corners", core_reason(ctx.lang, &e)))?);
    }
    Ok(points)
}

/// The area the form names: the districts ticked, or the corners drawn (one or the other); a
/// dispatcher's only inside their districts. The drawn area's shape is left to the core's
/// rule when posted (a boundary that crosses itself is refused there, with its reason).
fn area(ctx: &Ctx, draft: &Draft, all: &[District]) -> Result<OutageArea, Refusal> {
    let w = &ctx.words().outages;
    let area = match (draft.districts.is_empty(), draft.corners.is_empty()) {
        (false, false) => return Err(("districts", w.error_both_areas.to_owned())),
        (true, true) => return Err(("districts", w.error_no_area.to_owned())),
        (false, true) => {
            let ids = draft
                .districts
                .iter()
                .map(|d| d.parse::<DistrictId>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ("districts", w.error_no_area.to_owned()))?;
            OutageArea::Districts(ids)
        }
        (true, false) => {
            let ring = corners(ctx, &draft.corners)?;
            OutageArea::Polygon(
                Area::new(ring).map_err(|e| ("corners", core_reason(ctx.lang, &e)))?,
            )
        }
    };
    let field = match area {
        OutageArea::Districts(_) => "districts",
        OutageArea::Polygon(_) => "corners",
    };
    if !ctx.staff.whole_city()
        && super::reached(&area, all)
            .iter()
            .any(|d| !ctx.staff.districts.contains(&d.id))
    {
        return Err((field, w.error_outside.to_owned()));
    }
    Ok(area)
}

/// The whole notice the form makes, or its first refusal.
fn notice(ctx: &Ctx, draft: &Draft, all: &[District]) -> Result<NewOutage, Refusal> {
    let w = &ctx.words().outages;
    let reason = OutageReason::ALL
        .into_iter()
        .find(|r| r.as_str() == draft.reason)
        .ok_or(("reason", w.error_reason.to_owned()))?;
    let starts = beijing_time(&draft.starts).ok_or(("starts", w.error_time.to_owned()))?;
    let ends = beijing_time(&draft.ends).ok_or(("ends", w.error_time.to_owned()))?;
    Ok(NewOutage {
        title: draft.title.clone(),
        reason,
        starts,
        ends,
        area: area(ctx, draft, all)?,
        emergency: draft.emergency.then(|| draft.emergency_reason.clone()),
    })
}

/// The form's field for a core refusal of the notice.
fn field_of(core_field: &str) -> &'static str {
    match core_field {
        "outage.title" => "title",
        "outage.starts_at" => "starts",
        "outage.ends_at" => "ends",
        "outage.area" | "area" => "corners",
        "outage.districts" => "districts",
        "outage.emergency_reason" => "emergency_reason",
        _ => "",
    }
}

pub(super) async fn new(
    ctx: Ctx,
    Query(fields): Query<Vec<(String, String)>>,
) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let draft = Draft::read(&Fields(fields));
    form_page(&ctx, &draft, None).await
}

pub(super) async fn preview(
    ctx: Ctx,
    Query(fields): Query<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let draft = Draft::read(&Fields(fields));
    let all = super::districts(&ctx).await?;
    let area = match area(&ctx, &draft, &all) {
        Ok(area) => area,
        Err(refusal) => return refused(&ctx, &draft, refusal).await,
    };
    let staff = ctx.staff.clone();
    let counted = area.clone();
    let preview = ctx
        .with_storage(move |storage| {
            Ok(preview_outage(storage, &counted, &|h| {
                staff.covers(h.district_id)
            })?)
        })
        .await?;
    let w = &ctx.words().outages;
    let drawn = match &area {
        OutageArea::Polygon(a) => a.ring().to_vec(),
        OutageArea::Districts(_) => Vec::new(),
    };
    let shown: Vec<District> = super::reached(&area, &all).into_iter().cloned().collect();
    let dots = dots(&ctx).await?;
    let content = html! {
        p.notice role="status" { ((w.preview_result)(preview.households, preview.lead.num_hours())) }
        @if !ctx.staff.whole_city() { p.muted { (w.preview_scope) } }
        (map::drawing(&shown, &dots, &drawn, w.map_label))
        div.filters {
            form method="post" action="/console/outages/new" {
                (csrf_field(&ctx.csrf))
                (draft.hidden())
                button type="submit" { (w.post) }
            }
            form method="get" action="/console/outages/new" {
                (draft.hidden())
                button.secondary type="submit" { (w.edit) }
            }
        }
    };
    Ok(page(&ctx, Nav::Outages, w.preview_title, content).into_response())
}

pub(super) async fn create(
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let draft = Draft::read(&Fields(fields));
    let all = super::districts(&ctx).await?;
    let new = match notice(&ctx, &draft, &all) {
        Ok(new) => new,
        Err(refusal) => return refused(&ctx, &draft, refusal).await,
    };
    let act = ctx.act();
    let posted = ctx
        .with_storage(move |storage| Ok(announce_outage(storage, &new, &act)))
        .await?;
    match posted {
        Ok(id) => Ok(Redirect::to(&format!("/console/outages/{id}?posted=1")).into_response()),
        Err(crate::error::Error::InvalidInput(e)) => {
            let refusal = (field_of(&e.field), core_reason(ctx.lang, &e));
            refused(&ctx, &draft, refusal).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The form drawn again with what was typed and the reason beside its field.
async fn refused(ctx: &Ctx, draft: &Draft, refusal: Refusal) -> Result<Response, ConsoleError> {
    let markup = form_page(ctx, draft, Some(refusal)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
}

/// Where the households the person sees are, for the drawing.
async fn dots(ctx: &Ctx) -> Result<Vec<GeoPoint>, ConsoleError> {
    let staff = ctx.staff.clone();
    ctx.read(move |tx| {
        let mut dots = Vec::new();
        let mut after = String::new();
        loop {
            let page = tx.records(Entity::Household, &after, 500)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for record in page.iter().filter(|r| !r.deleted) {
                let h: Household = decode(record)?;
                if let Some(p) = h.location.filter(|_| staff.covers(h.district_id)) {
                    dots.push(p);
                }
            }
        }
        Ok(dots)
    })
    .await
}

async fn form_page(
    ctx: &Ctx,
    draft: &Draft,
    refusal: Option<Refusal>,
) -> Result<Markup, ConsoleError> {
    let w = &ctx.words().outages;
    let lang = ctx.lang.core();
    let all = super::districts(ctx).await?;
    let mine: Vec<District> = all
        .into_iter()
        .filter(|d| ctx.staff.covers(Some(d.id)))
        .collect();
    let dots = dots(ctx).await?;
    let drawn = corners(ctx, &draft.corners).unwrap_or_default();
    let refused = Refused::of(&refusal);
    let content = html! {
        @if let Some(reason) = refused.reason("") { p.alert role="alert" { (reason) } }
        // The form goes to its preview first (a GET: no token in it); the preview posts.
        form method="get" action="/console/outages/preview" {
            div.grid {
                div.panel {
                    label for="title" { (w.field_title) }
                    input #title type="text" name="title" value=(draft.title) required
                        aria-describedby=[refused.described("title")];
                    (refused.beside("title"))
                    label for="reason" { (w.field_reason) }
                    select #reason name="reason" aria-describedby=[refused.described("reason")] {
                        @for r in OutageReason::ALL {
                            option value=(r.as_str()) selected[draft.reason == r.as_str()] {
                                (reason_words(r).get(lang))
                            }
                        }
                    }
                    (refused.beside("reason"))
                    label for="starts" { ((w.in_beijing_time)(w.field_starts)) }
                    input #starts type="datetime-local" name="starts" value=(draft.starts) required
                        aria-describedby=[refused.described("starts")];
                    (refused.beside("starts"))
                    label for="ends" { ((w.in_beijing_time)(w.field_ends)) }
                    input #ends type="datetime-local" name="ends" value=(draft.ends) required
                        aria-describedby=[refused.described("ends")];
                    (refused.beside("ends"))
                    p {
                        input #emergency type="checkbox" name="emergency" value="on" checked[draft.emergency];
                        " "
                        label for="emergency" style="display:inline" { (w.field_emergency) }
                    }
                    label for="emergency_reason" { (w.field_emergency_reason) }
                    textarea #emergency_reason name="emergency_reason"
                        aria-describedby=[refused.described("emergency_reason")] { (draft.emergency_reason) }
                    (refused.beside("emergency_reason"))
                }
                fieldset.panel {
                    legend { (w.area_legend) }
                    p.muted { (w.area_how) }
                    p { strong { (w.field_districts) } }
                    @for d in &mine {
                        @let id = format!("district-{}", d.id);
                        div {
                            input id=(id) type="checkbox" name="districts" value=(d.id.to_string())
                                checked[draft.districts.contains(&d.id.to_string())];
                            " "
                            label for=(id) style="display:inline" { (d.name) }
                        }
                    }
                    (refused.beside("districts"))
                    label for="corners" { (w.field_corners) }
                    textarea #corners name="corners" aria-describedby={ "corners-hint" @if refused.reason("corners").is_some() { " corners-error" } } {
                        (draft.corners)
                    }
                    p.muted #corners-hint { (w.corners_hint) }
                    (refused.beside("corners"))
                    button.secondary #clear-corners type="button" hidden { (w.clear_corners) }
                }
            }
            (map::drawing(&mine, &dots, &drawn, w.map_label))
            p { button type="submit" { (w.preview_button) } }
        }
        script { (map::SCRIPT) }
    };
    Ok(page(ctx, Nav::Outages, w.new_title, content))
}
