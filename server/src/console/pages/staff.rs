//! The staff page (issue 26), for administrators: the accounts (login, name, role, districts by
//! name, active or not), adding one (its generated password shown once, on the page that
//! answers the form, never in an address), deactivating one, giving one a new password. Every
//! action is audited with the person signed in (`staff:<login>`), as `doorstep admin staff`
//! audits the operator.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::District;
use maud::{Markup, html};

use crate::api::AppState;
use crate::console::account::{self, NewStaff, StaffRow};
use crate::console::layout::{Nav, csrf_field, page};
use crate::console::words::Words;
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/staff", get(show).post(add))
        .route("/console/staff/{id}/deactivate", post(deactivate))
        .route("/console/staff/{id}/password", post(new_password))
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    deactivated: Option<String>,
}

async fn show(ctx: Ctx, Query(q): Query<ShowQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Administrator)?;
    let (rows, districts) = accounts_and_districts(&ctx).await?;
    let w = ctx.words();
    let notice = q
        .deactivated
        .filter(|login| rows.iter().any(|r| &r.login == login))
        .map(|login| (w.staff.deactivated)(&login));
    Ok(staff_page(
        &ctx,
        &rows,
        &districts,
        notice,
        &Draft::default(),
        None,
    ))
}

/// The accounts, and every district's name by id.
async fn accounts_and_districts(
    ctx: &Ctx,
) -> Result<(Vec<StaffRow>, Vec<(DistrictId, String)>), ConsoleError> {
    ctx.read(|tx| {
        let rows = tx.staff_members()?;
        let mut districts = Vec::new();
        let mut after = String::new();
        loop {
            let page = tx.records(Entity::District, &after, 500)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for record in page.iter().filter(|r| !r.deleted) {
                let d: District = crate::records::decode(record)?;
                districts.push((d.id, d.name));
            }
        }
        districts.sort_by(|a, b| a.1.cmp(&b.1));
        Ok((rows, districts))
    })
    .await
}

/// What the add form held, drawn again with a refused value.
#[derive(Default)]
struct Draft {
    login: String,
    name: String,
    role: String,
    districts: Vec<String>,
}

/// A refused value: the field, and why in the person's language.
struct Refused {
    field: String,
    reason: String,
}

fn role_label(w: &Words, role: &str) -> &'static str {
    match Role::parse(role) {
        Some(Role::Dispatcher) => w.common.role_dispatcher,
        Some(Role::Supervisor) => w.common.role_supervisor,
        Some(Role::Administrator) => w.common.role_administrator,
        None => "?",
    }
}

