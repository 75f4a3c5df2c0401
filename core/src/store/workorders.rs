//! Work orders in the store.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::households::{append_history, ensure_household};
use super::{Store, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::geo::GeoPoint;
use crate::household::HistoryKind;
use crate::ids::{TechnicianId, WorkOrderId};
use crate::sync::protocol::Operation;
use crate::team::District;
use crate::text::{Text, said, with_detail};
use crate::workorder::{
    AgreedBy, Appointment, AppointmentChange, DeadlinePolicy, FaultClass, RecordedBy, WorkOrder,
    WorkOrderStatus,
};

impl Store {
    /// Opens a work order on the device (an order raised at the door): stamped with the targets
    /// of its district (its household's, else the technician's; the defaults when the phone
    /// knows neither), validated, noted on the household's timeline and queued for upload.
    pub fn open_work_order(&mut self, order: &WorkOrder) -> Result<()> {
        let technician = self.sync_state()?.technician_id;
        let mut stamped = order.clone();
        stamped.targets = district_targets(&self.conn, order, technician)?;
        let order = &stamped;
        order.validate()?;
        self.change(|c| {
            if load_order(c, order.id)?.is_some() {
                return Err(Error::Duplicate { what: "work order" });
            }
            write_order(c, order)?;
            if let Some(household) = order.household_id {
                append_history(
                    c,
                    household,
                    order.reported_at,
                    HistoryKind::WorkOrder,
                    Some(&order.id.to_string()),
                    &with_detail(&said("已开工单", "work order opened"), &order.kind.label()),
                )?;
            }
            c.append(&Operation::WorkOrderOpened {
                order: Box::new(order.clone()),
            })?;
            Ok(())
        })
    }

    /// Stores orders received from the back office (no outbox entries).
    pub fn receive_work_orders(&mut self, orders: &[WorkOrder]) -> Result<()> {
        self.receive_all(orders, WorkOrder::validate, |tx, o| write_order(tx, o))
    }

    pub fn work_order(&self, id: WorkOrderId) -> Result<WorkOrder> {
        load_order(&self.conn, id)?.ok_or(Error::NotFound { what: "work order" })
    }

    /// Moves an order to `status` at `at`, the device's clock when the technician did it (it may
    /// be offline: deadlines are judged on this time). A move backwards is refused with a typed
    /// error and changes nothing. A move to the final status the order already has (the app
    /// resolving an order its sealed repair closing resolved) is a repeat: the order as it is,
    /// no second step.
    pub fn move_work_order(
        &mut self,
        id: WorkOrderId,
        status: WorkOrderStatus,
        at: DateTime<Utc>,
        position: Option<GeoPoint>,
    ) -> Result<WorkOrder> {
        self.milestone(|c| {
            let mut order = load_order(c, id)?.ok_or(Error::NotFound { what: "work order" })?;
            if status.is_final() && order.status() == status {
                return Ok(order);
            }
            order.advance(status, at, position)?;
            let moved = Operation::WorkOrderMoved {
                work_order_id: id,
                status,
                at,
                position,
            };
            record_change(c, &order, at, &status.label(), &moved)?;
            Ok(order)
        })
    }

    /// The enrolled technician declines an order assigned to them (before accepting it) or
    /// hands it back, with a reason: it leaves their list, unassigned, and the office dispatches
    /// it again. Its status does not move.
    pub fn hand_back_work_order(
        &mut self,
        id: WorkOrderId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<WorkOrder> {
        let technician = self.sync_state()?.technician_id.ok_or(Error::NotEnrolled)?;
        let crew = self.technician(technician)?.crew_id;
        self.order_change(id, at, |order| {
            let back = order.hand_back(technician, crew, at, reason)?;
            let what = if back.declined {
                said("工单已拒接", "order declined")
            } else {
                said("工单已退回", "order handed back")
            };
            Ok((
                what,
                Operation::WorkOrderHandedBack {
                    work_order_id: id,
                    at,
                    reason: back.reason,
                },
            ))
        })
    }

    /// Records an appointment the user agreed to change (who agreed, when), by the enrolled
    /// technician. A change recorded after the clock ran out is kept but leaves the clock.
    pub fn change_work_order_appointment(
        &mut self,
        id: WorkOrderId,
        window: Appointment,
        agreed_by: AgreedBy,
        agreed_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<WorkOrder> {
        let technician = self.sync_state()?.technician_id.ok_or(Error::NotEnrolled)?;
        let change = AppointmentChange {
            window,
            agreed_by,
            agreed_at,
            recorded_at: at,
            recorded_by: RecordedBy::Technician { technician },
        };
        self.order_change(id, at, |order| {
            order.change_appointment(change.clone())?;
            Ok((
                said("上门时间已改约", "appointment changed"),
                Operation::WorkOrderAppointmentChanged {
                    work_order_id: id,
                    change: Box::new(change),
                },
            ))
        })
    }

    /// The crew on site raises an ordinary pipeline fault to major, with a reason: the major
    /// clocks start now, and the ordinary ones it had stay.
    pub fn raise_work_order_class(
        &mut self,
        id: WorkOrderId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<WorkOrder> {
        let technician = self.sync_state()?.technician_id.ok_or(Error::NotEnrolled)?;
        self.order_change(id, at, |order| {
            order.raise_to_major(at, RecordedBy::Technician { technician }, reason)?;
            Ok((
                with_detail(
                    &said("工单升级为", "order raised to"),
                    &FaultClass::Major.label(),
                ),
                Operation::WorkOrderClassRaised {
                    work_order_id: id,
                    at,
                    reason: reason.trim().to_owned(),
                },
            ))
        })
    }

    /// One change of an order from the field: `f` changes it and says what to note on the
    /// household's timeline and what to send; all of it is stored in one transaction, or
    /// nothing is.
    fn order_change(
        &mut self,
        id: WorkOrderId,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut WorkOrder) -> std::result::Result<(Text, Operation), InvalidInput>,
    ) -> Result<WorkOrder> {
        self.milestone(|c| {
            let mut order = load_order(c, id)?.ok_or(Error::NotFound { what: "work order" })?;
            let (what, operation) = f(&mut order)?;
            record_change(c, &order, at, &what, &operation)?;
            Ok(order)
        })
    }
}

/// Writes `order` as a step of the technician's changed it (`what`, at `at`): the order, its
/// line on its household's timeline, and the operation that tells the server, in the caller's
/// transaction.
pub(super) fn record_change(
    c: &mut super::Change<'_>,
    order: &WorkOrder,
    at: DateTime<Utc>,
    what: &Text,
    operation: &Operation,
) -> Result<()> {
    write_order(c, order)?;
    if let Some(household) = order.household_id {
        append_history(
            c,
            household,
            at,
            HistoryKind::WorkOrderStatus,
            Some(&order.id.to_string()),
            &with_detail(
                &said(
                    format!("工单 {}", order.number),
                    format!("work order {}", order.number),
                ),
                what,
            ),
        )?;
    }
    c.append(operation)?;
    Ok(())
}

/// The targets an order opened on this phone is stamped with: its household's district's,
/// else the technician's district's, else the defaults.
fn district_targets(
    conn: &Connection,
    order: &WorkOrder,
    technician: Option<TechnicianId>,
) -> Result<DeadlinePolicy> {
    let of_household: Option<String> = match order.household_id {
        Some(h) => conn
            .prepare_cached("SELECT district_id FROM households WHERE id = ?1")?
            .query_row([h], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten(),
        None => None,
    };
    let district = match (of_household, technician) {
        (Some(d), _) => Some(d),
        (None, Some(t)) => conn
            .prepare_cached("SELECT district_id FROM technicians WHERE id = ?1")?
            .query_row([t], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten(),
        (None, None) => None,
    };
    let Some(district) = district else {
        return Ok(DeadlinePolicy::default());
    };
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM districts WHERE id = ?1")?
        .query_row([district], |r| r.get(0))
        .optional()?;
    Ok(match doc {
        Some(doc) => *serde_json::from_str::<District>(&doc)?.policy,
        None => DeadlinePolicy::default(),
    })
}

pub(super) fn write_order(conn: &Connection, o: &WorkOrder) -> Result<()> {
    if let Some(household) = o.household_id {
        ensure_household(conn, household)?;
    }
    store_order(conn, o)
}

/// Writes the order's row without checking its household is here (a pull may bring the
/// household in a later page).
pub(super) fn store_order(conn: &Connection, o: &WorkOrder) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO work_orders(id, number, kind, status, household_id, assignee, crew_id, reported_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET number = excluded.number, kind = excluded.kind, status = excluded.status,
           household_id = excluded.household_id, assignee = excluded.assignee, crew_id = excluded.crew_id,
           reported_at = excluded.reported_at, doc = excluded.doc",
    )?
    .execute(params![
        o.id,
        o.number,
        o.kind.as_str(),
        o.status().as_str(),
        o.household_id,
        o.assignee,
        o.crew,
        ts(&o.reported_at),
        serde_json::to_string(o)?
    ])
    .map_err(|e| match e {
        // The order number taken by another order; any other constraint is not a clash.
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Error::Duplicate { what: "work order number" }
        }
        e => e.into(),
    })?;
    Ok(())
}

pub(super) fn load_order(conn: &Connection, id: WorkOrderId) -> Result<Option<WorkOrder>> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM work_orders WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    doc.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
}
