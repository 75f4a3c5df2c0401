//! The field actions: each validated beside its fields before anything is written, and back
//! with a Done notice once it is.

use chrono::Duration;
use doorstep_core::app::screens::actions::{ActionEvent, ActionField, ActionScreen};
use doorstep_core::app::screens::household::HouseholdEvent;
use doorstep_core::app::screens::order::OrderEvent;
use doorstep_core::app::{Event, NoticeKind, Update};
use doorstep_core::household::Household;
use doorstep_core::text::Lang;
use doorstep_core::workorder::{Appointment, FaultClass, WorkOrder, WorkOrderKind};

use super::Phone;
use super::household::{me, morning, order, wang};

fn seeded(kind: WorkOrderKind) -> (Phone, Household, WorkOrder) {
    let h = wang();
    let mut seeded = None;
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap();
        let mut o = order(&h, kind, morning(), me(s));
        if kind == WorkOrderKind::UserEquipmentFault {
            o.appointment = Some(Appointment {
                from: morning() + Duration::hours(5),
                to: morning() + Duration::hours(7),
            });
        }
        s.receive_work_orders(std::slice::from_ref(&o)).unwrap();
        seeded = Some(o);
    });
    (phone, h, seeded.unwrap())
}

fn on_order(phone: &Phone, o: &WorkOrder, then: OrderEvent) -> ActionScreen {
    phone.send(Event::OpenLink {
        link: format!("doorstep://order/{}", o.id),
    });
    crate::on_screen!(phone.send(Event::Order(then)).screen, Action)
}

fn act(phone: &Phone, event: ActionEvent) -> Update {
    phone.send(Event::Action(event))
}

fn text(field: ActionField, text: &str) -> ActionEvent {
    ActionEvent::SetText {
        field,
        text: text.into(),
    }
}

fn outbox(phone: &Phone) -> u64 {
    phone.app().store().lock().unwrap().outbox_len().unwrap()
}

fn stored(phone: &Phone, o: &WorkOrder) -> WorkOrder {
    phone
        .app()
        .store()
        .lock()
        .unwrap()
        .work_order(o.id)
        .unwrap()
}

#[test]
fn a_hand_back_without_a_reason_is_refused_beside_the_reason_field_and_nothing_is_written() {
    let (phone, _, o) = seeded(WorkOrderKind::PipelineFault);
    let screen = on_order(&phone, &o, OrderEvent::HandBack);
    assert_eq!(screen.title, "退回工单");
    assert_eq!(screen.subject, "工单 WO-1：管网故障");
    assert_eq!(screen.fields[0].label, "退回原因");
    assert!(!screen.submit.enabled);
    assert_eq!(
        screen.submit.disabled_reason.as_deref(),
        Some("请填写：退回原因")
    );
    let before = outbox(&phone);

    let refused = act(&phone, text(ActionField::Reason, "   "));
    assert!(!crate::on_screen!(refused.screen, Action).submit.enabled);
    let refused = act(&phone, ActionEvent::Submit);
    let screen = crate::on_screen!(refused.screen, Action);
    assert_eq!(screen.fields[0].problem.as_deref(), Some("不能为空"));
    assert!(screen.problem.is_none());
    assert_eq!(outbox(&phone), before);
    assert_eq!(stored(&phone, &o).assignee, o.assignee);
    let english = phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = crate::on_screen!(english.screen, Action);
    assert_eq!(
        screen.fields[0].problem.as_deref(),
        Some("must not be empty")
    );
    assert_eq!(screen.fields[0].label, "reason");

    // Typing again clears the problem.
    let typed = act(&phone, text(ActionField::Reason, "客户要求改天"));
    assert!(
        crate::on_screen!(typed.screen, Action).fields[0]
            .problem
            .is_none()
    );
}

#[test]
fn declining_an_order_with_a_reason_returns_to_it_with_a_done_notice_and_it_leaves_the_technician()
{
    let (phone, _, o) = seeded(WorkOrderKind::PipelineFault);
    on_order(&phone, &o, OrderEvent::HandBack);
    act(&phone, text(ActionField::Reason, "不在本人片区"));
    let done = act(&phone, ActionEvent::Submit);
    let notice = done.screen.notice.clone().unwrap();
    assert_eq!(
        (notice.text.as_str(), notice.kind),
        ("工单已拒接", NoticeKind::Done)
    );
    let screen = crate::on_screen!(done.screen, WorkOrder);
    let accept = &screen
        .actions
        .iter()
        .find(|b| b.event == OrderEvent::Accept)
        .unwrap()
        .action;
    assert_eq!(
        accept.disabled_reason.as_deref(),
        Some("这张工单没有派给您")
    );
    let stored = stored(&phone, &o);
    assert_eq!(stored.assignee, None);
    assert_eq!(stored.hand_backs[0].reason, "不在本人片区");
}

