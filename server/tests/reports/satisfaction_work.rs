//! Issue 27: the satisfaction, work and evaluation reports on both backends, from known data to
//! known figures: return visits scored and made in time per crew, technician and kind of work;
//! forms, visits, photos, orders and fees per technician against the day's settlement; the
//! evaluation sheet from a utility's own weights file, and a bad file refused naming its item.
//! Every figure counts for the unit the work belonged to when it was done: the technician
//! moves to another crew after the work, and the work stays with the old crew.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::complaint::{
    Acceptance, Complainant, Complaint, ComplaintChannel, ComplaintClosure,
};
use doorstep_core::fees::{Charges, PaymentMethod, day_bounds};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::PhotoRef;
use doorstep_core::household::Household;
use doorstep_core::ids::{CrewId, FormId, TechnicianId};
use doorstep_core::return_visit;
use doorstep_core::satisfaction::{Overall, Satisfaction, ScoreSource, Scores, UnitLevel};
use doorstep_core::sync::protocol::Record;
use doorstep_core::team::{Crew, Technician, TechnicianRole};
use doorstep_core::testkit::valid_answer;
use doorstep_core::text::{Text, said};
use doorstep_core::workorder::deadline::DeadlinePolicy;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::error::Error;
use doorstep_server::reports::evaluation::Weights;
use doorstep_server::reports::{
    Cell, Params, Period, PeriodLength, Report, ReportKind, Table, compute,
};
use doorstep_server::storage;

use crate::common;
use crate::fees::{admin, charged};
use common::forms::{sign_all, take_photo};
use common::*;

/// A month that is over, two months back: every deadline in it is judged.
fn past_month() -> Period {
    Period::holding(PeriodLength::Month, local_date(Utc::now()) - Days::new(62))
}

fn report(
    server: &TestServer,
    kind: ReportKind,
    level: UnitLevel,
    unit: Option<String>,
    period: Period,
    weights: &Weights,
) -> Result<Report, Error> {
    let params = Params {
        kind,
        level,
        unit,
        within_districts: Vec::new(),
        period,
        now: Utc::now(),
    };
    storage::read(&*server.storage, |tx| compute(tx, &params, weights))
}

fn named(name: &str) -> Cell {
    Cell::Words(said(name, name))
}

fn total() -> Cell {
    Cell::Words(said("合计", "total"))
}

/// The row of `table` whose first cell is `first`.
fn row<'a>(table: &'a Table, first: &Cell) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| r.first() == Some(first))
        .unwrap_or_else(|| panic!("no row {first:?} in {:?}", table.rows))
}

fn detail<'a>(report: &'a Report, name: &str) -> &'a Table {
    report
        .details
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

/// A second crew in the team's district with a repair technician in it.
fn second_crew(server: &TestServer, team: &Team, badge: &str) -> (CrewId, Technician) {
    let crew = CrewId::new();
    server.office_put(Record::Crew(Crew {
        id: crew,
        name: format!("{}二班", team.district.name),
        district_id: Some(team.district.id),
    }));
    let li = Technician {
        id: TechnicianId::new(),
        badge: badge.into(),
        name: "李师傅".into(),
        phone: None,
        role: TechnicianRole::RepairTechnician,
        crew_id: Some(crew),
        district_id: Some(team.district.id),
        active: true,
    };
    server.office_put(Record::Technician(li.clone()));
    (crew, li)
}

/// A repair of `kind` at `household`, reported at `at`, on site an hour later, resolved
/// `hours` after the report by `assignee` of `crew`.
fn resolved_repair(
    number: &str,
    kind: WorkOrderKind,
    household: &Household,
    at: DateTime<Utc>,
    hours: i64,
    assignee: TechnicianId,
    crew: CrewId,
) -> WorkOrder {
    let mut o = WorkOrder::open(
        number,
        kind,
        WorkOrderSource::Phone,
        Some(household.id),
        "表前阀漏气",
        at,
    );
    o.assignee = Some(assignee);
    o.crew = Some(crew);
    o.advance(WorkOrderStatus::OnSite, at + Duration::hours(1), None)
        .unwrap();
    o.advance(WorkOrderStatus::Resolved, at + Duration::hours(hours), None)
        .unwrap();
    o
}

