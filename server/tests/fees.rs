//! Fees collected on site (Art.14), on both backends: a receipt number is used on one sealed
//! form only (a second is parked for the office, never lost), and the day's settlement per
//! technician (日清日结) counts the receipts of their sealed forms and keeps any difference.

use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::fees::{ChargeLine, Charges, PaymentMethod, Settlement};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::Answer;
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, TechnicianId};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::testkit::valid_answer;
use doorstep_server::push::parked::{Decide, decide};
use doorstep_server::records::decode;
use doorstep_server::storage::{self, ParkReason, ParkedQuery};

use crate::common;
use common::forms::sign_all;
use common::*;

pub fn charged(fen: i64, method: PaymentMethod, receipt: &str, by: TechnicianId) -> Charges {
    Charges {
        lines: vec![ChargeLine {
            item: "更换灶前阀".into(),
            quantity: 1,
            unit_price_fen: fen,
        }],
        method: Some(method),
        receipt: Some(receipt.into()),
        collected_by: by,
    }
}

/// A repair closed at `household` with these charges, sealed at `sealed_at`.
pub fn close_repair(
    device: &TestDevice,
    household: &Household,
    charges: Charges,
    sealed_at: DateTime<Utc>,
) -> FormId {
    let template = builtin_template("repair_closing").unwrap();
    let mut store = device.store();
    let form = store
        .start_form(
            &template,
            household.id,
            None,
            sealed_at - Duration::minutes(40),
        )
        .unwrap();
    store
        .answer(form.id, "charges", Some(Answer::Charges(charges)))
        .unwrap();
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) {
                continue;
            }
            if let Some(answer) = valid_answer(item, sealed_at - Duration::minutes(20)) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            }
        }
    }
    sign_all(&mut store, form.id, &template);
    store.complete_form(form.id, sealed_at).unwrap();
    form.id
}

/// `doorstep admin args…` against the server's database: (succeeded, stdout, stderr).
pub fn admin(server: &TestServer, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .arg("admin")
        .args(args)
        .args(server.admin_storage_args())
        .env_remove("DOORSTEP_DATABASE_URL")
        .env_remove("DOORSTEP_OPERATOR")
        .env("USER", "wangli")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

on_both_backends! {
    fn a_receipt_number_used_on_two_sealed_forms_parks_the_second_for_the_office(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "文新", "T1001");
        let hs = households(&server, &team, 2);
        let phone = enrolled_phone(&server, &team);
        let me = team.inspector.id;
        let first = close_repair(&phone, &hs[0], charged(3500, PaymentMethod::Cash, "R-0001", me), Utc::now());
        assert_eq!(phone.sync().unwrap().parked, 0);
        let second = close_repair(&phone, &hs[1], charged(1200, PaymentMethod::Cash, "R-0001", me), Utc::now());
        let report = phone.sync().unwrap();
        assert_eq!(report.parked, 1, "{report:?}");
        let parked = storage::read(&*server.storage, |tx| {
            assert!(tx.record(Entity::Form, &first.to_string())?.is_some());
            assert!(tx.record(Entity::Form, &second.to_string())?.is_none());
            assert_eq!(tx.receipt_forms("R-0001")?, vec![first.to_string()]);
            Ok(tx.parked(&ParkedQuery { waiting: true, limit: 10, ..ParkedQuery::default() })?)
        })
        .unwrap();
        assert_eq!(parked.len(), 1);
        assert_eq!(parked[0].reason, ParkReason::ReceiptUsedTwice);
        assert_eq!(parked[0].entity_id, second.to_string());

        // The office checks the receipt book and takes the visit in as it is.
        storage::write(&*server.storage, |tx| {
            decide(tx, parked[0].op_id, &Decide::Accept, "wangli", Utc::now())?;
            Ok(())
        })
        .unwrap();
        storage::read(&*server.storage, |tx| {
            assert!(tx.record(Entity::Form, &second.to_string())?.is_some());
            assert_eq!(tx.receipt_forms("R-0001")?.len(), 2);
            Ok(())
        })
        .unwrap();
    }
}

on_both_backends! {
    fn the_days_settlement_counts_the_technicians_receipts_and_keeps_a_shortfall(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "文新", "T1002");
        let hs = households(&server, &team, 3);
        let phone = enrolled_phone(&server, &team);
        let me = team.inspector.id;
        // Yesterday at noon, Beijing time (04:00 UTC), and today: only yesterday is settled.
        let today = local_date(Utc::now());
        let yesterday = today.pred_opt().unwrap();
        let noon = |day: chrono::NaiveDate| day.and_hms_opt(4, 0, 0).unwrap().and_utc();
        close_repair(&phone, &hs[0], charged(12000, PaymentMethod::Cash, "R-1", me), noon(yesterday));
        close_repair(&phone, &hs[1], charged(3000, PaymentMethod::WechatPay, "R-2", me), noon(yesterday) + Duration::hours(2));
        close_repair(&phone, &hs[2], charged(500, PaymentMethod::Cash, "R-3", me), noon(today).min(Utc::now()));
        phone.sync().unwrap();
        let technician = me.to_string();
        let day = yesterday.to_string();

        // Today is not over: refused, naming the option, and nothing is kept.
        let (ok, _, err) = admin(&server, &["settle", "--technician", &technician, "--day", &today.to_string(), "--cash", "500"]);
        assert!(!ok);
        assert!(err.contains("--day"), "{err}");

        // 10.00 yuan of cash short.
        let (ok, out, err) = admin(&server, &["settle", "--technician", &technician, "--day", &day, "--cash", "11000", "--wechat", "3000"]);
        assert!(ok, "{err}");
        assert!(out.contains("cash\t12000\t11000\t-1000"), "{out}");
        assert!(out.contains("wechat_pay\t3000\t3000\t0"), "{out}");
        assert!(out.contains("receipts\tR-1,R-2"), "{out}");
        assert!(out.contains("balance\tDISCREPANCY -1000"), "{out}");

        // A day is settled once; the settlement stays as it was made.
        let (ok, _, _) = admin(&server, &["settle", "--technician", &technician, "--day", &day, "--cash", "12000", "--wechat", "3000"]);
        assert!(!ok);
        let (ok, list, _) = admin(&server, &["settle", "list", "--technician", &technician]);
        assert!(ok);
        assert_eq!(list.lines().count(), 1, "{list}");
        assert!(list.contains(&format!("{day}\t{technician}\t15000\t14000\tDISCREPANCY -1000\tadmin:wangli")), "{list}");
        let settlements: Vec<Settlement> = storage::read(&*server.storage, |tx| {
            let page = tx.records(Entity::Settlement, "", 10)?;
            page.iter().map(decode::<Settlement>).collect()
        })
        .unwrap();
        assert_eq!(settlements.len(), 1);
        assert_eq!(settlements[0].discrepancies.len(), 1);
        // The office's only: in no bucket, so no phone pulls it.
        storage::read(&*server.storage, |tx| {
            let record = tx.records(Entity::Settlement, "", 10)?.remove(0);
            assert!(record.buckets.is_empty());
            Ok(())
        })
        .unwrap();
    }
}
