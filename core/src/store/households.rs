//! Households in the store: their files, readings, history and check-ins.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, parse_named, search, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::geo::Area;
use crate::household::consumption::{AbnormalUse, ConsumptionPolicy, abnormal_use};
use crate::household::{Category, HistoryEvent, HistoryKind, Household, MeterReading};
use crate::ids::{DistrictId, HistoryEventId, HouseholdId};
use crate::schedule::inspection::{InspectionPolicy, next_inspection_due};
use crate::sync::merge::changed_fields;
use crate::sync::protocol::Entity;
use crate::sync::protocol::Operation;
use crate::text::Text;
use crate::text::said;
use crate::visit::{CheckIn, CheckInPolicy, DevicePosition, check_in};
use crate::workorder::WorkOrder;

/// Everything known about one household, as the technician opens it at the door.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdFile {
    pub household: Household,
    pub inspection_due_on: Option<NaiveDate>,
    /// The latest readings, newest first.
    pub readings: Vec<MeterReading>,
    pub abnormal_use: Option<AbnormalUse>,
    pub work_orders: Vec<WorkOrder>,
    /// The timeline, newest first.
    pub history: Vec<HistoryEvent>,
}

/// A household as a list or a search shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdSummary {
    pub id: HouseholdId,
    pub customer_number: String,
    pub name: String,
    pub address: String,
    pub category: Category,
    pub special_group: bool,
    pub inspection_due_on: Option<NaiveDate>,
}

impl HouseholdSummary {
    pub(super) fn of(h: &Household, inspection_due_on: Option<NaiveDate>) -> Self {
        Self {
            id: h.id,
            customer_number: h.customer_number.clone(),
            name: h.name.clone(),
            address: h.address.one_line(),
            category: h.category,
            special_group: h.is_special_group(),
            inspection_due_on,
        }
    }
}

/// How many readings a household file shows; the consumption rule looks at the same ones.
const FILE_READINGS: usize = 24;

impl Store {
    /// Saves a household the technician created or edited: validated, indexed for search,
    /// noted on its timeline and queued for upload, in one transaction. Saving a household as
    /// it already is changes nothing and queues nothing: an operation that names no changed
    /// field would be read by the server as the device's whole copy, and an old copy would
    /// undo the office's newer edits.
    pub fn save_household(&mut self, household: &Household, at: DateTime<Utc>) -> Result<()> {
        household.validate()?;
        self.change(|c| {
            let before: Option<String> = c
                .prepare_cached("SELECT doc FROM households WHERE id = ?1")?
                .query_row([household.id], |r| r.get(0))
                .optional()?;
            let after = serde_json::to_value(household)?;
            let changed = match &before {
                Some(doc) => changed_fields(&serde_json::from_str(doc)?, &after),
                None => changed_fields(&serde_json::Value::Null, &after),
            };
            if changed.is_empty() {
                return Ok(());
            }
            let base_seq =
                super::sync::seen_through(c, Entity::Household, &household.id.to_string())?;
            let existed = write_household(c, household)?;
            let (kind, summary) = if existed {
                (
                    HistoryKind::FileUpdated,
                    said("户档已更新", "household file updated"),
                )
            } else {
                (
                    HistoryKind::FileOpened,
                    said("已建户档", "household file opened"),
                )
            };
            append_history(c, household.id, at, kind, None, &summary)?;
            c.append(&Operation::HouseholdSaved {
                household: Box::new(household.clone()),
                changed,
                base_seq,
            })?;
            Ok(())
        })
    }

    /// Corrects a household's contact details at the door: its phone numbers, and the contact
    /// person of a special-group registration (`None`: left as it is). Saved as any edit of
    /// the file (`save_household`): only the fields that changed travel, and the server merges
    /// them by their rule (contact details: the later clock wins, the office's value kept for
    /// review). A bad number names its field and stores nothing.
    pub fn edit_contact_details(
        &mut self,
        id: HouseholdId,
        phones: &[String],
        contact: Option<(String, String, String)>,
        at: DateTime<Utc>,
    ) -> Result<Household> {
        let mut household = load_household(&self.conn, id)?;
        household.phones = phones
            .iter()
            .map(|p| crate::household::Phone::parse(p).map_err(|e| e.within("household.phones")))
            .collect::<std::result::Result<_, _>>()?;
        if let Some((name, relation, phone)) = contact {
            let Some(registration) = household.special_group.as_mut() else {
                return Err(InvalidInput::new(
                    "household.contact",
                    said(
                        "只有登记的优先上门服务对象才有联系人",
                        "only a household registered for priority service has a contact person",
                    ),
                )
                .into());
            };
            registration.contact = Some(crate::household::ContactPerson {
                name: name.trim().to_owned(),
                relation: relation.trim().to_owned(),
                phone: crate::household::Phone::parse(&phone)
                    .map_err(|e| e.within("household.contact"))?,
            });
        }
        self.save_household(&household, at)?;
        Ok(household)
    }

