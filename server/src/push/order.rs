//! A work order as a device's push opens or moves it: its times believed as far as the
//! device's clock is, its status moved forward only, the resolution made first on site standing
//! (`WorkOrder::take_reported`), a contradicting or replaced step kept for review.

use chrono::{DateTime, Utc};
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::workorder::{StatusStep, StepReporter, Taken, WorkOrder, WorkOrderStatus};
use serde_json::Value;

use super::{Apply, forbidden, in_scope};
use crate::error::{Error, Result};
use crate::records::{self, decode, save, save_at, stored};
use crate::storage::ConflictRow;

impl Apply<'_> {
    pub(super) fn order_opened(&mut self, order: &WorkOrder) -> Result<()> {
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
    pub(super) fn believed_times(&self, order: &WorkOrder) -> Result<WorkOrder> {
        let arrival = self.arrival();
        let mut order = order.clone();
        order.reported_at = arrival.believed(order.reported_at);
        for step in &mut order.steps {
            step.at = arrival.believed(step.at);
        }
        order.validate()?;
        Ok(order)
    }

    pub(super) fn order_moved(
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
        self.reachable(&current)?;
        let mut order: WorkOrder = decode(&current)?;
        let seq = self.tx.next_seq()?;
        let step = StatusStep {
            status,
            at: self.arrival().step_time(at),
            position,
            reported_by: Some(StepReporter {
                technician: self.device.technician.id,
                device: self.device.id.clone(),
                op_id: self.op.op_id,
            }),
        };
        match order.take_reported(step) {
            Taken::Moved => {}
            Taken::ResolvedEarlier { displaced } => {
                // The earlier resolution stands; what it replaced is kept for review, each
                // under the operation that had brought it.
                let kept = status_value(status);
                let kept_by = Author::from(&self.origin());
                for lost in displaced {
                    self.keep_conflict(&ConflictRow {
                        seq,
                        entity: Entity::WorkOrder,
                        entity_id: id.to_owned(),
                        field: "status".into(),
                        rule: ConflictRule::FirstResolutionWins,
                        kept: kept.clone(),
                        lost: status_value(lost.status),
                        kept_by: kept_by.clone(),
                        lost_by: reporter(&lost),
                        op_id: lost.reported_by.map(|r| r.op_id),
                        at: self.received_at,
                    })?;
                }
            }
            // A step to the status the order has (two crew phones both on site) loses
            // nothing: no conflict, as a field set to the value it holds is none.
            Taken::Contradicts if order.status() == status => {}
            Taken::Contradicts => {
                // The status only moves forward, and the resolution made first stands: the
                // contradicting step is kept for review.
                let standing = order
                    .steps
                    .last()
                    .expect("an order always has its first step");
                let rule = ConflictRule::of_status_step(standing.status.is_final());
                self.keep_conflict(&ConflictRow {
                    seq,
                    entity: Entity::WorkOrder,
                    entity_id: id.to_owned(),
                    field: "status".into(),
                    rule,
                    kept: status_value(standing.status),
                    lost: status_value(status),
                    kept_by: reporter(standing),
                    lost_by: Author::from(&self.origin()),
                    op_id: Some(self.op.op_id),
                    at: self.received_at,
                })?;
            }
        }
        // A resolved repair schedules its return visit, once (Art.5(5)).
        if order.status() == WorkOrderStatus::Resolved {
            let me = self.device.technician.id;
            crate::admin::after_order_resolved(self.tx, &order, me, self.received_at)?;
        }
        // Saved even when nothing changed, so that the device pulls the server's version.
        let mut record = stored(&Record::WorkOrder(Box::new(order)), self.tx)?;
        record.body = records::keeping_unknown_fields(&current.body, record.body)?;
        record.buckets = current.buckets.clone();
        self.server_seq = save_at(self.tx, record, Some(&current), seq)?.seq;
        Ok(())
    }

    fn keep_conflict(&mut self, row: &ConflictRow) -> Result<()> {
        self.conflicts += 1;
        Ok(self.tx.insert_conflict(row)?)
    }
}

/// A status as a kept conflict records it: its name, as JSON.
fn status_value(status: WorkOrderStatus) -> String {
    Value::String(status.as_str().into()).to_string()
}

/// Who a conflict names for a step: the phone that reported it, or the server's own record of
/// the order (the office's steps, and those from before reporters were recorded).
fn reporter(step: &StatusStep) -> Author {
    step.reported_by
        .as_ref()
        .map_or(Author::Server, |r| Author::Device(r.device.clone()))
}
