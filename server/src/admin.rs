//! `doorstep admin`: the back office's command-line tool. It sets up districts, crews and
//! technicians, imports the household files, opens work orders, issues enrollment codes,
//! revokes devices, and shows the merge's conflicts and the audit log (see `docs/admin.md`).
//!
//! Every change goes through [`records::put_from_office`] in a [`storage::write`] transaction,
//! so it gets a server sequence number and the devices whose scope it is in pull it; every
//! change is audited with the actor `admin`. Error messages name a line and a field, never a
//! person's data.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDate, Utc};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use doorstep_core::InvalidInput;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::{
    Address, Category, Household, Phone, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::{Crew, District, Technician, TechnicianRole};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use serde::de::DeserializeOwned;

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::records::{decode, put_from_office};
use crate::serve::StorageOptions;
use crate::storage::{self, AuditRow, Storage, Tx};

/// The storage options are global: `doorstep admin --data DIR crew add …` and
/// `doorstep admin crew add … --data DIR` mean the same.
#[derive(Debug, clap::Args)]
#[command(mut_args(storage_option))]
pub struct AdminOptions {
    #[command(flatten)]
    pub storage: StorageOptions,
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// A storage option: accepted before or after the subcommand, listed apart in `--help`.
fn storage_option(arg: clap::Arg) -> clap::Arg {
    arg.global(true).help_heading("Storage")
}

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Districts: the areas on the map that technicians and crews cover.
    District {
        #[command(subcommand)]
        command: DistrictCommand,
    },
    /// Technicians: inspectors, repair technicians and crew leaders.
    Technician {
        #[command(subcommand)]
        command: TechnicianCommand,
    },
    /// Crews: the teams repair technicians work in.
    Crew {
        #[command(subcommand)]
        command: CrewCommand,
    },
    /// Households: one file per household (一户一档), imported from the customer system.
    Household {
        #[command(subcommand)]
        command: HouseholdCommand,
    },
    /// Work orders: open one as the service center does after a call.
    Order {
        #[command(subcommand)]
        command: OrderCommand,
    },
    /// Issue a one-time enrollment code for a technician's device (prints only the code).
    ///
    /// The code is valid for 7 days and enrolls one device. Read it out to the technician or
    /// hand it over in person; it is not stored anywhere in clear.
    Enroll {
        /// The technician's id (as printed by `technician add`).
        technician_id: TechnicianId,
    },
    /// Devices: revoke a lost or stolen phone.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Show the newest edits the sync merge overrode, tab-separated, newest first.
    Conflicts(Newest),
    /// Show the newest entries of the audit log, tab-separated, newest first.
    Audit(Newest),
}

#[derive(Debug, clap::Args)]
pub struct Newest {
    /// How many rows to show.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum DistrictCommand {
    /// Add a district with its boundary (WGS-84, as GPS gives it); prints its id.
    Add(DistrictAdd),
    /// List the districts: id and name, tab-separated.
    List,
}

#[derive(Debug, clap::Args)]
pub struct DistrictAdd {
    /// The district's name, e.g. 西湖区文新片区.
    #[arg(long)]
    pub name: String,
    /// The boundary's corners in WGS-84 decimal degrees, longitude first:
    /// 'lon lat, lon lat, lon lat, …' (at least three corners; the ring closes by itself).
    #[arg(
        long,
        value_name = "CORNERS",
        required_unless_present = "boundary_file",
        conflicts_with = "boundary_file"
    )]
    pub boundary: Option<String>,
    /// A GeoJSON file with the boundary: a Polygon, or a Feature holding one (WGS-84, no holes).
    #[arg(long, value_name = "FILE")]
    pub boundary_file: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum TechnicianCommand {
    /// Add a technician; prints the new id (give it to `enroll` to enroll their phone).
    Add(TechnicianAdd),
    /// Deactivate a technician: their devices are refused from the next request on.
    Deactivate {
        /// The technician's id.
        id: TechnicianId,
    },
    /// List the technicians: id, badge, role, active, crew, district, name; tab-separated.
    List,
}

#[derive(Debug, clap::Args)]
pub struct TechnicianAdd {
    /// The employee number on the badge (1 to 16 letters or digits; unique).
    #[arg(long)]
    pub badge: String,
    /// The technician's name as printed on watermarks.
    #[arg(long)]
    pub name: String,
    /// A work phone (mobile, or landline with area code).
    #[arg(long)]
    pub phone: Option<String>,
    /// What the technician does.
    #[arg(long, value_parser = serde_enum::<TechnicianRole>(ROLES))]
    pub role: TechnicianRole,
    /// The crew the technician belongs to (its id).
    #[arg(long)]
    pub crew: Option<CrewId>,
    /// The district the technician covers (its id): its households reach their phone.
    #[arg(long)]
    pub district: Option<DistrictId>,
}

