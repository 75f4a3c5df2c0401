//! The work order screen: its clocks, its steps, and the actions allowed at each step.

use chrono::Duration;
use doorstep_core::app::screens::order::{OrderEvent, WorkOrderScreen};
use doorstep_core::app::{AppError, Effect, Event, Level, NoticeKind, Screen};
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderStatus};

use super::Phone;
use super::household::{me, morning, order, wang};

/// A phone holding Wang's household and a pipeline fault reported at 09:00, dispatched to it.
fn crew() -> (Phone, WorkOrder) {
    let h = wang();
    let mut fault = None;
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap();
        let o = order(&h, WorkOrderKind::PipelineFault, morning(), me(s));
        s.receive_work_orders(std::slice::from_ref(&o)).unwrap();
        fault = Some(o);
    });
    (phone, fault.unwrap())
}

fn open(phone: &Phone, o: &WorkOrder) -> WorkOrderScreen {
    let update = phone.send(Event::OpenLink {
        link: format!("doorstep://order/{}", o.id),
    });
    crate::on_screen!(update.screen, WorkOrder)
}

fn tap(phone: &Phone, event: OrderEvent) -> doorstep_core::app::Update {
    phone.send(Event::Order(event))
}

fn button<'a>(screen: &'a WorkOrderScreen, event: &OrderEvent) -> &'a doorstep_core::app::Action {
    &screen
        .actions
        .iter()
        .find(|b| b.event == *event)
        .unwrap_or_else(|| panic!("no {event:?} button"))
        .action
}

fn status(phone: &Phone, o: &WorkOrder) -> WorkOrderStatus {
    phone
        .app()
        .store()
        .lock()
        .unwrap()
        .work_order(o.id)
        .unwrap()
        .status()
}

#[test]
fn a_repair_crew_sees_a_pipeline_faults_two_clocks_turn_urgent_as_the_hours_pass() {
    let (phone, fault) = crew();
    phone.later(Duration::hours(1));
    let screen = open(&phone, &fault);
    assert_eq!(screen.countdowns.len(), 2);
    let (handle, repair) = (&screen.countdowns[0], &screen.countdowns[1]);
    assert_eq!(handle.label, "到场处置");
    assert_eq!(handle.due, "须在 今天 15:00 前");
    assert_eq!(handle.remaining, "剩 5 小时");
    assert_eq!(handle.level, Level::OnTime);
    assert_eq!(repair.label, "修复");
    assert_eq!(repair.due, "须在 明天 09:00 前");

    // 14:10: fifty minutes left to be on site.
    phone.later(Duration::minutes(4 * 60 + 10));
    let screen = crate::on_screen!(phone.glance().screen, WorkOrder);
    assert_eq!(screen.countdowns[0].remaining, "剩 50 分");
    assert_eq!(screen.countdowns[0].level, Level::Urgent);
    assert_eq!(screen.countdowns[1].level, Level::OnTime);

    // 07:30 the next morning: the first clock is late, the repair clock urgent.
    phone.later(Duration::minutes(17 * 60 + 20));
    let screen = crate::on_screen!(phone.glance().screen, WorkOrder);
    assert_eq!(screen.countdowns[0].level, Level::Late);
    assert_eq!(screen.countdowns[0].remaining, "超时 16 小时 30 分");
    assert_eq!(screen.countdowns[1].remaining, "剩 1 小时 30 分");
    assert_eq!(screen.countdowns[1].level, Level::Urgent);
    let english = crate::on_screen!(
        phone
            .send(Event::SetLanguage {
                lang: doorstep_core::text::Lang::En
            })
            .screen,
        WorkOrder
    );
    assert_eq!(english.countdowns[1].label, "repaired");
    assert_eq!(english.countdowns[1].remaining, "1 h 30 min left");
    assert_eq!(english.title, "pipeline fault WO-1");
}

