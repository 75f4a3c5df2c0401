//! Reports in the company's standard shapes (Art.12) and the yearly evaluation of a unit
//! (Art.19–22), issue 27.
//!
//! Every report is computed by one function here from the stored records, for one unit level
//! (district, crew or technician), optionally one unit, and one period (a day, a week, a month
//! or a year of the utility's calendar, Asia/Shanghai). It comes out as a [`Report`]: the same
//! value is drawn as a console page with its chart, written as CSV (UTF-8 with a BOM) and as
//! XLSX, and printed by `doorstep admin report`; so the file a person downloads holds exactly
//! the figures of the page.
//!
//! Each figure counts the work for the unit it belonged to when it was done ([`units`]):
//! technicians change crews and households change districts.
//!
//! The company's standard formats and scoring sheet are not in our documents: the columns are
//! ours (docs/reports.md) and the evaluation's items and weights are configuration
//! ([`evaluation::Weights`]).

pub mod complaints;
pub mod compliance;
pub mod coverage;
pub mod evaluation;
pub mod export;
pub mod satisfaction;
pub mod units;
pub mod work;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use doorstep_core::calendar::service_timezone;
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::text::Text;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::storage::Tx;

/// The reports there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Deadline compliance per clause: met, late, open; the late ones listed.
    Compliance,
    /// Inspection coverage against the yearly and two-yearly rules; overdue households listed.
    Coverage,
    /// Complaints by kind, handling time, accepted answers.
    Complaints,
    /// Return visits and satisfaction by unit, order kind and technician.
    Satisfaction,
    /// Work done per technician (visits, forms, orders closed, photos), fees collected and
    /// settled.
    Work,
    /// The yearly evaluation sheet of a unit, from the above with the configured weights.
    Evaluation,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Compliance,
        ReportKind::Coverage,
        ReportKind::Complaints,
        ReportKind::Satisfaction,
        ReportKind::Work,
        ReportKind::Evaluation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Compliance => "compliance",
            ReportKind::Coverage => "coverage",
            ReportKind::Complaints => "complaints",
            ReportKind::Satisfaction => "satisfaction",
            ReportKind::Work => "work",
            ReportKind::Evaluation => "evaluation",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodLength {
    Day,
    /// Monday to Sunday.
    Week,
    Month,
    Year,
}

impl PeriodLength {
    pub const ALL: [PeriodLength; 4] = [
        PeriodLength::Day,
        PeriodLength::Week,
        PeriodLength::Month,
        PeriodLength::Year,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodLength::Day => "day",
            PeriodLength::Week => "week",
            PeriodLength::Month => "month",
            PeriodLength::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A period of the utility's calendar (Asia/Shanghai): the day, week (from Monday), month or
/// year that holds `start`, which is normalised to its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub length: PeriodLength,
    /// The first day of the period.
    pub start: NaiveDate,
}

impl Period {
    /// The period of `length` that holds `day`.
    pub fn holding(length: PeriodLength, day: NaiveDate) -> Self {
        let start = match length {
            PeriodLength::Day => day,
            PeriodLength::Week => {
                day - Days::new(u64::from(day.weekday().num_days_from_monday()))
            }
            PeriodLength::Month => day.with_day(1).expect("the first of a month exists"),
            PeriodLength::Year => {
                NaiveDate::from_ymd_opt(day.year(), 1, 1).expect("the first of January exists")
            }
        };
        Self { length, start }
    }

    /// The day after the period's last day.
    pub fn end(&self) -> NaiveDate {
        match self.length {
            PeriodLength::Day => self.start + Days::new(1),
            PeriodLength::Week => self.start + Days::new(7),
            PeriodLength::Month => self.start + Months::new(1),
            PeriodLength::Year => self.start + Months::new(12),
        }
    }

    /// `[from, to)` in UTC: midnight Beijing time of the first day to midnight after the last.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (midnight(self.start), midnight(self.end()))
    }

    /// Whether `at` falls in the period.
    pub fn holds(&self, at: DateTime<Utc>) -> bool {
        let (from, to) = self.bounds();
        from <= at && at < to
    }

