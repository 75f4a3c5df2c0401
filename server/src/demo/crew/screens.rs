//! The crew member's taps through the app: back to Today, a line of Today opened, a button of
//! the work order pressed (only when the screen shows it enabled), a check-in where the
//! household is, a notification tapped, a sync and what Today says after it. Each step checks
//! what the screen shows and fails with the scene's name when it is not what a crew member
//! would see.

use doorstep_core::app::screens::order::{OrderEvent, WorkOrderScreen};
use doorstep_core::app::screens::parts::Countdown;
use doorstep_core::app::screens::today::{TodayEvent, TodayScreen};
use doorstep_core::app::{Event, NoticeKind, Screen};
use doorstep_core::ids::{HouseholdId, WorkOrderId};

use crate::demo::phone::DemoPhone;
use crate::demo::world::World;
use crate::demo::{Day, DemoResult};

/// Back to Today, as the crew member does between jobs.
pub fn home(phone: &DemoPhone) -> DemoResult<TodayScreen> {
    for _ in 0..12 {
        let screen = phone.screen()?;
        match screen.body {
            Screen::Today(today) => return Ok(today),
            _ if screen.can_go_back => {
                phone.send(Event::Back)?;
            }
            _ => return Err(phone.unexpected("a screen Back leads to Today from", &screen)),
        }
    }
    Err(phone.script("Back never reached Today"))
}

/// One sync, then Today: the sync must have gone through with nothing refused.
pub fn sync(phone: &DemoPhone) -> DemoResult<TodayScreen> {
    phone.sync()?;
    let today = home(phone)?;
    if let Some(failure) = &today.sync.failure {
        return Err(phone.script(format!("the sync failed: {failure}")));
    }
    if today.sync.refused_count > 0 {
        return Err(phone.script(format!(
            "the server refused {} of the phone's changes",
            today.sync.refused_count
        )));
    }
    Ok(today)
}

/// The order opened from its line on Today (the line must be there).
pub fn open_order(phone: &DemoPhone, id: WorkOrderId) -> DemoResult<WorkOrderScreen> {
    let today = home(phone)?;
    let id = id.to_string();
    if !today
        .lines
        .iter()
        .any(|l| l.order_id.as_deref() == Some(id.as_str()))
    {
        return Err(phone.script("the order is not on Today's list"));
    }
    let opened = phone.send(Event::Today(TodayEvent::OpenOrder { id }))?;
    order_shown(phone, &opened.screen)
}

/// The order a notification of this phone links to, opened by tapping the notification.
pub fn tap_notification(phone: &DemoPhone, id: WorkOrderId) -> DemoResult<WorkOrderScreen> {
    let link = format!("doorstep://order/{id}");
    let notified = phone
        .notifications
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .any(|(_, _, l)| *l == link);
    if !notified {
        return Err(phone.script("the sync brought no notification of the urgent order"));
    }
    let opened = phone.send(Event::OpenLink { link })?;
    order_shown(phone, &opened.screen)
}

fn order_shown(
    phone: &DemoPhone,
    screen: &doorstep_core::app::ScreenState,
) -> DemoResult<WorkOrderScreen> {
    match &screen.body {
        Screen::WorkOrder(order) if order.missing.is_none() => Ok(order.clone()),
        Screen::WorkOrder(_) => Err(phone.script("the order is not on this phone")),
        _ => Err(phone.unexpected("the work order", screen)),
    }
}

/// The work order shown now.
pub fn on_order(phone: &DemoPhone) -> DemoResult<WorkOrderScreen> {
    let screen = phone.screen()?;
    order_shown(phone, &screen)
}

