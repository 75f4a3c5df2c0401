//! The dispatch board of the console (issue 26), over real HTTP on both backends: open orders
//! by deadline with the core's levels, the dispatcher's districts only, filters, dispatching
//! to a technician whose phone then pulls the order, a stale reassignment refused, and an order
//! worked and resolved on the phone leaving the board.

use chrono::{Duration, SubsecRound, Utc};
use doorstep_core::household::Household;
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::console::Role;
use doorstep_server::storage::{self, Counted};

use crate::common::console::{self, Console, hidden};
use crate::common::{self, Backend, Team, TestServer, enrolled_phone, households, team};

/// An order of `kind` for household `h`, reported `ago` before now, not dispatched.
fn order(
    server: &TestServer,
    number: &str,
    kind: WorkOrderKind,
    h: &Household,
    ago: Duration,
) -> WorkOrder {
    let reported = Utc::now().trunc_subsecs(0) - ago;
    let o = WorkOrder::open(
        number,
        kind,
        WorkOrderSource::Phone,
        Some(h.id),
        "",
        reported,
    );
    server.office_put(Record::WorkOrder(Box::new(o.clone())));
    o
}

/// The row of the order numbered `number` on a board page, if it is there.
fn row<'a>(body: &'a str, number: &str) -> Option<&'a str> {
    let at = body.find(&format!("<tr id=\"order-{number}\""))?;
    let end = body[at..].find("</tr>")?;
    Some(&body[at..at + end])
}

/// Two districts with a household each, and a dispatcher of the first.
struct City {
    server: TestServer,
    west: Team,
    east: Team,
    west_home: Household,
    east_home: Household,
}

fn city(backend: Backend) -> City {
    let server = TestServer::start(backend);
    let west = team(&server, "西湖一片", "W801");
    let east = team(&server, "上城一片", "E801");
    let west_home = households(&server, &west, 1).remove(0);
    let mut east_home = common::household("HZ900001", east.district.id, 7);
    east_home.location = west_home.location;
    server.office_put(Record::Household(Box::new(east_home.clone())));
    City {
        server,
        west,
        east,
        west_home,
        east_home,
    }
}

fn dispatcher(city: &City) -> Console {
    let password = console::staff(
        &city.server,
        "lina",
        Role::Dispatcher,
        &[city.west.district.id],
    );
    Console::sign_in(&city.server, "lina", &password)
}

