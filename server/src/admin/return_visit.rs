//! Return visits (Art.5(5), Art.16): scheduled once when a repair is resolved (from a phone's
//! push) or a complaint is closed (from the office), listed for the service center, and scored
//! after the call. The scores are kept as numbers, one [`Satisfaction`] record per visit, with
//! no bucket (office only).

use doorstep_core::complaint::Complaint;
use doorstep_core::forms::form::Form;
use doorstep_core::household::Household;
use doorstep_core::return_visit;
use doorstep_core::satisfaction::{
    Satisfaction, ScoreSource, ScoredVisit, Scores, Unit, aggregate,
};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::{FollowUp, WorkOrder, WorkOrderKind, WorkOrderStatus};

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Actor, Storage, Tx};

use super::complaint::{every, order_by_number};
use super::*;

/// Saves `visit` unless it is already stored (its id is derived from what it follows, so a
/// repeated push or a second resolution finds it); audited as `act`. Returns whether it was
/// new.
pub(crate) fn schedule_return_visit(tx: &mut dyn Tx, visit: &WorkOrder, act: &Act) -> Result<bool> {
    if tx
        .record(Entity::WorkOrder, &visit.id.to_string())?
        .is_some()
        || tx
            .record_id_by_key(Entity::WorkOrder, &visit.number)?
            .is_some()
    {
        return Ok(false);
    }
    let id = visit.id.to_string();
    put_from_office(tx, &Record::WorkOrder(Box::new(visit.clone())))?;
    audit(tx, act, "return_visit_scheduled", Entity::WorkOrder, &id)?;
    Ok(true)
}

/// What a device's push calls where it resolves an order: the return visit of a resolved
/// repair, scheduled once, audited as the technician whose step resolved it.
pub fn after_order_resolved(
    tx: &mut dyn Tx,
    order: &WorkOrder,
    technician: doorstep_core::ids::TechnicianId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if let Some(visit) = return_visit::after_resolution(order) {
        let act = Act {
            at,
            actor: Actor::Technician(technician),
        };
        schedule_return_visit(tx, &visit, &act)?;
    }
    Ok(())
}

/// What a device's push calls where it stores a sealed form: a return-visit form filled for a
/// return-visit order keeps its scores as numbers (unless the office recorded them first after
/// a call). The seal is the template's, so its scores are in range; a form whose scores cannot
/// be read is kept as it is, without scores, since a sealed visit is never refused for them.
pub fn after_form_sealed(tx: &mut dyn Tx, form: &Form) -> Result<()> {
    let (Ok(Some(scores)), Some(order), Some(seal)) =
        (Scores::from_form(form), form.work_order_id, &form.seal)
    else {
        return Ok(());
    };
    let Some(record) = tx.record(Entity::WorkOrder, &order.to_string())? else {
        return Ok(());
    };
    let visit: WorkOrder = decode(&record)?;
    if visit.kind != WorkOrderKind::ReturnVisit
        || tx
            .record(Entity::Satisfaction, &order.to_string())?
            .is_some()
    {
        return Ok(());
    }
    let satisfaction = Satisfaction {
        visit: order,
        recorded_at: seal.sealed_at,
        source: ScoreSource::Form(form.id),
        scores,
    };
    put_from_office(tx, &Record::Satisfaction(satisfaction))?;
    Ok(())
}

pub(super) fn record_scores(
    storage: &dyn Storage,
    args: ReturnVisitRecord,
    act: &Act,
) -> Result<String, String> {
    let at = args.at.unwrap_or(act.at);
    if at > act.at {
        return Err("--at: 晚于现在 / is in the future".into());
    }
    let scores = Scores {
        overall: args.overall,
        timeliness: args.timeliness,
        attitude: args.attitude,
        quality: args.quality,
        safety_explanation: args.safety_explanation,
    };
    if let Err(e) = scores.validate() {
        let option = match e.field.as_str() {
            "score_timeliness" => "--timeliness",
            "score_attitude" => "--attitude",
            "score_quality" => "--quality",
            _ => "--safety-explanation",
        };
        return Err(invalid_option(option, e));
    }
    storage::write(storage, |tx| {
        let mut visit = order_by_number(tx, &args.number, "number")?;
        if visit.kind != WorkOrderKind::ReturnVisit {
            return Err(Error::invalid(
                "number: 这不是回访工单 / this order is not a return visit",
            ));
        }
        let satisfaction = Satisfaction {
            visit: visit.id,
            recorded_at: at,
            source: ScoreSource::Office(act.operator()),
            scores,
        };
        satisfaction.validate()?;
        if visit.is_open() {
            visit
                .advance(WorkOrderStatus::Resolved, at, None)
                .map_err(|e| Error::invalid(invalid_option("--at", e)))?;
            put_from_office(tx, &Record::WorkOrder(Box::new(visit.clone())))?;
        }
        let id = visit.id.to_string();
        put_from_office(tx, &Record::Satisfaction(satisfaction))?;
        audit(tx, act, "satisfaction_recorded", Entity::Satisfaction, &id)?;
        Ok(id)
    })
    .map_err(message)
}

