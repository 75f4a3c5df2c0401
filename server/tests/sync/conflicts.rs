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
