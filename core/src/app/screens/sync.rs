//! Sync screen: the phases of the sync running now with their progress, how the last one
//! ended, the work the server refused or parked with what the technician can do about it, and
//! changes held back until the app is updated. And what follows every sync ([`after`]): a
//! notification for each new urgent order, the wipe of a revoked device.

use serde::{Deserialize, Serialize};

use super::{Action, Cx, Outcome};
use crate::app::{AppResult, Effect, SyncAfter, SyncView, format};
use crate::device_sync::SyncPhase;
use crate::error::{Error, Result};
use crate::schedule::worklist::{Task, WorkListOptions};
use crate::store::Store;
use crate::sync::protocol::ErrorKind;
use crate::text::{Lang, Text, said};
use crate::workorder::deadline::next_deadline;
use crate::workorder::{FaultClass, WorkOrderKind, WorkOrderStatus};

/// What the Sync screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncScreen {
    pub title: String,
    /// "正在同步" / "上次同步：今天 14:05" / "尚未同步".
    pub status: String,
    /// Push, photos, pull: each with where it stands.
    pub stages: Vec<SyncStageLine>,
    /// How the last sync ended, in a sentence ("上传 3 项，下载 120 项，照片 2 张").
    pub last_result: Option<String>,
    /// Why the last sync did not finish, in words.
    pub last_failure: Option<String>,
    /// Changes waiting to be sent.
    pub waiting: String,
    /// The work set aside: refused or parked, with what to do.
    pub set_aside: Vec<SetAsideLine>,
    pub set_aside_title: String,
    /// Changes this version cannot read: "update the app".
    pub held_back: Option<String>,
    pub sync_now: Action,
    pub cancel: Action,
}

/// The steps of a sync, as the Sync screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStage {
    Push,
    Photos,
    Pull,
}

/// One step of the sync: its name, where it stands, its progress.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStageLine {
    pub stage: SyncStage,
    pub label: String,
    /// "12 / 40", "进行中", "已完成", "等待".
    pub progress: String,
    pub done: u64,
    pub total: u64,
    pub active: bool,
    pub accessibility: String,
}

/// A piece of work the server refused or parked, in the technician's words.
#[derive(Debug, Clone, PartialEq)]
pub struct SetAsideLine {
    pub what: String,
    pub why: String,
    pub to_do: String,
    pub when: String,
    pub accessibility: String,
}

/// What the user does on the Sync screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SyncEvent {
    Refresh,
    SyncNow,
    /// Stop the sync running now before its next request.
    Cancel,
}

