//! Outage screen: a planned outage notice and its households, with the notifications posted at
//! each building (Art.7(2): the users are told before gas stops).
//!
//! The households the notice affects are grouped by building (the address without the room:
//! a notice posted at the door of a building's entrance tells all its households at once). A
//! building counts as notified once every one of its households was told, by any means and by
//! anyone (the office's calls and texts count too). Recording a notice posted at a building
//! tells its households not told yet (`Store::record_outage_notices`, queued for the server).
//!
//! A photo of the posted notice is not kept: a notification has no photo in the store or the
//! protocol (`outage::Notification`); the screen offers no camera.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::parts::{Countdown, countdown};
use super::{Action, Answer, Cx, Outcome};
use crate::app::format;
use crate::error::Result;
use crate::household::{Address, Household};
use crate::ids::{HouseholdId, OutageId};
use crate::outage::{NotifiedHow, Notifier, OutageArea, OutageNotice, OutageReason};
use crate::text::{Text, said};

/// What the Outage screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageScreen {
    /// The screen's title: "停气通知" / "Outage notice".
    pub title: String,
    /// The notice's own title, as the office wrote it.
    pub notice_title: String,
    /// Why gas stops, in words: "管网检测" / "pipeline inspection".
    pub reason: String,
    /// When gas stops and is expected back: "12-09 09:00" (Beijing time).
    pub from: String,
    pub until: String,
    /// "停气时间：12-09 09:00 至 17:00" / "gas off: 12-09 09:00 to 17:00".
    pub period: String,
    /// The districts the notice covers (or, for an area drawn on the map, the districts of the
    /// households it affects on this phone).
    pub districts: Vec<String>,
    /// An emergency announced with less than its lead time: why, in the office's words.
    pub emergency: Option<String>,
    /// Until when every household must have been told (the notice's deadline).
    pub deadline: Option<Countdown>,
    /// "已通知 12/40 栋" / "12 of 40 buildings told".
    pub progress: String,
    /// "已通知 30/120 户" / "30 of 120 households told".
    pub households_progress: String,
    pub buildings_notified: u32,
    pub buildings_total: u32,
    /// The buildings, the ones still to be told first, then by address.
    pub buildings: Vec<OutageBuilding>,
    /// Shown when there is nothing to list ("本机没有受影响的用户").
    pub empty: Option<String>,
    pub accessibility: String,
}

/// One building (the address without the room) and its households.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageBuilding {
    /// What the events name the building by (`NoticePosted { building }`).
    pub key: String,
    /// "西湖区文三路1栋2单元" / the address without the room.
    pub address: String,
    pub households: Vec<OutageHousehold>,
    /// Every household of the building was told.
    pub notified: bool,
    /// "已通知 3/5 户" / "3 of 5 told".
    pub status: String,
    /// "已张贴公告" / "Notice posted": records a notice posted here; disabled once all are told.
    pub post_notice: Action,
    pub accessibility: String,
}

/// One household of a building.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageHousehold {
    pub household_id: String,
    /// The room ("302室"), or the whole address when it has none.
    pub room: String,
    pub name: String,
    pub notified: bool,
    /// How and when it was first told: "已通知：张贴公告 今天 14:05" / "told: notice posted today
    /// 14:05"; or "未通知" / "not told".
    pub status: String,
    pub accessibility: String,
}

/// What the user does on the Outage screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutageEvent {
    /// Read the notice again (after a sync).
    Refresh,
    /// The technician posted the notice at this building (`OutageBuilding::key`): its households
    /// not told yet are recorded as told, now, by a notice posted.
    NoticePosted { building: String },
}

/// The input typed on the Outage screen and not saved in the store yet; kept on the back stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutageInput {
    pub id: Option<OutageId>,
}

impl OutageInput {
    pub fn of(id: OutageId) -> Self {
        Self { id: Some(id) }
    }
}

/// What an effect asked from the Outage screen is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutagePurpose {
    Nothing,
}

/// Why gas stops, in words.
pub fn reason_words(reason: OutageReason) -> Text {
    match reason {
        OutageReason::PipelineInspection => said("管网检测", "pipeline inspection"),
        OutageReason::Repair => said("管网维修", "repair"),
        OutageReason::Construction => said("施工", "construction works"),
        OutageReason::Upgrade => said("管网改造", "network upgrade"),
    }
}

/// How a household was told, in words.
pub fn how_words(how: NotifiedHow) -> Text {
    match how {
        NotifiedHow::Phone => said("电话", "phone call"),
        NotifiedHow::Sms => said("短信", "text message"),
        NotifiedHow::NoticePosted => said("张贴公告", "notice posted"),
        NotifiedHow::Visit => said("上门", "visit"),
    }
}

