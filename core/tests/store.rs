//! The device store, through the stories of the people who use it.

use crate::common;

use common::*;
use doorstep_core::error::Error;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::{Category, MeterReading, Phone, ReadingSource, Volume};
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::sync::protocol::ErrorKind;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::visit::{CheckInPolicy, DevicePosition};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

#[test]
fn household_saved_offline_is_queued_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000001",
        "王秀英",
        "13812345678",
        "文三路88号",
        30.2775,
        120.1301,
    );
    store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();

    let file = store.household_file(h.id).unwrap();
    assert_eq!(file.household, h);
    assert_eq!(file.history.len(), 1);
    let outbox = store.outbox(10).unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(
        matches!(&outbox[0].operation, Operation::HouseholdSaved { household, .. } if household.id == h.id)
    );
    assert_eq!(outbox[0].hlc.node, store.device_id());
}

#[test]
fn technician_saving_a_file_unchanged_queues_nothing() {
    // An operation naming no changed field would reach the server as the phone's whole copy of
    // the household, and that copy can be older than the office's latest edits.
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000009",
        "李建国",
        "13812340009",
        "文三路9号",
        30.2775,
        120.1301,
    );
    store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
    store.save_household(&h, at(2026, 11, 2, 9, 5)).unwrap();
    assert_eq!(store.outbox(10).unwrap().len(), 1);
    assert_eq!(store.household_file(h.id).unwrap().history.len(), 1);

    let mut edited = h.clone();
    edited.phones = vec![Phone::parse("13812340010").unwrap()];
    store
        .save_household(&edited, at(2026, 11, 2, 9, 10))
        .unwrap();
    let outbox = store.outbox(10).unwrap();
    assert_eq!(outbox.len(), 2);
    assert!(
        matches!(&outbox[1].operation, Operation::HouseholdSaved { changed, .. } if changed == &["phones".to_owned()])
    );
}

#[test]
fn store_file_holds_no_personal_data_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let name = "欧阳秀英";
    let phone = "13987654321";
    let mut store = open(&dir);
    let h = household("3300000002", name, phone, "莫干山路1号", 30.29, 120.14);
    store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
    let scan = |when: &str| {
        // Every file the store wrote: the database, its WAL and the photo vault's contents.
        let vault = doorstep_core::store::photo_dir(&dir.path().join("doorstep.db"));
        let files = std::fs::read_dir(dir.path())
            .unwrap()
            .chain(std::fs::read_dir(vault).unwrap());
        for entry in files {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let bytes = std::fs::read(path).unwrap();
            for needle in [
                name.as_bytes(),
                phone.as_bytes(),
                "莫干山路".as_bytes(),
                b"3300000002".as_slice(),
            ] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "personal data found in plain text ({when})"
                );
            }
        }
    };
    scan("while open, in the WAL");
    drop(store);
    scan("after closing");
}

#[test]
fn store_opened_with_another_key_is_set_aside_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    let h = household(
        "3300000003",
        "张伟",
        "13811112222",
        "教工路5号",
        30.28,
        120.15,
    );
    {
        let mut store = Store::open(&path, &key()).unwrap();
        store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
    }
    let wrong = StoreKey::from_bytes([7; 32]);
    let err = Store::open(&path, &wrong).unwrap_err();
    let Error::StoreUnreadable { set_aside } = err else {
        panic!("expected StoreUnreadable, got {err:?}")
    };
    assert!(set_aside.exists(), "the unreadable file is kept");
    assert!(err_message_names(&set_aside));
    // With the right key the set-aside file still opens: nothing was lost.
    let recovered = Store::open(&set_aside, &key()).unwrap();
    assert_eq!(recovered.household(h.id).unwrap(), h);
}

fn err_message_names(path: &std::path::Path) -> bool {
    Error::StoreUnreadable {
        set_aside: path.to_path_buf(),
    }
    .to_string()
    .contains(&path.display().to_string())
}