pub(super) fn print_return_visits(storage: &dyn Storage, all: bool) -> Result<(), String> {
    let rows = storage::read(storage, |tx| {
        let mut visits: Vec<WorkOrder> = every::<WorkOrder>(tx, Entity::WorkOrder)?
            .into_iter()
            .filter(|o| o.kind == WorkOrderKind::ReturnVisit && (all || o.is_open()))
            .collect();
        visits.sort_by_key(|o| o.reported_at);
        let mut rows = Vec::new();
        for v in visits {
            let follows = match v.follows {
                Some(FollowUp::Order(o)) => tx
                    .record(Entity::WorkOrder, &o.to_string())?
                    .map(|r| decode::<WorkOrder>(&r).map(|o| format!("order {}", o.number)))
                    .transpose()?,
                Some(FollowUp::Complaint(c)) => tx
                    .record(Entity::Complaint, &c.to_string())?
                    .and_then(|r| r.key)
                    .map(|n| format!("complaint {n}")),
                None => None,
            };
            let household = match v.household_id {
                Some(h) => tx
                    .record(Entity::Household, &h.to_string())?
                    .and_then(|r| r.key),
                None => None,
            };
            let overall = tx
                .record(Entity::Satisfaction, &v.id.to_string())?
                .map(|r| decode::<Satisfaction>(&r))
                .transpose()?
                .map(|s| s.scores.overall.as_str());
            rows.push(tsv(&[
                v.number.clone(),
                or_dash(follows),
                or_dash(household),
                v.reported_at.to_rfc3339(),
                or_dash(return_visit::due(&v).map(|d| d.to_rfc3339())),
                v.status().as_str().to_owned(),
                or_dash(overall),
            ]));
        }
        Ok(rows)
    })
    .map_err(message)?;
    println!(
        "{}",
        tsv(&[
            "number",
            "follows",
            "household",
            "scheduled_at",
            "due",
            "status",
            "overall"
        ]
        .map(str::to_owned))
    );
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

/// The scored visits as the aggregate reads them: each with the unit that did the work it
/// follows up. For a repair: the technician who reported its resolution (else its assignee),
/// its crew (else the technician's), its household's district. For a complaint: the technician
/// complained of, their crew, the complaint's household's district.
fn scored_visits(tx: &mut dyn Tx) -> Result<Vec<ScoredVisit>> {
    let mut visits = Vec::new();
    for s in every::<Satisfaction>(tx, Entity::Satisfaction)? {
        let Some(visit) = tx.record(Entity::WorkOrder, &s.visit.to_string())? else {
            continue;
        };
        let visit: WorkOrder = decode(&visit)?;
        let (technician, crew, household, followed_kind) = match visit.follows {
            Some(FollowUp::Order(o)) => match tx.record(Entity::WorkOrder, &o.to_string())? {
                Some(r) => {
                    let o: WorkOrder = decode(&r)?;
                    let resolver = o
                        .steps
                        .iter()
                        .rev()
                        .find(|s| s.status == WorkOrderStatus::Resolved)
                        .and_then(|s| s.reported_by.as_ref())
                        .map(|r| r.technician);
                    (
                        resolver.or(o.assignee),
                        o.crew,
                        o.household_id,
                        Some(o.kind),
                    )
                }
                None => (None, None, visit.household_id, None),
            },
            Some(FollowUp::Complaint(c)) => match tx.record(Entity::Complaint, &c.to_string())? {
                Some(r) => {
                    let c: Complaint = decode(&r)?;
                    (c.against_technician, None, c.household_id, None)
                }
                None => (None, None, visit.household_id, None),
            },
            None => (None, None, visit.household_id, None),
        };
        let crew = match (crew, technician) {
            (Some(c), _) => Some(c),
            (None, Some(t)) => tx
                .record(Entity::Technician, &t.to_string())?
                .map(|r| decode::<Technician>(&r))
                .transpose()?
                .and_then(|t| t.crew_id),
            (None, None) => None,
        };
        let district = match household.or(visit.household_id) {
            Some(h) => tx
                .record(Entity::Household, &h.to_string())?
                .map(|r| decode::<Household>(&r))
                .transpose()?
                .and_then(|h| h.district_id),
            None => None,
        };
        visits.push(ScoredVisit {
            scores: s.scores,
            at: s.recorded_at,
            district,
            crew,
            technician,
            followed_kind,
        });
    }
    Ok(visits)
}

pub(super) fn print_scores(storage: &dyn Storage, args: ScoresArgs) -> Result<(), String> {
    let visits = storage::read(storage, scored_visits).map_err(message)?;
    let from = args
        .from
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let to = args.to.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    println!(
        "{}",
        tsv(&[
            "unit",
            "kind",
            "visits",
            "timeliness",
            "attitude",
            "quality",
            "safety_explanation",
            "satisfied"
        ]
        .map(str::to_owned))
    );
    let hundredths = |n: u32| format!("{}.{:02}", n / 100, n % 100);
    for a in aggregate(&visits, args.by, from, to) {
        let unit = match a.unit {
            Unit::District(id) => id.to_string(),
            Unit::Crew(id) => id.to_string(),
            Unit::Technician(id) => id.to_string(),
        };
        let mut row = vec![
            unit,
            or_dash(a.followed_kind.map(WorkOrderKind::as_str)),
            a.visits.to_string(),
        ];
        row.extend(a.means_hundredths().map(hundredths));
        row.push(format!("{}%", hundredths(a.satisfied_basis_points())));
        println!("{}", tsv(&row));
    }
    Ok(())
}