/// The address of a building: the address without its room.
fn building_of(address: &Address) -> String {
    Address {
        room: String::new(),
        ..address.clone()
    }
    .one_line()
}

/// The room of an address as written on an envelope ("302室"), empty when it has none.
fn room_of(address: &Address) -> String {
    match address.room.as_str() {
        "" => String::new(),
        room if room.ends_with('室') => room.to_owned(),
        room => format!("{room}室"),
    }
}

/// The affected households of `notice` on this phone, by building address.
fn buildings(cx: &Cx<'_>, notice: &OutageNotice) -> Result<BTreeMap<String, Vec<Household>>> {
    let mut by_building: BTreeMap<String, Vec<Household>> = BTreeMap::new();
    for summary in cx.read().outage_households(notice.id)? {
        let household = cx.read().household(summary.id)?;
        by_building
            .entry(building_of(&household.address))
            .or_default()
            .push(household);
    }
    for households in by_building.values_mut() {
        households.sort_by(|a, b| {
            (
                a.address.unit.as_str(),
                a.address.room.as_str(),
                &a.customer_number,
            )
                .cmp(&(
                    b.address.unit.as_str(),
                    b.address.room.as_str(),
                    &b.customer_number,
                ))
        });
    }
    Ok(by_building)
}

fn district_names(cx: &Cx<'_>, notice: &OutageNotice, households: &[&Household]) -> Vec<String> {
    let ids: Vec<_> = match &notice.area {
        OutageArea::Districts(ids) => ids.clone(),
        OutageArea::Polygon(_) => {
            let mut ids: Vec<_> = households.iter().filter_map(|h| h.district_id).collect();
            ids.sort();
            ids.dedup();
            ids
        }
    };
    ids.into_iter()
        .map(|id| match cx.read().district(id) {
            Ok(d) => d.name,
            Err(_) => cx.say("（本机未存此片区）", "(a district not on this phone)"),
        })
        .collect()
}

fn no_notice(cx: &Cx<'_>, why: &Text) -> OutageScreen {
    let title = cx.say("停气通知", "Outage notice");
    OutageScreen {
        accessibility: format!("{title}：{}", cx.t(why)),
        title,
        notice_title: String::new(),
        reason: String::new(),
        from: String::new(),
        until: String::new(),
        period: String::new(),
        districts: Vec::new(),
        emergency: None,
        deadline: None,
        progress: String::new(),
        households_progress: String::new(),
        buildings_notified: 0,
        buildings_total: 0,
        buildings: Vec::new(),
        empty: Some(cx.t(why)),
    }
}