#[test]
fn corrupt_store_file_is_set_aside_and_the_error_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    std::fs::write(
        &path,
        b"this is not a database, it is a shopping list ........................",
    )
    .unwrap();
    let err = Store::open(&path, &key()).unwrap_err();
    let Error::StoreUnreadable { set_aside } = &err else {
        panic!("expected StoreUnreadable, got {err:?}")
    };
    assert!(err.to_string().contains("moved aside"));
    assert_eq!(std::fs::read(set_aside).unwrap()[..10], *b"this is no");
    // The next start gets a fresh, working store.
    let store = Store::open(&path, &key()).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 0);
}

#[test]
fn duplicate_customer_number_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let first = household(
        "3300000004",
        "刘洋",
        "13800000004",
        "学院路10号",
        30.27,
        120.13,
    );
    store.save_household(&first, at(2026, 11, 2, 9, 0)).unwrap();
    let second = household(
        "3300000004",
        "陈静",
        "13800000005",
        "学院路12号",
        30.27,
        120.13,
    );
    let err = store
        .save_household(&second, at(2026, 11, 2, 9, 5))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Duplicate {
                what: "customer number"
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        store.household(second.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.outbox_len().unwrap(), 1);
    assert!(store.search_households("陈静", 10).unwrap().is_empty());
}

#[test]
fn invalid_household_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = household(
        "3300000005",
        "赵敏",
        "13800000006",
        "延安路1号",
        30.27,
        120.16,
    );
    h.name = "  ".into();
    let Err(Error::Invalid(e)) = store.save_household(&h, at(2026, 11, 2, 9, 0)) else {
        panic!()
    };
    assert_eq!(e.field, "household.name");
    assert!(GeoPoint::new(91.0, 120.0).is_err());
    assert_eq!(
        Category::parse("villa").unwrap_err().field,
        "household.category"
    );
    assert_eq!(store.outbox_len().unwrap(), 0);
}

#[test]
fn search_finds_partial_chinese_name_address_phone_and_customer_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let a = household(
        "3300000010",
        "欧阳建国",
        "13812340001",
        "莫干山路128号",
        30.29,
        120.14,
    );
    let b = household(
        "3300000011",
        "王芳",
        "0571-87650002",
        "天目山路5号",
        30.28,
        120.12,
    );
    store.save_household(&a, at(2026, 11, 2, 9, 0)).unwrap();
    store.save_household(&b, at(2026, 11, 2, 9, 0)).unwrap();
    let ids = |q: &str| {
        store
            .search_households(q, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.household.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("干山路12"), vec![a.id], "substring of an address");
    assert_eq!(ids("阳建国"), vec![a.id], "part of a name");
    assert_eq!(ids("王芳"), vec![b.id], "a two-character name");
    assert_eq!(ids("8765"), vec![b.id], "part of a landline");
    assert_eq!(ids("138 1234"), vec![a.id], "a phone typed with a space");
    assert_eq!(ids("3300000011"), vec![b.id], "a customer number");
    assert_eq!(
        ids("2单元501室").len(),
        2,
        "both live in room 501 of unit 2"
    );
    assert!(ids("不存在的路").is_empty());
    assert!(
        ids("\"").is_empty(),
        "a stray quote is searched, not a syntax error"
    );
}

#[test]
fn repair_closed_offline_keeps_the_device_time_and_refuses_going_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000020",
        "孙丽",
        "13800000020",
        "凤起路9号",
        30.26,
        120.17,
    );
    store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
    let order = WorkOrder::open(
        "WO-20",
        WorkOrderKind::PipelineFault,
        WorkOrderSource::Phone,
        Some(h.id),
        "管道漏气",
        at(2026, 11, 2, 8, 0),
    );
    store.open_work_order(&order).unwrap();
    store
        .move_work_order(
            order.id,
            WorkOrderStatus::OnSite,
            at(2026, 11, 2, 10, 0),
            None,
        )
        .unwrap();
    let closed = store
        .move_work_order(
            order.id,
            WorkOrderStatus::Resolved,
            at(2026, 11, 2, 23, 0),
            None,
        )
        .unwrap();
    assert_eq!(
        closed.reached(WorkOrderStatus::Resolved),
        Some(at(2026, 11, 2, 23, 0))
    );
    let queued = store.outbox_len().unwrap();

    let Err(Error::Invalid(e)) = store.move_work_order(
        order.id,
        WorkOrderStatus::EnRoute,
        at(2026, 11, 3, 8, 0),
        None,
    ) else {
        panic!()
    };
    assert_eq!(e.field, "work_order.status");
    assert_eq!(
        store.outbox_len().unwrap(),
        queued,
        "a refused move queues nothing"
    );
    assert_eq!(
        store.work_order(order.id).unwrap().status(),
        WorkOrderStatus::Resolved
    );
    let file = store.household_file(h.id).unwrap();
    assert_eq!(file.work_orders.len(), 1);
    assert_eq!(
        file.history.len(),
        4,
        "opened file, order, on site, resolved"
    );
}

