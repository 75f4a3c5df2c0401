//! Forms keep every answer (Art.15): what a sealed form says reaches the household's file and
//! its order on the server, by the core's one rule, without a step the app must remember.

use crate::common;

use chrono::{Duration, SubsecRound, Utc};
use common::forms::{sign_all, take_photo};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, PhotoRef};
use doorstep_core::forms::template::ItemKind;
use doorstep_core::household::{ApplianceKind, FlueType, Household, MeterKind, SupplyStatus};
use doorstep_core::ids::{FormId, WorkOrderId};
use doorstep_core::sync::protocol::Record;
use doorstep_core::testkit::valid_answer;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

/// Form `template` filled in on `phone` for `household` (and `order`): `answers` where given,
/// a valid answer everywhere else, a photo for every photo item; signed and sealed at `at`.
fn seal(
    phone: &TestDevice,
    template: &str,
    household: &Household,
    order: Option<WorkOrderId>,
    answers: &[(&str, Answer)],
    at: chrono::DateTime<Utc>,
) -> FormId {
    let template = builtin_template(template).unwrap();
    let photo = take_photo(phone, household, 7);
    let mut store = phone.store();
    let form = store
        .start_form(&template, household.id, order, at - Duration::minutes(30))
        .unwrap();
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) || current.photos.contains_key(&item.id) {
                continue;
            }
            let given = answers
                .iter()
                .find(|(id, _)| *id == item.id)
                .map(|(_, a)| a.clone());
            if let Some(answer) = given.or_else(|| valid_answer(item, at - Duration::minutes(10))) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            } else if let ItemKind::Photo { min, .. } = item.kind
                && min > 0
            {
                store
                    .attach_photo(form.id, &item.id, PhotoRef::new(&photo, at).unwrap())
                    .unwrap();
            }
        }
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, at).unwrap();
    form.id
}

on_both_backends! {
    fn a_repair_closing_sealed_on_the_phone_resolves_its_order_on_the_server_with_one_step(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let household = households(&server, &team, 1).remove(0);
        let mut order = WorkOrder::open(
            "GD-0031",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(household.id),
            "热水器打不着火",
            Utc::now() - Duration::hours(1),
        );
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let phone = common::enrolled_phone(&server, &team);

        let sealed_at = Utc::now().trunc_subsecs(3);
        let answers = [("repair_result", Answer::Choice("out_of_scope".into()))];
        seal(&phone, "repair_closing", &household, Some(order.id), &answers, sealed_at);
        // The app forgets nothing it must do: no separate step. Should it still move the order,
        // that is the same step, not a second one.
        phone.store().move_work_order(order.id, WorkOrderStatus::ReferredElsewhere, Utc::now(), None).unwrap();
        assert_eq!(phone.sync().unwrap().conflicts, 0);

        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.status(), WorkOrderStatus::ReferredElsewhere);
        let finals: Vec<_> = on_server.steps.iter().filter(|s| s.status.is_final()).collect();
        assert_eq!(finals.len(), 1, "{:?}", on_server.steps);
        assert_eq!(finals[0].at, sealed_at, "at the seal's time");
        let by = finals[0].reported_by.as_ref().expect("reported by the phone");
        assert_eq!(by.device, phone.store().device_id());
        assert_eq!(phone.store().work_order(order.id).unwrap().steps, on_server.steps);

        // Syncing again makes nothing twice.
        phone.sync().unwrap();
        assert_eq!(server.work_order(&order.id.to_string()).steps, on_server.steps);
    }
}

on_both_backends! {
    fn an_acceptance_keeps_the_meter_type_the_appliances_their_flue_and_the_gas_on_time_on_the_server(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let mut household = households(&server, &team, 1).remove(0);
        server.office_edit(household.id, |h| {
            h.meter = None;
            h.supply = SupplyStatus::NotConnected;
            h.gas_on_date = None;
        });
        household = server.household(household.id);
        let phone = common::enrolled_phone(&server, &team);

        let gas_on = Utc::now() - Duration::days(2);
        let answers = [
            ("meter_type", Answer::Choice("ultrasonic".into())),
            ("appliances", Answer::Choices(vec!["stove".into(), "wall_boiler".into()])),
            ("heater_flue_type", Answer::Choice("forced_exhaust".into())),
            ("gas_on_at", Answer::DateTime(gas_on)),
        ];
        seal(&phone, "acceptance_gas_on", &household, None, &answers, Utc::now());
        phone.sync().unwrap();

        let file = server.household(household.id);
        assert_eq!(file.supply, SupplyStatus::Active);
        assert_eq!(file.meter.as_ref().unwrap().kind, MeterKind::Ultrasonic);
        let appliances: Vec<_> = file.appliances.iter().map(|a| (a.kind, a.flue)).collect();
        assert_eq!(
            appliances,
            [(ApplianceKind::Stove, FlueType::None), (ApplianceKind::WallBoiler, FlueType::ForcedExhaust)]
        );
        assert_eq!(file.gas_on_date, Some(doorstep_core::calendar::local_date(gas_on)));
        assert_eq!(phone.store().household(household.id).unwrap(), file, "the phone and the server agree");
    }
}