fn scores(overall: Overall, t: u8, a: u8, q: u8, s: u8) -> Scores {
    Scores {
        overall,
        timeliness: t,
        attitude: a,
        quality: q,
        safety_explanation: s,
    }
}

/// The return visit of `visit` made `after` its scheduling, with these scores (or made with
/// none recorded, or not made: `None` leaves it open).
fn make_visit(
    server: &TestServer,
    mut visit: WorkOrder,
    after: Option<Duration>,
    s: Option<Scores>,
) {
    if let Some(after) = after {
        let at = visit.reported_at + after;
        visit.advance(WorkOrderStatus::Resolved, at, None).unwrap();
        if let Some(scores) = s {
            server.office_put(Record::Satisfaction(Satisfaction {
                visit: visit.id,
                recorded_at: at,
                source: ScoreSource::Office("wangli".into()),
                scores,
            }));
        }
    }
    server.office_put(Record::WorkOrder(Box::new(visit)));
}

/// The month's return visits: crew A's technician 吴 resolved a pipeline fault (visited on
/// time, very satisfied, all 5) and an equipment fault (visited a day late, dissatisfied, all
/// 2); crew B's 李 resolved a pipeline fault whose visit was never made, and was complained of
/// (the complaint's visit on time: satisfied, 4/3/4/5). A year before, 吴's visit scored 1 is
/// outside. Then 吴 moves to crew B.
struct Visits {
    team: Team,
    crew_b: CrewId,
    li: Technician,
}

fn month_of_visits(server: &TestServer, month: Period) -> Visits {
    let team = team(server, "西湖", "T2001");
    let (crew_b, li) = second_crew(server, &team, "T2002");
    let hs = households(server, &team, 3);
    let wu = team.inspector.id;
    let m0 = month.bounds().0;
    let day = |n: i64| m0 + Duration::days(n) + Duration::hours(2);

    let o1 = resolved_repair(
        "GD-1",
        WorkOrderKind::PipelineFault,
        &hs[0],
        day(1),
        5,
        wu,
        team.crew,
    );
    let o2 = resolved_repair(
        "GD-2",
        WorkOrderKind::UserEquipmentFault,
        &hs[1],
        day(3),
        3,
        wu,
        team.crew,
    );
    let o3 = resolved_repair(
        "GD-3",
        WorkOrderKind::PipelineFault,
        &hs[2],
        day(5),
        4,
        li.id,
        crew_b,
    );
    let old = resolved_repair(
        "GD-0",
        WorkOrderKind::PipelineFault,
        &hs[0],
        m0 - Duration::days(400),
        2,
        wu,
        team.crew,
    );
    for o in [&o1, &o2, &o3, &old] {
        server.office_put(Record::WorkOrder(Box::new(o.clone())));
    }
    let visit =
        |o: &WorkOrder| return_visit::after_resolution(o).expect("a resolved repair's visit");
    make_visit(
        server,
        visit(&o1),
        Some(Duration::days(2)),
        Some(scores(Overall::VerySatisfied, 5, 5, 5, 5)),
    );
    make_visit(
        server,
        visit(&o2),
        Some(Duration::days(8)),
        Some(scores(Overall::Dissatisfied, 2, 2, 2, 2)),
    );
    make_visit(server, visit(&o3), None, None);
    make_visit(
        server,
        visit(&old),
        Some(Duration::days(1)),
        Some(scores(Overall::Dissatisfied, 1, 1, 1, 1)),
    );

    let mut complaint = Complaint::receive(
        "TS-1",
        Complainant {
            name: "张先生".into(),
            phone: None,
        },
        ComplaintChannel::Phone,
        "上门迟到",
        day(6),
        &DeadlinePolicy::default(),
    );
    complaint.household_id = Some(hs[0].id);
    complaint.against_technician = Some(li.id);
    complaint.closure = Some(ComplaintClosure {
        at: day(7),
        by: "wangli".into(),
        answer: "已批评教育".into(),
        acceptance: Acceptance::Accepted,
    });
    server.office_put(Record::Complaint(Box::new(complaint.clone())));
    let visit = return_visit::after_complaint_closed(&complaint, None).unwrap();
    make_visit(
        server,
        visit,
        Some(Duration::days(1)),
        Some(scores(Overall::Satisfied, 4, 3, 4, 5)),
    );

    // 吴 joins crew B now: the month's work stays with crew A.
    server.office_put(Record::Technician(Technician {
        crew_id: Some(crew_b),
        ..team.inspector.clone()
    }));
    Visits { team, crew_b, li }
}

