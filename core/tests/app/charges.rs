//! Fees charged on site, entered on the repair-closing form's `charges` item through the Form
//! screen's events (found by the Kotlin day, bindings/kotlin AppDayTest: a repair closed with a
//! charge had no event to enter it).

use doorstep_core::Error;
use doorstep_core::app::screens::form::FormEvent;
use doorstep_core::app::screens::order::OrderEvent;
use doorstep_core::app::{AppError, Effect, Event};
use doorstep_core::fees::PaymentMethod;
use doorstep_core::forms::form::Answer;
use doorstep_core::workorder::WorkOrderKind;

use super::Phone;
use super::household::{me, morning, order, wang};

fn charges_item(phone: &Phone) -> doorstep_core::app::screens::form::FormItem {
    let form = crate::on_screen!(phone.app().screen().unwrap(), Form);
    form.sections
        .into_iter()
        .flat_map(|s| s.items)
        .find(|i| i.id == "charges")
        .expect("the repair-closing form shows its charges")
}

#[test]
fn a_repair_crew_charges_a_valve_at_the_published_price_on_the_closing_form_with_its_receipt() {
    let h = wang();
    let mut fault = None;
    let phone = Phone::enrolled(morning(), |s| {
        s.receive_households(std::slice::from_ref(&h)).unwrap();
        let o = order(&h, WorkOrderKind::PipelineFault, morning(), me(s));
        s.receive_work_orders(std::slice::from_ref(&o)).unwrap();
        fault = Some(o);
    });
    let fault = fault.unwrap();
    phone.send(Event::OpenLink {
        link: format!("doorstep://order/{}", fault.id),
    });
    phone.send(Event::Order(OrderEvent::Accept));
    let asked = phone.send(Event::Order(OrderEvent::CheckIn));
    let Some(Effect::Locate { request, .. }) = asked.effects.first().cloned() else {
        panic!("no position asked");
    };
    phone.send(Event::Located {
        request,
        lat: 30.27,
        lon: 120.15,
        accuracy_m: 10.0,
    });
    phone.send(Event::Order(OrderEvent::Close));
    assert!(charges_item(&phone).problems.is_empty());

    // A negative price is refused naming the item: the screen and the store unchanged.
    let before = phone.app().screen().unwrap();
    let refused = phone.app().handle(Event::Form(FormEvent::AddCharge {
        item: "charges".into(),
        name: "更换灶前阀".into(),
        quantity: 1,
        unit_price_fen: -3500,
    }));
    match refused {
        Err(AppError::Core(Error::Invalid(e))) => {
            assert_eq!(e.field, "charges");
            assert!(!e.reason.is_empty() && !e.reason_zh.is_empty());
        }
        other => panic!("a negative price was not refused: {other:?}"),
    }
    assert_eq!(phone.app().screen().unwrap(), before);

    // The line, then how it was paid: until then the item says what is missing.
    phone.send(Event::Form(FormEvent::AddCharge {
        item: "charges".into(),
        name: "更换灶前阀".into(),
        quantity: 1,
        unit_price_fen: 3500,
    }));
    let wanting = charges_item(&phone);
    assert!(
        wanting.problems.iter().any(|p| p.contains("收费方式")),
        "{:?}",
        wanting.problems
    );
    phone.send(Event::Form(FormEvent::PayCharges {
        item: "charges".into(),
        method: PaymentMethod::Cash,
        receipt: " R-7 ".into(),
    }));
    assert!(charges_item(&phone).problems.is_empty());

    let forms = phone
        .app()
        .store()
        .lock()
        .unwrap()
        .forms_of_household(fault.household_id.unwrap())
        .unwrap();
    let Some(Answer::Charges(charges)) = forms[0].answers.get("charges") else {
        panic!("no charges stored");
    };
    assert_eq!(charges.total_fen(), Some(3500));
    assert_eq!(charges.method, Some(PaymentMethod::Cash));
    assert_eq!(charges.receipt.as_deref(), Some("R-7"));

    // An item that is not a charges item is refused.
    let wrong = phone.app().handle(Event::Form(FormEvent::PayCharges {
        item: "cause".into(),
        method: PaymentMethod::Cash,
        receipt: "R-8".into(),
    }));
    assert!(matches!(wrong, Err(AppError::Core(Error::Invalid(e))) if e.field == "cause"));
}
