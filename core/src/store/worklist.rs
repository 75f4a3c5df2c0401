//! Gathers what the day's work list needs from the store; the ordering rule itself lives in
//! [`crate::schedule::worklist`].

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::Store;
use crate::calendar::local_date;
use crate::error::Result;
use crate::geo::GeoPoint;
use crate::household::Household;
use crate::ids::{HouseholdId, TechnicianId, WorkOrderId};
use crate::schedule::worklist::{
    InspectionCandidate, OrderCandidate, Task, WorkItem, WorkListOptions, work_list,
};
use crate::workorder::WorkOrder;

/// The day's work list with the records it was drawn from: the orders on it and the
/// households of its lines, read once (the Today screen draws 500 lines from them).
#[derive(Debug, Default)]
pub struct WorkDay {
    pub items: Vec<WorkItem>,
    pub orders: HashMap<WorkOrderId, WorkOrder>,
    pub households: HashMap<HouseholdId, Household>,
}

impl Store {
    /// The day's work list of `technician` at `now`, walking from `start` (the device's
    /// position, when known).
    pub fn work_list(
        &self,
        technician: TechnicianId,
        now: DateTime<Utc>,
        start: Option<GeoPoint>,
        options: &WorkListOptions,
    ) -> Result<Vec<WorkItem>> {
        Ok(self.work_day(technician, now, start, options)?.items)
    }

    /// [`Store::work_list`] with the orders and households of its lines.
    pub fn work_day(
        &self,
        technician: TechnicianId,
        now: DateTime<Utc>,
        start: Option<GeoPoint>,
        options: &WorkListOptions,
    ) -> Result<WorkDay> {
        let tech = self.technician(technician)?;
        let mut orders_stmt = self.conn.prepare_cached(
            "SELECT o.doc, h.special_group, h.lat, h.lon FROM work_orders o LEFT JOIN households h ON h.id = o.household_id
             WHERE o.status NOT IN ('resolved', 'referred_elsewhere', 'cancelled')
               AND (o.assignee = ?1 OR (o.assignee IS NULL AND o.crew_id = ?2))",
        )?;
        let orders = orders_stmt
            .query_map(params![technician, tech.crew_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<bool>>(1)?,
                    r.get::<_, Option<f64>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                ))
            })?
            .map(|row| {
                let (doc, special, lat, lon) = row?;
                let order: WorkOrder = serde_json::from_str(&doc)?;
                let location = order.location.or_else(|| point(lat, lon));
                Ok(OrderCandidate {
                    order,
                    special_group: special.unwrap_or(false),
                    location,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut orders_by_id: HashMap<WorkOrderId, WorkOrder> = orders
            .iter()
            .map(|c| (c.order.id, c.order.clone()))
            .collect();
        let mut households: HashMap<HouseholdId, Household> = HashMap::new();
        let mut inspections = Vec::new();
        if let Some(district) = tech.district_id {
            let by = local_date(now) + Duration::days(options.horizon_days);
            // Only the most overdue can make the list, and not a household an order already
            // takes the technician to (the list's rule, `work_list`): read just those, so a day
            // of 475 orders does not parse 500 households to keep 25.
            let with_orders: Vec<HouseholdId> =
                orders.iter().filter_map(|c| c.order.household_id).collect();
            let mut stmt = self.conn.prepare_cached(
                "SELECT doc, inspection_due_on FROM households
                 WHERE district_id = ?1 AND inspection_due_on <= ?2
                   AND id NOT IN (SELECT value FROM json_each(?4))
                 ORDER BY inspection_due_on, special_group DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![
                    district,
                    by,
                    options.max_inspections as i64,
                    serde_json::to_string(&with_orders)?
                ],
                |r| Ok((r.get::<_, String>(0)?, r.get(1)?)),
            )?;
            for row in rows {
                let (doc, due_on) = row?;
                let h: Household = serde_json::from_str(&doc)?;
                inspections.push(InspectionCandidate {
                    household_id: h.id,
                    category: h.category,
                    due_on,
                    special_group: h.is_special_group(),
                    location: h.location,
                });
                households.insert(h.id, h);
            }
        }
        let items = work_list(orders, inspections, start, now, options);
        // Keep what the lines use: the orders on the list, and the households of its lines
        // (those of the orders are read now, in one query; the inspections' were read above).
        let on_list: HashSet<WorkOrderId> = items
            .iter()
            .filter_map(|i| match i.task {
                Task::Order { work_order_id, .. } => Some(work_order_id),
                Task::Inspection { .. } => None,
            })
            .collect();
        orders_by_id.retain(|id, _| on_list.contains(id));
        let lines: HashSet<HouseholdId> = items.iter().filter_map(|i| i.household_id).collect();
        households.retain(|id, _| lines.contains(id));
        let missing: Vec<HouseholdId> = lines
            .iter()
            .filter(|id| !households.contains_key(id))
            .copied()
            .collect();
        households.extend(self.households_by_id(&missing)?);
        Ok(WorkDay {
            items,
            orders: orders_by_id,
            households,
        })
    }
}

fn point(lat: Option<f64>, lon: Option<f64>) -> Option<GeoPoint> {
    GeoPoint::new(lat?, lon?).ok()
}
