//! The admin tool's commands as the operator types them: the options, subcommands and
//! arguments (clap), and the parsers of their values. What each command does is in the
//! modules beside this one.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use doorstep_core::calls::CallKind;
use doorstep_core::complaint::{Acceptance, ComplaintChannel};
use doorstep_core::ids::{CrewId, DistrictId, OperationId, TechnicianId};
use doorstep_core::satisfaction::{Overall, UnitLevel};
use doorstep_core::team::TechnicianRole;
use doorstep_core::workorder::{FaultClass, WorkOrderKind, WorkOrderSource};

use crate::error::Result;
use crate::serve::StorageOptions;

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
pub(super) fn storage_option(arg: clap::Arg) -> clap::Arg {
    let heading = if arg.get_id() == "operator" {
        "Operator"
    } else {
        "Storage"
    };
    arg.global(true).help_heading(heading)
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
    /// Work orders: open one after a call, raise a fault to major, record the report to the
    /// leadership and a changed appointment, show its clocks.
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
    /// Work set aside for the service center: a sealed form (or other work) a phone made for a
    /// household it could no longer reach. List it, then accept it into the household's file or
    /// reject it with a reason; the phone learns the decision at its next sync.
    Parked {
        #[command(subcommand)]
        command: ParkedCommand,
    },
    /// Show the newest entries of the audit log, tab-separated, newest first.
    Audit(Newest),
    /// Remove the photo store's debris now (temporary files of uploads a killed server left),
    /// as `doorstep serve` does every 10 minutes; prints how many went and how many stayed.
    Sweep(SweepNow),
    /// Meter readings from the billing system: imported, and analysed for abnormal use.
    Reading {
        #[command(subcommand)]
        command: ReadingCommand,
    },
    /// Planned outages (Art.7(2)): announce one, list them, see which households were told,
    /// record a household told by phone or text message.
    Outage {
        #[command(subcommand)]
        command: OutageCommand,
    },
    /// The day's settlement of a technician's fees (日清日结, Art.14): what the sealed forms
    /// say was collected, by method, against what was handed over. Prints the lines and the
    /// balance; a difference is kept as a discrepancy. `settle list` lists the settlements.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Settle {
        #[command(subcommand)]
        command: Option<SettleCommand>,
        #[command(flatten)]
        day: SettleDay,
    },
    /// Complaints (Art.7(6), Art.16): open one, record its investigation, its first answer and
    /// its closing with the user's acceptance; list them with their clocks.
    Complaint {
        #[command(subcommand)]
        command: ComplaintCommand,
    },
    /// The call log (Art.5(1), Art.13): every call the service center takes and what it became.
    Call {
        #[command(subcommand)]
        command: CallCommand,
    },
    /// Return visits (Art.5(5)): the ones scheduled after a repair or a complaint, and their
    /// satisfaction scores.
    ReturnVisit {
        #[command(subcommand)]
        command: ReturnVisitCommand,
    },
    /// Compliance per clause: how many regulated deadlines were met, met late, breached or are
    /// still open, with the late ones listed; tab-separated.
    Compliance(ComplianceArgs),
    /// Staff accounts of the console (`/console`): add one (its password printed once), list
    /// them, deactivate one, give one a new password.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// A report in the company's standard shapes (Art.12) or a unit's yearly evaluation
    /// (Art.19–22), for a unit and a period: tab-separated, or a CSV or XLSX file.
    Report(super::reports::ReportArgs),
    /// Back up the business data now (SQLite: the database, online, with the photo directory,
    /// checked after it is written); on PostgreSQL and S3, what their own tools do.
    Backup(super::backup::BackupArgs),
    /// Restore a backup into an empty data directory.
    Restore(super::backup::RestoreArgs),
}

