//! Work orders the service center opens (a customer's call, a fault in the street).

use doorstep_core::InvalidInput;
use doorstep_core::geo::GeoPoint;
use doorstep_core::ids::HouseholdId;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage};

use super::*;

pub(super) fn create_order(
    storage: &dyn Storage,
    args: OrderCreate,
    act: &Act,
) -> Result<String, String> {
    let now = act.at;
    let reported_at = args.reported_at.unwrap_or(now);
    if reported_at > now {
        return Err("--reported-at: 晚于现在 / is in the future".into());
    }
    let location = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(
            GeoPoint::new(lat, lon).map_err(|e| invalid_option(&format!("--{}", e.field), e))?,
        ),
        _ => None,
    };
    storage::write(storage, |tx| {
        if tx
            .record_id_by_key(Entity::WorkOrder, &args.number)?
            .is_some()
        {
            return Err(Error::invalid(
                "--number: a work order with this number already exists",
            ));
        }
        let household_id = match &args.household {
            Some(number) => {
                let id = tx
                    .record_id_by_key(Entity::Household, number.trim())?
                    .ok_or_else(|| {
                        Error::invalid(
                            "--household: 没有这个用户编号的用户 / no household has this customer number",
                        )
                    })?;
                Some(id.parse::<HouseholdId>().map_err(Error::from)?)
            }
            None => None,
        };
        if let Some(a) = args.assignee {
            let record = tx
                .record(Entity::Technician, &a.to_string())?
                .ok_or(Error::NotFound("technician"))?;
            if !decode::<Technician>(&record)?.active {
                return Err(Error::invalid(
                    "--assignee: the technician is not active",
                ));
            }
        }
        if let Some(c) = args.crew {
            require(tx, Entity::Crew, &c.to_string(), "crew")?;
        }
        let mut order = WorkOrder::open(
            args.number.trim(),
            args.kind,
            args.source,
            household_id,
            args.description.trim(),
            reported_at,
        );
        order.location = location;
        if let Some(number) = &args.complaint {
            order.follows = Some(super::complaint::follows_complaint(tx, number)?);
        }
        order.assignee = args.assignee;
        order.crew = args.crew;
        if order.assignee.is_some() || order.crew.is_some() {
            order
                .advance(WorkOrderStatus::Dispatched, now, None)
                .map_err(|e| Error::invalid(order_option(e)))?;
        }
        order
            .validate()
            .map_err(|e| Error::invalid(order_option(e)))?;
        let id = order.id.to_string();
        put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
        audit(tx, act, "work_order_created", Entity::WorkOrder, &id)?;
        Ok(id)
    })
    .map_err(message)
}

/// A work order's problem, named by the option that caused it.
pub(super) fn order_option(e: InvalidInput) -> String {
    match e.field.as_str() {
        "work_order.number" => invalid_option("--number", e),
        "work_order.description" => invalid_option("--description", e),
        "work_order.household_id" => {
            "请给出 --household，或 --lat 和 --lon / give --household or --lat and --lon".to_owned()
        }
        "work_order.steps" | "work_order.status" => invalid_option("--reported-at", e),
        _ => e.to_string(),
    }
}
