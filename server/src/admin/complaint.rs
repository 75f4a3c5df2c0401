//! Complaints as the service center records them (Art.7(6), Art.16): received, investigated,
//! answered, closed with the user's acceptance. A complaint is the office's alone: stored with
//! no bucket, so no phone ever reads it (it may name a technician). Listing never prints the
//! complainant.

use doorstep_core::complaint::{Acceptance, Complainant, Complaint};
use doorstep_core::household::Household;
use doorstep_core::ids::{DistrictId, HouseholdId, WorkOrderId};
use doorstep_core::return_visit;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::text::said;
use doorstep_core::workorder::deadline::DeadlinePolicy;
use doorstep_core::workorder::{FollowUp, WorkOrder};

use crate::error::{Error, Result};
use crate::push::district_targets;
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage, Tx};

use super::return_visit::schedule_return_visit;
use super::*;

pub(crate) fn open_complaint(
    storage: &dyn Storage,
    args: ComplaintOpen,
    act: &Act,
) -> Result<String, String> {
    let received_at = args.received_at.unwrap_or(act.at);
    if received_at > act.at {
        return Err("--received-at: 晚于现在 / is in the future".into());
    }
    storage::write(storage, |tx| {
        let number = args.number.trim();
        if tx.record_id_by_key(Entity::Complaint, number)?.is_some() {
            return Err(Error::invalid(
                "--number: 已有此编号的投诉 / a complaint with this number already exists",
            ));
        }
        let mut complaint = Complaint::receive(
            number,
            Complainant {
                name: args.name.trim().to_owned(),
                phone: args.phone.as_deref().map(str::trim).map(str::to_owned),
            },
            args.channel,
            args.summary.trim(),
            received_at,
            &DeadlinePolicy::default(),
        );
        if let Some(h) = &args.household {
            complaint.household_id = Some(household_by_number(tx, h, "--household")?);
        }
        if let Some(o) = &args.order {
            complaint.against_order = Some(order_by_number(tx, o, "--order")?.id);
        }
        if let Some(t) = args.technician {
            if !exists(tx, Entity::Technician, &t.to_string())? {
                return Err(Error::invalid(
                    "--technician: 没有这个技术员 / no technician has this id",
                ));
            }
            complaint.against_technician = Some(t);
        }
        // The clocks of the household's district (else the technician's), as an order's.
        let targets = district_targets(
            tx,
            complaint.household_id,
            complaint.against_technician,
            None,
            None,
        )?;
        complaint.stamp(&targets);
        complaint
            .validate()
            .map_err(|e| Error::invalid(complaint_option(e)))?;
        let id = complaint.id.to_string();
        put_from_office(tx, &Record::Complaint(Box::new(complaint)))?;
        audit(tx, act, "complaint_opened", Entity::Complaint, &id)?;
        Ok(id)
    })
    .map_err(message)
}

/// One step of a complaint, as the office takes it (the command line's `investigate`,
/// `answer`, `close`; the console's buttons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplaintStep {
    /// The investigation has started.
    Investigate,
    /// The first answer reached the user: what they were told.
    Answer { said: String },
    /// Closed with the answer given and whether the user accepted it.
    Close {
        answer: String,
        acceptance: Acceptance,
    },
}

impl ComplaintStep {
    /// The audit log's action for the step.
    pub fn action(&self) -> &'static str {
        match self {
            ComplaintStep::Investigate => "complaint_investigated",
            ComplaintStep::Answer { .. } => "complaint_answered",
            ComplaintStep::Close { .. } => "complaint_closed",
        }
    }

    fn apply(
        &self,
        c: &mut Complaint,
        at: chrono::DateTime<chrono::Utc>,
        by: &str,
    ) -> Result<(), InvalidInput> {
        match self {
            ComplaintStep::Investigate => c.start_investigation(at, by),
            ComplaintStep::Answer { said } => c.answer(at, by, said),
            ComplaintStep::Close { answer, acceptance } => c.close(at, by, answer, *acceptance),
        }
    }
}