    /// Stores households received from the back office (no outbox entries).
    pub fn receive_households(&mut self, households: &[Household]) -> Result<()> {
        self.receive_all(households, Household::validate, |tx, h| {
            write_household(tx, h).map(|_| ())
        })
    }

    pub fn household(&self, id: HouseholdId) -> Result<Household> {
        load_household(&self.conn, id)
    }

    /// The household a scanned code belongs to: the code checked against its format first
    /// (a wrong one is refused naming what was expected), then looked up by customer number,
    /// meter serial or the seal of a shut-off. `None`: a valid code no household here has.
    pub fn scanned_household(
        &self,
        kind: crate::scan::CodeKind,
        scanned: &str,
        formats: &crate::scan::ScanFormats,
    ) -> Result<(String, Option<Household>)> {
        use crate::scan::CodeKind;
        let code = crate::scan::check(kind, scanned, formats)?;
        // Serials and seals are read from the file itself: a household has one of each, and
        // a phone holds its districts' few thousand.
        let sql = match kind {
            CodeKind::CustomerCard => "SELECT doc FROM households WHERE customer_number = ?1",
            CodeKind::MeterSerial => {
                "SELECT doc FROM households WHERE upper(json_extract(doc, '$.meter.serial')) = ?1"
            }
            CodeKind::SealNumber => {
                "SELECT doc FROM households WHERE upper(json_extract(doc, '$.supply.seal')) = ?1"
            }
        };
        let doc: Option<String> = self
            .conn
            .prepare_cached(sql)?
            .query_row([&code], |r| r.get(0))
            .optional()?;
        let household = doc.map(|d| serde_json::from_str(&d)).transpose()?;
        Ok((code, household))
    }

    pub fn household_by_customer_number(&self, number: &str) -> Result<Household> {
        let doc: Option<String> = self
            .conn
            .prepare_cached("SELECT doc FROM households WHERE customer_number = ?1")?
            .query_row([number], |r| r.get(0))
            .optional()?;
        Ok(serde_json::from_str(
            &doc.ok_or(Error::NotFound { what: "household" })?,
        )?)
    }

