//! The decisions of applying pulled changes, computed from plain data (the page, and what the
//! phone holds of each record) so that they are tested without SQL; [`super::pull`],
//! [`super::held_back`] and [`super::reset`] carry them out in one transaction.

use crate::error::Error;
use crate::sync::protocol::{Change, ChangeAction, Entity, PullResponse, Pulled, Record};

/// What one pulled page does to the pull's own state, besides its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PagePlan {
    /// The technician's scope changed: a full pull begins, and everything on the phone is
    /// marked for it to confirm. Also when one was under way (the scope changed again before
    /// it ended): what that one brought is not known to be in the new scope either.
    pub begin_reset: bool,
    /// A full pull is under way: each record it sends stays.
    pub confirm_sent: bool,
    /// The full pull ends with this page: what it did not send again leaves the phone.
    pub sweep: bool,
    /// The newest server change pulled once the page is applied.
    pub pulled_through: i64,
}

pub(super) fn plan_page(
    page: &PullResponse<Pulled>,
    already_resetting: bool,
    pulled_through: i64,
) -> PagePlan {
    let resetting = page.reset || already_resetting;
    PagePlan {
        begin_reset: page.reset,
        confirm_sent: resetting,
        sweep: resetting && !page.more,
        pulled_through: page
            .changes
            .iter()
            .map(Pulled::seq)
            .fold(pulled_through, i64::max),
    }
}

/// What the phone holds of a record that a pulled change must not overwrite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LocalWork {
    /// Operations not yet acknowledged (for a household, also its sealed forms'; and when it
    /// is to leave, its photos not uploaded).
    pub unpushed: bool,
    /// A household's work the server refused or parked for the service center: it keeps the
    /// household (and the sealed form) on the phone until the office has decided.
    pub set_aside: bool,
    /// A household's form still being filled on the phone.
    pub draft: bool,
}

/// What to do with one readable pulled change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step<'a> {
    /// Kept until the local work is pushed: the server sends the record again once it has
    /// merged it; one it does not (a household that left the scope, a refused edit) is not lost.
    Wait,
    Write(&'a Record),
    Remove,
}

/// The change takes the record off the phone (it left the scope, or was deleted).
pub(super) fn departs(change: &Change) -> bool {
    !matches!(change.action, ChangeAction::Put { .. })
}

pub(super) fn step(change: &Change, local: LocalWork) -> Step<'_> {
    let household_leaves =
        change.entity == Entity::Household && departs(change) && (local.draft || local.set_aside);
    if local.unpushed || household_leaves {
        return Step::Wait;
    }
    match &change.action {
        ChangeAction::Put { record } => Step::Write(record),
        ChangeAction::Leave | ChangeAction::Delete => Step::Remove,
    }
}

/// What a held change waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Until {
    /// An app that can read it (it came from a newer server).
    Update,
    /// The record's local changes to be pushed.
    Pushed,
    /// Another record on the phone to give up its unique key.
    Clash,
}

impl Until {
    pub fn as_str(self) -> &'static str {
        match self {
            Until::Update => "update",
            Until::Pushed => "pushed",
            Until::Clash => "clash",
        }
    }
}

/// A record this build would not write, held rather than failing the page (which would stop
/// every pull from here on), with what it waits for and why; any other error fails the page.
pub(super) fn hold_refused(e: Error) -> Result<(Until, String), Error> {
    match e {
        // Readable but not valid by this build's rules (a newer server's rules changed): held
        // back like an unreadable change. Records are checked before anything is written.
        Error::Invalid(invalid) => Ok((Until::Update, invalid.to_string())),
        // Another record here holds its unique key: one the server has changed too (two
        // households' customer numbers swapped; its change comes later), or one opened on this
        // phone that the server refused. Tried again after each pull.
        Error::Duplicate { what } => Ok((
            Until::Clash,
            format!("its {what} is held by another record on this phone"),
        )),
        e => Err(e),
    }
}

/// The records a full pull did not send again, (entity, id) as marked: each leaves as if the
/// server had said so. A kind this build does not know is left alone.
pub(super) fn departures(left: Vec<(String, String)>) -> Vec<Change> {
    left.into_iter()
        .filter_map(|(entity, id)| {
            Some(Change {
                seq: 0,
                entity: Entity::parse(&entity)?,
                id,
                action: ChangeAction::Leave,
            })
        })
        .collect()
}