#[test]
fn meter_reading_is_kept_once_and_drives_the_consumption_rule() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000030",
        "周杰",
        "13800000030",
        "体育场路2号",
        30.26,
        120.16,
    );
    store.save_household(&h, at(2026, 1, 1, 9, 0)).unwrap();
    let reading = |day: u32, litres: i64| MeterReading {
        household_id: h.id,
        taken_at: at(2026, 1 + day / 28, 1 + day % 28, 9, 0),
        value: Volume::from_litres(litres),
        source: ReadingSource::Technician,
    };
    store.record_meter_reading(&reading(0, 1_000_000)).unwrap();
    assert!(matches!(
        store.record_meter_reading(&reading(0, 1_000_000)),
        Err(Error::Duplicate { .. })
    ));
    // The meter has not moved for three months on an active account.
    store.record_meter_reading(&reading(90, 1_000_000)).unwrap();
    let file = store.household_file(h.id).unwrap();
    assert_eq!(file.readings.len(), 2);
    assert!(
        file.abnormal_use.is_some(),
        "zero use over 90 days is flagged for a patrol"
    );
}

#[test]
fn households_inside_an_outage_area_are_listed_for_advance_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inside = household(
        "3300000040",
        "吴霞",
        "13800000040",
        "秋涛路1号",
        30.250,
        120.190,
    );
    let outside = household(
        "3300000041",
        "郭平",
        "13800000041",
        "秋涛路99号",
        30.300,
        120.190,
    );
    let mut shut = household(
        "3300000042",
        "何刚",
        "13800000042",
        "秋涛路3号",
        30.251,
        120.191,
    );
    shut.supply = doorstep_core::household::SupplyStatus::PermanentlyDisconnected {
        since: at(2020, 1, 1, 0, 0),
    };
    for h in [&inside, &outside, &shut] {
        store.save_household(h, at(2026, 11, 2, 9, 0)).unwrap();
    }
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let area = Area::new(vec![
        p(30.24, 120.18),
        p(30.24, 120.20),
        p(30.26, 120.20),
        p(30.26, 120.18),
    ])
    .unwrap();
    let affected: Vec<_> = store
        .households_in_area(&area)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(affected, vec![inside.id]);
}

#[test]
fn visit_far_from_the_address_is_flagged_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let h = household(
        "3300000050",
        "林娜",
        "13800000050",
        "湖墅南路8号",
        30.2800,
        120.1500,
    );
    store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
    let near = DevicePosition::new(GeoPoint::new(30.2801, 120.1501).unwrap(), 10.0).unwrap();
    let far = DevicePosition::new(GeoPoint::new(30.2900, 120.1500).unwrap(), 10.0).unwrap();
    let policy = CheckInPolicy::default();
    assert!(
        !store
            .check_in(h.id, near, at(2026, 11, 2, 10, 0), &policy)
            .unwrap()
            .flagged()
    );
    assert!(
        store
            .check_in(h.id, far, at(2026, 11, 2, 11, 0), &policy)
            .unwrap()
            .flagged()
    );
    let file = store.household_file(h.id).unwrap();
    assert!(
        file.history
            .iter()
            .any(|e| e.summary.en.contains("flagged") && e.summary.zh.contains("已标记"))
    );
    assert_eq!(store.outbox_len().unwrap(), 3);
}

