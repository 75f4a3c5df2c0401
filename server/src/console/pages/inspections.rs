//! The inspections page (issue 26): households due and overdue for their periodic safety
//! inspection (Art.7(5)), by district and month, and this year's coverage per district.
//!
//! - When a household is due is the core's rule ([`next_inspection_due`]): residential users
//!   every 2 years, others every year, counted from the last signed inspection or gas-on; only
//!   a household receiving gas is inspected (the rule answers `None` for the others).
//! - The table counts this month and the next 11, plus "overdue" (due before today); each
//!   count links to its list (`/console/inspections/list?district=…&month=YYYY-MM|overdue`),
//!   paginated, which can be exported as CSV (UTF-8 with a BOM, for Excel; audited `export`).
//! - Coverage this year: the core has no definition, so the console counts the households
//!   inspected this year against those plus the ones still due by the end of the year (or
//!   overdue). A household inspected this year is due again next year at the earliest, so the
//!   two never overlap.
//! - A dispatcher sees and filters their own districts; supervisors and administrators the
//!   whole city, its total and the households of no district.
//!
//! Every request reads every household's stored JSON (there is no index of due dates): the
//! figure for 100,000 households is in the report of issue 26's inspections part.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::household::{Category, Household};
use doorstep_core::ids::{DistrictId, HouseholdId};
use doorstep_core::schedule::inspection::{
    InspectionPolicy, NEVER_INSPECTED_DUE, next_inspection_due,
};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::District;
use maud::{Markup, html};
use serde::Deserialize;

use crate::api::AppState;
use crate::console::layout::{Nav, page, when};
use crate::console::words::inspections::Inspections;
use crate::console::{ConsoleError, Ctx, Lang, Role, Staff};
use crate::records::decode;
use crate::storage::Tx;

/// How many months the table shows, this one included.
pub const MONTHS: usize = 12;
/// Households on one page of a list.
pub const PAGE_SIZE: usize = 50;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/inspections", get(show))
        .route("/console/inspections/list", get(list))
        .route("/console/inspections/export", get(export))
}

/// One district's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Due before today.
    pub overdue: usize,
    /// Due in this month (from today) and each of the next 11.
    pub months: [usize; MONTHS],
    /// Inspected (signed) this year.
    pub inspected: usize,
    /// Due by the end of this year, overdue included, and not inspected this year.
    pub still_due: usize,
}

impl Tally {
    /// Counts `h` as it stands on `today` (a household not inspected counts nowhere).
    pub fn add(&mut self, h: &Household, today: NaiveDate) {
        let Some(due) = due_on(h) else { return };
        match Cell::of(due, today) {
            Some(Cell::Overdue) => self.overdue += 1,
            Some(Cell::Month(month)) => {
                if let Some(i) = months_between(month_start(today), month) {
                    self.months[i] += 1;
                }
            }
            None => {}
        }
        if h.last_inspection_at
            .is_some_and(|at| local_date(at).year() == today.year())
        {
            self.inspected += 1;
        }
        if due.year() <= today.year() {
            self.still_due += 1;
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.overdue += other.overdue;
        for (mine, theirs) in self.months.iter_mut().zip(other.months) {
            *mine += theirs;
        }
        self.inspected += other.inspected;
        self.still_due += other.still_due;
    }

    /// Inspected this year out of those to be inspected this year, in per mille; `None` when
    /// nobody was or is to be.
    pub fn coverage_per_mille(&self) -> Option<usize> {
        let base = self.inspected + self.still_due;
        (base > 0).then(|| (self.inspected * 1000 + base / 2) / base)
    }
}

/// The core's due date of `h` (`None`: not inspected, e.g. gas not on).
pub fn due_on(h: &Household) -> Option<NaiveDate> {
    next_inspection_due(
        h.category,
        &h.supply,
        h.last_inspection_at,
        h.gas_on_date,
        &InspectionPolicy::default(),
    )
}

/// A cell of the table: a column (overdue, or a month) whose households a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Overdue,
    /// Due in this month (its first day), on or after today.
    Month(NaiveDate),
}

