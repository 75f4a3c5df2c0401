//! Work orders and their clocks (issue 22), on both backends: the office's `doorstep admin
//! order …` and `district policy` through the real binary, and the phone's field actions (a
//! hand back, a fault raised on site, a changed appointment) pushed over HTTP.

use chrono::{Duration, SubsecRound, Utc};
use common::office::Office;
use common::{Backend, TestServer, enrolled_phone, households, team};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::workorder::{
    AgreedBy, Appointment, FaultClass, RecordedBy, WorkOrder, WorkOrderKind, WorkOrderSource,
    WorkOrderStatus,
};
use doorstep_server::bucket::Bucket;
use doorstep_server::storage;

use super::*;

impl Office {
    fn audited(&self) -> Vec<String> {
        let storage = self.storage();
        storage::read(&*storage, |tx| Ok(tx.audit_log(100)?))
            .unwrap()
            .into_iter()
            .map(|row| row.action)
            .collect()
    }

    /// A district around the West Lake office whose major faults get a crew in 20 minutes.
    fn fast_district(&self) -> String {
        let id = self.ok(&[
            "district",
            "add",
            "--name",
            "文新片区",
            "--boundary",
            "120.10 30.25, 120.20 30.25, 120.20 30.30, 120.10 30.30",
        ]);
        let policy = self.ok(&["district", "policy", &id, "--set", "major_on_site=20m"]);
        assert!(policy.contains("major_on_site\t1200"), "{policy}");
        id
    }

    /// The clocks `order deadlines` prints: (milestone, state).
    fn clocks(&self, number: &str) -> Vec<(String, String)> {
        self.ok(&["order", "deadlines", number])
            .lines()
            .map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                (cols[0].to_owned(), cols[2].to_owned())
            })
            .collect()
    }
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn pair(m: &str, s: &str) -> (String, String) {
    (m.to_owned(), s.to_owned())
}

on_both_backends! {
    fn a_leak_with_evacuation_is_reported_to_the_leadership_and_has_its_crew_on_site_within_its_target(backend: Backend) {
        let office = Office::on(backend);
        office.fast_district();
        office.ok(&[
            "order", "create", "--number", "QX-1", "--kind", "pipeline_fault", "--source", "phone",
            "--class", "major", "--lat", "30.27", "--lon", "120.15", "--description", "燃气泄漏，已疏散",
        ]);
        let order = office.order("QX-1");
        assert_eq!(order.fault_class(), Some(FaultClass::Major));
        assert_eq!(order.targets.major_on_site, Duration::minutes(20), "stamped with its district's target");
        assert_eq!(
            office.clocks("QX-1"),
            vec![pair("emergency_on_site", "open"), pair("leadership_report", "open")]
        );

        office.ok(&["order", "report-leadership", "QX-1", "--told", "值班副总经理"]);
        let order = office.order("QX-1");
        let report = order.leadership_report.as_ref().unwrap();
        assert_eq!(report.told, "值班副总经理");
        assert_eq!(report.by, RecordedBy::Office { operator: "wangli".into() });
        assert_eq!(
            office.clocks("QX-1"),
            vec![pair("emergency_on_site", "open"), pair("leadership_report", "met")]
        );
        let again = office.refused(&["order", "report-leadership", "QX-1", "--told", "总经理"]);
        assert!(again.contains("--told"), "{again}");
        let audited = office.audited();
        assert!(audited.contains(&"work_order_leadership_reported".to_owned()), "{audited:?}");
        assert!(audited.contains(&"district_policy_set".to_owned()));
    }
}

on_both_backends! {
    fn an_ordinary_fault_raised_at_the_office_keeps_its_lateness_and_starts_the_major_clocks(backend: Backend) {
        let office = Office::on(backend);
        office.fast_district();
        let reported = rfc3339(Utc::now() - Duration::hours(8));
        office.ok(&[
            "order", "create", "--number", "GZ-2", "--kind", "pipeline_fault", "--source", "phone",
            "--lat", "30.27", "--lon", "120.15", "--reported-at", &reported,
        ]);
        assert_eq!(office.order("GZ-2").fault_class(), Some(FaultClass::Ordinary));
        office.ok(&["order", "raise", "GZ-2", "--reason", "主管断裂"]);
        assert_eq!(
            office.clocks("GZ-2"),
            vec![
                pair("handle", "overdue"),
                pair("repair", "open"),
                pair("emergency_on_site", "open"),
                pair("leadership_report", "open"),
            ]
        );
        let order = office.order("GZ-2");
        assert_eq!(order.class_changes.len(), 1);
        assert_eq!(order.class_changes[0].reason, "主管断裂");

        let twice = office.refused(&["order", "raise", "GZ-2", "--reason", "again"]);
        assert!(twice.contains("--class"), "{twice}");
        office.ok(&[
            "order", "create", "--number", "XJ-3", "--kind", "inspection", "--source", "system",
            "--lat", "30.27", "--lon", "120.15",
        ]);
        let no_class = office.refused(&["order", "raise", "XJ-3", "--reason", "fire"]);
        assert!(no_class.contains("--class"), "{no_class}");
        let refused = office.refused(&[
            "order", "create", "--number", "XJ-4", "--kind", "inspection", "--source", "system",
            "--lat", "30.27", "--lon", "120.15", "--class", "major",
        ]);
        assert!(refused.contains("--class"), "{refused}");
        assert_eq!(office.order("GZ-2").class_changes.len(), 1, "a refused raise stores nothing");
    }
}

