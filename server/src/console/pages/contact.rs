//! A household's contact details (issue 26): its phone numbers and, for a special group
//! registration, its contact person, edited with the version the form was drawn from.
//!
//! The form carries the household's `seq` and the values it showed (`was_*`): only what the
//! person changed is an edit. A field a technician's phone wrote after the form was drawn is
//! merged by the field's rule ([`put_from_office_since`]: the later clock wins the phone
//! numbers and the registration) and the value that lost is kept as a conflict for review,
//! never silently lost. A field someone at the office saved after the form was drawn is
//! refused as stale (409) with the value it holds now: two people at the office have no
//! clocks to compare that the office would trust over a person's own eyes.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use doorstep_core::household::{ContactPerson, Household, Phone};
use doorstep_core::sync::merge::{FieldStamps, Origin};
use doorstep_core::sync::protocol::{Entity, Record};
use maud::{Markup, html};
use serde::Deserialize;

use crate::api::AppState;
use crate::console::layout::{Nav, csrf_field, page};
use crate::console::{ConsoleError, Ctx, Lang};
use crate::error::Error;
use crate::records::{decode, put_from_office_since};

/// The most phone numbers a household keeps (the core's rule: `household.phones`).
const MAX_PHONES: usize = 8;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/households/{id}/contact", get(show).post(save))
}

/// What the form shows and was drawn from.
#[derive(Debug, Clone, Default)]
struct Drawn {
    seq: i64,
    number: String,
    phones: Vec<String>,
    /// The household has a special group registration (so a contact person).
    registered: bool,
    contact: [String; 3],
}

impl Drawn {
    fn of(seq: i64, h: &Household) -> Self {
        let contact = h.special_group.as_ref().and_then(|r| r.contact.as_ref());
        Drawn {
            seq,
            number: h.customer_number.clone(),
            phones: h.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            registered: h.special_group.is_some(),
            contact: contact.map_or_else(Default::default, |c| {
                [
                    c.name.clone(),
                    c.relation.clone(),
                    c.phone.as_str().to_owned(),
                ]
            }),
        }
    }
}

/// What the person typed, and what the rules said of it, by field name.
#[derive(Debug, Default)]
struct Typed {
    phones: Vec<String>,
    contact: [String; 3],
    errors: Vec<(String, String)>,
}

impl Typed {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, e)| e.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
struct Done {
    done: Option<String>,
    conflicts: Option<usize>,
}

async fn show(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Markup, ConsoleError> {
    let drawn = read_household(&ctx, &id).await?;
    let c = &ctx.words().conflicts;
    let notice = match done.done.as_deref() {
        Some("saved") => match done.conflicts.unwrap_or(0) {
            0 => Some((c.contact_saved.to_owned(), false)),
            n => Some(((c.contact_conflicts_kept)(n), true)),
        },
        Some("unchanged") => Some((c.contact_unchanged.to_owned(), false)),
        _ => None,
    };
    let typed = Typed {
        phones: drawn.phones.clone(),
        contact: drawn.contact.clone(),
        errors: Vec::new(),
    };
    Ok(form_page(&ctx, &id, &drawn, &typed, notice, None))
}

/// The household as the form draws it, its reading audited; another district's refused.
async fn read_household(ctx: &Ctx, id: &str) -> Result<Drawn, ConsoleError> {
    let id_owned = id.to_owned();
    let household = ctx
        .read(move |tx| {
            let record = tx
                .record(Entity::Household, &id_owned)?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("household"))?;
            let household: Household = decode(&record)?;
            Ok((record.seq, household))
        })
        .await?;
    ctx.may_see(household.1.district_id)?;
    let audit = ctx.audit_row("household_viewed", "household", id);
    ctx.write(move |tx| Ok(tx.audit(&audit)?)).await?;
    Ok(Drawn::of(household.0, &household.1))
}