on_both_backends! {
    fn a_months_return_visits_are_scored_per_crew_kind_and_technician_and_judged_in_time(backend: Backend) {
        let server = TestServer::start(backend);
        let month = past_month();
        let v = month_of_visits(&server, month);
        let r = report(&server, ReportKind::Satisfaction, UnitLevel::Crew, None, month, &Weights::default()).unwrap();
        let (crew_a, crew_b) = (named("西湖抢修班"), named("西湖二班"));

        // visits, the four means (hundredths), satisfied, share; due, on time, late, overdue, open.
        use Cell::{BasisPoints as Bp, Count as N, Hundredths as H};
        assert_eq!(row(&r.main, &crew_a)[1..], [N(2), H(350), H(350), H(350), H(350), N(1), Bp(5000),
            N(2), N(1), N(1), N(0), N(0)]);
        assert_eq!(row(&r.main, &crew_b)[1..], [N(1), H(400), H(300), H(400), H(500), N(1), Bp(10_000),
            N(2), N(1), N(0), N(1), N(0)]);
        assert_eq!(row(&r.main, &total())[1..], [N(3), H(367), H(333), H(367), H(400), N(2), Bp(6667),
            N(4), N(2), N(1), N(1), N(0)]);
        assert_eq!(r.main.rows.len(), 3, "{:?}", r.main.rows);
        // By name: 二 before 抢.
        assert_eq!(r.chart.labels, vec!["西湖二班", "西湖抢修班"]);
        assert_eq!(r.chart.series[0].values, vec![10_000, 5000]);
        assert_eq!(r.chart.series[1].values, vec![5000, 5000]);

        let kinds = detail(&r, "by_kind");
        let kind_rows: Vec<(Cell, Cell, Cell)> = kinds.rows.iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone())).collect();
        assert_eq!(kind_rows.len(), 3, "{kind_rows:?}");
        assert!(kind_rows.contains(&(crew_a.clone(), Cell::Words(WorkOrderKind::PipelineFault.label()), N(1))));
        assert!(kind_rows.contains(&(crew_a.clone(), Cell::Words(WorkOrderKind::UserEquipmentFault.label()), N(1))));
        assert!(kind_rows.contains(&(crew_b.clone(), Cell::Words(said("投诉", "complaint")), N(1))));

        let technicians = detail(&r, "by_technician");
        assert_eq!(row(technicians, &named("王师傅 (T2001)"))[1..3], [N(2), H(350)]);
        assert_eq!(row(technicians, &named(&format!("{} (T2002)", v.li.name)))[1..3], [N(1), H(400)]);

        // The late one and the one never made, earliest due first.
        let late = detail(&r, "late_return_visits");
        assert_eq!(late.rows.len(), 2, "{:?}", late.rows);
        assert_eq!(late.rows[0][1], crew_a);
        assert!(matches!(late.rows[0][3], Cell::Time(_)));
        assert_eq!(late.rows[1][1], crew_b);
        assert_eq!(late.rows[1][3], Cell::Empty);

        // One technician asked for: only theirs.
        let wu = report(&server, ReportKind::Satisfaction, UnitLevel::Technician,
            Some(v.team.inspector.id.to_string()), month, &Weights::default()).unwrap();
        assert_eq!(wu.unit_name, said("王师傅 (T2001)", "王师傅 (T2001)"));
        assert_eq!(wu.main.rows.len(), 2);
        assert_eq!(row(&wu.main, &total())[1..3], [N(2), H(350)]);
        assert!(wu.details.iter().all(|t| t.name != "by_technician"));
        let _ = v.crew_b;
    }
}

