//! Console tests (issue 26): the calls page and the household search behind it.

use doorstep_core::household::{Address, Household};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_server::records;
use doorstep_server::storage::{self, Storage};

use crate::common::{self, Backend, TestServer};

/// A household at `street` `building`/`unit`/`room` of 西湖区, in `district`.
fn resident(
    number: &str,
    name: &str,
    phone: &str,
    (street, building, unit, room): (&str, &str, &str, &str),
    district: DistrictId,
) -> Household {
    Household {
        district_id: Some(district),
        ..doorstep_core::testkit::household(
            number,
            name,
            phone,
            Address {
                district: "西湖区".into(),
                street: street.into(),
                building: building.into(),
                unit: unit.into(),
                room: room.into(),
            },
        )
    }
}

/// The customer numbers `query` finds, in the order listed.
fn found(storage: &dyn Storage, query: &str, districts: Option<&[DistrictId]>) -> Vec<String> {
    storage::read(storage, |tx| Ok(tx.find_households(query, districts, 20)?))
        .unwrap()
        .into_iter()
        .map(|r| r.key.expect("a household's key is its customer number"))
        .collect()
}

/// Three households of one district and one of another.
fn street(server: &TestServer) -> (DistrictId, DistrictId) {
    let (west, east) = (DistrictId::new(), DistrictId::new());
    for h in [
        resident(
            "HZ-100234",
            "王丽",
            "138 0013 8000",
            ("文三路88号", "3幢", "2单元", "501室"),
            west,
        ),
        resident(
            "HZ-100235",
            "Li Ming",
            "0571-8765-4321",
            ("文三路88号", "3", "1", "502"),
            west,
        ),
        resident(
            "HZ-200001",
            "张伟",
            "13912345678",
            ("文二路12", "7", "1", "101"),
            west,
        ),
        resident(
            "HZ-900001",
            "王丽",
            "13700000001",
            ("文三路88号", "3", "2", "501"),
            east,
        ),
    ] {
        server.office_put(Record::Household(Box::new(h)));
    }
    (west, east)
}

on_both_backends! {
    fn a_household_is_found_by_part_of_its_number_name_phone_digits_or_address_as_a_caller_says_it(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, _) = street(&server);
        let s = &*server.storage;
        let mine = Some(&[west][..]);
        // Customer number: a prefix, any case; the exact number first.
        assert_eq!(found(s, "hz-1002", mine), ["HZ-100234", "HZ-100235"]);
        assert_eq!(found(s, "HZ-100235", mine)[0], "HZ-100235");
        // Name: a part, Latin letters in any case.
        assert_eq!(found(s, "li mi", mine), ["HZ-100235"]);
        assert_eq!(found(s, "王丽", mine), ["HZ-100234"]);
        // Phone: part of the digits, however they are written.
        assert_eq!(found(s, "0013-8000", mine), ["HZ-100234"]);
        assert_eq!(found(s, "+86 138 0013", mine), ["HZ-100234"]);
        assert_eq!(found(s, "8765 4321", mine), ["HZ-100235"]);
        // Address: as said, whatever the file wrote (3幢 / 3, 2单元 / 2).
        assert_eq!(found(s, "文三路88", mine), ["HZ-100234", "HZ-100235"]);
        assert_eq!(found(s, "3幢2单元", mine), ["HZ-100234"]);
        assert_eq!(found(s, "3号楼1单元502", mine), ["HZ-100235"]);
        assert_eq!(found(s, "西湖区文二路", mine), ["HZ-200001"]);
        assert_eq!(found(s, "7-1-101", mine), ["HZ-200001"]);
        assert!(found(s, "文四路", mine).is_empty());
        assert!(found(s, "   ", mine).is_empty());
    }
}

