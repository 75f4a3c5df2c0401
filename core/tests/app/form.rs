//! The Form screen: a form filled item by item through events, its problems in words, the
//! photo, scan and position effects and their answers, outcomes, sealing and amending.

use chrono::{DateTime, Utc};
use doorstep_core::app::screens::copy::Paper;
use doorstep_core::app::screens::form::{
    ChargeField, FormCheckMark, FormDate, FormEvent, FormItem, FormItemKind, FormOutcomeChoice,
    FormScreen,
};
use doorstep_core::app::screens::signature::{InkPoint, SignatureEvent};
use doorstep_core::app::{AppError, Effect, Event, NoticeKind, Update};
use doorstep_core::error::Error;
use doorstep_core::forms::builtin::builtin_template;
use doorstep_core::household::{Household, SupplyStatus};
use doorstep_core::ids::FormId;
use doorstep_core::media::decode::encode_jpeg;
use doorstep_core::store::Store;
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::{at, household, photos::test_card};
use crate::on_screen;

pub const NOW: fn() -> DateTime<Utc> = || at(2026, 12, 7, 2, 0);

/// A phone with one household and a draft of the built-in `template` for it, opened on the
/// form (over Today).
pub fn on_form(template: &str) -> (Phone, FormId, Household) {
    let h = household(
        "3300000301",
        "钱秀英",
        "13800000301",
        "环城北路30号",
        30.27,
        120.16,
    );
    let mut form = None;
    let phone = Phone::enrolled(NOW(), |store: &mut Store| {
        store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
        let t = builtin_template(template).unwrap();
        form = Some(store.start_form(&t, h.id, None, NOW()).unwrap().id);
    });
    let id = form.unwrap();
    phone.send(Event::OpenLink {
        link: format!("doorstep://form/{id}"),
    });
    (phone, id, h)
}

pub fn form_screen(phone: &Phone) -> FormScreen {
    on_screen!(phone.screen(), Form)
}

pub fn item(screen: &FormScreen, id: &str) -> FormItem {
    screen
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("{id} is not shown"))
        .clone()
}

pub fn shown(screen: &FormScreen, id: &str) -> bool {
    screen
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .any(|i| i.id == id)
}

pub fn form(phone: &Phone, event: FormEvent) -> Update {
    phone.send(Event::Form(event))
}

/// A short signature as the pad sends it.
pub fn ink() -> Vec<InkPoint> {
    doorstep_core::testkit::strokes()[0]
        .iter()
        .map(|p| InkPoint {
            x: p.x,
            y: p.y,
            t_ms: p.t_ms,
            pressure: p.pressure,
        })
        .collect()
}

/// Signs a signature item through the signature screen.
pub fn sign(phone: &Phone, item_id: &str) {
    form(
        phone,
        FormEvent::Sign {
            item: item_id.into(),
        },
    );
    phone.send(Event::Signature(SignatureEvent::Stroke { points: ink() }));
    if on_screen!(phone.screen(), Signature).signer_name.is_empty() {
        phone.send(Event::Signature(SignatureEvent::Name {
            text: "张见证".into(),
        }));
    }
    let back = phone.send(Event::Signature(SignatureEvent::Accept));
    on_screen!(back.screen, Form);
}

/// Answers every shown item that has no answer yet with a valid one, as a technician taps,
/// until nothing new appears; signatures are left for the end.
pub fn answer_everything(phone: &Phone) {
    for _ in 0..5 {
        let screen = form_screen(phone);
        let mut acted = false;
        for it in screen.sections.iter().flat_map(|s| &s.items) {
            if it.value.is_some() {
                continue;
            }
            let item = it.id.clone();
            let event = match &it.kind {
                FormItemKind::Check { .. } => FormEvent::Check {
                    item,
                    mark: FormCheckMark::Pass,
                },
                FormItemKind::Number { min, .. } => FormEvent::Type {
                    item,
                    text: min.clone().unwrap_or_else(|| "1".into()),
                },
                FormItemKind::Text { .. } => FormEvent::Type {
                    item,
                    text: "正常".into(),
                },
                FormItemKind::SingleChoice { options } => FormEvent::Choose {
                    item,
                    choice: options[0].id.clone(),
                },
                FormItemKind::MultipleChoice { options, .. } => FormEvent::Toggle {
                    item,
                    choice: options[0].id.clone(),
                },
                FormItemKind::Date { .. } if it.required => FormEvent::PickDate {
                    item,
                    year: 2026,
                    month: 12,
                    day: 20,
                },
                FormItemKind::DateTime { initial } => {
                    FormEvent::PickDateTime { item, at: *initial }
                }
                FormItemKind::MeterReading { .. } => FormEvent::Type {
                    item,
                    text: "1234.567".into(),
                },
                _ => continue,
            };
            form(phone, event);
            acted = true;
        }
        if !acted {
            break;
        }
    }
}

/// Signs every signature item the form asks for.
pub fn sign_everything(phone: &Phone) {
    let screen = form_screen(phone);
    for it in screen.sections.iter().flat_map(|s| &s.items) {
        if let FormItemKind::Signature { .. } = it.kind
            && it.required
        {
            sign(phone, &it.id);
        }
    }
}

/// A camera's JPEG, written where the effect said.
pub fn camera_writes(path: &str) {
    std::fs::write(path, encode_jpeg(&test_card(640, 480), 90).unwrap()).unwrap();
}

pub fn take_photo(phone: &Phone, item: &str) -> (u64, String) {
    let asked = form(phone, FormEvent::TakePhoto { item: item.into() });
    match asked.effects.as_slice() {
        [Effect::TakePhoto { request, path, .. }] => (*request, path.clone()),
        other => panic!("no photo asked: {other:?}"),
    }
}

