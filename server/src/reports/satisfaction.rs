//! The satisfaction report (Art.5(5), Art.16, issue 27): the return visits' scores by unit,
//! by kind of the work followed up and by technician, and whether the return visits were made
//! in time.
//!
//! A score counts for the unit that did the work it follows up, as that unit stood when the
//! work was done (the repair's resolution, the complaint's receipt): a technician who changed
//! crews since is still counted in the crew that sent them. The figures are the core's
//! ([`aggregate`] for the scores, [`compliance::order_deadlines`] and [`Verdict`] for the
//! return visits' own deadline); this file only gathers the records and lays out the tables.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use doorstep_core::complaint::Complaint;
use doorstep_core::compliance::{self, Verdict};
use doorstep_core::satisfaction::{Aggregate, Satisfaction, ScoredVisit, Unit, aggregate};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::text::{Text, said};
use doorstep_core::workorder::deadline::{Deadline, Milestone};
use doorstep_core::workorder::{FollowUp, WorkOrder, WorkOrderKind, WorkOrderStatus};

use super::units::Units;
use super::work::Doer;
use super::{Cell, Chart, ChartUnit, Column, Params, Report, Series, Table, every, ordered_units};
use crate::error::Result;
use crate::records::decode;
use crate::storage::Tx;

pub fn report(tx: &mut dyn Tx, params: &Params) -> Result<Report> {
    let units = Units::load(tx)?;
    let visits = followed_visits(tx, &units)?;
    Ok(lay_out(&tally(&visits, params), params, &units))
}

/// One return visit with what it is counted by.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowedVisit {
    /// The return visit's order number.
    pub number: String,
    /// Who did the work it follows up, when they did it.
    pub doer: Doer,
    /// The kind of the order followed up (none for a complaint's return visit).
    pub followed_kind: Option<WorkOrderKind>,
    /// The return visit's own deadline (none for an order stored without one).
    pub deadline: Option<Deadline>,
    /// The scores, once recorded.
    pub scores: Option<Satisfaction>,
}

/// Every return visit stored, with the unit of the work it follows up.
fn followed_visits(tx: &mut dyn Tx, units: &Units) -> Result<Vec<FollowedVisit>> {
    let scores: BTreeMap<String, Satisfaction> = every::<Satisfaction>(tx, Entity::Satisfaction)?
        .into_iter()
        .map(|s| (s.visit.to_string(), s))
        .collect();
    let mut visits = Vec::new();
    for visit in every::<WorkOrder>(tx, Entity::WorkOrder)? {
        if visit.kind != WorkOrderKind::ReturnVisit {
            continue;
        }
        let (doer, followed_kind) = match visit.follows {
            Some(FollowUp::Order(o)) => match held::<WorkOrder>(tx, Entity::WorkOrder, o)? {
                Some(order) => (order_doer(&order, &visit, units), Some(order.kind)),
                None => (Doer::default(), None),
            },
            Some(FollowUp::Complaint(c)) => match held::<Complaint>(tx, Entity::Complaint, c)? {
                Some(complaint) => (complaint_doer(&complaint, &visit, units), None),
                None => (Doer::default(), None),
            },
            None => (Doer::default(), None),
        };
        visits.push(FollowedVisit {
            number: visit.number.clone(),
            doer,
            followed_kind,
            deadline: compliance::order_deadlines(&visit)
                .into_iter()
                .find(|d| d.milestone == Milestone::ReturnVisit),
            scores: scores.get(&visit.id.to_string()).cloned(),
        });
    }
    Ok(visits)
}

fn held<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: Entity,
    id: impl ToString,
) -> Result<Option<T>> {
    tx.record(entity, &id.to_string())?
        .filter(|r| !r.deleted)
        .map(|r| decode::<T>(&r))
        .transpose()
}

/// A repair followed up: the technician who reported its resolution (else its assignee), at
/// the resolution; the crew it was sent to (else that technician's crew then); the district
/// its household was in then (else the technician's, for a fault in the street).
fn order_doer(order: &WorkOrder, visit: &WorkOrder, units: &Units) -> Doer {
    let technician = order
        .steps
        .iter()
        .rev()
        .find(|s| s.status == WorkOrderStatus::Resolved)
        .and_then(|s| s.reported_by.as_ref())
        .map(|r| r.technician)
        .or(order.assignee);
    let at = order
        .reached(WorkOrderStatus::Resolved)
        .unwrap_or(visit.reported_at);
    let household = order.household_id.or(visit.household_id);
    doer_at(technician, order.crew, household, at, units)
}

