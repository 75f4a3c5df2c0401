//! The frame of every page: the title bar with who is signed in, the language switch and
//! sign-out, the menu (only what the role may open), and the content. The stylesheet and the
//! script are served from the binary (`static/`); nothing comes from outside.
//!
//! Keyboard: a "skip to content" link first, every control reachable with Tab, the focus
//! always visible (the stylesheet), `Alt+1`…`Alt+9` open the menu's entries (`accesskey`).

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::words::Words;
use super::{ConsoleError, Ctx, Lang, ROOT, Role};
use crate::api::AppState;

const STYLESHEET: &str = include_str!("static/console.css");
const SCRIPT: &str = include_str!("static/console.js");

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/console/static/console.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    STYLESHEET,
                )
                    .into_response()
            }),
        )
        .route(
            "/console/static/console.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    SCRIPT,
                )
                    .into_response()
            }),
        )
}

/// A menu entry: the page it opens, its label and who may open it.
pub struct NavItem {
    pub nav: Nav,
    pub path: &'static str,
    pub role: Role,
    pub label: fn(&Words) -> &'static str,
}

/// Which menu entry a page belongs to (drawn as the current one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Calls,
    Board,
    Inspections,
    Special,
    Outages,
    Complaints,
    Conflicts,
    Settlement,
    Reports,
    Staff,
    /// A page outside the menu (a household's file, a form).
    None,
}

pub const MENU: [NavItem; 10] = [
    NavItem {
        nav: Nav::Calls,
        path: "/console/calls",
        role: Role::Dispatcher,
        label: |w| w.common.nav_calls,
    },
    NavItem {
        nav: Nav::Board,
        path: "/console/board",
        role: Role::Dispatcher,
        label: |w| w.common.nav_board,
    },
    NavItem {
        nav: Nav::Inspections,
        path: "/console/inspections",
        role: Role::Dispatcher,
        label: |w| w.common.nav_inspections,
    },
    NavItem {
        nav: Nav::Special,
        path: "/console/special",
        role: Role::Dispatcher,
        label: |w| w.common.nav_special,
    },
    NavItem {
        nav: Nav::Outages,
        path: "/console/outages",
        role: Role::Dispatcher,
        label: |w| w.common.nav_outages,
    },
    NavItem {
        nav: Nav::Complaints,
        path: "/console/complaints",
        role: Role::Dispatcher,
        label: |w| w.common.nav_complaints,
    },
    NavItem {
        nav: Nav::Conflicts,
        path: "/console/conflicts",
        role: Role::Supervisor,
        label: |w| w.common.nav_conflicts,
    },
    NavItem {
        nav: Nav::Settlement,
        path: "/console/settlement",
        role: Role::Supervisor,
        label: |w| w.common.nav_settlement,
    },
    NavItem {
        nav: Nav::Reports,
        path: "/console/reports",
        role: Role::Dispatcher,
        label: |w| w.common.nav_reports,
    },
    NavItem {
        nav: Nav::Staff,
        path: "/console/staff",
        role: Role::Administrator,
        label: |w| w.common.nav_staff,
    },
];

/// A whole page for the person signed in: the frame around `content`.
pub fn page(ctx: &Ctx, nav: Nav, title: &str, content: Markup) -> Markup {
    let w = ctx.words();
    let role = match ctx.staff.role {
        Role::Dispatcher => w.common.role_dispatcher,
        Role::Supervisor => w.common.role_supervisor,
        Role::Administrator => w.common.role_administrator,
    };
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(title, w))
            body {
                a.skip href="#content" { (w.common.skip_to_content) }
                header.bar {
                    a.brand href=(ROOT) { (w.common.app) }
                    span.who { (ctx.staff.name) " · " (role) }
                    (language_switch(ctx.lang, &ctx.here, Some(&ctx.csrf)))
                    form.inline method="post" action="/console/sign-out" {
                        (csrf_field(&ctx.csrf))
                        button type="submit" { (w.common.sign_out) }
                    }
                }
                nav.menu aria-label=(w.common.app) {
                    ul {
                        @for (n, item) in MENU.iter().filter(|i| ctx.staff.role >= i.role).enumerate() {
                            li {
                                a href=(item.path)
                                    accesskey=[(n < 9).then(|| (n + 1).to_string())]
                                    aria-current=[(item.nav == nav).then_some("page")] {
                                    ((item.label)(w))
                                }
                            }
                        }
                    }
                }
                main #content tabindex="-1" {
                    h1 { (title) }
                    (content)
                }
                script src="/console/static/console.js" defer {}
            }
        }
    }
}

