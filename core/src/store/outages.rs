//! Planned outages on the phone: which households a notice affects, and the technician's record
//! of having told them (a notice posted at a building tells all its households at once). The
//! notices themselves come from the back office (`team::receive_outages`, and pulls); their
//! notifications are a set merged by union wherever two copies meet (`outage` module), so a
//! notice pulled while this phone's own notifications wait in the outbox keeps them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::households::HouseholdSummary;
use super::meta::{self, Key};
use super::{Store, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::household::Household;
use crate::ids::{HouseholdId, OutageId, TechnicianId};
use crate::outage::{Notification, NotifiedHow, Notifier, OutageArea, OutageNotice};
use crate::sync::protocol::Operation;
use crate::text::said;

impl Store {
    /// The households this phone holds that the outage affects: who must be told.
    pub fn outage_households(&self, id: OutageId) -> Result<Vec<HouseholdSummary>> {
        let notice = self.outage(id)?;
        let households = match &notice.area {
            OutageArea::Polygon(area) => return self.households_in_area(area),
            OutageArea::Districts(ids) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT doc, inspection_due_on FROM households WHERE district_id = ?1",
                )?;
                let mut found = Vec::new();
                for district in ids {
                    let rows =
                        stmt.query_map([district], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
                    for row in rows {
                        let (doc, due) = row?;
                        found.push((serde_json::from_str::<Household>(&doc)?, due));
                    }
                }
                found
            }
        };
        Ok(households
            .into_iter()
            .filter(|(h, _)| notice.affects(h))
            .map(|(h, due)| HouseholdSummary::of(&h, due))
            .collect())
    }

    /// Records that this phone's technician told `households` of the outage, `how`, at `at`
    /// (a notice posted at their building: one call for all of them). Refused, with nothing
    /// kept, if one of them is not affected by the outage or not on this phone.
    pub fn record_outage_notices(
        &mut self,
        id: OutageId,
        households: &[HouseholdId],
        how: NotifiedHow,
        at: DateTime<Utc>,
    ) -> Result<Vec<Notification>> {
        if households.is_empty() {
            return Err(InvalidInput::new(
                "households",
                said("至少选择一户", "choose at least one household"),
            )
            .into());
        }
        let technician = own_technician(&self.conn)?;
        self.change(|c| {
            let mut notice: OutageNotice = read_outage(&c.tx, id)?;
            let mut recorded = Vec::new();
            for (i, household) in households.iter().enumerate() {
                let household = super::households::load_household(&c.tx, *household)?;
                let n = notice
                    .record_notification(
                        &household,
                        how,
                        at,
                        Notifier::Technician { id: technician },
                    )
                    .map_err(|e| e.within(&format!("households[{i}]")))?;
                recorded.push(n);
            }
            write_outage_doc(&c.tx, &notice)?;
            c.append(&Operation::OutageNotified {
                outage_id: id,
                notifications: recorded.clone(),
            })?;
            Ok(recorded)
        })
    }
}

/// The technician this phone is enrolled for.
pub(super) fn own_technician(conn: &Connection) -> Result<TechnicianId> {
    meta::get(conn, Key::TECHNICIAN_ID)?
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| {
            InvalidInput::new(
                "technician",
                said(
                    "本机尚未登记到技术员",
                    "this phone is not enrolled for a technician yet",
                ),
            )
            .into()
        })
}

fn read_outage(tx: &Transaction<'_>, id: OutageId) -> Result<OutageNotice> {
    let doc: Option<String> = tx
        .prepare_cached("SELECT doc FROM outages WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    Ok(serde_json::from_str(&doc.ok_or(Error::NotFound {
        what: "outage notice",
    })?)?)
}

/// Writes a notice received from the back office, keeping every notification this phone
/// already holds (its own, not yet pushed, among them): the union of the two copies.
pub(super) fn write_outage(tx: &Transaction<'_>, incoming: &OutageNotice) -> Result<()> {
    let mut notice = incoming.clone();
    if let Ok(held) = read_outage(tx, incoming.id) {
        notice.merge_notifications(held.notifications);
    }
    write_outage_doc(tx, &notice)
}

fn write_outage_doc(tx: &Transaction<'_>, o: &OutageNotice) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO outages(id, starts_at, doc) VALUES (?1, ?2, ?3)")?
        .execute(params![o.id, ts(&o.starts_at), serde_json::to_string(o)?])?;
    Ok(())
}
