//! A visit as the inspector makes it on the phone: back to Today, the household opened from
//! its line (or found by Search when it is not on the list), a form started from the button
//! the household file offers, every item the form shows answered the way its kind is answered
//! (re-reading the form after each answer, since an answer can show new items), the
//! signatures drawn on the pad, the outcome chosen, and the form sealed.
//!
//! What a visit answers beyond "everything passes" is its [`Script`]: a failed check with its
//! advice, the household's own choices, a text the user gives. Nothing here writes into the
//! phone's store: every answer is an event, every photo, scan and position an effect the
//! phone carries out.

use std::collections::BTreeMap;

use chrono::Datelike;
use doorstep_core::app::screens::form::{
    FormCheckMark, FormEvent, FormItem, FormItemKind, FormOutcomeChoice, FormScreen,
};
use doorstep_core::app::screens::household::{HouseholdEvent, HouseholdScreen};
use doorstep_core::app::screens::search::SearchEvent;
use doorstep_core::app::screens::signature::SignatureEvent;
use doorstep_core::app::screens::today::{TodayEvent, TodayScreen};
use doorstep_core::app::{Event, NoticeKind, Screen, Update};
use doorstep_core::household::{ApplianceKind, Category, Household, Volume};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::ink;
use crate::demo::phone::DemoPhone;
use crate::demo::world::World;
use crate::demo::{Day, DemoResult};

/// The most events one form takes before the demo calls it stuck (a residential inspection
/// with every appliance takes about 45).
const MOST_EVENTS: usize = 150;

/// An answer the visit gives to one item instead of the ordinary one.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A check marked failed, with the rectification advice written for the customer.
    Fail { advice: String },
    /// A text typed.
    Text(String),
    /// A single choice.
    Choose(String),
    /// The options of a multiple choice ticked.
    Toggle(Vec<String>),
    /// A number typed.
    Number(String),
    /// Photos taken on a photo item.
    Photos(u32),
}

/// What a visit answers on its form, item by item; every other item is answered as an
/// inspector answers a household with nothing wrong.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub replies: BTreeMap<String, Reply>,
}

impl Script {
    pub fn with(mut self, item: &str, reply: Reply) -> Self {
        self.replies.insert(item.to_owned(), reply);
        self
    }
}

/// The seeded hand and camera of one visit: the same household, the same signatures.
pub fn rng_for(world: &World, household: &Household, what: u64) -> StdRng {
    let id = household.id.0.as_u128();
    StdRng::seed_from_u64(world.seed ^ (id as u64) ^ ((id >> 64) as u64) ^ what)
}

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

/// How the household was opened: from its line on Today, or found by Search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    FromToday,
    BySearch,
}

