//! The app lock: idle in the background or in the foreground, the Locked screen, unlocking.

use chrono::Duration;
use doorstep_core::app::{AppError, Effect, Event, Screen};
use doorstep_core::text::Lang;

use super::{Phone, is_today};
use crate::common::at;
use crate::on_screen;

fn unlock_request(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Unlock { request, .. } => Some(*request),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no unlock prompt: {effects:?}"))
}

#[test]
fn a_phone_left_open_and_untouched_locks_at_the_minute_tick() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    phone.send(Event::Resumed);
    phone.later(Duration::minutes(4));
    assert!(is_today(&phone.send(Event::Tick).screen));
    phone.later(Duration::minutes(1));
    let ticked = phone.send(Event::Tick);
    let locked = on_screen!(ticked.screen, Locked);
    assert_eq!(locked.title, "已锁定");
    assert_eq!(locked.unlock.label, "解锁");
    assert!(!ticked.screen.can_go_back);
    let request = unlock_request(&ticked.effects);
    let open = phone.send(Event::Unlocked { request });
    assert!(is_today(&open.screen));
}

#[test]
fn a_tap_keeps_the_phone_open_and_the_locked_screen_speaks_english_too() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    phone.send(Event::Resumed);
    phone.later(Duration::minutes(4));
    phone.send(Event::Back);
    phone.later(Duration::minutes(4));
    assert!(is_today(&phone.send(Event::Tick).screen));
    phone.later(Duration::minutes(2));
    let locked = phone.send(Event::Tick);
    assert!(matches!(locked.screen.body, Screen::Locked(_)));
    phone.send(Event::SetLanguage { lang: Lang::En });
    let screen = on_screen!(phone.screen(), Locked);
    assert_eq!(screen.title, "Locked");
    assert_eq!(screen.unlock.label, "Unlock");
    assert!(screen.message.contains("Confirm it is you"));
}

#[test]
fn unlock_on_the_locked_screen_asks_the_prompt_again_after_it_was_dismissed() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    phone.send(Event::Resumed);
    phone.later(Duration::minutes(6));
    let first = unlock_request(&phone.send(Event::Tick).effects);
    phone.send(Event::EffectFailed {
        request: first,
        failure: doorstep_core::app::EffectFailure::Cancelled,
    });
    assert!(matches!(
        phone.app().handle(Event::Back),
        Err(AppError::Locked)
    ));
    let again = unlock_request(&phone.send(Event::Unlock).effects);
    assert_ne!(again, first);
    // The dismissed prompt's answer opens nothing.
    assert!(
        phone
            .app()
            .handle(Event::Unlocked { request: first })
            .is_err()
    );
    assert!(is_today(
        &phone.send(Event::Unlocked { request: again }).screen
    ));
}

#[test]
fn a_phone_not_enrolled_never_locks() {
    let phone = Phone::fresh(at(2026, 12, 7, 1, 0));
    phone.send(Event::Resumed);
    phone.later(Duration::minutes(30));
    assert!(matches!(
        phone.send(Event::Tick).screen.body,
        Screen::Enroll(_)
    ));
}

#[test]
fn a_locked_phone_goes_on_syncing_so_urgent_work_still_arrives_and_prompts_only_once() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    phone.send(Event::Resumed);
    phone.later(Duration::minutes(6));
    let locked = phone.send(Event::Tick);
    assert!(matches!(locked.screen.body, Screen::Locked(_)));
    unlock_request(&locked.effects);
    phone.later(Duration::minutes(5));
    let ticked = phone.send(Event::Tick);
    assert_eq!(ticked.effects, [Effect::SyncNow]);
}
