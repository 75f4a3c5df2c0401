//! Push: a device's outbox operations applied exactly once, in one transaction per request.
//!
//! An operation already stored (same device, same operation id) is skipped, so a retried,
//! duplicated or replayed request changes nothing. Every operation is checked against the
//! technician's scope; a refused one rolls the whole request back and is named in the answer,
//! so the device can park it and push the rest.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::consequences::{self, SealTimes};
use doorstep_core::forms::form::Form;
use doorstep_core::forms::seal::verify;
use doorstep_core::forms::template::Template;
use doorstep_core::household::Household;
use doorstep_core::ids::{DistrictId, OperationId};
use doorstep_core::store::Operation;
use doorstep_core::sync::merge::{
    Author, ConflictRule, Edit, FieldStamp, FieldStamps, Origin, Overridden, changed_fields,
    household_rule, merge_fields,
};
use doorstep_core::sync::protocol::{Entity, PushOp, Record};
use doorstep_core::sync::raw::{FieldName, IncomingOp, RawObject};
use doorstep_core::sync::time::{Arrival, CLOCK_TOLERANCE};
use doorstep_core::sync::{Hlc, HlcClock};
use doorstep_core::team::Technician;
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus, check_transition};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::records::{self, decode, household_buckets, own_buckets, save, save_at, stored};
use crate::storage::cache::CachedTx;
use crate::storage::{ConflictRow, OpRow, StoredRecord, Tx};

/// The device a request came from, as authentication established it.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub technician: Technician,
    /// The buckets the technician may read and write.
    pub scope: Vec<Bucket>,
}

/// What a push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pushed {
    pub acknowledged_through: i64,
    pub applied: u32,
    pub conflicts: u32,
}

