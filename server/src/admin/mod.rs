//! `doorstep admin`: the back office's command-line tool. It sets up districts, crews and
//! technicians, imports the household files, opens work orders, issues enrollment codes,
//! revokes devices, and shows the merge's conflicts and the audit log (see `docs/admin.md`).
//!
//! Every change goes through [`crate::records::put_from_office`] in a
//! [`crate::storage::write`] transaction, so it gets a server sequence number and the devices
//! whose scope it is in pull it; every change is audited with the operator who ran it
//! (`admin:<login name>`). Error messages name a line and a field, never a person's data.
//!
//! `command` holds what the operator types (the clap definitions); `team`, `order`,
//! `import` and `report` what the commands do; this module runs them and words their
//! errors for the operator.

mod backup;
mod command;
mod fees;
mod import;
mod order;
mod outage;
mod reading;
mod report;
mod reports;
mod staff;
mod team;
// Issue 22, the office's part: complaints, calls, return visits, compliance.
mod call;
mod complaint;
mod compliance;
mod return_visit;

use chrono::{DateTime, Utc};
use doorstep_core::InvalidInput;
use doorstep_core::sync::protocol::Entity;

use crate::auth;
use crate::error::{Error, Result};
use crate::push::parked::Decide;
use crate::storage::{self, Actor, AuditRow, Tx};

pub use self::command::*;
pub use self::import::HOUSEHOLD_COLUMNS;
pub use self::reading::{ReadingSummary, import_readings};
pub use self::return_visit::{after_form_sealed, after_order_resolved};
// The demo's office (`crate::demo::office`) announces an outage and records a complaint.
use self::{call::*, complaint::*, compliance::*, return_visit::*};
pub(crate) use self::{
    complaint::{every, open_complaint},
    outage::create_outage,
};
use self::{fees::*, outage::*};
// The console (issue 26) posts outages, steps complaints and scores visits as these commands do.
pub(crate) use self::{
    complaint::{ComplaintStep, complaint_by_number, complaint_rows, take_complaint_step},
    outage::{
        NewOutage, OutageSummary, announce_outage, outage_households, outage_summaries,
        preview_outage, record_notifications,
    },
    return_visit::{
        Followed, ReturnVisitRow, record_visit_scores, return_visit_by_number, return_visit_rows,
        score_summary,
    },
};
use self::{import::*, order::*, report::*, team::*};
// The console takes calls and reports major faults to the leadership as these commands do.
pub(crate) use self::call::{CallBecomes, CallSaid, record_call};
pub(crate) use self::order::report_leadership;
// The demo's office opens an order and settles a day as these commands do; the console's
// board, conflicts and settlement pages (issue 26) dispatch, list and decide as they do.
pub(crate) use self::{
    fees::{settle_day, settle_technician_day, settlements},
    order::{DispatchTo, create_order, dispatch_order},
    report::{decide_parked_op, parked_rows},
};

/// When a command runs and who runs it: what its audit lines say.
pub struct Act {
    pub at: DateTime<Utc>,
    pub actor: Actor,
}

impl Act {
    /// The operator's login name, as the office's records keep who did something (a
    /// complaint's steps, a score, a notice, an order's class change): `admin` when the tool
    /// could not name one.
    pub fn operator(&self) -> String {
        match &self.actor {
            Actor::Admin(Some(name)) | Actor::Staff(name) => name.clone(),
            _ => "admin".to_owned(),
        }
    }
}

