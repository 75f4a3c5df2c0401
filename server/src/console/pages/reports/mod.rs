//! The report pages (issue 27): each report of [`crate::reports`] for a unit and a period,
//! with its chart (SVG drawn here), its tables, and its CSV and XLSX downloads.
//!
//! - `/console/reports`: pick the report, the level (district, crew, technician), one unit or
//!   all, the period (day, week, month, year) and a day it holds.
//! - `/console/reports/report?kind=…&level=…&unit=…&period=…&day=YYYY-MM-DD`: the report; its
//!   downloads `/console/reports/report.csv?…` and `/console/reports/report.xlsx?…` take the
//!   same query and write the same [`Report`] ([`crate::reports::export`]), so a file holds the
//!   page's figures. Every view is audited `report_viewed`, every download `export`.
//! - A dispatcher's reports hold their districts only, and a unit of another district is
//!   refused; the yearly evaluation is for supervisors and administrators ([`query`]).
//! - A bad value is refused by its field's name, in both languages (the error page).

pub mod chart;
pub mod query;

use std::sync::Arc;

use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use doorstep_core::calendar::local_date;
use doorstep_core::satisfaction::UnitLevel;
use maud::{Markup, html};

use self::query::{Asked, UnitChoice, query_of, units};
use crate::api::AppState;
use crate::console::layout::{Nav, page};
use crate::console::words::reports::Reports;
use crate::console::{ConsoleError, Ctx, Role};
use crate::reports::export::{self, head, is_figure, shown, tables};
use crate::reports::{Params, PeriodLength, Report, ReportKind, Table};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/reports", get(index))
        .route("/console/reports/report", get(show))
        .route("/console/reports/report.csv", get(download_csv))
        .route("/console/reports/report.xlsx", get(download_xlsx))
}

fn kind_name(w: &Reports, kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Compliance => w.compliance,
        ReportKind::Coverage => w.coverage,
        ReportKind::Complaints => w.complaints,
        ReportKind::Satisfaction => w.satisfaction,
        ReportKind::Work => w.work,
        ReportKind::Evaluation => w.evaluation,
    }
}

fn level_name(w: &Reports, level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::District => w.district,
        UnitLevel::Crew => w.crew,
        UnitLevel::Technician => w.technician,
    }
}

fn period_name(w: &Reports, length: PeriodLength) -> &'static str {
    match length {
        PeriodLength::Day => w.day,
        PeriodLength::Week => w.week,
        PeriodLength::Month => w.month,
        PeriodLength::Year => w.year,
    }
}

/// The units this person may pick.
async fn units_seen(ctx: &Ctx) -> Result<(Vec<UnitChoice>, Vec<UnitChoice>), ConsoleError> {
    let all = ctx.read(units).await?;
    let seen = all
        .iter()
        .filter(|u| ctx.staff.covers(u.district))
        .cloned()
        .collect();
    Ok((all, seen))
}

/// The picking page: the form alone, on this month's district compliance.
async fn index(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (_, seen) = units_seen(&ctx).await?;
    let w = &ctx.words().reports;
    let today = local_date(ctx.now);
    let picked = Picked {
        kind: ReportKind::Compliance,
        level: UnitLevel::District,
        unit: None,
        length: PeriodLength::Month,
        day: today.format("%Y-%m-%d").to_string(),
    };
    let content = html! {
        p.muted { (w.intro) }
        (picker(&ctx, w, &seen, &picked))
    };
    Ok(page(&ctx, Nav::Reports, w.title, content))
}

/// Reads the query, checks who asks, computes the report.
async fn report_for(ctx: &Ctx, asked: &Asked) -> Result<(Report, Vec<UnitChoice>), ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let (all, seen) = units_seen(ctx).await?;
    let params = asked.params(&ctx.staff, &all, ctx.now)?;
    // The weights the server read at start from `<data>/evaluation.toml` (or the defaults).
    let weights = ctx.state.evaluation.clone();
    let report = ctx
        .read(move |tx| crate::reports::compute(tx, &params, &weights))
        .await?;
    Ok((report, seen))
}