on_both_backends! {
    fn a_search_limited_to_a_dispatchers_districts_does_not_find_another_districts_households(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, east) = street(&server);
        let s = &*server.storage;
        assert_eq!(found(s, "3幢2单元501", Some(&[west])), ["HZ-100234"]);
        assert_eq!(found(s, "3幢2单元501", Some(&[east])), ["HZ-900001"]);
        assert!(found(s, "3幢2单元501", Some(&[])).is_empty());
        // The whole city finds both.
        assert_eq!(found(s, "3幢2单元501", None), ["HZ-100234", "HZ-900001"]);
    }
}

on_both_backends! {
    fn an_edited_household_is_found_by_its_new_address_and_a_deleted_one_is_not_found(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, _) = street(&server);
        let s = &*server.storage;
        let id = storage::read(s, |tx| Ok(tx.record_id_by_key(Entity::Household, "HZ-200001")?))
            .unwrap()
            .unwrap();
        server.office_edit(id.parse().unwrap(), |h| h.address.street = "学院路5号".into());
        assert!(found(s, "文二路", None).is_empty());
        assert_eq!(found(s, "学院路5号7栋", Some(&[west])), ["HZ-200001"]);
        storage::write(s, |tx| {
            records::delete_from_office(tx, Entity::Household, &id)?;
            Ok(())
        })
        .unwrap();
        assert!(found(s, "学院路", None).is_empty());
        assert!(found(s, "HZ-200001", None).is_empty());
    }
}

#[test]
fn an_old_data_directory_gets_its_household_search_built_when_the_server_opens_it() {
    use doorstep_server::storage::SqliteStorage;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.sqlite");
    {
        let storage = SqliteStorage::open(&path).unwrap();
        for i in 0..30 {
            let h = common::household(&format!("HZ{i:06}"), DistrictId::new(), i);
            storage::write(&storage, |tx| {
                records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
                Ok(())
            })
            .unwrap();
        }
    }
    // What a server older than the search left: the households, no search.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE household_search; DROP TABLE household_search_trigrams")
        .unwrap();
    drop(conn);
    let storage = SqliteStorage::open(&path).unwrap();
    assert_eq!(found(&storage, "HZ00001", None).len(), 10);
    assert_eq!(found(&storage, "住户7", None), ["HZ000007"]);
}

#[test]
fn an_old_postgresql_database_gets_its_household_search_built_when_a_server_connects() {
    use doorstep_server::storage::PostgresStorage;
    use doorstep_server::storage::throwaway::ThrowawayDatabase;
    if common::skip_postgres() {
        return;
    }
    let db = ThrowawayDatabase::create().expect("PostgreSQL tests are not skipped here");
    {
        let storage = PostgresStorage::connect(&db.url, 2).unwrap();
        for i in 0..30 {
            let h = common::household(&format!("HZ{i:06}"), DistrictId::new(), i);
            storage::write(&storage, |tx| {
                records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
                Ok(())
            })
            .unwrap();
        }
    }
    let mut client = db.config().connect(postgres::NoTls).unwrap();
    client.batch_execute("DROP TABLE household_search").unwrap();
    drop(client);
    let storage = PostgresStorage::connect(&db.url, 2).unwrap();
    assert_eq!(found(&storage, "HZ00001", None).len(), 10);
    assert_eq!(found(&storage, "住户7", None), ["HZ000007"]);
}

// ---------------------------------------------------------------------------------------------
// The calls page over HTTP, signed in as a dispatcher of one district.

use doorstep_core::calls::{Call, CallKind, CallOutcome};
use doorstep_core::workorder::{FaultClass, WorkOrder, WorkOrderKind, WorkOrderStatus};
use doorstep_server::console::Role;
use doorstep_server::records::decode;

use crate::common::Team;
use crate::common::console::{self, Console, Page, encode};

/// A server with two districts (west and east), a household in each at the same address, and
/// a dispatcher of the west signed in.
struct Desk {
    server: TestServer,
    west: Team,
    mine: Household,
    theirs: Household,
    c: Console,
}

