//! Every request is authenticated and checked against the technician's scope; every bad
//! request is refused with its status and a typed body, and nothing of it is stored.

use crate::common;

use chrono::Utc;
use common::forms::{inspect, take_photo};
use common::{Backend, TestDevice, TestServer, households, raw_post, team};
use doorstep_core::sync::protocol::Operation;
use doorstep_core::sync::protocol::{ErrorBody, ErrorKind, PushRequest};
use doorstep_server::storage::Counted;
use reqwest::StatusCode;
use reqwest::blocking::Client;

const ENDPOINTS: &[(&str, &str)] = &[
    ("POST", "/v1/push"),
    ("POST", "/v1/photos/missing"),
    ("GET", "/v1/pull"),
    ("GET", "/v1/whoami"),
    (
        "PUT",
        "/v1/photos/0000000000000000000000000000000000000000000000000000000000000000?offset=0&total=1",
    ),
];

fn request(method: &str, url: &str) -> reqwest::blocking::RequestBuilder {
    let client = Client::new();
    match method {
        "POST" => client
            .post(url)
            .header("content-type", "application/json")
            .body("{}"),
        "PUT" => client.put(url).body(vec![0u8]),
        _ => client.get(url),
    }
}

fn refusal(response: reqwest::blocking::Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    let body: ErrorBody = response.json().expect("a typed error body");
    (status, body)
}

/// What the server holds, to prove a refused request stored nothing.
/// A technician's phone with one household edit queued (the contact's name changed), and the
/// district's household.
fn phone_with_an_edit(
    server: &TestServer,
) -> (TestDevice, Vec<doorstep_core::household::Household>) {
    let ours = team(server, "西湖一片", "HZ1001");
    let hs = households(server, &ours, 1);
    let phone = common::enrolled_phone(server, &ours);
    let mut h = phone.store().household(hs[0].id).unwrap();
    h.name = "王建国".into();
    phone.store().save_household(&h, Utc::now()).unwrap();
    (phone, hs)
}

fn footprint(server: &TestServer) -> [u64; 4] {
    [
        server.count(Counted::Ops),
        server.count(Counted::Conflicts),
        server.count(Counted::CompletePhotos),
        server.count(Counted::Records(
            doorstep_core::sync::protocol::Entity::Form,
        )),
    ]
}

on_both_backends! {
    fn requests_without_a_valid_credential_are_refused_everywhere(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let phone = TestDevice::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        let credential = phone.store().credential().unwrap().unwrap();
        let (device_id, _) = credential.split_once('.').unwrap();
        for (method, path) in ENDPOINTS {
            let url = format!("{}{path}", server.url);
            let (status, body) = refusal(request(method, &url).send().unwrap());
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} without credential");
            assert_eq!(body.error, ErrorKind::Unauthorized);
            for wrong in [format!("{device_id}.{}", "0".repeat(64)), "nonsense".into(), format!("other.{}", "1".repeat(64))] {
                let (status, _) = refusal(request(method, &url).bearer_auth(&wrong).send().unwrap());
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with a wrong credential");
            }
        }
    }
}

on_both_backends! {
    fn a_revoked_device_is_refused_at_once(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        households(&server, &team, 2);
        let phone = common::enrolled_phone(&server, &team);
        let device_id = phone.store().device_id().to_owned();
        doorstep_server::storage::write(&*server.storage, |tx| {
            doorstep_server::auth::revoke(tx, &device_id, &doorstep_server::storage::Actor::Admin(None), Utc::now())
        })
        .unwrap();
        let err = phone.sync().unwrap_err();
        assert!(matches!(err, doorstep_core::Error::Auth { .. }), "{err:?}");
        let credential = phone.store().credential().unwrap().unwrap();
        for (method, path) in ENDPOINTS {
            let url = format!("{}{path}", server.url);
            let (status, body) = refusal(request(method, &url).bearer_auth(&credential).send().unwrap());
            assert_eq!((status, body.error), (StatusCode::UNAUTHORIZED, ErrorKind::Revoked), "{method} {path}");
        }
        // Re-enrolling the revoked device with a fresh code is refused as well.
        let again = phone.syncer.enroll(&phone.store, &server.url, &server.enrollment_code(team.inspector.id), "p");
        assert!(matches!(again, Err(doorstep_core::Error::Auth { .. })), "{again:?}");
    }
}

