//! Complaints per unit (Art.7(6), Art.16, issue 27): the complaints received in the period,
//! by kind (the way they came: the utility's line, the city's 12345 hotline, …), how long
//! they took to be answered and closed (median and mean minutes from receipt), whether the
//! users accepted the answers they were closed with (the core's [`Acceptance`]), and how many
//! are still open at `params.now`. A step recorded after `params.now` has not happened yet.
//!
//! Units: a complaint counts for its household's district when it was received, and for the
//! crew and technician of its follow-up order, if it has one (else in the row of no unit).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use doorstep_core::complaint::{Acceptance, Complaint, ComplaintChannel};
use doorstep_core::ids::ComplaintId;
use doorstep_core::satisfaction::Unit;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::text::{Text, said};
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

/// Where one complaint stood at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handled {
    /// Minutes from receipt to the first answer, if it was answered.
    pub answered: Option<i64>,
    /// Minutes from receipt to closure, if it was closed.
    pub closed: Option<i64>,
    pub acceptance: Option<Acceptance>,
}

impl Handled {
    pub fn of(c: &Complaint, now: DateTime<Utc>) -> Self {
        let minutes = |at: DateTime<Utc>| (at - c.received_at).num_minutes();
        let closure = c.closure.as_ref().filter(|s| s.at <= now);
        Self {
            answered: c
                .answer
                .as_ref()
                .filter(|a| a.at <= now)
                .map(|a| minutes(a.at)),
            closed: closure.map(|s| minutes(s.at)),
            acceptance: closure.map(|s| s.acceptance),
        }
    }
}

/// One unit's complaints, as handled.
#[derive(Debug, Clone, Default)]
struct Tally {
    received: i64,
    by_kind: BTreeMap<&'static str, (ComplaintChannel, i64)>,
    answer_minutes: Vec<i64>,
    close_minutes: Vec<i64>,
    accepted: i64,
    not_accepted: i64,
}

impl Tally {
    fn add(&mut self, c: &Complaint, h: Handled) {
        self.received += 1;
        self.by_kind
            .entry(c.channel.as_str())
            .or_insert((c.channel, 0))
            .1 += 1;
        self.answer_minutes.extend(h.answered);
        self.close_minutes.extend(h.closed);
        match h.acceptance {
            Some(Acceptance::Accepted) => self.accepted += 1,
            Some(Acceptance::NotAccepted) => self.not_accepted += 1,
            None => {}
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.received += other.received;
        for (key, (channel, n)) in &other.by_kind {
            self.by_kind.entry(key).or_insert((*channel, 0)).1 += n;
        }
        self.answer_minutes.extend(&other.answer_minutes);
        self.close_minutes.extend(&other.close_minutes);
        self.accepted += other.accepted;
        self.not_accepted += other.not_accepted;
    }

    fn open(&self) -> i64 {
        self.received - self.close_minutes.len() as i64
    }
}

/// The middle value (of an even count, the mean of the two middle ones, rounded half up).
pub fn median(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some(mean(&v[n / 2 - 1..=n / 2]).unwrap_or_default()),
    }
}

/// The mean, rounded half up.
pub fn mean(values: &[i64]) -> Option<i64> {
    let n = values.len() as i64;
    (n > 0).then(|| (2 * values.iter().sum::<i64>() + n).div_euclid(2 * n))
}

fn minutes(m: Option<i64>) -> Cell {
    m.map_or(Cell::Empty, Cell::Minutes)
}