fn desk(backend: Backend) -> Desk {
    let server = TestServer::start(backend);
    let west = common::team(&server, "西湖", "T0001");
    let east = common::team(&server, "上城", "T0002");
    let mine = resident(
        "HZ-100234",
        "王丽",
        "138 0013 8000",
        ("文三路88号", "3幢", "2单元", "501室"),
        west.district.id,
    );
    let theirs = resident(
        "HZ-900001",
        "赵强",
        "13700000001",
        ("文三路88号", "3", "2", "502"),
        east.district.id,
    );
    for h in [&mine, &theirs] {
        server.office_put(Record::Household(Box::new(h.clone())));
    }
    let password = console::staff(&server, "wangli", Role::Dispatcher, &[west.district.id]);
    let c = Console::sign_in(&server, "wangli", &password);
    Desk {
        server,
        west,
        mine,
        theirs,
        c,
    }
}

impl Desk {
    fn calls(&self) -> Vec<Call> {
        every(&*self.server.storage, Entity::Call)
    }

    fn orders(&self) -> Vec<WorkOrder> {
        every(&*self.server.storage, Entity::WorkOrder)
    }

    /// The audit lines of `action`, as `actor entity_id`.
    fn audited(&self, action: &str) -> Vec<String> {
        storage::read(&*self.server.storage, |tx| Ok(tx.audit_log(1000)?))
            .unwrap()
            .into_iter()
            .filter(|a| a.action == action)
            .map(|a| format!("{} {}", a.actor, a.entity_id.unwrap_or_default()))
            .collect()
    }

    /// Takes a call for our household with these fields; the result page it leads to.
    fn take(&mut self, fields: &[(&str, &str)]) -> Page {
        let id = self.mine.id.to_string();
        let mut all = vec![("household", id.as_str())];
        all.extend_from_slice(fields);
        let done = self.c.post("/console/calls", &all);
        assert_eq!(done.status, 303, "{}", done.body);
        self.c.follow(&done).ok()
    }
}

fn every<T: serde::de::DeserializeOwned>(storage: &dyn Storage, entity: Entity) -> Vec<T> {
    storage::read(storage, |tx| {
        tx.records(entity, "", 10_000)?
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| decode(r))
            .collect()
    })
    .unwrap()
}

on_both_backends! {
    fn a_dispatcher_takes_a_repair_call_for_a_household_found_by_part_of_its_address_and_an_order_is_opened_for_it(backend: Backend) {
        let mut d = desk(backend);
        // As you type: part of the address, the way the caller says it.
        let found = d.c.get(&format!("/console/calls/search?q={}", encode("文三路88号3幢2单元"))).ok();
        assert!(found.shows("HZ-100234") && found.shows("王丽"), "{}", found.body);
        let choose = format!("/console/calls?household={}", d.mine.id);
        assert!(found.shows(&choose), "{}", found.body);
        // Chosen: the call form for the household, its crew offered.
        let form = d.c.get(&choose).ok();
        assert!(form.shows("13800138000") && form.shows(&format!("c:{}", d.west.crew)), "{}", form.body);
        assert_eq!(d.audited("household_viewed"), [format!("staff:wangli {}", d.mine.id)]);

        let crew = format!("c:{}", d.west.crew);
        let result = d.take(&[
            ("kind", "repair"),
            ("summary", "厨房灶具打不着火，闻到轻微异味"),
            ("becomes", "order"),
            ("order_kind", "user_equipment_fault"),
            ("dispatch", &crew),
        ]);
        let orders = d.orders();
        assert_eq!(orders.len(), 1);
        let order = &orders[0];
        assert_eq!(order.household_id, Some(d.mine.id));
        assert_eq!(order.kind, WorkOrderKind::UserEquipmentFault);
        assert_eq!(order.crew, Some(d.west.crew));
        assert_eq!(order.status(), WorkOrderStatus::Dispatched);
        let calls = d.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].kind, CallKind::Repair);
        assert_eq!(calls[0].outcome, CallOutcome::Order(order.id));
        assert_eq!(calls[0].taken_by, "wangli");
        assert_eq!(calls[0].household_id, Some(d.mine.id));
        assert_eq!(d.audited("call_taken"), [format!("staff:wangli {}", calls[0].id)]);
        assert_eq!(d.audited("work_order_created"), [format!("staff:wangli {}", order.id)]);
        // The result page links the order to the board and the household to its file.
        assert!(result.shows(&format!("/console/board?order={}", order.number)), "{}", result.body);
        assert!(result.shows(&format!("/console/households/{}", d.mine.id)));
        // And the day's log lists it.
        let page = d.c.get("/console/calls").ok();
        assert!(page.shows(&format!("工单 {}", order.number)) && page.shows("HZ-100234"), "{}", page.body);
        // Named by the name on their account, not by their login.
        assert!(page.shows("<td>wangli name</td>"), "{}", page.body);
    }
}

