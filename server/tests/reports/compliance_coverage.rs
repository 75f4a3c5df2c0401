//! Reports A (issue 27): the units work belonged to when it was done, deadline compliance,
//! inspection coverage and complaints, on known data with known figures, on SQLite and
//! PostgreSQL, storage opened directly.

use chrono::{DateTime, Days, Duration, Months, Utc};
use doorstep_core::complaint::{Acceptance, Complainant, Complaint, ComplaintChannel};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::Form;
use doorstep_core::forms::seal::Seal;
use doorstep_core::household::{Category, Household, SupplyStatus};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, OperationId, TechnicianId};
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::sync::protocol::{Operation, Record};
use doorstep_core::team::{Crew, District, Technician, TechnicianRole};
use doorstep_core::workorder::deadline::DeadlinePolicy;
use doorstep_core::workorder::{
    FollowUp, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};
use doorstep_server::console::Lang;
use doorstep_server::records::put_from_office;
use doorstep_server::reports::evaluation::Weights;
use doorstep_server::reports::units::Units;
use doorstep_server::reports::{
    self, Cell, Params, Period, PeriodLength, Report, ReportKind, Table,
};
use doorstep_server::storage::throwaway::ThrowawayDatabase;
use doorstep_server::storage::{self, DeviceRow, OpRow, PostgresStorage, SqliteStorage, Storage};

use crate::common::{self, Backend};

/// A service center's books, opened directly: its storage, and what a test writes into it.
struct Books {
    dir: tempfile::TempDir,
    postgres: Option<ThrowawayDatabase>,
    storage: Box<dyn Storage>,
}

impl Books {
    fn open(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let postgres = (backend == Backend::Postgres)
            .then(|| ThrowawayDatabase::create().expect("PostgreSQL tests are not skipped here"));
        let storage = Self::storage_of(&dir, postgres.as_ref());
        Self {
            dir,
            postgres,
            storage,
        }
    }

    fn storage_of(
        dir: &tempfile::TempDir,
        postgres: Option<&ThrowawayDatabase>,
    ) -> Box<dyn Storage> {
        match postgres {
            Some(db) => Box::new(PostgresStorage::connect(&db.url, 2).unwrap()),
            None => Box::new(SqliteStorage::open(&dir.path().join("doorstep.sqlite")).unwrap()),
        }
    }

    /// The storage opened again, as a restarted server opens it.
    fn reopen(&mut self) {
        self.storage = Self::storage_of(&self.dir, self.postgres.as_ref());
    }

    /// Runs SQL on the database itself (what an older server left behind).
    fn sql(&self, sql: &str) {
        match &self.postgres {
            Some(db) => {
                let mut client = db.config().connect(postgres::NoTls).unwrap();
                client.batch_execute(sql).unwrap();
            }
            None => {
                let conn =
                    rusqlite::Connection::open(self.dir.path().join("doorstep.sqlite")).unwrap();
                conn.execute_batch(sql).unwrap();
            }
        }
    }

    fn put(&self, record: Record) {
        storage::write(&*self.storage, |tx| {
            put_from_office(tx, &record)?;
            Ok(())
        })
        .unwrap();
    }

    fn units(&self) -> Units {
        storage::read(&*self.storage, |tx| Units::load(tx)).unwrap()
    }

    fn history_rows(&self) -> usize {
        storage::read(&*self.storage, |tx| Ok(tx.unit_history()?.len())).unwrap()
    }

    fn district(&self, name: &str) -> DistrictId {
        let d = District {
            id: DistrictId::new(),
            name: name.into(),
            boundary: common::square(30.25, 120.15, 0.05),
            policy: Default::default(),
        };
        self.put(Record::District(d.clone()));
        d.id
    }

    fn crew(&self, name: &str, district: DistrictId) -> CrewId {
        let c = Crew {
            id: CrewId::new(),
            name: name.into(),
            district_id: Some(district),
        };
        self.put(Record::Crew(c.clone()));
        c.id
    }
}

