//! Today screen: the technician, the date, where the sync stands, a banner where a planned
//! outage touches the list, and the day's lines in the core's order (`Store::work_day`), each
//! with its reason, badges, countdown and walking distance; filters with counts; pull to sync.
//!
//! The lines' records come with the list (`WorkDay`: each order and household read once): a
//! day of 500 lines is a handful of queries. The phone's position is kept in the input and
//! asked again (a `Locate` effect) when the app comes back and it is older than
//! [`POSITION_FRESH_MINUTES`].

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::parts::{Badge, BadgeKind, Countdown, countdown};
use super::{Action, Answer, Cx, Outcome, Purpose};
use crate::app::route::Route;
use crate::app::{Effect, SyncView, format};
use crate::error::Result;
use crate::geo::GeoPoint;
use crate::household::{Household, ShutOffReason, SupplyStatus};
use crate::ids::{HouseholdId, OutageId};
use crate::schedule::worklist::{Task, WorkItem, WorkListOptions};
use crate::text::{Lang, Text, said};
use crate::workorder::deadline::{Milestone, next_deadline};
use crate::workorder::{FaultClass, WorkOrder};

/// A position older than this is asked again when the app comes back or the list is pulled.
pub const POSITION_FRESH_MINUTES: i64 = 5;

/// What the Today screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayScreen {
    pub title: String,
    /// "王师傅 · 工号 T0427".
    pub technician: String,
    /// "12月7日 周一".
    pub date: String,
    pub sync: TodaySync,
    /// Planned outages that touch households on the list.
    pub outages: Vec<OutageBanner>,
    pub filters: Vec<FilterChip>,
    /// The day's lines in the order to do them, as the filter leaves them.
    pub lines: Vec<TodayLine>,
    /// What an empty list means ("今天没有待办工作").
    pub empty: Option<String>,
    /// The words of the pull-to-sync gesture.
    pub pull_to_sync: String,
    pub search: Action,
    pub sync_button: Action,
    pub settings: Action,
    pub fees: Action,
}

/// Where the sync stands, as Today's header shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TodaySync {
    /// "上次同步：今天 14:05", "正在同步…", "尚未同步".
    pub last_sync: String,
    /// "3 项更改待上传".
    pub waiting: String,
    pub waiting_count: u64,
    /// "1 项未被接收" when the server refused work.
    pub refused: Option<String>,
    pub refused_count: u64,
    /// "2 张照片待上传".
    pub photos: Option<String>,
    pub running: bool,
    /// Why the last sync failed.
    pub failure: Option<String>,
    pub accessibility: String,
}

/// A planned outage touching the list: tapping opens it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageBanner {
    pub outage_id: String,
    pub text: String,
    pub accessibility: String,
}

/// Which lines the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TodayFilter {
    #[default]
    All,
    Orders,
    Inspections,
}

/// A filter button, with how many lines it keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterChip {
    pub filter: TodayFilter,
    pub label: String,
    pub count: u32,
    pub selected: bool,
    pub accessibility: String,
}

/// One line of the day's work. Tapping it opens the order (`order_id`) or, for an
/// inspection, the household.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayLine {
    /// The walking order: 1 for the first thing to do.
    pub position: u32,
    pub order_id: Option<String>,
    pub household_id: Option<String>,
    /// "管网故障 · GD-2026-001", "入户安检 · 张桂英".
    pub title: String,
    pub address: String,
    /// Why it is on the list, in words.
    pub reason: String,
    pub badges: Vec<Badge>,
    pub countdown: Option<Countdown>,
    /// From the phone's last known position: "350 米".
    pub distance: Option<String>,
    pub accessibility: String,
}

/// What the user does on the Today screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TodayEvent {
    Refresh,
    SetFilter {
        filter: TodayFilter,
    },
    /// The list pulled down: sync now (and find where the phone is, if not known lately).
    PullToSync,
    OpenOrder {
        id: String,
    },
    OpenHousehold {
        id: String,
    },
    OpenOutage {
        id: String,
    },
    OpenSearch,
    OpenSync,
    OpenSettings,
    OpenFees,
}

/// The phone's position when last asked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnownPosition {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    pub at: DateTime<Utc>,
}

/// The input typed on the Today screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TodayInput {
    pub filter: TodayFilter,
    pub position: Option<KnownPosition>,
}

/// What an effect asked from the Today screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TodayPurpose {
    Nothing,
    Locate,
}

