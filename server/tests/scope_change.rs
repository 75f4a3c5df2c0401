//! A technician's visit, sealed offline, while the office moves the household or the technician
//! (issue 21 §1): work the phone made before it heard of the move is taken as it is; work made
//! after is parked whole for the office, which accepts or rejects it; the phone keeps it,
//! readable, until the decision reaches it.

use crate::common;

use chrono::Utc;
use common::forms::{inspect, take_photo};
use common::process::doorstep;
use common::{Backend, TestDevice, TestServer, households, raw_post, team};
use doorstep_core::forms::form::Form;
use doorstep_core::ids::{FormId, OperationId};
use doorstep_core::store::sync::Standing;
use doorstep_core::sync::protocol::{Entity, PushRequest, PushResponse, Record};
use doorstep_server::bucket::Bucket;
use doorstep_server::push::parked::{self, Decide};
use doorstep_server::storage::{self, Counted, ParkReason, ParkedQuery, ParkedRow};

impl TestServer {
    fn parked(&self) -> Vec<ParkedRow> {
        storage::read(&*self.storage, |tx| {
            Ok(tx.parked(&ParkedQuery {
                limit: 100,
                ..ParkedQuery::default()
            })?)
        })
        .unwrap()
    }

    /// The sealed form as the server holds it, with the buckets it is in.
    fn form(&self, id: FormId) -> Option<(Form, Vec<Bucket>)> {
        storage::read(&*self.storage, |tx| {
            Ok(tx.record(Entity::Form, &id.to_string())?)
        })
        .unwrap()
        .map(|r| (serde_json::from_str(&r.body).unwrap(), r.buckets))
    }

    fn decide(&self, op_id: OperationId, decide: Decide) {
        storage::write(&*self.storage, |tx| {
            parked::decide(tx, op_id, &decide, "admin:wangli", Utc::now())
        })
        .unwrap();
    }
}

on_both_backends! {
    fn an_inspection_sealed_offline_reaches_the_household_file_whole_though_the_office_moved_the_household_meanwhile(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let hs = households(&server, &west, 2);
        let ours = common::enrolled_phone(&server, &west);
        let theirs = common::enrolled_phone(&server, &east);

        // Offline in the basement: a photo, the checklist, both signatures, the seal.
        let photo = take_photo(&ours, &hs[0], 1);
        let form = inspect(&ours, &hs[0], std::slice::from_ref(&photo));
        let photo_bytes = ours.store().photo_jpeg(&photo).unwrap();
        // Meanwhile the office re-imports the household into the east district.
        server.office_edit(hs[0].id, |h| h.district_id = Some(east.district.id));
        let ops_before = server.count(Counted::Ops);

        let report = ours.sync().unwrap();
        assert_eq!(report.rejected, 0, "nothing refused");
        assert!(server.parked().is_empty(), "nothing parked: the phone had not heard of the move");
        let (stored, buckets) = server.form(form).expect("the sealed form is on the server");
        assert!(stored.is_sealed());
        assert!(
            buckets.contains(&Bucket::District(east.district.id)),
            "in the household's file, where the household is now"
        );
        assert_eq!(server.photo_bytes(&photo), photo_bytes, "its photo with it");
        assert!(
            server.household(hs[0].id).last_inspection_at.is_some(),
            "the inspection counts for the household"
        );
        assert!(
            server.count(Counted::Ops) > ops_before,
            "the seal was stored with the rest of the visit"
        );
        // The household and its form leave the west phone only now that the server has them;
        // the east phone gets them.
        ours.sync().unwrap();
        assert!(ours.store().household(hs[0].id).is_err());
        theirs.sync().unwrap();
        assert_eq!(theirs.store().form(form).unwrap(), stored);
        assert!(ours.store().rejected_operations().unwrap().is_empty());
    }
}