/// What the audit log says a report was: `compliance/district/all/2026-12`.
fn audit_id(params: &Params) -> String {
    format!(
        "{}/{}/{}/{}",
        params.kind.as_str(),
        params.level.as_str(),
        params.unit.as_deref().unwrap_or("all"),
        params.period.label()
    )
}

async fn show(ctx: Ctx, Query(asked): Query<Asked>) -> Result<Markup, ConsoleError> {
    let (report, seen) = report_for(&ctx, &asked).await?;
    let row = ctx.audit_row("report_viewed", "report", &audit_id(&report.params));
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let w = &ctx.words().reports;
    let lang = ctx.lang.core();
    let query = query_of(&report.params);
    let picked = Picked {
        kind: report.params.kind,
        level: report.params.level,
        unit: report.params.unit.clone(),
        length: report.params.period.length,
        day: asked
            .day
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| report.params.period.start.format("%Y-%m-%d").to_string()),
    };
    let content = html! {
        (picker(&ctx, w, &seen, &picked))
        section.panel aria-labelledby="report-head" {
            h2 #report-head { (report.unit_name.get(lang)) " · " (report.params.period.label()) }
            dl.facts #report-facts {
                @for (label, value) in head(&report) {
                    dt { (label.get(lang)) }
                    dd { (shown(&value, lang)) }
                }
            }
            p {
                (w.downloads)
                a #download-csv href={ "/console/reports/report.csv?" (query) } download { (w.download_csv) }
                " · "
                a #download-xlsx href={ "/console/reports/report.xlsx?" (query) } download { (w.download_xlsx) }
            }
        }
        section.panel aria-labelledby="report-chart" {
            h2 #report-chart { (w.chart) (report.chart.title.get(lang)) }
            figure style="margin:0" aria-describedby="report-main" {
                (chart::svg(w, &report.chart, lang))
            }
        }
        @for (i, table) in tables(&report).enumerate() {
            (table_section(w, table, lang, i == 0))
        }
    };
    Ok(page(&ctx, Nav::Reports, report.title.get(lang), content))
}

