//! What the back office reviews: the conflicts the merge kept, the devices, the audit log.

use doorstep_core::ids::TechnicianId;

use crate::error::Result;
use crate::storage::{self, Storage};

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
