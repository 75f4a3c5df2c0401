//! Abnormal consumption from meter readings: what puts a household on the patrol of abnormal
//! users (异常用户上门巡查, Art.5(2)).
//!
//! Three signs, checked in this order, the first found wins:
//! 1. a reading lower than the one before: tampering, or a meter swapped without the file
//!    knowing; either way someone must look at the meter;
//! 2. zero use on an active account for a long time: a bypass, a stopped meter, or an empty
//!    home with gas left on;
//! 3. a sudden jump against the household's own usual use: a leak, or an illegal connection.
//!
//! Everything is integer litres and whole seconds, so that a verdict is the same on every device.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{MeterReading, ReadingSource, SupplyStatus};
use crate::text::{Text, said};

/// Use between readings less than a day apart is not turned into a daily rate: a technician and
/// the customer reading the same meter on the same morning would otherwise extrapolate a few
/// litres in minutes into a "jump". Such readings are merged into the interval before.
const SHORTEST_INTERVAL: Duration = Duration::days(1);

const SECONDS_PER_DAY: i128 = 86_400;

/// The thresholds of abnormal use. They are parameters so that a unit can tune the patrol to its
/// own users and staff without a code change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumptionPolicy {
    /// An active meter that has not moved over at least this many days is zero use. 60 days
    /// spans two monthly reading rounds, so a household away for a few weeks is not flagged.
    pub zero_use_days: i64,
    /// The latest daily use is a jump when above this percentage of the household's own median
    /// daily use (300: more than 3×). Each household is its own baseline, because a restaurant
    /// and a flat differ a hundredfold; the median ignores one odd winter month.
    pub jump_percent: i64,
    /// A jump must also reach this many litres a day (2000 L = 2 m³, a busy family kitchen and a
    /// water heater): a tiny user tripling its use is no danger and not worth a visit.
    pub jump_min_daily_litres: i64,
    /// A jump is judged only against at least this many earlier intervals; with fewer, the
    /// household has no "usual" use yet (a new user, a new meter).
    pub min_history_intervals: usize,
}

impl Default for ConsumptionPolicy {
    fn default() -> Self {
        Self {
            zero_use_days: 60,
            jump_percent: 300,
            jump_min_daily_litres: 2000,
            min_history_intervals: 3,
        }
    }
}

/// Why a household should be visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AbnormalUse {
    /// The meter showed the same reading over `days` days, up to the latest reading.
    ZeroUse { days: i64 },
    /// The latest interval used `daily_litres` a day, against a median of `usual_daily_litres`.
    Jump {
        daily_litres: i64,
        usual_daily_litres: i64,
    },
    /// The most recent reading that was lower than the one before it, by `by_litres`.
    ReadingWentBackwards { by_litres: i64 },
}

impl AbnormalUse {
    /// Why the household is visited, as the patrol order says it: figures of the meter, never
    /// who lives there.
    pub fn reason(&self) -> Text {
        match self {
            AbnormalUse::ZeroUse { days } => said(
                format!("在用户{days}天用气量为零"),
                format!("no gas used for {days} days on an active account"),
            ),
            AbnormalUse::Jump {
                daily_litres,
                usual_daily_litres,
            } => said(
                format!("用气量突增：每天{daily_litres}升，平常每天{usual_daily_litres}升"),
                format!(
                    "sudden rise in use: {daily_litres} L a day against a usual {usual_daily_litres} L"
                ),
            ),
            AbnormalUse::ReadingWentBackwards { by_litres } => said(
                format!("表读数比上次少{by_litres}升"),
                format!("the meter reading went back by {by_litres} L"),
            ),
        }
    }
}

