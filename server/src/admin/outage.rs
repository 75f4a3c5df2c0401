//! Planned outages (Art.7(2)): announced by the office, with the households told of them.
//! The rules are the core's (`doorstep_core::outage`); this module reads the operator's options
//! and the server's records.

use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::geo::Area;
use doorstep_core::household::Household;
use doorstep_core::ids::{HouseholdId, OutageId};
use doorstep_core::outage::{
    NoticeState, Notification, NotifiedHow, Notifier, OutageArea, OutageNotice, OutageReason,
};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::District;
use doorstep_core::text::said;
use doorstep_core::workorder::deadline::DeadlinePolicy;

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage, StoredRecord, Tx};

use super::*;

/// A planned outage as the office gives it, from the command line or the console.
#[derive(Debug, Clone)]
pub struct NewOutage {
    pub title: String,
    pub reason: OutageReason,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub area: OutageArea,
    /// An emergency announced with less than the lead time: why.
    pub emergency: Option<String>,
}

/// What an outage over an area would mean before it is posted: the households it affects
/// and the lead time it must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutagePreview {
    pub households: usize,
    pub lead: chrono::Duration,
}

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
    let new = NewOutage {
        title: args.title,
        reason: args.reason,
        starts: args.starts,
        ends: args.ends,
        area,
        emergency: args
            .emergency
            .then(|| args.emergency_reason.unwrap_or_default()),
    };
    match announce_outage(storage, &new, act) {
        Ok(id) => Ok(id.to_string()),
        Err(Error::InvalidInput(e)) => Err(outage_option(e)),
        Err(e) => Err(message(e)),
    }
}

/// Announces `new` (audited `outage_created`): refused by the core's rules (the lead time of
/// the districts it touches, an emergency's reason, an area that encloses ground and does not
/// cross itself) with the notice's field and reason, nothing written.
pub(crate) fn announce_outage(
    storage: &dyn Storage,
    new: &NewOutage,
    act: &Act,
) -> Result<OutageId> {
    storage::write(storage, |tx| {
        let lead = lead_for(tx, &new.area)?;
        let notice = OutageNotice::create(
            &new.title,
            new.reason,
            new.area.clone(),
            new.starts,
            new.ends,
            lead,
            new.emergency.as_deref(),
            &act.operator(),
            act.at,
        )?;
        let id = notice.id;
        put_from_office(tx, &Record::Outage(Box::new(notice)))?;
        audit(tx, act, "outage_created", Entity::Outage, &id.to_string())?;
        Ok(id)
    })
}

/// The lead time an outage over `area` must give: the longest of its districts' (each named
/// district must exist).
fn lead_for(tx: &mut dyn Tx, area: &OutageArea) -> Result<chrono::Duration> {
    if let OutageArea::Districts(ids) = area {
        for d in ids {
            require(tx, Entity::District, &d.to_string(), "district")?;
        }
    }
    let districts: Vec<District> = every(tx, Entity::District)?;
    Ok(area.lead_time(
        districts
            .iter()
            .map(|d| (d.id, &d.boundary, d.policy.outage_lead)),
        DeadlinePolicy::default().outage_lead,
    ))
}

/// How many households an outage over `area` would affect, and its lead time: shown before it
/// is posted. `counts` says which households to count (a dispatcher's districts).
pub(crate) fn preview_outage(
    storage: &dyn Storage,
    area: &OutageArea,
    counts: &dyn Fn(&Household) -> bool,
) -> Result<OutagePreview> {
    // A notice not made yet, over the area: the core's rule of who is affected reads its area
    // alone.
    let draft = OutageNotice {
        id: OutageId::new(),
        title: String::new(),
        reason: OutageReason::Repair,
        area: area.clone(),
        starts_at: DateTime::<Utc>::MIN_UTC,
        ends_at: DateTime::<Utc>::MIN_UTC,
        created_at: DateTime::<Utc>::MIN_UTC,
        created_by: String::new(),
        lead_seconds: 0,
        emergency: None,
        notifications: Vec::new(),
    };
    storage::read(storage, |tx| {
        let lead = lead_for(tx, area)?;
        let mut households = 0;
        each_household(tx, &mut |h| {
            if draft.affects(h) && counts(h) {
                households += 1;
            }
        })?;
        Ok(OutagePreview { households, lead })
    })
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

pub(crate) fn read_notice(tx: &mut dyn Tx, id: OutageId) -> Result<OutageNotice> {
    decode(
        &tx.record(Entity::Outage, &id.to_string())?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("outage notice"))?,
    )
}

/// Calls `f` with every household the server holds (deleted ones left out), a page at a time.
fn each_household(tx: &mut dyn Tx, f: &mut dyn FnMut(&Household)) -> Result<()> {
    let mut after = String::new();
    loop {
        let page = tx.records(Entity::Household, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            f(&decode(record)?);
        }
    }
    Ok(())
}

