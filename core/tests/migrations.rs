//! A technician updates the app: a store written by every earlier version opens, is upgraded
//! and keeps everything, including the outbox of changes not yet synced.

use crate::common;

use common::*;
use doorstep_core::store::{LATEST_VERSION, Store};
use doorstep_core::sync::protocol::ErrorKind;
use doorstep_core::sync::protocol::Operation;

/// Every earlier schema version, as that version wrote it.
const FIXTURES: &[(u32, &str)] = &[
    (1, include_str!("../src/store/fixtures/v1.sql")),
    (2, include_str!("../src/store/fixtures/v2.sql")),
    (3, include_str!("../src/store/fixtures/v3.sql")),
    (4, include_str!("../src/store/fixtures/v4.sql")),
    (5, include_str!("../src/store/fixtures/v5.sql")),
    (6, include_str!("../src/store/fixtures/v6.sql")),
    (7, include_str!("../src/store/fixtures/v7.sql")),
    (8, include_str!("../src/store/fixtures/v8.sql")),
    (9, include_str!("../src/store/fixtures/v9.sql")),
];

#[test]
fn every_earlier_schema_has_a_fixture() {
    let versions: Vec<u32> = FIXTURES.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, (1..LATEST_VERSION).collect::<Vec<_>>());
}

#[test]
fn store_from_every_earlier_version_upgrades_and_keeps_its_records() {
    for (version, fixture) in FIXTURES {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doorstep.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            key().unlock(&conn).unwrap();
            conn.execute_batch(fixture).unwrap();
        }
        let store =
            Store::open(&path, &key()).unwrap_or_else(|e| panic!("v{version} does not open: {e}"));
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        assert_eq!(
            store.device_id(),
            "4b1f0c2a9e8d4c7b8a6f5e4d3c2b1a00",
            "v{version}: device id kept"
        );

        let elderly = store.household_by_customer_number("3300000001").unwrap();
        assert_eq!(elderly.name, "王秀英");
        assert!(elderly.is_special_group());
        let file = store.household_file(elderly.id).unwrap();
        assert_eq!(file.readings.len(), 1);
        assert_eq!(file.history.len(), 1);
        // A timeline line from before the store kept Chinese (v6) is shown as it was written.
        assert_eq!(file.history[0].summary.en, "meter read: 1234.500 m³");
        assert_eq!(file.history[0].summary.zh, file.history[0].summary.en);

        // Search did not exist in v1: the upgrade indexed the households already there.
        let hits = store.search_households("文三路88", 10).unwrap();
        assert_eq!(
            hits.len(),
            1,
            "v{version}: upgraded households are searchable"
        );
        assert_eq!(store.search_households("面馆", 10).unwrap().len(), 1);

        let outbox = store.outbox(10).unwrap();
        assert_eq!(
            outbox.len(),
            1,
            "v{version}: unsynced changes survive the upgrade"
        );
        assert!(matches!(
            outbox[0].operation,
            Operation::MeterReadingRecorded { .. }
        ));
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        if *version >= 5 {
            let refused = store.rejected_operations().unwrap();
            assert_eq!(refused.len(), 1, "v{version}: refused operations kept");
            assert_eq!(refused[0].error, ErrorKind::Forbidden);
        }
        if *version >= 7 {
            // A change a still older app held back waits, as it did, for an app that reads it.
            assert_eq!(
                store.held_back().unwrap(),
                1,
                "v{version}: held-back change kept"
            );
        }
        if *version >= 3 {
            // A draft started before the update goes on, on the template version it began with.
            let id = "01900000-0000-7000-8000-0000000000f1".parse().unwrap();
            let mut store = store;
            let draft = store
                .answer(
                    id,
                    "notes",
                    Some(doorstep_core::forms::form::Answer::Text(
                        "更新后继续填写".into(),
                    )),
                )
                .unwrap();
            assert_eq!(draft.template_id, "fixture_check");
            assert_eq!(draft.answers.len(), 2);
        }
    }
}

#[test]
fn store_from_a_newer_app_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doorstep.db");
    drop(Store::open(&path, &key()).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        key().unlock(&conn).unwrap();
        conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    let err = Store::open(&path, &key()).unwrap_err();
    assert!(
        matches!(err, doorstep_core::Error::StoreTooNew { found: 99, .. }),
        "{err:?}"
    );
    assert!(path.exists());
}
