//! `doorstep admin`: the back office's command-line tool. It sets up districts, crews and
//! technicians, imports the household files, opens work orders, issues enrollment codes,
//! revokes devices, and shows the merge's conflicts and the audit log (see `docs/admin.md`).
//!
//! Every change goes through [`records::put_from_office`] in a [`storage::write`] transaction,
//! so it gets a server sequence number and the devices whose scope it is in pull it; every
//! change is audited with the operator who ran it (`admin:<login name>`). Error messages name a line and a field, never a
//! person's data.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use doorstep_core::InvalidInput;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::import::{LineError, merge, parse_household_csv};
use doorstep_core::household::{Household, Phone};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::{Crew, District, Technician, TechnicianRole};
use doorstep_core::words::said;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use serde::de::DeserializeOwned;

use crate::auth;
use crate::error::{Error, Result};
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
    /// Who at the service center runs the command (a login name, e.g. wangli): the actor of
    /// every change in the audit log. Default: the login name of the shell ($USER).
    #[arg(long, env = "DOORSTEP_OPERATOR", value_name = "NAME")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// A storage option (or the operator): accepted before or after the subcommand, listed apart
/// in `--help`.
fn storage_option(arg: clap::Arg) -> clap::Arg {
    let heading = if arg.get_id() == "operator" {
        "Operator"
    } else {
        "Storage"
    };
    arg.global(true).help_heading(heading)
}

/// When a command runs and who runs it: what its audit lines say.
pub struct Act {
    pub at: DateTime<Utc>,
    /// `admin:<operator>`, or `admin` when the operator is unknown.
    pub actor: String,
}

/// The audit log's actor for an operator: named by `--operator` (or `DOORSTEP_OPERATOR`), else
/// by the shell's login name. A name is up to 64 characters, with no spaces or control
/// characters (it is one column of the tab-separated `audit` output).
fn actor(operator: Option<&str>) -> Result<String, String> {
    let named = operator.is_some();
    let name = match operator {
        Some(name) => name.trim().to_owned(),
        None => match ["USER", "LOGNAME"]
            .into_iter()
            .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        {
            Some(login) => login.trim().to_owned(),
            None => return Ok("admin".into()),
        },
    };
    if name.is_empty()
        || name.chars().count() > 64
        || name.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(if named {
            "--operator: 请给出不含空格的登录名，至多 64 个字符 / give a login name of at most 64 characters, without spaces".into()
        } else {
            "登录名不可用，请用 --operator 给出 / the login name cannot be used: give --operator"
                .into()
        });
    }
    Ok(format!("admin:{name}"))
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
        /// The device's id (see `device list`).
        device_id: String,
    },
    /// List the enrolled devices, oldest first, tab-separated: id, technician id, model,
    /// enrolled at, revoked at (or -).
    List {
        /// Only this technician's devices.
        #[arg(long)]
        technician: Option<TechnicianId>,
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
        .map_err(|_| {
            "时间请按 RFC 3339 书写 / write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00"
                .to_owned()
        })
}

pub fn run(options: AdminOptions) -> Result<(), String> {
    let act = Act {
        at: Utc::now(),
        actor: actor(options.operator.as_deref())?,
    };
    let act = &act;
    let storage = options.storage.open_storage()?;
    let storage = &*storage;
    match options.command {
        AdminCommand::District { command } => match command {
            DistrictCommand::Add(args) => println!("{}", add_district(storage, args, act)?),
            DistrictCommand::List => list(storage, Entity::District, district_line)?,
        },
        AdminCommand::Technician { command } => match command {
            TechnicianCommand::Add(args) => println!("{}", add_technician(storage, args, act)?),
            TechnicianCommand::Deactivate { id } => {
                deactivate_technician(storage, id, act)?;
                println!("已停用技术员 {id} / technician {id} deactivated");
            }
            TechnicianCommand::List => list(storage, Entity::Technician, technician_line)?,
        },
        AdminCommand::Crew { command } => match command {
            CrewCommand::Add(args) => println!("{}", add_crew(storage, args, act)?),
            CrewCommand::List => list(storage, Entity::Crew, crew_line)?,
        },
        AdminCommand::Household {
            command: HouseholdCommand::Import { file },
        } => {
            let summary = import_households(storage, &file, act)?;
            println!("{summary}");
        }
        AdminCommand::Order {
            command: OrderCommand::Create(args),
        } => println!("{}", create_order(storage, args, act)?),
        AdminCommand::Enroll { technician_id } => {
            let code = storage::write(storage, |tx| {
                auth::issue_code(tx, &technician_id.to_string(), &act.actor, act.at)
            })
            .map_err(message)?;
            println!("{code}");
        }
        AdminCommand::Device {
            command: DeviceCommand::List { technician },
        } => print_devices(storage, technician)?,
        AdminCommand::Device {
            command: DeviceCommand::Revoke { device_id },
        } => {
            storage::write(storage, |tx| {
                auth::revoke(tx, &device_id, &act.actor, act.at)
            })
            .map_err(message)?;
            println!("已吊销设备 {device_id} / device {device_id} revoked");
        }
        AdminCommand::Conflicts(Newest { limit }) => print_conflicts(storage, limit)?,
        AdminCommand::Audit(Newest { limit }) => print_audit(storage, limit)?,
    }
    Ok(())
}

