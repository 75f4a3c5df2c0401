//! The rows of one SQLite transaction: [`Tx`] over [`SqliteTx`], its statements in [`super::sql`].

use super::sql::*;
use super::*;
use crate::storage::Actor;

impl Tx for SqliteTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        let last = self.last_seq()?;
        self.seq = Some(last + 1);
        Ok(last + 1)
    }

    fn last_seq(&mut self) -> StorageResult<i64> {
        match self.seq {
            Some(seq) => Ok(seq),
            None => self
                .tx
                .prepare_cached("SELECT value FROM counters WHERE name = 'seq'")
                .map_err(db)?
                .query_row([], |r| r.get(0))
                .map_err(db),
        }
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        self.tx
            .prepare_cached(RECORD)
            .map_err(db)?
            .query_row(params![entity.as_str(), id], record_row)
            .optional()
            .map_err(db)?
            .map(with_buckets)
            .transpose()
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.tx
            .prepare_cached(RECORD_ID_BY_KEY)
            .map_err(db)?
            .query_row(params![entity.as_str(), key], |r| r.get(0))
            .optional()
            .map_err(db)
    }

    fn put_record(&mut self, r: &StoredRecord) -> StorageResult<()> {
        self.put_records(&[r])
    }

    fn put_records(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let buckets = records
            .iter()
            .map(|r| serde_json::to_string(&r.buckets))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let rows: Vec<(&StoredRecord, &String)> = records.iter().copied().zip(&buckets).collect();
        let entity = records
            .first()
            .map(|r| r.entity)
            .filter(|e| records.iter().all(|r| r.entity == *e));
        insert_rows(
            &self.tx,
            PUT_RECORDS,
            RECORD_UPSERT,
            8,
            &rows,
            |stmt, at, (r, buckets)| {
                stmt.raw_bind_parameter(at, r.entity.as_str())?;
                stmt.raw_bind_parameter(at + 1, &r.id)?;
                stmt.raw_bind_parameter(at + 2, &r.key)?;
                stmt.raw_bind_parameter(at + 3, r.seq)?;
                stmt.raw_bind_parameter(at + 4, r.deleted)?;
                stmt.raw_bind_parameter(at + 5, &r.body)?;
                stmt.raw_bind_parameter(at + 6, &r.stamps)?;
                stmt.raw_bind_parameter(at + 7, buckets.as_str())
            },
        )
        .map_err(duplicate_key(entity))?;
        self.index_households(records)?;
        self.track_units(records)?;
        self.index_work_orders(records)
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        let mut stmt = self.tx.prepare_cached(RECORDS).map_err(db)?;
        let rows = stmt
            .query_map(params![entity.as_str(), after_id, limit as i64], record_row)
            .map_err(db)?;
        rows.map(|r| with_buckets(r.map_err(db)?)).collect()
    }

    fn put_bucket_entry(&mut self, bucket: &Bucket, e: &BucketEntry) -> StorageResult<()> {
        self.put_bucket_entries(&[(bucket.clone(), e.clone())])
    }

    fn put_bucket_entries(&mut self, entries: &[(Bucket, BucketEntry)]) -> StorageResult<()> {
        insert_rows(
            &self.tx,
            PUT_BUCKET_ENTRIES,
            BUCKET_ENTRY_UPSERT,
            5,
            entries,
            |stmt, at, (bucket, e)| {
                stmt.raw_bind_parameter(at, bucket.to_string())?;
                stmt.raw_bind_parameter(at + 1, e.entity.as_str())?;
                stmt.raw_bind_parameter(at + 2, &e.id)?;
                stmt.raw_bind_parameter(at + 3, e.seq)?;
                stmt.raw_bind_parameter(at + 4, e.left)
            },
        )
        .map_err(db)
    }

    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        // One ordered range of the (bucket, seq) index per bucket, each stopping at `limit`,
        // merged here: a single query over all the buckets ordered by seq would sort every
        // entry after the cursor at every page.
        let mut out = Vec::new();
        let mut stmt = self.tx.prepare_cached(CHANGES).map_err(db)?;
        for bucket in distinct(buckets) {
            let rows = stmt
                .query_map(params![bucket, after, limit as i64], |r| {
                    Ok(BucketEntry {
                        seq: r.get(0)?,
                        entity: entity(r.get(1)?)?,
                        id: r.get(2)?,
                        left: r.get(3)?,
                    })
                })
                .map_err(db)?;
            for row in rows {
                out.push(row.map_err(db)?);
            }
        }
        out.sort_by_key(|e| e.seq);
        out.truncate(limit);
        Ok(out)
    }

    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64> {
        let mut stmt = self.tx.prepare_cached(COUNT_CHANGES).map_err(db)?;
        let mut n = 0;
        for bucket in distinct(buckets) {
            n += stmt
                .query_row(params![bucket, after], |r| r.get::<_, i64>(0))
                .map_err(db)? as u64;
        }
        Ok(n)
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        Ok(self
            .tx
            .prepare_cached(OP_EXISTS)
            .map_err(db)?
            .query_row(params![device_id, op_id.to_string()], |_| Ok(()))
            .optional()
            .map_err(db)?
            .is_some())
    }

    fn stored_ops(
        &mut self,
        device_id: &str,
        op_ids: &[OperationId],
    ) -> StorageResult<Vec<OperationId>> {
        if op_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The ids travel as one JSON array, so that one prepared statement serves any count.
        let ids = serde_json::to_string(op_ids).map_err(corrupt)?;
        let mut stmt = self.tx.prepare_cached(STORED_OPS).map_err(db)?;
        let rows = stmt
            .query_map(params![device_id, ids], |r| r.get(0))
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn insert_op(&mut self, o: &OpRow) -> StorageResult<()> {
        self.insert_ops(std::slice::from_ref(o))
    }

    fn insert_ops(&mut self, ops: &[OpRow]) -> StorageResult<()> {
        insert_rows(&self.tx, INSERT_OPS, "", 10, ops, |stmt, at, o| {
            stmt.raw_bind_parameter(at, &o.device_id)?;
            stmt.raw_bind_parameter(at + 1, o.op_id.to_string())?;
            stmt.raw_bind_parameter(at + 2, o.device_seq)?;
            stmt.raw_bind_parameter(at + 3, &o.hlc)?;
            stmt.raw_bind_parameter(at + 4, &o.entity)?;
            stmt.raw_bind_parameter(at + 5, &o.entity_id)?;
            stmt.raw_bind_parameter(at + 6, o.device_time)?;
            stmt.raw_bind_parameter(at + 7, o.received_at)?;
            stmt.raw_bind_parameter(at + 8, o.server_seq)?;
            stmt.raw_bind_parameter(at + 9, &o.payload)
        })
        .map_err(db)
    }

    fn pushed_about(&mut self, device_id: &str, entity: Entity, id: &str) -> StorageResult<bool> {
        Ok(self
            .tx
            .prepare_cached(PUSHED_ABOUT)
            .map_err(db)?
            .query_row(params![device_id, entity.as_str(), id], |_| Ok(()))
            .optional()
            .map_err(db)?
            .is_some())
    }

    fn op(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<Option<OpRow>> {
        self.tx
            .prepare_cached(OP)
            .map_err(db)?
            .query_row(params![device_id, op_id.to_string()], |r| {
                Ok(OpRow {
                    device_id: r.get(0)?,
                    op_id: parsed(r.get(1)?, "op_id", |t| t.parse().ok())?,
                    device_seq: r.get(2)?,
                    hlc: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    device_time: r.get(6)?,
                    received_at: r.get(7)?,
                    server_seq: r.get(8)?,
                    payload: r.get(9)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn bucket_entry(
        &mut self,
        bucket: &Bucket,
        entity_: Entity,
        id: &str,
    ) -> StorageResult<Option<BucketEntry>> {
        self.tx
            .prepare_cached(BUCKET_ENTRY)
            .map_err(db)?
            .query_row(params![bucket.to_string(), entity_.as_str(), id], |r| {
                Ok(BucketEntry {
                    seq: r.get(0)?,
                    entity: entity(r.get(1)?)?,
                    id: r.get(2)?,
                    left: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_parked(&mut self, p: &ParkedRow) -> StorageResult<()> {
        let d = p.decision.as_ref();
        self.tx
            .prepare_cached(PUT_PARKED)
            .map_err(db)?
            .execute(params![
                p.device_id,
                p.op_id.to_string(),
                p.technician_id,
                p.entity.as_str(),
                p.entity_id,
                p.household_id,
                p.base_seq,
                p.reason.as_str(),
                p.parked_at,
                d.map(|d| d.accepted),
                d.and_then(|d| d.reason.clone()),
                d.map(|d| d.by.clone()),
                d.map(|d| d.at),
                d.map(|d| d.seq),
            ])
            .map_err(db)?;
        Ok(())
    }

    fn parked(&mut self, q: &ParkedQuery<'_>) -> StorageResult<Vec<ParkedRow>> {
        let mut stmt = self.tx.prepare_cached(PARKED).map_err(db)?;
        let rows = stmt
            .query_map(
                params![
                    q.device_id,
                    q.op_id.map(|o| o.to_string()),
                    q.waiting,
                    q.decided_after,
                    q.limit as i64
                ],
                |r| {
                    let accepted: Option<bool> = r.get(9)?;
                    Ok(ParkedRow {
                        device_id: r.get(0)?,
                        op_id: parsed(r.get(1)?, "op_id", |t| t.parse().ok())?,
                        technician_id: r.get(2)?,
                        entity: entity(r.get(3)?)?,
                        entity_id: r.get(4)?,
                        household_id: r.get(5)?,
                        base_seq: r.get(6)?,
                        reason: parsed(r.get(7)?, "reason", ParkReason::parse)?,
                        parked_at: r.get(8)?,
                        decision: match accepted {
                            None => None,
                            Some(accepted) => Some(ParkDecision {
                                accepted,
                                reason: r.get(10)?,
                                by: r.get(11)?,
                                at: r.get(12)?,
                                seq: r.get(13)?,
                            }),
                        },
                    })
                },
            )
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn insert_conflict(&mut self, c: &ConflictRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(INSERT_CONFLICT)
            .map_err(db)?
            .execute(params![
                c.seq,
                c.entity.as_str(),
                c.entity_id,
                c.field,
                c.rule.as_str(),
                c.kept,
                c.lost,
                c.kept_by.to_string(),
                c.lost_by.to_string(),
                c.op_id.map(|o| o.to_string()),
                c.at
            ])
            .map_err(db)?;
        Ok(())
    }

    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>> {
        let mut stmt = self.tx.prepare_cached(CONFLICTS).map_err(db)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(ConflictRow {
                    seq: r.get(0)?,
                    entity: entity(r.get(1)?)?,
                    entity_id: r.get(2)?,
                    field: r.get(3)?,
                    rule: parsed(r.get(4)?, "rule", ConflictRule::parse)?,
                    kept: r.get(5)?,
                    lost: r.get(6)?,
                    kept_by: parsed(r.get(7)?, "kept_by", Author::parse)?,
                    lost_by: parsed(r.get(8)?, "lost_by", Author::parse)?,
                    op_id: r.get::<_, Option<String>>(9)?.and_then(|o| o.parse().ok()),
                    at: r.get(10)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn audit(&mut self, a: &AuditRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(AUDIT)
            .map_err(db)?
            .execute(params![
                a.at,
                a.actor.to_string(),
                a.device_id,
                a.action,
                a.entity,
                a.entity_id
            ])
            .map_err(db)?;
        Ok(())
    }

    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>> {
        let mut stmt = self.tx.prepare_cached(AUDIT_LOG).map_err(db)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(AuditRow {
                    at: r.get(0)?,
                    actor: Actor::parse(&r.get::<_, String>(1)?),
                    device_id: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>> {
        let mut stmt = self.tx.prepare_cached(DEVICES).map_err(db)?;
        let rows = stmt.query_map([technician], device_row).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.tx
            .prepare_cached(DEVICE)
            .map_err(db)?
            .query_row([id], device_row)
            .optional()
            .map_err(db)
    }

    fn put_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_DEVICE)
            .map_err(db)?
            .execute(params![
                d.id,
                d.technician_id,
                d.credential_sha256,
                d.model,
                d.enrolled_at,
                d.revoked_at
            ])
            .map_err(db)?;
        Ok(())
    }

    fn enrollment(&mut self, code: &str) -> StorageResult<Option<EnrollmentRow>> {
        self.tx
            .prepare_cached(ENROLLMENT)
            .map_err(db)?
            .query_row([code], |r| {
                Ok(EnrollmentRow {
                    code_sha256: r.get(0)?,
                    technician_id: r.get(1)?,
                    expires_at: r.get(2)?,
                    used_by: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_enrollment(&mut self, e: &EnrollmentRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_ENROLLMENT)
            .map_err(db)?
            .execute(params![
                e.code_sha256,
                e.technician_id,
                e.expires_at,
                e.used_by
            ])
            .map_err(db)?;
        Ok(())
    }

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>> {
        self.tx
            .prepare_cached(PHOTO)
            .map_err(db)?
            .query_row([sha256], |r| {
                Ok(PhotoRow {
                    sha256: r.get(0)?,
                    total: r.get(1)?,
                    received: r.get(2)?,
                    complete: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_photo(&mut self, p: &PhotoRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_PHOTO)
            .map_err(db)?
            .execute(params![p.sha256, p.total, p.received, p.complete])
            .map_err(db)?;
        Ok(())
    }

    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_PHOTO_CHUNK)
            .map_err(db)?
            .execute(params![sha256, offset, bytes])
            .map_err(db)?;
        Ok(())
    }

    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>> {
        let mut stmt = self.tx.prepare_cached(PHOTO_CHUNKS).map_err(db)?;
        let mut rows = stmt.query([sha256]).map_err(db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db)? {
            out.extend_from_slice(row.get_ref(0).map_err(db)?.as_blob().map_err(corrupt)?);
        }
        Ok(out)
    }

    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached("DELETE FROM photo_chunks WHERE sha256 = ?1")
            .map_err(db)?
            .execute([sha256])
            .map_err(db)?;
        Ok(())
    }

    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_FORM_PHOTO)
            .map_err(db)?
            .execute([form_id, sha256])
            .map_err(db)?;
        Ok(())
    }

    fn forms_waiting(&mut self) -> StorageResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(FORMS_WAITING).map_err(db)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        let (sql, arg) = match what {
            Counted::Ops => ("SELECT count(*) FROM ops", None),
            Counted::Conflicts => ("SELECT count(*) FROM conflicts", None),
            Counted::CompletePhotos => ("SELECT count(*) FROM photos WHERE complete", None),
            Counted::Devices => ("SELECT count(*) FROM devices", None),
            Counted::Audit => ("SELECT count(*) FROM audit", None),
            Counted::Records(e) => (COUNT, Some(e.as_str())),
        };
        let mut stmt = self.tx.prepare_cached(sql).map_err(db)?;
        let n: i64 = match arg {
            Some(a) => stmt.query_row([a], |r| r.get(0)),
            None => stmt.query_row([], |r| r.get(0)),
        }
        .map_err(db)?;
        Ok(n as u64)
    }

    fn receipt_forms(&mut self, receipt: &str) -> StorageResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(RECEIPT_FORMS).map_err(db)?;
        let rows = stmt.query_map([receipt], |r| r.get(0)).map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn put_receipt(&mut self, row: &crate::storage::ReceiptRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_RECEIPT)
            .map_err(db)?
            .execute(params![
                row.receipt,
                row.form_id,
                row.technician_id,
                row.sealed_at,
                row.method,
                row.total_fen,
            ])
            .map_err(db)?;
        Ok(())
    }

    fn receipts_between(
        &mut self,
        technician: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<Vec<crate::storage::ReceiptRow>> {
        let mut stmt = self.tx.prepare_cached(RECEIPTS_BETWEEN).map_err(db)?;
        let rows = stmt
            .query_map(params![technician, from, to], |r| {
                Ok(crate::storage::ReceiptRow {
                    receipt: r.get(0)?,
                    form_id: r.get(1)?,
                    technician_id: r.get(2)?,
                    sealed_at: r.get(3)?,
                    method: r.get(4)?,
                    total_fen: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn put_delivery(&mut self, row: &crate::storage::DeliveryRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_DELIVERY)
            .map_err(db)?
            .execute(params![
                row.order_id,
                row.device_id,
                row.technician_id,
                row.seq,
                row.served_at,
            ])
            .map_err(db)?;
        Ok(())
    }

    fn deliveries_waiting(&mut self, device_id: &str, through: i64) -> StorageResult<u64> {
        let mut stmt = self.tx.prepare_cached(DELIVERIES_WAITING).map_err(db)?;
        let n: i64 = stmt
            .query_row(params![device_id, through], |r| r.get(0))
            .map_err(db)?;
        Ok(n as u64)
    }

    fn acknowledge_deliveries(
        &mut self,
        device_id: &str,
        through: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.tx
            .prepare_cached(ACKNOWLEDGE_DELIVERIES)
            .map_err(db)?
            .execute(params![device_id, through, at])
            .map_err(db)?;
        Ok(())
    }

    fn deliveries(&mut self, order_id: &str) -> StorageResult<Vec<crate::storage::DeliveryRow>> {
        let mut stmt = self.tx.prepare_cached(DELIVERIES).map_err(db)?;
        let rows = stmt
            .query_map([order_id], |r| {
                Ok(crate::storage::DeliveryRow {
                    order_id: r.get(0)?,
                    device_id: r.get(1)?,
                    technician_id: r.get(2)?,
                    seq: r.get(3)?,
                    served_at: r.get(4)?,
                    acknowledged_at: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    // console/staff (issue 26): staff accounts, sessions and sign-in failures.
    fn staff_member(
        &mut self,
        id: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        let row = self
            .tx
            .prepare_cached(STAFF_MEMBER)
            .map_err(db)?
            .query_row([id], |r| {
                Ok((
                    crate::console::account::StaffRow {
                        id: r.get(0)?,
                        login: r.get(1)?,
                        name: r.get(2)?,
                        role: r.get(3)?,
                        districts: Vec::new(),
                        password_hash: r.get(5)?,
                        active: r.get(6)?,
                        created_at: r.get(7)?,
                        password_set_at: r.get(8)?,
                    },
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()
            .map_err(db)?;
        row.map(|(mut staff, districts)| {
            staff.districts = serde_json::from_str(&districts).map_err(corrupt)?;
            Ok(staff)
        })
        .transpose()
    }

    fn staff_by_login(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        let id: Option<String> = self
            .tx
            .prepare_cached(STAFF_BY_LOGIN)
            .map_err(db)?
            .query_row([login], |r| r.get(0))
            .optional()
            .map_err(db)?;
        match id {
            Some(id) => self.staff_member(&id),
            None => Ok(None),
        }
    }

    fn staff_members(&mut self) -> StorageResult<Vec<crate::console::account::StaffRow>> {
        let ids = {
            let mut stmt = self.tx.prepare_cached(STAFF_MEMBERS).map_err(db)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.staff_member(&id)?);
        }
        Ok(out)
    }

    fn put_staff(&mut self, s: &crate::console::account::StaffRow) -> StorageResult<()> {
        let districts = serde_json::to_string(&s.districts).map_err(corrupt)?;
        self.tx
            .prepare_cached(PUT_STAFF)
            .map_err(db)?
            .execute(params![
                s.id,
                s.login,
                s.name,
                s.role,
                districts,
                s.password_hash,
                s.active,
                s.created_at,
                s.password_set_at
            ])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StorageError::Duplicate("staff login")
                }
                e => db(e),
            })?;
        Ok(())
    }

    fn staff_session(
        &mut self,
        token_sha256: &str,
    ) -> StorageResult<Option<crate::console::account::SessionRow>> {
        self.tx
            .prepare_cached(STAFF_SESSION)
            .map_err(db)?
            .query_row([token_sha256], |r| {
                Ok(crate::console::account::SessionRow {
                    token_sha256: r.get(0)?,
                    staff_id: r.get(1)?,
                    csrf: r.get(2)?,
                    created_at: r.get(3)?,
                    last_seen_at: r.get(4)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn put_staff_session(&mut self, s: &crate::console::account::SessionRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_STAFF_SESSION)
            .map_err(db)?
            .execute(params![
                s.token_sha256,
                s.staff_id,
                s.csrf,
                s.created_at,
                s.last_seen_at
            ])
            .map_err(db)?;
        Ok(())
    }

    fn touch_staff_session(
        &mut self,
        token_sha256: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.tx
            .prepare_cached(TOUCH_STAFF_SESSION)
            .map_err(db)?
            .execute(params![token_sha256, at])
            .map_err(db)?;
        Ok(())
    }

    fn drop_staff_session(&mut self, token_sha256: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(DROP_STAFF_SESSION)
            .map_err(db)?
            .execute([token_sha256])
            .map_err(db)?;
        Ok(())
    }

    fn drop_staff_sessions(&mut self, staff_id: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(DROP_STAFF_SESSIONS)
            .map_err(db)?
            .execute([staff_id])
            .map_err(db)?;
        Ok(())
    }

    fn drop_idle_staff_sessions(
        &mut self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.tx
            .prepare_cached(DROP_IDLE_STAFF_SESSIONS)
            .map_err(db)?
            .execute([before])
            .map_err(db)?;
        Ok(())
    }

    fn sign_in_failures(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::SignInFailures>> {
        self.tx
            .prepare_cached(SIGN_IN_FAILURES)
            .map_err(db)?
            .query_row([login], |r| {
                Ok(crate::console::account::SignInFailures {
                    login: r.get(0)?,
                    failures: r.get(1)?,
                    last_failure: r.get(2)?,
                    locked_until: r.get(3)?,
                })
            })
            .optional()
            .map_err(db)
    }

    fn count_sign_in_failure(
        &mut self,
        login: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<i64> {
        self.tx
            .prepare_cached(COUNT_SIGN_IN_FAILURE)
            .map_err(db)?
            .query_row(params![login, at], |r| r.get(0))
            .map_err(db)
    }

    fn lock_sign_in(
        &mut self,
        login: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.tx
            .prepare_cached(LOCK_SIGN_IN)
            .map_err(db)?
            .execute(params![login, until])
            .map_err(db)?;
        Ok(())
    }

    fn clear_sign_in_failures(&mut self, login: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(CLEAR_SIGN_IN_FAILURES)
            .map_err(db)?
            .execute([login])
            .map_err(db)?;
        Ok(())
    }
    // (end console/staff)

    // console/search (issue 26): the household search.
    fn find_households(
        &mut self,
        query: &str,
        districts: Option<&[doorstep_core::ids::DistrictId]>,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        let needles = crate::storage::search::needles(query);
        let Some(first) = needles.first() else {
            return Ok(Vec::new());
        };
        let districts = districts
            .map(|d| serde_json::to_string(&d.iter().map(|d| d.to_string()).collect::<Vec<_>>()))
            .transpose()
            .map_err(corrupt)?;
        // Three characters or more: through the trigram index; shorter (a surname, a room
        // number): a scan of the texts.
        let rows: Vec<_> = if needles.iter().all(|n| n.chars().count() >= 3) {
            let phrases = needles
                .iter()
                .map(|n| format!("\"{}\"", n.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" OR ");
            let mut stmt = self
                .tx
                .prepare_cached(FIND_HOUSEHOLDS_BY_TRIGRAMS)
                .map_err(db)?;
            stmt.query_map(
                params![phrases, districts, query.trim(), limit as i64],
                record_row,
            )
            .map_err(db)?
            .collect()
        } else {
            let mut stmt = self.tx.prepare_cached(FIND_HOUSEHOLDS).map_err(db)?;
            stmt.query_map(
                params![first, needles.get(1), districts, query.trim(), limit as i64],
                record_row,
            )
            .map_err(db)?
            .collect()
        };
        rows.into_iter()
            .map(|r| with_buckets(r.map_err(db)?))
            .collect()
    }

    fn index_households(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        for row in crate::storage::search::rows_of(records) {
            match row {
                Ok(row) => self
                    .tx
                    .prepare_cached(PUT_HOUSEHOLD_SEARCH)
                    .map_err(db)?
                    .execute(params![row.id, row.district_id, row.number, row.text]),
                Err(id) => self
                    .tx
                    .prepare_cached(DROP_HOUSEHOLD_SEARCH)
                    .map_err(db)?
                    .execute([id]),
            }
            .map_err(db)?;
        }
        Ok(())
    }

    fn build_household_search(&mut self) -> StorageResult<u64> {
        let empty: bool = self
            .tx
            .prepare_cached(HOUSEHOLD_SEARCH_EMPTY)
            .map_err(db)?
            .query_row([], |r| r.get(0))
            .map_err(db)?;
        if !empty {
            return Ok(0);
        }
        crate::storage::search::index_every_household(self)
    }
    // (end console/search)

    // console/board (issue 26): open work orders for the dispatch board.
    fn index_work_orders(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        for row in crate::storage::open_orders::rows_of(records) {
            let (sql, id) = match &row {
                Ok(id) => (PUT_OPEN_WORK_ORDER, id),
                Err(id) => (DROP_OPEN_WORK_ORDER, id),
            };
            self.tx
                .prepare_cached(sql)
                .map_err(db)?
                .execute([id])
                .map_err(db)?;
        }
        Ok(())
    }

    fn open_work_orders(
        &mut self,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        let mut stmt = self.tx.prepare_cached(OPEN_WORK_ORDERS).map_err(db)?;
        let rows: Vec<_> = stmt
            .query_map(params![after_id, limit as i64], record_row)
            .map_err(db)?
            .collect();
        rows.into_iter()
            .map(|r| with_buckets(r.map_err(db)?))
            .collect()
    }

    fn open_work_order_versions(&mut self) -> StorageResult<Vec<(String, i64)>> {
        let mut stmt = self
            .tx
            .prepare_cached(OPEN_WORK_ORDER_VERSIONS)
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn build_open_work_orders(&mut self) -> StorageResult<u64> {
        let empty: bool = self
            .tx
            .prepare_cached(OPEN_WORK_ORDERS_EMPTY)
            .map_err(db)?
            .query_row([], |r| r.get(0))
            .map_err(db)?;
        if !empty {
            return Ok(0);
        }
        crate::storage::open_orders::index_every_order(self)
    }

    fn put_device_sync(&mut self, row: &crate::storage::DeviceSyncRow) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_DEVICE_SYNC)
            .map_err(db)?
            .execute(params![
                row.device_id,
                row.synced_at,
                row.cursor_seq,
                row.app_version
            ])
            .map_err(db)?;
        Ok(())
    }

    fn device_syncs(&mut self) -> StorageResult<Vec<crate::storage::DeviceSyncRow>> {
        let mut stmt = self.tx.prepare_cached(DEVICE_SYNCS).map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(crate::storage::DeviceSyncRow {
                    device_id: r.get(0)?,
                    synced_at: r.get(1)?,
                    cursor_seq: r.get(2)?,
                    app_version: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }
    // (end console/board)

    // console/conflicts (issue 26): conflicts resolved by the office.
    fn conflicts_to_review(
        &mut self,
        resolved: bool,
        offset: usize,
        limit: usize,
    ) -> StorageResult<Vec<crate::storage::ReviewedConflict>> {
        let mut stmt = self.tx.prepare_cached(CONFLICTS_TO_REVIEW).map_err(db)?;
        let rows = stmt
            .query_map(
                params![resolved, limit as i64, offset as i64],
                reviewed_conflict_row,
            )
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn count_conflicts_to_review(&mut self, resolved: bool) -> StorageResult<u64> {
        self.tx
            .prepare_cached(COUNT_CONFLICTS_TO_REVIEW)
            .map_err(db)?
            .query_row([resolved], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(db)
    }

    fn conflict_to_review(
        &mut self,
        n: i64,
    ) -> StorageResult<Option<crate::storage::ReviewedConflict>> {
        self.tx
            .prepare_cached(CONFLICT_TO_REVIEW)
            .map_err(db)?
            .query_row([n], reviewed_conflict_row)
            .optional()
            .map_err(db)
    }

    fn resolve_conflict(&mut self, r: &crate::storage::ConflictResolution) -> StorageResult<()> {
        self.tx
            .prepare_cached(RESOLVE_CONFLICT)
            .map_err(db)?
            .execute(params![
                r.conflict,
                r.took_other,
                r.by.to_string(),
                r.at,
                r.seq
            ])
            .map_err(db)?;
        Ok(())
    }
    // (end console/conflicts)

    // console/household (issue 26): what the phones' operations say about a household's file.
    fn ops_about(&mut self, entity: Entity, id: &str, limit: usize) -> StorageResult<Vec<OpRow>> {
        let mut stmt = self.tx.prepare_cached(OPS_ABOUT).map_err(db)?;
        let rows = stmt
            .query_map(params![entity.as_str(), id, limit as i64], |r| {
                Ok(OpRow {
                    device_id: r.get(0)?,
                    op_id: parsed(r.get(1)?, "op_id", |t| t.parse().ok())?,
                    device_seq: r.get(2)?,
                    hlc: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    device_time: r.get(6)?,
                    received_at: r.get(7)?,
                    server_seq: r.get(8)?,
                    payload: r.get(9)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }
    // (end console/household)

    // reports/units (issue 27): the unit a piece of work belonged to when it was done.
    fn track_units(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let rows = crate::reports::units::rows_of(records, chrono::Utc::now());
        if rows.is_empty() {
            return Ok(());
        }
        let mut stmt = self.tx.prepare_cached(PUT_UNIT_HISTORY).map_err(db)?;
        for r in rows {
            stmt.execute(params![
                r.entity.as_str(),
                r.id,
                r.seq,
                r.since,
                r.district,
                r.crew
            ])
            .map_err(db)?;
        }
        Ok(())
    }

    fn unit_history(&mut self) -> StorageResult<Vec<crate::reports::units::UnitRow>> {
        let mut stmt = self.tx.prepare_cached(UNIT_HISTORY).map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(crate::reports::units::UnitRow {
                    entity: entity(r.get(0)?)?,
                    id: r.get(1)?,
                    seq: r.get(2)?,
                    since: r.get(3)?,
                    district: r.get(4)?,
                    crew: r.get(5)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn build_unit_history(&mut self) -> StorageResult<u64> {
        let empty: bool = self
            .tx
            .prepare_cached(UNIT_HISTORY_EMPTY)
            .map_err(db)?
            .query_row([], |r| r.get(0))
            .map_err(db)?;
        if !empty {
            return Ok(0);
        }
        crate::reports::units::track_every_unit(self)
    }
    // (end reports/units)

    // backup (issue 27): what the server keeps about itself (its generation, its backups).
    fn server_meta(&mut self, name: &str) -> StorageResult<Option<String>> {
        self.tx
            .prepare_cached(SERVER_META)
            .map_err(db)?
            .query_row([name], |r| r.get(0))
            .optional()
            .map_err(db)
    }

    fn put_server_meta(&mut self, name: &str, value: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(PUT_SERVER_META)
            .map_err(db)?
            .execute([name, value])
            .map_err(db)?;
        Ok(())
    }

    fn drop_server_meta_starting(&mut self, prefix: &str) -> StorageResult<()> {
        self.tx
            .prepare_cached(DROP_SERVER_META_STARTING)
            .map_err(db)?
            .execute([prefix])
            .map_err(db)?;
        Ok(())
    }
    // (end backup)
}

// console/conflicts (issue 26): conflicts resolved by the office.
/// A row of [`CONFLICTS_TO_REVIEW`].
fn reviewed_conflict_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<crate::storage::ReviewedConflict> {
    let n: i64 = r.get(0)?;
    let resolution = match r.get::<_, Option<bool>>(12)? {
        None => None,
        Some(took_other) => Some(crate::storage::ConflictResolution {
            conflict: n,
            took_other,
            by: Actor::parse(&r.get::<_, String>(13)?),
            at: r.get(14)?,
            seq: r.get(15)?,
        }),
    };
    Ok(crate::storage::ReviewedConflict {
        n,
        row: ConflictRow {
            seq: r.get(1)?,
            entity: entity(r.get(2)?)?,
            entity_id: r.get(3)?,
            field: r.get(4)?,
            rule: parsed(r.get(5)?, "rule", ConflictRule::parse)?,
            kept: r.get(6)?,
            lost: r.get(7)?,
            kept_by: parsed(r.get(8)?, "kept_by", Author::parse)?,
            lost_by: parsed(r.get(9)?, "lost_by", Author::parse)?,
            op_id: r.get::<_, Option<String>>(10)?.and_then(|o| o.parse().ok()),
            at: r.get(11)?,
        },
        resolution,
    })
}
// (end console/conflicts)
