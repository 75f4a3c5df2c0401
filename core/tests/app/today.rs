//! The Today screen: the technician's day in order, with its countdowns, badges, filters,
//! outage banner and sync state, in Chinese and English.

use chrono::{DateTime, Duration, Utc};
use doorstep_core::app::screens::parts::BadgeKind;
use doorstep_core::app::screens::today::{TodayEvent, TodayFilter};
use doorstep_core::app::{Effect, Event, Level, Route};
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::Household;
use doorstep_core::ids::{DistrictId, OutageId};
use doorstep_core::outage::{OutageArea, OutageNotice, OutageReason};
use doorstep_core::store::Store;
use doorstep_core::team::District;
use doorstep_core::text::Lang;
use doorstep_core::workorder::{FaultClass, WorkOrder, WorkOrderKind, WorkOrderSource};

use super::Phone;
use crate::common::{at, household, in_district};
use crate::on_screen;

/// 09:00 in Beijing on Monday 7 December 2026.
pub fn morning() -> DateTime<Utc> {
    at(2026, 12, 7, 1, 0)
}

/// What a day's seed put on the phone.
pub struct Day {
    pub leak: WorkOrder,
    pub due: Household,
    pub ordered: Household,
}

/// The technician's district, a household with a major leak reported ten minutes ago, and
/// a household whose inspection is overdue; the technician put in the district.
pub fn seed_day(store: &mut Store, now: DateTime<Utc>) -> Day {
    let district = DistrictId::new();
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    store
        .receive_districts(&[District {
            id: district,
            name: "第1片区".into(),
            boundary: Area::new(vec![
                p(30.26, 120.14),
                p(30.26, 120.16),
                p(30.28, 120.16),
                p(30.28, 120.14),
            ])
            .unwrap(),
            policy: Default::default(),
        }])
        .unwrap();
    let me = store.sync_state().unwrap().technician_id.unwrap();
    let mut technician = store.technician(me).unwrap();
    technician.district_id = Some(district);
    store.receive_technicians(&[technician]).unwrap();

    let ordered = in_district(
        household(
            "3300000001",
            "张桂英",
            "13800138000",
            "文三路",
            30.270,
            120.150,
        ),
        district,
    );
    let mut due = in_district(
        household(
            "3300000002",
            "李文华",
            "13800138001",
            "学院路",
            30.271,
            120.151,
        ),
        district,
    );
    due.last_inspection_at = Some(now - Duration::days(800));
    store
        .receive_households(&[ordered.clone(), due.clone()])
        .unwrap();
    let mut leak = WorkOrder::open(
        "GD-2026-001",
        WorkOrderKind::PipelineFault,
        WorkOrderSource::Phone,
        Some(ordered.id),
        "楼道燃气泄漏",
        now - Duration::minutes(10),
    );
    leak.assignee = Some(me);
    leak.class = Some(FaultClass::Major);
    store.receive_work_orders(&[leak.clone()]).unwrap();
    Day {
        leak: store.work_order(leak.id).unwrap(),
        due,
        ordered,
    }
}

fn day_phone() -> (Phone, Day) {
    let mut day = None;
    let phone = Phone::enrolled(morning(), |store| day = Some(seed_day(store, morning())));
    (phone, day.unwrap())
}

