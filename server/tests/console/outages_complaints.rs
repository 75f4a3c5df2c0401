//! Outage notices, complaints and return visits in the console (issue 26), over real HTTP on
//! both backends: an outage posted over two districts or a drawn area, its households told,
//! the lead time's refusal shown beside its field; a complaint's steps to its closing with the
//! user's acceptance; a return visit's scores; and a dispatcher kept to their districts.

use chrono::{Duration, Utc};
use doorstep_core::household::Household;
use doorstep_core::ids::{DistrictId, OutageId};
use doorstep_core::outage::{NoticeState, OutageNotice};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::District;
use doorstep_server::console::Role;
use doorstep_server::console::pages::outages::fields::input_time;
use doorstep_server::records::decode;
use doorstep_server::storage;

use crate::common::console::{self, Console, Page, hidden};
use crate::common::{self, Backend, TestServer, household, square};
use crate::fees::admin;

/// Around every household of district A (30.26… N, 120.16 E).
const AREA_A: &str = "120.15 30.25, 120.17 30.25, 120.17 30.28, 120.15 30.28";
/// The same corners in the order of a bow tie: its boundary crosses itself.
const BOW_TIE: &str = "120.15 30.25, 120.17 30.28, 120.17 30.25, 120.15 30.28";

/// District A (two households, HZ000001-2) and district B north of it (HZ000003-4).
fn two_districts(server: &TestServer) -> (District, District) {
    let district = |name: &str, lat: f64| District {
        id: DistrictId::new(),
        name: name.into(),
        policy: Default::default(),
        boundary: square(lat, 120.15, 0.05),
    };
    let (a, b) = (district("文新", 30.25), district("翠苑", 30.35));
    for d in [&a, &b] {
        server.office_put(Record::District(d.clone()));
    }
    for (i, (number, d)) in [
        ("HZ000001", &a),
        ("HZ000002", &a),
        ("HZ000003", &b),
        ("HZ000004", &b),
    ]
    .into_iter()
    .enumerate()
    {
        let mut h: Household = household(number, d.id, i as u32);
        if d.id == b.id {
            h.location = Some(doorstep_core::geo::GeoPoint::new(30.36, 120.16).unwrap());
        }
        server.office_put(Record::Household(Box::new(h)));
    }
    (a, b)
}

fn signed_in(server: &TestServer, login: &str, role: Role, districts: &[DistrictId]) -> Console {
    let password = console::staff(server, login, role, districts);
    Console::sign_in(server, login, &password)
}

/// Hours from now, as the form's `datetime-local` field takes it (Beijing time).
fn in_hours(h: i64) -> String {
    input_time(Utc::now() + Duration::hours(h))
}

fn outage_of(page: &Page) -> OutageId {
    let location = page.location.as_deref().expect("a redirect to the outage");
    let id = location
        .trim_start_matches("/console/outages/")
        .split('?')
        .next()
        .unwrap();
    id.parse().unwrap()
}

fn notice(server: &TestServer, id: OutageId) -> OutageNotice {
    storage::read(&*server.storage, |tx| {
        decode(&tx.record(Entity::Outage, &id.to_string())?.unwrap())
    })
    .unwrap()
}

fn outages_stored(server: &TestServer) -> usize {
    storage::read(&*server.storage, |tx| {
        Ok(tx.records(Entity::Outage, "", 100)?.len())
    })
    .unwrap()
}

