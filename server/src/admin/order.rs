//! Work orders the service center opens (a customer's call, a fault in the street).

use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::calendar::service_timezone;
use doorstep_core::geo::GeoPoint;
use doorstep_core::ids::{CrewId, HouseholdId, TechnicianId};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::deadline::{DeadlineState, deadlines};
use doorstep_core::workorder::{
    AgreedBy, Appointment, AppointmentChange, RecordedBy, WorkOrder, WorkOrderStatus,
};

use crate::error::{Error, Result};
use crate::push::district_targets;
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage, StoredRecord, Tx};

use super::*;

pub(crate) fn create_order(
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
        order.class = args.class;
        if let (Some(from), Some(to)) = (args.appointment_from, args.appointment_to) {
            order.appointment = Some(Appointment { from, to });
        }
        order.targets =
            district_targets(tx, household_id, args.assignee, args.crew, location)?;
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

/// Whom an order is dispatched to: one technician, or a crew (any of its members).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchTo {
    Technician(TechnicianId),
    Crew(CrewId),
}

/// Dispatches an open order to a technician or a crew, or moves it to another (the console's
/// board; the same step as `order create --assignee/--crew`): the assignee and the crew are
/// replaced, a new order takes its `dispatched` step now, and the order is saved as the
/// office's, so that its buckets follow it (`records::put_from_office`): the new assignee's
/// phone receives it at its next pull, the previous one's is told it left. A technician who is
/// not active is refused. Audited as `work_order_dispatched`.
pub(crate) fn dispatch_order(
    tx: &mut dyn Tx,
    mut order: WorkOrder,
    to: DispatchTo,
    act: &Act,
) -> Result<StoredRecord> {
    match to {
        DispatchTo::Technician(t) => {
            let record = tx
                .record(Entity::Technician, &t.to_string())?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("technician"))?;
            if !decode::<Technician>(&record)?.active {
                return Err(Error::invalid("the technician is not active"));
            }
            order.assignee = Some(t);
            order.crew = None;
        }
        DispatchTo::Crew(c) => {
            require(tx, Entity::Crew, &c.to_string(), "crew")?;
            order.assignee = None;
            order.crew = Some(c);
        }
    }
    if order.status() == WorkOrderStatus::New {
        order.advance(
            WorkOrderStatus::Dispatched,
            act.at.max(order.reported_at),
            None,
        )?;
    }
    order.validate()?;
    let id = order.id.to_string();
    let stored = put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
    audit(tx, act, "work_order_dispatched", Entity::WorkOrder, &id)?;
    Ok(stored)
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
        "work_order.class" => invalid_option("--class", e),
        "work_order.appointment" => invalid_option("--appointment-from", e),
        "work_order.class_change.reason" => invalid_option("--reason", e),
        "work_order.leadership_report" | "work_order.leadership_report.told" => {
            invalid_option("--told", e)
        }
        "work_order.leadership_report.at" => invalid_option("--at", e),
        "work_order.appointment.window" => invalid_option("--from/--to", e),
        "work_order.appointment.agreed_by" => invalid_option("--contact", e),
        "work_order.appointment.agreed_at" => invalid_option("--agreed-at", e),
        "work_order.appointment.recorded_at" => invalid_option("--from", e),
        _ => e.to_string(),
    }
}

/// The operator, as an order's record names who did something at the office.
fn office(act: &Act) -> RecordedBy {
    RecordedBy::Office {
        operator: act.operator(),
    }
}

/// Changes the order numbered `number` with `f` (which refuses bad input as the core does),
/// saves it as the office's and audits `action`; nothing is stored when `f` refuses.
fn change_order(
    storage: &dyn Storage,
    number: &str,
    act: &Act,
    action: &str,
    f: impl Fn(&mut WorkOrder) -> std::result::Result<(), InvalidInput>,
) -> Result<(), String> {
    storage::write(storage, |tx| {
        let id = tx
            .record_id_by_key(Entity::WorkOrder, number.trim())?
            .ok_or(Error::NotFound("work order"))?;
        let record = tx
            .record(Entity::WorkOrder, &id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("work order"))?;
        let mut order: WorkOrder = decode(&record)?;
        f(&mut order).map_err(|e| Error::invalid(order_option(e)))?;
        order
            .validate()
            .map_err(|e| Error::invalid(order_option(e)))?;
        put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
        audit(tx, act, action, Entity::WorkOrder, &id)
    })
    .map_err(message)
}

