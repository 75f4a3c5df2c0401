//! What the day left, asked of the server (its storage), not of the demo's own account: each
//! technician's work, the deadlines met and missed, the conflicts and how the merge resolved
//! them, the bytes each way, the time taken. Printed as text (Chinese first, English after), or
//! as JSON with `--json`; the figures (`figure demo_s …`) go to stderr either way.
//!
//! The server's records are read first ([`read_server`], one read transaction), then tallied
//! from plain data ([`tally`]), so the tally is tested without a server. Who did a sealed form
//! or an order's work is the device that pushed it, as the server's operation log says.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::app::format::{moment, money, span};
use doorstep_core::app::screens::order::milestone_label;
use doorstep_core::forms::form::{Form, Outcome};
use doorstep_core::ids::TechnicianId;
use doorstep_core::sync::merge::{Author, ConflictRule, FieldRule};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Technician, TechnicianRole};
use doorstep_core::text::Lang;
use doorstep_core::workorder::deadline::{DeadlineState, Milestone, deadlines};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderStatus};
use serde::Serialize;

use super::DemoResult;
use super::place::Journal;
use super::server::Running;
use super::world::{World, beijing, hm};
use crate::admin::every;
use crate::storage::{self, ConflictRow, Counted, ReceiptRow, Storage, Tx};

/// The day's deadlines are judged when the working day ends: one still open then is pending.
const END_OF_DAY: (u32, u32) = (18, 0);
/// The most conflicts the summary lists (all are counted).
const CONFLICTS_LISTED: usize = 200;

/// The summary, with the field names `--json` prints (stable: scripts and tests read them).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub seed: u64,
    /// The day played (Beijing time).
    pub day: NaiveDate,
    pub district: DistrictSummary,
    /// Sealed forms on the server.
    pub forms: u64,
    /// Photos stored whole on the server.
    pub photos: u64,
    /// Work orders resolved (or referred elsewhere) on the server.
    pub orders_closed: u64,
    /// Edits the merge overrode (each kept, listed for the office).
    pub conflicts: u64,
    /// What each technician with a phone did that day.
    pub technicians: Vec<TechnicianSummary>,
    /// The regulated deadlines of the orders the phones worked.
    pub deadlines: DeadlineSummary,
    /// The overridden edits, oldest first, phone numbers masked.
    pub conflict_list: Vec<ConflictSummary>,
    /// HTTP bodies the phones sent to the server and received from it, in bytes (this run).
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub seconds: f64,
    /// The server's address while the demo serves.
    pub server: String,
    /// The console's address and the demo's administrator to sign in with (its password
    /// is new at every run).
    pub console: ConsoleSignIn,
    /// The day's page.
    pub page: String,
}

/// How to sign in to the demo's console.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsoleSignIn {
    pub url: String,
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistrictSummary {
    pub name: String,
    pub households: u64,
    pub readings: u64,
}