on_both_backends! {
    fn an_alarm_opens_an_emergency_order_and_shows_the_leadership_report_to_make(backend: Backend) {
        let mut d = desk(backend);
        // Whatever was chosen, an alarm opens a major pipeline fault.
        let result = d.take(&[
            ("kind", "alarm"),
            ("summary", "楼道内燃气味很重"),
            ("becomes", "answer"),
            ("answer", "请开窗通风"),
        ]);
        let order = d.orders().pop().expect("an emergency order");
        assert_eq!(order.kind, WorkOrderKind::PipelineFault);
        assert_eq!(order.class, Some(FaultClass::Major));
        assert_eq!(order.status(), WorkOrderStatus::New);
        assert_eq!(d.calls()[0].outcome, CallOutcome::Order(order.id));
        assert!(result.shows("须上报领导") && result.shows("name=\"told\""), "{}", result.body);

        let call = d.calls()[0].id;
        let refused = d.c.post(&format!("/console/calls/{call}/leadership"), &[("told", " ")]);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.shows("不能为空"));
        let done = d.c.post(&format!("/console/calls/{call}/leadership"), &[("told", "值班经理李强")]);
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = d.c.follow(&done).ok();
        assert!(shown.shows("已于") && shown.shows("值班经理李强"), "{}", shown.body);
        let reported = d.orders().pop().unwrap().leadership_report.expect("reported");
        assert_eq!(reported.told, "值班经理李强");
        assert_eq!(d.audited("work_order_leadership_reported"), [format!("staff:wangli {}", order.id)]);
    }
}

on_both_backends! {
    fn a_complaint_call_opens_a_complaint_and_an_inquiry_answered_on_the_spot_is_recorded(backend: Backend) {
        let mut d = desk(backend);
        let result = d.take(&[
            ("kind", "complaint"),
            ("summary", "维修人员迟到两小时"),
            ("becomes", "complaint"),
            ("caller_name", "王丽"),
            ("caller_phone", "13800138000"),
        ]);
        let complaints: Vec<doorstep_core::complaint::Complaint> = every(&*d.server.storage, Entity::Complaint);
        assert_eq!(complaints.len(), 1);
        assert_eq!(complaints[0].household_id, Some(d.mine.id));
        assert_eq!(d.calls()[0].outcome, CallOutcome::Complaint(complaints[0].id));
        assert!(result.shows(&format!("已登记投诉 {}", complaints[0].number)), "{}", result.body);
        assert_eq!(d.audited("complaint_opened").len(), 1);

        let result = d.take(&[
            ("kind", "inquiry"),
            ("summary", "问本月燃气费何时缴"),
            ("becomes", "answer"),
            ("answer", "每月25日前缴费"),
        ]);
        assert!(result.shows("每月25日前缴费"), "{}", result.body);
        let calls = d.calls();
        assert_eq!(calls.len(), 2);
        assert!(calls.iter().any(|c| c.outcome == CallOutcome::Answered("每月25日前缴费".into())));
        assert!(d.orders().is_empty());
    }
}