/// A repair closed at `household` with these charges and `photos` after the repair, sealed
/// at `sealed_at` on the phone.
fn close_repair_with_photos(
    device: &TestDevice,
    household: &Household,
    charges: Charges,
    sealed_at: DateTime<Utc>,
    photos: &[String],
) -> FormId {
    let template = builtin_template("repair_closing").unwrap();
    let mut store = device.store();
    let form = store
        .start_form(
            &template,
            household.id,
            None,
            sealed_at - Duration::minutes(40),
        )
        .unwrap();
    store
        .answer(
            form.id,
            "charges",
            Some(doorstep_core::forms::form::Answer::Charges(charges)),
        )
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
            if let Some(answer) = valid_answer(item, sealed_at - Duration::minutes(20)) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            }
        }
    }
    for sha in photos {
        store
            .attach_photo(
                form.id,
                "photos_after",
                PhotoRef::new(sha, sealed_at - Duration::minutes(5)).unwrap(),
            )
            .unwrap();
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, sealed_at).unwrap();
    form.id
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    day_bounds(day).0 + Duration::hours(12)
}

on_both_backends! {
    fn a_technicians_month_counts_visits_forms_photos_orders_and_fees_against_the_settlement(backend: Backend) {
        let server = TestServer::start(backend);
        let month = past_month();
        let team = team(&server, "文新", "T3001");
        let (crew_b, _) = second_crew(&server, &team, "T3002");
        let hs = households(&server, &team, 3);
        let phone = enrolled_phone(&server, &team);
        let wu = team.inspector.id;
        let d1 = month.start + Days::new(10);
        let d2 = d1 + Days::new(1);
        // Day 1: two forms at the first door (one visit), one at the second; 155.00 yuan.
        let p1 = take_photo(&phone, &hs[0], 1);
        let p2 = take_photo(&phone, &hs[0], 2);
        close_repair_with_photos(&phone, &hs[0], charged(12000, PaymentMethod::Cash, "R-1", wu), noon(d1), &[p1, p2]);
        close_repair_with_photos(&phone, &hs[1], charged(3000, PaymentMethod::WechatPay, "R-2", wu), noon(d1) + Duration::hours(2), &[]);
        close_repair_with_photos(&phone, &hs[0], charged(500, PaymentMethod::Cash, "R-3", wu), noon(d1) + Duration::hours(3), &[]);
        // Day 2: one form, 10.00 yuan, never settled.
        let p3 = take_photo(&phone, &hs[2], 3);
        close_repair_with_photos(&phone, &hs[2], charged(1000, PaymentMethod::Cash, "R-4", wu), noon(d2), &[p3]);
        // Outside the month: not counted.
        close_repair_with_photos(&phone, &hs[2], charged(700, PaymentMethod::Cash, "R-5", wu), noon(month.end() + Days::new(1)), &[]);
        let synced = phone.sync().unwrap();
        assert_eq!(synced.parked, 0, "{synced:?}");

        // Day 1 settled 5.00 yuan short in cash.
        let (ok, _, err) = admin(&server, &["settle", "--technician", &wu.to_string(), "--day", &d1.to_string(),
            "--cash", "12000", "--wechat", "3000"]);
        assert!(ok, "{err}");

        // Orders: one resolved by 吴 (counted), one closed by the office with nobody on it,
        // one of 吴's cancelled (neither counted).
        let at = noon(d1) + Duration::hours(1);
        server.office_put(Record::WorkOrder(Box::new(resolved_repair("GD-7", WorkOrderKind::PipelineFault, &hs[1], at - Duration::hours(3), 3, wu, team.crew))));
        let mut nobodys = WorkOrder::open("GD-8", WorkOrderKind::ShutOff, WorkOrderSource::Phone, Some(hs[1].id), "欠费停气", at);
        nobodys.advance(WorkOrderStatus::Resolved, at + Duration::hours(1), None).unwrap();
        server.office_put(Record::WorkOrder(Box::new(nobodys)));
        let mut cancelled = WorkOrder::open("GD-9", WorkOrderKind::PipelineFault, WorkOrderSource::Phone, Some(hs[1].id), "误报", at);
        cancelled.assignee = Some(wu);
        cancelled.advance(WorkOrderStatus::Cancelled, at + Duration::hours(1), None).unwrap();
        server.office_put(Record::WorkOrder(Box::new(cancelled)));

        // 吴 joins crew B now: the month's work stays with the team's crew.
        server.office_put(Record::Technician(Technician { crew_id: Some(crew_b), ..team.inspector.clone() }));

        use Cell::{Count as N, Fen as F};
        // visits, forms, orders, photos, collected; days settled, balanced; due on them,
        // handed over, discrepancy; days not settled.
        let expected = [N(3), N(4), N(1), N(3), F(16_500), N(1), N(0), F(15_500), F(15_000), F(-500), N(1)];
        let by_crew = report(&server, ReportKind::Work, UnitLevel::Crew, None, month, &Weights::default()).unwrap();
        assert_eq!(row(&by_crew.main, &named("文新抢修班"))[1..], expected);
        assert_eq!(row(&by_crew.main, &total())[1..], expected);
        assert_eq!(by_crew.main.rows.len(), 2, "{:?}", by_crew.main.rows);
        assert_eq!(by_crew.chart.series.iter().map(|s| s.values.clone()).collect::<Vec<_>>(),
            vec![vec![3], vec![4], vec![1]]);

        let by_technician = report(&server, ReportKind::Work, UnitLevel::Technician, Some(wu.to_string()), month, &Weights::default()).unwrap();
        let wu_name = named("王师傅 (T3001)");
        assert_eq!(row(&by_technician.main, &wu_name)[1..], expected);
        let templates = detail(&by_technician, "forms_by_template");
        let title: Text = builtin_template("repair_closing").unwrap().title;
        assert_eq!(templates.rows, vec![vec![wu_name.clone(), Cell::Words(title), N(4), N(3)]]);
        let issues = detail(&by_technician, "settlement_issues");
        assert_eq!(issues.rows, vec![
            vec![wu_name.clone(), wu_name.clone(), Cell::Date(d1), F(15_500), F(15_000), F(-500)],
            vec![wu_name.clone(), wu_name.clone(), Cell::Date(d2), F(1000), Cell::Empty, Cell::Empty],
        ]);

        // The district of nobody else: crew B had no work this month.
        assert!(by_crew.main.rows.iter().all(|r| r[0] != named("文新二班")));
    }
}