#[test]
fn an_inspector_fills_the_inspection_form_item_by_item_and_sealing_is_enabled_only_when_nothing_is_missing()
 {
    let (phone, id, _) = on_form("residential_inspection");
    let screen = form_screen(&phone);
    assert_eq!(screen.title, "居民用户入户安全检查表");
    assert!(screen.subtitle.starts_with("3300000301 · "));
    assert_eq!(screen.progress.answered, 0);
    assert!(screen.progress.required > 20, "{:?}", screen.progress);
    assert!(screen.progress.label.starts_with("必填项已完成 0/"));
    assert!(!screen.seal.enabled);
    assert!(
        screen
            .seal
            .disabled_reason
            .as_deref()
            .unwrap()
            .starts_with("还有")
    );
    let leak = item(&screen, "leak_test");
    assert_eq!(leak.problems, vec!["必填项，尚未填写".to_owned()]);
    assert!(leak.accessibility.contains("各接头及燃气设施无泄漏"));
    // Items behind a condition are not shown until it holds.
    assert!(!shown(&screen, "leak_detector_lel"));
    assert!(!shown(&screen, "stove_flame_failure"));

    form(
        &phone,
        FormEvent::Toggle {
            item: "appliances".into(),
            choice: "stove".into(),
        },
    );
    let screen = form_screen(&phone);
    assert!(shown(&screen, "stove_flame_failure"));
    assert_eq!(item(&screen, "appliances").value.as_deref(), Some("燃气灶"));

    answer_everything(&phone);
    let screen = form_screen(&phone);
    assert!(!screen.seal.enabled, "the signatures are missing");
    assert!(
        item(&screen, "customer_signature")
            .problems
            .contains(&"缺少用户签字".to_owned())
    );
    assert!(screen.progress.answered + 2 == screen.progress.required);

    sign_everything(&phone);
    let screen = form_screen(&phone);
    assert_eq!(screen.progress.answered, screen.progress.required);
    assert!(screen.seal.enabled, "{:?}", screen.seal);
    assert!(screen.sealed.is_none() && screen.amend.is_none());

    phone.send(Event::SetLanguage { lang: Lang::En });
    let english = form_screen(&phone);
    assert_eq!(english.title, "Residential gas safety inspection");
    assert_eq!(english.seal.label, "Complete and seal");
    assert_eq!(item(&english, "leak_test").value.as_deref(), Some("Pass"));
    phone.send(Event::SetLanguage { lang: Lang::Zh });

    let sealed = form(&phone, FormEvent::Seal);
    let notice = sealed.screen.notice.clone().unwrap();
    assert_eq!(
        (notice.text.as_str(), notice.kind),
        ("已签封", NoticeKind::Done)
    );
    let screen = on_screen!(sealed.screen, Form);
    let seal = screen.sealed.clone().unwrap();
    assert!(seal.digest.starts_with("封存码 ") && seal.digest.chars().count() == 16);
    assert_eq!(seal.sealed_at, "今天 10:00");
    assert!(
        seal.consequences
            .contains(&"安检已签字，下次安检已重新排期".to_owned()),
        "{:?}",
        seal.consequences
    );
    assert!(!screen.seal.enabled);
    assert!(item(&screen, "leak_test").editable.eq(&false));
    // A sealed form takes no answer.
    let refused = phone.app().handle(Event::Form(FormEvent::Check {
        item: "leak_test".into(),
        mark: FormCheckMark::Fail,
    }));
    assert!(matches!(refused, Err(AppError::Core(Error::Sealed))));

    // Amend opens the correction, a new draft with the same answers.
    let amended = form(&phone, FormEvent::Amend);
    let correction = on_screen!(amended.screen, Form);
    assert_eq!(correction.amendment.as_deref(), Some("更正已签封的表单"));
    assert_eq!(
        item(&correction, "leak_test").value.as_deref(),
        Some("合格")
    );
    assert!(!correction.seal.enabled, "signatures are given again");
    let back = phone.send(Event::Back);
    assert!(on_screen!(back.screen, Form).sealed.is_some());
    let store = phone.app().store();
    assert!(store.lock().unwrap().form(id).unwrap().is_sealed());
}

#[test]
fn a_half_typed_number_is_kept_with_its_problem_and_sealing_waits_for_it() {
    let (phone, _, _) = on_form("residential_inspection");
    form(
        &phone,
        FormEvent::Toggle {
            item: "leak_test_method".into(),
            choice: "detector".into(),
        },
    );
    form(
        &phone,
        FormEvent::Type {
            item: "leak_detector_lel".into(),
            text: "12.".into(),
        },
    );
    let screen = form_screen(&phone);
    let lel = item(&screen, "leak_detector_lel");
    assert!(
        matches!(&lel.kind, FormItemKind::Number { typed, unit, .. } if typed == "12." && unit == "%LEL")
    );
    assert_eq!(lel.message.as_deref(), Some("请用数字填写，最多一个小数点"));
    assert_eq!(lel.value, None);
    assert_eq!(
        screen.seal.disabled_reason.as_deref(),
        Some("有未填完的数字")
    );

    form(
        &phone,
        FormEvent::Type {
            item: "leak_detector_lel".into(),
            text: "150".into(),
        },
    );
    let lel = item(&form_screen(&phone), "leak_detector_lel");
    assert_eq!(lel.value.as_deref(), Some("150 %LEL"));
    assert_eq!(lel.message, None);
    assert_eq!(lel.problems, vec!["不能大于 100".to_owned()]);
    phone.send(Event::SetLanguage { lang: Lang::En });
    let lel = item(&form_screen(&phone), "leak_detector_lel");
    assert_eq!(lel.problems, vec!["must be at most 100".to_owned()]);

    form(
        &phone,
        FormEvent::Type {
            item: "leak_detector_lel".into(),
            text: "0.5".into(),
        },
    );
    let lel = item(&form_screen(&phone), "leak_detector_lel");
    assert_eq!(lel.value.as_deref(), Some("0.5 %LEL"));
    assert!(lel.problems.is_empty());

    // A meter reading is typed in m³ with up to three decimals.
    form(
        &phone,
        FormEvent::Type {
            item: "meter_reading".into(),
            text: "1234.5".into(),
        },
    );
    let reading = item(&form_screen(&phone), "meter_reading");
    assert_eq!(reading.value.as_deref(), Some("1234.500 m³"));
}

