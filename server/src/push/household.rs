//! A household as a device's push changes it: an edit merged field by field with the office's
//! (keeping what the merge overrode as conflicts), a household opened on site, an inspection
//! signed; and the office's own edits, stamped for the merge.

use chrono::{DateTime, Utc};
use doorstep_core::household::Household;
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::Hlc;
use doorstep_core::sync::merge::{
    Author, CURRENT, ConflictRule, Edit, FieldStamp, FieldStamps, Origin, Overridden,
    changed_fields, household_rule, merge_fields, stamps_of_new_record,
};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::sync::raw::RawObject;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::stamps::StoredStamps;
use super::{Apply, forbidden, in_scope};
use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::records::{self, decode, household_buckets, own_buckets, save_at, stored};
use crate::storage::{ConflictRow, StoredRecord};

impl Apply<'_> {
    pub(super) fn conflict(
        &mut self,
        entity: Entity,
        id: &str,
        o: Overridden,
        seq: i64,
    ) -> Result<()> {
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

    pub(super) fn household_saved(
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
            self.customer_number_free(&household.customer_number, &household.id.to_string())?;
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
            let stamps = stamps_of_new_record(&as_object(&household)?, &stamp);
            record.stamps = serde_json::to_string(&stamps).map_err(Error::internal)?;
            self.server_seq = save_at(self.tx, record, None, seq)?.seq;
            return Ok(());
        };
        self.reachable(&current)?;
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
    pub(super) fn believe_inspection_time(&self, incoming: &mut Map<String, Value>) -> Result<()> {
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
    pub(super) fn merge_household(
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
                doorstep_core::input::without_values(&e.to_string())
            ))
        })?;
        result.validate()?;
        // A technician may not move a household out of their scope (or out of every district):
        // its people's data would go to other phones, or to none.
        let new_own = household_buckets(&result);
        if new_own != old_own && (new_own.is_empty() || !in_scope(&new_own, &self.device.scope)) {
            return Err(forbidden("the household's new district"));
        }
        if current.key.as_deref() != Some(result.customer_number.as_str()) {
            self.customer_number_free(&result.customer_number, &id)?;
        }
        all_stamps.update(stamps)?;
        let record = rebuilt_household(current, &old_own, &result, body, all_stamps.to_json()?);
        self.server_seq = save_at(self.tx, record, Some(current), seq)?.seq;
        for o in overridden {
            self.conflict(Entity::Household, &id, o, seq)?;
        }
        Ok(())
    }

    /// Refuses a customer number held by another household before the device's household takes
    /// it. Held by one the device can see, it is told so; held by one it cannot (in another
    /// district, or deleted), it gets one answer for both, so a refusal tells it nothing of what
    /// is outside its scope. The office learns of it in the server's log.
    fn customer_number_free(&mut self, number: &str, household_id: &str) -> Result<()> {
        let Some(holder) = self.tx.record_id_by_key(Entity::Household, number)? else {
            return Ok(());
        };
        if holder == household_id {
            return Ok(());
        }
        let visible = self
            .tx
            .record(Entity::Household, &holder)?
            .is_some_and(|r| !r.deleted && in_scope(&r.buckets, &self.device.scope));
        if visible {
            return Err(Error::Conflict(CUSTOMER_NUMBER_EXISTS.into()));
        }
        tracing::warn!(
            device = %self.device.id,
            household = %household_id,
            holder = %holder,
            "refused a device's household: its customer number is held by a household outside the device's scope or deleted"
        );
        Err(Error::Conflict(CUSTOMER_NUMBER_UNAVAILABLE.into()))
    }

    pub(super) fn inspection_signed(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
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
}

/// A device's household takes a customer number a household in its scope holds.
const CUSTOMER_NUMBER_EXISTS: &str = "customer number already exists";
/// A device's household takes a customer number it cannot see held: in another district, or by
/// a deleted household (one answer for both, docs/sync-protocol.md).
const CUSTOMER_NUMBER_UNAVAILABLE: &str =
    "this customer number cannot be given to this household; the office will settle it";

/// A household record rebuilt after a change (`body`: the household's JSON): its own buckets,
/// plus those work orders gave it (`old_own`: the buckets its previous version was in by itself).
pub(super) fn rebuilt_household(
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

pub(super) fn as_object(household: &Household) -> Result<Map<String, Value>> {
    match serde_json::to_value(household).map_err(Error::internal)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::internal("a household is a JSON object")),
    }
}