#[test]
fn the_reason_being_typed_survives_the_process_being_killed() {
    let (mut phone, _, o) = seeded(WorkOrderKind::PipelineFault);
    on_order(&phone, &o, OrderEvent::HandBack);
    act(&phone, text(ActionField::Reason, "现场无法进入"));
    phone.reopen();
    let screen = crate::on_screen!(phone.screen(), Action);
    assert_eq!(screen.fields[0].value, "现场无法进入");
    assert!(screen.submit.enabled);
}

#[test]
fn a_pipeline_fault_opened_at_the_door_as_major_has_its_thirty_minute_crew_clock_from_now() {
    let (phone, h, _) = seeded(WorkOrderKind::Inspection);
    phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    let screen = crate::on_screen!(
        phone
            .send(Event::Household(HouseholdEvent::NewOrder))
            .screen,
        Action
    );
    assert_eq!(screen.title, "开工单");
    assert_eq!(screen.subject, "王小明（3300000001）");
    assert_eq!(
        screen.fields.len(),
        2,
        "kind and description; a class once a fault"
    );
    act(
        &phone,
        ActionEvent::Choose {
            field: ActionField::Kind,
            choice: "pipeline_fault".into(),
        },
    );
    let chosen = act(
        &phone,
        ActionEvent::Choose {
            field: ActionField::FaultClass,
            choice: "major".into(),
        },
    );
    let screen = crate::on_screen!(chosen.screen, Action);
    assert_eq!(screen.fields[0].value, "管网故障");
    assert_eq!(screen.fields[2].value, "重大故障（抢险）");
    assert_eq!(
        screen.submit.disabled_reason.as_deref(),
        Some("请填写：情况说明")
    );
    act(
        &phone,
        text(ActionField::Description, "楼道内燃气泄漏，已疏散"),
    );
    let done = act(&phone, ActionEvent::Submit);
    assert!(
        done.screen
            .notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("已开工单 YD-")
    );
    let file = crate::on_screen!(done.screen, Household);
    let line = file
        .timeline
        .iter()
        .find(|l| l.text.starts_with("已开工单"))
        .unwrap();
    let opened = crate::on_screen!(
        phone
            .send(Event::Household(line.opens.clone().unwrap()))
            .screen,
        WorkOrder
    );
    let labels: Vec<_> = opened.countdowns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, vec!["抢险到场", "上报领导"]);
    assert_eq!(opened.countdowns[0].remaining, "剩 30 分");
}

#[test]
fn an_order_without_a_kind_is_refused_beside_the_kind_and_nothing_is_written() {
    let (phone, h, _) = seeded(WorkOrderKind::Inspection);
    phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    phone.send(Event::Household(HouseholdEvent::NewOrder));
    act(&phone, text(ActionField::Description, "有燃气味"));
    let before = outbox(&phone);
    let refused = act(&phone, ActionEvent::Submit);
    let screen = crate::on_screen!(refused.screen, Action);
    assert_eq!(screen.fields[0].problem.as_deref(), Some("请选择工单类型"));
    assert_eq!(outbox(&phone), before);
}

#[test]
fn a_bad_phone_number_is_refused_beside_its_field_and_the_file_keeps_its_numbers() {
    let (phone, h, _) = seeded(WorkOrderKind::Inspection);
    phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    let screen = crate::on_screen!(
        phone
            .send(Event::Household(HouseholdEvent::EditContact))
            .screen,
        Action
    );
    assert_eq!(screen.fields[0].value, "13800001234");
    assert_eq!(screen.fields[3].label, "联系人电话");
    assert_eq!(screen.fields[3].value, "13900001111");
    act(&phone, ActionEvent::AddPhone);
    act(&phone, text(ActionField::Phone { index: 1 }, "12345"));
    let before = outbox(&phone);
    let refused = act(&phone, ActionEvent::Submit);
    let screen = crate::on_screen!(refused.screen, Action);
    assert!(screen.fields[0].problem.is_none());
    assert!(screen.fields[1].problem.is_some(), "{:?}", screen.fields[1]);
    assert!(screen.fields[1].accessibility.contains("问题："));
    assert_eq!(outbox(&phone), before);
    let kept = phone.app().store().lock().unwrap().household(h.id).unwrap();
    assert_eq!(kept.phones.len(), 1);
}

#[test]
fn a_corrected_contact_person_is_saved_to_the_file_and_shown_on_it() {
    let (phone, h, _) = seeded(WorkOrderKind::Inspection);
    phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    phone.send(Event::Household(HouseholdEvent::EditContact));
    act(&phone, text(ActionField::ContactPhone, "13900002222"));
    let done = act(&phone, ActionEvent::Submit);
    assert_eq!(done.screen.notice.as_ref().unwrap().text, "联系方式已保存");
    let file = crate::on_screen!(done.screen, Household);
    assert_eq!(
        file.special_group.unwrap().contact,
        "李建国（儿子）13900002222"
    );
}

