//! What a device is told stays inside its scope: a refused customer number does not say that
//! it is held in another district.

use crate::common;

use chrono::Utc;
use common::{Backend, TestDevice, TestServer, households, raw_post, team};
use doorstep_core::sync::protocol::{ErrorBody, ErrorKind, PushRequest, Record};
use reqwest::StatusCode;

/// A phone enrolled for the team's inspector that has not pulled yet.
fn enrolled(server: &TestServer, team: &common::Team) -> TestDevice {
    let phone = TestDevice::new();
    phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
    phone
}

/// A new household the phone opens with `customer_number`, pushed by hand: the status and body.
fn push_new_household(
    server: &TestServer,
    phone: &TestDevice,
    team: &common::Team,
    customer_number: &str,
) -> (StatusCode, ErrorBody) {
    let opened = common::household(customer_number, team.district.id, 41);
    phone.store().save_household(&opened, Utc::now()).unwrap();
    let ops = phone.store().push_batch(10).unwrap();
    let response = raw_post(
        &server.url,
        "/v1/push",
        phone,
        &PushRequest { ops: ops.clone() },
    );
    let status = response.status();
    let body: ErrorBody = response.json().expect("a typed error body");
    assert_eq!(body.op_id, Some(ops[0].op_id));
    phone
        .store()
        .park_rejected(ops[0].op_id, ErrorKind::Conflict, "test")
        .unwrap();
    (status, body)
}

on_both_backends! {
    fn a_customer_number_held_outside_the_district_is_refused_without_saying_where(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let ours = households(&server, &west, 1); // HZ000001, in west
        let in_east = common::household("BJ000001", east.district.id, 7);
        server.office_put(Record::Household(Box::new(in_east.clone())));
        let in_no_district = Record::Household(Box::new(
            doorstep_core::household::Household {
                district_id: None,
                location: None,
                ..common::household("XX000001", east.district.id, 8)
            },
        ));
        server.office_put(in_no_district);
        let phone = enrolled(&server, &west);

        // Held in the phone's own district: it can see that household, so it is told.
        let (status, inside) = push_new_household(&server, &phone, &west, "HZ000001");
        assert_eq!((status, inside.error), (StatusCode::CONFLICT, ErrorKind::Conflict));
        assert_eq!(inside.message, "customer number already exists");

        // Held in another district, or by a household in none: one answer, which names neither.
        let (status, elsewhere) = push_new_household(&server, &phone, &west, "BJ000001");
        assert_eq!((status, elsewhere.error), (StatusCode::CONFLICT, ErrorKind::Conflict));
        let (status, nowhere) = push_new_household(&server, &phone, &west, "XX000001");
        assert_eq!((status, nowhere.error), (StatusCode::CONFLICT, ErrorKind::Conflict));
        assert_eq!(elsewhere.message, nowhere.message);
        assert_eq!((elsewhere.field, elsewhere.reason_zh), (None, None));
        assert_ne!(elsewhere.message, inside.message, "it says nothing of existing");
        for said in [&inside.message, &elsewhere.message] {
            for secret in ["BJ000001", "XX000001", "HZ000001", "滨江", "district", &in_east.id.to_string()] {
                assert!(!said.contains(secret), "{said}");
            }
        }
        // A household of west renumbered on a phone to east's number: the same answer.
        let editor = common::enrolled_phone(&server, &west);
        let mut renumbered = editor.store().household(ours[0].id).unwrap();
        renumbered.customer_number = "BJ000001".into();
        editor.store().save_household(&renumbered, Utc::now()).unwrap();
        let ops = editor.store().push_batch(10).unwrap();
        let response = raw_post(&server.url, "/v1/push", &editor, &PushRequest { ops: ops.clone() });
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let body: ErrorBody = response.json().unwrap();
        assert_eq!((body.op_id, body.message), (Some(ops[0].op_id), elsewhere.message.clone()));
        assert_eq!(server.household(ours[0].id).customer_number, "HZ000001", "nothing stored");
        assert_eq!(server.household(in_east.id).customer_number, "BJ000001", "nothing stored");
    }
}

/// The changes of a first pull (from the beginning), asked by hand: (entity, id, action).
fn first_pull(server: &TestServer, phone: &TestDevice) -> Vec<(String, String, String)> {
    let credential = phone.store().credential().unwrap().unwrap();
    let page: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{}/v1/pull", server.url))
        .query(&[("cursor", ""), ("limit", "5000")])
        .bearer_auth(&credential)
        .send()
        .unwrap()
        .json()
        .unwrap();
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap().to_owned();
            (text("entity"), text("id"), text("action"))
        })
        .collect()
}

on_both_backends! {
    fn a_new_phones_first_pull_names_no_departure_of_a_household_it_never_had(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let hs = households(&server, &west, 3);
        // One household moved to the east district, one deleted: both left the west bucket.
        server.office_edit(hs[0].id, |h| h.district_id = Some(east.district.id));
        doorstep_server::storage::write(&*server.storage, |tx| {
            doorstep_server::records::delete_from_office(
                tx,
                doorstep_core::sync::protocol::Entity::Household,
                &hs[1].id.to_string(),
            )?;
            Ok(())
        })
        .unwrap();
        let phone = enrolled(&server, &west);
        let changes = first_pull(&server, &phone);
        assert!(
            changes.iter().all(|(_, _, action)| action == "put"),
            "a first pull sends only what the phone may hold: {changes:?}"
        );
        assert!(changes.iter().any(|(_, id, _)| *id == hs[2].id.to_string()));
        assert!(!changes.iter().any(|(_, id, _)| *id == hs[0].id.to_string() || *id == hs[1].id.to_string()));
    }
}

on_both_backends! {
    fn a_household_a_phone_opened_and_the_office_moved_before_its_first_pull_still_leaves_it(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let phone = enrolled(&server, &west);
        // Opened on site and pushed, before the phone ever pulled.
        let opened = common::household("HZ900001", west.district.id, 7);
        phone.store().save_household(&opened, Utc::now()).unwrap();
        let ops = phone.store().push_batch(10).unwrap();
        let answer = raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() });
        assert!(answer.status().is_success());
        phone.store().acknowledge_through(ops[0].seq).unwrap();
        // The office moves it to the east district before the phone's first pull.
        server.office_edit(opened.id, |h| h.district_id = Some(east.district.id));
        let changes = first_pull(&server, &phone);
        assert!(
            changes.contains(&("household".into(), opened.id.to_string(), "leave".into())),
            "the phone that pushed it is told it left: {changes:?}"
        );
        phone.sync().unwrap();
        assert!(phone.store().household(opened.id).is_err(), "it left the phone");
    }
}
