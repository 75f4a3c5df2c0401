//! Backups that are restored in a test (issue 27): the embedded server backed up while two
//! phones sync, restored into a fresh directory, and the phones syncing on against it; the
//! immediate copy within its window; the rotation; damaged backups never restored; PostgreSQL's
//! own tools named.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use doorstep_core::ids::FormId;
use doorstep_core::sync::protocol::Entity;
use doorstep_server::backup::{self, BackupError, Depth, Fault, Kind, Manifest, Source, Standing};
use doorstep_server::storage::{Counted, SqliteStorage, read};
use sha2::{Digest, Sha256};

use crate::common;
use common::forms::{inspect, take_photo};
use common::office::Office;
use common::process::Served;
use common::{Backend, TestDevice, TestServer};

/// A district, two inspectors and six households set up with `doorstep admin`: the
/// inspectors' enrollment codes.
fn set_up(office: &Office) -> [String; 2] {
    let district = office.ok(&[
        "district",
        "add",
        "--name",
        "西湖区文新片区",
        "--boundary",
        "120.10 30.25, 120.20 30.25, 120.20 30.30, 120.10 30.30",
    ]);
    let csv = office.dir.path().join("households.csv");
    let mut rows = String::from(
        "customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category\n",
    );
    for i in 1..=6 {
        rows += &format!(
            "HZ000000{i},住户{i},1380000000{i},{district},西湖区,文三路,{i},1,501,30.27,120.16,residential\n"
        );
    }
    std::fs::write(&csv, rows).unwrap();
    office.ok(&["household", "import", csv.to_str().unwrap()]);
    ["HZ1024", "HZ1025"].map(|badge| {
        let technician = office.ok(&[
            "technician",
            "add",
            "--badge",
            badge,
            "--name",
            "周建国",
            "--role",
            "inspector",
            "--district",
            &district,
        ]);
        office.ok(&["enroll", &technician])
    })
}

/// A free loopback address, kept for every run of the server (a phone keeps the one it
/// enrolled with).
fn free_address() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().to_string()
}

/// An inspection with a photo at household `n`, sealed on the phone: its form and photo.
fn inspection(phone: &TestDevice, n: u32, photo: u32) -> (FormId, String) {
    let household = phone
        .store()
        .household_by_customer_number(&format!("HZ000000{n}"))
        .unwrap();
    let sha = take_photo(phone, &household, photo);
    (inspect(phone, &household, std::slice::from_ref(&sha)), sha)
}

/// The `doorstep` binary: cargo's, or `DOORSTEP_BIN` (a copy of it kept apart while other
/// builds share the target directory).
fn bin() -> String {
    std::env::var("DOORSTEP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_doorstep").to_owned())
}

/// `doorstep serve --data DATA [more…]` on `listen`, once it says where it listens.
fn serve_on(data: &Path, more: &[&str], listen: &str) -> Served {
    let mut child = Command::new(bin())
        .arg("serve")
        .arg("--data")
        .arg(data)
        .args(more)
        .args(["--listen", listen])
        .env_remove("DOORSTEP_BACKUP_DIR")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_owned();
    Served { child, url }
}

/// The figures of an on-demand backup's output: how long the database's online copy took and
/// its size.
fn print_figures(out: &str) {
    let line = out
        .lines()
        .find(|l| l.starts_with("数据库 / database: "))
        .expect("the database line");
    let number = |after: &str| -> f64 {
        let rest = &line[line.find(after).expect(after) + after.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().unwrap()
    };
    println!("figure backup_snapshot_ms {}", number("copied in "));
    println!("figure backup_db_mb {:.3}", number("database: ") / 1e6);
}

/// `doorstep args…` run to its end: whether it succeeded, and what it printed and said.
fn doorstep(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin())
        .args(args)
        .env_remove("DOORSTEP_BACKUP_DIR")
        .env_remove("DOORSTEP_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn sqlite(data: &Path) -> SqliteStorage {
    SqliteStorage::open(&data.join("doorstep.sqlite")).unwrap()
}

/// Every form and photo named is on the server of `data`, each photo file with its hash.
fn assert_held(data: &Path, forms: &[(FormId, String)]) {
    let storage = sqlite(data);
    for (form, sha) in forms {
        let (record, photo) = read(&storage, |tx| {
            Ok((tx.record(Entity::Form, &form.to_string())?, tx.photo(sha)?))
        })
        .unwrap();
        assert!(record.is_some(), "form {form} missing");
        assert!(
            photo.is_some_and(|p| p.complete),
            "photo {sha} not complete"
        );
        let file = data
            .join("photos")
            .join(doorstep_server::photos::blob_path(sha).as_ref());
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), *sha);
    }
}