on_both_backends! {
    fn a_dispatcher_sees_only_their_districts_open_orders_nearest_deadline_first_with_breaches_highlighted(backend: Backend) {
        let c = city(backend);
        // A leak reported 7 h ago: its 6-hour handling clock is missed.
        order(&c.server, "QX-LATE", WorkOrderKind::PipelineFault, &c.west_home, Duration::hours(7));
        // Reported 5 h 30 min ago: half an hour left, urgent.
        order(&c.server, "QX-NEAR", WorkOrderKind::PipelineFault, &c.west_home, Duration::minutes(330));
        order(&c.server, "QX-FRESH", WorkOrderKind::PipelineFault, &c.west_home, Duration::minutes(5));
        order(&c.server, "IN-NOCLOCK", WorkOrderKind::Inspection, &c.west_home, Duration::hours(30));
        order(&c.server, "QX-EAST", WorkOrderKind::PipelineFault, &c.east_home, Duration::hours(8));
        let done = order(&c.server, "QX-DONE", WorkOrderKind::PipelineFault, &c.west_home, Duration::hours(9));
        let mut resolved = done.clone();
        resolved.advance(WorkOrderStatus::Resolved, Utc::now().trunc_subsecs(0), None).unwrap();
        c.server.office_put(Record::WorkOrder(Box::new(resolved)));

        let mut lina = dispatcher(&c);
        let page = lina.get("/console/board").ok();
        let body = &page.body;
        assert!(row(body, "QX-EAST").is_none(), "another district's order is not shown");
        assert!(row(body, "QX-DONE").is_none(), "a resolved order is not on the board");
        assert!(page.shows("共 4 张未完成工单"), "the count: {body}");
        let at = |n: &str| body.find(&format!("<tr id=\"order-{n}\"")).unwrap_or_else(|| panic!("{n} on the board"));
        assert!(at("QX-LATE") < at("QX-NEAR") && at("QX-NEAR") < at("QX-FRESH") && at("QX-FRESH") < at("IN-NOCLOCK"),
            "nearest deadline first, orders without a clock last");
        let late = row(body, "QX-LATE").unwrap();
        assert!(late.contains("class=\"breach\""), "a breach is highlighted: {late}");
        assert!(late.contains("已超时") && late.contains("超时 1 小时"), "the core's level and countdown: {late}");
        let near = row(body, "QX-NEAR").unwrap();
        assert!(near.contains("class=\"warn\"") && near.contains("data-level=\"urgent\""), "{near}");
        assert!(near.contains("尚未下发到手机") && near.contains("尚未接单"), "a pipeline fault's delivery: {near}");
        let fresh = row(body, "QX-FRESH").unwrap();
        assert!(fresh.starts_with("<tr id=\"order-QX-FRESH\">"), "on time: no highlight: {fresh}");
        assert!(fresh.contains(&format!("/console/households/{}", c.west_home.id)), "the household's file");
        assert!(!body.contains(&c.west_home.name), "the board shows no personal data");

        // The table alone (what the page redraws every 30 s), and the same in English.
        let rows = lina.get("/console/board/rows").ok();
        assert!(row(&rows.body, "QX-LATE").is_some() && !rows.body.contains("<html"));
        lina.language("en");
        let en = lina.get("/console/board").ok();
        assert!(en.shows("4 open orders") && row(&en.body, "QX-LATE").unwrap().contains("Late"), "{}", en.body);

        // A supervisor sees the whole city.
        let password = console::staff(&c.server, "zhouyi", Role::Supervisor, &[]);
        let mut boss = Console::sign_in(&c.server, "zhouyi", &password);
        let all = boss.get("/console/board").ok();
        assert!(row(&all.body, "QX-EAST").is_some() && all.shows("共 5 张未完成工单"));
    }
}

on_both_backends! {
    fn the_board_filters_by_district_kind_and_crew_and_highlights_an_order(backend: Backend) {
        let c = city(backend);
        order(&c.server, "QX-W1", WorkOrderKind::PipelineFault, &c.west_home, Duration::hours(1));
        order(&c.server, "EQ-W2", WorkOrderKind::UserEquipmentFault, &c.west_home, Duration::hours(1));
        order(&c.server, "QX-E1", WorkOrderKind::PipelineFault, &c.east_home, Duration::hours(1));
        let mut crewed = order(&c.server, "QX-E2", WorkOrderKind::PipelineFault, &c.east_home, Duration::hours(2));
        crewed.crew = Some(c.east.crew);
        crewed.advance(WorkOrderStatus::Dispatched, Utc::now().trunc_subsecs(0), None).unwrap();
        c.server.office_put(Record::WorkOrder(Box::new(crewed)));

        let password = console::staff(&c.server, "zhouyi", Role::Supervisor, &[]);
        let mut boss = Console::sign_in(&c.server, "zhouyi", &password);
        let east = boss.get(&format!("/console/board?district={}&kind=&crew=", c.east.district.id)).ok();
        assert!(row(&east.body, "QX-E1").is_some() && row(&east.body, "QX-E2").is_some());
        assert!(row(&east.body, "QX-W1").is_none() && east.shows("共 2 张"), "{}", east.body);
        let kind = boss.get("/console/board?kind=user_equipment_fault").ok();
        assert!(row(&kind.body, "EQ-W2").is_some() && kind.shows("共 1 张"), "{}", kind.body);
        let crew = boss.get(&format!("/console/board?crew={}", c.east.crew)).ok();
        assert!(row(&crew.body, "QX-E2").is_some() && crew.shows("共 1 张"), "{}", crew.body);
        assert!(crew.shows("上城一片抢修班"), "the crew named on the row and in the filter");

        let lit = boss.get("/console/board?order=QX-W1").ok();
        assert!(row(&lit.body, "QX-W1").unwrap().contains("aria-current=\"true\""));
        let missing = boss.get("/console/board?order=QX-NONE").ok();
        assert!(missing.shows("工单 QX-NONE 不在看板上"), "{}", missing.body);

        // A dispatcher's filter cannot reach another district.
        let mut lina = dispatcher(&c);
        let other = lina.get(&format!("/console/board?district={}", c.east.district.id)).ok();
        assert!(row(&other.body, "QX-E1").is_none() && other.shows("没有符合条件"), "{}", other.body);
    }
}