/// Presses a button of the work order shown: it must be there and enabled; a step (accept,
/// on the way, check in) must end with the app's Done notice.
pub fn press(phone: &DemoPhone, event: OrderEvent) -> DemoResult<doorstep_core::app::Update> {
    let order = on_order(phone)?;
    let button = order
        .actions
        .iter()
        .find(|b| b.event == event)
        .ok_or_else(|| phone.script(format!("the order has no button {event:?}")))?;
    if !button.action.enabled && already_taken(&order, &event) {
        // A run stopped after this step and before the journal kept its scene: the phone
        // took it then, and does not take it twice.
        return phone.send(Event::Order(OrderEvent::Refresh));
    }
    if !button.action.enabled {
        return Err(phone.script(format!(
            "the button {event:?} is disabled: {}",
            button.action.disabled_reason.clone().unwrap_or_default()
        )));
    }
    let update = phone.send(Event::Order(event.clone()))?;
    let steps = [
        OrderEvent::Accept,
        OrderEvent::OnTheWay,
        OrderEvent::CheckIn,
    ];
    if steps.contains(&event) {
        let done = update
            .screen
            .notice
            .as_ref()
            .is_some_and(|n| n.kind == NoticeKind::Done);
        if !done {
            return Err(phone.script(format!(
                "{event:?} did not go through: {}",
                update
                    .screen
                    .notice
                    .as_ref()
                    .map(|n| n.text.clone())
                    .unwrap_or_default()
            )));
        }
    }
    Ok(update)
}

/// The order has gone past `event`'s step already (accepted, on the way, on site).
fn already_taken(order: &WorkOrderScreen, event: &OrderEvent) -> bool {
    use doorstep_core::workorder::WorkOrderStatus as S;
    let step = match event {
        OrderEvent::Accept => S::Accepted,
        OrderEvent::OnTheWay => S::EnRoute,
        OrderEvent::CheckIn => S::OnSite,
        _ => return false,
    };
    let shown = status(order);
    [S::Accepted, S::EnRoute, S::OnSite, S::Resolved]
        .iter()
        .any(|s| s.rank() >= step.rank() && s.label().zh == shown)
}

/// The order is resolved on this phone: a scene that ends by resolving it was played in a
/// run that stopped before the journal kept it.
pub fn resolved_already(phone: &DemoPhone, id: WorkOrderId) -> DemoResult<bool> {
    let link = format!("doorstep://order/{id}");
    let opened = phone.send(Event::OpenLink { link })?;
    let order = order_shown(phone, &opened.screen)?;
    phone.send(Event::Back)?;
    Ok(status(&order)
        == doorstep_core::workorder::WorkOrderStatus::Resolved
            .label()
            .zh)
}

/// Checks in on site for the order shown, standing at the door of `household`.
pub fn check_in(
    phone: &DemoPhone,
    world: &World,
    household: Option<HouseholdId>,
) -> DemoResult<WorkOrderScreen> {
    phone.stand_at(household.and_then(|h| world.household(h).location));
    press(phone, OrderEvent::CheckIn)?;
    on_order(phone)
}

/// The order's countdown labelled `label` ("到场处置", "修复", "到场", "回访").
pub fn countdown<'a>(
    phone: &DemoPhone,
    order: &'a WorkOrderScreen,
    label: &str,
) -> DemoResult<&'a Countdown> {
    order
        .countdowns
        .iter()
        .find(|c| c.label == label)
        .ok_or_else(|| phone.script(format!("the order shows no countdown {label}")))
}

/// The order's countdown `label` is met in time: on time, not late.
pub fn met_in_time(phone: &DemoPhone, order: &WorkOrderScreen, label: &str) -> DemoResult<()> {
    let c = countdown(phone, order, label)?;
    if !c.met || c.level != doorstep_core::app::Level::OnTime {
        return Err(phone.script(format!(
            "the deadline {label} is not met in time: {}",
            c.remaining
        )));
    }
    Ok(())
}

/// The order's status as its facts say it ("已到场", "已处理完毕"...).
pub fn status(order: &WorkOrderScreen) -> String {
    order
        .facts
        .iter()
        .find(|f| f.label == "状态")
        .map(|f| f.value.clone())
        .unwrap_or_default()
}

/// The scene's start, for the phone and its errors.
pub fn begin<'p>(day: &Day<'p>) -> &'p DemoPhone {
    day.crew.set_scene(day.scene);
    day.crew
}
