//! Reading a period's work from the stored records, each piece with its unit at the time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use doorstep_core::fees::{Settlement, day_bounds};
use doorstep_core::forms::form::Form;
use doorstep_core::forms::template::Template;
use doorstep_core::ids::TechnicianId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::Technician;
use doorstep_core::text::{Text, said};
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};

use super::{ClosedOrder, Collected, Doer, SealedForm, SettledDay, WorkFacts};
use crate::error::Result;
use crate::records::decode;
use crate::reports::units::Units;
use crate::reports::{Params, every};
use crate::storage::Tx;

impl WorkFacts {
    /// The work of `params`' period, whatever its unit (the tally keeps what is in scope).
    pub fn read(tx: &mut dyn Tx, params: &Params, units: &Units) -> Result<Self> {
        let (from, to) = params.period.bounds();
        let in_period = |at: DateTime<Utc>| from <= at && at < to;
        let technician_doer =
            |t: TechnicianId, at: DateTime<Utc>| Doer::technician_at(t, at, units);
        let mut facts = WorkFacts::default();
        let mut device_technician: HashMap<String, Option<TechnicianId>> = HashMap::new();
        let mut titles: HashMap<String, Text> = HashMap::new();
        for form in every::<Form>(tx, Entity::Form)? {
            let Some(sealed_at) = form.seal.as_ref().map(|s| s.sealed_at) else {
                continue;
            };
            if !in_period(sealed_at) {
                continue;
            }
            let doer = match sealed_by(tx, &form, &mut device_technician)? {
                Some(t) => technician_doer(t, sealed_at),
                None => Doer {
                    district: units.household_district(form.household_id, sealed_at),
                    ..Doer::default()
                },
            };
            let key = format!("{}@{}", form.template_id, form.template_version);
            let title = match titles.get(&key) {
                Some(t) => t.clone(),
                None => {
                    let title = tx
                        .record(Entity::Template, &key)?
                        .map(|r| decode::<Template>(&r))
                        .transpose()?
                        .map_or_else(
                            || said(form.template_id.clone(), form.template_id.clone()),
                            |t| t.title,
                        );
                    titles.insert(key, title.clone());
                    title
                }
            };
            facts.forms.push(SealedForm {
                template_id: form.template_id.clone(),
                title,
                household: form.household_id,
                doer,
                sealed_at,
                photos: form.evidence_photos().count() as i64,
            });
        }
        for order in every::<WorkOrder>(tx, Entity::WorkOrder)? {
            let Some(last) = order.steps.last() else {
                continue;
            };
            if !matches!(
                last.status,
                WorkOrderStatus::Resolved | WorkOrderStatus::ReferredElsewhere
            ) || !in_period(last.at)
            {
                continue;
            }
            let by = last
                .reported_by
                .as_ref()
                .map(|r| r.technician)
                .or(order.assignee);
            if let Some(t) = by {
                facts.orders.push(ClosedOrder {
                    doer: technician_doer(t, last.at),
                    at: last.at,
                });
            }
        }
        let technicians: Vec<TechnicianId> = every::<Technician>(tx, Entity::Technician)?
            .into_iter()
            .map(|t| t.id)
            .collect();
        for t in technicians {
            for r in tx.receipts_between(&t.to_string(), from, to)? {
                facts.collected.push(Collected {
                    technician: t,
                    doer: technician_doer(t, r.sealed_at),
                    sealed_at: r.sealed_at,
                    fen: r.total_fen,
                });
            }
        }
        for s in every::<Settlement>(tx, Entity::Settlement)? {
            if s.day < params.period.start || s.day >= params.period.end() {
                continue;
            }
            facts.settled.push(SettledDay {
                technician: s.technician_id,
                doer: technician_doer(s.technician_id, day_bounds(s.day).0),
                day: s.day,
                collected_fen: s.collected.total_fen,
                declared_fen: s.declared.values().sum(),
            });
        }
        Ok(facts)
    }
}

/// The technician whose phone sealed `form`: the device of the operation that brought it.
fn sealed_by(
    tx: &mut dyn Tx,
    form: &Form,
    devices: &mut HashMap<String, Option<TechnicianId>>,
) -> Result<Option<TechnicianId>> {
    let Some(op) = tx
        .ops_about(Entity::Form, &form.id.to_string(), 1)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    if let Some(known) = devices.get(&op.device_id) {
        return Ok(*known);
    }
    let technician = tx
        .device(&op.device_id)?
        .and_then(|d| d.technician_id.parse().ok());
    devices.insert(op.device_id, technician);
    Ok(technician)
}
