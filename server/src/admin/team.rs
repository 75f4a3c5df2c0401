//! Districts, crews and technicians: added, listed, deactivated.

use std::fmt;
use std::path::Path;

use doorstep_core::geo::Area;
use doorstep_core::household::Phone;
use doorstep_core::ids::{CrewId, DistrictId, TechnicianId};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::workorder::DeadlinePolicy;
use doorstep_core::workorder::deadline::parse_target;

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage};

use super::*;

pub(super) fn add_district(
    storage: &dyn Storage,
    args: DistrictAdd,
    act: &Act,
) -> Result<String, String> {
    let boundary = match (&args.boundary, &args.boundary_file) {
        (Some(text), _) => Area::parse_corners(text).map_err(|e| format!("--boundary: {e}"))?,
        (None, Some(file)) => read_geojson_polygon(file)?,
        (None, None) => {
            return Err(
                "请给出 --boundary 或 --boundary-file / give --boundary or --boundary-file".into(),
            );
        }
    };
    let district = District {
        id: DistrictId::new(),
        name: args.name.trim().to_owned(),
        policy: Default::default(),
        boundary,
    };
    district
        .validate()
        .map_err(|e| invalid_option("--name", e))?;
    let id = district.id.to_string();
    storage::write(storage, |tx| {
        put_from_office(tx, &Record::District(district.clone()))?;
        audit(tx, act, "district_created", Entity::District, &id)
    })
    .map_err(message)?;
    Ok(id)
}

/// `district policy`: the district's targets, from a file and then each `--set`, validated as
/// a whole; orders opened afterwards are stamped with them (open orders keep their own).
pub(super) fn set_district_policy(
    storage: &dyn Storage,
    args: DistrictPolicy,
    act: &Act,
) -> Result<String, String> {
    if args.set.is_empty() && args.file.is_none() {
        return Err("请给出 --set 或 --file / give --set or --file".into());
    }
    let from_file = match &args.file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
            Some(serde_json::from_str::<DeadlinePolicy>(&text).map_err(|e| {
                format!(
                    "--file: 不是时限策略 / not a deadline policy: {}",
                    doorstep_core::input::without_values(&e.to_string())
                )
            })?)
        }
        None => None,
    };
    let mut changes = Vec::new();
    for pair in &args.set {
        let (name, value) = pair
            .split_once('=')
            .ok_or("--set: 请写成 名称=时长 / write NAME=DURATION, e.g. major_on_site=20m")?;
        let name = name.trim();
        if !DeadlinePolicy::TARGETS.contains(&name) {
            return Err(format!(
                "--set: 未知的时限名称 / unknown target name (one of: {})",
                DeadlinePolicy::TARGETS.join(", ")
            ));
        }
        let allowed = parse_target("--set", value).map_err(|e| invalid_option("--set", e))?;
        changes.push((name.to_owned(), allowed));
    }
    let id = args.district_id.to_string();
    let policy = storage::write(storage, |tx| {
        let record = tx
            .record(Entity::District, &id)?
            .filter(|r| !r.deleted)
            .ok_or(Error::NotFound("district"))?;
        let mut district: District = decode(&record)?;
        if let Some(p) = &from_file {
            *district.policy = p.clone();
        }
        for (name, allowed) in &changes {
            district
                .policy
                .set(name, *allowed)
                .map_err(|e| Error::invalid(invalid_option("--set", e)))?;
        }
        district
            .validate()
            .map_err(|e| Error::invalid(invalid_option("--file", e)))?;
        put_from_office(tx, &Record::District(district.clone()))?;
        audit(tx, act, "district_policy_set", Entity::District, &id)?;
        Ok(*district.policy)
    })
    .map_err(message)?;
    Ok(DeadlinePolicy::TARGETS
        .iter()
        .map(|name| {
            let seconds = policy.target(name).map_or(0, |d| d.num_seconds());
            format!("{name}\t{seconds}\n")
        })
        .collect())
}

/// The outer ring of a GeoJSON Polygon (or of a Feature, or a one-feature collection, holding one).
pub(super) fn read_geojson_polygon(file: &Path) -> Result<Area, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    Area::from_geojson(&text).map_err(|e| format!("--boundary-file: {e}"))
}

