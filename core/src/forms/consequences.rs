//! What sealing a form changes beyond the form itself, decided here and applied by the store in
//! the same transaction as the seal:
//! - a signed inspection moves the household's next due date;
//! - a major hazard opens a follow-up order; a hazard whose rule says so shuts the gas off;
//! - a gas-on makes the supply active (and records the meter and its opening reading);
//! - a shut-off or a reconnection changes the supply status;
//! - a special-group registration marks the household;
//! - every meter reading on the form goes into the household's readings.
//!
//! Item ids the core reads are fixed (see `docs/forms.md`): `meter_reading`, `meter_serial`,
//! `shut_off_reason`, `groups`, `needs`, `contact_name`, `contact_relation`, `contact_phone`,
//! `consent`.

use chrono::{DateTime, Utc};

use super::form::{Answer, CheckResult, Form, Outcome, Problem, ProblemKind};
use super::template::{FormKind, HazardGrade, Template};
use crate::calendar::local_date;
use crate::household::{
    ContactPerson, Household, Meter, MeterKind, MeterReading, Phone, ReadingSource, ShutOffReason,
    SpecialGroup, SpecialGroupRegistration, SupplyStatus,
};
use crate::text::Text;
use crate::text::said;
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};

/// The changes a sealed form makes.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// The household as it is after the visit, when the visit changed it.
    pub household: Option<Household>,
    pub readings: Vec<MeterReading>,
    pub orders: Vec<WorkOrder>,
    /// One line per change for the household's timeline (no personal data).
    pub notes: Vec<Text>,
}

/// When a sealed form's consequences count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealTimes {
    /// The seal's time as the device's clock gave it: the time its readings are kept under,
    /// on the phone and on the server alike, so that both hold one reading, not two.
    pub sealed_at: DateTime<Utc>,
    /// The time the household's changes count at: the seal's time on the device; on the
    /// server, the seal's time as far as the device's clock is believed (`sync::time`), so that
    /// a clock a year ahead does not put the next inspection off by a year.
    pub counted_at: DateTime<Utc>,
}

/// Which consequences sealing `form` has, and when: the one rule for the device that seals it
/// and the server that receives it. An amendment corrects its visit's readings, at the time
/// `amended` (the form it amends, when it is held) was sealed ([`plan_amendment`]); any other
/// form has every effect [`plan`] finds, the household's at `counted_at`, its readings at
/// `sealed_at`.
pub fn of_seal(
    form: &Form,
    template: &Template,
    household: &Household,
    amended: Option<&Form>,
    times: SealTimes,
) -> Result<Effects, Vec<Problem>> {
    if form.amends.is_some() {
        let visited_at = amended
            .and_then(|original| original.seal.as_ref())
            .map_or(times.sealed_at, |seal| seal.sealed_at);
        return plan_amendment(form, template, household, visited_at);
    }
    let mut effects = plan(form, template, household, times.counted_at)?;
    for reading in &mut effects.readings {
        reading.taken_at = times.sealed_at;
    }
    Ok(effects)
}

/// What sealing an amendment changes: only the meter readings it corrects, taken at the time
/// of the visit it amends (`visited_at`, when the original was sealed), so that a corrected
/// value replaces the original's instead of standing beside it. The visit's other effects (the
/// next due date, the supply, follow-up orders, a registration) were made when the original
/// was sealed; an amendment corrects the record of the visit and does not make them again.
/// What it corrects in the household file, the office corrects there.
pub fn plan_amendment(
    form: &Form,
    template: &Template,
    household: &Household,
    visited_at: DateTime<Utc>,
) -> Result<Effects, Vec<Problem>> {
    let planned = plan(form, template, household, visited_at)?;
    Ok(Effects {
        readings: planned.readings,
        ..Effects::default()
    })
}

