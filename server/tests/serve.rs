//! The `doorstep` binary as the service center runs it: `doorstep serve` on its embedded
//! defaults, set up with `doorstep admin`, a phone enrolling and syncing against it; and the
//! same server on PostgreSQL with photos in S3-compatible storage.

use crate::common;

use common::TestDevice;
use common::process::{doorstep, serve, serve_on};

/// A district, an inspector and two households set up with `doorstep admin` in `data`: the
/// inspector's enrollment code.
fn set_up_district(dir: &std::path::Path, data: &str) -> String {
    let district = doorstep(&[
        "admin",
        "--data",
        data,
        "district",
        "add",
        "--name",
        "西湖区文新片区",
        "--boundary",
        "120.10 30.25, 120.20 30.25, 120.20 30.30, 120.10 30.30",
    ]);
    let technician = doorstep(&[
        "admin",
        "--data",
        data,
        "technician",
        "add",
        "--badge",
        "HZ1024",
        "--name",
        "周建国",
        "--role",
        "inspector",
        "--district",
        &district,
    ]);
    let csv = dir.join("households.csv");
    std::fs::write(
        &csv,
        format!(
            "customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category\n\
             HZ0000001,王秀英,13800000001,{district},西湖区,文三路,3,2,501,30.27,120.16,residential\n\
             HZ0000002,李建国,13800000002,{district},西湖区,文三路,5,1,302,30.27,120.17,residential\n"
        ),
    )
    .unwrap();
    doorstep(&[
        "admin",
        "--data",
        data,
        "household",
        "import",
        csv.to_str().unwrap(),
    ]);
    doorstep(&["admin", "--data", data, "enroll", &technician])
}

#[test]
fn the_service_center_sets_up_a_district_and_a_phone_syncs_with_the_served_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("doorstep-data");
    let data = data.to_str().unwrap();
    let code = set_up_district(dir.path(), data);

    let server = serve(&["--data", data]);
    let health: serde_json::Value = reqwest::blocking::get(format!("{}/health", server.url))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["storage"], "sqlite");
    let phone = TestDevice::new();
    phone.enroll(&server.url, &code);
    phone.sync().unwrap();
    let hit = phone
        .store()
        .household_by_customer_number("HZ0000002")
        .unwrap();
    assert_eq!(hit.name, "李建国");
    assert!(dir.path().join("doorstep-data/doorstep.sqlite").exists());
}

/// The server process killed at random moments while a phone pushes meter readings, restarted
/// on the same data each time: in the end every reading is on the server exactly once and the
/// phone's outbox is empty.
#[test]
fn a_server_killed_in_the_middle_of_pushes_loses_nothing_and_stores_nothing_twice() {
    use doorstep_core::household::{MeterReading, ReadingSource, Volume};
    use doorstep_core::sync::protocol::Entity;
    use doorstep_server::storage::{Counted, SqliteStorage, read};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("doorstep-data");
    let data = data.to_str().unwrap();
    let code = set_up_district(dir.path(), data);
    // One address for every run of the server: the phone keeps the one it enrolled with.
    let listen = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().to_string()
    };
    // Small batches: many requests, so that kills land between them and in them.
    let phone = TestDevice::with_options(doorstep_core::device_sync::SyncOptions {
        push_batch: 100,
        backoff: std::time::Duration::from_millis(20),
        max_backoff: std::time::Duration::from_millis(100),
        attempts: 2,
        ..Default::default()
    });
    {
        let server = serve_on(&["--data", data], &listen);
        phone.enroll(&server.url, &code);
        phone.sync().unwrap();
    }
    let household = phone
        .store()
        .household_by_customer_number("HZ0000001")
        .unwrap();
    let mut queued = 0u64;
    let (mut cut, mut partly) = (0, 0);
    for delay_ms in [0, 10, 30, 80, 200, 500, 1200] {
        for _ in 0..1000 {
            queued += 1;
            phone
                .store()
                .record_meter_reading(&MeterReading {
                    household_id: household.id,
                    taken_at: chrono::Utc::now() - chrono::Duration::seconds(queued as i64 + 60),
                    value: Volume::from_litres(1_000_000 + queued as i64 * 10),
                    source: ReadingSource::Technician,
                })
                .unwrap();
        }
        let before = phone.store().outbox_len().unwrap();
        let mut server = serve_on(&["--data", data], &listen);
        std::thread::scope(|s| {
            let syncing = s.spawn(|| phone.sync());
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            server.child.kill().unwrap();
            server.child.wait().unwrap();
            // Finished before the kill, or cut off by it: either is fine.
            if syncing.join().unwrap().is_err() {
                cut += 1;
            }
        });
        let after = phone.store().outbox_len().unwrap();
        if after > 0 && after < before {
            partly += 1;
        }
    }
    eprintln!("{cut} of 7 syncs cut off by the kill, {partly} after pushing part of the outbox");
    assert!(cut > 0, "no sync was interrupted by the kills");
    {
        let _server = serve_on(&["--data", data], &listen);
        phone.sync().unwrap();
    }
    assert_eq!(phone.store().outbox_len().unwrap(), 0);
    let storage = SqliteStorage::open(&dir.path().join("doorstep-data/doorstep.sqlite")).unwrap();
    let (ops, readings) = read(&storage, |tx| {
        Ok((
            tx.count(Counted::Ops)?,
            tx.count(Counted::Records(Entity::Reading))?,
        ))
    })
    .unwrap();
    assert_eq!((ops, readings), (queued, queued));
}