#[test]
fn signed_inspection_moves_the_next_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = household(
        "3300000060",
        "马超",
        "13800000060",
        "解放路6号",
        30.25,
        120.17,
    );
    h.category = Category::Commercial;
    store.save_household(&h, at(2026, 1, 1, 9, 0)).unwrap();
    store
        .record_inspection_signed(h.id, at(2026, 3, 10, 2, 0))
        .unwrap();
    let file = store.household_file(h.id).unwrap();
    assert_eq!(
        file.inspection_due_on,
        chrono::NaiveDate::from_ymd_opt(2027, 3, 10)
    );
    assert!(
        store
            .record_inspection_signed(h.id, at(2026, 3, 1, 2, 0))
            .is_err(),
        "an older inspection cannot replace a newer one"
    );
}

#[test]
fn technician_opens_the_day_with_emergencies_first_then_a_route_of_due_inspections() {
    use doorstep_core::ids::{CrewId, DistrictId, TechnicianId};
    use doorstep_core::schedule::WorkReason;
    use doorstep_core::schedule::worklist::{Task, WorkListOptions};
    use doorstep_core::team::{District, Technician, TechnicianRole};

    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let district = District {
        id: DistrictId::new(),
        name: "第1片区".into(),
        policy: Default::default(),
        boundary: Area::new(vec![
            p(30.26, 120.14),
            p(30.26, 120.16),
            p(30.29, 120.16),
            p(30.29, 120.14),
        ])
        .unwrap(),
    };
    let tech = Technician {
        id: TechnicianId::new(),
        badge: "T00101".into(),
        name: "徐磊".into(),
        phone: None,
        role: TechnicianRole::Inspector,
        crew_id: Some(CrewId::new()),
        district_id: Some(district.id),
        active: true,
    };
    store
        .receive_districts(std::slice::from_ref(&district))
        .unwrap();
    store
        .receive_technicians(std::slice::from_ref(&tech))
        .unwrap();

    let now = at(2026, 11, 2, 2, 0);
    let mut overdue_far = in_district(
        household(
            "3300000100",
            "高娟",
            "13800000100",
            "文三路1号",
            30.2850,
            120.15,
        ),
        district.id,
    );
    overdue_far.last_inspection_at = Some(at(2024, 6, 1, 2, 0));
    let mut overdue_near = in_district(
        household(
            "3300000101",
            "罗涛",
            "13800000101",
            "文三路2号",
            30.2710,
            120.15,
        ),
        district.id,
    );
    overdue_near.last_inspection_at = Some(at(2024, 9, 1, 2, 0));
    let mut not_due = in_district(
        household(
            "3300000102",
            "朱明",
            "13800000102",
            "文三路3号",
            30.2720,
            120.15,
        ),
        district.id,
    );
    not_due.last_inspection_at = Some(at(2026, 1, 1, 2, 0));
    let elderly_fault = elderly(in_district(
        household(
            "3300000103",
            "胡秀兰",
            "13800000103",
            "文三路4号",
            30.2800,
            120.15,
        ),
        district.id,
    ));
    let elderly_fault = doorstep_core::household::Household {
        last_inspection_at: Some(at(2026, 5, 1, 2, 0)),
        ..elderly_fault
    };
    store
        .receive_households(&[
            overdue_far.clone(),
            overdue_near.clone(),
            not_due,
            elderly_fault.clone(),
        ])
        .unwrap();

    let mut fault = WorkOrder::open(
        "WO-100",
        WorkOrderKind::UserEquipmentFault,
        WorkOrderSource::Phone,
        Some(elderly_fault.id),
        "热水器漏气",
        now - chrono::Duration::minutes(5),
    );
    fault.assignee = Some(tech.id);
    let mut visit = WorkOrder::open(
        "WO-101",
        WorkOrderKind::ReturnVisit,
        WorkOrderSource::System,
        Some(overdue_far.id),
        "",
        now - chrono::Duration::days(2),
    );
    visit.assignee = Some(tech.id);
    let mut someone_elses = WorkOrder::open(
        "WO-102",
        WorkOrderKind::PipelineFault,
        WorkOrderSource::Phone,
        Some(overdue_near.id),
        "",
        now,
    );
    someone_elses.assignee = Some(TechnicianId::new());
    store
        .receive_work_orders(&[visit.clone(), fault.clone(), someone_elses])
        .unwrap();

    let list = store
        .work_list(
            tech.id,
            now,
            Some(p(30.2700, 120.15)),
            &WorkListOptions::default(),
        )
        .unwrap();
    let order_of = |i: usize| match &list[i].task {
        Task::Order { work_order_id, .. } => Some(*work_order_id),
        Task::Inspection { .. } => None,
    };
    assert_eq!(list.len(), 3, "{list:#?}");
    assert_eq!(order_of(0), Some(fault.id), "the gas leak first");
    assert!(list[0].special_group);
    assert!(matches!(list[0].reason, WorkReason::Emergency { .. }));
    assert_eq!(order_of(1), Some(visit.id));
    assert_eq!(
        list[2].household_id,
        Some(overdue_near.id),
        "the far overdue household is already visited for the order"
    );
    assert!(matches!(
        list[2].reason,
        WorkReason::InspectionOverdue { .. }
    ));
}

