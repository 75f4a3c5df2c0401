//! Writing records the way every path must: a new server sequence number, the record's scope
//! buckets recomputed, and a bucket entry for every bucket it is in or has just left, so that
//! pulls see the change (or the departure).

use chrono::{DateTime, Utc};
use doorstep_core::household::Household;
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::merge::{Author, CURRENT, ConflictRule};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::WorkOrder;
use serde::de::DeserializeOwned;

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::storage::{BucketEntry, ConflictRow, StoredRecord, Tx};

/// The buckets of a reading or a form of this household: the household's own, and the tie to it.
pub fn child_buckets(household: &StoredRecord) -> Result<Vec<Bucket>> {
    let mut buckets = if household.deleted {
        Vec::new()
    } else {
        household.buckets.clone()
    };
    buckets.push(tie(household)?);
    Ok(buckets)
}

/// The bucket that ties a household's readings, forms and work orders to it
/// ([`Bucket::Household`]).
fn tie(household: &StoredRecord) -> Result<Bucket> {
    let id = household.id.parse().map_err(Error::internal)?;
    Ok(Bucket::Household(id))
}

/// The buckets a technician's devices read: everything in the technician's district, the
/// crew's work and the technician's own.
pub fn scope_of(t: &Technician) -> Vec<Bucket> {
    let mut buckets = vec![Bucket::All, Bucket::Technician(t.id)];
    if let Some(d) = t.district_id {
        buckets.push(Bucket::District(d));
    }
    if let Some(c) = t.crew_id {
        buckets.push(Bucket::Crew(c));
    }
    buckets.sort();
    buckets
}

/// A record's body, decoded.
pub fn decode<T: DeserializeOwned>(record: &StoredRecord) -> Result<T> {
    serde_json::from_str(&record.body).map_err(|e| {
        Error::Internal(format!(
            "stored {} unreadable: {}",
            record.entity.as_str(),
            doorstep_core::input::without_values(&e.to_string())
        ))
    })
}

/// Writes `record` with a new sequence number, with an entry in each of its buckets and a
/// departure entry in each bucket of `previous` it is no longer in.
pub fn save(
    tx: &mut dyn Tx,
    record: StoredRecord,
    previous: Option<&StoredRecord>,
) -> Result<StoredRecord> {
    let seq = tx.next_seq()?;
    save_at(tx, record, previous, seq)
}

/// [`save`] with a sequence number already taken (the merge stamps fields with it).
pub fn save_at(
    tx: &mut dyn Tx,
    mut record: StoredRecord,
    previous: Option<&StoredRecord>,
    seq: i64,
) -> Result<StoredRecord> {
    record.seq = seq;
    record.buckets.sort();
    record.buckets.dedup();
    tx.put_record(&record)?;
    let entry = |left| BucketEntry {
        seq,
        entity: record.entity,
        id: record.id.clone(),
        left,
    };
    for bucket in &record.buckets {
        tx.put_bucket_entry(bucket, &entry(false))?;
    }
    if let Some(previous) = previous {
        for gone in previous
            .buckets
            .iter()
            .filter(|b| !record.buckets.contains(b))
        {
            tx.put_bucket_entry(gone, &entry(true))?;
        }
        if record.entity == Entity::Household
            && (previous.buckets != record.buckets || previous.deleted != record.deleted)
        {
            follow_household(tx, &record)?;
        }
    }
    Ok(record)
}

