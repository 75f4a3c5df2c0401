//! A sealed form as a device's push delivers it: verified against its template, tied to its
//! household, and what sealing it changed worked out again by the core's rule.

use chrono::{DateTime, Utc};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::consequences::{self, SealTimes};
use doorstep_core::forms::form::Form;
use doorstep_core::forms::seal::verify;
use doorstep_core::forms::template::Template;
use doorstep_core::household::Household;
use doorstep_core::sync::merge::changed_fields;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};
use serde_json::Value;

use super::Apply;
use super::household::as_object;
use crate::error::{Error, Result};
use crate::records::{self, decode, save, stored};
use crate::storage::{ParkReason, ReceiptRow, StoredRecord};

impl Apply<'_> {
    pub(super) fn form_sealed(&mut self, form: &Form) -> Result<()> {
        // A sealed visit is never refused for its household: one the office deleted meanwhile
        // parks it for the office too.
        let household = match self.household_in_scope(&form.household_id.to_string()) {
            Err(Error::NotFound(_)) if !self.office_accepts => {
                return Err(Error::Park(crate::storage::ParkReason::NoHousehold));
            }
            other => other?,
        };
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
        let receipt = self.receipt_of(form, &template)?;
        let mut record = stored(&Record::Form(Box::new(form.clone())), self.tx)?;
        record.buckets = records::child_buckets(&household)?;
        self.server_seq = save(self.tx, record, None)?.seq;
        for photo in form.evidence_photos() {
            self.tx.put_form_photo(&id, &photo.sha256)?;
        }
        if let Some(receipt) = receipt {
            self.tx.put_receipt(&receipt)?;
        }
        // A return visit's scores are kept as numbers (Art.5(5)).
        crate::admin::after_form_sealed(self.tx, form)?;
        self.apply_consequences(form, &template, &household)
    }

    /// The money a sealed form collected, for the receipt ledger (Art.14). Its receipt number
    /// already on another sealed form parks it for the office (a typo, or a receipt book used
    /// twice: the visit is kept either way); the office accepting it takes it in as it is.
    fn receipt_of(&mut self, form: &Form, template: &Template) -> Result<Option<ReceiptRow>> {
        if let Some(charges) = form.charges(template) {
            charges.validate()?;
        }
        let Some(collected) = form.collection(template) else {
            return Ok(None);
        };
        let id = form.id.to_string();
        if !self.office_accepts
            && self
                .tx
                .receipt_forms(&collected.receipt)?
                .iter()
                .any(|other| *other != id)
        {
            return Err(Error::Park(ParkReason::ReceiptUsedTwice));
        }
        Ok(Some(ReceiptRow {
            receipt: collected.receipt,
            form_id: id,
            technician_id: collected.technician_id.to_string(),
            sealed_at: collected.sealed_at,
            method: collected.method.as_str().to_owned(),
            total_fen: collected.total_fen,
        }))
    }

    /// The form a sealed form amends, and the order it was filled for, as the server holds
    /// them, are of its household (`Form::check_links`). One the server does not hold, whose
    /// operation was refused, does not strand the form.
    pub(super) fn check_form_links(&mut self, form: &Form) -> Result<()> {
        let order: Option<WorkOrder> = self.held(Entity::WorkOrder, form.work_order_id)?;
        let amended: Option<Form> = self.held(Entity::Form, form.amends)?;
        Ok(form.check_links(order.as_ref(), amended.as_ref())?)
    }

    /// What sealing the form changed on the device, worked out again here by the same rule:
    /// the household (merged like any edit of the device, on the seal's merge base: a write
    /// the technician had seen before sealing is not a conflict), the meter readings, and the
    /// order a repair closing resolves. Follow-up orders arrive as operations of their own.
    pub(super) fn apply_consequences(
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
        // The visit's lines on the household's timeline, as the phone wrote them. Its follow-up
        // orders are named by the phone's own ids, which arrive with their operations.
        let lines = consequences::timeline(
            form,
            template,
            &consequences::Effects {
                orders: Vec::new(),
                ..effects.clone()
            },
            seal.sealed_at,
        );
        if let (Some(status), Some(order)) = (effects.resolves, form.work_order_id) {
            self.form_resolves(&order.to_string(), status, seal.sealed_at)?;
        }
        let corrects = form.amends.is_some();
        let mut read = false;
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
                    read = true;
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
                let base = self.base();
                self.merge_household(household, &incoming, &fields, base)?;
            }
        }
        crate::history::keep(self.tx, household, lines)?;
        if read {
            // Analysed as the household is now, after the visit (a shut-off is not abnormal).
            if let Some(now) = self.tx.record(Entity::Household, &household.id)? {
                crate::patrols::patrol_if_abnormal(self.tx, &now, self.received_at)?;
            }
        }
        Ok(())
    }

    /// The order a sealed repair closing was filled for, when the form arrives and the order is
    /// still open: it takes the form's resolution as a step the phone reported at the seal's
    /// time (`order_moved`: the earliest resolution by trusted time stands, the office's steps
    /// are never replaced). The phone queues that step itself just before the form, so an
    /// order already closed here (by that step, by the office, by another phone, whose race
    /// that step settles) gets no second step from the form. One the server does not hold, or
    /// the device may not write, is left to the office: the form is not refused for it.
    fn form_resolves(
        &mut self,
        order: &str,
        status: WorkOrderStatus,
        sealed_at: DateTime<Utc>,
    ) -> Result<()> {
        let Some(current) = self
            .tx
            .record(Entity::WorkOrder, order)?
            .filter(|r| !r.deleted)
        else {
            return Ok(());
        };
        let held: WorkOrder = decode(&current)?;
        if held.status().is_final() || self.reachable(&current).is_err() {
            return Ok(());
        }
        // The operation's own record is the form's: its sequence number stays the form's.
        let form_seq = self.server_seq;
        self.order_moved(order, status, sealed_at, None)?;
        self.server_seq = form_seq;
        Ok(())
    }

    pub(super) fn template(&mut self, id: &str, version: u32) -> Result<Template> {
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