pub fn push(
    tx: &mut dyn Tx,
    device: &Device,
    ops: &[IncomingOp<'_>],
    clock: &mut HlcClock,
    received_at: DateTime<Utc>,
) -> Result<Pushed> {
    // The operations of one request mostly touch a few households, each several times; the
    // records, bucket entries and operations it writes go to the database together at the end.
    CachedTx::run(tx, |tx| apply_all(tx, device, ops, clock, received_at))
}

fn apply_all(
    tx: &mut CachedTx<'_>,
    device: &Device,
    ops: &[IncomingOp<'_>],
    clock: &mut HlcClock,
    received_at: DateTime<Utc>,
) -> Result<Pushed> {
    let ids: Vec<OperationId> = ops.iter().map(|i| i.op.op_id).collect();
    let mut stored_ops: HashSet<OperationId> =
        tx.stored_ops(&device.id, &ids)?.into_iter().collect();
    let mut pushed = Pushed::default();
    for IncomingOp { op, payload } in ops {
        pushed.acknowledged_through = pushed.acknowledged_through.max(op.seq);
        if op.hlc.node != device.id {
            return Err(
                Error::invalid("the operation's clock stamp is not this device's").for_op(op.op_id),
            );
        }
        // Stored before, or earlier in this request.
        if !stored_ops.insert(op.op_id) {
            continue;
        }
        // Within what both databases store (PostgreSQL's timestamps end at year 294276, and
        // refusing it there as an internal error would make the phone retry it forever).
        if !(EARLIEST_DEVICE_TIME..=LATEST_DEVICE_TIME).contains(&op.device_time.year()) {
            return Err(
                Error::invalid("the operation's device_time is not a plausible time")
                    .for_op(op.op_id),
            );
        }
        // A stamp from a phone whose clock runs ahead (say Beijing time set in a UTC zone) stays
        // on its operation but does not move the server's clock: every phone that pulls would
        // inherit it, and their own steps would then disagree with their stamps and no longer
        // count at the time they happened (`sync::time`).
        clock.observe_unless_ahead(
            &op.hlc,
            received_at.timestamp_millis().max(0) as u64,
            CLOCK_TOLERANCE.num_milliseconds().unsigned_abs(),
        );
        let mut apply = Apply {
            tx: &mut *tx,
            device,
            op,
            payload,
            received_at,
            conflicts: 0,
            server_seq: 0,
        };
        apply.operation().map_err(|e| e.for_op(op.op_id))?;
        let (conflicts, server_seq) = (apply.conflicts, apply.server_seq);
        let (entity, entity_id) = op.operation.subject();
        tx.insert_op(&OpRow {
            device_id: device.id.clone(),
            op_id: op.op_id,
            device_seq: op.seq,
            hlc: op.hlc.to_string(),
            entity: entity.to_owned(),
            entity_id,
            device_time: op.device_time,
            received_at,
            server_seq,
            payload: (*payload).to_owned(),
        })?;
        pushed.applied += 1;
        pushed.conflicts += conflicts;
    }
    Ok(pushed)
}

/// The years an operation's `device_time` may lie in: no phone's clock is set before the
/// project began keeping records on phones, nor by accident thousands of years ahead.
const EARLIEST_DEVICE_TIME: i32 = 2000;
const LATEST_DEVICE_TIME: i32 = 9999;

struct Apply<'a> {
    tx: &'a mut dyn Tx,
    device: &'a Device,
    op: &'a PushOp,
    /// The operation's JSON as the device sent it.
    payload: &'a str,
    received_at: DateTime<Utc>,
    conflicts: u32,
    server_seq: i64,
}

fn in_scope(buckets: &[Bucket], scope: &[Bucket]) -> bool {
    buckets.iter().any(|b| scope.contains(b))
}

fn forbidden(what: &'static str) -> Error {
    Error::OutOfScope(what)
}

impl Apply<'_> {
    fn origin(&self) -> Origin {
        Origin::Device(self.device.id.clone())
    }

    /// The operation's clock stamp and arrival, which every time it carries is believed
    /// against (`sync::time`).
    fn arrival(&self) -> Arrival<'_> {
        Arrival {
            stamp: &self.op.hlc,
            received_at: self.received_at,
        }
    }

    /// The stamp this operation's field writes are merged and stored with: its own, or its
    /// arrival time if its clock runs far ahead (`sync::time::trusted_stamp`).
    fn merge_stamp(&self) -> Hlc {
        self.arrival().merge_stamp()
    }

    fn operation(&mut self) -> Result<()> {
        match &self.op.operation {
            Operation::HouseholdSaved {
                household,
                changed,
                base_seq,
            } => self.household_saved(household, changed, *base_seq),
            Operation::MeterReadingRecorded { reading } => {
                reading.validate(self.received_at)?;
                let household = self.household_in_scope(&reading.household_id.to_string())?;
                let record = records::stored_in(
                    &Record::Reading(reading.clone()),
                    records::child_buckets(&household)?,
                )?;
                if self.tx.record(Entity::Reading, &record.id)?.is_none() {
                    self.server_seq = save(self.tx, record, None)?.seq;
                }
                Ok(())
            }
            Operation::WorkOrderOpened { order } => self.order_opened(order),
            Operation::WorkOrderMoved {
                work_order_id,
                status,
                at,
                position,
            } => self.order_moved(&work_order_id.to_string(), *status, *at, *position),
            Operation::InspectionSigned { household_id, at } => {
                // Believed as any step of the device is: a phone whose clock runs a year ahead
                // must not put the household's next inspection off by a year.
                let at = self.arrival().step_time(*at);
                self.inspection_signed(&household_id.to_string(), at)
            }
            Operation::FormSealed { form } => self.form_sealed(form),
            Operation::FormStarted { form } => {
                self.household_in_scope(&form.household_id.to_string())?;
                Ok(())
            }
            Operation::CheckedIn { household_id, .. } => {
                self.household_in_scope(&household_id.to_string())?;
                Ok(())
            }
            Operation::PhotoTaken {
                sha256,
                household_id,
                ..
            } => {
                if let Some(h) = household_id {
                    self.household_in_scope(&h.to_string())?;
                }
                crate::photos::check_hash(sha256)?;
                Ok(())
            }
            // Drafts live on the device: their steps are kept in the operation log only.
            Operation::FormAnswered { .. }
            | Operation::FormPhotoAttached { .. }
            | Operation::FormPhotoRemoved { .. }
            | Operation::FormSigned { .. }
            | Operation::FormOutcomeSet { .. }
            | Operation::FormMovedToTemplate { .. } => Ok(()),
        }
    }

    fn household_in_scope(&mut self, id: &str) -> Result<StoredRecord> {
        let record = self
            .tx
            .record(Entity::Household, id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("household"))?;
        if !in_scope(&record.buckets, &self.device.scope) {
            return Err(forbidden("the household"));
        }
        Ok(record)
    }

    fn conflict(&mut self, entity: Entity, id: &str, o: Overridden, seq: i64) -> Result<()> {
        self.conflicts += 1;
        self.tx.insert_conflict(&ConflictRow {
            seq,
            entity,
            entity_id: id.to_owned(),
            field: o.field,
            rule: ConflictRule::Field(o.rule),
            kept: o.kept.to_string(),
            lost: o.lost.to_string(),
            kept_by: Author::from(&o.kept_origin),
            lost_by: Author::from(&o.lost_origin),
            op_id: Some(self.op.op_id),
            at: self.received_at,
        })?;
        Ok(())
    }

    fn household_saved(
        &mut self,
        household: &Household,
        changed: &[String],
        base_seq: i64,
    ) -> Result<()> {
        household.validate()?;
        if let Some(unknown) = changed
            .iter()
            .find(|f| !Household::FIELDS.contains(&f.as_str()))
        {
            // Named by position, not by the text a device sent.
            let at = changed
                .iter()
                .position(|f| f == unknown)
                .unwrap_or_default();
            return Err(Error::invalid(format!(
                "changed[{at}] is not a field of a household"
            )));
        }
        let id = household.id.to_string();
        let current = self.tx.record(Entity::Household, &id)?;
        if current.as_ref().is_some_and(|r| r.deleted) {
            // The office deleted it: an edit made offline does not bring it back.
            return Err(Error::NotFound("household"));
        }
        let Some(current) = current else {
            // A household the technician opened on site.
            let own = household_buckets(household);
            if own.is_empty() || !in_scope(&own, &self.device.scope) {
                return Err(forbidden("the household's district"));
            }
            let seq = self.tx.next_seq()?;
            let mut household = household.clone();
            household.last_inspection_at = household
                .last_inspection_at
                .map(|t| self.arrival().believed(t));
            let mut record = stored(&Record::Household(Box::new(household.clone())), self.tx)?;
            let stamp = FieldStamp {
                seq,
                hlc: self.merge_stamp(),
                origin: self.origin(),
            };
            let stamps: FieldStamps = as_object(&household)?
                .keys()
                .map(|k| (k.clone(), stamp.clone()))
                .collect();
            record.stamps = serde_json::to_string(&stamps).map_err(Error::internal)?;
            self.server_seq = save_at(self.tx, record, None, seq)?.seq;
            return Ok(());
        };
        if !in_scope(&current.buckets, &self.device.scope) {
            return Err(forbidden("the household"));
        }
        if changed.is_empty() {
            // Every field that differs (a device that does not say what it changed).
            let mut incoming = as_object(household)?;
            let stored: Value = serde_json::from_str(&current.body).map_err(Error::internal)?;
            let fields = changed_fields(&stored, &Value::Object(incoming.clone()));
            self.believe_inspection_time(&mut incoming)?;
            return self.merge_household(&current, &incoming, &fields, base_seq);
        }
        // Only the changed fields are read, from the household's JSON as the device sent it.
        #[derive(Deserialize)]
        struct Saved<'a> {
            #[serde(borrow)]
            household: RawObject<'a>,
        }
        let sent: Saved<'_> = serde_json::from_str(self.payload).map_err(Error::internal)?;
        let mut incoming = sent.household.values_of(changed).map_err(Error::internal)?;
        self.believe_inspection_time(&mut incoming)?;
        self.merge_household(&current, &incoming, changed, base_seq)
    }

    /// A household's last inspection, as a device's edit gives it, is believed as far as the
    /// device's clock is (as a signed inspection's): never later than when the edit was made.
    /// A phone a year ahead would otherwise put the household's next inspection off by a year.
    fn believe_inspection_time(&self, incoming: &mut Map<String, Value>) -> Result<()> {
        let Some(Value::String(text)) = incoming.get("last_inspection_at") else {
            return Ok(());
        };
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|_| Error::invalid("last_inspection_at is not an RFC 3339 time"))?
            .with_timezone(&Utc);
        let believed = self.arrival().believed(at);
        if believed != at {
            let believed = serde_json::to_value(believed).map_err(Error::internal)?;
            incoming.insert("last_inspection_at".into(), believed);
        }
        Ok(())
    }

    /// Merges the device's version of the `fields` of a household (`incoming` holds their
    /// values, and may hold others) into the stored one, keeping what the merge overrode as
    /// conflicts. Only those fields of the stored household are decoded; the rest of its JSON is
    /// written back as it was.
    fn merge_household(
        &mut self,
        current: &StoredRecord,
        incoming: &Map<String, Value>,
        fields: &[String],
        base_seq: i64,
    ) -> Result<()> {
        let id = current.id.clone();
        let stored = RawObject::parse(&current.body).map_err(Error::internal)?;
        let old_own = own_buckets(
            stored
                .get("district_id")
                .map(|raw| serde_json::from_str::<Option<DistrictId>>(raw.get()))
                .transpose()
                .map_err(Error::internal)?
                .flatten(),
        );
        let mut merged = stored.values_of(fields).map_err(Error::internal)?;
        let mut all_stamps = StoredStamps::read(&current.stamps)?;
        let mut stamps = all_stamps.of(fields)?;
        let seq = self.tx.next_seq()?;
        let edit = Edit {
            origin: self.origin(),
            hlc: self.merge_stamp(),
            // No device has seen past what the server has written: a base beyond it (forged,
            // or a cursor that outlived a restore of the database) says nothing of what the
            // editor saw, so every write of others counts as unseen and the rules decide.
            base_seq: if base_seq >= seq { 0 } else { base_seq },
            fields,
        };
        let overridden = merge_fields(
            household_rule,
            &mut merged,
            &mut stamps,
            incoming,
            &edit,
            seq,
        );
        let body = stored.with(&merged).map_err(Error::internal)?;
        let result: Household = serde_json::from_str(&body).map_err(|e| {
            Error::invalid(format!(
                "the merged household is not valid: {}",
                doorstep_core::error::without_values(&e.to_string())
            ))
        })?;
        result.validate()?;
        // A technician may not move a household out of their scope (or out of every district):
        // its people's data would go to other phones, or to none.
        let new_own = household_buckets(&result);
        if new_own != old_own && (new_own.is_empty() || !in_scope(&new_own, &self.device.scope)) {
            return Err(forbidden("the household's new district"));
        }
        all_stamps.update(stamps)?;
        let record = rebuilt_household(current, &old_own, &result, body, all_stamps.to_json()?);
        self.server_seq = save_at(self.tx, record, Some(current), seq)?.seq;
        for o in overridden {
            self.conflict(Entity::Household, &id, o, seq)?;
        }
        Ok(())
    }

    fn inspection_signed(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let current = self.household_in_scope(id)?;
        let mut household: Household = decode(&current)?;
        if household.last_inspection_at.is_some_and(|last| last >= at) {
            return Ok(());
        }
        let old_own = household_buckets(&household);
        household.last_inspection_at = Some(at);
        let seq = self.tx.next_seq()?;
        let mut stamps = StoredStamps::read(&current.stamps)?;
        stamps.update(FieldStamps::from([(
            "last_inspection_at".into(),
            FieldStamp {
                seq,
                hlc: self.merge_stamp(),
                origin: self.origin(),
            },
        )]))?;
        let body = serde_json::to_string(&household).map_err(Error::internal)?;
        let body = records::keeping_unknown_fields(&current.body, body)?;
        let record = rebuilt_household(&current, &old_own, &household, body, stamps.to_json()?);
        self.server_seq = save_at(self.tx, record, Some(&current), seq)?.seq;
        Ok(())
    }

    fn order_opened(&mut self, order: &WorkOrder) -> Result<()> {
        order.validate()?;
        let order = &self.believed_times(order)?;
        if let Some(h) = order.household_id {
            self.household_in_scope(&h.to_string())?;
        }
        if self
            .tx
            .record(Entity::WorkOrder, &order.id.to_string())?
            .is_some()
        {
            return Ok(());
        }
        // A device opens an order for its technician, their crew or no one (the office assigns
        // it), never for a technician or crew they do not belong to: that would hand them the
        // household's data. (The household itself was checked above.)
        let me = &self.device.technician;
        if order.assignee.is_some_and(|a| a != me.id)
            || order.crew.is_some_and(|c| Some(c) != me.crew_id)
        {
            return Err(forbidden("the work order's assignee or crew"));
        }
        let record = stored(&Record::WorkOrder(Box::new(order.clone())), self.tx)?;
        // An order for a household is the household's: one the technician may reach (checked
        // above, through their district or an assignment) may get one, say a major hazard's
        // follow-up, even when it lies in another district, whose office then dispatches it.
        // An order for no household (a fault in the street) must be in their own scope.
        if order.household_id.is_none() && !in_scope(&record.buckets, &self.device.scope) {
            return Err(forbidden("the work order"));
        }
        records::share_household_with_order(self.tx, order, &record.buckets)?;
        self.server_seq = save(self.tx, record, None)?.seq;
        Ok(())
    }

    /// An order opened on a device, its times believed as far as its clock is: none later than
    /// when the operation was made by the server's reckoning (`trusted_step_time` of its own
    /// stamp). A phone whose clock runs a year ahead would otherwise put the order's deadlines
    /// (6 h to handle a pipeline fault, 24 h to repair it) off by a year, and every later step
    /// with them. Earlier times (a call taken before the order was typed) are kept.
    fn believed_times(&self, order: &WorkOrder) -> Result<WorkOrder> {
        let arrival = self.arrival();
        let mut order = order.clone();
        order.reported_at = arrival.believed(order.reported_at);
        for step in &mut order.steps {
            step.at = arrival.believed(step.at);
        }
        order.validate()?;
        Ok(order)
    }

    fn order_moved(
        &mut self,
        id: &str,
        status: WorkOrderStatus,
        at: DateTime<Utc>,
        position: Option<doorstep_core::geo::GeoPoint>,
    ) -> Result<()> {
        let current = self
            .tx
            .record(Entity::WorkOrder, id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("work order"))?;
        if !in_scope(&current.buckets, &self.device.scope) {
            return Err(forbidden("the work order"));
        }
        let mut order: WorkOrder = decode(&current)?;
        let now = order.status();
        let seq = self.tx.next_seq()?;
        match check_transition(now, status) {
            Ok(()) => {
                let counted_at = self.arrival().step_time(at);
                let last = order
                    .steps
                    .last()
                    .map(|s| s.at)
                    .unwrap_or(order.reported_at);
                order
                    .advance(status, counted_at.max(last), position)
                    .map_err(Error::from)?;
            }
            Err(_) => {
                // The status only moves forward, and the first resolution wins: the later,
                // contradicting step is kept for review.
                let rule = ConflictRule::of_status_step(now.is_final());
                self.conflicts += 1;
                self.tx.insert_conflict(&ConflictRow {
                    seq,
                    entity: Entity::WorkOrder,
                    entity_id: id.to_owned(),
                    field: "status".into(),
                    rule,
                    kept: Value::String(now.as_str().into()).to_string(),
                    lost: Value::String(status.as_str().into()).to_string(),
                    kept_by: Author::Server,
                    lost_by: Author::from(&self.origin()),
                    op_id: Some(self.op.op_id),
                    at: self.received_at,
                })?;
            }
        }
        // Saved even when nothing changed, so that the device pulls the server's version.
        let mut record = stored(&Record::WorkOrder(Box::new(order)), self.tx)?;
        record.body = records::keeping_unknown_fields(&current.body, record.body)?;
        record.buckets = current.buckets.clone();
        self.server_seq = save_at(self.tx, record, Some(&current), seq)?.seq;
        Ok(())
    }

    fn form_sealed(&mut self, form: &Form) -> Result<()> {
        let household = self.household_in_scope(&form.household_id.to_string())?;
        let template = self.template(&form.template_id, form.template_version)?;
        verify(form, &template)
            .map_err(|e| Error::Tampered(format!("the sealed form was refused: {e}")))?;
        let id = form.id.to_string();
        if let Some(existing) = self.tx.record(Entity::Form, &id)? {
            let existing: Form = decode(&existing)?;
            if existing.seal != form.seal {
                return Err(Error::Tampered(
                    "a different form was already sealed under this id".into(),
                ));
            }
            return Ok(());
        }
        self.check_form_links(form)?;
        let mut record = stored(&Record::Form(Box::new(form.clone())), self.tx)?;
        record.buckets = records::child_buckets(&household)?;
        self.server_seq = save(self.tx, record, None)?.seq;
        for photo in form.evidence_photos() {
            self.tx.put_form_photo(&id, &photo.sha256)?;
        }
        self.apply_consequences(form, &template, &household)
    }

    /// The form a sealed form amends, and the order it was filled for, as the server holds
    /// them, are of its household (`Form::check_links`). One the server does not hold, whose
    /// operation was refused, does not strand the form.
    fn check_form_links(&mut self, form: &Form) -> Result<()> {
        let order: Option<WorkOrder> = self.held(Entity::WorkOrder, form.work_order_id)?;
        let amended: Option<Form> = self.held(Entity::Form, form.amends)?;
        Ok(form.check_links(order.as_ref(), amended.as_ref())?)
    }

    /// The record `id` names, decoded, if there is an id and the server holds the record.
    fn held<T: serde::de::DeserializeOwned>(
        &mut self,
        entity: Entity,
        id: Option<impl std::fmt::Display>,
    ) -> Result<Option<T>> {
        let Some(id) = id else { return Ok(None) };
        self.tx
            .record(entity, &id.to_string())?
            .map(|r| decode(&r))
            .transpose()
    }

    /// What sealing the form changed on the device, worked out again here by the same rule:
    /// the household (merged like any edit of the device; base 0, so each field's rule decides
    /// against anything the office changed meanwhile) and the meter readings. Follow-up orders
    /// arrive as operations of their own.
    fn apply_consequences(
        &mut self,
        form: &Form,
        template: &Template,
        household: &StoredRecord,
    ) -> Result<()> {
        let Some(seal) = &form.seal else {
            return Ok(());
        };
        let before: Household = decode(household)?;
        let amended: Option<Form> = self.held(Entity::Form, form.amends)?;
        let times = SealTimes {
            sealed_at: seal.sealed_at,
            counted_at: self.arrival().step_time(seal.sealed_at),
        };
        let effects = consequences::of_seal(form, template, &before, amended.as_ref(), times)
            .map_err(|problems| {
                Error::invalid(format!(
                    "the sealed form's consequences cannot be applied ({} problem(s))",
                    problems.len()
                ))
            })?;
        let corrects = form.amends.is_some();
        for reading in effects.readings {
            let record = stored(&Record::Reading(reading), self.tx)?;
            let previous = self.tx.record(Entity::Reading, &record.id)?;
            // A reading already there is the same one sent again, unless an amendment corrects it.
            if previous.is_none() || corrects {
                let record = StoredRecord {
                    buckets: records::child_buckets(household)?,
                    ..record
                };
                if previous.as_ref().is_none_or(|p| p.body != record.body) {
                    save(self.tx, record, previous.as_ref())?;
                }
            }
        }
        if let Some(after) = effects.household {
            let incoming = as_object(&after)?;
            let fields = changed_fields(
                &serde_json::to_value(&before).map_err(Error::internal)?,
                &Value::Object(incoming.clone()),
            );
            if !fields.is_empty() {
                self.merge_household(household, &incoming, &fields, 0)?;
            }
        }
        Ok(())
    }

    fn template(&mut self, id: &str, version: u32) -> Result<Template> {
        if let Some(t) = self
            .tx
            .record(Entity::Template, &format!("{id}@{version}"))?
        {
            return decode(&t);
        }
        builtin_template(id)
            .filter(|t| t.version == version)
            .ok_or_else(|| Error::invalid("the form's template version is not known to the server"))
    }
}

