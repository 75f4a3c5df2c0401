//! Inspection coverage per unit (Art.7(5), issue 27): of the households due for their periodic
//! safety inspection in the period (or already overdue at its start), how many were inspected
//! in it; and which households are overdue at the period's end (or now, for a period not over).
//! When a household is due is the core's rule ([`next_inspection_due`]: residential users
//! every 2 years, others every year, from the last signed inspection or gas-on), applied to
//! the household as it stood at the period's start: its last inspection before then.
//!
//! An inspection is a sealed inspection form whose checklist was filled in (the same forms
//! that move a household's due date when they are sealed), or the household's own
//! `last_inspection_at` (an inspection imported, or signed without a form on the server).
//! Counts are of households: a household inspected twice in the period counts once.
//!
//! Units: a household inspected in the period counts for its district at the time of the
//! inspection, and for the crew and technician who did it (the technician of the phone that
//! sealed the form, and that technician's crew at the time). A household not inspected in the
//! period counts for its district at the period's end (or now) only: at the crew and
//! technician levels it is in the row of no unit, so that the totals are the city's.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::Form;
use doorstep_core::forms::template::Template;
use doorstep_core::household::{Category, Household};
use doorstep_core::ids::{DistrictId, HouseholdId, TechnicianId};
use doorstep_core::satisfaction::{Unit, UnitLevel};
use doorstep_core::schedule::inspection::{InspectionPolicy, next_inspection_due};
use doorstep_core::sync::protocol::{Entity, Operation};
use doorstep_core::text::{Text, said};

use super::units::Units;
use super::{Cell, Chart, ChartUnit, Column, Params, Report, Series, Table, both, every};
use crate::error::Result;
use crate::storage::Tx;

/// One inspection of a household, as coverage counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspection {
    pub at: DateTime<Utc>,
    /// Who did it, when the server knows (`None`: imported, or no phone's operation on file).
    pub technician: Option<TechnicianId>,
}

pub fn report(tx: &mut dyn Tx, params: &Params) -> Result<Report> {
    let units = Units::load(tx)?;
    let households: Vec<Household> = every(tx, Entity::Household)?;
    let inspections = inspections(tx, params)?;
    Ok(lay_out(&units, params, &households, &inspections))
}

/// Every household's inspections on sealed forms, oldest first. Who did them is looked up
/// only for those of the period, and only when the report is of crews or technicians.
fn inspections(tx: &mut dyn Tx, params: &Params) -> Result<HashMap<HouseholdId, Vec<Inspection>>> {
    let stored: Vec<Template> = every(tx, Entity::Template)?;
    let mut is_inspection: HashMap<(String, u32), bool> = stored
        .iter()
        .map(|t| ((t.id.clone(), t.version), t.kind.is_inspection()))
        .collect();
    let who = params.level != UnitLevel::District;
    let technicians: HashMap<String, TechnicianId> = if who {
        tx.devices(None)?
            .into_iter()
            .filter_map(|d| Some((d.id, d.technician_id.parse().ok()?)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut out: HashMap<HouseholdId, Vec<Inspection>> = HashMap::new();
    for form in every::<Form>(tx, Entity::Form)? {
        let Some(seal) = &form.seal else { continue };
        let kind = is_inspection
            .entry((form.template_id.clone(), form.template_version))
            .or_insert_with(|| {
                builtin_template(&form.template_id).is_some_and(|t| t.kind.is_inspection())
            });
        if !*kind || !form.outcome.has_answers() {
            continue;
        }
        let at = seal.sealed_at;
        let technician = if who && params.period.holds(at) {
            sealed_by(tx, &form, &technicians)?
        } else {
            None
        };
        out.entry(form.household_id)
            .or_default()
            .push(Inspection { at, technician });
    }
    for list in out.values_mut() {
        list.sort_by_key(|i| i.at);
    }
    Ok(out)
}

/// The technician of the phone that sealed the form (the device of its `form_sealed`
/// operation).
fn sealed_by(
    tx: &mut dyn Tx,
    form: &Form,
    technicians: &HashMap<String, TechnicianId>,
) -> Result<Option<TechnicianId>> {
    for op in tx.ops_about(Entity::Form, &form.id.to_string(), 100)? {
        if let Ok(Operation::FormSealed { .. }) = serde_json::from_str::<Operation>(&op.payload) {
            return Ok(technicians.get(&op.device_id).copied());
        }
    }
    Ok(None)
}

/// One unit's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    due: i64,
    inspected_due: i64,
    inspected: i64,
    overdue: i64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.due += other.due;
        self.inspected_due += other.inspected_due;
        self.inspected += other.inspected;
        self.overdue += other.overdue;
    }
}

/// Where one household stands in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Due in the period, or overdue at its start.
    pub due: bool,
    /// Its last inspection in the period.
    pub inspected: Option<Inspection>,
    /// Its due date at `judged`, when it was overdue then.
    pub overdue: Option<NaiveDate>,
}