on_both_backends! {
    fn a_phone_enrolled_for_one_technician_is_not_taken_over_with_another_s_code(backend: Backend) {
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let theirs = team(&server, "滨江二片", "BJ2001");
        households(&server, &ours, 2);
        let phone = common::enrolled_phone(&server, &ours);
        let code = server.enrollment_code(theirs.inspector.id);
        let before = footprint(&server);
        let taken = phone.syncer.enroll(&phone.store, &server.url, &code, "p");
        assert!(
            matches!(&taken, Err(doorstep_core::Error::Refused { kind, .. }) if *kind == ErrorKind::Conflict),
            "{taken:?}"
        );
        assert_eq!(footprint(&server), before, "nothing stored, the code not used");
        // The phone still works for its own technician, and the code for a phone of theirs.
        phone.sync().unwrap();
        TestDevice::new().enroll(&server.url, &code);
    }
}

on_both_backends! {
    fn a_device_model_with_a_control_character_is_refused_and_the_code_kept(backend: Backend) {
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let code = server.enrollment_code(ours.inspector.id);
        let before = footprint(&server);
        let (status, body) = refusal(
            reqwest::blocking::Client::new()
                .post(format!("{}/v1/enroll", server.url))
                .json(&serde_json::json!({"code": code, "device_id": "abc123", "device_model": "Pixel\u{0}"}))
                .send()
                .unwrap(),
        );
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid));
        assert!(body.message.contains("device_model"), "{}", body.message);
        assert_eq!(footprint(&server), before);
        let device = doorstep_server::storage::read(&*server.storage, |tx| Ok(tx.device("abc123")?));
        assert!(device.unwrap().is_none(), "no device stored");
        TestDevice::new().enroll(&server.url, &code);
    }
}

on_both_backends! {
    fn a_wrong_method_or_a_path_that_is_not_text_gets_a_typed_refusal(backend: Backend) {
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let phone = common::enrolled_phone(&server, &ours);
        let credential = phone.store().credential().unwrap().unwrap();
        let (status, body) = refusal(request("GET", &format!("{}/v1/push", server.url)).bearer_auth(&credential).send().unwrap());
        assert_eq!((status, body.error), (StatusCode::METHOD_NOT_ALLOWED, ErrorKind::MethodNotAllowed));
        let before = footprint(&server);
        let url = format!("{}/v1/photos/%FF?offset=0&total=1", server.url);
        let (status, body) = refusal(request("PUT", &url).bearer_auth(&credential).body(vec![1u8]).send().unwrap());
        assert_eq!((status, body.error), (StatusCode::BAD_REQUEST, ErrorKind::Malformed));
        assert_eq!(footprint(&server), before);
    }
}

on_both_backends! {
    fn a_device_cannot_read_or_write_outside_its_district(backend: Backend) {
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let theirs = team(&server, "滨江二片", "BJ2001");
        households(&server, &ours, 2);
        let foreign = common::household("BJ000001", theirs.district.id, 7);
        server.office_put(doorstep_core::sync::protocol::Record::Household(Box::new(foreign.clone())));
        let phone = TestDevice::new();
        phone.enroll(&server.url, &server.enrollment_code(ours.inspector.id));
        phone.sync().unwrap();
        assert!(phone.store().household(foreign.id).is_err(), "never pulled");

        // A hand-made edit of the other district's household, stamped by this device.
        phone.store().receive_households(std::slice::from_ref(&foreign)).unwrap();
        let mut edited = foreign.clone();
        edited.name = "改名".into();
        phone.store().save_household(&edited, Utc::now()).unwrap();
        let before = footprint(&server);
        let ops = phone.store().push_batch(10).unwrap();
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() }));
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body.error, ErrorKind::Forbidden);
        assert_eq!(body.op_id, Some(ops[0].op_id));
        assert_eq!(footprint(&server), before, "nothing stored");
        assert_eq!(server.household(foreign.id).name, foreign.name);

        // The client parks the refused operation with its reason and goes on.
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 1);
        assert_eq!(phone.store().outbox_len().unwrap(), 0);
        let parked = phone.store().rejected_operations().unwrap();
        assert_eq!(parked.len(), 1);
        assert_eq!(parked[0].error, ErrorKind::Forbidden);
    }
}