/// Works out the effects of sealing `form` at `at`; a problem that would keep them from being
/// applied is reported like any other problem of the form.
pub fn plan(
    form: &Form,
    template: &Template,
    household: &Household,
    at: DateTime<Utc>,
) -> Result<Effects, Vec<Problem>> {
    let mut effects = Effects::default();
    if !form.outcome.has_answers() {
        return Ok(effects);
    }
    let mut updated = household.clone();
    let answer = |id: &str| {
        form.answers.get(id).filter(|_| {
            template
                .item(id)
                .is_some_and(|i| form.is_visible(template, i))
        })
    };

    if let Some(Answer::MeterReading(value)) = answer("meter_reading") {
        effects.readings.push(MeterReading {
            household_id: household.id,
            taken_at: at,
            value: *value,
            source: ReadingSource::Technician,
        });
    }

    let completed = form.outcome == Outcome::Completed
        || matches!(form.outcome, Outcome::CustomerRefusedToSign { .. });
    match template.kind {
        kind if kind.is_inspection() && completed => {
            updated.last_inspection_at = Some(at);
            effects.notes.push(said(
                "安检已签字，下次安检已重新排期",
                "inspection signed: next inspection rescheduled",
            ));
        }
        FormKind::AcceptanceAndGasOn if completed => {
            updated.supply = SupplyStatus::Active;
            updated.gas_on_date = Some(local_date(at));
            if let Some(Answer::Text(serial)) = answer("meter_serial") {
                let initial = effects
                    .readings
                    .first()
                    .map(|r| r.value)
                    .unwrap_or_default();
                let kind = household
                    .meter
                    .as_ref()
                    .map(|m| m.kind)
                    .unwrap_or(MeterKind::Diaphragm);
                updated.meter = Some(Meter {
                    serial: serial.trim().to_owned(),
                    kind,
                    initial_reading: initial,
                });
            }
            effects.notes.push(said("已通气", "gas turned on"));
        }
        FormKind::ShutOff if completed => {
            let reason = match answer("shut_off_reason") {
                Some(Answer::Choice(c)) => {
                    serde_json::from_value::<ShutOffReason>(serde_json::Value::String(c.clone()))
                        .ok()
                }
                _ => None,
            };
            let Some(reason) = reason else {
                return Err(vec![Problem {
                    item: Some("shut_off_reason".into()),
                    kind: ProblemKind::Missing,
                }]);
            };
            updated.supply = SupplyStatus::ShutOff { reason, since: at };
            let why = reason.label();
            effects.notes.push(said(
                format!("已停气（{}）", why.zh),
                format!("gas shut off ({})", why.en),
            ));
        }
        FormKind::Reconnection if completed => {
            updated.supply = SupplyStatus::Active;
            effects.notes.push(said("已恢复供气", "gas reconnected"));
        }
        FormKind::SpecialGroupRegistration if completed => {
            updated.special_group = Some(registration(form, template, at)?);
            effects.notes.push(said(
                "已登记为优先上门服务对象",
                "registered for priority home service",
            ));
        }
        _ => {}
    }

    for (n, (item, grade, shut_off)) in form.hazards(template).into_iter().enumerate() {
        if shut_off {
            updated.supply = SupplyStatus::ShutOff {
                reason: ShutOffReason::Hazard,
                since: at,
            };
            // The item's label says what passes: the note names it as the check that failed.
            effects.notes.push(said(
                format!("当场停气（不合格项：{}）", item.label.zh),
                format!("gas shut off on the spot (failed check: {})", item.label.en),
            ));
        }
        if grade == HazardGrade::Major {
            let number = format!("F{}-{}", &form.id.0.simple().to_string()[..12], n + 1);
            let description = format!(
                "重大隐患复查（不合格项：{}） / Major hazard follow-up (failed check: {})",
                item.label.zh, item.label.en
            );
            effects.orders.push(WorkOrder::open(
                number,
                WorkOrderKind::Inspection,
                WorkOrderSource::Visit,
                Some(household.id),
                description,
                at,
            ));
            effects.notes.push(said(
                format!("重大隐患（不合格项：{}），已开复查工单", item.label.zh),
                format!(
                    "major hazard (failed check: {}): follow-up order opened",
                    item.label.en
                ),
            ));
        }
    }

    if updated != *household {
        updated.validate().map_err(|e| {
            vec![Problem {
                item: None,
                kind: ProblemKind::invalid(e),
            }]
        })?;
        effects.household = Some(updated);
    }
    Ok(effects)
}