/// Opens the household's file: from its line on Today when it is on the list, else by its
/// customer number in Search (a household the list left out still gets its visit).
pub fn open_household(
    phone: &DemoPhone,
    household: &Household,
) -> DemoResult<(HouseholdScreen, Opened)> {
    let today = to_today(phone)?;
    let id = household.id.to_string();
    let on_list = today
        .lines
        .iter()
        .any(|l| l.household_id.as_deref() == Some(id.as_str()));
    let (state, opened) = if on_list {
        let update = phone.send(Event::Today(TodayEvent::OpenHousehold { id: id.clone() }))?;
        (update.screen, Opened::FromToday)
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
        (update.screen, Opened::BySearch)
    };
    match state.body {
        Screen::Household(file) if file.missing.is_none() => Ok((file, opened)),
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

/// Everything a visit brings to one form.
pub struct Filling<'a> {
    pub phone: &'a DemoPhone,
    pub world: &'a World,
    pub household: &'a Household,
    pub script: Script,
    pub rng: StdRng,
    /// The options picked for each multiple choice answered as usual.
    pub chosen: BTreeMap<String, Vec<String>>,
}

impl Filling<'_> {
    /// Answers every item the form shows, one event at a time, reading the form again after
    /// each (an answer can show new items), until none is left to answer; then the
    /// signatures. Fails when an item does not take its answer.
    pub fn answer_everything(&mut self) -> DemoResult<FormScreen> {
        // An event sent again and again is an answer the item does not take.
        let mut tried: BTreeMap<String, u32> = BTreeMap::new();
        for _ in 0..MOST_EVENTS {
            let form = form_screen(self.phone)?;
            let Some((id, event)) = form
                .sections
                .iter()
                .flat_map(|s| &s.items)
                .find_map(|i| self.next_event(i).map(|e| (i.id.clone(), e)))
            else {
                return self.sign_everything();
            };
            let times = tried.entry(format!("{event:?}")).or_default();
            *times += 1;
            if *times > 2 {
                let why = item(&form, &id)
                    .map(|i| {
                        let mut why = i.problems.clone();
                        why.extend(i.message.clone());
                        why.join("; ")
                    })
                    .unwrap_or_default();
                return Err(self
                    .phone
                    .script(format!("the item {id} does not take its answer: {why}")));
            }
            self.take_a_moment();
            self.phone.send(Event::Form(event))?;
        }
        Err(self.phone.script("the form takes no end of answers"))
    }

    /// The seconds an answer takes at the door: the visit's times (a photo's watermark, a
    /// signature's) run on as a real visit's do.
    fn take_a_moment(&mut self) {
        let later = self.phone.now() + chrono::Duration::seconds(self.rng.random_range(6..20));
        self.phone.move_clock_to(later);
    }

    /// What to send for an item still to answer; none when it is answered (or left alone).
    fn next_event(&mut self, it: &FormItem) -> Option<FormEvent> {
        if !it.editable {
            return None;
        }
        let reply = self.script.replies.get(&it.id).cloned();
        let item = it.id.clone();
        match (&it.kind, reply) {
            (FormItemKind::Check { .. }, Some(Reply::Fail { advice })) => {
                let failed = it.value.is_some() && selected(it, "fail");
                if !failed {
                    return Some(FormEvent::Check {
                        item,
                        mark: FormCheckMark::Fail,
                    });
                }
                if let FormItemKind::Check {
                    advice: given,
                    advice_wanted: true,
                    ..
                } = &it.kind
                    && given.is_empty()
                {
                    return Some(FormEvent::Advice { item, text: advice });
                }
                // The evidence: a failed check with a hazard rule takes its photos.
                let wants_photo = it.take_photo.as_ref().is_some_and(|a| a.enabled);
                (wants_photo && it.photos.is_empty()).then_some(FormEvent::TakePhoto { item })
            }
            (FormItemKind::Photo { .. } | FormItemKind::MultipleChoice { .. }, reply) => {
                self.more_of(it, reply)
            }
            (_, _) if it.value.is_some() => None,
            (FormItemKind::Check { .. }, _) => Some(FormEvent::Check {
                item,
                mark: FormCheckMark::Pass,
            }),
            (FormItemKind::Number { .. }, Some(Reply::Number(text))) => {
                Some(FormEvent::Type { item, text })
            }
            (FormItemKind::Number { min, .. }, _) => Some(FormEvent::Type {
                item,
                // A leak detector reads nothing where nothing leaks: the least the item takes.
                text: min.clone().unwrap_or_else(|| "0".into()),
            }),
            (FormItemKind::Text { scan, .. }, reply) => {
                if let Some(Reply::Text(text)) = reply {
                    return Some(FormEvent::Type { item, text });
                }
                if let Some(code) = scan
                    .as_ref()
                    .filter(|a| a.enabled)
                    .and_then(|_| self.code_for(&it.id))
                {
                    self.phone.will_scan(&code);
                    return Some(FormEvent::Scan { item });
                }
                it.required.then(|| FormEvent::Type {
                    item,
                    text: "正常".into(),
                })
            }
            (FormItemKind::SingleChoice { options }, reply) => {
                let choice = match reply {
                    Some(Reply::Choose(c)) => c,
                    _ => options.first()?.id.clone(),
                };
                Some(FormEvent::Choose { item, choice })
            }
            (FormItemKind::Date { .. }, _) if it.required => {
                let day = self.phone.now().date_naive() + chrono::Duration::days(30);
                Some(FormEvent::PickDate {
                    item,
                    year: day.year(),
                    month: day.month(),
                    day: day.day(),
                })
            }
            (FormItemKind::DateTime { initial }, _) if it.required => {
                Some(FormEvent::PickDateTime { item, at: *initial })
            }
            (FormItemKind::MeterReading { .. }, _) => Some(FormEvent::Type {
                item,
                text: self.reading().decimal_text(),
            }),
            (FormItemKind::Location { locate }, _) if locate.enabled => {
                self.phone.stand_at(self.household.location);
                Some(FormEvent::Locate { item })
            }
            _ => None,
        }
    }

    /// The next tick of a multiple choice, or the next photo of a photo item: items answered
    /// over several events.
    fn more_of(&mut self, it: &FormItem, reply: Option<Reply>) -> Option<FormEvent> {
        let item = it.id.clone();
        match &it.kind {
            FormItemKind::MultipleChoice { options, .. } => {
                let wanted = match reply {
                    Some(Reply::Toggle(ids)) => ids,
                    _ => {
                        let ids: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
                        // Chosen once per item: the ticks of one answer are one decision.
                        if !self.chosen.contains_key(&it.id) {
                            let picked = self.ordinary_choices(&it.id, &ids);
                            self.chosen.insert(it.id.clone(), picked);
                        }
                        self.chosen[&it.id].clone()
                    }
                };
                wanted
                    .into_iter()
                    .find(|c| options.iter().any(|o| o.id == *c && !o.selected))
                    .map(|choice| FormEvent::Toggle { item, choice })
            }
            FormItemKind::Photo { min, .. } => {
                let wanted = match reply {
                    Some(Reply::Photos(n)) => n,
                    _ => (*min).max(u32::from(it.required)),
                };
                let can = it.take_photo.as_ref().is_some_and(|a| a.enabled);
                (can && (it.photos.len() as u32) < wanted).then_some(FormEvent::TakePhoto { item })
            }
            _ => None,
        }
    }

    /// The options an inspector ticks for a household with nothing unusual: its own
    /// appliances, the usual safety advice, the detector as the test method.
    fn ordinary_choices(&mut self, item: &str, options: &[String]) -> Vec<String> {
        let mut wanted: Vec<String> = match item {
            "appliances" => self
                .household
                .appliances
                .iter()
                .filter_map(|a| match a.kind {
                    ApplianceKind::Stove => Some("stove"),
                    ApplianceKind::WaterHeater => Some("water_heater"),
                    _ => None,
                })
                .map(str::to_owned)
                .collect(),
            "leak_test_method" => vec!["detector".into()],
            "education_topics" => {
                let n = self.rng.random_range(2..=4usize);
                [
                    "leak_response",
                    "hose_replacement",
                    "ventilation_co",
                    "gas_alarm",
                    "unattended_cooking",
                ]
                .iter()
                .take(n)
                .map(|s| (*s).to_owned())
                .collect()
            }
            _ => Vec::new(),
        };
        wanted.retain(|w| options.contains(w));
        if wanted.is_empty() {
            wanted.extend(options.first().cloned());
        }
        wanted
    }

    /// The code the camera reads for an item that is scanned.
    fn code_for(&self, item: &str) -> Option<String> {
        match item {
            "meter_serial" => self.household.meter.as_ref().map(|m| m.serial.clone()),
            "customer_number" => Some(self.household.customer_number.clone()),
            _ => None,
        }
    }

    /// The meter as the inspector reads it today: a month's gas on from its last reading.
    fn reading(&mut self) -> Volume {
        let last = self
            .world
            .readings
            .iter()
            .filter(|r| r.household_id == self.household.id)
            .map(|r| r.value.litres())
            .max()
            .unwrap_or(0);
        Volume::from_litres(last + self.rng.random_range(2_000..18_000))
    }

    /// Draws every signature the form asks for on the signature pad, the customer's and the
    /// technician's, each its own hand.
    fn sign_everything(&mut self) -> DemoResult<FormScreen> {
        self.sign_where(|_| true)
    }

    /// Draws the signatures the form still misses (a visit with nobody home: the
    /// technician's only).
    pub fn sign_missing(&mut self) -> DemoResult<FormScreen> {
        self.sign_where(|i| !i.problems.is_empty())
    }

    fn sign_where(&mut self, wanted: impl Fn(&FormItem) -> bool) -> DemoResult<FormScreen> {
        let form = form_screen(self.phone)?;
        let wanted: Vec<String> = form
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.editable && i.value.is_none())
            .filter(|i| matches!(i.kind, FormItemKind::Signature { .. }))
            .filter(|i| wanted(i))
            .map(|i| i.id.clone())
            .collect();
        for id in wanted {
            self.take_a_moment();
            self.sign(&id)?;
        }
        form_screen(self.phone)
    }

    fn sign(&mut self, item: &str) -> DemoResult<()> {
        let phone = self.phone;
        let pad = phone.send(Event::Form(FormEvent::Sign { item: item.into() }))?;
        let Screen::Signature(pad) = pad.screen.body else {
            return Err(phone.unexpected("the signature pad", &pad.screen));
        };
        for points in ink::signature(&mut self.rng) {
            phone.send(Event::Signature(SignatureEvent::Stroke { points }))?;
        }
        if pad.signer_name.trim().is_empty() {
            phone.send(Event::Signature(SignatureEvent::Name {
                text: self.household.name.clone(),
            }))?;
        }
        let drawn = phone.send(Event::Signature(SignatureEvent::Refresh))?;
        match &drawn.screen.body {
            Screen::Signature(s) if s.accept.enabled && s.preview_path.is_some() => {}
            Screen::Signature(s) => {
                return Err(phone.script(format!(
                    "the pad does not take the signature: {}",
                    s.accept.disabled_reason.clone().unwrap_or_default()
                )));
            }
            _ => return Err(phone.unexpected("the signature pad", &drawn.screen)),
        }
        let back = phone.send(Event::Signature(SignatureEvent::Accept))?;
        let Screen::Form(form) = back.screen.body else {
            return Err(phone.unexpected("the form after signing", &back.screen));
        };
        match self::item(&form, item).map(|i| &i.kind) {
            Some(FormItemKind::Signature {
                signed_by: Some(_), ..
            }) => Ok(()),
            _ => Err(phone.script(format!("{item} is not signed after Accept"))),
        }
    }
}

fn selected(it: &FormItem, option: &str) -> bool {
    match &it.kind {
        FormItemKind::Check { options, .. } => options.iter().any(|o| o.id == option && o.selected),
        _ => false,
    }
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
/// answered, signed, completed and sealed. The sealed form.
pub fn inspect(day: &Day<'_>, household: &Household, script: Script) -> DemoResult<FormScreen> {
    let phone = day.inspector;
    let (file, _) = open_household(phone, household)?;
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
    Ok(sealed)
}
