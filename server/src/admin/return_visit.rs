//! Return visits (Art.5(5), Art.16): scheduled once when a repair is resolved (from a phone's
//! push) or a complaint is closed (from the office), listed for the service center, and scored
//! after the call. The scores are kept as numbers, one [`Satisfaction`] record per visit, with
//! no bucket (office only).

use doorstep_core::InvalidInput;
use doorstep_core::complaint::Complaint;
use doorstep_core::forms::form::Form;
use doorstep_core::household::Household;
use doorstep_core::return_visit;
use doorstep_core::satisfaction::{
    Aggregate, Satisfaction, ScoreSource, ScoredVisit, Scores, Unit, UnitLevel, aggregate,
};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::text::said;
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
    record_visit_scores(storage, &args, act).map_err(|e| match e {
        Error::InvalidInput(e) => {
            let option = match e.field.as_str() {
                "at" => "--at",
                "score_timeliness" => "--timeliness",
                "score_attitude" => "--attitude",
                "score_quality" => "--quality",
                "score_safety_explanation" => "--safety-explanation",
                _ => return message(Error::InvalidInput(e)),
            };
            invalid_option(option, e)
        }
        other => message(other),
    })
}

/// Records the scores a user gave on a return visit's call (audited `satisfaction_recorded`):
/// the visit is done. Refused by the core's rules with the score's item (`score_quality`, …)
/// or `at` (in the future, or before the visit), nothing written. Returns the visit's id.
pub(crate) fn record_visit_scores(
    storage: &dyn Storage,
    args: &ReturnVisitRecord,
    act: &Act,
) -> Result<String> {
    let at = args.at.unwrap_or(act.at);
    if at > act.at {
        return Err(InvalidInput::new("at", said("晚于现在", "is in the future")).into());
    }
    let scores = Scores {
        overall: args.overall,
        timeliness: args.timeliness,
        attitude: args.attitude,
        quality: args.quality,
        safety_explanation: args.safety_explanation,
    };
    scores.validate()?;
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
                .map_err(|e| InvalidInput {
                    field: "at".into(),
                    ..e
                })?;
            put_from_office(tx, &Record::WorkOrder(Box::new(visit.clone())))?;
        }
        let id = visit.id.to_string();
        put_from_office(tx, &Record::Satisfaction(satisfaction))?;
        audit(tx, act, "satisfaction_recorded", Entity::Satisfaction, &id)?;
        Ok(id)
    })
}

/// What a return visit follows up: an order or a complaint, by its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    Order(String),
    Complaint(String),
}

/// One return visit as the service center lists it.
#[derive(Debug, Clone)]
pub struct ReturnVisitRow {
    pub visit: WorkOrder,
    pub follows: Option<Followed>,
    /// The household's customer number and district (whose dispatchers see it).
    pub household: Option<String>,
    pub district: Option<doorstep_core::ids::DistrictId>,
    /// When it is due (its stamped target after what it follows).
    pub due: Option<chrono::DateTime<chrono::Utc>>,
    /// The scores recorded, if any.
    pub scores: Option<Satisfaction>,
}

/// The return visits, the earliest scheduled first: the ones not done yet, or all.
pub(crate) fn return_visit_rows(storage: &dyn Storage, all: bool) -> Result<Vec<ReturnVisitRow>> {
    storage::read(storage, |tx| {
        let mut visits: Vec<WorkOrder> = every::<WorkOrder>(tx, Entity::WorkOrder)?
            .into_iter()
            .filter(|o| o.kind == WorkOrderKind::ReturnVisit && (all || o.is_open()))
            .collect();
        visits.sort_by_key(|o| o.reported_at);
        visits
            .into_iter()
            .map(|v| return_visit_row(tx, v))
            .collect()
    })
}

/// The return visit numbered `number`, as [`return_visit_rows`] lists it.
pub(crate) fn return_visit_by_number(
    storage: &dyn Storage,
    number: &str,
) -> Result<ReturnVisitRow> {
    storage::read(storage, |tx| {
        let id = tx
            .record_id_by_key(Entity::WorkOrder, number.trim())?
            .ok_or(Error::NotFound("work order"))?;
        let record = tx
            .record(Entity::WorkOrder, &id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("work order"))?;
        let visit: WorkOrder = decode(&record)?;
        if visit.kind != WorkOrderKind::ReturnVisit {
            return Err(Error::NotFound("work order"));
        }
        return_visit_row(tx, visit)
    })
}

fn return_visit_row(tx: &mut dyn Tx, v: WorkOrder) -> Result<ReturnVisitRow> {
    let follows = match v.follows {
        Some(FollowUp::Order(o)) => tx
            .record(Entity::WorkOrder, &o.to_string())?
            .map(|r| decode::<WorkOrder>(&r).map(|o| Followed::Order(o.number)))
            .transpose()?,
        Some(FollowUp::Complaint(c)) => tx
            .record(Entity::Complaint, &c.to_string())?
            .and_then(|r| r.key)
            .map(Followed::Complaint),
        None => None,
    };
    let (household, district) = super::complaint::household_key_and_district(tx, v.household_id)?;
    let scores = tx
        .record(Entity::Satisfaction, &v.id.to_string())?
        .map(|r| decode::<Satisfaction>(&r))
        .transpose()?;
    Ok(ReturnVisitRow {
        due: return_visit::due(&v),
        visit: v,
        follows,
        household,
        district,
        scores,
    })
}

pub(super) fn print_return_visits(storage: &dyn Storage, all: bool) -> Result<(), String> {
    let rows = return_visit_rows(storage, all).map_err(message)?;
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
        let v = &row.visit;
        let follows = row.follows.map(|f| match f {
            Followed::Order(n) => format!("order {n}"),
            Followed::Complaint(n) => format!("complaint {n}"),
        });
        println!(
            "{}",
            tsv(&[
                v.number.clone(),
                or_dash(follows),
                or_dash(row.household),
                v.reported_at.to_rfc3339(),
                or_dash(row.due.map(|d| d.to_rfc3339())),
                v.status().as_str().to_owned(),
                or_dash(row.scores.map(|s| s.scores.overall.as_str())),
            ])
        );
    }
    Ok(())
}

/// The scored visits as the aggregate reads them: each with the unit that did the work it
/// follows up. For a repair: the technician who reported its resolution (else its assignee),
/// its crew (else the technician's), its household's district. For a complaint: the technician
/// complained of, their crew, the complaint's household's district.
pub(crate) fn scored_visits(tx: &mut dyn Tx) -> Result<Vec<ScoredVisit>> {
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

/// The scores of the visits scored in `[from, to)`, per unit of `by` and kind of the work
/// followed up; only the visits `counts` says (a dispatcher's districts).
pub(crate) fn score_summary(
    storage: &dyn Storage,
    by: UnitLevel,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    counts: &dyn Fn(&ScoredVisit) -> bool,
) -> Result<Vec<Aggregate>> {
    let mut visits = storage::read(storage, scored_visits)?;
    visits.retain(|v| counts(v));
    Ok(aggregate(&visits, by, from, to))
}

pub(super) fn print_scores(storage: &dyn Storage, args: ScoresArgs) -> Result<(), String> {
    let from = args
        .from
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let to = args.to.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let aggregates = score_summary(storage, args.by, from, to, &|_| true).map_err(message)?;
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
    for a in aggregates {
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