/// A utility's own sheet: satisfaction (60 points, 90 %, in proportion) and return visits on
/// time (40 points, all or nothing at 50 %).
const OWN_SHEET: &str = r#"
[[item]]
id = "satisfaction"
title_zh = "回访满意率"
title_en = "satisfied on return visits"
report = "satisfaction"
count = ["satisfied"]
of = ["visits_scored"]
target = "90%"
weight = 60

[[item]]
id = "on_time"
title_zh = "按时回访率"
title_en = "return visits on time"
report = "satisfaction"
count = ["on_time"]
of = ["on_time", "late", "overdue"]
target = "50%"
weight = 40
rule = "all_or_nothing"
"#;

on_both_backends! {
    fn a_crews_yearly_evaluation_scores_each_item_of_the_utilitys_own_sheet(backend: Backend) {
        let server = TestServer::start(backend);
        let month = past_month();
        let v = month_of_visits(&server, month);
        let path = server.dir.path().join("evaluation.toml");
        // No file: the defaults.
        assert_eq!(Weights::load(&path).unwrap(), Weights::default());
        std::fs::write(&path, OWN_SHEET).unwrap();
        let weights = Weights::load(&path).unwrap();
        let year = Period::holding(PeriodLength::Year, month.start);

        use Cell::{BasisPoints as Bp, Count as N, Hundredths as H};
        let sheet = report(&server, ReportKind::Evaluation, UnitLevel::Crew, Some(v.team.crew.to_string()), year, &weights).unwrap();
        assert_eq!(sheet.unit_name, said("西湖抢修班", "西湖抢修班"));
        let source = Cell::Words(said("回访与满意度", "Return visits and satisfaction"));
        // 60 × 50 % / 90 % = 33.33; on time 1 of 2 = 50 %: all 40.
        assert_eq!(sheet.main.rows, vec![
            vec![Cell::Words(said("回访满意率", "satisfied on return visits")), source.clone(),
                N(1), N(2), Bp(5000), Bp(9000), N(60), H(3333)],
            vec![Cell::Words(said("按时回访率", "return visits on time")), source,
                N(1), N(2), Bp(5000), Bp(5000), N(40), H(4000)],
            vec![total(), Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, N(100), H(7333)],
        ]);
        assert_eq!(sheet.chart.series[0].values, vec![3333, 4000]);

        // Every crew's sheet: crew B is 100 % satisfied, one visit of two never made (50 %).
        let all = report(&server, ReportKind::Evaluation, UnitLevel::Crew, None, year, &weights).unwrap();
        let per_unit = detail(&all, "by_unit");
        let crew_b_total: Vec<&Vec<Cell>> = per_unit.rows.iter()
            .filter(|r| r[0] == named("西湖二班") && r[1] == total()).collect();
        assert_eq!(crew_b_total, vec![&vec![named("西湖二班"), total(), Cell::Empty, H(10_000)]]);
        // The city: 2 of 3 satisfied (66.67 % → 44.45 points), 2 of 4 on time.
        assert_eq!(row(&all.main, &total())[7], H(8445));
    }
}

