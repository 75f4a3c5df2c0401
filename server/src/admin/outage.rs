//! Planned outages (Art.7(2)): announced by the office, with the households told of them.
//! The rules are the core's (`doorstep_core::outage`); this module reads the operator's options
//! and the server's records.

use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::geo::Area;
use doorstep_core::household::Household;
use doorstep_core::ids::{HouseholdId, OutageId};
use doorstep_core::outage::{
    NoticeState, Notification, NotifiedHow, Notifier, OutageArea, OutageNotice,
};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::District;
use doorstep_core::workorder::deadline::DeadlinePolicy;

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage, StoredRecord, Tx};

use super::*;

pub(crate) fn create_outage(
    storage: &dyn Storage,
    args: OutageCreate,
    act: &Act,
) -> Result<String, String> {
    let area = match (&args.area, &args.area_file, args.districts.is_empty()) {
        (Some(text), _, _) => {
            OutageArea::Polygon(Area::parse_corners(text).map_err(|e| format!("--area: {e}"))?)
        }
        (None, Some(file), _) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
            OutageArea::Polygon(Area::from_geojson(&text).map_err(|e| format!("--area-file: {e}"))?)
        }
        (None, None, false) => OutageArea::Districts(args.districts.clone()),
        (None, None, true) => {
            return Err(
                "请给出 --area、--area-file 或 --district / give --area, --area-file or --district"
                    .into(),
            );
        }
    };
    let emergency = args
        .emergency
        .then_some(args.emergency_reason.as_deref().unwrap_or(""));
    storage::write(storage, |tx| {
        if let OutageArea::Districts(ids) = &area {
            for d in ids {
                require(tx, Entity::District, &d.to_string(), "district")?;
            }
        }
        let districts: Vec<District> = every(tx, Entity::District)?;
        let lead = area.lead_time(
            districts
                .iter()
                .map(|d| (d.id, &d.boundary, d.policy.outage_lead)),
            DeadlinePolicy::default().outage_lead,
        );
        let notice = OutageNotice::create(
            &args.title,
            args.reason,
            area.clone(),
            args.starts,
            args.ends,
            lead,
            emergency,
            &act.operator(),
            act.at,
        )
        .map_err(|e| Error::invalid(outage_option(e)))?;
        let id = notice.id.to_string();
        put_from_office(tx, &Record::Outage(Box::new(notice)))?;
        audit(tx, act, "outage_created", Entity::Outage, &id)?;
        Ok(id)
    })
    .map_err(message)
}

/// A notice's problem, named by the option that caused it.
fn outage_option(e: InvalidInput) -> String {
    let option = match e.field.as_str() {
        "outage.title" => "--title",
        "outage.starts_at" => "--starts",
        "outage.ends_at" => "--ends",
        "outage.area" => "--area",
        "outage.districts" => "--district",
        "outage.emergency_reason" => "--emergency-reason",
        "outage.created_by" => "--operator",
        _ => return e.to_string(),
    };
    invalid_option(option, e)
}

pub(super) fn outage_line(record: &StoredRecord) -> Result<String> {
    let n: OutageNotice = decode(record)?;
    let told: std::collections::BTreeSet<HouseholdId> =
        n.notifications.iter().map(|t| t.household_id).collect();
    Ok(tsv(&[
        n.id.to_string(),
        n.starts_at.to_rfc3339(),
        n.ends_at.to_rfc3339(),
        n.reason.as_str().to_owned(),
        told.len().to_string(),
        n.emergency
            .clone()
            .map_or_else(|| "-".to_owned(), |reason| format!("emergency: {reason}")),
        n.title,
    ]))
}

fn read_notice(tx: &mut dyn Tx, id: OutageId) -> Result<OutageNotice> {
    decode(
        &tx.record(Entity::Outage, &id.to_string())?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("outage notice"))?,
    )
}

/// Every household the server holds that the outage affects, by customer number.
fn affected(tx: &mut dyn Tx, notice: &OutageNotice) -> Result<Vec<Household>> {
    let mut found = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(Entity::Household, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            let h: Household = decode(record)?;
            if notice.affects(&h) {
                found.push(h);
            }
        }
    }
    found.sort_by(|a, b| a.customer_number.cmp(&b.customer_number));
    Ok(found)
}

/// One household's line of `outage households`.
pub(super) fn household_line(customer_number: &str, state: &NoticeState) -> String {
    let mut values = vec![customer_number.to_owned()];
    match state {
        NoticeState::Notified { first, late } => {
            values.push(format!("{} {}", first.how.as_str(), first.at.to_rfc3339()));
            if *late {
                values.push("LATE".into());
            }
        }
        NoticeState::Pending => values.push("PENDING".into()),
        NoticeState::Overdue => values.push("LATE".into()),
    }
    tsv(&values)
}

pub(super) fn print_outage_households(
    storage: &dyn Storage,
    id: OutageId,
    act: &Act,
) -> Result<(), String> {
    let lines = storage::read(storage, |tx| {
        let notice = read_notice(tx, id)?;
        Ok(affected(tx, &notice)?
            .iter()
            .map(|h| household_line(&h.customer_number, &notice.state_of(h.id, act.at)))
            .collect::<Vec<_>>())
    })
    .map_err(message)?;
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

pub(super) fn notify_outage(
    storage: &dyn Storage,
    id: OutageId,
    customer_numbers: &[String],
    how: NotifiedHow,
    at: Option<DateTime<Utc>>,
    act: &Act,
) -> Result<String, String> {
    let at = at.unwrap_or(act.at);
    if at > act.at {
        return Err("--at: 晚于现在 / is in the future".into());
    }
    let by = Notifier::Office {
        operator: act.operator(),
    };
    let told = storage::write(storage, |tx| {
        let mut notifications = Vec::new();
        for number in customer_numbers {
            let household = tx
                .record_id_by_key(Entity::Household, number.trim())?
                .ok_or_else(|| {
                    Error::invalid(
                        "--household: 没有这个用户编号的用户 / no household has this customer number",
                    )
                })?;
            notifications.push(Notification {
                at,
                household_id: household.parse().map_err(Error::from)?,
                how,
                by: by.clone(),
            });
        }
        crate::push::outage::add_notifications(tx, id, &notifications).map_err(|e| match e {
            Error::InvalidInput(e) if e.field.ends_with(".household") || e.field.ends_with("household") => {
                Error::invalid(format!("--household: {}", both(&e)))
            }
            other => other,
        })?;
        audit(tx, act, "outage_notified", Entity::Outage, &id.to_string())?;
        Ok(notifications.len())
    })
    .map_err(message)?;
    Ok(format!(
        "已记录 {told} 户 / {told} household(s) recorded as told"
    ))
}