const ROLES: [&str; 3] = ["inspector", "repair_technician", "crew_leader"];
const SOURCES: [&str; 3] = ["phone", "visit", "system"];

#[derive(Debug, clap::Subcommand)]
pub enum CrewCommand {
    /// Add a crew; prints its id.
    Add(CrewAdd),
    /// List the crews: id, district, name; tab-separated.
    List,
}

#[derive(Debug, clap::Args)]
pub struct CrewAdd {
    /// The crew's name, e.g. 抢修一班.
    #[arg(long)]
    pub name: String,
    /// The district the crew is based in (its id).
    #[arg(long)]
    pub district: Option<DistrictId>,
}

#[derive(Debug, clap::Subcommand)]
pub enum HouseholdCommand {
    /// Import households from a CSV file (UTF-8, header row; columns in docs/admin.md).
    ///
    /// Every row is checked before anything is written: if any row is wrong, nothing of the
    /// file is imported and each problem is reported as `line N: <column>: <reason>`. A
    /// customer number already on the server updates that household (same id); the rest are
    /// created. The whole file is written in one transaction.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum OrderCommand {
    /// Open a work order; prints its id. With an assignee or a crew it is dispatched at once.
    Create(OrderCreate),
}

#[derive(Debug, clap::Args)]
pub struct OrderCreate {
    /// The service center's order number (letters, digits, '-'; unique).
    #[arg(long)]
    pub number: String,
    /// What is to be done.
    #[arg(long, value_parser = serde_enum::<WorkOrderKind>(WorkOrderKind::ALL.map(WorkOrderKind::as_str)))]
    pub kind: WorkOrderKind,
    /// Where the order came from.
    #[arg(long, value_parser = serde_enum::<WorkOrderSource>(SOURCES))]
    pub source: WorkOrderSource,
    /// The household's customer number.
    #[arg(long, value_name = "CUSTOMER_NUMBER")]
    pub household: Option<String>,
    /// Where the work is (WGS-84 latitude), for an order without a household or in the street.
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    /// Where the work is (WGS-84 longitude).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// The technician it is assigned to (id).
    #[arg(long)]
    pub assignee: Option<TechnicianId>,
    /// The crew it is assigned to (id).
    #[arg(long)]
    pub crew: Option<CrewId>,
    /// What the caller reported.
    #[arg(long, default_value = "")]
    pub description: String,
    /// When it was reported (RFC 3339, e.g. 2026-03-01T09:30:00+08:00); deadlines count from
    /// here. Default: now.
    #[arg(long, value_parser = parse_time)]
    pub reported_at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Subcommand)]
pub enum DeviceCommand {
    /// Revoke a device: every later request from it is refused; it cannot enroll again.
    Revoke {
        /// The device's id (see `audit`).
        device_id: String,
    },
}

/// A clap parser for a core enum, by its serde names (which it also lists in `--help`).
fn serde_enum<T>(names: impl IntoIterator<Item = &'static str>) -> impl TypedValueParser<Value = T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|name| serde_name::<T>(&name))
}

fn serde_name<T: DeserializeOwned>(name: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00".to_owned())
}

pub fn run(options: AdminOptions) -> Result<(), String> {
    let storage = options.storage.open_storage()?;
    let storage = &*storage;
    let now = Utc::now();
    match options.command {
        AdminCommand::District { command } => match command {
            DistrictCommand::Add(args) => println!("{}", add_district(storage, args, now)?),
            DistrictCommand::List => list(storage, Entity::District, district_line)?,
        },
        AdminCommand::Technician { command } => match command {
            TechnicianCommand::Add(args) => println!("{}", add_technician(storage, args, now)?),
            TechnicianCommand::Deactivate { id } => {
                deactivate_technician(storage, id, now)?;
                println!("technician {id} deactivated");
            }
            TechnicianCommand::List => list(storage, Entity::Technician, technician_line)?,
        },
        AdminCommand::Crew { command } => match command {
            CrewCommand::Add(args) => println!("{}", add_crew(storage, args, now)?),
            CrewCommand::List => list(storage, Entity::Crew, crew_line)?,
        },
        AdminCommand::Household {
            command: HouseholdCommand::Import { file },
        } => {
            let summary = import_households(storage, &file, now)?;
            println!("{summary}");
        }
        AdminCommand::Order {
            command: OrderCommand::Create(args),
        } => println!("{}", create_order(storage, args, now)?),
        AdminCommand::Enroll { technician_id } => {
            let code = storage::write(storage, |tx| {
                auth::issue_code(tx, &technician_id.to_string(), now)
            })
            .map_err(message)?;
            println!("{code}");
        }
        AdminCommand::Device {
            command: DeviceCommand::Revoke { device_id },
        } => {
            storage::write(storage, |tx| auth::revoke(tx, &device_id, now)).map_err(message)?;
            println!("device {device_id} revoked");
        }
        AdminCommand::Conflicts(Newest { limit }) => print_conflicts(storage, limit)?,
        AdminCommand::Audit(Newest { limit }) => print_audit(storage, limit)?,
    }
    Ok(())
}

