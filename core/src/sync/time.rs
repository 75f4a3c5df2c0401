//! Which time a step that happened on a device counts at.
//!
//! A repair closed offline at 23:00 counts as closed at 23:00, by the device's clock. The clock
//! is checked before it is believed: the step's time must agree with the hybrid-clock stamp of
//! its operation (which cannot run backwards on the device) within a tolerance, and may not lie
//! in the future of the server's own clock when the operation arrived.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::sync::Hlc;

/// How far a device's clock may be off before its times are no longer believed.
pub const CLOCK_TOLERANCE: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepTime {
    /// The device's time was believed.
    Device,
    /// The device's time was in the future of the server's: the arrival time was used.
    Arrival,
    /// The device's time disagreed with its clock stamp (the clock had been set back or
    /// forward): the stamp's time was used.
    ClockStamp,
}

/// The time a step counts at, and which clock it came from.
pub fn trusted_step_time(
    device_at: DateTime<Utc>,
    stamp: &Hlc,
    received_at: DateTime<Utc>,
) -> (DateTime<Utc>, StepTime) {
    let stamp_at =
        DateTime::<Utc>::from_timestamp_millis(stamp.wall_ms as i64).unwrap_or(received_at);
    let latest = received_at + CLOCK_TOLERANCE;
    if (device_at - stamp_at).abs() > CLOCK_TOLERANCE {
        if stamp_at > latest {
            return (received_at, StepTime::Arrival);
        }
        return (stamp_at, StepTime::ClockStamp);
    }
    if device_at > latest {
        return (received_at, StepTime::Arrival);
    }
    (device_at, StepTime::Device)
}

/// The stamp an edit is merged with on the server: the operation's own, unless it runs more
/// than [`CLOCK_TOLERANCE`] ahead of the server's time when it arrived; then the arrival time,
/// with the stamp's counter and node. A phone whose clock is set a year ahead would otherwise
/// win every "later clock wins" merge of the fields it wrote, against every edit anyone makes
/// in that year, and keep winning after its clock is put right. The operation keeps its own
/// stamp; only the merge, and the field's stored stamp, use this one.
pub fn trusted_stamp(stamp: &Hlc, received_at: DateTime<Utc>) -> Hlc {
    let arrival = received_at.timestamp_millis().max(0) as u64;
    let latest = arrival.saturating_add(CLOCK_TOLERANCE.num_milliseconds().unsigned_abs());
    if stamp.wall_ms > latest {
        Hlc {
            wall_ms: arrival,
            ..stamp.clone()
        }
    } else {
        stamp.clone()
    }
}

/// When an operation stamped `stamp` was made, by the server's reckoning: the time of its
/// [`trusted_stamp`]. A time the operation carries (an order's report time, a last inspection)
/// is believed up to this, never later: a phone whose clock runs a year ahead would otherwise
/// put deadlines and due dates off by a year.
pub fn made_at(stamp: &Hlc, received_at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(trusted_stamp(stamp, received_at).wall_ms as i64)
        .unwrap_or(received_at)
}

/// A time an operation carries (an order's report time, a household's last inspection),
/// believed as far as its device's clock is: never later than when the operation was made
/// ([`made_at`]). Earlier times (a call taken before the order was typed) are kept.
pub fn believed(at: DateTime<Utc>, stamp: &Hlc, received_at: DateTime<Utc>) -> DateTime<Utc> {
    at.min(made_at(stamp, received_at))
}

/// One operation as the server received it: its device's clock stamp and when it arrived.
/// Every time the operation carries is believed against these, by the rules above.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    pub stamp: &'a Hlc,
    pub received_at: DateTime<Utc>,
}