pub fn render(cx: &Cx<'_>, input: &OutageInput) -> Result<OutageScreen> {
    let Some(id) = input.id else {
        return Ok(no_notice(
            cx,
            &said("没有选择停气通知", "no outage notice chosen"),
        ));
    };
    let notice = match cx.read().outage(id) {
        Ok(notice) => notice,
        Err(crate::error::Error::NotFound { .. }) => {
            return Ok(no_notice(
                cx,
                &said(
                    "本机没有这份停气通知（请同步）",
                    "this outage notice is not on this phone (sync)",
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    let by_building = buildings(cx, &notice)?;
    // The first notification of each household (they are sorted by time).
    let mut first = BTreeMap::new();
    for n in &notice.notifications {
        first.entry(n.household_id).or_insert(n);
    }
    let lang = cx.lang;
    let mut buildings = Vec::new();
    let (mut households_told, mut households_total) = (0u32, 0u32);
    for (address, households) in &by_building {
        let mut rows = Vec::new();
        for h in households {
            let told = first.get(&h.id);
            let status = match told {
                Some(n) => {
                    let how = cx.t(&how_words(n.how));
                    let when = format::moment(n.at, cx.now, lang);
                    let by = match &n.by {
                        Notifier::Office { .. } => cx.say("（营业厅）", " (office)"),
                        Notifier::Technician { .. } => String::new(),
                    };
                    cx.say(
                        &format!("已通知：{how} {when}{by}"),
                        &format!("told: {how} {when}{by}"),
                    )
                }
                None => cx.say("未通知", "not told"),
            };
            let room = match room_of(&h.address) {
                r if r.is_empty() => h.address.one_line(),
                r => r,
            };
            rows.push(OutageHousehold {
                household_id: h.id.to_string(),
                accessibility: cx.say(
                    &format!("{room}，{}，{status}", h.name),
                    &format!("{room}, {}, {status}", h.name),
                ),
                room,
                name: h.name.clone(),
                notified: told.is_some(),
                status,
            });
        }
        let told = rows.iter().filter(|r| r.notified).count() as u32;
        let total = rows.len() as u32;
        households_told += told;
        households_total += total;
        let notified = told == total;
        let status = cx.say(
            &format!("已通知 {told}/{total} 户"),
            &format!("{told} of {total} told"),
        );
        let post = said("已张贴公告", "Notice posted");
        let mut post_notice = if notified {
            Action::disabled(
                cx,
                &post,
                &said("本栋各户均已通知", "every household here was told"),
            )
        } else {
            Action::new(cx, &post, true)
        };
        if !notified {
            post_notice.accessibility = cx.say(
                &format!("在{address}已张贴公告"),
                &format!("Notice posted at {address}"),
            );
        }
        buildings.push(OutageBuilding {
            key: address.clone(),
            accessibility: cx.say(
                &format!("{address}，{status}"),
                &format!("{address}, {status}"),
            ),
            address: address.clone(),
            households: rows,
            notified,
            status,
            post_notice,
        });
    }
    // Still to be told first; by address within each.
    buildings.sort_by(|a, b| (a.notified, &a.address).cmp(&(b.notified, &b.address)));
    let buildings_total = buildings.len() as u32;
    let buildings_notified = buildings.iter().filter(|b| b.notified).count() as u32;
    let progress = cx.say(
        &format!("已通知 {buildings_notified}/{buildings_total} 栋"),
        &format!("{buildings_notified} of {buildings_total} buildings told"),
    );
    let households_progress = cx.say(
        &format!("已通知 {households_told}/{households_total} 户"),
        &format!("{households_told} of {households_total} households told"),
    );
    let all: Vec<&Household> = by_building.values().flatten().collect();
    let districts = district_names(cx, &notice, &all);
    let from = format::moment(notice.starts_at, cx.now, lang);
    let until = format::moment(notice.ends_at, cx.now, lang);
    let period = cx.say(
        &format!("停气时间：{from} 至 {until}"),
        &format!("gas off: {from} to {until}"),
    );
    let deadline = countdown(
        cx,
        &said("通知到户", "every household told"),
        notice.created_at,
        notice.notice_deadline(),
        (households_told == households_total && households_total > 0)
            .then(|| notice.notifications.iter().map(|n| n.at).max())
            .flatten(),
    );
    let reason = cx.t(&reason_words(notice.reason));
    let title = cx.say("停气通知", "Outage notice");
    let accessibility = cx.say(
        &format!("{title}：{}，{reason}，{period}，{progress}", notice.title),
        &format!("{title}: {}, {reason}, {period}, {progress}", notice.title),
    );
    let empty = buildings.is_empty().then(|| {
        cx.say(
            "本机没有受此次停气影响的用户",
            "no household on this phone is affected",
        )
    });
    Ok(OutageScreen {
        title,
        notice_title: notice.title.clone(),
        reason,
        from,
        until,
        period,
        districts,
        emergency: notice.emergency.clone(),
        deadline: Some(deadline),
        progress,
        households_progress,
        buildings_notified,
        buildings_total,
        buildings,
        empty,
        accessibility,
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut OutageInput, event: OutageEvent) -> Result<Outcome> {
    match event {
        OutageEvent::Refresh => Ok(Outcome::stay()),
        OutageEvent::NoticePosted { building } => {
            let Some(id) = input.id else {
                return Err(crate::InvalidInput::new(
                    "outage",
                    said("没有选择停气通知", "no outage notice chosen"),
                )
                .into());
            };
            let notice = cx.read().outage(id)?;
            let by_building = buildings(cx, &notice)?;
            let Some(households) = by_building.get(&building) else {
                return Err(crate::InvalidInput::new(
                    "building",
                    said(
                        "这栋楼不在本次停气范围内",
                        "this building is not among the outage's",
                    ),
                )
                .into());
            };
            let told: Vec<HouseholdId> = households
                .iter()
                .map(|h| h.id)
                .filter(|id| !notice.notifications.iter().any(|n| n.household_id == *id))
                .collect();
            if told.is_empty() {
                return Ok(Outcome::stay().problem(said(
                    "本栋各户均已通知",
                    "every household here was already told",
                )));
            }
            let now = cx.now;
            let recorded = cx.write(|store| {
                store.record_outage_notices(id, &told, NotifiedHow::NoticePosted, now)
            })?;
            let n = recorded.len();
            Ok(Outcome::stay().done(said(
                format!("已记录张贴公告：{n} 户已通知"),
                format!("notice posted: {n} households told"),
            )))
        }
    }
}

/// The answer to an effect this screen asked for (it asks none).
pub fn answer(
    cx: &mut Cx<'_>,
    input: &mut OutageInput,
    purpose: OutagePurpose,
    answer: Answer,
) -> Result<Outcome> {
    let _ = (cx, input, purpose, answer);
    Ok(Outcome::stay())
}