on_both_backends! {
    fn a_dispatcher_searches_by_number_name_and_phone_digits_and_never_finds_or_opens_another_districts_household(backend: Backend) {
        let mut d = desk(backend);
        for q in ["hz-1002", "王丽", "0013 8000", "3幢2单元"] {
            let found = d.c.get(&format!("/console/calls/search?q={}", encode(q))).ok();
            assert!(found.shows("HZ-100234"), "{q}: {}", found.body);
            assert!(!found.shows("HZ-900001") && !found.shows("赵强"), "{q}: {}", found.body);
        }
        // The same search without the script: the whole page.
        let page = d.c.get(&format!("/console/calls?q={}", encode("文三路88号"))).ok();
        assert!(page.shows("HZ-100234") && !page.shows("HZ-900001"), "{}", page.body);
        // Another district's household by its URL, or posted: refused, nothing written.
        assert_eq!(d.c.get(&format!("/console/calls?household={}", d.theirs.id)).status, 403);
        let refused = d.c.post(
            "/console/calls",
            &[
                ("household", &d.theirs.id.to_string()),
                ("kind", "repair"),
                ("summary", "漏气"),
                ("becomes", "order"),
                ("order_kind", "user_equipment_fault"),
            ],
        );
        assert_eq!(refused.status, 403);
        assert!(!refused.shows("赵强"));
        assert!(d.calls().is_empty() && d.orders().is_empty());
        // A supervisor finds both.
        let password = console::staff(&d.server, "lisi", Role::Supervisor, &[]);
        let mut boss = Console::sign_in(&d.server, "lisi", &password);
        let found = boss.get(&format!("/console/calls/search?q={}", encode("文三路88号3"))).ok();
        assert!(found.shows("HZ-100234") && found.shows("HZ-900001"), "{}", found.body);
    }
}

on_both_backends! {
    fn a_call_with_nothing_said_is_refused_beside_the_field_with_the_form_kept_and_nothing_written(backend: Backend) {
        let mut d = desk(backend);
        let id = d.mine.id.to_string();
        let refused = d.c.post(
            "/console/calls",
            &[
                ("household", id.as_str()),
                ("kind", "inquiry"),
                ("summary", "  "),
                ("becomes", "answer"),
                ("answer", "每月25日前缴费"),
            ],
        );
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.shows("summary-error") && refused.shows("不能为空"), "{}", refused.body);
        assert!(refused.shows("每月25日前缴费") && refused.shows("HZ-100234"), "{}", refused.body);
        assert!(d.calls().is_empty() && d.orders().is_empty());
        assert!(d.audited("call_taken").is_empty());
        // In English, the reason in English.
        d.c.language("en");
        let refused = d.c.post(
            "/console/calls",
            &[("household", id.as_str()), ("kind", "repair"), ("summary", ""), ("becomes", "order"), ("order_kind", "user_equipment_fault")],
        );
        assert_eq!(refused.status, 422);
        assert!(refused.shows("must not be empty"), "{}", refused.body);
        assert!(d.orders().is_empty());
    }
}

on_both_backends! {
    fn a_fault_in_the_street_is_taken_with_its_position_and_no_household(backend: Backend) {
        let mut d = desk(backend);
        // Without a position the core refuses the order, beside the position.
        let refused = d.c.post(
            "/console/calls",
            &[("kind", "repair"), ("summary", "路边井盖冒气"), ("becomes", "order"), ("order_kind", "pipeline_fault"), ("place", "文三路与学院路口")],
        );
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.shows("lat-error") && refused.shows("文三路与学院路口"), "{}", refused.body);
        assert!(d.orders().is_empty() && d.calls().is_empty());
        let done = d.c.post(
            "/console/calls",
            &[("kind", "repair"), ("summary", "路边井盖冒气"), ("becomes", "order"), ("order_kind", "pipeline_fault"), ("lat", "30.27"), ("lon", "120.17"), ("place", "文三路与学院路口")],
        );
        assert_eq!(done.status, 303, "{}", done.body);
        let order = d.orders().pop().unwrap();
        assert_eq!(order.household_id, None);
        assert!(order.location.is_some());
        assert!(order.description.contains("文三路与学院路口"), "{}", order.description);
        d.c.follow(&done).ok();
    }
}
