//! A hybrid logical clock (Kulkarni et al., 2014).
//!
//! Phone clocks are wrong by minutes and jump when the network corrects them. Every operation is
//! stamped with (wall milliseconds, counter, device): the stamps of one device strictly increase
//! even if its clock goes backwards, stay close to real time, and order the operations of many
//! devices consistently. The stamp is kept apart from the device time of the event itself, which
//! is what deadlines are judged on.

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
        let bad = || InvalidInput::new("hlc", "not a clock stamp (wall-counter-node)");
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
        if now_ms > self.last.wall_ms {
            self.last.wall_ms = now_ms;
            self.last.counter = 0;
        } else {
            self.last.counter += 1;
        }
        self.last.clone()
    }

    /// Takes in a stamp received from another node, so that later local stamps order after it.
    pub fn observe(&mut self, remote: &Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms.max(self.last.wall_ms).max(remote.wall_ms);
        let counter = if wall == self.last.wall_ms && wall == remote.wall_ms {
            self.last.counter.max(remote.counter) + 1
        } else if wall == self.last.wall_ms {
            self.last.counter + 1
        } else if wall == remote.wall_ms {
            remote.counter + 1
        } else {
            0
        };
        self.last.wall_ms = wall;
        self.last.counter = counter;
        self.last.clone()
    }

    pub fn last(&self) -> &Hlc {
        &self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn local_and_received_stamps_are_strictly_increasing(
            events in proptest::collection::vec((any::<bool>(), 0u64..1_000_000, 0u64..1_000_000, 0u32..5), 1..200)
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
                previous = stamp;
            }
        }
    }
}