/// An error as the operator reads it.
fn message(e: ApiError) -> String {
    e.to_string()
}

/// `field: reason`, for an option the operator typed.
fn invalid_option(option: &str, e: InvalidInput) -> String {
    format!("{option}: {}", e.reason)
}

fn audit(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    action: &str,
    entity: Entity,
    id: &str,
) -> ApiResult<()> {
    tx.audit(&AuditRow {
        at: now,
        actor: "admin".into(),
        device_id: None,
        action: action.into(),
        entity: Some(entity.as_str().into()),
        entity_id: Some(id.into()),
    })?;
    Ok(())
}

/// Whether a record exists (and was not deleted).
fn exists(tx: &mut dyn Tx, entity: Entity, id: &str) -> ApiResult<bool> {
    Ok(tx.record(entity, id)?.is_some_and(|r| !r.deleted))
}

fn require(tx: &mut dyn Tx, entity: Entity, id: &str, what: &'static str) -> ApiResult<()> {
    if exists(tx, entity, id)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(what))
    }
}

// ----- districts, crews, technicians -----

fn add_district(
    storage: &dyn Storage,
    args: DistrictAdd,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let boundary = match (&args.boundary, &args.boundary_file) {
        (Some(text), _) => parse_corners(text)?,
        (None, Some(file)) => read_geojson_polygon(file)?,
        (None, None) => return Err("give --boundary or --boundary-file".into()),
    };
    let district = District {
        id: DistrictId::new(),
        name: args.name.trim().to_owned(),
        boundary,
    };
    district
        .validate()
        .map_err(|e| invalid_option("--name", e))?;
    let id = district.id.to_string();
    storage::write(storage, |tx| {
        put_from_office(tx, &Record::District(district.clone()))?;
        audit(tx, now, "district_created", Entity::District, &id)
    })
    .map_err(message)?;
    Ok(id)
}

/// `lon lat, lon lat, …` into an area.
fn parse_corners(text: &str) -> Result<Area, String> {
    let mut ring = Vec::new();
    for (i, corner) in text.split(',').enumerate() {
        let numbers: Vec<&str> = corner.split_whitespace().collect();
        let bad = || {
            format!(
                "--boundary: corner {}: write each corner as 'lon lat' in decimal degrees, \
                 longitude first, corners separated by ','",
                i + 1
            )
        };
        let [lon, lat] = numbers[..] else {
            return Err(bad());
        };
        let (Ok(lon), Ok(lat)) = (lon.parse::<f64>(), lat.parse::<f64>()) else {
            return Err(bad());
        };
        ring.push(GeoPoint::new(lat, lon).map_err(|e| {
            format!(
                "--boundary: corner {}: {} (longitude first)",
                i + 1,
                e.reason
            )
        })?);
    }
    Area::new(ring).map_err(|e| invalid_option("--boundary", e))
}

/// The outer ring of a GeoJSON Polygon (or of a Feature, or a one-feature collection, holding one).
fn read_geojson_polygon(file: &Path) -> Result<Area, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("--boundary-file: not JSON: {e}"))?;
    let geometry = match value["type"].as_str() {
        Some("Polygon") => &value,
        Some("Feature") => &value["geometry"],
        Some("FeatureCollection") => match value["features"].as_array().map(Vec::as_slice) {
            Some([feature]) => &feature["geometry"],
            _ => {
                return Err(
                    "--boundary-file: a FeatureCollection must hold exactly one feature".into(),
                );
            }
        },
        _ => {
            return Err(
                "--boundary-file: expected a GeoJSON Polygon or a Feature holding one".into(),
            );
        }
    };
    if geometry["type"].as_str() != Some("Polygon") {
        return Err(
            "--boundary-file: the geometry must be a Polygon (not a MultiPolygon or other)".into(),
        );
    }
    let rings = geometry["coordinates"]
        .as_array()
        .ok_or("--boundary-file: the Polygon has no coordinates")?;
    if rings.len() > 1 {
        return Err("--boundary-file: a district boundary cannot have holes".into());
    }
    let outer = rings
        .first()
        .and_then(|r| r.as_array())
        .ok_or("--boundary-file: the Polygon has no outer ring")?;
    let mut ring = Vec::new();
    for (i, position) in outer.iter().enumerate() {
        let corner = || format!("--boundary-file: position {}", i + 1);
        let (Some(lon), Some(lat)) = (position[0].as_f64(), position[1].as_f64()) else {
            return Err(format!("{}: expected [longitude, latitude]", corner()));
        };
        ring.push(GeoPoint::new(lat, lon).map_err(|e| format!("{}: {}", corner(), e.reason))?);
    }
    Area::new(ring).map_err(|e| invalid_option("--boundary-file", e))
}

