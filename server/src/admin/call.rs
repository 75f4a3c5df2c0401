//! The call log (Art.5(1), Art.13): every call the service center takes, with what it became.
//! A call that opens an order opens it in the same transaction; an alarm always does (a
//! pipeline fault). Calls are the office's: stored with no bucket.

use doorstep_core::calls::{Call, CallKind, CallOutcome, alarm_order};
use doorstep_core::geo::GeoPoint;
use doorstep_core::ids::CallId;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};

use crate::error::{Error, Result};
use crate::push::district_targets;
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage};

use super::complaint::{complaint_by_number, every, household_by_number};
use super::order::order_option;
use super::*;

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
    let id = CallId::new();
    storage::write(storage, |tx| {
        let household_id = match &args.household {
            Some(h) => Some(household_by_number(tx, h, "--household")?),
            None => None,
        };
        let summary = args.summary.trim();
        let mut opened = None;
        let outcome = if let Some(kind) = order_kind {
            let number = args
                .order_number
                .clone()
                .unwrap_or_else(|| format!("DH-{}", &id.0.simple().to_string()[20..]));
            if tx.record_id_by_key(Entity::WorkOrder, number.trim())?.is_some() {
                return Err(Error::invalid(
                    "--order-number: 已有此编号的工单 / a work order with this number already exists",
                ));
            }
            let mut order = if args.kind == CallKind::Alarm {
                alarm_order(number.trim(), household_id, location, summary, at)
            } else {
                let mut o = WorkOrder::open(
                    number.trim(),
                    kind,
                    WorkOrderSource::Phone,
                    household_id,
                    summary,
                    at,
                );
                o.location = location;
                o
            };
            order.number = order.number.trim().to_owned();
            order.targets = district_targets(tx, household_id, None, None, location)?;
            order.validate().map_err(|e| {
                Error::invalid(match e.field.as_str() {
                    "work_order.number" => invalid_option("--order-number", e),
                    _ => order_option(e),
                })
            })?;
            let order_id = order.id;
            put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
            audit(
                tx,
                act,
                "work_order_created",
                Entity::WorkOrder,
                &order_id.to_string(),
            )?;
            opened = Some(order_id);
            CallOutcome::Order(order_id)
        } else if let Some(number) = &args.complaint {
            let (complaint, _) = complaint_by_number(tx, number).map_err(|_| {
                Error::invalid("--complaint: 没有这个编号的投诉 / no complaint has this number")
            })?;
            CallOutcome::Complaint(complaint.id)
        } else if let Some(answer) = &args.answer {
            CallOutcome::Answered(answer.trim().to_owned())
        } else {
            return Err(Error::invalid(
                "请给出 --order-kind、--complaint 或 --answer / give --order-kind, --complaint or --answer",
            ));
        };
        let call = Call {
            id,
            kind: args.kind,
            at,
            taken_by: act.operator(),
            household_id,
            summary: summary.to_owned(),
            outcome,
        };
        call.validate().map_err(|e| {
            let option = match e.field.as_str() {
                "call.summary" => "--summary",
                "call.outcome.answer" => "--answer",
                "call.outcome" => "--kind",
                "call.taken_by" => "--operator",
                other => other,
            }
            .to_owned();
            Error::invalid(invalid_option(&option, e))
        })?;
        put_from_office(tx, &Record::Call(Box::new(call)))?;
        audit(tx, act, "call_taken", Entity::Call, &id.to_string())?;
        Ok(match opened {
            Some(order) => format!("{id}\n{order}"),
            None => id.to_string(),
        })
    })
    .map_err(message)
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