/// Where `h` stands in the period `[from, to)` (whose last day is the day before `end`),
/// judged at `judged` (the period's end, or now), given its inspections on forms, oldest first.
pub fn standing(
    h: &Household,
    forms: &[Inspection],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    end: NaiveDate,
    judged: DateTime<Utc>,
) -> Standing {
    let policy = InspectionPolicy::default();
    let on_file = h.last_inspection_at.map(|at| Inspection {
        at,
        technician: None,
    });
    let all = || forms.iter().copied().chain(on_file);
    let last_before = |t: DateTime<Utc>| all().filter(|i| i.at < t).map(|i| i.at).max();
    let due_on = |last| next_inspection_due(h.category, &h.supply, last, h.gas_on_date, &policy);
    let due = due_on(last_before(from)).is_some_and(|d| d < end);
    // The last inspection of the period; one on a form (who did it is known) before the bare
    // date on file.
    let inspected = forms
        .iter()
        .rev()
        .find(|i| from <= i.at && i.at < to)
        .copied()
        .or(on_file.filter(|i| from <= i.at && i.at < to));
    let last_judged = all().filter(|i| i.at <= judged).map(|i| i.at).max();
    let overdue = due_on(last_judged).filter(|d| *d < local_date(judged));
    Standing {
        due,
        inspected,
        overdue,
    }
}

/// The report of these households and their inspections.
fn lay_out(
    units: &Units,
    params: &Params,
    households: &[Household],
    inspections: &HashMap<HouseholdId, Vec<Inspection>>,
) -> Report {
    let bounds = params.period.bounds();
    let judged = params.now.min(bounds.1);
    let mut tallies: BTreeMap<Option<Unit>, Tally> = BTreeMap::new();
    let mut overdue: Vec<(NaiveDate, &Household, Option<DistrictId>)> = Vec::new();
    for h in households {
        let forms = inspections.get(&h.id).map_or(&[][..], Vec::as_slice);
        let s = standing(h, forms, bounds, params.period.end(), judged);
        let (district, unit) = match s.inspected {
            Some(i) => {
                let district = units.household_district(h.id, i.at);
                let crew = i.technician.and_then(|t| units.technician_crew(t, i.at));
                (district, params.unit_of(district, crew, i.technician))
            }
            None => {
                let district = units.household_district(h.id, judged);
                (district, params.unit_of(district, None, None))
            }
        };
        if !params.takes(unit, district) || (!s.due && s.inspected.is_none() && s.overdue.is_none())
        {
            continue;
        }
        let t = tallies.entry(unit).or_default();
        t.due += i64::from(s.due);
        t.inspected_due += i64::from(s.due && s.inspected.is_some());
        t.inspected += i64::from(s.inspected.is_some());
        if let Some(due) = s.overdue {
            t.overdue += 1;
            overdue.push((due, h, district));
        }
    }
    overdue.sort_by(|a, b| (a.0, &a.1.customer_number).cmp(&(b.0, &b.1.customer_number)));

    let mut rows = Vec::new();
    let mut chart = Chart {
        title: said("各单位安检覆盖率", "Inspection coverage per unit"),
        labels: Vec::new(),
        series: vec![Series {
            name: said("覆盖率", "coverage"),
            values: Vec::new(),
        }],
        unit: ChartUnit::BasisPoints,
    };
    let mut total = Tally::default();
    for (unit, name) in super::ordered_units(units, params.level, tallies.keys().copied()) {
        let t = tallies[&unit];
        total.add(&t);
        rows.push(row(Cell::Words(name.clone()), &t));
        chart.labels.push(match unit {
            Some(_) => name.zh.clone(),
            None => both(&name),
        });
        chart.series[0]
            .values
            .push(share(&t).figure().unwrap_or_default());
    }
    rows.push(row(Cell::Words(said("合计", "total")), &total));

    Report {
        params: params.clone(),
        made_at: params.now,
        title: said("安检覆盖", "Inspection coverage"),
        unit_name: params.unit_name(units),
        main: Table {
            name: "coverage",
            title: said("各单位安检覆盖", "Inspection coverage per unit"),
            columns: vec![
                Column::new("unit", "单位", "Unit"),
                Column::new("due", "应检户数", "Due"),
                Column::new("inspected_due", "应检已检", "Due and inspected"),
                Column::new("coverage", "覆盖率", "Coverage"),
                Column::new("inspected", "已检户数", "Inspected"),
                Column::new("overdue", "逾期户数", "Overdue"),
            ],
            rows,
        },
        details: vec![Table {
            name: "overdue",
            title: said("逾期未检用户", "Households overdue"),
            columns: vec![
                Column::new("customer_number", "用户编号", "Customer number"),
                Column::new("district", "片区", "District"),
                Column::new("category", "类别", "Category"),
                Column::new("due_on", "应检日期", "Due on"),
            ],
            rows: overdue
                .into_iter()
                .map(|(due, h, district)| {
                    vec![
                        Cell::Text(h.customer_number.clone()),
                        district.map_or_else(
                            || {
                                Cell::Words(
                                    units.name(
                                        doorstep_core::satisfaction::UnitLevel::District,
                                        None,
                                    ),
                                )
                            },
                            |d| Cell::Text(units.district_name(d)),
                        ),
                        Cell::Words(category(h.category)),
                        Cell::Date(due),
                    ]
                })
                .collect(),
        }],
        chart,
    }
}

fn share(t: &Tally) -> Cell {
    Cell::share(t.inspected_due, t.due)
}

fn row(unit: Cell, t: &Tally) -> Vec<Cell> {
    vec![
        unit,
        Cell::Count(t.due),
        Cell::Count(t.inspected_due),
        share(t),
        Cell::Count(t.inspected),
        Cell::Count(t.overdue),
    ]
}

fn category(c: Category) -> Text {
    super::console_words(|w| (w.calls.category)(c))
}
