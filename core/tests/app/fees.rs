//! The Fees screen: the day's collections, the totals per method in yuan, previous and next day.

use chrono::{DateTime, Duration, Utc};
use doorstep_core::app::screens::fees::FeesEvent;
use doorstep_core::app::{AppError, Event};
use doorstep_core::fees::{ChargeLine, Charges, PaymentMethod};
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::forms::form::{Answer, PhotoRef};
use doorstep_core::forms::template::ItemKind;
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, TechnicianId};
use doorstep_core::store::Store;
use doorstep_core::testkit::valid_answer;
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::forms::{photo, signature};
use crate::common::{at, household};
use crate::on_screen;

/// The charges of one visit: `lines` of (item, quantity, unit price in fen).
pub fn charges(
    lines: &[(&str, i64, i64)],
    method: PaymentMethod,
    receipt: &str,
    by: TechnicianId,
) -> Charges {
    Charges {
        lines: lines
            .iter()
            .map(|(item, quantity, unit_price_fen)| ChargeLine {
                item: (*item).into(),
                quantity: *quantity,
                unit_price_fen: *unit_price_fen,
            })
            .collect(),
        method: Some(method),
        receipt: Some(receipt.into()),
        collected_by: by,
    }
}

/// Fills every visible item of the built-in form `template_id` for `h` (with `answers` first),
/// signs it and seals it at `sealed`.
pub fn seal(
    store: &mut Store,
    template_id: &str,
    h: &Household,
    answers: Vec<(&str, Answer)>,
    sealed: DateTime<Utc>,
) -> FormId {
    let template = builtin_template(template_id).unwrap();
    // The household as the phone holds it (the same customer visited twice is one household).
    let h = match store.household_by_customer_number(&h.customer_number) {
        Ok(held) => held,
        Err(_) => {
            store.save_household(h, at(2026, 1, 1, 1, 0)).unwrap();
            h.clone()
        }
    };
    let form = store
        .start_form(&template, h.id, None, sealed - Duration::minutes(30))
        .unwrap();
    for (item, answer) in answers {
        store.answer(form.id, item, Some(answer)).unwrap();
    }
    for _ in 0..3 {
        let current = store.form(form.id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) || current.photos.contains_key(&item.id) {
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
            let s = signature(role, &h.name, sealed - Duration::minutes(5));
            store.sign(form.id, &item.id, s).unwrap();
        }
    }
    store.complete_form(form.id, sealed).unwrap();
    form.id
}

/// A phone at 18:00 Beijing time on Monday 7 December whose technician collected cash at
/// 09:00 and WeChat Pay at 15:00, and cash the day before; another technician's collection on
/// the same phone.
fn phone() -> (Phone, Vec<FormId>) {
    let mut forms = Vec::new();
    let phone = Phone::enrolled(at(2026, 12, 7, 10, 0), |store| {
        let me = store.sync_state().unwrap().technician_id.unwrap();
        let h = household(
            "3300000060",
            "王秀英",
            "13800000060",
            "凤起路30号",
            30.27,
            120.16,
        );
        let pay = |lines: &[(&str, i64, i64)], m, r: &str, by| {
            vec![("charges", Answer::Charges(charges(lines, m, r, by)))]
        };
        forms.push(seal(
            store,
            "repair_closing",
            &h,
            pay(&[("更换灶前阀", 1, 3500)], PaymentMethod::Cash, "R-1", me),
            at(2026, 12, 7, 1, 0),
        ));
        forms.push(seal(
            store,
            "acceptance_gas_on",
            &h,
            pay(
                &[("通气费", 1, 2000), ("软管(米)", 2, 1250)],
                PaymentMethod::WechatPay,
                "R-2",
                me,
            ),
            at(2026, 12, 7, 7, 0),
        ));
        forms.push(seal(
            store,
            "repair_closing",
            &h,
            pay(
                &[("更换灶前阀", 1, 900)],
                PaymentMethod::Cash,
                "R-3",
                TechnicianId::new(),
            ),
            at(2026, 12, 7, 8, 0),
        ));
        forms.push(seal(
            store,
            "repair_closing",
            &h,
            pay(&[("检修", 1, 700)], PaymentMethod::Cash, "R-0", me),
            at(2026, 12, 6, 3, 0),
        ));
    });
    (phone, forms)
}