#[test]
fn clock_stamps_and_sequence_never_repeat_after_acknowledgement_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    let h = household(
        "3300000070",
        "黄艳",
        "13800000070",
        "建国北路7号",
        30.26,
        120.17,
    );
    drop(open(&dir));
    // A phone whose clock once ran a century fast stamped an operation then; it was acknowledged
    // and the outbox emptied. The clock was corrected, and the app restarted.
    let future = "004102444800000-000007-phone";
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        key().unlock(&conn).unwrap();
        conn.execute(
            "INSERT INTO outbox(seq, op_id, hlc, entity, entity_id, device_time, payload) VALUES (41, 'x', ?1, 'household', 'x', 'x', '{}')",
            [future],
        )
        .unwrap();
    }
    let first_seq = {
        let mut store = open(&dir);
        store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
        assert_eq!(
            store.outbox_len().unwrap(),
            2,
            "the old entry and the new one (seq 42)"
        );
        store.acknowledge_through(42).unwrap();
        assert_eq!(store.outbox_len().unwrap(), 0);
        42
    };
    let mut store = open(&dir);
    let mut edited = h.clone();
    edited.phones = vec![Phone::parse("13812345699").unwrap()];
    store
        .save_household(&edited, at(2026, 11, 2, 9, 5))
        .unwrap();
    let next = store.outbox(10).unwrap().remove(0);
    assert!(
        next.hlc.to_string().as_str() > future,
        "a restarted app never stamps at or below a stamp it issued"
    );
    assert!(next.seq > first_seq, "nor reuses a sequence number");
}

#[test]
fn two_refused_operations_in_a_row_are_both_kept_after_a_restart() {
    // The last operation of the outbox is refused by the server and set aside: the outbox is
    // empty. The next change must get a new sequence number (the refused list is keyed by it)
    // and a newer stamp, even after the app restarted; and it too can be refused and kept.
    let dir = tempfile::tempdir().unwrap();
    let h = household(
        "3300000071",
        "黄伟",
        "13800000071",
        "建国北路8号",
        30.26,
        120.17,
    );
    let first = {
        let mut store = open(&dir);
        store.save_household(&h, at(2026, 11, 2, 9, 0)).unwrap();
        let first = store.outbox(10).unwrap().remove(0);
        store
            .park_rejected(first.op_id, ErrorKind::Conflict, "customer number taken")
            .unwrap();
        assert_eq!(store.outbox_len().unwrap(), 0);
        first
    };
    let mut store = open(&dir);
    let mut edited = h.clone();
    edited.phones = vec![Phone::parse("13812345698").unwrap()];
    store
        .save_household(&edited, at(2026, 11, 2, 9, 5))
        .unwrap();
    let second = store.outbox(10).unwrap().remove(0);
    assert!(second.seq > first.seq, "a sequence number is never reused");
    assert!(second.hlc > first.hlc, "nor a stamp");
    store
        .park_rejected(second.op_id, ErrorKind::NotFound, "household not found")
        .unwrap();
    let kept: Vec<_> = store
        .rejected_operations()
        .unwrap()
        .into_iter()
        .map(|r| r.op_id)
        .collect();
    assert_eq!(kept, vec![first.op_id, second.op_id]);
    assert!(matches!(
        store.park_rejected(second.op_id, ErrorKind::Conflict, "again"),
        Err(Error::NotFound { .. })
    ));
}

