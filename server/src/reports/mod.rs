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
use doorstep_core::ids::{CrewId, DistrictId, TechnicianId};
use doorstep_core::satisfaction::{Unit, UnitLevel};
use doorstep_core::text::{Text, said};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::storage::Tx;

/// Each complaint's follow-up order (the first reported, if several were opened): its crew and
/// technician are who a complaint counts for.
pub(crate) fn complaint_follow_ups(
    orders: &[doorstep_core::workorder::WorkOrder],
) -> std::collections::HashMap<doorstep_core::ids::ComplaintId, &doorstep_core::workorder::WorkOrder>
{
    let mut first: std::collections::HashMap<_, &doorstep_core::workorder::WorkOrder> =
        Default::default();
    for o in orders {
        if let Some(doorstep_core::workorder::FollowUp::Complaint(c)) = o.follows {
            let f = first.entry(c).or_insert(o);
            if o.reported_at < f.reported_at {
                *f = o;
            }
        }
    }
    first
}

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
            PeriodLength::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
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

impl Params {
    /// Whether work of `unit` (of [`Params::level`]; `None`: of no unit) done in `district`
    /// belongs in the report: of the unit asked for, if one was, and in the dispatcher's
    /// districts, if the report is limited to them (work of no district only in a report of
    /// the whole city).
    pub fn takes(&self, unit: Option<Unit>, district: Option<DistrictId>) -> bool {
        let of_unit = match &self.unit {
            None => true,
            Some(asked) => unit.is_some_and(|u| unit_id(u) == *asked),
        };
        let in_districts = self.within_districts.is_empty()
            || district.is_some_and(|d| self.within_districts.contains(&d.to_string()));
        of_unit && in_districts
    }

    /// The unit of [`Params::level`] that work of this district, crew and technician
    /// belongs to.
    pub fn unit_of(
        &self,
        district: Option<DistrictId>,
        crew: Option<CrewId>,
        technician: Option<TechnicianId>,
    ) -> Option<Unit> {
        match self.level {
            UnitLevel::District => district.map(Unit::District),
            UnitLevel::Crew => crew.map(Unit::Crew),
            UnitLevel::Technician => technician.map(Unit::Technician),
        }
    }

    /// What the report is about, as people name it: the unit asked for, the dispatcher's
    /// districts, or the whole city.
    pub fn unit_name(&self, units: &units::Units) -> Text {
        match self
            .unit
            .as_deref()
            .and_then(|u| u.parse::<uuid::Uuid>().ok())
        {
            Some(id) => units.name(
                self.level,
                Some(match self.level {
                    UnitLevel::District => Unit::District(DistrictId(id)),
                    UnitLevel::Crew => Unit::Crew(CrewId(id)),
                    UnitLevel::Technician => Unit::Technician(TechnicianId(id)),
                }),
            ),
            None if !self.within_districts.is_empty() => said("所辖片区", "own districts"),
            None => said("全市", "whole city"),
        }
    }
}

/// A unit's id as [`Params::unit`] names it.
pub fn unit_id(unit: Unit) -> String {
    match unit {
        Unit::District(d) => d.to_string(),
        Unit::Crew(c) => c.to_string(),
        Unit::Technician(t) => t.to_string(),
    }
}

/// The units of the rows, in the order a report lists them: by name, the row of no unit last.
pub fn ordered_units(
    units: &units::Units,
    level: UnitLevel,
    keys: impl IntoIterator<Item = Option<Unit>>,
) -> Vec<(Option<Unit>, Text)> {
    let mut out: Vec<(Option<Unit>, Text)> = keys
        .into_iter()
        .map(|u| (u, units.name(level, u)))
        .collect();
    out.sort_by(|(a, a_name), (b, b_name)| {
        (a.is_none(), &a_name.zh, a).cmp(&(b.is_none(), &b_name.zh, b))
    });
    out.dedup_by(|x, y| x.0 == y.0);
    out
}

/// The label of a row or bar that is not a unit's name, in both languages at once (a chart's
/// labels are plain text): "合计 / total".
pub fn both(text: &Text) -> String {
    format!("{} / {}", text.zh, text.en)
}

impl Column {
    pub fn new(key: &'static str, zh: &str, en: &str) -> Self {
        Self {
            key,
            title: said(zh, en),
        }
    }
}

impl Cell {
    /// `part` of `whole` in basis points, rounded half up; nothing when `whole` is 0.
    pub fn share(part: i64, whole: i64) -> Cell {
        if whole <= 0 {
            Cell::Empty
        } else {
            Cell::BasisPoints((part * 10_000 + whole / 2) / whole)
        }
    }

    /// The figure of a number cell (counts, shares, minutes, fen, hundredths), for a chart.
    pub fn figure(&self) -> Option<i64> {
        match self {
            Cell::Count(n)
            | Cell::BasisPoints(n)
            | Cell::Minutes(n)
            | Cell::Fen(n)
            | Cell::Hundredths(n) => Some(*n),
            _ => None,
        }
    }
}

/// A word of the console's tables in both languages (a category, a channel): the report says
/// what the console's pages say.
pub(crate) fn console_words(say: impl Fn(&'static crate::console::Words) -> &'static str) -> Text {
    use crate::console::Lang;
    said(say(Lang::Zh.words()), say(Lang::En.words()))
}

/// Every stored record of an entity, decoded: the admin tool's reader, shared.
pub(crate) use crate::admin::every;

/// Computes the report `params` asks for, in one read.
pub fn compute(tx: &mut dyn Tx, params: &Params, weights: &evaluation::Weights) -> Result<Report> {
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
