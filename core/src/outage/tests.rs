use super::*;
use crate::geo::GeoPoint;
use crate::household::{Address, Category};
use crate::ids::HouseholdId;
use chrono::TimeZone;

fn at(lat: f64, lon: f64, supply: SupplyStatus) -> Household {
    Household {
        id: HouseholdId::new(),
        customer_number: "1".into(),
        name: "x".into(),
        phones: vec![],
        address: Address::default(),
        location: GeoPoint::new(lat, lon).ok(),
        district_id: None,
        category: Category::Residential,
        meter: None,
        appliances: vec![],
        supply,
        gas_on_date: None,
        last_inspection_at: None,
        special_group: None,
    }
}

fn notice() -> OutageNotice {
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    OutageNotice {
        id: OutageId::new(),
        title: "文三路管网检修".into(),
        reason: OutageReason::PipelineInspection,
        // An L-shaped block: the notch must not count.
        area: OutageArea::Polygon(
            Area::new(vec![
                p(30.0, 120.0),
                p(30.0, 120.2),
                p(30.1, 120.2),
                p(30.1, 120.1),
                p(30.2, 120.1),
                p(30.2, 120.0),
            ])
            .unwrap(),
        ),
        starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        created_by: "office".into(),
        lead_seconds: 24 * 3600,
        emergency: None,
        notifications: vec![],
    }
}

#[test]
fn planned_outage_notifies_only_supplied_households_inside_the_area() {
    let n = notice();
    let inside = at(30.05, 120.05, SupplyStatus::Active);
    let in_the_notch = at(30.15, 120.15, SupplyStatus::Active);
    let outside = at(31.0, 120.05, SupplyStatus::Active);
    let not_connected = at(30.05, 120.06, SupplyStatus::NotConnected);
    let mut unlocated = at(30.05, 120.05, SupplyStatus::Active);
    unlocated.location = None;
    let all = [
        inside.clone(),
        in_the_notch,
        outside,
        not_connected,
        unlocated,
    ];
    let told: Vec<_> = n.affected(&all).into_iter().map(|h| h.id).collect();
    assert_eq!(told, vec![inside.id]);
}

#[test]
fn a_notice_gives_the_longest_lead_time_of_the_districts_it_touches() {
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let square = |lat: f64, lon: f64| {
        Area::new(vec![
            p(lat, lon),
            p(lat, lon + 0.1),
            p(lat + 0.1, lon + 0.1),
            p(lat + 0.1, lon),
        ])
        .unwrap()
    };
    let (west, east, far) = (DistrictId::new(), DistrictId::new(), DistrictId::new());
    let (west_area, east_area, far_area) = (
        square(30.0, 120.0),
        square(30.0, 120.1),
        square(31.0, 121.0),
    );
    let districts = || {
        [
            (west, &west_area, Duration::hours(24)),
            (east, &east_area, Duration::hours(48)),
            (far, &far_area, Duration::hours(72)),
        ]
    };
    let default = Duration::hours(24);
    // The L-shaped block covers part of both west and east: east's 48 h holds.
    assert_eq!(
        notice().area.lead_time(districts(), default),
        Duration::hours(48)
    );
    let only_west = OutageArea::Districts(vec![west]);
    assert_eq!(
        only_west.lead_time(districts(), default),
        Duration::hours(24)
    );
    let nowhere = OutageArea::Polygon(square(10.0, 10.0));
    assert_eq!(nowhere.lead_time(districts(), default), default);
}

#[test]
fn outage_that_ends_before_it_starts_is_refused() {
    let mut n = notice();
    n.ends_at = n.starts_at;
    assert_eq!(n.validate().unwrap_err().field, "outage.ends_at");
}

fn hours_before_start(h: i64) -> DateTime<Utc> {
    notice().starts_at - Duration::hours(h)
}

fn create(now: DateTime<Utc>, emergency: Option<&str>) -> Result<OutageNotice, InvalidInput> {
    let n = notice();
    OutageNotice::create(
        &n.title,
        n.reason,
        n.area,
        n.starts_at,
        n.ends_at,
        Duration::hours(24),
        emergency,
        "office",
        now,
    )
}

#[test]
fn an_outage_announced_less_than_its_lead_time_before_is_refused_unless_an_emergency_with_a_reason()
{
    create(hours_before_start(24), None).unwrap();
    assert_eq!(
        create(hours_before_start(23), None).unwrap_err().field,
        "outage.starts_at"
    );
    assert_eq!(
        create(hours_before_start(2), Some("  ")).unwrap_err().field,
        "outage.emergency_reason"
    );
    let urgent = create(hours_before_start(2), Some("主干管破损抢修")).unwrap();
    // Told before gas stops, at the latest.
    assert_eq!(urgent.notice_deadline(), hours_before_start(2));
    assert_eq!(
        create(hours_before_start(48), None)
            .unwrap()
            .notice_deadline(),
        hours_before_start(24)
    );
}