/// One table of the report: its title and its rows, figures aligned right; the main one is
/// `#report-main` (the chart's text alternative), the others `#report-<name>`.
fn table_section(
    w: &Reports,
    table: &Table,
    lang: doorstep_core::text::Lang,
    main: bool,
) -> Markup {
    let id = if main {
        "report-main".to_owned()
    } else {
        format!("report-{}", table.name)
    };
    let heading = format!("{id}-title");
    html! {
        section.panel aria-labelledby=(heading) {
            h2 id=(heading) { (table.title.get(lang)) }
            @if table.rows.is_empty() {
                p.muted { (w.no_rows) }
            }
            div style="overflow-x:auto" {
                table id=(id) data-name=(table.name) {
                    thead {
                        tr {
                            @for c in &table.columns {
                                th scope="col" data-key=(c.key) { (c.title.get(lang)) }
                            }
                        }
                    }
                    tbody {
                        @for row in &table.rows {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    @let text = shown(cell, lang);
                                    @if i == 0 {
                                        th scope="row" { (text) }
                                    } @else if is_figure(cell) {
                                        td style="text-align:right" { (text) }
                                    } @else {
                                        td { (text) }
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

/// What the form shows as chosen.
struct Picked {
    kind: ReportKind,
    level: UnitLevel,
    unit: Option<String>,
    length: PeriodLength,
    day: String,
}

/// The form that asks for a report: every control labelled, sent by GET (a report is a
/// reading, and its address can be kept and shared).
fn picker(ctx: &Ctx, w: &Reports, units: &[UnitChoice], picked: &Picked) -> Markup {
    let kinds: Vec<ReportKind> = ReportKind::ALL
        .into_iter()
        .filter(|k| *k != ReportKind::Evaluation || ctx.staff.role >= Role::Supervisor)
        .collect();
    html! {
        form.filters method="get" action="/console/reports/report" {
            div {
                label for="kind" { (w.kind) }
                select #kind name="kind" {
                    @for k in &kinds {
                        option value=(k.as_str()) selected[*k == picked.kind] { (kind_name(w, *k)) }
                    }
                }
            }
            div {
                label for="level" { (w.level) }
                select #level name="level" {
                    @for l in UnitLevel::ALL {
                        option value=(l.as_str()) selected[l == picked.level] { (level_name(w, l)) }
                    }
                }
            }
            div {
                label for="unit" { (w.unit) }
                select #unit name="unit" style="max-width:260px" {
                    option value="" selected[picked.unit.is_none()] { (w.all_units) }
                    @for l in UnitLevel::ALL {
                        optgroup label=(level_name(w, l)) {
                            @for u in units.iter().filter(|u| u.level == l) {
                                option value=(u.id) selected[picked.unit.as_deref() == Some(u.id.as_str())] {
                                    (u.name)
                                }
                            }
                        }
                    }
                }
            }
            div {
                label for="period" { (w.period) }
                select #period name="period" {
                    @for p in PeriodLength::ALL {
                        option value=(p.as_str()) selected[p == picked.length] { (period_name(w, p)) }
                    }
                }
            }
            div {
                label for="day" { (w.date) }
                input #day type="date" name="day" value=(picked.day) min="2000-01-01" max="2099-12-31";
            }
            button type="submit" { (w.show) }
        }
    }
}

/// A download's file name: `report-compliance-district-2026-12.csv` (ASCII, so every browser
/// keeps it as it is).
fn file_name(report: &Report, extension: &str) -> String {
    format!(
        "report-{}-{}-{}.{extension}",
        report.params.kind.as_str(),
        report.params.level.as_str(),
        report.params.period.label()
    )
}

async fn download(
    ctx: Ctx,
    asked: Asked,
    extension: &'static str,
    content_type: &'static str,
) -> Result<Response, ConsoleError> {
    let (report, _) = report_for(&ctx, &asked).await?;
    let lang = ctx.lang.core();
    let body = match extension {
        "csv" => export::csv(&report, lang),
        _ => export::xlsx(&report, lang)?,
    };
    let id = format!("{}.{extension}", audit_id(&report.params));
    let row = ctx.audit_row("export", "report", &id);
    ctx.write(move |tx| Ok(tx.audit(&row)?)).await?;
    let disposition = format!("attachment; filename=\"{}\"", file_name(&report, extension));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

async fn download_csv(ctx: Ctx, Query(asked): Query<Asked>) -> Result<Response, ConsoleError> {
    download(ctx, asked, "csv", "text/csv; charset=utf-8").await
}

async fn download_xlsx(ctx: Ctx, Query(asked): Query<Asked>) -> Result<Response, ConsoleError> {
    download(
        ctx,
        asked,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_drawn_with_the_files_formatting_of_every_cell() {
        let report = crate::reports::export::tests::sample();
        let w = &crate::console::Lang::Zh.words().reports;
        let html =
            table_section(w, &report.main, doorstep_core::text::Lang::Zh, true).into_string();
        assert!(
            html.contains("<table id=\"report-main\" data-name=\"compliance\">"),
            "{html}"
        );
        assert!(html.contains("<th scope=\"row\">一般故障 6 小时处理</th>"));
        assert!(html.contains("<td style=\"text-align:right\">87.50%</td>"));
        assert!(html.contains("<td style=\"text-align:right\">123.45</td>"));
        assert!(
            html.contains("<td>=HYPERLINK(&quot;x&quot;)</td>"),
            "escaped: {html}"
        );
        let late = table_section(w, &report.details[0], doorstep_core::text::Lang::Zh, false)
            .into_string();
        assert!(late.contains("<table id=\"report-late\""));
        assert!(late.contains("<td>2026-12-03 16:05</td>"));
    }
}
