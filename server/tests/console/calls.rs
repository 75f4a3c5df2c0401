//! Console tests (issue 26): the calls page and the household search behind it.

use doorstep_core::household::{Address, Household};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_server::records;
use doorstep_server::storage::{self, Storage};

use crate::common::{self, Backend, TestServer};

/// A household at `street` `building`/`unit`/`room` of 西湖区, in `district`.
fn resident(
    number: &str,
    name: &str,
    phone: &str,
    (street, building, unit, room): (&str, &str, &str, &str),
    district: DistrictId,
) -> Household {
    Household {
        district_id: Some(district),
        ..doorstep_core::testkit::household(
            number,
            name,
            phone,
            Address {
                district: "西湖区".into(),
                street: street.into(),
                building: building.into(),
                unit: unit.into(),
                room: room.into(),
            },
        )
    }
}

/// The customer numbers `query` finds, in the order listed.
fn found(storage: &dyn Storage, query: &str, districts: Option<&[DistrictId]>) -> Vec<String> {
    storage::read(storage, |tx| Ok(tx.find_households(query, districts, 20)?))
        .unwrap()
        .into_iter()
        .map(|r| r.key.expect("a household's key is its customer number"))
        .collect()
}

/// Three households of one district and one of another.
fn street(server: &TestServer) -> (DistrictId, DistrictId) {
    let (west, east) = (DistrictId::new(), DistrictId::new());
    for h in [
        resident(
            "HZ-100234",
            "王丽",
            "138 0013 8000",
            ("文三路88号", "3幢", "2单元", "501室"),
            west,
        ),
        resident(
            "HZ-100235",
            "Li Ming",
            "0571-8765-4321",
            ("文三路88号", "3", "1", "502"),
            west,
        ),
        resident(
            "HZ-200001",
            "张伟",
            "13912345678",
            ("文二路12", "7", "1", "101"),
            west,
        ),
        resident(
            "HZ-900001",
            "王丽",
            "13700000001",
            ("文三路88号", "3", "2", "501"),
            east,
        ),
    ] {
        server.office_put(Record::Household(Box::new(h)));
    }
    (west, east)
}

on_both_backends! {
    fn a_household_is_found_by_part_of_its_number_name_phone_digits_or_address_as_a_caller_says_it(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, _) = street(&server);
        let s = &*server.storage;
        let mine = Some(&[west][..]);
        // Customer number: a prefix, any case; the exact number first.
        assert_eq!(found(s, "hz-1002", mine), ["HZ-100234", "HZ-100235"]);
        assert_eq!(found(s, "HZ-100235", mine)[0], "HZ-100235");
        // Name: a part, Latin letters in any case.
        assert_eq!(found(s, "li mi", mine), ["HZ-100235"]);
        assert_eq!(found(s, "王丽", mine), ["HZ-100234"]);
        // Phone: part of the digits, however they are written.
        assert_eq!(found(s, "0013-8000", mine), ["HZ-100234"]);
        assert_eq!(found(s, "+86 138 0013", mine), ["HZ-100234"]);
        assert_eq!(found(s, "8765 4321", mine), ["HZ-100235"]);
        // Address: as said, whatever the file wrote (3幢 / 3, 2单元 / 2).
        assert_eq!(found(s, "文三路88", mine), ["HZ-100234", "HZ-100235"]);
        assert_eq!(found(s, "3幢2单元", mine), ["HZ-100234"]);
        assert_eq!(found(s, "3号楼1单元502", mine), ["HZ-100235"]);
        assert_eq!(found(s, "西湖区文二路", mine), ["HZ-200001"]);
        assert_eq!(found(s, "7-1-101", mine), ["HZ-200001"]);
        assert!(found(s, "文四路", mine).is_empty());
        assert!(found(s, "   ", mine).is_empty());
    }
}

on_both_backends! {
    fn a_search_limited_to_a_dispatchers_districts_does_not_find_another_districts_households(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, east) = street(&server);
        let s = &*server.storage;
        assert_eq!(found(s, "3幢2单元501", Some(&[west])), ["HZ-100234"]);
        assert_eq!(found(s, "3幢2单元501", Some(&[east])), ["HZ-900001"]);
        assert!(found(s, "3幢2单元501", Some(&[])).is_empty());
        // The whole city finds both.
        assert_eq!(found(s, "3幢2单元501", None), ["HZ-100234", "HZ-900001"]);
    }
}

on_both_backends! {
    fn an_edited_household_is_found_by_its_new_address_and_a_deleted_one_is_not_found(backend: Backend) {
        let server = TestServer::start(backend);
        let (west, _) = street(&server);
        let s = &*server.storage;
        let id = storage::read(s, |tx| Ok(tx.record_id_by_key(Entity::Household, "HZ-200001")?))
            .unwrap()
            .unwrap();
        server.office_edit(id.parse().unwrap(), |h| h.address.street = "学院路5号".into());
        assert!(found(s, "文二路", None).is_empty());
        assert_eq!(found(s, "学院路5号7栋", Some(&[west])), ["HZ-200001"]);
        storage::write(s, |tx| {
            records::delete_from_office(tx, Entity::Household, &id)?;
            Ok(())
        })
        .unwrap();
        assert!(found(s, "学院路", None).is_empty());
        assert!(found(s, "HZ-200001", None).is_empty());
    }
}

#[test]
fn an_old_data_directory_gets_its_household_search_built_when_the_server_opens_it() {
    use doorstep_server::storage::SqliteStorage;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.sqlite");
    {
        let storage = SqliteStorage::open(&path).unwrap();
        for i in 0..30 {
            let h = common::household(&format!("HZ{i:06}"), DistrictId::new(), i);
            storage::write(&storage, |tx| {
                records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
                Ok(())
            })
            .unwrap();
        }
    }
    // What a server older than the search left: the households, no search.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE household_search").unwrap();
    drop(conn);
    let storage = SqliteStorage::open(&path).unwrap();
    assert_eq!(found(&storage, "HZ00001", None).len(), 10);
    assert_eq!(found(&storage, "住户7", None), ["HZ000007"]);
}

#[test]
fn an_old_postgresql_database_gets_its_household_search_built_when_a_server_connects() {
    use doorstep_server::storage::PostgresStorage;
    use doorstep_server::storage::throwaway::ThrowawayDatabase;
    if common::skip_postgres() {
        return;
    }
    let db = ThrowawayDatabase::create().expect("PostgreSQL tests are not skipped here");
    {
        let storage = PostgresStorage::connect(&db.url, 2).unwrap();
        for i in 0..30 {
            let h = common::household(&format!("HZ{i:06}"), DistrictId::new(), i);
            storage::write(&storage, |tx| {
                records::put_from_office(tx, &Record::Household(Box::new(h.clone())))?;
                Ok(())
            })
            .unwrap();
        }
    }
    let mut client = db.config().connect(postgres::NoTls).unwrap();
    client.batch_execute("DROP TABLE household_search").unwrap();
    drop(client);
    let storage = PostgresStorage::connect(&db.url, 2).unwrap();
    assert_eq!(found(&storage, "HZ00001", None).len(), 10);
    assert_eq!(found(&storage, "住户7", None), ["HZ000007"]);
}