/// A phone's keyboard sends the whole field at every keystroke: a reading typed digit by digit
/// shows exactly what the technician typed (never "1.000" under the thumb, which the next digit
/// would turn into "1.0002"), while the store holds each number as it parses.
#[test]
fn a_meter_reading_typed_digit_by_digit_shows_what_was_typed_and_stores_the_number() {
    let (phone, id, _) = on_form("residential_inspection");
    let mut field = String::new();
    for key in "1234.56".chars() {
        field.push(key);
        form(
            &phone,
            FormEvent::Type {
                item: "meter_reading".into(),
                text: field.clone(),
            },
        );
        let reading = item(&form_screen(&phone), "meter_reading");
        let FormItemKind::MeterReading { typed, .. } = &reading.kind else {
            panic!("not a reading: {:?}", reading.kind)
        };
        assert_eq!(typed, &field, "after typing {key}");
    }
    let reading = item(&form_screen(&phone), "meter_reading");
    assert_eq!(reading.value.as_deref(), Some("1234.560 m³"));
    assert_eq!(reading.message, None);

    // Opened again, the field shows the stored reading in its own format.
    phone.send(Event::Back);
    phone.send(Event::OpenLink {
        link: format!("doorstep://form/{id}"),
    });
    let reading = item(&form_screen(&phone), "meter_reading");
    assert!(
        matches!(&reading.kind, FormItemKind::MeterReading { typed, .. } if typed == "1234.560"),
        "{:?}",
        reading.kind
    );
}

#[test]
fn an_answer_of_the_wrong_kind_or_to_an_item_not_on_the_form_is_refused_and_nothing_changes() {
    let (phone, id, _) = on_form("residential_inspection");
    let before = phone.screen();
    let outbox = |phone: &Phone| phone.app().store().lock().unwrap().form(id).unwrap();
    let draft = outbox(&phone);
    for event in [
        FormEvent::Type {
            item: "leak_test".into(),
            text: "12".into(),
        },
        FormEvent::Check {
            item: "no_such_item".into(),
            mark: FormCheckMark::Pass,
        },
        FormEvent::Choose {
            item: "appliances".into(),
            choice: "stove".into(),
        },
        FormEvent::Scan {
            item: "remarks".into(),
        },
        FormEvent::TakePhoto {
            item: "leak_test".into(),
        },
        FormEvent::Advice {
            item: "leak_test".into(),
            text: "更换软管".into(),
        },
        FormEvent::PickDate {
            item: "rectification_deadline".into(),
            year: 2026,
            month: 2,
            day: 30,
        },
        FormEvent::Note {
            text: "无人".into(),
        },
        FormEvent::OpenCopy {
            paper: Paper::VisitReport,
        },
    ] {
        let refused = phone.app().handle(Event::Form(event.clone()));
        match refused {
            Err(AppError::Core(Error::Invalid(e))) => {
                assert!(!e.reason.is_empty() && !e.reason_zh.is_empty(), "{event:?}")
            }
            other => panic!("{event:?} was not refused: {other:?}"),
        }
        assert_eq!(phone.screen(), before, "{event:?}");
    }
    assert_eq!(outbox(&phone), draft);
}

#[test]
fn a_photo_taken_for_a_slot_appears_as_a_thumbnail_and_a_file_that_is_not_an_image_is_refused_beside_it()
 {
    let (phone, _, _) = on_form("residential_inspection");
    let slot = item(&form_screen(&phone), "site_photos");
    assert_eq!(
        slot.take_photo.as_ref().map(|a| a.label.as_str()),
        Some("拍照")
    );
    let (request, path) = take_photo(&phone, "site_photos");
    assert!(path.ends_with(&format!("photo-{request}.jpg")));
    camera_writes(&path);
    phone.send(Event::PhotoTaken { request });
    assert!(
        !std::path::Path::new(&path).exists(),
        "the camera's file is removed"
    );
    let slot = item(&form_screen(&phone), "site_photos");
    assert_eq!(slot.photos.len(), 1);
    assert_eq!(slot.value.as_deref(), Some("1 张照片"));
    let thumb = slot.photos[0].path.clone().unwrap();
    assert!(thumb.ends_with(&format!("thumbs/{}.jpg", slot.photos[0].sha256)));
    let jpeg = std::fs::read(&thumb).unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a plain JPEG the shell can draw");
    assert_eq!(slot.photos[0].accessibility, "第 1 张照片");

    let (request, path) = take_photo(&phone, "site_photos");
    std::fs::write(&path, b"%PDF-1.4 not a photo").unwrap();
    let refused = phone.send(Event::PhotoTaken { request });
    assert_eq!(refused.screen.notice.unwrap().kind, NoticeKind::Problem);
    let slot = item(&form_screen(&phone), "site_photos");
    assert_eq!(slot.photos.len(), 1, "nothing written");
    assert!(
        slot.message
            .as_deref()
            .unwrap()
            .starts_with("该文件不是照片")
    );
    assert!(!std::path::Path::new(&path).exists());
    phone.send(Event::SetLanguage { lang: Lang::En });
    let slot = item(&form_screen(&phone), "site_photos");
    assert!(
        slot.message
            .as_deref()
            .unwrap()
            .starts_with("the file is not a photo")
    );

    let sha = slot.photos[0].sha256.clone();
    form(
        &phone,
        FormEvent::RemovePhoto {
            item: "site_photos".into(),
            sha256: sha,
        },
    );
    let slot = item(&form_screen(&phone), "site_photos");
    assert!(slot.photos.is_empty() && slot.message.is_none());

    // A cancelled camera says nothing; a refused permission says what to do.
    let (request, _) = take_photo(&phone, "site_photos");
    let cancelled = phone.send(Event::EffectFailed {
        request,
        failure: doorstep_core::app::EffectFailure::Cancelled,
    });
    assert_eq!(cancelled.screen.notice, None);
    let (request, _) = take_photo(&phone, "site_photos");
    phone.send(Event::EffectFailed {
        request,
        failure: doorstep_core::app::EffectFailure::Denied,
    });
    assert!(
        item(&form_screen(&phone), "site_photos")
            .message
            .unwrap()
            .starts_with("no permission")
    );
}

