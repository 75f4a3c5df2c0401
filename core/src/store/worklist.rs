//! Gathers what the day's work list needs from the store; the ordering rule itself lives in
//! [`crate::schedule::worklist`].

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::Store;
use crate::calendar::local_date;
use crate::error::Result;
use crate::geo::GeoPoint;
use crate::household::Household;
use crate::ids::TechnicianId;
use crate::schedule::worklist::{
    InspectionCandidate, OrderCandidate, WorkItem, WorkListOptions, work_list,
};
use crate::workorder::WorkOrder;

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

        let mut inspections = Vec::new();
        if let Some(district) = tech.district_id {
            let by = local_date(now) + Duration::days(options.horizon_days);
            // Only the most overdue can make the list; a few more than the day's capacity leaves
            // room for households dropped because an order already takes the technician there.
            let limit = (options.max_inspections + orders.len()) as i64;
            let mut stmt = self.conn.prepare_cached(
                "SELECT doc, inspection_due_on FROM households
                 WHERE district_id = ?1 AND inspection_due_on <= ?2
                 ORDER BY inspection_due_on, special_group DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![district, by, limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?))
            })?;
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
            }
        }
        Ok(work_list(orders, inspections, start, now, options))
    }
}

fn point(lat: Option<f64>, lon: Option<f64>) -> Option<GeoPoint> {
    GeoPoint::new(lat?, lon?).ok()
}