/// An error as the operator reads it: in Chinese first when the tool words it, then English.
fn message(e: Error) -> String {
    match &e {
        Error::NotFound(what) => {
            let zh = match *what {
                "technician" => "技术员",
                "crew" => "班组",
                "district" => "片区",
                "household" => "用户",
                "work order" => "工单",
                "device" => "设备",
                _ => "记录",
            };
            format!("找不到该{zh} / {e}")
        }
        Error::InvalidInput(input) => format!("{}：{} / {e}", input.field, input.reason_zh),
        _ => e.to_string(),
    }
}

/// `option: reason`, for an option the operator typed: the reason in Chinese, then English.
fn invalid_option(option: &str, e: InvalidInput) -> String {
    format!("{option}: {}", both(&e))
}

/// A reason as the operator reads it: Chinese first, then English.
fn both(e: &InvalidInput) -> String {
    format!("{} / {}", e.reason_zh, e.reason)
}

fn audit(tx: &mut dyn Tx, act: &Act, action: &str, entity: Entity, id: &str) -> Result<()> {
    tx.audit(&AuditRow {
        at: act.at,
        actor: act.actor.clone(),
        device_id: None,
        action: action.into(),
        entity: Some(entity.as_str().into()),
        entity_id: Some(id.into()),
    })?;
    Ok(())
}

/// Whether a record exists (and was not deleted).
fn exists(tx: &mut dyn Tx, entity: Entity, id: &str) -> Result<bool> {
    Ok(tx.record(entity, id)?.is_some_and(|r| !r.deleted))
}

fn require(tx: &mut dyn Tx, entity: Entity, id: &str, what: &'static str) -> Result<()> {
    if exists(tx, entity, id)? {
        Ok(())
    } else {
        Err(Error::NotFound(what))
    }
}

// ----- districts, crews, technicians -----

fn add_district(storage: &dyn Storage, args: DistrictAdd, act: &Act) -> Result<String, String> {
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

/// The outer ring of a GeoJSON Polygon (or of a Feature, or a one-feature collection, holding one).
fn read_geojson_polygon(file: &Path) -> Result<Area, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    Area::from_geojson(&text).map_err(|e| format!("--boundary-file: {e}"))
}