/// The west inspector moves to the east district while a sealed visit of a west household
/// waits on their phone: the server no longer knows them as the west district's, and parks the
/// visit for the office. Returns the phone, the household and the form.
fn visit_sealed_before_a_transfer(
    server: &TestServer,
) -> (
    TestDevice,
    doorstep_core::household::Household,
    FormId,
    common::Team,
) {
    let west = team(server, "西湖一片", "HZ1001");
    let east = team(server, "滨江二片", "BJ2001");
    let hs = households(server, &west, 2);
    let phone = common::enrolled_phone(server, &west);
    let photo = take_photo(&phone, &hs[0], 1);
    let form = inspect(&phone, &hs[0], &[photo]);
    let mut moved = west.inspector.clone();
    moved.district_id = Some(east.district.id);
    moved.crew_id = Some(east.crew);
    server.office_put(Record::Technician(moved));
    (phone, hs[0].clone(), form, west)
}

on_both_backends! {
    fn a_visit_the_phone_could_no_longer_deliver_is_parked_whole_and_the_office_takes_it_into_the_household_file(backend: Backend) {
        let server = TestServer::start(backend);
        let (phone, household, form, west) = visit_sealed_before_a_transfer(&server);

        // The first push's answer is lost on the way back: the phone sends the same operations
        // again, and is told again that they are parked.
        let ops = phone.store().push_batch(100).unwrap();
        let lost: PushResponse = raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }).json().unwrap();
        assert!(!lost.parked.is_empty());
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 0, "parked, not refused");
        let parked = server.parked();
        assert!(!parked.is_empty(), "the visit waits for the office");
        assert!(parked.iter().all(|p| p.reason == ParkReason::LeftScope && p.decision.is_none()));
        let seal = parked
            .iter()
            .find(|p| p.entity == Entity::Form && p.entity_id == form.to_string())
            .expect("the seal is parked, whole");
        assert_eq!(seal.household_id.as_deref(), Some(household.id.to_string().as_str()));
        assert!(server.form(form).is_none(), "not in the household's file before the office decides");
        // Readable on the phone while the office decides, though the west district left it,
        // and listed as waiting for the service center.
        assert!(phone.store().form(form).unwrap().is_sealed());
        let listed = phone.store().rejected_operations().unwrap();
        assert_eq!(listed.len(), parked.len());
        assert!(listed.iter().all(|r| r.standing == Standing::Parked));
        assert!(phone.store().household(household.id).is_ok(), "its household stays with it");

        // A second sync changes nothing: each operation is parked once.
        phone.sync().unwrap();
        assert_eq!(server.parked().len(), parked.len());

        for p in &parked {
            server.decide(p.op_id, Decide::Accept);
        }
        let (stored, buckets) = server.form(form).expect("accepted into the household's file");
        assert!(stored.is_sealed());
        assert!(buckets.contains(&Bucket::District(west.district.id)));
        assert!(server.household(household.id).last_inspection_at.is_some(), "with what it changes");
        // A decision is made once.
        let again = storage::write(&*server.storage, |tx| {
            parked::decide(tx, seal.op_id, &Decide::Accept, "admin", Utc::now())
        });
        assert!(again.is_err());

        // The phone learns it at its next sync: the server has the visit now.
        phone.sync().unwrap();
        assert!(phone.store().rejected_operations().unwrap().is_empty());
        assert!(phone.store().household(household.id).is_err(), "the old district's household left the phone");
    }
}

