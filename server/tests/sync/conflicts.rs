//! Edits made at the same time on a phone and at the office: the merge's rules decide, and
//! what they override is kept for review.

use chrono::{Duration, Utc};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::household::Phone;
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::storage::Counted;

use super::*;

on_both_backends! {
    fn an_edit_claiming_to_have_seen_beyond_the_server_does_not_override_the_office_silently(backend: Backend) {
        use doorstep_core::household::Category;
        use doorstep_core::sync::protocol::Operation;
        use doorstep_core::sync::protocol::PushRequest;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        // The office sets the account's category; the phone, not having pulled it, changes it
        // too and says it had seen everything up to a sequence number the server never reached.
        server.office_edit(hs[0].id, |h| h.category = Category::Commercial);
        let mut h = phone.store().household(hs[0].id).unwrap();
        h.category = Category::Industrial;
        phone.store().save_household(&h, Utc::now()).unwrap();
        let mut ops = phone.store().push_batch(10).unwrap();
        for op in &mut ops {
            if let Operation::HouseholdSaved { base_seq, .. } = &mut op.operation {
                *base_seq = i64::MAX;
            }
        }
        let conflicts = server.count(Counted::Conflicts);
        let answer = common::raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());
        assert_eq!(server.household(hs[0].id).category, Category::Commercial, "account data: the office's stands");
        assert_eq!(server.count(Counted::Conflicts), conflicts + 1, "the phone's edit is kept for review");
    }
}

on_both_backends! {
    fn an_office_edit_that_arrived_while_the_phone_had_an_edit_waiting_is_not_overridden_silently(backend: Backend) {
        use doorstep_core::sync::protocol::{PullResponse, Pulled};
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);

        // The technician renames the contact; before it is pushed, the office changes the
        // phones and the phone pulls (a pull-to-refresh while the push waits, say).
        let mut h = phone.store().household(hs[0].id).unwrap();
        h.name = "王建国".into();
        phone.store().save_household(&h, Utc::now()).unwrap();
        let office_phones = vec![Phone::parse("13900000001").unwrap()];
        server.office_edit(hs[0].id, |h| h.phones = office_phones.clone());
        let cursor = phone.store().sync_state().unwrap().cursor;
        let credential = phone.store().credential().unwrap().unwrap();
        let page: PullResponse<Pulled> = reqwest::blocking::Client::new()
            .get(format!("{}/v1/pull", server.url))
            .query(&[("cursor", cursor.as_str())])
            .bearer_auth(credential)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(phone.store().apply_pull(&page).unwrap().kept_local, 1);

        // Not having seen the office's phones, the technician changes them too.
        let mut h = phone.store().household(hs[0].id).unwrap();
        assert_ne!(h.phones, office_phones, "the office's change waits for the push");
        h.phones = vec![Phone::parse("13700000002").unwrap()];
        phone.store().save_household(&h, Utc::now()).unwrap();
        phone.sync().unwrap();

        let conflicts = doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.conflicts(100)?)).unwrap();
        assert!(
            conflicts
                .iter()
                .any(|c| c.field == "phones" && (c.lost_by == Author::Office || c.kept_by == Author::Office)),
            "the office's phones were replaced by an edit that had not seen them: {conflicts:?}"
        );
    }
}

on_both_backends! {
    fn a_phone_edit_not_made_on_the_other_phones_value_it_held_back_is_one_conflict(backend: Backend) {
        use doorstep_core::sync::protocol::{PullResponse, Pulled};
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let (a, b) = (common::enrolled_phone(&server, &team), common::enrolled_phone(&server, &team));
        // B's technician renames the contact; before it is pushed, phone A changes the phones,
        // the office then the category, and B pulls (its push waits): the household comes once,
        // as the office left it, and is held back until B's rename is pushed.
        let mut h = b.store().household(hs[0].id).unwrap();
        h.name = "王建国".into();
        b.store().save_household(&h, Utc::now()).unwrap();
        let a_phones = vec![Phone::parse("13811112222").unwrap()];
        let mut h = a.store().household(hs[0].id).unwrap();
        h.phones = a_phones.clone();
        a.store().save_household(&h, Utc::now()).unwrap();
        a.sync().unwrap();
        server.office_edit(hs[0].id, |h| h.category = doorstep_core::household::Category::Commercial);
        let cursor = b.store().sync_state().unwrap().cursor;
        let credential = b.store().credential().unwrap().unwrap();
        let page: PullResponse<Pulled> = reqwest::blocking::Client::new()
            .get(format!("{}/v1/pull", server.url))
            .query(&[("cursor", cursor.as_str())])
            .bearer_auth(credential)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(b.store().apply_pull(&page).unwrap().kept_local, 1);
        // B's technician, who never saw A's number, changes it too: one conflict.
        let mut h = b.store().household(hs[0].id).unwrap();
        assert_ne!(h.phones, a_phones);
        h.phones = vec![Phone::parse("13833334444").unwrap()];
        b.store().save_household(&h, Utc::now()).unwrap();
        assert_eq!(b.sync().unwrap().conflicts, 1);
        let conflicts = doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.conflicts(10)?)).unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].field, "phones");
        let a_author = Author::Device(a.store().device_id().to_string());
        assert!(conflicts[0].kept_by == a_author || conflicts[0].lost_by == a_author, "{conflicts:?}");
    }
}

