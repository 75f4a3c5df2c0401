//! 16:20: tomorrow's planned outage (the office announced it at 07:00) is posted at each
//! building it reaches (Art.7(2): the users are told before gas stops). The inspector opens
//! the notice from Today's outage banner and records the notice posted at every building the
//! screen lists, until every building is told.
//!
//! The banner shows a notice that touches a household on today's list. When none does, the
//! inspector opens the notice by the link the office sends with it (`doorstep://outage/<id>`,
//! as a link in the team's chat opens the app). When the server has no notice (a build
//! without the office's scene), the scene says so and does nothing.

use doorstep_core::app::screens::outage::{OutageEvent, OutageScreen};
use doorstep_core::app::screens::today::TodayEvent;
use doorstep_core::app::{Event, NoticeKind, Screen};
use doorstep_core::outage::OutageNotice;
use doorstep_core::sync::protocol::Entity;

use super::visit;
use crate::demo::{Day, DemoResult};
use crate::records::decode;
use crate::storage;

pub fn post_notices(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    let today = visit::to_today(phone)?;
    let opened = match today.outages.first() {
        Some(banner) => phone.send(Event::Today(TodayEvent::OpenOutage {
            id: banner.outage_id.clone(),
        }))?,
        None => {
            let Some(id) = announced(day)? else {
                eprintln!(
                    "{}: the server holds no planned outage not over yet: no notice to post",
                    day.scene
                );
                return Ok(());
            };
            phone.send(Event::OpenLink {
                link: format!("doorstep://outage/{id}"),
            })?
        }
    };
    let Screen::Outage(notice) = opened.screen.body else {
        return Err(phone.unexpected("the outage notice", &opened.screen));
    };
    if notice.buildings.is_empty() {
        return Err(day.script(format!(
            "the outage notice lists no building: {}",
            notice.empty.unwrap_or_default()
        )));
    }
    let mut notice = notice;
    // Building by building, each with the screen read again after the one before.
    for _ in 0..notice.buildings.len() {
        let Some(building) = notice
            .buildings
            .iter()
            .find(|b| !b.notified && b.post_notice.enabled)
        else {
            break;
        };
        let update = phone.send(Event::Outage(OutageEvent::NoticePosted {
            building: building.key.clone(),
        }))?;
        let posted = update
            .screen
            .notice
            .as_ref()
            .is_some_and(|n| n.kind == NoticeKind::Done);
        notice = outage_of(day, update.screen.body)?;
        if !posted {
            return Err(day.script("posting a notice at a building was not recorded"));
        }
    }
    if notice.buildings_notified != notice.buildings_total {
        return Err(day.script(format!(
            "buildings left untold after posting at each: {}",
            notice.progress
        )));
    }
    visit::to_today(phone)?;
    Ok(())
}

fn outage_of(day: &Day<'_>, screen: Screen) -> DemoResult<OutageScreen> {
    match screen {
        Screen::Outage(o) => Ok(o),
        other => Err(day.script(format!(
            "expected the outage notice, the app shows {}",
            crate::demo::phone::screen_name(&other)
        ))),
    }
}

/// The planned outage not over yet that the office announced, as the server holds it.
fn announced(day: &Day<'_>) -> DemoResult<Option<String>> {
    let records = storage::read(day.storage, |tx| Ok(tx.records(Entity::Outage, "", 100)?))?;
    for record in records.iter().filter(|r| !r.deleted) {
        let notice: OutageNotice = decode(record)?;
        if notice.ends_at > day.now {
            return Ok(Some(notice.id.to_string()));
        }
    }
    Ok(None)
}
