//! Work set aside from the outbox, for the technician to see, so that the rest of the outbox
//! goes on: operations the server refused for good, and operations it stored but parked for the
//! service center to decide (with the decision once it comes). Each keeps its household on the
//! phone while it stands refused or parked.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{FormId, HouseholdId, OperationId};
use crate::store::outbox::{household_of, keep_high_water};
use crate::store::templates::template_in;
use crate::store::{Store, ts};
use crate::sync::Hlc;
use crate::sync::protocol::{ErrorKind, Operation, ParkedDecision};
use crate::text::Text;
use crate::words;

/// Where a set-aside operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The server refused it for good (`error`, `message`).
    Refused,
    /// The server stored it for the service center to decide.
    Parked,
    /// The service center decided against it (`decision_reason`).
    Rejected,
}

impl Standing {
    fn as_str(self) -> &'static str {
        match self {
            Standing::Refused => "refused",
            Standing::Parked => "parked",
            Standing::Rejected => "rejected",
        }
    }

    /// A standing this build does not know (a newer build's) reads as refused: it keeps its
    /// household, which is the safe side.
    fn parse(s: &str) -> Self {
        match s {
            "parked" => Standing::Parked,
            "rejected" => Standing::Rejected,
            _ => Standing::Refused,
        }
    }
}

/// The set-aside work that keeps its household on the phone, as SQL: parked work (the server
/// has it, nobody has decided on it yet), and a sealed form the server refused (the phone holds
/// the only copy of the visit). Other refused work (an edit, a reading) stays listed, with its
/// content, but does not keep the household's personal data on the phone after it left the
/// technician's scope.
pub(super) const HOLDING: &str =
    "(state = 'parked' OR (state = 'refused' AND json_extract(payload, '$.op') = 'form_sealed'))";

/// A set-aside operation's form: which one, on which template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetAsideForm {
    pub id: FormId,
    /// The template's title (None when this phone no longer knows the template).
    pub title: Option<Text>,
}

/// An operation set aside from the outbox, and what it means to the technician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedOperation {
    pub seq: i64,
    pub op_id: OperationId,
    pub standing: Standing,
    /// What the refusal means to this build (a kind it did not know is read by its status).
    /// For parked work, why the server parked it.
    pub error: ErrorKind,
    /// The server's English detail, for the service center.
    pub message: String,
    pub rejected_at: DateTime<Utc>,
    /// The household the work was for (None when the operation names none).
    pub household_id: Option<HouseholdId>,
    /// Its customer number, while the household is on the phone.
    pub customer_number: Option<String>,
    /// The form, when the work is a form.
    pub form: Option<SetAsideForm>,
    /// When the service center decided, and its reason (rejected work).
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// What the work was, which household ("入户安检表（已签封）· 户号 3300000001").
    pub what: Text,
    /// Why it is on the list.
    pub why: Text,
    /// What the technician is to do about it.
    pub to_do: Text,
}

const SET_ASIDE: &str = "INSERT INTO sync_rejected(seq, op_id, hlc, device_time, payload, error,
         message, rejected_at, base_seq, entity, entity_id, household_id, state)
     SELECT seq, op_id, hlc, device_time, payload, ?2, ?3, ?4, base_seq, ?5, ?6, ?7, ?8
     FROM outbox WHERE op_id = ?1";

impl Store {
    /// Moves a refused operation out of the outbox into the list the technician sees, so that
    /// the rest of the outbox can go on. Nothing is dropped, and its sequence number and stamp
    /// are never given again (the outbox may be empty after it).
    pub fn park_rejected(
        &mut self,
        op_id: OperationId,
        error: ErrorKind,
        message: &str,
    ) -> Result<()> {
        let newest = self.clock.last().clone();
        self.receive(|tx| {
            let moved = set_aside(tx, &newest, op_id, Standing::Refused, error, message)?;
            if moved == 0 {
                return Err(Error::NotFound {
                    what: "outbox operation",
                });
            }
            Ok(())
        })
    }

    /// The work set aside, oldest first, in the technician's words.
    pub fn rejected_operations(&self) -> Result<Vec<RejectedOperation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, error, message, rejected_at, state, household_id, entity,
                    entity_id, decided_at, decision_reason, payload
             FROM sync_rejected ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Row {
                    seq: r.get(0)?,
                    op_id: r.get(1)?,
                    error: ErrorKind::parse(&r.get::<_, String>(2)?),
                    message: r.get(3)?,
                    rejected_at: r.get(4)?,
                    standing: Standing::parse(&r.get::<_, String>(5)?),
                    household_id: r.get(6)?,
                    entity: r.get(7)?,
                    entity_id: r.get(8)?,
                    decided_at: r.get(9)?,
                    decision_reason: r.get(10)?,
                    payload: r.get(11)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|row| described(&self.conn, row))
            .collect()
    }
}

/// A row of `sync_rejected` as stored.
struct Row {
    seq: i64,
    op_id: OperationId,
    error: ErrorKind,
    message: String,
    rejected_at: DateTime<Utc>,
    standing: Standing,
    household_id: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    decision_reason: Option<String>,
    payload: String,
}

