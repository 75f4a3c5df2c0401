//! The process killed in the middle of a form (Android does it to background apps, and often
//! while the camera is open): opened again, the app shows the same screen with the same input,
//! and the camera's answer still lands in its slot.

use doorstep_core::app::Event;
use doorstep_core::app::screens::form::{FormEvent, FormItemKind};
use doorstep_core::app::screens::signature::SignatureEvent;

use super::form::{camera_writes, form, form_screen, ink, item, on_form, take_photo};
use crate::on_screen;

#[test]
fn a_form_half_filled_with_the_camera_open_and_a_signature_half_drawn_survives_the_process_being_killed()
 {
    let (mut phone, id, _) = on_form("residential_inspection");
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
    let (request, path) = take_photo(&phone, "site_photos");
    form(
        &phone,
        FormEvent::Sign {
            item: "customer_signature".into(),
        },
    );
    phone.send(Event::Signature(SignatureEvent::Stroke { points: ink() }));
    let before = phone.screen();
    let drawn = on_screen!(before.clone(), Signature);
    assert_eq!(drawn.strokes, 1);

    // Killed while the camera was open; the camera writes its file meanwhile.
    phone.app.take();
    camera_writes(&path);
    phone.reopen();

    let after = phone.screen();
    assert_eq!(
        after, before,
        "the same signature screen with the same strokes"
    );
    assert!(after.can_go_back);

    // The camera's answer reaches the form below, where it was asked.
    phone.send(Event::PhotoTaken { request });
    assert!(!std::path::Path::new(&path).exists());
    let signed = phone.send(Event::Signature(SignatureEvent::Accept));
    let screen = on_screen!(signed.screen, Form);
    assert_eq!(item(&screen, "site_photos").photos.len(), 1);
    let lel = item(&screen, "leak_detector_lel");
    assert!(matches!(&lel.kind, FormItemKind::Number { typed, .. } if typed == "12."));
    assert_eq!(lel.message.as_deref(), Some("请用数字填写，最多一个小数点"));
    assert!(item(&screen, "customer_signature").value.is_some());

    // Killed again on the form: the half-typed number is still there.
    phone.reopen();
    let again = form_screen(&phone);
    assert_eq!(again, form_screen(&phone));
    let lel = item(&again, "leak_detector_lel");
    assert!(matches!(&lel.kind, FormItemKind::Number { typed, .. } if typed == "12."));
    assert_eq!(
        again.seal.disabled_reason.as_deref(),
        Some("有未填完的数字")
    );
    let store = phone.app().store();
    let kept = store.lock().unwrap().form(id).unwrap();
    assert_eq!(kept.photos["site_photos"].len(), 1);
    assert!(kept.signatures.contains_key("customer_signature"));
}

/// A repair technician is typing the fees collected when Android kills the app: opened again,
/// the charge line half typed ("35.") is still there with its problem, Seal still waits for it,
/// and finishing it counts the money once.
#[test]
fn a_charge_half_typed_survives_the_process_being_killed_and_is_counted_once_finished() {
    use doorstep_core::app::screens::form::ChargeField;
    let (mut phone, id, _) = on_form("repair_closing");
    form(
        &phone,
        FormEvent::ChargeAdd {
            item: "charges".into(),
        },
    );
    for (field, text) in [
        (ChargeField::Item, "更换灶前阀"),
        (ChargeField::UnitPrice, "35."),
    ] {
        form(
            &phone,
            FormEvent::ChargeEdit {
                item: "charges".into(),
                index: 0,
                field,
                text: text.into(),
            },
        );
    }
    let before = form_screen(&phone);

    phone.reopen();
    let after = form_screen(&phone);
    assert_eq!(after, before, "the same form with the same charge line");
    let FormItemKind::Charges { lines, .. } = item(&after, "charges").kind else {
        panic!("not a charges item")
    };
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].item, "更换灶前阀");
    assert_eq!(lines[0].unit_price, "35.");
    assert!(lines[0].problem.is_some());
    assert_eq!(
        after.seal.disabled_reason.as_deref(),
        Some("有未填完的收费")
    );

    form(
        &phone,
        FormEvent::ChargeEdit {
            item: "charges".into(),
            index: 0,
            field: ChargeField::UnitPrice,
            text: "35".into(),
        },
    );
    let store = phone.app().store();
    let kept = store.lock().unwrap().form(id).unwrap();
    let Some(doorstep_core::forms::form::Answer::Charges(charges)) = kept.answers.get("charges")
    else {
        panic!("no charges stored")
    };
    assert_eq!(charges.lines.len(), 1);
    assert_eq!(charges.total_fen(), Some(3500));
}