/// The audit log's actor for an operator: named by `--operator` (or `DOORSTEP_OPERATOR`), else
/// by the shell's login name. A name is up to 64 characters, with no spaces or control
/// characters (it is one column of the tab-separated `audit` output).
fn actor(operator: Option<&str>) -> Result<Actor, String> {
    let named = operator.is_some();
    let name = match operator {
        Some(name) => name.trim().to_owned(),
        None => match ["USER", "LOGNAME"]
            .into_iter()
            .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        {
            Some(login) => login.trim().to_owned(),
            None => return Ok(Actor::Admin(None)),
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
    Ok(Actor::Admin(Some(name)))
}

pub fn run(options: AdminOptions) -> Result<(), String> {
    let act = Act {
        at: Utc::now(),
        actor: actor(options.operator.as_deref())?,
    };
    let act = &act;
    // A backup and a restore work on the data directory itself (issue 27).
    let options = match options.command {
        AdminCommand::Backup(args) => return backup::backup(&options.storage, args, act),
        AdminCommand::Restore(args) => return backup::restore(&options.storage, args, act),
        command => AdminOptions { command, ..options },
    };
    let storage = options.storage.open_storage()?;
    let storage = &*storage;
    match options.command {
        AdminCommand::District { command } => match command {
            DistrictCommand::Add(args) => println!("{}", add_district(storage, args, act)?),
            DistrictCommand::List => list(storage, Entity::District, district_line)?,
            DistrictCommand::Policy(args) => print!("{}", set_district_policy(storage, args, act)?),
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
        AdminCommand::Order { command } => match command {
            OrderCommand::Create(args) => println!("{}", create_order(storage, args, act)?),
            OrderCommand::Raise { number, reason } => {
                raise_order(storage, &number, &reason, act)?;
                println!("已升级为重大故障 {number} / order {number} raised to major");
            }
            OrderCommand::ReportLeadership { number, told, at } => {
                report_leadership(storage, &number, &told, at, act)?;
                println!("已记录上报领导 {number} / report to the leadership recorded");
            }
            OrderCommand::Appointment(args) => {
                let number = args.number.clone();
                change_appointment(storage, args, act)?;
                println!("已记录改约 {number} / appointment change recorded");
            }
            OrderCommand::Deadlines { number } => {
                print!("{}", order_deadlines(storage, &number, act.at)?)
            }
            OrderCommand::Delivery { number } => print!("{}", order_delivery(storage, &number)?),
        },
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
        AdminCommand::Parked { command } => match command {
            ParkedCommand::List { all, limit } => print_parked(storage, all, limit)?,
            ParkedCommand::Accept { op_id } => {
                decide_parked(storage, op_id, &Decide::Accept, act)?;
                println!("已收入户档 {op_id} / {op_id} accepted into the household's file");
            }
            ParkedCommand::Reject { op_id, reason } => {
                decide_parked(storage, op_id, &Decide::Reject(reason), act)?;
                println!("已退回 {op_id} / {op_id} rejected");
            }
        },
        AdminCommand::Audit(Newest { limit }) => print_audit(storage, limit)?,
        AdminCommand::Sweep(SweepNow { older_than }) => {
            let swept = crate::photos::sweep::sweep(
                options.storage.blobs.as_deref(),
                &options.storage.data,
                older_than,
            )?;
            println!("removed\t{}\nyoung\t{}", swept.removed, swept.young);
        }
        AdminCommand::Reading {
            command: ReadingCommand::Import { file },
        } => println!("{}", reading::import_readings(storage, &file, act)?),
        AdminCommand::Outage { command } => match command {
            OutageCommand::Create(args) => println!("{}", create_outage(storage, args, act)?),
            OutageCommand::List => list(storage, Entity::Outage, outage_line)?,
            OutageCommand::Households { id } => print_outage_households(storage, id, act)?,
            OutageCommand::Notify {
                id,
                households,
                how,
                at,
            } => println!("{}", notify_outage(storage, id, &households, how, at, act)?),
        },
        AdminCommand::Settle { command, day } => match command {
            Some(SettleCommand::List { technician }) => print_settlements(storage, technician)?,
            None => println!("{}", settle_day(storage, day, act)?),
        },
        AdminCommand::Complaint { command } => match command {
            ComplaintCommand::Open(args) => println!("{}", open_complaint(storage, args, act)?),
            ComplaintCommand::Investigate(step) => println!(
                "{}",
                step_complaint(storage, &step, act, &ComplaintStep::Investigate)?
            ),
            ComplaintCommand::Answer { step, said } => println!(
                "{}",
                step_complaint(storage, &step, act, &ComplaintStep::Answer { said })?
            ),
            ComplaintCommand::Close {
                step,
                answer,
                acceptance,
            } => println!(
                "{}",
                step_complaint(
                    storage,
                    &step,
                    act,
                    &ComplaintStep::Close { answer, acceptance }
                )?
            ),
            ComplaintCommand::List { open } => print_complaints(storage, open)?,
        },
        AdminCommand::Call { command } => match command {
            CallCommand::Take(args) => println!("{}", take_call(storage, args, act)?),
            CallCommand::List => print_calls(storage)?,
        },
        AdminCommand::ReturnVisit { command } => match command {
            ReturnVisitCommand::List { all } => print_return_visits(storage, all)?,
            ReturnVisitCommand::Record(args) => println!("{}", record_scores(storage, args, act)?),
            ReturnVisitCommand::Scores(args) => print_scores(storage, args)?,
        },
        AdminCommand::Compliance(args) => print_compliance(storage, args, act)?,
        AdminCommand::Report(args) => reports::run(storage, &options.storage.data, args, act)?,
        AdminCommand::Backup(_) | AdminCommand::Restore(_) => unreachable!("run above"),
        AdminCommand::Staff { command } => match command {
            StaffCommand::Add(args) => print!("{}", staff::add(storage, args, act)?),
            StaffCommand::List => print!("{}", staff::list(storage)?),
            StaffCommand::Deactivate { login } => {
                println!("{}", staff::deactivate(storage, &login, act)?)
            }
            StaffCommand::Password {
                login,
                password_stdin,
            } => print!("{}", staff::password(storage, &login, password_stdin, act)?),
        },
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
                "parked operation" => "待定作业",
                "complaint" => "投诉",
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
