//! The water heater's fault: the user moves the appointment by phone, the crew member comes
//! inside the new window, repairs it with a part and the labour paid by WeChat Pay, shares the
//! receipt, and the Fees screen says what to hand in.

use chrono::Duration;
use doorstep_core::app::screens::actions::{ActionEvent, ActionField};
use doorstep_core::app::screens::copy::{CopyEvent, Paper};
use doorstep_core::app::screens::form::{FormChargeLine, FormCheckMark, FormEvent};
use doorstep_core::app::screens::order::OrderEvent;
use doorstep_core::app::screens::today::TodayEvent;
use doorstep_core::app::{Effect, Event, NoticeKind, Screen};
use doorstep_core::fees::PaymentMethod;

use super::form::{self, Given};
use super::screens::{
    begin, check_in, home, met_in_time, on_order, open_order, press, resolved_already,
};
use super::{EQUIPMENT_CHARGES, appointment, collected_fen, open_closing_form, resolved, yuan};
use crate::demo::phone::DemoPhone;
use crate::demo::world::hm;
use crate::demo::{Day, DemoResult};

/// 11:00, still offline: the user of the water heater calls to move the 14:00–16:00 visit to
/// 15:00–17:00; the crew member records the change the user agreed to.
pub fn equipment_rebooked(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.equipment_fault;
    let order = open_order(phone, id)?;
    let window = appointment(&order);
    if window.contains("15:00") && window.contains("17:00") {
        // Moved in a run that stopped before the journal kept this scene.
        return Ok(());
    }
    if !appointment(&order).contains("14:00") {
        return Err(day.script("the order does not show its 14:00 appointment"));
    }
    let opened = press(phone, OrderEvent::ChangeAppointment)?;
    if !matches!(opened.screen.body, Screen::Action(_)) {
        return Err(phone.unexpected("the appointment's change", &opened.screen));
    }
    let act = |event| phone.send(Event::Action(event));
    act(ActionEvent::SetTime {
        field: ActionField::WindowFrom,
        at: day.at(hm(15, 0)),
    })?;
    act(ActionEvent::SetTime {
        field: ActionField::WindowTo,
        at: day.at(hm(17, 0)),
    })?;
    act(ActionEvent::Choose {
        field: ActionField::AgreedBy,
        choice: "user".into(),
    })?;
    let done = act(ActionEvent::Submit)?;
    if done.screen.notice.as_ref().map(|n| n.kind) != Some(NoticeKind::Done) {
        return Err(day.script("the new appointment was not recorded"));
    }
    let order = on_order(phone)?;
    let window = appointment(&order);
    if !(window.contains("15:00") && window.contains("17:00") && window.contains("用户本人")) {
        return Err(day.script("the order does not show the new window agreed by the user"));
    }
    Ok(())
}

pub fn equipment_on_the_way(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    open_order(phone, day.world.cast.equipment_fault)?;
    press(phone, OrderEvent::OnTheWay)?;
    Ok(())
}

/// 15:20, inside the new window: the water heater repaired, a part and the labour collected by
/// WeChat Pay with a receipt, the receipt shared with the user; the Fees screen then lists the
/// collection and what to hand in.
pub fn equipment_repair(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.equipment_fault;
    if resolved_already(phone, id)? {
        return Ok(());
    }
    open_order(phone, id)?;
    let order = check_in(phone, day.world, day.world.order(id).household_id)?;
    met_in_time(phone, &order, "到场")?;
    open_closing_form(phone, "维修工单完工单")?;
    form::answer(
        phone,
        vec![
            ("arrived_at", Given::At(day.now)),
            ("fault_category", Given::Choose("water_heater")),
            (
                "fault_found",
                Given::Type("热水器点火针积碳、位置偏移，打火无火花".into()),
            ),
            ("photos_before", Given::Photos(1)),
        ],
    )?;
    phone.move_clock_to(day.now + Duration::minutes(25));
    let receipt = format!("R-{}-001", day.date.format("%Y%m%d"));
    form::answer(
        phone,
        vec![
            ("repair_result", Given::Choose("repaired")),
            ("cause", Given::Type("点火针老化积碳".into())),
            (
                "work_done",
                Given::Type("更换点火针，调整点火间隙，试火十次均正常点燃".into()),
            ),
            ("parts_used", Given::Type("热水器点火针 1个".into())),
            ("test_after_repair", Given::Check(FormCheckMark::Pass)),
            ("leak_detector_lel", Given::Type("0".into())),
            ("photos_after", Given::Photos(1)),
            ("completed_at", Given::At(phone.now())),
            (
                "charge_note",
                Given::Type("更换点火针及上门人工，按公示价格收费".into()),
            ),
            (
                "charges",
                Given::Charges {
                    lines: EQUIPMENT_CHARGES
                        .iter()
                        .map(|(item, quantity, unit_price_fen)| FormChargeLine {
                            item: (*item).to_owned(),
                            quantity: *quantity,
                            unit_price_fen: *unit_price_fen,
                        })
                        .collect(),
                    method: PaymentMethod::WechatPay,
                    receipt: receipt.clone(),
                },
            ),
        ],
    )?;
    form::answer_the_rest(phone, day.world.seed ^ 0x1520)?;
    phone.move_clock_to(day.now + Duration::minutes(30));
    let sealed = form::seal(phone)?;
    let copies = sealed.sealed.map(|s| s.copies).unwrap_or_default();
    if !copies.iter().any(|c| c.paper == Paper::Receipt) {
        return Err(day.script("the sealed form offers no receipt"));
    }
    share_the_receipt(day, phone)?;

    let order = resolved(phone)?;
    let total = yuan(collected_fen());
    if order.charges_total.as_deref() != Some(format!("合计 {total}").as_str()) {
        return Err(day.script("the order does not show what was charged"));
    }
    home(phone)?;
    let fees = phone.send(Event::Today(TodayEvent::OpenFees))?;
    let Screen::Fees(fees) = fees.screen.body else {
        return Err(phone.unexpected("the Fees screen", &fees.screen));
    };
    let listed = fees
        .collections
        .iter()
        .any(|c| c.receipt.contains(&receipt));
    let hand_in: Vec<(&str, &str)> = fees
        .hand_in
        .iter()
        .map(|t| (t.method.as_str(), t.amount.as_str()))
        .collect();
    if !listed || hand_in != [("微信支付", total.as_str())] {
        return Err(day.script(format!(
            "the Fees screen lists {} collections and {hand_in:?} to hand in",
            fees.collections.len()
        )));
    }
    Ok(())
}

/// The receipt opened from the sealed form and shared with the user's phone.
pub fn share_the_receipt(day: &Day<'_>, phone: &DemoPhone) -> DemoResult<()> {
    let opened = phone.send(Event::Form(FormEvent::OpenCopy {
        paper: Paper::Receipt,
    }))?;
    let Screen::Copy(copy) = opened.screen.body else {
        return Err(phone.unexpected("the receipt", &opened.screen));
    };
    if let Some(problem) = copy.problem {
        return Err(day.script(format!("no receipt: {problem}")));
    }
    let shared = phone.send(Event::Copy(CopyEvent::Share))?;
    let path = shared.effects.iter().find_map(|e| match e {
        Effect::Share { path, .. } => Some(path.clone()),
        _ => None,
    });
    let written = path
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| m.len() > 0);
    if !written {
        return Err(day.script("Share wrote no receipt for the share sheet"));
    }
    phone.send(Event::Back)?;
    Ok(())
}
