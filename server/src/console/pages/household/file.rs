//! The household's file drawn: its account, special-group registration, inspections, open
//! orders with their clocks, signed forms and its history from every phone and the office.

use chrono::{DateTime, Utc};
use doorstep_core::app::Level;
use doorstep_core::app::clock::level;
use doorstep_core::calendar::local_date;
use doorstep_core::calls::CallOutcome;
use doorstep_core::forms::seal::verify;
use doorstep_core::household::{HistoryKind, Household, SupplyStatus};
use doorstep_core::schedule::inspection::{
    InspectionDue, InspectionPolicy, NEVER_INSPECTED_DUE, inspection_due, next_inspection_due,
};
use doorstep_core::visit::{CheckIn, CheckInVerdict};
use doorstep_core::workorder::deadline::next_deadline;
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};
use maud::{Markup, html};

use super::records::HouseholdFile;
use super::{file_url, form_url};
use crate::console::layout::{self, Nav, when};
use crate::console::words::household::Household as Words;
use crate::console::{Ctx, Lang};

/// The most history lines drawn: the newest.
pub const HISTORY_SHOWN: usize = 200;

pub fn page_title(w: &Words, h: &Household) -> String {
    (w.file_title)(&h.customer_number, &h.name)
}

pub fn page(ctx: &Ctx, file: &HouseholdFile) -> Markup {
    let w = &ctx.words().household;
    let h = &file.household;
    let content = html! {
        p { a href=(format!("{}/contact", file_url(h.id))) { (w.edit_contact) } }
        div.grid {
            (account(ctx, file))
            div {
                (inspections(ctx, h))
                (special_group(ctx, h))
            }
        }
        (open_orders(ctx, &file.orders))
        (forms(ctx, file))
        (history(ctx, file))
    };
    layout::page(ctx, Nav::None, &page_title(w, h), content)
}

