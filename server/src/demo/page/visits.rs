//! The day's visits as the server holds them: every form sealed on the demo's day, with its
//! template, household, order and the technician whose phone pushed it, read from the
//! server's storage (never from the demo's own account of what it played).

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::forms::Template;
use doorstep_core::forms::form::{Answer, Form};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::Household;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::Technician;
use doorstep_core::workorder::WorkOrder;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::records::decode;
use crate::storage::{self, DeviceRow, Storage, Tx};

/// One visit of the day: a sealed form and what it names.
pub struct Visit {
    pub form: Form,
    pub template: Template,
    pub household: Household,
    /// The technician whose phone pushed the sealed form; none when no device did (the
    /// office took it in).
    pub technician: Option<Technician>,
    pub order_number: Option<String>,
}

impl Visit {
    pub fn sealed_at(&self) -> DateTime<Utc> {
        self.form
            .seal
            .as_ref()
            .map_or(self.form.started_at, |s| s.sealed_at)
    }

    /// Where the visit was: the position the phone captured on the form, else the
    /// household's own.
    pub fn position(&self) -> Option<GeoPoint> {
        self.form
            .answers
            .values()
            .find_map(|a| match a {
                Answer::Location(l) => Some(l.point),
                _ => None,
            })
            .or(self.household.location)
    }
}

/// Every form sealed on `day` (Beijing time), in the order the visits began.
pub fn of_the_day(storage: &dyn Storage, day: NaiveDate) -> Result<Vec<Visit>> {
    storage::read(storage, |tx| {
        let devices = tx.devices(None)?;
        let mut visits = Vec::new();
        for form in sealed_forms(tx)? {
            let sealed_at = form.seal.as_ref().map(|s| s.sealed_at);
            if sealed_at.map(local_date) != Some(day) {
                continue;
            }
            visits.push(visit(tx, &devices, form)?);
        }
        visits.sort_by_key(|v| (v.form.started_at, v.sealed_at()));
        Ok(visits)
    })
}

fn sealed_forms(tx: &mut dyn Tx) -> Result<Vec<Form>> {
    let mut forms = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(Entity::Form, &after, 500)?;
        let Some(last) = page.last() else {
            return Ok(forms);
        };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            let form: Form = decode(record)?;
            if form.is_sealed() {
                forms.push(form);
            }
        }
    }
}

fn visit(tx: &mut dyn Tx, devices: &[DeviceRow], form: Form) -> Result<Visit> {
    let id = form.id.to_string();
    let template_key = format!("{}@{}", form.template_id, form.template_version);
    let template: Template = held(tx, Entity::Template, &template_key)?;
    let household: Household = held(tx, Entity::Household, &form.household_id.to_string())?;
    let mut technician = None;
    for device in devices {
        if tx.pushed_about(&device.id, Entity::Form, &id)? {
            technician = held(tx, Entity::Technician, &device.technician_id).ok();
            break;
        }
    }
    let order_number = match form.work_order_id {
        Some(order) => held::<WorkOrder>(tx, Entity::WorkOrder, &order.to_string())
            .ok()
            .map(|o| o.number),
        None => None,
    };
    Ok(Visit {
        form,
        template,
        household,
        technician,
        order_number,
    })
}

/// A record the server holds, decoded; a sealed form's household and template always are.
fn held<T: DeserializeOwned>(tx: &mut dyn Tx, entity: Entity, id: &str) -> Result<T> {
    match tx.record(entity, id)? {
        Some(record) => decode(&record),
        None => Err(crate::error::Error::NotFound(entity.as_str())),
    }
}