/// A stored row with what the phone knows of its household and form, in the technician's words.
fn described(conn: &Connection, row: Row) -> Result<RejectedOperation> {
    // Made by this device; one an older build wrote that this one cannot read is still listed.
    let operation: Option<Operation> = serde_json::from_str(&row.payload).ok();
    let household_id: Option<HouseholdId> =
        row.household_id.as_deref().and_then(|id| id.parse().ok());
    let customer_number: Option<String> = match household_id {
        Some(id) => conn
            .prepare_cached("SELECT customer_number FROM households WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let form = match &operation {
        Some(operation) => set_aside_form(conn, operation, &row)?,
        None => None,
    };
    let title = form.as_ref().and_then(|f| f.title.as_ref());
    let (why, to_do) = match row.standing {
        Standing::Refused => words::refused(row.error),
        Standing::Parked => words::parked(),
        Standing::Rejected => words::rejected_by_office(row.decision_reason.as_deref()),
    };
    Ok(RejectedOperation {
        what: words::set_aside_work(operation.as_ref(), title, customer_number.as_deref()),
        why,
        to_do,
        seq: row.seq,
        op_id: row.op_id,
        standing: row.standing,
        error: row.error,
        message: row.message,
        rejected_at: row.rejected_at,
        household_id,
        customer_number,
        form,
        decided_at: row.decided_at,
        decision_reason: row.decision_reason,
    })
}

/// The form a set-aside operation is about, with its template's title: from the form on the
/// phone, or (it left with its household) from the sealed form the operation carries.
fn set_aside_form(
    conn: &Connection,
    operation: &Operation,
    row: &Row,
) -> Result<Option<SetAsideForm>> {
    let (entity, id) = match (&row.entity, &row.entity_id) {
        (Some(entity), Some(id)) => (entity.clone(), id.clone()),
        _ => {
            let (entity, id) = operation.subject();
            (entity.as_str().to_owned(), id)
        }
    };
    if entity != "form" {
        return Ok(None);
    }
    let Ok(form_id) = id.parse::<FormId>() else {
        return Ok(None);
    };
    let template: Option<(String, u32)> = match operation {
        Operation::FormSealed { form } | Operation::FormStarted { form } => {
            Some((form.template_id.clone(), form.template_version))
        }
        _ => conn
            .prepare_cached("SELECT template_id, template_version FROM forms WHERE id = ?1")?
            .query_row([form_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    };
    let title = template
        .and_then(|(id, version)| template_in(conn, &id, version).ok())
        .map(|t| t.title);
    Ok(Some(SetAsideForm { id: form_id, title }))
}

/// Moves the outbox operation `op_id` to the set-aside list as `standing`, with its household
/// and merge base. Returns how many moved (0: it is not in the outbox). Its sequence number and
/// the clock's stamp are kept as high-water marks first: neither is given again.
fn set_aside(
    tx: &Transaction<'_>,
    newest: &Hlc,
    op_id: OperationId,
    standing: Standing,
    error: ErrorKind,
    message: &str,
) -> Result<usize> {
    let queued: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, payload FROM outbox WHERE op_id = ?1")?
        .query_row([op_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((seq, payload)) = queued else {
        return Ok(0);
    };
    let operation: Operation = serde_json::from_str(&payload)?;
    let (entity, entity_id) = operation.subject();
    let household = household_of(tx, &operation)?;
    keep_high_water(tx, newest, seq)?;
    let moved = tx.prepare_cached(SET_ASIDE)?.execute(params![
        op_id,
        error.as_str(),
        message,
        ts(&Utc::now()),
        entity.as_str(),
        entity_id,
        household,
        standing.as_str()
    ])?;
    tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?
        .execute([op_id])?;
    Ok(moved)
}

/// The server stored `op_id` but parked it for the service center: it leaves the outbox for the
/// set-aside list, where it keeps its household (and its sealed form) on the phone until the
/// decision comes. Returns how many moved (0: not in the outbox, already moved).
pub(crate) fn park_for_office(
    tx: &Transaction<'_>,
    newest: &Hlc,
    op_id: OperationId,
) -> Result<usize> {
    set_aside(
        tx,
        newest,
        op_id,
        Standing::Parked,
        ErrorKind::Forbidden,
        "parked for the service center to decide",
    )
}

/// The service center's decisions on parked work, applied with the pulled page that brought
/// them: accepted work is the server's and leaves the list; rejected work stays listed with the
/// office's reason and no longer holds its household. A decision on work not parked here
/// (decided already, a decision sent again) changes nothing. Returns how many applied.
pub(super) fn apply_decisions(tx: &Transaction<'_>, decisions: &[ParkedDecision]) -> Result<u32> {
    let mut applied = 0;
    for decision in decisions {
        let changed = if decision.accepted {
            tx.prepare_cached("DELETE FROM sync_rejected WHERE op_id = ?1 AND state = 'parked'")?
                .execute([decision.op_id])?
        } else {
            tx.prepare_cached(
                "UPDATE sync_rejected SET state = 'rejected', decided_at = ?2, decision_reason = ?3
                 WHERE op_id = ?1 AND state = 'parked'",
            )?
            .execute(params![
                decision.op_id,
                ts(&decision.decided_at),
                decision.reason
            ])?
        };
        applied += u32::try_from(changed).unwrap_or(0);
    }
    Ok(applied)
}
