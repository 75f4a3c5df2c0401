//! `doorstep admin compliance`: the core's compliance per clause over the stored work orders
//! and complaints, optionally of one period (when reported or received) and one district (of
//! the household).

use std::collections::HashMap;

use doorstep_core::complaint::Complaint;
use doorstep_core::compliance::{Subject, compliance};
use doorstep_core::household::Household;
use doorstep_core::ids::{DistrictId, HouseholdId};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::WorkOrder;

use crate::error::Result;
use crate::records::decode;
use crate::storage::{self, Storage, Tx};

use super::complaint::every;
use super::*;

pub(super) fn print_compliance(
    storage: &dyn Storage,
    args: ComplianceArgs,
    act: &Act,
) -> Result<(), String> {
    let now = args.now.unwrap_or(act.at);
    let lines = storage::read(storage, |tx| {
        let in_period = |t: chrono::DateTime<chrono::Utc>| {
            args.from.is_none_or(|f| f <= t) && args.to.is_none_or(|to| t < to)
        };
        let mut districts = HashMap::new();
        let mut orders: Vec<WorkOrder> = Vec::new();
        for o in every::<WorkOrder>(tx, Entity::WorkOrder)? {
            if in_period(o.reported_at)
                && in_district(tx, &mut districts, o.household_id, args.district)?
            {
                orders.push(o);
            }
        }
        let mut complaints: Vec<Complaint> = Vec::new();
        for c in every::<Complaint>(tx, Entity::Complaint)? {
            if in_period(c.received_at)
                && in_district(tx, &mut districts, c.household_id, args.district)?
            {
                complaints.push(c);
            }
        }
        let numbers: HashMap<Subject, String> = orders
            .iter()
            .map(|o| (Subject::Order(o.id), o.number.clone()))
            .chain(
                complaints
                    .iter()
                    .map(|c| (Subject::Complaint(c.id), c.number.clone())),
            )
            .collect();
        let report = compliance(&orders, &complaints, now);
        let mut lines = vec![tsv(
            &["clause", "met", "met_late", "breached", "open"].map(str::to_owned)
        )];
        for c in &report {
            lines.push(tsv(&[
                c.milestone.as_str().to_owned(),
                c.met.to_string(),
                c.met_late.to_string(),
                c.breached.to_string(),
                c.open.to_string(),
            ]));
        }
        for c in &report {
            for late in &c.late {
                let (of, _) = match late.subject {
                    Subject::Order(id) => ("order", id.to_string()),
                    Subject::Complaint(id) => ("complaint", id.to_string()),
                };
                lines.push(tsv(&[
                    "late".to_owned(),
                    c.milestone.as_str().to_owned(),
                    of.to_owned(),
                    numbers[&late.subject].clone(),
                    late.due_at.to_rfc3339(),
                    or_dash(late.met_at.map(|t| t.to_rfc3339())),
                ]));
            }
        }
        Ok(lines)
    })
    .map_err(message)?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// Whether a household is in `district` (always, without a district to keep to); a record of
/// no household is in none.
fn in_district(
    tx: &mut dyn Tx,
    known: &mut HashMap<HouseholdId, Option<DistrictId>>,
    household: Option<HouseholdId>,
    district: Option<DistrictId>,
) -> Result<bool> {
    let Some(district) = district else {
        return Ok(true);
    };
    let Some(h) = household else {
        return Ok(false);
    };
    if let std::collections::hash_map::Entry::Vacant(slot) = known.entry(h) {
        let of = match tx.record(Entity::Household, &h.to_string())? {
            Some(r) => decode::<Household>(&r)?.district_id,
            None => None,
        };
        slot.insert(of);
    }
    Ok(known[&h] == Some(district))
}