impl Cell {
    /// The cell a household due on `due` falls in, on `today`.
    pub fn of(due: NaiveDate, today: NaiveDate) -> Option<Cell> {
        if due < today {
            Some(Cell::Overdue)
        } else {
            Some(Cell::Month(month_start(due)))
        }
    }

    /// `overdue` or `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Cell> {
        if text == "overdue" {
            return Some(Cell::Overdue);
        }
        NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
            .ok()
            .map(Cell::Month)
    }

    pub fn as_param(self) -> String {
        match self {
            Cell::Overdue => "overdue".to_owned(),
            Cell::Month(m) => m.format("%Y-%m").to_string(),
        }
    }

    fn label(self, w: &Inspections) -> String {
        match self {
            Cell::Overdue => w.overdue.to_owned(),
            Cell::Month(m) => (w.month)(m),
        }
    }
}

fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Which column (0: the first) `month` is, counted from `first`, if it is shown.
fn months_between(first: NaiveDate, month: NaiveDate) -> Option<usize> {
    let n = (month.year() - first.year()) * 12 + month.month() as i32 - first.month() as i32;
    usize::try_from(n).ok().filter(|n| *n < MONTHS)
}

/// Which households: one district, none (outside every district), or all the person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    District(DistrictId),
    NoDistrict,
}

impl Scope {
    pub(crate) fn parse(text: Option<&str>) -> Result<Scope, ConsoleError> {
        match text.map(str::trim).unwrap_or("") {
            "" => Ok(Scope::All),
            "none" => Ok(Scope::NoDistrict),
            id => id
                .parse()
                .map(Scope::District)
                .map_err(|_| invalid("district", |w| w.bad_district)),
        }
    }

    /// Refuses a dispatcher another district's households.
    pub(crate) fn check(self, ctx: &Ctx) -> Result<(), ConsoleError> {
        match self {
            Scope::All => Ok(()),
            Scope::District(d) => ctx.may_see(Some(d)),
            Scope::NoDistrict => ctx.may_see(None),
        }
    }

    pub(crate) fn takes(self, staff: &Staff, district: Option<DistrictId>) -> bool {
        staff.covers(district)
            && match self {
                Scope::All => true,
                Scope::District(d) => district == Some(d),
                Scope::NoDistrict => district.is_none(),
            }
    }

    pub(crate) fn as_param(self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::District(d) => d.to_string(),
            Scope::NoDistrict => "none".to_owned(),
        }
    }
}

fn invalid(field: &str, say: fn(&Inspections) -> &'static str) -> ConsoleError {
    ConsoleError::Invalid {
        field: field.to_owned(),
        zh: say(&Lang::Zh.words().inspections).to_owned(),
        en: say(&Lang::En.words().inspections).to_owned(),
    }
}

/// Calls `f` with every stored record of `entity`, a page of records at a time.
pub(crate) fn each<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: Entity,
    mut f: impl FnMut(T),
) -> crate::error::Result<()> {
    let mut after = String::new();
    loop {
        let page = tx.records(entity, &after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            f(decode(record)?);
        }
    }
    Ok(())
}

fn each_household(tx: &mut dyn Tx, f: impl FnMut(Household)) -> crate::error::Result<()> {
    each(tx, Entity::Household, f)
}