#[test]
fn the_day_opens_with_the_technician_the_date_and_the_major_leak_first_in_chinese_and_english() {
    let (phone, day) = day_phone();
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(today.title, "今日工作");
    assert_eq!(today.technician, "王师傅 · 工号 T0427");
    assert_eq!(today.date, "12月7日 周一");
    assert_eq!(today.sync.last_sync, "尚未同步");
    assert_eq!(today.lines.len(), 2, "{:?}", today.lines);
    let first = &today.lines[0];
    assert_eq!(first.position, 1);
    assert_eq!(first.title, "管网故障 · GD-2026-001");
    assert_eq!(first.order_id, Some(day.leak.id.to_string()));
    assert!(first.address.contains("文三路"), "{}", first.address);
    assert!(first.reason.starts_with("紧急故障"), "{}", first.reason);
    assert!(
        first
            .badges
            .iter()
            .any(|b| b.kind == BadgeKind::Major && b.label == "重大")
    );
    let countdown = first
        .countdown
        .as_ref()
        .expect("a major leak has its clock");
    assert_eq!(countdown.label, "抢险到场");
    assert!(
        countdown.remaining.starts_with("剩 "),
        "{}",
        countdown.remaining
    );
    assert!(first.accessibility.contains("抢险到场"));
    let second = &today.lines[1];
    assert_eq!(second.title, "入户安检 · 李文华");
    assert_eq!(second.household_id, Some(day.due.id.to_string()));
    assert!(second.countdown.is_none());

    phone.send(Event::SetLanguage { lang: Lang::En });
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(today.title, "Today");
    assert_eq!(today.technician, "王师傅 · badge T0427");
    assert_eq!(today.date, "Mon 7 Dec");
    assert_eq!(today.lines[0].title, "pipeline fault · GD-2026-001");
    assert!(today.lines[0].reason.starts_with("Emergency"));
    assert_eq!(today.lines[1].title, "Inspection · 李文华");
    assert_eq!(today.sync.last_sync, "Not synced yet");
}

#[test]
fn a_countdown_turns_urgent_then_late_as_the_minutes_tick() {
    let (phone, _) = day_phone();
    let level = || {
        on_screen!(phone.screen(), Today).lines[0]
            .countdown
            .clone()
            .unwrap()
    };
    let before = level().level;
    phone.later(Duration::minutes(15));
    phone.send(Event::Tick);
    let urgent = level();
    assert!(urgent.level > before, "{before:?} then {:?}", urgent.level);
    phone.later(Duration::hours(2));
    phone.send(Event::Tick);
    let late = level();
    assert_eq!(late.level, Level::Late);
    assert!(late.remaining.starts_with("超时"), "{}", late.remaining);
}

#[test]
fn filters_keep_the_orders_or_the_inspections_and_count_each() {
    let (phone, _) = day_phone();
    let today = on_screen!(phone.screen(), Today);
    let counts: Vec<_> = today
        .filters
        .iter()
        .map(|f| (f.label.as_str(), f.count, f.selected))
        .collect();
    assert_eq!(
        counts,
        [("全部", 2, true), ("工单", 1, false), ("安检", 1, false)]
    );
    let update = phone.send(Event::Today(TodayEvent::SetFilter {
        filter: TodayFilter::Inspections,
    }));
    let today = on_screen!(update.screen, Today);
    assert_eq!(today.lines.len(), 1);
    assert_eq!(today.lines[0].title, "入户安检 · 李文华");
    // The walking order stays the day's, whatever the filter.
    assert_eq!(today.lines[0].position, 2);
    assert!(today.filters[2].selected);
    assert_eq!(today.filters[2].accessibility, "安检，1 项");
    // The filter is input: it survives the process being killed.
    let mut phone = phone;
    phone.reopen();
    assert_eq!(on_screen!(phone.screen(), Today).lines.len(), 1);
}