on_both_backends! {
    fn a_user_who_asked_for_the_evening_is_on_time_in_the_window_and_a_changed_appointment_is_kept(backend: Backend) {
        let office = Office::on(backend);
        office.fast_district();
        let now = Utc::now().trunc_subsecs(0);
        let (from, to) = (now + Duration::hours(8), now + Duration::hours(9));
        office.ok(&[
            "order", "create", "--number", "HN-5", "--kind", "user_equipment_fault", "--source", "phone",
            "--lat", "30.27", "--lon", "120.15",
            "--appointment-from", &rfc3339(from), "--appointment-to", &rfc3339(to),
        ]);
        let order = office.order("HN-5");
        assert_eq!(order.appointment, Some(Appointment { from, to }));
        assert_eq!(office.clocks("HN-5"), vec![pair("equipment_on_site", "open")]);

        let (later_from, later_to) = (now + Duration::hours(20), now + Duration::hours(22));
        office.ok(&[
            "order", "appointment", "HN-5", "--from", &rfc3339(later_from), "--to", &rfc3339(later_to),
            "--contact", "女儿",
        ]);
        let order = office.order("HN-5");
        assert_eq!(order.current_appointment(), Some(Appointment { from: later_from, to: later_to }));
        assert_eq!(order.appointment_changes[0].agreed_by, AgreedBy::Contact { name: "女儿".into() });
        let due = office.ok(&["order", "deadlines", "HN-5"]);
        let local = later_to.with_timezone(&doorstep_core::calendar::service_timezone());
        assert!(due.contains(&local.format("%Y-%m-%d %H:%M").to_string()), "{due}");

        let backwards = office.refused(&[
            "order", "appointment", "HN-5", "--from", &rfc3339(later_to), "--to", &rfc3339(later_from), "--user",
        ]);
        assert!(backwards.contains("--from/--to"), "{backwards}");
        let nobody = office.refused(&[
            "order", "appointment", "HN-5", "--from", &rfc3339(later_from), "--to", &rfc3339(later_to),
        ]);
        assert!(nobody.contains("--user") || nobody.contains("--contact"), "{nobody}");
        assert_eq!(office.order("HN-5").appointment_changes.len(), 1, "refused changes store nothing");
    }
}