    /// The household's complete file: record, due inspection, latest readings and what they
    /// say, its work orders and its timeline.
    pub fn household_file(&self, id: HouseholdId) -> Result<HouseholdFile> {
        let (doc, due): (String, Option<NaiveDate>) = self
            .conn
            .prepare_cached("SELECT doc, inspection_due_on FROM households WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(Error::NotFound { what: "household" })?;
        let household: Household = serde_json::from_str(&doc)?;
        let readings = self.readings(id, FILE_READINGS)?;
        let abnormal = abnormal_use(&household.supply, &readings, &ConsumptionPolicy::default());

        let mut orders = self.conn.prepare_cached(
            "SELECT doc FROM work_orders WHERE household_id = ?1 ORDER BY reported_at DESC",
        )?;
        let work_orders = orders
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|doc| Ok(serde_json::from_str(&doc?)?))
            .collect::<Result<Vec<WorkOrder>>>()?;

        let mut events = self.conn.prepare_cached(
            "SELECT id, at, kind, subject_id, summary, summary_zh FROM history WHERE household_id = ?1 ORDER BY at DESC, id DESC",
        )?;
        let history = events
            .query_map([id], |r| {
                let en: String = r.get(4)?;
                // A line written before the store kept Chinese (schema v6) is English only.
                let zh = r.get::<_, Option<String>>(5)?.unwrap_or_else(|| en.clone());
                Ok(HistoryEvent {
                    id: r.get(0)?,
                    household_id: id,
                    at: r.get(1)?,
                    kind: parse_named(
                        &HistoryKind::ALL,
                        HistoryKind::as_str,
                        &r.get::<_, String>(2)?,
                    )?,
                    subject_id: r.get(3)?,
                    summary: Text { zh, en },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(HouseholdFile {
            household,
            inspection_due_on: due,
            readings,
            abnormal_use: abnormal,
            work_orders,
            history,
        })
    }

    /// Notes that an inspection form was signed at the household: the next inspection counts
    /// from here.
    pub fn record_inspection_signed(&mut self, id: HouseholdId, at: DateTime<Utc>) -> Result<()> {
        self.change(|c| {
            let mut household = load_household(c, id)?;
            if household.last_inspection_at.is_some_and(|last| last >= at) {
                return Err(InvalidInput::new(
                    "inspection.signed_at",
                    said(
                        "已有更晚的安检记录",
                        "a later inspection is already recorded",
                    ),
                )
                .into());
            }
            household.last_inspection_at = Some(at);
            write_household(c, &household)?;
            append_history(
                c,
                id,
                at,
                HistoryKind::Form,
                None,
                &said("安检已签字", "safety inspection signed"),
            )?;
            c.append(&Operation::InspectionSigned {
                household_id: id,
                at,
            })?;
            Ok(())
        })
    }

    /// Checks the technician in at a household: the distance from the address is measured and
    /// a visit far from it is flagged, stored as such and queued like any change.
    pub fn check_in(
        &mut self,
        id: HouseholdId,
        position: DevicePosition,
        at: DateTime<Utc>,
        policy: &CheckInPolicy,
    ) -> Result<CheckIn> {
        self.change(|c| {
            let household = load_household(c, id)?;
            let point = position.point;
            let result = check_in(household.location, position, policy);
            let event_id = HistoryEventId::new();
            c.execute(
                INSERT_CHECK_IN,
                params![
                    event_id,
                    id,
                    ts(&at),
                    point.lat(),
                    point.lon(),
                    result.accuracy_m,
                    result.distance_m,
                    result.flagged(),
                    serde_json::to_string(&result.verdict)?
                ],
            )?;
            let summary = if result.flagged() {
                said(
                    "已到户打卡（已标记：不在地址处）",
                    "checked in (flagged: not at the address)",
                )
            } else {
                said("已在地址处到户打卡", "checked in at the address")
            };
            append_history(
                c,
                id,
                at,
                HistoryKind::CheckIn,
                Some(&event_id.to_string()),
                &summary,
            )?;
            c.append(&Operation::CheckedIn {
                household_id: id,
                at,
                position: point,
                check_in: result.clone(),
            })?;
            Ok(result)
        })
    }

    /// Households of a district whose inspection is due on or before `by`, most overdue first.
    pub fn due_inspections(
        &self,
        district: DistrictId,
        by: NaiveDate,
        limit: usize,
    ) -> Result<Vec<HouseholdSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc, inspection_due_on FROM households
             WHERE district_id = ?1 AND inspection_due_on <= ?2
             ORDER BY inspection_due_on LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![district, by, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })?;
        rows.map(|row| {
            let (doc, due) = row?;
            Ok(HouseholdSummary::of(&serde_json::from_str(&doc)?, due))
        })
        .collect()
    }

    /// The households inside `area` that receive gas: who must be told of a planned outage.
    pub fn households_in_area(&self, area: &Area) -> Result<Vec<HouseholdSummary>> {
        let (sw, ne) = area.bounding_box();
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc, inspection_due_on FROM households
             WHERE lat BETWEEN ?1 AND ?2 AND lon BETWEEN ?3 AND ?4",
        )?;
        let rows = stmt.query_map(params![sw.lat(), ne.lat(), sw.lon(), ne.lon()], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })?;
        let mut affected = Vec::new();
        for row in rows {
            let (doc, due) = row?;
            let household: Household = serde_json::from_str(&doc)?;
            if crate::outage::is_affected(&household, area) {
                affected.push(HouseholdSummary::of(&household, due));
            }
        }
        Ok(affected)
    }

