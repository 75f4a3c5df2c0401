//! The special-groups page (issue 26): the register of users registered for priority service
//! at home (老弱病残, Art.7(7)), by district, each with their consent date, needs and contact
//! person, their open service orders with the next deadline of each (the core's clocks and
//! levels; a special-group home visit has its own) and their last home visit.
//!
//! - A dispatcher sees their own districts; supervisors and administrators the whole city.
//! - The register names people: each view of it is audited once (`special_register_viewed`).
//! - The core has no rule for how often a registered person must be visited, so the page shows
//!   each one's last home visit and does not judge it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use chrono::{DateTime, Utc};
use doorstep_core::app::clock::{Level, level};
use doorstep_core::app::format;
use doorstep_core::app::screens::order::milestone_label;
use doorstep_core::household::{Household, SpecialGroup};
use doorstep_core::ids::{DistrictId, HouseholdId};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::deadline::{Deadline, Milestone, next_deadline};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::inspections::{Scope, districts_of, each};
use crate::api::AppState;
use crate::console::layout::{Nav, page, when};
use crate::console::words::special::Special;
use crate::console::{ConsoleError, Ctx, Lang, Role};

/// Registered people on one page.
pub const PAGE_SIZE: usize = 50;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/special", get(show))
}

/// One registered household on the register.
#[derive(Debug, Clone)]
pub struct Entry {
    pub household: Household,
    /// Its open orders, the most pressing first.
    pub orders: Vec<OpenOrder>,
    /// When a crew last reached it for a special-group home service.
    pub last_visit: Option<DateTime<Utc>>,
}

/// An open order of a registered household.
#[derive(Debug, Clone)]
pub struct OpenOrder {
    pub number: String,
    pub kind: WorkOrderKind,
    /// The earliest deadline not yet met, if the order has a clock running.
    pub next: Option<Deadline>,
    /// When that deadline's clock started.
    pub from: DateTime<Utc>,
}

impl OpenOrder {
    fn of(order: &WorkOrder) -> OpenOrder {
        let next = next_deadline(order);
        // As the core's order screen counts it: a major fault's clocks run from its raise.
        let from = match next.as_ref().map(|d| d.milestone) {
            Some(Milestone::EmergencyOnSite | Milestone::LeadershipReport) => {
                order.major_since().unwrap_or(order.reported_at)
            }
            _ => order.reported_at,
        };
        OpenOrder {
            number: order.number.clone(),
            kind: order.kind,
            next,
            from,
        }
    }

    /// The level of its next deadline at `now` (`None`: no clock running).
    pub fn level(&self, now: DateTime<Utc>) -> Option<Level> {
        self.next.as_ref().map(|d| level(self.from, d.due_at, now))
    }

    fn due_at(&self) -> Option<DateTime<Utc>> {
        self.next.as_ref().map(|d| d.due_at)
    }
}

/// The register of `households` (those registered), with their orders among `orders`: those
/// with a running clock first, the earliest deadline first; then by customer number.
pub fn register(
    households: Vec<Household>,
    orders: impl IntoIterator<Item = WorkOrder>,
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = households
        .into_iter()
        .filter(|h| h.special_group.is_some())
        .map(|household| Entry {
            household,
            orders: Vec::new(),
            last_visit: None,
        })
        .collect();
    let at: HashMap<HouseholdId, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.household.id, i))
        .collect();
    for order in orders {
        let Some(&i) = order.household_id.as_ref().and_then(|h| at.get(h)) else {
            continue;
        };
        let entry = &mut entries[i];
        if order.kind == WorkOrderKind::SpecialGroupService
            && let Some(visited) = order.reached(WorkOrderStatus::OnSite)
        {
            entry.last_visit = entry.last_visit.max(Some(visited));
        }
        if order.is_open() {
            entry.orders.push(OpenOrder::of(&order));
        }
    }
    for entry in &mut entries {
        entry
            .orders
            .sort_by_key(|o| (o.due_at().is_none(), o.due_at(), o.number.clone()));
    }
    entries.sort_by(|a, b| {
        let first = |e: &Entry| e.orders.first().and_then(OpenOrder::due_at);
        (first(a).is_none(), first(a), &a.household.customer_number).cmp(&(
            first(b).is_none(),
            first(b),
            &b.household.customer_number,
        ))
    });
    entries
}

#[derive(Debug, Deserialize)]
struct RegisterQuery {
    district: Option<String>,
    page: Option<String>,
}