pub(super) fn add_crew(storage: &dyn Storage, args: CrewAdd, act: &Act) -> Result<String, String> {
    let crew = Crew {
        id: CrewId::new(),
        name: args.name.trim().to_owned(),
        district_id: args.district,
    };
    crew.validate().map_err(|e| invalid_option("--name", e))?;
    let id = crew.id.to_string();
    storage::write(storage, |tx| {
        if let Some(d) = crew.district_id {
            require(tx, Entity::District, &d.to_string(), "district")?;
        }
        put_from_office(tx, &Record::Crew(crew.clone()))?;
        audit(tx, act, "crew_created", Entity::Crew, &id)
    })
    .map_err(message)?;
    Ok(id)
}

pub(super) fn add_technician(
    storage: &dyn Storage,
    args: TechnicianAdd,
    act: &Act,
) -> Result<String, String> {
    let phone = args
        .phone
        .as_deref()
        .map(Phone::parse)
        .transpose()
        .map_err(|e| invalid_option("--phone", e))?;
    let technician = Technician {
        id: TechnicianId::new(),
        badge: args.badge.trim().to_owned(),
        name: args.name.trim().to_owned(),
        phone,
        role: args.role,
        crew_id: args.crew,
        district_id: args.district,
        active: true,
    };
    technician.validate().map_err(|e| {
        let option = if e.field.ends_with("badge") {
            "--badge"
        } else {
            "--name"
        };
        invalid_option(option, e)
    })?;
    let id = technician.id.to_string();
    storage::write(storage, |tx| {
        if tx
            .record_id_by_key(Entity::Technician, &technician.badge)?
            .is_some()
        {
            return Err(Error::invalid(
                "--badge: a technician with this badge number already exists",
            ));
        }
        if let Some(c) = technician.crew_id {
            require(tx, Entity::Crew, &c.to_string(), "crew")?;
        }
        if let Some(d) = technician.district_id {
            require(tx, Entity::District, &d.to_string(), "district")?;
        }
        put_from_office(tx, &Record::Technician(technician.clone()))?;
        audit(tx, act, "technician_created", Entity::Technician, &id)
    })
    .map_err(message)?;
    Ok(id)
}

pub(super) fn deactivate_technician(
    storage: &dyn Storage,
    id: TechnicianId,
    act: &Act,
) -> Result<(), String> {
    let id = id.to_string();
    storage::write(storage, |tx| {
        let record = tx
            .record(Entity::Technician, &id)?
            .ok_or(Error::NotFound("technician"))?;
        let mut technician: Technician = decode(&record)?;
        if technician.active {
            technician.active = false;
            put_from_office(tx, &Record::Technician(technician))?;
        }
        audit(tx, act, "technician_deactivated", Entity::Technician, &id)
    })
    .map_err(message)
}

/// Prints one line per record of `entity` (in id order, i.e. creation order).
pub(super) fn list(
    storage: &dyn Storage,
    entity: Entity,
    line: fn(&crate::storage::StoredRecord) -> Result<String>,
) -> Result<(), String> {
    let lines = storage::read(storage, |tx| {
        let mut lines = Vec::new();
        let mut after = String::new();
        loop {
            let page = tx.records(entity, &after, 500)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for record in page.iter().filter(|r| !r.deleted) {
                lines.push(line(record)?);
            }
        }
        Ok(lines)
    })
    .map_err(message)?;
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

pub(super) fn district_line(record: &crate::storage::StoredRecord) -> Result<String> {
    let d: District = decode(record)?;
    Ok(tsv(&[d.id.to_string(), d.name]))
}

pub(super) fn crew_line(record: &crate::storage::StoredRecord) -> Result<String> {
    let c: Crew = decode(record)?;
    Ok(tsv(&[c.id.to_string(), or_dash(c.district_id), c.name]))
}

pub(super) fn technician_line(record: &crate::storage::StoredRecord) -> Result<String> {
    let t: Technician = decode(record)?;
    Ok(tsv(&[
        t.id.to_string(),
        t.badge,
        t.role.as_str().to_owned(),
        if t.active { "active" } else { "inactive" }.to_owned(),
        or_dash(t.crew_id),
        or_dash(t.district_id),
        t.name,
    ]))
}

pub(super) fn or_dash(value: Option<impl fmt::Display>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// One tab-separated line; tabs and line breaks inside a value become spaces.
pub(super) fn tsv(values: &[String]) -> String {
    values
        .iter()
        .map(|v| v.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t")
}