#[test]
fn accepting_an_order_then_going_and_checking_in_records_each_step_with_its_time() {
    let (phone, fault) = crew();
    let screen = open(&phone, &fault);
    assert!(button(&screen, &OrderEvent::Accept).enabled);
    let check_in = button(&screen, &OrderEvent::CheckIn);
    assert!(!check_in.enabled);
    assert_eq!(check_in.disabled_reason.as_deref(), Some("请先接单"));

    phone.later(Duration::minutes(5));
    let accepted = tap(&phone, OrderEvent::Accept);
    assert_eq!(accepted.screen.notice.as_ref().unwrap().text, "已接单");
    phone.later(Duration::minutes(5));
    tap(&phone, OrderEvent::OnTheWay);
    phone.later(Duration::minutes(20));
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked: {:?}", asked.effects);
    };
    let on_site = phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 12.0,
    });
    let notice = on_site.screen.notice.clone().unwrap();
    assert_eq!(notice.text, "已到场打卡");
    assert_eq!(notice.kind, NoticeKind::Done);
    let screen = crate::on_screen!(on_site.screen, WorkOrder);
    let steps: Vec<_> = screen
        .steps
        .iter()
        .map(|s| (s.status.as_str(), s.when.as_str(), s.by.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("新建", "今天 09:00", "服务中心"),
            ("已派工", "今天 09:00", "服务中心"),
            ("已接单", "今天 09:05", "本机"),
            ("在途", "今天 09:10", "本机"),
            ("已到场", "今天 09:30", "本机"),
        ]
    );
    assert!(screen.countdowns[0].met);
    assert_eq!(screen.countdowns[0].remaining, "已于 今天 09:30 完成");
    assert_eq!(status(&phone, &fault), WorkOrderStatus::OnSite);
    // The check-in is on the household's timeline.
    let file = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .household_file(fault.household_id.unwrap())
        .unwrap();
    assert!(
        file.history
            .iter()
            .any(|l| l.summary.zh == "已在地址处到户打卡")
    );
}

#[test]
fn a_check_in_far_from_the_address_is_recorded_and_flagged_in_words() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    let on_site = phone.send(Event::Located {
        request,
        lat: 30.30,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    let notice = on_site.screen.notice.unwrap();
    assert_eq!(notice.kind, NoticeKind::Info);
    assert!(notice.text.contains("不在地址处"), "{}", notice.text);
    assert!(notice.text.contains("3.3 公里"), "{}", notice.text);
    assert_eq!(status(&phone, &fault), WorkOrderStatus::OnSite);
}

#[test]
fn a_position_that_comes_after_the_crew_left_the_order_is_dropped_and_nothing_is_recorded() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.send(Event::Back);
    let late = phone.app().handle(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    assert!(matches!(late, Err(AppError::LateAnswer { .. })));
    assert_eq!(status(&phone, &fault), WorkOrderStatus::Accepted);
}

#[test]
fn a_tap_on_a_button_not_enabled_is_refused_with_its_reason_and_the_order_does_not_move() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    let refused = phone.app().handle(Event::Order(OrderEvent::Close));
    match refused {
        Err(AppError::Core(doorstep_core::Error::Invalid(e))) => {
            assert_eq!(e.reason_zh, "请先到场打卡");
            assert_eq!(e.reason, "check in on site first");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(status(&phone, &fault), WorkOrderStatus::Dispatched);
}

#[test]
fn closing_a_fault_starts_its_repair_closing_form_for_the_order_and_opens_it() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    let on_site = phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    let screen = crate::on_screen!(on_site.screen, WorkOrder);
    assert_eq!(button(&screen, &OrderEvent::Close).label, "填写结单表");
    let closing = tap(&phone, OrderEvent::Close);
    assert!(matches!(closing.screen.body, Screen::Form(_)));
    let forms = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .forms_of_household(fault.household_id.unwrap())
        .unwrap();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].template_id, "repair_closing");
    assert_eq!(forms[0].work_order_id, Some(fault.id));
    let back = crate::on_screen!(phone.send(Event::Back).screen, WorkOrder);
    assert_eq!(button(&back, &OrderEvent::Close).label, "继续填写结单表");
}

#[test]
fn a_crew_that_cannot_get_a_position_is_still_recorded_on_site_without_a_check_in() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    let update = phone.send(Event::EffectFailed {
        request,
        failure: doorstep_core::app::EffectFailure::Unavailable,
    });
    assert_eq!(
        update.screen.notice.unwrap().text,
        "未取得位置：已记到场，未能打卡定位"
    );
    assert_eq!(status(&phone, &fault), WorkOrderStatus::OnSite);
}