/// A household record rebuilt after a change (`body`: the household's JSON): its own buckets,
/// plus those work orders gave it (`old_own`: the buckets its previous version was in by itself).
fn rebuilt_household(
    current: &StoredRecord,
    old_own: &[Bucket],
    household: &Household,
    body: String,
    stamps: String,
) -> StoredRecord {
    let mut buckets = household_buckets(household);
    buckets.extend(
        current
            .buckets
            .iter()
            .filter(|b| !old_own.contains(b))
            .cloned(),
    );
    StoredRecord {
        entity: Entity::Household,
        id: household.id.to_string(),
        key: Some(household.customer_number.clone()),
        seq: 0,
        deleted: false,
        body,
        stamps,
        buckets,
    }
}

/// A record's field stamps as stored, of which only those an edit touches are decoded: the
/// others are written back as they were read.
struct StoredStamps<'a> {
    stored: BTreeMap<FieldName<'a>, &'a RawValue>,
    updated: BTreeMap<String, Box<RawValue>>,
}

impl<'a> StoredStamps<'a> {
    fn read(json: &'a str) -> Result<Self> {
        Ok(Self {
            stored: serde_json::from_str(json).map_err(Error::internal)?,
            updated: BTreeMap::new(),
        })
    }

    /// The stamps of these fields (those that have one).
    fn of(&self, fields: &[String]) -> Result<FieldStamps> {
        fields
            .iter()
            .filter_map(|f| self.stored.get(&FieldName(f.into())).map(|raw| (f, raw)))
            .map(|(f, raw)| {
                Ok((
                    f.clone(),
                    serde_json::from_str(raw.get()).map_err(Error::internal)?,
                ))
            })
            .collect()
    }

