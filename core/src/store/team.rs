//! Districts, crews, technicians and outage notices in the store. They come from the back
//! office; the device never changes them.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
/// A notice is written merging its notifications (`store::outages`).
pub(super) use super::outages::write_outage;
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::ids::{DistrictId, OutageId, TechnicianId};
use crate::outage::OutageNotice;
use crate::team::{Crew, District, Technician};

impl Store {
    pub fn receive_districts(&mut self, districts: &[District]) -> Result<()> {
        self.receive_all(districts, District::validate, write_district)
    }

    pub fn receive_crews(&mut self, crews: &[Crew]) -> Result<()> {
        self.receive_all(crews, Crew::validate, write_crew)
    }

    pub fn receive_technicians(&mut self, technicians: &[Technician]) -> Result<()> {
        self.receive_all(technicians, Technician::validate, write_technician)
    }

    pub fn receive_outages(&mut self, outages: &[OutageNotice]) -> Result<()> {
        self.receive_all(outages, OutageNotice::validate, write_outage)
    }

    pub fn technician(&self, id: TechnicianId) -> Result<Technician> {
        self.doc(
            "SELECT doc FROM technicians WHERE id = ?1",
            id.to_string(),
            "technician",
        )
    }

    pub fn district(&self, id: DistrictId) -> Result<District> {
        self.doc(
            "SELECT doc FROM districts WHERE id = ?1",
            id.to_string(),
            "district",
        )
    }

    pub fn outage(&self, id: OutageId) -> Result<OutageNotice> {
        self.doc(
            "SELECT doc FROM outages WHERE id = ?1",
            id.to_string(),
            "outage notice",
        )
    }

    /// Validates every record first (the error names which one), then writes them all in one
    /// transaction: a bad record leaves nothing half-written.
    pub(super) fn receive_all<T>(
        &mut self,
        records: &[T],
        validate: impl Fn(&T) -> Result<(), InvalidInput>,
        write: impl Fn(&Transaction<'_>, &T) -> Result<()>,
    ) -> Result<()> {
        for (i, record) in records.iter().enumerate() {
            validate(record).map_err(|e| e.within(&format!("[{i}]")))?;
        }
        self.receive(|tx| records.iter().try_for_each(|record| write(tx, record)))
    }

    fn doc<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        id: String,
        what: &'static str,
    ) -> Result<T> {
        let doc: Option<String> = self
            .conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(serde_json::from_str(&doc.ok_or(Error::NotFound { what })?)?)
    }
}

pub(super) fn write_district(tx: &Transaction<'_>, d: &District) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO districts(id, doc) VALUES (?1, ?2)")?
        .execute(params![d.id, serde_json::to_string(d)?])?;
    Ok(())
}

pub(super) fn write_crew(tx: &Transaction<'_>, c: &Crew) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO crews(id, doc) VALUES (?1, ?2)")?
        .execute(params![c.id, serde_json::to_string(c)?])?;
    Ok(())
}

pub(super) fn write_technician(tx: &Transaction<'_>, t: &Technician) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO technicians(id, crew_id, district_id, doc) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        t.id,
        t.crew_id,
        t.district_id,
        serde_json::to_string(t)?
    ])?;
    Ok(())
}