#[derive(Debug, clap::Subcommand)]
pub enum StaffCommand {
    /// Add a member of staff; prints the generated password once (or takes one chosen, of at
    /// least 12 characters, on standard input with --password-stdin).
    Add(StaffAdd),
    /// List the staff accounts, tab-separated: login, role, active or inactive, districts
    /// (ids, comma-separated, or -), name.
    List,
    /// Deactivate a member of staff: they can no longer sign in, and their sessions end now.
    Deactivate {
        /// Their login.
        login: String,
    },
    /// Give a member of staff a new generated password (printed once); their sessions end.
    Password {
        /// Their login.
        login: String,
        /// Read the new password from standard input instead (at least 12 characters).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct StaffAdd {
    /// The sign-in name (2 to 64 lower-case letters, digits, `.`, `_` or `-`; unique).
    #[arg(long)]
    pub login: String,
    /// The name shown on the console's pages.
    #[arg(long)]
    pub name: String,
    /// What they may do: a dispatcher their districts' calls and orders, a supervisor the whole
    /// city, an administrator also the staff accounts.
    #[arg(long, value_parser = ["dispatcher", "supervisor", "administrator"])]
    pub role: String,
    /// A dispatcher's district (its id; repeat the option for several).
    #[arg(long = "district", value_name = "ID")]
    pub districts: Vec<DistrictId>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum OutageCommand {
    /// Announce a planned outage; prints its id. One starting within its lead time (24 h) is
    /// refused unless it is an emergency, with the reason.
    Create(OutageCreate),
    /// List the outages, tab-separated: id, starts, ends, reason, households told, emergency
    /// or -, title.
    List,
    /// The households an outage affects, tab-separated: customer number, then how and when it
    /// was first told (`sms 2026-11-30T09:00:00Z`, with `LATE` after the lead time ran out), or
    /// `PENDING` (not yet told), or `LATE` (not told, and the lead time ran out).
    Households {
        /// The outage's id.
        id: doorstep_core::ids::OutageId,
    },
    /// Record households told of an outage (by phone, text message, a posted notice, a visit).
    Notify {
        /// The outage's id.
        id: doorstep_core::ids::OutageId,
        /// A household's customer number (repeat the option for several).
        #[arg(long = "household", value_name = "CUSTOMER_NUMBER", required = true)]
        households: Vec<String>,
        /// How they were told.
        #[arg(long, value_parser = named(
            doorstep_core::outage::NotifiedHow::ALL,
            doorstep_core::outage::NotifiedHow::as_str,
        ))]
        how: doorstep_core::outage::NotifiedHow,
        /// When (RFC 3339). Default: now.
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, clap::Args)]
pub struct OutageCreate {
    /// What the notice says, e.g. 文三路管网检修停气.
    #[arg(long)]
    pub title: String,
    /// Why gas stops.
    #[arg(long, value_parser = named(
        doorstep_core::outage::OutageReason::ALL,
        doorstep_core::outage::OutageReason::as_str,
    ))]
    pub reason: doorstep_core::outage::OutageReason,
    /// When gas stops (RFC 3339, e.g. 2026-12-01T08:00:00+08:00).
    #[arg(long, value_parser = parse_time)]
    pub starts: DateTime<Utc>,
    /// When gas is expected back (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub ends: DateTime<Utc>,
    /// The area's corners in WGS-84 decimal degrees, longitude first: 'lon lat, lon lat, …'.
    #[arg(long, value_name = "CORNERS", conflicts_with_all = ["area_file", "districts"])]
    pub area: Option<String>,
    /// A GeoJSON file with the area: a Polygon, or a Feature holding one.
    #[arg(long, value_name = "FILE", conflicts_with = "districts")]
    pub area_file: Option<PathBuf>,
    /// A district the outage covers whole (its id; repeat the option for several).
    #[arg(long = "district", value_name = "ID")]
    pub districts: Vec<DistrictId>,
    /// An emergency announced with less than the lead time: needs --emergency-reason.
    #[arg(long, requires = "emergency_reason")]
    pub emergency: bool,
    /// Why the outage could not be announced in time.
    #[arg(long, requires = "emergency")]
    pub emergency_reason: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum SettleCommand {
    /// List the settlements, tab-separated: id, day, technician, collected, declared, balance
    /// (`balanced` or the difference in fen), settled by.
    List {
        /// Only this technician's.
        #[arg(long)]
        technician: Option<TechnicianId>,
    },
}

/// A technician's day and what they handed over, per method, in fen (12000 is 120.00 yuan).
#[derive(Debug, clap::Args)]
pub struct SettleDay {
    /// The technician whose day it is (id).
    #[arg(long, required = true)]
    pub technician: Option<TechnicianId>,
    /// The day (Beijing time), e.g. 2026-12-01. It must be over.
    #[arg(long, required = true)]
    pub day: Option<chrono::NaiveDate>,
    /// Cash handed over, in fen.
    #[arg(long, default_value_t = 0)]
    pub cash: i64,
    /// WeChat Pay declared handed over, in fen.
    #[arg(long, default_value_t = 0)]
    pub wechat: i64,
    /// Alipay declared handed over, in fen.
    #[arg(long, default_value_t = 0)]
    pub alipay: i64,
    /// Bank card payments declared handed over, in fen.
    #[arg(long, default_value_t = 0)]
    pub bank_card: i64,
}

