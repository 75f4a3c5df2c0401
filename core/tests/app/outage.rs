//! The Outage screen: the notice, its households by building, and the notices posted.

use chrono::Duration;
use doorstep_core::app::screens::outage::OutageEvent;
use doorstep_core::app::{AppError, Event, NoticeKind};
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::Household;
use doorstep_core::outage::{OutageArea, OutageNotice, OutageReason};
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::{at, household};
use crate::on_screen;

fn notice() -> OutageNotice {
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let area = Area::new(vec![
        p(30.24, 120.18),
        p(30.24, 120.20),
        p(30.26, 120.20),
        p(30.26, 120.18),
    ])
    .unwrap();
    OutageNotice::create(
        "文三路管网检修",
        OutageReason::Repair,
        OutageArea::Polygon(area),
        // 09:00 to 17:00 Beijing time on 8 December.
        at(2026, 12, 8, 1, 0),
        at(2026, 12, 8, 9, 0),
        Duration::hours(24),
        None,
        "office",
        at(2026, 12, 6, 1, 0),
    )
    .unwrap()
}

fn at_home(n: u32, name: &str, building: &str, room: &str, inside: bool) -> Household {
    let lat = if inside { 30.25 } else { 30.30 };
    let mut h = household(
        &format!("33000001{n:02}"),
        name,
        &format!("138000001{n:02}"),
        "文三路",
        lat,
        120.19,
    );
    h.address.building = building.into();
    h.address.unit = "2".into();
    h.address.room = room.into();
    h
}

/// A phone at 14:05 Beijing time on 7 December holding the notice, five households inside it in
/// two buildings, and one outside it.
fn phone() -> (Phone, OutageNotice) {
    let n = notice();
    let seeded = n.clone();
    let phone = Phone::enrolled(at(2026, 12, 7, 6, 5), move |store| {
        store.receive_outages(&[seeded]).unwrap();
        let homes = [
            at_home(1, "吴霞", "3", "501", true),
            at_home(2, "郭平", "3", "502", true),
            at_home(3, "何<b>刚", "3", "601", true),
            at_home(4, "李娜", "5", "101", true),
            at_home(5, "赵敏", "5", "102", true),
            at_home(6, "钱进", "9", "101", false),
        ];
        store.receive_households(&homes).unwrap();
    });
    (phone, n)
}

#[test]
fn an_inspector_records_the_notice_posted_at_each_building_and_the_screen_counts_them() {
    let (phone, n) = phone();
    let open = phone.send(Event::OpenLink {
        link: format!("doorstep://outage/{}", n.id),
    });
    let screen = on_screen!(open.screen, Outage);
    assert_eq!(screen.title, "停气通知");
    assert_eq!(screen.notice_title, "文三路管网检修");
    assert_eq!(screen.reason, "管网维修");
    assert_eq!(screen.period, "停气时间：明天 09:00 至 明天 17:00");
    assert_eq!(screen.progress, "已通知 0/2 栋");
    assert_eq!(screen.households_progress, "已通知 0/5 户");
    let deadline = screen.deadline.as_ref().unwrap();
    assert_eq!(deadline.due, "须在 今天 09:00 前");
    assert_eq!(deadline.remaining, "超时 5 小时 5 分");
    // Grouped by building: the address without the room, the rooms listed.
    let addresses: Vec<_> = screen
        .buildings
        .iter()
        .map(|b| b.address.as_str())
        .collect();
    assert_eq!(addresses, ["西湖区文三路3栋2单元", "西湖区文三路5栋2单元"]);
    let first = &screen.buildings[0];
    let rooms: Vec<_> = first.households.iter().map(|h| h.room.as_str()).collect();
    assert_eq!(rooms, ["501室", "502室", "601室"]);
    assert_eq!(first.status, "已通知 0/3 户");
    assert!(first.post_notice.enabled);
    assert_eq!(
        first.post_notice.accessibility,
        "在西湖区文三路3栋2单元已张贴公告"
    );
    assert_eq!(first.households[0].status, "未通知");

    let posted = phone.send(Event::Outage(OutageEvent::NoticePosted {
        building: first.key.clone(),
    }));
    let notice = posted.screen.notice.clone().unwrap();
    assert_eq!(notice.kind, NoticeKind::Done);
    assert_eq!(notice.text, "已记录张贴公告：3 户已通知");
    let screen = on_screen!(posted.screen, Outage);
    assert_eq!(screen.progress, "已通知 1/2 栋");
    assert_eq!(screen.households_progress, "已通知 3/5 户");
    // The buildings still to be told come first.
    assert_eq!(screen.buildings[0].address, "西湖区文三路5栋2单元");
    let done = &screen.buildings[1];
    assert!(done.notified);
    assert!(!done.post_notice.enabled);
    assert_eq!(
        done.post_notice.disabled_reason.as_deref(),
        Some("本栋各户均已通知")
    );
    assert!(done.households.iter().all(|h| h.notified));
    assert_eq!(done.households[0].status, "已通知：张贴公告 今天 14:05");

    // The notifications wait in the outbox for the server, one operation per building.
    let queued = phone.app().store().lock().unwrap().outbox_len().unwrap();

    // Posting again at the same building tells nobody new and queues nothing.
    let again = phone.send(Event::Outage(OutageEvent::NoticePosted {
        building: done.key.clone(),
    }));
    assert_eq!(again.screen.notice.unwrap().kind, NoticeKind::Problem);
    assert_eq!(
        phone.app().store().lock().unwrap().outbox_len().unwrap(),
        queued
    );

    // The process killed and reopened: the same screen, the same counts.
    let mut phone = phone;
    phone.reopen();
    let screen = on_screen!(phone.screen(), Outage);
    assert_eq!(screen.progress, "已通知 1/2 栋");

    // The same in English.
    phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = on_screen!(phone.screen(), Outage);
    assert_eq!(screen.title, "Outage notice");
    assert_eq!(screen.reason, "repair");
    assert_eq!(screen.progress, "1 of 2 buildings told");
    assert_eq!(screen.households_progress, "3 of 5 households told");
    assert_eq!(
        screen.buildings[1].households[0].status,
        "told: notice posted today 14:05"
    );
    assert_eq!(screen.buildings[0].status, "0 of 2 told");
}