/// Whether the readings of a household show abnormal use, and which.
///
/// Only an active household is flagged: with gas shut off or never connected, a still meter is
/// expected. `readings` may come in any order (they sync from several devices) and should be
/// those of the meter now fitted: a reading of a replaced meter would look like a rollback.
/// Estimated readings are left out: they are a billing guess, so a real reading below an estimate
/// is a correction, not tampering, and an estimate repeating the last value is not zero use.
pub fn abnormal_use(
    supply: &SupplyStatus,
    readings: &[MeterReading],
    policy: &ConsumptionPolicy,
) -> Option<AbnormalUse> {
    if *supply != SupplyStatus::Active {
        return None;
    }
    let mut measured: Vec<&MeterReading> = readings
        .iter()
        .filter(|r| r.source != ReadingSource::Estimated)
        .collect();
    // By value too at the same instant, so that the verdict does not depend on arrival order.
    measured.sort_by_key(|r| (r.taken_at, r.value));
    went_backwards(&measured)
        .or_else(|| zero_use(&measured, policy))
        .or_else(|| jump(&measured, policy))
}

fn went_backwards(readings: &[&MeterReading]) -> Option<AbnormalUse> {
    readings
        .windows(2)
        .rev()
        .find(|w| w[1].value < w[0].value)
        .map(|w| AbnormalUse::ReadingWentBackwards {
            by_litres: w[0].value.litres().saturating_sub(w[1].value.litres()),
        })
}

/// Readings never go down here (that was flagged first), so the readings equal to the latest
/// are the last ones.
fn zero_use(readings: &[&MeterReading], policy: &ConsumptionPolicy) -> Option<AbnormalUse> {
    let latest = readings.last()?;
    let unchanged = readings
        .iter()
        .rev()
        .take_while(|r| r.value == latest.value)
        .count();
    if unchanged < 2 {
        return None;
    }
    let since = readings[readings.len() - unchanged];
    let days = (latest.taken_at - since.taken_at).num_days();
    (days >= policy.zero_use_days).then_some(AbnormalUse::ZeroUse { days })
}

fn jump(readings: &[&MeterReading], policy: &ConsumptionPolicy) -> Option<AbnormalUse> {
    let series = at_least_a_day_apart(readings);
    let daily: Vec<i64> = series
        .windows(2)
        .map(|w| daily_litres(w[0], w[1]))
        .collect();
    let (&latest, earlier) = daily.split_last()?;
    if earlier.is_empty() || earlier.len() < policy.min_history_intervals {
        return None;
    }
    let mut sorted = earlier.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    // Twice the median, so that an even count is averaged without rounding: the verdict then
    // depends only on the ratio of uses, not on their size.
    let twice_median = if sorted.len() % 2 == 1 {
        2 * i128::from(sorted[mid])
    } else {
        i128::from(sorted[mid - 1]) + i128::from(sorted[mid])
    };
    let above_usual =
        (i128::from(latest) * 200) > i128::from(policy.jump_percent).saturating_mul(twice_median);
    (above_usual && latest >= policy.jump_min_daily_litres).then(|| AbnormalUse::Jump {
        daily_litres: latest,
        usual_daily_litres: clamp_to_i64(twice_median / 2),
    })
}

/// The readings that end intervals of at least [`SHORTEST_INTERVAL`], counted back from the
/// latest reading so that the latest interval always ends at the newest reading.
fn at_least_a_day_apart<'r>(readings: &[&'r MeterReading]) -> Vec<&'r MeterReading> {
    let mut kept: Vec<&MeterReading> = Vec::with_capacity(readings.len());
    for &reading in readings.iter().rev() {
        match kept.last() {
            Some(newer) if newer.taken_at - reading.taken_at < SHORTEST_INTERVAL => {}
            _ => kept.push(reading),
        }
    }
    kept.reverse();
    kept
}

