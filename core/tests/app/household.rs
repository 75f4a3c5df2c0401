//! The household file: what it shows, what its timeline opens, and the actions it allows.

use chrono::{DateTime, Duration, Utc};
use doorstep_core::app::screens::household::{HouseholdEvent, TimelineKind};
use doorstep_core::app::screens::parts::BadgeKind;
use doorstep_core::app::{AppError, Effect, Event, Screen};
use doorstep_core::household::{
    Appliance, ApplianceKind, FlueType, Household, ShutOffReason, SupplyStatus,
};
use doorstep_core::ids::TechnicianId;
use doorstep_core::store::Store;
use doorstep_core::text::Lang;
use doorstep_core::workorder::{
    StatusStep, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus,
};

use super::Phone;
use crate::common::{self, at};

/// 09:00 in Beijing on Monday 7 December 2026.
pub fn morning() -> DateTime<Utc> {
    at(2026, 12, 7, 1, 0)
}

/// An elderly user's household with a water heater, at 文三路 in Hangzhou.
pub fn wang() -> Household {
    let mut h = common::elderly(common::household(
        "3300000001",
        "王小明",
        "13800001234",
        "文三路90号",
        30.27,
        120.15,
    ));
    h.appliances = vec![Appliance {
        kind: ApplianceKind::WaterHeater,
        brand: "万和".into(),
        installed_on: None,
        flue: FlueType::ForcedExhaust,
    }];
    h
}

/// The enrolled technician of a phone being seeded.
pub fn me(store: &Store) -> TechnicianId {
    store.sync_state().unwrap().technician_id.unwrap()
}

/// An order of `kind` for `h`, phoned in at `reported` and dispatched to `to` at once.
pub fn order(
    h: &Household,
    kind: WorkOrderKind,
    reported: DateTime<Utc>,
    to: TechnicianId,
) -> WorkOrder {
    let mut o = WorkOrder::open(
        "WO-1",
        kind,
        WorkOrderSource::Phone,
        Some(h.id),
        "表后管道有燃气味",
        reported,
    );
    o.assignee = Some(to);
    o.steps.push(StatusStep {
        status: WorkOrderStatus::Dispatched,
        at: reported,
        position: None,
        reported_by: None,
    });
    o
}

fn open_file(
    phone: &Phone,
    h: &Household,
) -> doorstep_core::app::screens::household::HouseholdScreen {
    let update = phone.send(Event::OpenLink {
        link: format!("doorstep://household/{}", h.id),
    });
    crate::on_screen!(update.screen, Household)
}

#[test]
fn a_household_file_shows_account_supply_meter_appliances_and_special_group_in_both_languages() {
    let h = wang();
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    let file = open_file(&phone, &h);
    assert_eq!(file.title, "王小明（3300000001）");
    assert!(file.missing.is_none());
    assert_eq!(file.account[0].label, "户号");
    assert_eq!(file.account[0].value, "3300000001");
    assert_eq!(file.supply.status, "正常供气");
    assert!(!file.supply.off);
    assert_eq!(file.meter[0].value, "膜式表");
    assert_eq!(file.meter[1].value, "M3300000001");
    assert_eq!(file.meter[2].value, "尚无读数");
    assert_eq!(file.appliances[0].label, "燃气热水器 · 万和");
    assert_eq!(file.appliances[0].flue, "烟道：强排");
    let group = file.special_group.as_ref().unwrap();
    assert_eq!(group.groups, "老年人");
    assert_eq!(group.contact, "李建国（儿子）13900001111");
    // Gas on since May 2020 and never inspected: due two years on, long overdue.
    assert_eq!(file.next_inspection.value, "2022年5月1日 周日（已逾期）");
    assert!(
        file.badges
            .iter()
            .any(|b| b.kind == BadgeKind::SpecialGroup)
    );
    assert_eq!(
        file.phones.len(),
        2,
        "the household's number and the contact's"
    );
    assert_eq!(file.phones[0].number, "13800001234");
    assert_eq!(
        file.phones[0].call.accessibility,
        "拨打户主电话 13800001234"
    );

    let english = phone.send(Event::SetLanguage { lang: Lang::En });
    let file = crate::on_screen!(english.screen, Household);
    assert_eq!(file.account[0].label, "customer number");
    assert_eq!(file.supply.status, "gas on");
    assert_eq!(file.appliances[0].flue, "flue: forced exhaust");
    assert_eq!(file.special_group.unwrap().groups, "elderly");
    assert_eq!(file.next_inspection.value, "Sun 1 May 2022 (overdue)");
    assert_eq!(file.phones[1].whose, "contact person: 李建国 (儿子)");
}

#[test]
fn a_household_shut_off_for_a_hazard_shows_why_its_seal_and_its_badges() {
    let mut h = wang();
    h.supply = SupplyStatus::ShutOff {
        reason: ShutOffReason::Hazard,
        since: morning() - Duration::days(2),
        seal: Some("QF-20417".into()),
    };
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    let file = open_file(&phone, &h);
    assert_eq!(file.supply.status, "已停气");
    assert_eq!(
        file.supply.detail.as_deref(),
        Some("原因：安全隐患，12-05 09:00 起，封签 QF-20417")
    );
    assert!(file.supply.off);
    let kinds: Vec<_> = file.badges.iter().map(|b| b.kind).collect();
    assert!(kinds.contains(&BadgeKind::Hazard));
    assert!(kinds.contains(&BadgeKind::ShutOff));
    // Only what fits a shut-off household is offered: a reconnection, not an inspection.
    let offered: Vec<_> = file
        .form_starts
        .iter()
        .map(|f| f.template_id.as_str())
        .collect();
    assert!(offered.contains(&"reconnection"));
    assert!(!offered.contains(&"residential_inspection"));
}