/// One technician's day: their badge and role, never their name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TechnicianSummary {
    pub badge: String,
    /// `inspector`, `repair_technician` or `crew_leader`.
    pub role: String,
    /// Forms they sealed that day, by outcome.
    pub visits: Visits,
    /// The photos of those forms the server holds whole.
    pub photos: u64,
    pub signatures: u64,
    /// Orders they resolved (or referred elsewhere).
    pub orders_closed: u64,
    /// Money collected on their sealed forms that day, in fen, and as it is read (`¥12.50`).
    pub collected_fen: i64,
    pub collected: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Visits {
    pub total: u64,
    pub completed: u64,
    pub nobody_home: u64,
    /// The user did not let the technician in.
    pub refused: u64,
    /// Filled in, but the user would not sign (a photo stands in for the signature).
    pub refused_to_sign: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeadlineSummary {
    pub met: u64,
    /// Met late, or still unmet past due.
    pub missed: u64,
    /// Not met yet, not due yet.
    pub pending: u64,
    pub list: Vec<DeadlineLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineLine {
    /// The order's number.
    pub order: String,
    /// The order's kind (`pipeline_fault`, …).
    pub kind: WorkOrderKind,
    /// The regulated step (`handle`, `repair`, `equipment_on_site`, …).
    pub milestone: Milestone,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    /// `met`, `met_late`, `pending` or `breached`.
    pub state: String,
    /// How long: the margin (met), how late (met_late, breached), or what is left (pending).
    pub by_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictSummary {
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    /// The rule that decided (`later_clock_wins`, `office_wins`, …).
    pub rule: String,
    /// The value that stands and the one overridden (JSON, phone numbers masked).
    pub kept: String,
    pub overridden: String,
    /// Who made each: `office`, `server`, or a technician's badge.
    pub kept_by: String,
    pub overridden_by: String,
    /// How it was resolved, in words, Chinese and English.
    pub resolution_zh: String,
    pub resolution: String,
}

/// What the server holds of the day, read in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ServerDay {
    pub households: u64,
    pub readings: u64,
    pub complete_photos: u64,
    pub conflict_count: u64,
    /// The technicians with a phone enrolled: inspectors first, then the crew, by badge.
    pub technicians: Vec<Technician>,
    /// Every sealed form, with the technician whose phone pushed it.
    pub forms: Vec<(Form, Option<TechnicianId>)>,
    /// The photo hashes the server holds whole, of the forms above.
    pub whole_photos: BTreeSet<String>,
    /// Every work order, with the technicians whose phones pushed work on it.
    pub orders: Vec<(WorkOrder, BTreeSet<TechnicianId>)>,
    /// The receipts of the day, of the technicians above.
    pub receipts: Vec<ReceiptRow>,
    pub conflicts: Vec<ConflictRow>,
    /// Device id to the badge of its technician.
    pub device_badges: HashMap<String, String>,
}

pub fn gather(
    storage: &dyn Storage,
    world: &World,
    journal: &Journal,
    running: &Running,
    took: Duration,
) -> DemoResult<Summary> {
    let server = read_server(storage, journal.date)?;
    let metrics = &running.state.metrics;
    let mut summary = tally(&server, journal.date);
    summary.seed = journal.seed;
    summary.district.name = world.district.name.clone();
    summary.bytes_up = metrics
        .bytes_received
        .load(std::sync::atomic::Ordering::Relaxed);
    summary.bytes_down = metrics
        .bytes_sent
        .load(std::sync::atomic::Ordering::Relaxed);
    summary.seconds = took.as_secs_f64();
    summary.server = running.url.clone();
    Ok(summary)
}

/// The day's midnight to the next, Beijing time, in UTC.
fn day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = hm(0, 0);
    (
        beijing(date, midnight),
        beijing(date + chrono::Duration::days(1), midnight),
    )
}

/// Reads what the summary needs of the server, in one read transaction.
pub fn read_server(storage: &dyn Storage, date: NaiveDate) -> DemoResult<ServerDay> {
    let (from, to) = day_bounds(date);
    Ok(storage::read(storage, |tx| {
        let mut day = ServerDay {
            households: tx.count(Counted::Records(Entity::Household))?,
            readings: tx.count(Counted::Records(Entity::Reading))?,
            complete_photos: tx.count(Counted::CompletePhotos)?,
            conflict_count: tx.count(Counted::Conflicts)?,
            ..ServerDay::default()
        };
        let devices = tx.devices(None)?;
        let technicians: Vec<Technician> = every(tx, Entity::Technician)?;
        let by_id: HashMap<String, &Technician> =
            technicians.iter().map(|t| (t.id.to_string(), t)).collect();
        let mut device_of = Vec::new();
        for d in &devices {
            if let Some(t) = by_id.get(&d.technician_id) {
                day.device_badges.insert(d.id.clone(), t.badge.clone());
                device_of.push((d.id.clone(), t.id));
                if !day.technicians.iter().any(|known| known.id == t.id) {
                    day.technicians.push((*t).clone());
                }
            }
        }
        // Inspectors first, then the crew, each by badge.
        day.technicians.sort_by_key(|t| {
            let rank = TechnicianRole::ALL.iter().position(|r| *r == t.role);
            (rank, t.badge.clone())
        });
        let pushed_by = |tx: &mut dyn Tx, entity: Entity, id: &str| {
            let mut who = BTreeSet::new();
            for (device, technician) in &device_of {
                if tx.pushed_about(device, entity, id)? {
                    who.insert(*technician);
                }
            }
            Ok::<_, crate::error::Error>(who)
        };
        for form in every::<Form>(tx, Entity::Form)? {
            if form.seal.is_none() {
                continue;
            }
            let by = pushed_by(tx, Entity::Form, &form.id.to_string())?
                .into_iter()
                .next();
            for photo in form.evidence_photos() {
                let hash = photo.sha256.to_string();
                if tx.photo(&hash)?.is_some_and(|p| p.complete) {
                    day.whole_photos.insert(hash);
                }
            }
            day.forms.push((form, by));
        }
        for order in every::<WorkOrder>(tx, Entity::WorkOrder)? {
            let by = pushed_by(tx, Entity::WorkOrder, &order.id.to_string())?;
            day.orders.push((order, by));
        }
        for t in &day.technicians {
            day.receipts
                .extend(tx.receipts_between(&t.id.to_string(), from, to)?);
        }
        day.conflicts = tx.conflicts(CONFLICTS_LISTED)?;
        day.conflicts.sort_by_key(|c| c.seq);
        Ok(day)
    })?)
}

/// The summary of what the server holds of `date` (the run's own figures left empty).
pub fn tally(server: &ServerDay, date: NaiveDate) -> Summary {
    let (from, to) = day_bounds(date);
    let sealed_that_day = |form: &Form| {
        form.seal
            .as_ref()
            .is_some_and(|s| s.sealed_at >= from && s.sealed_at < to)
    };
    let closed = |o: &WorkOrder| {
        matches!(
            o.status(),
            WorkOrderStatus::Resolved | WorkOrderStatus::ReferredElsewhere
        )
    };

    // The orders each technician worked: pushed work on, or sealed a form for.
    let mut worked: BTreeMap<TechnicianId, BTreeSet<usize>> = BTreeMap::new();
    for (i, (order, by)) in server.orders.iter().enumerate() {
        for t in by {
            worked.entry(*t).or_default().insert(i);
        }
        for (form, t) in &server.forms {
            if let (Some(t), Some(_)) = (t, form.work_order_id.filter(|id| *id == order.id)) {
                worked.entry(*t).or_default().insert(i);
            }
        }
    }

    let technicians = server
        .technicians
        .iter()
        .map(|t| {
            let mine = server
                .forms
                .iter()
                .filter(|(f, by)| *by == Some(t.id) && sealed_that_day(f))
                .map(|(f, _)| f);
            let mut visits = Visits::default();
            let (mut photos, mut signatures) = (0, 0);
            for form in mine {
                visits.total += 1;
                match form.outcome {
                    Outcome::Completed => visits.completed += 1,
                    Outcome::NobodyHome { .. } => visits.nobody_home += 1,
                    Outcome::AccessRefused { .. } => visits.refused += 1,
                    Outcome::CustomerRefusedToSign { .. } => visits.refused_to_sign += 1,
                }
                photos += form
                    .evidence_photos()
                    .filter(|p| server.whole_photos.contains(&p.sha256.to_string()))
                    .count() as u64;
                signatures += form.signatures.len() as u64;
            }
            let orders_closed = worked
                .get(&t.id)
                .into_iter()
                .flatten()
                .map(|&i| &server.orders[i].0)
                .filter(|o| closed(o) && closed_by(o, t.id))
                .count() as u64;
            let collected_fen = server
                .receipts
                .iter()
                .filter(|r| r.technician_id == t.id.to_string())
                .map(|r| r.total_fen)
                .sum();
            TechnicianSummary {
                badge: t.badge.clone(),
                role: t.role.as_str().to_owned(),
                visits,
                photos,
                signatures,
                orders_closed,
                collected_fen,
                collected: money(collected_fen),
            }
        })
        .collect();

    let judged_at = beijing(date, hm(END_OF_DAY.0, END_OF_DAY.1));
    let phones_worked: BTreeSet<usize> = worked.values().flatten().copied().collect();
    let mut deadline_summary = DeadlineSummary::default();
    for &i in &phones_worked {
        let order = &server.orders[i].0;
        for d in deadlines(order) {
            let (state, by) = match d.state(judged_at) {
                DeadlineState::Met { margin } => {
                    deadline_summary.met += 1;
                    ("met", margin)
                }
                DeadlineState::MetLate { late_by } => {
                    deadline_summary.missed += 1;
                    ("met_late", late_by)
                }
                DeadlineState::Breached { overdue_by } => {
                    deadline_summary.missed += 1;
                    ("breached", overdue_by)
                }
                DeadlineState::Pending { remaining } => {
                    deadline_summary.pending += 1;
                    ("pending", remaining)
                }
            };
            deadline_summary.list.push(DeadlineLine {
                order: order.number.clone(),
                kind: order.kind,
                milestone: d.milestone,
                due_at: d.due_at,
                met_at: d.met_at,
                state: state.to_owned(),
                by_seconds: by.num_seconds(),
            });
        }
    }
    deadline_summary
        .list
        .sort_by(|a, b| (a.due_at, &a.order).cmp(&(b.due_at, &b.order)));

    let conflict_list = server
        .conflicts
        .iter()
        .map(|c| {
            let (zh, en) = resolution(c.rule);
            ConflictSummary {
                entity: c.entity.as_str().to_owned(),
                entity_id: c.entity_id.clone(),
                field: c.field.clone(),
                rule: c.rule.as_str().to_owned(),
                kept: mask_phones(&c.kept),
                overridden: mask_phones(&c.lost),
                kept_by: author(&c.kept_by, &server.device_badges),
                overridden_by: author(&c.lost_by, &server.device_badges),
                resolution_zh: zh.to_owned(),
                resolution: en.to_owned(),
            }
        })
        .collect();

    Summary {
        seed: 0,
        day: date,
        district: DistrictSummary {
            name: String::new(),
            households: server.households,
            readings: server.readings,
        },
        forms: server.forms.len() as u64,
        photos: server.complete_photos,
        orders_closed: server.orders.iter().filter(|(o, _)| closed(o)).count() as u64,
        conflicts: server.conflict_count,
        technicians,
        deadlines: deadline_summary,
        conflict_list,
        bytes_up: 0,
        bytes_down: 0,
        seconds: 0.0,
        server: String::new(),
        console: ConsoleSignIn::default(),
        page: String::new(),
    }
}

/// Whether `technician` closed `order`: its closing step came from their phone (as the server
/// recorded it), or, for a step the server recorded no reporter of, they worked on it.
fn closed_by(order: &WorkOrder, technician: TechnicianId) -> bool {
    order
        .steps
        .iter()
        .rev()
        .find(|s| s.status.is_final())
        .and_then(|s| s.reported_by.as_ref())
        .is_none_or(|r| r.technician == technician)
}

/// Who made a value a conflict names: the office, the server's rule, or a technician's badge.
fn author(author: &Author, badges: &HashMap<String, String>) -> String {
    match author {
        Author::Office => "office".to_owned(),
        Author::Server => "server".to_owned(),
        Author::Device(id) => badges
            .get(id)
            .cloned()
            .unwrap_or_else(|| "device".to_owned()),
    }
}

/// How the merge resolved a conflict of `rule`, in Chinese and English.
fn resolution(rule: ConflictRule) -> (&'static str, &'static str) {
    match rule {
        ConflictRule::Field(FieldRule::LaterClockWins) => (
            "以后改者为准，另一值保留在档案历史中供服务中心查看",
            "the later edit stands, the other is kept in the record's history for the office",
        ),
        ConflictRule::Field(FieldRule::OfficeWins) => (
            "以服务中心的值为准（账户资料），另一值保留在档案历史中供服务中心查看",
            "the service center's value stands (account data), the other is kept in the \
             record's history for the office",
        ),
        ConflictRule::Field(FieldRule::Latest) => (
            "以较晚的时间为准，时间不会倒退",
            "the later time stands: it never moves back",
        ),
        ConflictRule::FirstResolutionWins => (
            "现场最先的处理结果为准，之后的一步保留供服务中心复核",
            "the first resolution on site stands, the later step is kept for the office to review",
        ),
        ConflictRule::StatusMovesForward => (
            "工单状态只进不退，倒退的一步保留供服务中心复核",
            "an order's status only moves forward: the step back is kept for the office to review",
        ),
    }
}

/// The text with the middle digits of every phone number masked: a run of 7 or more digits
/// keeps its first 3 and last 4 (`138****5678`).
pub fn mask_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        for (k, c) in chars[i..i + run].iter().enumerate() {
            out.push(if run >= 7 && k >= 3 && k < run - 4 {
                '*'
            } else {
                *c
            });
        }
        i += run;
    }
    out
}