fn add_crew(storage: &dyn Storage, args: CrewAdd, now: DateTime<Utc>) -> Result<String, String> {
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
        audit(tx, now, "crew_created", Entity::Crew, &id)
    })
    .map_err(message)?;
    Ok(id)
}

fn add_technician(
    storage: &dyn Storage,
    args: TechnicianAdd,
    now: DateTime<Utc>,
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
            return Err(ApiError::invalid(
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
        audit(tx, now, "technician_created", Entity::Technician, &id)
    })
    .map_err(message)?;
    Ok(id)
}

fn deactivate_technician(
    storage: &dyn Storage,
    id: TechnicianId,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let id = id.to_string();
    storage::write(storage, |tx| {
        let record = tx
            .record(Entity::Technician, &id)?
            .ok_or(ApiError::NotFound("technician"))?;
        let mut technician: Technician = decode(&record)?;
        if technician.active {
            technician.active = false;
            put_from_office(tx, &Record::Technician(technician))?;
        }
        audit(tx, now, "technician_deactivated", Entity::Technician, &id)
    })
    .map_err(message)
}

/// Prints one line per record of `entity` (in id order, i.e. creation order).
fn list(
    storage: &dyn Storage,
    entity: Entity,
    line: fn(&crate::storage::StoredRecord) -> ApiResult<String>,
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

fn district_line(record: &crate::storage::StoredRecord) -> ApiResult<String> {
    let d: District = decode(record)?;
    Ok(tsv(&[d.id.to_string(), d.name]))
}

fn crew_line(record: &crate::storage::StoredRecord) -> ApiResult<String> {
    let c: Crew = decode(record)?;
    Ok(tsv(&[c.id.to_string(), or_dash(c.district_id), c.name]))
}

fn technician_line(record: &crate::storage::StoredRecord) -> ApiResult<String> {
    let t: Technician = decode(record)?;
    let role = serde_json::to_value(t.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(tsv(&[
        t.id.to_string(),
        t.badge,
        role,
        if t.active { "active" } else { "inactive" }.to_owned(),
        or_dash(t.crew_id),
        or_dash(t.district_id),
        t.name,
    ]))
}

fn or_dash(value: Option<impl fmt::Display>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// One tab-separated line; tabs and line breaks inside a value become spaces.
fn tsv(values: &[String]) -> String {
    values
        .iter()
        .map(|v| v.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t")
}

// ----- work orders -----

fn create_order(
    storage: &dyn Storage,
    args: OrderCreate,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let reported_at = args.reported_at.unwrap_or(now);
    if reported_at > now {
        return Err("--reported-at: is in the future".into());
    }
    let location = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => {
            Some(GeoPoint::new(lat, lon).map_err(|e| format!("--{}: {}", e.field, e.reason))?)
        }
        _ => None,
    };
    storage::write(storage, |tx| {
        if tx
            .record_id_by_key(Entity::WorkOrder, &args.number)?
            .is_some()
        {
            return Err(ApiError::invalid(
                "--number: a work order with this number already exists",
            ));
        }
        let household_id = match &args.household {
            Some(number) => {
                let id = tx
                    .record_id_by_key(Entity::Household, number.trim())?
                    .ok_or_else(|| {
                        ApiError::invalid("--household: no household has this customer number")
                    })?;
                Some(id.parse::<HouseholdId>().map_err(ApiError::from)?)
            }
            None => None,
        };
        if let Some(a) = args.assignee {
            let record = tx
                .record(Entity::Technician, &a.to_string())?
                .ok_or(ApiError::NotFound("technician"))?;
            if !decode::<Technician>(&record)?.active {
                return Err(ApiError::invalid(
                    "--assignee: the technician is not active",
                ));
            }
        }
        if let Some(c) = args.crew {
            require(tx, Entity::Crew, &c.to_string(), "crew")?;
        }
        let mut order = WorkOrder::open(
            args.number.trim(),
            args.kind,
            args.source,
            household_id,
            args.description.trim(),
            reported_at,
        );
        order.location = location;
        order.assignee = args.assignee;
        order.crew = args.crew;
        if order.assignee.is_some() || order.crew.is_some() {
            order
                .advance(WorkOrderStatus::Dispatched, now, None)
                .map_err(|e| ApiError::invalid(order_option(e)))?;
        }
        order
            .validate()
            .map_err(|e| ApiError::invalid(order_option(e)))?;
        let id = order.id.to_string();
        put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
        audit(tx, now, "work_order_created", Entity::WorkOrder, &id)?;
        Ok(id)
    })
    .map_err(message)
}

/// A work order's problem, named by the option that caused it.
fn order_option(e: InvalidInput) -> String {
    match e.field.as_str() {
        "work_order.number" => format!("--number: {}", e.reason),
        "work_order.description" => format!("--description: {}", e.reason),
        "work_order.household_id" => "give --household or --lat and --lon".to_owned(),
        "work_order.steps" | "work_order.status" => format!("--reported-at: {}", e.reason),
        _ => e.to_string(),
    }
}

// ----- conflicts and audit -----

fn print_conflicts(storage: &dyn Storage, limit: usize) -> Result<(), String> {
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
                c.rule,
                c.kept_by,
                c.lost_by,
                c.kept,
                c.lost,
                or_dash(c.op_id),
            ])
        );
    }
    Ok(())
}

