//! A transaction that remembers the records it has read or written, and holds back its writes
//! of records, bucket entries and operations until the work given to [`CachedTx::run`] is done,
//! for the work of one request that reads and writes the same records again and again (a push
//! reads a household for each of its operations and saves it once per edit). It sits in front
//! of either backend.
//!
//! What it holds back is written in a few statements of many rows each ([`Tx::put_records`],
//! [`Tx::put_bucket_entries`], [`Tx::insert_ops`]), each record and each bucket entry once, at
//! its last version, when the work succeeds (on an error the transaction rolls back anyway).
//! Anything that asks the database a question these writes could change writes them first, so
//! every read sees what this transaction did.
//!
//! A record that takes a unique key (a new household's customer number, a new order's number)
//! is written at once, so that a taken key is refused as the operation that took it.

use std::collections::HashMap;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::protocol::Entity;

use crate::bucket::Bucket;
use crate::error::Result;

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, ParkedQuery,
    ParkedRow, PhotoRow, StorageResult, StoredRecord, Tx,
};

pub struct CachedTx<'t> {
    inner: &'t mut dyn Tx,
    /// Per entity, by id: the record as this transaction last read or wrote it.
    records: HashMap<Entity, HashMap<String, Slot>>,
    /// Records written here and not yet in the database (unless their slot says otherwise),
    /// in the order first written.
    dirty: Vec<(Entity, String)>,
    /// Bucket entries not yet in the database: the last one per (bucket, entity, id), in the
    /// order first written.
    entries: Vec<(Bucket, BucketEntry)>,
    entry_index: HashMap<(Bucket, Entity, String), usize>,
    ops: Vec<OpRow>,
}

struct Slot {
    /// `None`: there is no such record.
    record: Option<StoredRecord>,
    /// Written here, not yet in the database.
    dirty: bool,
}

impl CachedTx<'_> {
    /// Runs `work` on a cache in front of `inner`, then writes everything it held back: the
    /// only way to get one, so the writes cannot be left behind.
    pub fn run<T>(
        inner: &mut dyn Tx,
        work: impl FnOnce(&mut CachedTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut cached = CachedTx::new(inner);
        let out = work(&mut cached)?;
        cached.flush()?;
        Ok(out)
    }
}

impl<'t> CachedTx<'t> {
    fn new(inner: &'t mut dyn Tx) -> Self {
        Self {
            inner,
            records: HashMap::new(),
            dirty: Vec::new(),
            entries: Vec::new(),
            entry_index: HashMap::new(),
            ops: Vec::new(),
        }
    }

    /// Writes everything held back.
    fn flush(&mut self) -> StorageResult<()> {
        if !self.dirty.is_empty() {
            let mut dirty = std::mem::take(&mut self.dirty);
            dirty.retain(|(entity, id)| {
                match self.records.get_mut(entity).and_then(|m| m.get_mut(id)) {
                    Some(slot) if slot.dirty => {
                        slot.dirty = false;
                        true
                    }
                    _ => false,
                }
            });
            let records: Vec<&StoredRecord> = dirty
                .iter()
                .filter_map(|(entity, id)| self.records.get(entity)?.get(id)?.record.as_ref())
                .collect();
            self.inner.put_records(&records)?;
        }
        if !self.entries.is_empty() {
            self.entry_index.clear();
            let entries = std::mem::take(&mut self.entries);
            self.inner.put_bucket_entries(&entries)?;
        }
        if !self.ops.is_empty() {
            let ops = std::mem::take(&mut self.ops);
            self.inner.insert_ops(&ops)?;
        }
        Ok(())
    }

    fn known(&self, entity: Entity, id: &str) -> Option<&Slot> {
        self.records.get(&entity).and_then(|m| m.get(id))
    }
}

