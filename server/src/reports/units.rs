//! The unit a piece of work belonged to when it was done (issue 27): the district of a
//! household and the crew and district of a technician, at any moment, from the history the
//! server keeps of them (technicians change crews, households change districts). A report
//! counts a visit made in March for the crew the technician was in in March, not for the one
//! they joined in June.
//!
//! The history (`unit_history`, both backends) is written where records are written: the
//! backends' `put_record`/`put_records` hand every household and technician to
//! [`rows_of`], and a row is appended for each whose unit differs from its latest row, at the
//! server's time of the write. A database older than the history gets one row per household
//! and technician at its first open ([`build_at_open`]), from their current records.
//!
//! A record's first row counts from the beginning of time: work done before the record first
//! reached the server (imported with its history, or done offline) belongs to the unit the
//! record first came with, since nothing earlier is known.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use doorstep_core::household::Household;
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::satisfaction::{Unit, UnitLevel};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::text::{Text, said};

use crate::error::Result;
use crate::records::decode;
use crate::storage::{Storage, StorageError, StorageResult, StoredRecord, Tx};

/// One row of the unit history: from `since` on (a record's first row: from the beginning of
/// time), the household was in `district`, or the technician in `crew` and `district`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    /// [`Entity::Household`] or [`Entity::Technician`].
    pub entity: Entity,
    pub id: String,
    /// The record's server change that wrote it: the latest row is the highest.
    pub seq: i64,
    pub since: DateTime<Utc>,
    pub district: Option<String>,
    pub crew: Option<String>,
}

/// The unit each household and technician among `records` is in as written at `at` (a row
/// the backend appends unless it is the record's latest unit already). Deleted records and
/// bodies this version cannot read leave the history as it is.
pub fn rows_of(records: &[&StoredRecord], at: DateTime<Utc>) -> Vec<UnitRow> {
    records
        .iter()
        .filter(|r| !r.deleted)
        .filter_map(|r| {
            let (district, crew) = match r.entity {
                Entity::Household => {
                    let h = serde_json::from_str::<Household>(&r.body).ok()?;
                    (h.district_id, None)
                }
                Entity::Technician => {
                    let t = serde_json::from_str::<Technician>(&r.body).ok()?;
                    (t.district_id, t.crew_id)
                }
                _ => return None,
            };
            Some(UnitRow {
                entity: r.entity,
                id: r.id.clone(),
                seq: r.seq,
                since: at,
                district: district.map(|d| d.to_string()),
                crew: crew.map(|c| c.to_string()),
            })
        })
        .collect()
}