/// The districts `staff` sees, by name.
pub(crate) fn districts_of(tx: &mut dyn Tx, staff: &Staff) -> crate::error::Result<Vec<District>> {
    let mut all: Vec<District> = Vec::new();
    each(tx, Entity::District, |d: District| {
        if staff.covers(Some(d.id)) {
            all.push(d);
        }
    })?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

#[derive(Debug, Deserialize)]
struct PlanQuery {
    district: Option<String>,
}

async fn show(ctx: Ctx, Query(q): Query<PlanQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let scope = Scope::parse(q.district.as_deref())?;
    scope.check(&ctx)?;
    let today = local_date(ctx.now);
    let staff = ctx.staff.clone();
    let (districts, tallies) = ctx
        .read(move |tx| {
            let districts = districts_of(tx, &staff)?;
            let mut tallies: BTreeMap<Option<DistrictId>, Tally> = BTreeMap::new();
            each_household(tx, |h| {
                if scope.takes(&staff, h.district_id) {
                    tallies.entry(h.district_id).or_default().add(&h, today);
                }
            })?;
            Ok((districts, tallies))
        })
        .await?;
    let w = &ctx.words().inspections;
    let mut rows: Vec<(Scope, String, Tally)> = districts
        .iter()
        .filter(|d| scope == Scope::All || scope == Scope::District(d.id))
        .map(|d| {
            let tally = tallies.get(&Some(d.id)).cloned().unwrap_or_default();
            (Scope::District(d.id), d.name.clone(), tally)
        })
        .collect();
    // Households of a district no longer on file, or of none: the whole city's.
    let known: Vec<Option<DistrictId>> = districts.iter().map(|d| Some(d.id)).collect();
    let mut elsewhere = Tally::default();
    for (district, tally) in &tallies {
        if !known.contains(district) {
            elsewhere.merge(tally);
        }
    }
    if elsewhere != Tally::default() {
        rows.push((Scope::NoDistrict, w.no_district.to_owned(), elsewhere));
    }
    let total = (ctx.staff.whole_city() && scope == Scope::All).then(|| {
        let mut total = Tally::default();
        for (_, _, t) in &rows {
            total.merge(t);
        }
        total
    });
    let first = month_start(today);
    let months: Vec<NaiveDate> = (0..MONTHS as u32)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .collect();
    let content = html! {
        form.filters method="get" action="/console/inspections" {
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
        p.muted { (w.counted) }
        section.panel aria-labelledby="by-month" {
            h2 #by-month { (w.by_month) }
            table {
                thead {
                    tr {
                        th scope="col" { (w.district) }
                        th scope="col" { (w.overdue) }
                        @for m in &months { th scope="col" { ((w.month)(*m)) } }
                    }
                }
                tbody {
                    @for (row_scope, name, tally) in &rows {
                        (due_row(*row_scope, name, tally, &months, false))
                    }
                    @if let Some(total) = &total {
                        (due_row(Scope::All, w.city_total, total, &months, true))
                    }
                }
            }
        }
        section.panel aria-labelledby="coverage" {
            h2 #coverage { (w.coverage) }
            p.muted { ((w.coverage_rule)(today.year())) }
            table {
                thead {
                    tr {
                        th scope="col" { (w.district) }
                        th scope="col" { (w.inspected_this_year) }
                        th scope="col" { (w.still_due_this_year) }
                        th scope="col" { (w.coverage_share) }
                    }
                }
                tbody {
                    @for (_, name, tally) in &rows {
                        (coverage_row(w, name, tally, false))
                    }
                    @if let Some(total) = &total {
                        (coverage_row(w, w.city_total, total, true))
                    }
                }
            }
        }
    };
    Ok(page(&ctx, Nav::Inspections, w.title, content))
}

fn due_row(scope: Scope, name: &str, tally: &Tally, months: &[NaiveDate], total: bool) -> Markup {
    let cell = |cell: Cell, n: usize| {
        html! {
            td {
                @if n == 0 {
                    span.muted { "0" }
                } @else {
                    a href=(list_url(scope, cell, 1)) { (n) }
                }
            }
        }
    };
    html! {
        tr {
            th scope="row" {
                @if total { strong { (name) } } @else { (name) }
            }
            @if tally.overdue > 0 {
                td { a.badge.red href=(list_url(scope, Cell::Overdue, 1)) { (tally.overdue) } }
            } @else {
                (cell(Cell::Overdue, 0))
            }
            @for (m, n) in months.iter().zip(tally.months) { (cell(Cell::Month(*m), n)) }
        }
    }
}

fn coverage_row(w: &Inspections, name: &str, tally: &Tally, total: bool) -> Markup {
    html! {
        tr {
            th scope="row" {
                @if total { strong { (name) } } @else { (name) }
            }
            td { (tally.inspected) }
            td { (tally.still_due) }
            td {
                @match tally.coverage_per_mille() {
                    Some(pm) => { (format!("{}.{}%", pm / 10, pm % 10)) }
                    None => { span.muted { (w.no_coverage) } }
                }
            }
        }
    }
}

fn list_url(scope: Scope, cell: Cell, page: usize) -> String {
    let mut url = format!("/console/inspections/list?month={}", cell.as_param());
    if scope != Scope::All {
        url.push_str(&format!("&district={}", scope.as_param()));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

fn export_url(scope: Scope, cell: Cell) -> String {
    let mut url = format!("/console/inspections/export?month={}", cell.as_param());
    if scope != Scope::All {
        url.push_str(&format!("&district={}", scope.as_param()));
    }
    url
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    district: Option<String>,
    month: Option<String>,
    page: Option<String>,
}

/// A household on a list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: HouseholdId,
    pub customer_number: String,
    pub name: String,
    pub address: String,
    pub district: Option<DistrictId>,
    pub category: Category,
    pub last_inspection_at: Option<DateTime<Utc>>,
    pub due: NaiveDate,
}

/// The households of one cell, by due date then customer number (as the core sorts overdue
/// households).
fn select(
    tx: &mut dyn Tx,
    staff: &Staff,
    scope: Scope,
    cell: Cell,
    today: NaiveDate,
) -> crate::error::Result<Vec<Listed>> {
    let mut listed = Vec::new();
    each_household(tx, |h| {
        if !scope.takes(staff, h.district_id) {
            return;
        }
        let Some(due) = due_on(&h) else { return };
        if Cell::of(due, today) != Some(cell) {
            return;
        }
        listed.push(Listed {
            id: h.id,
            address: h.address.one_line(),
            customer_number: h.customer_number,
            name: h.name,
            district: h.district_id,
            category: h.category,
            last_inspection_at: h.last_inspection_at,
            due,
        });
    })?;
    listed.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.customer_number.cmp(&b.customer_number))
    });
    Ok(listed)
}

