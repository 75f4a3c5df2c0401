use super::*;
use crate::calendar::service_timezone;
use crate::ids::HouseholdId;
use crate::workorder::{AgreedBy, Appointment, AppointmentChange, FaultClass, WorkOrderSource};
use chrono::TimeZone;
use proptest::prelude::*;

/// A wall-clock time in the utility's city (UTC+8), as a dispatcher would say it.
fn local(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    service_timezone()
        .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn order(kind: WorkOrderKind, reported_at: DateTime<Utc>) -> WorkOrder {
    WorkOrder::open(
        "WO-7",
        kind,
        WorkOrderSource::Phone,
        Some(HouseholdId::new()),
        "",
        reported_at,
    )
}

fn pipeline_fault_reported_at_1am() -> WorkOrder {
    order(WorkOrderKind::PipelineFault, local(2, 1, 0))
}

fn deadline_of(order: &WorkOrder, milestone: Milestone) -> Deadline {
    deadlines(order)
        .into_iter()
        .find(|d| d.milestone == milestone)
        .expect("the order has this deadline")
}

#[test]
fn pipeline_fault_is_handled_in_6_hours_and_repaired_in_24() {
    let o = pipeline_fault_reported_at_1am();
    let ds = deadlines(&o);
    let due: Vec<_> = ds
        .iter()
        .map(|d| (d.milestone, d.due_at, d.met_at))
        .collect();
    assert_eq!(
        due,
        vec![
            (Milestone::Handle, local(2, 7, 0), None),
            (Milestone::Repair, local(3, 1, 0), None)
        ]
    );
}

#[test]
fn crew_on_site_within_6_hours_met_the_handle_deadline() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::Dispatched, local(2, 1, 10), None)
        .unwrap();
    o.advance(WorkOrderStatus::OnSite, local(2, 5, 30), None)
        .unwrap();
    let handle = deadline_of(&o, Milestone::Handle);
    assert_eq!(handle.met_at, Some(local(2, 5, 30)));
    assert_eq!(
        handle.state(local(4, 0, 0)),
        DeadlineState::Met {
            margin: Duration::minutes(90)
        }
    );
    assert!(!handle.is_breached(local(4, 0, 0)));
}

#[test]
fn crew_on_site_after_7_hours_met_the_handle_deadline_late() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::OnSite, local(2, 8, 0), None)
        .unwrap();
    let handle = deadline_of(&o, Milestone::Handle);
    assert_eq!(
        handle.state(local(2, 8, 0)),
        DeadlineState::MetLate {
            late_by: Duration::hours(1)
        }
    );
    assert!(handle.is_breached(local(2, 8, 0)));
}

#[test]
fn open_fault_shows_the_time_left_on_the_next_deadline() {
    let mut o = pipeline_fault_reported_at_1am();
    let next = next_deadline(&o).unwrap();
    assert_eq!(next.milestone, Milestone::Handle);
    assert_eq!(
        next.state(local(2, 3, 0)),
        DeadlineState::Pending {
            remaining: Duration::hours(4)
        }
    );
    assert!(!next.is_breached(local(2, 3, 0)));

    o.advance(WorkOrderStatus::OnSite, local(2, 4, 0), None)
        .unwrap();
    let next = next_deadline(&o).unwrap();
    assert_eq!(next.milestone, Milestone::Repair);
    assert_eq!(
        next.state(local(2, 13, 0)),
        DeadlineState::Pending {
            remaining: Duration::hours(12)
        }
    );
}

#[test]
fn fault_nobody_reached_in_6_hours_is_breached() {
    let o = pipeline_fault_reported_at_1am();
    let next = next_deadline(&o).unwrap();
    assert_eq!(
        next.state(local(2, 7, 45)),
        DeadlineState::Breached {
            overdue_by: Duration::minutes(45)
        }
    );
    assert!(next.is_breached(local(2, 7, 45)));
}

#[test]
fn deadline_met_or_looked_at_exactly_when_due_is_in_time() {
    let mut o = pipeline_fault_reported_at_1am();
    let due = local(2, 7, 0);
    assert_eq!(
        next_deadline(&o).unwrap().state(due),
        DeadlineState::Pending {
            remaining: Duration::zero()
        }
    );
    o.advance(WorkOrderStatus::OnSite, due, None).unwrap();
    assert_eq!(
        deadline_of(&o, Milestone::Handle).state(due),
        DeadlineState::Met {
            margin: Duration::zero()
        }
    );
}