#[test]
fn tapping_a_line_opens_its_order_or_its_household_and_back_returns_to_the_day() {
    let (phone, day) = day_phone();
    let update = phone.send(Event::Today(TodayEvent::OpenOrder {
        id: day.leak.id.to_string(),
    }));
    assert!(update.screen.can_go_back);
    assert!(matches!(
        update.screen.body,
        doorstep_core::app::Screen::WorkOrder(_)
    ));
    phone.send(Event::Back);
    let update = phone.send(Event::Today(TodayEvent::OpenHousehold {
        id: day.due.id.to_string(),
    }));
    assert!(matches!(
        update.screen.body,
        doorstep_core::app::Screen::Household(_)
    ));
    phone.send(Event::Back);
    // An id that is not one is refused, and the screen stays.
    let refused = phone
        .app()
        .handle(Event::Today(TodayEvent::OpenOrder { id: "x".into() }));
    assert!(refused.is_err());
    assert!(super::is_today(&phone.screen()));
    for (event, route) in [
        (TodayEvent::OpenSearch, "search"),
        (TodayEvent::OpenSync, "sync"),
        (TodayEvent::OpenSettings, "settings"),
        (TodayEvent::OpenFees, "fees"),
    ] {
        let update = phone.send(Event::Today(event));
        let body = format!("{:?}", update.screen.body).to_lowercase();
        assert!(body.starts_with(route), "{route}: {body}");
        phone.send(Event::Back);
    }
    let _ = Route::Sync;
}

#[test]
fn pulling_the_list_asks_for_a_sync_and_where_the_phone_is_and_distances_follow() {
    let (phone, day) = day_phone();
    let pulled = phone.send(Event::Today(TodayEvent::PullToSync));
    assert!(pulled.effects.contains(&Effect::SyncNow));
    let Some(Effect::Locate { request, .. }) = pulled
        .effects
        .iter()
        .find(|e| matches!(e, Effect::Locate { .. }))
        .cloned()
    else {
        panic!("no position asked: {:?}", pulled.effects);
    };
    assert!(
        on_screen!(phone.screen(), Today).lines[0]
            .distance
            .is_none()
    );
    let located = phone.send(Event::Located {
        request,
        lat: 30.270,
        lon: 120.150,
        accuracy_m: 12.0,
    });
    let today = on_screen!(located.screen, Today);
    assert_eq!(today.lines[0].distance.as_deref(), Some("0 米"));
    assert_eq!(today.lines[1].distance.as_deref(), Some("147 米"));
    let _ = day;
    // A fresh position is not asked again at the next pull.
    let again = phone.send(Event::Today(TodayEvent::PullToSync));
    assert!(
        !again
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Locate { .. }))
    );
    // Coming back later asks again (the technician busy meanwhile: the app did not lock).
    phone.later(Duration::minutes(3));
    phone.send(Event::Today(TodayEvent::SetFilter {
        filter: TodayFilter::All,
    }));
    phone.later(Duration::minutes(3));
    phone.send(Event::Paused);
    let resumed = phone.send(Event::Resumed);
    assert!(
        resumed
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Locate { .. }))
    );
}

#[test]
fn a_planned_outage_touching_the_list_shows_a_banner_and_marks_its_households() {
    let now = morning();
    let mut outage_id = None;
    let phone = Phone::enrolled(now, |store| {
        let day = seed_day(store, now);
        let id = OutageId::new();
        outage_id = Some(id);
        store
            .receive_outages(&[OutageNotice {
                id,
                title: "文三路管道检修".into(),
                reason: OutageReason::Repair,
                area: OutageArea::Districts(vec![day.ordered.district_id.unwrap()]),
                starts_at: now + Duration::hours(26),
                ends_at: now + Duration::hours(30),
                created_at: now - Duration::days(2),
                created_by: "zhaomin".into(),
                lead_seconds: 86_400,
                emergency: None,
                notifications: Vec::new(),
            }])
            .unwrap();
    });
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(today.outages.len(), 1);
    assert_eq!(
        today.outages[0].text,
        "计划停气：文三路管道检修，明天 11:00 至 明天 15:00，影响今日 2 户"
    );
    assert!(
        today
            .lines
            .iter()
            .all(|l| l.badges.iter().any(|b| b.kind == BadgeKind::Outage))
    );
    let opened = phone.send(Event::Today(TodayEvent::OpenOutage {
        id: outage_id.unwrap().to_string(),
    }));
    assert!(matches!(
        opened.screen.body,
        doorstep_core::app::Screen::Outage(_)
    ));
    phone.send(Event::Back);
    phone.send(Event::SetLanguage { lang: Lang::En });
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(
        today.outages[0].text,
        "Planned outage: 文三路管道检修, tomorrow 11:00 to tomorrow 15:00, 2 households on today's list"
    );
}

