//! Pulling what changed in the device's scope: page after page, each applied with its cursor
//! in one transaction, then the held-back changes that can be applied now.

use std::sync::Mutex;

use super::transport::Request;
use super::{Session, SyncPhase, SyncProgress, SyncReport, lock};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sync::PageApplied;
use crate::sync::protocol::{PullResponse, Pulled};

/// The smallest pull page a slow downlink is given: 100 households are some 60 KB.
const SMALLEST_PULL_PAGE: usize = 100;

/// How a pull ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pulling {
    /// Every page is applied.
    Done,
    /// The server was restored from a backup: the work it forgot waits in the outbox again,
    /// and the pull starts over from the beginning.
    Restored,
}

impl Session<'_> {
    /// Pulls page after page. The next page is asked for (with the cursor the page before
    /// handed back) while the device applies the one before, so the server builds a page while
    /// the device writes one; pages are applied in order, each with its cursor in the same
    /// transaction, so a cut anywhere resumes at the first page not applied.
    ///
    /// A page from a server restored from a backup (another generation of its database) is
    /// not applied: the work it forgot goes back in the outbox, and the pull starts over from
    /// the beginning. [`Pulling::Restored`] says so: the sync pushes again, then pulls again.
    pub(super) fn pull(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<Pulling> {
        progress(SyncProgress {
            phase: SyncPhase::Pull,
            done: 0,
            total: 0,
        });
        let cursor = lock(store)?.sync_state()?.cursor;
        let pulled = self.pull_pages(store, cursor, progress, report);
        // Then the changes held back that can be applied now: readable since the app was
        // updated, their record's local work pushed, their unique key free. After the pages,
        // not before: a record the server sent again merged with the pushed work has replaced
        // its older held copy by now. Also when the pull was cut: what is held is the latest of
        // its record the phone has.
        let mut store = lock(store)?;
        let held = match (store.apply_held_back(), &pulled) {
            (Ok(held), _) => held,
            (Err(e), Ok(_)) => return Err(e),
            // The pull's own failure is the one to report.
            (Err(e), Err(_)) => {
                tracing::warn!(error = %e, "held-back changes could not be applied");
                PageApplied::default()
            }
        };
        report.pulled += u64::from(held.written);
        report.removed += u64::from(held.removed);
        report.held_back = store.held_back()?;
        if store.vault_sweep_due()? {
            // Photos of households that left the phone went with them: so do their files.
            store.sweep_photo_vault()?;
        }
        pulled
    }

    fn pull_pages(
        &self,
        store: &Mutex<Store>,
        cursor: String,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<Pulling> {
        let mut done = 0u64;
        let mut total = 0u64;
        std::thread::scope(|s| {
            // One page waits while the next is being fetched: at most two pages ahead.
            let (sender, pages) = std::sync::mpsc::sync_channel::<Result<PullResponse<Pulled>>>(1);
            s.spawn(move || {
                let mut cursor = cursor;
                loop {
                    let page = self.fetch_page(&cursor);
                    let next = match &page {
                        Ok(p) if p.more => Some(p.cursor.clone()),
                        _ => None,
                    };
                    // The sync stopped taking pages (it failed): so does the fetching.
                    if sender.send(page).is_err() {
                        return;
                    }
                    match next {
                        Some(c) => cursor = c,
                        None => return,
                    }
                }
            });
            for page in pages {
                let page = page?;
                let mut store = lock(store)?;
                if store.note_server_backup(&page.backup())?.restored {
                    // Served after a cursor of the server before the restore: not applied.
                    return Ok(Pulling::Restored);
                }
                let applied = store.apply_pull(&page)?;
                drop(store);
                done = done.saturating_add(page.changes.len() as u64);
                // `remaining` is the server's estimate: the last page ends the bar full, whatever
                // it said.
                total = if page.more {
                    total.max(done.saturating_add(page.remaining))
                } else {
                    done
                };
                report.pulled += u64::from(applied.written);
                report.removed += u64::from(applied.removed);
                progress(SyncProgress {
                    phase: SyncPhase::Pull,
                    done,
                    total,
                });
                if !page.more {
                    return Ok(Pulling::Done);
                }
            }
            Err(Error::Network {
                reason: "the pull stopped before its last page".into(),
            })
        })
    }

    /// One page after `cursor`, in smaller pages over a slow downlink ([`Session::shrinking`]).
    fn fetch_page(&self, cursor: &str) -> Result<PullResponse<Pulled>> {
        let url = format!("{}/v1/pull", self.server);
        self.shrinking(&self.pull_page, SMALLEST_PULL_PAGE, |size| {
            let limit = size.to_string();
            let request = Request::Get {
                url: &url,
                query: &[("cursor", cursor), ("limit", limit.as_str())],
            };
            (size, self.syncer.attempt(&request, Some(&self.credential)))
        })
    }
}
