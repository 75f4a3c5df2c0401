//! A transaction that remembers the records it has read or written, for the work of one request
//! that reads the same records again and again (a push reads a household for each of its
//! operations). It sits in front of either backend: every write goes through it, so what it
//! remembers is what the database holds inside this transaction.

use std::collections::HashMap;

use doorstep_core::ids::OperationId;
use doorstep_core::sync::protocol::Entity;

use super::{
    AuditRow, BucketEntry, ConflictRow, Counted, DeviceRow, EnrollmentRow, OpRow, PhotoRow,
    StorageResult, StoredRecord, Tx,
};

pub struct CachedTx<'t> {
    inner: &'t mut dyn Tx,
    /// Per entity, by id: the record as this transaction last read or wrote it (`None`: absent).
    records: HashMap<Entity, HashMap<String, Option<StoredRecord>>>,
}

impl<'t> CachedTx<'t> {
    pub fn new(inner: &'t mut dyn Tx) -> Self {
        Self {
            inner,
            records: HashMap::new(),
        }
    }
}

impl Tx for CachedTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        self.inner.next_seq()
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        if let Some(known) = self.records.get(&entity).and_then(|m| m.get(id)) {
            return Ok(known.clone());
        }
        let record = self.inner.record(entity, id)?;
        self.records
            .entry(entity)
            .or_default()
            .insert(id.to_owned(), record.clone());
        Ok(record)
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.inner.record_id_by_key(entity, key)
    }

    fn put_record(&mut self, record: &StoredRecord) -> StorageResult<()> {
        // Forgotten first: if the write fails half-way, the next read asks the database.
        let known = self.records.entry(record.entity).or_default();
        known.remove(&record.id);
        self.inner.put_record(record)?;
        known.insert(record.id.clone(), Some(record.clone()));
        Ok(())
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        self.inner.records(entity, after_id, limit)
    }

    fn put_bucket_entry(&mut self, bucket: &str, entry: &BucketEntry) -> StorageResult<()> {
        self.inner.put_bucket_entry(bucket, entry)
    }

    fn changes(
        &mut self,
        buckets: &[String],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        self.inner.changes(buckets, after, limit)
    }

    fn count_changes(&mut self, buckets: &[String], after: i64) -> StorageResult<u64> {
        self.inner.count_changes(buckets, after)
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        self.inner.op_exists(device_id, op_id)
    }

    fn stored_ops(
        &mut self,
        device_id: &str,
        op_ids: &[OperationId],
    ) -> StorageResult<Vec<OperationId>> {
        self.inner.stored_ops(device_id, op_ids)
    }

    fn insert_op(&mut self, op: &OpRow) -> StorageResult<()> {
        self.inner.insert_op(op)
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
        self.inner.forms_waiting()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        self.inner.count(what)
    }
}
