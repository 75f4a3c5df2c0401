//! The call log (Art.5(1), Art.13): every call the service center takes, with what it became.
//! A call that opens an order opens it in the same transaction; an alarm always does (a
//! pipeline fault). Calls are the office's: stored with no bucket.

use doorstep_core::calls::{Call, CallKind, CallOutcome, alarm_order};
use doorstep_core::geo::GeoPoint;
use doorstep_core::ids::{CallId, CrewId, TechnicianId, WorkOrderId};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

use crate::error::{Error, Result};
use crate::push::district_targets;
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage};

use super::complaint::{complaint_by_number, every, household_by_number};
use super::order::order_option;
use super::*;

/// What was said on a call and what it became, as the console's form (or the CLI's options)
/// give it: [`record_call`] records it.
#[derive(Debug, Clone)]
pub struct CallSaid {
    pub kind: CallKind,
    /// The household's customer number, when known.
    pub household: Option<String>,
    pub summary: String,
    /// Where the work is, for an order without a household (a fault in the street).
    pub location: Option<GeoPoint>,
    pub becomes: CallBecomes,
    /// When the call was taken (not after the act's time).
    pub at: DateTime<Utc>,
}

/// What a call becomes.
#[derive(Debug, Clone)]
pub enum CallBecomes {
    /// A work order of this kind (an alarm's is always a pipeline fault, opened major),
    /// dispatched at once to a technician or a crew when one is given, else left new.
    Order {
        kind: WorkOrderKind,
        /// Default: DH- and a number made from the call's id.
        number: Option<String>,
        assignee: Option<TechnicianId>,
        crew: Option<CrewId>,
    },
    /// The complaint with this number (opened before, e.g. by [`super::open_complaint`]).
    Complaint(String),
    /// Answered on the spot: what the caller was told.
    Answer(String),
}

/// What [`record_call`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecorded {
    pub call: CallId,
    /// The order it opened: its id and number.
    pub order: Option<(WorkOrderId, String)>,
}

/// Records a call in the call log and, when it becomes an order, opens the order in the same
/// transaction (an alarm always does). A value a rule refuses is [`Error::InvalidInput`] named
/// by the core's field (`call.summary`, `work_order.number`, …); nothing is written then.
pub(crate) fn record_call(
    storage: &dyn Storage,
    said: &CallSaid,
    act: &Act,
) -> Result<CallRecorded> {
    let id = CallId::new();
    let at = said.at;
    let becomes = match (said.kind, &said.becomes) {
        // An alarm always opens an emergency order, whatever else was chosen.
        (
            CallKind::Alarm,
            CallBecomes::Order {
                number,
                assignee,
                crew,
                ..
            },
        ) => CallBecomes::Order {
            kind: WorkOrderKind::PipelineFault,
            number: number.clone(),
            assignee: *assignee,
            crew: *crew,
        },
        (CallKind::Alarm, _) => CallBecomes::Order {
            kind: WorkOrderKind::PipelineFault,
            number: None,
            assignee: None,
            crew: None,
        },
        (_, other) => other.clone(),
    };
    storage::write(storage, |tx| {
        let household_id = match &said.household {
            Some(h) => Some(household_by_number(tx, h, "--household")?),
            None => None,
        };
        let summary = said.summary.trim();
        let mut opened = None;
        let outcome = match &becomes {
            CallBecomes::Order {
                kind,
                number,
                assignee,
                crew,
            } => {
                let number = number
                    .clone()
                    // Upper case, as the office's other generated numbers (`HF-…`, `TS-…`).
                    .unwrap_or_else(|| {
                        format!("DH-{}", id.0.simple().to_string()[20..].to_uppercase())
                    });
                if tx
                    .record_id_by_key(Entity::WorkOrder, number.trim())?
                    .is_some()
                {
                    return Err(Error::invalid(
                        "--order-number: 已有此编号的工单 / a work order with this number already exists",
                    ));
                }
                let mut order = if said.kind == CallKind::Alarm {
                    alarm_order(number.trim(), household_id, said.location, summary, at)
                } else {
                    let mut o = WorkOrder::open(
                        number.trim(),
                        *kind,
                        WorkOrderSource::Phone,
                        household_id,
                        summary,
                        at,
                    );
                    o.location = said.location;
                    o
                };
                order.number = order.number.trim().to_owned();
                if let Some(a) = assignee {
                    let record = tx
                        .record(Entity::Technician, &a.to_string())?
                        .ok_or(Error::NotFound("technician"))?;
                    if !decode::<Technician>(&record)?.active {
                        return Err(Error::invalid(
                            "--assignee: 该技术员已停用 / the technician is not active",
                        ));
                    }
                }
                if let Some(c) = crew {
                    require(tx, Entity::Crew, &c.to_string(), "crew")?;
                }
                order.assignee = *assignee;
                order.crew = *crew;
                order.targets =
                    district_targets(tx, household_id, *assignee, *crew, said.location)?;
                if order.assignee.is_some() || order.crew.is_some() {
                    order.advance(WorkOrderStatus::Dispatched, act.at, None)?;
                }
                order.validate()?;
                let order_id = order.id;
                opened = Some((order_id, order.number.clone()));
                put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
                audit(
                    tx,
                    act,
                    "work_order_created",
                    Entity::WorkOrder,
                    &order_id.to_string(),
                )?;
                CallOutcome::Order(order_id)
            }
            CallBecomes::Complaint(number) => {
                let (complaint, _) = complaint_by_number(tx, number).map_err(|_| {
                    Error::invalid("--complaint: 没有这个编号的投诉 / no complaint has this number")
                })?;
                CallOutcome::Complaint(complaint.id)
            }
            CallBecomes::Answer(answer) => CallOutcome::Answered(answer.trim().to_owned()),
        };
        let call = Call {
            id,
            kind: said.kind,
            at,
            taken_by: act.operator(),
            household_id,
            summary: summary.to_owned(),
            outcome,
        };
        call.validate()?;
        put_from_office(tx, &Record::Call(Box::new(call)))?;
        audit(tx, act, "call_taken", Entity::Call, &id.to_string())?;
        Ok(CallRecorded {
            call: id,
            order: opened.clone(),
        })
    })
}