/// Every household the server holds that the outage affects, by customer number.
fn affected(tx: &mut dyn Tx, notice: &OutageNotice) -> Result<Vec<Household>> {
    let mut found = Vec::new();
    each_household(tx, &mut |h| {
        if notice.affects(h) {
            found.push(h.clone());
        }
    })?;
    found.sort_by(|a, b| a.customer_number.cmp(&b.customer_number));
    Ok(found)
}

/// An outage's households at `now`: each the outage affects, by customer number, with where it
/// stands (told, and whether late; pending; not told after the deadline).
pub(crate) fn outage_households(
    storage: &dyn Storage,
    id: OutageId,
    now: DateTime<Utc>,
) -> Result<(OutageNotice, Vec<(Household, NoticeState)>)> {
    storage::read(storage, |tx| {
        let notice = read_notice(tx, id)?;
        let households = affected(tx, &notice)?
            .into_iter()
            .map(|h| {
                let state = notice.state_of(h.id, now);
                (h, state)
            })
            .collect();
        Ok((notice, households))
    })
}

/// One outage and how far its households were told at a moment.
#[derive(Debug, Clone)]
pub struct OutageSummary {
    pub notice: OutageNotice,
    /// The households it affects (of those counted).
    pub affected: usize,
    pub told: usize,
    /// Not told yet, before the deadline.
    pub pending: usize,
    /// Not told when the deadline passed.
    pub overdue: usize,
    /// Told, but after the deadline.
    pub told_late: usize,
}

/// Every outage, the latest to start first, each with its households counted at `now`: only
/// the households `counts` says (a dispatcher's districts). One pass over the households.
pub(crate) fn outage_summaries(
    storage: &dyn Storage,
    now: DateTime<Utc>,
    counts: &dyn Fn(&Household) -> bool,
) -> Result<Vec<OutageSummary>> {
    storage::read(storage, |tx| {
        let notices: Vec<OutageNotice> = every(tx, Entity::Outage)?;
        let mut summaries: Vec<OutageSummary> = notices
            .into_iter()
            .map(|notice| OutageSummary {
                notice,
                affected: 0,
                told: 0,
                pending: 0,
                overdue: 0,
                told_late: 0,
            })
            .collect();
        each_household(tx, &mut |h| {
            if !counts(h) {
                return;
            }
            for s in summaries.iter_mut().filter(|s| s.notice.affects(h)) {
                s.affected += 1;
                match s.notice.state_of(h.id, now) {
                    NoticeState::Notified { late, .. } => {
                        s.told += 1;
                        s.told_late += usize::from(late);
                    }
                    NoticeState::Pending => s.pending += 1,
                    NoticeState::Overdue => s.overdue += 1,
                }
            }
        })?;
        summaries.sort_by_key(|s| std::cmp::Reverse(s.notice.starts_at));
        Ok(summaries)
    })
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
    let (_, households) = outage_households(storage, id, act.at).map_err(message)?;
    for (h, state) in households {
        println!("{}", household_line(&h.customer_number, &state));
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
    let told =
        record_notifications(storage, id, customer_numbers, how, at, act).map_err(|e| match e {
            Error::InvalidInput(e) if e.field == "at" => format!("--at: {}", both(&e)),
            Error::InvalidInput(e) if e.field.ends_with("household") => {
                format!("--household: {}", both(&e))
            }
            other => message(other),
        })?;
    Ok(format!(
        "已记录 {told} 户 / {told} household(s) recorded as told"
    ))
}

/// Records the households of `customer_numbers` told of outage `id` (audited
/// `outage_notified`), at `at` (default now; never later): refused for a number no household
/// has (field `household`) or a household the outage does not affect (the core's
/// `notifications[i].household`), nothing written. Returns how many were recorded.
pub(crate) fn record_notifications(
    storage: &dyn Storage,
    id: OutageId,
    customer_numbers: &[String],
    how: NotifiedHow,
    at: Option<DateTime<Utc>>,
    act: &Act,
) -> Result<usize> {
    let at = at.unwrap_or(act.at);
    if at > act.at {
        return Err(InvalidInput::new("at", said("晚于现在", "is in the future")).into());
    }
    let by = Notifier::Office {
        operator: act.operator(),
    };
    storage::write(storage, |tx| {
        let mut notifications = Vec::new();
        for number in customer_numbers {
            let household = tx
                .record_id_by_key(Entity::Household, number.trim())?
                .ok_or_else(|| {
                    InvalidInput::new(
                        "household",
                        said(
                            "没有这个用户编号的用户",
                            "no household has this customer number",
                        ),
                    )
                })?;
            notifications.push(Notification {
                at,
                household_id: household.parse().map_err(Error::from)?,
                how,
                by: by.clone(),
            });
        }
        crate::push::outage::add_notifications(tx, id, &notifications)?;
        audit(tx, act, "outage_notified", Entity::Outage, &id.to_string())?;
        Ok(notifications.len())
    })
}
