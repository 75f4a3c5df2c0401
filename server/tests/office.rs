//! The service center's side of the regulation (issue 22): complaints and their clocks, the
//! call log, return visits scheduled after a repair or a complaint, satisfaction scores, and
//! compliance per clause; through the real `doorstep admin` binary and through phones syncing,
//! on SQLite and PostgreSQL.

use chrono::{Duration, Utc};
use doorstep_core::calls::{Call, CallKind, CallOutcome};
use doorstep_core::complaint::{Acceptance, Complaint, ComplaintStatus};
use doorstep_core::satisfaction::{Overall, Satisfaction, ScoreSource};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::workorder::{
    FollowUp, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};
use doorstep_server::records::decode;
use doorstep_server::storage::{self, Counted};

use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::decimal::Decimal;
use doorstep_core::forms::form::Answer;
use doorstep_core::household::Household;
use doorstep_core::ids::WorkOrderId;
use doorstep_core::testkit::valid_answer;

use crate::common::forms::sign_all;
use crate::common::office::Office;
use crate::common::{self, Backend, TestDevice, TestServer, households, team};

impl Office {
    fn records(&self, entity: Entity) -> u64 {
        self.count(Counted::Records(entity))
    }

    fn every<T: serde::de::DeserializeOwned>(&self, entity: Entity) -> Vec<T> {
        storage::read(&*self.storage(), |tx| {
            let mut all = Vec::new();
            for r in tx.records(entity, "", 1000)? {
                all.push(decode(&r)?);
            }
            Ok(all)
        })
        .unwrap()
    }

    /// A district with two households (HZ-0001, HZ-0002) and a repair technician; returns the
    /// district's and the technician's ids.
    fn city(&self) -> (String, String) {
        let district = self.ok(&[
            "district",
            "add",
            "--name",
            "西湖区文新片区",
            "--boundary",
            "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30",
        ]);
        let csv = format!(
            "customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category\n\
             HZ-0001,张伟,13812345678,{district},西湖区,文三路88号,3,2,501,30.271,120.121,residential\n\
             HZ-0002,王秀英,13912345678,{district},西湖区,文三路88号,3,2,502,30.271,120.121,residential\n"
        );
        let file = self.dir.path().join("households.csv");
        std::fs::write(&file, csv).unwrap();
        self.ok(&["household", "import", file.to_str().unwrap()]);
        let technician = self.ok(&[
            "technician",
            "add",
            "--badge",
            "HZ4096",
            "--name",
            "吴刚",
            "--role",
            "repair_technician",
        ]);
        (district, technician)
    }
}

fn hours_ago(h: i64) -> String {
    (Utc::now() - Duration::hours(h)).to_rfc3339()
}