on_both_backends! {
    fn a_bad_evaluation_file_is_refused_naming_its_item_and_field(backend: Backend) {
        let server = TestServer::start(backend);
        let month = past_month();
        month_of_visits(&server, month);
        let path = server.dir.path().join("evaluation.toml");
        let refused = |text: &str| {
            std::fs::write(&path, text).unwrap();
            match Weights::load(&path) {
                Err(Error::InvalidInput(e)) => e,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(refused(&OWN_SHEET.replace("\"50%\"", "\"50\"")).field, "on_time.target");
        let e = refused(&OWN_SHEET.replace("weight = 40", "weight = 30"));
        assert_eq!(e.field, "weight");
        assert!(e.reason_zh.contains("90"), "{}", e.reason_zh);
        assert_eq!(refused(&OWN_SHEET.replace("report = \"satisfaction\"\ncount = [\"on_time\"]",
            "report = \"evaluation\"\ncount = [\"on_time\"]")).field, "on_time.report");
        assert_eq!(refused(&OWN_SHEET.replace("weight = 60", "weight = 60\ncolour = \"red\"")).field, "evaluation.toml");

        // A column no report has: read, then refused when the sheet is made, naming it.
        std::fs::write(&path, OWN_SHEET.replace("[\"satisfied\"]", "[\"happy\"]")).unwrap();
        let weights = Weights::load(&path).unwrap();
        let year = Period::holding(PeriodLength::Year, month.start);
        match report(&server, ReportKind::Evaluation, UnitLevel::District, None, year, &weights) {
            Err(Error::InvalidInput(e)) => {
                assert_eq!(e.field, "satisfaction.count");
                assert!(e.reason.contains("happy"), "{}", e.reason);
            }
            other => panic!("{other:?}"),
        }
    }
}

/// The sums of columns `keys` over the rows of `table` whose first cell is `first` (and, when
/// given, whose cell `column` reads `words` in English).
fn sums(table: &Table, first: &Cell, only: Option<(&str, &str)>, keys: &[&str]) -> i64 {
    let at = |key: &str| table.columns.iter().position(|c| c.key == key).unwrap();
    table
        .rows
        .iter()
        .filter(|r| r.first() == Some(first))
        .filter(|r| only.is_none_or(|(c, w)| matches!(&r[at(c)], Cell::Words(t) if t.en == w)))
        .flat_map(|r| {
            keys.iter()
                .map(|k| r[at(k)].figure().unwrap_or(0))
                .collect::<Vec<_>>()
        })
        .sum()
}

on_both_backends! {
    fn the_default_evaluation_reads_every_item_from_the_figures_of_its_report(backend: Backend) {
        let server = TestServer::start(backend);
        let month = past_month();
        let v = month_of_visits(&server, month);
        let year = Period::holding(PeriodLength::Year, month.start);
        let crew = Some(v.team.crew.to_string());
        let weights = Weights::default();
        let sheet = report(&server, ReportKind::Evaluation, UnitLevel::Crew, crew.clone(), year, &weights).unwrap();
        assert_eq!(sheet.main.rows.len(), weights.items.len() + 1);
        let source = |kind| report(&server, kind, UnitLevel::Crew, crew.clone(), year, &weights).unwrap().main;
        let (compliance, coverage, complaints) = (source(ReportKind::Compliance), source(ReportKind::Coverage), source(ReportKind::Complaints));
        let decided = ["met", "met_late", "breached"];
        // Each item's count and whole are its report's totals, as the office reads them there.
        let expected = [
            (sums(&compliance, &total(), None, &["met"]), sums(&compliance, &total(), None, &decided)),
            (sums(&coverage, &total(), None, &["inspected_due"]), sums(&coverage, &total(), None, &["due"])),
            (sums(&compliance, &total(), Some(("clause", "complaint answered")), &["met"]),
                sums(&compliance, &total(), Some(("clause", "complaint answered")), &decided)),
            (sums(&complaints, &total(), None, &["accepted"]), sums(&complaints, &total(), None, &["accepted", "not_accepted"])),
            (1, 2),
            (1, 2),
            (0, 0),
        ];
        let mut total_score = 0;
        for ((row, item), (count, of)) in sheet.main.rows.iter().zip(&weights.items).zip(expected) {
            assert_eq!(row[0], Cell::Words(item.title()));
            assert_eq!((row[2].clone(), row[3].clone()), (Cell::Count(count), Cell::Count(of)), "{}", item.id);
            let Cell::Hundredths(score) = row[7] else { panic!("{row:?}") };
            assert!((0..=i64::from(item.weight) * 100).contains(&score), "{row:?}");
            total_score += score;
        }
        // Crew A's deadlines: two repairs on time (handled, repaired, on site) at least.
        assert!(sheet.main.rows[0][2].figure().unwrap() >= 3, "{:?}", sheet.main.rows[0]);
        // Satisfaction 50 % of a 90 % target: 15 × 5/9 = 8.33; on time 50 % of 95 %: 2.63;
        // no money, nothing to judge: full marks.
        assert_eq!(sheet.main.rows[4][7], Cell::Hundredths(833));
        assert_eq!(sheet.main.rows[5][7], Cell::Hundredths(263));
        assert_eq!(sheet.main.rows[6][4], Cell::Empty);
        assert_eq!(sheet.main.rows[6][7], Cell::Hundredths(1000));
        assert_eq!(sheet.main.rows.last().unwrap()[6..], [Cell::Count(100), Cell::Hundredths(total_score)]);
    }
}