#[test]
fn a_photo_answered_after_the_inspector_left_the_form_is_dropped_and_its_file_removed() {
    let (phone, id, _) = on_form("residential_inspection");
    let (request, path) = take_photo(&phone, "site_photos");
    phone.send(Event::Back);
    camera_writes(&path);
    let late = phone.app().handle(Event::PhotoTaken { request });
    assert!(matches!(late, Err(AppError::LateAnswer { request: r }) if r == request));
    assert!(!std::path::Path::new(&path).exists());
    let store = phone.app().store();
    assert!(store.lock().unwrap().form(id).unwrap().photos.is_empty());
}

#[test]
fn a_major_hazard_sealed_opens_a_follow_up_order_and_shuts_the_gas_off() {
    let (phone, id, h) = on_form("residential_inspection");
    form(
        &phone,
        FormEvent::Check {
            item: "leak_test".into(),
            mark: FormCheckMark::Fail,
        },
    );
    let leak = item(&form_screen(&phone), "leak_test");
    match &leak.kind {
        FormItemKind::Check {
            advice_wanted,
            hazard,
            options,
            ..
        } => {
            assert!(advice_wanted);
            assert_eq!(hazard.as_deref(), Some("不合格即为重大隐患"));
            assert!(options.iter().any(|o| o.id == "fail" && o.selected));
        }
        other => panic!("{other:?}"),
    }
    assert!(leak.problems.contains(&"不合格项须拍照留证".to_owned()));
    assert!(leak.problems.contains(&"不合格项须填写整改意见".to_owned()));
    assert!(
        leak.take_photo.as_ref().unwrap().enabled,
        "evidence for the failed check"
    );
    let (request, path) = take_photo(&phone, "leak_test");
    camera_writes(&path);
    phone.send(Event::PhotoTaken { request });
    form(
        &phone,
        FormEvent::Advice {
            item: "leak_test".into(),
            text: "灶前阀漏气，已关闭表前阀，请更换灶前阀后报修恢复供气".into(),
        },
    );
    let leak = item(&form_screen(&phone), "leak_test");
    assert!(leak.problems.is_empty(), "{:?}", leak.problems);
    assert_eq!(leak.photos.len(), 1);
    answer_everything(&phone);
    sign_everything(&phone);
    let screen = form_screen(&phone);
    assert!(
        screen.seal.enabled,
        "{:?} {:?}",
        screen.seal, screen.form_problems
    );
    let sealed = on_screen!(form(&phone, FormEvent::Seal).screen, Form);
    let consequences = sealed.sealed.unwrap().consequences;
    assert!(
        consequences.contains(&"已为重大隐患开复查工单".to_owned()),
        "{consequences:?}"
    );
    assert!(
        consequences
            .iter()
            .any(|c| c.starts_with("当场停气（不合格项：各接头及燃气设施无泄漏")),
        "{consequences:?}"
    );
    phone.send(Event::SetLanguage { lang: Lang::En });
    let english = form_screen(&phone).sealed.unwrap().consequences;
    assert!(english.contains(&"follow-up order opened for a major hazard".to_owned()));
    phone.send(Event::SetLanguage { lang: Lang::Zh });

    // The papers for the customer: the visit report and the rectification notice.
    let copies = form_screen(&phone).sealed.unwrap().copies;
    let papers: Vec<(Paper, &str)> = copies
        .iter()
        .map(|c| (c.paper, c.open.label.as_str()))
        .collect();
    assert_eq!(
        papers,
        vec![
            (Paper::VisitReport, "上门服务记录"),
            (Paper::HazardNotice, "隐患整改通知书")
        ]
    );
    let opened = form(
        &phone,
        FormEvent::OpenCopy {
            paper: Paper::HazardNotice,
        },
    );
    on_screen!(opened.screen, Copy);
    phone.send(Event::Back);

    let store = phone.app().store();
    let store = store.lock().unwrap();
    assert!(matches!(
        store.household(h.id).unwrap().supply,
        SupplyStatus::ShutOff { .. }
    ));
    let file = store.household_file(h.id).unwrap();
    assert_eq!(file.work_orders.len(), 1);
    assert!(store.form(id).unwrap().is_sealed());
}