/// A household's readings, forms and work orders follow it: into the buckets it is in now (a
/// new district, a crew it was shared with), out of those it left, and out of every device's
/// bucket once it is deleted (they stay on the server, as its history). Without this, a
/// household moved from west to east would leave its readings and sealed forms readable in west
/// and unknown in east, and west's technicians could still move its work orders.
fn follow_household(tx: &mut dyn Tx, household: &StoredRecord) -> Result<()> {
    let tie = vec![tie(household)?];
    let mut children = Vec::new();
    let mut after = 0;
    loop {
        let page = tx.changes(&tie, after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        children.extend(page.into_iter().filter(|e| !e.left));
    }
    for entry in children {
        if entry.entity == Entity::Household {
            continue;
        }
        let Some(child) = tx.record(entry.entity, &entry.id)? else {
            continue;
        };
        let mut buckets = match entry.entity {
            Entity::WorkOrder => {
                let mut b = order_buckets(tx, &decode(&child)?)?;
                b.push(tie[0].clone());
                b
            }
            _ => child_buckets(household)?,
        };
        buckets.sort();
        buckets.dedup();
        if buckets != child.buckets {
            let moved = StoredRecord {
                buckets,
                ..child.clone()
            };
            save(tx, moved, Some(&child))?;
        }
    }
    Ok(())
}

/// The stored form of a core record: id, unique key, and the buckets it belongs in.
pub fn stored(record: &Record, tx: &mut dyn Tx) -> Result<StoredRecord> {
    let buckets = match record {
        Record::Household(h) => household_buckets(h),
        Record::WorkOrder(o) => order_buckets(tx, o)?,
        Record::Reading(r) => buckets_of_child(tx, &r.household_id.to_string())?,
        Record::Form(f) => buckets_of_child(tx, &f.household_id.to_string())?,
        Record::HistoryEvent(e) => buckets_of_child(tx, &e.household_id.to_string())?,
        Record::District(_) | Record::Outage(_) | Record::Template(_) => vec![Bucket::All],
        // The office's own: no phone reads a complaint (it may name a technician), a call or
        // a score.
        Record::Complaint(_) | Record::Call(_) | Record::Satisfaction(_) => Vec::new(),
        Record::Crew(c) => vec![Bucket::Crew(c.id)],
        Record::Technician(t) => {
            let mut b = vec![Bucket::Technician(t.id)];
            if let Some(c) = t.crew_id {
                b.push(Bucket::Crew(c));
            }
            b
        }
        // The office's only: no device reads a settlement.
        Record::Settlement(_) => vec![],
    };
    stored_in(record, buckets)
}

/// [`stored`] for a record whose buckets the caller already knows (a reading or a form is in
/// its household's).
pub fn stored_in(record: &Record, buckets: Vec<Bucket>) -> Result<StoredRecord> {
    let (id, key) = match record {
        Record::Household(h) => (h.id.to_string(), Some(h.customer_number.clone())),
        Record::WorkOrder(o) => (o.id.to_string(), Some(o.number.clone())),
        Record::Reading(r) => (
            format!("{}/{}", r.household_id, r.taken_at.timestamp_millis()),
            None,
        ),
        Record::Form(f) => (f.id.to_string(), None),
        Record::District(d) => (d.id.to_string(), None),
        Record::Crew(c) => (c.id.to_string(), None),
        Record::Technician(t) => (t.id.to_string(), Some(t.badge.clone())),
        Record::Outage(o) => (o.id.to_string(), None),
        Record::Template(t) => (format!("{}@{}", t.id, t.version), None),
        Record::HistoryEvent(e) => (e.id.to_string(), None),
        Record::Settlement(s) => (s.id.to_string(), Some(s.key())),
        Record::Complaint(c) => (c.id.to_string(), Some(c.number.clone())),
        Record::Call(c) => (c.id.to_string(), None),
        // One set of scores per return visit: recording again replaces it.
        Record::Satisfaction(s) => (s.visit.to_string(), None),
    };
    Ok(StoredRecord {
        entity: record.entity(),
        id,
        key,
        seq: 0,
        deleted: false,
        body: record_body(record)?,
        stamps: "{}".into(),
        buckets,
    })
}

/// `body` (a record this version rewrote) with the fields of `previous` (its stored JSON) that
/// this version does not know put back: a newer server sharing the database wrote them, and an
/// older one saving the record must not drop them.
pub fn keeping_unknown_fields(previous: &str, body: String) -> Result<String> {
    type Object = serde_json::Map<String, serde_json::Value>;
    let internal = |e: serde_json::Error| Error::Internal(e.to_string());
    let previous: Object = serde_json::from_str(previous).map_err(internal)?;
    let mut object: Object = serde_json::from_str(&body).map_err(internal)?;
    let mut kept = false;
    for (field, value) in previous {
        if !object.contains_key(&field) {
            object.insert(field, value);
            kept = true;
        }
    }
    if !kept {
        return Ok(body);
    }
    serde_json::to_string(&object).map_err(internal)
}

/// The JSON of the record itself (without the entity tag).
pub fn record_body(record: &Record) -> Result<String> {
    match record {
        Record::Household(h) => serde_json::to_string(h),
        Record::WorkOrder(o) => serde_json::to_string(o),
        Record::Reading(r) => serde_json::to_string(r),
        Record::Form(f) => serde_json::to_string(f),
        Record::District(d) => serde_json::to_string(d),
        Record::Crew(c) => serde_json::to_string(c),
        Record::Technician(t) => serde_json::to_string(t),
        Record::Outage(o) => serde_json::to_string(o),
        Record::Template(t) => serde_json::to_string(t),
        Record::HistoryEvent(e) => serde_json::to_string(e),
        Record::Settlement(s) => serde_json::to_string(s),
        Record::Complaint(c) => serde_json::to_string(c),
        Record::Call(c) => serde_json::to_string(c),
        Record::Satisfaction(s) => serde_json::to_string(s),
    }
    .map_err(|e| Error::Internal(e.to_string()))
}

/// A household's own buckets: its district's.
pub fn household_buckets(h: &Household) -> Vec<Bucket> {
    own_buckets(h.district_id)
}

/// The own buckets of a household in this district.
pub fn own_buckets(district: Option<DistrictId>) -> Vec<Bucket> {
    district.map(Bucket::District).into_iter().collect()
}

/// A work order is read by its assignee, its crew, and the district of its household (while
/// the household is not deleted); it is tied to its household.
fn order_buckets(tx: &mut dyn Tx, o: &WorkOrder) -> Result<Vec<Bucket>> {
    let mut buckets = Vec::new();
    if let Some(a) = o.assignee {
        buckets.push(Bucket::Technician(a));
    }
    if let Some(c) = o.crew {
        buckets.push(Bucket::Crew(c));
    }
    if let Some(h) = o.household_id {
        buckets.push(Bucket::Household(h));
        if let Some(household) = tx
            .record(Entity::Household, &h.to_string())?
            .filter(|r| !r.deleted)
        {
            let household: Household = decode(&household)?;
            buckets.extend(household_buckets(&household));
        }
    }
    Ok(buckets)
}

/// The buckets of a new reading or form of this household (none if there is no such household).
fn buckets_of_child(tx: &mut dyn Tx, household: &str) -> Result<Vec<Bucket>> {
    match tx.record(Entity::Household, household)? {
        Some(h) => child_buckets(&h),
        None => Ok(Vec::new()),
    }
}

/// Saves a record from the back office (admin tool, console): the new version replaces the
/// old, keeping the buckets work orders gave a household; a household's changed fields are
/// stamped as the office's. The edit is of the current record ([`CURRENT`]).
pub fn put_from_office(tx: &mut dyn Tx, record: &Record) -> Result<StoredRecord> {
    let (saved, conflicts) = put_from_office_since(tx, record, CURRENT, chrono::Utc::now())?;
    debug_assert!(conflicts.is_empty());
    Ok(saved)
}

/// [`put_from_office`] for an edit made on the version `base_seq` of the record (the server
/// change a console page was drawn from): a household's fields that a device wrote after it
/// are merged by their rules ([`crate::push::stamp_office_edit_since`]), and whatever the
/// merge overrode, the office's value or the device's, is kept as a conflict (at `at`) for
/// review: never silently lost. Returns the saved record and the conflicts kept.
pub fn put_from_office_since(
    tx: &mut dyn Tx,
    record: &Record,
    base_seq: i64,
    at: DateTime<Utc>,
) -> Result<(StoredRecord, Vec<ConflictRow>)> {
    let mut new = stored(record, tx)?;
    let previous = tx.record(new.entity, &new.id)?;
    if let Some(prev) = &previous {
        new.stamps = prev.stamps.clone();
    }
    if let Record::WorkOrder(o) = record {
        // The household first, so that a device never pulls an order before its household.
        share_household_with_order(tx, o, &new.buckets)?;
    }
    let seq = tx.next_seq()?;
    let mut overridden = Vec::new();
    if let (Record::Household(h), previous) = (record, &previous) {
        overridden =
            crate::push::stamp_office_edit_since(&mut new, previous.as_ref(), h, base_seq, seq)?;
        if let Some(prev) = previous {
            let old_own = household_buckets(&decode::<Household>(prev)?);
            new.buckets.extend(
                prev.buckets
                    .iter()
                    .filter(|b| !old_own.contains(b))
                    .cloned(),
            );
        }
    }
    let saved = save_at(tx, new, previous.as_ref(), seq)?;
    let mut conflicts = Vec::with_capacity(overridden.len());
    for o in overridden {
        let row = ConflictRow {
            seq,
            entity: saved.entity,
            entity_id: saved.id.clone(),
            field: o.field,
            rule: ConflictRule::Field(o.rule),
            kept: o.kept.to_string(),
            lost: o.lost.to_string(),
            kept_by: Author::from(&o.kept_origin),
            lost_by: Author::from(&o.lost_origin),
            op_id: None,
            at,
        };
        tx.insert_conflict(&row)?;
        conflicts.push(row);
    }
    Ok((saved, conflicts))
}

/// An order's assignee and crew must be able to read its household: the household joins the
/// order's buckets (it stays there after the order closes, as the crew's history).
pub fn share_household_with_order(
    tx: &mut dyn Tx,
    o: &WorkOrder,
    order_buckets: &[Bucket],
) -> Result<()> {
    let Some(h) = o.household_id else {
        return Ok(());
    };
    let Some(household) = tx.record(Entity::Household, &h.to_string())? else {
        return Ok(());
    };
    // The people's buckets only: not the order's district (the household has its own) nor
    // its tie to the household.
    let missing: Vec<Bucket> = order_buckets
        .iter()
        .filter(|b| !household.buckets.contains(b))
        .filter(|b| b.is_people())
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut updated = household.clone();
    updated.buckets.extend(missing);
    save(tx, updated, Some(&household))?;
    Ok(())
}

/// Deletes a record as the back office does: the record stays as a tombstone (`deleted`), in
/// the buckets it was in, so every device that holds it learns of the deletion at its next pull.
pub fn delete_from_office(tx: &mut dyn Tx, entity: Entity, id: &str) -> Result<StoredRecord> {
    let current = tx
        .record(entity, id)?
        .filter(|r| !r.deleted)
        .ok_or(Error::NotFound("record"))?;
    let tombstone = StoredRecord {
        deleted: true,
        // The key is free again (a customer number may be given to a new account).
        key: None,
        ..current.clone()
    };
    save(tx, tombstone, Some(&current))
}