fn print_audit(storage: &dyn Storage, limit: usize) -> Result<(), String> {
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
                a.actor,
                or_dash(a.device_id),
                a.action,
                or_dash(a.entity),
                or_dash(a.entity_id),
            ])
        );
    }
    Ok(())
}

// ----- household import -----

/// The columns of a household CSV file; see `docs/admin.md`.
pub const HOUSEHOLD_COLUMNS: [&str; 16] = [
    "customer_number",
    "name",
    "phone",
    "district_id",
    "address_district",
    "street",
    "building",
    "unit",
    "room",
    "lat",
    "lon",
    "category",
    "gas_on_date",
    "last_inspection_at",
    "special_group",
    "supply",
];

/// The columns every file must have (and every row must fill).
const REQUIRED_COLUMNS: [&str; 5] = [
    "customer_number",
    "name",
    "address_district",
    "street",
    "category",
];

/// The most problems one failed import reports.
const MAX_REPORTED: usize = 100;

/// A problem with one line of the file: the line, the column, the reason; never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineError {
    line: u64,
    column: String,
    reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.column, self.reason)
    }
}

impl LineError {
    fn new(line: u64, column: &str, reason: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }

    /// A core validation error, named by the CSV column it comes from.
    fn invalid(line: u64, e: InvalidInput) -> Self {
        Self::new(line, column_of(&e.field), e.reason)
    }
}

/// The CSV column a core field path comes from.
fn column_of(field: &str) -> &str {
    match field {
        "household.customer_number" => "customer_number",
        "household.name" => "name",
        "household.phones" | "phone" => "phone",
        "household.address.district" => "address_district",
        "household.address.street" => "street",
        "household.address.building" => "building",
        "household.address.unit" => "unit",
        "household.address.room" => "room",
        "household.category" => "category",
        f if f.starts_with("household.special_group") => "special_group",
        f => f,
    }
}

/// One parsed line of the file. `None` in an optional field: the cell was empty, and the
/// household keeps what the server has (a new household: nothing).
#[derive(Debug, Clone)]
struct ImportRow {
    line: u64,
    customer_number: String,
    name: String,
    phones: Option<Vec<Phone>>,
    district_id: Option<DistrictId>,
    address: Address,
    location: Option<GeoPoint>,
    category: Category,
    gas_on_date: Option<NaiveDate>,
    last_inspection_at: Option<DateTime<Utc>>,
    special_groups: Option<Vec<SpecialGroup>>,
    supply: Option<SupplyStatus>,
}

/// Where each column is in the file.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn from_header(header: &csv::ByteRecord) -> Result<Self, Vec<LineError>> {
        let mut errors = Vec::new();
        let mut at = HashMap::new();
        for (i, cell) in header.iter().enumerate() {
            let position = format!("column {}", i + 1);
            let name = std::str::from_utf8(cell).unwrap_or("").trim();
            // An unknown header cell is not repeated: a file without a header row would put a
            // customer's name here.
            match HOUSEHOLD_COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                Some(c) if at.contains_key(c) => {
                    errors.push(LineError::new(1, &position, format!("column {c} appears twice")))
                }
                Some(c) => {
                    at.insert(*c, i);
                }
                None => errors.push(LineError::new(
                    1,
                    &position,
                    "unknown column name (the first line must be the header row; see docs/admin.md)",
                )),
            }
        }
        for required in REQUIRED_COLUMNS {
            if !at.contains_key(required) {
                errors.push(LineError::new(1, required, "missing column"));
            }
        }
        if errors.is_empty() {
            Ok(Self(at))
        } else {
            Err(errors)
        }
    }
}

