//! A sealed inspection with its photos, on its way to the back office: verified, complete only
//! once every photo is there, every photo byte-identical, seen by the other device.

use crate::common;

use common::forms::{inspect, take_photo};
use common::{Backend, TestServer, households, team};
use doorstep_core::forms::form::Form;
use doorstep_core::sync::protocol::{Entity, PushRequest, PushResponse};
use doorstep_server::storage::{self, Counted};

on_both_backends! {
    fn a_sealed_inspection_arrives_with_both_photos_and_the_other_device_sees_it(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 3);
        let a = common::enrolled_phone(&server, &team);
        let photos = [take_photo(&a, &hs[0], 1), take_photo(&a, &hs[0], 2)];
        let form = inspect(&a, &hs[0], &photos);

        let report = a.sync().unwrap();
        assert_eq!(report.photos_uploaded, 2);
        assert_eq!(a.store().outbox_len().unwrap(), 0);
        assert!(a.store().photos_to_upload().unwrap().is_empty());
        assert_eq!(server.count(Counted::CompletePhotos), 2);
        let waiting = storage::read(&*server.storage, |tx| Ok(tx.forms_waiting()?)).unwrap();
        assert!(waiting.is_empty(), "complete once its photos are there: {waiting:?}");
        for sha in &photos {
            let on_server = server.photo_bytes(sha);
            assert_eq!(on_server, a.store().photo_jpeg(sha).unwrap(), "byte-identical");
        }
        let stored = storage::read(&*server.storage, |tx| Ok(tx.record(Entity::Form, &form.to_string())?))
            .unwrap()
            .expect("the sealed form on the server");
        let stored: Form = serde_json::from_str(&stored.body).unwrap();
        assert_eq!(stored, a.store().form(form).unwrap());
        assert!(server.household(hs[0].id).last_inspection_at.is_some());

        let b = common::enrolled_phone(&server, &team);
        assert_eq!(b.store().form(form).unwrap(), stored, "the other device has the sealed form");
        assert_eq!(
            b.store().household(hs[0].id).unwrap().last_inspection_at,
            server.household(hs[0].id).last_inspection_at
        );

        // Syncing again changes nothing and sends nothing twice.
        let ops = server.count(Counted::Ops);
        let again = a.sync().unwrap();
        assert_eq!((again.pushed, again.photos_uploaded), (0, 0));
        assert_eq!(server.count(Counted::Ops), ops);
    }
}

on_both_backends! {
    fn a_sealed_form_waits_until_its_photos_arrive(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let a = common::enrolled_phone(&server, &team);
        let photos = [take_photo(&a, &hs[0], 3), take_photo(&a, &hs[0], 4)];
        let form = inspect(&a, &hs[0], &photos);

        // Only the operations travel (the photo upload has not happened yet).
        let ops = a.store().push_batch(1000).unwrap();
        let answer: PushResponse = common::raw_post(&server.url, "/v1/push", &a, &PushRequest { ops })
            .json()
            .unwrap();
        a.store().acknowledge_through(answer.acknowledged_through).unwrap();
        let waiting = storage::read(&*server.storage, |tx| Ok(tx.forms_waiting()?)).unwrap();
        assert_eq!(waiting, vec![form.to_string()]);

        a.sync().unwrap();
        let waiting = storage::read(&*server.storage, |tx| Ok(tx.forms_waiting()?)).unwrap();
        assert!(waiting.is_empty());
    }
}

on_both_backends! {
    fn a_damaged_photo_file_on_the_phone_does_not_hold_up_the_other_photos_or_the_pull(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 2);
        let phone = common::enrolled_phone(&server, &team);
        let damaged = take_photo(&phone, &hs[0], 1);
        let good = take_photo(&phone, &hs[0], 2);
        // The phone's encrypted copy of one photo is damaged (a bad sector, a cleaner app).
        let file = phone.dir.path().join("device.db.photos").join(format!("{damaged}.jpg"));
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xFF;
        std::fs::write(&file, bytes).unwrap();
        // Meanwhile the office changed a household.
        server.office_edit(hs[1].id, |h| h.name = "新户名".into());

        let report = phone.sync().expect("the sync goes on");
        assert_eq!((report.photos_uploaded, report.photos_unreadable), (1, 1));
        assert_eq!(server.photo_bytes(&good), phone.store().photo_jpeg(&good).unwrap());
        assert_eq!(phone.store().household(hs[1].id).unwrap().name, "新户名", "pulled");
        assert_eq!(
            phone.store().photos_to_upload().unwrap(),
            vec![damaged.clone()],
            "the damaged photo stays waiting, to be tried again"
        );
        let again = phone.sync().unwrap();
        assert_eq!((again.photos_uploaded, again.photos_unreadable), (0, 1));
    }
}