/// Keeps a page to look at (DOORSTEP_CONSOLE_PAGES=dir), the stylesheet inlined so that it
/// opens from a file.
fn keep(page: &Page, name: &str) {
    let Ok(dir) = std::env::var("DOORSTEP_CONSOLE_PAGES") else {
        return;
    };
    let css = include_str!("../../src/console/static/console.css");
    let body = page.body.replace(
        "<link rel=\"stylesheet\" href=\"/console/static/console.css\">",
        &format!("<style>{css}</style>"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.html")), body).unwrap();
}

/// The text of the field error shown beside `field`.
fn beside(page: &Page, field: &str) -> Option<String> {
    let marker = format!("id=\"{field}-error\"");
    let at = page.body.find(&marker)?;
    let start = at + page.body[at..].find('>')? + 1;
    let end = start + page.body[start..].find('<')?;
    Some(page.body[start..end].to_owned())
}

on_both_backends! {
    fn a_supervisor_posts_an_outage_over_two_districts_records_two_households_told_and_the_rest_stay_pending(backend: Backend) {
        let server = TestServer::start(backend);
        let (a, b) = two_districts(&server);
        let mut c = signed_in(&server, "zhangmin", Role::Supervisor, &[]);
        c.language("en");
        let (starts, ends) = (in_hours(48), in_hours(56));
        let (da, db) = (a.id.to_string(), b.id.to_string());
        let posted = c.post("/console/outages/new", &[
            ("title", "文三路管网检修停气"), ("reason", "repair"),
            ("starts", &starts), ("ends", &ends),
            ("districts", &da), ("districts", &db), ("corners", ""),
        ]);
        assert_eq!(posted.status, 303, "{}", posted.body);
        let id = outage_of(&posted);
        let page = c.follow(&posted).ok();
        assert!(page.shows("The outage notice is posted."), "{}", page.body);
        for number in ["HZ000001", "HZ000002", "HZ000003", "HZ000004"] {
            assert!(page.shows(number), "{number}: {}", page.body);
        }
        assert_eq!(page.body.matches(">PENDING<").count(), 4, "{}", page.body);

        let told = c.post(&format!("/console/outages/{id}/notify"), &[
            ("how", "sms"), ("at", ""), ("households", "HZ000001"), ("households", "HZ000003"),
        ]);
        assert_eq!(told.status, 303, "{}", told.body);
        let page = c.follow(&told).ok();
        assert!(page.shows("2 household(s) recorded as told."), "{}", page.body);
        assert_eq!(page.body.matches(">PENDING<").count(), 2, "{}", page.body);
        keep(&page, "outage-en");
        assert_eq!(page.body.matches("badge green\">text message<").count(), 2, "{}", page.body);

        let n = notice(&server, id);
        let states: Vec<bool> = storage::read(&*server.storage, |tx| {
            let mut told = Vec::new();
            for number in ["HZ000001", "HZ000002", "HZ000003", "HZ000004"] {
                let h = tx.record_id_by_key(Entity::Household, number)?.unwrap();
                told.push(matches!(n.state_of(h.parse().unwrap(), Utc::now()), NoticeState::Notified { .. }));
            }
            Ok(told)
        })
        .unwrap();
        assert_eq!(states, vec![true, false, true, false]);
        assert_eq!(n.notifications[0].by, doorstep_core::outage::Notifier::Office { operator: "zhangmin".into() });

        let list = c.get("/console/outages").ok();
        assert!(list.shows("文三路管网检修停气") && list.shows("1 outage notice(s)"), "{}", list.body);
        keep(&list, "outages-en");

        // The not-told list as CSV: audited as an export.
        let csv = c.get(&format!("/console/outages/{id}/not-told.csv")).ok();
        assert!(csv.content_type.as_deref().unwrap_or("").starts_with("text/csv"));
        assert!(csv.shows("HZ000002") && csv.shows("HZ000004") && !csv.shows("HZ000001"), "{}", csv.body);
        let audit = storage::read(&*server.storage, |tx| Ok(tx.audit_log(50)?)).unwrap();
        assert!(audit.iter().any(|r| r.action == "export" && r.entity_id.as_deref() == Some(&id.to_string())));
        assert!(audit.iter().any(|r| r.action == "outage_notified" && r.actor.to_string().contains("zhangmin")));
    }
}

on_both_backends! {
    fn an_area_drawn_on_the_map_is_previewed_then_posted_and_a_self_crossing_one_is_refused_beside_its_field(backend: Backend) {
        let server = TestServer::start(backend);
        let (a, _) = two_districts(&server);
        let mut c = signed_in(&server, "liqiang", Role::Dispatcher, &[a.id]);
        let form = c.get("/console/outages/new").ok();
        assert!(form.shows("<svg") && form.shows("id=\"corners\""), "{}", form.body);
        assert!(form.shows("文新") && !form.shows("翠苑"), "only the dispatcher's district: {}", form.body);

        let (starts, ends) = (in_hours(30), in_hours(38));
        let query = format!(
            "/console/outages/preview?title=x&reason=repair&starts={}&ends={}&corners={}",
            console::encode(&starts), console::encode(&ends), console::encode(AREA_A),
        );
        let preview = c.get(&query).ok();
        assert!(preview.shows("将通知 2 户；须至少提前 24 小时通知。"), "{}", preview.body);
        assert_eq!(outages_stored(&server), 0, "a preview writes nothing");
        keep(&form, "outage-new");
        keep(&preview, "outage-preview");

        let refused = c.post("/console/outages/new", &[
            ("title", "文三路检修"), ("reason", "repair"), ("starts", &starts), ("ends", &ends),
            ("corners", BOW_TIE),
        ]);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            beside(&refused, "corners").as_deref(),
            Some("停气区域必须围出一块地方，且边界不能自相交叉"),
            "{}", refused.body
        );
        assert!(refused.shows(BOW_TIE), "the corners typed are kept");
        keep(&refused, "outage-refused");
        assert_eq!(outages_stored(&server), 0);

        let posted = c.post("/console/outages/new", &[
            ("title", "文三路检修"), ("reason", "pipeline_inspection"), ("starts", &starts),
            ("ends", &ends), ("corners", AREA_A),
        ]);
        assert_eq!(posted.status, 303, "{}", posted.body);
        let page = c.follow(&posted).ok();
        assert!(page.shows("HZ000001") && page.shows("HZ000002") && !page.shows("HZ000003"), "{}", page.body);
        assert!(page.shows("在图上画出的范围（4 个顶点）"), "{}", page.body);
    }
}

on_both_backends! {
    fn an_outage_within_the_lead_time_is_refused_beside_its_start_unless_an_emergency_with_its_reason(backend: Backend) {
        let server = TestServer::start(backend);
        let (a, _) = two_districts(&server);
        let mut c = signed_in(&server, "zhangmin", Role::Supervisor, &[]);
        let (starts, ends) = (in_hours(2), in_hours(10));
        let district = a.id.to_string();
        let fields = |emergency: &[(&'static str, &'static str)]| {
            let mut f: Vec<(&str, &str)> = vec![
                ("title", "主干管抢修停气"), ("reason", "repair"),
            ];
            f.extend_from_slice(emergency);
            f
        };
        let mut planned = fields(&[]);
        planned.extend([("starts", starts.as_str()), ("ends", ends.as_str()), ("districts", district.as_str())]);
        let refused = c.post("/console/outages/new", &planned);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            beside(&refused, "starts").as_deref(),
            Some("计划停气须至少提前24小时通知；紧急情况请标明紧急并写明原因"),
            "{}", refused.body
        );
        assert!(refused.shows("value=\"主干管抢修停气\""), "the title typed is kept");

        let mut no_reason = fields(&[("emergency", "on"), ("emergency_reason", "")]);
        no_reason.extend([("starts", starts.as_str()), ("ends", ends.as_str()), ("districts", district.as_str())]);
        let refused = c.post("/console/outages/new", &no_reason);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(beside(&refused, "emergency_reason").is_some(), "{}", refused.body);
        assert_eq!(outages_stored(&server), 0, "nothing written");

        let mut emergency = fields(&[("emergency", "on"), ("emergency_reason", "主干管破损抢修")]);
        emergency.extend([("starts", starts.as_str()), ("ends", ends.as_str()), ("districts", district.as_str())]);
        let posted = c.post("/console/outages/new", &emergency);
        assert_eq!(posted.status, 303, "{}", posted.body);
        let n = notice(&server, outage_of(&posted));
        assert_eq!(n.emergency.as_deref(), Some("主干管破损抢修"));
        assert_eq!(n.created_by, "zhangmin");
    }
}

