//! The Copy screen: the visit report, the hazard rectification notice and the fee receipt of a
//! sealed form, each one self-contained HTML file the shell prints or shares.

use chrono::Duration;
use doorstep_core::app::screens::copy::{CopyEvent, Paper};
use doorstep_core::app::{AppError, Effect, Event};
use doorstep_core::fees::PaymentMethod;
use doorstep_core::forms::form::{Answer, CheckAnswer, CheckResult};
use doorstep_core::forms::template::SignerRole;
use doorstep_core::household::Household;
use doorstep_core::ids::FormId;
use doorstep_core::store::Store;
use doorstep_core::text::Lang;

use super::Phone;
use super::fees::{charges, seal};
use crate::common::forms::{hose_check, signature, take_photo};
use crate::common::{at, household};
use crate::on_screen;

/// The customer: a name with markup in it, which every paper must print as text.
fn customer() -> Household {
    household(
        "3300000070",
        "何<b>刚</b>",
        "13800000070",
        "凤起路30号",
        30.27,
        120.16,
    )
}

/// An inspection sealed at 14:05 Beijing time on 7 December that found a major hazard (a leak,
/// photographed, the gas shut off) and a general one (a worn hose), with both signatures.
fn inspected(store: &mut Store, camera: &std::path::Path) -> FormId {
    let h = customer();
    store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
    let template = hose_check();
    store
        .receive_templates(std::slice::from_ref(&template))
        .unwrap();
    let sealed = at(2026, 12, 7, 6, 5);
    let form = store
        .start_form(&template, h.id, None, sealed - Duration::minutes(40))
        .unwrap();
    let fail = |advice: &str| {
        Some(Answer::Check(CheckAnswer {
            result: CheckResult::Fail,
            advice: Some(advice.into()),
        }))
    };
    store
        .answer(
            form.id,
            "leak_test",
            fail("更换接头<script>alert(1)</script>"),
        )
        .unwrap();
    let photo = take_photo(store, camera, h.id, 7);
    store.attach_photo(form.id, "leak_test", photo).unwrap();
    store
        .answer(form.id, "hose_ok", fail("更换为金属波纹管"))
        .unwrap();
    store
        .answer(
            form.id,
            "hose_length",
            Some(Answer::Number("1.5".parse().unwrap())),
        )
        .unwrap();
    let signed = sealed - Duration::minutes(2);
    store
        .sign(
            form.id,
            "customer_signature",
            signature(SignerRole::Customer, "何<b>刚</b>", signed),
        )
        .unwrap();
    store
        .sign(
            form.id,
            "technician_signature",
            signature(SignerRole::Technician, "王师傅", signed),
        )
        .unwrap();
    store.complete_form(form.id, sealed).unwrap();
    form.id
}

/// A phone at 14:30 Beijing time on 7 December holding the inspection and a repair that
/// collected ¥59.00 in cash.
fn phone() -> (Phone, FormId, FormId) {
    let camera = tempfile::tempdir().unwrap();
    let (mut inspection, mut repair) = (None, None);
    let phone = Phone::enrolled(at(2026, 12, 7, 6, 30), |store| {
        let me = store.sync_state().unwrap().technician_id.unwrap();
        inspection = Some(inspected(store, camera.path()));
        let paid = charges(
            &[("灶前阀", 1, 3500), ("软管(米)", 2, 1200)],
            PaymentMethod::Cash,
            "R-0001",
            me,
        );
        repair = Some(seal(
            store,
            "repair_closing",
            &customer(),
            vec![("charges", Answer::Charges(paid))],
            at(2026, 12, 7, 6, 20),
        ));
    });
    (phone, inspection.unwrap(), repair.unwrap())
}

fn open(phone: &Phone, paper: &str, form: FormId) {
    phone.send(Event::OpenLink {
        link: format!("doorstep://copy/{paper}/{form}"),
    });
}

/// Presses `event` and reads the file the effect names.
fn written(phone: &Phone, event: CopyEvent) -> (Effect, String) {
    let update = phone.send(Event::Copy(event));
    assert_eq!(update.effects.len(), 1);
    let effect = update.effects[0].clone();
    let path = match &effect {
        Effect::Print { path, mime, .. } | Effect::Share { path, mime, .. } => {
            assert_eq!(mime, "text/html");
            path.clone()
        }
        other => panic!("expected print or share, got {other:?}"),
    };
    assert!(path.contains("/copies/"), "{path}");
    (effect, std::fs::read_to_string(path).unwrap())
}

/// No external resource: nothing is fetched when the file is opened or printed.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    for outside in [
        "http://",
        "https://",
        "src=\"/",
        "src=\"file",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(outside), "{outside} in the paper");
    }
    for tag in ["<script", "<b>", "</b>"] {
        assert!(!html.contains(tag), "an unescaped {tag} in the paper");
    }
}