#[test]
fn the_days_fees_add_up_per_method_in_yuan() {
    let (mut phone, forms) = phone();
    let open = phone.send(Event::OpenLink {
        link: "doorstep://fees".into(),
    });
    let screen = on_screen!(open.screen, Fees);
    assert_eq!(screen.title, "收费与日结");
    assert_eq!(screen.day, "今天 12月7日 周一");
    assert!(screen.is_today);
    // Another technician's collection on this phone is theirs to hand in, not this one's.
    let receipts: Vec<_> = screen
        .collections
        .iter()
        .map(|c| c.receipt.as_str())
        .collect();
    assert_eq!(receipts, ["收据 R-1", "收据 R-2"]);
    let second = &screen.collections[1];
    assert_eq!(second.time, "今天 15:00");
    assert_eq!(second.method, "微信支付");
    assert_eq!(second.total, "¥45.00");
    assert_eq!(second.lines[1].item, "软管(米)");
    assert_eq!(second.lines[1].quantity, "2 × ¥12.50");
    assert_eq!(second.lines[1].total, "¥25.00");
    assert!(second.household.starts_with("王秀英 "));
    let hand_in: Vec<_> = screen
        .hand_in
        .iter()
        .map(|t| (t.method.as_str(), t.amount.as_str()))
        .collect();
    assert_eq!(hand_in, [("现金", "¥35.00"), ("微信支付", "¥45.00")]);
    assert_eq!(screen.hand_in[0].accessibility, "现金应上交 ¥35.00");
    assert_eq!(screen.total, "合计 ¥80.00");
    assert_eq!(screen.receipts, "2 张收据");
    assert!(screen.settlement.contains("日清日结"));
    // Nothing is collected tomorrow yet.
    assert!(!screen.next.enabled);
    assert_eq!(
        screen.next.disabled_reason.as_deref(),
        Some("还没有到这一天")
    );
    assert!(matches!(
        phone.app().handle(Event::Fees(FeesEvent::NextDay)),
        Err(AppError::Core(_))
    ));

    // The day before.
    let before = phone.send(Event::Fees(FeesEvent::PreviousDay));
    let screen = on_screen!(before.screen, Fees);
    assert_eq!(screen.day, "12月6日 周日");
    assert_eq!(screen.total, "合计 ¥7.00");
    assert!(screen.next.enabled);
    assert!(screen.today.is_some());
    // The day shown survives the process being killed.
    phone.reopen();
    assert_eq!(on_screen!(phone.screen(), Fees).day, "12月6日 周日");
    let next = phone.send(Event::Fees(FeesEvent::NextDay));
    assert!(on_screen!(next.screen, Fees).is_today);

    // In English.
    phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = on_screen!(phone.screen(), Fees);
    assert_eq!(screen.title, "Fees and settlement");
    assert_eq!(screen.day, "today, Mon 7 Dec");
    assert_eq!(screen.collections[1].method, "WeChat Pay");
    assert_eq!(screen.hand_in[0].accessibility, "cash to hand in: ¥35.00");
    assert_eq!(screen.total, "Total ¥80.00");
    assert_eq!(screen.receipts, "2 receipts");

    // A receipt opens the customer's copy; another technician's is not this screen's to open.
    assert!(matches!(
        phone.app().handle(Event::Fees(FeesEvent::OpenReceipt {
            form_id: forms[2].to_string()
        })),
        Err(AppError::Core(_))
    ));
    let receipt = phone.send(Event::Fees(FeesEvent::OpenReceipt {
        form_id: forms[0].to_string(),
    }));
    on_screen!(receipt.screen, Copy);
}

#[test]
fn a_day_with_nothing_collected_says_so() {
    let phone = Phone::enrolled(at(2026, 12, 7, 10, 0), |_| {});
    let open = phone.send(Event::OpenLink {
        link: "doorstep://fees".into(),
    });
    let screen = on_screen!(open.screen, Fees);
    assert_eq!(screen.empty.as_deref(), Some("这一天没有收费记录"));
    assert_eq!(screen.total, "合计 ¥0.00");
    assert!(screen.hand_in.is_empty());
}
