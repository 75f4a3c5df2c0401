//! A visit as the inspector makes it on the phone: back to Today, the household opened from
//! its line (or found by Search once it has left the list), a form started from the button the
//! household file offers, answered (`answers`), the outcome chosen, and the form sealed.
//! Nothing here writes into the phone's store: every step is an event, every photo, scan and
//! position an effect the phone carries out.

use std::collections::BTreeMap;

use doorstep_core::app::screens::form::{FormEvent, FormItem, FormOutcomeChoice, FormScreen};
use doorstep_core::app::screens::household::{HouseholdEvent, HouseholdScreen};
use doorstep_core::app::screens::search::SearchEvent;
use doorstep_core::app::screens::today::{TodayEvent, TodayScreen};
use doorstep_core::app::{Event, NoticeKind, Screen, Update};
use doorstep_core::household::{Category, Household};

use super::answers::{Filling, Script, rng_for};
use crate::demo::phone::DemoPhone;
use crate::demo::{Day, DemoResult};

/// The screen now, as a Today screen, after leaving whatever was open (Back until Today).
pub fn to_today(phone: &DemoPhone) -> DemoResult<TodayScreen> {
    for _ in 0..8 {
        let state = phone.screen()?;
        match state.body {
            Screen::Today(_) => break,
            _ if state.can_go_back => {
                phone.send(Event::Back)?;
            }
            _ => return Err(phone.unexpected("a screen Back leads to Today from", &state)),
        }
    }
    let state = phone.send(Event::Today(TodayEvent::Refresh))?.screen;
    match state.body {
        Screen::Today(today) => Ok(today),
        _ => Err(phone.unexpected("Today", &state)),
    }
}

/// The technician takes the phone out of the pocket: the app comes to the foreground (the
/// platform's unlock prompt answered when it locked itself meanwhile).
pub fn wake(phone: &DemoPhone) -> DemoResult<()> {
    let update = phone.send(Event::Resumed)?;
    if let Screen::Locked(_) = update.screen.body {
        let again = phone.send(Event::Unlock)?;
        if let Screen::Locked(_) = again.screen.body {
            return Err(phone.unexpected("the app unlocked", &again.screen));
        }
    }
    Ok(())
}

/// Opens the household's file: from its line on Today when it is on the list, else by its
/// customer number in Search (a household the list left out still gets its visit).
pub fn open_household(phone: &DemoPhone, household: &Household) -> DemoResult<HouseholdScreen> {
    let today = to_today(phone)?;
    let id = household.id.to_string();
    let on_list = today
        .lines
        .iter()
        .any(|l| l.household_id.as_deref() == Some(id.as_str()));
    let state = if on_list {
        let update = phone.send(Event::Today(TodayEvent::OpenHousehold { id: id.clone() }))?;
        update.screen
    } else {
        let search = phone.send(Event::Today(TodayEvent::OpenSearch))?;
        if !matches!(search.screen.body, Screen::Search(_)) {
            return Err(phone.unexpected("Search", &search.screen));
        }
        let found = phone.send(Event::Search(SearchEvent::SetQuery {
            text: household.customer_number.clone(),
        }))?;
        let Screen::Search(results) = found.screen.body else {
            return Err(phone.unexpected("Search with results", &found.screen));
        };
        if !results.results.iter().any(|r| r.household_id == id) {
            return Err(phone.script("Search by customer number does not find the household"));
        }
        let update = phone.send(Event::Search(SearchEvent::Open { household_id: id }))?;
        update.screen
    };
    match state.body {
        Screen::Household(file) if file.missing.is_none() => Ok(file),
        Screen::Household(_) => Err(phone.script("the household's file is not on the phone")),
        _ => Err(phone.unexpected("the household file", &state)),
    }
}

/// The household file shown now.
pub fn household_screen(phone: &DemoPhone) -> DemoResult<HouseholdScreen> {
    let state = phone
        .send(Event::Household(HouseholdEvent::Refresh))?
        .screen;
    match state.body {
        Screen::Household(file) => Ok(file),
        _ => Err(phone.unexpected("the household file", &state)),
    }
}

/// The inspection template that fits a household of this category.
pub fn inspection_template(household: &Household) -> &'static str {
    match household.category {
        Category::Residential => "residential_inspection",
        _ => "non_residential_inspection",
    }
}

