//! A phone's clock, believed as far as it can be: steps made offline count when they were
//! made, a clock far ahead neither wins merges nor moves deadlines and due dates.

use chrono::{Duration, TimeZone, Utc};
use common::{Backend, TestServer, households, team};
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::storage::Counted;

use super::*;

on_both_backends! {
    fn a_phone_whose_clock_runs_hours_ahead_does_not_drag_the_other_phones_clocks(backend: Backend) {
        use doorstep_core::sync::protocol::PushRequest;
        use doorstep_core::sync::time::CLOCK_TOLERANCE;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let ahead = common::enrolled_phone(&server, &team);

        // An edit from a phone set to Beijing time in a UTC zone: 8 hours ahead.
        let mut h = ahead.store().household(hs[0].id).unwrap();
        h.name = "王建国".into();
        ahead.store().save_household(&h, Utc::now()).unwrap();
        let mut ops = ahead.store().push_batch(10).unwrap();
        for op in &mut ops {
            op.hlc.wall_ms += Duration::hours(8).num_milliseconds() as u64;
            op.device_time += Duration::hours(8);
        }
        let answer = common::raw_post(&server.url, "/v1/push", &ahead, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());

        // Another phone pulls, then changes something: its stamp is its own time, not the
        // other phone's, so its steps still count when they happened.
        let other = common::enrolled_phone(&server, &team);
        let mut h = other.store().household(hs[0].id).unwrap();
        h.name = "李四".into();
        other.store().save_household(&h, Utc::now()).unwrap();
        let stamp = other.store().push_batch(1).unwrap()[0].hlc.wall_ms as i64;
        let drift = stamp - Utc::now().timestamp_millis();
        assert!(
            drift < CLOCK_TOLERANCE.num_milliseconds(),
            "the phone's clock was dragged {} minutes ahead",
            drift / 60_000
        );
    }
}

on_both_backends! {
    fn a_phone_a_year_ahead_does_not_win_every_later_edit_of_a_contact_detail(backend: Backend) {
        use doorstep_core::sync::protocol::PushRequest;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let ahead = common::enrolled_phone(&server, &team);
        let other = common::enrolled_phone(&server, &team);

        // A phone whose clock is set a year ahead changes the household's name.
        let mut h = ahead.store().household(hs[0].id).unwrap();
        h.name = "王建国".into();
        ahead.store().save_household(&h, Utc::now()).unwrap();
        let mut ops = ahead.store().push_batch(10).unwrap();
        let year = Duration::days(365);
        for op in &mut ops {
            op.hlc.wall_ms += year.num_milliseconds() as u64;
            op.device_time += year;
        }
        let answer = common::raw_post(&server.url, "/v1/push", &ahead, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());
        assert_eq!(server.household(hs[0].id).name, "王建国");

        // Afterwards a phone with a right clock, which had not seen that change, changes the
        // name too: the later edit is its, and it stands; the other is kept as a conflict.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut h = other.store().household(hs[0].id).unwrap();
        h.name = "李四".into();
        other.store().save_household(&h, Utc::now()).unwrap();
        let conflicts = server.count(Counted::Conflicts);
        other.sync().unwrap();
        assert_eq!(server.household(hs[0].id).name, "李四");
        assert_eq!(server.count(Counted::Conflicts), conflicts + 1);
    }
}

on_both_backends! {
    fn an_inspection_signed_on_a_phone_a_year_ahead_does_not_put_the_next_one_off_a_year(backend: Backend) {
        use doorstep_core::sync::protocol::Operation;
        use doorstep_core::sync::protocol::PushRequest;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);

        phone.store().record_inspection_signed(hs[0].id, Utc::now()).unwrap();
        let mut ops = phone.store().push_batch(10).unwrap();
        let year = Duration::days(365);
        for op in &mut ops {
            op.hlc.wall_ms += year.num_milliseconds() as u64;
            op.device_time += year;
            if let Operation::InspectionSigned { at, .. } = &mut op.operation {
                *at += year;
            }
        }
        let before = Utc::now();
        let answer = common::raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());
        let signed = server.household(hs[0].id).last_inspection_at.expect("recorded");
        assert!(
            signed >= before && signed <= Utc::now(),
            "counted when it arrived, not a year ahead: {signed}"
        );
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
        let phone = common::enrolled_phone(&server, &team);

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

on_both_backends! {
    fn an_order_opened_on_a_phone_a_year_ahead_keeps_its_deadlines_from_now(backend: Backend) {
        use doorstep_core::sync::protocol::Operation;
        use doorstep_core::sync::protocol::PushRequest;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        let mut order = WorkOrder::open(
            "GD-0002",
            WorkOrderKind::PipelineFault,
            WorkOrderSource::Visit,
            Some(hs[0].id),
            "巡检发现立管锈蚀",
            Utc::now(),
        );
        order.assignee = Some(team.inspector.id);
        phone.store().open_work_order(&order).unwrap();
        let mut ops = phone.store().push_batch(10).unwrap();
        let year = Duration::days(365);
        for op in &mut ops {
            op.hlc.wall_ms += year.num_milliseconds() as u64;
            op.device_time += year;
            if let Operation::WorkOrderOpened { order } = &mut op.operation {
                order.reported_at += year;
                for step in &mut order.steps {
                    step.at += year;
                }
            }
        }
        let before = Utc::now();
        let answer = common::raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());
        let stored = server.work_order(&order.id.to_string());
        assert!(stored.reported_at <= Utc::now(), "reported a year ahead: {}", stored.reported_at);
        assert!(stored.reported_at >= before - Duration::minutes(1));
        assert!(stored.steps.iter().all(|s| s.at <= Utc::now()), "{:?}", stored.steps);
    }
}

on_both_backends! {
    fn a_last_inspection_sent_as_an_edit_neither_runs_ahead_nor_moves_back(backend: Backend) {
        use doorstep_core::sync::protocol::Operation;
        use doorstep_core::sync::protocol::PushRequest;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let signed = server.household(hs[0].id).last_inspection_at;
        let phone = common::enrolled_phone(&server, &team);
        let mut h = phone.store().household(hs[0].id).unwrap();
        h.name = "王建国".into();
        phone.store().save_household(&h, Utc::now()).unwrap();
        let ops = phone.store().push_batch(10).unwrap();
        let with_inspection = |at: chrono::DateTime<Utc>| {
            let mut ops = ops.clone();
            for op in &mut ops {
                if let Operation::HouseholdSaved { household, changed, .. } = &mut op.operation {
                    household.last_inspection_at = Some(at);
                    *changed = vec!["last_inspection_at".into()];
                }
                op.op_id = doorstep_core::ids::OperationId::new();
            }
            PushRequest { ops }
        };
        let before = Utc::now();
        let ahead = with_inspection(Utc::now() + Duration::days(365));
        assert!(common::raw_post(&server.url, "/v1/push", &phone, &ahead).status().is_success());
        let stored = server.household(hs[0].id).last_inspection_at.unwrap();
        assert!(stored >= before - Duration::minutes(1) && stored <= Utc::now(), "{stored}");
        assert!(signed.is_none_or(|s| stored >= s));

        let back = with_inspection(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap());
        assert!(common::raw_post(&server.url, "/v1/push", &phone, &back).status().is_success());
        assert_eq!(server.household(hs[0].id).last_inspection_at, Some(stored), "never moved back by a phone");
    }
}