/// The story of the rule: the crew closes the repair in a basement with no network at 23:00;
/// the phone syncs at 09:00 the next day, 32 hours after the report. The repair was on time.
#[test]
fn repair_closed_offline_at_23_counts_as_23() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::OnSite, local(2, 4, 0), None)
        .unwrap();
    o.advance(WorkOrderStatus::Resolved, local(2, 23, 0), None)
        .unwrap();
    let synced_at = local(3, 9, 0);

    let repair = deadline_of(&o, Milestone::Repair);
    assert_eq!(repair.met_at, Some(local(2, 23, 0)));
    assert_eq!(
        repair.state(synced_at),
        DeadlineState::Met {
            margin: Duration::hours(2)
        }
    );
    assert!(!repair.is_breached(synced_at));
    assert_eq!(next_deadline(&o), None);
}

#[test]
fn user_equipment_fault_with_a_crew_on_site_within_60_minutes_counts_as_at_once() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
    o.advance(WorkOrderStatus::Dispatched, local(2, 18, 12), None)
        .unwrap();
    o.advance(WorkOrderStatus::OnSite, local(2, 18, 57), None)
        .unwrap();
    let ds = deadlines(&o);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].milestone, Milestone::EquipmentOnSite);
    assert_eq!(ds[0].due_at, local(2, 19, 0));
    assert_eq!(
        ds[0].state(local(2, 19, 30)),
        DeadlineState::Met {
            margin: Duration::minutes(3)
        }
    );
}

#[test]
fn user_equipment_fault_reached_after_the_districts_target_is_late() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
    o.targets = DeadlinePolicy {
        equipment_on_site: Duration::minutes(10),
        ..DeadlinePolicy::default()
    };
    o.advance(WorkOrderStatus::OnSite, local(2, 18, 12), None)
        .unwrap();
    let on_site = &deadlines(&o)[0];
    assert_eq!(on_site.due_at, local(2, 18, 10));
    assert_eq!(
        on_site.state(local(2, 19, 0)),
        DeadlineState::MetLate {
            late_by: Duration::minutes(2)
        }
    );
}

#[test]
fn kinds_without_a_regulated_deadline_have_none() {
    for kind in WorkOrderKind::ALL {
        let o = order(kind, local(2, 9, 0));
        let ds = deadlines(&o);
        if kind.is_emergency()
            || kind == WorkOrderKind::SpecialGroupService
            || kind == WorkOrderKind::ReturnVisit
        {
            assert!(!ds.is_empty(), "{} should have a deadline", kind.as_str());
        } else {
            assert!(ds.is_empty(), "{} should have none", kind.as_str());
            assert_eq!(next_deadline(&o), None);
        }
    }
}

#[test]
fn crew_that_reports_resolved_straight_away_met_every_milestone_then() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::Resolved, local(2, 6, 0), None)
        .unwrap();
    for d in deadlines(&o) {
        assert_eq!(d.met_at, Some(local(2, 6, 0)), "{}", d.milestone.as_str());
    }

    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 18, 0));
    o.advance(WorkOrderStatus::OnSite, local(2, 18, 5), None)
        .unwrap();
    assert_eq!(
        deadline_of(&o, Milestone::EquipmentOnSite).met_at,
        Some(local(2, 18, 5))
    );
}

#[test]
fn fault_referred_to_another_channel_met_the_repair_deadline() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::OnSite, local(2, 3, 0), None)
        .unwrap();
    o.advance(WorkOrderStatus::ReferredElsewhere, local(2, 3, 30), None)
        .unwrap();
    assert_eq!(
        deadline_of(&o, Milestone::Repair).met_at,
        Some(local(2, 3, 30))
    );
}

