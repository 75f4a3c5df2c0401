//! Deadline compliance per unit and clause (Art.7, issue 27): of the work orders reported and
//! the complaints received in the period, how many of each regulated deadline were met, met
//! late, breached (unmet and past due at `params.now`) or are still open, with the late ones
//! listed. The verdicts are the core's ([`compliance`]); this module only decides which unit
//! each order and complaint counts for, and lays the figures out.
//!
//! The unit of an order: its district is the household's district when it was reported, its
//! crew is the order's crew, its technician the order's assignee (an order keeps who did it).
//! A complaint counts for the household's district when it was received, and for the crew and
//! technician of its follow-up order, if it has one.

use std::collections::{BTreeMap, HashMap};

use doorstep_core::complaint::Complaint;
use doorstep_core::compliance::{ClauseCompliance, Subject, compliance};
use doorstep_core::ids::{ComplaintId, DistrictId};
use doorstep_core::satisfaction::Unit;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::text::{Text, said};
use doorstep_core::workorder::deadline::Milestone;
use doorstep_core::workorder::{FollowUp, WorkOrder};

use super::units::Units;
use super::{Cell, Chart, ChartUnit, Column, Params, Report, Series, Table, both, every};
use crate::error::Result;
use crate::storage::Tx;

pub fn report(tx: &mut dyn Tx, params: &Params) -> Result<Report> {
    let units = Units::load(tx)?;
    let orders: Vec<WorkOrder> = every(tx, Entity::WorkOrder)?;
    let complaints: Vec<Complaint> = every(tx, Entity::Complaint)?;
    Ok(lay_out(&units, params, &orders, &complaints))
}

/// The orders and complaints one unit answers for.
#[derive(Default)]
struct Work<'a> {
    orders: Vec<&'a WorkOrder>,
    complaints: Vec<&'a Complaint>,
}

/// The report of these orders and complaints (every one stored: the period is chosen here).
fn lay_out(
    units: &Units,
    params: &Params,
    orders: &[WorkOrder],
    complaints: &[Complaint],
) -> Report {
    // A complaint's follow-up order: the first reported, if several were opened.
    let mut follow_ups: HashMap<ComplaintId, &WorkOrder> = HashMap::new();
    for o in orders {
        if let Some(FollowUp::Complaint(c)) = o.follows {
            follow_ups
                .entry(c)
                .and_modify(|f| {
                    if o.reported_at < f.reported_at {
                        *f = o;
                    }
                })
                .or_insert(o);
        }
    }
    let mut by_unit: BTreeMap<Option<Unit>, Work<'_>> = BTreeMap::new();
    let mut city = Work::default();
    let mut numbers: HashMap<Subject, &str> = HashMap::new();
    for o in orders.iter().filter(|o| params.period.holds(o.reported_at)) {
        let district = o
            .household_id
            .and_then(|h| units.household_district(h, o.reported_at));
        let unit = params.unit_of(district, o.crew, o.assignee);
        if params.takes(unit, district) {
            by_unit.entry(unit).or_default().orders.push(o);
            city.orders.push(o);
            numbers.insert(Subject::Order(o.id), &o.number);
        }
    }
    for c in complaints
        .iter()
        .filter(|c| params.period.holds(c.received_at))
    {
        let district: Option<DistrictId> = c
            .household_id
            .and_then(|h| units.household_district(h, c.received_at));
        let follow_up = follow_ups.get(&c.id);
        let unit = params.unit_of(
            district,
            follow_up.and_then(|o| o.crew),
            follow_up.and_then(|o| o.assignee),
        );
        if params.takes(unit, district) {
            by_unit.entry(unit).or_default().complaints.push(c);
            city.complaints.push(c);
            numbers.insert(Subject::Complaint(c.id), &c.number);
        }
    }

    let order = super::ordered_units(units, params.level, by_unit.keys().copied());
    let mut rows = Vec::new();
    let mut late_rows = Vec::new();
    let mut chart = Chart {
        title: said("各单位时限达标情况", "Deadlines per unit"),
        labels: Vec::new(),
        series: verdicts()
            .into_iter()
            .map(|name| Series {
                name,
                values: Vec::new(),
            })
            .collect(),
        unit: ChartUnit::Count,
    };
    for (unit, name) in &order {
        let work = &by_unit[unit];
        let clauses = compliance(
            work.orders.iter().copied(),
            work.complaints.iter().copied(),
            params.now,
        );
        let mut sums = [0i64; 4];
        for c in &clauses {
            rows.push(row(Cell::Words(name.clone()), c));
            for (sum, n) in sums.iter_mut().zip(counts(c)) {
                *sum += n;
            }
            for late in &c.late {
                late_rows.push(vec![
                    Cell::Words(name.clone()),
                    Cell::Words(clause(c.milestone)),
                    Cell::Words(match late.subject {
                        Subject::Order(_) => said("工单", "work order"),
                        Subject::Complaint(_) => said("投诉", "complaint"),
                    }),
                    Cell::Text(numbers[&late.subject].to_owned()),
                    Cell::Time(late.due_at),
                    late.met_at.map_or(Cell::Empty, Cell::Time),
                    Cell::Words(match late.met_at {
                        Some(_) => said("超时完成", "met late"),
                        None => said("超时未完成", "breached"),
                    }),
                ]);
            }
        }
        chart.labels.push(match unit {
            Some(_) => name.zh.clone(),
            None => both(name),
        });
        for (series, sum) in chart.series.iter_mut().zip(sums) {
            series.values.push(sum);
        }
    }
    let total = said("合计", "total");
    for c in compliance(
        city.orders.iter().copied(),
        city.complaints.iter().copied(),
        params.now,
    ) {
        rows.push(row(Cell::Words(total.clone()), &c));
    }

    Report {
        params: params.clone(),
        made_at: params.now,
        title: said("时限达标", "Deadline compliance"),
        unit_name: params.unit_name(units),
        main: Table {
            name: "compliance",
            title: said("各条款时限达标", "Deadlines met per clause"),
            columns: vec![
                Column::new("unit", "单位", "Unit"),
                Column::new("clause", "条款", "Clause"),
                Column::new("met", "按时", "Met"),
                Column::new("met_late", "超时完成", "Met late"),
                Column::new("breached", "超时未完成", "Breached"),
                Column::new("open", "未到期", "Open"),
                Column::new("total", "合计", "Total"),
                Column::new("on_time", "按时率", "On time"),
            ],
            rows,
        },
        details: vec![Table {
            name: "late",
            title: said("超时清单", "Late deadlines"),
            columns: vec![
                Column::new("unit", "单位", "Unit"),
                Column::new("clause", "条款", "Clause"),
                Column::new("of", "类别", "Of"),
                Column::new("number", "编号", "Number"),
                Column::new("due_at", "时限", "Due"),
                Column::new("met_at", "完成时间", "Met at"),
                Column::new("verdict", "结果", "Verdict"),
            ],
            rows: late_rows,
        }],
        chart,
    }
}