#[test]
fn changes_made_on_the_phone_show_as_waiting_in_the_header() {
    let now = morning();
    let phone = Phone::enrolled(now, |store| {
        let day = seed_day(store, now);
        store
            .edit_contact_details(day.due.id, &["13900002222".into()], None, now)
            .unwrap();
    });
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(today.sync.waiting, "1 项更改待上传");
    assert_eq!(today.sync.waiting_count, 1);
    assert!(today.sync.accessibility.contains("1 项更改待上传"));
    phone.send(Event::SetLanguage { lang: Lang::En });
    assert_eq!(
        on_screen!(phone.screen(), Today).sync.waiting,
        "1 change waiting"
    );
}

#[test]
fn a_day_of_five_hundred_lines_renders_in_a_few_queries() {
    let now = morning();
    let phone = Phone::enrolled(now, |store| {
        let day = seed_day(store, now);
        let me = store.sync_state().unwrap().technician_id.unwrap();
        let district = day.ordered.district_id.unwrap();
        let mut households = Vec::new();
        let mut orders = Vec::new();
        for i in 0..500u32 {
            let h = in_district(
                household(
                    &format!("34{i:08}"),
                    "赵云",
                    "13800138000",
                    "天目山路",
                    30.26 + f64::from(i) * 0.00002,
                    120.15,
                ),
                district,
            );
            let mut o = WorkOrder::open(
                format!("GD-{i:04}"),
                WorkOrderKind::UserEquipmentFault,
                WorkOrderSource::Phone,
                Some(h.id),
                "灶具故障",
                now - Duration::minutes(i64::from(i % 50)),
            );
            o.assignee = Some(me);
            households.push(h);
            orders.push(o);
        }
        store.receive_households(&households).unwrap();
        store.receive_work_orders(&orders).unwrap();
    });
    let today = on_screen!(phone.screen(), Today);
    assert!(today.lines.len() >= 500, "{}", today.lines.len());
    // The figure for docs/bench.md comes from `doorstep bench app` in release; this one only
    // shows the order of magnitude of the build the test runs in.
    let median = |f: &dyn Fn()| {
        let mut took: Vec<f64> = (0..7)
            .map(|_| {
                let started = std::time::Instant::now();
                f();
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        took.sort_by(f64::total_cmp);
        took[3]
    };
    let screen = median(&|| {
        phone.screen();
    });
    let store = phone.app().store();
    let me = store
        .lock()
        .unwrap()
        .sync_state()
        .unwrap()
        .technician_id
        .unwrap();
    let list = median(&|| {
        store
            .lock()
            .unwrap()
            .work_list(me, now, None, &Default::default())
            .unwrap();
    });
    eprintln!("screen_today_ms = {screen:.2} (of which the work list {list:.2})");
}

#[test]
fn a_position_that_is_not_one_is_refused_and_the_list_stays_as_it_was() {
    let (phone, _) = day_phone();
    let pulled = phone.send(Event::Today(TodayEvent::PullToSync));
    let Some(Effect::Locate { request, .. }) = pulled
        .effects
        .iter()
        .find(|e| matches!(e, Effect::Locate { .. }))
        .cloned()
    else {
        panic!("no position asked: {:?}", pulled.effects);
    };
    let before = phone.screen();
    let refused = phone.app().handle(Event::Located {
        request,
        lat: f64::NAN,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    assert!(refused.is_err());
    assert_eq!(phone.screen(), before);
    // The request is still awaited: a good answer is taken.
    let located = phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    assert!(
        on_screen!(located.screen, Today).lines[0]
            .distance
            .is_some()
    );
}