#[test]
fn cancelled_order_keeps_the_deadlines_it_met_and_drops_the_others() {
    let mut o = pipeline_fault_reported_at_1am();
    o.advance(WorkOrderStatus::OnSite, local(2, 3, 0), None)
        .unwrap();
    o.advance(WorkOrderStatus::Cancelled, local(3, 9, 0), None)
        .unwrap();
    let ds = deadlines(&o);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].milestone, Milestone::Handle);
    assert_eq!(ds[0].met_at, Some(local(2, 3, 0)));
    assert_eq!(next_deadline(&o), None);

    let mut duplicate = pipeline_fault_reported_at_1am();
    duplicate
        .advance(WorkOrderStatus::Cancelled, local(2, 1, 5), None)
        .unwrap();
    assert!(deadlines(&duplicate).is_empty());
}

#[test]
fn deadline_and_its_state_travel_as_json_with_whole_seconds() {
    let d = Deadline {
        milestone: Milestone::Repair,
        due_at: local(3, 1, 0),
        met_at: None,
    };
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["milestone"], "repair");
    assert_eq!(serde_json::from_value::<Deadline>(json).unwrap(), d);

    let state = DeadlineState::Breached {
        overdue_by: Duration::minutes(45),
    };
    let json = serde_json::to_value(&state).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "state": "breached", "overdue_by": 2700 })
    );
    assert_eq!(
        serde_json::from_value::<DeadlineState>(json).unwrap(),
        state
    );

    let policy = DeadlinePolicy::default();
    let json = serde_json::to_value(&policy).unwrap();
    assert_eq!(json["pipeline_handle"], 6 * 3600);
    assert_eq!(
        serde_json::from_value::<DeadlinePolicy>(json).unwrap(),
        policy
    );
}

fn office() -> crate::workorder::RecordedBy {
    crate::workorder::RecordedBy::Office {
        operator: "dispatcher".into(),
    }
}

fn milestones(o: &WorkOrder) -> Vec<(Milestone, DateTime<Utc>)> {
    deadlines(o)
        .iter()
        .map(|d| (d.milestone, d.due_at))
        .collect()
}

#[test]
fn a_leak_with_evacuation_is_reported_to_the_leadership_and_has_its_crew_on_site_within_its_target()
{
    let mut o = pipeline_fault_reported_at_1am();
    o.class = Some(FaultClass::Major);
    assert_eq!(
        milestones(&o),
        vec![
            (Milestone::EmergencyOnSite, local(2, 1, 30)),
            (Milestone::LeadershipReport, local(2, 1, 30)),
        ],
        "a major fault at intake has the major clocks only, from the report"
    );
    o.report_to_leadership("值班经理", local(2, 1, 10), office())
        .unwrap();
    o.advance(WorkOrderStatus::OnSite, local(2, 1, 25), None)
        .unwrap();
    for d in deadlines(&o) {
        assert!(!d.is_breached(local(3, 0, 0)), "{}", d.milestone.as_str());
    }
    assert!(
        o.report_to_leadership("总经理", local(2, 1, 20), office())
            .is_err(),
        "the first report is the one counted"
    );
}

#[test]
fn a_fault_raised_to_major_on_site_gets_the_major_clocks_from_the_raise_and_keeps_its_lateness() {
    let mut o = pipeline_fault_reported_at_1am();
    // Nobody came in 6 h; at 08:00 the crew arrives, finds a broken main and raises it.
    o.advance(WorkOrderStatus::OnSite, local(2, 8, 0), None)
        .unwrap();
    o.raise_to_major(local(2, 8, 5), office(), "主管断裂")
        .unwrap();
    assert_eq!(
        milestones(&o),
        vec![
            (Milestone::Handle, local(2, 7, 0)),
            (Milestone::Repair, local(3, 1, 0)),
            (Milestone::EmergencyOnSite, local(2, 8, 35)),
            (Milestone::LeadershipReport, local(2, 8, 35)),
        ]
    );
    assert!(deadline_of(&o, Milestone::Handle).is_breached(local(2, 9, 0)));
    assert_eq!(o.class_changes.len(), 1);
    assert_eq!(o.class_changes[0].from, FaultClass::Ordinary);
    let err = o
        .raise_to_major(local(2, 9, 0), office(), "again")
        .unwrap_err();
    assert_eq!(err.field, "work_order.class");
}