/// A complaint about HZ000001 (district A), opened with the admin tool.
fn complaint(server: &TestServer) {
    let (ok, _, err) = admin(
        server,
        &[
            "complaint",
            "open",
            "--number",
            "TS-20261207-001",
            "--name",
            "张伟",
            "--phone",
            "13812345678",
            "--channel",
            "hotline_12345",
            "--summary",
            "维修人员未按约定时间上门",
            "--household",
            "HZ000001",
        ],
    );
    assert!(ok, "{err}");
}

fn step(c: &mut Console, fields: &[(&str, &str)]) -> Page {
    let page = c.get("/console/complaints/TS-20261207-001").ok();
    let version = hidden(&page.body, "version").expect("the page's version");
    let mut all = fields.to_vec();
    all.push(("version", &version));
    c.post("/console/complaints/TS-20261207-001/step", &all)
}

on_both_backends! {
    fn a_complaint_is_investigated_answered_and_closed_with_the_users_acceptance_and_its_return_visit_scored(backend: Backend) {
        let server = TestServer::start(backend);
        let (a, _) = two_districts(&server);
        complaint(&server);
        let mut dispatcher = signed_in(&server, "liqiang", Role::Dispatcher, &[a.id]);
        let queue = dispatcher.get("/console/complaints").ok();
        assert!(queue.shows("TS-20261207-001") && queue.shows("12345转办") && queue.shows("开始调查"), "{}", queue.body);

        let page = dispatcher.get("/console/complaints/TS-20261207-001").ok();
        assert!(page.shows("张伟"), "{}", page.body);
        let audit = storage::read(&*server.storage, |tx| Ok(tx.audit_log(50)?)).unwrap();
        assert!(audit.iter().any(|r| r.action == "complaint_viewed"));

        let done = step(&mut dispatcher, &[("step", "investigate")]);
        assert_eq!(done.status, 303, "{}", done.body);
        // A page drawn before that step sends an older version: refused, nothing written.
        let stale = dispatcher.post("/console/complaints/TS-20261207-001/step", &[("step", "answer"), ("said", "x"), ("version", "1")]);
        assert_eq!(stale.status, 409, "{}", stale.body);

        let empty = step(&mut dispatcher, &[("step", "answer"), ("said", "")]);
        assert_eq!(empty.status, 422, "{}", empty.body);
        assert!(beside(&empty, "said").is_some(), "{}", empty.body);
        let done = step(&mut dispatcher, &[("step", "answer"), ("said", "已核实，明天上午重新上门")]);
        assert_eq!(done.status, 303, "{}", done.body);
        let page = dispatcher.follow(&done).ok();
        assert!(page.shows("已答复") && page.shows("已核实，明天上午重新上门"), "{}", page.body);
        assert!(page.shows("办结须由主管办理。"), "{}", page.body);

        // Closing is a supervisor's.
        let refused = dispatcher.post("/console/complaints/TS-20261207-001/step", &[("step", "close"), ("answer", "已处理"), ("acceptance", "accepted"), ("version", "0")]);
        assert_eq!(refused.status, 403, "{}", refused.body);
        let mut supervisor = signed_in(&server, "zhangmin", Role::Supervisor, &[]);
        let done = step(&mut supervisor, &[("step", "close"), ("answer", "已上门处理并致歉"), ("acceptance", "accepted")]);
        assert_eq!(done.status, 303, "{}", done.body);
        let page = supervisor.follow(&done).ok();
        assert!(page.shows("已办结") && page.shows("用户认可"), "{}", page.body);
        keep(&page, "complaint");
        let (_, list, _) = admin(&server, &["complaint", "list"]);
        assert!(list.lines().any(|l| l.starts_with("TS-20261207-001\thotline_12345\tclosed\t")), "{list}");

        // Its return visit, due and then scored.
        let queue = dispatcher.get("/console/complaints").ok();
        assert!(queue.shows("投诉 TS-20261207-001"), "{}", queue.body);
        let (_, visits, _) = admin(&server, &["return-visit", "list"]);
        let number = visits.lines().nth(1).expect("one visit").split('\t').next().unwrap().to_owned();
        let path = format!("/console/return-visits/{number}");
        let form = dispatcher.get(&path).ok();
        let version = hidden(&form.body, "version").unwrap();
        let out_of_range = dispatcher.post(&path, &[
            ("version", &version), ("overall", "satisfied"), ("timeliness", "9"),
            ("attitude", "4"), ("quality", "5"), ("safety_explanation", "4"), ("at", ""),
        ]);
        assert_eq!(out_of_range.status, 422, "{}", out_of_range.body);
        assert_eq!(beside(&out_of_range, "timeliness").as_deref(), Some("评分须为1到5的整数"), "{}", out_of_range.body);
        let scored = dispatcher.post(&path, &[
            ("version", &version), ("overall", "satisfied"), ("timeliness", "5"),
            ("attitude", "4"), ("quality", "5"), ("safety_explanation", "4"), ("at", ""),
        ]);
        assert_eq!(scored.status, 303, "{}", scored.body);
        let page = dispatcher.follow(&scored).ok();
        assert!(page.shows("评分已保存。") && page.shows("已回访"), "{}", page.body);
        keep(&page, "return-visit");
        let (_, visits, _) = admin(&server, &["return-visit", "list", "--all"]);
        assert!(visits.lines().any(|l| l.starts_with(&number) && l.ends_with("\tresolved\tsatisfied")), "{visits}");
        // The month's summary: district A, one visit of a complaint, all satisfied.
        let queue = dispatcher.get("/console/complaints").ok();
        keep(&queue, "complaints");
        assert!(queue.shows("<td>文新</td><td>投诉</td><td>1</td><td>5.00</td><td>4.00</td><td>5.00</td><td>4.00</td><td>100.00%</td>"), "{}", queue.body);
    }
}