    fn update(&mut self, stamps: FieldStamps) -> Result<()> {
        for (field, stamp) in stamps {
            let raw = serde_json::value::to_raw_value(&stamp).map_err(Error::internal)?;
            self.updated.insert(field, raw);
        }
        Ok(())
    }

    /// The stamps as JSON, as `FieldStamps` would be written.
    fn to_json(&self) -> Result<String> {
        let mut all: BTreeMap<&str, &RawValue> = self
            .stored
            .iter()
            .map(|(k, v)| (k.0.as_ref(), *v))
            .collect();
        for (k, v) in &self.updated {
            all.insert(k, v);
        }
        serde_json::to_string(&all).map_err(Error::internal)
    }
}

fn as_object(household: &Household) -> Result<Map<String, Value>> {
    match serde_json::to_value(household).map_err(Error::internal)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::internal("a household is a JSON object")),
    }
}

/// Stamps the fields the back office changed in a household it saves, with the sequence
/// number the record is about to be saved at. The office edits the current record, so its edit
/// is never concurrent with what is stored and simply applies.
pub fn stamp_office_edit(
    new: &mut StoredRecord,
    previous: Option<&StoredRecord>,
    household: &Household,
    seq: i64,
) -> Result<()> {
    let mut stamps: FieldStamps = match previous {
        Some(p) => serde_json::from_str(&p.stamps).map_err(Error::internal)?,
        None => FieldStamps::new(),
    };
    let before = match previous {
        Some(p) => serde_json::from_str(&p.body).map_err(Error::internal)?,
        None => Value::Null,
    };
    let after = Value::Object(as_object(household)?);
    let stamp = FieldStamp {
        seq,
        hlc: office_stamp(),
        origin: Origin::Office,
    };
    for field in changed_fields(&before, &after) {
        stamps.insert(field, stamp.clone());
    }
    new.stamps = serde_json::to_string(&stamps).map_err(Error::internal)?;
    Ok(())
}