on_both_backends! {
    fn a_dispatcher_assigns_an_order_to_a_technician_whose_phone_then_pulls_it(backend: Backend) {
        let c = city(backend);
        let phone = enrolled_phone(&c.server, &c.west);
        let o = order(&c.server, "QX-901", WorkOrderKind::PipelineFault, &c.west_home, Duration::minutes(10));
        let mut lina = dispatcher(&c);
        let board = lina.get("/console/board").ok();
        assert!(board.shows(&format!("/console/board/{}/assign", o.id)));
        let form = lina.get(&format!("/console/board/{}/assign", o.id)).ok();
        let seq = hidden(&form.body, "seq").expect("the version the form was drawn from");
        assert!(form.shows(&format!("tech:{}", c.west.inspector.id)), "the district's technician offered");
        assert!(!form.shows(&format!("crew:{}", c.east.crew)), "another district's crew is not offered");

        // Another district's crew, posted by hand, is refused beside the choice, nothing written.
        let wrong = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", &seq), ("to", &format!("crew:{}", c.east.crew))]);
        assert_eq!(wrong.status, 422, "{}", wrong.body);
        assert!(wrong.body.contains("field-error") && wrong.body.contains("本工单所在片区"));
        assert_eq!(c.server.work_order(&o.id.to_string()).status(), WorkOrderStatus::New);

        let done = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", &seq), ("to", &format!("tech:{}", c.west.inspector.id))]);
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = lina.follow(&done).ok();
        assert!(shown.shows("工单 QX-901 已派工"), "{}", shown.body);
        let line = row(&shown.body, "QX-901").unwrap();
        assert!(line.contains("王师傅 (W801)") && line.contains("已派工") && line.contains("aria-current"), "{line}");
        let stored = c.server.work_order(&o.id.to_string());
        assert_eq!(stored.assignee, Some(c.west.inspector.id));
        assert_eq!(stored.status(), WorkOrderStatus::Dispatched);
        let audit = storage::read(&*c.server.storage, |tx| Ok(tx.audit_log(50)?)).unwrap();
        assert!(audit.iter().any(|a| a.action == "work_order_dispatched" && a.actor.to_string() == "staff:lina"
            && a.entity_id.as_deref() == Some(&o.id.to_string())), "audited with the person signed in");

        // The technician's phone pulls it, and the board's phones show the sync.
        phone.sync().unwrap();
        let on_phone = phone.store().work_order(o.id).expect("the order reached the phone");
        assert_eq!(on_phone.assignee, Some(c.west.inspector.id));
        phone.sync().unwrap();
        let board = lina.get("/console/board").ok();
        let line = row(&board.body, "QX-901").unwrap();
        assert!(line.contains("到达手机"), "reached the phone: {line}");
        let phones = &board.body[board.body.find("id=\"phones\"").unwrap()..];
        assert!(phones.contains("Test phone") && phones.contains("王师傅") && !phones.contains("从未同步"), "{phones}");
        assert!(phones.contains(env!("CARGO_PKG_VERSION")), "the version the app reported: {phones}");
        assert!(c.server.count(Counted::Devices) >= 1);
    }
}