/// Presses the household file's button for `template_id` (the one the screen offers: its
/// event, as drawn) and gives the form it opens.
pub fn start_form(
    phone: &DemoPhone,
    file: &HouseholdScreen,
    template_id: &str,
) -> DemoResult<FormScreen> {
    let Some(start) = file
        .form_starts
        .iter()
        .find(|s| s.template_id == template_id)
    else {
        return Err(phone.script(format!("the household file offers no {template_id} form")));
    };
    if !start.action.enabled {
        return Err(phone.script(format!(
            "the household file's {template_id} button is disabled: {}",
            start.action.disabled_reason.clone().unwrap_or_default()
        )));
    }
    let update = phone.send(Event::Household(start.event.clone()))?;
    form_of(phone, update)
}

fn form_of(phone: &DemoPhone, update: Update) -> DemoResult<FormScreen> {
    match update.screen.body {
        Screen::Form(form) => Ok(form),
        _ => Err(phone.unexpected("the form", &update.screen)),
    }
}

/// The form shown now.
pub fn form_screen(phone: &DemoPhone) -> DemoResult<FormScreen> {
    form_of(phone, phone.send(Event::Form(FormEvent::Refresh))?)
}

pub fn item<'f>(form: &'f FormScreen, id: &str) -> Option<&'f FormItem> {
    form.sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.id == id)
}

/// Sets how the visit ended.
pub fn set_outcome(phone: &DemoPhone, choice: FormOutcomeChoice) -> DemoResult<FormScreen> {
    let form = form_of(
        phone,
        phone.send(Event::Form(FormEvent::SetOutcome { choice }))?,
    )?;
    if form.outcome.chosen != choice {
        return Err(phone.script(format!(
            "the outcome {choice:?} is not taken (shows {:?})",
            form.outcome.chosen
        )));
    }
    Ok(form)
}

/// Complete and seal, once the button is enabled; the sealed form.
pub fn seal(phone: &DemoPhone) -> DemoResult<FormScreen> {
    let form = form_screen(phone)?;
    if !form.seal.enabled {
        let mut why = vec![form.seal.disabled_reason.clone().unwrap_or_default()];
        why.extend(form.form_problems.iter().cloned());
        why.extend(
            form.sections
                .iter()
                .flat_map(|s| &s.items)
                .filter(|i| !i.problems.is_empty())
                .map(|i| format!("{}: {}", i.id, i.problems.join(", "))),
        );
        return Err(phone.script(format!("Seal is disabled: {}", why.join("; "))));
    }
    let update = phone.send(Event::Form(FormEvent::Seal))?;
    let notice = update.screen.notice.clone();
    let sealed = form_of(phone, update)?;
    match (&sealed.sealed, notice) {
        (Some(_), Some(n)) if n.kind == NoticeKind::Done => Ok(sealed),
        (_, n) => Err(phone.script(format!(
            "the form is not sealed after Seal (notice: {:?})",
            n.map(|n| n.text)
        ))),
    }
}

/// A whole inspection of a household with nothing unusual, or as `script` says: opened,
/// answered, signed, completed and sealed. A household no longer overdue was inspected
/// already (a run stopped after the seal and before the journal kept the scene): nothing to
/// do again.
pub fn inspect(day: &Day<'_>, household: &Household, script: Script) -> DemoResult<()> {
    let phone = day.inspector;
    let file = open_household(phone, household)?;
    if !file.next_inspection.value.contains("逾期") {
        return Ok(());
    }
    start_form(phone, &file, inspection_template(household))?;
    let mut filling = Filling {
        phone,
        world: day.world,
        household,
        script,
        rng: rng_for(day.world, household, 1),
        chosen: BTreeMap::new(),
    };
    set_outcome(phone, FormOutcomeChoice::Completed)?;
    filling.answer_everything()?;
    let sealed = seal(phone)?;
    let done = "安检已签字，下次安检已重新排期";
    let consequences = &sealed.sealed.as_ref().expect("sealed").consequences;
    if !consequences.iter().any(|c| c == done) {
        return Err(phone.script(format!(
            "the sealed inspection does not say the next one is scheduled: {consequences:?}"
        )));
    }
    Ok(())
}