#[test]
fn a_changed_appointment_is_recorded_with_the_contact_who_agreed_and_shown_on_the_order() {
    let (phone, _, o) = seeded(WorkOrderKind::UserEquipmentFault);
    let screen = on_order(&phone, &o, OrderEvent::ChangeAppointment);
    assert_eq!(screen.fields[0].value, "今天 14:00");
    assert_eq!(screen.fields[1].value, "今天 16:00");
    act(
        &phone,
        ActionEvent::SetTime {
            field: ActionField::WindowFrom,
            at: morning() + Duration::hours(8),
        },
    );
    act(
        &phone,
        ActionEvent::SetTime {
            field: ActionField::WindowTo,
            at: morning() + Duration::hours(10),
        },
    );
    act(
        &phone,
        ActionEvent::Choose {
            field: ActionField::AgreedBy,
            choice: "contact".into(),
        },
    );
    let screen = crate::on_screen!(phone.screen(), Action);
    assert!(!screen.submit.enabled, "the contact's name is needed");
    act(&phone, text(ActionField::AgreedName, "李建国"));
    let done = act(&phone, ActionEvent::Submit);
    assert_eq!(done.screen.notice.as_ref().unwrap().text, "上门时间已改约");
    let screen = crate::on_screen!(done.screen, WorkOrder);
    assert_eq!(
        screen.appointment.unwrap().value,
        "今天 17:00 至 今天 19:00，联系人 李建国 于 今天 09:00 同意改约"
    );
    assert_eq!(stored(&phone, &o).appointment_changes.len(), 1);
}

#[test]
fn a_window_that_ends_before_it_starts_is_refused_beside_its_end() {
    let (phone, _, o) = seeded(WorkOrderKind::UserEquipmentFault);
    on_order(&phone, &o, OrderEvent::ChangeAppointment);
    act(
        &phone,
        ActionEvent::SetTime {
            field: ActionField::WindowTo,
            at: morning() + Duration::hours(4),
        },
    );
    let before = outbox(&phone);
    let refused = act(&phone, ActionEvent::Submit);
    let screen = crate::on_screen!(refused.screen, Action);
    assert_eq!(
        screen.fields[1].problem.as_deref(),
        Some("结束时间须晚于开始时间")
    );
    assert_eq!(outbox(&phone), before);
}

#[test]
fn a_fault_raised_to_major_on_site_keeps_its_ordinary_clocks_and_gains_the_major_ones() {
    let (phone, _, o) = seeded(WorkOrderKind::PipelineFault);
    phone.later(Duration::hours(1));
    let screen = on_order(&phone, &o, OrderEvent::RaiseToMajor);
    assert_eq!(screen.submit.label, "升级为重大故障");
    act(&phone, text(ActionField::Reason, "发现主管断裂"));
    let done = act(&phone, ActionEvent::Submit);
    assert_eq!(
        done.screen.notice.as_ref().unwrap().text,
        "已升级为重大故障"
    );
    let screen = crate::on_screen!(done.screen, WorkOrder);
    let labels: Vec<_> = screen.countdowns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, vec!["到场处置", "修复", "抢险到场", "上报领导"]);
    assert_eq!(screen.countdowns[2].due, "须在 今天 10:30 前");
    assert!(
        screen
            .facts
            .iter()
            .any(|f| f.value == "重大故障（抢险）（今天 10:00 升级：发现主管断裂）")
    );
    assert_eq!(stored(&phone, &o).class, Some(FaultClass::Major));
    assert!(
        !screen
            .actions
            .iter()
            .any(|b| b.event == OrderEvent::RaiseToMajor)
    );
}

#[test]
fn an_event_for_a_field_of_another_kind_is_refused_and_the_input_stays() {
    let (phone, _, o) = seeded(WorkOrderKind::PipelineFault);
    on_order(&phone, &o, OrderEvent::HandBack);
    act(&phone, text(ActionField::Reason, "现场无法进入"));
    let before = phone.screen();
    let refused = phone.app().handle(Event::Action(ActionEvent::SetTime {
        field: ActionField::Reason,
        at: morning(),
    }));
    assert!(refused.is_err());
    assert_eq!(phone.screen(), before);
}

#[test]
fn a_number_removed_from_the_file_is_gone_once_saved() {
    let (phone, h, _) = seeded(WorkOrderKind::Inspection);
    phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    phone.send(Event::Household(HouseholdEvent::EditContact));
    act(&phone, ActionEvent::AddPhone);
    act(&phone, text(ActionField::Phone { index: 1 }, "13700007777"));
    let removed = act(&phone, ActionEvent::RemovePhone { index: 0 });
    let screen = crate::on_screen!(removed.screen, Action);
    assert_eq!(screen.fields[0].value, "13700007777");
    assert!(
        phone
            .app()
            .handle(Event::Action(ActionEvent::RemovePhone { index: 5 }))
            .is_err()
    );
    act(&phone, ActionEvent::Submit);
    let kept = phone.app().store().lock().unwrap().household(h.id).unwrap();
    let numbers: Vec<_> = kept.phones.iter().map(|p| p.as_str().to_owned()).collect();
    assert_eq!(numbers, vec!["13700007777"]);
}
