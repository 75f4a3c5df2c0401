//! The work report (Art.12, Art.14, issue 27): what each unit did in a period (visits, forms
//! sealed by template, orders closed, photos) and the fees its technicians collected against
//! what they settled (日清日结), with the difference.
//!
//! Work counts for the technician who did it and for the crew and district that technician
//! was in at that moment ([`Doer`]). A sealed form is the technician's whose phone sealed
//! it (the operation log names the device); an order closed is the technician's who reported
//! its closing step, else its assignee's (an order the office closed with nobody on it is no
//! technician's work and is left out); money is the collector's named on the receipt. Money is
//! read from the receipt ledger and the settlements as they were kept: the rule that made them
//! is the core's (`doorstep_core::fees`).
//!
//! A visit is a household a technician sealed a form at on a day: two forms at one door on
//! one day are one visit. (A check-in with no form is not counted: the operation log has no
//! index by time to find them in a period.)

mod read;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::fees::day_bounds;
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::satisfaction::Unit;
use doorstep_core::text::{Text, said};

use super::units::Units;
use super::{Cell, Chart, ChartUnit, Column, Params, Report, Series, Table, both, ordered_units};
use crate::error::Result;
use crate::storage::Tx;

pub fn report(tx: &mut dyn Tx, params: &Params) -> Result<Report> {
    let units = Units::load(tx)?;
    let facts = WorkFacts::read(tx, params, &units)?;
    Ok(lay_out(&tally(&facts, params), params, &units))
}

/// The units a piece of work belonged to when it was done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Doer {
    pub district: Option<DistrictId>,
    pub crew: Option<CrewId>,
    pub technician: Option<TechnicianId>,
}

impl Doer {
    /// The technician's units at `at`.
    pub fn technician_at(t: TechnicianId, at: DateTime<Utc>, units: &Units) -> Self {
        Self {
            technician: Some(t),
            crew: units.technician_crew(t, at),
            district: units.technician_district(t, at),
        }
    }

    /// The row the work counts in (`Some(None)`: the row of no unit at the report's level),
    /// or `None` when the report does not take it (another unit's, outside the districts).
    pub fn row(&self, params: &Params) -> Option<Option<Unit>> {
        let unit = params.unit_of(self.district, self.crew, self.technician);
        params.takes(unit, self.district).then_some(unit)
    }
}

/// A form sealed in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedForm {
    pub template_id: String,
    /// The template's title (its id when the server has no such template).
    pub title: Text,
    pub household: HouseholdId,
    pub doer: Doer,
    pub sealed_at: DateTime<Utc>,
    /// Its photos (the evidence of its items and of a refusal to sign).
    pub photos: i64,
}

/// An order closed in the period (resolved or referred elsewhere; a cancelled order is no
/// work done).
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedOrder {
    pub doer: Doer,
    pub at: DateTime<Utc>,
}

/// Money collected on a form sealed in the period, from the receipt ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    pub technician: TechnicianId,
    pub doer: Doer,
    pub sealed_at: DateTime<Utc>,
    pub fen: i64,
}

/// A settlement of a day in the period, as it was kept.
#[derive(Debug, Clone, PartialEq)]
pub struct SettledDay {
    pub technician: TechnicianId,
    pub doer: Doer,
    pub day: NaiveDate,
    /// What the forms said was collected, when it was settled.
    pub collected_fen: i64,
    pub declared_fen: i64,
}

/// The work of a period, each piece with its unit at the time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkFacts {
    pub forms: Vec<SealedForm>,
    pub orders: Vec<ClosedOrder>,
    pub collected: Vec<Collected>,
    pub settled: Vec<SettledDay>,
}

/// One unit's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub visits: i64,
    pub forms: i64,
    pub orders_closed: i64,
    pub photos: i64,
    pub collected_fen: i64,
    pub settled_days: i64,
    pub balanced_days: i64,
    /// What the settled days' forms said was collected.
    pub settled_fen: i64,
    pub declared_fen: i64,
    /// Days over, with money collected and no settlement.
    pub unsettled_days: i64,
}

impl Figures {
    /// Handed over minus collected, on the days settled: negative when money is missing.
    pub fn discrepancy_fen(&self) -> i64 {
        self.declared_fen - self.settled_fen
    }

    fn add(&mut self, o: &Figures) {
        self.visits += o.visits;
        self.forms += o.forms;
        self.orders_closed += o.orders_closed;
        self.photos += o.photos;
        self.collected_fen += o.collected_fen;
        self.settled_days += o.settled_days;
        self.balanced_days += o.balanced_days;
        self.settled_fen += o.settled_fen;
        self.declared_fen += o.declared_fen;
        self.unsettled_days += o.unsettled_days;
    }
}

/// A day whose money was not handed over as collected, or not settled at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayIssue {
    pub technician: TechnicianId,
    pub unit: Option<Unit>,
    pub day: NaiveDate,
    pub collected_fen: i64,
    /// `None` for a day not settled.
    pub declared_fen: Option<i64>,
}

