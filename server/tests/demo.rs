//! `doorstep demo`, the README's first command, as a newcomer runs it: the built binary on a
//! fresh directory, its summary read as JSON, and every number it gives checked against the
//! server's own storage (`<data>/server`, opened as `doorstep admin --data` opens it), never
//! against the demo's account of itself. Then what a second run does with the directory.
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

/// The phones play their day (the inspector's and the crew's scenes are on this branch): their
/// forms, photos and closed orders must then be there. OFF until those scenes are merged; the
/// lead turns it on after merging them (issue 24). The equalities with the server hold either way.
const PHONES_PLAY_THEIR_DAY: bool = false;

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
fn a_newcomers_demo_says_what_the_server_holds_and_a_second_run_continues_the_day_creating_nothing_twice()
 {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let started = std::time::Instant::now();
    let (stdout, stderr) = ran(&data, &["--json", "--seed", "7"]);
    let first_run = started.elapsed();
    let summary: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("--json prints JSON ({e}):\n{stdout}"));

    // The shape: every field the summary promises, with its stable name.
    assert_eq!(number(&summary, "/seed"), 7);
    assert!(summary["day"].as_str().is_some_and(|d| d.len() == 10));
    assert_eq!(number(&summary, "/district/households"), 3_000);
    assert_eq!(number(&summary, "/district/readings"), 36_000);
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
    let photos: u64 = technicians.iter().map(|t| number(t, "/photos")).sum();
    assert!(photos <= held.complete_photos);
    // The office's morning: tomorrow's outage notice and last evening's complaint, once each.
    assert_eq!((held.outages, held.complaints), (1, 1));

    if PHONES_PLAY_THEIR_DAY {
        // TURN ON (PHONES_PLAY_THEIR_DAY) once the inspector's and crew's scenes are merged.
        assert!(held.sealed_forms > 0, "the day sealed forms");
        assert!(
            held.complete_photos > 0,
            "the day's photos reached the server whole"
        );
        assert!(held.orders_closed > 0, "the crew closed orders");
        assert!(held.conflicts > 0, "the phone edit met the office's");
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
    let again = ask_the_server(&data);
    assert_eq!(again, held, "nothing created twice");
    assert_eq!(journal(&data)["played"], played);
    eprintln!(
        "figure demo_test_first_run_s {:.1}",
        first_run.as_secs_f64()
    );
}

#[test]
fn another_seed_on_a_demo_directory_is_refused_asking_for_fresh_which_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    ran(&data, &["--json", "--seed", "7"]);
    let before = ask_the_server(&data);
    let journal_before = std::fs::read(data.join("demo.json")).unwrap();

    let out = demo(&data, &["--json", "--seed", "8"]);
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
        before,
        "the refused run changed nothing"
    );

    let (stdout, _) = ran(&data, &["--json", "--seed", "8", "--fresh"]);
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(number(&summary, "/seed"), 8);
    assert_eq!(journal(&data)["seed"], 8);
    let after = ask_the_server(&data);
    assert_eq!(
        after.households, 3_000,
        "the old district is gone, not added to"
    );
    assert_eq!((after.outages, after.complaints), (1, 1));
    assert_eq!(after.sealed_forms, number(&summary, "/forms"));
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