on_both_backends! {
    fn a_complaint_against_a_technician_is_investigated_answered_and_closed_and_gets_its_return_visit(backend: Backend) {
        let office = Office::on(backend);
        let (_, technician) = office.city();
        office.ok(&["order", "create", "--number", "WO-1", "--kind", "user_equipment_fault",
            "--source", "phone", "--household", "HZ-0001", "--reported-at", &hours_ago(30)]);

        // A complaint against an unknown order is refused naming the option, and nothing is kept.
        let said = office.refused(&["complaint", "open", "--number", "TS-1", "--name", "张伟",
            "--phone", "13812345678", "--channel", "hotline_12345", "--summary", "维修人员态度差",
            "--order", "WO-404"]);
        assert!(said.contains("--order"), "{said}");
        assert!(!said.contains("13812345678") && !said.contains("张伟"), "{said}");
        assert_eq!(office.records(Entity::Complaint), 0);

        let id = office.ok(&["complaint", "open", "--number", "TS-1", "--name", "张伟",
            "--phone", "13812345678", "--channel", "hotline_12345", "--summary", "维修人员态度差",
            "--household", "HZ-0001", "--order", "WO-1", "--technician", &technician,
            "--received-at", &hours_ago(26)]);
        // Answering before the investigation started is refused: steps go forward only.
        let said = office.refused(&["complaint", "answer", "TS-1", "--said", "已核实"]);
        assert!(said.contains("complaint") || said.contains("--at"), "{said}");
        office.ok(&["complaint", "investigate", "TS-1", "--at", &hours_ago(25)]);
        office.ok(&["complaint", "answer", "TS-1", "--said", "已核实，向您致歉", "--at", &hours_ago(1)]);
        let closed = office.ok(&["complaint", "close", "TS-1", "--answer", "已批评教育当事人员",
            "--acceptance", "accepted"]);
        assert!(closed.contains("HF-"), "{closed}");

        // Its follow-up work is an order linked to it.
        office.ok(&["order", "create", "--number", "WO-2", "--kind", "complaint_follow_up",
            "--source", "phone", "--household", "HZ-0001", "--complaint", "TS-1"]);
        let said = office.refused(&["order", "create", "--number", "WO-3", "--kind",
            "complaint_follow_up", "--source", "phone", "--household", "HZ-0001", "--complaint", "TS-9"]);
        assert!(said.contains("--complaint"), "{said}");
        assert_eq!(office.order("WO-2").follows, Some(FollowUp::Complaint(id.parse().unwrap())));

        let complaints: Vec<Complaint> = office.every(Entity::Complaint);
        let c = &complaints[0];
        assert_eq!(c.id.to_string(), id);
        assert_eq!(c.status(), ComplaintStatus::Closed);
        assert_eq!(c.against_technician.unwrap().to_string(), technician);
        assert_eq!(c.closure.as_ref().unwrap().acceptance, Acceptance::Accepted);
        assert_eq!(c.closure.as_ref().unwrap().by, "wangli");
        // Office only: no phone's bucket holds it.
        let stored = storage::read(&*office.storage(), |tx| Ok(tx.record(Entity::Complaint, &id)?))
            .unwrap()
            .unwrap();
        assert!(stored.buckets.is_empty(), "{:?}", stored.buckets);

        // Its return visit: one, following the complaint, for its household, unassigned.
        let visits: Vec<WorkOrder> = office.every::<WorkOrder>(Entity::WorkOrder)
            .into_iter().filter(|o| o.kind == WorkOrderKind::ReturnVisit).collect();
        assert_eq!(visits.len(), 1);
        assert_eq!(visits[0].follows, Some(FollowUp::Complaint(c.id)));
        assert_eq!(visits[0].household_id, c.household_id);
        assert_eq!((visits[0].assignee, visits[0].crew), (None, None));

        // Closing again is refused and makes no second visit.
        office.refused(&["complaint", "close", "TS-1", "--answer", "再次办结", "--acceptance", "accepted"]);
        assert_eq!(office.every::<WorkOrder>(Entity::WorkOrder).len(), 3);

        let list = office.ok(&["complaint", "list"]);
        assert!(list.contains("TS-1\thotline_12345\tclosed"), "{list}");
        assert!(!list.contains("张伟") && !list.contains("13812345678"), "{list}");
        assert!(office.ok(&["complaint", "list", "--open"]).lines().count() == 1);

        // Investigation started 1 h after receipt (in time), first answer after 25 h (late).
        let report = office.ok(&["compliance"]);
        assert!(report.contains("complaint_investigation\t1\t0\t0\t0"), "{report}");
        assert!(report.contains("complaint_answer\t0\t1\t0\t0"), "{report}");
        assert!(report.contains("late\tcomplaint_answer\tcomplaint\tTS-1"), "{report}");
        // The equipment fault nobody reached is late too, whatever its clause is named.
        assert!(report.contains("\torder\tWO-1\t"), "{report}");

        let audit = office.ok(&["audit", "--limit", "20"]);
        for action in ["complaint_opened", "complaint_investigated", "complaint_answered",
            "complaint_closed", "return_visit_scheduled"] {
            assert!(audit.contains(action), "{action}: {audit}");
        }
    }
}

on_both_backends! {
    fn an_alarm_call_opens_a_pipeline_fault_with_the_call_and_a_bad_call_stores_nothing(backend: Backend) {
        let office = Office::on(backend);
        office.city();
        let out = office.ok(&["call", "take", "--kind", "alarm", "--household", "HZ-0002",
            "--summary", "楼道内燃气味很重"]);
        let mut ids = out.lines();
        let (call_id, order_id) = (ids.next().unwrap(), ids.next().unwrap());
        let calls: Vec<Call> = office.every(Entity::Call);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].id.to_string(), call_id);
        assert_eq!(calls[0].kind, CallKind::Alarm);
        assert_eq!(calls[0].outcome, CallOutcome::Order(order_id.parse().unwrap()));
        let order: WorkOrder = office.every::<WorkOrder>(Entity::WorkOrder).remove(0);
        assert_eq!(order.id.to_string(), order_id);
        assert_eq!(order.kind, WorkOrderKind::PipelineFault);
        assert_eq!(order.class, Some(doorstep_core::workorder::FaultClass::Major));
        assert_eq!(order.reported_at, calls[0].at);
        // Its clocks are a major fault's: crew on site and the leadership told at once.
        let report = office.ok(&["compliance"]);
        assert!(report.contains("emergency_on_site\t0\t0\t0\t1"), "{report}");
        assert!(report.contains("leadership_report\t0\t0\t0\t1"), "{report}");

        // An alarm cannot be answered on the spot, an empty summary is refused: nothing stored,
        // not even the order.
        let said = office.refused(&["call", "take", "--kind", "alarm", "--household", "HZ-0002",
            "--summary", "燃气味", "--order-kind", "inspection"]);
        assert!(said.contains("--order-kind"), "{said}");
        let said = office.refused(&["call", "take", "--kind", "alarm", "--household", "HZ-0002",
            "--summary", " "]);
        assert!(said.contains("--summary"), "{said}");
        let said = office.refused(&["call", "take", "--kind", "complaint", "--summary", "投诉",
            "--complaint", "TS-404"]);
        assert!(said.contains("--complaint"), "{said}");
        assert_eq!(office.records(Entity::Call), 1);
        assert_eq!(office.records(Entity::WorkOrder), 1);

        office.ok(&["call", "take", "--kind", "inquiry", "--summary", "问缴费时间",
            "--answer", "每月25日前"]);
        let list = office.ok(&["call", "list"]);
        assert!(list.contains("\talarm\tHZ-0002\torder DH-"), "{list}");
        assert!(list.contains("\tinquiry\t-\tanswered\t"), "{list}");
    }
}

