//! The Sync screen without a server: refused work in words, a sync that cannot reach the
//! server, Sync now and Cancel. (Syncs with a server: server/tests/app_sync.rs.)

use doorstep_core::app::screens::sync::SyncEvent;
use doorstep_core::app::screens::today::TodayEvent;
use doorstep_core::app::{Effect, Event};
use doorstep_core::sync::protocol::ErrorKind;
use doorstep_core::text::Lang;

use super::Phone;
use super::today::{morning, seed_day};
use crate::on_screen;

#[test]
fn work_the_server_refused_is_listed_in_words_with_what_to_do() {
    let now = morning();
    let phone = Phone::enrolled(now, |store| {
        let day = seed_day(store, now);
        store
            .edit_contact_details(day.due.id, &["13900002222".into()], None, now)
            .unwrap();
        let op = store.outbox(10).unwrap()[0].op_id;
        store
            .park_rejected(op, ErrorKind::Forbidden, "outside the technician's scope")
            .unwrap();
    });
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(today.sync.refused.as_deref(), Some("1 项未被接收"));
    assert_eq!(today.sync.waiting, "所有更改已上传");
    let update = phone.send(Event::Today(TodayEvent::OpenSync));
    let sync = on_screen!(update.screen, Sync);
    assert_eq!(sync.title, "同步");
    assert_eq!(sync.set_aside.len(), 1);
    let line = &sync.set_aside[0];
    assert_eq!(line.what, "用户信息修改 · 户号 3300000002");
    assert_eq!(line.why, "不在您的负责范围内，服务器未接收");
    assert_eq!(line.to_do, "记录保留在本机，请联系服务中心处理");
    assert!(sync.held_back.is_none());
    assert!(sync.sync_now.enabled);
    assert!(!sync.cancel.enabled);
    assert_eq!(
        sync.cancel.disabled_reason.as_deref(),
        Some("没有正在进行的同步")
    );
    phone.send(Event::SetLanguage { lang: Lang::En });
    let sync = on_screen!(phone.screen(), Sync);
    assert_eq!(
        sync.set_aside[0].why,
        "outside your district or assignments: the server did not accept it"
    );
    assert_eq!(sync.stages[0].label, "Send changes");
}

#[test]
fn a_sync_that_cannot_reach_the_server_says_so_on_today_and_on_the_sync_screen() {
    let phone = Phone::enrolled(morning(), |store| {
        seed_day(store, morning());
    });
    let update = phone.send(Event::Today(TodayEvent::OpenSync));
    assert_eq!(on_screen!(update.screen, Sync).status, "尚未同步");
    let asked = phone.send(Event::Sync(SyncEvent::SyncNow));
    assert_eq!(asked.effects, [Effect::SyncNow]);
    let seen = std::sync::Mutex::new(Vec::new());
    let done = phone
        .app()
        .run_sync(&|u| seen.lock().unwrap().push(u.screen))
        .unwrap();
    assert!(done.effects.is_empty());
    let sync = on_screen!(done.screen, Sync);
    assert_eq!(
        sync.last_failure.as_deref(),
        Some("无网络或服务器无法连接，稍后自动重试")
    );
    assert_eq!(sync.status, "上次同步：今天 09:00");
    assert!(sync.stages.iter().all(|s| !s.active));
    phone.send(Event::Back);
    let today = on_screen!(phone.screen(), Today);
    assert_eq!(
        today.sync.failure.as_deref(),
        Some("无网络或服务器无法连接，稍后自动重试")
    );
    // Nothing is cancelled when nothing runs.
    phone.send(Event::Today(TodayEvent::OpenSync));
    let cancel = phone.send(Event::Sync(SyncEvent::Cancel));
    assert!(cancel.effects.is_empty());
    assert!(cancel.screen.notice.is_none());
}
