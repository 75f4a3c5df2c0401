//! The month's satisfaction (`return-visit scores`): per district, crew or technician and kind
//! of the work followed up, the mean of each score and the satisfied share, as the core
//! aggregates them.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use doorstep_core::calendar::service_timezone;
use doorstep_core::satisfaction::{Unit, UnitLevel};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, District, Technician};
use maud::{Markup, html};

use super::super::outages::fields::Fields;
use crate::admin::{every, score_summary};
use crate::console::{ConsoleError, Ctx};

/// The month asked (`2026-12`), else this month in Beijing.
fn month(ctx: &Ctx, query: &Fields) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("{}-01", query.get("month")), "%Y-%m-%d").unwrap_or_else(
        |_| {
            let today = ctx.now.with_timezone(&service_timezone()).date_naive();
            today.with_day(1).unwrap_or(today)
        },
    )
}

pub async fn section(ctx: &Ctx, query: &Fields) -> Result<Markup, ConsoleError> {
    let w = &ctx.words().complaints;
    let lang = ctx.lang.core();
    let first = month(ctx, query);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    let start = |day: NaiveDate| {
        service_timezone()
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let (from, to) = (start(first), start(next));
    let by = UnitLevel::ALL
        .into_iter()
        .find(|u| u.as_str() == query.get("by"))
        .unwrap_or(UnitLevel::District);
    let staff = ctx.staff.clone();
    let (rows, districts, crews, technicians) = ctx
        .with_storage(move |storage| {
            let rows = score_summary(storage, by, from, to, &|v| staff.covers(v.district))?;
            let (d, c, t) = crate::storage::read(storage, |tx| {
                Ok((
                    every::<District>(tx, Entity::District)?,
                    every::<Crew>(tx, Entity::Crew)?,
                    every::<Technician>(tx, Entity::Technician)?,
                ))
            })?;
            Ok((rows, d, c, t))
        })
        .await?;
    let unit_name = |unit: &Unit| -> String {
        match unit {
            Unit::District(id) => districts
                .iter()
                .find(|d| d.id == *id)
                .map(|d| d.name.clone()),
            Unit::Crew(id) => crews.iter().find(|c| c.id == *id).map(|c| c.name.clone()),
            Unit::Technician(id) => technicians
                .iter()
                .find(|t| t.id == *id)
                .map(|t| format!("{} ({})", t.name, t.badge)),
        }
        .unwrap_or_else(|| "-".to_owned())
    };
    let hundredths = |n: u32| format!("{}.{:02}", n / 100, n % 100);
    let month_text = first.format("%Y-%m").to_string();
    Ok(html! {
        section aria-labelledby="scores" {
            h2 #scores { (w.summary_title) }
            form.filters method="get" action="/console/complaints" {
                div {
                    label for="month" { (w.field_month) }
                    input #month type="month" name="month" value=(month_text);
                }
                div {
                    label for="by" { (w.field_by) }
                    select #by name="by" {
                        @for u in UnitLevel::ALL {
                            option value=(u.as_str()) selected[u == by] { ((w.unit_level)(u)) }
                        }
                    }
                }
                div { button type="submit" { (w.show) } }
            }
            @if !ctx.staff.whole_city() { p.muted { (w.summary_scope) } }
            @if rows.is_empty() {
                p.muted { (w.summary_empty) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (w.col_unit) }
                        th scope="col" { (w.col_kind) }
                        th scope="col" { (w.col_visits) }
                        th scope="col" { (w.field_timeliness) }
                        th scope="col" { (w.field_attitude) }
                        th scope="col" { (w.field_quality) }
                        th scope="col" { (w.field_safety_explanation) }
                        th scope="col" { (w.col_satisfied) }
                    } }
                    tbody {
                        @for a in &rows {
                            tr {
                                td { (unit_name(&a.unit)) }
                                td {
                                    @match a.followed_kind {
                                        Some(kind) => (kind.label().get(lang)),
                                        None => (w.kind_complaint),
                                    }
                                }
                                td { (a.visits) }
                                @for mean in a.means_hundredths() { td { (hundredths(mean)) } }
                                td { (hundredths(a.satisfied_basis_points())) "%" }
                            }
                        }
                    }
                }
            }
        }
    })
}