/// The verdicts of a deadline, in the order of the main table's columns (the chart's series).
fn verdicts() -> [Text; 4] {
    [
        said("按时", "met"),
        said("超时完成", "met late"),
        said("超时未完成", "breached"),
        said("未到期", "open"),
    ]
}

fn counts(c: &ClauseCompliance) -> [i64; 4] {
    [c.met, c.met_late, c.breached, c.open].map(i64::from)
}

/// One clause's row: the unit, the clause, its four counts, the total, and the share of the
/// decided deadlines (met, met late, breached) that were met in time.
fn row(unit: Cell, c: &ClauseCompliance) -> Vec<Cell> {
    let [met, met_late, breached, open] = counts(c);
    vec![
        unit,
        Cell::Words(clause(c.milestone)),
        Cell::Count(met),
        Cell::Count(met_late),
        Cell::Count(breached),
        Cell::Count(open),
        Cell::Count(met + met_late + breached + open),
        Cell::share(met, met + met_late + breached),
    ]
}

/// A clause as the report names it (the regulation's words, not the phone's short labels).
pub fn clause(m: Milestone) -> Text {
    match m {
        Milestone::Handle => said("一般管道故障到场处置", "ordinary pipeline fault handled"),
        Milestone::Repair => said("一般管道故障修复", "ordinary pipeline fault repaired"),
        Milestone::EmergencyOnSite => said("重大故障抢险到场", "major fault: crew on site"),
        Milestone::LeadershipReport => {
            said("重大故障上报领导", "major fault reported to the leadership")
        }
        Milestone::EquipmentOnSite => said(
            "用户设施故障到场（或按约定时间）",
            "user equipment fault: on site (or at the appointment)",
        ),
        Milestone::SpecialGroupVisit => said("特殊群体上门服务", "special-group home service"),
        Milestone::ComplaintInvestigation => said("投诉开始调查", "complaint investigated"),
        Milestone::ComplaintAnswer => said("投诉答复", "complaint answered"),
        Milestone::ReturnVisit => said("回访", "return visit"),
    }
}