#[test]
fn an_order_deep_link_to_an_order_not_on_this_phone_says_so() {
    let phone = Phone::enrolled(morning(), |_| {});
    let update = phone.send(Event::OpenLink {
        link: format!(
            "doorstep://order/{}",
            doorstep_core::ids::WorkOrderId::new()
        ),
    });
    assert!(update.screen.can_go_back);
    let screen = crate::on_screen!(update.screen, WorkOrder);
    assert!(screen.missing.unwrap().starts_with("本机没有这张工单"));
    assert!(screen.actions.is_empty());
    let english = phone.send(Event::SetLanguage {
        lang: doorstep_core::text::Lang::En,
    });
    let screen = crate::on_screen!(english.screen, WorkOrder);
    assert!(
        screen
            .missing
            .unwrap()
            .starts_with("This work order is not on this phone")
    );
}

/// Fills every visible item of the form of `form_id` as the Form screen would, with `charges`,
/// and seals it at `at` (through the store: the Form screen is another file's story).
fn fill_and_seal(
    phone: &Phone,
    form_id: doorstep_core::ids::FormId,
    charges: doorstep_core::fees::Charges,
    at: chrono::DateTime<chrono::Utc>,
) {
    use crate::common::forms::{photo, signature};
    use doorstep_core::forms::form::{Answer, PhotoRef};
    use doorstep_core::forms::template::ItemKind;
    use doorstep_core::testkit::valid_answer;
    let store = phone.app().store();
    let mut store = store.lock().unwrap();
    let form = store.form(form_id).unwrap();
    let template = store
        .template(&form.template_id, form.template_version)
        .unwrap();
    store
        .answer(form_id, "charges", Some(Answer::Charges(charges)))
        .unwrap();
    for _ in 0..3 {
        let current = store.form(form_id).unwrap();
        for item in template
            .items()
            .filter(|i| current.is_visible(&template, i))
        {
            if current.answers.contains_key(&item.id) {
                continue;
            }
            if let Some(answer) = valid_answer(item, at - Duration::minutes(10)) {
                store.answer(form_id, &item.id, Some(answer)).unwrap();
            } else if let ItemKind::Photo { min, max } = item.kind {
                for n in 0..min.max(1).min(max) {
                    let p = PhotoRef::new(&photo(n as u8 + 1), at - Duration::minutes(15));
                    store.attach_photo(form_id, &item.id, p.unwrap()).unwrap();
                }
            }
        }
    }
    for item in template.items() {
        if let ItemKind::Signature { role } = item.kind {
            let s = signature(role, "王小明", at - Duration::minutes(5));
            store.sign(form_id, &item.id, s).unwrap();
        }
    }
    store.complete_form(form_id, at).unwrap();
}

#[test]
fn a_sealed_repair_closing_resolves_the_fault_and_its_charges_show_on_the_order() {
    use doorstep_core::fees::{ChargeLine, Charges, PaymentMethod};
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    phone.later(Duration::minutes(40));
    let form = match tap(&phone, OrderEvent::Close).screen.body {
        Screen::Form(_) => {
            let store = phone.app().store();
            let store = store.lock().unwrap();
            store
                .forms_of_household(fault.household_id.unwrap())
                .unwrap()[0]
                .id
        }
        other => panic!("expected the closing form, got {other:?}"),
    };
    let me = phone.technician.id;
    let charges = Charges {
        lines: vec![
            ChargeLine {
                item: "更换灶前阀".into(),
                quantity: 1,
                unit_price_fen: 3500,
            },
            ChargeLine {
                item: "燃气软管（米）".into(),
                quantity: 2,
                unit_price_fen: 1250,
            },
        ],
        method: Some(PaymentMethod::Cash),
        receipt: Some("R-0427".into()),
        collected_by: me,
    };
    fill_and_seal(&phone, form, charges, phone.app().now());
    let back = crate::on_screen!(phone.send(Event::Back).screen, WorkOrder);
    assert_eq!(status(&phone, &fault), WorkOrderStatus::Resolved);
    assert_eq!(back.charges.len(), 2);
    assert_eq!(back.charges[1].item, "燃气软管（米）");
    assert_eq!(back.charges[1].quantity, "× 2");
    assert_eq!(back.charges[1].unit_price, "¥12.50");
    assert_eq!(back.charges[1].total, "¥25.00");
    assert_eq!(back.charges_total.as_deref(), Some("合计 ¥60.00"));
    let close = button(&back, &OrderEvent::Close);
    assert_eq!(close.disabled_reason.as_deref(), Some("工单已结束"));
    assert!(back.countdowns.iter().all(|c| c.met));
    assert_eq!(back.steps.last().unwrap().status, "已处理完毕");
}

