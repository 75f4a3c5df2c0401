//! A hybrid logical clock (Kulkarni et al., 2014).
//!
//! Phone clocks are wrong by minutes and jump when the network corrects them. Every operation is
//! stamped with (wall milliseconds, counter, device): the stamps of one device strictly increase
//! even if its clock goes backwards, stay close to real time, and order the operations of many
//! devices consistently. The stamp is kept apart from the device time of the event itself, which
//! is what deadlines are judged on.

use crate::text::said;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::InvalidInput;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    /// The device (or server) that made the stamp; breaks ties between devices.
    pub node: String,
}

impl fmt::Display for Hlc {
    /// Fixed-width, so that stamps sort as text in the same order as [`Ord`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:06}-{}", self.wall_ms, self.counter, self.node)
    }
}

impl FromStr for Hlc {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        let bad = || {
            InvalidInput::new(
                "hlc",
                said(
                    "不是时钟戳（wall-counter-node）",
                    "not a clock stamp (wall-counter-node)",
                ),
            )
        };
        let mut parts = s.splitn(3, '-');
        let wall_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let counter = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let node = parts
            .next()
            .filter(|n| !n.is_empty())
            .ok_or_else(bad)?
            .to_owned();
        Ok(Hlc {
            wall_ms,
            counter,
            node,
        })
    }
}

/// The clock of one node. Feed it the physical time; it hands out increasing stamps.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that continues after `last` (the newest stamp this node ever issued or saw).
    pub fn resume(node: impl Into<String>, last: Option<Hlc>) -> Self {
        let node = node.into();
        let last = match last {
            Some(l) => Hlc {
                node: node.clone(),
                ..l
            },
            None => Hlc {
                wall_ms: 0,
                counter: 0,
                node,
            },
        };
        Self { last }
    }

    /// A stamp for a local event at physical time `now_ms`.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        (self.last.wall_ms, self.last.counter) = if now_ms > self.last.wall_ms {
            (now_ms, 0)
        } else {
            after(self.last.wall_ms, self.last.counter)
        };
        self.last.clone()
    }

    /// Takes in a stamp received from another node, so that later local stamps order after it.
    pub fn observe(&mut self, remote: &Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms.max(self.last.wall_ms).max(remote.wall_ms);
        (self.last.wall_ms, self.last.counter) =
            if wall == self.last.wall_ms && wall == remote.wall_ms {
                after(wall, self.last.counter.max(remote.counter))
            } else if wall == self.last.wall_ms {
                after(wall, self.last.counter)
            } else if wall == remote.wall_ms {
                after(wall, remote.counter)
            } else {
                (wall, 0)
            };
        self.last.clone()
    }

    /// [`Self::observe`], unless `remote` runs more than `max_ahead_ms` ahead of `now_ms`: such
    /// a stamp (a phone whose clock is set wrong) would drag this clock, and every node that
    /// observes it afterwards, ahead of real time. Returns whether it was taken in.
    pub fn observe_unless_ahead(&mut self, remote: &Hlc, now_ms: u64, max_ahead_ms: u64) -> bool {
        let believable = remote.wall_ms <= now_ms.saturating_add(max_ahead_ms);
        if believable {
            self.observe(remote, now_ms);
        }
        believable
    }

    pub fn last(&self) -> &Hlc {
        &self.last
    }
}

/// The largest counter a clock here gives: the text form has six digits for it, so that stamps
/// sort as text as they sort as stamps (the store keeps its high-water stamp as text).
pub const MAX_COUNTER: u32 = 999_999;