fn add_crew(storage: &dyn Storage, args: CrewAdd, act: &Act) -> Result<String, String> {
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

fn add_technician(storage: &dyn Storage, args: TechnicianAdd, act: &Act) -> Result<String, String> {
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

fn deactivate_technician(storage: &dyn Storage, id: TechnicianId, act: &Act) -> Result<(), String> {
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
fn list(
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

fn district_line(record: &crate::storage::StoredRecord) -> Result<String> {
    let d: District = decode(record)?;
    Ok(tsv(&[d.id.to_string(), d.name]))
}

fn crew_line(record: &crate::storage::StoredRecord) -> Result<String> {
    let c: Crew = decode(record)?;
    Ok(tsv(&[c.id.to_string(), or_dash(c.district_id), c.name]))
}

fn technician_line(record: &crate::storage::StoredRecord) -> Result<String> {
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

fn create_order(storage: &dyn Storage, args: OrderCreate, act: &Act) -> Result<String, String> {
    let now = act.at;
    let reported_at = args.reported_at.unwrap_or(now);
    if reported_at > now {
        return Err("--reported-at: 晚于现在 / is in the future".into());
    }
    let location = match (args.lat, args.lon) {
        (Some(lat), Some(lon)) => Some(
            GeoPoint::new(lat, lon).map_err(|e| invalid_option(&format!("--{}", e.field), e))?,
        ),
        _ => None,
    };
    storage::write(storage, |tx| {
        if tx
            .record_id_by_key(Entity::WorkOrder, &args.number)?
            .is_some()
        {
            return Err(Error::invalid(
                "--number: a work order with this number already exists",
            ));
        }
        let household_id = match &args.household {
            Some(number) => {
                let id = tx
                    .record_id_by_key(Entity::Household, number.trim())?
                    .ok_or_else(|| {
                        Error::invalid(
                            "--household: 没有这个用户编号的用户 / no household has this customer number",
                        )
                    })?;
                Some(id.parse::<HouseholdId>().map_err(Error::from)?)
            }
            None => None,
        };
        if let Some(a) = args.assignee {
            let record = tx
                .record(Entity::Technician, &a.to_string())?
                .ok_or(Error::NotFound("technician"))?;
            if !decode::<Technician>(&record)?.active {
                return Err(Error::invalid(
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
                .map_err(|e| Error::invalid(order_option(e)))?;
        }
        order
            .validate()
            .map_err(|e| Error::invalid(order_option(e)))?;
        let id = order.id.to_string();
        put_from_office(tx, &Record::WorkOrder(Box::new(order)))?;
        audit(tx, act, "work_order_created", Entity::WorkOrder, &id)?;
        Ok(id)
    })
    .map_err(message)
}

/// A work order's problem, named by the option that caused it.
fn order_option(e: InvalidInput) -> String {
    match e.field.as_str() {
        "work_order.number" => invalid_option("--number", e),
        "work_order.description" => invalid_option("--description", e),
        "work_order.household_id" => {
            "请给出 --household，或 --lat 和 --lon / give --household or --lat and --lon".to_owned()
        }
        "work_order.steps" | "work_order.status" => invalid_option("--reported-at", e),
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

fn print_devices(storage: &dyn Storage, technician: Option<TechnicianId>) -> Result<(), String> {
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
// Reading the file is the core's (`doorstep_core::household::import`); here the rows meet the
// database.

pub use doorstep_core::household::import::HOUSEHOLD_COLUMNS;

/// The most problems one failed import reports.
const MAX_REPORTED: usize = 100;

#[derive(Debug, Default, PartialEq, Eq)]
struct ImportSummary {
    new: usize,
    updated: usize,
    unchanged: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Chinese first (the service center reads it), English on the next line.
        let total = self.new + self.updated + self.unchanged;
        writeln!(
            f,
            "已导入 {total} 户（新增 {}，更新 {}，未变 {}）",
            self.new, self.updated, self.unchanged
        )?;
        write!(
            f,
            "imported {total} household{} ({} new, {} updated, {} unchanged)",
            if total == 1 { "" } else { "s" },
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
    // Each problem in Chinese, then in English.
    let mut text: Vec<String> = errors
        .iter()
        .take(MAX_REPORTED)
        .map(|e| format!("{}\n  {e}", e.zh()))
        .collect();
    if total > MAX_REPORTED {
        let more = total - MAX_REPORTED;
        text.push(format!("……另有 {more} 处问题 / … and {more} more problems"));
    }
    text.push(format!("发现 {total} 处问题，文件中的内容均未导入"));
    text.push(format!(
        "{total} problem{} found; nothing was imported",
        if total == 1 { "" } else { "s" }
    ));
    text.join("\n")
}

fn import_households(
    storage: &dyn Storage,
    file: &Path,
    act: &Act,
) -> Result<ImportSummary, String> {
    let bytes = std::fs::read(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    let now = act.at;
    let rows = parse_household_csv(&bytes, now).map_err(import_failed)?;
    // The day in China, wherever the server's clock is set.
    let today = doorstep_core::schedule::inspection::local_date(now);
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
                    errors.push(LineError::new(
                        row.line,
                        "district_id",
                        said("没有这个片区", "no such district"),
                    ));
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
            return Err(Error::invalid("the file has errors"));
        }
        for (action, household) in changes.drain(..) {
            let id = household.id.to_string();
            put_from_office(tx, &Record::Household(Box::new(household)))?;
            audit(tx, act, action, Entity::Household, &id)?;
        }
        Ok(summary)
    });
    match (outcome, failed) {
        (_, Some(errors)) => Err(import_failed(errors)),
        (Ok(summary), None) => Ok(summary),
        (Err(e), None) => Err(format!(
            "{}; nothing was imported（文件中的内容均未导入）",
            message(e)
        )),
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
}
