//! One storage test suite, run against both backends: every rule of [`Tx`] and [`Storage`]
//! holds on SQLite and on PostgreSQL alike. PostgreSQL's own concerns (several server processes
//! on one database, its deadlocks and aborted transactions) follow, on PostgreSQL only.

use chrono::{DateTime, TimeZone, Utc};
use doorstep_core::ids::{DistrictId, OperationId};
use doorstep_core::sync::merge::{Author, ConflictRule, FieldRule};
use doorstep_core::sync::protocol::Entity;

use super::throwaway::ThrowawayDatabase;
use super::*;
use crate::bucket::Bucket;
use crate::error::Error;

/// Runs each test on a new SQLite file and on a new PostgreSQL database:
/// `<test>::sqlite` and `<test>::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let storage = super::SqliteStorage::open(&dir.path().join("server.sqlite")).unwrap();
                super::$name(&storage);
            }

            #[test]
            fn postgres() {
                let Some(db) = super::ThrowawayDatabase::create() else {
                    return;
                };
                super::$name(&db.open(2).unwrap());
            }
        }
    )*};
}

on_both_backends!(
    records_are_upserted_and_keys_are_unique,
    bucket_changes_come_oldest_first_from_the_asked_buckets,
    operations_are_kept_once_per_device,
    photo_chunks_are_joined_in_order,
    forms_wait_for_their_photos,
    rows_round_trip_and_are_counted,
    reads_cannot_write,
);

#[test]
fn an_audit_line_names_its_actor_as_it_always_has() {
    let technician = doorstep_core::ids::TechnicianId::new();
    for (actor, text) in [
        (Actor::Admin(None), "admin".to_owned()),
        (
            Actor::Admin(Some("wangli".into())),
            "admin:wangli".to_owned(),
        ),
        (
            Actor::Technician(technician),
            format!("technician:{technician}"),
        ),
        (Actor::Staff("wangli".into()), "staff:wangli".to_owned()),
        (Actor::Other("system".into()), "system".to_owned()),
    ] {
        assert_eq!(actor.to_string(), text);
        assert_eq!(Actor::parse(&text), actor);
    }
}

/// A bucket of its own for each number.
fn bucket(n: u128) -> Bucket {
    Bucket::District(DistrictId(uuid::Uuid::from_u128(n)))
}

fn at(secs: i64) -> DateTime<Utc> {
    // Whole microseconds: what TIMESTAMPTZ keeps.
    Utc.timestamp_opt(1_700_000_000 + secs, 123_456_000)
        .unwrap()
}