on_both_backends! {
    fn a_device_cannot_move_a_household_or_hand_an_order_outside_its_scope(backend: Backend) {
        use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let theirs = team(&server, "滨江二片", "BJ2001");
        let hs = households(&server, &ours, 1);
        let phone = common::enrolled_phone(&server, &ours);

        // The household moved to the other district by an edit on the phone: its people's data
        // would go to the other district's phones.
        let mut moved = phone.store().household(hs[0].id).unwrap();
        moved.district_id = Some(theirs.district.id);
        phone.store().save_household(&moved, Utc::now()).unwrap();
        let before = footprint(&server);
        let ops = phone.store().push_batch(10).unwrap();
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() }));
        assert_eq!((status, body.error), (StatusCode::FORBIDDEN, ErrorKind::Forbidden));
        assert_eq!(body.op_id, Some(ops[0].op_id));
        assert_eq!(footprint(&server), before, "nothing stored");
        assert_eq!(server.household(hs[0].id).district_id, Some(ours.district.id));
        phone.sync().unwrap();

        // An order for one of our households, assigned to the other district's technician: it
        // would give them the household.
        let mut order = WorkOrder::open(
            "WO-SEC-1",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Visit,
            Some(hs[0].id),
            "漏气复查",
            Utc::now(),
        );
        order.assignee = Some(theirs.inspector.id);
        phone.store().open_work_order(&order).unwrap();
        let before = footprint(&server);
        let ops = phone.store().push_batch(10).unwrap();
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() }));
        assert_eq!((status, body.error), (StatusCode::FORBIDDEN, ErrorKind::Forbidden));
        assert_eq!(footprint(&server), before, "nothing stored");

        // The same order for the technician's own crew is theirs to open.
        phone.sync().unwrap();
        let mut ours_order = WorkOrder::open(
            "WO-SEC-2",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Visit,
            Some(hs[0].id),
            "漏气复查",
            Utc::now(),
        );
        ours_order.crew = Some(ours.crew);
        phone.store().open_work_order(&ours_order).unwrap();
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 0, "{report:?}");
        assert_eq!(server.work_order(&ours_order.id.to_string()).crew, Some(ours.crew));

        // A household of the other district the office assigned to this technician: a follow-up
        // order for it (no assignee, no crew, as a major hazard opens one) is accepted, and
        // lands where that district's office dispatches it.
        let theirs_h = common::household("BJ000002", theirs.district.id, 8);
        server.office_put(doorstep_core::sync::protocol::Record::Household(Box::new(theirs_h.clone())));
        let mut assigned = WorkOrder::open(
            "WO-SEC-3",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(theirs_h.id),
            "灶具漏气",
            Utc::now(),
        );
        assigned.assignee = Some(ours.inspector.id);
        server.office_put(doorstep_core::sync::protocol::Record::WorkOrder(Box::new(assigned)));
        phone.sync().unwrap();
        assert!(phone.store().household(theirs_h.id).is_ok(), "reached through the assignment");
        let follow_up = WorkOrder::open(
            "WO-SEC-4",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Visit,
            Some(theirs_h.id),
            "重大隐患复查",
            Utc::now(),
        );
        phone.store().open_work_order(&follow_up).unwrap();
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 0, "{report:?}");
        assert_eq!(server.work_order(&follow_up.id.to_string()).household_id, Some(theirs_h.id));
    }
}

on_both_backends! {
    fn a_reading_for_a_household_the_office_deleted_is_set_aside_and_the_rest_goes_on(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 2);
        let phone = common::enrolled_phone(&server, &team);
        // The office closes the first account while the technician, offline, reads its meter
        // and then edits the second household.
        doorstep_server::storage::write(&*server.storage, |tx| {
            doorstep_server::records::delete_from_office(
                tx,
                doorstep_core::sync::protocol::Entity::Household,
                &hs[0].id.to_string(),
            )
        })
        .unwrap();
        phone
            .store()
            .record_meter_reading(&doorstep_core::household::MeterReading {
                household_id: hs[0].id,
                taken_at: Utc::now(),
                value: doorstep_core::household::Volume::from_litres(1_234_000),
                source: doorstep_core::household::ReadingSource::Technician,
            })
            .unwrap();
        let mut edited = phone.store().household(hs[1].id).unwrap();
        edited.name = "改名".into();
        phone.store().save_household(&edited, Utc::now()).unwrap();
        // An edit of the deleted household itself does not bring it back either.
        let mut gone = phone.store().household(hs[0].id).unwrap();
        gone.name = "已销户".into();
        phone.store().save_household(&gone, Utc::now()).unwrap();

        let ops = phone.store().push_batch(10).unwrap();
        let before = footprint(&server);
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() }));
        assert_eq!((status, body.error), (StatusCode::NOT_FOUND, ErrorKind::NotFound));
        assert_eq!(body.op_id, Some(ops[0].op_id), "the refusal names the operation");
        assert_eq!(footprint(&server), before, "nothing of the request stored");

        // The device sets the reading aside, with its reason, and the edit after it still
        // reaches the server: one refused operation does not hold up the others for good.
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 2);
        assert_eq!(phone.store().outbox_len().unwrap(), 0);
        let parked = phone.store().rejected_operations().unwrap();
        assert_eq!(parked.iter().map(|p| p.op_id).collect::<Vec<_>>(), vec![ops[0].op_id, ops[2].op_id]);
        assert!(parked.iter().all(|p| p.error == ErrorKind::NotFound), "{parked:?}");
        assert_eq!(server.household(hs[1].id).name, "改名");
        let deleted = doorstep_server::storage::read(&*server.storage, |tx| {
            Ok(tx.record(doorstep_core::sync::protocol::Entity::Household, &hs[0].id.to_string())?)
        })
        .unwrap()
        .unwrap();
        assert!(deleted.deleted, "still deleted on the server");
    }
}

