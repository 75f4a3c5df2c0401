//! When each work order reached its phone, and when it was accepted (issue 23): urgent work must
//! reach the phone within its 30- and 60-minute targets, and the office (the console, issue 26;
//! `doorstep admin order delivery`) sees whether it did.
//!
//! An order *reached* a device when it was served in a pull page that the device then
//! acknowledged: a device applies a page and its cursor in one transaction and asks the next page
//! (or its next pull) with that cursor, so a cursor at or past the change's `seq` proves the page
//! was applied. The time kept is when the page was served (the device applies it within moments);
//! the acknowledgement only confirms it. A page never acknowledged (the phone lost the answer, or
//! has not synced since its last page) shows as served, unconfirmed. Only an order's first
//! delivery to each device is kept: later versions of it change nothing for the target.
//! *Accepted* is the order's own Accepted step, with the time it counts at (the device's clock
//! when the technician tapped it, as the server took it in): nothing is stored for it here.
//! docs/adr/0007-app-layer.md has the decision.

use chrono::{DateTime, Utc};
use doorstep_core::ids::TechnicianId;
use doorstep_core::sync::protocol::{Entity, PullResponse};
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};

use crate::error::{Error, Result};
use crate::pull::Served;
use crate::push::Device;
use crate::records::decode;
use crate::storage::{self, DeliveryRow, Storage, Tx};

/// What a served page changes in the delivery record: decided in the pull's read transaction,
/// written after it in a write transaction only when there is something to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    device_id: String,
    /// The cursor the device asked with: everything served to it up to here reached it.
    acknowledged_through: Option<i64>,
    served: Vec<DeliveryRow>,
}

/// The plan for one served page: the orders it serves, and what the device's cursor
/// acknowledges. `None` when nothing changes (most pulls).
pub fn plan(
    tx: &mut dyn Tx,
    device: &Device,
    cursor: &str,
    page: &PullResponse<Served>,
    at: DateTime<Utc>,
) -> Result<Option<Plan>> {
    let acknowledged_through = if page.reset { None } else { cursor_seq(cursor) };
    let acknowledged_through = match acknowledged_through {
        Some(seq) if tx.deliveries_waiting(&device.id, seq)? > 0 => Some(seq),
        _ => None,
    };
    let served: Vec<DeliveryRow> = page
        .changes
        .iter()
        .filter_map(Served::work_order_put)
        .map(|(id, seq)| DeliveryRow {
            order_id: id.to_owned(),
            device_id: device.id.clone(),
            technician_id: device.technician.id.to_string(),
            seq,
            served_at: at,
            acknowledged_at: None,
        })
        .collect();
    if acknowledged_through.is_none() && served.is_empty() {
        return Ok(None);
    }
    Ok(Some(Plan {
        device_id: device.id.clone(),
        acknowledged_through,
        served,
    }))
}

/// Writes a plan (acknowledgement first: a row served in this very page is not acknowledged by
/// the cursor that asked for it).
pub fn record(storage: &dyn Storage, plan: &Plan, at: DateTime<Utc>) -> Result<()> {
    storage::write(storage, |tx| {
        if let Some(through) = plan.acknowledged_through {
            tx.acknowledge_deliveries(&plan.device_id, through, at)?;
        }
        for row in &plan.served {
            tx.put_delivery(row)?;
        }
        Ok(())
    })
}

/// The `<seq>` of a cursor `<seq>.<scope fingerprint>`; none for a first pull.
fn cursor_seq(cursor: &str) -> Option<i64> {
    let (seq, _) = cursor.split_once('.')?;
    seq.parse().ok().filter(|s| *s > 0)
}

/// When an order reached its phone and when it was accepted, as the office sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDelivery {
    pub reported_at: DateTime<Utc>,
    /// The first delivery to a device of its assigned technician (of any device when it has no
    /// assignee) that the device acknowledged.
    pub reached: Option<Reached>,
    /// Served to such a device but not acknowledged yet (when none was acknowledged).
    pub served_unconfirmed: Option<Reached>,
    /// The Accepted step: when it counts, by the device's clock.
    pub accepted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reached {
    pub at: DateTime<Utc>,
    pub device_id: String,
}