fn record(entity: Entity, id: &str, key: Option<&str>) -> StoredRecord {
    StoredRecord {
        entity,
        id: id.into(),
        key: key.map(Into::into),
        seq: 1,
        deleted: false,
        body: format!(r#"{{"id":"{id}"}}"#),
        stamps: "{}".into(),
        buckets: vec![Bucket::All, bucket(1)],
    }
}

fn entry(seq: i64, id: &str, left: bool) -> BucketEntry {
    BucketEntry {
        seq,
        entity: Entity::Household,
        id: id.into(),
        left,
    }
}

fn op(device: &str, op_id: OperationId) -> OpRow {
    OpRow {
        device_id: device.into(),
        op_id,
        device_seq: 1,
        hlc: "0001".into(),
        entity: "household".into(),
        entity_id: "h1".into(),
        device_time: at(0),
        received_at: at(1),
        server_seq: 1,
        payload: "{}".into(),
    }
}

fn photo(sha: &str, complete: bool) -> PhotoRow {
    PhotoRow {
        sha256: sha.into(),
        total: 10,
        received: if complete { 10 } else { 3 },
        complete,
    }
}

fn records_are_upserted_and_keys_are_unique(s: &dyn Storage) {
    write(s, |tx| {
        tx.put_record(&record(Entity::Household, "h1", Some("C-1")))?;
        let mut changed = record(Entity::Household, "h1", Some("C-2"));
        changed.seq = 7;
        changed.deleted = true;
        changed.body = r#"{"changed":true}"#.into();
        changed.buckets = vec![bucket(9)];
        tx.put_record(&changed)?;
        assert_eq!(tx.record(Entity::Household, "h1")?, Some(changed));
        assert_eq!(tx.record(Entity::WorkOrder, "h1")?, None);
        tx.put_record(&record(Entity::Household, "h2", Some("C-1")))?;
        tx.put_record(&record(Entity::Household, "h3", None))?;
        tx.put_record(&record(Entity::Household, "h4", None))?;
        tx.put_record(&record(Entity::WorkOrder, "o1", Some("C-1")))?;
        tx.put_record(&record(Entity::Technician, "t1", Some("B-1")))?;
        Ok(())
    })
    .unwrap();

    let mut duplicates = Vec::new();
    write(s, |tx| {
        duplicates.clear();
        for (entity, key) in [
            (Entity::Household, "C-2"),
            (Entity::WorkOrder, "C-1"),
            (Entity::Technician, "B-1"),
        ] {
            match tx.put_record(&record(entity, "new", Some(key))) {
                Err(StorageError::Duplicate(what)) => duplicates.push(what),
                other => panic!("{other:?}"),
            }
        }
        // The transaction is still usable after a taken key, as in SQLite.
        tx.put_record(&record(Entity::Household, "h5", Some("C-5")))?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        duplicates,
        ["customer number", "work order number", "record key"]
    );

    read(s, |tx| {
        assert_eq!(
            tx.record_id_by_key(Entity::Household, "C-1")?.as_deref(),
            Some("h2")
        );
        assert_eq!(tx.record_id_by_key(Entity::Household, "C-9")?, None);
        assert_eq!(
            tx.record(Entity::Household, "h5")?.map(|r| r.id).as_deref(),
            Some("h5")
        );
        let page = |tx: &mut dyn Tx, after| -> StorageResult<Vec<String>> {
            Ok(tx
                .records(Entity::Household, after, 2)?
                .into_iter()
                .map(|r| r.id)
                .collect())
        };
        assert_eq!(page(tx, "")?, ["h1", "h2"]);
        assert_eq!(page(tx, "h2")?, ["h3", "h4"]);
        assert_eq!(page(tx, "h4")?, ["h5"]);
        assert_eq!(tx.count(Counted::Records(Entity::Household))?, 4); // h1 is deleted
        assert_eq!(tx.count(Counted::Records(Entity::WorkOrder))?, 1);
        Ok(())
    })
    .unwrap();
}

fn bucket_changes_come_oldest_first_from_the_asked_buckets(s: &dyn Storage) {
    write(s, |tx| {
        tx.put_bucket_entry(&bucket(1), &entry(1, "h1", false))?;
        tx.put_bucket_entry(&bucket(2), &entry(2, "h2", false))?;
        tx.put_bucket_entry(&bucket(3), &entry(3, "h3", false))?;
        tx.put_bucket_entry(&bucket(1), &entry(4, "h4", false))?;
        // Compacted: the record's last change replaces its entry.
        tx.put_bucket_entry(&bucket(1), &entry(5, "h1", true))?;
        Ok(())
    })
    .unwrap();
    read(s, |tx| {
        let ab = [bucket(1), bucket(2)];
        let seqs = |v: Vec<BucketEntry>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(tx.changes(&ab, 0, 10)?), [2, 4, 5]);
        assert_eq!(seqs(tx.changes(&ab, 0, 2)?), [2, 4]);
        assert_eq!(seqs(tx.changes(&ab, 4, 10)?), [5]);
        assert_eq!(tx.changes(&ab, 4, 10)?, [entry(5, "h1", true)]);
        assert_eq!(tx.changes(&[], 0, 10)?, []);
        assert_eq!(tx.count_changes(&ab, 0)?, 3);
        assert_eq!(tx.count_changes(&ab, 2)?, 2);
        assert_eq!(tx.count_changes(&[bucket(26)], 0)?, 0);
        Ok(())
    })
    .unwrap();
}

fn operations_are_kept_once_per_device(s: &dyn Storage) {
    let id = OperationId::new();
    write(s, |tx| {
        assert!(!tx.op_exists("d1", id)?);
        tx.insert_op(&op("d1", id))?;
        assert!(tx.op_exists("d1", id)?);
        assert!(!tx.op_exists("d2", id)?);
        assert!(!tx.op_exists("d1", OperationId::new())?);
        tx.insert_op(&op("d2", id))?;
        let other = OperationId::new();
        assert_eq!(tx.stored_ops("d1", &[other, id, id])?, vec![id]);
        assert_eq!(tx.stored_ops("d3", &[id])?, vec![]);
        assert_eq!(tx.stored_ops("d1", &[])?, vec![]);
        Ok(())
    })
    .unwrap();
    assert_eq!(read(s, |tx| Ok(tx.count(Counted::Ops)?)).unwrap(), 2);
    let again = s.write(&mut |tx| Ok(tx.insert_op(&op("d1", id))?));
    assert!(matches!(
        again,
        Err(Error::Storage(StorageError::Database(_)))
    ));
}

fn photo_chunks_are_joined_in_order(s: &dyn Storage) {
    write(s, |tx| {
        tx.put_photo_chunk("p", 6, b"world")?;
        tx.put_photo_chunk("p", 0, b"hallo ")?;
        tx.put_photo_chunk("p", 0, b"hello ")?; // a chunk sent again replaces it
        tx.put_photo_chunk("q", 0, b"other")?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        read(s, |tx| Ok(tx.photo_chunks("p")?)).unwrap(),
        b"hello world"
    );
    write(s, |tx| Ok(tx.drop_photo_chunks("p")?)).unwrap();
    read(s, |tx| {
        assert_eq!(tx.photo_chunks("p")?, b"");
        assert_eq!(tx.photo_chunks("q")?, b"other");
        Ok(())
    })
    .unwrap();
}

fn forms_wait_for_their_photos(s: &dyn Storage) {
    write(s, |tx| {
        tx.put_photo(&photo("p1", true))?;
        tx.put_photo(&photo("p2", false))?;
        for (form, sha) in [
            ("f1", "p1"),
            ("f2", "p1"),
            ("f2", "p2"),
            ("f3", "p3"),
            ("f3", "p3"),
        ] {
            tx.put_form_photo(form, sha)?;
        }
        assert_eq!(tx.forms_waiting()?, ["f2", "f3"]);
        tx.put_photo(&photo("p2", true))?;
        assert_eq!(tx.photo("p2")?, Some(photo("p2", true)));
        assert_eq!(tx.photo("p3")?, None);
        Ok(())
    })
    .unwrap();
    read(s, |tx| {
        assert_eq!(tx.forms_waiting()?, ["f3"]);
        assert_eq!(tx.count(Counted::CompletePhotos)?, 2);
        Ok(())
    })
    .unwrap();
}

fn rows_round_trip_and_are_counted(s: &dyn Storage) {
    let op_id = OperationId::new();
    let conflict = |seq, op_id| ConflictRow {
        seq,
        entity: Entity::Household,
        entity_id: "h1".into(),
        field: "phone".into(),
        rule: ConflictRule::Field(FieldRule::OfficeWins),
        kept: "\"1\"".into(),
        lost: "\"2\"".into(),
        kept_by: Author::Office,
        lost_by: Author::Device("d1".into()),
        op_id,
        at: at(seq),
    };
    let audit = |action: &str, device_id: Option<&str>| AuditRow {
        at: at(0),
        actor: Actor::Admin(Some("wangli".into())),
        device_id: device_id.map(Into::into),
        action: action.into(),
        entity: Some("household".into()),
        entity_id: None,
    };
    let mut device = DeviceRow {
        id: "d1".into(),
        technician_id: "t1".into(),
        credential_sha256: "ab".into(),
        model: "Pixel".into(),
        enrolled_at: at(0),
        revoked_at: None,
    };
    let mut enrollment = EnrollmentRow {
        code_sha256: "cd".into(),
        technician_id: "t1".into(),
        expires_at: at(60),
        used_by: None,
    };
    write(s, |tx| {
        tx.insert_conflict(&conflict(1, Some(op_id)))?;
        tx.insert_conflict(&conflict(2, None))?;
        tx.audit(&audit("enrol", Some("d1")))?;
        tx.audit(&audit("revoke", None))?;
        tx.put_device(&device)?;
        tx.put_enrollment(&enrollment)?;
        Ok(())
    })
    .unwrap();
    device.revoked_at = Some(at(5));
    enrollment.used_by = Some("d1".into());
    write(s, |tx| {
        tx.put_device(&device)?;
        tx.put_enrollment(&enrollment)?;
        Ok(())
    })
    .unwrap();
    read(s, |tx| {
        assert_eq!(
            tx.conflicts(10)?,
            [conflict(2, None), conflict(1, Some(op_id))]
        );
        assert_eq!(tx.conflicts(1)?.len(), 1);
        assert_eq!(
            tx.audit_log(10)?,
            [audit("revoke", None), audit("enrol", Some("d1"))]
        );
        assert_eq!(tx.device("d1")?.as_ref(), Some(&device));
        assert_eq!(tx.device("d2")?, None);
        assert_eq!(tx.devices(None)?, [device.clone()]);
        assert_eq!(tx.devices(Some("t1"))?, [device.clone()]);
        assert_eq!(tx.devices(Some("t2"))?, []);
        assert_eq!(tx.enrollment("cd")?.as_ref(), Some(&enrollment));
        assert_eq!(tx.enrollment("ef")?, None);
        assert_eq!(tx.count(Counted::Conflicts)?, 2);
        assert_eq!(tx.count(Counted::Audit)?, 2);
        assert_eq!(tx.count(Counted::Devices)?, 1);
        assert_eq!(tx.count(Counted::Ops)?, 0);
        assert_eq!(tx.count(Counted::CompletePhotos)?, 0);
        Ok(())
    })
    .unwrap();
}

fn reads_cannot_write(s: &dyn Storage) {
    let refused = s.read(&mut |tx| Ok(tx.put_photo(&photo("p", true))?));
    assert!(matches!(
        refused,
        Err(Error::Storage(StorageError::Database(_)))
    ));
}

mod postgres_only {
    use std::sync::Barrier;

    use ::postgres::NoTls;

    use super::*;
    use crate::storage::postgres::WRITER_LOCK;

    #[test]
    fn the_schema_can_be_created_by_servers_starting_at_once() {
        let Some(db) = ThrowawayDatabase::create() else {
            return;
        };
        std::thread::scope(|s| {
            let db = &db;
            let opened: Vec<_> = (0..4)
                .map(|_| s.spawn(move || db.open(2).unwrap()))
                .collect();
            for o in opened {
                o.join().unwrap();
            }
        });
        let s = db.open(2).unwrap();
        assert_eq!(s.backend(), "postgres");
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 1);
    }

    #[test]
    fn sequence_numbers_are_gap_free_and_committed_in_order_across_processes() {
        let Some(db) = ThrowawayDatabase::create() else {
            return;
        };
        const WRITERS: usize = 3;
        const WRITES: usize = 40;
        let start = Barrier::new(WRITERS);
        let bucket = vec![super::bucket(2)];
        std::thread::scope(|s| {
            for w in 0..WRITERS {
                let (db, start, bucket) = (&db, &start, &bucket);
                s.spawn(move || {
                    // A storage (pool) of its own, as another server process has.
                    let storage = db.open(2).unwrap();
                    start.wait();
                    for i in 0..WRITES {
                        write(&storage, |tx| {
                            let seq = tx.next_seq()?;
                            // Every lower number is already committed and visible.
                            let last = tx
                                .changes(bucket, 0, usize::MAX >> 1)?
                                .last()
                                .map(|e| e.seq);
                            assert_eq!(last.unwrap_or(0), seq - 1, "writer {w} write {i}");
                            tx.put_bucket_entry(
                                &bucket[0],
                                &entry(seq, &format!("{w}/{i}"), false),
                            )?;
                            Ok(())
                        })
                        .unwrap();
                    }
                });
            }
        });
        let s = db.open(2).unwrap();
        let seqs: Vec<i64> = read(&s, |tx| Ok(tx.changes(&bucket, 0, 1000)?))
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (1..=(WRITERS * WRITES) as i64).collect::<Vec<_>>());
    }

    #[test]
    fn a_write_reads_what_the_writer_before_it_committed() {
        let Some(db) = ThrowawayDatabase::create() else {
            return;
        };
        const WRITERS: usize = 2;
        const WRITES: usize = 20;
        std::thread::scope(|s| {
            for _ in 0..WRITERS {
                let db = &db;
                s.spawn(move || {
                    let storage = db.open(2).unwrap();
                    for _ in 0..WRITES {
                        // Read, then take a sequence number, as a merge does: no lost update.
                        write(&storage, |tx| {
                            let n: u64 = match tx.record(Entity::Crew, "c")? {
                                Some(r) => r.body.parse().unwrap(),
                                None => 0,
                            };
                            std::thread::sleep(std::time::Duration::from_millis(2));
                            let mut r = record(Entity::Crew, "c", None);
                            r.seq = tx.next_seq()?;
                            r.body = (n + 1).to_string();
                            Ok(tx.put_record(&r)?)
                        })
                        .unwrap();
                    }
                });
            }
        });
        let s = db.open(2).unwrap();
        let body = read(&s, |tx| Ok(tx.record(Entity::Crew, "c")?))
            .unwrap()
            .unwrap()
            .body;
        assert_eq!(body, (WRITERS * WRITES).to_string());
    }

    #[test]
    fn a_failed_body_rolls_back_and_a_swallowed_error_is_not_committed() {
        let Some(db) = ThrowawayDatabase::create() else {
            return;
        };
        let s = db.open(2).unwrap();
        let refused = s.write(&mut |tx| {
            tx.next_seq()?;
            Err(Error::invalid("no"))
        });
        assert!(matches!(refused, Err(Error::Invalid(_))));
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 1);

        let id = OperationId::new();
        write(&s, |tx| Ok(tx.insert_op(&op("secret-device", id))?)).unwrap();
        let mut message = String::new();
        let swallowed = s.write(&mut |tx| {
            tx.next_seq()?;
            if let Err(e) = tx.insert_op(&op("secret-device", id)) {
                message = e.to_string();
            }
            Ok(())
        });
        assert!(matches!(
            swallowed,
            Err(Error::Storage(StorageError::Database(_)))
        ));
        // The code and primary message only: the detail would quote the row's key.
        assert!(message.contains("23505"), "{message}");
        assert!(!message.contains("secret-device"), "{message}");
        assert_eq!(write(&s, |tx| Ok(tx.next_seq()?)).unwrap(), 2);
        assert_eq!(read(&s, |tx| Ok(tx.count(Counted::Ops)?)).unwrap(), 1);
    }

    #[test]
    fn a_write_that_deadlocks_runs_again() {
        let Some(db) = ThrowawayDatabase::create() else {
            return;
        };
        let s = db.open(2).unwrap();
        write(&s, |tx| Ok(tx.put_photo(&photo("p", false))?)).unwrap();
        let config = db.config();
        let mut other = config.connect(NoTls).unwrap();
        let mut other = other.transaction().unwrap();
        other
            .execute("UPDATE photos SET total = 11 WHERE sha256 = 'p'", &[])
            .unwrap();
        let mut runs = 0;
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                // Holds the writer lock, then waits for `other`'s row: `other` then waits for
                // the writer lock, and PostgreSQL ends the writer's attempt as the deadlock.
                s.write(&mut |tx| {
                    runs += 1;
                    tx.put_photo(&photo("p", true))?;
                    Ok(())
                })
            });
            let mut watcher = config.connect(NoTls).unwrap();
            while watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .unwrap()
                .get::<_, i64>(0)
                == 0
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other.execute(WRITER_LOCK, &[]).unwrap();
            other.commit().unwrap();
            writer.join().unwrap().unwrap();
        });
        // At least once more: a retry that takes the writer lock before `other` does deadlocks
        // again, by the same rule, and runs a third time.
        assert!(runs >= 2, "{runs}");
        let p = read(&s, |tx| Ok(tx.photo("p")?)).unwrap().unwrap();
        assert!(p.complete);
    }
}
