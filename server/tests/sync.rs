//! Sync between devices and the back office over real HTTP, on SQLite and on PostgreSQL.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::household::Phone;
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::storage::Counted;

on_both_backends! {
    fn technician_enrolls_and_pulls_the_district(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let other = team_elsewhere(&server);
        let ours = households(&server, &team, 30);
        let theirs = common::household("SX000001", other, 99);
        server.office_put(Record::Household(Box::new(theirs.clone())));

        let phone = TestDevice::new();
        let code = server.enrollment_code(team.inspector.id);
        let me = phone.enroll(&server.url, &code);
        assert_eq!(me.id, team.inspector.id);
        let report = phone.sync().unwrap();
        assert!(report.pulled >= 30, "{report:?}");
        let store = phone.store();
        for h in &ours {
            assert_eq!(store.household(h.id).unwrap(), *h);
        }
        assert!(store.household(theirs.id).is_err(), "a household of another district never reaches the device");
        assert!(store.template("residential_inspection", 1).is_ok(), "templates arrive with the first pull");
    }
}

fn team_elsewhere(server: &TestServer) -> doorstep_core::ids::DistrictId {
    common::team(server, "滨江二片", "BJ2001").district.id
}

on_both_backends! {
    fn an_enrollment_code_works_once(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let code = server.enrollment_code(team.inspector.id);
        TestDevice::new().enroll(&server.url, &code);
        let second = TestDevice::new();
        let err = second
            .syncer
            .enroll(&second.store, &server.url, &code, "another phone")
            .unwrap_err();
        assert!(matches!(err, doorstep_core::Error::Auth { .. }), "{err:?}");
        assert_eq!(server.count(Counted::Devices), 1);
    }
}

on_both_backends! {
    fn an_edit_made_offline_reaches_the_office_and_the_other_device(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 5);
        let a = TestDevice::new();
        a.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        let b = TestDevice::new();
        b.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        a.sync().unwrap();
        b.sync().unwrap();

        // Offline on A: a new phone number for the first household.
        let mut edited = a.store().household(hs[0].id).unwrap();
        edited.phones = vec![Phone::parse("13811112222").unwrap()];
        a.store().save_household(&edited, Utc::now()).unwrap();
        let report = a.sync().unwrap();
        assert_eq!(report.pushed, 1);
        assert_eq!(a.store().outbox_len().unwrap(), 0);

        assert_eq!(server.household(hs[0].id).phones, edited.phones);
        b.sync().unwrap();
        assert_eq!(b.store().household(hs[0].id).unwrap().phones, edited.phones);
        assert_eq!(server.count(Counted::Ops), 1);
    }
}

on_both_backends! {
    fn a_repair_closed_offline_at_23_counts_as_closed_at_23(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let reported = Utc::now() - Duration::hours(20);
        let mut order = WorkOrder::open(
            "GD-0001",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Phone,
            Some(hs[0].id),
            "楼道燃气管漏气",
            reported,
        );
        order.assignee = Some(team.inspector.id);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let phone = TestDevice::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        phone.sync().unwrap();

        // Offline: on site, then resolved; the phone syncs only later. The step counts at the
        // phone's time (which agrees with its clock stamp), not at the time it arrived.
        let now = || Utc.timestamp_millis_opt(Utc::now().timestamp_millis()).unwrap();
        phone.store().move_work_order(order.id, WorkOrderStatus::OnSite, now(), None).unwrap();
        let resolved = now();
        phone.store().move_work_order(order.id, WorkOrderStatus::Resolved, resolved, None).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        phone.sync().unwrap();
        let stored = server.work_order(&order.id.to_string());
        assert_eq!(stored.status(), WorkOrderStatus::Resolved);
        assert_eq!(stored.reached(WorkOrderStatus::Resolved), Some(resolved));
    }
}