on_both_backends! {
    fn the_first_resolution_of_an_order_wins_and_the_second_is_kept_for_review(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let mut order = WorkOrder::open("GD-0002", WorkOrderKind::UserEquipmentFault, WorkOrderSource::Phone,
            Some(hs[0].id), "灶具漏气", Utc::now() - Duration::hours(1));
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let (a, b) = (TestDevice::new(), TestDevice::new());
        for phone in [&a, &b] {
            phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
            phone.sync().unwrap();
        }
        // Both crew phones close the order offline, differently.
        a.store().move_work_order(order.id, WorkOrderStatus::Resolved, Utc::now(), None).unwrap();
        b.store().move_work_order(order.id, WorkOrderStatus::ReferredElsewhere, Utc::now(), None).unwrap();
        a.sync().unwrap();
        let report = b.sync().unwrap();
        assert_eq!(report.conflicts, 1);
        let stored = server.work_order(&order.id.to_string());
        assert_eq!(stored.status(), WorkOrderStatus::Resolved, "the first resolution wins");
        let conflicts = doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.conflicts(10)?)).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].rule, ConflictRule::FirstResolutionWins);
        assert_eq!(conflicts[0].lost, "\"referred_elsewhere\"");
        // B's phone takes the server's version at the same sync.
        assert_eq!(b.store().work_order(order.id).unwrap().status(), WorkOrderStatus::Resolved);
    }
}

on_both_backends! {
    fn two_crew_phones_reporting_the_same_step_of_an_order_make_no_conflict(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let mut order = WorkOrder::open("GD-0003", WorkOrderKind::UserEquipmentFault, WorkOrderSource::Phone,
            Some(hs[0].id), "灶具漏气", Utc::now() - Duration::hours(1));
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let (a, b) = (TestDevice::new(), TestDevice::new());
        for phone in [&a, &b] {
            phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
            phone.sync().unwrap();
        }
        // Both crew phones accept the order offline, then both arrive: the same steps, each
        // made without having seen the other's, and nothing lost.
        for status in [WorkOrderStatus::Accepted, WorkOrderStatus::OnSite] {
            for phone in [&a, &b] {
                phone.store().move_work_order(order.id, status, Utc::now(), None).unwrap();
            }
            assert_eq!(a.sync().unwrap().conflicts, 0);
            assert_eq!(b.sync().unwrap().conflicts, 0);
        }
        let conflicts = doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.conflicts(10)?)).unwrap();
        assert_eq!(conflicts, Vec::new());
        a.sync().unwrap();
        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.status(), WorkOrderStatus::OnSite);
        for phone in [&a, &b] {
            assert_eq!(phone.store().work_order(order.id).unwrap(), on_server);
        }
    }
}