    /// How the period reads in a file name and a query: `2026-12-07` (day), `2026-W49` (week),
    /// `2026-12` (month), `2026` (year).
    pub fn label(&self) -> String {
        match self.length {
            PeriodLength::Day => self.start.format("%Y-%m-%d").to_string(),
            PeriodLength::Week => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            PeriodLength::Month => self.start.format("%Y-%m").to_string(),
            PeriodLength::Year => self.start.format("%Y").to_string(),
        }
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(service_timezone())
        .single()
        .expect("UTC+8 has no gaps")
        .with_timezone(&Utc)
}

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub kind: ReportKind,
    /// The units the rows are: every district, crew or technician.
    pub level: UnitLevel,
    /// One unit of that level (its id as text), or every unit of it.
    pub unit: Option<String>,
    /// Only these districts (a dispatcher's), or the whole city when empty.
    #[serde(default)]
    pub within_districts: Vec<String>,
    pub period: Period,
    /// When the report is made: what is still open, late or overdue is judged at this moment.
    pub now: DateTime<Utc>,
}

/// One report, as computed: every way it is shown (page, CSV, XLSX, the admin tool's TSV)
/// writes exactly these tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub params: Params,
    /// When it was made (written in every file).
    pub made_at: DateTime<Utc>,
    /// The report's title, e.g. "时限达标 / Deadline compliance".
    pub title: Text,
    /// The unit the report is about, as people name it ("西湖片区", "全市 / whole city").
    pub unit_name: Text,
    /// The main table, one row per unit (or per clause, kind, …), then any totals row.
    pub main: Table,
    /// The lists behind the figures: late deadlines, overdue households, …
    pub details: Vec<Table>,
    /// The chart the page draws above the main table.
    pub chart: Chart,
}

/// A table of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// A short name (a sheet's name in the XLSX, at most 31 characters).
    pub name: &'static str,
    pub title: Text,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// A stable key (the admin tool's TSV header).
    pub key: &'static str,
    pub title: Text,
}

/// One figure or text of a table. Figures stay numbers (an XLSX cell is a number a person can
/// sum); how they are shown is the reader's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    /// Words in both languages (a clause, a kind, a verdict).
    Words(Text),
    Count(i64),
    /// A share in basis points: 8750 is 87.50 %.
    BasisPoints(i64),
    /// A duration in minutes.
    Minutes(i64),
    /// Money in fen (分): 12345 is ¥123.45.
    Fen(i64),
    /// A mean in hundredths: 450 is 4.50.
    Hundredths(i64),
    Time(DateTime<Utc>),
    Date(NaiveDate),
    /// Nothing to show (no data for this figure).
    Empty,
}

/// A chart drawn by the server (SVG): bars per row of the main table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub title: Text,
    /// The label of each bar group (a unit, a clause, …).
    pub labels: Vec<String>,
    /// The series: one bar per label in each.
    pub series: Vec<Series>,
    /// Whether the values are shares (basis points, the axis to 100 %) or counts.
    pub unit: ChartUnit,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: Text,
    pub values: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartUnit {
    Count,
    BasisPoints,
    Hundredths,
    Minutes,
    Fen,
}

/// Computes the report `params` asks for, in one read.
pub fn compute(
    tx: &mut dyn Tx,
    params: &Params,
    weights: &evaluation::Weights,
) -> Result<Report> {
    match params.kind {
        ReportKind::Compliance => compliance::report(tx, params),
        ReportKind::Coverage => coverage::report(tx, params),
        ReportKind::Complaints => complaints::report(tx, params),
        ReportKind::Satisfaction => satisfaction::report(tx, params),
        ReportKind::Work => work::report(tx, params),
        ReportKind::Evaluation => evaluation::report(tx, params, weights),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_starts_on_its_first_day_and_ends_at_beijing_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let week = Period::holding(PeriodLength::Week, day);
        assert_eq!(week.start, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(week.label(), "2026-W50");
        let month = Period::holding(PeriodLength::Month, day);
        assert_eq!(month.label(), "2026-12");
        assert_eq!(month.end(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        let (from, to) = Period::holding(PeriodLength::Year, day).bounds();
        assert_eq!(from.to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
    }
}