/// What a step did: the complaint's id, and the return visit its closing scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTaken {
    pub id: String,
    pub return_visit: Option<String>,
}

/// One step of a complaint (the command line's words): investigation, answer, or closing.
pub(super) fn step_complaint(
    storage: &dyn Storage,
    args: &ComplaintStepArgs,
    act: &Act,
    step: &ComplaintStep,
) -> Result<String, String> {
    match take_complaint_step(storage, &args.number, args.at, step, act) {
        Ok(StepTaken {
            id,
            return_visit: Some(number),
        }) => Ok(format!("{id}\n回访工单 / return visit {number}")),
        Ok(StepTaken { id, .. }) => Ok(id),
        Err(Error::InvalidInput(e)) if e.field == "at" => Err(format!("--at: {}", both(&e))),
        Err(Error::InvalidInput(e)) => Err(complaint_option(e)),
        Err(e) => Err(message(e)),
    }
}

/// Takes `step` on the complaint numbered `number` at `at` (default now; never later), audited
/// as the step's action: refused by the core's rules (the steps in order, once each; the texts)
/// with the complaint's field, nothing written. Closing schedules the complaint's return visit
/// in the same transaction.
pub(crate) fn take_complaint_step(
    storage: &dyn Storage,
    number: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
    step: &ComplaintStep,
    act: &Act,
) -> Result<StepTaken> {
    let at = at.unwrap_or(act.at);
    if at > act.at {
        return Err(InvalidInput::new("at", said("晚于现在", "is in the future")).into());
    }
    let by = act.operator();
    storage::write(storage, |tx| {
        let (mut complaint, _) = complaint_by_number(tx, number)?;
        step.apply(&mut complaint, at, &by)?;
        let id = complaint.id.to_string();
        let mut scheduled = None;
        if complaint.closure.is_some() {
            let order_household = match complaint.against_order {
                Some(o) => order_household(tx, o)?,
                None => None,
            };
            if let Some(mut visit) =
                return_visit::after_complaint_closed(&complaint, order_household)
            {
                visit.targets = district_targets(tx, visit.household_id, None, None, None)?;
                scheduled = schedule_return_visit(tx, &visit, act)?.then_some(visit.number);
            }
        }
        put_from_office(tx, &Record::Complaint(Box::new(complaint)))?;
        audit(tx, act, step.action(), Entity::Complaint, &id)?;
        Ok(StepTaken {
            id,
            return_visit: scheduled,
        })
    })
}

/// One complaint as the service center lists it: with its order's number, its household's
/// customer number and district (whose dispatchers see it).
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    pub complaint: Complaint,
    pub order: Option<String>,
    pub household: Option<String>,
    pub district: Option<DistrictId>,
}

/// The complaints, oldest first (only the open ones when `open_only`).
pub(crate) fn complaint_rows(storage: &dyn Storage, open_only: bool) -> Result<Vec<ComplaintRow>> {
    storage::read(storage, |tx| {
        let mut complaints: Vec<Complaint> = every(tx, Entity::Complaint)?;
        complaints.retain(|c| !open_only || c.is_open());
        complaints.sort_by_key(|c| c.received_at);
        let mut rows = Vec::new();
        for c in complaints {
            let order = match c.against_order {
                Some(o) => tx
                    .record(Entity::WorkOrder, &o.to_string())?
                    .map(|r| decode::<WorkOrder>(&r).map(|o| o.number))
                    .transpose()?,
                None => None,
            };
            let (household, district) = household_key_and_district(tx, c.household_id)?;
            rows.push(ComplaintRow {
                complaint: c,
                order,
                household,
                district,
            });
        }
        Ok(rows)
    })
}

/// A household's customer number and district, by its id.
pub(crate) fn household_key_and_district(
    tx: &mut dyn Tx,
    id: Option<HouseholdId>,
) -> Result<(Option<String>, Option<DistrictId>)> {
    let Some(id) = id else {
        return Ok((None, None));
    };
    Ok(match tx.record(Entity::Household, &id.to_string())? {
        Some(r) if r.deleted => (r.key, None),
        Some(r) => (r.key.clone(), decode::<Household>(&r)?.district_id),
        None => (None, None),
    })
}

