//! The Signature screen: strokes in, a preview drawn by the core, clear, accept, and the
//! screen kept on while it is open.

use doorstep_core::app::screens::form::{FormEvent, FormItemKind};
use doorstep_core::app::screens::signature::{InkPoint, SignatureEvent};
use doorstep_core::app::{AppError, Effect, Event, NoticeKind};
use doorstep_core::error::Error;
use doorstep_core::text::Lang;

use super::form::{form, form_screen, ink, item, on_form};
use crate::on_screen;

fn pad(phone: &super::Phone, event: SignatureEvent) -> doorstep_core::app::Update {
    phone.send(Event::Signature(event))
}

#[test]
fn the_customer_signs_on_the_pad_and_the_form_shows_the_signature() {
    let (phone, id, _) = on_form("residential_inspection");
    let opened = form(
        &phone,
        FormEvent::Sign {
            item: "customer_signature".into(),
        },
    );
    assert_eq!(opened.effects, vec![Effect::KeepScreenOn { on: true }]);
    let screen = on_screen!(opened.screen, Signature);
    assert_eq!(screen.title, "用户签名");
    assert_eq!(screen.role, "用户");
    assert_eq!(screen.signer_name, "钱秀英");
    assert_eq!(screen.pad_hint, "请用户在此处签字");
    assert!(screen.statement.unwrap().starts_with("用户签名确认"));
    assert!(screen.keep_screen_on);
    assert_eq!(screen.preview_path, None);
    assert!(!screen.accept.enabled);
    assert_eq!(
        screen.accept.disabled_reason.as_deref(),
        Some("签名为空：请签字人签名")
    );
    assert!(!screen.clear.enabled);

    // A dot is not a signature yet.
    let dotted = pad(
        &phone,
        SignatureEvent::Stroke {
            points: vec![InkPoint {
                x: 50.0,
                y: 50.0,
                t_ms: 0,
                pressure: Some(0.5),
            }],
        },
    );
    let screen = on_screen!(dotted.screen, Signature);
    assert_eq!(
        screen.accept.disabled_reason.as_deref(),
        Some("签名只有一个点：请签字人签名")
    );
    assert!(screen.clear.enabled);

    let drawn = on_screen!(
        pad(&phone, SignatureEvent::Stroke { points: ink() }).screen,
        Signature
    );
    assert_eq!((drawn.strokes, drawn.points), (2, 4));
    assert!(drawn.accept.enabled);
    let preview = drawn.preview_path.clone().unwrap();
    let png = std::fs::read(&preview).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    phone.send(Event::SetLanguage { lang: Lang::En });
    let english = on_screen!(phone.screen(), Signature);
    assert_eq!(english.accept.label, "Accept");
    assert_eq!(english.pad_hint, "Customer: sign here");
    phone.send(Event::SetLanguage { lang: Lang::Zh });

    let accepted = pad(&phone, SignatureEvent::Accept);
    assert_eq!(accepted.effects, vec![Effect::KeepScreenOn { on: false }]);
    let notice = accepted.screen.notice.clone().unwrap();
    assert_eq!(
        (notice.text.as_str(), notice.kind),
        ("已签名", NoticeKind::Done)
    );
    let screen = on_screen!(accepted.screen, Form);
    let signed = item(&screen, "customer_signature");
    assert!(signed.value.unwrap().starts_with("钱秀英 已签 今天"));
    assert!(signed.problems.is_empty());
    assert!(
        matches!(signed.kind, FormItemKind::Signature { signed_by: Some(ref who), .. } if who == "钱秀英")
    );
    let store = phone.app().store();
    let kept = store.lock().unwrap().form(id).unwrap();
    assert_eq!(
        kept.signatures["customer_signature"].capture.strokes.len(),
        2
    );
}

#[test]
fn clearing_starts_again_and_leaving_lets_the_screen_sleep() {
    let (phone, _, _) = on_form("residential_inspection");
    form(
        &phone,
        FormEvent::Sign {
            item: "technician_signature".into(),
        },
    );
    assert_eq!(on_screen!(phone.screen(), Signature).signer_name, "王师傅");
    pad(&phone, SignatureEvent::Stroke { points: ink() });
    let first = on_screen!(phone.screen(), Signature).preview_path.unwrap();
    let cleared = on_screen!(pad(&phone, SignatureEvent::Clear).screen, Signature);
    assert_eq!((cleared.strokes, cleared.points), (0, 0));
    assert!(!cleared.accept.enabled);
    assert_eq!(cleared.preview_path, None);
    let mut other = ink();
    for p in &mut other {
        p.y += 30.0;
    }
    pad(&phone, SignatureEvent::Stroke { points: other });
    let second = on_screen!(phone.screen(), Signature).preview_path.unwrap();
    assert_ne!(first, second);
    assert!(
        !std::path::Path::new(&first).exists(),
        "an earlier preview is removed"
    );

    let back = phone.send(Event::Back);
    assert_eq!(back.effects, vec![Effect::KeepScreenOn { on: false }]);
    let screen = on_screen!(back.screen, Form);
    assert!(
        item(&screen, "technician_signature").value.is_none(),
        "nothing signed"
    );

    form(
        &phone,
        FormEvent::Sign {
            item: "technician_signature".into(),
        },
    );
    let cancelled = pad(&phone, SignatureEvent::Cancel);
    assert_eq!(cancelled.effects, vec![Effect::KeepScreenOn { on: false }]);
    on_screen!(cancelled.screen, Form);

    // A notification tapped during a signature leaves it too.
    form(
        &phone,
        FormEvent::Sign {
            item: "technician_signature".into(),
        },
    );
    let linked = phone.send(Event::OpenLink {
        link: "doorstep://sync".into(),
    });
    assert!(linked.effects.contains(&Effect::KeepScreenOn { on: false }));
}

#[test]
fn a_witness_without_a_name_cannot_sign_and_a_point_off_any_screen_is_refused() {
    let (phone, _, _) = on_form("shut_off");
    form(
        &phone,
        FormEvent::Sign {
            item: "witness_signature".into(),
        },
    );
    pad(&phone, SignatureEvent::Stroke { points: ink() });
    let screen = on_screen!(phone.screen(), Signature);
    assert_eq!(screen.signer_name, "");
    assert!(!screen.accept.enabled);
    assert!(screen.accept.disabled_reason.is_some());
    let refused = phone.app().handle(Event::Signature(SignatureEvent::Accept));
    assert!(matches!(refused, Err(AppError::Core(Error::Invalid(_)))));

    let before = phone.screen();
    let off = phone.app().handle(Event::Signature(SignatureEvent::Stroke {
        points: vec![InkPoint {
            x: f32::NAN,
            y: 1.0,
            t_ms: 5,
            pressure: None,
        }],
    }));
    match off {
        Err(AppError::Core(Error::Invalid(e))) => {
            assert_eq!(e.reason_zh, "有点超出了屏幕范围");
            assert_eq!(e.reason, "a point lies outside any screen");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(phone.screen(), before);

    pad(
        &phone,
        SignatureEvent::Name {
            text: "李见证".into(),
        },
    );
    let screen = on_screen!(phone.screen(), Signature);
    assert!(screen.accept.enabled);
    let back = pad(&phone, SignatureEvent::Accept);
    let signed = item(&on_screen!(back.screen, Form), "witness_signature");
    assert!(signed.value.unwrap().starts_with("李见证"));
    let _ = form_screen(&phone);
}