/// The report's figures, before they are laid out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub figures: BTreeMap<Option<Unit>, Figures>,
    /// Forms and photos per unit and template, with the template's title.
    pub by_template: BTreeMap<(Option<Unit>, String), (Text, i64, i64)>,
    /// Days with a discrepancy, then days not settled, by day.
    pub issues: Vec<DayIssue>,
}

/// The figures of the work in `params`' scope.
pub fn tally(facts: &WorkFacts, params: &Params) -> Tally {
    let mut t = Tally::default();
    let mut visits: BTreeSet<(Option<Unit>, Option<TechnicianId>, HouseholdId, NaiveDate)> =
        BTreeSet::new();
    for f in &facts.forms {
        let Some(unit) = f.doer.row(params) else {
            continue;
        };
        let figures = t.figures.entry(unit).or_default();
        figures.forms += 1;
        figures.photos += f.photos;
        if visits.insert((
            unit,
            f.doer.technician,
            f.household,
            local_date(f.sealed_at),
        )) {
            figures.visits += 1;
        }
        let row = t
            .by_template
            .entry((unit, f.template_id.clone()))
            .or_insert_with(|| (f.title.clone(), 0, 0));
        row.1 += 1;
        row.2 += f.photos;
    }
    for o in &facts.orders {
        if let Some(unit) = o.doer.row(params) {
            t.figures.entry(unit).or_default().orders_closed += 1;
        }
    }
    let mut settled: BTreeSet<(TechnicianId, NaiveDate)> = BTreeSet::new();
    for s in &facts.settled {
        settled.insert((s.technician, s.day));
        let Some(unit) = s.doer.row(params) else {
            continue;
        };
        let figures = t.figures.entry(unit).or_default();
        figures.settled_days += 1;
        figures.settled_fen += s.collected_fen;
        figures.declared_fen += s.declared_fen;
        if s.collected_fen == s.declared_fen {
            figures.balanced_days += 1;
        } else {
            t.issues.push(DayIssue {
                technician: s.technician,
                unit,
                day: s.day,
                collected_fen: s.collected_fen,
                declared_fen: Some(s.declared_fen),
            });
        }
    }
    let mut unsettled: BTreeMap<(TechnicianId, NaiveDate), (Option<Unit>, i64)> = BTreeMap::new();
    for c in &facts.collected {
        let Some(unit) = c.doer.row(params) else {
            continue;
        };
        t.figures.entry(unit).or_default().collected_fen += c.fen;
        let day = local_date(c.sealed_at);
        if !settled.contains(&(c.technician, day)) && day_bounds(day).1 <= params.now {
            unsettled.entry((c.technician, day)).or_insert((unit, 0)).1 += c.fen;
        }
    }
    for ((technician, day), (unit, fen)) in unsettled {
        t.figures.entry(unit).or_default().unsettled_days += 1;
        t.issues.push(DayIssue {
            technician,
            unit,
            day,
            collected_fen: fen,
            declared_fen: None,
        });
    }
    t.issues
        .sort_by_key(|i| (i.declared_fen.is_none(), i.day, i.technician));
    t
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    vec![
        Cell::Count(f.visits),
        Cell::Count(f.forms),
        Cell::Count(f.orders_closed),
        Cell::Count(f.photos),
        Cell::Fen(f.collected_fen),
        Cell::Count(f.settled_days),
        Cell::Count(f.balanced_days),
        Cell::Fen(f.settled_fen),
        Cell::Fen(f.declared_fen),
        Cell::Fen(f.discrepancy_fen()),
        Cell::Count(f.unsettled_days),
    ]
}

