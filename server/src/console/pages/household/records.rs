//! What the server holds about one household, read in one transaction: the household itself,
//! every record tied to it (its orders, forms, readings and timeline lines, found through its
//! `Household` bucket as the pulls find them), the office's own records that name it
//! (complaints, calls, outage notices) and what the phones' operations said of it (check-ins,
//! photos' metadata). Plain data: the pages draw it.

use chrono::{DateTime, Utc};
use doorstep_core::calls::Call;
use doorstep_core::complaint::Complaint;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::Form;
use doorstep_core::forms::template::Template;
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::{HistoryEvent, Household, MeterReading};
use doorstep_core::ids::HouseholdId;
use doorstep_core::media::PhotoMetadata;
use doorstep_core::outage::OutageNotice;
use doorstep_core::sync::protocol::{Entity, Operation};
use doorstep_core::team::District;
use doorstep_core::visit::CheckIn;
use doorstep_core::workorder::WorkOrder;
use serde::de::DeserializeOwned;

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::records::decode;
use crate::storage::{StoredRecord, Tx};

/// The most check-ins and other operations read about one household.
const OPS_READ: usize = 500;

/// A household's file as the server holds it.
pub struct HouseholdFile {
    pub household: Household,
    pub district: Option<String>,
    pub orders: Vec<WorkOrder>,
    pub forms: Vec<Form>,
    pub readings: Vec<MeterReading>,
    pub lines: Vec<HistoryEvent>,
    pub complaints: Vec<Complaint>,
    pub calls: Vec<Call>,
    pub outages: Vec<OutageNotice>,
    pub check_ins: Vec<CheckInSeen>,
    /// The templates its forms were filled on (one the server does not know is left out).
    pub templates: Vec<Template>,
}

impl HouseholdFile {
    /// The template `form` was filled on, when the server knows it.
    pub fn template_of(&self, form: &Form) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.id == form.template_id && t.version == form.template_version)
    }
}

/// A check-in a phone recorded at the household, as its operation carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckInSeen {
    pub at: DateTime<Utc>,
    pub position: GeoPoint,
    pub check_in: CheckIn,
}

/// The household `id`, not deleted.
pub fn household(tx: &mut dyn Tx, id: HouseholdId) -> Result<Household> {
    let record = tx
        .record(Entity::Household, &id.to_string())?
        .filter(|r| !r.deleted)
        .ok_or(Error::NotFound("household"))?;
    decode(&record)
}

/// Everything the file shows of household `id`.
pub fn household_file(tx: &mut dyn Tx, id: HouseholdId) -> Result<HouseholdFile> {
    let household = household(tx, id)?;
    let district = match household.district_id {
        Some(d) => tx
            .record(Entity::District, &d.to_string())?
            .map(|r| decode::<District>(&r))
            .transpose()?
            .map(|d| d.name),
        None => None,
    };
    let mut file = HouseholdFile {
        household,
        district,
        orders: Vec::new(),
        forms: Vec::new(),
        readings: Vec::new(),
        lines: Vec::new(),
        complaints: Vec::new(),
        calls: Vec::new(),
        outages: Vec::new(),
        check_ins: check_ins(tx, id)?,
        templates: Vec::new(),
    };
    for record in tied(tx, id)? {
        match record.entity {
            Entity::WorkOrder => file.orders.push(decode(&record)?),
            Entity::Form => file.forms.push(decode(&record)?),
            Entity::Reading => file.readings.push(decode(&record)?),
            Entity::HistoryEvent => file.lines.push(decode(&record)?),
            _ => {}
        }
    }
    for form in &file.forms {
        let known = file
            .templates
            .iter()
            .any(|t| t.id == form.template_id && t.version == form.template_version);
        if !known {
            match template(tx, &form.template_id, form.template_version) {
                Ok(t) => file.templates.push(t),
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let household = &file.household;
    file.complaints = every::<Complaint>(tx, Entity::Complaint)?
        .into_iter()
        .filter(|c| c.household_id == Some(id))
        .collect();
    file.calls = every::<Call>(tx, Entity::Call)?
        .into_iter()
        .filter(|c| c.household_id == Some(id))
        .collect();
    file.outages = every::<OutageNotice>(tx, Entity::Outage)?
        .into_iter()
        .filter(|o| o.affects(household) || o.notifications.iter().any(|n| n.household_id == id))
        .collect();
    Ok(file)
}

/// The records tied to the household (its bucket), not deleted, oldest change first.
fn tied(tx: &mut dyn Tx, id: HouseholdId) -> Result<Vec<StoredRecord>> {
    let bucket = [Bucket::Household(id)];
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = tx.changes(&bucket, after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        entries.extend(page.into_iter().filter(|e| !e.left));
    }
    let mut records = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some(record) = tx.record(entry.entity, &entry.id)?.filter(|r| !r.deleted) {
            records.push(record);
        }
    }
    Ok(records)
}

/// Every stored record of `entity`, decoded (deleted ones left out).
fn every<T: DeserializeOwned>(tx: &mut dyn Tx, entity: Entity) -> Result<Vec<T>> {
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

/// The check-ins the phones recorded at household `id`, newest first.
pub fn check_ins(tx: &mut dyn Tx, id: HouseholdId) -> Result<Vec<CheckInSeen>> {
    let mut seen = Vec::new();
    for op in tx.ops_about(Entity::Household, &id.to_string(), OPS_READ)? {
        // An operation this version cannot read (a newer phone's) is left out, not an error.
        if let Ok(Operation::CheckedIn {
            at,
            position,
            check_in,
            ..
        }) = serde_json::from_str::<Operation>(&op.payload)
        {
            seen.push(CheckInSeen {
                at,
                position,
                check_in,
            });
        }
    }
    seen.sort_by_key(|c| std::cmp::Reverse(c.at));
    Ok(seen)
}

/// What the phone that took a photo said of it: the household it was taken for and its
/// metadata (the camera's time and place, the device's), when its operation reached the server.
pub fn photo_taken(
    tx: &mut dyn Tx,
    sha256: &str,
) -> Result<Option<(Option<HouseholdId>, PhotoMetadata)>> {
    for op in tx.ops_about(Entity::Photo, sha256, 10)? {
        if let Ok(Operation::PhotoTaken {
            household_id,
            metadata,
            ..
        }) = serde_json::from_str::<Operation>(&op.payload)
        {
            return Ok(Some((household_id, *metadata)));
        }
    }
    Ok(None)
}

/// The template a form was filled on: the version the server holds, or the built-in one.
pub fn template(tx: &mut dyn Tx, id: &str, version: u32) -> Result<Template> {
    if let Some(t) = tx.record(Entity::Template, &format!("{id}@{version}"))? {
        return decode(&t);
    }
    builtin_template(id)
        .filter(|t| t.version == version)
        .ok_or(Error::NotFound("form template"))
}
