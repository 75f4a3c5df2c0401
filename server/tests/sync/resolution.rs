//! Two phones resolve one order offline: the resolution made first on site stands, whichever
//! phone syncs first, and the other phone's visit (its sealed form, its photos) still reaches
//! the household's file.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use common::forms::{sign_all, take_photo};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::PhotoRef;
use doorstep_core::forms::template::ItemKind;
use doorstep_core::geo::GeoPoint;
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, OperationId, WorkOrderId};
use doorstep_core::sync::merge::{Author, ConflictRule};
use doorstep_core::sync::protocol::{Entity, Operation, PushRequest, Record};
use doorstep_core::testkit::valid_answer;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::records::child_buckets;
use doorstep_server::storage::{self, ConflictRow};

use super::*;

on_both_backends! {
    fn the_repair_resolved_first_on_site_stands_whichever_phone_syncs_first(backend: Backend) {
        for b_syncs_first in [false, true] {
            let race = Race::start(backend);
            // A resolves the repair on site; a little later B, not knowing, refers it elsewhere.
            let (a_at, a_form, a_photo) = race.resolve(&race.a, WorkOrderStatus::Resolved, 1);
            std::thread::sleep(std::time::Duration::from_millis(30));
            let (_, b_form, b_photo) = race.resolve(&race.b, WorkOrderStatus::ReferredElsewhere, 2);
            let b_step = moved_op(&race.b);
            let first = if b_syncs_first { [&race.b, &race.a] } else { [&race.a, &race.b] };
            let conflicts: u64 = first.iter().map(|p| p.sync().unwrap().conflicts).sum();
            assert_eq!(conflicts, 1, "one real conflict, reported once (b first: {b_syncs_first})");
            race.b.sync().unwrap();

            // A's resolution stands: its step, time, phone and place; the deadlines follow it.
            let order = race.server.work_order(&race.order.to_string());
            let standing = order.steps.last().unwrap();
            assert_eq!(standing.status, WorkOrderStatus::Resolved, "b first: {b_syncs_first}");
            assert_eq!(standing.at, a_at);
            assert_eq!(standing.position, Some(race.site()));
            let by = standing.reported_by.as_ref().expect("the server records who reported it");
            assert_eq!(by.device, race.a.store().device_id());
            assert_eq!(by.technician, race.team.inspector.id);
            assert_eq!(order.reached(WorkOrderStatus::Resolved), Some(a_at));
            order.validate().unwrap();
            assert_eq!(race.b.store().work_order(race.order).unwrap().steps, order.steps, "B's phone shows the resolution that stands");

            // B's step is in the conflict list, naming both phones.
            let rows = race.conflicts();
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].rule, ConflictRule::FirstResolutionWins);
            assert_eq!(rows[0].entity, Entity::WorkOrder);
            assert_eq!((rows[0].kept.as_str(), rows[0].lost.as_str()), ("\"resolved\"", "\"referred_elsewhere\""));
            assert_eq!(rows[0].kept_by, Author::Device(race.a.store().device_id().into()));
            assert_eq!(rows[0].lost_by, Author::Device(race.b.store().device_id().into()));
            assert_eq!(rows[0].op_id, Some(b_step));

            // Losing the race never loses the visit.
            race.assert_in_the_households_file(&[(a_form, &a_photo, &race.a), (b_form, &b_photo, &race.b)]);
        }
    }
}

on_both_backends! {
    fn a_phone_whose_clock_was_set_back_does_not_take_the_resolution_from_the_one_made_first(backend: Backend) {
        let race = Race::start(backend);
        let (a_at, a_form, a_photo) = race.resolve(&race.a, WorkOrderStatus::Resolved, 1);
        std::thread::sleep(std::time::Duration::from_millis(30));
        let (_, b_form, b_photo) = race.resolve(&race.b, WorkOrderStatus::ReferredElsewhere, 2);
        race.a.sync().unwrap();
        // B's clock had been set back a day when it resolved: its step claims the day before,
        // its clock stamp (which never runs back) says when it was made.
        let mut ops = race.b.store().push_batch(100).unwrap();
        for op in &mut ops {
            if let Operation::WorkOrderMoved { at, .. } = &mut op.operation {
                *at -= Duration::days(1);
            }
        }
        let answer = common::raw_post(&race.server.url, "/v1/push", &race.b, &PushRequest { ops });
        assert!(answer.status().is_success(), "{}", answer.status());
        race.b.sync().unwrap();

        let order = race.server.work_order(&race.order.to_string());
        assert_eq!(order.status(), WorkOrderStatus::Resolved);
        assert_eq!(order.reached(WorkOrderStatus::Resolved), Some(a_at));
        let rows = race.conflicts();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].lost_by, Author::Device(race.b.store().device_id().into()));
        race.assert_in_the_households_file(&[(a_form, &a_photo, &race.a), (b_form, &b_photo, &race.b)]);
    }
}