pub fn render(cx: &Cx<'_>, view: &SyncView) -> Result<SyncScreen> {
    let store = cx.read();
    let running = view.running;
    let last_at = view
        .last
        .as_ref()
        .map(|l| l.at)
        .or(store.sync_state()?.last_sync_at);
    let status = match (running, last_at) {
        (Some(_), _) => cx.say("正在同步…", "Syncing…"),
        (None, Some(at)) => {
            let when = format::moment(at, cx.now, cx.lang);
            cx.say(&format!("上次同步：{when}"), &format!("Last sync: {when}"))
        }
        (None, None) => cx.say("尚未同步", "Not synced yet"),
    };
    let stages = [
        (SyncStage::Push, said("上传记录", "Send changes")),
        (SyncStage::Photos, said("上传照片", "Send photos")),
        (SyncStage::Pull, said("下载更新", "Receive updates")),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (stage, label))| {
        let label = cx.t(&label);
        let at = running.map(|p| (order(p.phase), p));
        let (progress, done, total, active) = match at {
            Some((now, p)) if now == i => {
                let text = if p.total > 0 {
                    format!("{} / {}", p.done, p.total)
                } else {
                    cx.say("进行中", "in progress")
                };
                (text, p.done, p.total, true)
            }
            Some((now, _)) if now > i => (cx.say("已完成", "done"), 0, 0, false),
            Some(_) => (cx.say("等待", "waiting"), 0, 0, false),
            None => (String::new(), 0, 0, false),
        };
        let accessibility = if progress.is_empty() {
            label.clone()
        } else {
            cx.say(
                &format!("{label}：{progress}"),
                &format!("{label}: {progress}"),
            )
        };
        SyncStageLine {
            stage,
            label,
            progress,
            done,
            total,
            active,
            accessibility,
        }
    })
    .collect();
    let last_result = view.last.as_ref().and_then(|l| l.report.as_ref()).map(|r| {
        cx.say(
            &format!(
                "上传 {} 项，下载 {} 项，照片 {} 张",
                r.pushed, r.pulled, r.photos_uploaded
            ),
            &format!(
                "{} sent, {} received, {} photos",
                r.pushed, r.pulled, r.photos_uploaded
            ),
        )
    });
    let last_failure = view
        .last
        .as_ref()
        .and_then(|l| l.failure.as_ref())
        .map(|f| cx.t(f));
    let waiting = store.outbox_len()?;
    let set_aside = store
        .rejected_operations()?
        .into_iter()
        .map(|r| {
            let (what, why, to_do) = (cx.t(&r.what), cx.t(&r.why), cx.t(&r.to_do));
            let when = format::moment(r.rejected_at, cx.now, cx.lang);
            let accessibility = cx.say(
                &format!("{what}，{why}，{to_do}"),
                &format!("{what}: {why}; {to_do}"),
            );
            SetAsideLine {
                what,
                why,
                to_do,
                when,
                accessibility,
            }
        })
        .collect();
    let held = store.held_back()?;
    let held_back = (held > 0).then(|| {
        cx.say(
            &format!("有 {held} 项更新须新版本应用才能读取，请更新应用"),
            &format!("{held} updates need a newer version of the app: update the app"),
        )
    });
    let sync_label = said("立即同步", "Sync now");
    let sync_now = if running.is_some() {
        Action::disabled(cx, &sync_label, &said("正在同步", "a sync is running"))
    } else {
        Action::new(cx, &sync_label, true)
    };
    let cancel_label = said("取消同步", "Cancel the sync");
    let cancel = if running.is_some() {
        Action::new(cx, &cancel_label, true)
    } else {
        Action::disabled(
            cx,
            &cancel_label,
            &said("没有正在进行的同步", "no sync is running"),
        )
    };
    Ok(SyncScreen {
        title: cx.say("同步", "Sync"),
        status,
        stages,
        last_result,
        last_failure,
        waiting: waiting_text(cx.lang, waiting),
        set_aside,
        set_aside_title: cx.say("未被接收的记录", "Work not accepted"),
        held_back,
        sync_now,
        cancel,
    })
}

fn order(phase: SyncPhase) -> usize {
    match phase {
        SyncPhase::Push => 0,
        SyncPhase::Photos => 1,
        SyncPhase::Pull => 2,
    }
}

/// "3 项更改待上传" / "3 changes waiting", or that nothing waits.
pub fn waiting_text(lang: Lang, waiting: u64) -> String {
    match (lang, waiting) {
        (Lang::Zh, 0) => "所有更改已上传".into(),
        (Lang::En, 0) => "all changes sent".into(),
        (Lang::Zh, n) => format!("{n} 项更改待上传"),
        (Lang::En, 1) => "1 change waiting".into(),
        (Lang::En, n) => format!("{n} changes waiting"),
    }
}

pub fn handle(_cx: &mut Cx<'_>, view: &mut SyncView, event: SyncEvent) -> Result<Outcome> {
    match event {
        SyncEvent::Refresh => Ok(Outcome::stay()),
        SyncEvent::SyncNow if view.running.is_some() => {
            Ok(Outcome::stay().problem(said("正在同步，请稍候", "a sync is running: please wait")))
        }
        SyncEvent::SyncNow => Ok(Outcome::stay().with_effect(Effect::SyncNow)),
        SyncEvent::Cancel if view.running.is_some() => {
            Ok(Outcome::stay().done(said("正在取消同步", "Cancelling the sync")))
        }
        SyncEvent::Cancel => Ok(Outcome::stay()),
    }
}