on_both_backends! {
    fn a_sealed_form_changed_after_sealing_is_refused(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        let photo = take_photo(&phone, &hs[0], 9);
        inspect(&phone, &hs[0], &[photo]);
        let mut ops = phone.store().push_batch(1000).unwrap();
        let sealed = ops
            .iter_mut()
            .find_map(|op| match &mut op.operation {
                Operation::FormSealed { form } => Some(form),
                _ => None,
            })
            .unwrap();
        // One answer changed after the customer signed.
        let (item, _) = sealed.answers.iter().next().map(|(k, v)| (k.clone(), v.clone())).unwrap();
        sealed.answers.insert(item, doorstep_core::forms::form::Answer::Text("改过".into()));
        let before = footprint(&server);
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body.error, ErrorKind::FormTampered);
        assert!(body.message.contains("changed after sealing"), "{}", body.message);
        assert_eq!(footprint(&server), before, "nothing of the request stored");
    }
}

on_both_backends! {
    fn a_photo_whose_bytes_do_not_match_its_hash_is_refused(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let phone = TestDevice::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        let credential = phone.store().credential().unwrap().unwrap();
        let bytes = b"not the photo you are looking for".to_vec();
        let claimed = "ab".repeat(32);
        for (offset, total, chunk) in [(0usize, bytes.len(), bytes.clone()), (0, bytes.len() * 2, bytes.clone())] {
            let url = format!("{}/v1/photos/{claimed}?offset={offset}&total={total}", server.url);
            let response = Client::new().put(&url).bearer_auth(&credential).body(chunk).send().unwrap();
            if total == bytes.len() {
                let (status, body) = refusal(response);
                assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::PhotoMismatch));
            } else {
                assert!(response.status().is_success());
                let url = format!("{}/v1/photos/{claimed}?offset={}&total={total}", server.url, bytes.len());
                let (status, body) = refusal(Client::new().put(&url).bearer_auth(&credential).body(bytes.clone()).send().unwrap());
                assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::PhotoMismatch));
            }
        }
        assert_eq!(server.count(Counted::CompletePhotos), 0);
        assert_eq!(server.photo_files(), 0, "no file of a mismatched photo is kept");
    }
}