#[test]
fn the_server_runs_on_postgresql_with_photos_in_s3() {
    let Some(db) = doorstep_server::storage::throwaway::ThrowawayDatabase::create() else {
        return;
    };
    let bucket = std::env::var("DOORSTEP_TEST_S3_BUCKET").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blobs = format!("s3://{bucket}");
    let args = [
        "--data",
        dir.path().to_str().unwrap(),
        "--database-url",
        &db.url,
        "--blobs",
        &blobs,
    ];
    // Two server processes share one database, as behind a load balancer.
    let first = serve(&args);
    let second = serve(&args);
    for server in [&first, &second] {
        let health: serde_json::Value = reqwest::blocking::get(format!("{}/health", server.url))
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(health["storage"], "postgres");
    }
    let mut admin = vec!["admin"];
    admin.extend_from_slice(&args);
    let run = |extra: &[&str]| {
        let mut all = admin.clone();
        all.extend_from_slice(extra);
        doorstep(&all)
    };
    let district = run(&[
        "district",
        "add",
        "--name",
        "拱墅区",
        "--boundary",
        "120.10 30.25, 120.20 30.25, 120.20 30.30",
    ]);
    let technician = run(&[
        "technician",
        "add",
        "--badge",
        "GS2001",
        "--name",
        "陈师傅",
        "--role",
        "inspector",
        "--district",
        &district,
    ]);
    let household = common::household("GS0000001", district.parse().unwrap(), 1);
    doorstep_server::storage::write(
        &doorstep_server::storage::PostgresStorage::connect(&db.url, 1).unwrap(),
        |tx| {
            doorstep_server::records::put_from_office(
                tx,
                &doorstep_core::sync::protocol::Record::Household(Box::new(household.clone())),
            )?;
            Ok(())
        },
    )
    .unwrap();
    // Enrolled through one server, syncing its photo through the other.
    let phone = TestDevice::new();
    phone.enroll(&first.url, &run(&["enroll", &technician]));
    phone.sync().unwrap();
    let sha = common::forms::take_photo(&phone, &household, 5);
    let credential = phone.store().credential().unwrap().unwrap();
    let bytes = phone.store().photo_jpeg(&sha).unwrap();
    let answer: serde_json::Value = reqwest::blocking::Client::new()
        .put(format!(
            "{}/v1/photos/{sha}?offset=0&total={}",
            second.url,
            bytes.len()
        ))
        .bearer_auth(&credential)
        .body(bytes.clone())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["complete"], true);
    let missing: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/v1/photos/missing", first.url))
        .bearer_auth(&credential)
        .json(&serde_json::json!({ "sha256": [sha] }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        missing["missing"],
        serde_json::json!([]),
        "the other server knows it has the photo"
    );
}