on_both_backends! {
    fn a_dispatcher_of_another_district_is_refused_a_complaint_a_return_visit_and_an_outage_by_their_url(backend: Backend) {
        let server = TestServer::start(backend);
        let (a, b) = two_districts(&server);
        complaint(&server);
        let mut supervisor = signed_in(&server, "zhangmin", Role::Supervisor, &[]);
        let district = a.id.to_string();
        let (starts, ends) = (in_hours(48), in_hours(56));
        let posted = supervisor.post("/console/outages/new", &[
            ("title", "文新片区检修"), ("reason", "upgrade"), ("starts", &starts), ("ends", &ends),
            ("districts", &district),
        ]);
        assert_eq!(posted.status, 303, "{}", posted.body);
        let outage = outage_of(&posted);

        let mut other = signed_in(&server, "wangfang", Role::Dispatcher, &[b.id]);
        assert_eq!(other.get("/console/complaints/TS-20261207-001").status, 403);
        let queue = other.get("/console/complaints").ok();
        assert!(!queue.shows("TS-20261207-001"), "{}", queue.body);
        let step = other.post("/console/complaints/TS-20261207-001/step", &[("step", "investigate"), ("version", "0")]);
        assert_eq!(step.status, 403);
        assert_eq!(other.get(&format!("/console/outages/{outage}")).status, 403);
        assert_eq!(other.get(&format!("/console/outages/{outage}/not-told.csv")).status, 403);
        let notify = other.post(&format!("/console/outages/{outage}/notify"), &[("how", "phone"), ("households", "HZ000001")]);
        assert_eq!(notify.status, 403);
        let list = other.get("/console/outages").ok();
        assert!(!list.shows("文新片区检修"), "{}", list.body);
        // Nor may they post an outage over a district not theirs.
        let refused = other.post("/console/outages/new", &[
            ("title", "越界"), ("reason", "repair"), ("starts", &starts), ("ends", &ends),
            ("districts", &district),
        ]);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(beside(&refused, "districts").as_deref(), Some("范围超出了您所辖的片区"));

        // The dispatcher of district A sees both.
        let mut own = signed_in(&server, "liqiang", Role::Dispatcher, &[a.id]);
        own.get("/console/complaints/TS-20261207-001").ok();
        own.get(&format!("/console/outages/{outage}")).ok();
    }
}