#[test]
fn only_a_pipeline_fault_has_a_class_and_only_a_major_one_is_reported_upwards() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
    let before = o.clone();
    assert_eq!(
        o.raise_to_major(local(2, 9, 5), office(), "fire")
            .unwrap_err()
            .field,
        "work_order.class"
    );
    o.class = Some(FaultClass::Major);
    assert_eq!(o.validate().unwrap_err().field, "work_order.class");
    let mut ordinary = pipeline_fault_reported_at_1am();
    assert_eq!(
        ordinary
            .report_to_leadership("经理", local(2, 2, 0), office())
            .unwrap_err()
            .field,
        "work_order.leadership_report"
    );
    assert_eq!(before.fault_class(), None);
    assert_eq!(ordinary.fault_class(), Some(FaultClass::Ordinary));
}

fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Appointment {
    Appointment { from, to }
}

fn change(to: Appointment, recorded_at: DateTime<Utc>) -> AppointmentChange {
    AppointmentChange {
        window: to,
        agreed_by: AgreedBy::User,
        agreed_at: recorded_at,
        recorded_at,
        recorded_by: office(),
    }
}

#[test]
fn a_user_who_asked_for_the_afternoon_is_on_time_when_the_crew_comes_in_the_window_or_before() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
    o.appointment = Some(window(local(2, 14, 0), local(2, 16, 0)));
    o.validate().unwrap();
    assert_eq!(
        milestones(&o),
        vec![(Milestone::EquipmentOnSite, local(2, 16, 0))]
    );
    o.advance(WorkOrderStatus::OnSite, local(2, 13, 30), None)
        .unwrap();
    assert!(!deadline_of(&o, Milestone::EquipmentOnSite).is_breached(local(3, 0, 0)));
}

#[test]
fn an_appointment_moved_in_time_moves_the_clock_and_one_moved_after_it_ran_out_does_not() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
    // At 09:30, within the hour, the user asks for the evening instead.
    o.change_appointment(change(
        window(local(2, 18, 0), local(2, 19, 0)),
        local(2, 9, 30),
    ))
    .unwrap();
    assert_eq!(equipment_due(&o), local(2, 19, 0));
    // At 20:00 nobody came; a consent recorded now for tomorrow does not erase it.
    o.change_appointment(change(
        window(local(3, 9, 0), local(3, 10, 0)),
        local(2, 20, 0),
    ))
    .unwrap();
    assert_eq!(
        o.appointment_changes.len(),
        2,
        "the change is kept as history"
    );
    assert_eq!(equipment_due(&o), local(2, 19, 0));
    o.advance(WorkOrderStatus::OnSite, local(3, 9, 30), None)
        .unwrap();
    assert!(deadline_of(&o, Milestone::EquipmentOnSite).is_breached(local(3, 9, 30)));
}

#[test]
fn a_changed_appointment_is_refused_whole_when_its_window_or_consent_is_wrong() {
    let mut o = order(WorkOrderKind::UserEquipmentFault, local(2, 9, 0));
    let before = o.clone();
    let backwards = change(window(local(2, 18, 0), local(2, 17, 0)), local(2, 9, 30));
    assert_eq!(
        o.change_appointment(backwards).unwrap_err().field,
        "work_order.appointment.window"
    );
    let mut nameless = change(window(local(2, 18, 0), local(2, 19, 0)), local(2, 9, 30));
    nameless.agreed_by = AgreedBy::Contact { name: " ".into() };
    assert_eq!(
        o.change_appointment(nameless).unwrap_err().field,
        "work_order.appointment.agreed_by"
    );
    let mut pipeline = pipeline_fault_reported_at_1am();
    assert_eq!(
        pipeline
            .change_appointment(change(
                window(local(2, 18, 0), local(2, 19, 0)),
                local(2, 2, 0)
            ))
            .unwrap_err()
            .field,
        "work_order.appointment"
    );
    assert_eq!(o, before);
}

#[test]
fn a_special_group_home_service_is_visited_within_24_hours() {
    let mut o = order(WorkOrderKind::SpecialGroupService, local(2, 9, 0));
    assert_eq!(
        milestones(&o),
        vec![(Milestone::SpecialGroupVisit, local(3, 9, 0))]
    );
    o.advance(WorkOrderStatus::OnSite, local(3, 8, 0), None)
        .unwrap();
    assert!(!deadline_of(&o, Milestone::SpecialGroupVisit).is_breached(local(4, 0, 0)));
}