/// What a list request asks for, checked against the person's districts.
fn list_request(ctx: &Ctx, q: &ListQuery) -> Result<(Scope, Cell, usize), ConsoleError> {
    let scope = Scope::parse(q.district.as_deref())?;
    scope.check(ctx)?;
    let cell = Cell::parse(q.month.as_deref().unwrap_or("overdue"))
        .ok_or_else(|| invalid("month", |w| w.bad_month))?;
    let page = match q.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid("page", |w| w.bad_page))?,
    };
    Ok((scope, cell, page))
}

/// The name of the scope's district (or "all", or "none").
fn scope_name(w: &Inspections, districts: &[District], scope: Scope) -> String {
    match scope {
        Scope::All => w.all_districts.to_owned(),
        Scope::NoDistrict => w.no_district.to_owned(),
        Scope::District(id) => districts
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| id.to_string(), |d| d.name.clone()),
    }
}

fn audit_id(scope: Scope, cell: Cell) -> String {
    let district = match scope {
        Scope::All => "all".to_owned(),
        other => other.as_param(),
    };
    format!("{}/{}", district, cell.as_param())
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (scope, cell, page_no) = list_request(&ctx, &q)?;
    let today = local_date(ctx.now);
    let staff = ctx.staff.clone();
    let (districts, listed) = ctx
        .read(move |tx| {
            let districts = districts_of(tx, &staff)?;
            Ok((districts, select(tx, &staff, scope, cell, today)?))
        })
        .await?;
    // Names and addresses of households: the reading is audited once per list shown.
    let row = ctx.audit_row(
        "inspection_list_viewed",
        "inspection_list",
        &audit_id(scope, cell),
    );
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let w = &ctx.words().inspections;
    let pages = listed.len().div_ceil(PAGE_SIZE).max(1);
    let page_no = page_no.min(pages);
    let shown = listed
        .iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE);
    let title = (w.list_title)(&scope_name(w, &districts, scope), &cell.label(w));
    let content = html! {
        p {
            a href="/console/inspections" { (w.back_to_plan) }
            " · "
            a href=(export_url(scope, cell)) download { (w.export_csv) }
        }
        p { strong { ((w.count)(listed.len())) } " · " ((w.page)(page_no, pages)) }
        table {
            thead {
                tr {
                    th scope="col" { (w.customer_number) }
                    th scope="col" { (w.name) }
                    th scope="col" { (w.address) }
                    th scope="col" { (w.category) }
                    th scope="col" { (w.last_inspection) }
                    th scope="col" { (w.due_on) }
                }
            }
            tbody {
                @for h in shown {
                    tr.breach[cell == Cell::Overdue] {
                        td { a href=(format!("/console/households/{}", h.id)) { (h.customer_number) } }
                        td { (h.name) }
                        td { (h.address) }
                        td { (category(w, h.category)) }
                        td { (last_inspection(w, h.last_inspection_at)) }
                        td { (due_text(w, h.due)) }
                    }
                }
            }
        }
        nav.filters aria-label=((w.page)(page_no, pages)) {
            @if page_no > 1 {
                a href=(list_url(scope, cell, page_no - 1)) rel="prev" { (w.previous_page) }
            }
            @if page_no < pages {
                a href=(list_url(scope, cell, page_no + 1)) rel="next" { (w.next_page) }
            }
        }
    };
    Ok(page(&ctx, Nav::Inspections, &title, content))
}

