//! When a household is due for its periodic safety inspection (Art.7(5)).
//!
//! Non-residential users (commercial, industrial, heating) are inspected at least once a year,
//! residential users at least once every 2 years. The interval counts from the last signed
//! inspection, or from gas-on for a new user never inspected. Due dates are calendar days in the
//! utility's time zone, because that is the day the technician and the customer see.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::local_date;
use crate::household::{Category, Household, SupplyStatus};

/// The due date of an active household with neither a signed inspection nor a gas-on date on
/// file. Nobody can say when it was last checked, so it is due now; 1970-01-01 sorts before every
/// real due date (most overdue first), is a plain ISO date that every store and report accepts,
/// and lets a screen recognise it and say "never inspected" instead of a count of days.
pub const NEVER_INSPECTED_DUE: NaiveDate =
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");

/// The longest intervals between two inspections. The defaults are the regulation's minimum
/// frequencies (Art.7(5)); a unit may choose to inspect more often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionPolicy {
    /// Residential users: at least once every 2 years.
    pub residential_months: u32,
    /// Commercial, industrial and heating users: at least once a year. They burn more gas, in
    /// places open to the public or with larger installations, so they are checked twice as often.
    pub non_residential_months: u32,
}

impl Default for InspectionPolicy {
    fn default() -> Self {
        Self {
            residential_months: 24,
            non_residential_months: 12,
        }
    }
}

impl InspectionPolicy {
    pub fn interval_months(&self, category: Category) -> u32 {
        match category {
            Category::Residential => self.residential_months,
            Category::Commercial | Category::Industrial | Category::Heating => {
                self.non_residential_months
            }
        }
    }
}

/// The last day on which the household's next inspection is still in time, or `None` when it is
/// not to be inspected.
///
/// - Only an active household is inspected: with gas not connected, shut off or permanently
///   disconnected there is nothing burning to check (reconnection has its own checks).
/// - The interval counts from the later of the last signed inspection (its local day) and
///   gas-on. Normally that is the inspection; a gas-on after the last inspection on file (an
///   inspection recorded before acceptance, or dates entered wrongly) must not make a user whose
///   installation was just accepted look overdue.
/// - With neither date on file, the household is due at once: [`NEVER_INSPECTED_DUE`].
/// - Intervals are calendar months: inspected on 15 March, due by 15 March a year later; a month
///   without that day ends on its last day (29 Feb + 12 months = 28 Feb).
pub fn next_inspection_due(
    category: Category,
    supply: &SupplyStatus,
    last_inspection_at: Option<DateTime<Utc>>,
    gas_on_date: Option<NaiveDate>,
    policy: &InspectionPolicy,
) -> Option<NaiveDate> {
    if *supply != SupplyStatus::Active {
        return None;
    }
    let baseline = match (last_inspection_at.map(local_date), gas_on_date) {
        (Some(inspected), Some(gas_on)) => inspected.max(gas_on),
        (Some(inspected), None) => inspected,
        (None, Some(gas_on)) => gas_on,
        (None, None) => return Some(NEVER_INSPECTED_DUE),
    };
    let months = Months::new(policy.interval_months(category));
    Some(
        baseline
            .checked_add_months(months)
            .unwrap_or(NaiveDate::MAX),
    )
}

/// How a due date stands on a given day. A household inspected on its due date is in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "due", rename_all = "snake_case")]
pub enum InspectionDue {
    Overdue { days: i64 },
    DueToday,
    DueIn { days: i64 },
}

pub fn inspection_due(due_on: NaiveDate, today: NaiveDate) -> InspectionDue {
    let days = (due_on - today).num_days();
    match days {
        ..0 => InspectionDue::Overdue { days: -days },
        0 => InspectionDue::DueToday,
        _ => InspectionDue::DueIn { days },
    }
}