fn staff_page(
    ctx: &Ctx,
    rows: &[StaffRow],
    districts: &[(DistrictId, String)],
    notice: Option<String>,
    draft: &Draft,
    refused: Option<&Refused>,
) -> Markup {
    let w = ctx.words();
    let names: HashMap<DistrictId, &str> =
        districts.iter().map(|(id, n)| (*id, n.as_str())).collect();
    let error_for = |field: &str| {
        refused
            .filter(|r| r.field == field)
            .map(|r| r.reason.clone())
    };
    let other_error = refused
        .filter(|r| !["login", "name", "role", "district"].contains(&r.field.as_str()))
        .map(|r| r.reason.clone());
    let content = html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        p.muted { ((w.staff.count)(rows.len())) }
        table {
            thead {
                tr {
                    th scope="col" { (w.staff.login) }
                    th scope="col" { (w.staff.name) }
                    th scope="col" { (w.staff.role) }
                    th scope="col" { (w.staff.districts) }
                    th scope="col" { (w.staff.state) }
                    th scope="col" { (w.staff.actions) }
                }
            }
            tbody {
                @for r in rows {
                    tr {
                        td { (r.login) }
                        td { (r.name) }
                        td { (role_label(w, &r.role)) }
                        td {
                            @if r.role != Role::Dispatcher.as_str() {
                                (w.staff.whole_city)
                            } @else {
                                @for (i, d) in r.districts.iter().enumerate() {
                                    @if i > 0 { "、" }
                                    (names.get(d).copied().unwrap_or("?"))
                                }
                            }
                        }
                        td {
                            @if r.active {
                                span.badge.green { (w.staff.active) }
                            } @else {
                                span.badge.red { (w.staff.inactive) }
                            }
                        }
                        td {
                            @if r.active {
                                form.inline method="post" action={ "/console/staff/" (r.id) "/password" }
                                    data-confirm=(w.staff.confirm_new_password) {
                                    (csrf_field(&ctx.csrf))
                                    button.secondary type="submit"
                                        aria-label={ (w.staff.new_password) " " (r.login) } {
                                        (w.staff.new_password)
                                    }
                                }
                                " "
                                @if r.id != ctx.staff.id {
                                    form.inline method="post" action={ "/console/staff/" (r.id) "/deactivate" }
                                        data-confirm=(w.staff.confirm_deactivate) {
                                        (csrf_field(&ctx.csrf))
                                        button.danger type="submit"
                                            aria-label={ (w.staff.deactivate) " " (r.login) } {
                                            (w.staff.deactivate)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #add { (w.staff.add_title) }
        form.panel method="post" action="/console/staff" {
            (csrf_field(&ctx.csrf))
            p.muted { (w.staff.add_hint) }
            @if let Some(reason) = other_error { p.alert role="alert" { (reason) } }
            div.grid {
                div {
                    label for="login" { (w.staff.login) }
                    input #login type="text" name="login" value=(draft.login) required
                        maxlength="64" autocomplete="off"
                        aria-describedby=[error_for("login").map(|_| "login-error")];
                    @if let Some(reason) = error_for("login") {
                        p #login-error .field-error { (reason) }
                    }
                    label for="name" { (w.staff.name) }
                    input #name type="text" name="name" value=(draft.name) required maxlength="64"
                        aria-describedby=[error_for("name").map(|_| "name-error")];
                    @if let Some(reason) = error_for("name") {
                        p #name-error .field-error { (reason) }
                    }
                    label for="role" { (w.staff.role) }
                    select #role name="role" {
                        @for role in Role::ALL {
                            option value=(role.as_str()) selected[draft.role == role.as_str()] {
                                (role_label(w, role.as_str()))
                            }
                        }
                    }
                }
                fieldset {
                    legend { (w.staff.districts) }
                    @if let Some(reason) = error_for("district") {
                        p.field-error { (reason) }
                    }
                    @for (id, name) in districts {
                        @let field = format!("district-{id}");
                        div {
                            input type="checkbox" id=(field) name="district" value=(id)
                                checked[draft.districts.contains(&id.to_string())];
                            " "
                            label for=(field) style="display:inline;font-weight:normal" { (name) }
                        }
                    }
                }
            }
            p { button type="submit" { (w.staff.add) } }
        }
    };
    page(ctx, Nav::Staff, w.staff.title, content)
}

async fn add(
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Administrator)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let draft = Draft {
        login: field("login"),
        name: field("name"),
        role: field("role"),
        districts: fields
            .iter()
            .filter(|(k, _)| k == "district")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let parsed = (|| -> Result<NewStaff, Error> {
        let role = Role::parse(&draft.role).ok_or_else(|| {
            doorstep_core::InvalidInput::new(
                "role",
                doorstep_core::text::said("请选择角色", "choose a role"),
            )
        })?;
        let districts = draft
            .districts
            .iter()
            .map(|d| d.parse::<DistrictId>().map_err(|e| e.within("district")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|mut e| {
                e.field = "district".into();
                e
            })?;
        Ok(NewStaff {
            login: draft.login.clone(),
            name: draft.name.clone(),
            role,
            districts,
            password: None,
        })
    })();
    let act = ctx.act();
    let outcome = match parsed {
        Ok(new) => {
            ctx.with_storage(move |storage| Ok(account::create(storage, new, &act)))
                .await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((row, password)) => {
            let w = ctx.words();
            Ok(password_shown(
                &ctx,
                (w.staff.created)(&row.login),
                &password.unwrap_or_default(),
            ))
        }
        Err(e) => {
            let refused = refusal(ctx.lang, e)?;
            let (rows, districts) = accounts_and_districts(&ctx).await?;
            let page = staff_page(&ctx, &rows, &districts, None, &draft, Some(&refused));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A value the rules refused, as the form shows it; anything else is the error page's.
fn refusal(lang: Lang, e: Error) -> Result<Refused, ConsoleError> {
    match e {
        Error::InvalidInput(input) => Ok(Refused {
            field: input.field.clone(),
            reason: match lang {
                Lang::Zh => input.reason_zh,
                Lang::En => input.reason,
            },
        }),
        Error::NotFound("district") => Ok(Refused {
            field: "district".into(),
            reason: lang.words().common.error_not_found.to_owned(),
        }),
        e => Err(e.into()),
    }
}

/// The page that shows a password once: not kept by the browser's cache.
fn password_shown(ctx: &Ctx, said: String, password: &str) -> Response {
    let w = ctx.words();
    let content = html! {
        p.notice role="status" { (said) }
        dl.facts.panel {
            dt { (w.staff.password_label) }
            dd { code style="font-size:1.3rem;letter-spacing:0.08em" { (password) } }
        }
        p.alert { (w.staff.shown_once) }
        p { a href="/console/staff" { (w.staff.back_to_list) } }
    };
    (
        [(CACHE_CONTROL, "no-store")],
        page(ctx, Nav::Staff, w.staff.title, content),
    )
        .into_response()
}

async fn deactivate(ctx: Ctx, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Administrator)?;
    if id == ctx.staff.id {
        return Err(ConsoleError::Invalid {
            field: String::new(),
            zh: crate::console::words::ZH.staff.not_yourself.to_owned(),
            en: crate::console::words::EN.staff.not_yourself.to_owned(),
        });
    }
    let act = ctx.act();
    let row = ctx
        .with_storage(move |storage| Ok(account::deactivate(storage, &id, &act)?))
        .await?;
    Ok(Redirect::to(&format!(
        "/console/staff?deactivated={}",
        crate::console::session::encode(&row.login)
    ))
    .into_response())
}

async fn new_password(ctx: Ctx, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Administrator)?;
    let act = ctx.act();
    let (row, password) = ctx
        .with_storage(move |storage| Ok(account::set_password(storage, &id, None, &act)?))
        .await?;
    let w = ctx.words();
    Ok(password_shown(
        &ctx,
        (w.staff.password_set)(&row.login),
        &password.unwrap_or_default(),
    ))
}