async fn export(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (scope, cell, _) = list_request(&ctx, &q)?;
    let today = local_date(ctx.now);
    let staff = ctx.staff.clone();
    let (districts, listed) = ctx
        .read(move |tx| {
            let districts = districts_of(tx, &staff)?;
            Ok((districts, select(tx, &staff, scope, cell, today)?))
        })
        .await?;
    let row = ctx.audit_row("export", "inspection_list", &audit_id(scope, cell));
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let w = &ctx.words().inspections;
    let body = csv(w, &districts, &listed);
    let file = format!("{}-{}.csv", w.file_name, cell.as_param());
    let disposition = format!(
        "attachment; filename=\"inspections-{}.csv\"; filename*=UTF-8''{}",
        cell.as_param(),
        percent_encoded(&file)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The list as CSV: UTF-8 with a byte-order mark (so that Excel reads the Chinese), every field
/// quoted, and a field a spreadsheet would take for a formula made plain text.
pub fn csv(w: &Inspections, districts: &[District], listed: &[Listed]) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |fields: &[&str]| {
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    };
    line(&[
        w.customer_number,
        w.name,
        w.address,
        w.district,
        w.category,
        w.last_inspection,
        w.due_on,
    ]);
    for h in listed {
        let district = match h.district {
            Some(id) => scope_name(w, districts, Scope::District(id)),
            None => w.no_district.to_owned(),
        };
        line(&[
            &h.customer_number,
            &h.name,
            &h.address,
            &district,
            category(w, h.category),
            &last_inspection(w, h.last_inspection_at),
            &due_text(w, h.due),
        ]);
    }
    out
}

fn csv_field(text: &str) -> String {
    let plain = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", plain.replace('"', "\"\""))
}

fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn category(w: &Inspections, c: Category) -> &'static str {
    match c {
        Category::Residential => w.residential,
        Category::Commercial => w.commercial,
        Category::Industrial => w.industrial,
        Category::Heating => w.heating,
    }
}

fn last_inspection(w: &Inspections, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| w.not_recorded.to_owned(), when)
}