#[test]
fn a_notice_posted_at_a_building_outside_the_outage_is_refused_and_nothing_is_kept() {
    let (phone, n) = phone();
    phone.send(Event::OpenLink {
        link: format!("doorstep://outage/{}", n.id),
    });
    let before = phone.screen();
    let outbox = phone.app().store().lock().unwrap().outbox_len().unwrap();
    for building in ["西湖区文三路9栋2单元", "<script>"] {
        let refused = phone.app().handle(Event::Outage(OutageEvent::NoticePosted {
            building: building.into(),
        }));
        match refused {
            Err(AppError::Core(e)) => {
                let text = e.to_string();
                assert!(text.contains("building"), "{text}");
                assert!(!text.contains("文三路"), "no address in an error: {text}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(phone.screen(), before);
    assert_eq!(
        phone.app().store().lock().unwrap().outbox_len().unwrap(),
        outbox
    );
}

#[test]
fn an_outage_not_on_the_phone_says_so_instead_of_failing() {
    let (phone, _) = phone();
    let open = phone.send(Event::OpenLink {
        link: format!("doorstep://outage/{}", doorstep_core::ids::OutageId::new()),
    });
    let screen = on_screen!(open.screen, Outage);
    assert_eq!(
        screen.empty.as_deref(),
        Some("本机没有这份停气通知（请同步）")
    );
    assert!(screen.buildings.is_empty());
}

#[test]
fn a_household_under_a_planned_outage_carries_its_badge_on_its_file_and_one_outside_does_not() {
    let (phone, _) = phone();
    let id = |number: &str| {
        phone
            .app()
            .store()
            .lock()
            .unwrap()
            .household_by_customer_number(number)
            .unwrap()
            .id
    };
    let (inside, outside) = (id("3300000101"), id("3300000106"));
    let open = |id| {
        let update = phone.send(Event::OpenLink {
            link: format!("doorstep://household/{id}"),
        });
        on_screen!(update.screen, Household)
    };
    let file = open(inside);
    let outage = file
        .badges
        .iter()
        .find(|b| b.kind == doorstep_core::app::screens::parts::BadgeKind::Outage)
        .expect("the household inside the notice's area has its badge");
    assert_eq!(outage.label, "计划停气 明天 09:00 起");
    phone.send(Event::SetLanguage { lang: Lang::En });
    let file = on_screen!(phone.screen(), Household);
    assert!(
        file.badges
            .iter()
            .any(|b| b.label == "planned outage from tomorrow 09:00")
    );
    let file = open(outside);
    assert!(
        file.badges
            .iter()
            .all(|b| b.kind != doorstep_core::app::screens::parts::BadgeKind::Outage)
    );
}