/// Reads and checks every line of the file, without the database: the rows, or every problem.
fn parse_household_csv(bytes: &[u8], now: DateTime<Utc>) -> Result<Vec<ImportRow>, Vec<LineError>> {
    // Excel's "CSV UTF-8" starts with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(vec![LineError::new(1, "header", "the file is empty")]),
        Some(Err(e)) => return Err(vec![csv_error(e)]),
        Some(Ok(header)) => header,
    };
    let columns = Columns::from_header(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue; // a blank line (a row of empty cells, as spreadsheets save them)
        }
        // A repeated customer number is found even on a line with other problems.
        let customer_number = columns
            .0
            .get("customer_number")
            .and_then(|i| record.get(*i))
            .and_then(|cell| std::str::from_utf8(cell).ok())
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(number) = customer_number {
            match first_line.get(number) {
                Some(first) => errors.push(LineError::new(
                    line,
                    "customer_number",
                    format!("the same customer number as line {first}"),
                )),
                None => {
                    first_line.insert(number.to_owned(), line);
                }
            }
        }
        match parse_row(&columns, &record, line, now) {
            Ok(row) => rows.push(row),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A CSV syntax error, without the content of the line.
fn csv_error(e: csv::Error) -> LineError {
    let line = e.position().map_or(0, |p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => LineError::new(
            line,
            "row",
            format!("has {len} cells, the header has {expected_len}"),
        ),
        _ => LineError::new(line, "row", "cannot be read as CSV"),
    }
}

fn parse_row(
    columns: &Columns,
    record: &csv::ByteRecord,
    line: u64,
    now: DateTime<Utc>,
) -> Result<ImportRow, Vec<LineError>> {
    let mut errors = Vec::new();
    // A cell, trimmed; None when the column is absent or the cell empty.
    let mut cell = |column: &'static str| -> Option<String> {
        let bytes = record.get(*columns.0.get(column)?)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
            Err(_) => {
                errors.push(LineError::new(
                    line,
                    column,
                    "not UTF-8 text (save the file as \"CSV UTF-8\")",
                ));
                None
            }
        }
    };
    let customer_number = cell("customer_number");
    let name = cell("name");
    let phone = cell("phone");
    let district_id = cell("district_id");
    let address = [
        cell("address_district"),
        cell("street"),
        cell("building"),
        cell("unit"),
        cell("room"),
    ];
    let (lat, lon) = (cell("lat"), cell("lon"));
    let category = cell("category");
    let gas_on_date = cell("gas_on_date");
    let last_inspection_at = cell("last_inspection_at");
    let special_group = cell("special_group");
    let supply = cell("supply");

    let mut required = |column: &'static str, value: Option<String>| {
        if value.is_none() {
            errors.push(LineError::new(line, column, "must not be empty"));
        }
        value.unwrap_or_default()
    };
    let customer_number = required("customer_number", customer_number);
    let name = required("name", name);
    let [address_district, street, building, unit, room] = address;
    let address = Address {
        district: required("address_district", address_district),
        street: required("street", street),
        building: building.unwrap_or_default(),
        unit: unit.unwrap_or_default(),
        room: room.unwrap_or_default(),
    };
    let category = match category.as_deref().map(Category::parse) {
        None => {
            errors.push(LineError::new(line, "category", "must not be empty"));
            Category::Residential
        }
        Some(Err(e)) => {
            errors.push(LineError::invalid(line, e));
            Category::Residential
        }
        Some(Ok(c)) => c,
    };

    let mut phones = None;
    if let Some(text) = phone {
        let mut parsed = Vec::new();
        for (i, number) in text
            .split([';', '；'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .enumerate()
        {
            match Phone::parse(number) {
                Ok(p) if !parsed.contains(&p) => parsed.push(p),
                Ok(_) => {}
                Err(e) => errors.push(LineError::new(
                    line,
                    "phone",
                    format!("number {}: {}", i + 1, e.reason),
                )),
            }
        }
        phones = Some(parsed);
    }

    let district_id = district_id.and_then(|d| match d.parse::<DistrictId>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(LineError::new(line, "district_id", "not a district id"));
            None
        }
    });

    let coordinate =
        |column: &str, text: &str, errors: &mut Vec<LineError>| match text.parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(LineError::new(
                    line,
                    column,
                    "not a number (decimal degrees, WGS-84)",
                ));
                None
            }
        };
    let location = match (lat, lon) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(LineError::new(line, "lon", "must be given with lat"));
            None
        }
        (None, Some(_)) => {
            errors.push(LineError::new(line, "lat", "must be given with lon"));
            None
        }
        (Some(lat), Some(lon)) => {
            match (
                coordinate("lat", &lat, &mut errors),
                coordinate("lon", &lon, &mut errors),
            ) {
                (Some(lat), Some(lon)) => match GeoPoint::new(lat, lon) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errors.push(LineError::invalid(line, e));
                        None
                    }
                },
                _ => None,
            }
        }
    };

    let gas_on_date = gas_on_date.and_then(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(LineError::new(
                line,
                "gas_on_date",
                "not a date: write YYYY-MM-DD",
            ));
            None
        }
    });

    let last_inspection_at = last_inspection_at.and_then(|t| match parse_time(&t) {
        Ok(t) if t > now => {
            errors.push(LineError::new(
                line,
                "last_inspection_at",
                "is in the future",
            ));
            None
        }
        Ok(t) => Some(t),
        Err(reason) => {
            errors.push(LineError::new(line, "last_inspection_at", reason));
            None
        }
    });

    let special_groups = special_group.map(|text| {
        let mut groups = Vec::new();
        for name in text
            .split([';', '；'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match serde_name::<SpecialGroup>(name) {
                Ok(g) if !groups.contains(&g) => groups.push(g),
                Ok(_) => {}
                Err(_) => errors.push(LineError::new(
                    line,
                    "special_group",
                    "unknown group: use elderly, weak, sick or disabled, separated by ';'",
                )),
            }
        }
        groups
    });

    let supply = supply.and_then(|s| match s.as_str() {
        "active" => Some(SupplyStatus::Active),
        "not_connected" => Some(SupplyStatus::NotConnected),
        _ => {
            errors.push(LineError::new(
                line,
                "supply",
                "use active or not_connected",
            ));
            None
        }
    });

    let row = ImportRow {
        line,
        customer_number,
        name,
        phones,
        district_id,
        address,
        location,
        category,
        gas_on_date,
        last_inspection_at,
        special_groups,
        supply,
    };
    if errors.is_empty() {
        // The rules of the file itself, as if the household were new.
        if let Err(e) = merge(None, &row, now.with_timezone(&Local).date_naive()).validate() {
            errors.push(LineError::invalid(line, e));
        }
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
}

/// The household after the import of `row`: the file's columns over what the server has.
///
/// The name, address and category are replaced; an empty optional cell keeps the stored value;
/// the meter, appliances and history are never touched; a shut-off or a disconnection is
/// changed only by the forms in the field; the last inspection never moves back in time.
fn merge(existing: Option<&Household>, row: &ImportRow, today: NaiveDate) -> Household {
    let mut h = existing.cloned().unwrap_or_else(|| Household {
        id: HouseholdId::new(),
        customer_number: row.customer_number.clone(),
        name: String::new(),
        phones: Vec::new(),
        address: Address::default(),
        location: None,
        district_id: None,
        category: row.category,
        meter: None,
        appliances: Vec::new(),
        supply: SupplyStatus::Active,
        gas_on_date: None,
        last_inspection_at: None,
        special_group: None,
    });
    h.name = row.name.clone();
    h.address = row.address.clone();
    h.category = row.category;
    if let Some(phones) = &row.phones {
        h.phones = phones.clone();
    }
    if let Some(d) = row.district_id {
        h.district_id = Some(d);
    }
    if let Some(p) = row.location {
        h.location = Some(p);
    }
    if let Some(d) = row.gas_on_date {
        h.gas_on_date = Some(d);
    }
    if let Some(t) = row.last_inspection_at {
        h.last_inspection_at = h.last_inspection_at.max(Some(t));
    }
    if let Some(groups) = &row.special_groups {
        match &mut h.special_group {
            Some(registration) => registration.groups = groups.clone(),
            None => {
                h.special_group = Some(SpecialGroupRegistration {
                    groups: groups.clone(),
                    needs: String::new(),
                    contact: None,
                    // The service center lists a person only with their consent on file.
                    consent_given: true,
                    registered_on: today,
                })
            }
        }
    }
    if let Some(supply) = &row.supply
        && matches!(h.supply, SupplyStatus::Active | SupplyStatus::NotConnected)
    {
        h.supply = supply.clone();
    }
    h
}

#[derive(Debug, Default, PartialEq, Eq)]
struct ImportSummary {
    new: usize,
    updated: usize,
    unchanged: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} households ({} new, {} updated, {} unchanged)",
            self.new + self.updated + self.unchanged,
            self.new,
            self.updated,
            self.unchanged
        )
    }
}

