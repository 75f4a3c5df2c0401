//! The service center's own scenes of the demo's day (see `super::Scene`): the morning's
//! planned outage notice for tomorrow, and last evening's complaint put on record. The office
//! works as `doorstep admin` does, through the admin tool's own functions, audited under the
//! operator [`OPERATOR`].
//!
//! Each is made once: the journal keeps a scene from playing twice, and each scene also looks
//! for its record first (the notice by its title and start, the complaint by its number), so a
//! run stopped between the write and the journal's save does not make a second one.

use chrono::{DateTime, Duration, Utc};
use doorstep_core::complaint::ComplaintChannel;
use doorstep_core::outage::{OutageNotice, OutageReason};
use doorstep_core::sync::protocol::Entity;

use super::world::{World, beijing, hm};
use super::{Day, DemoError, DemoResult, Role, Scene};
use crate::admin::{Act, ComplaintOpen, OutageCreate, create_outage, open_complaint};
use crate::error::Error;
use crate::records::decode;
use crate::storage::{self, Actor, Storage};

/// The service center's operator, as the audit log names the demo's office.
pub const OPERATOR: &str = "demo";

pub fn scenes() -> Vec<Scene> {
    vec![
        Scene {
            at: hm(7, 0),
            role: Role::Office,
            name: "office_outage_notice",
            title: "服务中心：发布明日计划停气通知 / the office announces tomorrow's planned outage",
            play: outage_notice,
        },
        Scene {
            at: hm(7, 5),
            role: Role::Office,
            name: "office_complaint",
            title: "服务中心：登记昨晚的投诉 / the office records last evening's complaint",
            play: complaint,
        },
    ]
}

fn outage_notice(day: &mut Day<'_>) -> DemoResult<()> {
    announce_outage(day.storage, day.world, day.now).map(|_| ())
}

fn complaint(day: &mut Day<'_>) -> DemoResult<()> {
    record_complaint(day.storage, day.world, day.now).map(|_| ())
}

/// What the notice of tomorrow's outage is called: the compound's name and the day.
pub fn outage_title(world: &World) -> String {
    let compound = &world.compounds[world.cast.outage_compound];
    format!(
        "{}管网检修停气（{}）",
        compound.name,
        (world.date + Duration::days(1)).format("%-m月%-d日")
    )
}

/// When tomorrow's outage starts and ends: 09:00 to 17:00 the day after the demo's day.
pub fn outage_hours(world: &World) -> (DateTime<Utc>, DateTime<Utc>) {
    let tomorrow = world.date + Duration::days(1);
    (beijing(tomorrow, hm(9, 0)), beijing(tomorrow, hm(17, 0)))
}

/// The complaint's number: TS-, the day it was received (the evening before the demo's day).
pub fn complaint_number(world: &World) -> String {
    format!(
        "TS-{}-001",
        (world.date - Duration::days(1)).format("%Y%m%d")
    )
}

/// The planned outage of tomorrow 09:00-17:00 over the outage compound's block, announced at
/// `now` by the office; its id. The notice already there (same title, same start) is kept.
pub fn announce_outage(
    storage: &dyn Storage,
    world: &World,
    now: DateTime<Utc>,
) -> DemoResult<String> {
    let title = outage_title(world);
    let (starts, ends) = outage_hours(world);
    if let Some(id) = existing_outage(storage, &title, starts)? {
        return Ok(id);
    }
    let (sw, ne) = world.compounds[world.cast.outage_compound].block;
    // The block's corners, longitude first, as the operator types them after --area.
    let area = [
        (sw.lon(), sw.lat()),
        (ne.lon(), sw.lat()),
        (ne.lon(), ne.lat()),
        (sw.lon(), ne.lat()),
    ]
    .iter()
    .map(|(lon, lat)| format!("{lon:.6} {lat:.6}"))
    .collect::<Vec<_>>()
    .join(", ");
    let args = OutageCreate {
        title,
        reason: OutageReason::PipelineInspection,
        starts,
        ends,
        area: Some(area),
        area_file: None,
        districts: Vec::new(),
        emergency: false,
        emergency_reason: None,
    };
    create_outage(storage, args, &act(now)).map_err(refused)
}

