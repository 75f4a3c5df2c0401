//! Who did a piece of work, and which units are the rows of a report: what the satisfaction,
//! work and evaluation reports share (issue 27).
//!
//! A piece of work is attributed once, when it is read, to the technician, crew and district
//! it belonged to when it was done ([`Doer`], from [`super::super::units::Units`]); a report
//! then only groups by the level asked for, so a technician who moved since is counted where
//! they were.

use std::collections::{BTreeMap, BTreeSet};

use doorstep_core::ids::{CrewId, DistrictId, TechnicianId};
use doorstep_core::satisfaction::{Unit, UnitLevel};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::text::{Text, said};

use crate::error::Result;
use crate::records::decode;
use crate::reports::{Column, Params};
use crate::storage::Tx;

/// The units a piece of work belonged to when it was done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Doer {
    pub district: Option<DistrictId>,
    pub crew: Option<CrewId>,
    pub technician: Option<TechnicianId>,
}

impl Doer {
    /// The unit of `level` the work counts for, if it has one.
    pub fn unit(&self, level: UnitLevel) -> Option<Unit> {
        match level {
            UnitLevel::District => self.district.map(Unit::District),
            UnitLevel::Crew => self.crew.map(Unit::Crew),
            UnitLevel::Technician => self.technician.map(Unit::Technician),
        }
    }
}

/// A unit's id as text: what [`Params::unit`] names.
pub fn unit_id(unit: Unit) -> String {
    match unit {
        Unit::District(id) => id.to_string(),
        Unit::Crew(id) => id.to_string(),
        Unit::Technician(id) => id.to_string(),
    }
}

/// What a report's parameters let in.
pub struct Scope<'a> {
    params: &'a Params,
}

impl<'a> Scope<'a> {
    pub fn new(params: &'a Params) -> Self {
        Self { params }
    }

    /// The unit of the report's level that `doer`'s work counts for: `None` when the work had
    /// no unit at that level, was done outside the dispatcher's districts, or is another
    /// unit's than the one asked for.
    pub fn unit_of(&self, doer: &Doer) -> Option<Unit> {
        let within = &self.params.within_districts;
        if !within.is_empty()
            && !doer
                .district
                .is_some_and(|d| within.contains(&d.to_string()))
        {
            return None;
        }
        let unit = doer.unit(self.params.level)?;
        match &self.params.unit {
            Some(asked) if *asked != unit_id(unit) => None,
            _ => Some(unit),
        }
    }
}

/// A unit as the office knows it now: its name and district.
#[derive(Debug, Clone)]
struct Known {
    name: String,
    district: Option<DistrictId>,
    /// Listed as a row even without figures (an inactive technician is not).
    listed: bool,
}

/// The names of every district, crew and technician, read once for a report.
#[derive(Debug, Clone, Default)]
pub struct Names {
    units: BTreeMap<Unit, Known>,
}

impl Names {
    pub fn load(tx: &mut dyn Tx) -> Result<Self> {
        let mut units = BTreeMap::new();
        for d in every::<District>(tx, Entity::District)? {
            units.insert(
                Unit::District(d.id),
                Known {
                    name: d.name,
                    district: Some(d.id),
                    listed: true,
                },
            );
        }
        for c in every::<Crew>(tx, Entity::Crew)? {
            units.insert(
                Unit::Crew(c.id),
                Known {
                    name: c.name,
                    district: c.district_id,
                    listed: true,
                },
            );
        }
        for t in every::<Technician>(tx, Entity::Technician)? {
            units.insert(
                Unit::Technician(t.id),
                Known {
                    name: format!("{} {}", t.badge, t.name),
                    district: t.district_id,
                    listed: t.active,
                },
            );
        }
        Ok(Self { units })
    }