/// The summary on stdout (text or JSON), the figures on stderr.
pub fn print(summary: &Summary, json: bool, url: &str, data: &Path) {
    let mut summary = summary.clone();
    summary.page = data.join("index.html").display().to_string();
    summary.console.url = format!("{url}/console");
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).expect("a summary serializes")
        );
    } else {
        summary.server = url.to_owned();
        print!("{}", text(&summary));
    }
    eprintln!("figure demo_s {:.1}", summary.seconds);
    eprintln!("figure demo_bytes_up {}", summary.bytes_up);
    eprintln!("figure demo_bytes_down {}", summary.bytes_down);
}

/// The summary as a person reads it: a few lines a section, Chinese first, English after.
pub fn text(s: &Summary) -> String {
    let mut out = String::new();
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    line(format!(
        "{} · {}（种子 {}）/ the day of {} (seed {})",
        s.district.name, s.day, s.seed, s.day, s.seed
    ));
    line(format!(
        "  {} 户，{} 条抄表读数；服务器上：{} 份已封存表单，{} 张照片，{} 张工单已关闭，{} 处冲突",
        s.district.households, s.district.readings, s.forms, s.photos, s.orders_closed, s.conflicts
    ));
    line(format!(
        "  / {} households, {} meter readings; on the server: {} sealed forms, {} photos, {} \
         orders closed, {} conflicts",
        s.district.households, s.district.readings, s.forms, s.photos, s.orders_closed, s.conflicts
    ));

    line("技术员 / Technicians".to_owned());
    if s.technicians.is_empty() {
        line("  （无）/ none".to_owned());
    }
    for t in &s.technicians {
        let v = &t.visits;
        line(format!(
            "  {} {}：入户 {} 次（完成 {}，无人在家 {}，拒绝入户 {}，拒签 {}），照片 {} 张，签名 {} 个，\
             关闭工单 {} 张，收费 {}",
            t.badge,
            role_zh(&t.role),
            v.total,
            v.completed,
            v.nobody_home,
            v.refused,
            v.refused_to_sign,
            t.photos,
            t.signatures,
            t.orders_closed,
            t.collected
        ));
        line(format!(
            "    / {} {}: {} visits ({} completed, {} nobody home, {} refused, {} refused to \
             sign), {} photos, {} signatures, {} orders closed, {} collected",
            t.badge,
            t.role.replace('_', " "),
            v.total,
            v.completed,
            v.nobody_home,
            v.refused,
            v.refused_to_sign,
            t.photos,
            t.signatures,
            t.orders_closed,
            t.collected
        ));
    }

    let d = &s.deadlines;
    line(format!(
        "时限 / Deadlines：按时 {}，超时 {}，未到期 {} / {} met, {} missed, {} pending",
        d.met, d.missed, d.pending, d.met, d.missed, d.pending
    ));
    let judged_at = beijing(s.day, hm(END_OF_DAY.0, END_OF_DAY.1));
    for l in &d.list {
        line(format!("  {}", deadline_line(l, judged_at)));
    }

    line(format!("冲突 / Conflicts：{}", s.conflicts));
    for c in &s.conflict_list {
        line(format!(
            "  {}.{}：保留 {}（{}），覆盖 {}（{}）；{}",
            c.entity,
            c.field,
            c.kept,
            who_zh(&c.kept_by),
            c.overridden,
            who_zh(&c.overridden_by),
            c.resolution_zh
        ));
        line(format!(
            "    / {}.{}: kept {} ({}), overridden {} ({}): {}",
            c.entity, c.field, c.kept, c.kept_by, c.overridden, c.overridden_by, c.resolution
        ));
    }

    line(format!(
        "同步 / Synced：上行 {}，下行 {}；用时 {:.1} 秒 / up {}, down {}; {:.1} s",
        kib(s.bytes_up),
        kib(s.bytes_down),
        s.seconds,
        kib(s.bytes_up),
        kib(s.bytes_down),
        s.seconds
    ));
    line(format!("服务器 / Server: {}", s.server));
    line(format!(
        "控制台 / console: {}  登录 / sign in: {} / {}",
        s.console.url, s.console.login, s.console.password
    ));
    line(format!("当日报告 / The day's page: {}", s.page));
    out
}