on_both_backends! {
    fn a_reassignment_drawn_before_the_phone_accepted_the_order_is_refused_as_stale_with_the_order_as_it_is_now(backend: Backend) {
        let c = city(backend);
        let phone = enrolled_phone(&c.server, &c.west);
        let o = order(&c.server, "QX-902", WorkOrderKind::PipelineFault, &c.west_home, Duration::minutes(10));
        let mut lina = dispatcher(&c);
        let form = lina.get(&format!("/console/board/{}/assign", o.id)).ok();
        let seq = hidden(&form.body, "seq").unwrap();
        let first = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", &seq), ("to", &format!("tech:{}", c.west.inspector.id))]);
        assert_eq!(first.status, 303, "{}", first.body);

        // The dispatcher opens the reassignment; meanwhile the phone accepts the order.
        let again = lina.get(&format!("/console/board/{}/assign", o.id)).ok();
        let drawn = hidden(&again.body, "seq").unwrap();
        phone.sync().unwrap();
        phone.store().move_work_order(o.id, WorkOrderStatus::Accepted, Utc::now(), None).unwrap();
        phone.sync().unwrap();

        let stale = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", &drawn), ("to", &format!("crew:{}", c.west.crew))]);
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.body.contains("role=\"alert\"") && stale.body.contains("未派工"), "{}", stale.body);
        assert!(stale.body.contains("已接单"), "the order as it is now: {}", stale.body);
        let kept = c.server.work_order(&o.id.to_string());
        assert_eq!(kept.assignee, Some(c.west.inspector.id), "never applied over the phone's change");
        assert_eq!(kept.crew, None);
        assert_eq!(kept.status(), WorkOrderStatus::Accepted);
        assert!(phone.store().work_order(o.id).is_ok());
    }
}

on_both_backends! {
    fn a_phone_that_syncs_works_and_resolves_an_order_makes_it_leave_the_board(backend: Backend) {
        let c = city(backend);
        let phone = enrolled_phone(&c.server, &c.west);
        let o = order(&c.server, "QX-903", WorkOrderKind::PipelineFault, &c.west_home, Duration::minutes(10));
        let mut lina = dispatcher(&c);
        let form = lina.get(&format!("/console/board/{}/assign", o.id)).ok();
        let seq = hidden(&form.body, "seq").unwrap();
        let done = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", &seq), ("to", &format!("crew:{}", c.west.crew))]);
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(row(&lina.get("/console/board").ok().body, "QX-903").unwrap().contains("西湖一片抢修班"));

        phone.sync().unwrap();
        for status in [WorkOrderStatus::Accepted, WorkOrderStatus::EnRoute, WorkOrderStatus::OnSite] {
            phone.store().move_work_order(o.id, status, Utc::now(), None).unwrap();
        }
        phone.sync().unwrap();
        let on_site = lina.get("/console/board").ok();
        let line = row(&on_site.body, "QX-903").expect("still open on site");
        assert!(line.contains("已到场") && line.contains("接单"), "{line}");
        assert!(!line.contains("/assign"), "an accepted order is not reassigned from the board");

        phone.store().move_work_order(o.id, WorkOrderStatus::Resolved, Utc::now(), None).unwrap();
        phone.sync().unwrap();
        let after = lina.get("/console/board").ok();
        assert!(row(&after.body, "QX-903").is_none(), "a resolved order leaves the board: {}", after.body);
        // What is left is its return visit, opened by the resolution (Art.5(5)).
        assert!(after.shows("共 1 张未完成工单") && after.shows("<td>回访</td>"), "{}", after.body);
    }
}

on_both_backends! {
    fn a_dispatcher_cannot_see_or_assign_an_order_of_another_district(backend: Backend) {
        let c = city(backend);
        let o = order(&c.server, "QX-904", WorkOrderKind::PipelineFault, &c.east_home, Duration::minutes(10));
        let mut lina = dispatcher(&c);
        assert_eq!(lina.get(&format!("/console/board/{}/assign", o.id)).status, 403);
        let refused = lina.post(&format!("/console/board/{}/assign", o.id), &[("seq", "1"), ("to", &format!("crew:{}", c.east.crew))]);
        assert_eq!(refused.status, 403, "{}", refused.body);
        let stored = c.server.work_order(&o.id.to_string());
        assert_eq!((stored.crew, stored.status()), (None, WorkOrderStatus::New), "nothing written");
        // Without its CSRF token, the post is refused before anything is read.
        let bare = lina.post_without_csrf(&format!("/console/board/{}/assign", o.id), &[("seq", "1"), ("to", "x")]);
        assert_eq!(bare.status, 403);
    }
}

