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

fn answered(template: &Template, household: &Household, answers: &[(&str, Answer)]) -> Form {
    let mut form = Form::new(template, household.id, None, at(1));
    for (item, answer) in answers {
        form.answers.insert((*item).into(), answer.clone());
    }
    form
}

fn choice(id: &str) -> Answer {
    Answer::Choice(id.into())
}

fn acceptance(household: &Household, answers: &[(&str, Answer)]) -> Effects {
    let template = builtin_template("acceptance_gas_on").unwrap();
    let mut all = vec![
        ("meter_serial", Answer::Text("LJ2026-0001".into())),
        (
            "meter_reading",
            Answer::MeterReading(Volume::from_litres(3_000)),
        ),
    ];
    all.extend(answers.iter().cloned());
    let form = answered(&template, household, &all);
    plan(&form, &template, household, at(9)).unwrap()
}

#[test]
fn the_meter_type_answered_at_acceptance_is_the_households_meter_type() {
    let mut household = household();
    household.meter = None;
    household.supply = SupplyStatus::NotConnected;
    let effects = acceptance(&household, &[("meter_type", choice("ic_card"))]);
    let meter = effects.household.unwrap().meter.unwrap();
    assert_eq!(meter.kind, MeterKind::IcCard, "not the diaphragm default");
    assert_eq!(meter.serial, "LJ2026-0001");
    assert_eq!(meter.initial_reading, Volume::from_litres(3_000));
}

#[test]
fn the_appliances_and_the_heaters_flue_answered_at_acceptance_are_in_the_household_file() {
    let mut household = household();
    household.appliances = vec![Appliance {
        kind: ApplianceKind::Stove,
        brand: "方太".into(),
        installed_on: None,
        flue: FlueType::None,
    }];
    let effects = acceptance(
        &household,
        &[
            (
                "appliances",
                Answer::Choices(vec!["stove".into(), "water_heater".into()]),
            ),
            ("heater_flue_type", choice("balanced")),
        ],
    );
    let appliances = effects.household.unwrap().appliances;
    assert_eq!(appliances.len(), 2);
    assert_eq!(appliances[0].kind, ApplianceKind::Stove);
    assert_eq!(appliances[0].brand, "方太", "what the file knew is kept");
    assert_eq!(appliances[0].flue, FlueType::None);
    assert_eq!(appliances[1].kind, ApplianceKind::WaterHeater);
    assert_eq!(appliances[1].flue, FlueType::Balanced);
}

#[test]
fn the_gas_on_time_answered_is_the_gas_on_date_not_the_seal_time() {
    let household = household();
    // Gas let in late on the 1st (China time), the form sealed the next morning.
    let gas_on = Utc.with_ymd_and_hms(2026, 11, 1, 15, 30, 0).unwrap();
    let effects = acceptance(&household, &[("gas_on_at", Answer::DateTime(gas_on))]);
    assert_eq!(
        effects.household.unwrap().gas_on_date,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
    );
    // A time answered after the seal counts at the seal.
    let later = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let effects = acceptance(&household, &[("gas_on_at", Answer::DateTime(later))]);
    assert_eq!(
        effects.household.unwrap().gas_on_date,
        Some(local_date(at(9)))
    );
}

fn pass() -> Answer {
    Answer::Check(crate::forms::form::CheckAnswer {
        result: CheckResult::Pass,
        advice: None,
    })
}

#[test]
fn a_shut_off_keeps_its_seal_number_and_the_reconnection_checks_the_seal_it_finds() {
    let household = household();
    let shut_off = builtin_template("shut_off").unwrap();
    let form = answered(
        &shut_off,
        &household,
        &[
            ("shut_off_reason", choice("arrears")),
            ("seal_number", Answer::Text(" FQ-778812 ".into())),
        ],
    );
    let after = plan(&form, &shut_off, &household, at(9))
        .unwrap()
        .household
        .unwrap();
    assert_eq!(after.supply.seal_to_check(), Some("FQ-778812"));

    let reconnection = builtin_template("reconnection").unwrap();
    let found = |number: &str, intact: bool| {
        let intact = if intact {
            pass()
        } else {
            Answer::Check(crate::forms::form::CheckAnswer {
                result: CheckResult::Fail,
                advice: Some("报稽查".into()),
            })
        };
        let form = answered(
            &reconnection,
            &after,
            &[
                ("seal_number", Answer::Text(number.into())),
                ("seal_intact", intact),
            ],
        );
        plan(&form, &reconnection, &after, at(10)).unwrap()
    };
    let same = found("FQ-778812", true);
    assert!(same.seal_check.as_ref().unwrap().holds());
    assert_eq!(same.household.unwrap().supply, SupplyStatus::Active);
    let other = found("FQ-000001", true);
    let check = other.seal_check.unwrap();
    assert!(!check.holds());
    assert!(check.note().en.contains("does NOT match"));
    assert!(other.notes.iter().any(|n| n.zh.contains("不符")));
    assert!(!found("FQ-778812", false).seal_check.unwrap().holds());
}

#[test]
fn a_repair_closing_filled_for_an_order_resolves_it_or_refers_it_elsewhere() {
    let household = household();
    let template = builtin_template("repair_closing").unwrap();
    let closing = |result: &str, order: Option<crate::ids::WorkOrderId>| {
        let mut form = answered(&template, &household, &[("repair_result", choice(result))]);
        form.work_order_id = order;
        plan(&form, &template, &household, at(9)).unwrap().resolves
    };
    let order = Some(crate::ids::WorkOrderId::new());
    assert_eq!(closing("repaired", order), Some(WorkOrderStatus::Resolved));
    assert_eq!(
        closing("out_of_scope", order),
        Some(WorkOrderStatus::ReferredElsewhere)
    );
    assert_eq!(
        closing("repaired", None),
        None,
        "no order, nothing to resolve"
    );
}

#[test]
fn a_return_visit_sealed_at_the_door_completes_its_return_visit_order() {
    let household = household();
    let template = builtin_template("return_visit").unwrap();
    let mut form = answered(&template, &household, &[]);
    form.work_order_id = Some(crate::ids::WorkOrderId::new());
    let effects = plan(&form, &template, &household, at(9)).unwrap();
    assert_eq!(effects.resolves, Some(WorkOrderStatus::Resolved));
    form.work_order_id = None;
    let effects = plan(&form, &template, &household, at(9)).unwrap();
    assert_eq!(effects.resolves, None, "no order, nothing to complete");
}