async fn show(ctx: Ctx, Query(q): Query<RegisterQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let scope = Scope::parse(q.district.as_deref())?;
    scope.check(&ctx)?;
    let page_no = match q.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ConsoleError::Invalid {
                field: "page".to_owned(),
                zh: Lang::Zh.words().special.bad_page.to_owned(),
                en: Lang::En.words().special.bad_page.to_owned(),
            })?,
    };
    let staff = ctx.staff.clone();
    let (districts, entries) = ctx
        .read(move |tx| {
            let districts = districts_of(tx, &staff)?;
            let mut registered = Vec::new();
            each(tx, Entity::Household, |h: Household| {
                if h.special_group.is_some() && scope.takes(&staff, h.district_id) {
                    registered.push(h);
                }
            })?;
            let mut orders = Vec::new();
            if !registered.is_empty() {
                each(tx, Entity::WorkOrder, |o: WorkOrder| {
                    if o.household_id.is_some() {
                        orders.push(o);
                    }
                })?;
            }
            Ok((districts, register(registered, orders)))
        })
        .await?;
    let audited = match scope {
        Scope::All => "all".to_owned(),
        other => other.as_param(),
    };
    let row = ctx.audit_row("special_register_viewed", "special_register", &audited);
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;

    let w = &ctx.words().special;
    let names: HashMap<DistrictId, String> =
        districts.iter().map(|d| (d.id, d.name.clone())).collect();
    let pages = entries.len().div_ceil(PAGE_SIZE).max(1);
    let page_no = page_no.min(pages);
    let shown = entries
        .iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE);
    let page_url = |n: usize| {
        let mut url = format!("/console/special?page={n}");
        if scope != Scope::All {
            url.push_str(&format!("&district={}", scope.as_param()));
        }
        url
    };
    let content = html! {
        form.filters method="get" action="/console/special" {
            div {
                label for="district" { (w.district) }
                select #district name="district" {
                    option value="" { (w.all_districts) }
                    @for d in &districts {
                        option value=(d.id) selected[scope == Scope::District(d.id)] { (d.name) }
                    }
                    @if ctx.staff.whole_city() {
                        option value="none" selected[scope == Scope::NoDistrict] { (w.no_district) }
                    }
                }
            }
            button type="submit" { (w.show) }
        }
        p.muted { (w.intro) }
        p { strong { ((w.count)(entries.len())) } " · " ((w.page)(page_no, pages)) }
        table {
            thead {
                tr {
                    th scope="col" { (w.customer_number) }
                    th scope="col" { (w.name) " · " (w.address) }
                    th scope="col" { (w.groups) }
                    th scope="col" { (w.registered) }
                    th scope="col" { (w.needs) }
                    th scope="col" { (w.contact) }
                    th scope="col" { (w.open_orders) }
                    th scope="col" { (w.last_visit) }
                }
            }
            tbody {
                @for e in shown {
                    (entry_row(&ctx, w, &names, e))
                }
            }
        }
        nav.filters aria-label=((w.page)(page_no, pages)) {
            @if page_no > 1 {
                a href=(page_url(page_no - 1)) rel="prev" { (w.previous_page) }
            }
            @if page_no < pages {
                a href=(page_url(page_no + 1)) rel="next" { (w.next_page) }
            }
        }
    };
    Ok(page(&ctx, Nav::Special, w.title, content))
}

fn entry_row(ctx: &Ctx, w: &Special, names: &HashMap<DistrictId, String>, e: &Entry) -> Markup {
    let h = &e.household;
    let Some(reg) = &h.special_group else {
        return html! {};
    };
    let worst = e.orders.iter().filter_map(|o| o.level(ctx.now)).max();
    let groups: Vec<&str> = reg.groups.iter().map(|g| group(w, *g)).collect();
    let district = h
        .district_id
        .and_then(|d| names.get(&d).cloned())
        .unwrap_or_else(|| w.no_district.to_owned());
    html! {
        tr.breach[worst == Some(Level::Late)] .warn[worst == Some(Level::Urgent)] {
            td { a href=(format!("/console/households/{}", h.id)) { (h.customer_number) } }
            td {
                (h.name) br;
                span.muted { (h.address.one_line()) " · " (district) }
            }
            td { (groups.join(w.separator)) }
            td { (reg.registered_on.format("%Y-%m-%d")) }
            td { (reg.needs) }
            td {
                @match &reg.contact {
                    Some(c) => { (c.name) " (" (c.relation) ") " (c.phone.as_str()) }
                    None => { span.muted { (w.no_contact) } }
                }
            }
            td {
                @if e.orders.is_empty() {
                    span.muted { (w.no_open_orders) }
                }
                @for o in &e.orders {
                    div { (open_order(ctx, w, o)) }
                }
            }
            td {
                @match e.last_visit {
                    Some(at) => { (when(at)) }
                    None => { span.muted { (w.never_visited) } }
                }
            }
        }
    }
}

