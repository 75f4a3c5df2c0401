//! Planned outages and fees on the phone: a technician records the households told of an
//! outage (a notice posted at their building), and sees what they collected today.

use crate::common;

use chrono::Duration;
use common::forms::{photo, signature};
use common::*;
use doorstep_core::fees::{ChargeLine, Charges, PaymentMethod};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, PhotoRef};
use doorstep_core::forms::template::ItemKind;
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::outage::{NotifiedHow, Notifier, OutageArea, OutageNotice, OutageReason};
use doorstep_core::store::Store;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::team::{Technician, TechnicianRole};
use doorstep_core::testkit::valid_answer;

fn technician() -> Technician {
    Technician {
        id: doorstep_core::ids::TechnicianId::new(),
        badge: "T0042".into(),
        name: "周强".into(),
        phone: None,
        role: TechnicianRole::RepairTechnician,
        crew_id: None,
        district_id: None,
        active: true,
    }
}

fn notice() -> OutageNotice {
    let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
    let area = Area::new(vec![
        p(30.24, 120.18),
        p(30.24, 120.20),
        p(30.26, 120.20),
        p(30.26, 120.18),
    ])
    .unwrap();
    OutageNotice::create(
        "秋涛路管网检修",
        OutageReason::Repair,
        OutageArea::Polygon(area),
        at(2026, 12, 3, 1, 0),
        at(2026, 12, 3, 9, 0),
        Duration::hours(24),
        None,
        "office",
        at(2026, 12, 1, 1, 0),
    )
    .unwrap()
}

#[test]
fn a_technician_posting_a_notice_at_a_building_records_it_for_its_households_and_a_pull_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let me = technician();
    store.set_enrollment("https://x", "secret", &me).unwrap();
    let n = notice();
    store.receive_outages(std::slice::from_ref(&n)).unwrap();
    let a = household(
        "3300000050",
        "吴霞",
        "13800000050",
        "秋涛路1号",
        30.250,
        120.190,
    );
    let b = household(
        "3300000051",
        "郭平",
        "13800000051",
        "秋涛路1号",
        30.2501,
        120.1901,
    );
    let outside = household(
        "3300000052",
        "何刚",
        "13800000052",
        "秋涛路99号",
        30.3,
        120.19,
    );
    for h in [&a, &b, &outside] {
        store.save_household(h, at(2026, 11, 2, 9, 0)).unwrap();
    }
    let listed: Vec<_> = store
        .outage_households(n.id)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&a.id) && listed.contains(&b.id));

    // A household outside the area is refused, and nothing is kept.
    let outbox_before = store.outbox_len().unwrap();
    let err = store
        .record_outage_notices(
            n.id,
            &[a.id, outside.id],
            NotifiedHow::NoticePosted,
            at(2026, 12, 1, 6, 0),
        )
        .unwrap_err();
    assert!(err.to_string().contains("households[1]"), "{err}");
    assert!(store.outage(n.id).unwrap().notifications.is_empty());
    assert_eq!(store.outbox_len().unwrap(), outbox_before);

    let told = store
        .record_outage_notices(
            n.id,
            &[a.id, b.id],
            NotifiedHow::NoticePosted,
            at(2026, 12, 1, 6, 0),
        )
        .unwrap();
    assert_eq!(told.len(), 2);
    assert!(
        told.iter()
            .all(|t| t.by == Notifier::Technician { id: me.id })
    );
    let queued = store.outbox(100).unwrap();
    assert!(matches!(
        &queued.last().unwrap().operation,
        Operation::OutageNotified { outage_id, notifications } if *outage_id == n.id && notifications.len() == 2
    ));

    // The notice pulled again from the server before the push went through keeps them.
    store.receive_outages(std::slice::from_ref(&n)).unwrap();
    assert_eq!(store.outage(n.id).unwrap().notifications.len(), 2);
}

/// Fills every visible item of a built-in form with a valid answer, then signs it.
fn fill_and_seal(
    store: &mut Store,
    template_id: &str,
    charges: Charges,
    sealed: chrono::DateTime<chrono::Utc>,
) {
    let template = builtin_template(template_id).unwrap();
    let h = household(
        "3300000060",
        "王秀英",
        "13800000060",
        "凤起路30号",
        30.27,
        120.16,
    );
    let h = match store.household_by_customer_number(&h.customer_number) {
        Ok(held) => held,
        Err(_) => {
            store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
            h
        }
    };
    let form = store
        .start_form(&template, h.id, None, sealed - Duration::minutes(30))
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
            if let Some(answer) = valid_answer(item, sealed - Duration::minutes(20)) {
                store.answer(form.id, &item.id, Some(answer)).unwrap();
            } else if let ItemKind::Photo { min, max } = item.kind {
                for n in 0..min.max(1).min(max) {
                    let p = PhotoRef::new(&photo(n as u8 + 1), sealed - Duration::minutes(25));
                    store.attach_photo(form.id, &item.id, p.unwrap()).unwrap();
                }
            }
        }
    }
    for item in template.items() {
        if let ItemKind::Signature { role } = item.kind {
            let s = signature(role, "王秀英", sealed - Duration::minutes(5));
            store.sign(form.id, &item.id, s).unwrap();
        }
    }
    store.complete_form(form.id, sealed).unwrap();
}

#[test]
fn the_phone_shows_what_its_technician_collected_today_by_method() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let me = technician();
    store.set_enrollment("https://x", "secret", &me).unwrap();
    let charged = |fen, method, receipt: &str, by| Charges {
        lines: vec![ChargeLine {
            item: "更换灶前阀".into(),
            quantity: 1,
            unit_price_fen: fen,
        }],
        method: Some(method),
        receipt: Some(receipt.into()),
        collected_by: by,
    };
    // 09:00 and 15:00 Beijing time on 1 December.
    fill_and_seal(
        &mut store,
        "repair_closing",
        charged(3500, PaymentMethod::Cash, "R-1", me.id),
        at(2026, 12, 1, 1, 0),
    );
    fill_and_seal(
        &mut store,
        "acceptance_gas_on",
        charged(2000, PaymentMethod::WechatPay, "R-2", me.id),
        at(2026, 12, 1, 7, 0),
    );
    // Another technician's form on this phone, and one of the next day.
    fill_and_seal(
        &mut store,
        "repair_closing",
        charged(
            900,
            PaymentMethod::Cash,
            "R-3",
            doorstep_core::ids::TechnicianId::new(),
        ),
        at(2026, 12, 1, 8, 0),
    );
    fill_and_seal(
        &mut store,
        "repair_closing",
        charged(700, PaymentMethod::Cash, "R-4", me.id),
        at(2026, 12, 1, 16, 30),
    );
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let totals = store.collected_on(day).unwrap();
    assert_eq!(totals.by_method[&PaymentMethod::Cash], 3500);
    assert_eq!(totals.by_method[&PaymentMethod::WechatPay], 2000);
    assert_eq!(totals.total_fen, 5500);
    assert_eq!(totals.receipts, vec!["R-1", "R-2"]);
}