/// The ids the open orders' index holds, sorted.
fn open_ids(storage: &dyn storage::Storage) -> Vec<String> {
    storage::read(storage, |tx| {
        Ok(tx
            .open_work_orders("", 1000)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    })
    .unwrap()
}

on_both_backends! {
    fn the_board_reads_only_the_open_orders_kept_apart_as_orders_open_close_and_are_deleted(backend: Backend) {
        let c = city(backend);
        let h = &c.west_home;
        let a = order(&c.server, "WO-IDX-1", WorkOrderKind::PipelineFault, h, Duration::hours(1));
        let mut b = order(&c.server, "WO-IDX-2", WorkOrderKind::UserEquipmentFault, h, Duration::hours(2));
        let d = order(&c.server, "WO-IDX-3", WorkOrderKind::Inspection, h, Duration::hours(3));
        let mut all = vec![a.id.to_string(), b.id.to_string(), d.id.to_string()];
        all.sort();
        assert_eq!(open_ids(&*c.server.storage), all);

        // Resolved by the office: it leaves the index and the board.
        b.advance(WorkOrderStatus::Resolved, Utc::now(), None).unwrap();
        c.server.office_put(Record::WorkOrder(Box::new(b.clone())));
        // Deleted: it leaves too.
        storage::write(&*c.server.storage, |tx| {
            doorstep_server::records::delete_from_office(
                tx,
                doorstep_core::sync::protocol::Entity::WorkOrder,
                &d.id.to_string(),
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(open_ids(&*c.server.storage), [a.id.to_string()]);

        let mut lina = dispatcher(&c);
        let board = lina.get("/console/board").ok();
        let line = row(&board.body, "WO-IDX-1").expect("the open order on the board");
        assert!(line.contains("新建"), "{line}");
        assert!(row(&board.body, "WO-IDX-2").is_none() && row(&board.body, "WO-IDX-3").is_none());

        // The board keeps the open orders decoded between requests: a change reaches it.
        let mut a = a;
        a.advance(WorkOrderStatus::Dispatched, Utc::now(), None).unwrap();
        c.server.office_put(Record::WorkOrder(Box::new(a)));
        let board = lina.get("/console/board").ok();
        let line = row(&board.body, "WO-IDX-1").expect("the open order on the board");
        assert!(line.contains("已派工") && !line.contains("新建"), "{line}");
    }
}

#[test]
fn an_old_data_directory_gets_its_open_orders_indexed_when_the_server_opens_it() {
    use doorstep_server::storage::SqliteStorage;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.sqlite");
    let h = common::household("HZ000001", doorstep_core::ids::DistrictId::new(), 1);
    let (open, mut closed) = (
        WorkOrder::open(
            "WO-OLD-1",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            Some(h.id),
            "",
            Utc::now(),
        ),
        WorkOrder::open(
            "WO-OLD-2",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            Some(h.id),
            "",
            Utc::now(),
        ),
    );
    closed
        .advance(WorkOrderStatus::Cancelled, Utc::now(), None)
        .unwrap();
    {
        let storage = SqliteStorage::open(&path).unwrap();
        storage::write(&storage, |tx| {
            doorstep_server::records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
            for o in [&open, &closed] {
                doorstep_server::records::put_from_office(
                    tx,
                    &Record::WorkOrder(Box::new(o.clone())),
                )?;
            }
            Ok(())
        })
        .unwrap();
    }
    // What a server older than the index left: the orders, no index.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE open_work_orders").unwrap();
    drop(conn);
    let storage = SqliteStorage::open(&path).unwrap();
    assert_eq!(open_ids(&storage), [open.id.to_string()]);
}