/// Every problem of a failed import, one per line, and the verdict.
fn import_failed(mut errors: Vec<LineError>) -> String {
    errors.sort_by_key(|e| e.line);
    let total = errors.len();
    let mut text: Vec<String> = errors
        .iter()
        .take(MAX_REPORTED)
        .map(ToString::to_string)
        .collect();
    if total > MAX_REPORTED {
        text.push(format!("… and {} more problems", total - MAX_REPORTED));
    }
    text.push(format!(
        "{total} problem{} found; nothing was imported",
        if total == 1 { "" } else { "s" }
    ));
    text.join("\n")
}

fn import_households(
    storage: &dyn Storage,
    file: &Path,
    now: DateTime<Utc>,
) -> Result<ImportSummary, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let rows = parse_household_csv(&bytes, now).map_err(import_failed)?;
    let today = now.with_timezone(&Local).date_naive();
    // The checks that need the database run inside the one transaction that writes the rows,
    // all of them before the first write; a failure rolls the transaction back.
    let mut failed = None;
    let outcome = storage::write(storage, |tx| {
        let mut errors = Vec::new();
        let mut districts: HashMap<DistrictId, bool> = HashMap::new();
        let mut changes = Vec::new();
        let mut summary = ImportSummary::default();
        for row in &rows {
            let existing = match tx.record_id_by_key(Entity::Household, &row.customer_number)? {
                Some(id) => match tx.record(Entity::Household, &id)? {
                    Some(r) => Some(decode::<Household>(&r)?),
                    None => None,
                },
                None => None,
            };
            if let Some(d) = row.district_id {
                let known = match districts.get(&d) {
                    Some(known) => *known,
                    None => {
                        let known = exists(tx, Entity::District, &d.to_string())?;
                        districts.insert(d, known);
                        known
                    }
                };
                if !known {
                    errors.push(LineError::new(row.line, "district_id", "no such district"));
                    continue;
                }
            }
            let household = merge(existing.as_ref(), row, today);
            if let Err(e) = household.validate() {
                errors.push(LineError::invalid(row.line, e));
                continue;
            }
            match &existing {
                Some(old) if *old == household => summary.unchanged += 1,
                Some(_) => {
                    summary.updated += 1;
                    changes.push(("household_updated", household));
                }
                None => {
                    summary.new += 1;
                    changes.push(("household_created", household));
                }
            }
        }
        if !errors.is_empty() {
            failed = Some(errors);
            return Err(ApiError::invalid("the file has errors"));
        }
        for (action, household) in changes.drain(..) {
            let id = household.id.to_string();
            put_from_office(tx, &Record::Household(Box::new(household)))?;
            audit(tx, now, action, Entity::Household, &id)?;
        }
        Ok(summary)
    });
    match (outcome, failed) {
        (_, Some(errors)) => Err(import_failed(errors)),
        (Ok(summary), None) => Ok(summary),
        (Err(e), None) => Err(format!("{}; nothing was imported", message(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_enum_name_parses() {
        for r in ROLES {
            serde_name::<TechnicianRole>(r).unwrap();
        }
        for s in SOURCES {
            serde_name::<WorkOrderSource>(s).unwrap();
        }
    }

    fn row(now: DateTime<Utc>, extra_header: &str, extra: &str) -> ImportRow {
        let text = format!(
            "customer_number,name,address_district,street,category{extra_header}\n\
             HZ-1,张伟,西湖区,文三路88号,residential{extra}\n"
        );
        parse_household_csv(text.as_bytes(), now).unwrap().remove(0)
    }

    #[test]
    fn a_re_import_never_moves_the_last_inspection_back_nor_reopens_a_shut_off() {
        let now = Utc::now();
        let today = now.date_naive();
        let first = row(
            now,
            ",last_inspection_at,supply",
            ",2025-06-01T10:00:00+08:00,active",
        );
        let mut h = merge(None, &first, today);
        h.supply = SupplyStatus::ShutOff {
            reason: doorstep_core::household::ShutOffReason::Hazard,
            since: now,
        };
        let stale = row(
            now,
            ",last_inspection_at,supply",
            ",2024-01-01T10:00:00+08:00,active",
        );
        let again = merge(Some(&h), &stale, today);
        assert_eq!(again.last_inspection_at, h.last_inspection_at);
        assert_eq!(again.supply.kind(), "shut_off");
        assert_eq!(again.id, h.id);
    }

    #[test]
    fn an_empty_optional_cell_keeps_what_the_server_has() {
        let now = Utc::now();
        let today = now.date_naive();
        let h = merge(
            None,
            &row(now, ",phone,lat,lon", ",13812345678,30.27,120.12"),
            today,
        );
        let again = merge(Some(&h), &row(now, ",phone,lat,lon", ",,,"), today);
        assert_eq!(again.phones, h.phones);
        assert_eq!(again.location, h.location);
    }

    #[test]
    fn a_core_field_is_reported_as_its_csv_column() {
        assert_eq!(column_of("household.address.street"), "street");
        assert_eq!(column_of("household.special_group.groups"), "special_group");
        assert_eq!(column_of("lat"), "lat");
    }
}