/// The office's clock stamp: its wall time (the server's clock is the reference).
pub fn office_stamp() -> Hlc {
    Hlc {
        wall_ms: Utc::now().timestamp_millis().max(0) as u64,
        counter: 0,
        node: "office".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hlc(ms: u64, node: &str) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 1,
            node: node.into(),
        }
    }

    #[test]
    fn stamps_not_touched_are_written_back_as_they_were() {
        let stamp = |seq, node: &str| FieldStamp {
            seq,
            hlc: hlc(seq as u64, node),
            origin: if node == "office" {
                Origin::Office
            } else {
                Origin::Device(node.into())
            },
        };
        let mut all: FieldStamps = [
            ("address", stamp(1, "office")),
            ("name", stamp(2, "office")),
            ("phones", stamp(3, "d\"1")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let json = serde_json::to_string(&all).unwrap();
        let mut stored = StoredStamps::read(&json).unwrap();
        let fields = ["phones".to_owned(), "meter".to_owned()];
        let mut touched = stored.of(&fields).unwrap();
        assert_eq!(touched.len(), 1);
        assert_eq!(touched["phones"], all["phones"]);
        touched.insert("meter".into(), stamp(9, "d2"));
        touched.insert("phones".into(), stamp(9, "d2"));
        stored.update(touched.clone()).unwrap();
        all.extend(touched);
        assert_eq!(
            stored.to_json().unwrap(),
            serde_json::to_string(&all).unwrap()
        );
    }
}