/// Stamps the fields the back office changed in a household it saves, with the sequence
/// number the record is about to be saved at. The admin tool and the imports edit the current
/// record, so their edit is never concurrent with what is stored and simply applies. A
/// household it creates (or imports) is written only in the fields it fills in: one left empty
/// has no writer, and a device's first value for it is nobody's conflict.
pub fn stamp_office_edit(
    new: &mut StoredRecord,
    previous: Option<&StoredRecord>,
    household: &Household,
    seq: i64,
) -> Result<()> {
    let overridden = stamp_office_edit_since(new, previous, household, CURRENT, seq)?;
    debug_assert!(
        overridden.is_empty(),
        "an edit of the current record overrode one"
    );
    Ok(())
}

/// [`stamp_office_edit`] for an edit made on the version `base_seq` of the household (a
/// console page drawn then): the fields it changes are merged by their rules with what devices
/// wrote since ([`Edit::office`]). A field the office's value loses keeps its stored value in
/// `new`'s body; whichever side lost is returned, for the conflicts kept for review.
pub fn stamp_office_edit_since(
    new: &mut StoredRecord,
    previous: Option<&StoredRecord>,
    household: &Household,
    base_seq: i64,
    seq: i64,
) -> Result<Vec<Overridden>> {
    let after = as_object(household)?;
    let hlc = office_stamp();
    let Some(p) = previous else {
        let stamp = FieldStamp {
            seq,
            hlc,
            origin: Origin::Office,
        };
        new.stamps = serde_json::to_string(&stamps_of_new_record(&after, &stamp))
            .map_err(Error::internal)?;
        return Ok(Vec::new());
    };
    let mut stamps: FieldStamps = serde_json::from_str(&p.stamps).map_err(Error::internal)?;
    let before: Map<String, Value> = serde_json::from_str(&p.body).map_err(Error::internal)?;
    let fields = changed_fields(
        &Value::Object(before.clone()),
        &Value::Object(after.clone()),
    );
    let mut merged = before;
    let overridden = merge_fields(
        household_rule,
        &mut merged,
        &mut stamps,
        &after,
        &Edit::office(hlc, base_seq, &fields),
        seq,
    );
    // What the office's edit lost stays as it was stored.
    let stood: Map<String, Value> = overridden
        .iter()
        .filter(|o| o.lost_origin == Origin::Office)
        .map(|o| (o.field.clone(), o.kept.clone()))
        .collect();
    if !stood.is_empty() {
        new.body = RawObject::parse(&new.body)
            .and_then(|body| body.with(&stood))
            .map_err(Error::internal)?;
    }
    new.stamps = serde_json::to_string(&stamps).map_err(Error::internal)?;
    Ok(overridden)
}

/// The office's clock stamp: its wall time (the server's clock is the reference).
pub fn office_stamp() -> Hlc {
    Hlc {
        wall_ms: Utc::now().timestamp_millis().max(0) as u64,
        counter: 0,
        node: "office".into(),
    }
}

impl Apply<'_> {
    /// The household's timeline line for a step a phone made of its order: the line the phone
    /// wrote (`Store::move_work_order`), at the phone's time, so that it is one line there.
    pub(super) fn order_step_line(
        &mut self,
        order: &str,
        status: doorstep_core::workorder::WorkOrderStatus,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let Some(record) = self.tx.record(Entity::WorkOrder, order)? else {
            return Ok(());
        };
        let order: doorstep_core::workorder::WorkOrder = decode(&record)?;
        let Some(household_id) = order.household_id else {
            return Ok(());
        };
        let Some(household) = self
            .tx
            .record(Entity::Household, &household_id.to_string())?
            .filter(|h| !h.deleted)
        else {
            return Ok(());
        };
        let summary = doorstep_core::text::with_detail(
            &doorstep_core::text::said(
                format!("工单 {}", order.number),
                format!("work order {}", order.number),
            ),
            &status.label(),
        );
        let line = doorstep_core::household::HistoryEvent::line(
            household_id,
            at,
            doorstep_core::household::HistoryKind::WorkOrderStatus,
            Some(&order.id.to_string()),
            &summary,
        );
        crate::history::keep(self.tx, &household, vec![line])
    }
}