/// Of households whose held changes each want a customer number (id, number), those that can
/// swap numbers together: each wants a number that no household holds, or one of the set does.
/// One whose number a household outside the set holds (one that will not give it up, say
/// opened on this phone and refused by the server) cannot be applied with the others; it is
/// left out, and so is one waiting on it, so that it does not keep a real swap from happening.
/// `holder` says which household holds a number now. Fewer than two is no swap.
pub(super) fn swap_cycle<E>(
    mut wanting: Vec<(String, String)>,
    mut holder: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Vec<String>, E> {
    loop {
        let before = wanting.len();
        let ids: Vec<String> = wanting.iter().map(|(id, _)| id.clone()).collect();
        let mut kept = Vec::new();
        for (id, number) in wanting {
            if holder(&number)?.is_none_or(|h| ids.contains(&h)) {
                kept.push((id, number));
            }
        }
        wanting = kept;
        if wanting.len() == before {
            break;
        }
    }
    Ok(if wanting.len() < 2 {
        Vec::new()
    } else {
        wanting.into_iter().map(|(id, _)| id).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Hlc;
    use std::collections::HashMap;

    fn page(changes: Vec<Pulled>, reset: bool, more: bool) -> PullResponse<Pulled> {
        PullResponse {
            changes,
            cursor: "c".into(),
            more,
            reset,
            remaining: 0,
            server_time: chrono::Utc::now(),
            server_hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                node: "server".into(),
            },
            decisions: Vec::new(),
            generation: None,
            backed_up_through: None,
        }
    }

    fn leave(entity: Entity, seq: i64) -> Change {
        Change {
            seq,
            entity,
            id: "r1".into(),
            action: ChangeAction::Leave,
        }
    }

    #[test]
    fn a_full_pull_confirms_what_it_sends_and_sweeps_on_its_last_page_only() {
        let first = plan_page(
            &page(vec![leave(Entity::Crew, 7).into()], true, true),
            false,
            3,
        );
        assert!(first.begin_reset && first.confirm_sent && !first.sweep);
        assert_eq!(first.pulled_through, 7);
        let last = plan_page(&page(vec![], false, false), true, 7);
        assert!(!last.begin_reset && last.confirm_sent && last.sweep);
        assert_eq!(
            last.pulled_through, 7,
            "an empty page keeps where the pull stands"
        );
        let everyday = plan_page(&page(vec![], false, false), false, 7);
        assert!(!everyday.confirm_sent && !everyday.sweep);
    }

    #[test]
    fn local_work_keeps_a_pulled_change_waiting() {
        let gone = leave(Entity::Household, 1);
        assert_eq!(step(&gone, LocalWork::default()), Step::Remove);
        let pushed_first = LocalWork {
            unpushed: true,
            ..LocalWork::default()
        };
        assert_eq!(step(&gone, pushed_first), Step::Wait);
        let drafting = LocalWork {
            draft: true,
            ..LocalWork::default()
        };
        assert_eq!(
            step(&gone, drafting),
            Step::Wait,
            "a form being filled there"
        );
        let order = leave(Entity::WorkOrder, 1);
        assert_eq!(
            step(&order, drafting),
            Step::Remove,
            "a draft holds its household only"
        );
    }

    #[test]
    fn work_refused_or_parked_keeps_its_household_on_the_phone() {
        let waiting = LocalWork {
            set_aside: true,
            ..LocalWork::default()
        };
        assert_eq!(step(&leave(Entity::Household, 1), waiting), Step::Wait);
        let deleted = Change {
            action: ChangeAction::Delete,
            ..leave(Entity::Household, 2)
        };
        assert_eq!(step(&deleted, waiting), Step::Wait);
        assert_eq!(
            step(&leave(Entity::WorkOrder, 3), waiting),
            Step::Remove,
            "it holds its household only"
        );
    }

    #[test]
    fn an_invalid_or_clashing_record_is_held_and_anything_else_fails_the_page() {
        let invalid = crate::InvalidInput::new("name", crate::text::said("空", "empty"));
        assert_eq!(hold_refused(invalid.into()).unwrap().0, Until::Update);
        let clash = hold_refused(Error::Duplicate {
            what: "customer number",
        })
        .unwrap();
        assert_eq!(clash.0, Until::Clash);
        assert!(clash.1.contains("customer number"));
        assert!(hold_refused(Error::Sealed).is_err());
    }

    #[test]
    fn a_full_pull_sends_away_what_it_did_not_send_again_of_the_kinds_it_knows() {
        let left = departures(vec![
            ("household".into(), "h1".into()),
            ("spaceship".into(), "s1".into()),
        ]);
        assert_eq!(
            left,
            vec![Change {
                id: "h1".into(),
                ..leave(Entity::Household, 0)
            }]
        );
    }

    #[test]
    fn two_households_swapping_numbers_swap_and_a_number_kept_elsewhere_stops_only_its_own() {
        let holders: HashMap<&str, &str> =
            HashMap::from([("A", "h1"), ("B", "h2"), ("C", "outsider"), ("D", "h3")]);
        let holder = |n: &str| Ok::<_, ()>(holders.get(n).map(|h| h.to_string()));
        let wanting = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(id, n)| (id.to_string(), n.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            swap_cycle(wanting(&[("h1", "B"), ("h2", "A")]), holder).unwrap(),
            vec!["h1", "h2"]
        );
        // h3 wants a number an outsider keeps; h4 wants h3's: neither can go, h1 and h2 can.
        assert_eq!(
            swap_cycle(
                wanting(&[("h1", "B"), ("h3", "C"), ("h2", "A"), ("h4", "D")]),
                holder
            )
            .unwrap(),
            vec!["h1", "h2"]
        );
        assert!(
            swap_cycle(wanting(&[("h1", "E")]), holder)
                .unwrap()
                .is_empty()
        );
    }
}