#[test]
fn an_outage_area_that_crosses_itself_is_refused_naming_the_field() {
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let mut n = notice();
    // A bow tie.
    n.area = OutageArea::Polygon(
        Area::new(vec![
            p(30.0, 120.0),
            p(30.1, 120.1),
            p(30.0, 120.1),
            p(30.1, 120.0),
        ])
        .unwrap(),
    );
    assert_eq!(n.validate().unwrap_err().field, "outage.area");
    n.area = OutageArea::Districts(vec![]);
    assert_eq!(n.validate().unwrap_err().field, "outage.districts");
}

#[test]
fn an_outage_by_districts_notifies_the_supplied_households_of_those_districts() {
    let west = DistrictId::new();
    let mut n = notice();
    n.area = OutageArea::Districts(vec![west]);
    let mut in_west = at(31.0, 121.0, SupplyStatus::Active);
    in_west.district_id = Some(west);
    let mut unlocated_in_west = in_west.clone();
    unlocated_in_west.id = HouseholdId::new();
    unlocated_in_west.location = None;
    let mut elsewhere = at(30.05, 120.05, SupplyStatus::Active);
    elsewhere.district_id = Some(DistrictId::new());
    let all = [in_west.clone(), unlocated_in_west.clone(), elsewhere];
    let told: Vec<_> = n.affected(&all).into_iter().map(|h| h.id).collect();
    assert_eq!(told, vec![in_west.id, unlocated_in_west.id]);
}

#[test]
fn households_not_told_when_the_lead_time_runs_out_are_flagged() {
    let mut n = notice();
    let told_early = at(30.05, 120.05, SupplyStatus::Active);
    let told_late = at(30.06, 120.05, SupplyStatus::Active);
    let never = at(30.07, 120.05, SupplyStatus::Active);
    let outside = at(31.0, 120.05, SupplyStatus::Active);
    let office = Notifier::Office {
        operator: "li".into(),
    };
    n.record_notification(
        &told_early,
        NotifiedHow::Sms,
        hours_before_start(30),
        office.clone(),
    )
    .unwrap();
    n.record_notification(
        &told_late,
        NotifiedHow::Phone,
        hours_before_start(20),
        office.clone(),
    )
    .unwrap();
    assert_eq!(
        n.record_notification(&outside, NotifiedHow::Sms, hours_before_start(30), office)
            .unwrap_err()
            .field,
        "household"
    );
    let all = [
        told_early.clone(),
        told_late.clone(),
        never.clone(),
        outside,
    ];
    let before = n.progress(&all, hours_before_start(25));
    assert_eq!(before.pending, vec![never.id]);
    assert!(before.overdue.is_empty());
    let after = n.progress(&all, hours_before_start(23));
    assert_eq!(after.overdue, vec![never.id]);
    assert!(after.pending.is_empty());
    let lateness: Vec<_> = after
        .notified
        .iter()
        .map(|(h, _, late)| (*h, *late))
        .collect();
    assert_eq!(lateness, vec![(told_early.id, false), (told_late.id, true)]);
}

#[test]
fn two_phones_and_the_office_recording_at_once_never_lose_a_notification() {
    let base = notice();
    let households: Vec<_> = (0..3)
        .map(|i| at(30.05 + f64::from(i) * 0.01, 120.05, SupplyStatus::Active))
        .collect();
    let by = |i: usize| match i {
        0 => Notifier::Office {
            operator: "li".into(),
        },
        _ => Notifier::Technician {
            id: TechnicianId::new(),
        },
    };
    // Each of three copies records its own notification.
    let copies: Vec<OutageNotice> = (0..3)
        .map(|i| {
            let mut copy = base.clone();
            copy.record_notification(
                &households[i],
                NotifiedHow::NoticePosted,
                hours_before_start(30),
                by(i),
            )
            .unwrap();
            copy
        })
        .collect();
    // Merged in any order, any number of times, the union holds all three, once each.
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let mut merged = base.clone();
        for i in order {
            merged.merge_notifications(copies[i].notifications.clone());
            merged.merge_notifications(copies[i].notifications.clone());
        }
        assert_eq!(merged.notifications.len(), 3);
        assert_eq!(merged.notifications, {
            let mut first = copies[0].clone();
            first.merge_notifications(copies[1].notifications.clone());
            first.merge_notifications(copies[2].notifications.clone());
            first.notifications
        });
    }
}