/// A complaint followed up: the technician complained of, their crew and district, and the
/// household's district, when the complaint was received.
fn complaint_doer(complaint: &Complaint, visit: &WorkOrder, units: &Units) -> Doer {
    let household = complaint.household_id.or(visit.household_id);
    doer_at(
        complaint.against_technician,
        None,
        household,
        complaint.received_at,
        units,
    )
}

fn doer_at(
    technician: Option<doorstep_core::ids::TechnicianId>,
    crew: Option<doorstep_core::ids::CrewId>,
    household: Option<doorstep_core::ids::HouseholdId>,
    at: DateTime<Utc>,
    units: &Units,
) -> Doer {
    Doer {
        technician,
        crew: crew.or_else(|| technician.and_then(|t| units.technician_crew(t, at))),
        district: household
            .and_then(|h| units.household_district(h, at))
            .or_else(|| technician.and_then(|t| units.technician_district(t, at))),
    }
}

/// Where one unit's return visits stand: due in the period, judged at the report's moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeliness {
    pub due: i64,
    pub on_time: i64,
    pub late: i64,
    /// Not made and past due.
    pub overdue: i64,
    /// Not made and not yet due.
    pub open: i64,
}

impl Timeliness {
    fn count(&mut self, verdict: Verdict) {
        self.due += 1;
        match verdict {
            Verdict::Met => self.on_time += 1,
            Verdict::MetLate => self.late += 1,
            Verdict::Breached => self.overdue += 1,
            Verdict::Open => self.open += 1,
        }
    }

    fn add(&mut self, other: &Timeliness) {
        self.due += other.due;
        self.on_time += other.on_time;
        self.late += other.late;
        self.overdue += other.overdue;
        self.open += other.open;
    }
}

/// A return visit made late or not made by its due time.
#[derive(Debug, Clone, PartialEq)]
pub struct LateVisit {
    pub number: String,
    pub unit: Unit,
    pub due_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// The report's figures, before they are laid out as tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The units that are rows: those in scope and those with figures.
    pub units: BTreeSet<Unit>,
    /// The scores per unit of the level and kind of work followed up (the core's aggregate).
    pub by_kind: Vec<Aggregate>,
    /// The scores per technician, of the visits in scope.
    pub by_technician: Vec<Aggregate>,
    pub timeliness: BTreeMap<Unit, Timeliness>,
    /// The late ones, earliest due first.
    pub late: Vec<LateVisit>,
}

/// The figures of `params`' period and scope: visits scored in the period, return visits due
/// in it (judged at `params.now`).
pub fn tally(visits: &[FollowedVisit], params: &Params) -> Tally {
    let (from, to) = params.period.bounds();
    let mut scored = Vec::new();
    let mut timeliness: BTreeMap<Unit, Timeliness> = BTreeMap::new();
    let mut late = Vec::new();
    for v in visits {
        // A visit of no unit at the level is left out, as the core's aggregate leaves it.
        let Some(Some(unit)) = v.doer.row(params) else {
            continue;
        };
        if let Some(s) = &v.scores {
            scored.push(ScoredVisit {
                scores: s.scores,
                at: s.recorded_at,
                district: v.doer.district,
                crew: v.doer.crew,
                technician: v.doer.technician,
                followed_kind: v.followed_kind,
            });
        }
        let Some(d) = v
            .deadline
            .as_ref()
            .filter(|d| params.period.holds(d.due_at))
        else {
            continue;
        };
        let verdict = Verdict::of(d, params.now);
        timeliness.entry(unit).or_default().count(verdict);
        if matches!(verdict, Verdict::MetLate | Verdict::Breached) {
            late.push(LateVisit {
                number: v.number.clone(),
                unit,
                due_at: d.due_at,
                done_at: d.met_at,
            });
        }
    }
    late.sort_by(|a, b| (a.due_at, &a.number).cmp(&(b.due_at, &b.number)));
    let by_kind = aggregate(&scored, params.level, from, to);
    let by_technician = aggregate(
        &scored,
        doorstep_core::satisfaction::UnitLevel::Technician,
        from,
        to,
    );
    let mut units: BTreeSet<Unit> = by_kind.iter().map(|a| a.unit).collect();
    units.extend(timeliness.keys().copied());
    Tally {
        units,
        by_kind,
        by_technician: merged_per_unit(&by_technician),
        timeliness,
        late,
    }
}