on_both_backends! {
    fn a_parked_visit_the_office_rejects_stays_listed_on_the_phone_with_the_offices_reason(backend: Backend) {
        let server = TestServer::start(backend);
        let (phone, household, form, _) = visit_sealed_before_a_transfer(&server);
        // The push's answer is lost, and the office decides before the phone syncs again: the
        // phone sends the visit again, is told it is parked, and learns the decision at once.
        let ops = phone.store().push_batch(100).unwrap();
        let lost: PushResponse = raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops }).json().unwrap();
        assert!(!lost.parked.is_empty());
        for p in server.parked() {
            server.decide(p.op_id, Decide::Reject("该户本月已由滨江二片检查".into()));
        }
        assert!(server.form(form).is_none(), "not in the household's file");
        phone.sync().unwrap();
        let listed = phone.store().rejected_operations().unwrap();
        assert!(!listed.is_empty(), "the technician sees what was not taken in");
        assert!(listed.iter().all(|r| r.standing == Standing::Rejected
            && r.decision_reason.as_deref() == Some("该户本月已由滨江二片检查")));
        let seal = listed.iter().find(|r| r.form.is_some()).expect("the sealed form is listed");
        assert!(seal.what.zh.contains(&household.customer_number) || seal.customer_number.is_none());
        assert!(phone.store().household(household.id).is_err(), "decided: the household may leave");
        // A rejection needs a reason.
        let no_reason = storage::write(&*server.storage, |tx| {
            parked::decide(tx, OperationId::new(), &Decide::Reject(" ".into()), "admin", Utc::now())
        });
        assert!(no_reason.is_err());
    }
}

on_both_backends! {
    fn a_visit_sealed_for_a_household_the_office_deleted_is_parked_not_refused(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &west, 2);
        let phone = common::enrolled_phone(&server, &west);
        let form = inspect(&phone, &hs[1], &[]);
        storage::write(&*server.storage, |tx| {
            doorstep_server::records::delete_from_office(tx, Entity::Household, &hs[1].id.to_string())?;
            Ok(())
        })
        .unwrap();
        let report = phone.sync().unwrap();
        assert_eq!(report.rejected, 0, "{:?}", phone.store().rejected_operations().unwrap());
        let parked = server.parked();
        assert!(parked
            .iter()
            .any(|p| p.entity_id == form.to_string() && p.reason == ParkReason::NoHousehold));
        assert!(phone.store().form(form).unwrap().is_sealed(), "kept on the phone");
    }
}

/// The office's side, as the operator types it: `doorstep admin parked list`, then accept one
/// and reject another.
#[test]
fn the_office_lists_parked_visits_and_decides_them_with_doorstep_admin() {
    let server = TestServer::start(Backend::Sqlite);
    let (phone, _, form, _) = visit_sealed_before_a_transfer(&server);
    phone.sync().unwrap();
    let data = server.dir.path().to_str().unwrap();
    let listed = doorstep(&[
        "admin",
        "--data",
        data,
        "--operator",
        "wangli",
        "parked",
        "list",
    ]);
    let mut lines = listed.lines();
    assert!(lines.next().unwrap().starts_with("parked_at\top_id\twhat"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), server.parked().len());
    let seal = rows
        .iter()
        .find(|r| r[2] == "form_sealed:residential_inspection")
        .expect("the sealed form is listed by its template");
    assert_eq!(seal[4], "left_scope");
    assert_eq!(seal[7], "waiting");
    let out = doorstep(&[
        "admin",
        "--data",
        data,
        "--operator",
        "wangli",
        "parked",
        "accept",
        seal[1],
    ]);
    assert!(out.contains("accepted"), "{out}");
    assert!(server.form(form).is_some());
    let other = rows
        .iter()
        .find(|r| r[1] != seal[1])
        .expect("the visit's other steps");
    doorstep(&[
        "admin",
        "--data",
        data,
        "--operator",
        "wangli",
        "parked",
        "reject",
        other[1],
        "--reason",
        "重复登记",
    ]);
    let all = doorstep(&["admin", "--data", data, "parked", "list", "--all"]);
    assert!(
        all.contains("\taccepted\twangli") || all.contains("\taccepted\tadmin:wangli"),
        "{all}"
    );
    assert!(all.contains("重复登记"));
    let waiting = doorstep(&["admin", "--data", data, "parked", "list"]);
    assert_eq!(
        waiting.lines().count(),
        1 + rows.len() - 2,
        "only the undecided remain"
    );
}