pub fn render(cx: &Cx<'_>, input: &TodayInput, sync: &SyncView) -> Result<TodayScreen> {
    let store = cx.read();
    let state = store.sync_state()?;
    let Some(technician_id) = state.technician_id else {
        return Err(crate::error::Error::NotEnrolled);
    };
    let technician = store.technician(technician_id)?;
    let start = input
        .position
        .and_then(|p| GeoPoint::new(p.lat, p.lon).ok());
    let day = store.work_day(technician_id, cx.now, start, &WorkListOptions::default())?;
    let (items, orders, households) = (&day.items, &day.orders, &day.households);

    let outages = store.outages_not_over(cx.now)?;
    let mut touched: HashSet<HouseholdId> = HashSet::new();
    let mut banners = Vec::new();
    for notice in &outages {
        let hit: Vec<&Household> = households.values().filter(|h| notice.affects(h)).collect();
        if hit.is_empty() {
            continue;
        }
        touched.extend(hit.iter().map(|h| h.id));
        let (from, to) = (
            format::moment(notice.starts_at, cx.now, cx.lang),
            format::moment(notice.ends_at, cx.now, cx.lang),
        );
        let n = hit.len();
        let text = cx.say(
            &format!(
                "计划停气：{}，{from} 至 {to}，影响今日 {n} 户",
                notice.title
            ),
            &format!(
                "Planned outage: {}, {from} to {to}, {n} {} on today's list",
                notice.title,
                if n == 1 { "household" } else { "households" }
            ),
        );
        banners.push(OutageBanner {
            outage_id: notice.id.to_string(),
            accessibility: text.clone(),
            text,
        });
    }

    let (mut n_orders, mut n_inspections) = (0u32, 0u32);
    let mut lines = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let is_order = matches!(item.task, Task::Order { .. });
        if is_order {
            n_orders += 1;
        } else {
            n_inspections += 1;
        }
        let shown = match input.filter {
            TodayFilter::All => true,
            TodayFilter::Orders => is_order,
            TodayFilter::Inspections => !is_order,
        };
        if shown {
            let household = item.household_id.and_then(|id| households.get(&id));
            let order = match item.task {
                Task::Order { work_order_id, .. } => orders.get(&work_order_id),
                Task::Inspection { .. } => None,
            };
            let outage = item.household_id.is_some_and(|id| touched.contains(&id));
            lines.push(line(
                cx,
                i as u32 + 1,
                item,
                order,
                household,
                outage,
                start,
            ));
        }
    }

    let chip = |filter: TodayFilter, label: Text, count: u32| {
        let label = cx.t(&label);
        FilterChip {
            filter,
            accessibility: cx.say(
                &format!("{label}，{count} 项"),
                &format!("{label}, {count} items"),
            ),
            label,
            count,
            selected: input.filter == filter,
        }
    };
    let filters = vec![
        chip(
            TodayFilter::All,
            said("全部", "All"),
            n_orders + n_inspections,
        ),
        chip(TodayFilter::Orders, said("工单", "Orders"), n_orders),
        chip(
            TodayFilter::Inspections,
            said("安检", "Inspections"),
            n_inspections,
        ),
    ];
    let empty = lines.is_empty().then(|| match input.filter {
        TodayFilter::All => cx.say("今天没有待办工作", "Nothing to do today"),
        TodayFilter::Orders => cx.say("没有待办工单", "No open orders"),
        TodayFilter::Inspections => cx.say("没有到期的安检", "No inspections due"),
    });

    Ok(TodayScreen {
        title: cx.say("今日工作", "Today"),
        technician: cx.say(
            &format!("{} · 工号 {}", technician.name, technician.badge),
            &format!("{} · badge {}", technician.name, technician.badge),
        ),
        date: format::day(cx.now, cx.lang),
        sync: sync_header(cx, sync, state.last_sync_at)?,
        outages: banners,
        filters,
        lines,
        empty,
        pull_to_sync: cx.say("下拉同步", "Pull to sync"),
        search: Action::new(cx, &said("搜索用户", "Search households"), true),
        sync_button: Action::new(cx, &said("同步", "Sync"), true),
        settings: Action::new(cx, &said("设置", "Settings"), true),
        fees: Action::new(cx, &said("今日收费", "Today's fees"), true),
    })
}