#[test]
fn starting_an_inspection_from_the_file_opens_its_form_and_the_file_then_offers_to_continue_the_draft()
 {
    let h = wang();
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    let file = open_file(&phone, &h);
    let start = file
        .form_starts
        .iter()
        .find(|f| f.template_id == "residential_inspection")
        .unwrap();
    assert!(start.action.enabled);
    assert!(start.action.label.starts_with("新建："));
    let opened = phone.send(Event::Household(start.event.clone()));
    assert!(matches!(opened.screen.body, Screen::Form(_)));
    let forms = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .forms_of_household(h.id)
        .unwrap();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].template_id, "residential_inspection");

    let back = crate::on_screen!(phone.send(Event::Back).screen, Household);
    let again = back
        .form_starts
        .iter()
        .find(|f| f.template_id == "residential_inspection")
        .unwrap();
    assert!(again.action.label.starts_with("继续填写："));
    let draft = &back.timeline[0];
    assert_eq!(draft.kind, TimelineKind::Draft);
    assert!(draft.text.starts_with("草稿："), "{}", draft.text);
    // Continuing opens the same draft: no second form.
    phone.send(Event::Household(again.event.clone()));
    let forms = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .forms_of_household(h.id)
        .unwrap();
    assert_eq!(forms.len(), 1);
}

#[test]
fn a_form_that_does_not_fit_the_household_is_refused_and_nothing_is_started() {
    let h = wang();
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    open_file(&phone, &h);
    let refused = phone
        .app()
        .handle(Event::Household(HouseholdEvent::StartForm {
            template_id: "reconnection".into(),
        }));
    match refused {
        Err(AppError::Core(doorstep_core::Error::Invalid(e))) => {
            assert_eq!(e.field, "template_id");
            assert_eq!(e.reason_zh, "不适用于这户当前的状态");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let forms = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .forms_of_household(h.id)
        .unwrap();
    assert!(forms.is_empty());
}

#[test]
fn navigating_gives_the_map_app_both_datums_and_calling_dials_the_number_tapped() {
    let h = wang();
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    open_file(&phone, &h);
    let map = phone.send(Event::Household(HouseholdEvent::Navigate));
    let Some(Effect::OpenMap { label, place }) = map.effects.first() else {
        panic!("no map: {:?}", map.effects);
    };
    assert!(label.contains("文三路90号"));
    assert_eq!((place.wgs84_lat, place.wgs84_lon), (30.27, 120.15));
    // GCJ-02 is shifted by a few hundred metres in Hangzhou.
    assert!((place.gcj02_lon - place.wgs84_lon).abs() > 0.003);
    let call = phone.send(Event::Household(HouseholdEvent::Call { phone: 1 }));
    assert_eq!(
        call.effects,
        vec![Effect::Call {
            number: "13900001111".into()
        }]
    );
    assert!(
        phone
            .app()
            .handle(Event::Household(HouseholdEvent::Call { phone: 7 }))
            .is_err()
    );
}

#[test]
fn the_timeline_lists_the_offices_orders_and_tapping_one_opens_it() {
    let h = wang();
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap();
        let o = order(
            &h,
            WorkOrderKind::PipelineFault,
            morning() - Duration::hours(1),
            me(s),
        );
        s.receive_work_orders(&[o]).unwrap();
    });
    let file = open_file(&phone, &h);
    let line = file
        .timeline
        .iter()
        .find(|l| l.kind == TimelineKind::Order)
        .unwrap();
    assert_eq!(line.when, "今天 08:00");
    assert_eq!(line.text, "工单 WO-1：管网故障，已派工");
    assert!(line.accessibility.ends_with("点按打开"));
    let opened = phone.send(Event::Household(line.opens.clone().unwrap()));
    let order = crate::on_screen!(opened.screen, WorkOrder);
    assert_eq!(order.title, "管网故障 WO-1");
}

#[test]
fn a_household_link_to_a_file_not_on_this_phone_says_so() {
    let phone = Phone::enrolled(morning(), |_| {});
    let update = phone.send(Event::OpenLink {
        link: format!(
            "doorstep://household/{}",
            doorstep_core::ids::HouseholdId::new()
        ),
    });
    let file = crate::on_screen!(update.screen, Household);
    assert!(file.missing.unwrap().starts_with("本机没有这户的户档"));
    assert!(!file.open_order.enabled);
    assert!(update.screen.can_go_back);
}

#[test]
fn a_draft_on_the_timeline_opens_the_form_and_a_file_without_a_location_cannot_navigate() {
    let mut h = wang();
    h.location = None;
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap()
    });
    let file = open_file(&phone, &h);
    assert!(!file.navigate.enabled);
    assert_eq!(
        file.navigate.disabled_reason.as_deref(),
        Some("户档没有定位")
    );
    phone.send(Event::Household(HouseholdEvent::StartForm {
        template_id: "safety_education".into(),
    }));
    let file = crate::on_screen!(phone.send(Event::Back).screen, Household);
    let draft = file
        .timeline
        .iter()
        .find(|l| l.kind == TimelineKind::Draft)
        .unwrap();
    let Some(HouseholdEvent::OpenForm { .. }) = &draft.opens else {
        panic!("a draft opens its form: {draft:?}");
    };
    let opened = phone.send(Event::Household(draft.opens.clone().unwrap()));
    assert!(matches!(opened.screen.body, Screen::Form(_)));
    // A form of another household is refused.
    phone.send(Event::Back);
    let refused = phone
        .app()
        .handle(Event::Household(HouseholdEvent::OpenForm {
            form_id: "not-an-id".into(),
        }));
    assert!(refused.is_err());
}