#[test]
fn a_fault_outside_the_utilitys_scope_is_referred_elsewhere_once_the_crew_is_on_site() {
    let (phone, fault) = crew();
    let screen = open(&phone, &fault);
    assert_eq!(
        button(&screen, &OrderEvent::Refer)
            .disabled_reason
            .as_deref(),
        Some("请先到场打卡")
    );
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.send(Event::EffectFailed {
        request,
        failure: doorstep_core::app::EffectFailure::Denied,
    });
    let referred = tap(&phone, OrderEvent::Refer);
    assert_eq!(
        referred.screen.notice.as_ref().unwrap().text,
        "已转其他渠道"
    );
    assert_eq!(status(&phone, &fault), WorkOrderStatus::ReferredElsewhere);
    let screen = crate::on_screen!(referred.screen, WorkOrder);
    // Referring ends the utility's part: the repair clock is met.
    assert!(screen.countdowns[1].met);
}

#[test]
fn the_household_file_opens_from_its_order_and_back_returns_to_the_order() {
    let (phone, fault) = crew();
    open(&phone, &fault);
    let file = tap(&phone, OrderEvent::OpenHousehold);
    assert_eq!(
        crate::on_screen!(file.screen, Household).title,
        "王小明（3300000001）"
    );
    assert!(matches!(
        phone.send(Event::Back).screen.body,
        Screen::WorkOrder(_)
    ));
}

#[test]
fn a_position_that_arrives_after_the_app_was_killed_still_checks_the_crew_in() {
    let (mut phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.reopen();
    let on_site = phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 8.0,
    });
    assert_eq!(on_site.screen.notice.unwrap().text, "已到场打卡");
    assert_eq!(status(&phone, &fault), WorkOrderStatus::OnSite);
}

#[test]
fn a_crew_closes_a_fault_with_its_form_and_a_charge_entered_through_the_form_screen_and_sealing_says_the_order_is_resolved()
 {
    use super::form::{answer_everything, form, form_screen, item, sign_everything};
    use doorstep_core::app::screens::form::{FormChargeLine, FormEvent};
    use doorstep_core::fees::PaymentMethod;
    let (phone, fault) = crew();
    open(&phone, &fault);
    tap(&phone, OrderEvent::Accept);
    let asked = tap(&phone, OrderEvent::CheckIn);
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    phone.later(Duration::minutes(40));
    crate::on_screen!(tap(&phone, OrderEvent::Close).screen, Form);
    form(
        &phone,
        FormEvent::Charges {
            item: "charges".into(),
            lines: vec![FormChargeLine {
                item: "更换灶前阀".into(),
                quantity: 1,
                unit_price_fen: 3500,
            }],
            method: Some(PaymentMethod::WechatPay),
            receipt: "R-0428".into(),
        },
    );
    assert_eq!(
        item(&form_screen(&phone), "charges").value.as_deref(),
        Some("共 ¥35.00")
    );
    answer_everything(&phone);
    sign_everything(&phone);
    let sealed = crate::on_screen!(phone.send(Event::Form(FormEvent::Seal)).screen, Form);
    let sealed = sealed.sealed.unwrap();
    assert!(
        sealed
            .consequences
            .iter()
            .any(|c| c.contains(&fault.number) && c.contains("已处理完毕")),
        "{:?}",
        sealed.consequences
    );
    assert!(sealed.copies.iter().any(|c| c.open.label == "收费凭证"));
    let back = crate::on_screen!(phone.send(Event::Back).screen, WorkOrder);
    assert_eq!(status(&phone, &fault), WorkOrderStatus::Resolved);
    assert_eq!(back.charges_total.as_deref(), Some("合计 ¥35.00"));
}