/// The households whose inspection was due before `today`, with their due dates, most overdue
/// first (at the same due date, by customer number, so that the list is the same on every
/// device). A household due today is not overdue yet.
pub fn overdue_households<'a>(
    households: impl IntoIterator<Item = &'a Household>,
    today: NaiveDate,
    policy: &InspectionPolicy,
) -> Vec<(&'a Household, NaiveDate)> {
    let mut overdue: Vec<_> = households
        .into_iter()
        .filter_map(|h| {
            next_inspection_due(
                h.category,
                &h.supply,
                h.last_inspection_at,
                h.gas_on_date,
                policy,
            )
            .filter(|due| *due < today)
            .map(|due| (h, due))
        })
        .collect();
    overdue.sort_by(|(a, a_due), (b, b_due)| {
        a_due
            .cmp(b_due)
            .then_with(|| a.customer_number.cmp(&b.customer_number))
    });
    overdue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::{Address, ShutOffReason};
    use crate::ids::HouseholdId;
    use chrono::{Days, TimeZone};
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A signature at a wall-clock time in Beijing.
    fn signed(y: i32, m: u32, d: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        crate::calendar::service_timezone()
            .with_ymd_and_hms(y, m, d, hour, minute, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn due(
        category: Category,
        last: Option<DateTime<Utc>>,
        gas_on: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        next_inspection_due(
            category,
            &SupplyStatus::Active,
            last,
            gas_on,
            &InspectionPolicy::default(),
        )
    }

    fn household(
        customer_number: &str,
        category: Category,
        last: Option<DateTime<Utc>>,
    ) -> Household {
        Household {
            id: HouseholdId::new(),
            customer_number: customer_number.into(),
            name: "test".into(),
            phones: Vec::new(),
            address: Address::default(),
            location: None,
            district_id: None,
            category,
            meter: None,
            appliances: Vec::new(),
            supply: SupplyStatus::Active,
            gas_on_date: Some(date(2015, 6, 1)),
            last_inspection_at: last,
            special_group: None,
        }
    }

    #[test]
    fn commercial_kitchen_inspected_last_march_is_due_this_march() {
        let last = signed(2025, 3, 14, 10, 0);
        assert_eq!(
            due(Category::Commercial, Some(last), Some(date(2019, 1, 1))),
            Some(date(2026, 3, 14))
        );
    }

    #[test]
    fn flat_inspected_in_march_is_due_two_years_later() {
        let last = signed(2025, 3, 14, 10, 0);
        assert_eq!(
            due(Category::Residential, Some(last), None),
            Some(date(2027, 3, 14))
        );
    }

    #[test]
    fn factory_and_heating_station_are_inspected_yearly_like_shops() {
        let last = signed(2025, 9, 1, 9, 0);
        for category in [Category::Industrial, Category::Heating] {
            assert_eq!(
                due(category, Some(last), None),
                Some(date(2026, 9, 1)),
                "{}",
                category.as_str()
            );
        }
    }

    #[test]
    fn new_user_never_inspected_counts_from_gas_on() {
        assert_eq!(
            due(Category::Residential, None, Some(date(2025, 11, 20))),
            Some(date(2027, 11, 20))
        );
        assert_eq!(
            due(Category::Commercial, None, Some(date(2025, 11, 20))),
            Some(date(2026, 11, 20))
        );
    }

    #[test]
    fn inspection_on_file_from_before_gas_on_does_not_make_a_new_user_overdue() {
        let before_acceptance = signed(2020, 5, 1, 10, 0);
        assert_eq!(
            due(
                Category::Residential,
                Some(before_acceptance),
                Some(date(2025, 6, 1))
            ),
            Some(date(2027, 6, 1))
        );
    }

    #[test]
    fn active_household_with_no_dates_on_file_is_due_at_once() {
        let d = due(Category::Residential, None, None).unwrap();
        assert_eq!(d, NEVER_INSPECTED_DUE);
        assert_eq!(d.to_string(), "1970-01-01");
        assert!(matches!(
            inspection_due(d, date(2026, 1, 1)),
            InspectionDue::Overdue { .. }
        ));
    }

    #[test]
    fn household_without_gas_flowing_is_not_inspected() {
        let last = Some(signed(2020, 1, 1, 10, 0));
        let since = signed(2024, 1, 1, 10, 0);
        for supply in [
            SupplyStatus::NotConnected,
            SupplyStatus::ShutOff {
                reason: ShutOffReason::Arrears,
                since,
                seal: None,
            },
            SupplyStatus::PermanentlyDisconnected { since },
        ] {
            let d = next_inspection_due(
                Category::Commercial,
                &supply,
                last,
                None,
                &InspectionPolicy::default(),
            );
            assert_eq!(d, None, "{}", supply.kind());
        }
    }

    #[test]
    fn inspection_signed_after_midnight_beijing_time_counts_on_the_beijing_day() {
        let just_after_midnight = signed(2025, 4, 1, 0, 30);
        assert_eq!(just_after_midnight.date_naive(), date(2025, 3, 31));
        assert_eq!(local_date(just_after_midnight), date(2025, 4, 1));
        assert_eq!(
            due(Category::Commercial, Some(just_after_midnight), None),
            Some(date(2026, 4, 1))
        );
    }

    #[test]
    fn shop_inspected_on_29_february_is_due_on_28_february() {
        let leap_day = signed(2024, 2, 29, 15, 0);
        assert_eq!(
            due(Category::Commercial, Some(leap_day), None),
            Some(date(2025, 2, 28))
        );
        assert_eq!(
            due(Category::Residential, Some(leap_day), None),
            Some(date(2026, 2, 28))
        );
    }

    #[test]
    fn due_date_reads_as_overdue_today_or_days_left() {
        let due_on = date(2026, 3, 14);
        assert_eq!(
            inspection_due(due_on, date(2026, 3, 20)),
            InspectionDue::Overdue { days: 6 }
        );
        assert_eq!(inspection_due(due_on, due_on), InspectionDue::DueToday);
        assert_eq!(
            inspection_due(due_on, date(2026, 3, 1)),
            InspectionDue::DueIn { days: 13 }
        );
    }

    #[test]
    fn overdue_list_puts_the_most_overdue_first_and_leaves_out_the_rest() {
        let today = date(2026, 6, 1);
        let restaurant = household(
            "C-200",
            Category::Commercial,
            Some(signed(2025, 2, 10, 9, 0)),
        );
        let flat_never = household("R-050", Category::Residential, None);
        let mut flat_never_no_dates = household("R-051", Category::Residential, None);
        flat_never_no_dates.gas_on_date = None;
        let flat_recent = household(
            "R-100",
            Category::Residential,
            Some(signed(2025, 2, 10, 9, 0)),
        );
        let due_today = household(
            "C-300",
            Category::Commercial,
            Some(signed(2025, 6, 1, 9, 0)),
        );
        let mut shut_off = household(
            "C-400",
            Category::Commercial,
            Some(signed(2020, 1, 1, 9, 0)),
        );
        shut_off.supply = SupplyStatus::ShutOff {
            reason: ShutOffReason::Hazard,
            since: signed(2021, 1, 1, 9, 0),
            seal: None,
        };
        let all = [
            restaurant,
            flat_never,
            flat_recent,
            due_today,
            shut_off,
            flat_never_no_dates,
        ];

        let overdue: Vec<_> = overdue_households(&all, today, &InspectionPolicy::default())
            .into_iter()
            .map(|(h, due)| (h.customer_number.as_str(), due))
            .collect();
        assert_eq!(
            overdue,
            vec![
                ("R-051", NEVER_INSPECTED_DUE),
                ("R-050", date(2017, 6, 1)),
                ("C-200", date(2026, 2, 10))
            ]
        );
    }

    #[test]
    fn policy_travels_as_json() {
        let policy = InspectionPolicy::default();
        let json = serde_json::to_value(policy).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "residential_months": 24, "non_residential_months": 12 })
        );
        assert_eq!(
            serde_json::from_value::<InspectionPolicy>(json).unwrap(),
            policy
        );
    }

    fn any_category() -> impl Strategy<Value = Category> {
        proptest::sample::select(Category::ALL.to_vec())
    }

    fn any_non_residential() -> impl Strategy<Value = Category> {
        proptest::sample::select(vec![
            Category::Commercial,
            Category::Industrial,
            Category::Heating,
        ])
    }

    /// Any day from 2000 to about 2054.
    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0u64..20_000).prop_map(|d| date(2000, 1, 1) + Days::new(d))
    }

    /// Any instant from 2000 to about 2060.
    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        (946_684_800i64..2_840_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #[test]
        fn due_date_falls_after_the_inspection_and_within_the_interval(
            category in any_category(),
            last in any_instant(),
        ) {
            let policy = InspectionPolicy::default();
            let baseline = local_date(last);
            let due_on = due(category, Some(last), None).unwrap();
            let months = policy.interval_months(category);
            prop_assert!(due_on > baseline);
            prop_assert!(due_on <= baseline.checked_add_months(Months::new(months)).unwrap());
            prop_assert!(due_on >= baseline + Days::new(u64::from(months) * 28));
        }

        #[test]
        fn later_inspection_never_brings_the_due_date_forward(
            category in any_category(),
            first in any_instant(),
            later_by_secs in 0i64..200_000_000,
            gas_on_offset_days in proptest::option::of(-8000i64..8000),
        ) {
            let later = first + chrono::Duration::seconds(later_by_secs);
            let gas_on = gas_on_offset_days.map(|d| local_date(first) + chrono::Duration::days(d));
            let a = due(category, Some(first), gas_on).unwrap();
            let b = due(category, Some(later), gas_on).unwrap();
            prop_assert!(b >= a);
        }

        #[test]
        fn residential_is_never_due_before_non_residential_with_the_same_baseline(
            non_residential in any_non_residential(),
            last in proptest::option::of(any_instant()),
            gas_on in proptest::option::of(any_day()),
        ) {
            let residential = due(Category::Residential, last, gas_on).unwrap();
            let other = due(non_residential, last, gas_on).unwrap();
            prop_assert!(residential >= other);
        }
    }
}