pub(super) fn print_complaints(storage: &dyn Storage, open_only: bool) -> Result<(), String> {
    let rows = complaint_rows(storage, open_only).map_err(message)?;
    println!(
        "{}",
        tsv(&[
            "number",
            "channel",
            "status",
            "received_at",
            "investigate_by",
            "answer_by",
            "order",
            "household"
        ]
        .map(str::to_owned))
    );
    for row in rows {
        let c = &row.complaint;
        println!(
            "{}",
            tsv(&[
                c.number.clone(),
                c.channel.as_str().to_owned(),
                c.status().as_str().to_owned(),
                c.received_at.to_rfc3339(),
                c.investigate_by.to_rfc3339(),
                c.answer_by.to_rfc3339(),
                or_dash(row.order),
                or_dash(row.household),
            ])
        );
    }
    Ok(())
}

/// Every stored record of `entity`, decoded (deleted ones left out).
pub(crate) fn every<T: serde::de::DeserializeOwned>(
    tx: &mut dyn Tx,
    entity: Entity,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(entity, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            all.push(decode(record)?);
        }
    }
    Ok(all)
}

pub(crate) fn complaint_by_number(tx: &mut dyn Tx, number: &str) -> Result<(Complaint, String)> {
    let id = tx
        .record_id_by_key(Entity::Complaint, number.trim())?
        .ok_or(Error::NotFound("complaint"))?;
    let record = tx
        .record(Entity::Complaint, &id)?
        .ok_or(Error::NotFound("complaint"))?;
    Ok((decode(&record)?, id))
}

/// The link of a complaint's follow-up order (`order create --complaint`).
pub(super) fn follows_complaint(tx: &mut dyn Tx, number: &str) -> Result<FollowUp> {
    let (complaint, _) = complaint_by_number(tx, number).map_err(|_| {
        Error::invalid("--complaint: 没有这个编号的投诉 / no complaint has this number")
    })?;
    Ok(FollowUp::Complaint(complaint.id))
}

pub(super) fn household_by_number(
    tx: &mut dyn Tx,
    number: &str,
    option: &str,
) -> Result<HouseholdId> {
    let id = tx
        .record_id_by_key(Entity::Household, number.trim())?
        .ok_or_else(|| {
            Error::invalid(format!(
                "{option}: 没有这个用户编号的用户 / no household has this customer number"
            ))
        })?;
    Ok(id.parse::<HouseholdId>()?)
}

pub(super) fn order_by_number(tx: &mut dyn Tx, number: &str, option: &str) -> Result<WorkOrder> {
    let record = match tx.record_id_by_key(Entity::WorkOrder, number.trim())? {
        Some(id) => tx.record(Entity::WorkOrder, &id)?.filter(|r| !r.deleted),
        None => None,
    };
    let record = record.ok_or_else(|| {
        Error::invalid(format!(
            "{option}: 没有这个编号的工单 / no work order has this number"
        ))
    })?;
    decode(&record)
}

fn order_household(tx: &mut dyn Tx, id: WorkOrderId) -> Result<Option<HouseholdId>> {
    Ok(match tx.record(Entity::WorkOrder, &id.to_string())? {
        Some(r) => decode::<WorkOrder>(&r)?.household_id,
        None => None,
    })
}

/// A complaint's problem, named by the option that caused it.
fn complaint_option(e: InvalidInput) -> String {
    let option = match e.field.as_str() {
        "complaint.number" => "--number",
        "complaint.complainant.name" => "--name",
        "complaint.complainant.phone" => "--phone",
        "complaint.summary" => "--summary",
        "complaint.answer.said" => "--said",
        "complaint.closure.answer" => "--answer",
        "complaint.received_at" => "--received-at",
        "complaint.by" => "--operator",
        other => other,
    }
    .to_owned();
    invalid_option(&option, e)
}