/// The (wall, counter) right after a stamp's. A counter at its limit (or beyond it: a stamp
/// received from a node that counts further, up to `u32::MAX`) carries into the next
/// millisecond rather than overflow or grow a seventh digit; a clock at the very end of time
/// stays there.
fn after(wall_ms: u64, counter: u32) -> (u64, u32) {
    if counter < MAX_COUNTER {
        return (wall_ms, counter + 1);
    }
    match wall_ms.checked_add(1) {
        Some(wall_ms) => (wall_ms, 0),
        None => (wall_ms, counter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_stamp_far_ahead_of_the_clock_is_not_taken_in() {
        let mut clock = HlcClock::resume("server", None);
        let ahead = Hlc {
            wall_ms: 1_000 + 8 * 3_600_000,
            counter: 0,
            node: "phone".into(),
        };
        assert!(!clock.observe_unless_ahead(&ahead, 1_000, 300_000));
        assert_eq!(clock.last().wall_ms, 0, "not dragged ahead");
        let near = Hlc {
            wall_ms: 1_200,
            ..ahead
        };
        assert!(clock.observe_unless_ahead(&near, 1_000, 300_000));
        assert!(clock.last().wall_ms >= 1_200);
    }

    #[test]
    fn stamps_keep_increasing_when_the_phone_clock_jumps_back() {
        let mut clock = HlcClock::resume("dev-a", None);
        let a = clock.tick(10_000);
        let b = clock.tick(5_000);
        let c = clock.tick(5_000);
        assert!(a < b && b < c);
        assert_eq!(b.wall_ms, 10_000);
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_stamp() {
        let a = Hlc {
            wall_ms: 9,
            counter: 10,
            node: "x-y".into(),
        };
        let b = Hlc {
            wall_ms: 10,
            counter: 0,
            node: "a".into(),
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a.to_string() < b.to_string());
        assert!("12-x".parse::<Hlc>().is_err());
    }

    #[test]
    fn a_counter_at_its_limit_carries_into_the_next_millisecond() {
        // A stamp received with the largest counter used to overflow the clock's counter: a
        // panic in debug builds, a stamp going back in release builds. The push_request_json
        // and pull_response_json fuzz targets keep trying it.
        let remote = Hlc {
            wall_ms: 20_000,
            counter: u32::MAX,
            node: "srv".into(),
        };
        let mut clock = HlcClock::resume("dev", None);
        let seen = clock.observe(&remote, 10_000);
        assert!(seen > remote);
        assert_eq!((seen.wall_ms, seen.counter), (20_001, 0));
        let next = clock.tick(10_000);
        assert!(next > seen);
        let mut stuck = HlcClock::resume(
            "dev",
            Some(Hlc {
                wall_ms: u64::MAX,
                counter: u32::MAX,
                node: "dev".into(),
            }),
        );
        assert_eq!(
            stuck.tick(0).counter,
            u32::MAX,
            "no overflow at the end of time"
        );
        assert_eq!(stuck.observe(&remote, 0).wall_ms, u64::MAX);
    }

    #[test]
    fn a_clock_never_gives_a_counter_of_seven_digits() {
        // A server stamp with a counter past six digits: the phone's next stamps carry into the
        // next millisecond, and their text still sorts as the stamps do.
        let remote = Hlc {
            wall_ms: 20_000,
            counter: 1_000_000,
            node: "srv".into(),
        };
        let mut clock = HlcClock::resume("dev", None);
        let seen = clock.observe(&remote, 20_000);
        assert_eq!((seen.wall_ms, seen.counter), (20_001, 0));
        let mut at_limit = HlcClock::resume(
            "dev",
            Some(Hlc {
                wall_ms: 5,
                counter: MAX_COUNTER - 1,
                node: "dev".into(),
            }),
        );
        let a = at_limit.tick(0);
        let b = at_limit.tick(0);
        assert_eq!(
            (a.wall_ms, a.counter, b.wall_ms, b.counter),
            (5, MAX_COUNTER, 6, 0)
        );
        assert!(a.to_string() < b.to_string() && a < b);
    }

    proptest! {
        #[test]
        fn local_and_received_stamps_are_strictly_increasing(
            events in proptest::collection::vec(
                (any::<bool>(), 0u64..1_000_000, 0u64..1_000_000, prop_oneof![0u32..5, 999_990u32..]),
                1..200,
            )
        ) {
            let mut clock = HlcClock::resume("dev", None);
            let mut previous = clock.last().clone();
            for (receive, now, remote_wall, remote_counter) in events {
                let stamp = if receive {
                    let remote = Hlc { wall_ms: remote_wall, counter: remote_counter, node: "srv".into() };
                    let s = clock.observe(&remote, now);
                    prop_assert!(s > remote || s.wall_ms > remote.wall_ms || s.counter > remote.counter);
                    s
                } else {
                    clock.tick(now)
                };
                prop_assert!(stamp > previous);
                prop_assert!(stamp.wall_ms >= now);
                // Its text sorts as it does: six digits of counter at most.
                prop_assert!(stamp.counter <= MAX_COUNTER);
                prop_assert!(stamp.to_string() > previous.to_string());
                previous = stamp;
            }
        }
    }
}