on_both_backends! {
    fn an_order_the_office_cancelled_stays_cancelled_and_the_repair_made_before_reaches_the_file(backend: Backend) {
        let race = Race::start(backend);
        let (_, a_form, a_photo) = race.resolve(&race.a, WorkOrderStatus::Resolved, 1);
        std::thread::sleep(std::time::Duration::from_millis(30));
        // The office, not knowing the crew had been there, cancels the order.
        let mut order = race.server.work_order(&race.order.to_string());
        order.advance(WorkOrderStatus::Cancelled, Utc::now(), None).unwrap();
        race.server.office_put(Record::WorkOrder(Box::new(order.clone())));
        assert_eq!(race.a.sync().unwrap().conflicts, 1);

        assert_eq!(race.server.work_order(&race.order.to_string()).steps, order.steps, "the office's decision stands");
        let rows = race.conflicts();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].rule, ConflictRule::FirstResolutionWins);
        assert_eq!((rows[0].kept.as_str(), rows[0].lost.as_str()), ("\"cancelled\"", "\"resolved\""));
        assert_eq!(rows[0].kept_by, Author::Server);
        race.assert_in_the_households_file(&[(a_form, &a_photo, &race.a)]);
    }
}

/// A repair order of a household, and two crew phones and a third phone of the district,
/// enrolled and pulled.
struct Race {
    server: TestServer,
    team: common::Team,
    household: Household,
    order: WorkOrderId,
    a: TestDevice,
    b: TestDevice,
    district_phone: TestDevice,
}

impl Race {
    fn start(backend: Backend) -> Self {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let household = households(&server, &team, 1).remove(0);
        let mut order = WorkOrder::open(
            "GD-0021",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(household.id),
            "灶具漏气",
            Utc::now() - Duration::hours(2),
        );
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let [a, b, district_phone] = [(); 3].map(|_| common::enrolled_phone(&server, &team));
        Self {
            server,
            team,
            household,
            order: order.id,
            a,
            b,
            district_phone,
        }
    }

    /// Where phone A stood when it resolved the order.
    fn site(&self) -> GeoPoint {
        GeoPoint::new(30.2601, 120.1602).unwrap()
    }

    /// `phone` closes the repair offline: the order moved to `status` now, and a closing form
    /// with photo `n`, sealed. Returns when, the form and the photo.
    fn resolve(
        &self,
        phone: &TestDevice,
        status: WorkOrderStatus,
        n: u32,
    ) -> (DateTime<Utc>, FormId, String) {
        let photo = take_photo(phone, &self.household, n);
        let at = Utc::now().trunc_subsecs(3);
        let position = (n == 1).then(|| self.site());
        phone
            .store()
            .move_work_order(self.order, status, at, position)
            .unwrap();
        // Filled after the order was closed: the seal finds it closed and makes no step of its own.
        let form = close_repair(phone, &self.household, self.order, &photo);
        (at, form, photo)
    }

    fn conflicts(&self) -> Vec<ConflictRow> {
        storage::read(&*self.server.storage, |tx| Ok(tx.conflicts(100)?)).unwrap()
    }

    /// Each sealed form is on the server in the household's file, its photo stored, complete,
    /// and pulled by a third phone of the district; each phone still reads its own.
    fn assert_in_the_households_file(&self, forms: &[(FormId, &String, &TestDevice)]) {
        let household = self.household.id.to_string();
        let (stored_household, waiting) = storage::read(&*self.server.storage, |tx| {
            Ok((
                tx.record(Entity::Household, &household)?.unwrap(),
                tx.forms_waiting()?,
            ))
        })
        .unwrap();
        assert!(waiting.is_empty(), "every form complete: {waiting:?}");
        self.district_phone.sync().unwrap();
        let pulled = self
            .district_phone
            .store()
            .forms_of_household(self.household.id)
            .unwrap();
        for (form, photo, phone) in forms {
            let record = storage::read(&*self.server.storage, |tx| {
                Ok(tx.record(Entity::Form, &form.to_string())?)
            })
            .unwrap()
            .expect("the sealed form is on the server");
            assert_eq!(record.buckets, child_buckets(&stored_household).unwrap());
            assert_eq!(
                self.server.photo_bytes(photo),
                phone.store().photo_jpeg(photo).unwrap()
            );
            assert!(
                pulled.iter().any(|f| f.id == *form && f.seal.is_some()),
                "the district's phone has form {form}"
            );
            assert!(phone.store().form(*form).unwrap().seal.is_some());
        }
    }
}

/// The id of the order step in `phone`'s outbox.
fn moved_op(phone: &TestDevice) -> OperationId {
    phone
        .store()
        .push_batch(100)
        .unwrap()
        .into_iter()
        .find(|op| matches!(op.operation, Operation::WorkOrderMoved { .. }))
        .expect("the order's step waits to be pushed")
        .op_id
}

/// A repair closing form for `order`, filled in, with `photo`, signed and sealed.
fn close_repair(
    phone: &TestDevice,
    household: &Household,
    order: WorkOrderId,
    photo: &str,
) -> FormId {
    let template = builtin_template("repair_closing").unwrap();
    let mut store = phone.store();
    let form = store
        .start_form(&template, household.id, Some(order), Utc::now())
        .unwrap();
    let mut attached = false;
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) || current.photos.contains_key(&item.id) {
                continue;
            }
            if let Some(answer) = valid_answer(item, Utc::now()) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            } else if matches!(item.kind, ItemKind::Photo { .. }) && !attached {
                store
                    .attach_photo(form.id, &item.id, PhotoRef::new(photo, Utc::now()).unwrap())
                    .unwrap();
                attached = true;
            }
        }
    }
    assert!(attached, "the form has a photo");
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, Utc::now()).unwrap();
    form.id
}