/// One deadline: the order, the step, when it was due, and how it went.
fn deadline_line(l: &DeadlineLine, now: DateTime<Utc>) -> String {
    let by = chrono::Duration::seconds(l.by_seconds);
    let milestone = milestone_label(l.milestone);
    let (m_zh, m_en) = (milestone.zh, milestone.en);
    let (zh, en) = match l.state.as_str() {
        "met" => (
            format!("按时，提前 {}", span(by, Lang::Zh)),
            format!("met, {} early", span(by, Lang::En)),
        ),
        "met_late" => (
            format!("超时 {} 完成", span(by, Lang::Zh)),
            format!("met {} late", span(by, Lang::En)),
        ),
        "breached" => (
            format!("未完成，已超时 {}", span(by, Lang::Zh)),
            format!("missed, {} overdue", span(by, Lang::En)),
        ),
        _ => (
            format!("未到期，剩 {}", span(by, Lang::Zh)),
            format!("pending, {} left", span(by, Lang::En)),
        ),
    };
    let kind = l.kind.label();
    // A return visit's one milestone is its own name: said once.
    let (m_zh, m_en) = if kind.zh == m_zh {
        (String::new(), String::new())
    } else {
        (format!(" {m_zh}"), format!(" {m_en}"))
    };
    format!(
        "{} {}{}，截止 {}：{} / {} {}{}, due {}: {}",
        l.order,
        kind.zh,
        m_zh,
        moment(l.due_at, now, Lang::Zh),
        zh,
        l.order,
        kind.en,
        m_en,
        moment(l.due_at, now, Lang::En),
        en
    )
}

