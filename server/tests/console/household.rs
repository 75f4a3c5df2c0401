//! Console tests (issue 26): a household's file, its signed forms and its photos, as the
//! service center opens them after a phone synced its visit.

use chrono::Utc;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, Form};
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::Household;
use doorstep_core::ids::FormId;
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::visit::{CheckInPolicy, DevicePosition};
use doorstep_server::console::Role;
use doorstep_server::storage::{self, AuditRow};

use crate::common;
use crate::common::console::{self, Console, Page};
use crate::common::forms::{camera_file, inspect, take_photo};
use crate::common::{Backend, TestDevice, TestServer, enrolled_phone, household, households, team};

/// A phone's visit, synced: a check-in 1 km from the address, two photos (the second taken
/// 1 km away) and a residential inspection with both, signed and sealed.
struct Visit {
    server: TestServer,
    household: Household,
    form: FormId,
    photos: [String; 2],
    district: doorstep_core::ids::DistrictId,
    _phone: TestDevice,
}

fn visit(backend: Backend) -> Visit {
    let server = TestServer::start(backend);
    let team = team(&server, "西湖一片", "HZ1001");
    let household = households(&server, &team, 1).remove(0);
    let phone = enrolled_phone(&server, &team);
    let far = GeoPoint::new(30.27, 120.16).unwrap();
    phone
        .store()
        .check_in(
            household.id,
            DevicePosition::new(far, 10.0).unwrap(),
            Utc::now(),
            &CheckInPolicy::default(),
        )
        .unwrap();
    let photos = [
        take_photo(&phone, &household, 1),
        photo_at(&phone, &household, far),
    ];
    let form = inspect(&phone, &household, &photos);
    phone.sync().unwrap();
    Visit {
        server,
        district: team.district.id,
        household,
        form,
        photos,
        _phone: phone,
    }
}

/// A photo taken for `household` by a phone standing at `at`.
fn photo_at(phone: &TestDevice, household: &Household, at: GeoPoint) -> String {
    let path = camera_file(phone.dir.path(), 7);
    let context = WatermarkContext {
        captured_at: Utc::now(),
        lang: doorstep_core::text::Lang::Zh,
        customer_number: Some(household.customer_number.clone()),
        device_position: Some(at),
        technician: "HZ1001".into(),
    };
    phone
        .store()
        .ingest_photo(&path, Some(household.id), &context, &PhotoPolicy::default())
        .unwrap()
        .sha256
        .into()
}

fn signed_in(
    server: &TestServer,
    login: &str,
    role: Role,
    district: &[doorstep_core::ids::DistrictId],
) -> Console {
    let password = console::staff(server, login, role, district);
    Console::sign_in(server, login, &password)
}

fn file_url(v: &Visit) -> String {
    format!("/console/households/{}", v.household.id)
}

fn form_url(v: &Visit) -> String {
    format!("/console/households/{}/forms/{}", v.household.id, v.form)
}

/// The bytes of a console response (the test client reads bodies as text).
fn bytes(server: &TestServer, c: &Console, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = reqwest::blocking::Client::new()
        .get(format!("{}{path}", server.url))
        .header(
            "cookie",
            format!("doorstep_session={}", c.cookie().unwrap()),
        )
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, kind, response.bytes().unwrap().to_vec())
}

fn audit(server: &TestServer) -> Vec<AuditRow> {
    storage::read(&*server.storage, |tx| Ok(tx.audit_log(10_000)?)).unwrap()
}

fn audited(server: &TestServer, login: &str, action: &str, id: &str) -> usize {
    audit(server)
        .iter()
        .filter(|a| {
            a.actor.to_string() == format!("staff:{login}")
                && a.action == action
                && a.entity_id.as_deref() == Some(id)
        })
        .count()
}

