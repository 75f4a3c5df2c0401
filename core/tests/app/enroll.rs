//! The Enroll screen without a server: fields checked before any request, a QR code read,
//! the enrollment handed to the shell's worker, a server that cannot be reached. (Enrolling
//! for real is in the server's tests: server/tests/app_sync.rs.)

use doorstep_core::app::screens::enroll::EnrollEvent;
use doorstep_core::app::{Effect, Event, Symbology};
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::at;
use crate::on_screen;

fn fresh() -> Phone {
    Phone::fresh(at(2026, 12, 7, 1, 0))
}

fn type_in(phone: &Phone, server: &str, code: &str) {
    phone.send(Event::Enroll(EnrollEvent::SetServer {
        text: server.into(),
    }));
    phone.send(Event::Enroll(EnrollEvent::SetCode { text: code.into() }));
}

#[test]
fn a_new_phone_asks_for_the_server_and_the_code_and_submit_waits_for_both() {
    let phone = fresh();
    let enroll = on_screen!(phone.screen(), Enroll);
    assert_eq!(enroll.title, "登记本机");
    assert_eq!(enroll.server.label, "服务器地址");
    assert_eq!(enroll.code.label, "登记码");
    assert!(!enroll.submit.enabled);
    assert_eq!(
        enroll.submit.disabled_reason.as_deref(),
        Some("请填写服务器地址和登记码")
    );
    phone.send(Event::SetLanguage { lang: Lang::En });
    let enroll = on_screen!(phone.screen(), Enroll);
    assert_eq!(enroll.title, "Enroll this phone");
    assert_eq!(enroll.server.accessibility, "Server address: empty");
}

#[test]
fn a_wrong_address_is_said_beside_its_field_and_nothing_is_sent() {
    let phone = fresh();
    type_in(&phone, "gas.example.cn", "AB12CD34");
    let update = phone.send(Event::Enroll(EnrollEvent::Submit));
    assert!(update.effects.is_empty(), "{:?}", update.effects);
    let enroll = on_screen!(update.screen, Enroll);
    assert_eq!(
        enroll.server.problem.as_deref(),
        Some("必须是 http:// 或 https:// 开头的地址")
    );
    assert!(enroll.code.problem.is_none());
    assert!(enroll.progress.is_none());
    // Typing again clears the problem.
    let update = phone.send(Event::Enroll(EnrollEvent::SetServer {
        text: "https://gas.example.cn".into(),
    }));
    assert!(on_screen!(update.screen, Enroll).server.problem.is_none());
}

#[test]
fn a_scanned_enrollment_qr_code_fills_the_server_and_the_code() {
    let phone = fresh();
    let update = phone.send(Event::Enroll(EnrollEvent::Scan));
    let Some(Effect::Scan { request, kinds, .. }) = update.effects.first().cloned() else {
        panic!("no scan asked: {:?}", update.effects);
    };
    assert_eq!(kinds, [Symbology::Qr]);
    let update = phone.send(Event::Scanned {
        request,
        text: "doorstep://enroll?server=https%3A%2F%2Fgas.example.cn&code=AB12-CD34".into(),
    });
    let enroll = on_screen!(update.screen, Enroll);
    assert_eq!(enroll.server.value, "https://gas.example.cn");
    assert_eq!(enroll.code.value, "AB12-CD34");
    assert!(enroll.submit.enabled);

    // A code that is not an enrollment one is said, and the fields stay.
    let Some(Effect::Scan { request, .. }) = phone
        .send(Event::Enroll(EnrollEvent::Scan))
        .effects
        .first()
        .cloned()
    else {
        panic!("no scan asked");
    };
    let update = phone.send(Event::Scanned {
        request,
        text: "https://example.com/promo".into(),
    });
    assert_eq!(
        update.screen.notice.unwrap().text,
        "这不是登记二维码，请扫描服务中心提供的二维码"
    );
    assert_eq!(on_screen!(update.screen, Enroll).code.value, "AB12-CD34");
}

#[test]
fn submitting_hands_the_enrollment_to_a_worker_and_the_screen_shows_progress() {
    let phone = fresh();
    type_in(&phone, "http://127.0.0.1:9", "AB12CD34");
    let update = phone.send(Event::Enroll(EnrollEvent::Submit));
    assert_eq!(update.effects, [Effect::RunEnrollment]);
    let enroll = on_screen!(update.screen, Enroll);
    assert_eq!(enroll.progress.as_deref(), Some("正在登记…"));
    assert!(!enroll.submit.enabled);
    assert!(!enroll.scan.enabled);
    // Typing while it enrolls is refused with a word, the input unchanged.
    let update = phone.send(Event::Enroll(EnrollEvent::SetCode { text: "X".into() }));
    assert_eq!(update.screen.notice.unwrap().text, "正在登记，请稍候");
    // Nobody listens on port 9: the worker's enrollment says so over the screen.
    let done = phone.app().run_enrollment().unwrap();
    assert!(done.effects.is_empty());
    let enroll = on_screen!(done.screen, Enroll);
    assert!(enroll.progress.is_none());
    assert_eq!(
        enroll.message.as_deref(),
        Some("无法连接服务器：请检查网络和服务器地址后重试")
    );
    assert_eq!(enroll.code.value, "AB12CD34");
    assert!(enroll.submit.enabled);
}

#[test]
fn an_enrollment_the_shell_runs_twice_or_without_submit_changes_nothing() {
    let phone = fresh();
    let before = phone.screen();
    let update = phone.app().run_enrollment().unwrap();
    assert_eq!(update.screen, before);
    assert!(update.effects.is_empty());
}

#[test]
fn what_was_typed_survives_the_process_being_killed() {
    let mut phone = fresh();
    type_in(&phone, "https://gas.example.cn", "AB12CD34");
    phone.reopen();
    let enroll = on_screen!(phone.screen(), Enroll);
    assert_eq!(enroll.server.value, "https://gas.example.cn");
    assert_eq!(enroll.code.value, "AB12CD34");
}

#[test]
fn a_phone_killed_right_after_enrolling_reopens_on_today() {
    let mut phone = fresh();
    type_in(&phone, "https://gas.example.cn", "AB12CD34");
    // The enrollment reached the store, the process died before the app's state was saved.
    phone.app.take();
    let mut store = doorstep_core::store::Store::open(
        phone.dir.path().join("doorstep.db"),
        &crate::common::key(),
    )
    .unwrap();
    store
        .set_enrollment("https://gas.example.cn", "credential", &phone.technician)
        .unwrap();
    drop(store);
    phone.reopen();
    assert!(super::is_today(&phone.screen()));
}
