//! A form answered from its own screen, whatever the template: the first item still open gets
//! the answer its kind takes (checks pass, numbers the least the item allows, the household's
//! own appliances, the meter a month on from its last reading, a code read by the camera, the
//! position where the inspector stands, photos through the camera), the form is read again
//! (an answer can show new items), and so on; the signatures come last, drawn on the pad, so
//! that no answer outdates them. A visit's [`Script`] says what differs.

use std::collections::BTreeMap;

use chrono::Datelike;
use doorstep_core::app::screens::form::{
    FormCheckMark, FormEvent, FormItem, FormItemKind, FormScreen,
};
use doorstep_core::app::screens::signature::SignatureEvent;
use doorstep_core::app::{Event, Screen};
use doorstep_core::household::{ApplianceKind, Household, Volume};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::ink;
use super::visit::{form_screen, item};
use crate::demo::DemoResult;
use crate::demo::phone::DemoPhone;
use crate::demo::world::World;

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
            // Unsigned, or signed before an answer changed (a visit continued after a stopped
            // run): "签字后内容有改动，须重新签字".
            .filter(|i| i.editable && (i.value.is_none() || !i.problems.is_empty()))
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