on_both_backends! {
    fn the_office_records_a_return_visits_scores_and_a_score_out_of_range_is_refused(backend: Backend) {
        let office = Office::on(backend);
        let (city_district, _) = office.city();
        office.ok(&["complaint", "open", "--number", "TS-2", "--name", "李娜", "--channel", "phone",
            "--summary", "抄表不准", "--household", "HZ-0001", "--received-at", &hours_ago(5)]);
        office.ok(&["complaint", "investigate", "TS-2", "--at", &hours_ago(4)]);
        office.ok(&["complaint", "answer", "TS-2", "--said", "已复核", "--at", &hours_ago(3)]);
        office.ok(&["complaint", "close", "TS-2", "--answer", "已更正", "--acceptance", "accepted",
            "--at", &hours_ago(2)]);
        let list = office.ok(&["return-visit", "list"]);
        let row = list.lines().nth(1).expect("one return visit");
        assert!(row.contains("\tcomplaint TS-2\tHZ-0001\t"), "{row}");
        let number = row.split('\t').next().unwrap().to_owned();

        let said = office.refused(&["return-visit", "record", &number, "--overall", "satisfied",
            "--timeliness", "5", "--attitude", "5", "--quality", "6", "--safety-explanation", "4"]);
        assert!(said.contains("--quality"), "{said}");
        assert_eq!(office.records(Entity::Satisfaction), 0);

        office.ok(&["return-visit", "record", &number, "--overall", "very_satisfied",
            "--timeliness", "5", "--attitude", "4", "--quality", "5", "--safety-explanation", "3"]);
        let scores: Vec<Satisfaction> = office.every(Entity::Satisfaction);
        assert_eq!(scores.len(), 1);
        assert_eq!(scores[0].scores.overall, Overall::VerySatisfied);
        assert_eq!((scores[0].scores.attitude, scores[0].scores.safety_explanation), (4, 3));
        assert_eq!(scores[0].source, ScoreSource::Office("wangli".into()));
        assert_eq!(office.order(&number).status(), WorkOrderStatus::Resolved);
        assert!(office.ok(&["return-visit", "list"]).lines().count() == 1);
        let all = office.ok(&["return-visit", "list", "--all"]);
        assert!(all.contains("\tresolved\tvery_satisfied"), "{all}");

        // Aggregated per district of the household followed up; per technician there is none
        // (the complaint named nobody).
        let district = office.ok(&["return-visit", "scores", "--by", "district"]);
        let rows: Vec<&str> = district.lines().collect();
        assert_eq!(rows.len(), 2, "{district}");
        assert!(rows[1].starts_with(&city_district), "{district}");
        assert!(rows[1].ends_with("\t-\t1\t5.00\t4.00\t5.00\t3.00\t100.00%"), "{district}");
        assert_eq!(office.ok(&["return-visit", "scores", "--by", "technician"]).lines().count(), 1);
        let later = office.ok(&["return-visit", "scores", "--by", "district", "--from", &Utc::now().to_rfc3339()]);
        assert_eq!(later.lines().count(), 1, "{later}");
    }
}

