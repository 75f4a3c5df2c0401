//! Reports A (issue 27): the units work belonged to when it was done, deadline compliance,
//! inspection coverage and complaints, on known data with known figures, on SQLite and
//! PostgreSQL, storage opened directly.

use chrono::{DateTime, Utc};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::sync::protocol::Record;
use doorstep_core::team::{Crew, District, Technician, TechnicianRole};
use doorstep_server::records::put_from_office;
use doorstep_server::reports::units::Units;
use doorstep_server::storage::throwaway::ThrowawayDatabase;
use doorstep_server::storage::{self, PostgresStorage, SqliteStorage, Storage};

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