/// The aggregates of each unit over every kind of work: the same sums, so the same rule of
/// means and shares ([`Aggregate::means_hundredths`]) applies to them.
fn merged_per_unit(aggregates: &[Aggregate]) -> Vec<Aggregate> {
    let mut merged: BTreeMap<Unit, Aggregate> = BTreeMap::new();
    for a in aggregates {
        let m = merged.entry(a.unit).or_insert_with(|| Aggregate {
            unit: a.unit,
            followed_kind: None,
            visits: 0,
            sums: [0; 4],
            overall: [0; 4],
        });
        add(m, a);
    }
    merged.into_values().collect()
}

fn add(into: &mut Aggregate, a: &Aggregate) {
    into.visits += a.visits;
    for (sum, more) in into.sums.iter_mut().zip(a.sums) {
        *sum += more;
    }
    for (count, more) in into.overall.iter_mut().zip(a.overall) {
        *count += more;
    }
}

/// The columns of a score row after its label(s): visits, the four means, satisfied, share.
fn score_columns() -> Vec<super::Column> {
    vec![
        Column::new("visits_scored", "评分回访数", "visits scored"),
        Column::new("timeliness", "及时性均分", "timeliness (mean)"),
        Column::new("attitude", "服务态度均分", "attitude (mean)"),
        Column::new("quality", "维修质量均分", "quality (mean)"),
        Column::new("safety_explanation", "安全讲解均分", "safety advice (mean)"),
        Column::new("satisfied", "满意数", "satisfied"),
        Column::new("satisfied_share", "满意率", "satisfied share"),
    ]
}

fn score_cells(a: Option<&Aggregate>) -> Vec<Cell> {
    let Some(a) = a.filter(|a| a.visits > 0) else {
        let mut cells = vec![Cell::Count(0)];
        cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
        cells.extend([Cell::Count(0), Cell::Empty]);
        return cells;
    };
    let mut cells = vec![Cell::Count(i64::from(a.visits))];
    cells.extend(a.means_hundredths().map(|m| Cell::Hundredths(i64::from(m))));
    cells.push(Cell::Count(i64::from(a.overall[0] + a.overall[1])));
    cells.push(Cell::BasisPoints(i64::from(a.satisfied_basis_points())));
    cells
}

fn timeliness_cells(t: &Timeliness) -> Vec<Cell> {
    vec![
        Cell::Count(t.due),
        Cell::Count(t.on_time),
        Cell::Count(t.late),
        Cell::Count(t.overdue),
        Cell::Count(t.open),
    ]
}

