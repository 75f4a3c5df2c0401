//! A work order as a device's push opens or moves it: its times believed as far as the
//! device's clock is, its status moved forward only, the resolution made first on site standing
//! (`WorkOrder::take_reported`), a contradicting or replaced step kept for review.

use chrono::{DateTime, Utc};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::Household;
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::workorder::{
    AppointmentChange, DeadlinePolicy, FaultClass, HandBack, RecordedBy, StatusStep, StepReporter,
    Taken, WorkOrder, WorkOrderStatus,
};
use serde_json::Value;

use super::{Apply, forbidden, in_scope};
use crate::error::{Error, Result};
use crate::records::{self, decode, save, save_at, stored};
use crate::storage::{ConflictRow, StoredRecord, Tx};

impl Apply<'_> {
    pub(super) fn order_opened(&mut self, order: &WorkOrder) -> Result<()> {
        order.validate()?;
        let mut order = self.believed_times(order)?;
        // Stamped with the district's targets as the server holds them: the phone's copy of
        // the policy may be older.
        let me = &self.device.technician;
        order.targets =
            district_targets(self.tx, order.household_id, Some(me.id), me.crew_id, None)?;
        let order = &order;
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
        // Saved even when nothing changed, so that the device pulls the server's version.
        let mut record = stored(&Record::WorkOrder(Box::new(order)), self.tx)?;
        record.body = records::keeping_unknown_fields(&current.body, record.body)?;
        record.buckets = current.buckets.clone();
        self.server_seq = save_at(self.tx, record, Some(&current), seq)?.seq;
        Ok(())
    }

    /// A technician declined or handed back an order. The office's decisions stand: an order
    /// the office gave to someone else meanwhile, or closed, keeps its assignee and status, and
    /// the hand back is kept on it as history only. Otherwise the order leaves the technician
    /// (and their crew), back on the office's list; its status does not move.
    pub(super) fn order_handed_back(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        let (current, mut order) = self.order_to_change(id)?;
        let at = self.arrival().step_time(at).max(order.reported_at);
        let me = self.device.technician.id;
        match order.hand_back(me, self.device.technician.crew_id, at, reason) {
            Ok(_) => {}
            Err(e) if e.field == "work_order.assignee" => {
                validate_reason("work_order.hand_back.reason", reason)?;
                let declined = order.status().rank() < WorkOrderStatus::Accepted.rank();
                order.hand_backs.push(HandBack {
                    technician: me,
                    at,
                    reason: reason.trim().to_owned(),
                    declined,
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.save_order(&current, order, true)
    }

    /// A changed appointment the user agreed to, taken in among the order's changes by when it
    /// was recorded: a later change (the office's) stays in force.
    pub(super) fn order_appointment_changed(
        &mut self,
        id: &str,
        change: &AppointmentChange,
    ) -> Result<()> {
        let (current, mut order) = self.order_to_change(id)?;
        let mut change = change.clone();
        let arrival = self.arrival();
        change.recorded_at = arrival.step_time(change.recorded_at).max(order.reported_at);
        change.agreed_at = arrival.believed(change.agreed_at).min(change.recorded_at);
        change.recorded_by = RecordedBy::Technician {
            technician: self.device.technician.id,
        };
        order.take_reported_appointment(change)?;
        self.save_order(&current, order, false)
    }

    /// The crew raised a pipeline fault to major on site. A fault the office (or another
    /// phone) already raised stays as it is: the first raise starts the clocks.
    pub(super) fn order_class_raised(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        let (current, mut order) = self.order_to_change(id)?;
        if order.fault_class() == Some(FaultClass::Major) {
            validate_reason("work_order.class_change.reason", reason)?;
            return Ok(());
        }
        let at = self.arrival().step_time(at).max(order.reported_at);
        let by = RecordedBy::Technician {
            technician: self.device.technician.id,
        };
        order.raise_to_major(at, by, reason)?;
        self.save_order(&current, order, false)
    }

    /// The stored order `id`, which this device may reach.
    fn order_to_change(&mut self, id: &str) -> Result<(StoredRecord, WorkOrder)> {
        let current = self
            .tx
            .record(Entity::WorkOrder, id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("work order"))?;
        self.reachable(&current)?;
        let order = decode(&current)?;
        Ok((current, order))
    }

    /// Saves a changed order; `reassigned` when its assignee or crew changed, so that it leaves
    /// (or joins) their buckets.
    fn save_order(
        &mut self,
        current: &StoredRecord,
        order: WorkOrder,
        reassigned: bool,
    ) -> Result<()> {
        order.validate()?;
        let mut record = stored(&Record::WorkOrder(Box::new(order)), self.tx)?;
        record.body = records::keeping_unknown_fields(&current.body, record.body)?;
        if !reassigned {
            record.buckets = current.buckets.clone();
        }
        self.server_seq = save(self.tx, record, Some(current))?.seq;
        Ok(())
    }

    fn keep_conflict(&mut self, row: &ConflictRow) -> Result<()> {
        self.conflicts += 1;
        Ok(self.tx.insert_conflict(row)?)
    }
}

/// A reason a phone gave, checked as the core checks it where the core's own rule is not run.
fn validate_reason(field: &str, reason: &str) -> Result<()> {
    if reason.trim().is_empty() || reason.chars().count() > 500 {
        return Err(doorstep_core::InvalidInput::new(
            field,
            doorstep_core::text::said("须为1到500个字", "must be 1 to 500 characters"),
        )
        .into());
    }
    Ok(())
}

/// The targets an order is stamped with when it is opened: those of its household's district,
/// else of its technician's, else of its crew's, else of the district whose boundary holds its
/// location; the defaults when none is known.
pub(crate) fn district_targets(
    tx: &mut dyn Tx,
    household: Option<HouseholdId>,
    technician: Option<TechnicianId>,
    crew: Option<CrewId>,
    location: Option<GeoPoint>,
) -> Result<DeadlinePolicy> {
    let mut district: Option<DistrictId> = None;
    if let Some(h) = household
        && let Some(r) = tx.record(Entity::Household, &h.to_string())?
    {
        district = decode::<Household>(&r)?.district_id;
    }
    if district.is_none()
        && let Some(t) = technician
        && let Some(r) = tx.record(Entity::Technician, &t.to_string())?
    {
        district = decode::<Technician>(&r)?.district_id;
    }
    if district.is_none()
        && let Some(c) = crew
        && let Some(r) = tx.record(Entity::Crew, &c.to_string())?
    {
        district = decode::<Crew>(&r)?.district_id;
    }
    if let Some(d) = district
        && let Some(r) = tx
            .record(Entity::District, &d.to_string())?
            .filter(|r| !r.deleted)
    {
        return Ok(*decode::<District>(&r)?.policy);
    }
    if let Some(point) = location {
        let mut after = String::new();
        loop {
            let page = tx.records(Entity::District, &after, 500)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for r in page.iter().filter(|r| !r.deleted) {
                let d: District = decode(r)?;
                if d.boundary.contains(&point) {
                    return Ok(*d.policy);
                }
            }
        }
    }
    Ok(DeadlinePolicy::default())
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
