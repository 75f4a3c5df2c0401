//! `doorstep demo`, the README's first command, as a newcomer runs it: the built binary on a
//! fresh directory, its summary read as JSON, and every number it gives checked against the
//! server's own storage (`<data>/server`, opened as `doorstep admin --data` opens it), never
//! against the demo's account of itself. Then what a second run does with the directory: the
//! same seed continues the day, another is refused until `--fresh` starts over. One story, so
//! that the test plays one whole day: the directory another seed's stopped run left is the one
//! `--fresh` starts over.
//!
//! The demo's server keeps its records in SQLite only (it never touches a real server's
//! database), so these run on SQLite.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use doorstep_core::forms::form::Form;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};
use doorstep_server::records::decode;
use doorstep_server::storage::{self, Counted, SqliteStorage, StoredRecord, Tx};
use serde_json::Value;

/// The phones play their day (the inspector's and the crew's scenes): their forms, photos,
/// closed orders and the phone edit's conflict must be there. The equalities with the server
/// hold whatever the day holds; these say the day is not empty.
const PHONES_PLAY_THEIR_DAY: bool = true;

/// Runs `doorstep demo --no-serve --listen 127.0.0.1:0 --data <data>` with `args`.
fn demo(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args(["demo", "--no-serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .output()
        .expect("the doorstep binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A run that must succeed: its stdout, its stderr.
fn ran(data: &Path, args: &[&str]) -> (String, String) {
    let out = demo(data, args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "doorstep demo {args:?} failed:\n{stderr}\n{stdout}"
    );
    (stdout, stderr)
}

/// What the server holds, counted by reading its storage.
#[derive(Debug, PartialEq, Eq)]
struct Held {
    households: u64,
    readings: u64,
    sealed_forms: u64,
    complete_photos: u64,
    orders_closed: u64,
    conflicts: u64,
    outages: u64,
    complaints: u64,
    /// Money on the receipt ledger, of every technician with a phone, in fen.
    collected_fen: i64,
}

fn server_dir(data: &Path) -> PathBuf {
    data.join("server")
}

fn ask_the_server(data: &Path) -> Held {
    let storage = SqliteStorage::open(&server_dir(data).join("doorstep.sqlite")).unwrap();
    storage::read(&storage, |tx| {
        let forms: Vec<Form> = every(tx, Entity::Form);
        let orders: Vec<WorkOrder> = every(tx, Entity::WorkOrder);
        Ok(Held {
            households: tx.count(Counted::Records(Entity::Household))?,
            readings: tx.count(Counted::Records(Entity::Reading))?,
            sealed_forms: forms.iter().filter(|f| f.seal.is_some()).count() as u64,
            complete_photos: tx.count(Counted::CompletePhotos)?,
            orders_closed: orders
                .iter()
                .filter(|o| {
                    matches!(
                        o.status(),
                        WorkOrderStatus::Resolved | WorkOrderStatus::ReferredElsewhere
                    )
                })
                .count() as u64,
            conflicts: tx.count(Counted::Conflicts)?,
            outages: tx.count(Counted::Records(Entity::Outage))?,
            complaints: tx.count(Counted::Records(Entity::Complaint))?,
            collected_fen: {
                let mut fen = 0;
                for device in tx.devices(None)? {
                    fen += tx
                        .receipts_between(
                            &device.technician_id,
                            "2000-01-01T00:00:00Z".parse().unwrap(),
                            "2100-01-01T00:00:00Z".parse().unwrap(),
                        )?
                        .iter()
                        .map(|r| r.total_fen)
                        .sum::<i64>();
                }
                fen
            },
        })
    })
    .unwrap()
}

fn every<T: serde::de::DeserializeOwned>(tx: &mut dyn Tx, entity: Entity) -> Vec<T> {
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let page: Vec<StoredRecord> = tx.records(entity, &after, 500).unwrap();
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        all.extend(
            page.iter()
                .filter(|r| !r.deleted)
                .map(|r| decode(r).unwrap()),
        );
    }
    all
}

/// Whether `password` is the one the server holds for `login` (its console account).
fn signs_in(data: &Path, login: &str, password: &str) -> bool {
    let storage = SqliteStorage::open(&server_dir(data).join("doorstep.sqlite")).unwrap();
    let row = storage::read(&storage, |tx| Ok(tx.staff_by_login(login)?))
        .unwrap()
        .expect("the demo's console account");
    row.active && doorstep_server::console::account::verify_password(&row.password_hash, password)
}

fn number(json: &Value, path: &str) -> u64 {
    json.pointer(path)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{path} is not a number in {json:#}"))
}

/// The figure `name` on stderr, on a line of its own.
fn figure(stderr: &str, name: &str) -> f64 {
    let prefix = format!("figure {name} ");
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `figure {name}` line on stderr:\n{stderr}"))
}

fn journal(data: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap()
}

#[test]
fn a_newcomers_demo_day_is_what_the_server_holds_a_second_run_continues_it_and_another_seed_needs_fresh()
 {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");

    // A day of seed 8, stopped once the office has set up its district (Ctrl-C, a closed
    // laptop): the directory holds that district and its journal.
    stopped_once_the_district_is_set_up(&data, "8");
    let stopped = ask_the_server(&data);
    assert_eq!(stopped.households, 3_000);

    // Another seed on it is refused, asking for --fresh, and changes nothing.
    let journal_before = std::fs::read(data.join("demo.json")).unwrap();
    let out = demo(&data, &["--json", "--seed", "7"]);
    let said = text(&out.stderr);
    assert!(!out.status.success(), "another seed must be refused");
    assert!(said.contains("--fresh"), "asks for --fresh: {said}");
    assert!(out.stdout.is_empty(), "no summary: {}", text(&out.stdout));
    assert_eq!(
        std::fs::read(data.join("demo.json")).unwrap(),
        journal_before
    );
    assert_eq!(
        ask_the_server(&data),
        stopped,
        "the refused run changed nothing"
    );

    // --fresh starts over with seed 7 and plays the whole day.
    let started = std::time::Instant::now();
    let (stdout, stderr) = ran(&data, &["--json", "--seed", "7", "--fresh"]);
    let whole_day = started.elapsed();
    assert_eq!(journal(&data)["seed"], 7);
    let summary: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("--json prints JSON ({e}):\n{stdout}"));

    // The shape: every field the summary promises, with its stable name.
    assert_eq!(number(&summary, "/seed"), 7);
    assert!(summary["day"].as_str().is_some_and(|d| d.len() == 10));
    assert_eq!(number(&summary, "/district/households"), 3_000);
    assert!(
        number(&summary, "/district/readings") >= 36_000,
        "a year of readings, and the day's"
    );
    assert!(
        summary["district"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    let technicians = summary["technicians"].as_array().expect("technicians");
    let badges: Vec<&str> = technicians
        .iter()
        .map(|t| t["badge"].as_str().unwrap())
        .collect();
    assert_eq!(
        badges.len(),
        2,
        "the inspector's and the crew member's phones: {badges:?}"
    );
    for t in technicians {
        for field in ["/role", "/collected"] {
            assert!(
                t.pointer(field).is_some_and(Value::is_string),
                "{field}: {t:#}"
            );
        }
        for field in [
            "/visits/total",
            "/visits/completed",
            "/visits/nobody_home",
            "/visits/refused",
            "/visits/refused_to_sign",
            "/photos",
            "/signatures",
            "/orders_closed",
        ] {
            number(t, field);
        }
        assert!(t["collected_fen"].is_i64(), "{t:#}");
        assert!(
            t.get("name").is_none(),
            "a technician is shown by badge, not by name"
        );
    }
    let deadlines = &summary["deadlines"];
    let listed = deadlines["list"].as_array().expect("deadlines.list").len() as u64;
    assert_eq!(
        number(deadlines, "/met") + number(deadlines, "/missed") + number(deadlines, "/pending"),
        listed
    );
    assert!(summary["conflict_list"].is_array());
    assert!(number(&summary, "/bytes_up") > 0 && number(&summary, "/bytes_down") > 0);
    assert!(summary["seconds"].as_f64().is_some_and(|s| s > 0.0));
    assert!(
        summary["server"]
            .as_str()
            .is_some_and(|s| s.starts_with("http://127.0.0.1:")),
        "{summary:#}"
    );
    // The console's address and a sign-in for it: the demo's administrator, whose password
    // is the one the server holds.
    assert_eq!(
        summary["console"]["url"].as_str(),
        summary["server"]
            .as_str()
            .map(|s| format!("{s}/console"))
            .as_deref()
    );
    assert_eq!(summary["console"]["login"], "demo");
    let first_password = summary["console"]["password"].as_str().unwrap().to_owned();
    assert!(signs_in(&data, "demo", &first_password));
    let page = PathBuf::from(summary["page"].as_str().expect("page"));
    assert!(page.ends_with("index.html") && page.exists(), "{page:?}");

    // The figures, each on its own line of stderr, as the JSON gives them.
    assert!(figure(&stderr, "demo_s") > 0.0);
    assert_eq!(
        figure(&stderr, "demo_bytes_up") as u64,
        number(&summary, "/bytes_up")
    );
    assert_eq!(
        figure(&stderr, "demo_bytes_down") as u64,
        number(&summary, "/bytes_down")
    );

    // Its numbers are the server's: asked of the server's storage, not of the demo.
    let held = ask_the_server(&data);
    assert_eq!(
        held.households, 3_000,
        "the stopped day's district is gone, not added to"
    );
    assert_eq!(held.households, number(&summary, "/district/households"));
    assert_eq!(held.readings, number(&summary, "/district/readings"));
    assert_eq!(held.sealed_forms, number(&summary, "/forms"));
    assert_eq!(held.complete_photos, number(&summary, "/photos"));
    assert_eq!(held.orders_closed, number(&summary, "/orders_closed"));
    assert_eq!(held.conflicts, number(&summary, "/conflicts"));
    assert_eq!(
        held.conflicts.min(200),
        summary["conflict_list"].as_array().unwrap().len() as u64
    );
    let visits: u64 = technicians.iter().map(|t| number(t, "/visits/total")).sum();
    assert_eq!(
        visits, held.sealed_forms,
        "every sealed form is a phone's visit of the day"
    );
    let collected: i64 = technicians
        .iter()
        .map(|t| t["collected_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(
        collected, held.collected_fen,
        "the money is the receipt ledger's"
    );
    let photos: u64 = technicians.iter().map(|t| number(t, "/photos")).sum();
    assert!(photos <= held.complete_photos);
    // The office's morning: tomorrow's outage notice and last evening's complaint, once each.
    assert_eq!((held.outages, held.complaints), (1, 1));

    if PHONES_PLAY_THEIR_DAY {
        assert!(held.sealed_forms > 0, "the day sealed forms");
        assert!(
            held.complete_photos > 0,
            "the day's photos reached the server whole"
        );
        assert!(held.orders_closed > 0, "the crew closed orders");
        assert!(held.conflicts > 0, "the phone edit met the office's");
        assert!(held.collected_fen > 0, "the crew collected a charge");
        assert!(listed > 0, "the orders the phones worked have deadlines");
    }

    // A second run on the same directory says what is there and continues the same day: it
    // plays nothing twice and creates nothing twice. Its summary is text this time.
    let played = journal(&data)["played"].clone();
    let (stdout, stderr) = ran(&data, &["--seed", "7"]);
    assert!(
        stderr.contains("continuing") && stderr.contains("继续"),
        "says it continues:\n{stderr}"
    );
    assert!(stdout.contains("技术员 / Technicians"), "{stdout}");
    assert!(
        stdout.contains("服务器 / Server: http://127.0.0.1:"),
        "{stdout}"
    );
    let console = stdout
        .lines()
        .find(|l| l.starts_with("控制台 / console: http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("the console's line: {stdout}"));
    let (address, sign_in) = console.split_once("  登录 / sign in: ").expect(console);
    assert!(address.ends_with("/console"), "{console}");
    let password = sign_in.strip_prefix("demo / ").expect(console);
    assert!(
        signs_in(&data, "demo", password),
        "the second run's password is the one that works"
    );
    assert!(!signs_in(&data, "demo", &first_password));
    let again = ask_the_server(&data);
    assert_eq!(again, held, "nothing created twice");
    assert_eq!(journal(&data)["played"], played);

    eprintln!(
        "figure demo_test_whole_day_s {:.1}",
        whole_day.as_secs_f64()
    );
}

/// Starts `doorstep demo --seed <seed>` on `data` and stops it (SIGKILL, as a power cut would)
/// once its journal says the office's records are in the server.
fn stopped_once_the_district_is_set_up(data: &Path, seed: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "demo",
            "--no-serve",
            "--json",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            seed,
        ])
        .arg("--data")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the doorstep binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let seeded = std::fs::read(data.join("demo.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|j| j["seeded"] == true);
        if seeded {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the demo ended ({status}) before its district was set up");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the district was never set up"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait().unwrap();
}

#[test]
fn a_directory_the_demo_did_not_make_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mine");
    std::fs::create_dir_all(data.join("server")).unwrap();
    std::fs::write(data.join("notes.txt"), "客户档案 / my files").unwrap();
    std::fs::write(
        data.join("server").join("doorstep.sqlite"),
        "not the demo's",
    )
    .unwrap();
    let listing = |d: &Path| {
        let mut names: Vec<_> = walk(d)
            .into_iter()
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect();
        names.sort();
        names
    };
    let before = listing(&data);

    for args in [&["--json"][..], &["--json", "--fresh"][..]] {
        let out = demo(&data, args);
        let said = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} must be refused");
        assert!(
            said.contains("not made by `doorstep demo`") && said.contains("--data"),
            "says why and what to do: {said}"
        );
        assert_eq!(
            listing(&data),
            before,
            "{args:?} left the directory as it was"
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