#[test]
fn a_seal_number_is_scanned_into_its_item_and_a_misread_code_is_shown_beside_it() {
    let (phone, id, _) = on_form("shut_off");
    let seal = item(&form_screen(&phone), "seal_number");
    let FormItemKind::Text {
        scan: Some(scan), ..
    } = &seal.kind
    else {
        panic!("{seal:?}");
    };
    assert_eq!(scan.label, "扫码");
    let asked = form(
        &phone,
        FormEvent::Scan {
            item: "seal_number".into(),
        },
    );
    let [Effect::Scan { request, .. }] = asked.effects.as_slice() else {
        panic!("{:?}", asked.effects);
    };
    phone.send(Event::Scanned {
        request: *request,
        text: "???".into(),
    });
    let seal = item(&form_screen(&phone), "seal_number");
    assert_eq!(seal.value, None);
    assert!(seal.message.unwrap().starts_with("不是可识别的编码"));

    let asked = form(
        &phone,
        FormEvent::Scan {
            item: "seal_number".into(),
        },
    );
    let [Effect::Scan { request, .. }] = asked.effects.as_slice() else {
        panic!()
    };
    phone.send(Event::Scanned {
        request: *request,
        text: " qf-20261207 ".into(),
    });
    let seal = item(&form_screen(&phone), "seal_number");
    assert_eq!(seal.value.as_deref(), Some("QF-20261207"));
    assert_eq!(seal.message, None);
    let store = phone.app().store();
    assert!(
        store
            .lock()
            .unwrap()
            .form(id)
            .unwrap()
            .answers
            .contains_key("seal_number")
    );
}

#[test]
fn the_position_on_arrival_is_taken_from_the_phone_and_a_refused_permission_is_said() {
    let (phone, _, _) = on_form("residential_inspection");
    let locate = |phone: &Phone| {
        let asked = form(
            phone,
            FormEvent::Locate {
                item: "visit_location".into(),
            },
        );
        match asked.effects.as_slice() {
            [
                Effect::Locate {
                    request,
                    accuracy_m,
                    ..
                },
            ] => {
                assert_eq!(*accuracy_m, 30);
                *request
            }
            other => panic!("{other:?}"),
        }
    };
    let request = locate(&phone);
    phone.send(Event::EffectFailed {
        request,
        failure: doorstep_core::app::EffectFailure::Denied,
    });
    assert!(
        item(&form_screen(&phone), "visit_location")
            .message
            .unwrap()
            .starts_with("没有权限")
    );
    let request = locate(&phone);
    phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.16,
        accuracy_m: 8.0,
    });
    let here = item(&form_screen(&phone), "visit_location");
    assert_eq!(here.value.as_deref(), Some("30.27000, 120.16000 (±8 m)"));
    assert_eq!(here.message, None);
}

#[test]
fn nobody_home_needs_a_note_and_the_inspectors_signature_only() {
    let (phone, _, _) = on_form("residential_inspection");
    form(
        &phone,
        FormEvent::SetOutcome {
            choice: FormOutcomeChoice::NobodyHome,
        },
    );
    let screen = form_screen(&phone);
    assert_eq!(screen.outcome.chosen, FormOutcomeChoice::NobodyHome);
    assert!(screen.outcome.note_wanted);
    assert!(
        screen
            .outcome
            .options
            .iter()
            .any(|o| o.label == "无人在家" && o.selected)
    );
    assert_eq!(screen.form_problems, vec!["须填写现场情况说明".to_owned()]);
    assert!(
        item(&screen, "leak_test").problems.is_empty(),
        "no checklist without a visit"
    );
    form(
        &phone,
        FormEvent::Note {
            text: "敲门无人应答，已留联系卡".into(),
        },
    );
    let screen = form_screen(&phone);
    assert_eq!(screen.outcome.note, "敲门无人应答，已留联系卡");
    assert!(screen.form_problems.is_empty());
    assert!(!screen.seal.enabled);
    sign(&phone, "technician_signature");
    let screen = form_screen(&phone);
    assert!(screen.seal.enabled, "{:?}", screen.seal);
    // Back to a completed visit: the checklist is wanted again.
    form(
        &phone,
        FormEvent::SetOutcome {
            choice: FormOutcomeChoice::Completed,
        },
    );
    assert!(!form_screen(&phone).seal.enabled);
}

#[test]
fn a_date_picked_in_beijing_time_is_shown_as_a_day() {
    let (phone, id, _) = on_form("residential_inspection");
    form(
        &phone,
        FormEvent::PickDate {
            item: "rectification_deadline".into(),
            year: 2026,
            month: 12,
            day: 20,
        },
    );
    let deadline = item(&form_screen(&phone), "rectification_deadline");
    assert_eq!(deadline.value.as_deref(), Some("2026年12月20日"));
    assert!(matches!(
        deadline.kind,
        FormItemKind::Date {
            initial: FormDate {
                year: 2026,
                month: 12,
                day: 20,
                ..
            }
        }
    ));
    form(
        &phone,
        FormEvent::Clear {
            item: "rectification_deadline".into(),
        },
    );
    assert_eq!(
        item(&form_screen(&phone), "rectification_deadline").value,
        None
    );
    let store = phone.app().store();
    assert!(
        !store
            .lock()
            .unwrap()
            .form(id)
            .unwrap()
            .answers
            .contains_key("rectification_deadline")
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use doorstep_core::forms::Decimal;
    use doorstep_core::forms::form::Answer;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever is typed in a number field, either the store holds exactly the number it
        /// reads as and the field shows the text as typed, or the store keeps its last answer
        /// and the field keeps the text with why it is not a number yet.
        #[test]
        fn a_number_typed_is_either_the_answer_or_kept_as_typed(text in "-?[0-9]{0,4}\\.?[0-9]{0,3}|[0-9a-z ,.]{1,6}") {
            let (phone, id, _) = on_form("residential_inspection");
            form(&phone, FormEvent::Toggle { item: "leak_test_method".into(), choice: "detector".into() });
            let stored = |phone: &Phone| {
                phone.app().store().lock().unwrap().form(id).unwrap().answers.get("leak_detector_lel").cloned()
            };
            form(&phone, FormEvent::Type { item: "leak_detector_lel".into(), text: "7".into() });
            form(&phone, FormEvent::Type { item: "leak_detector_lel".into(), text: text.clone() });
            let lel = item(&form_screen(&phone), "leak_detector_lel");
            let FormItemKind::Number { typed, .. } = &lel.kind else { panic!() };
            match text.parse::<Decimal>() {
                _ if text.trim().is_empty() => {
                    prop_assert_eq!(stored(&phone), None);
                    prop_assert_eq!(lel.message, None);
                }
                Ok(n) => {
                    prop_assert_eq!(stored(&phone), Some(Answer::Number(n)));
                    prop_assert_eq!(typed, &text);
                    prop_assert_eq!(lel.message, None);
                }
                Err(_) => {
                    prop_assert_eq!(stored(&phone), Some(Answer::Number("7".parse().unwrap())));
                    prop_assert_eq!(typed, &text);
                    prop_assert!(lel.message.is_some());
                }
            }
        }

        /// A time picked in Beijing time opens the picker again on the same time, whatever the
        /// day and hour (the UTC date may be the day before).
        #[test]
        fn a_time_picked_in_beijing_time_comes_back_as_picked(
            day in 1u32..=28, month in 1u32..=12, hour in 0u32..24, minute in 0u32..60,
        ) {
            let (phone, _, _) = on_form("acceptance_gas_on");
            let at = FormDate { year: 2026, month, day, hour, minute };
            form(&phone, FormEvent::PickDateTime { item: "gas_on_at".into(), at });
            let picked = item(&form_screen(&phone), "gas_on_at");
            let shown_again = matches!(picked.kind, FormItemKind::DateTime { initial } if initial == at);
            prop_assert!(shown_again);
            let clock = format!("{hour:02}:{minute:02}");
            let value = picked.value.unwrap();
            prop_assert!(value.ends_with(&clock), "{} does not end with {}", value, clock);
        }
    }
}

