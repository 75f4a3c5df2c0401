//! The console's inspection plan and special-groups register (issue 26), over real HTTP on
//! both backends, on a server whose clock stands at 2026-12-07 10:00 Beijing time.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use doorstep_core::household::{
    Category, ContactPerson, Household, Phone, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Record;
use doorstep_core::team::District;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};
use doorstep_server::console::Role;
use doorstep_server::storage::{self, Actor, AuditRow};

use crate::common::console::{self, Console};
use crate::common::{self, Backend, TestServer};

/// A time of day in Beijing.
fn beijing(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    doorstep_core::calendar::service_timezone()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// The server's day: Monday 7 December 2026, 10:00 in Beijing.
fn now() -> DateTime<Utc> {
    beijing(2026, 12, 7, 10)
}

fn server(backend: Backend) -> TestServer {
    TestServer::start_with(backend, |state| state.wall = Arc::new(now))
}

fn district(server: &TestServer, name: &str, offset: f64) -> DistrictId {
    let d = District {
        id: DistrictId::new(),
        name: name.into(),
        policy: Default::default(),
        boundary: common::square(30.25 + offset, 120.15, 0.05),
    };
    server.office_put(Record::District(d.clone()));
    d.id
}

/// A household of `district` with its category and last inspection (signed at 10:00 Beijing
/// time on that day), gas on since 2020-05-01.
fn inspected(
    server: &TestServer,
    number: &str,
    district: DistrictId,
    category: Category,
    last: Option<(i32, u32, u32)>,
) -> Household {
    let mut h = common::household(number, district, number.len() as u32);
    h.category = category;
    h.last_inspection_at = last.map(|(y, m, d)| beijing(y, m, d, 10));
    server.office_put(Record::Household(Box::new(h.clone())));
    h
}

/// The count of a cell of the plan's table (0 when it has no link: nobody due).
fn cell(body: &str, district: Option<DistrictId>, month: &str) -> usize {
    let mut href = format!("/console/inspections/list?month={month}");
    if let Some(d) = district {
        href.push_str(&format!("&amp;district={d}"));
    }
    let anchor = format!("href=\"{href}\">");
    match body.find(&anchor) {
        None => 0,
        Some(at) => {
            let rest = &body[at + anchor.len()..];
            rest[..rest.find('<').unwrap()].parse().unwrap()
        }
    }
}

fn audit(server: &TestServer) -> Vec<AuditRow> {
    storage::read(&*server.storage, |tx| Ok(tx.audit_log(1000)?)).unwrap()
}

/// Two districts with households whose due dates the core's rule gives (residential every 2
/// years, others every year, from the last inspection): returns (east, west).
fn city(server: &TestServer) -> (DistrictId, DistrictId) {
    use Category::*;
    let east = district(server, "城东片区", 0.0);
    let west = district(server, "城西片区", 0.1);
    // Due 2026-12-20: this month.
    inspected(server, "E1", east, Residential, Some((2024, 12, 20)));
    // Due 2026-11-30: overdue.
    inspected(server, "E2", east, Residential, Some((2024, 11, 30)));
    // Inspected this year; due 2027-03-14.
    inspected(server, "E3", east, Commercial, Some((2026, 3, 14)));
    // Due today: this month, not overdue yet.
    inspected(server, "E4", east, Commercial, Some((2025, 12, 7)));
    // Never inspected and no gas-on date: due at once, overdue.
    let mut never = common::household("E5", east, 5);
    never.gas_on_date = None;
    server.office_put(Record::Household(Box::new(never)));
    // No gas: not inspected, counted nowhere.
    let mut no_gas = common::household("E6", east, 6);
    no_gas.supply = SupplyStatus::NotConnected;
    server.office_put(Record::Household(Box::new(no_gas)));
    // Inspected this year; due 2027-01-31.
    inspected(server, "E7", east, Industrial, Some((2026, 1, 31)));
    // Due 2026-06-01: overdue.
    inspected(server, "W1", west, Heating, Some((2025, 6, 1)));
    // Due 2027-02-15.
    inspected(server, "W2", west, Residential, Some((2025, 2, 15)));
    (east, west)
}

on_both_backends! {
    fn a_supervisor_sees_the_households_due_by_district_and_month_and_this_years_coverage(backend: Backend) {
        let server = server(backend);
        let (east, west) = city(&server);
        let password = console::staff(&server, "zhangmin", Role::Supervisor, &[]);
        let mut c = Console::sign_in(&server, "zhangmin", &password);
        let plan = c.get("/console/inspections").ok();
        let b = &plan.body;

        assert_eq!(cell(b, Some(east), "overdue"), 2, "{b}");
        assert_eq!(cell(b, Some(east), "2026-12"), 2);
        assert_eq!(cell(b, Some(east), "2027-01"), 1);
        assert_eq!(cell(b, Some(east), "2027-02"), 0);
        assert_eq!(cell(b, Some(east), "2027-03"), 1);
        assert_eq!(cell(b, Some(west), "overdue"), 1);
        assert_eq!(cell(b, Some(west), "2027-02"), 1);
        assert_eq!(cell(b, Some(west), "2026-12"), 0);
        // The city's total, for a supervisor.
        assert_eq!(cell(b, None, "overdue"), 3);
        assert_eq!(cell(b, None, "2026-12"), 2);
        assert_eq!(cell(b, None, "2027-02"), 1);
        // The table runs from this month for 12 months: November 2027 is its last column.
        assert!(plan.shows("2027年11月") && !plan.shows("2027年12月"), "{b}");

        // Coverage: inspected this year ÷ (inspected this year + still due by the year's end).
        assert!(plan.shows("<th scope=\"row\">城东片区</th><td>2</td><td>4</td><td>33.3%</td>"), "{b}");
        assert!(plan.shows("<th scope=\"row\">城西片区</th><td>0</td><td>1</td><td>0.0%</td>"), "{b}");
        assert!(plan.shows("<th scope=\"row\"><strong>全市合计</strong></th><td>2</td><td>5</td><td>28.6%</td>"), "{b}");

        // A cell's list: the east's overdue households, the never inspected one first.
        let list = c.get(&format!("/console/inspections/list?month=overdue&district={east}")).ok();
        assert!(list.shows("共 2 户"), "{}", list.body);
        let (never, late) = (list.body.find(">E5<").unwrap(), list.body.find(">E2<").unwrap());
        assert!(never < late);
        assert!(list.shows("从未安检") && list.shows("2026-11-30"));
        assert!(!list.shows(">E1<") && !list.shows(">W1<"));

        // In English.
        c.language("en");
        let plan = c.get("/console/inspections").ok();
        assert!(plan.shows("Dec 2026") && plan.shows("Whole city") && plan.shows("33.3%"));
    }
}

on_both_backends! {
    fn a_dispatcher_sees_the_inspections_and_the_register_of_their_own_district_only(backend: Backend) {
        let server = server(backend);
        let (east, west) = city(&server);
        let mut west_person = common::household("W9", west, 9);
        west_person.special_group = Some(registration(SpecialGroup::Disabled));
        west_person.last_inspection_at = Some(beijing(2026, 6, 1, 10));
        server.office_put(Record::Household(Box::new(west_person)));
        let mut east_person = common::household("E9", east, 9);
        east_person.special_group = Some(registration(SpecialGroup::Sick));
        east_person.last_inspection_at = Some(beijing(2026, 6, 1, 10));
        server.office_put(Record::Household(Box::new(east_person)));

        let password = console::staff(&server, "liuyang", Role::Dispatcher, &[east]);
        let mut c = Console::sign_in(&server, "liuyang", &password);
        let plan = c.get("/console/inspections").ok();
        assert!(plan.shows("城东片区") && !plan.shows("城西片区"), "{}", plan.body);
        assert_eq!(cell(&plan.body, Some(east), "overdue"), 2);
        assert_eq!(cell(&plan.body, Some(west), "overdue"), 0);
        assert!(!plan.shows("全市合计"));

        // All they may see: their district's households only.
        let all = c.get("/console/inspections/list?month=overdue").ok();
        assert!(all.shows("共 2 户") && !all.shows(">W1<"), "{}", all.body);

        // Another district, asked by its URL, is refused; so are the households of none.
        for refused in [
            format!("/console/inspections?district={west}"),
            format!("/console/inspections/list?month=overdue&district={west}"),
            format!("/console/inspections/export?month=overdue&district={west}"),
            "/console/inspections/list?month=overdue&district=none".to_owned(),
            format!("/console/special?district={west}"),
        ] {
            assert_eq!(c.get(&refused).status, 403, "{refused}");
        }
        let register = c.get("/console/special").ok();
        assert!(register.shows(">E9<") && !register.shows(">W9<"), "{}", register.body);
        assert!(register.shows("共 1 户"));
    }
}

fn registration(group: SpecialGroup) -> SpecialGroupRegistration {
    SpecialGroupRegistration {
        groups: vec![group],
        needs: "行动不便，需提前电话联系".into(),
        contact: Some(ContactPerson {
            name: "李小红".into(),
            relation: "女儿".into(),
            phone: Phone::parse("13812345678").unwrap(),
        }),
        consent_given: true,
        registered_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    }
}

on_both_backends! {
    fn the_register_shows_an_elderly_user_with_an_open_home_service_order_and_its_deadline(backend: Backend) {
        let server = server(backend);
        let (east, _) = city(&server);
        let mut elderly = common::household("E8", east, 8);
        elderly.name = "陈阿婆".into();
        elderly.special_group = Some(registration(SpecialGroup::Elderly));
        server.office_put(Record::Household(Box::new(elderly.clone())));
        // Reported at 08:00: the home visit's own clock (24 hours) runs to 08:00 tomorrow.
        let order = WorkOrder::open(
            "SG-0001",
            WorkOrderKind::SpecialGroupService,
            WorkOrderSource::Phone,
            Some(elderly.id),
            "上门检查灶具",
            now() - Duration::hours(2),
        );
        server.office_put(Record::WorkOrder(Box::new(order)));

        let password = console::staff(&server, "zhaolei", Role::Dispatcher, &[east]);
        let mut c = Console::sign_in(&server, "zhaolei", &password);
        let before = audit(&server).len();
        let page = c.get("/console/special").ok();
        let b = &page.body;
        assert!(page.shows("陈阿婆") && page.shows("老年人") && page.shows("2026-03-02"), "{b}");
        assert!(page.shows("行动不便，需提前电话联系") && page.shows("李小红 (女儿) 13812345678"));
        assert!(page.shows(&format!("href=\"/console/households/{}\"", elderly.id)));
        assert!(page.shows("SG-0001 特殊群体上门服务"), "{b}");
        assert!(page.shows("上门服务 2026-12-08 08:00"), "{b}");
        assert!(page.shows("<span class=\"badge green\">按时 · 剩 22 小时</span>"), "{b}");

        // The view is audited once, naming the person signed in.
        let lines = audit(&server);
        let viewed: Vec<&AuditRow> = lines
            .iter()
            .filter(|r| r.action == "special_register_viewed")
            .collect();
        assert_eq!(viewed.len(), 1);
        assert_eq!(viewed[0].actor, Actor::Staff("zhaolei".into()));
        assert_eq!(lines.len(), before + 1);
    }
}

on_both_backends! {
    fn a_dispatcher_exports_the_overdue_list_for_excel_and_the_export_is_audited(backend: Backend) {
        let server = server(backend);
        let (east, _) = city(&server);
        let password = console::staff(&server, "sunli", Role::Dispatcher, &[east]);
        let mut c = Console::sign_in(&server, "sunli", &password);
        let list = c.get(&format!("/console/inspections/list?month=overdue&district={east}")).ok();
        let link = format!("/console/inspections/export?month=overdue&amp;district={east}");
        assert!(list.shows(&link), "{}", list.body);

        let csv = c.get(&link.replace("&amp;", "&")).ok();
        assert_eq!(csv.content_type.as_deref(), Some("text/csv; charset=utf-8"));
        assert!(csv.body.starts_with('\u{feff}'), "a byte-order mark for Excel");
        let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{}", csv.body);
        assert!(lines[1].starts_with("\"E5\",") && lines[1].ends_with("\"从未安检\""), "{}", lines[1]);
        assert!(lines[2].starts_with("\"E2\",") && lines[2].contains("\"城东片区\""), "{}", lines[2]);

        let exported: Vec<AuditRow> = audit(&server)
            .into_iter()
            .filter(|r| r.action == "export")
            .collect();
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0].actor, Actor::Staff("sunli".into()));
        assert_eq!(exported[0].entity.as_deref(), Some("inspection_list"));
        assert_eq!(exported[0].entity_id, Some(format!("{east}/overdue")));
    }
}
