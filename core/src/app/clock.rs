//! The app's one clock, which tests set, and the countdowns it moves.
//!
//! Every "now" of the app layer comes from [`Clock::now`]: the shells send a `Tick` each minute,
//! and the core reads the time from here, never from the system directly, so a test can walk a
//! day forward and watch a countdown change level.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where the app layer takes the time from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The phone's own clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock a test (or the demo) sets and moves by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How pressing a deadline is, which the shells draw as a colour and the screen reader says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// More than the due-soon share of its span left.
    OnTime,
    /// Less than a quarter of its span left (and under its target's urgent line).
    DueSoon,
    /// Less than an hour left on a clock of a day or less, or less than a tenth of its span.
    Urgent,
    /// Past the deadline.
    Late,
}

/// The level of a deadline `due` whose clock started at `from`, at `now`.
///
/// The thresholds follow the regulation's spans: a 30-minute on-site clock is urgent in its
/// last 10 minutes, a 6-hour handling clock in its last hour, a 24-hour repair clock in its
/// last 2 hours, a 10-day clock in its last day; each is due soon in the last quarter.
pub fn level(from: DateTime<Utc>, due: DateTime<Utc>, now: DateTime<Utc>) -> Level {
    if now > due {
        return Level::Late;
    }
    let span = (due - from).max(Duration::minutes(1));
    let left = due - now;
    let urgent_line = if span <= Duration::hours(1) {
        span / 3
    } else if span <= Duration::hours(6) {
        Duration::hours(1)
    } else if span <= Duration::hours(24) {
        Duration::hours(2)
    } else {
        span / 10
    };
    if left <= urgent_line {
        Level::Urgent
    } else if left <= span / 4 {
        Level::DueSoon
    } else {
        Level::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
    }

    #[test]
    fn a_repair_clock_turns_due_soon_then_urgent_then_late_as_the_day_goes() {
        let from = at(0, 0);
        let due = from + Duration::hours(24);
        assert_eq!(level(from, due, at(12, 0)), Level::OnTime);
        assert_eq!(level(from, due, at(18, 30)), Level::DueSoon);
        assert_eq!(level(from, due, at(22, 30)), Level::Urgent);
        assert_eq!(level(from, due, due + Duration::minutes(1)), Level::Late);
    }

    #[test]
    fn an_emergency_on_site_clock_is_urgent_in_its_last_ten_minutes() {
        let from = at(8, 0);
        let due = from + Duration::minutes(30);
        assert_eq!(level(from, due, at(8, 10)), Level::OnTime);
        assert_eq!(level(from, due, at(8, 21)), Level::Urgent);
    }
}