/// The report's tables and chart.
pub fn lay_out(tally: &Tally, params: &Params, units: &Units) -> Report {
    let rows = ordered_units(units, params.level, tally.figures.keys().copied());
    let named: BTreeMap<Option<Unit>, Text> = rows.iter().cloned().collect();
    let mut columns = vec![Column::new("unit", "单位", "unit")];
    columns.extend([
        Column::new("visits", "入户次数", "visits"),
        Column::new("forms_sealed", "签封表单", "forms sealed"),
        Column::new("orders_closed", "完成工单", "orders closed"),
        Column::new("photos", "照片", "photos"),
        Column::new("collected_fen", "收费金额", "fees collected"),
        Column::new("settled_days", "日结天数", "days settled"),
        Column::new("balanced_days", "账款相符天数", "days balanced"),
        Column::new("settled_fen", "日结应交", "due on days settled"),
        Column::new("declared_fen", "实交金额", "handed over"),
        Column::new("discrepancy_fen", "差额", "discrepancy"),
        Column::new("unsettled_days", "未日结天数", "days not settled"),
    ]);
    let mut total = Figures::default();
    let mut main_rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|(unit, name)| {
            let f = tally.figures.get(unit).copied().unwrap_or_default();
            total.add(&f);
            let mut row = vec![Cell::Words(name.clone())];
            row.extend(figure_cells(&f));
            row
        })
        .collect();
    let mut row = vec![Cell::Words(said("合计", "total"))];
    row.extend(figure_cells(&total));
    main_rows.push(row);
    let by_template = Table {
        name: "forms_by_template",
        title: said("按表单类型", "Forms by template"),
        columns: vec![
            Column::new("unit", "单位", "unit"),
            Column::new("template", "表单", "form"),
            Column::new("forms_sealed", "签封表单", "forms sealed"),
            Column::new("photos", "照片", "photos"),
        ],
        rows: rows
            .iter()
            .flat_map(|(unit, name)| {
                tally
                    .by_template
                    .range((*unit, String::new())..)
                    .take_while(move |((u, _), _)| u == unit)
                    .map(move |(_, (title, forms, photos))| {
                        vec![
                            Cell::Words(name.clone()),
                            Cell::Words(title.clone()),
                            Cell::Count(*forms),
                            Cell::Count(*photos),
                        ]
                    })
            })
            .collect(),
    };
    let issues = Table {
        name: "settlement_issues",
        title: said(
            "账款不符及未日结的日子",
            "Days with a discrepancy or not settled",
        ),
        columns: vec![
            Column::new("technician", "技术员", "technician"),
            Column::new("unit", "单位", "unit"),
            Column::new("day", "日期", "day"),
            Column::new("collected_fen", "收费金额", "collected"),
            Column::new("declared_fen", "实交金额", "handed over"),
            Column::new("discrepancy_fen", "差额", "discrepancy"),
        ],
        rows: tally
            .issues
            .iter()
            .filter_map(|i| Some((i, named.get(&i.unit)?)))
            .map(|(i, name)| {
                vec![
                    Cell::Words(units.name(
                        doorstep_core::satisfaction::UnitLevel::Technician,
                        Some(Unit::Technician(i.technician)),
                    )),
                    Cell::Words(name.clone()),
                    Cell::Date(i.day),
                    Cell::Fen(i.collected_fen),
                    i.declared_fen.map_or(Cell::Empty, Cell::Fen),
                    i.declared_fen
                        .map_or(Cell::Empty, |d| Cell::Fen(d - i.collected_fen)),
                ]
            })
            .collect(),
    };
    let series = |name: Text, of: fn(&Figures) -> i64| Series {
        name,
        values: rows
            .iter()
            .map(|(u, _)| tally.figures.get(u).map_or(0, of))
            .collect(),
    };
    let chart = Chart {
        title: said("工作量", "Work done"),
        labels: rows
            .iter()
            .map(|(u, name)| match u {
                Some(_) => name.zh.clone(),
                None => both(name),
            })
            .collect(),
        series: vec![
            series(said("入户次数", "visits"), |f| f.visits),
            series(said("签封表单", "forms sealed"), |f| f.forms),
            series(said("完成工单", "orders closed"), |f| f.orders_closed),
        ],
        unit: ChartUnit::Count,
    };
    Report {
        params: params.clone(),
        made_at: params.now,
        title: said("工作量与收费", "Work done and fees"),
        unit_name: params.unit_name(units),
        main: Table {
            name: "work",
            title: said("工作量与收费", "Work done and fees"),
            columns,
            rows: main_rows,
        },
        details: vec![by_template, issues],
        chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::{Period, PeriodLength, ReportKind};
    use chrono::TimeZone;
    use doorstep_core::satisfaction::UnitLevel;

    #[test]
    fn two_forms_at_one_door_on_one_day_are_one_visit_and_a_day_over_unsettled_is_counted() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        let params = Params {
            kind: ReportKind::Work,
            level: UnitLevel::Technician,
            unit: None,
            within_districts: Vec::new(),
            period: Period::holding(PeriodLength::Month, day),
            now: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        };
        let wu = TechnicianId::new();
        let doer = Doer {
            technician: Some(wu),
            ..Doer::default()
        };
        let noon = day_bounds(day).0 + chrono::Duration::hours(12);
        let door = HouseholdId::new();
        let form = |at, household, photos| SealedForm {
            template_id: "repair_closing".into(),
            title: said("维修", "repair"),
            household,
            doer,
            sealed_at: at,
            photos,
        };
        let facts = WorkFacts {
            forms: vec![
                form(noon, door, 2),
                form(noon + chrono::Duration::hours(1), door, 0),
                form(noon, HouseholdId::new(), 1),
            ],
            orders: Vec::new(),
            collected: vec![Collected {
                technician: wu,
                doer,
                sealed_at: noon,
                fen: 1200,
            }],
            settled: Vec::new(),
        };
        let t = tally(&facts, &params);
        let f = t.figures[&Some(Unit::Technician(wu))];
        assert_eq!((f.visits, f.forms, f.photos), (2, 3, 3));
        assert_eq!(
            (f.collected_fen, f.settled_days, f.unsettled_days),
            (1200, 0, 1)
        );
        assert_eq!(t.issues[0].declared_fen, None);
        // The same day seen before it is over: not yet a day left unsettled.
        let early = Params {
            now: noon,
            ..params
        };
        assert_eq!(
            tally(&facts, &early).figures[&Some(Unit::Technician(wu))].unsettled_days,
            0
        );
    }
}