    /// Every technician the office knows (their receipts are read one by one).
    pub fn technicians(&self) -> impl Iterator<Item = TechnicianId> + '_ {
        self.units.keys().filter_map(|u| match u {
            Unit::Technician(t) => Some(*t),
            _ => None,
        })
    }

    /// How a unit is named in a row: a district's or crew's name, a technician's badge and
    /// name; its id when the office no longer has it.
    pub fn name(&self, unit: Unit) -> String {
        self.units
            .get(&unit)
            .map_or_else(|| unit_id(unit), |k| k.name.clone())
    }

    /// The rows of a report: every unit of the level in scope now (in the dispatcher's
    /// districts, the one asked for), and every unit with figures (`with_figures`, already in
    /// scope), by name.
    pub fn rows(&self, params: &Params, with_figures: impl IntoIterator<Item = Unit>) -> Vec<Unit> {
        let within = &params.within_districts;
        let mut rows: BTreeSet<Unit> = self
            .units
            .iter()
            .filter(|(unit, known)| {
                known.listed
                    && level_of(**unit) == params.level
                    && (within.is_empty()
                        || known
                            .district
                            .is_some_and(|d| within.contains(&d.to_string())))
            })
            .map(|(unit, _)| *unit)
            .collect();
        rows.extend(with_figures);
        if let Some(asked) = &params.unit {
            rows.retain(|u| unit_id(*u) == *asked);
        }
        let mut rows: Vec<Unit> = rows.into_iter().collect();
        rows.sort_by_cached_key(|u| (self.name(*u), *u));
        rows
    }

    /// What the report is about: the unit asked for, the dispatcher's districts, or the city.
    pub fn report_unit(&self, params: &Params) -> Text {
        if let Some(asked) = &params.unit {
            if let Some((_, known)) = self
                .units
                .iter()
                .find(|(u, _)| level_of(**u) == params.level && unit_id(**u) == *asked)
            {
                return said(known.name.clone(), known.name.clone());
            }
            return said(asked.clone(), asked.clone());
        }
        if params.within_districts.is_empty() {
            return said("全市", "whole city");
        }
        let names: Vec<String> = params
            .within_districts
            .iter()
            .map(|d| {
                self.units
                    .iter()
                    .find(|(u, _)| matches!(u, Unit::District(id) if id.to_string() == *d))
                    .map_or_else(|| d.clone(), |(_, k)| k.name.clone())
            })
            .collect();
        said(names.join("、"), names.join(", "))
    }
}

fn level_of(unit: Unit) -> UnitLevel {
    match unit {
        Unit::District(_) => UnitLevel::District,
        Unit::Crew(_) => UnitLevel::Crew,
        Unit::Technician(_) => UnitLevel::Technician,
    }
}

/// A column of a report's table.
pub fn column(key: &'static str, zh: &str, en: &str) -> Column {
    Column {
        key,
        title: said(zh, en),
    }
}

/// The label of a totals row.
pub fn total_label() -> Text {
    said("合计", "total")
}

/// Every stored record of `entity`, decoded (deleted ones left out).
pub fn every<T: serde::de::DeserializeOwned>(tx: &mut dyn Tx, entity: Entity) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(entity, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            all.push(decode(record)?);
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::{Period, PeriodLength, ReportKind};
    use chrono::{NaiveDate, TimeZone, Utc};

    fn params(level: UnitLevel, unit: Option<String>, within: Vec<String>) -> Params {
        Params {
            kind: ReportKind::Work,
            level,
            unit,
            within_districts: within,
            period: Period::holding(
                PeriodLength::Month,
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            ),
            now: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn work_counts_for_its_unit_only_inside_the_dispatchers_districts_and_the_unit_asked_for() {
        let (west, east) = (DistrictId::new(), DistrictId::new());
        let crew = CrewId::new();
        let wu = TechnicianId::new();
        let doer = Doer {
            district: Some(west),
            crew: Some(crew),
            technician: Some(wu),
        };
        let all = params(UnitLevel::Crew, None, vec![]);
        assert_eq!(Scope::new(&all).unit_of(&doer), Some(Unit::Crew(crew)));
        let elsewhere = params(UnitLevel::Crew, None, vec![east.to_string()]);
        assert_eq!(Scope::new(&elsewhere).unit_of(&doer), None);
        let mine = params(UnitLevel::Technician, Some(wu.to_string()), vec![west.to_string()]);
        assert_eq!(Scope::new(&mine).unit_of(&doer), Some(Unit::Technician(wu)));
        let other = params(UnitLevel::Technician, Some(TechnicianId::new().to_string()), vec![]);
        assert_eq!(Scope::new(&other).unit_of(&doer), None);
        // No crew then: nothing at the crew level.
        let alone = Doer { crew: None, ..doer };
        assert_eq!(Scope::new(&all).unit_of(&alone), None);
    }

    #[test]
    fn the_rows_are_the_units_in_scope_and_those_with_figures_by_name() {
        let (west, east) = (DistrictId::new(), DistrictId::new());
        let mut names = Names::default();
        for (id, name) in [(west, "西湖"), (east, "东城")] {
            names.units.insert(
                Unit::District(id),
                Known {
                    name: name.into(),
                    district: Some(id),
                    listed: true,
                },
            );
        }
        let gone = DistrictId::new();
        let all = params(UnitLevel::District, None, vec![]);
        // A district the office no longer has is named by its id (digits sort first).
        assert_eq!(
            names.rows(&all, [Unit::District(gone)]),
            vec![Unit::District(gone), Unit::District(east), Unit::District(west)]
        );
        let sorted = names.rows(&all, []);
        assert_eq!(sorted, vec![Unit::District(east), Unit::District(west)]);
        assert_eq!(names.name(Unit::District(gone)), gone.to_string());
        let mine = params(UnitLevel::District, None, vec![west.to_string()]);
        assert_eq!(names.rows(&mine, []), vec![Unit::District(west)]);
        assert_eq!(names.report_unit(&mine), said("西湖", "西湖"));
        assert_eq!(names.report_unit(&all), said("全市", "whole city"));
    }
}