/// A day of 20 inspections, each a check-in, a form started, ~30 answer steps (answers and
/// the note revised as the visit goes), two signatures and the seal: the bytes of the push
/// requests the outbox yields, as the sync client cuts them (each form as its seal and its
/// check-in). Printed for docs/bench.md.
#[test]
fn a_days_inspections_send_the_sealed_forms_not_their_draft_steps() {
    use common::forms::hose_check;
    use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult};
    use doorstep_core::forms::seal::{SignatureCapture, StrokePoint};
    use doorstep_core::forms::template::SignerRole;
    use doorstep_core::sync::protocol::{MAX_REQUEST_BYTES, PushRequest};

    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let template = hose_check();
    let policy = CheckInPolicy::default();
    // A real signature: a few strokes of some hundred points each.
    let signature = |role, name: &str, at| SignatureCapture {
        role,
        signer_name: name.into(),
        signed_at: at,
        strokes: (0..4u16)
            .map(|s| {
                (0..120u16)
                    .map(|i| StrokePoint {
                        x: 10.0 + f32::from(i) * 1.5,
                        y: 40.0 + f32::from(s * 7 + i % 13),
                        t_ms: u32::from(s * 2000 + i * 16),
                        pressure: Some(0.5),
                    })
                    .collect()
            })
            .collect(),
    };
    let pass = || {
        Some(Answer::Check(CheckAnswer {
            result: CheckResult::Pass,
            advice: None,
        }))
    };
    let mut sealed = Vec::new();
    for n in 0..20 {
        let start = at(2026, 11, 2, 8, 0) + chrono::Duration::minutes(25 * n);
        let h = household(
            &format!("33000{n:05}"),
            "王秀英",
            "13812345678",
            "文三路88号",
            30.2775,
            120.1301,
        );
        store.receive_households(std::slice::from_ref(&h)).unwrap();
        let here = DevicePosition::new(GeoPoint::new(30.2775, 120.1301).unwrap(), 8.0).unwrap();
        store.check_in(h.id, here, start, &policy).unwrap();
        let form = store.start_form(&template, h.id, None, start).unwrap();
        for step in 0..26 {
            store
                .answer(
                    form.id,
                    "notes",
                    Some(Answer::Text(format!("灶具正常，第{step}次"))),
                )
                .unwrap();
        }
        store.answer(form.id, "leak_test", pass()).unwrap();
        store.answer(form.id, "hose_ok", pass()).unwrap();
        store
            .answer(
                form.id,
                "meter_reading",
                Some(Answer::MeterReading(Volume::from_litres(1_234_567 + n))),
            )
            .unwrap();
        store
            .answer(form.id, "notes", Some(Answer::Text("灶具正常".into())))
            .unwrap();
        let signed = start + chrono::Duration::minutes(15);
        for (item, role, name) in [
            ("customer_signature", SignerRole::Customer, "钱秀英"),
            ("technician_signature", SignerRole::Technician, "徐磊"),
        ] {
            store
                .sign(form.id, item, signature(role, name, signed))
                .unwrap();
        }
        store
            .complete_form(form.id, signed + chrono::Duration::minutes(1))
            .unwrap();
        sealed.push(form.id);
    }

    let (mut requests, mut bytes, mut ops) = (0, 0, 0);
    let mut after = i64::MIN;
    loop {
        let batch = store
            .push_batch_after(after, 2000, MAX_REQUEST_BYTES / 2)
            .unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        ops += batch.len();
        requests += 1;
        bytes += serde_json::to_vec(&PushRequest { ops: batch })
            .unwrap()
            .len();
    }
    println!("a day of 20 inspections: {requests} push requests, {ops} operations, {bytes} bytes");

    let outbox = store.outbox(10_000).unwrap();
    for form in sealed {
        let sent: Vec<_> = outbox
            .iter()
            .filter(|e| matches!(&e.operation, Operation::FormSealed { form: f } if f.id == form))
            .collect();
        assert_eq!(sent.len(), 1, "each sealed form crosses once");
    }
    let count = |kind: fn(&Operation) -> bool| outbox.iter().filter(|e| kind(&e.operation)).count();
    assert_eq!(
        count(|op| matches!(op, Operation::FormStarted { .. })),
        0,
        "each visit's start left with its seal: the seal is the form's one operation (issue 21)"
    );
    assert_eq!(
        count(|op| matches!(op, Operation::CheckedIn { .. })),
        20,
        "and its check-in"
    );
    assert_eq!(
        outbox.len(),
        40,
        "no start, answer or signature step: the sealed form carries them"
    );
}

