//! `doorstep admin` as the service center runs it: the real binary against a data directory of
//! its own, checked through the server library where the output alone would not show it.

use std::process::Command;

use doorstep_core::household::Household;
use doorstep_core::sync::protocol::{EnrollRequest, Entity};
use doorstep_core::workorder::{WorkOrder, WorkOrderStatus};
use doorstep_server::bucket::Bucket;
use doorstep_server::records::decode;
use doorstep_server::storage::{self, Counted};

use crate::common::Backend;
use crate::common::office::Office;

impl Office {
    fn new() -> Self {
        Office::on(Backend::Sqlite)
    }

    fn on_postgres() -> Self {
        Office::on(Backend::Postgres)
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn households(&self) -> u64 {
        self.count(Counted::Records(Entity::Household))
    }

    fn household(&self, customer_number: &str) -> Household {
        storage::read(&*self.storage(), |tx| {
            let id = tx
                .record_id_by_key(Entity::Household, customer_number)?
                .expect("no such household");
            decode(&tx.record(Entity::Household, &id)?.unwrap())
        })
        .unwrap()
    }

    fn district(&self) -> String {
        self.ok(&[
            "district",
            "add",
            "--name",
            "西湖区文新片区",
            "--boundary",
            "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30",
        ])
    }
}

const HEADER: &str = "customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group";

/// Five households of one district, as the customer system exports them.
fn five_households(district: &str) -> Vec<String> {
    [
        "HZ-0001,张伟,13812345678,{d},西湖区,文三路88号,3,2,501,30.271,120.121,residential,2019-05-01,2024-04-02T09:30:00+08:00,",
        "HZ-0002,王秀英,13912345678;0571-87654321,{d},西湖区,文三路88号,3,2,502,30.271,120.121,residential,,,elderly",
        "HZ-0003,李娜,15012345678,{d},西湖区,学院路77号,1,1,101,,,residential,2021-10-12,,",
        "HZ-0004,刘洋,18612345678,{d},西湖区,教工路18号,,,,30.280,120.130,commercial,,2025-01-15T14:00:00+08:00,",
        "HZ-0005,陈静,13712345678,{d},西湖区,古翠路50号,6,3,1203,30.289,120.118,residential,,,elderly;disabled",
    ]
    .iter()
    .map(|row| row.replace("{d}", district))
    .collect()
}

fn csv(rows: &[String]) -> String {
    let mut text = HEADER.to_owned();
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

#[test]
fn service_center_enrolls_a_new_inspectors_phone() {
    let office = Office::new();
    let district = office.district();
    let crew = office.ok(&["crew", "add", "--name", "抢修一班", "--district", &district]);
    let technician = office.ok(&[
        "technician",
        "add",
        "--badge",
        "HZ1024",
        "--name",
        "周建国",
        "--phone",
        "13612345678",
        "--role",
        "inspector",
        "--crew",
        &crew,
        "--district",
        &district,
    ]);
    let run = office.admin(&["enroll", &technician]);
    assert!(run.ok, "{}", run.stderr);
    // Only the code on stdout: twelve characters that are easy to read out.
    let code = run.stdout.strip_suffix('\n').unwrap();
    assert_eq!(code.len(), 12, "{:?}", run.stdout);
    assert!(
        code.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );

    // The code works once, for that technician.
    let storage = office.storage();
    let enrolled = storage::write(&*storage, |tx| {
        doorstep_server::auth::enroll(
            tx,
            &EnrollRequest {
                code: code.to_owned(),
                device_id: "phone1".into(),
                device_model: "test".into(),
            },
            chrono::Utc::now(),
        )
    })
    .unwrap();
    assert_eq!(enrolled.technician.id.to_string(), technician);
    assert_eq!(
        enrolled.technician.district_id.unwrap().to_string(),
        district
    );

    // Every action is in the audit log, by the operator who ran it.
    let audit = office.ok(&["audit", "--limit", "10"]);
    for action in [
        "district_created",
        "crew_created",
        "technician_created",
        "enrollment_code_issued",
    ] {
        let line = audit
            .lines()
            .find(|l| l.contains(action))
            .unwrap_or_else(|| panic!("no {action} in {audit}"));
        assert_eq!(line.split('\t').nth(1), Some("admin:wangli"), "{line}");
    }
}

#[test]
fn a_lost_phone_is_revoked_and_its_technician_deactivated() {
    let office = Office::new();
    let technician = office.ok(&[
        "technician",
        "add",
        "--badge",
        "HZ2048",
        "--name",
        "赵磊",
        "--role",
        "repair_technician",
    ]);
    let code = office.ok(&["enroll", &technician]);
    let storage = office.storage();
    storage::write(&*storage, |tx| {
        doorstep_server::auth::enroll(
            tx,
            &EnrollRequest {
                code: code.clone(),
                device_id: "lostphone".into(),
                device_model: "test".into(),
            },
            chrono::Utc::now(),
        )
    })
    .unwrap();

    // The office finds the phone among the technician's devices, then revokes it.
    let other = office.ok(&[
        "technician",
        "add",
        "--badge",
        "HZ2049",
        "--name",
        "钱芳",
        "--role",
        "inspector",
    ]);
    let listed = office.ok(&["device", "list", "--technician", &technician]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert_eq!(
        lines[0],
        "device_id\ttechnician_id\tmodel\tenrolled_at\trevoked_at"
    );
    let row: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(row[..3], ["lostphone", technician.as_str(), "test"]);
    assert_eq!(row[4], "-");
    assert_eq!(
        office
            .ok(&["device", "list", "--technician", &other])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        office.ok(&["device", "revoke", "lostphone", "--operator", "zhaomin"]),
        "已吊销设备 lostphone / device lostphone revoked"
    );
    let listed = office.ok(&["device", "list"]);
    let row: Vec<&str> = listed.lines().nth(1).unwrap().split('\t').collect();
    assert_eq!(row[0], "lostphone");
    assert_ne!(row[4], "-", "{listed}");
    let device = storage::read(&*storage, |tx| Ok(tx.device("lostphone")?))
        .unwrap()
        .unwrap();
    assert!(device.revoked_at.is_some());

    office.ok(&["technician", "deactivate", &technician]);
    let run = office.admin(&["enroll", &technician]);
    assert!(!run.ok);
    assert!(run.stderr.contains("not active"), "{}", run.stderr);
    let audit = office.ok(&["audit"]);
    let actor = |action: &str| {
        audit
            .lines()
            .find(|l| l.contains(action))
            .and_then(|l| l.split('\t').nth(1))
            .map(str::to_owned)
    };
    assert_eq!(
        actor("device_revoked").as_deref(),
        Some("admin:zhaomin"),
        "{audit}"
    );
    assert_eq!(
        actor("technician_deactivated").as_deref(),
        Some("admin:wangli"),
        "{audit}"
    );
}

#[test]
fn an_operator_name_that_would_break_the_audit_log_is_refused_and_nothing_is_written() {
    let office = Office::new();
    for bad in ["wang li", "", "a\tb", &"x".repeat(65)] {
        let run = office.admin(&[
            "district",
            "add",
            "--name",
            "文新片区",
            "--boundary",
            "120.10 30.27, 120.12 30.27, 120.12 30.29",
            "--operator",
            bad,
        ]);
        assert!(!run.ok, "{bad:?} was accepted");
        assert!(run.stderr.contains("--operator"), "{}", run.stderr);
    }
    assert_eq!(office.count(Counted::Records(Entity::District)), 0);
    assert_eq!(office.count(Counted::Audit), 0);
    // Named in the environment instead (a login name in Chinese is fine): the same as the option.
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "admin",
            "district",
            "add",
            "--name",
            "文新片区",
            "--boundary",
        ])
        .arg("120.10 30.27, 120.12 30.27, 120.12 30.29")
        .arg("--data")
        .arg(office.data())
        .env_remove("DOORSTEP_DATABASE_URL")
        .env("DOORSTEP_OPERATOR", "王丽")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit = office.ok(&["audit"]);
    let line = audit.lines().nth(1).unwrap();
    assert_eq!(line.split('\t').nth(1), Some("admin:王丽"), "{audit}");
}

#[test]
fn service_center_imports_a_district_of_households() {
    let office = Office::new();
    let district = office.district();
    let file = office.file("households.csv", &csv(&five_households(&district)));
    let summary = office.ok(&["household", "import", &file]);
    assert_eq!(
        summary,
        "已导入 5 户（新增 5，更新 0，未变 0）\nimported 5 households (5 new, 0 updated, 0 unchanged)"
    );
    assert_eq!(office.households(), 5);

    let h = office.household("HZ-0002");
    assert_eq!(h.name, "王秀英");
    assert_eq!(h.address.one_line(), "西湖区文三路88号3栋2单元502室");
    assert_eq!(h.phones.len(), 2);
    assert_eq!(h.phones[1].as_str(), "057187654321");
    assert_eq!(h.district_id.unwrap().to_string(), district);
    assert!(h.is_special_group());
    let h = office.household("HZ-0001");
    assert!((h.location.unwrap().lat() - 30.271).abs() < 1e-9);
    assert_eq!(h.gas_on_date.unwrap().to_string(), "2019-05-01");
    assert_eq!(
        h.last_inspection_at.unwrap().to_rfc3339(),
        "2024-04-02T01:30:00+00:00"
    );
    // One audit row per household created.
    let audit = office.ok(&["audit"]);
    assert_eq!(audit.matches("household_created").count(), 5, "{audit}");

    // The district's devices pull all five; an unchanged re-import gives them nothing to pull.
    let bucket = vec![Bucket::District(district.parse().unwrap())];
    let changes =
        || storage::read(&*office.storage(), |tx| Ok(tx.count_changes(&bucket, 0)?)).unwrap();
    assert_eq!(changes(), 5);
    office.ok(&["household", "import", &file]);
    assert_eq!(changes(), 5);
}

#[test]
fn a_file_with_one_bad_row_imports_nothing_and_names_the_line() {
    let office = Office::new();
    let district = office.district();
    let good = five_households(&district);
    office.ok(&[
        "household",
        "import",
        &office.file("first.csv", &csv(&good[..2])),
    ]);
    assert_eq!(office.households(), 2);

    // Lines 2 and 3 are good new households, line 4 has a phone number that is one digit short.
    let mut rows = good[2..].to_vec();
    rows[2] = rows[2].replace("13712345678", "1371234567");
    let file = office.file("bad.csv", &csv(&rows));
    let run = office.admin(&["household", "import", &file]);
    assert!(!run.ok, "{}", run.stdout);
    assert!(run.stderr.contains("line 4: phone:"), "{}", run.stderr);
    // In Chinese first: the line, the column and what is wrong.
    assert!(
        run.stderr.contains("第4行 phone：第1个号码：不是手机号"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("line 2") && !run.stderr.contains("line 3"),
        "{}",
        run.stderr
    );
    assert_eq!(office.households(), 2, "part of a bad file was imported");

    // Neither output repeats anyone's name, phone or address.
    let output = format!("{}{}", run.stdout, run.stderr);
    for personal in [
        "李娜",
        "刘洋",
        "陈静",
        "15012345678",
        "18612345678",
        "1371234567",
        "学院路",
        "古翠路",
    ] {
        assert!(
            !output.contains(personal),
            "the error shows {personal}: {output}"
        );
    }
}

#[test]
fn a_household_in_an_unknown_district_is_refused_after_the_file_is_read() {
    let office = Office::new();
    let district = office.district();
    let mut rows = five_households(&district);
    rows[3] = rows[3].replace(&district, "01a2206a-598b-757e-b81e-19c1e2bd1fc2");
    let run = office.admin(&["household", "import", &office.file("h.csv", &csv(&rows))]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("line 5: district_id: no such district"),
        "{}",
        run.stderr
    );
    assert_eq!(office.households(), 0);
    assert!(!run.stderr.contains("刘洋") && !run.stderr.contains("18612345678"));
}

#[test]
fn a_customer_number_twice_in_one_file_names_both_lines() {
    let office = Office::new();
    let district = office.district();
    let mut rows = five_households(&district);
    rows[4] = rows[4].replace("HZ-0005", "HZ-0002");
    let run = office.admin(&["household", "import", &office.file("dup.csv", &csv(&rows))]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("line 6: customer_number: the same customer number as line 3"),
        "{}",
        run.stderr
    );
    assert_eq!(office.households(), 0);
}

#[test]
fn re_importing_the_corrected_file_updates_the_same_households() {
    let office = Office::new();
    let district = office.district();
    let mut rows = five_households(&district);
    let file = office.file("households.csv", &csv(&rows));
    office.ok(&["household", "import", &file]);
    let before = office.household("HZ-0003");

    // The same file again changes nothing.
    assert_eq!(
        office.ok(&["household", "import", &file]),
        "已导入 5 户（新增 0，更新 0，未变 5）\nimported 5 households (0 new, 0 updated, 5 unchanged)"
    );
    // A corrected name and a new phone number update that household, under the same id.
    rows[2] = rows[2]
        .replace("李娜", "李娜娜")
        .replace("15012345678", "15112345678");
    let file = office.file("corrected.csv", &csv(&rows));
    assert_eq!(
        office.ok(&["household", "import", &file]),
        "已导入 5 户（新增 0，更新 1，未变 4）\nimported 5 households (0 new, 1 updated, 4 unchanged)"
    );
    assert_eq!(office.households(), 5);
    let after = office.household("HZ-0003");
    assert_eq!(after.id, before.id);
    assert_eq!(after.name, "李娜娜");
    assert_eq!(after.phones[0].as_str(), "15112345678");
    assert_eq!(after.gas_on_date, before.gas_on_date);
}

#[test]
fn a_spreadsheet_export_with_a_byte_order_mark_and_a_column_subset_imports() {
    let office = Office::new();
    let text = "\u{feff}customer_number,name,address_district,street,room,category\r\n\
                HZ-0100,孙悦,拱墅区,\"湖墅南路1号,东门\",12,heating\r\n";
    let summary = office.ok(&["household", "import", &office.file("excel.csv", text)]);
    assert_eq!(
        summary,
        "已导入 1 户（新增 1，更新 0，未变 0）\nimported 1 household (1 new, 0 updated, 0 unchanged)"
    );
    let h = office.household("HZ-0100");
    assert_eq!(h.address.street, "湖墅南路1号,东门");
    assert!(h.phones.is_empty() && h.location.is_none());
}

#[test]
fn a_file_without_its_header_row_is_refused_without_repeating_it() {
    let office = Office::new();
    let district = office.district();
    let rows = five_households(&district);
    let run = office.admin(&[
        "household",
        "import",
        &office.file("noheader.csv", &rows.join("\n")),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("line 1: column 2: unknown column name"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("line 1: customer_number: missing column"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("张伟") && !run.stderr.contains("13812345678"),
        "{}",
        run.stderr
    );
    assert_eq!(office.households(), 0);
}

#[test]
fn dispatcher_opens_a_pipeline_fault_for_an_inspector() {
    let office = Office::new();
    let district = office.district();
    office.ok(&[
        "household",
        "import",
        &office.file("h.csv", &csv(&five_households(&district))),
    ]);
    let technician = office.ok(&[
        "technician",
        "add",
        "--badge",
        "HZ4096",
        "--name",
        "吴刚",
        "--role",
        "repair_technician",
    ]);
    let id = office.ok(&[
        "order",
        "create",
        "--number",
        "WO-20260301-001",
        "--kind",
        "pipeline_fault",
        "--source",
        "phone",
        "--household",
        "HZ-0004",
        "--assignee",
        &technician,
        "--description",
        "楼道内闻到燃气味",
        "--reported-at",
        "2026-03-01T09:30:00+08:00",
    ]);
    let (order, household_buckets) = storage::read(&*office.storage(), |tx| {
        let order: WorkOrder = decode(&tx.record(Entity::WorkOrder, &id)?.unwrap())?;
        let h = tx.record_id_by_key(Entity::Household, "HZ-0004")?.unwrap();
        Ok((order, tx.record(Entity::Household, &h)?.unwrap().buckets))
    })
    .unwrap();
    assert_eq!(order.assignee.unwrap().to_string(), technician);
    assert_eq!(order.status(), WorkOrderStatus::Dispatched);
    assert_eq!(order.reported_at.to_rfc3339(), "2026-03-01T01:30:00+00:00");
    assert_eq!(order.household_id, Some(office.household("HZ-0004").id));
    // The assignee's phone can read the order's household.
    assert!(
        household_buckets.contains(&Bucket::Technician(technician.parse().unwrap())),
        "{household_buckets:?}"
    );

    // An order number is used once.
    let again = office.admin(&[
        "order",
        "create",
        "--number",
        "WO-20260301-001",
        "--kind",
        "inspection",
        "--source",
        "system",
        "--household",
        "HZ-0001",
    ]);
    assert!(!again.ok);
    assert!(again.stderr.contains("--number"), "{}", again.stderr);
}

/// The same import, its refusal and its re-import on PostgreSQL (several servers' database).
#[test]
fn service_center_imports_households_into_postgresql() {
    let office = Office::on_postgres();
    let district = office.district();
    let rows = five_households(&district);
    let file = office.file("households.csv", &csv(&rows));
    assert_eq!(
        office.ok(&["household", "import", &file]),
        "已导入 5 户（新增 5，更新 0，未变 0）\nimported 5 households (5 new, 0 updated, 0 unchanged)"
    );
    let mut bad = rows.clone();
    bad[0] = bad[0].replace("HZ-0001", "HZ-0006");
    bad[2] = bad[2].replace("residential", "domestic");
    let run = office.admin(&["household", "import", &office.file("bad.csv", &csv(&bad))]);
    assert!(!run.ok);
    assert!(run.stderr.contains("line 4: category:"), "{}", run.stderr);
    assert_eq!(office.households(), 5);
    assert_eq!(
        office.ok(&["household", "import", &file]),
        "已导入 5 户（新增 0，更新 0，未变 5）\nimported 5 households (0 new, 0 updated, 5 unchanged)"
    );
    assert_eq!(office.households(), 5);
    // Nothing was written under --data.
    assert!(!office.data().join("doorstep.sqlite").exists());
}

#[test]
fn every_admin_subcommand_has_help() {
    let office = Office::new();
    for args in [
        vec!["--help"],
        vec!["district", "--help"],
        vec!["district", "add", "--help"],
        vec!["district", "list", "--help"],
        vec!["technician", "--help"],
        vec!["technician", "add", "--help"],
        vec!["technician", "deactivate", "--help"],
        vec!["technician", "list", "--help"],
        vec!["crew", "--help"],
        vec!["crew", "add", "--help"],
        vec!["crew", "list", "--help"],
        vec!["household", "--help"],
        vec!["household", "import", "--help"],
        vec!["order", "--help"],
        vec!["order", "create", "--help"],
        vec!["enroll", "--help"],
        vec!["device", "--help"],
        vec!["device", "revoke", "--help"],
        vec!["conflicts", "--help"],
        vec!["audit", "--help"],
    ] {
        let run = office.admin(&args);
        assert!(run.ok, "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("Usage: doorstep admin"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("--data"), "{args:?}: {}", run.stdout);
    }
}
