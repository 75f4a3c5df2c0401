//! When an urgent order reached its technician's phone and when it was accepted (issue 23), on
//! both backends, with a real device syncing over HTTP: the office reads it with `doorstep admin
//! order delivery` (the console, issue 26, will show the same record).

use std::process::Command;

use chrono::{Duration, SubsecRound, Utc};
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{
    FaultClass, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};
use doorstep_server::delivery::order_delivery;

use crate::common;
use common::*;

/// `doorstep admin order delivery <number>` against the server's database: its output.
fn delivery_printed(server: &TestServer, number: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args(["admin", "order", "delivery", number])
        .args(server.admin_storage_args())
        .env_remove("DOORSTEP_DATABASE_URL")
        .env("USER", "wangli")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

on_both_backends! {
    fn a_major_leak_reaches_the_inspectors_phone_within_its_target_and_the_office_sees_when_it_was_accepted(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "T701");
        let h = households(&server, &team, 1).remove(0);
        let phone = enrolled_phone(&server, &team);
        let reported = Utc::now().trunc_subsecs(0) - Duration::minutes(3);
        let mut order = WorkOrder::open(
            "QX-701", WorkOrderKind::PipelineFault, WorkOrderSource::Phone, Some(h.id), "燃气泄漏", reported,
        );
        order.class = Some(FaultClass::Major);
        order.assignee = Some(team.inspector.id);
        order.advance(WorkOrderStatus::Dispatched, reported, None).unwrap();
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let printed = delivery_printed(&server, "QX-701");
        assert!(printed.contains("reached_phone\t-\tnot served yet"), "{printed}");

        // The phone's next sync is served the order; its following one confirms it arrived.
        let before = Utc::now().trunc_subsecs(0);
        phone.sync().unwrap();
        let served = order_delivery(&*server.storage, "QX-701").unwrap();
        assert_eq!(served.reached, None, "not confirmed until the phone asks past that page");
        assert!(served.served_unconfirmed.is_some());
        phone.sync().unwrap();
        let d = order_delivery(&*server.storage, "QX-701").unwrap();
        let reached = d.reached.clone().expect("confirmed by the next pull's cursor");
        assert!(reached.at >= before && reached.at <= Utc::now(), "the time it was served");
        assert!(d.minutes_to_phone().unwrap() < 30, "within the 30-minute target: {d:?}");
        assert_eq!(d.accepted_at, None);

        // The inspector accepts it a minute later; the step counts at the phone's time.
        let accepted = Utc::now().trunc_subsecs(3);
        phone.store().move_work_order(order.id, WorkOrderStatus::Accepted, accepted, None).unwrap();
        phone.sync().unwrap();
        let d = order_delivery(&*server.storage, "QX-701").unwrap();
        assert_eq!(d.accepted_at, Some(accepted));
        assert_eq!(d.reached, Some(reached), "a later version is not a new delivery");

        let printed = delivery_printed(&server, "QX-701");
        let lines: Vec<&str> = printed.lines().collect();
        assert_eq!(lines.len(), 3, "{printed}");
        assert!(lines[0].starts_with("reported\t"), "{printed}");
        assert!(lines[1].starts_with("reached_phone\t20"), "{printed}");
        assert!(lines[1].contains("min after the report"), "{printed}");
        assert!(lines[2].starts_with("accepted\t20"), "{printed}");
        assert!(!printed.contains("燃气泄漏"), "no order text in the delivery lines");
    }
}

on_both_backends! {
    fn an_order_served_to_another_technicians_phone_has_not_reached_its_assignee(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖二片", "T702");
        let h = households(&server, &team, 1).remove(0);
        let phone = enrolled_phone(&server, &team);
        let mut order = WorkOrder::open(
            "QX-702", WorkOrderKind::PipelineFault, WorkOrderSource::Phone, Some(h.id), "", Utc::now(),
        );
        order.assignee = Some(team.inspector.id);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        phone.sync().unwrap();
        phone.sync().unwrap();
        assert!(order_delivery(&*server.storage, "QX-702").unwrap().reached.is_some());

        // The office gives it to a colleague whose phone has not synced since.
        let mut reassigned = server.work_order(&order.id.to_string());
        reassigned.assignee = Some(doorstep_core::ids::TechnicianId::new());
        server.office_put(Record::WorkOrder(Box::new(reassigned)));
        let d = order_delivery(&*server.storage, "QX-702").unwrap();
        assert_eq!(d.reached, None, "{d:?}");
        assert_eq!(d.served_unconfirmed, None);

        let unknown = order_delivery(&*server.storage, "NO-SUCH").unwrap_err();
        assert!(unknown.to_string().contains("work order"), "{unknown}");
    }
}