/// A page for someone not signed in (the sign-in page): the frame without the menu.
pub fn bare_page(lang: Lang, here: &str, title: &str, content: Markup) -> Markup {
    let w = lang.words();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(title, w))
            body {
                header.bar {
                    span.brand { (w.common.app) }
                    (language_switch(lang, here, None))
                }
                main #content tabindex="-1" {
                    h1 { (title) }
                    (content)
                }
                script src="/console/static/console.js" defer {}
            }
        }
    }
}

fn head(title: &str, w: &Words) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (w.common.app) }
            link rel="stylesheet" href="/console/static/console.css";
        }
    }
}

/// The switch to the other language: a form posting to `/console/lang`, which remembers the
/// choice in a cookie and comes back to `here`. Signed in, it carries the session's token;
/// before sign-in the sign-in page's own token (`session`) is not needed to choose a language.
pub fn language_switch(lang: Lang, here: &str, csrf: Option<&str>) -> Markup {
    let other = lang.other();
    html! {
        form.inline method="post" action="/console/lang" {
            @if let Some(token) = csrf { (csrf_field(token)) }
            input type="hidden" name="lang" value=(other.code());
            input type="hidden" name="back" value=(here);
            button type="submit" lang=(other.code()) { (other.words().common.switch_language) }
        }
    }
}

/// The hidden field that carries the session's CSRF token: in every form that posts.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A time as the service center reads it: Beijing time, to the minute.
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&doorstep_core::calendar::service_timezone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A refusal as a page of its own, in both languages (Chinese first).
pub fn error_page(error: &ConsoleError) -> Markup {
    let say = |w: &Words| -> String {
        match error {
            ConsoleError::Forbidden => w.common.error_forbidden.to_owned(),
            ConsoleError::BadToken => w.common.error_bad_token.to_owned(),
            ConsoleError::NotFound(_) => w.common.error_not_found.to_owned(),
            ConsoleError::Stale => w.common.error_stale.to_owned(),
            ConsoleError::Invalid { field, zh, en } => {
                let reason = if std::ptr::eq(w, Lang::Zh.words()) {
                    zh
                } else {
                    en
                };
                if field.is_empty() {
                    reason.clone()
                } else {
                    format!("{field}: {reason}")
                }
            }
            ConsoleError::Internal(_) | ConsoleError::NotSignedIn { .. } => {
                w.common.error_internal.to_owned()
            }
        }
    };
    let (zh, en) = (Lang::Zh.words(), Lang::En.words());
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(zh.common.error_title, zh))
            body {
                main #content.error role="alert" {
                    h1 { (zh.common.error_title) }
                    p { (say(zh)) }
                    h1 lang="en" { (en.common.error_title) }
                    p lang="en" { (say(en)) }
                    p { a href=(ROOT) { (zh.common.back) " / " (en.common.back) } }
                }
            }
        }
    }
}

/// Raw HTML the console made itself (an SVG drawn from numbers), never text from a record.
pub fn trusted(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}

/// What a form's rule refused, for drawing the form again: the field (empty: the form as a
/// whole) and the reason, already in the person's language.
pub struct Refused<'a>(pub Option<(&'a str, &'a str)>);

impl<'a> Refused<'a> {
    pub fn of(refusal: &'a Option<(&'static str, String)>) -> Refused<'a> {
        Refused(
            refusal
                .as_ref()
                .map(|(field, reason)| (*field, reason.as_str())),
        )
    }

    /// Why `field` was refused, if it was.
    pub fn reason(&self, field: &str) -> Option<&'a str> {
        self.0
            .filter(|(f, _)| *f == field)
            .map(|(_, reason)| reason)
    }

    /// The reason beside its field (`<field>-error`, which the field names as its description).
    pub fn beside(&self, field: &str) -> Markup {
        html! {
            @if let Some(reason) = self.reason(field) {
                p.field-error id={ (field) "-error" } role="alert" { (reason) }
            }
        }
    }

    /// The field's `aria-describedby`: its reason, when it was refused.
    pub fn described(&self, field: &str) -> Option<String> {
        self.reason(field).map(|_| format!("{field}-error"))
    }
}