on_both_backends! {
    fn an_amended_inspection_corrects_its_reading_on_the_server_and_makes_nothing_twice(backend: Backend) {
        use chrono::Utc;
        use doorstep_core::forms::form::Answer;
        use doorstep_core::household::Volume;

        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        let photos = [take_photo(&phone, &hs[0], 1), take_photo(&phone, &hs[0], 2)];
        let form = inspect(&phone, &hs[0], &photos);
        phone.sync().unwrap();
        let readings = server.count(Counted::Records(Entity::Reading));
        let orders = server.count(Counted::Records(Entity::WorkOrder));
        let inspected = server.household(hs[0].id).last_inspection_at;
        assert!(inspected.is_some());

        // The next day the technician corrects the meter reading.
        let template = doorstep_core::forms::builtin::builtin_template("residential_inspection").unwrap();
        {
            let mut store = phone.store();
            let amendment = store.amend(form, Utc::now()).unwrap();
            store
                .answer(amendment.id, "meter_reading", Some(Answer::MeterReading(Volume::from_litres(1_234_999))))
                .unwrap();
            common::forms::sign_all(&mut store, amendment.id, &template);
            store.complete_form(amendment.id, Utc::now()).unwrap();
        }
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 0, "{report:?}");
        assert_eq!(server.count(Counted::Records(Entity::Reading)), readings, "corrected, not added");
        assert_eq!(server.count(Counted::Records(Entity::WorkOrder)), orders);
        assert_eq!(server.household(hs[0].id).last_inspection_at, inspected, "the visit's date stands");
        let on_server = storage::read(&*server.storage, |tx| {
            Ok(tx.records(Entity::Reading, "", 100)?)
        })
        .unwrap();
        let values: Vec<Volume> = on_server
            .iter()
            .filter_map(|r| serde_json::from_str::<doorstep_core::household::MeterReading>(&r.body).ok())
            .filter(|r| r.household_id == hs[0].id)
            .map(|r| r.value)
            .collect();
        assert!(values.contains(&Volume::from_litres(1_234_999)), "{values:?}");
        assert!(!values.contains(&Volume::from_litres(1_234_567)), "{values:?}");
    }
}

on_both_backends! {
    fn a_form_whose_customer_refused_to_sign_waits_for_the_photo_standing_in_for_the_signature(backend: Backend) {
        use chrono::Utc;
        use doorstep_core::forms::form::{Outcome, PhotoRef};
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let a = common::enrolled_phone(&server, &team);
        let photos = [take_photo(&a, &hs[0], 3), take_photo(&a, &hs[0], 4)];
        let refusal = take_photo(&a, &hs[0], 5);
        let refused = Outcome::CustomerRefusedToSign {
            reason: "用户拒签".into(),
            photo: PhotoRef::new(&refusal, Utc::now()).unwrap(),
        };
        let form = common::forms::inspect_with(&a, &hs[0], &photos, Some(refused));
        // The refusal's photo is named by the form but does not reach the server (here: the
        // phone's record of it says it was sent already, so only the item photos go up).
        a.store().mark_photos_uploaded(&[doorstep_core::ids::PhotoHash::parse(&refusal).unwrap()]).unwrap();
        a.sync().unwrap();
        let waiting = storage::read(&*server.storage, |tx| Ok(tx.forms_waiting()?)).unwrap();
        assert_eq!(waiting, vec![form.to_string()], "not complete without the refusal's photo");
    }
}

on_both_backends! {
    fn a_photo_the_server_refuses_waits_and_the_rest_of_the_sync_goes_on(backend: Backend) {
        use doorstep_server::storage::PhotoRow;
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let phone = common::enrolled_phone(&server, &team);
        let restarted = take_photo(&phone, &hs[0], 1);
        let refused = take_photo(&phone, &hs[0], 2);
        let size = phone.store().photo(&refused).unwrap().bytes as i64;
        storage::write(&*server.storage, |tx| {
            // An upload of one photo begun under another size by a faulty client: it gives way.
            tx.put_photo(&PhotoRow { sha256: restarted.clone(), total: 7, received: 3, complete: false })?;
            // The other's first bytes claimed but lost: its bytes, once all sent, do not match
            // its hash, and the server refuses them.
            tx.put_photo(&PhotoRow { sha256: refused.clone(), total: size, received: 5, complete: false })?;
            Ok(())
        })
        .unwrap();
        server.office_edit(hs[0].id, |h| h.name = "王建国".into());

        let report = phone.sync().unwrap();
        assert_eq!((report.photos_uploaded, report.photos_unreadable), (1, 1), "{report:?}");
        assert_eq!(server.photo_bytes(&restarted), phone.store().photo_jpeg(&restarted).unwrap());
        assert_eq!(phone.store().household(hs[0].id).unwrap().name, "王建国", "the pull went on");
        assert_eq!(phone.store().photos_to_upload().unwrap(), vec![refused.clone()], "it waits");
        // Refused once, its upload started over: the next sync sends it whole.
        let report = phone.sync().unwrap();
        assert_eq!(report.photos_uploaded, 1, "{report:?}");
        assert!(phone.store().photos_to_upload().unwrap().is_empty());
    }
}