on_both_backends! {
    fn a_repair_resolved_on_two_phones_schedules_one_return_visit_on_the_service_centers_list(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 1);
        let mut order = WorkOrder::open("GD-0009", WorkOrderKind::PipelineFault, WorkOrderSource::Phone,
            Some(hs[0].id), "表前阀漏气", Utc::now() - Duration::hours(3));
        order.crew = Some(team.crew);
        server.office_put(Record::WorkOrder(Box::new(order.clone())));
        let (a, b) = (TestDevice::new(), TestDevice::new());
        for phone in [&a, &b] {
            phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
            phone.sync().unwrap();
        }
        let resolved = Utc::now() - Duration::hours(1);
        a.store().move_work_order(order.id, WorkOrderStatus::Resolved, resolved, None).unwrap();
        b.store().move_work_order(order.id, WorkOrderStatus::Resolved, Utc::now(), None).unwrap();
        a.sync().unwrap();
        b.sync().unwrap();
        a.sync().unwrap();

        let visits: Vec<WorkOrder> = storage::read(&*server.storage, |tx| {
            let mut all = Vec::new();
            for r in tx.records(Entity::WorkOrder, "", 100)? {
                let o: WorkOrder = decode(&r)?;
                if o.kind == WorkOrderKind::ReturnVisit {
                    all.push(o);
                }
            }
            Ok(all)
        })
        .unwrap();
        assert_eq!(visits.len(), 1, "{visits:?}");
        let visit = &visits[0];
        assert_eq!(visit.follows, Some(FollowUp::Order(order.id)));
        assert_eq!(visit.household_id, Some(hs[0].id));
        assert_eq!((visit.assignee, visit.crew), (None, None));
        let stored = server.work_order(&order.id.to_string());
        assert_eq!(visit.reported_at, stored.reached(WorkOrderStatus::Resolved).unwrap());
        // The district's phones see it, as every unassigned order of their households.
        assert!(a.store().work_order(visit.id).is_ok());

        // The technician calls at the door and fills the return-visit form for it: its scores
        // are kept as numbers, tied to the visit.
        fill_return_visit(&a, &hs[0], visit.id);
        a.sync().unwrap();
        let scores: Vec<Satisfaction> = storage::read(&*server.storage, |tx| {
            let mut all = Vec::new();
            for r in tx.records(Entity::Satisfaction, "", 10)? {
                assert!(r.buckets.is_empty(), "scores are the office's: {:?}", r.buckets);
                all.push(decode(&r)?);
            }
            Ok(all)
        })
        .unwrap();
        assert_eq!(scores.len(), 1);
        assert_eq!(scores[0].visit, visit.id);
        assert!(matches!(scores[0].source, ScoreSource::Form(_)));
        assert_eq!(scores[0].scores.overall, Overall::Satisfied);
        assert_eq!((scores[0].scores.timeliness, scores[0].scores.attitude), (4, 2));
        // The form sealed at the door completes the return visit, on the phone and on the
        // server, within its 7-day clock.
        let done = a.store().work_order(visit.id).unwrap();
        assert_eq!(done.status(), WorkOrderStatus::Resolved);
        let held = server.work_order(&visit.id.to_string());
        assert_eq!(held.status(), WorkOrderStatus::Resolved);
        let clock = doorstep_core::workorder::deadline::deadlines(&held);
        assert_eq!(clock.len(), 1);
        assert!(!clock[0].is_breached(Utc::now()), "{clock:?}");
    }
}

/// A return-visit form filled for `visit` at `household`: timeliness 4, attitude 2, the other
/// scores 5, overall satisfied; signed and sealed.
fn fill_return_visit(device: &TestDevice, household: &Household, visit: WorkOrderId) {
    let template = builtin_template("return_visit").unwrap();
    let mut store = device.store();
    let form = store
        .start_form(&template, household.id, Some(visit), Utc::now())
        .unwrap();
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) {
                continue;
            }
            let answer = match item.id.as_str() {
                "score_timeliness" => Some(Answer::Number(Decimal::new(4, 0))),
                "score_attitude" => Some(Answer::Number(Decimal::new(2, 0))),
                id if id.starts_with("score_") => Some(Answer::Number(Decimal::new(5, 0))),
                "overall_satisfaction" => Some(Answer::Choice("satisfied".into())),
                _ => valid_answer(item, Utc::now()),
            };
            if let Some(answer) = answer {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            }
        }
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, Utc::now()).unwrap();
}

#[test]
fn every_office_subcommand_has_help() {
    let office = Office::on(Backend::Sqlite);
    for args in [
        vec!["complaint", "--help"],
        vec!["complaint", "open", "--help"],
        vec!["complaint", "investigate", "--help"],
        vec!["complaint", "answer", "--help"],
        vec!["complaint", "close", "--help"],
        vec!["complaint", "list", "--help"],
        vec!["call", "--help"],
        vec!["call", "take", "--help"],
        vec!["call", "list", "--help"],
        vec!["return-visit", "--help"],
        vec!["return-visit", "list", "--help"],
        vec!["return-visit", "record", "--help"],
        vec!["return-visit", "scores", "--help"],
        vec!["compliance", "--help"],
    ] {
        let run = office.admin(&args);
        assert!(run.ok, "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("Usage: doorstep admin"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let top = office.ok(&["--help"]);
    for command in ["complaint", "call", "return-visit", "compliance"] {
        assert!(top.contains(command), "{command}: {top}");
    }
}