    /// Active households of a district whose readings say they need a patrol visit.
    pub fn abnormal_use_in_district(
        &self,
        district: DistrictId,
        policy: &ConsumptionPolicy,
    ) -> Result<Vec<(HouseholdSummary, AbnormalUse)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc, inspection_due_on FROM households WHERE district_id = ?1 AND supply = 'active'",
        )?;
        let rows = stmt.query_map([district], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        let mut flagged = Vec::new();
        for row in rows {
            let (doc, due) = row?;
            let household: Household = serde_json::from_str(&doc)?;
            let readings = self.readings(household.id, FILE_READINGS)?;
            if let Some(finding) = abnormal_use(&household.supply, &readings, policy) {
                flagged.push((HouseholdSummary::of(&household, due), finding));
            }
        }
        Ok(flagged)
    }
}

/// Writes the household row and its search entry; returns whether it existed before.
/// A customer number already used by another household is refused.
pub(super) fn write_household(conn: &Connection, h: &Household) -> Result<bool> {
    let due = next_inspection_due(
        h.category,
        &h.supply,
        h.last_inspection_at,
        h.gas_on_date,
        &InspectionPolicy::default(),
    );
    let owner: Option<String> = conn
        .prepare_cached("SELECT id FROM households WHERE customer_number = ?1")?
        .query_row([&h.customer_number], |r| r.get(0))
        .optional()?;
    if owner.is_some_and(|o| o != h.id.to_string()) {
        return Err(Error::Duplicate {
            what: "customer number",
        });
    }
    // No RETURNING: it makes the statement open a statement journal, and every statement
    // journal makes the search index (FTS5) flush its pending entries to a new segment, so a
    // page of pulled households would be indexed one segment (and one merge) per household.
    conn.prepare_cached(
        "INSERT INTO households(id, customer_number, district_id, category, supply, lat, lon, special_group, inspection_due_on, updated_at, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET customer_number = excluded.customer_number, district_id = excluded.district_id,
           category = excluded.category, supply = excluded.supply, lat = excluded.lat, lon = excluded.lon,
           special_group = excluded.special_group, inspection_due_on = excluded.inspection_due_on,
           updated_at = excluded.updated_at, doc = excluded.doc",
    )?
    .execute(params![
        h.id,
        h.customer_number,
        h.district_id,
        h.category.as_str(),
        h.supply.kind(),
        h.location.map(|p| p.lat()),
        h.location.map(|p| p.lon()),
        h.is_special_group(),
        due,
        ts(&Utc::now()),
        serde_json::to_string(h)?
    ])?;
    let rowid: i64 = conn
        .prepare_cached("SELECT rowid FROM households WHERE id = ?1")?
        .query_row([h.id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { what: "household" })?;
    let existed = search::remove_household(conn, rowid)?;
    search::index_household(conn, rowid, h)?;
    Ok(existed)
}

const INSERT_CHECK_IN: &str = "INSERT INTO check_ins(id, household_id, at, lat, lon, accuracy_m, distance_m, flagged, verdict)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const INSERT_HISTORY: &str =
    "INSERT OR IGNORE INTO history(id, household_id, at, kind, subject_id, summary, summary_zh)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

pub(super) fn load_household(conn: &Connection, id: HouseholdId) -> Result<Household> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM households WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(serde_json::from_str(
        &doc.ok_or(Error::NotFound { what: "household" })?,
    )?)
}

pub(super) fn ensure_household(conn: &Connection, id: HouseholdId) -> Result<()> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM households WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or(Error::NotFound { what: "household" })
}

pub(super) fn append_history(
    conn: &Connection,
    household: HouseholdId,
    at: DateTime<Utc>,
    kind: HistoryKind,
    subject: Option<&str>,
    summary: &Text,
) -> Result<()> {
    write_history(
        conn,
        &HistoryEvent::line(household, at, kind, subject, summary),
    )
}

/// Keeps a timeline line, once: a line this phone wrote that comes back from the server (the
/// same id, `HistoryEvent::line`) is the line it already has.
pub(super) fn write_history(conn: &Connection, line: &HistoryEvent) -> Result<()> {
    conn.prepare_cached(INSERT_HISTORY)?.execute(params![
        line.id,
        line.household_id,
        ts(&line.at),
        line.kind.as_str(),
        line.subject_id,
        line.summary.en,
        line.summary.zh
    ])?;
    Ok(())
}