/// The report's tables and chart.
pub fn lay_out(tally: &Tally, params: &Params, units: &Units) -> Report {
    let rows: Vec<Unit> = ordered_units(units, params.level, tally.units.iter().map(|u| Some(*u)))
        .into_iter()
        .filter_map(|(u, _)| u)
        .collect();
    let name = |u: Unit| units.name(params.level, Some(u));
    let technician =
        |u: Unit| units.name(doorstep_core::satisfaction::UnitLevel::Technician, Some(u));
    let per_unit: BTreeMap<Unit, Aggregate> = merged_per_unit(&tally.by_kind)
        .into_iter()
        .map(|a| (a.unit, a))
        .collect();

    let mut columns = vec![Column::new("unit", "单位", "unit")];
    columns.extend(score_columns());
    columns.extend([
        Column::new("return_visits_due", "应回访数", "return visits due"),
        Column::new("on_time", "按时回访", "made on time"),
        Column::new("late", "超时回访", "made late"),
        Column::new("overdue", "逾期未回访", "overdue"),
        Column::new("not_yet_due", "未到期", "not yet due"),
    ]);
    let mut main_rows = Vec::new();
    let mut total: Option<Aggregate> = None;
    let mut total_timeliness = Timeliness::default();
    for unit in &rows {
        let a = per_unit.get(unit);
        let t = tally.timeliness.get(unit).copied().unwrap_or_default();
        if let Some(a) = a {
            match &mut total {
                Some(t) => add(t, a),
                None => total = Some(a.clone()),
            }
        }
        total_timeliness.add(&t);
        let mut row = vec![Cell::Words(name(*unit))];
        row.extend(score_cells(a));
        row.extend(timeliness_cells(&t));
        main_rows.push(row);
    }
    let mut row = vec![Cell::Words(said("合计", "total"))];
    row.extend(score_cells(total.as_ref()));
    row.extend(timeliness_cells(&total_timeliness));
    main_rows.push(row);

    let mut kind_columns = vec![
        Column::new("unit", "单位", "unit"),
        Column::new("kind", "回访事项", "work followed up"),
    ];
    kind_columns.extend(score_columns());
    let kind_rows = tally
        .by_kind
        .iter()
        .filter(|a| rows.contains(&a.unit))
        .map(|a| {
            let mut row = vec![
                Cell::Words(name(a.unit)),
                Cell::Words(followed_label(a.followed_kind)),
            ];
            row.extend(score_cells(Some(a)));
            row
        })
        .collect();
    let mut details = vec![Table {
        name: "by_kind",
        title: said("按回访事项", "By the work followed up"),
        columns: kind_columns,
        rows: kind_rows,
    }];
    if params.level != doorstep_core::satisfaction::UnitLevel::Technician {
        let mut columns = vec![Column::new("technician", "技术员", "technician")];
        columns.extend(score_columns());
        details.push(Table {
            name: "by_technician",
            title: said("按技术员", "By technician"),
            columns,
            rows: tally
                .by_technician
                .iter()
                .map(|a| {
                    let mut row = vec![Cell::Words(technician(a.unit))];
                    row.extend(score_cells(Some(a)));
                    row
                })
                .collect(),
        });
    }
    details.push(Table {
        name: "late_return_visits",
        title: said("超时及逾期的回访", "Return visits late or overdue"),
        columns: vec![
            Column::new("number", "回访工单号", "return visit"),
            Column::new("unit", "单位", "unit"),
            Column::new("due_at", "应回访时间", "due"),
            Column::new("done_at", "回访时间", "made"),
        ],
        rows: tally
            .late
            .iter()
            .filter(|l| rows.contains(&l.unit))
            .map(|l| {
                vec![
                    Cell::Text(l.number.clone()),
                    Cell::Words(name(l.unit)),
                    Cell::Time(l.due_at),
                    l.done_at.map_or(Cell::Empty, Cell::Time),
                ]
            })
            .collect(),
    });

    let chart = Chart {
        title: said(
            "满意率与按时回访率",
            "Satisfied share and return visits on time",
        ),
        labels: rows.iter().map(|u| name(*u).zh).collect(),
        series: vec![
            Series {
                name: said("满意率", "satisfied share"),
                values: rows
                    .iter()
                    .map(|u| {
                        per_unit
                            .get(u)
                            .map_or(0, |a| i64::from(a.satisfied_basis_points()))
                    })
                    .collect(),
            },
            Series {
                name: said("按时回访率", "return visits on time"),
                values: rows
                    .iter()
                    .map(|u| {
                        let t = tally.timeliness.get(u).copied().unwrap_or_default();
                        Cell::share(t.on_time, t.due).figure().unwrap_or(0)
                    })
                    .collect(),
            },
        ],
        unit: ChartUnit::BasisPoints,
    };

    Report {
        params: params.clone(),
        made_at: params.now,
        title: said("回访与满意度", "Return visits and satisfaction"),
        unit_name: params.unit_name(units),
        main: Table {
            name: "satisfaction",
            title: said("回访与满意度", "Return visits and satisfaction"),
            columns,
            rows: main_rows,
        },
        details,
        chart,
    }
}

fn followed_label(kind: Option<WorkOrderKind>) -> Text {
    kind.map_or_else(|| said("投诉", "complaint"), WorkOrderKind::label)
}