fn due_text(w: &Inspections, due: NaiveDate) -> String {
    if due == NEVER_INSPECTED_DUE {
        w.never_inspected.to_owned()
    } else {
        due.format("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use doorstep_core::household::{Address, SupplyStatus};
    use doorstep_core::schedule::inspection::{InspectionDue, inspection_due};
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Signed at 10:00 Beijing time on that day.
    fn signed(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        doorstep_core::calendar::service_timezone()
            .with_ymd_and_hms(y, m, d, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn household(
        n: u32,
        district: DistrictId,
        category: Category,
        last: Option<DateTime<Utc>>,
    ) -> Household {
        Household {
            district_id: Some(district),
            category,
            last_inspection_at: last,
            ..doorstep_core::testkit::household(
                &format!("HZ{n:04}"),
                "住户",
                "13900000000",
                Address::default(),
            )
        }
    }

    fn tally(households: &[Household], today: NaiveDate) -> BTreeMap<Option<DistrictId>, Tally> {
        let mut tallies: BTreeMap<Option<DistrictId>, Tally> = BTreeMap::new();
        for h in households {
            tallies.entry(h.district_id).or_default().add(h, today);
        }
        tallies
    }

    #[test]
    fn a_district_counts_its_households_due_by_month_overdue_and_covered_this_year() {
        use Category::*;
        let (a, b) = (DistrictId::new(), DistrictId::new());
        let today = date(2026, 12, 7);
        let mut never = household(7, a, Residential, None);
        never.gas_on_date = None;
        let mut shut = household(6, a, Residential, Some(signed(2020, 1, 1)));
        shut.supply = SupplyStatus::PermanentlyDisconnected {
            since: signed(2026, 2, 1),
        };
        let households = vec![
            // Residential every 2 years: due 2026-12-20, this month.
            household(1, a, Residential, Some(signed(2024, 12, 20))),
            // Due 2026-11-30: overdue.
            household(2, a, Residential, Some(signed(2024, 11, 30))),
            // Commercial every year, inspected this year: due 2027-03-14.
            household(3, a, Commercial, Some(signed(2026, 3, 14))),
            // Due today: this month, not overdue.
            household(4, a, Commercial, Some(signed(2025, 12, 7))),
            // Due 2027-01-10: next month.
            household(5, a, Residential, Some(signed(2025, 1, 10))),
            shut,
            never,
            // Inspected this year, due 2027-01-31.
            household(8, a, Industrial, Some(signed(2026, 1, 31))),
            // Due 2027-12-10: past the table's 12 months.
            household(9, a, Residential, Some(signed(2025, 12, 10))),
            household(10, b, Heating, Some(signed(2025, 6, 1))),
        ];
        let tallies = tally(&households, today);
        let mut months = [0; MONTHS];
        months[0] = 2;
        months[1] = 2;
        months[3] = 1;
        assert_eq!(
            tallies[&Some(a)],
            Tally {
                overdue: 2,
                months,
                inspected: 2,
                still_due: 4,
            }
        );
        assert_eq!(tallies[&Some(a)].coverage_per_mille(), Some(333));
        assert_eq!(
            tallies[&Some(b)],
            Tally {
                overdue: 1,
                months: [0; MONTHS],
                inspected: 0,
                still_due: 1,
            }
        );
        assert_eq!(tallies[&Some(b)].coverage_per_mille(), Some(0));
        assert_eq!(Tally::default().coverage_per_mille(), None);
    }

    #[test]
    fn a_cell_is_named_in_links_as_it_is_read_back() {
        for cell in [Cell::Overdue, Cell::Month(date(2027, 3, 1))] {
            assert_eq!(Cell::parse(&cell.as_param()), Some(cell));
        }
        assert_eq!(Cell::parse("2027-13"), None);
        assert_eq!(Cell::parse("soon"), None);
    }

    #[test]
    fn the_export_is_excel_readable_and_a_name_cannot_become_a_formula() {
        let w = &Lang::Zh.words().inspections;
        let listed = Listed {
            id: HouseholdId::new(),
            customer_number: "HZ0001".into(),
            name: "=HYPERLINK(\"x\")".into(),
            address: "文三路1栋".into(),
            district: None,
            category: Category::Residential,
            last_inspection_at: None,
            due: NEVER_INSPECTED_DUE,
        };
        let text = csv(w, &[], &[listed]);
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\"用户编号\",\"户名\",\"地址\",\"片区\",\"类别\",\"上次安检\",\"应检日期\""
        );
        assert_eq!(
            lines[1],
            "\"HZ0001\",\"'=HYPERLINK(\"\"x\"\")\",\"文三路1栋\",\"未划片区\",\"居民\",\"无记录\",\"从未安检\""
        );
    }

    proptest! {
        /// The table's columns say what the core says: overdue exactly when the core does, and
        /// otherwise the month of the due date.
        #[test]
        fn a_household_lands_in_the_column_of_its_core_due_date(
            days_ago in 0i64..1500,
            commercial in any::<bool>(),
            today_offset in 0i64..730,
        ) {
            let today = date(2026, 1, 1) + chrono::Duration::days(today_offset);
            let last = today - chrono::Duration::days(days_ago);
            let category = if commercial { Category::Commercial } else { Category::Residential };
            let mut h = household(1, DistrictId::new(), category, Some(signed(last.year(), last.month(), last.day())));
            h.gas_on_date = None;
            let due = due_on(&h).unwrap();
            let mut t = Tally::default();
            t.add(&h, today);
            let overdue = matches!(inspection_due(due, today), InspectionDue::Overdue { .. });
            prop_assert_eq!(t.overdue == 1, overdue);
            if !overdue {
                let shown = months_between(month_start(today), month_start(due));
                prop_assert_eq!(t.months.iter().sum::<usize>(), usize::from(shown.is_some()));
                if let Some(i) = shown {
                    prop_assert_eq!(t.months[i], 1);
                }
            }
            prop_assert_eq!(t.inspected, usize::from(last.year() == today.year()));
            prop_assert!(t.inspected + t.still_due <= 1);
        }
    }

    /// The figure of the report: the table's reading of a generated city of 100,000
    /// households (demo/world.rs) on SQLite, median of 5.
    #[test]
    #[ignore = "a measurement: cargo test --release -p doorstep-server --lib -- --ignored --nocapture a_city_of"]
    fn a_city_of_100000_households_is_counted_in_one_reading() {
        use crate::storage::{SqliteStorage, Storage};
        use doorstep_core::sync::protocol::Record;
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("city.sqlite")).unwrap();
        let today = date(2026, 12, 7);
        let world = crate::demo::world::generate(7, 100_000, today);
        crate::storage::write(&storage, |tx| {
            crate::records::put_from_office(tx, &Record::District(world.district.clone()))?;
            for h in &world.households {
                crate::records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
            }
            Ok(())
        })
        .unwrap();
        let staff = Staff {
            id: "s".into(),
            login: "s".into(),
            name: "s".into(),
            role: Role::Supervisor,
            districts: Vec::new(),
        };
        let mut samples = Vec::new();
        let mut counted = Tally::default();
        for _ in 0..5 {
            let started = std::time::Instant::now();
            counted = crate::storage::read(&storage as &dyn Storage, |tx| {
                let mut total = Tally::default();
                each_household(tx, |h| {
                    if Scope::All.takes(&staff, h.district_id) {
                        total.add(&h, today);
                    }
                })?;
                Ok(total)
            })
            .unwrap();
            samples.push(started.elapsed());
        }
        let started = std::time::Instant::now();
        let (mut n, mut bytes) = (0usize, 0usize);
        crate::storage::read(&storage as &dyn Storage, |tx| {
            let mut after = String::new();
            loop {
                let page = tx.records(Entity::Household, &after, 1000)?;
                let Some(last) = page.last() else { break };
                after = last.id.clone();
                n += page.len();
                bytes += page.iter().map(|r| r.body.len()).sum::<usize>();
            }
            Ok(())
        })
        .unwrap();
        println!(
            "reading the stored households alone: {:?} ({n} records, {bytes} bytes of JSON)",
            started.elapsed()
        );
        let started = std::time::Instant::now();
        let overdue = crate::storage::read(&storage as &dyn Storage, |tx| {
            select(tx, &staff, Scope::All, Cell::Overdue, today)
        })
        .unwrap();
        let list = started.elapsed();
        println!(
            "inspections_table_ms {:.1} inspections_list_ms {:.1} (overdue {}, inspected this year {})",
            {
                samples.sort();
                samples[samples.len() / 2].as_secs_f64() * 1000.0
            },
            list.as_secs_f64() * 1000.0,
            overdue.len(),
            counted.inspected
        );
        assert_eq!(overdue.len(), counted.overdue);
        assert_eq!(world.households.len(), 100_000);
    }
}