on_both_backends! {
    fn a_districts_policy_refuses_a_bad_target_and_stores_nothing(backend: Backend) {
        let office = Office::on(backend);
        let id = office.fast_district();
        for bad in ["major_on_site=0m", "major_on_site=31d", "major_on_site=soon", "nonsense=5m", "major_on_site"] {
            let said = office.refused(&["district", "policy", &id, "--set", bad]);
            assert!(said.contains("--set"), "{bad}: {said}");
        }
        let file = office.dir.path().join("policy.json");
        std::fs::write(&file, r#"{"leadership_report": 900}"#).unwrap();
        let printed = office.ok(&["district", "policy", &id, "--file", file.to_str().unwrap()]);
        assert!(printed.contains("leadership_report\t900"), "{printed}");
        assert!(printed.contains("major_on_site\t1800"), "a file sets the whole policy: {printed}");
        std::fs::write(&file, r#"{"leadership_report": -1}"#).unwrap();
        let said = office.refused(&["district", "policy", &id, "--file", file.to_str().unwrap()]);
        assert!(said.contains("--file"), "{said}");
    }
}

/// An order the office assigned to the team's inspector, for one of the team's households.
fn assigned_order(
    server: &TestServer,
    kind: WorkOrderKind,
    household: doorstep_core::ids::HouseholdId,
    technician: doorstep_core::ids::TechnicianId,
) -> WorkOrder {
    let mut order = WorkOrder::open(
        format!("GD-{}", rand_suffix()),
        kind,
        WorkOrderSource::Phone,
        Some(household),
        "",
        Utc::now().trunc_subsecs(3) - Duration::minutes(5),
    );
    order.assignee = Some(technician);
    order
        .advance(WorkOrderStatus::Dispatched, order.reported_at, None)
        .unwrap();
    server.office_put(Record::WorkOrder(Box::new(order.clone())));
    order
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

on_both_backends! {
    fn a_technician_declines_an_order_and_it_returns_unassigned_to_the_office(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "T501");
        let h = households(&server, &team, 1).remove(0);
        let order = assigned_order(&server, WorkOrderKind::ShutOff, h.id, team.inspector.id);
        let phone = enrolled_phone(&server, &team);
        phone
            .store()
            .hand_back_work_order(order.id, Utc::now(), "不是我的专业")
            .unwrap();
        phone.sync().unwrap();

        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.assignee, None);
        assert_eq!(on_server.status(), WorkOrderStatus::Dispatched, "the status stays");
        assert_eq!(on_server.hand_backs.len(), 1);
        assert!(on_server.hand_backs[0].declined);
        assert_eq!(on_server.hand_backs[0].technician, team.inspector.id);
        let buckets = storage::read(&*server.storage, |tx| {
            Ok(tx.record(Entity::WorkOrder, &order.id.to_string())?.unwrap().buckets)
        })
        .unwrap();
        assert!(!buckets.contains(&Bucket::Technician(team.inspector.id)), "{buckets:?}");
        assert_eq!(phone.store().work_order(order.id).unwrap().assignee, None);
    }
}

on_both_backends! {
    fn a_fault_raised_on_site_reaches_the_office_and_a_raise_the_office_made_first_stands(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "T502");
        let hs = households(&server, &team, 2);
        let mine = assigned_order(&server, WorkOrderKind::PipelineFault, hs[0].id, team.inspector.id);
        let raised_by_office = assigned_order(&server, WorkOrderKind::PipelineFault, hs[1].id, team.inspector.id);
        let phone = enrolled_phone(&server, &team);
        {
            let mut store = phone.store();
            store.raise_work_order_class(mine.id, Utc::now(), "需疏散居民").unwrap();
            store.raise_work_order_class(raised_by_office.id, Utc::now(), "火情").unwrap();
        }
        // Meanwhile the office raised the second one.
        let mut office_copy = server.work_order(&raised_by_office.id.to_string());
        office_copy
            .raise_to_major(Utc::now() - Duration::minutes(1), RecordedBy::Office { operator: "wangli".into() }, "接警升级")
            .unwrap();
        server.office_put(Record::WorkOrder(Box::new(office_copy)));
        phone.sync().unwrap();

        let on_server = server.work_order(&mine.id.to_string());
        assert_eq!(on_server.fault_class(), Some(FaultClass::Major));
        assert_eq!(on_server.class_changes[0].by, RecordedBy::Technician { technician: team.inspector.id });
        let theirs = server.work_order(&raised_by_office.id.to_string());
        assert_eq!(theirs.class_changes.len(), 1);
        assert_eq!(theirs.class_changes[0].reason, "接警升级", "the office's raise stands");
        phone.sync().unwrap();
        assert_eq!(phone.store().work_order(raised_by_office.id).unwrap().class_changes, theirs.class_changes);
    }
}

on_both_backends! {
    fn an_appointment_changed_on_the_phone_reaches_the_office_with_who_agreed(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "T503");
        let h = households(&server, &team, 1).remove(0);
        let order = assigned_order(&server, WorkOrderKind::UserEquipmentFault, h.id, team.inspector.id);
        let phone = enrolled_phone(&server, &team);
        let now = Utc::now().trunc_subsecs(3);
        let window = Appointment { from: now + Duration::hours(3), to: now + Duration::hours(4) };
        phone
            .store()
            .change_work_order_appointment(order.id, window, AgreedBy::User, now, now)
            .unwrap();
        phone.sync().unwrap();
        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.current_appointment(), Some(window));
        assert_eq!(on_server.appointment_changes[0].agreed_by, AgreedBy::User);
        assert_eq!(
            on_server.appointment_changes[0].recorded_by,
            RecordedBy::Technician { technician: team.inspector.id }
        );
        let due = doorstep_core::workorder::deadline::deadlines(&on_server)[0].due_at;
        assert_eq!(due, window.to, "the clock is the window");
    }
}

on_both_backends! {
    fn a_hand_back_of_an_order_the_office_gave_to_someone_else_meanwhile_is_kept_as_history_only(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "T504");
        let h = households(&server, &team, 1).remove(0);
        let order = assigned_order(&server, WorkOrderKind::Reconnection, h.id, team.inspector.id);
        let phone = enrolled_phone(&server, &team);
        phone
            .store()
            .hand_back_work_order(order.id, Utc::now(), "今天不在片区")
            .unwrap();
        // Before the phone syncs, the office reassigns the order to a colleague.
        let colleague = doorstep_core::ids::TechnicianId::new();
        let mut reassigned = server.work_order(&order.id.to_string());
        reassigned.assignee = Some(colleague);
        server.office_put(Record::WorkOrder(Box::new(reassigned)));
        phone.sync().unwrap();

        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.assignee, Some(colleague), "the office's decision stands");
        assert_eq!(on_server.hand_backs.len(), 1, "the hand back is kept as history");
        assert_eq!(on_server.hand_backs[0].reason, "今天不在片区");
    }
}