on_both_backends! {
    fn oversized_and_malformed_requests_are_refused_at_every_endpoint(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let phone = TestDevice::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        let credential = phone.store().credential().unwrap().unwrap();
        let before = footprint(&server);
        // A fresh connection for every request: the server closes a connection whose body it
        // refused unread, and a pooled client would otherwise send the next request into it.
        let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let huge = format!("{{\"ops\":[\"{}\"]}}", "x".repeat(5 * 1024 * 1024));
        let (status, body) = refusal(
            client.post(format!("{}/v1/push", server.url)).bearer_auth(&credential)
                .header("content-type", "application/json").body(huge).send().unwrap(),
        );
        assert_eq!((status, body.error), (StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge));
        let big_chunk = vec![0u8; 2 * 1024 * 1024];
        let url = format!("{}/v1/photos/{}?offset=0&total={}", server.url, "cd".repeat(32), big_chunk.len());
        let (status, _) = refusal(client.put(&url).bearer_auth(&credential).body(big_chunk).send().unwrap());
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::PAYLOAD_TOO_LARGE, "{status}");
        let url = format!("{}/v1/photos/{}?offset=0&total=999999999999", server.url, "cd".repeat(32));
        let (status, _) = refusal(client.put(&url).bearer_auth(&credential).body(vec![1u8]).send().unwrap());
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

        for bad in ["{", "[]", "{\"ops\": 5}", "null", "{\"ops\":[{\"seq\":\"one\"}]}", "\u{0}"] {
            for path in ["/v1/push", "/v1/photos/missing", "/v1/enroll"] {
                let (status, body) = refusal(
                    client.post(format!("{}{path}", server.url)).bearer_auth(&credential)
                        .header("content-type", "application/json").body(bad).send().unwrap(),
                );
                assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{path} {bad:?}: {status}");
                assert_eq!(body.error, ErrorKind::Malformed, "{path} {bad:?}");
            }
        }
        // A value in the wrong place (here a phone number) is named by where it is, never repeated.
        for (path, bad) in [
            ("/v1/enroll", r#"{"code": 13812345678, "device_id": "p", "device_model": "m"}"#),
            ("/v1/photos/missing", r#"{"sha256": "13812345678"}"#),
            ("/v1/push", r#"{"ops": [{"seq": "13812345678"}]}"#),
        ] {
            let (status, body) = refusal(
                client.post(format!("{}{path}", server.url)).bearer_auth(&credential)
                    .header("content-type", "application/json").body(bad).send().unwrap(),
            );
            assert!(status.is_client_error(), "{path}: {status}");
            assert!(!body.message.contains("13812345678"), "{path}: {}", body.message);
            assert!(body.message.contains("invalid type"), "{path}: {}", body.message);
        }
        for query in ["limit=many", "cursor=nonsense", "cursor=12.ffff&limit=-1"] {
            let (status, _) = refusal(
                client.get(format!("{}/v1/pull?{query}", server.url)).bearer_auth(&credential).send().unwrap(),
            );
            assert_eq!(status, StatusCode::BAD_REQUEST, "pull?{query}: a bad query is malformed");
        }
        let (status, _) = refusal(
            client.put(format!("{}/v1/photos/{}", server.url, "cd".repeat(32))).bearer_auth(&credential).body(vec![1u8]).send().unwrap(),
        );
        assert_eq!(status, StatusCode::BAD_REQUEST, "a chunk without offset and total");
        let (status, _) = refusal(
            client.put(format!("{}/v1/photos/NOT-A-HASH?offset=0&total=1", server.url)).bearer_auth(&credential).body(vec![1u8]).send().unwrap(),
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = refusal(
            client.put(format!("{}/v1/photos/{}?offset={}&total=1", server.url, "cd".repeat(32), u64::MAX))
                .bearer_auth(&credential).body(vec![1u8]).send().unwrap(),
        );
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid), "an offset at the end of the range");
        let (status, body) = refusal(
            client.put(format!("{}/v1/photos/{}?offset=0&total=0", server.url, "cd".repeat(32)))
                .bearer_auth(&credential).body(vec![1u8]).send().unwrap(),
        );
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid), "a photo of no bytes");
        assert_eq!(footprint(&server), before);
    }
}

on_both_backends! {
    fn an_edit_naming_a_field_a_household_does_not_have_is_refused_and_nothing_stored(backend: Backend) {
        let server = TestServer::start(backend);
        let (phone, hs) = phone_with_an_edit(&server);
        let mut ops = phone.store().push_batch(10).unwrap();
        for op in &mut ops {
            if let Operation::HouseholdSaved { changed, .. } = &mut op.operation {
                changed.push("x_injected".into());
            }
        }
        let before = footprint(&server);
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }));
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid));
        assert!(body.message.contains("changed["), "{}", body.message);
        assert!(!body.message.contains("x_injected"), "the device's text is not echoed");
        assert_eq!(footprint(&server), before);
        assert_ne!(server.household(hs[0].id).name, "王建国");
    }
}

on_both_backends! {
    fn a_negative_meter_reading_is_refused_by_the_server_too(backend: Backend) {
        use doorstep_core::household::{MeterReading, ReadingSource, Volume};
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &ours, 1);
        let phone = common::enrolled_phone(&server, &ours);
        phone
            .store()
            .record_meter_reading(&MeterReading {
                household_id: hs[0].id,
                taken_at: Utc::now() - chrono::Duration::minutes(1),
                value: Volume::from_litres(1_000),
                source: ReadingSource::Technician,
            })
            .unwrap();
        let mut ops = phone.store().push_batch(10).unwrap();
        for op in &mut ops {
            if let Operation::MeterReadingRecorded { reading } = &mut op.operation {
                reading.value = Volume::from_litres(-5);
            }
        }
        let before = footprint(&server);
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }));
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid));
        assert!(body.message.contains("reading.value"), "{}", body.message);
        assert_eq!(footprint(&server), before);
    }
}