fn role_zh(role: &str) -> &'static str {
    match TechnicianRole::ALL.into_iter().find(|r| r.as_str() == role) {
        Some(TechnicianRole::Inspector) => "巡检员",
        Some(TechnicianRole::RepairTechnician) => "抢修员",
        Some(TechnicianRole::CrewLeader) => "班长",
        None => "技术员",
    }
}

fn who_zh(who: &str) -> String {
    match who {
        "office" => "服务中心".to_owned(),
        "server" => "服务器规则".to_owned(),
        badge => format!("{badge} 手机"),
    }
}

fn kib(bytes: u64) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} B")
    } else if bytes < 10 * 1024 * 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Span;
    use doorstep_core::forms::builtin::builtin_templates;
    use doorstep_core::forms::form::PhotoRef;
    use doorstep_core::forms::seal::{Seal, Signature};
    use doorstep_core::ids::{HouseholdId, OperationId};
    use doorstep_core::media::signature::{SignatureCapture, SignerRole};
    use doorstep_core::sync::merge::FieldRule;
    use doorstep_core::workorder::StepReporter;
    use doorstep_core::workorder::{Appointment, WorkOrderSource};
    use proptest::prelude::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        beijing(date(), hm(h, m))
    }

    fn technician(badge: &str, role: TechnicianRole) -> Technician {
        Technician {
            id: TechnicianId(uuid::Uuid::new_v4()),
            badge: badge.to_owned(),
            name: "王伟".to_owned(),
            phone: None,
            role,
            crew_id: None,
            district_id: None,
            active: true,
        }
    }

    fn sealed(outcome: Outcome, sealed_at: DateTime<Utc>, photos: &[&str], signed: usize) -> Form {
        let template = builtin_templates().remove(0);
        let mut form = Form::new(
            &template,
            HouseholdId(uuid::Uuid::new_v4()),
            None,
            sealed_at - Span::minutes(20),
        );
        form.outcome = outcome;
        let refs = photos
            .iter()
            .map(|h| PhotoRef::new(h, sealed_at).unwrap())
            .collect();
        form.photos.insert("meter_photo".to_owned(), refs);
        for i in 0..signed {
            form.signatures.insert(
                format!("signature_{i}"),
                Signature {
                    capture: SignatureCapture {
                        role: SignerRole::Customer,
                        signer_name: "王伟".to_owned(),
                        signed_at: sealed_at,
                        strokes: doorstep_core::testkit::strokes(),
                    },
                    strokes_sha256: String::new(),
                    signed_digest: String::new(),
                },
            );
        }
        form.seal = Some(Seal {
            content_digest: String::new(),
            digest: String::new(),
            sealed_at,
        });
        form
    }

    fn order(number: &str, kind: WorkOrderKind, reported_at: DateTime<Utc>) -> WorkOrder {
        WorkOrder::open(number, kind, WorkOrderSource::Phone, None, "", reported_at)
    }

    fn by(t: &Technician) -> StepReporter {
        StepReporter {
            technician: t.id,
            device: "crew-phone".to_owned(),
            op_id: OperationId::new(),
        }
    }

    fn hash(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    /// A day as the server holds it: the inspector's three visits (one with a photo still
    /// uploading), the crew's repair resolved in time and a water heater reached late, the
    /// office's phone edit that met the inspector's.
    fn server_day() -> (ServerDay, Technician, Technician) {
        let inspector = technician("HZ1024", TechnicianRole::Inspector);
        let crew = technician("HZ2051", TechnicianRole::RepairTechnician);

        let mut pipeline = order("GD-1", WorkOrderKind::PipelineFault, at(8, 5));
        pipeline
            .advance(WorkOrderStatus::OnSite, at(9, 0), None)
            .unwrap();
        pipeline
            .advance(WorkOrderStatus::Resolved, at(10, 0), None)
            .unwrap();
        pipeline.steps.last_mut().unwrap().reported_by = Some(by(&crew));
        let mut heater = order("GD-2", WorkOrderKind::UserEquipmentFault, at(7, 40));
        heater.appointment = Some(Appointment {
            from: at(14, 0),
            to: at(16, 0),
        });
        heater
            .advance(WorkOrderStatus::OnSite, at(16, 30), None)
            .unwrap();
        let elsewhere = order("GD-3", WorkOrderKind::PipelineFault, at(7, 0));

        let mut repair = sealed(Outcome::Completed, at(9, 55), &[&hash(9)], 2);
        repair.work_order_id = Some(pipeline.id);
        let day = ServerDay {
            households: 3,
            readings: 36,
            complete_photos: 3,
            conflict_count: 1,
            forms: vec![
                (
                    sealed(Outcome::Completed, at(8, 30), &[&hash(1), &hash(2)], 2),
                    Some(inspector.id),
                ),
                (
                    sealed(Outcome::Completed, at(9, 10), &[&hash(3)], 2),
                    Some(inspector.id),
                ),
                (
                    sealed(
                        Outcome::NobodyHome {
                            note: "敲门无人".into(),
                        },
                        at(9, 40),
                        &[],
                        1,
                    ),
                    Some(inspector.id),
                ),
                // Sealed the evening before: on the server, not the day's work.
                (
                    sealed(Outcome::Completed, at(0, 0) - Span::hours(3), &[], 2),
                    Some(inspector.id),
                ),
                (repair, Some(crew.id)),
            ],
            whole_photos: [hash(1), hash(2), hash(9)].into_iter().collect(),
            orders: vec![
                (pipeline, [crew.id].into_iter().collect()),
                (heater, [crew.id].into_iter().collect()),
                (elsewhere, BTreeSet::new()),
            ],
            receipts: vec![ReceiptRow {
                receipt: "R-1".to_owned(),
                form_id: "f".to_owned(),
                technician_id: crew.id.to_string(),
                sealed_at: at(15, 0),
                method: "cash".to_owned(),
                total_fen: 8_050,
            }],
            conflicts: vec![ConflictRow {
                seq: 40,
                entity: Entity::Household,
                entity_id: "h".to_owned(),
                field: "phones".to_owned(),
                rule: ConflictRule::Field(FieldRule::LaterClockWins),
                kept: "[\"13812345678\"]".to_owned(),
                lost: "[\"13987654321\"]".to_owned(),
                kept_by: Author::Device("inspector-phone".to_owned()),
                lost_by: Author::Office,
                op_id: None,
                at: at(10, 12),
            }],
            device_badges: [("inspector-phone".to_owned(), "HZ1024".to_owned())]
                .into_iter()
                .collect(),
            technicians: vec![inspector.clone(), crew.clone()],
        };
        (day, inspector, crew)
    }

    #[test]
    fn the_office_reads_each_technicians_day_by_badge_from_what_the_server_holds() {
        let (day, _, _) = server_day();
        let summary = tally(&day, date());
        assert_eq!(summary.forms, 5, "every sealed form on the server");
        assert_eq!(summary.orders_closed, 1);
        let [inspector, crew] = &summary.technicians[..] else {
            panic!("two technicians: {:?}", summary.technicians);
        };
        assert_eq!(inspector.badge, "HZ1024");
        assert_eq!(inspector.role, "inspector");
        assert_eq!(
            inspector.visits,
            Visits {
                total: 3,
                completed: 2,
                nobody_home: 1,
                refused: 0,
                refused_to_sign: 0
            }
        );
        assert_eq!(
            inspector.photos, 2,
            "the photo still uploading is not counted"
        );
        assert_eq!(inspector.signatures, 5);
        assert_eq!((inspector.orders_closed, inspector.collected_fen), (0, 0));
        assert_eq!(crew.visits.completed, 1);
        assert_eq!(crew.orders_closed, 1);
        assert_eq!(
            (crew.collected_fen, crew.collected.as_str()),
            (8_050, "¥80.50")
        );
        let text = text(&summary);
        assert!(
            !text.contains("王伟"),
            "no technician's or user's name: {text}"
        );
    }

    #[test]
    fn the_deadlines_of_the_orders_the_phones_worked_say_met_or_missed_and_by_how_long() {
        let (day, _, _) = server_day();
        let d = tally(&day, date()).deadlines;
        assert_eq!((d.met, d.missed, d.pending), (2, 1, 0), "{:#?}", d.list);
        assert!(
            d.list.iter().all(|l| l.order != "GD-3"),
            "no phone worked GD-3"
        );
        let late = d.list.iter().find(|l| l.state == "met_late").unwrap();
        assert_eq!(
            (late.order.as_str(), late.milestone, late.by_seconds),
            ("GD-2", Milestone::EquipmentOnSite, 30 * 60)
        );
        let handled = d
            .list
            .iter()
            .find(|l| l.milestone == Milestone::Handle)
            .unwrap();
        assert_eq!(
            (handled.state.as_str(), handled.by_seconds),
            ("met", 5 * 3600 + 5 * 60)
        );
    }

    #[test]
    fn a_conflict_says_who_made_each_value_and_that_the_later_edit_stands_with_the_phone_masked() {
        let (day, _, _) = server_day();
        let summary = tally(&day, date());
        let [c] = &summary.conflict_list[..] else {
            panic!("one conflict");
        };
        assert_eq!(c.kept, "[\"138****5678\"]");
        assert_eq!(c.overridden, "[\"139****4321\"]");
        assert_eq!(
            (c.kept_by.as_str(), c.overridden_by.as_str()),
            ("HZ1024", "office")
        );
        assert!(c.resolution.starts_with("the later edit stands"));
        let text = text(&summary);
        assert!(
            !text.contains("13812345678") && !text.contains("13987654321"),
            "{text}"
        );
        assert!(text.contains("后改者为准"), "{text}");
    }

    proptest! {
        #[test]
        fn no_phone_number_survives_masking(text in "[0-9a-z\\[\\]\", +-]{0,60}") {
            let masked = mask_phones(&text);
            prop_assert_eq!(masked.chars().count(), text.chars().count());
            let longest = masked
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            prop_assert!(longest < 7, "{} -> {}", text, masked);
            // Short runs (a house number, a count) are left as they are.
            for run in text.split(|c: char| !c.is_ascii_digit()).filter(|r| r.len() < 7) {
                prop_assert!(masked.contains(run));
            }
        }
    }
}