/// `call take`: the operator's options, recorded by [`record_call`].
pub(super) fn take_call(
    storage: &dyn Storage,
    args: CallTake,
    act: &Act,
) -> Result<String, String> {
    let at = args.at.unwrap_or(act.at);
    if at > act.at {
        return Err("--at: 晚于现在 / is in the future".into());
    }
    let location = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(
            GeoPoint::new(lat, lon).map_err(|e| invalid_option(&format!("--{}", e.field), e))?,
        ),
        _ => None,
    };
    let order_kind = match (args.kind, args.order_kind) {
        (CallKind::Alarm, None | Some(WorkOrderKind::PipelineFault)) => {
            Some(WorkOrderKind::PipelineFault)
        }
        (CallKind::Alarm, Some(_)) => {
            return Err(
                "--order-kind: 报警电话生成管网抢险工单 / an alarm opens a pipeline fault".into(),
            );
        }
        (_, kind) => kind,
    };
    let becomes = if let Some(kind) = order_kind {
        CallBecomes::Order {
            kind,
            number: args.order_number.clone(),
            assignee: None,
            crew: None,
        }
    } else if let Some(number) = &args.complaint {
        CallBecomes::Complaint(number.clone())
    } else if let Some(answer) = &args.answer {
        CallBecomes::Answer(answer.clone())
    } else {
        return Err(
            "请给出 --order-kind、--complaint 或 --answer / give --order-kind, --complaint or --answer"
                .into(),
        );
    };
    let said = CallSaid {
        kind: args.kind,
        household: args.household.clone(),
        summary: args.summary.clone(),
        location,
        becomes,
        at,
    };
    let recorded = record_call(storage, &said, act).map_err(|e| match e {
        Error::InvalidInput(e) => {
            let option = match e.field.as_str() {
                "work_order.number" => return invalid_option("--order-number", e),
                f if f.starts_with("work_order") => return order_option(e),
                "call.summary" => "--summary",
                "call.outcome.answer" => "--answer",
                "call.outcome" => "--kind",
                "call.taken_by" => "--operator",
                other => other,
            }
            .to_owned();
            invalid_option(&option, e)
        }
        other => message(other),
    })?;
    Ok(match recorded.order {
        Some((order, _)) => format!("{}\n{order}", recorded.call),
        None => recorded.call.to_string(),
    })
}

pub(super) fn print_calls(storage: &dyn Storage) -> Result<(), String> {
    let rows = storage::read(storage, |tx| {
        let mut calls: Vec<Call> = every(tx, Entity::Call)?;
        calls.sort_by_key(|c| c.at);
        let mut rows = Vec::new();
        for c in calls {
            let household = match c.household_id {
                Some(h) => tx
                    .record(Entity::Household, &h.to_string())?
                    .and_then(|r| r.key),
                None => None,
            };
            let became = match &c.outcome {
                CallOutcome::Order(o) => match tx.record(Entity::WorkOrder, &o.to_string())? {
                    Some(r) => format!("order {}", decode::<WorkOrder>(&r)?.number),
                    None => format!("order {o}"),
                },
                CallOutcome::Complaint(id) => {
                    match tx
                        .record(Entity::Complaint, &id.to_string())?
                        .and_then(|r| r.key)
                    {
                        Some(number) => format!("complaint {number}"),
                        None => format!("complaint {id}"),
                    }
                }
                CallOutcome::Answered(_) => "answered".to_owned(),
            };
            rows.push(tsv(&[
                c.id.to_string(),
                c.at.to_rfc3339(),
                c.kind.as_str().to_owned(),
                or_dash(household),
                became,
                c.summary.clone(),
            ]));
        }
        Ok(rows)
    })
    .map_err(message)?;
    println!(
        "{}",
        tsv(&["id", "at", "kind", "household", "became", "summary"].map(str::to_owned))
    );
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