fn sync_header(
    cx: &Cx<'_>,
    sync: &SyncView,
    last_sync_at: Option<DateTime<Utc>>,
) -> Result<TodaySync> {
    let store = cx.read();
    let running = sync.running.is_some();
    let last_at = sync.last.as_ref().map(|l| l.at).or(last_sync_at);
    let last_sync = match (running, last_at) {
        (true, _) => cx.say("正在同步…", "Syncing…"),
        (false, Some(at)) => {
            let when = format::moment(at, cx.now, cx.lang);
            cx.say(&format!("上次同步：{when}"), &format!("Last sync: {when}"))
        }
        (false, None) => cx.say("尚未同步", "Not synced yet"),
    };
    let waiting_count = store.outbox_len()?;
    let refused_count = store.rejected_operations()?.len() as u64;
    let photo_count = store.photos_to_upload()?.len() as u64;
    let refused = (refused_count > 0).then(|| {
        cx.say(
            &format!("{refused_count} 项未被接收"),
            &format!("{refused_count} not accepted"),
        )
    });
    let photos = (photo_count > 0).then(|| {
        cx.say(
            &format!("{photo_count} 张照片待上传"),
            &format!(
                "{photo_count} {} to upload",
                if photo_count == 1 { "photo" } else { "photos" }
            ),
        )
    });
    let failure = sync
        .last
        .as_ref()
        .and_then(|l| l.failure.as_ref())
        .map(|f| cx.t(f));
    let waiting = super::sync::waiting_text(cx.lang, waiting_count);
    let parts: Vec<&str> = [
        Some(&last_sync),
        Some(&waiting),
        refused.as_ref(),
        photos.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .chain(failure.as_deref())
    .collect();
    let accessibility = parts.join(if cx.lang == Lang::Zh { "，" } else { ", " });
    Ok(TodaySync {
        last_sync,
        waiting,
        waiting_count,
        refused,
        refused_count,
        photos,
        running,
        failure,
        accessibility,
    })
}

fn line(
    cx: &Cx<'_>,
    position: u32,
    item: &WorkItem,
    order: Option<&WorkOrder>,
    household: Option<&Household>,
    outage: bool,
    start: Option<GeoPoint>,
) -> TodayLine {
    let title = match (order, household) {
        (Some(o), _) => format!("{} · {}", cx.t(&o.kind.label()), o.number),
        (None, Some(h)) => format!("{} · {}", cx.say("入户安检", "Inspection"), h.name),
        (None, None) => cx.say("入户安检", "Inspection"),
    };
    let address = match (household, order) {
        (Some(h), _) => h.address.one_line(),
        (None, Some(o)) if !o.description.is_empty() => o.description.clone(),
        _ => cx.say("（无门牌地址）", "(no street address)"),
    };
    let reason = item.reason.describe(cx.lang == Lang::Zh);
    let mut badges = Vec::new();
    let mut badge = |kind: BadgeKind, text: Text| {
        badges.push(Badge {
            kind,
            label: cx.t(&text),
        })
    };
    if order.is_some_and(|o| o.class == Some(FaultClass::Major)) {
        badge(BadgeKind::Major, said("重大", "Major"));
    }
    if item.special_group {
        badge(BadgeKind::SpecialGroup, said("特殊群体", "Special group"));
    }
    if let Some(SupplyStatus::ShutOff { reason, .. }) = household.map(|h| &h.supply) {
        if *reason == ShutOffReason::Hazard {
            badge(BadgeKind::Hazard, said("隐患", "Hazard"));
        } else {
            badge(BadgeKind::ShutOff, said("已停气", "Gas off"));
        }
    }
    if order.is_some_and(|o| o.appointment.is_some()) {
        badge(BadgeKind::Appointment, said("预约", "Appointment"));
    }
    if order.is_some_and(|o| {
        matches!(o.follows, Some(crate::workorder::FollowUp::Complaint(_)))
            || o.kind == crate::workorder::WorkOrderKind::ComplaintFollowUp
    }) {
        badge(BadgeKind::Complaint, said("投诉", "Complaint"));
    }
    if outage {
        badge(BadgeKind::Outage, said("计划停气", "Planned outage"));
    }
    let countdown = order.and_then(|o| {
        let next = next_deadline(o)?;
        let from = match next.milestone {
            Milestone::EmergencyOnSite | Milestone::LeadershipReport => {
                o.major_since().unwrap_or(o.reported_at)
            }
            _ => o.reported_at,
        };
        Some(countdown(
            cx,
            &milestone_label(next.milestone),
            from,
            next.due_at,
            None,
        ))
    });
    let distance = match (start, item.location) {
        (Some(from), Some(to)) => Some(format::distance(from.distance_m(&to), cx.lang)),
        _ => None,
    };
    let mut said_parts = vec![
        format!("{position}"),
        title.clone(),
        address.clone(),
        reason.clone(),
    ];
    said_parts.extend(badges.iter().map(|b| b.label.clone()));
    if let Some(c) = &countdown {
        said_parts.push(c.accessibility.clone());
    }
    if let Some(d) = &distance {
        said_parts.push(d.clone());
    }
    let accessibility = said_parts.join(if cx.lang == Lang::Zh { "，" } else { ", " });
    TodayLine {
        position,
        order_id: order.map(|o| o.id.to_string()),
        household_id: item.household_id.map(|h| h.to_string()),
        title,
        address,
        reason,
        badges,
        countdown,
        distance,
        accessibility,
    }
}

/// What a deadline asks for, as a countdown's label says it.
pub fn milestone_label(m: Milestone) -> Text {
    let (zh, en) = match m {
        Milestone::Handle => ("到场处理", "handled on site"),
        Milestone::Repair => ("修复", "repaired"),
        Milestone::EmergencyOnSite => ("抢险到场", "emergency crew on site"),
        Milestone::LeadershipReport => ("上报领导", "reported to the leadership"),
        Milestone::EquipmentOnSite => ("到场", "on site"),
        Milestone::SpecialGroupVisit => ("上门服务", "home visit"),
        Milestone::ComplaintInvestigation => ("开始调查", "investigation started"),
        Milestone::ComplaintAnswer => ("首次答复", "first answer"),
        Milestone::ReturnVisit => ("回访", "return visit"),
    };
    said(zh, en)
}

pub fn handle(cx: &mut Cx<'_>, input: &mut TodayInput, event: TodayEvent) -> Result<Outcome> {
    Ok(match event {
        TodayEvent::Refresh => Outcome::stay(),
        TodayEvent::SetFilter { filter } => {
            input.filter = filter;
            Outcome::stay()
        }
        TodayEvent::PullToSync => {
            let mut outcome = Outcome::stay().with_effect(Effect::SyncNow);
            outcome.effects.extend(locate_if_stale(cx, input));
            outcome
        }
        TodayEvent::OpenOrder { id } => Outcome::go(Route::WorkOrder {
            id: parse_id("order_id", &id)?,
        }),
        TodayEvent::OpenHousehold { id } => Outcome::go(Route::Household {
            id: parse_id("household_id", &id)?,
        }),
        TodayEvent::OpenOutage { id } => {
            let id: OutageId = parse_id("outage_id", &id)?;
            Outcome::go(Route::Outage(super::outage::OutageInput::of(id)))
        }
        TodayEvent::OpenSearch => Outcome::go(Route::Search(Default::default())),
        TodayEvent::OpenSync => Outcome::go(Route::Sync),
        TodayEvent::OpenSettings => Outcome::go(Route::Settings),
        TodayEvent::OpenFees => Outcome::go(Route::Fees(Default::default())),
    })
}

/// The app came back to the foreground on Today: where is the phone, if not known lately.
pub fn resumed(cx: &mut Cx<'_>, input: &mut TodayInput) -> Vec<Effect> {
    locate_if_stale(cx, input)
}

fn locate_if_stale(cx: &mut Cx<'_>, input: &TodayInput) -> Vec<Effect> {
    let fresh = input
        .position
        .is_some_and(|p| cx.now - p.at < Duration::minutes(POSITION_FRESH_MINUTES));
    if fresh {
        return Vec::new();
    }
    let request = cx.ask(Purpose::Today(TodayPurpose::Locate), None);
    vec![Effect::Locate {
        request,
        accuracy_m: 100,
        timeout_s: 10,
    }]
}

fn parse_id<T: std::str::FromStr>(field: &str, text: &str) -> Result<T> {
    text.parse().map_err(|_| {
        crate::InvalidInput::new(field, said("不是有效的编号", "not a valid id")).into()
    })
}

/// The answer to an effect this screen asked for.
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut TodayInput,
    purpose: TodayPurpose,
    answer: Answer,
) -> Result<Outcome> {
    match (purpose, answer) {
        (
            TodayPurpose::Locate,
            Answer::Located {
                lat,
                lon,
                accuracy_m,
            },
        ) => {
            // A position that is not one (NaN, out of range) is refused, the old one kept.
            GeoPoint::new(lat, lon)?;
            input.position = Some(KnownPosition {
                lat,
                lon,
                accuracy_m,
                at: cx.now,
            });
            Ok(Outcome::stay())
        }
        // No position: the list keeps its order without distances.
        _ => Ok(Outcome::stay()),
    }
}