/// Why the Enroll screen shows after the store was wiped.
pub fn wiped_message() -> Text {
    said(
        "本设备已被服务中心停用，本机数据已清除。如需继续使用，请重新打开应用，并向服务中心申请新的登记码。",
        "This device was revoked by the service center and its data was wiped. To use it again, \
         reopen the app and ask the service center for a new enrollment code.",
    )
}

/// What follows a sync's end: notifications of new urgent orders, the wipe of a revoked
/// device. The effects for the shell.
///
/// A revoked device is wiped at once: the server refuses every request of a revoked device,
/// pushes included, so nothing left on the phone can reach it any more, and keeping it only
/// keeps households' data on a lost phone.
pub fn after(done: &mut SyncAfter<'_>) -> AppResult<Vec<Effect>> {
    if let Err(Error::Auth {
        kind: ErrorKind::Revoked,
        ..
    }) = done.result
    {
        return done.app.wipe(done.state);
    }
    if done.result.is_err() {
        return Ok(Vec::new());
    }
    let reader = done.app.reader.lock().unwrap_or_else(|p| p.into_inner());
    let urgent = new_urgent_orders(&reader, done.at, &done.state.notified)?;
    let lang = done.state.lang;
    let mut effects = Vec::new();
    for order in urgent {
        done.state.notified.push(order.id);
        effects.push(notification(&order, done.at, lang));
    }
    Ok(effects)
}

/// An urgent order: a fault or a special-group service, with a clock of hours or minutes.
fn is_urgent(kind: WorkOrderKind) -> bool {
    matches!(
        kind,
        WorkOrderKind::PipelineFault
            | WorkOrderKind::UserEquipmentFault
            | WorkOrderKind::SpecialGroupService
    )
}

/// The urgent orders on the technician's list, not accepted yet, not notified yet.
fn new_urgent_orders(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
    notified: &[crate::ids::WorkOrderId],
) -> Result<Vec<crate::workorder::WorkOrder>> {
    let Some(technician) = store.sync_state()?.technician_id else {
        return Ok(Vec::new());
    };
    let options = WorkListOptions {
        max_inspections: 0,
        ..WorkListOptions::default()
    };
    // The list's own records: no second read per order.
    let mut day = store.work_day(technician, now, None, &options)?;
    let mut found = Vec::new();
    for item in &day.items {
        let Task::Order {
            work_order_id,
            kind,
            status,
        } = item.task
        else {
            continue;
        };
        let waiting = matches!(status, WorkOrderStatus::New | WorkOrderStatus::Dispatched);
        if is_urgent(kind)
            && waiting
            && !notified.contains(&work_order_id)
            && let Some(order) = day.orders.remove(&work_order_id)
        {
            found.push(order);
        }
    }
    Ok(found)
}

/// The notification of an urgent order: its kind, its next deadline; no person's data.
fn notification(
    order: &crate::workorder::WorkOrder,
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
) -> Effect {
    let kind = order.kind.label();
    let major = order.class == Some(FaultClass::Major);
    let title = match (lang, major) {
        (Lang::Zh, true) => format!("紧急工单：{}（重大）", kind.zh),
        (Lang::Zh, false) => format!("紧急工单：{}", kind.zh),
        (Lang::En, true) => format!("Urgent order: {} (major)", kind.en),
        (Lang::En, false) => format!("Urgent order: {}", kind.en),
    };
    let body = match next_deadline(order) {
        Some(d) => {
            let when = format::moment(d.due_at, now, lang);
            let left = format::remaining(d.due_at - now, lang);
            let what = super::today::milestone_label(d.milestone);
            match lang {
                Lang::Zh => format!("{} {}须在 {when} 前完成，{left}", order.number, what.zh),
                Lang::En => format!("{}: {} by {when}, {left}", order.number, what.en),
            }
        }
        None => order.number.clone(),
    };
    Effect::Notify {
        id: order.id.to_string(),
        title,
        body,
        link: crate::app::Link::Order(order.id).to_link(),
        urgent: true,
    }
}
