//! Work orders the technician changes from the phone: opened at the door and stamped with the
//! district's targets, raised to major on site, an appointment changed with the user's consent,
//! declined or handed back. Each is stored and queued in one transaction, or refused whole.

use crate::common;

use chrono::Duration;
use common::*;
use doorstep_core::error::Error;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::ids::{DistrictId, TechnicianId};
use doorstep_core::store::Store;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::team::{District, Technician, TechnicianRole};
use doorstep_core::workorder::deadline::{Milestone, deadlines};
use doorstep_core::workorder::{
    AgreedBy, Appointment, DeadlinePolicy, FaultClass, RecordedBy, WorkOrder, WorkOrderKind,
    WorkOrderSource, WorkOrderStatus,
};

struct Field {
    _dir: tempfile::TempDir,
    store: Store,
    me: TechnicianId,
    household: doorstep_core::ids::HouseholdId,
}

/// An enrolled technician of a district whose major faults get a crew within 20 minutes.
fn field() -> Field {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let mut policy = DeadlinePolicy::default();
    policy.set("major_on_site", Duration::minutes(20)).unwrap();
    let district = District {
        id: DistrictId::new(),
        name: "第1片区".into(),
        boundary: Area::new(vec![
            p(30.26, 120.14),
            p(30.26, 120.16),
            p(30.28, 120.16),
            p(30.28, 120.14),
        ])
        .unwrap(),
        policy: Box::new(policy),
    };
    let district_id = district.id;
    store.receive_districts(&[district]).unwrap();
    let me = Technician {
        id: TechnicianId::new(),
        badge: "T100".into(),
        name: "张师傅".into(),
        phone: None,
        role: TechnicianRole::RepairTechnician,
        crew_id: None,
        district_id: Some(district_id),
        active: true,
    };
    store
        .set_enrollment("https://doorstep.test", "secret", &me)
        .unwrap();
    let h = in_district(
        household(
            "3300000301",
            "赵梅",
            "13800000301",
            "文二路3号",
            30.27,
            120.15,
        ),
        district_id,
    );
    store.save_household(&h, at(2026, 11, 2, 8, 0)).unwrap();
    Field {
        _dir: dir,
        store,
        me: me.id,
        household: h.id,
    }
}

fn opened(f: &mut Field, kind: WorkOrderKind, number: &str) -> WorkOrder {
    let mut order = WorkOrder::open(
        number,
        kind,
        WorkOrderSource::Visit,
        Some(f.household),
        "上门时发现",
        at(2026, 11, 2, 9, 0),
    );
    order.assignee = Some(f.me);
    f.store.open_work_order(&order).unwrap();
    f.store.work_order(order.id).unwrap()
}

#[test]
fn a_hazard_found_on_a_visit_opens_an_order_stamped_with_the_districts_targets_from_that_moment() {
    let mut f = field();
    let mut order = opened(&mut f, WorkOrderKind::PipelineFault, "GD-301");
    assert_eq!(order.targets.major_on_site, Duration::minutes(20));
    assert_eq!(order.reported_at, at(2026, 11, 2, 9, 0));

    order = f
        .store
        .raise_work_order_class(order.id, at(2026, 11, 2, 9, 10), "燃气泄漏需疏散")
        .unwrap();
    assert_eq!(order.fault_class(), Some(FaultClass::Major));
    assert_eq!(
        order.class_changes[0].by,
        RecordedBy::Technician { technician: f.me }
    );
    let emergency = deadlines(&order)
        .into_iter()
        .find(|d| d.milestone == Milestone::EmergencyOnSite)
        .unwrap();
    assert_eq!(emergency.due_at, at(2026, 11, 2, 9, 30));
    assert_eq!(
        f.store.work_order(order.id).unwrap(),
        order,
        "what the phone shows is what it stored"
    );
    let queued = f.store.outbox(10).unwrap();
    assert!(matches!(
        queued.last().unwrap().operation,
        Operation::WorkOrderClassRaised { .. }
    ));
}

#[test]
fn a_technician_declines_an_order_with_a_reason_and_it_leaves_their_list() {
    let mut f = field();
    let order = opened(&mut f, WorkOrderKind::ShutOff, "GD-302");
    f.store
        .move_work_order(
            order.id,
            WorkOrderStatus::Dispatched,
            at(2026, 11, 2, 9, 5),
            None,
        )
        .unwrap();
    let before = f.store.outbox_len().unwrap();
    let Err(Error::Invalid(e)) =
        f.store
            .hand_back_work_order(order.id, at(2026, 11, 2, 9, 10), "  ")
    else {
        panic!("a hand back without a reason is refused")
    };
    assert_eq!(e.field, "work_order.hand_back.reason");
    assert_eq!(f.store.outbox_len().unwrap(), before, "nothing queued");

    let back = f
        .store
        .hand_back_work_order(order.id, at(2026, 11, 2, 9, 10), "不在我的片区")
        .unwrap();
    assert_eq!(back.assignee, None);
    assert_eq!(back.status(), WorkOrderStatus::Dispatched, "status stays");
    assert!(back.hand_backs[0].declined);
    let list = f
        .store
        .work_list(f.me, at(2026, 11, 2, 9, 15), None, &Default::default())
        .unwrap();
    assert!(list.iter().all(|i| i.household_id != Some(f.household)
        || !matches!(
            i.task,
            doorstep_core::schedule::worklist::Task::Order { .. }
        )));
    assert!(matches!(
        f.store.outbox(10).unwrap().last().unwrap().operation,
        Operation::WorkOrderHandedBack { .. }
    ));
    let Err(Error::Invalid(e)) =
        f.store
            .hand_back_work_order(order.id, at(2026, 11, 2, 9, 20), "again")
    else {
        panic!("an order no longer theirs cannot be handed back")
    };
    assert_eq!(e.field, "work_order.assignee");
}

#[test]
fn a_changed_appointment_is_recorded_with_the_users_consent_and_kept_as_history() {
    let mut f = field();
    let order = opened(&mut f, WorkOrderKind::UserEquipmentFault, "GD-303");
    let evening = Appointment {
        from: at(2026, 11, 2, 18, 0),
        to: at(2026, 11, 2, 19, 0),
    };
    let changed = f
        .store
        .change_work_order_appointment(
            order.id,
            evening,
            AgreedBy::Contact {
                name: "女儿".into(),
            },
            at(2026, 11, 2, 9, 20),
            at(2026, 11, 2, 9, 25),
        )
        .unwrap();
    assert_eq!(changed.current_appointment(), Some(evening));
    assert_eq!(
        deadlines(&changed)[0].due_at,
        at(2026, 11, 2, 19, 0),
        "the clock is the window"
    );
    let before = f.store.outbox_len().unwrap();
    let backwards = Appointment {
        from: evening.to,
        to: evening.from,
    };
    let Err(Error::Invalid(e)) = f.store.change_work_order_appointment(
        order.id,
        backwards,
        AgreedBy::User,
        at(2026, 11, 2, 9, 30),
        at(2026, 11, 2, 9, 30),
    ) else {
        panic!()
    };
    assert_eq!(e.field, "work_order.appointment.window");
    assert_eq!(f.store.outbox_len().unwrap(), before);
    assert_eq!(f.store.work_order(order.id).unwrap(), changed);
}