#[derive(Debug, clap::Args)]
pub struct SweepNow {
    /// The age past which a temporary file is debris: younger, it may be a server's upload
    /// in progress (e.g. `1h`, `10m`, `30s`).
    #[arg(long, default_value = "1h", value_parser = crate::photos::sweep::parse_duration)]
    pub older_than: std::time::Duration,
}

#[derive(Debug, clap::Subcommand)]
pub enum ParkedCommand {
    /// List parked work, oldest first, tab-separated: what waits for a decision (or, with
    /// `--all`, what was decided too).
    List {
        /// Also the work already decided.
        #[arg(long)]
        all: bool,
        /// How many rows to show.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Take the work into the household's file, with what it changes there.
    Accept {
        /// The operation's id, as `parked list` prints it.
        op_id: OperationId,
    },
    /// Do not take the work in; the technician is told the reason.
    Reject {
        /// The operation's id, as `parked list` prints it.
        op_id: OperationId,
        /// Why, in words the technician reads on the phone.
        #[arg(long)]
        reason: String,
    },
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
    /// Set a district's targets for its orders' clocks (orders opened from now on are stamped
    /// with them); prints the policy, one target a line, in seconds.
    Policy(DistrictPolicy),
}

#[derive(Debug, clap::Args)]
pub struct DistrictPolicy {
    /// The district's id (see `district list`).
    pub district_id: DistrictId,
    /// A target as NAME=DURATION, e.g. major_on_site=20m (s, m, h or d); repeat for more.
    /// Names: pipeline_handle, pipeline_repair, major_on_site, leadership_report,
    /// equipment_on_site, special_group_visit, complaint_investigate, complaint_answer,
    /// return_visit, outage_lead.
    #[arg(long = "set", value_name = "NAME=DURATION")]
    pub set: Vec<String>,
    /// A JSON file with the whole policy (targets in seconds; a missing one is its default),
    /// applied before any --set.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
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
    #[arg(long, value_parser = named(TechnicianRole::ALL, TechnicianRole::as_str))]
    pub role: TechnicianRole,
    /// The crew the technician belongs to (its id).
    #[arg(long)]
    pub crew: Option<CrewId>,
    /// The district the technician covers (its id): its households reach their phone.
    #[arg(long)]
    pub district: Option<DistrictId>,
}

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
pub enum ReadingCommand {
    /// Import meter readings from a CSV file (UTF-8, header row: customer_number, taken_at,
    /// value, optional source; see docs/admin.md).
    ///
    /// Every row is checked before anything is written, with the rules of a field reading: if
    /// any row is wrong, nothing is imported and each problem is reported as
    /// `line N: <column>: <reason>`. Then every household read is analysed: one whose use is
    /// abnormal (the meter went back, no use for 60 days, a sudden rise) gets a patrol order on
    /// its district's list, unless one is still open. One transaction.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
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
    /// Raise an ordinary pipeline fault to major (抢险): the major clocks start now.
    Raise {
        /// The order's number.
        number: String,
        /// Why (e.g. 需疏散居民).
        #[arg(long)]
        reason: String,
    },
    /// Record that a major fault was reported to the leadership (Art.5(1)).
    ReportLeadership {
        /// The order's number.
        number: String,
        /// Who was told: the leader's title or name.
        #[arg(long)]
        told: String,
        /// When (RFC 3339). Default: now.
        #[arg(long, value_parser = parse_time)]
        at: Option<DateTime<Utc>>,
    },
    /// Record a changed appointment the user agreed to (a fault of the user's equipment).
    Appointment(OrderAppointment),
    /// Print each clock of an order: milestone, due, state (met, late, open, overdue).
    Deadlines {
        /// The order's number.
        number: String,
    },
    /// Print when an order was reported, when it reached its technician's phone and when it
    /// was accepted (the urgent orders' 30- and 60-minute targets).
    Delivery {
        /// The order's number.
        number: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct OrderAppointment {
    /// The order's number.
    pub number: String,
    /// The window's start (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub from: DateTime<Utc>,
    /// The window's end (RFC 3339): arriving after it is late.
    #[arg(long, value_parser = parse_time)]
    pub to: DateTime<Utc>,
    /// The user agreed.
    #[arg(long, conflicts_with = "contact", required_unless_present = "contact")]
    pub user: bool,
    /// A contact person agreed (their name or relation).
    #[arg(long, value_name = "NAME")]
    pub contact: Option<String>,
    /// When they agreed (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub agreed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Args)]
pub struct OrderCreate {
    /// The service center's order number (letters, digits, '-'; unique).
    #[arg(long)]
    pub number: String,
    /// What is to be done.
    #[arg(long, value_parser = named(WorkOrderKind::ALL, WorkOrderKind::as_str))]
    pub kind: WorkOrderKind,
    /// Where the order came from.
    #[arg(long, value_parser = named(WorkOrderSource::ALL, WorkOrderSource::as_str))]
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
    /// A pipeline fault's class: ordinary (6 h / 24 h) or major (抢险: crew on site and the
    /// leadership told at once). Default: ordinary.
    #[arg(long, value_parser = named(FaultClass::ALL, FaultClass::as_str))]
    pub class: Option<FaultClass>,
    /// A fault of the user's equipment: the start of the window the user asked for (RFC 3339),
    /// instead of a crew at once.
    #[arg(long, value_parser = parse_time, requires = "appointment_to")]
    pub appointment_from: Option<DateTime<Utc>>,
    /// The end of that window.
    #[arg(long, value_parser = parse_time, requires = "appointment_from")]
    pub appointment_to: Option<DateTime<Utc>>,
    /// The complaint this order follows up (its number): the order is linked to it.
    #[arg(long, value_name = "COMPLAINT_NUMBER")]
    pub complaint: Option<String>,
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

#[derive(Debug, clap::Subcommand)]
pub enum ComplaintCommand {
    /// Receive a complaint; prints its id. Its clocks start at --received-at: investigation
    /// within 2 h, first answer within 24 h (the policy's complaint targets).
    Open(ComplaintOpen),
    /// The investigation has started.
    Investigate(ComplaintStepArgs),
    /// The first answer reached the user.
    Answer {
        #[command(flatten)]
        step: ComplaintStepArgs,
        /// What the user was told.
        #[arg(long = "said")]
        said: String,
    },
    /// Close the complaint with the answer given and the user's acceptance; schedules its
    /// return visit (for a complaint tied to a household).
    Close {
        #[command(flatten)]
        step: ComplaintStepArgs,
        /// The answer the complaint is closed with.
        #[arg(long)]
        answer: String,
        /// Whether the user accepted it.
        #[arg(long, value_parser = named(Acceptance::ALL, Acceptance::as_str))]
        acceptance: Acceptance,
    },
    /// List the complaints, oldest first, tab-separated: number, channel, status, received,
    /// investigate by, answer by, order, household (never the complainant).
    List {
        /// Only the complaints not yet closed.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct ComplaintOpen {
    /// The complaint's number (letters, digits, '-'; unique), e.g. TS-20260301-001.
    #[arg(long)]
    pub number: String,
    /// Who complained (kept for the service center only; never printed in a list).
    #[arg(long)]
    pub name: String,
    /// The complainant's phone.
    #[arg(long)]
    pub phone: Option<String>,
    /// How the complaint came in.
    #[arg(long, value_parser = named(ComplaintChannel::ALL, ComplaintChannel::as_str))]
    pub channel: ComplaintChannel,
    /// What the user complains of.
    #[arg(long)]
    pub summary: String,
    /// The household's customer number, when known.
    #[arg(long, value_name = "CUSTOMER_NUMBER")]
    pub household: Option<String>,
    /// The work order complained of (its number).
    #[arg(long, value_name = "ORDER_NUMBER")]
    pub order: Option<String>,
    /// The technician complained of (id).
    #[arg(long)]
    pub technician: Option<TechnicianId>,
    /// When it was received (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub received_at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Args)]
pub struct ComplaintStepArgs {
    /// The complaint's number.
    pub number: String,
    /// When it happened (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Subcommand)]
pub enum CallCommand {
    /// Log a call and what it became; prints the call's id (and the order's, when it opened
    /// one). An alarm always opens an emergency order (a pipeline fault) with the call.
    Take(CallTake),
    /// List the calls, oldest first, tab-separated: id, at, kind, household, became, summary.
    List,
}

#[derive(Debug, clap::Args)]
pub struct CallTake {
    /// What the caller wanted.
    #[arg(long, value_parser = named(CallKind::ALL, CallKind::as_str))]
    pub kind: CallKind,
    /// The household's customer number, when known.
    #[arg(long, value_name = "CUSTOMER_NUMBER")]
    pub household: Option<String>,
    /// What the caller said.
    #[arg(long)]
    pub summary: String,
    /// The call opened a work order of this kind (an alarm opens a pipeline fault by itself).
    #[arg(long, value_parser = named(WorkOrderKind::ALL, WorkOrderKind::as_str), conflicts_with_all = ["complaint", "answer"])]
    pub order_kind: Option<WorkOrderKind>,
    /// The number of the order it opens. Default: DH- and a number made from the call's id.
    #[arg(long)]
    pub order_number: Option<String>,
    /// Where the work is (WGS-84 latitude), for an order without a household.
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    /// Where the work is (WGS-84 longitude).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// The call is the complaint with this number (open it first with `complaint open`).
    #[arg(long, value_name = "COMPLAINT_NUMBER", conflicts_with = "answer")]
    pub complaint: Option<String>,
    /// The call was answered on the spot: what the caller was told.
    #[arg(long, value_name = "TEXT")]
    pub answer: Option<String>,
    /// When the call was taken (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReturnVisitCommand {
    /// List the return visits, tab-separated: number, follows, household, scheduled, due,
    /// status, overall satisfaction (or -).
    List {
        /// Also the visits done.
        #[arg(long)]
        all: bool,
    },
    /// Record the scores a user gave on a return-visit call (1 to 5, 5 best); the visit is
    /// done.
    Record(ReturnVisitRecord),
    /// The scores aggregated per unit and kind of the order followed up, tab-separated: unit,
    /// kind, visits, the mean of each score, the satisfied share.
    Scores(ScoresArgs),
}

#[derive(Debug, clap::Args)]
pub struct ScoresArgs {
    /// The unit the scores are grouped by: the district, crew or technician of the work
    /// followed up.
    #[arg(long, value_parser = named(UnitLevel::ALL, UnitLevel::as_str))]
    pub by: UnitLevel,
    /// Only visits scored from this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub from: Option<DateTime<Utc>>,
    /// Only visits scored before this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Args)]
pub struct ReturnVisitRecord {
    /// The return visit's order number (as `return-visit list` prints it).
    pub number: String,
    /// The overall satisfaction.
    #[arg(long, value_parser = named(Overall::ALL, Overall::as_str))]
    pub overall: Overall,
    /// Timeliness, 1 to 5.
    #[arg(long)]
    pub timeliness: u8,
    /// Attitude, 1 to 5.
    #[arg(long)]
    pub attitude: u8,
    /// Quality of the work, 1 to 5.
    #[arg(long)]
    pub quality: u8,
    /// Safety advice given, 1 to 5.
    #[arg(long)]
    pub safety_explanation: u8,
    /// When the user was called (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, clap::Args)]
pub struct ComplianceArgs {
    /// Only orders reported and complaints received from this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub from: Option<DateTime<Utc>>,
    /// Only those before this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<DateTime<Utc>>,
    /// Only the households of this district (its id).
    #[arg(long)]
    pub district: Option<DistrictId>,
    /// Judge open deadlines as of this time (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

/// A clap parser for a core enum, by its serde names (which it also lists in `--help`).
/// A value of one of the core's enums, typed by its name (`--role crew_leader`); `--help` and
/// a wrong name list every name.
pub(super) fn named<T, const N: usize>(
    all: [T; N],
    name: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.map(name)).map(move |typed| {
        all.into_iter()
            .find(|v| name(*v) == typed)
            .expect("clap accepts only the listed names")
    })
}

pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            "时间请按 RFC 3339 书写 / write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00"
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_types_a_role_a_kind_or_a_source_by_its_stored_name() {
        fn typed<T: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static, const N: usize>(
            all: [T; N],
            name: fn(T) -> &'static str,
        ) {
            let command = clap::Command::new("doorstep");
            let parser = named(all, name);
            for value in all {
                let text = std::ffi::OsStr::new(name(value));
                assert_eq!(parser.parse_ref(&command, None, text).unwrap(), value);
            }
            let wrong = std::ffi::OsStr::new("no_such_name");
            assert!(parser.parse_ref(&command, None, wrong).is_err());
        }
        typed(TechnicianRole::ALL, TechnicianRole::as_str);
        typed(WorkOrderKind::ALL, WorkOrderKind::as_str);
        typed(WorkOrderSource::ALL, WorkOrderSource::as_str);
        typed(FaultClass::ALL, FaultClass::as_str);
    }
}