on_both_backends! {
    fn a_dispatcher_opens_the_file_of_a_household_inspected_and_its_signed_form_with_photos_signatures_and_flags(backend: Backend) {
        let v = visit(backend);
        let mut c = signed_in(&v.server, "zhaomin", Role::Dispatcher, &[v.district]);

        let file = c.get(&file_url(&v)).ok();
        assert!(file.shows(&v.household.customer_number));
        assert!(file.shows(&v.household.name));
        assert!(file.shows(&v.household.address.one_line()));
        assert!(file.shows(&format!("href=\"{}/contact\"", file_url(&v))), "the contact edit is linked");
        assert!(file.shows(&format!("href=\"{}\"", form_url(&v))), "the signed form is listed");
        assert!(file.shows("签封校验通过"));
        assert!(file.shows("到户打卡不在地址处"), "the check-in far from the address is in the history");
        assert_eq!(audited(&v.server, "zhaomin", "household_viewed", &v.household.id.to_string()), 1);

        let form = c.get(&form_url(&v)).ok();
        let template = builtin_template("residential_inspection").unwrap();
        assert!(form.shows(&template.title.zh));
        let stored: Form = storage::read(&*v.server.storage, |tx| Ok(tx.record(Entity::Form, &v.form.to_string())?))
            .unwrap()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .unwrap();
        for id in stored.answers.keys() {
            let label = &template.item(id).unwrap().label.zh;
            assert!(form.shows(label), "the answer to {id} is labelled {label}");
        }
        assert!(form.shows("id=\"digest-verified\""), "digest verified");
        assert!(!form.shows("digest-mismatch"));
        assert!(form.shows(&stored.seal.as_ref().unwrap().digest));
        assert_eq!(form.body.matches("<svg").count(), stored.signatures.len(), "one drawing per signature");
        assert!(form.shows("<polyline points=\""));
        assert!(form.shows("王秀英"), "who signed");
        for sha in &v.photos {
            assert!(form.shows(&format!("src=\"/console/photos/{sha}/thumb\"")));
            assert!(form.shows(&format!("href=\"/console/photos/{sha}\"")));
        }
        assert_eq!(form.body.matches("拍摄地点距地址").count(), 1, "the photo taken 1 km away is flagged, the other is not");
        assert!(form.shows("到户打卡不在地址处"), "the day's check-in, flagged");
        assert!(form.shows("class=\"badge red location-flag\""), "the arrival position answered 1 km away is flagged");
        assert_eq!(audited(&v.server, "zhaomin", "form_viewed", &v.form.to_string()), 1);

        for sha in &v.photos {
            let stored = v.server.photo_bytes(sha);
            let (status, kind, thumb) = bytes(&v.server, &c, &format!("/console/photos/{sha}/thumb"));
            assert_eq!((status, kind.as_deref()), (200, Some("image/jpeg")));
            assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]) && thumb.len() < stored.len());
            let (status, kind, full) = bytes(&v.server, &c, &format!("/console/photos/{sha}"));
            assert_eq!((status, kind.as_deref()), (200, Some("image/jpeg")));
            assert_eq!(full, stored, "the photo as stored, watermark and all");
        }

        c.language("en");
        let form = c.get(&form_url(&v)).ok();
        assert!(form.shows(&template.title.en));
        assert!(form.shows("digest verified"));
        assert!(form.shows("checked in away from the address"));
    }
}

on_both_backends! {
    fn a_form_changed_on_the_server_after_it_was_sealed_shows_its_digest_does_not_match(backend: Backend) {
        let v = visit(backend);
        // Someone with the database changes an answer of the sealed form.
        storage::write(&*v.server.storage, |tx| {
            let mut record = tx.record(Entity::Form, &v.form.to_string())?.unwrap();
            let mut form: Form = serde_json::from_str(&record.body).unwrap();
            let (_, answer) = form
                .answers
                .iter_mut()
                .find(|(_, a)| matches!(a, Answer::Text(_)))
                .expect("a text answer");
            *answer = Answer::Text("改过的".into());
            record.body = serde_json::to_string(&form).unwrap();
            tx.put_record(&record)?;
            Ok(())
        })
        .unwrap();
        let mut c = signed_in(&v.server, "zhaomin", Role::Dispatcher, &[v.district]);
        let form = c.get(&form_url(&v)).ok();
        assert!(form.shows("id=\"digest-mismatch\""));
        assert!(!form.shows("digest-verified"));
        let file = c.get(&file_url(&v)).ok();
        assert!(file.shows("签封校验不符"));
        assert!(!file.shows("签封校验通过"));
    }
}