#[test]
fn a_scanned_meter_serial_seal_or_customer_card_says_which_household_it_belongs_to() {
    use doorstep_core::household::{ShutOffReason, SupplyStatus};
    use doorstep_core::scan::{CodeKind, ScanFormats};
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = household(
        "HZ-0042",
        "王秀英",
        "13800000300",
        "凤起路30号",
        30.27,
        120.16,
    );
    h.supply = SupplyStatus::ShutOff {
        reason: ShutOffReason::Arrears,
        since: at(2026, 11, 1, 1, 0),
        seal: Some("FQ-778812".into()),
    };
    store.save_household(&h, at(2026, 11, 1, 1, 0)).unwrap();
    let other = household(
        "HZ-0043",
        "李娜",
        "13800000301",
        "凤起路31号",
        30.27,
        120.16,
    );
    store.save_household(&other, at(2026, 11, 1, 1, 0)).unwrap();
    let formats = ScanFormats::default();
    let serial = h.meter.as_ref().unwrap().serial.clone();
    for (kind, scanned) in [
        (CodeKind::CustomerCard, "hz-0042"),
        (CodeKind::MeterSerial, serial.as_str()),
        (CodeKind::SealNumber, " FQ-778812\n"),
    ] {
        let (_, found) = store.scanned_household(kind, scanned, &formats).unwrap();
        assert_eq!(found.map(|f| f.id), Some(h.id), "{kind:?}");
    }
    let (code, none) = store
        .scanned_household(CodeKind::SealNumber, "FQ-000000", &formats)
        .unwrap();
    assert_eq!((code.as_str(), none), ("FQ-000000", None));
    let Err(doorstep_core::error::Error::Invalid(e)) =
        store.scanned_household(CodeKind::CustomerCard, "HZ 0042?", &formats)
    else {
        panic!("a code of the wrong format is refused");
    };
    assert_eq!(e.field, "scan.customer_card");
}

#[test]
fn a_technician_corrects_a_households_phone_and_contact_person_at_the_door_and_only_those_fields_travel()
 {
    use doorstep_core::household::{SpecialGroup, SpecialGroupRegistration};
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut h = household(
        "HZ-0051",
        "王秀英",
        "13800000300",
        "凤起路30号",
        30.27,
        120.16,
    );
    h.special_group = Some(SpecialGroupRegistration {
        groups: vec![SpecialGroup::Elderly],
        needs: String::new(),
        contact: None,
        consent_given: true,
        registered_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    });
    store.receive_households(std::slice::from_ref(&h)).unwrap();
    let edited = store
        .edit_contact_details(
            h.id,
            &["139 1234 5678".into()],
            Some(("李强".into(), "儿子".into(), "13700001111".into())),
            at(2026, 11, 2, 9, 0),
        )
        .unwrap();
    assert_eq!(edited.phones[0].as_str(), "13912345678");
    let contact = edited.special_group.unwrap().contact.unwrap();
    assert_eq!(
        (contact.name.as_str(), contact.phone.as_str()),
        ("李强", "13700001111")
    );
    let ops = store.push_batch(10).unwrap();
    let Some(Operation::HouseholdSaved { changed, .. }) = ops.last().map(|o| &o.operation) else {
        panic!("the edit is queued: {ops:?}");
    };
    assert_eq!(
        changed,
        &vec!["phones".to_string(), "special_group".to_string()]
    );

    // A bad number names its field and changes nothing.
    let Err(Error::Invalid(e)) =
        store.edit_contact_details(h.id, &["12".into()], None, at(2026, 11, 2, 9, 5))
    else {
        panic!("a bad number is refused");
    };
    assert!(e.field.starts_with("household.phones"), "{}", e.field);
    assert_eq!(
        store.household(h.id).unwrap().phones[0].as_str(),
        "13912345678"
    );
}