fn server_meta(data: &Path, name: &str) -> Option<String> {
    read(&sqlite(data), |tx| Ok(tx.server_meta(name)?)).unwrap()
}

#[test]
fn a_backup_taken_while_two_phones_sync_restores_and_the_phones_sync_on_without_losing_work() {
    let office = Office::on(Backend::Sqlite);
    let codes = set_up(&office);
    let data = office.data();
    let data_arg = data.to_str().unwrap();
    let backups = office.dir.path().join("backups");
    let backups_arg = backups.to_str().unwrap();
    let chosen;
    let listen = free_address();
    let phones = [TestDevice::new(), TestDevice::new()];
    let mut acknowledged = Vec::new();
    let generation_before;
    {
        let server = serve_on(&data, &[], &listen);
        for (phone, code) in phones.iter().zip(&codes) {
            phone.enroll(&server.url, code);
            phone.sync().unwrap();
        }
        // Work acknowledged before the backup starts.
        for (i, phone) in phones.iter().enumerate() {
            acknowledged.push(inspection(phone, 1 + i as u32, 10 + i as u32));
            phone.sync().unwrap();
        }
        generation_before = server_meta(&data, backup::GENERATION).expect("a generation");
        // Both phones inspect and sync in threads; `doorstep admin backup` runs again and
        // again meanwhile. The backup restored is the last one that ended while both synced.
        let synced = std::sync::Mutex::new(Vec::new());
        let taken = std::thread::scope(|s| {
            let syncing: Vec<_> = phones
                .iter()
                .enumerate()
                .map(|(i, phone)| {
                    let synced = &synced;
                    s.spawn(move || {
                        for round in 0..4 {
                            let work = inspection(phone, 3 + i as u32, 20 + 10 * i as u32 + round);
                            phone.sync().unwrap();
                            synced.lock().unwrap().push((Instant::now(), work));
                        }
                    })
                })
                .collect();
            let mut taken = Vec::new();
            while !syncing.iter().all(|t| t.is_finished()) {
                let started = Instant::now();
                let (ok, out, err) = doorstep(&[
                    "admin",
                    "--data",
                    data_arg,
                    "backup",
                    "--backup-dir",
                    backups_arg,
                    "--backup-keep",
                    "100",
                ]);
                assert!(ok, "admin backup: {err}");
                let during = !syncing.iter().any(|t| t.is_finished());
                let path = out
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("备份已写入并通过检查 / backup written and checked: ")
                    })
                    .expect("the backup's path")
                    .to_owned();
                taken.push((started, during, path, out));
            }
            for t in syncing {
                t.join().unwrap();
            }
            taken
        });
        let (started, _, path, out) = taken
            .into_iter()
            .rfind(|(_, during, _, _)| *during)
            .expect("a backup ended while both phones synced");
        chosen = PathBuf::from(path);
        print_figures(&out);
        acknowledged.extend(
            synced
                .into_inner()
                .unwrap()
                .into_iter()
                .filter(|(at, _)| *at < started)
                .map(|(_, work)| work),
        );
    }
    // Work made after the backup, still in the phones' outboxes (the server is down).
    let unsynced: Vec<_> = phones
        .iter()
        .enumerate()
        .map(|(i, phone)| inspection(phone, 5 + i as u32, 40 + i as u32))
        .collect();
    for phone in &phones {
        assert!(phone.store().outbox_len().unwrap() > 0);
    }

    // A restore refuses a data directory with anything in it, then restores into a fresh one.
    let (ok, _, err) = doorstep(&[
        "admin",
        "--data",
        data_arg,
        "restore",
        "--from",
        backups.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("not empty"), "{err}");
    let restored = office.dir.path().join("restored");
    let restored_arg = restored.to_str().unwrap();
    let (ok, out, err) = doorstep(&[
        "admin",
        "--data",
        restored_arg,
        "restore",
        "--from",
        chosen.to_str().unwrap(),
    ]);
    assert!(ok, "restore: {err}");
    assert!(out.contains("new server generation"), "{out}");
    assert_held(&restored, &acknowledged);
    {
        let conn = rusqlite::Connection::open(restored.join("doorstep.sqlite")).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
    let generation_after = server_meta(&restored, backup::GENERATION).unwrap();
    assert_ne!(
        generation_after, generation_before,
        "a restore is a new generation"
    );
    // What the old server's backups held is forgotten: nothing of this server is backed up.
    for phone in &phones {
        let device = phone.store().device_id().to_owned();
        let through =
            |data: &Path| read(&sqlite(data), |tx| backup::backed_up_through(tx, &device)).unwrap();
        assert!(
            through(&data).is_some_and(|seq| seq >= 1),
            "recorded after the backup"
        );
        assert_eq!(through(&restored), None);
    }

    // The restored server, at the same address: the phones' unsynced work arrives, once.
    let _server = serve_on(&restored, &[], &listen);
    for phone in &phones {
        phone.sync().unwrap();
        phone.sync().unwrap();
        assert_eq!(phone.store().outbox_len().unwrap(), 0);
    }
    assert_held(&restored, &acknowledged);
    assert_held(&restored, &unsynced);
    let storage = sqlite(&restored);
    let (forms, ops) = read(&storage, |tx| {
        Ok((
            tx.count(Counted::Records(Entity::Form))?,
            tx.count(Counted::Ops)?,
        ))
    })
    .unwrap();
    let distinct_ops: i64 = rusqlite::Connection::open(restored.join("doorstep.sqlite"))
        .unwrap()
        .query_row(
            "SELECT count(DISTINCT device_id || op_id) FROM ops",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ops, distinct_ops as u64, "no operation stored twice");
    assert!(forms >= (acknowledged.len() + unsynced.len()) as u64);
}

/// How many records of this form a backup's copy holds (read only: a backup is never opened
/// as a server's storage, which would change it).
fn forms_in_copy(backup: &Path, form: &FormId) -> i64 {
    rusqlite::Connection::open_with_flags(
        backup.join("doorstep.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
    .query_row(
        "SELECT count(*) FROM records WHERE entity = 'form' AND id = ?1",
        [form.to_string()],
        |r| r.get(0),
    )
    .unwrap()
}

/// Waits up to `limit` for `found` to hold.
fn within<T>(limit: Duration, mut found: impl FnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + limit;
    loop {
        if let Some(t) = found() {
            return Some(t);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The backups of `dir` with their manifests, oldest first.
fn complete(dir: &Path) -> Vec<(PathBuf, Manifest)> {
    backup::list(dir)
        .unwrap()
        .into_iter()
        .filter_map(|b| match b.standing {
            Standing::Complete(m) => Some((b.path, *m)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_sealed_form_pushed_is_in_an_immediate_copy_within_the_window() {
    let office = Office::on(Backend::Sqlite);
    let [code, _] = set_up(&office);
    let data = office.data();
    let backups = office.dir.path().join("backups");
    let server = serve_on(
        &data,
        &[
            "--backup-dir",
            backups.to_str().unwrap(),
            "--backup-important-within",
            "1s",
        ],
        &free_address(),
    );
    // At start, with no backup yet, the scheduled one is due at once.
    let first = within(Duration::from_secs(20), || {
        complete(&backups)
            .into_iter()
            .find(|(_, m)| m.kind == Kind::Scheduled)
    });
    assert!(first.is_some(), "the first scheduled backup at start");

    let phone = TestDevice::new();
    phone.enroll(&server.url, &code);
    phone.sync().unwrap();
    let (form, sha) = inspection(&phone, 1, 7);
    phone.sync().unwrap();
    let acknowledged = Instant::now();
    let seq = read(&sqlite(&data), |tx| Ok(tx.last_seq()?)).unwrap();
    // The window is 1 s: the copy holding the form and its photo follows within seconds.
    let (path, manifest) = within(Duration::from_secs(20), || {
        complete(&backups).into_iter().find(|(_, m)| {
            m.kind == Kind::Immediate
                && m.last_seq >= seq
                && m.photos.iter().any(|p| p.sha256 == sha)
        })
    })
    .expect("an immediate copy with the sealed form and its photo");
    println!(
        "figure backup_immediate_after_push_ms {}",
        acknowledged.elapsed().as_millis()
    );
    backup::check(&path, Depth::Full).unwrap();
    assert!(
        manifest
            .backed_up_through
            .contains_key(phone.store().device_id())
    );
    assert_eq!(
        forms_in_copy(&path, &form),
        1,
        "the sealed form is in the copy"
    );
    // The phone may forget its work: the server says what the backup holds.
    let device = phone.store().device_id().to_owned();
    let through = within(Duration::from_secs(10), || {
        read(&sqlite(&data), |tx| backup::backed_up_through(tx, &device))
            .unwrap()
            .filter(|&s| s >= manifest.backed_up_through[&device])
    });
    assert!(through.is_some());
    let metrics = reqwest::blocking::get(format!("{}/metrics", server.url))
        .unwrap()
        .text()
        .unwrap();
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
            .parse()
            .unwrap()
    };
    assert!(value("doorstep_backups_total") >= 2.0);
    assert_eq!(value("doorstep_backups_failed_total"), 0.0);
    assert!(value("doorstep_backup_last_success_timestamp_seconds") > 1.7e9);
}

/// A server in this process with one sealed inspection and its photo, and its data as a
/// backup reads it.
fn server_with_a_form() -> (TestServer, Source, (FormId, String)) {
    let server = TestServer::start(Backend::Sqlite);
    let team = common::team(&server, "西湖区", "HZ1001");
    common::households(&server, &team, 2);
    let phone = common::enrolled_phone(&server, &team);
    let household = phone
        .store()
        .household_by_customer_number("HZ000001")
        .unwrap();
    let sha = take_photo(&phone, &household, 3);
    let form = inspect(&phone, &household, std::slice::from_ref(&sha));
    phone.sync().unwrap();
    let work = (form, sha);
    let source = Source {
        database: server.dir.path().join("doorstep.sqlite"),
        photos: server.dir.path().join("photos"),
    };
    (server, source, work)
}

#[test]
fn the_rotation_keeps_the_newest_backups_and_only_the_photos_they_name() {
    let (server, source, (_, sha)) = server_with_a_form();
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path();
    for _ in 0..3 {
        backup::take(&*server.storage, &source, dir, Kind::OnDemand, 2).unwrap();
    }
    for _ in 0..3 {
        backup::take(&*server.storage, &source, dir, Kind::Immediate, 2).unwrap();
    }
    let kinds: Vec<Kind> = complete(dir).into_iter().map(|(_, m)| m.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::OnDemand,
            Kind::OnDemand,
            Kind::Immediate,
            Kind::Immediate
        ]
    );
    // What no kept backup names goes: a stray photo, a temporary file, a backup cut off.
    let stray = dir
        .join("photos/ff")
        .join(format!("{}.jpg", "f".repeat(64)));
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"not named").unwrap();
    let temporary = dir.join("photos/ff/x.jpg.1.tmp");
    std::fs::write(&temporary, b"half").unwrap();
    let cut_off = dir.join("20000101T000000.000Z-scheduled");
    std::fs::create_dir(&cut_off).unwrap();
    std::fs::write(cut_off.join("doorstep.sqlite"), b"half").unwrap();
    let taken = backup::take(&*server.storage, &source, dir, Kind::Scheduled, 2).unwrap();
    assert_eq!(taken.rotated.photos_removed, 2);
    assert!(taken.rotated.backups_removed.contains(&cut_off));
    assert!(!stray.exists() && !temporary.exists() && !cut_off.exists());
    let kept = complete(dir);
    assert_eq!(kept.len(), 4, "two full backups and two immediate copies");
    assert_eq!(kept[3].1.kind, Kind::Scheduled);
    for (path, manifest) in &kept {
        backup::check(path, Depth::Full).unwrap();
        assert!(manifest.photos.iter().any(|p| p.sha256 == sha));
    }
    assert!(
        dir.join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.jpg"))
            .exists()
    );
}

fn faults(e: BackupError) -> Vec<Fault> {
    match e {
        BackupError::Check { faults, .. } => faults,
        other => panic!("not a failed check: {other}"),
    }
}

#[test]
fn a_damaged_backup_fails_its_check_and_is_never_restored() {
    let (server, source, (form, sha)) = server_with_a_form();
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path();
    let older = backup::take(&*server.storage, &source, dir, Kind::OnDemand, 8).unwrap();
    let newer = backup::take(&*server.storage, &source, dir, Kind::OnDemand, 8).unwrap();

    // A byte flipped in the newer copy: it fails, and a restore passes it over.
    let file = newer.path.join("doorstep.sqlite");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&file, bytes).unwrap();
    let e = backup::check(&newer.path, Depth::Full).unwrap_err();
    assert_eq!(faults(e), [Fault::DatabaseChanged]);
    let fresh = tempfile::tempdir().unwrap();
    let target = fresh.path().join("data");
    let e = backup::restore(&newer.path, &target).unwrap_err();
    assert_eq!(faults(e), [Fault::DatabaseChanged]);
    assert!(!target.join("doorstep.sqlite").exists());
    let restored = backup::restore(dir, &target).unwrap();
    assert_eq!(restored.from, older.path);
    assert_eq!(restored.passed_over.len(), 1);
    assert_eq!(forms_in_copy(&target, &form), 1);

    // A restore never writes into a directory with anything in it.
    let e = backup::restore(dir, &target).unwrap_err();
    assert!(matches!(e, BackupError::NotEmpty(_)), "{e}");

    // A photo gone from the backup directory: no backup naming it is good any more.
    std::fs::remove_file(
        dir.join("photos")
            .join(&sha[..2])
            .join(format!("{sha}.jpg")),
    )
    .unwrap();
    let e = backup::check(&older.path, Depth::Sizes).unwrap_err();
    assert_eq!(faults(e), [Fault::PhotoMissing(sha.clone())]);
    let elsewhere = fresh.path().join("again");
    let e = backup::restore(dir, &elsewhere).unwrap_err();
    assert!(matches!(e, BackupError::NoGoodBackup(_)), "{e}");

    // A backup without its manifest was cut off: never restored.
    std::fs::remove_file(older.path.join("manifest.json")).unwrap();
    let e = backup::restore(&older.path, &elsewhere).unwrap_err();
    assert!(matches!(e, BackupError::Incomplete(_)), "{e}");

    // A backup whose photo cannot be copied is set aside as failed, and never restored.
    let other = tempfile::tempdir().unwrap();
    std::fs::remove_file(
        server
            .dir
            .path()
            .join("photos")
            .join(doorstep_server::photos::blob_path(&sha).as_ref()),
    )
    .unwrap();
    assert!(backup::take(&*server.storage, &source, other.path(), Kind::Scheduled, 8).is_err());
    let listed = backup::list(other.path()).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(matches!(listed[0].standing, Standing::Failed));
    assert!(
        listed[0]
            .path
            .to_string_lossy()
            .ends_with("-scheduled-failed")
    );
    let e = backup::restore(&listed[0].path, &fresh.path().join("third")).unwrap_err();
    assert!(matches!(e, BackupError::SetAside(_)), "{e}");
}

#[test]
fn on_postgresql_admin_backup_names_the_databases_own_tools_and_fails() {
    if common::skip_postgres() {
        return;
    }
    let office = Office::on(Backend::Postgres);
    let backups = office.dir.path().join("backups");
    let said = office.refused(&["backup", "--backup-dir", backups.to_str().unwrap()]);
    for words in [
        "连续归档",
        "pgBackRest",
        "continuous archiving",
        "bucket versioning",
        "docs/operations.md",
    ] {
        assert!(said.contains(words), "{words}: {said}");
    }
    assert!(!backups.exists(), "nothing copied");
}