on_both_backends! {
    fn the_office_wins_account_data_edited_on_a_phone_at_the_same_time(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        let mut h = phone.store().household(hs[0].id).unwrap();
        h.category = doorstep_core::household::Category::Commercial;
        h.phones = vec![Phone::parse("13700000001").unwrap()];
        phone.store().save_household(&h, Utc::now()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        server.office_edit(hs[0].id, |h| h.category = doorstep_core::household::Category::Heating);
        let report = phone.sync().unwrap();
        assert_eq!(report.conflicts, 1);
        let on_server = server.household(hs[0].id);
        assert_eq!(on_server.category, doorstep_core::household::Category::Heating, "account data: the office wins");
        assert_eq!(on_server.phones, h.phones, "the phone's contact edit is kept");
        assert_eq!(phone.store().household(hs[0].id).unwrap(), on_server);
    }
}

/// Issue 21 §2: a conflict is two changes of one field of which neither saw the other. A sealed
/// form's consequences, a household's first value of a field nobody set, and an edit made on a
/// value the phone had pulled replace what they replace without a conflict row.
mod not_conflicts {
    use chrono::Utc;
    use doorstep_core::household::{Household, Phone, SpecialGroup, SpecialGroupRegistration};
    use doorstep_core::sync::merge::Author;
    use doorstep_core::sync::protocol::{PullResponse, Pulled, PushRequest, PushResponse};
    use doorstep_server::storage::{ConflictRow, Counted};

    use super::*;
    use crate::common::forms::register_special_group;

    pub(super) fn conflict_rows(server: &TestServer) -> Vec<ConflictRow> {
        doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.conflicts(1000)?)).unwrap()
    }

    fn needs(server: &TestServer, household: &Household) -> Option<String> {
        server
            .household(household.id)
            .special_group
            .map(|r| r.needs)
    }

    fn device_author(device: &TestDevice) -> Author {
        Author::Device(device.store().device_id().to_string())
    }

    on_both_backends! {
        fn a_phone_sealing_a_form_over_a_value_it_had_pulled_makes_no_conflict(backend: Backend) {
            let server = TestServer::start(backend);
            let team = team(&server, "西湖一片", "HZ1001");
            let hs = households(&server, &team, 1);
            let (a, b) = (common::enrolled_phone(&server, &team), common::enrolled_phone(&server, &team));
            // Phone A registers the resident; phone B pulls that, then registers them again
            // with what it learned at the door.
            register_special_group(&a, hs[0].id, "独居，行动不便");
            assert_eq!(a.sync().unwrap().conflicts, 0);
            b.sync().unwrap();
            assert_eq!(
                b.store().household(hs[0].id).unwrap().special_group.map(|r| r.needs).as_deref(),
                Some("独居，行动不便")
            );
            register_special_group(&b, hs[0].id, "独居，需上门抄表");
            let report = b.sync().unwrap();
            assert_eq!(report.conflicts, 0, "B had seen A's registration: {:?}", conflict_rows(&server));
            assert_eq!(conflict_rows(&server), Vec::new());
            assert_eq!(needs(&server, &hs[0]).as_deref(), Some("独居，需上门抄表"));
        }
    }

    on_both_backends! {
        fn an_office_edit_the_phone_had_not_pulled_when_it_sealed_is_one_conflict(backend: Backend) {
            let server = TestServer::start(backend);
            let team = team(&server, "西湖一片", "HZ1001");
            let hs = households(&server, &team, 2);
            let phone = common::enrolled_phone(&server, &team);
            let registration = SpecialGroupRegistration {
                groups: vec![SpecialGroup::Elderly],
                needs: "子女代为联系".into(),
                contact: None,
                consent_given: true,
                registered_on: Utc::now().date_naive(),
            };
            // The office registers the first household after the phone's last pull; it
            // registers the second before, and withdraws it after: setting a field to nothing
            // is a write too.
            server.office_edit(hs[1].id, |h| h.special_group = Some(registration.clone()));
            phone.sync().unwrap();
            server.office_edit(hs[0].id, |h| h.special_group = Some(registration.clone()));
            server.office_edit(hs[1].id, |h| h.special_group = None);
            register_special_group(&phone, hs[0].id, "独居，行动不便");
            register_special_group(&phone, hs[1].id, "独居，行动不便");
            let report = phone.sync().unwrap();
            let rows = conflict_rows(&server);
            assert_eq!(report.conflicts, 2, "{rows:?}");
            assert_eq!(rows.len(), 2);
            for (row, household) in rows.iter().rev().zip(&hs) {
                assert_eq!(row.entity_id, household.id.to_string());
                assert_eq!(row.field, "special_group");
                let authors = [&row.kept_by, &row.lost_by];
                assert!(authors.contains(&&Author::Office), "{row:?}");
                assert!(authors.contains(&&device_author(&phone)), "{row:?}");
            }
        }
    }

    on_both_backends! {
        fn a_seal_sent_without_a_merge_base_does_not_override_a_field_the_office_never_set(backend: Backend) {
            let server = TestServer::start(backend);
            let team = team(&server, "西湖一片", "HZ1001");
            let hs = households(&server, &team, 1);
            assert_eq!(hs[0].special_group, None, "created by the office with no registration");
            let phone = common::enrolled_phone(&server, &team);
            register_special_group(&phone, hs[0].id, "独居，行动不便");
            // As an app from before merge bases sends it: every write of others counts as
            // unseen. The office created the household with no registration: nobody wrote it.
            let mut ops = phone.store().push_batch(100).unwrap();
            for op in &mut ops {
                op.base_seq = None;
            }
            let answer = common::raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops });
            assert!(answer.status().is_success(), "{}", answer.status());
            let answer: PushResponse = answer.json().unwrap();
            assert_eq!(answer.conflicts, 0, "{:?}", conflict_rows(&server));
            assert_eq!(server.count(Counted::Conflicts), 0);
            assert_eq!(needs(&server, &hs[0]).as_deref(), Some("独居，行动不便"));
        }
    }

    /// A page of the pull after the phone's cursor, of at most `limit` changes, applied as the
    /// sync applies it: the pull cut after that page.
    fn pull_one_page(server: &TestServer, phone: &TestDevice, limit: usize) -> bool {
        let cursor = phone.store().sync_state().unwrap().cursor;
        let credential = phone.store().credential().unwrap().unwrap();
        let page: PullResponse<Pulled> = reqwest::blocking::Client::new()
            .get(format!("{}/v1/pull", server.url))
            .query(&[("cursor", cursor.as_str()), ("limit", &limit.to_string())])
            .bearer_auth(credential)
            .send()
            .unwrap()
            .json()
            .unwrap();
        phone.store().apply_pull(&page).unwrap();
        page.more
    }

    fn set_phone(device: &TestDevice, household: &Household, number: &str) {
        let mut h = device.store().household(household.id).unwrap();
        h.phones = vec![Phone::parse(number).unwrap()];
        device.store().save_household(&h, Utc::now()).unwrap();
    }

    on_both_backends! {
        fn a_phone_replacing_a_number_it_had_pulled_from_the_other_phone_makes_no_conflict(backend: Backend) {
            let server = TestServer::start(backend);
            let team = team(&server, "西湖一片", "HZ1001");
            let hs = households(&server, &team, 4);
            let (a, b) = (common::enrolled_phone(&server, &team), common::enrolled_phone(&server, &team));
            for h in &hs {
                set_phone(&a, h, "13811110001");
            }
            // B's own work on the first household waits to be pushed while it pulls: A's change
            // of it is held back until B's push, and then comes merged.
            let mut h0 = b.store().household(hs[0].id).unwrap();
            h0.name = "王建国".into();
            b.store().save_household(&h0, Utc::now()).unwrap();
            a.sync().unwrap();
            // B pulls a change at a time and is cut after the third (the first household's,
            // held back): its technician edits what the pages brought, and what they did not
            // bring yet.
            for _ in 0..3 {
                assert!(pull_one_page(&server, &b, 1));
            }
            assert_ne!(b.store().household(hs[0].id).unwrap().phones, vec![Phone::parse("13811110001").unwrap()]);
            assert_eq!(b.store().household(hs[2].id).unwrap().phones, vec![Phone::parse("13811110001").unwrap()]);
            for h in &hs[1..] {
                set_phone(&b, h, "13811110002");
            }
            b.sync().unwrap();
            // Now B has everything A wrote: what it changes now it changes knowingly.
            assert_eq!(b.store().household(hs[0].id).unwrap().phones, vec![Phone::parse("13811110001").unwrap()]);
            set_phone(&b, &hs[0], "13811110003");
            b.sync().unwrap();
            a.sync().unwrap();
            set_phone(&a, &hs[0], "13811110004");
            a.sync().unwrap();
            b.sync().unwrap();
            let rows = conflict_rows(&server);
            // Only B's edits of the households the cut pull had not brought yet were made
            // without having seen A's number.
            for row in &rows {
                assert_eq!(row.field, "phones");
                assert_ne!(row.entity_id, hs[0].id.to_string(), "{row:?}");
            }
            let seen: Vec<String> = hs[1..3].iter().map(|h| h.id.to_string()).collect();
            for row in &rows {
                assert!(!seen.contains(&row.entity_id), "B had pulled A's number of this household: {row:?}");
            }
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(server.household(hs[0].id).phones, vec![Phone::parse("13811110004").unwrap()]);
        }
    }

    on_both_backends! {
        fn sync_reports_count_only_real_conflicts(backend: Backend) {
            let server = TestServer::start(backend);
            let team = team(&server, "西湖一片", "HZ1001");
            let hs = households(&server, &team, 2);
            let (a, b) = (common::enrolled_phone(&server, &team), common::enrolled_phone(&server, &team));
            // One after another on the first household; at the same time on the second.
            set_phone(&a, &hs[0], "13811110001");
            set_phone(&a, &hs[1], "13811110001");
            let mut reported = a.sync().unwrap().conflicts;
            server.office_edit(hs[0].id, |h| h.name = "王建国".into());
            b.sync().unwrap();
            set_phone(&b, &hs[0], "13811110002");
            let mut h = b.store().household(hs[0].id).unwrap();
            h.name = "王建民".into();
            b.store().save_household(&h, Utc::now()).unwrap();
            server.office_edit(hs[1].id, |h| h.phones = vec![Phone::parse("13700000000").unwrap()]);
            set_phone(&b, &hs[1], "13811110002");
            reported += b.sync().unwrap().conflicts;
            reported += a.sync().unwrap().conflicts;
            let rows = conflict_rows(&server);
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].entity_id, hs[1].id.to_string());
            assert_eq!(reported, 1);
            let metrics = reqwest::blocking::get(format!("{}/metrics", server.url))
                .unwrap()
                .text()
                .unwrap();
            assert!(metrics.contains("doorstep_conflicts_total 1\n"), "{metrics}");
        }
    }
}