fn registration(
    form: &Form,
    template: &Template,
    at: DateTime<Utc>,
) -> Result<SpecialGroupRegistration, Vec<Problem>> {
    let visible = |id: &str| {
        template
            .item(id)
            .is_some_and(|i| form.is_visible(template, i))
    };
    let text = |id: &str| match form.answers.get(id) {
        Some(Answer::Text(t)) if visible(id) => t.trim().to_owned(),
        _ => String::new(),
    };
    let mut problems = Vec::new();
    let groups: Vec<SpecialGroup> = match form.answers.get("groups") {
        Some(Answer::Choices(chosen)) => chosen
            .iter()
            .filter_map(|c| SpecialGroup::parse(c))
            .collect(),
        _ => Vec::new(),
    };
    if groups.is_empty() {
        problems.push(Problem {
            item: Some("groups".into()),
            kind: ProblemKind::Missing,
        });
    }
    let consent = matches!(form.answers.get("consent"), Some(Answer::Check(c)) if c.result == CheckResult::Pass);
    if !consent {
        problems.push(Problem {
            item: Some("consent".into()),
            kind: ProblemKind::Missing,
        });
    }
    let contact_name = text("contact_name");
    let contact = if contact_name.is_empty() {
        None
    } else {
        match Phone::parse(&text("contact_phone")) {
            Ok(phone) => Some(ContactPerson {
                name: contact_name,
                relation: text("contact_relation"),
                phone,
            }),
            Err(e) => {
                problems.push(Problem {
                    item: Some("contact_phone".into()),
                    kind: ProblemKind::invalid(e),
                });
                None
            }
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(SpecialGroupRegistration {
        groups,
        needs: text("needs"),
        contact,
        consent_given: true,
        registered_on: local_date(at),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::forms::builtin::builtin_template;
    use crate::forms::seal::Seal;
    use crate::household::{Address, Volume};

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, hour, 0, 0).unwrap()
    }

    fn household() -> Household {
        let address = Address {
            district: "西湖区".into(),
            street: "文三路".into(),
            building: "3".into(),
            unit: "2".into(),
            room: "501".into(),
        };
        crate::testkit::household("HZ000001", "王芳", "13800001234", address)
    }

    /// A residential inspection with its meter read, started at 01:00.
    fn inspection(template: &Template, household: &Household) -> Form {
        let mut form = Form::new(template, household.id, None, at(1));
        form.answers.insert(
            "meter_reading".into(),
            Answer::MeterReading(Volume::from_litres(1_234_567)),
        );
        form
    }

    #[test]
    fn a_visit_counts_when_the_devices_clock_is_believed_and_its_reading_keeps_the_devices_time() {
        let template = builtin_template("residential_inspection").unwrap();
        let household = household();
        let form = inspection(&template, &household);
        let times = SealTimes {
            sealed_at: at(9),
            counted_at: at(3),
        };
        let effects = of_seal(&form, &template, &household, None, times).unwrap();
        assert_eq!(effects.readings.len(), 1);
        assert_eq!(effects.readings[0].taken_at, at(9));
        let after = effects.household.expect("the next inspection rescheduled");
        assert_eq!(after.last_inspection_at, Some(at(3)));
    }

    #[test]
    fn an_amendment_corrects_its_visits_reading_at_the_visit_time_and_makes_nothing_else() {
        let template = builtin_template("residential_inspection").unwrap();
        let household = household();
        let mut original = inspection(&template, &household);
        original.seal = Some(Seal {
            content_digest: String::new(),
            digest: String::new(),
            sealed_at: at(2),
        });
        let mut amendment = inspection(&template, &household);
        amendment.amends = Some(original.id);
        let times = SealTimes {
            sealed_at: at(8),
            counted_at: at(8),
        };
        let effects = of_seal(&amendment, &template, &household, Some(&original), times).unwrap();
        assert_eq!(effects.readings.len(), 1);
        assert_eq!(effects.readings[0].taken_at, at(2), "at the visit's time");
        assert!(effects.household.is_none() && effects.orders.is_empty());
        // An original the server does not hold: the amendment's own seal is the best time known.
        let effects = of_seal(&amendment, &template, &household, None, times).unwrap();
        assert_eq!(effects.readings[0].taken_at, at(8));
    }
}