on_both_backends! {
    fn a_dispatcher_of_another_district_is_refused_the_file_the_form_and_the_photos(backend: Backend) {
        let v = visit(backend);
        let east = team(&v.server, "东区", "HZ2001");
        let mut other = signed_in(&v.server, "qianli", Role::Dispatcher, &[east.district.id]);
        let refused = |p: Page| assert_eq!(p.status, 403, "{}", p.body);
        refused(other.get(&file_url(&v)));
        refused(other.get(&form_url(&v)));
        for sha in &v.photos {
            refused(other.get(&format!("/console/photos/{sha}")));
            refused(other.get(&format!("/console/photos/{sha}/thumb")));
        }
        let refusal = other.get(&file_url(&v));
        assert!(!refusal.shows(&v.household.name), "nothing of the household on the refusal");
        assert_eq!(audited(&v.server, "qianli", "household_viewed", &v.household.id.to_string()), 0);
        assert_eq!(audited(&v.server, "qianli", "form_viewed", &v.form.to_string()), 0);

        // A supervisor sees the whole city.
        let mut supervisor = signed_in(&v.server, "sunhua", Role::Supervisor, &[]);
        supervisor.get(&file_url(&v)).ok();
        supervisor.get(&form_url(&v)).ok();
        let (status, _, _) = bytes(&v.server, &supervisor, &format!("/console/photos/{}/thumb", v.photos[0]));
        assert_eq!(status, 200);
        // A form asked under another household's file is not found.
        let elsewhere = household("HZ900001", east.district.id, 5);
        v.server.office_put(Record::Household(Box::new(elsewhere.clone())));
        let wrong = format!("/console/households/{}/forms/{}", elsewhere.id, v.form);
        assert_eq!(supervisor.get(&wrong).status, 404);
    }
}

on_both_backends! {
    fn a_household_name_holding_a_script_is_shown_escaped_on_its_file_and_its_form(backend: Backend) {
        let v = visit(backend);
        let name = "<script>alert('户')</script>";
        v.server.office_edit(v.household.id, |h| h.name = name.into());
        let mut c = signed_in(&v.server, "zhaomin", Role::Dispatcher, &[v.district]);
        for page in [c.get(&file_url(&v)).ok(), c.get(&form_url(&v)).ok()] {
            assert!(!page.shows("<script>alert"), "{}", page.body);
            assert!(page.shows("&lt;script&gt;alert"));
        }
    }
}

on_both_backends! {
    fn the_file_lists_the_open_orders_by_deadline_with_the_cores_levels_and_the_late_one_as_a_breach(backend: Backend) {
        use chrono::Duration;
        use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};

        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let h = households(&server, &team, 1).remove(0);
        let order = |number: &str, ago: Duration| {
            let order = WorkOrder::open(
                number,
                WorkOrderKind::PipelineFault,
                WorkOrderSource::Phone,
                Some(h.id),
                "楼道内闻到燃气味",
                Utc::now() - ago,
            );
            server.office_put(Record::WorkOrder(Box::new(order)));
        };
        order("GD-2026-001", Duration::hours(7));
        order("GD-2026-002", Duration::minutes(1));
        let mut c = signed_in(&server, "zhaomin", Role::Dispatcher, &[team.district.id]);
        let file = c.get(&format!("/console/households/{}", h.id)).ok();
        let late = file.body.find("GD-2026-001").expect("the late order is listed");
        let on_time = file.body.find("GD-2026-002").expect("the new order is listed");
        assert!(late < on_time, "the most pressing deadline first");
        assert_eq!(file.body.matches("<tr class=\"breach\">").count(), 1);
        assert!(file.shows("已超时") && file.shows("时间充裕"));
        assert!(file.shows("开工单 GD-2026-001"), "the orders are in the history too");
    }
}