fn account(ctx: &Ctx, file: &HouseholdFile) -> Markup {
    let w = &ctx.words().household;
    let h = &file.household;
    let last_reading = file.readings.iter().max_by_key(|r| r.taken_at);
    html! {
        section.panel aria-labelledby="account" {
            h2 #account { (w.account) }
            dl.facts {
                dt { (w.customer_number) } dd { (h.customer_number) }
                dt { (w.name) } dd { (h.name) }
                dt { (w.phones) }
                dd {
                    @if h.phones.is_empty() { (ctx.words().common.none) }
                    @for (n, phone) in h.phones.iter().enumerate() {
                        @if n > 0 { ", " }
                        a href=(format!("tel:{}", phone.as_str())) { (phone.as_str()) }
                    }
                }
                dt { (w.address) } dd { (h.address.one_line()) }
                dt { (w.district) } dd { (file.district.as_deref().unwrap_or(ctx.words().common.none)) }
                dt { (w.category) } dd { ((w.category_name)(h.category)) }
                dt { (w.supply) } dd { (supply(ctx, &h.supply)) }
                dt { (w.gas_on_date) }
                dd { (h.gas_on_date.map(|d| d.to_string()).unwrap_or_else(|| ctx.words().common.none.to_owned())) }
                dt { (w.location) }
                dd {
                    @match h.location {
                        Some(p) => { (format!("{:.5}, {:.5}", p.lat(), p.lon())) }
                        None => { (ctx.words().common.none) }
                    }
                }
                dt { (w.meter) }
                dd {
                    @match &h.meter {
                        Some(m) => {
                            ((w.meter_kind)(m.kind)) " · " (w.meter_serial) " " (m.serial)
                            br;
                            span.muted { (w.meter_initial) " " (m.initial_reading) }
                        }
                        None => { (ctx.words().common.none) }
                    }
                }
                dt { (w.last_reading) }
                dd {
                    @match last_reading {
                        Some(r) => { (r.value) " · " (when(r.taken_at)) }
                        None => { (ctx.words().common.none) }
                    }
                }
                dt { (w.appliances) }
                dd {
                    @if h.appliances.is_empty() { (ctx.words().common.none) }
                    ul {
                        @for a in &h.appliances {
                            li {
                                ((w.appliance)(a.kind))
                                @if !a.brand.trim().is_empty() { " · " (a.brand.trim()) }
                                " · " (w.flue) " " ((w.flue_type)(a.flue))
                                @if a.kind == doorstep_core::household::ApplianceKind::WaterHeater
                                    && a.flue == doorstep_core::household::FlueType::None {
                                    " " span.badge.red { (w.flue_hazard) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn supply(ctx: &Ctx, supply: &SupplyStatus) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    match supply {
        SupplyStatus::NotConnected => html! { span.badge.amber { (w.supply_not_connected) } },
        SupplyStatus::Active => html! { span.badge.green { (w.supply_active) } },
        SupplyStatus::ShutOff {
            reason,
            since,
            seal,
        } => html! {
            span.badge.red { (w.supply_shut_off) }
            " " (reason.label().get(lang)) " · " ((w.since)(&when(*since)))
            @if let Some(seal) = seal { " · " (w.seal) " " (seal) }
        },
        SupplyStatus::PermanentlyDisconnected { since } => html! {
            span.badge.red { (w.supply_disconnected) } " " ((w.since)(&when(*since)))
        },
    }
}

fn inspections(ctx: &Ctx, h: &Household) -> Markup {
    let w = &ctx.words().household;
    let due = next_inspection_due(
        h.category,
        &h.supply,
        h.last_inspection_at,
        h.gas_on_date,
        &InspectionPolicy::default(),
    );
    html! {
        section.panel aria-labelledby="inspections" {
            h2 #inspections { (w.next_inspection) }
            dl.facts {
                dt { (w.last_inspection) }
                dd { (h.last_inspection_at.map(when).unwrap_or_else(|| ctx.words().common.none.to_owned())) }
                dt { (w.next_inspection) }
                dd {
                    @match due {
                        None => { (w.not_scheduled) }
                        Some(day) if day == NEVER_INSPECTED_DUE => { span.badge.red { (w.never_inspected) } }
                        Some(day) => {
                            (day.to_string()) " "
                            @match inspection_due(day, local_date(ctx.now)) {
                                InspectionDue::Overdue { days } => span.badge.red { ((w.overdue_days)(days)) },
                                InspectionDue::DueToday => span.badge.amber { (w.due_today) },
                                InspectionDue::DueIn { days } => span.badge.green { ((w.due_in_days)(days)) },
                            }
                        }
                    }
                }
            }
        }
    }
}

fn special_group(ctx: &Ctx, h: &Household) -> Markup {
    let w = &ctx.words().household;
    html! {
        section.panel aria-labelledby="special" {
            h2 #special { (w.special_group) }
            @match &h.special_group {
                None => p.muted { (w.not_registered) },
                Some(r) => dl.facts {
                    dt { (w.groups) }
                    dd {
                        @for (n, g) in r.groups.iter().enumerate() {
                            @if n > 0 { ", " }
                            ((w.group)(*g))
                        }
                    }
                    dt { (w.needs) } dd { (r.needs) }
                    dt { (w.contact_person) }
                    dd {
                        @match &r.contact {
                            Some(c) => { (c.name) " (" (c.relation) ") " a href=(format!("tel:{}", c.phone.as_str())) { (c.phone.as_str()) } }
                            None => { (w.no_contact_person) }
                        }
                    }
                    dt { (w.consent) }
                    dd {
                        @if r.consent_given { (w.consent_given) } @else { span.badge.red { (w.consent_missing) } }
                    }
                    dt { (w.registered_on) } dd { (r.registered_on.to_string()) }
                },
            }
        }
    }
}

/// The badge class of a deadline's level: the board's colours.
pub fn level_class(level: Level) -> &'static str {
    match level {
        Level::OnTime => "badge green",
        Level::DueSoon => "badge amber",
        Level::Urgent | Level::Late => "badge red",
    }
}

fn open_orders(ctx: &Ctx, orders: &[WorkOrder]) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    let mut open: Vec<&WorkOrder> = orders.iter().filter(|o| o.is_open()).collect();
    open.sort_by_key(|o| next_deadline(o).map(|d| d.due_at));
    html! {
        section.panel aria-labelledby="orders" {
            h2 #orders { (w.open_orders) }
            @if open.is_empty() {
                p.muted { (w.no_open_orders) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.order_number) }
                        th scope="col" { (w.order_kind) }
                        th scope="col" { (w.order_status) }
                        th scope="col" { (w.order_reported) }
                        th scope="col" { (w.order_deadline) }
                    } }
                    tbody {
                        @for o in &open {
                            @let deadline = next_deadline(o);
                            @let lvl = deadline.as_ref().map(|d| level(o.reported_at, d.due_at, ctx.now));
                            tr class=[row_class(lvl)] {
                                td { (o.number) }
                                td { (o.kind.label().get(lang)) }
                                td { (o.status().label().get(lang)) }
                                td { (when(o.reported_at)) }
                                td {
                                    @match (&deadline, lvl) {
                                        (Some(d), Some(l)) => {
                                            ((w.milestone)(d.milestone)) " · " (when(d.due_at)) " "
                                            span class=(level_class(l)) { ((w.level)(l)) }
                                        }
                                        _ => { span.muted { (w.no_deadline) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row_class(level: Option<Level>) -> Option<&'static str> {
    match level? {
        Level::Late => Some("breach"),
        Level::Urgent | Level::DueSoon => Some("warn"),
        Level::OnTime => None,
    }
}

fn forms(ctx: &Ctx, file: &HouseholdFile) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    let mut sealed: Vec<_> = file.forms.iter().filter(|f| f.seal.is_some()).collect();
    sealed.sort_by(|a, b| {
        b.seal
            .as_ref()
            .map(|s| s.sealed_at)
            .cmp(&a.seal.as_ref().map(|s| s.sealed_at))
    });
    html! {
        section.panel aria-labelledby="forms" {
            h2 #forms { (w.forms) }
            @if sealed.is_empty() {
                p.muted { (w.no_forms) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.form_template) }
                        th scope="col" { (w.form_sealed_at) }
                        th scope="col" { (w.form_digest) }
                    } }
                    tbody {
                        @for f in &sealed {
                            @let template = file.template_of(f);
                            tr {
                                td {
                                    a href=(form_url(file.household.id, f.id)) {
                                        (template.as_ref().map(|t| t.title.get(lang).to_owned()).unwrap_or_else(|| f.template_id.clone()))
                                    }
                                }
                                td { (f.seal.as_ref().map(|s| when(s.sealed_at)).unwrap_or_default()) }
                                td {
                                    @match template.as_ref().map(|t| verify(f, t).is_ok()) {
                                        Some(true) => span.badge.green { (w.digest_verified) },
                                        Some(false) => span.badge.red { (w.digest_mismatch) },
                                        None => span.muted { "—" },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One line of the history.
struct Line {
    at: DateTime<Utc>,
    text: String,
    link: Option<String>,
    flagged: bool,
}

fn history_lines(ctx: &Ctx, file: &HouseholdFile) -> Vec<Line> {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    let id = file.household.id;
    let mut lines = Vec::new();
    let line = |at, text: String| Line {
        at,
        text,
        link: None,
        flagged: false,
    };
    // The timeline lines the phones and the server wrote; orders, readings and check-ins are
    // drawn from their own records below.
    let derived = [
        HistoryKind::WorkOrder,
        HistoryKind::WorkOrderStatus,
        HistoryKind::MeterReading,
        HistoryKind::CheckIn,
    ];
    let mut forms_named = std::collections::HashSet::new();
    for l in file.lines.iter().filter(|l| !derived.contains(&l.kind)) {
        let form = l
            .subject_id
            .as_deref()
            .and_then(|s| file.forms.iter().find(|f| f.id.to_string() == s));
        if let Some(f) = form {
            forms_named.insert(f.id);
        }
        lines.push(Line {
            link: form.map(|f| form_url(id, f.id)),
            ..line(l.at, l.summary.get(lang).to_owned())
        });
    }
    for f in &file.forms {
        if let (Some(seal), false) = (&f.seal, forms_named.contains(&f.id)) {
            let title = file
                .template_of(f)
                .map(|t| t.title.get(lang).to_owned())
                .unwrap_or_else(|| f.template_id.clone());
            lines.push(Line {
                link: Some(form_url(id, f.id)),
                ..line(seal.sealed_at, (w.form_sealed)(&title))
            });
        }
    }
    for o in &file.orders {
        lines.push(line(
            o.reported_at,
            (w.order_opened)(&o.number, o.kind.label().get(lang)),
        ));
        for step in o.steps.iter().filter(|s| s.status != WorkOrderStatus::New) {
            lines.push(line(
                step.at,
                (w.order_step)(&o.number, step.status.label().get(lang)),
            ));
        }
    }
    for r in &file.readings {
        lines.push(line(r.taken_at, (w.reading)(&r.value.to_string())));
    }
    for c in &file.check_ins {
        lines.push(Line {
            flagged: c.check_in.flagged(),
            ..line(c.at, check_in_text(ctx.lang, &c.check_in))
        });
    }
    for c in &file.complaints {
        lines.push(line(
            c.received_at,
            (w.complaint)(&c.number, (w.complaint_status)(c.status())),
        ));
    }
    for c in &file.calls {
        let mut text = (w.call)((w.call_kind)(c.kind));
        if let CallOutcome::Answered(answer) = &c.outcome {
            text = format!("{text} · {answer}");
        }
        lines.push(line(c.at, format!("{text} · {}", c.summary)));
    }
    for o in &file.outages {
        match o.notifications.iter().find(|n| n.household_id == id) {
            Some(n) => lines.push(line(n.at, (w.outage_told)(&o.title))),
            None => lines.push(Line {
                flagged: o.starts_at <= ctx.now,
                ..line(o.created_at, (w.outage_not_told)(&o.title))
            }),
        }
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.at));
    lines
}

/// A check-in in words: where it was, judged by the core's rule.
pub fn check_in_text(lang: Lang, c: &CheckIn) -> String {
    let w = &lang.words().household;
    let distance = c.distance_m.unwrap_or_default();
    match c.verdict {
        CheckInVerdict::AtAddress => (w.check_in_at_address)(distance),
        CheckInVerdict::FarFromAddress { .. } => (w.check_in_far)(distance),
        CheckInVerdict::PositionTooImprecise => (w.check_in_imprecise)(c.accuracy_m),
        CheckInVerdict::AddressNotLocated => w.check_in_unlocated.to_owned(),
    }
}

fn history(ctx: &Ctx, file: &HouseholdFile) -> Markup {
    let w = &ctx.words().household;
    let lines = history_lines(ctx, file);
    let shown = lines.len().min(HISTORY_SHOWN);
    html! {
        section.panel aria-labelledby="history" {
            h2 #history { (w.history) }
            p.muted { ((w.history_count)(shown, lines.len())) }
            table {
                thead { tr {
                    th scope="col" { (w.when) }
                    th scope="col" { (w.what) }
                } }
                tbody {
                    @for l in lines.iter().take(HISTORY_SHOWN) {
                        tr class=[l.flagged.then_some("warn")] {
                            td { (when(l.at)) }
                            td {
                                @match &l.link {
                                    Some(href) => a href=(href) { (l.text) },
                                    None => { (l.text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
