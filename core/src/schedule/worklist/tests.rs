use super::*;
use crate::workorder::WorkOrderSource;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap() // 10:00 in Beijing
}

fn order(kind: WorkOrderKind, reported_hours_ago: i64, special: bool) -> OrderCandidate {
    let order = WorkOrder::open(
        format!("WO-{}", rand::random::<u32>()),
        kind,
        WorkOrderSource::Phone,
        Some(HouseholdId::new()),
        "",
        now() - Duration::hours(reported_hours_ago),
    );
    OrderCandidate {
        order,
        special_group: special,
        location: None,
    }
}

fn point(lat: f64, lon: f64) -> Option<GeoPoint> {
    GeoPoint::new(lat, lon).ok()
}

fn inspection(due_days_from_today: i64, lat: f64, lon: f64) -> InspectionCandidate {
    InspectionCandidate {
        household_id: HouseholdId::new(),
        category: Category::Residential,
        due_on: local_date(now()) + Duration::days(due_days_from_today),
        special_group: false,
        location: point(lat, lon),
    }
}

fn ids(list: &[WorkItem]) -> Vec<Option<HouseholdId>> {
    list.iter().map(|i| i.household_id).collect()
}

#[test]
fn emergencies_come_first_then_orders_by_nearest_deadline() {
    let return_visit = order(WorkOrderKind::ReturnVisit, 30, false);
    let mut equipment = order(WorkOrderKind::UserEquipmentFault, 0, false);
    // Its district wants a crew within 15 minutes.
    equipment.order.targets.equipment_on_site = Duration::minutes(15);
    let pipeline_old = order(WorkOrderKind::PipelineFault, 5, false); // handle due in 1 h
    let pipeline_new = order(WorkOrderKind::PipelineFault, 1, false); // handle due in 5 h
    let expected = vec![
        equipment.order.household_id,
        pipeline_old.order.household_id,
        pipeline_new.order.household_id,
        return_visit.order.household_id,
    ];
    let list = work_list(
        vec![return_visit, pipeline_new, equipment, pipeline_old],
        vec![],
        None,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(ids(&list), expected);
    assert!(matches!(
        list[0].reason,
        WorkReason::Emergency {
            milestone: Milestone::EquipmentOnSite,
            ..
        }
    ));
    // A return visit's clock is days, not hours: it comes after the faults.
    assert!(matches!(
        list[3].reason,
        WorkReason::Deadline {
            milestone: Milestone::ReturnVisit,
            ..
        }
    ));
}

#[test]
fn special_group_home_service_comes_after_every_fault_and_before_inspections_patrols_and_return_visits()
 {
    let return_visit = order(WorkOrderKind::ReturnVisit, 100, true);
    let patrol = order(WorkOrderKind::AbnormalUsePatrol, 100, false);
    let inspection_order = order(WorkOrderKind::Inspection, 100, true);
    // Its visit is overdue, and still it waits behind a fault reported a minute ago.
    let special = order(WorkOrderKind::SpecialGroupService, 30, true);
    let fault = order(WorkOrderKind::PipelineFault, 0, false);
    let expected = [
        fault.order.household_id,
        special.order.household_id,
        inspection_order.order.household_id,
        patrol.order.household_id,
        return_visit.order.household_id,
    ];
    let mut due = inspection(-30, 30.27, 120.15);
    due.special_group = true;
    let list = work_list(
        vec![return_visit, patrol, special, inspection_order, fault],
        vec![due.clone()],
        None,
        now(),
        &WorkListOptions::default(),
    );
    let mut got = ids(&list);
    assert_eq!(
        got.pop(),
        Some(Some(due.household_id)),
        "due inspections last"
    );
    // The three orders without a clock keep report order among themselves.
    assert_eq!(got[..2], expected[..2]);
    let mut rest = got[2..].to_vec();
    let mut expected_rest = expected[2..].to_vec();
    rest.sort();
    expected_rest.sort();
    assert_eq!(rest, expected_rest);
    assert_eq!(
        list[1].reason,
        WorkReason::SpecialGroup {
            milestone: Milestone::SpecialGroupVisit,
            due_at: now() - Duration::hours(6),
            breached: true,
        }
    );
    assert_eq!(
        list[1].reason.describe(false),
        format!(
            "Special group first: home visit due by {} (overdue)",
            (now() - Duration::hours(6))
                .with_timezone(&crate::calendar::service_timezone())
                .format("%m-%d %H:%M")
        )
    );
    assert!(list[1].reason.describe(true).starts_with("特殊群体优先"));
}

#[test]
fn breached_emergency_goes_to_the_top() {
    let breached = order(WorkOrderKind::PipelineFault, 8, false); // handle deadline passed
    let fresh = order(WorkOrderKind::UserEquipmentFault, 0, false);
    let expected = vec![breached.order.household_id, fresh.order.household_id];
    let list = work_list(
        vec![fresh, breached],
        vec![],
        None,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(ids(&list), expected);
    assert!(matches!(
        list[0].reason,
        WorkReason::Emergency { breached: true, .. }
    ));
    assert!(list[0].reason.describe(true).contains("已超时"));
}

#[test]
fn elderly_user_goes_ahead_at_equal_urgency_but_not_ahead_of_a_nearer_deadline() {
    let earlier = order(WorkOrderKind::PipelineFault, 3, false);
    let mut elderly = order(WorkOrderKind::PipelineFault, 3, true);
    // Same urgency bucket: reported ten minutes apart, the elderly user's slightly later.
    elderly.order.reported_at += Duration::minutes(10);
    elderly.order.steps[0].at = elderly.order.reported_at;
    let urgent = order(WorkOrderKind::PipelineFault, 5, false);
    let expected = vec![
        urgent.order.household_id,
        elderly.order.household_id,
        earlier.order.household_id,
    ];
    let list = work_list(
        vec![earlier, elderly, urgent],
        vec![],
        None,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(ids(&list), expected);
    assert!(list[1].special_group);
}

#[test]
fn inspections_follow_the_orders_in_a_walking_route() {
    let start = point(30.2700, 120.1500);
    let far = inspection(-30, 30.2790, 120.1500);
    let near = inspection(-10, 30.2710, 120.1500);
    let middle = inspection(0, 30.2750, 120.1500);
    let later = inspection(3, 30.2760, 120.1500);
    let next_month = inspection(40, 30.2701, 120.1500);
    let fault = order(WorkOrderKind::PipelineFault, 1, false);
    let list = work_list(
        vec![fault.clone()],
        vec![
            far.clone(),
            next_month,
            near.clone(),
            later.clone(),
            middle.clone(),
        ],
        start,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(
        ids(&list),
        vec![
            fault.order.household_id,
            Some(near.household_id),
            Some(middle.household_id),
            Some(later.household_id),
            Some(far.household_id)
        ],
        "orders first, then the due inspections from the start outwards; next month's is left out"
    );
    assert!(matches!(
        list[1].reason,
        WorkReason::InspectionOverdue { days: 10, .. }
    ));
    assert!(matches!(
        list[2].reason,
        WorkReason::InspectionDue { in_days: 0, .. }
    ));
    assert_eq!(list[3].reason.describe(false), "Inspection due in 3 days");
}

#[test]
fn a_full_day_takes_the_most_overdue_inspections() {
    let options = WorkListOptions {
        max_inspections: 2,
        ..WorkListOptions::default()
    };
    let a = inspection(-100, 30.27, 120.15);
    let b = inspection(-5, 30.28, 120.15);
    let c = inspection(-50, 30.29, 120.15);
    let list = work_list(vec![], vec![a.clone(), b, c.clone()], None, now(), &options);
    let mut chosen = ids(&list);
    chosen.sort();
    let mut expected = vec![Some(a.household_id), Some(c.household_id)];
    expected.sort();
    assert_eq!(chosen, expected);
}

#[test]
fn a_household_with_an_order_is_not_listed_twice() {
    let fault = order(WorkOrderKind::UserEquipmentFault, 0, false);
    let mut due = inspection(-3, 30.27, 120.15);
    due.household_id = fault.order.household_id.unwrap();
    let list = work_list(
        vec![fault],
        vec![due],
        None,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(list.len(), 1);
}

#[test]
fn closed_orders_and_unlocated_households_are_handled() {
    let mut done = order(WorkOrderKind::PipelineFault, 2, false);
    done.order
        .advance(WorkOrderStatus::Resolved, now(), None)
        .unwrap();
    let unlocated = InspectionCandidate {
        location: None,
        ..inspection(-1, 0.0, 0.0)
    };
    let located = inspection(-1, 30.27, 120.15);
    let list = work_list(
        vec![done],
        vec![unlocated.clone(), located.clone()],
        None,
        now(),
        &WorkListOptions::default(),
    );
    assert_eq!(
        ids(&list),
        vec![Some(located.household_id), Some(unlocated.household_id)],
        "closed order gone; an address without a position goes last"
    );
}

#[test]
fn reasons_read_as_words_in_each_language_not_as_codes() {
    let due_at = Utc.with_ymd_and_hms(2026, 11, 28, 15, 0, 0).unwrap();
    let emergency = WorkReason::Emergency {
        milestone: Milestone::Handle,
        due_at,
        breached: true,
    };
    assert_eq!(
        emergency.describe(false),
        "Emergency: on-site response due by 11-28 23:00 (overdue)"
    );
    assert_eq!(
        emergency.describe(true),
        "紧急故障：须在 11-28 23:00 前到场处理（已超时）"
    );
    let overdue = WorkReason::InspectionOverdue {
        due_on: due_at.date_naive(),
        days: 1,
    };
    assert_eq!(overdue.describe(false), "Inspection overdue by 1 day");
}
