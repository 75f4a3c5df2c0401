//! A pulled page applied on the device: its changes and its cursor in one transaction, so
//! that a cut between pages resumes at the next page. What to do with each change is
//! [`super::plan`]'s decision; this file carries it out.

use rusqlite::Transaction;

use super::held_back::{anything_held, forget_held_back, held, hold_back, keep_first_held};
use super::local::{anything_pending, local_work};
use super::plan::{self, Step, Until, plan_page};
use super::records::{remove_record, write_record};
use super::rejected::apply_decisions;
use super::reset::{confirm_after_reset, mark_for_reset, sweep_after_reset};
use super::state::{keep_pull_position, pulled_through};
use crate::error::Result;
use crate::store::Store;
use crate::store::meta::{self, Flag, Key};
use crate::sync::protocol::{Change, PullResponse, Pulled};

/// What one pulled page changed on the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageApplied {
    pub written: u32,
    pub removed: u32,
    /// Records with local changes not yet pushed: kept as they are; the server sends them again
    /// once it has merged the local change.
    pub kept_local: u32,
    /// Changes this build cannot read (from a newer server), held back until it can.
    pub held_back: u32,
    /// Changes whose unique key (a customer number, an order number) another record on the
    /// phone still holds: kept, and applied once that record's own change has come (two
    /// households' numbers swapped) or the clash is resolved.
    pub clashing: u32,
    /// The service center's decisions on work parked on this phone that the page brought.
    pub decided: u32,
}

impl PageApplied {
    /// Counts a change held until `until`.
    fn held(&mut self, until: Until) {
        match until {
            Until::Update => self.held_back += 1,
            Until::Pushed => self.kept_local += 1,
            Until::Clash => self.clashing += 1,
        }
    }
}

impl Store {
    /// Applies one pulled page and keeps its cursor, in one transaction: a cut between pages
    /// resumes at the next page. Records with local changes not yet pushed are kept. A change
    /// this build cannot read is held back ([`Pulled`]) and the page goes on.
    pub fn apply_pull(&mut self, page: &PullResponse<Pulled>) -> Result<PageApplied> {
        // A record's latest change may come before its parent's (a household edited after its
        // form was sealed): references are checked by the server, and the parent arrives later
        // in the same pull. Foreign keys are off for this transaction only.
        self.without_foreign_keys(|store| store.apply_page(page))
    }

    pub(super) fn without_foreign_keys<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let done = f(self);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        done
    }

    fn apply_page(&mut self, page: &PullResponse<Pulled>) -> Result<PageApplied> {
        let wall_ms = self.wall_ms();
        self.clock.observe(&page.server_hlc, wall_ms);
        let hlc = self.clock.last().to_string();
        let tx = self.conn.transaction()?;
        let plan = plan_page(
            page,
            meta::is_raised(&tx, Flag::RESETTING)?,
            pulled_through(&tx)?,
        );
        let mut applied = PageApplied {
            // Before the changes: a household that leaves in this page no longer waits for
            // the decision on its parked form (held back departures are tried after the pull).
            decided: apply_decisions(&tx, &page.decisions)?,
            ..PageApplied::default()
        };
        if plan.begin_reset {
            mark_for_reset(&tx)?;
            meta::raise(&tx, Flag::RESETTING)?;
        }
        // With nothing waiting to be pushed (the usual case: a sync pushes before it pulls, and
        // always on a first pull) no record can have local changes: one query for the page
        // instead of three for every record. Likewise for changes held back.
        let anything_pending = anything_pending(&tx)?;
        let mut anything_held = anything_held(&tx)?;
        for pulled in &page.changes {
            if plan.confirm_sent {
                let (entity, id) = pulled.subject();
                confirm_after_reset(&tx, entity, id)?;
            }
            match pulled {
                Pulled::Change(change) => {
                    // A later change of the record replaces the one held back.
                    let first = if anything_held {
                        forget_held_back(&tx, change.entity.as_str(), &change.id)?
                    } else {
                        None
                    };
                    apply_change(&tx, change, anything_pending, &mut applied)?;
                    keep_first_held(&tx, change.entity.as_str(), &change.id, first)?;
                }
                Pulled::HeldBack(held) => {
                    hold_back(&tx, held, Until::Update)?;
                    applied.held(Until::Update);
                }
            }
            anything_held |=
                applied.held_back > 0 || applied.kept_local > 0 || applied.clashing > 0;
        }
        if plan.sweep {
            sweep_after_reset(&tx, &mut applied)?;
            meta::lower(&tx, Flag::RESETTING)?;
        }
        keep_pull_position(&tx, &page.cursor, plan.pulled_through)?;
        meta::raise_text(&tx, Key::HLC, &hlc)?;
        tx.commit()?;
        Ok(applied)
    }
}

/// Applies one readable change, unless the record has local changes still to push; a record
/// this build will not write is held back instead.
pub(super) fn apply_change(
    tx: &Transaction<'_>,
    change: &Change,
    anything_pending: bool,
    applied: &mut PageApplied,
) -> Result<()> {
    match plan::step(change, local_work(tx, change, anything_pending)?) {
        Step::Wait => {
            hold_back(
                tx,
                &held(change, "local changes not yet pushed")?,
                Until::Pushed,
            )?;
            applied.held(Until::Pushed);
        }
        Step::Write(record) => match write_record(tx, record) {
            Ok(()) => applied.written += 1,
            Err(e) => {
                let (until, reason) = plan::hold_refused(e)?;
                hold_back(tx, &held(change, &reason)?, until)?;
                applied.held(until);
            }
        },
        Step::Remove => {
            if remove_record(tx, change.entity, &change.id)? {
                applied.removed += 1;
            }
        }
    }
    Ok(())
}
