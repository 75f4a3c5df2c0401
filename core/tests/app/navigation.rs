//! The back stack, the lock, effects' answers and the process being killed.

use chrono::Duration;
use doorstep_core::app::{AppError, Effect, Event, Screen};

use super::{Phone, is_today};
use crate::common::at;

#[test]
fn a_phone_not_enrolled_opens_on_enrollment_and_an_enrolled_one_on_today() {
    let fresh = Phone::fresh(at(2026, 12, 7, 1, 0));
    assert!(matches!(fresh.screen().body, Screen::Enroll(_)));
    assert!(!fresh.screen().can_go_back);
    let enrolled = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    assert!(is_today(&enrolled.screen()));
}

#[test]
fn an_event_of_another_screen_is_refused_and_the_screen_stays() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    let before = phone.screen();
    let refused = phone.app().handle(Event::Sync(
        doorstep_core::app::screens::sync::SyncEvent::Refresh,
    ));
    assert!(matches!(
        refused,
        Err(AppError::NotOnThisScreen {
            event: "sync",
            screen: "today"
        })
    ));
    assert_eq!(phone.screen(), before);
}

#[test]
fn an_answer_to_an_effect_never_asked_is_a_typed_error() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    let refused = phone.app().handle(Event::PhotoTaken { request: 41 });
    assert!(matches!(
        refused,
        Err(AppError::UnknownRequest { request: 41 })
    ));
}

#[test]
fn an_open_app_asks_for_a_sync_every_few_minutes_so_urgent_work_arrives_without_push() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    let first = phone.send(Event::Resumed);
    assert!(first.effects.contains(&Effect::SyncNow));
    phone.later(Duration::minutes(1));
    assert!(!phone.send(Event::Tick).effects.contains(&Effect::SyncNow));
    phone.later(Duration::minutes(5));
    assert!(phone.send(Event::Tick).effects.contains(&Effect::SyncNow));
}

#[test]
fn a_phone_left_idle_locks_and_only_the_platform_prompt_opens_it_again() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    phone.send(Event::Back);
    phone.send(Event::Paused);
    phone.later(Duration::minutes(10));
    let resumed = phone.send(Event::Resumed);
    assert!(matches!(resumed.screen.body, Screen::Locked(_)));
    let Some(Effect::Unlock { request, .. }) = resumed
        .effects
        .iter()
        .find(|e| matches!(e, Effect::Unlock { .. }))
        .cloned()
    else {
        panic!("no unlock prompt: {:?}", resumed.effects);
    };
    assert!(matches!(
        phone.app().handle(Event::Back),
        Err(AppError::Locked)
    ));
    let open = phone.send(Event::Unlocked { request });
    assert!(is_today(&open.screen));
}

#[test]
fn a_link_from_a_notification_opens_over_today_and_back_returns_to_it() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    let refused = phone.app().handle(Event::OpenLink {
        link: "https://example.com".into(),
    });
    assert!(refused.is_err());
    let id = doorstep_core::ids::WorkOrderId::new();
    let opened = phone.app().handle(Event::OpenLink {
        link: format!("doorstep://order/{id}"),
    });
    // The order is not on this phone: the work order screen says so (or refuses), but the
    // stack is Today + the order.
    if let Ok(update) = opened {
        assert!(update.screen.can_go_back);
        assert!(is_today(&phone.send(Event::Back).screen));
    }
}
