//! What the back office reviews: the conflicts the merge kept, the devices, the audit log.

use doorstep_core::ids::TechnicianId;

use crate::error::Result;
use doorstep_core::ids::OperationId;

use crate::push::parked::Decide;
use crate::storage::{self, ParkedQuery, Storage};

use super::*;

pub(super) fn print_conflicts(storage: &dyn Storage, limit: usize) -> Result<(), String> {
    let rows = storage::read(storage, |tx| Ok(tx.conflicts(limit)?)).map_err(message)?;
    println!(
        "{}",
        tsv(&[
            "at",
            "seq",
            "entity",
            "entity_id",
            "field",
            "rule",
            "kept_by",
            "lost_by",
            "kept",
            "lost",
            "op_id"
        ]
        .map(str::to_owned))
    );
    for c in rows {
        println!(
            "{}",
            tsv(&[
                c.at.to_rfc3339(),
                c.seq.to_string(),
                c.entity.as_str().to_owned(),
                c.entity_id,
                c.field,
                c.rule.to_string(),
                c.kept_by.to_string(),
                c.lost_by.to_string(),
                c.kept,
                c.lost,
                or_dash(c.op_id),
            ])
        );
    }
    Ok(())
}

pub(super) fn print_devices(
    storage: &dyn Storage,
    technician: Option<TechnicianId>,
) -> Result<(), String> {
    let technician = technician.map(|t| t.to_string());
    let rows =
        storage::read(storage, |tx| Ok(tx.devices(technician.as_deref())?)).map_err(message)?;
    println!(
        "{}",
        tsv(&[
            "device_id",
            "technician_id",
            "model",
            "enrolled_at",
            "revoked_at"
        ]
        .map(str::to_owned))
    );
    for d in rows {
        println!(
            "{}",
            tsv(&[
                d.id,
                d.technician_id,
                d.model,
                d.enrolled_at.to_rfc3339(),
                or_dash(d.revoked_at.map(|t| t.to_rfc3339())),
            ])
        );
    }
    Ok(())
}

pub(super) fn print_audit(storage: &dyn Storage, limit: usize) -> Result<(), String> {
    let rows = storage::read(storage, |tx| Ok(tx.audit_log(limit)?)).map_err(message)?;
    println!(
        "{}",
        tsv(&["at", "actor", "device_id", "action", "entity", "entity_id"].map(str::to_owned))
    );
    for a in rows {
        println!(
            "{}",
            tsv(&[
                a.at.to_rfc3339(),
                a.actor.to_string(),
                or_dash(a.device_id),
                a.action,
                or_dash(a.entity),
                or_dash(a.entity_id),
            ])
        );
    }
    Ok(())
}

/// The parked operations (waiting ones, or `all`), oldest first, each with what it is: its
/// operation's kind, a form's with its template (`form_sealed:residential_check`), `-` when the
/// operation log has no such operation. What `parked list` prints and the console shows.
pub(crate) fn parked_rows(
    tx: &mut dyn crate::storage::Tx,
    all: bool,
    limit: usize,
) -> Result<Vec<(crate::storage::ParkedRow, String)>> {
    let parked = tx.parked(&ParkedQuery {
        waiting: !all,
        limit,
        ..ParkedQuery::default()
    })?;
    let mut rows = Vec::with_capacity(parked.len());
    for p in parked {
        let what = tx
            .op(&p.device_id, p.op_id)?
            .map(|op| operation_kind(&op.payload))
            .unwrap_or_else(|| "-".into());
        rows.push((p, what));
    }
    Ok(rows)
}

pub(super) fn print_parked(storage: &dyn Storage, all: bool, limit: usize) -> Result<(), String> {
    let rows = storage::read(storage, |tx| parked_rows(tx, all, limit)).map_err(message)?;
    println!(
        "{}",
        tsv(&[
            "parked_at",
            "op_id",
            "what",
            "household_id",
            "reason",
            "technician_id",
            "device_id",
            "decision",
            "decided_by",
            "decision_reason"
        ]
        .map(str::to_owned))
    );
    for (p, what) in rows {
        let decision = p.decision.as_ref();
        println!(
            "{}",
            tsv(&[
                p.parked_at.to_rfc3339(),
                p.op_id.to_string(),
                what,
                or_dash(p.household_id),
                p.reason.as_str().to_owned(),
                p.technician_id,
                p.device_id,
                match decision {
                    None => "waiting".into(),
                    Some(d) if d.accepted => "accepted".into(),
                    Some(_) => "rejected".into(),
                },
                or_dash(decision.map(|d| d.by.clone())),
                or_dash(decision.and_then(|d| d.reason.clone())),
            ])
        );
    }
    Ok(())
}

/// An operation's kind (`form_sealed`), with a form's template (`form_sealed:residential_check`).
fn operation_kind(payload: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Head {
        op: String,
        form: Option<FormHead>,
    }
    #[derive(serde::Deserialize)]
    struct FormHead {
        template_id: String,
    }
    match serde_json::from_str::<Head>(payload) {
        Ok(Head {
            op,
            form: Some(form),
        }) => format!("{op}:{}", form.template_id),
        Ok(Head { op, .. }) => op,
        Err(_) => "-".into(),
    }
}

/// Accepts or rejects a parked operation ([`crate::push::parked::decide`]), audited
/// (`parked_accepted`, `parked_rejected`): `parked accept|reject`.
pub(super) fn decide_parked(
    storage: &dyn Storage,
    op_id: OperationId,
    decide: &Decide,
    act: &Act,
) -> Result<(), String> {
    decide_parked_op(storage, op_id, decide, act)
        .map(|_| ())
        .map_err(message)
}

/// [`decide_parked`], handing back the parked operation as decided: the console's buttons.
pub(crate) fn decide_parked_op(
    storage: &dyn Storage,
    op_id: OperationId,
    decide: &Decide,
    act: &Act,
) -> Result<crate::storage::ParkedRow> {
    storage::write(storage, |tx| {
        let parked =
            crate::push::parked::decide(tx, op_id, decide, &act.actor.to_string(), act.at)?;
        tx.audit(&AuditRow {
            at: act.at,
            actor: act.actor.clone(),
            device_id: Some(parked.device_id.clone()),
            action: match decide {
                Decide::Accept => "parked_accepted",
                Decide::Reject(_) => "parked_rejected",
            }
            .into(),
            entity: Some(parked.entity.as_str().into()),
            entity_id: Some(parked.entity_id.clone()),
        })?;
        Ok(parked)
    })
}