impl OrderDelivery {
    /// Decided from the order and its delivery rows alone.
    pub fn of(order: &WorkOrder, rows: &[DeliveryRow]) -> Self {
        let assignee = order.assignee.map(|t: TechnicianId| t.to_string());
        let theirs = |r: &&DeliveryRow| assignee.as_ref().is_none_or(|a| *a == r.technician_id);
        let first = |confirmed: bool| {
            rows.iter()
                .filter(theirs)
                .filter(|r| r.acknowledged_at.is_some() == confirmed)
                .min_by_key(|r| r.served_at)
                .map(|r| Reached {
                    at: r.served_at,
                    device_id: r.device_id.clone(),
                })
        };
        let reached = first(true);
        let served_unconfirmed = if reached.is_none() {
            first(false)
        } else {
            None
        };
        let accepted_at = order
            .steps
            .iter()
            .find(|s| s.status == WorkOrderStatus::Accepted)
            .map(|s| s.at);
        Self {
            reported_at: order.reported_at,
            reached,
            served_unconfirmed,
            accepted_at,
        }
    }

    /// Minutes from the report to the phone, when it reached it.
    pub fn minutes_to_phone(&self) -> Option<i64> {
        self.reached
            .as_ref()
            .map(|r| (r.at - self.reported_at).num_minutes())
    }
}

/// The delivery of the order numbered `number`.
pub fn order_delivery(storage: &dyn Storage, number: &str) -> Result<OrderDelivery> {
    storage::read(storage, |tx| {
        let id = tx
            .record_id_by_key(Entity::WorkOrder, number.trim())?
            .ok_or(Error::NotFound("work order"))?;
        let record = tx
            .record(Entity::WorkOrder, &id)?
            .ok_or(Error::NotFound("work order"))?;
        let order: WorkOrder = decode(&record)?;
        let rows = tx.deliveries(&id)?;
        Ok(OrderDelivery::of(&order, &rows))
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use doorstep_core::workorder::{WorkOrderKind, WorkOrderSource};

    use super::*;

    fn row(tech: &str, device: &str, at: DateTime<Utc>, acked: bool) -> DeliveryRow {
        DeliveryRow {
            order_id: "o".into(),
            device_id: device.into(),
            technician_id: tech.into(),
            seq: 1,
            served_at: at,
            acknowledged_at: acked.then_some(at + Duration::minutes(5)),
        }
    }

    #[test]
    fn an_order_reached_the_phone_of_its_assignee_when_a_page_was_acknowledged() {
        let t0 = Utc::now();
        let mut order = WorkOrder::open(
            "QX-1",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            None,
            "",
            t0,
        );
        let me = TechnicianId::new();
        order.assignee = Some(me);
        let rows = [
            row("someone-else", "d0", t0 + Duration::minutes(1), true),
            row(&me.to_string(), "d1", t0 + Duration::minutes(4), false),
        ];
        let d = OrderDelivery::of(&order, &rows);
        assert_eq!(d.reached, None, "another technician's phone does not count");
        assert_eq!(d.served_unconfirmed.as_ref().unwrap().device_id, "d1");

        let rows = [
            row(&me.to_string(), "d2", t0 + Duration::minutes(9), true),
            row(&me.to_string(), "d1", t0 + Duration::minutes(4), false),
        ];
        let d = OrderDelivery::of(&order, &rows);
        assert_eq!(d.reached.as_ref().unwrap().device_id, "d2");
        assert_eq!(d.minutes_to_phone(), Some(9));
        assert_eq!(d.served_unconfirmed, None);
        assert_eq!(d.accepted_at, None);
    }

    #[test]
    fn a_first_pull_acknowledges_nothing() {
        assert_eq!(cursor_seq(""), None);
        assert_eq!(cursor_seq("0.abc"), None);
        assert_eq!(cursor_seq("42.abc"), Some(42));
        assert_eq!(cursor_seq("x.abc"), None);
    }
}