#[test]
fn a_customer_who_refuses_to_sign_is_recorded_with_a_photo_and_a_reason_instead() {
    let (phone, id, _) = on_form("residential_inspection");
    answer_everything(&phone);
    let asked = form(
        &phone,
        FormEvent::SetOutcome {
            choice: FormOutcomeChoice::CustomerRefusedToSign,
        },
    );
    let [
        Effect::TakePhoto {
            request,
            path,
            prompt,
        },
    ] = asked.effects.as_slice()
    else {
        panic!("{:?}", asked.effects);
    };
    assert!(prompt.starts_with("拍摄用户拒签的证明照片"));
    // Nothing changes until the photo is in.
    assert_eq!(
        form_screen(&phone).outcome.chosen,
        FormOutcomeChoice::Completed
    );
    std::fs::write(path, b"not a photo").unwrap();
    phone.send(Event::PhotoTaken { request: *request });
    let screen = form_screen(&phone);
    assert_eq!(screen.outcome.chosen, FormOutcomeChoice::Completed);
    assert!(
        screen
            .outcome
            .message
            .unwrap()
            .starts_with("该文件不是照片")
    );

    let asked = form(
        &phone,
        FormEvent::SetOutcome {
            choice: FormOutcomeChoice::CustomerRefusedToSign,
        },
    );
    let [Effect::TakePhoto { request, path, .. }] = asked.effects.as_slice() else {
        panic!()
    };
    camera_writes(path);
    phone.send(Event::PhotoTaken { request: *request });
    let screen = form_screen(&phone);
    assert_eq!(
        screen.outcome.chosen,
        FormOutcomeChoice::CustomerRefusedToSign
    );
    assert_eq!(screen.outcome.message, None);
    assert!(screen.outcome.note_wanted);
    assert_eq!(screen.form_problems, vec!["须填写现场情况说明".to_owned()]);
    form(
        &phone,
        FormEvent::Note {
            text: "用户对检查结果有异议，拒绝签字".into(),
        },
    );
    sign(&phone, "technician_signature");
    let screen = form_screen(&phone);
    assert!(screen.form_problems.is_empty());
    assert!(
        item(&screen, "customer_signature").problems.is_empty(),
        "not wanted any more"
    );
    assert!(screen.seal.enabled, "{:?}", screen.seal);
    form(&phone, FormEvent::Seal);
    let store = phone.app().store();
    let sealed = store.lock().unwrap().form(id).unwrap();
    assert!(matches!(
        sealed.outcome,
        doorstep_core::forms::form::Outcome::CustomerRefusedToSign { ref reason, .. } if reason == "用户对检查结果有异议，拒绝签字"
    ));
}