fn technician(badge: &str, crew: CrewId, district: DistrictId) -> Technician {
    Technician {
        id: TechnicianId::new(),
        badge: badge.into(),
        name: format!("技术员{badge}"),
        phone: None,
        role: TechnicianRole::RepairTechnician,
        crew_id: Some(crew),
        district_id: Some(district),
        active: true,
    }
}

/// A moment strictly between two writes: the history keeps the server's time of each write.
fn moment() -> DateTime<Utc> {
    std::thread::sleep(std::time::Duration::from_millis(5));
    let now = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    now
}

on_both_backends! {
    fn a_technician_moved_between_crews_and_a_household_moved_between_districts_keep_their_old_units_for_earlier_work(backend: Backend) {
        let books = Books::open(backend);
        let west = books.district("西湖片区");
        let east = books.district("江干片区");
        let west_crew = books.crew("西湖抢修一班", west);
        let east_crew = books.crew("江干抢修班", east);
        let mut t = technician("HZ1001", west_crew, west);
        books.put(Record::Technician(t.clone()));
        let mut h = common::household("HZ-0001", west, 1);
        books.put(Record::Household(Box::new(h.clone())));
        let first = books.history_rows();
        assert_eq!(first, 2, "one row for the technician, one for the household");

        // A change that is not a move (a phone number, a name) adds no row.
        h.name = "住户改名".into();
        books.put(Record::Household(Box::new(h.clone())));
        t.name = "技术员改名".into();
        books.put(Record::Technician(t.clone()));
        assert_eq!(books.history_rows(), first);

        let before = moment();
        t.crew_id = Some(east_crew);
        t.district_id = Some(east);
        books.put(Record::Technician(t.clone()));
        h.district_id = Some(east);
        books.put(Record::Household(Box::new(h.clone())));
        let after = moment();
        assert_eq!(books.history_rows(), first + 2);

        let units = books.units();
        assert_eq!(units.technician_crew(t.id, before), Some(west_crew));
        assert_eq!(units.technician_district(t.id, before), Some(west));
        assert_eq!(units.household_district(h.id, before), Some(west));
        assert_eq!(units.technician_crew(t.id, after), Some(east_crew));
        assert_eq!(units.technician_district(t.id, after), Some(east));
        assert_eq!(units.household_district(h.id, after), Some(east));
        // Work from long before the records reached the server counts for their first unit.
        let long_ago = before - chrono::Duration::days(400);
        assert_eq!(units.technician_crew(t.id, long_ago), Some(west_crew));
        assert_eq!(units.household_district(h.id, long_ago), Some(west));
        // A household the server never held is in no district.
        assert_eq!(units.household_district(HouseholdId::new(), after), None);
        // Units are named as people name them.
        let name = |u| units.name(doorstep_core::satisfaction::UnitLevel::Crew, Some(u)).zh;
        assert_eq!(name(doorstep_core::satisfaction::Unit::Crew(west_crew)), "西湖抢修一班");
        assert_eq!(
            units.name(doorstep_core::satisfaction::UnitLevel::Technician,
                Some(doorstep_core::satisfaction::Unit::Technician(t.id))).zh,
            "技术员改名 (HZ1001)"
        );
    }
}

on_both_backends! {
    fn an_older_database_gets_its_unit_history_from_the_current_records_at_its_first_open(backend: Backend) {
        let mut books = Books::open(backend);
        let west = books.district("西湖片区");
        let crew = books.crew("西湖抢修一班", west);
        let t = technician("HZ1001", crew, west);
        books.put(Record::Technician(t.clone()));
        let households: Vec<_> = (0..3)
            .map(|i| {
                let h = common::household(&format!("HZ-000{i}"), west, i);
                books.put(Record::Household(Box::new(h.clone())));
                h
            })
            .collect();
        // A database of a server older than the history: the records, no history.
        books.sql("DELETE FROM unit_history");
        books.reopen();
        assert_eq!(books.history_rows(), 4);
        let units = books.units();
        let long_ago = Utc::now() - chrono::Duration::days(3650);
        assert_eq!(units.technician_crew(t.id, long_ago), Some(crew));
        for h in &households {
            assert_eq!(units.household_district(h.id, long_ago), Some(west));
        }
        // Opened again, the history is not built twice.
        books.reopen();
        assert_eq!(books.history_rows(), 4);
    }
}