on_both_backends! {
    fn an_operation_dated_thousands_of_years_off_is_refused_not_retried_forever(backend: Backend) {
        let server = TestServer::start(backend);
        let (phone, _) = phone_with_an_edit(&server);
        let ops = phone.store().push_batch(10).unwrap();
        for year in [-5000, 1, 200_000] {
            let mut ops = ops.clone();
            for op in &mut ops {
                op.device_time = chrono::TimeZone::with_ymd_and_hms(&Utc, year, 1, 1, 0, 0, 0).unwrap();
            }
            let before = footprint(&server);
            let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }));
            // 422 names the operation, so the phone sets it aside; a 500 it would retry forever.
            assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid), "year {year}");
            assert!(body.op_id.is_some(), "year {year}");
            assert_eq!(footprint(&server), before);
        }
    }
}

on_both_backends! {
    fn a_sealed_form_filed_under_another_households_order_or_form_is_refused(backend: Backend) {
        use doorstep_core::forms::builtin::builtin_template;
        use doorstep_core::forms::seal::{Signature, seal};
        use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};
        let server = TestServer::start(backend);
        let ours = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &ours, 2);
        let mut other_order = WorkOrder::open(
            "GD-0009",
            WorkOrderKind::Inspection,
            WorkOrderSource::System,
            Some(hs[1].id),
            "",
            Utc::now(),
        );
        other_order.assignee = Some(ours.inspector.id);
        server.office_put(doorstep_core::sync::protocol::Record::WorkOrder(Box::new(other_order.clone())));
        let phone = common::enrolled_phone(&server, &ours);
        let other_form = inspect(&phone, &hs[1], &[]);
        phone.sync().unwrap();
        let form = inspect(&phone, &hs[0], &[]);
        let template = builtin_template("residential_inspection").unwrap();
        let sealed = phone.store().form(form).unwrap();
        let ops = phone.store().push_batch(100).unwrap();
        // The same form, sealed again as a faulty or forged app would: pointing at the other
        // household's order, or amending the other household's form.
        let relinked = |link: &dyn Fn(&mut doorstep_core::forms::form::Form)| {
            let mut f = sealed.clone();
            link(&mut f);
            f.seal = None;
            let signatures = std::mem::take(&mut f.signatures);
            for (item, s) in signatures {
                let bound = Signature::bind(s.capture, &f, &template).unwrap();
                f.signatures.insert(item, bound);
            }
            f.seal = Some(seal(&f, &template, Utc::now()).unwrap());
            let mut ops = ops.clone();
            for op in &mut ops {
                if let Operation::FormSealed { form } = &mut op.operation {
                    **form = f.clone();
                }
            }
            PushRequest { ops }
        };
        for (what, request) in [
            ("work order", relinked(&|f| f.work_order_id = Some(other_order.id))),
            ("form it amends", relinked(&|f| f.amends = Some(other_form))),
        ] {
            let before = footprint(&server);
            let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &request));
            assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid), "{what}");
            assert!(body.message.contains("another household"), "{what}: {}", body.message);
            assert_eq!(footprint(&server), before, "{what}");
        }
    }
}

on_both_backends! {
    fn a_refused_edit_tells_the_phone_which_field_and_why_in_chinese(backend: Backend) {
        let server = TestServer::start(backend);
        let (phone, _) = phone_with_an_edit(&server);
        let mut ops = phone.store().push_batch(10).unwrap();
        // An edit the phone's own checks would not let through: a household with no name.
        let Operation::HouseholdSaved { household, .. } = &mut ops[0].operation else {
            panic!("the queued edit is a household's");
        };
        household.name.clear();
        let before = footprint(&server);
        let (status, body) = refusal(raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() }));
        assert_eq!((status, body.error), (StatusCode::UNPROCESSABLE_ENTITY, ErrorKind::Invalid));
        assert_eq!(body.op_id, Some(ops[0].op_id));
        assert_eq!(body.field.as_deref(), Some("household.name"));
        let reason_zh = body.reason_zh.expect("the reason in Chinese");
        assert!(!reason_zh.is_empty() && !reason_zh.is_ascii(), "{reason_zh}");
        assert!(body.message.contains("household.name"), "{}", body.message);
        assert_eq!(footprint(&server), before, "nothing stored");
    }
}