#[test]
fn a_repair_technician_enters_the_fees_collected_at_the_door_on_the_closing_form() {
    use doorstep_core::app::screens::form::FormChargeLine;
    use doorstep_core::fees::PaymentMethod;
    let (phone, id, _) = on_form("repair_closing");
    let line = |item: &str, quantity, unit_price_fen| FormChargeLine {
        item: item.into(),
        quantity,
        unit_price_fen,
    };
    let charges = |lines: Vec<FormChargeLine>| FormEvent::Charges {
        item: "charges".into(),
        lines,
        method: Some(PaymentMethod::Cash),
        receipt: " R-20261207-07 ".into(),
    };

    // A quantity of nothing is kept as entered, with its problem beside the item, and the
    // form cannot be sealed with it (the rules of charges are the core's, as on any answer).
    form(&phone, charges(vec![line("更换灶前阀", 0, 3500)]));
    let screen = form_screen(&phone);
    let problems = item(&screen, "charges").problems;
    assert!(
        problems.iter().any(|p| p.contains("数量须至少为1")),
        "{problems:?}"
    );
    assert!(!screen.seal.enabled);

    form(
        &phone,
        charges(vec![line("更换灶前阀", 1, 3500), line("软管(米)", 2, 1200)]),
    );
    assert_eq!(
        item(&form_screen(&phone), "charges").value.as_deref(),
        Some("共 ¥59.00")
    );
    let store = phone.app().store();
    let stored = store.lock().unwrap().form(id).unwrap();
    let Some(doorstep_core::forms::form::Answer::Charges(c)) = stored.answers.get("charges") else {
        panic!("no charges stored")
    };
    assert_eq!(c.receipt.as_deref(), Some("R-20261207-07"));
    assert_eq!(c.method, Some(PaymentMethod::Cash));
    assert_eq!(
        Some(c.collected_by),
        store.lock().unwrap().sync_state().unwrap().technician_id
    );

    // A charges event on another kind of item is refused; an empty one clears the answer.
    assert!(
        phone
            .app()
            .handle(Event::Form(FormEvent::Charges {
                item: "repair_result".into(),
                lines: vec![],
                method: None,
                receipt: String::new(),
            }))
            .is_err()
    );
    form(
        &phone,
        FormEvent::Charges {
            item: "charges".into(),
            lines: vec![],
            method: None,
            receipt: String::new(),
        },
    );
    assert_eq!(item(&form_screen(&phone), "charges").value, None);
}

/// The charges item's lines as shown: (item, quantity, unit price, total, problem).
fn charge_lines(screen: &FormScreen) -> Vec<(String, String, String, String, Option<String>)> {
    match item(screen, "charges").kind {
        FormItemKind::Charges { lines, .. } => lines
            .into_iter()
            .map(|l| (l.item, l.quantity, l.unit_price, l.total, l.problem))
            .collect(),
        other => panic!("not a charges item: {other:?}"),
    }
}

fn stored_charges(phone: &Phone, id: FormId) -> Option<doorstep_core::fees::Charges> {
    let store = phone.app().store();
    let form = store.lock().unwrap().form(id).unwrap();
    match form.answers.get("charges") {
        Some(doorstep_core::forms::form::Answer::Charges(c)) => Some(c.clone()),
        _ => None,
    }
}

fn edit(phone: &Phone, index: u32, field: ChargeField, text: &str) {
    form(
        phone,
        FormEvent::ChargeEdit {
            item: "charges".into(),
            index,
            field,
            text: text.into(),
        },
    );
}

#[test]
fn a_repair_technician_enters_a_valve_replaced_one_at_35_yuan_in_cash_with_receipt_r7_field_by_field()
 {
    use doorstep_core::fees::PaymentMethod;
    let (phone, id, _) = on_form("repair_closing");
    let screen = form_screen(&phone);
    let FormItemKind::Charges {
        lines,
        add_line,
        methods,
        method_label,
        receipt_label,
        total,
        ..
    } = item(&screen, "charges").kind
    else {
        panic!("not a charges item")
    };
    assert!(lines.is_empty() && total.is_empty());
    assert_eq!(add_line.label, "添加收费项目");
    assert!(add_line.enabled);
    assert_eq!(method_label, "收费方式");
    assert_eq!(receipt_label, "收据编号");
    assert_eq!(
        methods.iter().map(|m| m.label.as_str()).collect::<Vec<_>>(),
        ["现金", "微信支付", "支付宝", "银行卡"]
    );

    form(
        &phone,
        FormEvent::ChargeAdd {
            item: "charges".into(),
        },
    );
    let screen = form_screen(&phone);
    let FormItemKind::Charges { lines, .. } = item(&screen, "charges").kind else {
        panic!()
    };
    assert_eq!(lines[0].item_label, "收费项目");
    assert_eq!(lines[0].quantity_label, "数量");
    assert_eq!(lines[0].unit_price_label, "单价（元）");
    assert_eq!(lines[0].quantity, "1");
    assert_eq!(lines[0].problem.as_deref(), Some("请填写单价"));
    assert_eq!(lines[0].remove.label, "删除这一行");
    assert_eq!(stored_charges(&phone, id), None, "nothing counted yet");

    edit(&phone, 0, ChargeField::Item, "更换灶前阀");
    for typed in ["3", "35"] {
        edit(&phone, 0, ChargeField::UnitPrice, typed);
    }
    // The field keeps the technician's own text while the next key is typed.
    assert_eq!(
        charge_lines(&form_screen(&phone)),
        [(
            "更换灶前阀".into(),
            "1".into(),
            "35".into(),
            "¥35.00".into(),
            None
        )]
    );
    form(
        &phone,
        FormEvent::ChargeMethod {
            item: "charges".into(),
            method: Some(PaymentMethod::Cash),
        },
    );
    for typed in ["R", "R-", "R-7"] {
        form(
            &phone,
            FormEvent::ChargeReceipt {
                item: "charges".into(),
                text: typed.into(),
            },
        );
    }
    let screen = form_screen(&phone);
    let charges = item(&screen, "charges");
    assert_eq!(charges.value.as_deref(), Some("共 ¥35.00"));
    assert!(charges.problems.is_empty(), "{:?}", charges.problems);
    let FormItemKind::Charges {
        methods,
        receipt,
        total,
        ..
    } = charges.kind
    else {
        panic!()
    };
    assert_eq!(total, "¥35.00");
    assert_eq!(receipt, "R-7");
    assert!(methods.iter().any(|m| m.id == "cash" && m.selected));
    let stored = stored_charges(&phone, id).expect("charges stored");
    assert_eq!(stored.lines.len(), 1);
    assert_eq!(
        (
            stored.lines[0].item.as_str(),
            stored.lines[0].quantity,
            stored.lines[0].unit_price_fen
        ),
        ("更换灶前阀", 1, 3500)
    );
    assert_eq!(stored.method, Some(PaymentMethod::Cash));
    assert_eq!(stored.receipt.as_deref(), Some("R-7"));

    // Opened again, the form shows the stored lines.
    phone.send(Event::Back);
    phone.send(Event::OpenLink {
        link: format!("doorstep://form/{id}"),
    });
    let screen = form_screen(&phone);
    assert_eq!(
        charge_lines(&screen),
        [(
            "更换灶前阀".into(),
            "1".into(),
            "35.00".into(),
            "¥35.00".into(),
            None
        )]
    );
    let FormItemKind::Charges { receipt, .. } = item(&screen, "charges").kind else {
        panic!()
    };
    assert_eq!(receipt, "R-7");
}

