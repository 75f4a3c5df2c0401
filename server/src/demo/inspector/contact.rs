//! One phone number, two edits: at 10:40 the user gives the inspector a new mobile number on
//! the doorstep (the household file's Edit contact details, offline: the phone syncs at
//! lunch); at 10:55 the same user, on the phone with the service center, gives the office
//! another, which the office types into the household's record on the server. At the
//! inspector's lunch sync the merge meets both edits of `phones`: the later one stands, the
//! other is kept in the server's conflicts for the office to review, and the phone shows the
//! number that stood.

use doorstep_core::app::Event;
use doorstep_core::app::NoticeKind;
use doorstep_core::app::Screen;
use doorstep_core::app::screens::actions::{ActionEvent, ActionField};
use doorstep_core::app::screens::household::HouseholdEvent;
use doorstep_core::household::{HistoryEvent, HistoryKind, Household, Phone};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::text::said;
use rand::Rng;

use super::visit::{self, Reply, Script};
use crate::demo::world::{World, hm};
use crate::demo::{Day, DemoResult, Role, Scene};
use crate::records::{self, decode};
use crate::storage::{self, Actor, AuditRow};

/// Who the audit log names as the office's operator in this scene.
const OPERATOR: &str = "demo";

pub fn office_scene() -> Scene {
    Scene {
        at: hm(10, 55),
        role: Role::Office,
        name: "office_phone_edit",
        title: "服务中心：用户来电更改手机号 / the office types the user's number given on a call",
        play: office_edit,
    }
}

/// The two new numbers of the day, the one told at the door and the one told on the phone:
/// generated from the seed, never a real person's.
fn new_numbers(world: &World, household: &Household) -> (String, String) {
    let mut rng = visit::rng_for(world, household, 4);
    let mut number = |prefix: &str| format!("{prefix}{:08}", rng.random_range(0..100_000_000u32));
    (number("139"), number("186"))
}

/// A contact person for a household: the user's daughter, with a generated number.
pub fn daughter_of(world: &World, household: &Household) -> (String, String) {
    let mut rng = visit::rng_for(world, household, 5);
    let surname: String = household.name.chars().take(1).collect();
    let given = ["丽华", "晓燕", "海燕", "雪梅", "秀兰"][rng.random_range(0..5)];
    (
        format!("{surname}{given}"),
        format!("137{:08}", rng.random_range(0..100_000_000u32)),
    )
}

/// 10:40, at the door: the user gives a new mobile number; the inspector changes it in the
/// household file, then inspects as planned.
pub fn on_the_doorstep(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    let household = day.world.household(day.world.cast.phone_edit);
    let (at_the_door, _) = new_numbers(day.world, household);
    let (file, _) = visit::open_household(phone, household)?;
    if !file.edit_contact.enabled {
        return Err(day.script("the household file's Edit contact details is disabled"));
    }
    let action = phone.send(Event::Household(HouseholdEvent::EditContact))?;
    let Screen::Action(form) = action.screen.body else {
        return Err(phone.unexpected("Edit contact details", &action.screen));
    };
    let first = ActionField::Phone { index: 0 };
    if !form.fields.iter().any(|f| f.field == first) {
        return Err(day.script("Edit contact details shows no phone number to change"));
    }
    let typed = phone.send(Event::Action(ActionEvent::SetText {
        field: first,
        text: at_the_door.clone(),
    }))?;
    let Screen::Action(form) = typed.screen.body else {
        return Err(phone.unexpected("Edit contact details", &typed.screen));
    };
    if !form.submit.enabled {
        return Err(day.script(format!(
            "Submit is disabled after typing the number: {}",
            form.submit.disabled_reason.unwrap_or_default()
        )));
    }
    let done = phone.send(Event::Action(ActionEvent::Submit))?;
    let saved = done
        .screen
        .notice
        .as_ref()
        .is_some_and(|n| n.kind == NoticeKind::Done);
    let Screen::Household(file) = done.screen.body else {
        return Err(phone.unexpected("the household file after Submit", &done.screen));
    };
    if !saved || !file.phones.iter().any(|p| digits(&p.number) == at_the_door) {
        return Err(day.script("the household file does not show the number given at the door"));
    }
    visit::inspect(
        day,
        household,
        Script::default().with("site_photos", Reply::Photos(1)),
    )?;
    visit::to_today(phone)?;
    Ok(())
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// 10:55, the service center: the same user calls and gives another number; the office types
/// it into the household's record on the server, audited, with a line on its timeline.
fn office_edit(day: &mut Day<'_>) -> DemoResult<()> {
    let household = day.world.household(day.world.cast.phone_edit);
    let (_, on_the_phone) = new_numbers(day.world, household);
    let number = Phone::parse(&on_the_phone)
        .map_err(|_| day.script("the generated number is not a mobile number"))?;
    let (id, at) = (household.id.to_string(), day.now);
    storage::write(day.storage, |tx| {
        let Some(stored) = tx.record(Entity::Household, &id)? else {
            return Err(crate::error::Error::NotFound("household"));
        };
        let mut current: Household = decode(&stored)?;
        if current.phones.first() == Some(&number) {
            return Ok(());
        }
        match current.phones.first_mut() {
            Some(first) => *first = number.clone(),
            None => current.phones.push(number.clone()),
        }
        let line = HistoryEvent::line(
            current.id,
            at,
            HistoryKind::FileUpdated,
            None,
            &said(
                "用户来电，营业厅更新了联系电话",
                "the user called: the office updated the phone number",
            ),
        );
        let saved = records::put_from_office(tx, &Record::Household(Box::new(current)))?;
        crate::history::keep(tx, &saved, vec![line])?;
        tx.audit(&AuditRow {
            at,
            actor: Actor::Admin(Some(OPERATOR.into())),
            device_id: None,
            action: "household_updated".into(),
            entity: Some(Entity::Household.as_str().into()),
            entity_id: Some(id.clone()),
        })?;
        Ok(())
    })?;
    Ok(())
}

/// 12:10, lunch: the morning's work goes up, the office's changes come down. The merge met
/// both edits of the phone number: the server lists the conflict, and the phone shows the
/// number that stood.
pub fn lunch_sync(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = day.inspector;
    phone.set_scene(day.scene);
    visit::wake(phone)?;
    phone.sync()?;
    let today = visit::to_today(phone)?;
    if let Some(failure) = today.sync.failure {
        return Err(day.script(format!("the lunch sync failed: {failure}")));
    }
    let household = day.world.household(day.world.cast.phone_edit);
    let id = household.id.to_string();
    let (conflicts, stored) = storage::read(day.storage, |tx| {
        let conflicts = tx.conflicts(1_000)?;
        let stored = tx.record(Entity::Household, &id)?;
        Ok((conflicts, stored))
    })?;
    let Some(conflict) = conflicts
        .iter()
        .find(|c| c.entity == Entity::Household && c.entity_id == id && c.field == "phones")
    else {
        return Err(day.script(
            "the server lists no conflict of the household's phone number after both edits",
        ));
    };
    let Some(stored) = stored else {
        return Err(day.script("the household is gone from the server"));
    };
    let on_server: Household = decode(&stored)?;
    let stood = on_server
        .phones
        .first()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if !conflict.kept.contains(&stood) {
        return Err(day.script("the conflict's kept value is not the server's number"));
    }
    // The phone pulled the merged record: its file shows the number that stood.
    let (file, _) = visit::open_household(phone, household)?;
    if !file.phones.iter().any(|p| digits(&p.number) == stood) {
        return Err(day.script("the phone does not show the number that stood on the server"));
    }
    visit::to_today(phone)?;
    Ok(())
}