fn form_page(
    ctx: &Ctx,
    id: &str,
    drawn: &Drawn,
    typed: &Typed,
    notice: Option<(String, bool)>,
    alert: Option<&str>,
) -> Markup {
    let c = &ctx.words().conflicts;
    let rows = (typed.phones.len().max(drawn.phones.len()) + 1).clamp(2, MAX_PHONES);
    let field = |name: &str, label: String, value: &str| {
        let error = typed.error(name);
        let error_id = format!("{name}-error");
        html! {
            label for=(name) { (label) }
            input type="text" id=(name) name=(name) value=(value) inputmode="tel" maxlength="40"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(e) = error { p.field-error id=(error_id) { (e) } }
        }
    };
    let content = html! {
        p { ((c.contact_of_household)(&drawn.number)) " · "
            a href=(format!("/console/households/{id}")) { (c.contact_to_file) } }
        @if let Some((text, conflicts)) = &notice {
            p.notice role="status" {
                (text)
                @if *conflicts { " " a href="/console/conflicts" { (c.contact_to_conflicts) } }
            }
        }
        @if let Some(text) = alert { p.alert role="alert" { (text) } }
        form.panel method="post" action=(format!("/console/households/{id}/contact")) {
            (csrf_field(&ctx.csrf))
            input type="hidden" name="seq" value=(drawn.seq);
            @for (i, was) in drawn.phones.iter().enumerate() {
                input type="hidden" name=(format!("was_phone{i}")) value=(was);
            }
            @for (i, was) in drawn.contact.iter().enumerate() {
                input type="hidden" name=(format!("was_contact{i}")) value=(was);
            }
            fieldset {
                legend { (c.contact_phones) }
                p.muted { (c.contact_phones_hint) }
                @for i in 0..rows {
                    (field(
                        &format!("phone{i}"),
                        (c.contact_phone_n)(i + 1),
                        typed.phones.get(i).map_or("", String::as_str),
                    ))
                }
            }
            fieldset {
                legend { (c.contact_person) }
                @if drawn.registered {
                    p.muted { (c.contact_person_hint) }
                    (field("contact0", c.contact_person_name.to_owned(), &typed.contact[0]))
                    (field("contact1", c.contact_person_relation.to_owned(), &typed.contact[1]))
                    (field("contact2", c.contact_person_phone.to_owned(), &typed.contact[2]))
                } @else {
                    p.muted { (c.contact_no_registration) }
                }
            }
            p { button type="submit" { (ctx.words().common.save) } }
        }
    };
    page(ctx, Nav::None, c.contact_title, content)
}

/// The posted form's fields by name.
struct Posted(Vec<(String, String)>);

impl Posted {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn list(&self, prefix: &str, max: usize) -> Vec<String> {
        (0..max)
            .map_while(|i| self.get(&format!("{prefix}{i}")).map(str::to_owned))
            .collect()
    }
}

/// What saving came to.
enum Saved {
    Done(usize),
    Unchanged,
    /// Someone at the office changed these fields since: the household as it is now.
    Stale(Drawn),
    Forbidden,
    Invalid(String, String, String),
}