impl Tx for CachedTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        self.inner.next_seq()
    }

    fn last_seq(&mut self) -> StorageResult<i64> {
        self.inner.last_seq()
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        if let Some(known) = self.known(entity, id) {
            return Ok(known.record.clone());
        }
        let record = self.inner.record(entity, id)?;
        self.records.entry(entity).or_default().insert(
            id.to_owned(),
            Slot {
                record: record.clone(),
                dirty: false,
            },
        );
        Ok(record)
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.flush()?;
        self.inner.record_id_by_key(entity, key)
    }

    fn put_record(&mut self, record: &StoredRecord) -> StorageResult<()> {
        let previous_key = self
            .known(record.entity, &record.id)
            .map(|slot| slot.record.as_ref().and_then(|r| r.key.as_deref()));
        // A key this record did not hold before may be taken: asked of the database now.
        let takes_key = record.key.is_some() && previous_key != Some(record.key.as_deref());
        let known = self.records.entry(record.entity).or_default();
        if takes_key {
            // Forgotten first: if the write fails, the next read asks the database.
            known.remove(&record.id);
            self.inner.put_record(record)?;
        }
        let slot = self
            .records
            .entry(record.entity)
            .or_default()
            .entry(record.id.clone())
            .or_insert(Slot {
                record: None,
                dirty: false,
            });
        slot.record = Some(record.clone());
        if !takes_key && !slot.dirty {
            slot.dirty = true;
            self.dirty.push((record.entity, record.id.clone()));
        }
        Ok(())
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        self.flush()?;
        self.inner.records(entity, after_id, limit)
    }

    fn put_bucket_entry(&mut self, bucket: &Bucket, entry: &BucketEntry) -> StorageResult<()> {
        let key = (bucket.clone(), entry.entity, entry.id.clone());
        match self.entry_index.get(&key) {
            Some(&at) => self.entries[at].1 = entry.clone(),
            None => {
                self.entry_index.insert(key, self.entries.len());
                self.entries.push((bucket.clone(), entry.clone()));
            }
        }
        Ok(())
    }

    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        self.flush()?;
        self.inner.changes(buckets, after, limit)
    }

    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64> {
        self.flush()?;
        self.inner.count_changes(buckets, after)
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        self.flush()?;
        self.inner.op_exists(device_id, op_id)
    }

    fn stored_ops(
        &mut self,
        device_id: &str,
        op_ids: &[OperationId],
    ) -> StorageResult<Vec<OperationId>> {
        self.flush()?;
        self.inner.stored_ops(device_id, op_ids)
    }

    fn insert_op(&mut self, op: &OpRow) -> StorageResult<()> {
        self.ops.push(op.clone());
        Ok(())
    }

    fn pushed_about(&mut self, device_id: &str, entity: Entity, id: &str) -> StorageResult<bool> {
        self.flush()?;
        self.inner.pushed_about(device_id, entity, id)
    }

    fn op(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<Option<OpRow>> {
        self.flush()?;
        self.inner.op(device_id, op_id)
    }

    fn bucket_entry(
        &mut self,
        bucket: &Bucket,
        entity: Entity,
        id: &str,
    ) -> StorageResult<Option<BucketEntry>> {
        self.flush()?;
        self.inner.bucket_entry(bucket, entity, id)
    }

    fn put_parked(&mut self, parked: &ParkedRow) -> StorageResult<()> {
        self.inner.put_parked(parked)
    }

    fn parked(&mut self, query: &ParkedQuery<'_>) -> StorageResult<Vec<ParkedRow>> {
        self.inner.parked(query)
    }

    fn insert_conflict(&mut self, conflict: &ConflictRow) -> StorageResult<()> {
        self.inner.insert_conflict(conflict)
    }

    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>> {
        self.inner.conflicts(limit)
    }

    fn audit(&mut self, row: &AuditRow) -> StorageResult<()> {
        self.inner.audit(row)
    }

    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>> {
        self.inner.audit_log(limit)
    }

    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>> {
        self.inner.devices(technician)
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.inner.device(id)
    }

    fn put_device(&mut self, device: &DeviceRow) -> StorageResult<()> {
        self.inner.put_device(device)
    }

    fn enrollment(&mut self, code_sha256: &str) -> StorageResult<Option<EnrollmentRow>> {
        self.inner.enrollment(code_sha256)
    }

    fn put_enrollment(&mut self, enrollment: &EnrollmentRow) -> StorageResult<()> {
        self.inner.put_enrollment(enrollment)
    }

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>> {
        self.inner.photo(sha256)
    }

    fn put_photo(&mut self, photo: &PhotoRow) -> StorageResult<()> {
        self.inner.put_photo(photo)
    }

    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()> {
        self.inner.put_photo_chunk(sha256, offset, bytes)
    }

    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>> {
        self.inner.photo_chunks(sha256)
    }

    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()> {
        self.inner.drop_photo_chunks(sha256)
    }

    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()> {
        self.inner.put_form_photo(form_id, sha256)
    }

    fn forms_waiting(&mut self) -> StorageResult<Vec<String>> {
        self.flush()?;
        self.inner.forms_waiting()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        self.flush()?;
        self.inner.count(what)
    }

    fn receipt_forms(&mut self, receipt: &str) -> StorageResult<Vec<String>> {
        self.inner.receipt_forms(receipt)
    }

    fn put_receipt(&mut self, row: &super::ReceiptRow) -> StorageResult<()> {
        self.inner.put_receipt(row)
    }

    fn put_delivery(&mut self, row: &super::DeliveryRow) -> StorageResult<()> {
        self.inner.put_delivery(row)
    }

    fn deliveries_waiting(&mut self, device_id: &str, through: i64) -> StorageResult<u64> {
        self.inner.deliveries_waiting(device_id, through)
    }

    fn acknowledge_deliveries(
        &mut self,
        device_id: &str,
        through: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.inner.acknowledge_deliveries(device_id, through, at)
    }

    fn deliveries(&mut self, order_id: &str) -> StorageResult<Vec<super::DeliveryRow>> {
        self.inner.deliveries(order_id)
    }

    fn receipts_between(
        &mut self,
        technician: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<Vec<super::ReceiptRow>> {
        self.inner.receipts_between(technician, from, to)
    }

    // console/staff (issue 26): staff accounts, sessions and sign-in failures.
    fn staff_member(
        &mut self,
        id: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        self.inner.staff_member(id)
    }

    fn staff_by_login(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        self.inner.staff_by_login(login)
    }

    fn staff_members(&mut self) -> StorageResult<Vec<crate::console::account::StaffRow>> {
        self.inner.staff_members()
    }

    fn put_staff(&mut self, row: &crate::console::account::StaffRow) -> StorageResult<()> {
        self.inner.put_staff(row)
    }

    fn staff_session(
        &mut self,
        token_sha256: &str,
    ) -> StorageResult<Option<crate::console::account::SessionRow>> {
        self.inner.staff_session(token_sha256)
    }

    fn put_staff_session(
        &mut self,
        row: &crate::console::account::SessionRow,
    ) -> StorageResult<()> {
        self.inner.put_staff_session(row)
    }

    fn touch_staff_session(
        &mut self,
        token_sha256: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.inner.touch_staff_session(token_sha256, at)
    }

    fn drop_staff_session(&mut self, token_sha256: &str) -> StorageResult<()> {
        self.inner.drop_staff_session(token_sha256)
    }

    fn drop_staff_sessions(&mut self, staff_id: &str) -> StorageResult<()> {
        self.inner.drop_staff_sessions(staff_id)
    }

    fn drop_idle_staff_sessions(
        &mut self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.inner.drop_idle_staff_sessions(before)
    }

    fn sign_in_failures(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::SignInFailures>> {
        self.inner.sign_in_failures(login)
    }

    fn count_sign_in_failure(
        &mut self,
        login: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<i64> {
        self.inner.count_sign_in_failure(login, at)
    }

    fn lock_sign_in(
        &mut self,
        login: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.inner.lock_sign_in(login, until)
    }

    fn clear_sign_in_failures(&mut self, login: &str) -> StorageResult<()> {
        self.inner.clear_sign_in_failures(login)
    }
    // (end console/staff)

    // console/search (issue 26): the household search.
    fn find_households(
        &mut self,
        query: &str,
        districts: Option<&[doorstep_core::ids::DistrictId]>,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        // The households held back are not in the search yet.
        self.flush()?;
        self.inner.find_households(query, districts, limit)
    }

    fn index_households(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        self.inner.index_households(records)
    }

    fn build_household_search(&mut self) -> StorageResult<u64> {
        self.flush()?;
        self.inner.build_household_search()
    }
    // (end console/search)

    // console/board (issue 26): open work orders for the dispatch board.
    fn index_work_orders(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        self.inner.index_work_orders(records)
    }

    fn open_work_orders(
        &mut self,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        // The orders held back are not in the index yet.
        self.flush()?;
        self.inner.open_work_orders(after_id, limit)
    }

    fn open_work_order_versions(&mut self) -> StorageResult<Vec<(String, i64)>> {
        self.flush()?;
        self.inner.open_work_order_versions()
    }

    fn build_open_work_orders(&mut self) -> StorageResult<u64> {
        self.flush()?;
        self.inner.build_open_work_orders()
    }

    fn put_device_sync(&mut self, row: &super::DeviceSyncRow) -> StorageResult<()> {
        self.inner.put_device_sync(row)
    }

    fn device_syncs(&mut self) -> StorageResult<Vec<super::DeviceSyncRow>> {
        self.inner.device_syncs()
    }
    // (end console/board)

    // console/conflicts (issue 26): conflicts resolved by the office.
    fn conflicts_to_review(
        &mut self,
        resolved: bool,
        offset: usize,
        limit: usize,
    ) -> StorageResult<Vec<super::ReviewedConflict>> {
        self.inner.conflicts_to_review(resolved, offset, limit)
    }

    fn count_conflicts_to_review(&mut self, resolved: bool) -> StorageResult<u64> {
        self.inner.count_conflicts_to_review(resolved)
    }

    fn conflict_to_review(&mut self, n: i64) -> StorageResult<Option<super::ReviewedConflict>> {
        self.inner.conflict_to_review(n)
    }

    fn resolve_conflict(&mut self, resolution: &super::ConflictResolution) -> StorageResult<()> {
        self.inner.resolve_conflict(resolution)
    }
    // (end console/conflicts)

    // console/household (issue 26): what the phones' operations say about a household's file.
    fn ops_about(&mut self, entity: Entity, id: &str, limit: usize) -> StorageResult<Vec<OpRow>> {
        self.flush()?;
        self.inner.ops_about(entity, id, limit)
    }
    // (end console/household)

    // reports/units (issue 27): the unit a piece of work belonged to when it was done.
    fn track_units(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        self.inner.track_units(records)
    }

    fn unit_history(&mut self) -> StorageResult<Vec<crate::reports::units::UnitRow>> {
        self.flush()?;
        self.inner.unit_history()
    }

    fn build_unit_history(&mut self) -> StorageResult<u64> {
        self.flush()?;
        self.inner.build_unit_history()
    }
    // (end reports/units)

    // backup (issue 27): what the server keeps about itself (its generation, its backups).
    fn server_meta(&mut self, name: &str) -> StorageResult<Option<String>> {
        self.inner.server_meta(name)
    }

    fn put_server_meta(&mut self, name: &str, value: &str) -> StorageResult<()> {
        self.inner.put_server_meta(name, value)
    }

    fn drop_server_meta_starting(&mut self, prefix: &str) -> StorageResult<()> {
        self.inner.drop_server_meta_starting(prefix)
    }
    // (end backup)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::storage::{SqliteStorage, StorageError, read, write};

    fn household(id: &str, key: &str, body: &str) -> StoredRecord {
        StoredRecord {
            entity: Entity::Household,
            id: id.into(),
            key: Some(key.into()),
            seq: 1,
            deleted: false,
            body: body.into(),
            stamps: "{}".into(),
            buckets: vec![district()],
        }
    }

    fn district() -> Bucket {
        Bucket::District(doorstep_core::ids::DistrictId(uuid::Uuid::from_u128(1)))
    }

    fn op(n: i64) -> OpRow {
        OpRow {
            device_id: "d1".into(),
            op_id: OperationId::new(),
            device_seq: n,
            hlc: format!("{n}"),
            entity: "household".into(),
            entity_id: "h1".into(),
            device_time: Utc::now(),
            received_at: Utc::now(),
            server_seq: n,
            payload: "{}".into(),
        }
    }

    fn entry(seq: i64, id: &str) -> BucketEntry {
        BucketEntry {
            seq,
            entity: Entity::Household,
            id: id.into(),
            left: false,
        }
    }

    /// A push of many operations on a few households: each household and each bucket entry is
    /// stored once, at its last version, and every read in the request sees the request's writes.
    #[test]
    fn a_push_writes_each_record_once_at_its_last_version_and_reads_see_its_writes() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("s.sqlite")).unwrap();
        write(&storage, |tx| {
            tx.put_record(&household("h1", "C1", r#"{"v":0}"#))?;
            Ok(())
        })
        .unwrap();
        write(&storage, |tx| {
            let mut cached = CachedTx::new(tx);
            let ops: Vec<OpRow> = (1..=200).map(op).collect();
            for (i, o) in ops.iter().enumerate() {
                let seq = i as i64 + 2;
                let mut h = cached.record(Entity::Household, "h1")?.unwrap();
                h.body = format!(r#"{{"v":{seq}}}"#);
                h.seq = seq;
                cached.put_record(&h)?;
                cached.put_bucket_entry(&district(), &entry(seq, "h1"))?;
                cached.insert_op(o)?;
            }
            // Nothing of it is in the database yet, but a question about it writes it first.
            assert_eq!(cached.count(Counted::Ops)?, 200);
            let changes = cached.changes(&[district()], 0, 10)?;
            assert_eq!(changes, vec![entry(201, "h1")]);
            let stored = cached.stored_ops("d1", &[ops[7].op_id])?;
            assert_eq!(stored, vec![ops[7].op_id]);
            cached.put_record(&household("h2", "C2", "{}"))?;
            cached.flush()?;
            Ok(())
        })
        .unwrap();
        let (h1, h2, ops) = read(&storage, |tx| {
            Ok((
                tx.record(Entity::Household, "h1")?.unwrap(),
                tx.record(Entity::Household, "h2")?,
                tx.count(Counted::Ops)?,
            ))
        })
        .unwrap();
        assert_eq!(h1.body, r#"{"v":201}"#);
        assert_eq!(h1.seq, 201);
        assert!(h2.is_some());
        assert_eq!(ops, 200);
    }

    /// A technician's new household with a customer number another household holds is refused
    /// as that operation, not later, and nothing of the request is stored.
    #[test]
    fn a_taken_customer_number_is_refused_at_once_and_nothing_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("s.sqlite")).unwrap();
        write(&storage, |tx| {
            tx.put_record(&household("h1", "C1", "{}"))?;
            Ok(())
        })
        .unwrap();
        let result = write(&storage, |tx| {
            let mut cached = CachedTx::new(tx);
            cached.insert_op(&op(1))?;
            assert_eq!(cached.record(Entity::Household, "h2")?, None);
            let refused = cached.put_record(&household("h2", "C1", "{}"));
            assert!(matches!(refused, Err(StorageError::Duplicate(_))));
            // The failed write is forgotten: the record is asked of the database again.
            assert_eq!(cached.record(Entity::Household, "h2")?, None);
            refused?;
            Ok(())
        });
        assert!(result.is_err());
        let (h2, ops) = read(&storage, |tx| {
            Ok((tx.record(Entity::Household, "h2")?, tx.count(Counted::Ops)?))
        })
        .unwrap();
        assert_eq!((h2, ops), (None, 0));
    }
}