/// `order raise`: an ordinary pipeline fault becomes major now.
pub(super) fn raise_order(
    storage: &dyn Storage,
    number: &str,
    reason: &str,
    act: &Act,
) -> Result<(), String> {
    change_order(storage, number, act, "work_order_raised", |order| {
        order.raise_to_major(act.at, office(act), reason)
    })
}

/// `order report-leadership`: who at the top was told of a major fault, and when.
pub(crate) fn report_leadership(
    storage: &dyn Storage,
    number: &str,
    told: &str,
    at: Option<DateTime<Utc>>,
    act: &Act,
) -> Result<(), String> {
    let at = at.unwrap_or(act.at);
    if at > act.at {
        return Err("--at: 晚于现在 / is in the future".into());
    }
    change_order(
        storage,
        number,
        act,
        "work_order_leadership_reported",
        |order| order.report_to_leadership(told, at, office(act)),
    )
}

/// `order appointment`: a changed appointment the user (or their contact) agreed to.
pub(super) fn change_appointment(
    storage: &dyn Storage,
    args: OrderAppointment,
    act: &Act,
) -> Result<(), String> {
    let agreed_at = args.agreed_at.unwrap_or(act.at);
    if agreed_at > act.at {
        return Err("--agreed-at: 晚于现在 / is in the future".into());
    }
    let agreed_by = match args.contact {
        Some(name) => AgreedBy::Contact {
            name: name.trim().to_owned(),
        },
        None => AgreedBy::User,
    };
    let change = AppointmentChange {
        window: Appointment {
            from: args.from,
            to: args.to,
        },
        agreed_by,
        agreed_at,
        recorded_at: act.at,
        recorded_by: office(act),
    };
    change_order(
        storage,
        &args.number,
        act,
        "work_order_appointment_changed",
        |order| order.change_appointment(change.clone()),
    )
}

/// `order deadlines`: each clock of the order, judged on its stamped targets, as
/// `milestone<TAB>due<TAB>state<TAB>detail`: met (in time), late (met late), open (still
/// running) or overdue (missed, not met yet); times in the service timezone.
pub(super) fn order_deadlines(
    storage: &dyn Storage,
    number: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let order: WorkOrder = storage::read(storage, |tx| {
        let id = tx
            .record_id_by_key(Entity::WorkOrder, number.trim())?
            .ok_or(Error::NotFound("work order"))?;
        let record = tx
            .record(Entity::WorkOrder, &id)?
            .ok_or(Error::NotFound("work order"))?;
        decode(&record)
    })
    .map_err(message)?;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&service_timezone())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let minutes = |d: chrono::Duration| d.num_minutes();
    let mut out = String::new();
    for d in deadlines(&order) {
        let (state, detail) = match d.state(now) {
            DeadlineState::Met { margin } => ("met", format!("{} min early", minutes(margin))),
            DeadlineState::MetLate { late_by } => {
                ("late", format!("{} min late", minutes(late_by)))
            }
            DeadlineState::Pending { remaining } => {
                ("open", format!("{} min left", minutes(remaining)))
            }
            DeadlineState::Breached { overdue_by } => {
                ("overdue", format!("{} min overdue", minutes(overdue_by)))
            }
        };
        out.push_str(&format!(
            "{}\t{}\t{state}\t{detail}\n",
            d.milestone.as_str(),
            local(d.due_at)
        ));
    }
    Ok(out)
}

/// `order delivery`: when the order was reported, reached its technician's phone and was
/// accepted, as `what<TAB>when<TAB>detail` lines, in the service timezone
/// (`crate::delivery`). A step not reached yet prints `-`.
pub(super) fn order_delivery(storage: &dyn Storage, number: &str) -> Result<String, String> {
    let d = crate::delivery::order_delivery(storage, number).map_err(message)?;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&service_timezone())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let after =
        |t: DateTime<Utc>| format!("{} min after the report", (t - d.reported_at).num_minutes());
    let mut out = format!("reported\t{}\t\n", local(d.reported_at));
    match (&d.reached, &d.served_unconfirmed) {
        (Some(r), _) => out.push_str(&format!(
            "reached_phone\t{}\tdevice {}, {}\n",
            local(r.at),
            r.device_id,
            after(r.at)
        )),
        (None, Some(r)) => out.push_str(&format!(
            "reached_phone\t-\tserved to device {} at {}, not confirmed yet\n",
            r.device_id,
            local(r.at)
        )),
        (None, None) => out.push_str("reached_phone\t-\tnot served yet\n"),
    }
    match d.accepted_at {
        Some(at) => out.push_str(&format!("accepted\t{}\t{}\n", local(at), after(at))),
        None => out.push_str("accepted\t-\tnot yet\n"),
    }
    Ok(out)
}