/// Litres a day between two readings at least a day apart, rounded down.
fn daily_litres(from: &MeterReading, to: &MeterReading) -> i64 {
    let litres = i128::from(to.value.litres()) - i128::from(from.value.litres());
    clamp_to_i64(litres * SECONDS_PER_DAY / seconds_between(from.taken_at, to.taken_at).max(1))
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i128 {
    i128::from((to - from).num_seconds())
}

fn clamp_to_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::{ShutOffReason, Volume};
    use crate::ids::HouseholdId;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap()
    }

    fn reading_after(after: Duration, litres: i64, source: ReadingSource) -> MeterReading {
        MeterReading {
            household_id: HouseholdId::default(),
            taken_at: start() + after,
            value: Volume::from_litres(litres),
            source,
        }
    }

    /// A reading by a technician `day` days after the first one.
    fn on_day(day: i64, litres: i64) -> MeterReading {
        reading_after(Duration::days(day), litres, ReadingSource::Technician)
    }

    /// Monthly readings of a family using `daily` litres a day.
    fn monthly(months: i64, daily: i64) -> Vec<MeterReading> {
        (0..=months)
            .map(|m| on_day(30 * m, 1_000_000 + 30 * m * daily))
            .collect()
    }

    fn check(readings: &[MeterReading]) -> Option<AbnormalUse> {
        abnormal_use(
            &SupplyStatus::Active,
            readings,
            &ConsumptionPolicy::default(),
        )
    }

    #[test]
    fn family_using_gas_as_usual_is_not_flagged() {
        assert_eq!(check(&monthly(12, 900)), None);
    }

    #[test]
    fn active_household_whose_meter_has_not_moved_for_75_days_is_zero_use() {
        let mut readings = monthly(4, 900);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(120 + 40, last));
        readings.push(on_day(120 + 75, last));
        assert_eq!(check(&readings), Some(AbnormalUse::ZeroUse { days: 75 }));
    }

    #[test]
    fn meter_still_for_a_month_is_not_yet_zero_use() {
        let mut readings = monthly(4, 900);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(120 + 30, last));
        assert_eq!(check(&readings), None);
    }

    #[test]
    fn restaurant_burning_four_times_its_usual_gas_is_a_jump() {
        let mut readings = monthly(6, 1_000);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(180 + 10, last + 10 * 4_000));
        assert_eq!(
            check(&readings),
            Some(AbnormalUse::Jump {
                daily_litres: 4_000,
                usual_daily_litres: 1_000
            })
        );
    }

    #[test]
    fn use_of_exactly_three_times_the_usual_is_not_a_jump() {
        let mut readings = monthly(6, 1_000);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(180 + 10, last + 10 * 3_000));
        assert_eq!(check(&readings), None);
    }

    #[test]
    fn small_user_tripling_its_tiny_use_is_not_flagged() {
        let mut readings = monthly(6, 200);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(180 + 30, last + 30 * 1_000));
        assert_eq!(check(&readings), None);
    }

    #[test]
    fn new_user_with_too_little_history_has_no_jump() {
        let mut readings = monthly(2, 1_000);
        let last = readings.last().unwrap().value.litres();
        readings.push(on_day(60 + 30, last + 30 * 10_000));
        assert_eq!(check(&readings), None);

        let lenient = ConsumptionPolicy {
            min_history_intervals: 2,
            ..ConsumptionPolicy::default()
        };
        assert!(matches!(
            abnormal_use(&SupplyStatus::Active, &readings, &lenient),
            Some(AbnormalUse::Jump {
                daily_litres: 10_000,
                ..
            })
        ));
    }

    #[test]
    fn median_of_an_even_count_of_intervals_is_the_mean_of_the_middle_two() {
        let readings = [
            on_day(0, 0),
            on_day(1, 1_000),
            on_day(2, 2_000),
            on_day(3, 5_000),
            on_day(4, 9_000),
            on_day(5, 16_000),
        ];
        assert_eq!(
            check(&readings),
            Some(AbnormalUse::Jump {
                daily_litres: 7_000,
                usual_daily_litres: 2_000
            })
        );
    }

    #[test]
    fn reading_lower_than_the_one_before_is_flagged() {
        let mut readings = monthly(3, 900);
        readings.push(on_day(100, 1_000_000 + 90 * 900 - 5_000));
        assert_eq!(
            check(&readings),
            Some(AbnormalUse::ReadingWentBackwards { by_litres: 5_000 })
        );
    }

    #[test]
    fn readings_synced_out_of_order_are_judged_in_time_order() {
        let mut readings = monthly(6, 900);
        readings.reverse();
        readings.swap(1, 4);
        assert_eq!(check(&readings), None);

        let mut readings = monthly(6, 1_000);
        let last = readings.last().unwrap().value.litres();
        readings.insert(0, on_day(180 + 10, last + 10 * 4_000));
        assert!(matches!(check(&readings), Some(AbnormalUse::Jump { .. })));
    }

    #[test]
    fn household_without_gas_flowing_is_never_flagged() {
        let readings = [on_day(0, 5_000), on_day(100, 5_000), on_day(200, 4_000)];
        assert!(check(&readings).is_some());
        let since = start();
        for supply in [
            SupplyStatus::NotConnected,
            SupplyStatus::ShutOff {
                reason: ShutOffReason::Arrears,
                since,
                seal: None,
            },
            SupplyStatus::PermanentlyDisconnected { since },
        ] {
            assert_eq!(
                abnormal_use(&supply, &readings, &ConsumptionPolicy::default()),
                None,
                "{}",
                supply.kind()
            );
        }
    }

    #[test]
    fn real_reading_below_a_billing_estimate_is_not_a_rollback() {
        let mut readings = monthly(3, 900);
        readings.push(reading_after(
            Duration::days(120),
            1_000_000 + 120 * 2_000,
            ReadingSource::Estimated,
        ));
        readings.push(on_day(121, 1_000_000 + 121 * 900));
        assert_eq!(check(&readings), None);
    }

    #[test]
    fn technician_and_customer_reading_the_same_morning_make_no_jump() {
        let mut readings = monthly(6, 900);
        let last = readings.last().unwrap().value.litres();
        readings.push(reading_after(
            Duration::days(180) + Duration::minutes(20),
            last + 40,
            ReadingSource::Customer,
        ));
        assert_eq!(check(&readings), None);
    }

    #[test]
    fn a_single_reading_says_nothing() {
        assert_eq!(check(&[]), None);
        assert_eq!(check(&[on_day(0, 1_000)]), None);
    }

    #[test]
    fn verdict_travels_as_json() {
        let verdict = AbnormalUse::Jump {
            daily_litres: 4_000,
            usual_daily_litres: 1_000,
        };
        let json = serde_json::to_value(&verdict).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "jump", "daily_litres": 4000, "usual_daily_litres": 1000 })
        );
        assert_eq!(
            serde_json::from_value::<AbnormalUse>(json).unwrap(),
            verdict
        );
    }

    /// Readings at the end of intervals of whole days, each interval used at a whole daily rate,
    /// so that daily use is exact and scaling involves no rounding.
    fn readings_from(intervals: &[(i64, i64)], scale: i64) -> Vec<MeterReading> {
        let mut day = 0;
        let mut litres = 500_000 * scale;
        let mut readings = vec![on_day(day, litres)];
        for &(days, daily) in intervals {
            day += days;
            litres += days * daily * scale;
            readings.push(on_day(day, litres));
        }
        readings
    }

    proptest! {
        #[test]
        fn household_using_gas_at_a_steady_rate_is_never_flagged(
            daily in 1i64..50_000,
            first in 0i64..1_000_000_000,
            offsets in proptest::collection::vec(0i64..100_000_000, 2..30)
                .prop_map(|mut v| { v.sort_unstable(); v })
                .prop_shuffle(),
        ) {
            let readings: Vec<_> = offsets
                .iter()
                .map(|&s| {
                    let litres = first + daily * s / 86_400;
                    reading_after(Duration::seconds(s), litres, ReadingSource::Technician)
                })
                .collect();
            prop_assert_eq!(check(&readings), None);
        }

        /// The jump test compares a household with itself, so a restaurant and a flat with the
        /// same pattern get the same verdict (the absolute floor is set aside here: it is
        /// deliberately not proportional).
        #[test]
        fn scaling_all_consumption_does_not_change_a_jump_verdict(
            intervals in proptest::collection::vec((1i64..90, 0i64..10_000), 3..12),
            latest in (1i64..90, 0i64..60_000),
            scale in 2i64..50,
        ) {
            let policy = ConsumptionPolicy {
                jump_min_daily_litres: 0,
                ..ConsumptionPolicy::default()
            };
            let mut all = intervals.clone();
            all.push(latest);
            let verdict = |scale| {
                let readings = readings_from(&all, scale);
                match abnormal_use(&SupplyStatus::Active, &readings, &policy) {
                    Some(AbnormalUse::Jump { daily_litres, .. }) => Some(daily_litres),
                    _ => None,
                }
            };
            prop_assert_eq!(verdict(scale), verdict(1).map(|daily| daily * scale));
        }
    }
}