/// Tracks every household and technician stored, a page at a time (an older database's first
/// open); how many were read.
pub(crate) fn track_every_unit(tx: &mut dyn Tx) -> StorageResult<u64> {
    let mut read = 0;
    for entity in [Entity::Household, Entity::Technician] {
        let mut after = String::new();
        loop {
            let page = tx.records(entity, &after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            let records: Vec<&StoredRecord> = page.iter().filter(|r| !r.deleted).collect();
            tx.track_units(&records)?;
            read += records.len() as u64;
        }
    }
    Ok(read)
}

/// Builds the history at open if the database holds households or technicians and no history.
pub(crate) fn build_at_open(storage: &dyn Storage) -> StorageResult<()> {
    let read = crate::storage::write(storage, |tx| Ok(tx.build_unit_history()?))
        .map_err(|e| StorageError::Database(e.to_string()))?;
    if read > 0 {
        tracing::info!(
            records = read,
            "unit history built from the current records"
        );
    }
    Ok(())
}

/// One record's units over time, oldest change first.
struct Spans<T> {
    rows: Vec<(DateTime<Utc>, T)>,
}

impl<T: Copy> Spans<T> {
    /// The unit in force at `at`: of the latest row that started at or before it, else of the
    /// first row (which counts from the beginning of time).
    fn at(&self, at: DateTime<Utc>) -> Option<T> {
        self.rows
            .iter()
            .rev()
            .find(|(since, _)| *since <= at)
            .or(self.rows.first())
            .map(|(_, unit)| *unit)
    }
}

impl<T> Default for Spans<T> {
    fn default() -> Self {
        Self { rows: Vec::new() }
    }
}

/// A technician's crew and district.
type Membership = (Option<CrewId>, Option<DistrictId>);

/// Every unit membership over time, and the units' names, read once for a report.
pub struct Units {
    households: HashMap<HouseholdId, Spans<Option<DistrictId>>>,
    technicians: HashMap<TechnicianId, Spans<Membership>>,
    districts: BTreeMap<DistrictId, String>,
    crews: BTreeMap<CrewId, String>,
    /// "name (badge)", as the console names a technician.
    technician_names: BTreeMap<TechnicianId, String>,
}

impl Units {
    pub fn load(tx: &mut dyn Tx) -> Result<Self> {
        let mut units = Units {
            households: HashMap::new(),
            technicians: HashMap::new(),
            districts: BTreeMap::new(),
            crews: BTreeMap::new(),
            technician_names: BTreeMap::new(),
        };
        // Rows come by entity, id and change: each record's spans in order.
        for row in tx.unit_history()? {
            let district = row.district.as_deref().and_then(|d| d.parse().ok());
            match row.entity {
                Entity::Household => {
                    let Ok(id) = row.id.parse() else { continue };
                    let spans = units.households.entry(id).or_default();
                    spans.rows.push((row.since, district));
                }
                Entity::Technician => {
                    let Ok(id) = row.id.parse() else { continue };
                    let crew = row.crew.as_deref().and_then(|c| c.parse().ok());
                    let spans = units.technicians.entry(id).or_default();
                    spans.rows.push((row.since, (crew, district)));
                }
                _ => {}
            }
        }
        // Names of every unit ever stored, deleted ones too: a report of last year names the
        // crew that was dissolved since.
        for record in all(tx, Entity::District)? {
            let d: District = decode(&record)?;
            units.districts.insert(d.id, d.name);
        }
        for record in all(tx, Entity::Crew)? {
            let c: Crew = decode(&record)?;
            units.crews.insert(c.id, c.name);
        }
        for record in all(tx, Entity::Technician)? {
            let t: Technician = decode(&record)?;
            units
                .technician_names
                .insert(t.id, format!("{} ({})", t.name, t.badge));
        }
        Ok(units)
    }

    /// The household's district at `at` (`None`: in no district, or never seen).
    pub fn household_district(&self, h: HouseholdId, at: DateTime<Utc>) -> Option<DistrictId> {
        self.households.get(&h).and_then(|s| s.at(at)).flatten()
    }

    /// The technician's crew at `at`.
    pub fn technician_crew(&self, t: TechnicianId, at: DateTime<Utc>) -> Option<CrewId> {
        self.technicians
            .get(&t)
            .and_then(|s| s.at(at))
            .and_then(|u| u.0)
    }

    /// The technician's district at `at`.
    pub fn technician_district(&self, t: TechnicianId, at: DateTime<Utc>) -> Option<DistrictId> {
        self.technicians
            .get(&t)
            .and_then(|s| s.at(at))
            .and_then(|u| u.1)
    }

    /// How people name a unit: the district's or crew's name, a technician's name and badge;
    /// `None` is the row of work that belongs to no unit of `level`.
    pub fn name(&self, level: UnitLevel, unit: Option<Unit>) -> Text {
        let known = |name: Option<&String>, id: String| {
            let name = name.cloned().unwrap_or(id);
            said(name.clone(), name)
        };
        match unit {
            Some(Unit::District(d)) => known(self.districts.get(&d), d.to_string()),
            Some(Unit::Crew(c)) => known(self.crews.get(&c), c.to_string()),
            Some(Unit::Technician(t)) => known(self.technician_names.get(&t), t.to_string()),
            None => match level {
                UnitLevel::District => said("无片区", "no district"),
                UnitLevel::Crew => said("无班组", "no crew"),
                UnitLevel::Technician => said("无技术员", "no technician"),
            },
        }
    }

    /// A district's name (its id when it is not stored).
    pub fn district_name(&self, d: DistrictId) -> String {
        self.districts
            .get(&d)
            .cloned()
            .unwrap_or_else(|| d.to_string())
    }
}

/// Every stored record of `entity`, deleted ones too.
fn all(tx: &mut dyn Tx, entity: Entity) -> Result<Vec<StoredRecord>> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(entity, &after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        out.extend(page);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_unit_is_the_one_in_force_at_the_time_and_the_first_counts_from_the_beginning() {
        let spans = Spans {
            rows: vec![(at(8), 'a'), (at(12), 'b'), (at(18), 'c')],
        };
        assert_eq!(spans.at(at(1)), Some('a'));
        assert_eq!(spans.at(at(8)), Some('a'));
        assert_eq!(spans.at(at(11)), Some('a'));
        assert_eq!(spans.at(at(12)), Some('b'));
        assert_eq!(spans.at(at(23)), Some('c'));
        assert_eq!(Spans::<char>::default().at(at(1)), None);
    }

    #[test]
    fn only_households_and_technicians_that_can_be_read_have_units() {
        let t = Technician {
            id: TechnicianId::new(),
            badge: "T1".into(),
            name: "王工".into(),
            phone: None,
            role: doorstep_core::team::TechnicianRole::Inspector,
            crew_id: Some(CrewId::new()),
            district_id: None,
            active: true,
        };
        let record = |entity, body: String, deleted| StoredRecord {
            entity,
            id: t.id.to_string(),
            key: None,
            seq: 7,
            deleted,
            body,
            stamps: "{}".into(),
            buckets: Vec::new(),
        };
        let technician = record(
            Entity::Technician,
            serde_json::to_string(&t).unwrap(),
            false,
        );
        let deleted = record(Entity::Technician, serde_json::to_string(&t).unwrap(), true);
        let unreadable = record(Entity::Household, "{}".into(), false);
        let order = record(Entity::WorkOrder, "{}".into(), false);
        let rows = rows_of(&[&technician, &deleted, &unreadable, &order], at(9));
        assert_eq!(
            rows,
            vec![UnitRow {
                entity: Entity::Technician,
                id: t.id.to_string(),
                seq: 7,
                since: at(9),
                district: None,
                crew: t.crew_id.map(|c| c.to_string()),
            }]
        );
    }
}