/// A cell as the expected tables below spell it: words in Chinese, shares as `N bp`, minutes
/// as `N min`, times in RFC 3339, nothing as `-`.
fn show(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Words(w) => w.zh.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::BasisPoints(n) => format!("{n} bp"),
        Cell::Minutes(n) => format!("{n} min"),
        Cell::Fen(n) => format!("{n} fen"),
        Cell::Hundredths(n) => format!("{n}/100"),
        Cell::Time(t) => t.to_rfc3339(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => "-".into(),
    }
}

fn shown(table: &Table) -> Vec<Vec<String>> {
    table
        .rows
        .iter()
        .map(|r| r.iter().map(show).collect())
        .collect()
}

fn rows(expected: &[&[&str]]) -> Vec<Vec<String>> {
    expected
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

/// The month before this one, so that every piece of work of the tests is done before the
/// moves they make (the history keeps the server's time of each write).
fn last_month() -> Period {
    let today = doorstep_core::calendar::local_date(Utc::now());
    Period::holding(PeriodLength::Month, today - Months::new(1))
}

/// A known month of a city's work: two districts, their crews and technicians, households,
/// orders, complaints and inspections with known times (see each test for the figures).
struct Month {
    books: Books,
    period: Period,
    west: DistrictId,
    east: DistrictId,
    west_crew: CrewId,
    east_crew: CrewId,
    a: Technician,
    b: Technician,
    /// West: H1, H2, H3, H6, H7; east: H4, H5 (H2 moves east after the month).
    h: Vec<Household>,
}

impl Month {
    /// Midnight (Beijing) starting day `day` of the month, plus `hours`.
    fn at(&self, day: u64, hours: i64) -> DateTime<Utc> {
        self.period.bounds().0 + Duration::days(day as i64 - 1) + Duration::hours(hours)
    }

    /// When the reports are made: ten days after the month.
    fn now(&self) -> DateTime<Utc> {
        self.period.bounds().1 + Duration::days(10)
    }

    fn open(backend: Backend) -> Self {
        let books = Books::open(backend);
        let west = books.district("西湖片区");
        let east = books.district("江干片区");
        let west_crew = books.crew("西湖抢修一班", west);
        let east_crew = books.crew("江干抢修班", east);
        let a = technician("HZ1001", west_crew, west);
        let b = technician("HZ2002", east_crew, east);
        books.put(Record::Technician(a.clone()));
        books.put(Record::Technician(b.clone()));
        let h = (1..=7)
            .map(|i| {
                let district = if i == 4 || i == 5 { east } else { west };
                common::household(&format!("HZ-000{i}"), district, i)
            })
            .collect();
        Self {
            books,
            period: last_month(),
            west,
            east,
            west_crew,
            east_crew,
            a,
            b,
            h,
        }
    }

    fn put_households(&self) {
        for h in &self.h {
            self.books.put(Record::Household(Box::new(h.clone())));
        }
    }

    /// H2 moves to the east district (after the month: its work stays the west's).
    fn move_h2_east(&mut self) {
        self.h[1].district_id = Some(self.east);
        self.books
            .put(Record::Household(Box::new(self.h[1].clone())));
    }

    fn report(
        &self,
        kind: ReportKind,
        level: UnitLevel,
        unit: Option<String>,
        within: &[DistrictId],
    ) -> Report {
        let params = Params {
            kind,
            level,
            unit,
            within_districts: within.iter().map(|d| d.to_string()).collect(),
            period: self.period,
            now: self.now(),
        };
        storage::read(&*self.books.storage, |tx| {
            reports::compute(tx, &params, &Weights::default())
        })
        .unwrap()
    }
}

impl Month {
    /// An order reported at `reported`, its steps `minutes` after the report.
    #[allow(clippy::too_many_arguments)]
    fn order(
        &self,
        number: &str,
        kind: WorkOrderKind,
        h: usize,
        reported: DateTime<Utc>,
        crew: CrewId,
        assignee: &Technician,
        steps: &[(WorkOrderStatus, i64)],
    ) -> WorkOrder {
        let mut o = WorkOrder::open(
            number,
            kind,
            WorkOrderSource::Phone,
            Some(self.h[h - 1].id),
            "",
            reported,
        );
        o.crew = Some(crew);
        o.assignee = Some(assignee.id);
        for (status, minutes) in steps {
            o.advance(*status, reported + Duration::minutes(*minutes), None)
                .unwrap();
        }
        self.books.put(Record::WorkOrder(Box::new(o.clone())));
        o
    }

    /// A complaint about household `h`, its investigation, answer and closing `minutes` after
    /// it was received, as far as given.
    fn complaint(
        &self,
        number: &str,
        channel: ComplaintChannel,
        h: usize,
        received: DateTime<Utc>,
        steps: &[i64],
        acceptance: Acceptance,
    ) -> Complaint {
        let mut c = Complaint::receive(
            number,
            Complainant {
                name: "张先生".into(),
                phone: None,
            },
            channel,
            "燃气味道大",
            received,
            &DeadlinePolicy::default(),
        );
        c.household_id = Some(self.h[h - 1].id);
        let at = |i: usize| received + Duration::minutes(steps[i]);
        if !steps.is_empty() {
            c.start_investigation(at(0), "wangli").unwrap();
        }
        if steps.len() > 1 {
            c.answer(at(1), "wangli", "已派员处理").unwrap();
        }
        if steps.len() > 2 {
            c.close(at(2), "wangli", "已修复", acceptance).unwrap();
        }
        self.books.put(Record::Complaint(Box::new(c.clone())));
        c
    }

    /// The month's orders and complaints: the figures each test expects are worked out there.
    fn faults_and_complaints(&mut self) {
        use WorkOrderKind::{ComplaintFollowUp, PipelineFault, UserEquipmentFault};
        use WorkOrderStatus::{OnSite, Resolved};
        let (w, e) = (self.west_crew, self.east_crew);
        let t0 = self.at(2, 0);
        let day = Duration::days(1);
        // West: on site in 2 h, repaired in 10 h: both met.
        self.order(
            "WO-1",
            PipelineFault,
            1,
            t0,
            w,
            &self.a,
            &[(OnSite, 120), (Resolved, 600)],
        );
        // West: on site in 7 h (late), repaired in 20 h.
        self.order(
            "WO-2",
            PipelineFault,
            1,
            t0 + day,
            w,
            &self.a,
            &[(OnSite, 420), (Resolved, 1200)],
        );
        // East: nobody came: both breached.
        self.order("WO-3", PipelineFault, 5, t0 + day * 2, e, &self.b, &[]);
        // East: a user's equipment, on site in 30 minutes.
        self.order(
            "WO-4",
            UserEquipmentFault,
            5,
            t0 + day * 3,
            e,
            &self.b,
            &[(OnSite, 30)],
        );
        // Reported the month before: not this month's.
        self.order("WO-5", PipelineFault, 1, self.at(1, -2), w, &self.a, &[]);
        // H2, west at the time (it moves east later): on site in 1 h, repaired in 30 h (late).
        self.order(
            "WO-6",
            PipelineFault,
            2,
            t0 + day * 4,
            w,
            &self.a,
            &[(OnSite, 60), (Resolved, 1800)],
        );
        // TS-1 (west): investigated in 1 h, answered in 30 h (late), closed in 48 h, accepted;
        // its follow-up work is the west crew's.
        let ts1 = self.complaint(
            "TS-1",
            ComplaintChannel::Phone,
            1,
            t0 + day,
            &[60, 1800, 2880],
            Acceptance::Accepted,
        );
        let mut follow_up = self.order(
            "WO-7",
            ComplaintFollowUp,
            1,
            t0 + day + Duration::hours(2),
            w,
            &self.a,
            &[],
        );
        follow_up.follows = Some(FollowUp::Complaint(ts1.id));
        self.books.put(Record::WorkOrder(Box::new(follow_up)));
        // TS-2 (east): investigated in 3 h (late), answered in 5 h, closed in 6 h, not accepted.
        self.complaint(
            "TS-2",
            ComplaintChannel::Visit,
            5,
            t0 + day * 5,
            &[180, 300, 360],
            Acceptance::NotAccepted,
        );
        // TS-3 (H2, west at the time): untouched, both clocks breached.
        self.complaint(
            "TS-3",
            ComplaintChannel::Hotline12345,
            2,
            t0 + day * 6,
            &[],
            Acceptance::Accepted,
        );
        // Received the month before.
        self.complaint(
            "TS-0",
            ComplaintChannel::Phone,
            1,
            self.at(1, -1),
            &[],
            Acceptance::Accepted,
        );
    }
}

on_both_backends! {
    fn a_district_month_compliance_report_counts_late_repairs_per_clause_for_the_unit_of_the_time(backend: Backend) {
        let mut month = Month::open(backend);
        month.put_households();
        month.faults_and_complaints();
        month.move_h2_east();

        let report = month.report(ReportKind::Compliance, UnitLevel::District, None, &[]);
        assert_eq!(report.made_at, month.now());
        assert_eq!(report.unit_name.zh, "全市");
        let header: Vec<&str> = report.main.columns.iter().map(|c| c.key).collect();
        assert_eq!(header, ["unit", "clause", "met", "met_late", "breached", "open", "total", "on_time"]);
        assert_eq!(shown(&report.main), rows(&[
            &["江干片区", "一般管道故障到场处置", "0", "0", "1", "0", "1", "0 bp"],
            &["江干片区", "一般管道故障修复", "0", "0", "1", "0", "1", "0 bp"],
            &["江干片区", "用户设施故障到场（或按约定时间）", "1", "0", "0", "0", "1", "10000 bp"],
            &["江干片区", "投诉开始调查", "0", "1", "0", "0", "1", "0 bp"],
            &["江干片区", "投诉答复", "1", "0", "0", "0", "1", "10000 bp"],
            &["西湖片区", "一般管道故障到场处置", "2", "1", "0", "0", "3", "6667 bp"],
            &["西湖片区", "一般管道故障修复", "2", "1", "0", "0", "3", "6667 bp"],
            &["西湖片区", "投诉开始调查", "1", "0", "1", "0", "2", "5000 bp"],
            &["西湖片区", "投诉答复", "0", "1", "1", "0", "2", "0 bp"],
            &["合计", "一般管道故障到场处置", "2", "1", "1", "0", "4", "5000 bp"],
            &["合计", "一般管道故障修复", "2", "1", "1", "0", "4", "5000 bp"],
            &["合计", "用户设施故障到场（或按约定时间）", "1", "0", "0", "0", "1", "10000 bp"],
            &["合计", "投诉开始调查", "1", "1", "1", "0", "3", "3333 bp"],
            &["合计", "投诉答复", "1", "1", "1", "0", "3", "3333 bp"],
        ]));
        let t0 = month.at(2, 0);
        let day = Duration::days(1);
        let h = |n: i64| Duration::hours(n);
        let time = |t: DateTime<Utc>| t.to_rfc3339();
        assert_eq!(shown(&report.details[0]), rows(&[
            &["江干片区", "一般管道故障到场处置", "工单", "WO-3", &time(t0 + day * 2 + h(6)), "-", "超时未完成"],
            &["江干片区", "一般管道故障修复", "工单", "WO-3", &time(t0 + day * 2 + h(24)), "-", "超时未完成"],
            &["江干片区", "投诉开始调查", "投诉", "TS-2", &time(t0 + day * 5 + h(2)), &time(t0 + day * 5 + h(3)), "超时完成"],
            &["西湖片区", "一般管道故障到场处置", "工单", "WO-2", &time(t0 + day + h(6)), &time(t0 + day + h(7)), "超时完成"],
            &["西湖片区", "一般管道故障修复", "工单", "WO-6", &time(t0 + day * 4 + h(24)), &time(t0 + day * 4 + h(30)), "超时完成"],
            &["西湖片区", "投诉开始调查", "投诉", "TS-3", &time(t0 + day * 6 + h(2)), "-", "超时未完成"],
            &["西湖片区", "投诉答复", "投诉", "TS-1", &time(t0 + day + h(24)), &time(t0 + day + h(30)), "超时完成"],
            &["西湖片区", "投诉答复", "投诉", "TS-3", &time(t0 + day * 6 + h(24)), "-", "超时未完成"],
        ]));
        assert_eq!(report.chart.labels, ["江干片区", "西湖片区"]);
        let series: Vec<Vec<i64>> = report.chart.series.iter().map(|s| s.values.clone()).collect();
        assert_eq!(series, [vec![2, 5], vec![1, 3], vec![2, 2], vec![0, 0]]);

        // Crews: a complaint counts for its follow-up order's crew; TS-2 and TS-3 have none.
        let crews = month.report(ReportKind::Compliance, UnitLevel::Crew, None, &[]);
        let units: Vec<String> = shown(&crews.main).into_iter().map(|r| r[0].clone()).collect();
        assert_eq!(units.iter().filter(|u| *u == "江干抢修班").count(), 3);
        assert_eq!(units.iter().filter(|u| *u == "西湖抢修一班").count(), 4);
        assert_eq!(units.iter().filter(|u| *u == "无班组").count(), 2);
        assert_eq!(&shown(&crews.main)[3..5], rows(&[
            &["西湖抢修一班", "一般管道故障到场处置", "2", "1", "0", "0", "3", "6667 bp"],
            &["西湖抢修一班", "一般管道故障修复", "2", "1", "0", "0", "3", "6667 bp"],
        ]));
        assert_eq!(crews.chart.labels, ["江干抢修班", "西湖抢修一班", "无班组 / no crew"]);

        // One technician, by id: only their orders.
        let b = month.report(ReportKind::Compliance, UnitLevel::Technician, Some(month.b.id.to_string()), &[]);
        assert_eq!(b.unit_name.zh, "技术员HZ2002 (HZ2002)");
        assert_eq!(shown(&b.main), rows(&[
            &["技术员HZ2002 (HZ2002)", "一般管道故障到场处置", "0", "0", "1", "0", "1", "0 bp"],
            &["技术员HZ2002 (HZ2002)", "一般管道故障修复", "0", "0", "1", "0", "1", "0 bp"],
            &["技术员HZ2002 (HZ2002)", "用户设施故障到场（或按约定时间）", "1", "0", "0", "0", "1", "10000 bp"],
            &["合计", "一般管道故障到场处置", "0", "0", "1", "0", "1", "0 bp"],
            &["合计", "一般管道故障修复", "0", "0", "1", "0", "1", "0 bp"],
            &["合计", "用户设施故障到场（或按约定时间）", "1", "0", "0", "0", "1", "10000 bp"],
        ]));

        // A dispatcher of the west district sees the west's work only, H2's included.
        let west = month.report(ReportKind::Compliance, UnitLevel::District, None, &[month.west]);
        assert_eq!(west.unit_name.zh, "所辖片区");
        assert!(shown(&west.main).iter().all(|r| r[0] == "西湖片区" || r[0] == "合计"));
        assert_eq!(shown(&west.main).len(), 8);
    }
}

impl Month {
    /// A sealed inspection of household `h` at `at`, on the phone of `by` when given (its
    /// `form_sealed` operation in the log), else as the office holds an old one.
    fn inspection(&self, h: usize, at: DateTime<Utc>, by: Option<&Technician>) {
        let household = &self.h[h - 1];
        let template = match household.category {
            Category::Residential => "residential_inspection",
            _ => "non_residential_inspection",
        };
        let mut form = Form::new(&builtin_template(template).unwrap(), household.id, None, at);
        form.seal = Some(Seal {
            content_digest: "0".repeat(64),
            digest: "0".repeat(64),
            sealed_at: at,
        });
        self.books.put(Record::Form(Box::new(form.clone())));
        let Some(t) = by else { return };
        storage::write(&*self.books.storage, |tx| {
            let device = format!("phone-{}", t.badge);
            if tx.device(&device)?.is_none() {
                tx.put_device(&DeviceRow {
                    id: device.clone(),
                    technician_id: t.id.to_string(),
                    credential_sha256: "0".repeat(64),
                    model: "test".into(),
                    enrolled_at: at,
                    revoked_at: None,
                })?;
            }
            let seq = tx.next_seq()?;
            tx.insert_op(&OpRow {
                device_id: device,
                op_id: OperationId::new(),
                device_seq: seq,
                hlc: seq.to_string(),
                entity: "form".into(),
                entity_id: form.id.to_string(),
                device_time: at,
                received_at: at,
                server_seq: seq,
                payload: serde_json::to_string(&Operation::FormSealed {
                    form: Box::new(form.clone()),
                })
                .unwrap(),
            })?;
            Ok(())
        })
        .unwrap();
    }

    /// The month's households and inspections (figures in the test).
    fn households_and_inspections(&mut self) {
        let from = self.period.bounds().0;
        // 10:00 in Beijing on day `day` of the month `years` years before this one.
        let years_ago = |years: u32, day: u64| {
            (self.period.start - Months::new(12 * years) + Days::new(day - 1))
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_local_timezone(doorstep_core::calendar::service_timezone())
                .unwrap()
                .with_timezone(&Utc)
        };
        // H1 (west, residential): inspected 2 years ago on the 10th, so due on the 10th of the
        // month; inspected on the 5th by A.
        self.h[0].last_inspection_at = Some(self.at(5, 10));
        // H2 (west, residential): due on the 21st, not inspected: overdue.
        self.h[1].last_inspection_at = Some(years_ago(2, 21));
        // H3 (west, commercial): inspected half a year ago, due in half a year.
        self.h[2].category = Category::Commercial;
        self.h[2].last_inspection_at = Some(from - Duration::days(180));
        // H4 (east, commercial): due 40 days after the month began, inspected early by B.
        self.h[3].category = Category::Commercial;
        self.h[3].last_inspection_at = Some(self.at(3, 9));
        // H5 (east, residential): gas on in 2020, never inspected: overdue since 2022-05-01.
        // H6 (west): not connected, not to be inspected.
        self.h[5].supply = SupplyStatus::NotConnected;
        // H7 (west, residential): gas on in 2020, its inspection of the 8th on file only
        // (imported, no form on the server).
        self.h[6].last_inspection_at = Some(self.at(8, 11));
        self.put_households();
        self.inspection(1, years_ago(2, 10), None);
        self.inspection(1, self.at(5, 10), Some(&self.a));
        self.inspection(2, years_ago(2, 21), None);
        self.inspection(3, from - Duration::days(180), None);
        self.inspection(4, years_ago(1, 40), None);
        self.inspection(4, self.at(3, 9), Some(&self.b));
    }
}

on_both_backends! {
    fn inspection_coverage_counts_households_due_in_the_month_and_lists_the_overdue_ones(backend: Backend) {
        let mut month = Month::open(backend);
        month.households_and_inspections();
        month.move_h2_east();

        let report = month.report(ReportKind::Coverage, UnitLevel::District, None, &[]);
        let header: Vec<&str> = report.main.columns.iter().map(|c| c.key).collect();
        assert_eq!(header, ["unit", "due", "inspected_due", "coverage", "inspected", "overdue"]);
        assert_eq!(shown(&report.main), rows(&[
            &["江干片区", "1", "0", "0 bp", "1", "1"],
            &["西湖片区", "3", "2", "6667 bp", "2", "1"],
            &["合计", "4", "2", "5000 bp", "3", "2"],
        ]));
        let h2_due = (month.period.start + Days::new(20)).to_string();
        assert_eq!(shown(&report.details[0]), rows(&[
            &["HZ-0005", "江干片区", "居民", "2022-05-01"],
            &["HZ-0002", "西湖片区", "居民", &h2_due],
        ]));
        assert_eq!(report.chart.labels, ["江干片区", "西湖片区"]);
        assert_eq!(report.chart.series[0].values, [0, 6667]);

        // Crews: who did the inspections; the households nobody inspected, and H7 whose
        // inspection names nobody, are in the row of no crew.
        let crews = month.report(ReportKind::Coverage, UnitLevel::Crew, None, &[]);
        assert_eq!(shown(&crews.main), rows(&[
            &["江干抢修班", "0", "0", "-", "1", "0"],
            &["西湖抢修一班", "1", "1", "10000 bp", "1", "0"],
            &["无班组", "3", "1", "3333 bp", "1", "2"],
            &["合计", "4", "2", "5000 bp", "3", "2"],
        ]));
        let a = month.report(ReportKind::Coverage, UnitLevel::Technician, Some(month.a.id.to_string()), &[]);
        assert_eq!(shown(&a.main), rows(&[
            &["技术员HZ1001 (HZ1001)", "1", "1", "10000 bp", "1", "0"],
            &["合计", "1", "1", "10000 bp", "1", "0"],
        ]));
        assert!(a.details[0].rows.is_empty());

        // The east's dispatcher: the east's households only.
        let east = month.report(ReportKind::Coverage, UnitLevel::District, None, &[month.east]);
        assert_eq!(shown(&east.main), rows(&[
            &["江干片区", "1", "0", "0 bp", "1", "1"],
            &["合计", "1", "0", "0 bp", "1", "1"],
        ]));
        assert_eq!(east.details[0].rows.len(), 1);
    }
}

on_both_backends! {
    fn complaints_are_counted_by_kind_with_their_handling_times_and_accepted_answers(backend: Backend) {
        let mut month = Month::open(backend);
        month.put_households();
        month.faults_and_complaints();
        month.move_h2_east();

        let report = month.report(ReportKind::Complaints, UnitLevel::District, None, &[]);
        assert_eq!(shown(&report.main), rows(&[
            &["江干片区", "1", "1", "1", "0", "0", "1", "0 bp", "300 min", "300 min", "360 min", "360 min"],
            &["西湖片区", "2", "1", "1", "1", "1", "0", "10000 bp", "1800 min", "1800 min", "2880 min", "2880 min"],
            &["合计", "3", "2", "2", "1", "1", "1", "5000 bp", "1050 min", "1050 min", "1620 min", "1620 min"],
        ]));
        let kinds = shown(&report.details[0]);
        assert_eq!(kinds, rows(&[
            &["江干片区", &kind_zh(ComplaintChannel::Visit), "1"],
            &["西湖片区", &kind_zh(ComplaintChannel::Hotline12345), "1"],
            &["西湖片区", &kind_zh(ComplaintChannel::Phone), "1"],
            &["合计", &kind_zh(ComplaintChannel::Hotline12345), "1"],
            &["合计", &kind_zh(ComplaintChannel::Phone), "1"],
            &["合计", &kind_zh(ComplaintChannel::Visit), "1"],
        ]));
        let list = shown(&report.details[1]);
        let numbers: Vec<&str> = list.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(numbers, ["TS-1", "TS-2", "TS-3"]);
        assert_eq!(list[2][1], "西湖片区", "H2 was west when TS-3 was received");
        assert_eq!(&list[0][4..], ["1800 min", "2880 min", "用户认可"]);
        assert_eq!(&list[2][4..], ["-", "-", "-"]);
        // No complainant's name in any table.
        for table in std::iter::once(&report.main).chain(&report.details) {
            assert!(shown(table).iter().flatten().all(|c| !c.contains("张先生")));
        }
        assert_eq!(report.chart.series[0].values, [1, 2]);

        // Crews: TS-1's follow-up order is the west crew's; the others have no follow-up.
        let crews = month.report(ReportKind::Complaints, UnitLevel::Crew, None, &[]);
        let received: Vec<(String, String)> = shown(&crews.main)
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        assert_eq!(received, [
            ("西湖抢修一班".to_owned(), "1".to_owned()),
            ("无班组".to_owned(), "2".to_owned()),
            ("合计".to_owned(), "3".to_owned()),
        ]);
    }
}

fn kind_zh(c: ComplaintChannel) -> String {
    (Lang::Zh.words().complaints.channel)(c).to_owned()
}