fn open_order(ctx: &Ctx, w: &Special, o: &OpenOrder) -> Markup {
    let lang = ctx.lang.core();
    html! {
        (o.number) " " (o.kind.label().get(lang)) " · "
        @match (&o.next, o.level(ctx.now)) {
            (Some(d), Some(l)) => {
                (milestone_label(d.milestone).get(lang)) " " (when(d.due_at)) " "
                span.badge.(level_class(l)) {
                    (level_word(w, l)) " · " (format::remaining(d.due_at - ctx.now, lang))
                }
            }
            _ => { span.muted { (w.no_clock) } }
        }
    }
}

fn level_class(l: Level) -> &'static str {
    match l {
        Level::OnTime => "green",
        Level::DueSoon => "amber",
        Level::Urgent | Level::Late => "red",
    }
}

fn level_word(w: &Special, l: Level) -> &'static str {
    match l {
        Level::OnTime => w.level_on_time,
        Level::DueSoon => w.level_due_soon,
        Level::Urgent => w.level_urgent,
        Level::Late => w.level_late,
    }
}

fn group(w: &Special, g: SpecialGroup) -> &'static str {
    match g {
        SpecialGroup::Elderly => w.elderly,
        SpecialGroup::Weak => w.weak,
        SpecialGroup::Sick => w.sick,
        SpecialGroup::Disabled => w.disabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate, TimeZone};
    use doorstep_core::household::{Address, SpecialGroupRegistration};
    use doorstep_core::workorder::WorkOrderSource;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, 0, 0).unwrap()
    }

    fn person(n: &str, registered: bool) -> Household {
        let mut h = doorstep_core::testkit::household(n, "住户", "13900000000", Address::default());
        if registered {
            h.special_group = Some(SpecialGroupRegistration {
                groups: vec![SpecialGroup::Elderly],
                needs: "行动不便".into(),
                contact: None,
                consent_given: true,
                registered_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            });
        }
        h
    }

    fn order(n: &str, kind: WorkOrderKind, h: &Household, reported: DateTime<Utc>) -> WorkOrder {
        WorkOrder::open(n, kind, WorkOrderSource::Phone, Some(h.id), "", reported)
    }

    #[test]
    fn the_register_puts_the_nearest_home_visit_deadline_first_and_keeps_the_last_visit() {
        let (old, waiting, calm) = (
            person("HZ3", true),
            person("HZ2", true),
            person("HZ1", true),
        );
        let other = person("HZ0", false);
        let mut visited = order("V1", WorkOrderKind::SpecialGroupService, &old, at(1));
        visited
            .advance(WorkOrderStatus::OnSite, at(2), None)
            .unwrap();
        visited
            .advance(WorkOrderStatus::Resolved, at(3), None)
            .unwrap();
        let orders = vec![
            visited,
            order("V2", WorkOrderKind::SpecialGroupService, &waiting, at(4)),
            order("V3", WorkOrderKind::SpecialGroupService, &old, at(5)),
            order("V4", WorkOrderKind::SpecialGroupService, &other, at(0)),
        ];
        let entries = register(
            vec![calm.clone(), waiting.clone(), old.clone(), other],
            orders,
        );
        let numbers: Vec<&str> = entries
            .iter()
            .map(|e| e.household.customer_number.as_str())
            .collect();
        assert_eq!(numbers, ["HZ2", "HZ3", "HZ1"]);
        let first = &entries[0].orders[0];
        assert_eq!(first.number, "V2");
        let due = first.next.as_ref().unwrap();
        assert_eq!(due.milestone, Milestone::SpecialGroupVisit);
        // The special-group visit's own clock: 24 hours by default.
        assert_eq!(due.due_at, at(4) + Duration::hours(24));
        assert_eq!(first.level(at(5)), Some(Level::OnTime));
        assert_eq!(first.level(at(4) + Duration::hours(25)), Some(Level::Late));
        assert_eq!(entries[1].last_visit, Some(at(2)));
        assert_eq!(entries[1].orders.len(), 1);
        assert!(entries[2].orders.is_empty());
    }
}
