//! What sealing a form changes beyond the form itself, decided here and applied by the store in
//! the same transaction as the seal:
//! - a signed inspection moves the household's next due date;
//! - a major hazard opens a follow-up order; a hazard whose rule says so shuts the gas off;
//! - a gas-on makes the supply active and keeps every answer of the household file: the meter
//!   (serial, type, opening reading), the appliances registered with their flue, the gas-on time;
//! - a shut-off or a reconnection changes the supply status; the shut-off keeps its seal number,
//!   the reconnection checks the seal it found against it;
//! - a repair closing filled for an order resolves the order (or refers it elsewhere); a
//!   return-visit form filled for its return-visit order resolves it;
//! - a special-group registration marks the household;
//! - every meter reading on the form goes into the household's readings.
//!
//! Item ids the core reads are fixed (see `docs/forms.md`): `meter_reading`, `meter_serial`,
//! `meter_type`, `appliances`, `heater_flue_type`, `gas_on_at`, `shut_off_reason`,
//! `seal_number`, `seal_intact`, `repair_result`, `groups`, `needs`, `contact_name`,
//! `contact_relation`, `contact_phone`, `consent`.

use chrono::{DateTime, Utc};

use super::form::{Answer, CheckResult, Form, Outcome, Problem, ProblemKind};
use super::template::{FormKind, HazardGrade, Template};
use crate::calendar::local_date;
use crate::household::{
    Appliance, ApplianceKind, ContactPerson, FlueType, HistoryEvent, HistoryKind, Household, Meter,
    MeterKind, MeterReading, Phone, ReadingSource, ShutOffReason, SpecialGroup,
    SpecialGroupRegistration, SupplyStatus, meter_read,
};
use crate::text::Text;
use crate::text::said;
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

/// The changes a sealed form makes.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// The household as it is after the visit, when the visit changed it.
    pub household: Option<Household>,
    pub readings: Vec<MeterReading>,
    pub orders: Vec<WorkOrder>,
    /// One line per change for the household's timeline (no personal data).
    pub notes: Vec<Text>,
    /// The final status the form gives the order it was filled for (a repair closing:
    /// resolved, or referred elsewhere), at the seal's time.
    pub resolves: Option<WorkOrderStatus>,
    /// What a reconnection found of the shut-off's seal.
    pub seal_check: Option<SealCheck>,
}

/// The household's timeline lines of a seal at `at`: the form sealed, each reading, each
/// follow-up order, and what the visit changed. Written by the phone that seals it and derived
/// by the server from the sealed form, under the same ids (`HistoryEvent::line`): the phones
/// that hold the household get the visit's lines, and the phone that made it keeps them once.
pub fn timeline(
    form: &Form,
    template: &Template,
    effects: &Effects,
    at: DateTime<Utc>,
) -> Vec<HistoryEvent> {
    let form_id = form.id.to_string();
    let line = |kind, subject: &str, summary: &Text| {
        HistoryEvent::line(form.household_id, at, kind, Some(subject), summary)
    };
    let mut lines = vec![line(
        HistoryKind::Form,
        &form_id,
        &said(
            format!(
                "表单已签封：{} 第{}版",
                template.title.zh, form.template_version
            ),
            format!(
                "form sealed: {} v{}",
                template.title.en, form.template_version
            ),
        ),
    )];
    for reading in &effects.readings {
        lines.push(line(
            HistoryKind::MeterReading,
            &form_id,
            &meter_read(reading.value),
        ));
    }
    for order in &effects.orders {
        lines.push(line(
            HistoryKind::WorkOrder,
            &order.id.to_string(),
            &said(
                "已为重大隐患开复查工单",
                "follow-up order opened for a major hazard",
            ),
        ));
    }
    if effects.household.is_some() {
        for note in &effects.notes {
            lines.push(line(HistoryKind::Visit, &form_id, note));
        }
    }
    lines
}

/// The seal a reconnection found, against the one the shut-off recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealCheck {
    /// The number the shut-off recorded; None when it recorded none.
    pub expected: Option<String>,
    /// The number of the seal removed, as answered.
    pub found: String,
    /// Whether the technician found the seal intact (`seal_intact` passed).
    pub intact: bool,
}

impl SealCheck {
    /// The seal found is the one put on at the shut-off, and unbroken.
    pub fn holds(&self) -> bool {
        self.intact && self.expected.as_deref() == Some(self.found.as_str())
    }