async fn save(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let posted = Posted(posted);
    let base: i64 = posted
        .get("seq")
        .and_then(|s| s.parse().ok())
        .ok_or(ConsoleError::NotFound("seq"))?;
    let was_phones = posted.list("was_phone", MAX_PHONES);
    let was_contact = posted.list("was_contact", 3);
    let mut typed = Typed {
        phones: posted.list("phone", MAX_PHONES),
        contact: [0, 1, 2].map(|i| posted.get(&format!("contact{i}")).unwrap_or("").to_owned()),
        errors: Vec::new(),
    };
    let c = &ctx.words().conflicts;
    let reason = |e: &doorstep_core::InvalidInput| match ctx.lang {
        Lang::Zh => e.reason_zh.to_string(),
        Lang::En => e.reason.to_string(),
    };
    // The phone numbers as the core's rule reads them; empty lines are no number.
    let mut phones = Vec::new();
    for (i, text) in typed.phones.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match Phone::parse(text) {
            Ok(p) => phones.push(p),
            Err(e) => typed.errors.push((format!("phone{i}"), reason(&e))),
        }
    }
    let contact_given = typed.contact.iter().any(|t| !t.trim().is_empty());
    let mut contact = None;
    if contact_given {
        let name = typed.contact[0].trim();
        if name.is_empty() {
            typed
                .errors
                .push(("contact0".into(), c.contact_person_name_missing.to_owned()));
        }
        match Phone::parse(&typed.contact[2]) {
            Ok(phone) => {
                contact = Some(ContactPerson {
                    name: name.to_owned(),
                    relation: typed.contact[1].trim().to_owned(),
                    phone,
                })
            }
            Err(e) => typed.errors.push(("contact2".into(), reason(&e))),
        }
    }
    // What the page showed, as the rule reads it (for the comparison only).
    let was: Vec<String> = was_phones
        .iter()
        .filter_map(|p| Phone::parse(p).ok())
        .map(|p| p.as_str().to_owned())
        .collect();
    let phones_changed = phones
        .iter()
        .map(Phone::as_str)
        .ne(was.iter().map(String::as_str));
    let contact_changed = {
        let was_given = was_contact.iter().any(|t| !t.is_empty());
        match (&contact, was_given) {
            (None, false) => false,
            (None, true) => true,
            (Some(_), false) => true,
            (Some(new), true) => {
                [new.name.as_str(), new.relation.as_str(), new.phone.as_str()]
                    != [
                        was_contact[0].as_str(),
                        was_contact.get(1).map_or("", String::as_str),
                        was_contact.get(2).map_or("", String::as_str),
                    ]
            }
        }
    };
    // A form drawn again keeps the version and the values it was first drawn from.
    let as_drawn = |now: Drawn| Drawn {
        seq: base,
        phones: was_phones.clone(),
        contact: [0, 1, 2].map(|i| was_contact.get(i).cloned().unwrap_or_default()),
        ..now
    };
    if !typed.errors.is_empty() {
        let drawn = as_drawn(read_household(&ctx, &id).await?);
        let page = form_page(&ctx, &id, &drawn, &typed, None, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if !phones_changed && !contact_changed {
        return Ok(
            Redirect::to(&format!("/console/households/{id}/contact?done=unchanged"))
                .into_response(),
        );
    }
    let staff = ctx.staff.clone();
    let audit = ctx.audit_row("household_updated", "household", &id);
    let now = ctx.now;
    let hid = id.clone();
    let outcome = ctx
        .write(move |tx| {
            let record = tx
                .record(Entity::Household, &hid)?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("household"))?;
            let mut household: Household = decode(&record)?;
            if !staff.covers(household.district_id) {
                return Ok(Saved::Forbidden);
            }
            let stamps: FieldStamps =
                serde_json::from_str(&record.stamps).map_err(Error::internal)?;
            let office_since = |field: &str| {
                stamps
                    .get(field)
                    .is_some_and(|s| s.seq > base && s.origin == Origin::Office)
            };
            let stale = (phones_changed && office_since("phones"))
                || (contact_changed && office_since("special_group"))
                || (contact_changed && household.special_group.is_none());
            if stale {
                return Ok(Saved::Stale(Drawn::of(record.seq, &household)));
            }
            let before = household.clone();
            if phones_changed {
                household.phones = phones.clone();
            }
            if contact_changed && let Some(registration) = household.special_group.as_mut() {
                registration.contact = contact.clone();
            }
            if household == before {
                return Ok(Saved::Unchanged);
            }
            if let Err(e) = household.validate() {
                return Ok(Saved::Invalid(
                    e.field.to_string(),
                    e.reason_zh.to_string(),
                    e.reason.to_string(),
                ));
            }
            let (_, conflicts) =
                put_from_office_since(tx, &Record::Household(Box::new(household)), base, now)?;
            tx.audit(&audit)?;
            Ok(Saved::Done(conflicts.len()))
        })
        .await?;
    match outcome {
        Saved::Done(n) => Ok(Redirect::to(&format!(
            "/console/households/{id}/contact?done=saved&conflicts={n}"
        ))
        .into_response()),
        Saved::Unchanged => Ok(Redirect::to(&format!(
            "/console/households/{id}/contact?done=unchanged"
        ))
        .into_response()),
        Saved::Forbidden => Err(ConsoleError::Forbidden),
        Saved::Stale(drawn) => {
            // The values it holds now, in the form, from the version they are.
            let now = Typed {
                phones: drawn.phones.clone(),
                contact: drawn.contact.clone(),
                errors: Vec::new(),
            };
            let page = form_page(&ctx, &id, &drawn, &now, None, Some(c.contact_stale));
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Saved::Invalid(field, zh, en) => {
            let field = if field.contains("phones") {
                "phone0".to_owned()
            } else {
                "contact0".to_owned()
            };
            typed.errors.push((
                field,
                match ctx.lang {
                    Lang::Zh => zh,
                    Lang::En => en,
                },
            ));
            let drawn = as_drawn(read_household(&ctx, &id).await?);
            let page = form_page(&ctx, &id, &drawn, &typed, None, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