impl Arrival<'_> {
    /// [`made_at`].
    pub fn made_at(&self) -> DateTime<Utc> {
        made_at(self.stamp, self.received_at)
    }

    /// [`believed`].
    pub fn believed(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        believed(at, self.stamp, self.received_at)
    }

    /// The time a step made at `at` counts at ([`trusted_step_time`]).
    pub fn step_time(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        trusted_step_time(at, self.stamp, self.received_at).0
    }

    /// [`trusted_stamp`].
    pub fn merge_stamp(&self) -> Hlc {
        trusted_stamp(self.stamp, self.received_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_an_operation_carries_is_believed_no_later_than_it_was_made() {
        let arrived: DateTime<Utc> = "2026-11-28T01:30:00Z".parse().unwrap();
        let year_ahead = stamp(arrived + Duration::days(365));
        let carried = arrived + Duration::days(300);
        assert_eq!(believed(carried, &year_ahead, arrived), arrived);
        let made = arrived - Duration::hours(9);
        let reported = made - Duration::hours(1);
        assert_eq!(believed(reported, &stamp(made), arrived), reported);
        assert_eq!(
            believed(made + Duration::hours(2), &stamp(made), arrived),
            made
        );
    }

    #[test]
    fn an_operation_from_a_clock_a_year_ahead_was_made_when_it_arrived() {
        let arrived: DateTime<Utc> = "2026-11-28T01:30:00Z".parse().unwrap();
        let ahead = arrived + Duration::days(365);
        assert_eq!(made_at(&stamp(ahead), arrived), arrived);
        let offline = arrived - Duration::hours(9);
        assert_eq!(made_at(&stamp(offline), arrived), offline);
        let a_minute_fast = arrived + Duration::minutes(1);
        assert_eq!(made_at(&stamp(a_minute_fast), arrived), a_minute_fast);
    }

    fn stamp(at: DateTime<Utc>) -> Hlc {
        Hlc {
            wall_ms: at.timestamp_millis() as u64,
            counter: 0,
            node: "d".into(),
        }
    }

    #[test]
    fn a_repair_closed_offline_at_23_counts_at_23() {
        let closed = "2026-11-27T15:00:00Z".parse().unwrap();
        let synced = "2026-11-28T01:30:00Z".parse().unwrap();
        assert_eq!(
            trusted_step_time(closed, &stamp(closed), synced),
            (closed, StepTime::Device)
        );
    }

    #[test]
    fn a_time_in_the_servers_future_counts_at_arrival() {
        let arrived: DateTime<Utc> = "2026-11-28T01:30:00Z".parse().unwrap();
        let future = arrived + Duration::hours(3);
        assert_eq!(
            trusted_step_time(future, &stamp(future), arrived),
            (arrived, StepTime::Arrival)
        );
    }

    #[test]
    fn a_stamp_far_ahead_is_merged_at_its_arrival_and_a_near_one_as_it_is() {
        let arrived: DateTime<Utc> = "2026-11-28T01:30:00Z".parse().unwrap();
        let year_ahead = stamp(arrived + Duration::days(365));
        let trusted = trusted_stamp(&year_ahead, arrived);
        assert_eq!(trusted.wall_ms, arrived.timestamp_millis() as u64);
        assert_eq!(
            (trusted.counter, &trusted.node),
            (year_ahead.counter, &year_ahead.node)
        );
        for near in [
            stamp(arrived + Duration::minutes(4)),
            stamp(arrived - Duration::days(1)),
        ] {
            assert_eq!(trusted_stamp(&near, arrived), near);
        }
    }

    proptest::proptest! {
        /// Whatever a phone's clock says, the stamp it is merged with is never more than the
        /// tolerance ahead of its arrival, keeps its counter and node, and a believable stamp
        /// is kept as it is.
        #[test]
        fn a_merged_stamp_is_never_far_ahead_of_its_arrival(
            wall_ms in 0u64..4_000_000_000_000,
            counter in proptest::prelude::any::<u32>(),
            arrival_ms in 0i64..4_000_000_000_000,
        ) {
            let arrived = DateTime::<Utc>::from_timestamp_millis(arrival_ms).unwrap();
            let sent = Hlc { wall_ms, counter, node: "d".into() };
            let merged = trusted_stamp(&sent, arrived);
            let tolerance = CLOCK_TOLERANCE.num_milliseconds() as u64;
            proptest::prop_assert!(merged.wall_ms <= arrival_ms as u64 + tolerance);
            proptest::prop_assert_eq!((merged.counter, &merged.node), (counter, &sent.node));
            if wall_ms <= arrival_ms as u64 + tolerance {
                proptest::prop_assert_eq!(merged, sent);
            }
        }
    }

    #[test]
    fn a_clock_set_back_is_caught_by_the_stamp() {
        let real: DateTime<Utc> = "2026-11-28T01:00:00Z".parse().unwrap();
        let set_back = real - Duration::days(2);
        let arrived = real + Duration::hours(1);
        assert_eq!(
            trusted_step_time(set_back, &stamp(real), arrived),
            (real, StepTime::ClockStamp)
        );
    }
}