#[test]
fn a_visit_report_is_one_self_contained_html_file_with_the_signatures_inside_and_every_value_escaped()
 {
    let (phone, inspection, _) = phone();
    open(&phone, "visit_report", inspection);
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.title, "上门服务记录");
    assert_eq!(screen.paper, Paper::VisitReport);
    assert_eq!(screen.problem, None);
    assert!(screen.print.enabled && screen.share.enabled);
    assert_eq!(screen.print.accessibility, "打印上门服务记录");
    assert_eq!(
        screen.description,
        "何<b>刚</b> · 2026-12-07 14:05 · 1 张照片 · 2 个签字"
    );
    assert_eq!(screen.file_name, format!("visit-report-{inspection}.html"));
    assert!(
        !screen.file_name.contains("何"),
        "no personal data in a file's name"
    );

    let (effect, html) = written(&phone, CopyEvent::Print);
    assert!(matches!(&effect, Effect::Print { title, .. } if title == "上门服务记录"));
    assert_self_contained(&html);
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("何&lt;b&gt;刚&lt;/b&gt;"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Both signatures drawn inside, the photo's thumbnail inside.
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 2);
    assert_eq!(html.matches("src=\"data:image/jpeg;base64,").count(), 1);
    assert!(html.contains("用户签字"));
    assert!(html.contains("服务人员签字"));
    assert!(html.contains("王师傅（T0427）"));
    assert!(html.contains("接口检漏"));
    assert!(html.contains("不合格"));
    assert!(html.contains("1.5 m"));
    assert!(html.contains("2026-12-07 14:05"));
    assert!(html.contains("本次发现隐患 2 项"));
    // The seal's digest, whole, to check the paper against the record.
    let digest = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .form(inspection)
        .unwrap()
        .seal
        .unwrap()
        .digest;
    assert!(html.contains(&digest));
    assert!(html.contains("@page{size:A4"));

    // Shared: the same file.
    let (effect, shared) = written(&phone, CopyEvent::Share);
    assert!(matches!(effect, Effect::Share { .. }));
    assert_eq!(shared, html);

    // In English the paper keeps its Chinese and puts English beside.
    phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.title, "Visit report");
    assert_eq!(screen.print.accessibility, "Print the Visit report");
    let (_, html) = written(&phone, CopyEvent::Print);
    assert_self_contained(&html);
    assert!(html.contains("用户签字 / Customer"));
    assert!(html.contains("不合格 / fail"));
}

#[test]
fn a_hazard_notice_lists_each_hazard_with_its_deadline_to_put_it_right() {
    let (phone, inspection, repair) = phone();
    open(&phone, "hazard_notice", inspection);
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.title, "隐患整改通知书");
    let hazards: Vec<_> = screen
        .summary
        .iter()
        .skip(3)
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        hazards,
        [
            ("接口检漏", "重大隐患，立即整改"),
            ("软管完好", "一般隐患，2027-01-06 前整改"),
        ]
    );
    let (_, html) = written(&phone, CopyEvent::Print);
    assert_self_contained(&html);
    assert!(html.contains("燃气安全隐患整改通知书"));
    assert!(html.contains("立即整改"));
    assert!(html.contains("2027年1月6日前"));
    assert!(html.contains("更换为金属波纹管"));
    // The leak's photo is its evidence, inside the notice.
    assert!(html.contains("隐患照片"));
    assert_eq!(html.matches("src=\"data:image/jpeg;base64,").count(), 1);
    assert!(html.contains("已当场停气"));
    assert!(html.contains("已安排复查"));
    assert!(html.contains("申请复查"));
    assert!(html.contains("严禁自行开启"));
    assert!(html.contains("一式两份"));
    assert!(html.contains("何&lt;b&gt;刚&lt;/b&gt;：经我公司安全检查人员入户检查"));

    phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.title, "Hazard rectification notice");
    assert_eq!(screen.summary[4].value, "general: by 2027-01-06");

    // A repair that found no hazard has no notice: said, and nothing to press.
    phone.send(Event::Back);
    open(&phone, "hazard_notice", repair);
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(
        screen.problem.as_deref(),
        Some("no hazard was found on this visit: there is no rectification notice")
    );
    assert!(!screen.print.enabled && !screen.share.enabled);
    match phone.app().handle(Event::Copy(CopyEvent::Print)) {
        Err(AppError::Core(e)) => assert!(e.to_string().contains("paper"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_fee_receipt_shows_the_lines_the_total_in_words_the_method_and_the_collector() {
    let (phone, inspection, repair) = phone();
    open(&phone, "receipt", repair);
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.title, "收费凭证");
    assert!(screen.description.ends_with("¥59.00 · 现金"));
    let (_, html) = written(&phone, CopyEvent::Share);
    assert_self_contained(&html);
    assert!(html.contains("@page{size:80mm auto"));
    assert!(html.contains("R-0001"));
    assert!(html.contains("灶前阀"));
    assert!(html.contains("¥12.00"));
    assert!(html.contains("¥24.00"));
    assert!(html.contains("¥59.00"));
    assert!(html.contains("人民币伍拾玖元整"));
    assert!(html.contains("现金"));
    assert!(html.contains("王师傅（T0427）"));

    // The inspection collected nothing: no receipt.
    phone.send(Event::Back);
    open(&phone, "receipt", inspection);
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(
        screen.problem.as_deref(),
        Some("这次上门没有收费，没有收费凭证")
    );
}

#[test]
fn a_form_not_sealed_or_not_on_the_phone_has_no_paper_yet() {
    let mut draft = None;
    let phone = Phone::enrolled(at(2026, 12, 7, 6, 30), |store| {
        let h = customer();
        store.save_household(&h, at(2026, 1, 1, 1, 0)).unwrap();
        store.receive_templates(&[hose_check()]).unwrap();
        let form = store
            .start_form(&hose_check(), h.id, None, at(2026, 12, 7, 6, 0))
            .unwrap();
        draft = Some(form.id);
    });
    open(&phone, "visit_report", draft.unwrap());
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(
        screen.problem.as_deref(),
        Some("表单签封后才能出具给用户的文件")
    );
    assert!(!screen.print.enabled);
    assert_eq!(
        screen.print.disabled_reason.as_deref(),
        Some("表单签封后才能出具给用户的文件")
    );
    phone.send(Event::Back);
    open(&phone, "receipt", FormId::new());
    let screen = on_screen!(phone.screen(), Copy);
    assert_eq!(screen.problem.as_deref(), Some("本机没有这份表单"));
}