fn lay_out(
    units: &Units,
    params: &Params,
    orders: &[WorkOrder],
    complaints: &[Complaint],
) -> Report {
    let mut follow_ups: HashMap<ComplaintId, &WorkOrder> = HashMap::new();
    for o in orders {
        if let Some(FollowUp::Complaint(c)) = o.follows {
            let first = follow_ups.entry(c).or_insert(o);
            if o.reported_at < first.reported_at {
                *first = o;
            }
        }
    }
    let mut tallies: BTreeMap<Option<Unit>, Tally> = BTreeMap::new();
    let mut listed: Vec<(Option<Unit>, &Complaint, Handled)> = Vec::new();
    for c in complaints
        .iter()
        .filter(|c| params.period.holds(c.received_at))
    {
        let district = c
            .household_id
            .and_then(|h| units.household_district(h, c.received_at));
        let follow_up = follow_ups.get(&c.id);
        let unit = params.unit_of(
            district,
            follow_up.and_then(|o| o.crew),
            follow_up.and_then(|o| o.assignee),
        );
        if !params.takes(unit, district) {
            continue;
        }
        let handled = Handled::of(c, params.now);
        tallies.entry(unit).or_default().add(c, handled);
        listed.push((unit, c, handled));
    }

    let order = super::ordered_units(units, params.level, tallies.keys().copied());
    let names: HashMap<Option<Unit>, Text> = order.iter().cloned().collect();
    let mut rows = Vec::new();
    let mut kinds = Vec::new();
    let mut total = Tally::default();
    let mut chart = Chart {
        title: said("各单位投诉处理", "Complaints per unit"),
        labels: Vec::new(),
        series: vec![
            Series {
                name: said("受理", "received"),
                values: Vec::new(),
            },
            Series {
                name: said("已办结", "closed"),
                values: Vec::new(),
            },
            Series {
                name: said("用户认可", "accepted"),
                values: Vec::new(),
            },
        ],
        unit: ChartUnit::Count,
    };
    for (unit, name) in &order {
        let t = &tallies[unit];
        total.merge(t);
        rows.push(row(Cell::Words(name.clone()), t));
        for (channel, n) in t.by_kind.values() {
            kinds.push(vec![
                Cell::Words(name.clone()),
                Cell::Words(kind(*channel)),
                Cell::Count(*n),
            ]);
        }
        chart.labels.push(match unit {
            Some(_) => name.zh.clone(),
            None => both(name),
        });
        for (series, n) in
            chart
                .series
                .iter_mut()
                .zip([t.received, t.close_minutes.len() as i64, t.accepted])
        {
            series.values.push(n);
        }
    }
    let total_name = said("合计", "total");
    rows.push(row(Cell::Words(total_name.clone()), &total));
    for (channel, n) in total.by_kind.values() {
        kinds.push(vec![
            Cell::Words(total_name.clone()),
            Cell::Words(kind(*channel)),
            Cell::Count(*n),
        ]);
    }
    listed.sort_by(|a, b| (a.1.received_at, &a.1.number).cmp(&(b.1.received_at, &b.1.number)));

    Report {
        params: params.clone(),
        made_at: params.now,
        title: said("投诉处理", "Complaints"),
        unit_name: params.unit_name(units),
        main: Table {
            name: "complaints",
            title: said("各单位投诉处理", "Complaints per unit"),
            columns: vec![
                Column::new("unit", "单位", "Unit"),
                Column::new("received", "受理", "Received"),
                Column::new("answered", "已答复", "Answered"),
                Column::new("closed", "已办结", "Closed"),
                Column::new("open", "未办结", "Open"),
                Column::new("accepted", "用户认可", "Accepted"),
                Column::new("not_accepted", "用户不认可", "Not accepted"),
                Column::new("accepted_share", "认可率", "Accepted share"),
                Column::new("answer_median", "答复用时中位数", "Time to answer, median"),
                Column::new("answer_mean", "答复用时平均", "Time to answer, mean"),
                Column::new("close_median", "办结用时中位数", "Time to close, median"),
                Column::new("close_mean", "办结用时平均", "Time to close, mean"),
            ],
            rows,
        },
        details: vec![
            Table {
                name: "by_kind",
                title: said("按来源分类", "By kind"),
                columns: vec![
                    Column::new("unit", "单位", "Unit"),
                    Column::new("kind", "来源", "Kind"),
                    Column::new("count", "件数", "Count"),
                ],
                rows: kinds,
            },
            Table {
                name: "complaints_list",
                title: said("投诉清单", "The complaints"),
                columns: vec![
                    Column::new("number", "投诉编号", "Number"),
                    Column::new("unit", "单位", "Unit"),
                    Column::new("kind", "来源", "Kind"),
                    Column::new("received_at", "受理时间", "Received"),
                    Column::new("answer_minutes", "答复用时", "Time to answer"),
                    Column::new("close_minutes", "办结用时", "Time to close"),
                    Column::new("acceptance", "用户是否认可", "Accepted"),
                ],
                rows: listed
                    .into_iter()
                    .map(|(unit, c, h)| {
                        vec![
                            Cell::Text(c.number.clone()),
                            Cell::Words(names[&unit].clone()),
                            Cell::Words(kind(c.channel)),
                            Cell::Time(c.received_at),
                            minutes(h.answered),
                            minutes(h.closed),
                            h.acceptance
                                .map_or(Cell::Empty, |a| Cell::Words(acceptance(a))),
                        ]
                    })
                    .collect(),
            },
        ],
        chart,
    }
}

fn row(unit: Cell, t: &Tally) -> Vec<Cell> {
    let closed = t.close_minutes.len() as i64;
    vec![
        unit,
        Cell::Count(t.received),
        Cell::Count(t.answer_minutes.len() as i64),
        Cell::Count(closed),
        Cell::Count(t.open()),
        Cell::Count(t.accepted),
        Cell::Count(t.not_accepted),
        Cell::share(t.accepted, closed),
        minutes(median(&t.answer_minutes)),
        minutes(mean(&t.answer_minutes)),
        minutes(median(&t.close_minutes)),
        minutes(mean(&t.close_minutes)),
    ]
}

fn kind(c: ComplaintChannel) -> Text {
    super::console_words(|w| (w.complaints.channel)(c))
}

fn acceptance(a: Acceptance) -> Text {
    super::console_words(|w| (w.complaints.acceptance)(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_median_of_an_even_count_is_the_mean_of_the_middle_two_rounded_half_up() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[30, 10, 20]), Some(20));
        assert_eq!(median(&[40, 10, 20, 31]), Some(26));
        assert_eq!(mean(&[1, 2]), Some(2));
        assert_eq!(mean(&[10, 20, 31]), Some(20));
        assert_eq!(mean(&[]), None);
    }
}