#[test]
fn a_price_typed_35_dot_waits_with_its_problem_and_seal_waits_for_it() {
    let (phone, id, _) = on_form("repair_closing");
    form(
        &phone,
        FormEvent::ChargeAdd {
            item: "charges".into(),
        },
    );
    edit(&phone, 0, ChargeField::Item, "更换灶前阀");
    edit(&phone, 0, ChargeField::UnitPrice, "35");
    edit(&phone, 0, ChargeField::UnitPrice, "35.");
    let screen = form_screen(&phone);
    let lines = charge_lines(&screen);
    assert_eq!(lines[0].2, "35.", "kept as typed");
    assert_eq!(lines[0].3, "", "no total while it does not parse");
    assert!(
        lines[0]
            .4
            .as_deref()
            .is_some_and(|p| p.contains("两位小数")),
        "{lines:?}"
    );
    assert_eq!(
        screen.seal.disabled_reason.as_deref(),
        Some("有未填完的收费")
    );
    // The store keeps the last valid answer.
    let stored = stored_charges(&phone, id).expect("35 was stored");
    assert_eq!(stored.lines[0].unit_price_fen, 3500);
    match phone.app().handle(Event::Form(FormEvent::Seal)) {
        Err(AppError::Core(Error::Invalid(e))) => assert_eq!(e.reason_zh, "有未填完的收费"),
        other => panic!("sealed with a charge not finished: {other:?}"),
    }
    // A quantity that is not a whole number waits the same way.
    edit(&phone, 0, ChargeField::UnitPrice, "35.5");
    edit(&phone, 0, ChargeField::Quantity, "1.5");
    let lines = charge_lines(&form_screen(&phone));
    assert_eq!(lines[0].4.as_deref(), Some("数量须为至少1的整数"));
    assert_eq!(
        stored_charges(&phone, id).unwrap().lines[0].unit_price_fen,
        3550
    );
    edit(&phone, 0, ChargeField::Quantity, "2");
    let screen = form_screen(&phone);
    assert_eq!(charge_lines(&screen)[0].3, "¥71.00");
    assert_ne!(
        screen.seal.disabled_reason.as_deref(),
        Some("有未填完的收费")
    );
}

#[test]
fn a_charge_line_removed_leaves_the_others_and_a_sealed_form_refuses_charges() {
    use doorstep_core::fees::PaymentMethod;
    let (phone, id, _) = on_form("repair_closing");
    for _ in 0..2 {
        form(
            &phone,
            FormEvent::ChargeAdd {
                item: "charges".into(),
            },
        );
    }
    edit(&phone, 0, ChargeField::Item, "更换灶前阀");
    edit(&phone, 0, ChargeField::UnitPrice, "35");
    edit(&phone, 1, ChargeField::Item, "软管(米)");
    // The second line has no price: nothing of it is counted, the first alone is not saved.
    assert_eq!(stored_charges(&phone, id), None);
    form(
        &phone,
        FormEvent::ChargeRemove {
            item: "charges".into(),
            index: 1,
        },
    );
    let lines = charge_lines(&form_screen(&phone));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].0, "更换灶前阀");
    assert_eq!(stored_charges(&phone, id).unwrap().lines.len(), 1);

    // An index out of range is refused naming `index`.
    match phone.app().handle(Event::Form(FormEvent::ChargeRemove {
        item: "charges".into(),
        index: 5,
    })) {
        Err(AppError::Core(Error::Invalid(e))) => assert_eq!(e.field, "index"),
        other => panic!("not refused: {other:?}"),
    }
    // Removing the last line, with no method and no receipt, clears the answer.
    form(
        &phone,
        FormEvent::ChargeRemove {
            item: "charges".into(),
            index: 0,
        },
    );
    assert_eq!(stored_charges(&phone, id), None);
    assert!(charge_lines(&form_screen(&phone)).is_empty());

    // On a sealed form every charges event is refused.
    let h = household(
        "3300000302",
        "孙丽",
        "13800000302",
        "环城北路32号",
        30.27,
        120.16,
    );
    let mut sealed = None;
    let phone = Phone::enrolled(NOW(), |store: &mut Store| {
        sealed = Some(super::fees::seal(
            store,
            "repair_closing",
            &h,
            vec![],
            NOW(),
        ));
    });
    phone.send(Event::OpenLink {
        link: format!("doorstep://form/{}", sealed.unwrap()),
    });
    let screen = form_screen(&phone);
    let FormItemKind::Charges { add_line, .. } = item(&screen, "charges").kind else {
        panic!()
    };
    assert!(!add_line.enabled);
    for event in [
        FormEvent::ChargeAdd {
            item: "charges".into(),
        },
        FormEvent::ChargeMethod {
            item: "charges".into(),
            method: Some(PaymentMethod::Cash),
        },
        FormEvent::ChargeReceipt {
            item: "charges".into(),
            text: "R-8".into(),
        },
    ] {
        let refused = phone.app().handle(Event::Form(event));
        assert!(
            matches!(refused, Err(AppError::Core(Error::Sealed))),
            "{refused:?}"
        );
    }
}
