//! Work orders in the store.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::households::{append_history, ensure_household};
use super::{Store, ts};
use crate::error::{Error, Result};
use crate::geo::GeoPoint;
use crate::household::HistoryKind;
use crate::ids::WorkOrderId;
use crate::sync::protocol::Operation;
use crate::text::{said, with_detail};
use crate::workorder::{WorkOrder, WorkOrderStatus};

impl Store {
    /// Opens a work order on the device (an order raised at the door): validated, noted on the
    /// household's timeline and queued for upload.
    pub fn open_work_order(&mut self, order: &WorkOrder) -> Result<()> {
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
            write_order(c, &order)?;
            if let Some(household) = order.household_id {
                append_history(
                    c,
                    household,
                    at,
                    HistoryKind::WorkOrderStatus,
                    Some(&id.to_string()),
                    &with_detail(
                        &said(
                            format!("工单 {}", order.number),
                            format!("work order {}", order.number),
                        ),
                        &status.label(),
                    ),
                )?;
            }
            c.append(&Operation::WorkOrderMoved {
                work_order_id: id,
                status,
                at,
                position,
            })?;
            Ok(order)
        })
    }
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