#[test]
fn an_order_is_judged_on_the_targets_stamped_on_it_and_an_old_one_reads_as_the_defaults() {
    let mut o = pipeline_fault_reported_at_1am();
    o.class = Some(FaultClass::Major);
    o.targets
        .set("major_on_site", Duration::minutes(20))
        .unwrap();
    assert_eq!(
        deadline_of(&o, Milestone::EmergencyOnSite).due_at,
        local(2, 1, 20)
    );
    let mut json = serde_json::to_value(&o).unwrap();
    json.as_object_mut().unwrap().remove("targets");
    let old: WorkOrder = serde_json::from_value(json).unwrap();
    assert_eq!(old.targets, DeadlinePolicy::default());
    assert_eq!(
        deadline_of(&old, Milestone::EmergencyOnSite).due_at,
        local(2, 1, 30)
    );
}

#[test]
fn a_target_is_typed_as_a_number_and_a_unit_and_refused_out_of_range() {
    assert_eq!(parse_target("--set", "20m").unwrap(), Duration::minutes(20));
    assert_eq!(parse_target("--set", "7d").unwrap(), Duration::days(7));
    for bad in ["", "m", "20", "20x", "0m", "-5m", "31d", "9999999999999d"] {
        assert_eq!(
            parse_target("--set", bad).unwrap_err().field,
            "--set",
            "{bad}"
        );
    }
    let mut p = DeadlinePolicy::default();
    assert_eq!(
        p.set("nonsense", Duration::minutes(1)).unwrap_err().field,
        "deadline_policy"
    );
    assert_eq!(p, DeadlinePolicy::default());
}

proptest! {
    /// No sequence of appointment changes turns a breached deadline into a met one: once
    /// the clock in force ran out, whatever is recorded later leaves it breached, at the
    /// same due time.
    #[test]
    fn no_sequence_of_appointment_changes_turns_a_breached_deadline_into_a_met_one(
        initial in proptest::option::of((0i64..600, 1i64..300)),
        changes in proptest::collection::vec((0i64..3000, 0i64..3000, 1i64..300), 0..8),
        arrival in proptest::option::of(0i64..4000),
    ) {
        let reported = local(2, 9, 0);
        let at = |m: i64| reported + Duration::minutes(m);
        let mut o = order(WorkOrderKind::UserEquipmentFault, reported);
        o.appointment = initial.map(|(from, len)| window(at(from), at(from + len)));
        if let Some(a) = arrival {
            o.advance(WorkOrderStatus::OnSite, at(a), None).unwrap();
        }
        let mut recorded: Vec<_> = changes;
        recorded.sort_by_key(|c| c.0);
        for (rec, from, len) in recorded {
            let before = deadline_of(&o, Milestone::EquipmentOnSite);
            // The clock had run out when the change was recorded.
            let breached_then = before.due_at < at(rec)
                && before.met_at.is_none_or(|m| m > before.due_at);
            o.change_appointment(change(window(at(from), at(from + len)), at(rec))).unwrap();
            let after = deadline_of(&o, Milestone::EquipmentOnSite);
            if breached_then {
                prop_assert_eq!(after.due_at, before.due_at);
                prop_assert!(after.is_breached(at(rec)));
                prop_assert!(after.is_breached(at(100_000)));
            }
        }
    }
}

proptest! {
    /// Once a milestone is met, its verdict is the same whenever anyone looks: when the
    /// step syncs cannot change it.
    #[test]
    fn verdict_on_a_met_deadline_does_not_depend_on_when_it_is_read(
        met_after_min in 0i64..3000,
        read_at_a_min in 0i64..100_000,
        read_at_b_min in 0i64..100_000,
    ) {
        let mut o = pipeline_fault_reported_at_1am();
        let met_at = o.reported_at + Duration::minutes(met_after_min);
        o.advance(WorkOrderStatus::Resolved, met_at, None).unwrap();
        for d in deadlines(&o) {
            let a = d.state(o.reported_at + Duration::minutes(read_at_a_min));
            let b = d.state(o.reported_at + Duration::minutes(read_at_b_min));
            prop_assert_eq!(a, b);
        }
    }
}