    /// The timeline's line for it (seal numbers are the utility's, not personal data).
    pub fn note(&self) -> Text {
        let intact = if self.intact {
            said("封签完好", "seal intact")
        } else {
            said("封签不完好", "seal NOT intact")
        };
        let number = match &self.expected {
            Some(expected) if *expected == self.found => said(
                format!("编号与停气记录一致（{expected}）"),
                format!("number matches the shut-off record ({expected})"),
            ),
            Some(expected) => said(
                format!("编号与停气记录不符：记录{expected}，拆除{}", self.found),
                format!(
                    "number does NOT match the shut-off record: recorded {expected}, removed {}",
                    self.found
                ),
            ),
            None => said(
                format!("停气记录无封签编号，拆除{}", self.found),
                format!(
                    "the shut-off recorded no seal number; removed {}",
                    self.found
                ),
            ),
        };
        said(
            format!("恢复供气核对封签：{}，{}", intact.zh, number.zh),
            format!("seal checked at reconnection: {}, {}", intact.en, number.en),
        )
    }
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
            // The time answered, never later than the seal counts at: a slip of the date picker
            // must not put the first inspection off.
            let gas_on_at = match answer("gas_on_at") {
                Some(Answer::DateTime(answered)) => (*answered).min(at),
                _ => at,
            };
            updated.gas_on_date = Some(local_date(gas_on_at));
            let kind = match answer("meter_type") {
                Some(Answer::Choice(c)) => Some(choice::<MeterKind>("meter_type", c)?),
                _ => None,
            };
            if let Some(Answer::Text(serial)) = answer("meter_serial") {
                let initial = effects
                    .readings
                    .first()
                    .map(|r| r.value)
                    .unwrap_or_default();
                let kind = kind
                    .or(household.meter.as_ref().map(|m| m.kind))
                    .unwrap_or(MeterKind::Diaphragm);
                updated.meter = Some(Meter {
                    serial: serial.trim().to_owned(),
                    kind,
                    initial_reading: initial,
                });
            } else if let (Some(kind), Some(meter)) = (kind, updated.meter.as_mut()) {
                meter.kind = kind;
            }
            if let Some(Answer::Choices(chosen)) = answer("appliances") {
                let flue = match answer("heater_flue_type") {
                    Some(Answer::Choice(c)) => Some(choice::<FlueType>("heater_flue_type", c)?),
                    _ => None,
                };
                updated.appliances = registered_appliances(&household.appliances, chosen, flue)?;
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
            let seal = match answer("seal_number") {
                Some(Answer::Text(number)) if !number.trim().is_empty() => {
                    Some(number.trim().to_owned())
                }
                _ => None,
            };
            updated.supply = SupplyStatus::ShutOff {
                reason,
                since: at,
                seal,
            };
            let why = reason.label();
            effects.notes.push(said(
                format!("已停气（{}）", why.zh),
                format!("gas shut off ({})", why.en),
            ));
        }
        FormKind::Reconnection if completed => {
            if let Some(Answer::Text(found)) = answer("seal_number") {
                let check = SealCheck {
                    expected: household.supply.seal_to_check().map(str::to_owned),
                    found: found.trim().to_owned(),
                    intact: matches!(
                        answer("seal_intact"),
                        Some(Answer::Check(c)) if c.result == CheckResult::Pass
                    ),
                };
                effects.notes.push(check.note());
                effects.seal_check = Some(check);
            }
            updated.supply = SupplyStatus::Active;
            effects.notes.push(said("已恢复供气", "gas reconnected"));
        }
        FormKind::RepairClosing if completed && form.work_order_id.is_some() => {
            effects.resolves = match answer("repair_result") {
                Some(Answer::Choice(c)) if c == "repaired" => Some(WorkOrderStatus::Resolved),
                Some(Answer::Choice(c)) if c == "out_of_scope" => {
                    Some(WorkOrderStatus::ReferredElsewhere)
                }
                _ => None,
            };
        }
        // The return visit the office scheduled is done once its form is sealed at the door.
        FormKind::ReturnVisit if completed && form.work_order_id.is_some() => {
            effects.resolves = Some(WorkOrderStatus::Resolved);
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
            // A seal put on by this same form (a shut-off that found a hazard) stays recorded.
            let seal = updated.supply.seal_to_check().map(str::to_owned);
            updated.supply = SupplyStatus::ShutOff {
                reason: ShutOffReason::Hazard,
                since: at,
                seal,
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

/// A choice's id read as the core's enum of the same snake_case names.
fn choice<T: serde::de::DeserializeOwned>(item: &str, id: &str) -> Result<T, Vec<Problem>> {
    serde_json::from_value(serde_json::Value::String(id.to_owned())).map_err(|_| {
        vec![Problem {
            item: Some(item.into()),
            kind: ProblemKind::invalid(crate::InvalidInput::new(
                item,
                said("不是可选的选项", "not one of the choices"),
            )),
        }]
    })
}

/// The appliances the acceptance registered: one per kind chosen, the flue answered for the
/// water heater and boiler, the file's brand and date kept for a kind it already held.
fn registered_appliances(
    held: &[Appliance],
    chosen: &[String],
    heater_flue: Option<FlueType>,
) -> Result<Vec<Appliance>, Vec<Problem>> {
    let mut appliances = Vec::new();
    for id in chosen {
        let kind = choice::<ApplianceKind>("appliances", id)?;
        let flue = match kind {
            ApplianceKind::WaterHeater | ApplianceKind::WallBoiler => {
                heater_flue.unwrap_or(FlueType::None)
            }
            _ => FlueType::None,
        };
        let before = held.iter().find(|a| a.kind == kind);
        appliances.push(Appliance {
            kind,
            brand: before.map(|a| a.brand.clone()).unwrap_or_default(),
            installed_on: before.and_then(|a| a.installed_on),
            flue,
        });
    }
    Ok(appliances)
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
mod tests;
