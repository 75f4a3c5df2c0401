//! The rows of one PostgreSQL transaction: [`Tx`] over [`PgTx`], its statements in [`super::sql`].

use super::sql::*;
use super::*;
use crate::storage::Actor;

impl Tx for PgTx<'_> {
    fn next_seq(&mut self) -> StorageResult<i64> {
        let row = self.query_one(NEXT_SEQ, &[])?;
        get(&row, 0)
    }

    fn last_seq(&mut self) -> StorageResult<i64> {
        let row = self.query_one("SELECT value FROM counters WHERE name = 'seq'", &[])?;
        get(&row, 0)
    }

    fn record(&mut self, entity: Entity, id: &str) -> StorageResult<Option<StoredRecord>> {
        self.query_opt(RECORD, &[&entity.as_str(), &id])?
            .as_ref()
            .map(record_row)
            .transpose()
    }

    fn record_id_by_key(&mut self, entity: Entity, key: &str) -> StorageResult<Option<String>> {
        self.query_opt(RECORD_ID_BY_KEY, &[&entity.as_str(), &key])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn put_record(&mut self, r: &StoredRecord) -> StorageResult<()> {
        let buckets = serde_json::to_string(&r.buckets).map_err(corrupt)?;
        // In a savepoint: a taken key leaves the transaction usable, as in SQLite.
        let outcome = (|| {
            let mut sp = self.tx.savepoint("put_record")?;
            sp.execute(
                PUT_RECORD,
                &[
                    &r.entity.as_str(),
                    &r.id,
                    &r.key,
                    &r.seq,
                    &r.deleted,
                    &r.body,
                    &r.stamps,
                    &buckets,
                ],
            )?;
            sp.commit()
        })();
        outcome.map_err(|e| {
            if is_duplicate_key(&e) {
                StorageError::Duplicate(match r.entity {
                    Entity::Household => "customer number",
                    Entity::WorkOrder => "work order number",
                    _ => "record key",
                })
            } else {
                self.fail(e)
            }
        })?;
        self.index_households(&[r])?;
        self.track_units(&[r])?;
        self.index_work_orders(&[r])
    }

    fn records(
        &mut self,
        entity: Entity,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        self.query(RECORDS, &[&entity.as_str(), &after_id, &sql_limit(limit)])?
            .iter()
            .map(record_row)
            .collect()
    }

    fn put_bucket_entry(&mut self, bucket: &Bucket, e: &BucketEntry) -> StorageResult<()> {
        let bucket = bucket.to_string();
        self.execute(
            PUT_BUCKET_ENTRY,
            &[&bucket, &e.entity.as_str(), &e.id, &e.seq, &e.left],
        )
    }

    fn put_records(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        // One statement for them all: each column as an array, unnested into rows.
        let mut columns = (
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
            Vec::with_capacity(records.len()),
        );
        for r in records {
            columns.0.push(r.entity.as_str());
            columns.1.push(r.id.as_str());
            columns.2.push(r.key.as_deref());
            columns.3.push(r.seq);
            columns.4.push(r.deleted);
            columns.5.push(r.body.as_str());
            columns.6.push(r.stamps.as_str());
            columns
                .7
                .push(serde_json::to_string(&r.buckets).map_err(corrupt)?);
        }
        self.execute(
            PUT_RECORDS,
            &[
                &columns.0, &columns.1, &columns.2, &columns.3, &columns.4, &columns.5, &columns.6,
                &columns.7,
            ],
        )?;
        self.index_households(records)?;
        self.track_units(records)?;
        self.index_work_orders(records)
    }

    fn put_bucket_entries(&mut self, entries: &[(Bucket, BucketEntry)]) -> StorageResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let buckets: Vec<String> = entries.iter().map(|(b, _)| b.to_string()).collect();
        let entities: Vec<&str> = entries.iter().map(|(_, e)| e.entity.as_str()).collect();
        let ids: Vec<&str> = entries.iter().map(|(_, e)| e.id.as_str()).collect();
        let seqs: Vec<i64> = entries.iter().map(|(_, e)| e.seq).collect();
        let left: Vec<bool> = entries.iter().map(|(_, e)| e.left).collect();
        self.execute(
            PUT_BUCKET_ENTRIES,
            &[&buckets, &entities, &ids, &seqs, &left],
        )
    }

    fn changes(
        &mut self,
        buckets: &[Bucket],
        after: i64,
        limit: usize,
    ) -> StorageResult<Vec<BucketEntry>> {
        let buckets: Vec<String> = buckets.iter().map(Bucket::to_string).collect();
        self.query(CHANGES, &[&buckets, &after, &sql_limit(limit)])?
            .iter()
            .map(|r| {
                Ok(BucketEntry {
                    seq: get(r, 0)?,
                    entity: entity(r, 1)?,
                    id: get(r, 2)?,
                    left: get(r, 3)?,
                })
            })
            .collect()
    }

    fn count_changes(&mut self, buckets: &[Bucket], after: i64) -> StorageResult<u64> {
        let buckets: Vec<String> = buckets.iter().map(Bucket::to_string).collect();
        self.count_of(COUNT_CHANGES, &[&buckets, &after])
    }

    fn op_exists(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<bool> {
        Ok(self
            .query_opt(OP_EXISTS, &[&device_id, &op_id.to_string()])?
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
        let ids: Vec<String> = op_ids.iter().map(ToString::to_string).collect();
        self.query(STORED_OPS, &[&device_id, &ids])?
            .iter()
            .map(|r| get::<&str>(r, 0)?.parse().map_err(corrupt))
            .collect()
    }

    fn insert_op(&mut self, o: &OpRow) -> StorageResult<()> {
        self.execute(
            INSERT_OP,
            &[
                &o.device_id,
                &o.op_id.to_string(),
                &o.device_seq,
                &o.hlc,
                &o.entity,
                &o.entity_id,
                &o.device_time,
                &o.received_at,
                &o.server_seq,
                &o.payload,
            ],
        )
    }

    fn insert_ops(&mut self, ops: &[OpRow]) -> StorageResult<()> {
        if ops.is_empty() {
            return Ok(());
        }
        let devices: Vec<&str> = ops.iter().map(|o| o.device_id.as_str()).collect();
        let op_ids: Vec<String> = ops.iter().map(|o| o.op_id.to_string()).collect();
        let device_seqs: Vec<i64> = ops.iter().map(|o| o.device_seq).collect();
        let hlcs: Vec<&str> = ops.iter().map(|o| o.hlc.as_str()).collect();
        let entities: Vec<&str> = ops.iter().map(|o| o.entity.as_str()).collect();
        let entity_ids: Vec<&str> = ops.iter().map(|o| o.entity_id.as_str()).collect();
        let device_times: Vec<chrono::DateTime<chrono::Utc>> =
            ops.iter().map(|o| o.device_time).collect();
        let received: Vec<chrono::DateTime<chrono::Utc>> =
            ops.iter().map(|o| o.received_at).collect();
        let server_seqs: Vec<i64> = ops.iter().map(|o| o.server_seq).collect();
        let payloads: Vec<&str> = ops.iter().map(|o| o.payload.as_str()).collect();
        self.execute(
            INSERT_OPS,
            &[
                &devices,
                &op_ids,
                &device_seqs,
                &hlcs,
                &entities,
                &entity_ids,
                &device_times,
                &received,
                &server_seqs,
                &payloads,
            ],
        )
    }

    fn pushed_about(&mut self, device_id: &str, entity: Entity, id: &str) -> StorageResult<bool> {
        Ok(self
            .query_opt(PUSHED_ABOUT, &[&device_id, &entity.as_str(), &id])?
            .is_some())
    }

    fn op(&mut self, device_id: &str, op_id: OperationId) -> StorageResult<Option<OpRow>> {
        self.query_opt(OP, &[&device_id, &op_id.to_string()])?
            .map(|r| {
                Ok(OpRow {
                    device_id: get(&r, 0)?,
                    op_id: parsed(&r, 1, |t| t.parse().ok())?,
                    device_seq: get(&r, 2)?,
                    hlc: get(&r, 3)?,
                    entity: get(&r, 4)?,
                    entity_id: get(&r, 5)?,
                    device_time: get(&r, 6)?,
                    received_at: get(&r, 7)?,
                    server_seq: get(&r, 8)?,
                    payload: get(&r, 9)?,
                })
            })
            .transpose()
    }

    fn bucket_entry(
        &mut self,
        bucket: &Bucket,
        entity_: Entity,
        id: &str,
    ) -> StorageResult<Option<BucketEntry>> {
        self.query_opt(BUCKET_ENTRY, &[&bucket.to_string(), &entity_.as_str(), &id])?
            .map(|r| {
                Ok(BucketEntry {
                    seq: get(&r, 0)?,
                    entity: entity(&r, 1)?,
                    id: get(&r, 2)?,
                    left: get(&r, 3)?,
                })
            })
            .transpose()
    }

    fn put_parked(&mut self, p: &ParkedRow) -> StorageResult<()> {
        let d = p.decision.as_ref();
        self.execute(
            PUT_PARKED,
            &[
                &p.device_id,
                &p.op_id.to_string(),
                &p.technician_id,
                &p.entity.as_str(),
                &p.entity_id,
                &p.household_id,
                &p.base_seq,
                &p.reason.as_str(),
                &p.parked_at,
                &d.map(|d| d.accepted),
                &d.and_then(|d| d.reason.clone()),
                &d.map(|d| d.by.clone()),
                &d.map(|d| d.at),
                &d.map(|d| d.seq),
            ],
        )
    }

    fn parked(&mut self, q: &ParkedQuery<'_>) -> StorageResult<Vec<ParkedRow>> {
        self.query(
            PARKED,
            &[
                &q.device_id,
                &q.op_id.map(|o| o.to_string()),
                &q.waiting,
                &q.decided_after,
                &sql_limit(q.limit),
            ],
        )?
        .iter()
        .map(|r| {
            let accepted: Option<bool> = get(r, 9)?;
            Ok(ParkedRow {
                device_id: get(r, 0)?,
                op_id: parsed(r, 1, |t| t.parse().ok())?,
                technician_id: get(r, 2)?,
                entity: entity(r, 3)?,
                entity_id: get(r, 4)?,
                household_id: get(r, 5)?,
                base_seq: get(r, 6)?,
                reason: parsed(r, 7, ParkReason::parse)?,
                parked_at: get(r, 8)?,
                decision: match accepted {
                    None => None,
                    Some(accepted) => Some(ParkDecision {
                        accepted,
                        reason: get(r, 10)?,
                        by: get(r, 11)?,
                        at: get(r, 12)?,
                        seq: get(r, 13)?,
                    }),
                },
            })
        })
        .collect()
    }

    fn insert_conflict(&mut self, c: &ConflictRow) -> StorageResult<()> {
        self.execute(
            INSERT_CONFLICT,
            &[
                &c.seq,
                &c.entity.as_str(),
                &c.entity_id,
                &c.field,
                &c.rule.as_str(),
                &c.kept,
                &c.lost,
                &c.kept_by.to_string(),
                &c.lost_by.to_string(),
                &c.op_id.map(|o| o.to_string()),
                &c.at,
            ],
        )
    }

    fn conflicts(&mut self, limit: usize) -> StorageResult<Vec<ConflictRow>> {
        self.query(CONFLICTS, &[&sql_limit(limit)])?
            .iter()
            .map(|r| {
                Ok(ConflictRow {
                    seq: get(r, 0)?,
                    entity: entity(r, 1)?,
                    entity_id: get(r, 2)?,
                    field: get(r, 3)?,
                    rule: parsed(r, 4, ConflictRule::parse)?,
                    kept: get(r, 5)?,
                    lost: get(r, 6)?,
                    kept_by: parsed(r, 7, Author::parse)?,
                    lost_by: parsed(r, 8, Author::parse)?,
                    op_id: get::<Option<&str>>(r, 9)?.and_then(|o| o.parse().ok()),
                    at: get(r, 10)?,
                })
            })
            .collect()
    }

    fn audit(&mut self, a: &AuditRow) -> StorageResult<()> {
        self.execute(
            AUDIT,
            &[
                &a.at,
                &a.actor.to_string(),
                &a.device_id,
                &a.action,
                &a.entity,
                &a.entity_id,
            ],
        )
    }

    fn audit_log(&mut self, limit: usize) -> StorageResult<Vec<AuditRow>> {
        self.query(AUDIT_LOG, &[&sql_limit(limit)])?
            .iter()
            .map(|r| {
                Ok(AuditRow {
                    at: get(r, 0)?,
                    actor: Actor::parse(get(r, 1)?),
                    device_id: get(r, 2)?,
                    action: get(r, 3)?,
                    entity: get(r, 4)?,
                    entity_id: get(r, 5)?,
                })
            })
            .collect()
    }

    fn devices(&mut self, technician: Option<&str>) -> StorageResult<Vec<DeviceRow>> {
        self.query(DEVICES, &[&technician])?
            .iter()
            .map(device_row)
            .collect()
    }

    fn device(&mut self, id: &str) -> StorageResult<Option<DeviceRow>> {
        self.query_opt(DEVICE, &[&id])?
            .as_ref()
            .map(device_row)
            .transpose()
    }

    fn put_device(&mut self, d: &DeviceRow) -> StorageResult<()> {
        self.execute(
            PUT_DEVICE,
            &[
                &d.id,
                &d.technician_id,
                &d.credential_sha256,
                &d.model,
                &d.enrolled_at,
                &d.revoked_at,
            ],
        )
    }

    fn enrollment(&mut self, code: &str) -> StorageResult<Option<EnrollmentRow>> {
        self.query_opt(ENROLLMENT, &[&code])?
            .map(|r| {
                Ok(EnrollmentRow {
                    code_sha256: get(&r, 0)?,
                    technician_id: get(&r, 1)?,
                    expires_at: get(&r, 2)?,
                    used_by: get(&r, 3)?,
                })
            })
            .transpose()
    }

    fn put_enrollment(&mut self, e: &EnrollmentRow) -> StorageResult<()> {
        self.execute(
            PUT_ENROLLMENT,
            &[&e.code_sha256, &e.technician_id, &e.expires_at, &e.used_by],
        )
    }

    fn photo(&mut self, sha256: &str) -> StorageResult<Option<PhotoRow>> {
        self.query_opt(PHOTO, &[&sha256])?
            .map(|r| {
                Ok(PhotoRow {
                    sha256: get(&r, 0)?,
                    total: get(&r, 1)?,
                    received: get(&r, 2)?,
                    complete: get(&r, 3)?,
                })
            })
            .transpose()
    }

    fn put_photo(&mut self, p: &PhotoRow) -> StorageResult<()> {
        self.execute(PUT_PHOTO, &[&p.sha256, &p.total, &p.received, &p.complete])
    }

    fn put_photo_chunk(&mut self, sha256: &str, offset: i64, bytes: &[u8]) -> StorageResult<()> {
        self.execute(PUT_PHOTO_CHUNK, &[&sha256, &offset, &bytes])
    }

    fn photo_chunks(&mut self, sha256: &str) -> StorageResult<Vec<u8>> {
        let mut out = Vec::new();
        for row in self.query(PHOTO_CHUNKS, &[&sha256])? {
            out.extend_from_slice(get(&row, 0)?);
        }
        Ok(out)
    }

    fn drop_photo_chunks(&mut self, sha256: &str) -> StorageResult<()> {
        self.execute("DELETE FROM photo_chunks WHERE sha256 = $1", &[&sha256])
    }

    fn put_form_photo(&mut self, form_id: &str, sha256: &str) -> StorageResult<()> {
        self.execute(PUT_FORM_PHOTO, &[&form_id, &sha256])
    }

    fn forms_waiting(&mut self) -> StorageResult<Vec<String>> {
        self.query(FORMS_WAITING, &[])?
            .iter()
            .map(|r| get(r, 0))
            .collect()
    }

    fn count(&mut self, what: Counted) -> StorageResult<u64> {
        let sql = match what {
            Counted::Ops => "SELECT count(*) FROM ops",
            Counted::Conflicts => "SELECT count(*) FROM conflicts",
            Counted::CompletePhotos => "SELECT count(*) FROM photos WHERE complete",
            Counted::Devices => "SELECT count(*) FROM devices",
            Counted::Audit => "SELECT count(*) FROM audit",
            Counted::Records(e) => {
                return self.count_of(COUNT, &[&e.as_str()]);
            }
        };
        self.count_of(sql, &[])
    }

    fn receipt_forms(&mut self, receipt: &str) -> StorageResult<Vec<String>> {
        self.query(RECEIPT_FORMS, &[&receipt])?
            .iter()
            .map(|r| get(r, 0))
            .collect()
    }

    fn put_receipt(&mut self, row: &crate::storage::ReceiptRow) -> StorageResult<()> {
        self.execute(
            PUT_RECEIPT,
            &[
                &row.receipt,
                &row.form_id,
                &row.technician_id,
                &row.sealed_at,
                &row.method,
                &row.total_fen,
            ],
        )
    }

    fn receipts_between(
        &mut self,
        technician: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<Vec<crate::storage::ReceiptRow>> {
        self.query(RECEIPTS_BETWEEN, &[&technician, &from, &to])?
            .iter()
            .map(|r| {
                Ok(crate::storage::ReceiptRow {
                    receipt: get(r, 0)?,
                    form_id: get(r, 1)?,
                    technician_id: get(r, 2)?,
                    sealed_at: get(r, 3)?,
                    method: get(r, 4)?,
                    total_fen: get(r, 5)?,
                })
            })
            .collect()
    }

    fn put_delivery(&mut self, row: &crate::storage::DeliveryRow) -> StorageResult<()> {
        self.execute(
            PUT_DELIVERY,
            &[
                &row.order_id,
                &row.device_id,
                &row.technician_id,
                &row.seq,
                &row.served_at,
            ],
        )
    }

    fn deliveries_waiting(&mut self, device_id: &str, through: i64) -> StorageResult<u64> {
        self.count_of(DELIVERIES_WAITING, &[&device_id, &through])
    }

    fn acknowledge_deliveries(
        &mut self,
        device_id: &str,
        through: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.execute(ACKNOWLEDGE_DELIVERIES, &[&device_id, &through, &at])
    }

    fn deliveries(&mut self, order_id: &str) -> StorageResult<Vec<crate::storage::DeliveryRow>> {
        self.query(DELIVERIES, &[&order_id])?
            .iter()
            .map(|r| {
                Ok(crate::storage::DeliveryRow {
                    order_id: get(r, 0)?,
                    device_id: get(r, 1)?,
                    technician_id: get(r, 2)?,
                    seq: get(r, 3)?,
                    served_at: get(r, 4)?,
                    acknowledged_at: get(r, 5)?,
                })
            })
            .collect()
    }

    // console/staff (issue 26): staff accounts, sessions and sign-in failures.
    fn staff_member(
        &mut self,
        id: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        self.query_opt(STAFF_MEMBER, &[&id])?
            .map(|r| {
                Ok(crate::console::account::StaffRow {
                    id: get(&r, 0)?,
                    login: get(&r, 1)?,
                    name: get(&r, 2)?,
                    role: get(&r, 3)?,
                    districts: serde_json::from_str(get(&r, 4)?).map_err(corrupt)?,
                    password_hash: get(&r, 5)?,
                    active: get(&r, 6)?,
                    created_at: get(&r, 7)?,
                    password_set_at: get(&r, 8)?,
                })
            })
            .transpose()
    }

    fn staff_by_login(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::StaffRow>> {
        let id: Option<String> = self
            .query_opt(STAFF_BY_LOGIN, &[&login])?
            .map(|r| get(&r, 0))
            .transpose()?;
        match id {
            Some(id) => self.staff_member(&id),
            None => Ok(None),
        }
    }

    fn staff_members(&mut self) -> StorageResult<Vec<crate::console::account::StaffRow>> {
        let ids: Vec<String> = self
            .query(STAFF_MEMBERS, &[])?
            .iter()
            .map(|r| get(r, 0))
            .collect::<StorageResult<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.staff_member(&id)?);
        }
        Ok(out)
    }

    fn put_staff(&mut self, s: &crate::console::account::StaffRow) -> StorageResult<()> {
        let districts = serde_json::to_string(&s.districts).map_err(corrupt)?;
        let outcome = self.tx.execute(
            PUT_STAFF,
            &[
                &s.id,
                &s.login,
                &s.name,
                &s.role,
                &districts,
                &s.password_hash,
                &s.active,
                &s.created_at,
                &s.password_set_at,
            ],
        );
        match outcome {
            Ok(_) => Ok(()),
            Err(e) => {
                let taken = e
                    .as_db_error()
                    .is_some_and(|d| *d.code() == SqlState::UNIQUE_VIOLATION);
                let e = self.fail(e);
                Err(if taken {
                    StorageError::Duplicate("staff login")
                } else {
                    e
                })
            }
        }
    }

    fn staff_session(
        &mut self,
        token_sha256: &str,
    ) -> StorageResult<Option<crate::console::account::SessionRow>> {
        self.query_opt(STAFF_SESSION, &[&token_sha256])?
            .map(|r| {
                Ok(crate::console::account::SessionRow {
                    token_sha256: get(&r, 0)?,
                    staff_id: get(&r, 1)?,
                    csrf: get(&r, 2)?,
                    created_at: get(&r, 3)?,
                    last_seen_at: get(&r, 4)?,
                })
            })
            .transpose()
    }

    fn put_staff_session(&mut self, s: &crate::console::account::SessionRow) -> StorageResult<()> {
        self.execute(
            PUT_STAFF_SESSION,
            &[
                &s.token_sha256,
                &s.staff_id,
                &s.csrf,
                &s.created_at,
                &s.last_seen_at,
            ],
        )
    }

    fn touch_staff_session(
        &mut self,
        token_sha256: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.execute(TOUCH_STAFF_SESSION, &[&token_sha256, &at])
    }

    fn drop_staff_session(&mut self, token_sha256: &str) -> StorageResult<()> {
        self.execute(DROP_STAFF_SESSION, &[&token_sha256])
    }

    fn drop_staff_sessions(&mut self, staff_id: &str) -> StorageResult<()> {
        self.execute(DROP_STAFF_SESSIONS, &[&staff_id])
    }

    fn drop_idle_staff_sessions(
        &mut self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.execute(DROP_IDLE_STAFF_SESSIONS, &[&before])
    }

    fn sign_in_failures(
        &mut self,
        login: &str,
    ) -> StorageResult<Option<crate::console::account::SignInFailures>> {
        self.query_opt(SIGN_IN_FAILURES, &[&login])?
            .map(|r| {
                Ok(crate::console::account::SignInFailures {
                    login: get(&r, 0)?,
                    failures: get(&r, 1)?,
                    last_failure: get(&r, 2)?,
                    locked_until: get(&r, 3)?,
                })
            })
            .transpose()
    }

    fn count_sign_in_failure(
        &mut self,
        login: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<i64> {
        let row = self.query_one(COUNT_SIGN_IN_FAILURE, &[&login, &at])?;
        get(&row, 0)
    }

    fn lock_sign_in(
        &mut self,
        login: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) -> StorageResult<()> {
        self.execute(LOCK_SIGN_IN, &[&login, &until])
    }

    fn clear_sign_in_failures(&mut self, login: &str) -> StorageResult<()> {
        self.execute(CLEAR_SIGN_IN_FAILURES, &[&login])
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
        let districts: Option<Vec<String>> =
            districts.map(|d| d.iter().map(|d| d.to_string()).collect());
        self.query(
            FIND_HOUSEHOLDS,
            &[
                first,
                &needles.get(1),
                &districts,
                &query.trim(),
                &sql_limit(limit),
            ],
        )?
        .iter()
        .map(record_row)
        .collect()
    }

    fn index_households(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let (mut ids, mut districts, mut numbers, mut texts, mut gone) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in crate::storage::search::rows_of(records) {
            match row {
                Ok(row) => {
                    ids.push(row.id);
                    districts.push(row.district_id);
                    numbers.push(row.number);
                    texts.push(row.text);
                }
                Err(id) => gone.push(id),
            }
        }
        if !ids.is_empty() {
            self.execute(PUT_HOUSEHOLD_SEARCH, &[&ids, &districts, &numbers, &texts])?;
        }
        if !gone.is_empty() {
            self.execute(DROP_HOUSEHOLD_SEARCH, &[&gone])?;
        }
        Ok(())
    }

    fn build_household_search(&mut self) -> StorageResult<u64> {
        let empty: bool = get(&self.query_one(HOUSEHOLD_SEARCH_EMPTY, &[])?, 0)?;
        if !empty {
            return Ok(0);
        }
        crate::storage::search::index_every_household(self)
    }
    // (end console/search)

    // console/board (issue 26): open work orders for the dispatch board.
    fn index_work_orders(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let (mut open, mut gone) = (Vec::new(), Vec::new());
        for row in crate::storage::open_orders::rows_of(records) {
            match row {
                Ok(id) => open.push(id),
                Err(id) => gone.push(id),
            }
        }
        if !open.is_empty() {
            self.execute(PUT_OPEN_WORK_ORDER, &[&open])?;
        }
        if !gone.is_empty() {
            self.execute(DROP_OPEN_WORK_ORDER, &[&gone])?;
        }
        Ok(())
    }

    fn open_work_orders(
        &mut self,
        after_id: &str,
        limit: usize,
    ) -> StorageResult<Vec<StoredRecord>> {
        self.query(OPEN_WORK_ORDERS, &[&after_id, &sql_limit(limit)])?
            .iter()
            .map(record_row)
            .collect()
    }

    fn open_work_order_versions(&mut self) -> StorageResult<Vec<(String, i64)>> {
        self.query(OPEN_WORK_ORDER_VERSIONS, &[])?
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
            .collect()
    }

    fn build_open_work_orders(&mut self) -> StorageResult<u64> {
        let empty: bool = get(&self.query_one(OPEN_WORK_ORDERS_EMPTY, &[])?, 0)?;
        if !empty {
            return Ok(0);
        }
        crate::storage::open_orders::index_every_order(self)
    }

    fn put_device_sync(&mut self, row: &crate::storage::DeviceSyncRow) -> StorageResult<()> {
        self.execute(
            PUT_DEVICE_SYNC,
            &[
                &row.device_id,
                &row.synced_at,
                &row.cursor_seq,
                &row.app_version,
            ],
        )
    }

    fn device_syncs(&mut self) -> StorageResult<Vec<crate::storage::DeviceSyncRow>> {
        self.query(DEVICE_SYNCS, &[])?
            .iter()
            .map(|r| {
                Ok(crate::storage::DeviceSyncRow {
                    device_id: get(r, 0)?,
                    synced_at: get(r, 1)?,
                    cursor_seq: get(r, 2)?,
                    app_version: get(r, 3)?,
                })
            })
            .collect()
    }
    // (end console/board)

    // console/conflicts (issue 26): conflicts resolved by the office.
    fn conflicts_to_review(
        &mut self,
        resolved: bool,
        offset: usize,
        limit: usize,
    ) -> StorageResult<Vec<crate::storage::ReviewedConflict>> {
        self.query(
            CONFLICTS_TO_REVIEW,
            &[&resolved, &sql_limit(limit), &sql_limit(offset)],
        )?
        .iter()
        .map(reviewed_conflict_row)
        .collect()
    }

    fn count_conflicts_to_review(&mut self, resolved: bool) -> StorageResult<u64> {
        let row = self.query_one(COUNT_CONFLICTS_TO_REVIEW, &[&resolved])?;
        Ok(get::<i64>(&row, 0)? as u64)
    }

    fn conflict_to_review(
        &mut self,
        n: i64,
    ) -> StorageResult<Option<crate::storage::ReviewedConflict>> {
        self.query_opt(CONFLICT_TO_REVIEW, &[&n])?
            .as_ref()
            .map(reviewed_conflict_row)
            .transpose()
    }

    fn resolve_conflict(&mut self, r: &crate::storage::ConflictResolution) -> StorageResult<()> {
        self.execute(
            RESOLVE_CONFLICT,
            &[&r.conflict, &r.took_other, &r.by.to_string(), &r.at, &r.seq],
        )
    }
    // (end console/conflicts)

    // console/household (issue 26): what the phones' operations say about a household's file.
    fn ops_about(&mut self, entity: Entity, id: &str, limit: usize) -> StorageResult<Vec<OpRow>> {
        self.query(OPS_ABOUT, &[&entity.as_str(), &id, &sql_limit(limit)])?
            .iter()
            .map(|r| {
                Ok(OpRow {
                    device_id: get(r, 0)?,
                    op_id: parsed(r, 1, |t| t.parse().ok())?,
                    device_seq: get(r, 2)?,
                    hlc: get(r, 3)?,
                    entity: get(r, 4)?,
                    entity_id: get(r, 5)?,
                    device_time: get(r, 6)?,
                    received_at: get(r, 7)?,
                    server_seq: get(r, 8)?,
                    payload: get(r, 9)?,
                })
            })
            .collect()
    }
    // (end console/household)

    // reports/units (issue 27): the unit a piece of work belonged to when it was done.
    fn track_units(&mut self, records: &[&StoredRecord]) -> StorageResult<()> {
        let rows = crate::reports::units::rows_of(records, chrono::Utc::now());
        let Some(since) = rows.first().map(|r| r.since) else {
            return Ok(());
        };
        let entities: Vec<&str> = rows.iter().map(|r| r.entity.as_str()).collect();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let districts: Vec<Option<&str>> = rows.iter().map(|r| r.district.as_deref()).collect();
        let crews: Vec<Option<&str>> = rows.iter().map(|r| r.crew.as_deref()).collect();
        self.execute(
            PUT_UNIT_HISTORY,
            &[&entities, &ids, &seqs, &districts, &crews, &since],
        )
    }

    fn unit_history(&mut self) -> StorageResult<Vec<crate::reports::units::UnitRow>> {
        self.query(UNIT_HISTORY, &[])?
            .iter()
            .map(|r| {
                Ok(crate::reports::units::UnitRow {
                    entity: entity(r, 0)?,
                    id: get(r, 1)?,
                    seq: get(r, 2)?,
                    since: get(r, 3)?,
                    district: get(r, 4)?,
                    crew: get(r, 5)?,
                })
            })
            .collect()
    }

    fn build_unit_history(&mut self) -> StorageResult<u64> {
        let empty: bool = get(&self.query_one(UNIT_HISTORY_EMPTY, &[])?, 0)?;
        if !empty {
            return Ok(0);
        }
        crate::reports::units::track_every_unit(self)
    }
    // (end reports/units)

    // backup (issue 27): what the server keeps about itself (its generation, its backups).
    fn server_meta(&mut self, name: &str) -> StorageResult<Option<String>> {
        self.query_opt(SERVER_META, &[&name])?
            .as_ref()
            .map(|r| get(r, 0))
            .transpose()
    }

    fn put_server_meta(&mut self, name: &str, value: &str) -> StorageResult<()> {
        self.execute(PUT_SERVER_META, &[&name, &value])?;
        Ok(())
    }

    fn drop_server_meta_starting(&mut self, prefix: &str) -> StorageResult<()> {
        self.execute(DROP_SERVER_META_STARTING, &[&prefix])?;
        Ok(())
    }
    // (end backup)
}

// console/conflicts (issue 26): conflicts resolved by the office.
/// A row of [`CONFLICTS_TO_REVIEW`].
fn reviewed_conflict_row(r: &Row) -> StorageResult<crate::storage::ReviewedConflict> {
    let n: i64 = get(r, 0)?;
    let resolution = match get::<Option<bool>>(r, 12)? {
        None => None,
        Some(took_other) => Some(crate::storage::ConflictResolution {
            conflict: n,
            took_other,
            by: Actor::parse(get(r, 13)?),
            at: get(r, 14)?,
            seq: get(r, 15)?,
        }),
    };
    Ok(crate::storage::ReviewedConflict {
        n,
        row: ConflictRow {
            seq: get(r, 1)?,
            entity: entity(r, 2)?,
            entity_id: get(r, 3)?,
            field: get(r, 4)?,
            rule: parsed(r, 5, ConflictRule::parse)?,
            kept: get(r, 6)?,
            lost: get(r, 7)?,
            kept_by: parsed(r, 8, Author::parse)?,
            lost_by: parsed(r, 9, Author::parse)?,
            op_id: get::<Option<&str>>(r, 10)?.and_then(|o| o.parse().ok()),
            at: get(r, 11)?,
        },
        resolution,
    })
}
// (end console/conflicts)