on_both_backends! {
    fn a_shut_offs_seal_number_is_kept_on_the_household_for_the_reconnection_to_check(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let household = households(&server, &team, 1).remove(0);
        let phone = common::enrolled_phone(&server, &team);
        let answers = [
            ("shut_off_reason", Answer::Choice("arrears".into())),
            ("seal_number", Answer::Text("FQ-20261102".into())),
        ];
        seal(&phone, "shut_off", &household, None, &answers, Utc::now());
        phone.sync().unwrap();
        let file = server.household(household.id);
        assert_eq!(file.supply.seal_to_check(), Some("FQ-20261102"));

        // Another technician reconnects: their phone shows the number to find on the valve.
        let other = common::enrolled_phone(&server, &team);
        let shown = other.store().household(household.id).unwrap();
        assert_eq!(shown.supply.seal_to_check(), Some("FQ-20261102"));
        let answers = [("seal_number", Answer::Text("FQ-20261102".into()))];
        seal(&other, "reconnection", &shown, None, &answers, Utc::now());
        other.sync().unwrap();
        assert_eq!(server.household(household.id).supply, SupplyStatus::Active);
        let timeline = other.store().household_file(household.id).unwrap().history;
        assert!(
            timeline.iter().any(|line| line.summary.en.contains("number matches the shut-off record")),
            "{timeline:?}"
        );
    }
}

on_both_backends! {
    fn a_households_history_shows_another_technicians_visit_and_the_phone_that_made_it_keeps_each_line_once(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let household = households(&server, &team, 1).remove(0);
        let a = common::enrolled_phone(&server, &team);
        let b = common::enrolled_phone(&server, &team);
        let mut order = WorkOrder::open(
            "GD-0041",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(household.id),
            "灶具打不着火",
            Utc::now() - Duration::hours(1),
        );
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        a.sync().unwrap();
        a.store().move_work_order(order.id, WorkOrderStatus::OnSite, Utc::now(), None).unwrap();
        let form = common::forms::inspect(&a, &household, &[]);
        let mine = a.store().household_file(household.id).unwrap().history;
        a.sync().unwrap();
        a.sync().unwrap();

        // A's own lines came back from the server as the same lines: none twice.
        let after = a.store().household_file(household.id).unwrap().history;
        assert_eq!(after.len(), mine.len(), "{after:#?}");
        // B, who was not there, sees the visit: the form sealed, its reading, the order's step.
        b.sync().unwrap();
        let seen = b.store().household_file(household.id).unwrap().history;
        let form_id = form.to_string();
        let order_id = order.id.to_string();
        for line in mine.iter().filter(|l| {
            l.subject_id.as_deref() == Some(form_id.as_str()) || l.subject_id.as_deref() == Some(order_id.as_str())
        }) {
            assert!(seen.iter().any(|s| s.id == line.id && s.summary == line.summary), "B lacks {line:?}");
        }
        assert!(seen.iter().any(|l| l.summary.en.starts_with("form sealed")));
        assert!(seen.iter().any(|l| l.summary.en.starts_with("meter read")));
        assert!(seen.iter().any(|l| l.subject_id.as_deref() == Some(order_id.as_str())));
    }
}

on_both_backends! {
    fn a_sealed_repair_closing_that_arrives_without_its_step_still_resolves_its_order_once(backend: Backend) {
        use doorstep_core::sync::protocol::{Operation, PushRequest};
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let household = households(&server, &team, 1).remove(0);
        let mut order = WorkOrder::open(
            "GD-0051",
            WorkOrderKind::UserEquipmentFault,
            WorkOrderSource::Phone,
            Some(household.id),
            "灶具打不着火",
            Utc::now() - Duration::hours(1),
        );
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let phone = common::enrolled_phone(&server, &team);
        let sealed_at = Utc::now().trunc_subsecs(3);
        seal(&phone, "repair_closing", &household, Some(order.id), &[], sealed_at);

        // The form alone (say, from a phone of the version before the step was queued): the
        // server resolves the order from it, by the same rule.
        let ops: Vec<_> = phone
            .store()
            .push_batch(100)
            .unwrap()
            .into_iter()
            .filter(|op| !matches!(op.operation, Operation::WorkOrderMoved { .. }))
            .collect();
        for _ in 0..2 {
            let answer = common::raw_post(&server.url, "/v1/push", &phone, &PushRequest { ops: ops.clone() });
            assert!(answer.status().is_success(), "{}", answer.status());
        }
        let on_server = server.work_order(&order.id.to_string());
        assert_eq!(on_server.status(), WorkOrderStatus::Resolved);
        let finals: Vec<_> = on_server.steps.iter().filter(|s| s.status.is_final()).collect();
        assert_eq!(finals.len(), 1, "sent twice, resolved once: {:?}", on_server.steps);
        assert_eq!(finals[0].at, sealed_at);
        // The phone's own step, when it comes, is the same resolution: no conflict.
        assert_eq!(phone.sync().unwrap().conflicts, 0);
        assert_eq!(server.work_order(&order.id.to_string()).steps, on_server.steps);
    }
}
