//! Reads the app's screens make in bulk: a screen of 500 lines reads its records in a few
//! queries, never one per line (docs/screens.md, the Today screen's budget).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Store;
use crate::error::Result;
use crate::household::Household;
use crate::ids::HouseholdId;
use crate::outage::OutageNotice;

impl Store {
    /// The households of `ids` this phone holds, by id, in one query.
    pub fn households_by_id(&self, ids: &[HouseholdId]) -> Result<HashMap<HouseholdId, Household>> {
        let ids = serde_json::to_string(ids)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM households WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([ids], |r| r.get::<_, String>(0))?;
        rows.map(|doc| {
            let h: Household = serde_json::from_str(&doc?)?;
            Ok((h.id, h))
        })
        .collect()
    }

    /// The planned outages not over at `now`, soonest first.
    pub fn outages_not_over(&self, now: DateTime<Utc>) -> Result<Vec<OutageNotice>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc FROM outages ORDER BY starts_at")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut found = Vec::new();
        for doc in rows {
            let notice: OutageNotice = serde_json::from_str(&doc?)?;
            if notice.ends_at > now {
                found.push(notice);
            }
        }
        Ok(found)
    }
}