/// The complaint the equipment fault's household phoned in yesterday at 19:40: the water
/// heater is still not repaired. Recorded at `now` against the equipment-fault order; its id.
/// The complaint already there under its number is kept.
pub fn record_complaint(
    storage: &dyn Storage,
    world: &World,
    now: DateTime<Utc>,
) -> DemoResult<String> {
    let number = complaint_number(world);
    if let Some(id) = storage::read(storage, |tx| {
        Ok(tx.record_id_by_key(Entity::Complaint, &number)?)
    })? {
        return Ok(id);
    }
    let household = world.household(world.cast.complainant);
    let order = world.order(world.cast.equipment_fault);
    let args = ComplaintOpen {
        number,
        name: household.name.clone(),
        phone: household.phones.first().map(|p| p.as_str().to_owned()),
        channel: ComplaintChannel::Phone,
        summary: "热水器点不着火，昨天报修至今未修好，用户不满 / the water heater does not \
                  light; reported yesterday, still not repaired"
            .to_owned(),
        household: Some(household.customer_number.clone()),
        order: Some(order.number.clone()),
        technician: None,
        received_at: Some(beijing(world.date - Duration::days(1), hm(19, 40))),
    };
    open_complaint(storage, args, &act(now)).map_err(refused)
}

fn existing_outage(
    storage: &dyn Storage,
    title: &str,
    starts: DateTime<Utc>,
) -> DemoResult<Option<String>> {
    Ok(storage::read(storage, |tx| {
        let mut after = String::new();
        loop {
            let page = tx.records(Entity::Outage, &after, 500)?;
            let Some(last) = page.last() else {
                return Ok(None);
            };
            after = last.id.clone();
            for record in page.iter().filter(|r| !r.deleted) {
                let notice: OutageNotice = decode(record)?;
                if notice.title == title && notice.starts_at == starts {
                    return Ok(Some(record.id.clone()));
                }
            }
        }
    })?)
}

fn act(now: DateTime<Utc>) -> Act {
    Act {
        at: now,
        actor: Actor::Admin(Some(OPERATOR.to_owned())),
    }
}

/// The admin tool's refusal (a line for the operator, naming the option) as the demo's error.
fn refused(message: String) -> DemoError {
    DemoError::Office(Error::invalid(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::world;
    use crate::storage::{Counted, SqliteStorage};
    use chrono::NaiveDate;
    use doorstep_core::complaint::Complaint;

    fn office() -> (tempfile::TempDir, SqliteStorage, World) {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("doorstep.sqlite")).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let world = world::generate(7, 3_000, date);
        world::seed(&storage, &world).unwrap();
        (dir, storage, world)
    }

    #[test]
    fn the_office_announces_tomorrows_outage_over_the_compound_once_in_time() {
        let (_dir, storage, world) = office();
        let at = beijing(world.date, hm(7, 0));
        let first = announce_outage(&storage, &world, at).unwrap();
        let again = announce_outage(&storage, &world, at + Duration::minutes(3)).unwrap();
        assert_eq!(first, again);
        let outages = storage::read(&storage, |tx| {
            Ok(tx.count(Counted::Records(Entity::Outage))?)
        });
        assert_eq!(outages.unwrap(), 1);

        let notice: OutageNotice = storage::read(&storage, |tx| {
            decode(&tx.record(Entity::Outage, &first)?.unwrap())
        })
        .unwrap();
        assert_eq!(notice.created_by, OPERATOR);
        assert!(
            notice.emergency.is_none(),
            "announced 26 h ahead: not an emergency"
        );
        let compound = &world.compounds[world.cast.outage_compound];
        let inside: Vec<_> = world
            .households
            .iter()
            .filter(|h| notice.affects(h))
            .collect();
        assert!(!inside.is_empty());
        assert!(
            inside
                .iter()
                .all(|h| h.address.street.ends_with(&compound.name))
        );
    }

    #[test]
    fn last_evenings_complaint_is_recorded_once_against_the_unrepaired_water_heater() {
        let (_dir, storage, world) = office();
        let at = beijing(world.date, hm(7, 5));
        let first = record_complaint(&storage, &world, at).unwrap();
        let again = record_complaint(&storage, &world, at + Duration::minutes(1)).unwrap();
        assert_eq!(first, again);
        let complaint: Complaint = storage::read(&storage, |tx| {
            decode(&tx.record(Entity::Complaint, &first)?.unwrap())
        })
        .unwrap();
        assert_eq!(complaint.against_order, Some(world.cast.equipment_fault));
        assert_eq!(complaint.household_id, Some(world.cast.complainant));
        assert!(complaint.received_at < beijing(world.date, hm(0, 0)));
        let audited = storage::read(&storage, |tx| Ok(tx.audit_log(50)?)).unwrap();
        assert_eq!(
            audited
                .iter()
                .filter(|a| a.action == "complaint_opened")
                .count(),
            1
        );
    }
}
