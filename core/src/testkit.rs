//! Test support shared by the core's tests and the server's (the `test-support` feature): a
//! valid answer for any item of a form, a signature's strokes, a household to start from. One
//! place for each, so the two crates' tests fill forms and sign them the same way.

use chrono::{DateTime, NaiveDate, Utc};

use crate::forms::Decimal;
use crate::forms::form::{Answer, CapturedLocation, CheckAnswer, CheckResult};
use crate::forms::seal::StrokePoint;
use crate::forms::template::{Item, ItemKind};
use crate::geo::GeoPoint;
use crate::household::{
    Address, Category, Household, Meter, MeterKind, Phone, SupplyStatus, Volume,
};
use crate::ids::HouseholdId;

/// A valid answer for `item` (a date and time answered with `at`), or `None` for photo and
/// signature items, which take evidence rather than an answer.
pub fn valid_answer(item: &Item, at: DateTime<Utc>) -> Option<Answer> {
    Some(match &item.kind {
        ItemKind::Check { .. } => Answer::Check(CheckAnswer {
            result: CheckResult::Pass,
            advice: None,
        }),
        ItemKind::Number { min, max, .. } => {
            Answer::Number(min.or(*max).unwrap_or(Decimal::new(1, 0)))
        }
        ItemKind::Text { .. } if item.id.contains("phone") => Answer::Text("13800001234".into()),
        ItemKind::Text { .. } if item.id.contains("serial") => Answer::Text("M20261102".into()),
        ItemKind::Text { .. } => Answer::Text("正常".into()),
        ItemKind::SingleChoice { choices } => Answer::Choice(choices[0].id.clone()),
        ItemKind::MultipleChoice { choices, min, .. } => Answer::Choices(
            choices
                .iter()
                .take((*min).max(1) as usize)
                .map(|c| c.id.clone())
                .collect(),
        ),
        ItemKind::Date => Answer::Date(Utc::now().date_naive()),
        ItemKind::DateTime => Answer::DateTime(at),
        ItemKind::MeterReading => Answer::MeterReading(Volume::from_litres(1_234_567)),
        ItemKind::Location => Answer::Location(CapturedLocation {
            point: GeoPoint::new(30.27, 120.16).expect("a point in Hangzhou"),
            accuracy_m: 8.0,
        }),
        // Nothing charged: a receipt number is unique on the server, and these answers repeat.
        ItemKind::Charges => Answer::Charges(crate::fees::Charges {
            lines: vec![],
            method: None,
            receipt: None,
            collected_by: crate::ids::TechnicianId(uuid::Uuid::nil()),
        }),
        ItemKind::Photo { .. } | ItemKind::Signature { .. } => return None,
    })
}

/// A short signature: three points of one stroke, with and without pressure.
pub fn strokes() -> Vec<Vec<StrokePoint>> {
    vec![vec![
        StrokePoint {
            x: 10.0,
            y: 40.0,
            t_ms: 0,
            pressure: Some(0.4),
        },
        StrokePoint {
            x: 60.0,
            y: 20.0,
            t_ms: 120,
            pressure: Some(0.7),
        },
        StrokePoint {
            x: 110.0,
            y: 45.0,
            t_ms: 260,
            pressure: None,
        },
    ]]
}

/// A residential household with gas on since 2020 and a diaphragm meter (numbered after its
/// account), in no district: tests change what they are about.
pub fn household(customer_number: &str, name: &str, phone: &str, address: Address) -> Household {
    Household {
        id: HouseholdId::new(),
        customer_number: customer_number.into(),
        name: name.into(),
        phones: vec![Phone::parse(phone).expect("a valid test phone number")],
        address,
        location: None,
        district_id: None,
        category: Category::Residential,
        meter: Some(Meter {
            serial: format!("M{customer_number}"),
            kind: MeterKind::Diaphragm,
            initial_reading: Volume::from_litres(0),
        }),
        appliances: vec![],
        supply: SupplyStatus::Active,
        gas_on_date: NaiveDate::from_ymd_opt(2020, 5, 1),
        last_inspection_at: None,
        special_group: None,
    }
}
