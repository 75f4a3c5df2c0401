//! Pushing the outbox: a batch at a time, oldest first, each acknowledged before the next;
//! a refused operation is set aside with its reason and the push goes on, and one the server
//! parked for the service center is set aside until the office decides.

use std::sync::Mutex;

use super::transport::Request;
use super::{Session, SyncPhase, SyncProgress, SyncReport, lock};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::sync::protocol::{ErrorKind, PushRequest, PushResponse};

/// About how many bytes a push request may carry: half the server's limit, so that a request
/// of big operations is never refused for its size.
const PUSH_REQUEST_BYTES: usize = crate::sync::protocol::MAX_REQUEST_BYTES / 2;

impl Session<'_> {
    /// Pushes the outbox a batch at a time, oldest first. While one batch is on its way the
    /// next is read from the store, so the device's work overlaps the server's; batches are
    /// still sent one after the other, each only once the one before is acknowledged.
    pub(super) fn push(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        let mut total = lock(store)?.outbox_len()?;
        let mut done = 0;
        progress(SyncProgress {
            phase: SyncPhase::Push,
            done,
            total,
        });
        // Halved when a request is refused for its size (a proxy before the server may take
        // less than the server does): the push goes on in smaller requests.
        let limit = std::cell::Cell::new(self.syncer.options.push_batch.max(1));
        let bytes = std::cell::Cell::new(PUSH_REQUEST_BYTES);
        let read_after = |seq: i64| lock(store)?.push_batch_after(seq, limit.get(), bytes.get());
        let url = format!("{}/v1/push", self.server);
        let mut batch = read_after(i64::MIN)?;
        while let Some(last) = batch.last().map(|op| op.seq) {
            let request = PushRequest { ops: batch };
            let sent = Request::post(&url, &request)?;
            let (answer, next) = std::thread::scope(|s| {
                let sending = s.spawn(|| self.json::<PushResponse>(&sent));
                let next = read_after(last);
                let answer = sending.join().unwrap_or_else(|_| {
                    Err(Error::Network {
                        reason: "the push request's thread failed".into(),
                    })
                });
                (answer, next)
            });
            // The batch read ahead follows on only if this one was acknowledged to its end.
            let mut follows = false;
            match answer {
                Ok(ack) => {
                    // Parked operations move to the set-aside list with the acknowledgement;
                    // acknowledged ones are kept until a backup of the server holds them.
                    let mut store = lock(store)?;
                    let removed = store.acknowledge_answer(&request.ops, &ack)?;
                    if removed == 0 {
                        return Err(Error::Protocol {
                            reason: "the server acknowledged none of the pushed operations".into(),
                        });
                    }
                    // A server restored from a backup: what it forgot goes back in the outbox,
                    // before the rest, and the push goes on from the oldest.
                    let noted = store.note_server_backup(&ack.backup())?;
                    drop(store);
                    done += removed as u64;
                    report.pushed += removed as u64;
                    report.conflicts += u64::from(ack.conflicts);
                    report.parked += ack.parked.len() as u64;
                    follows = ack.acknowledged_through == last && !noted.restored;
                    total += u64::from(noted.pushed_again);
                }
                Err(Error::Refused {
                    kind,
                    status,
                    message,
                    operation: Some(refused),
                }) if request.ops.iter().any(|op| op.op_id == refused) => {
                    // A refused operation is parked with its reason and the rest goes on.
                    lock(store)?.park_rejected(refused, kind.or_status(status), &message)?;
                    done += 1;
                    report.rejected += 1;
                }
                Err(
                    e @ Error::Refused {
                        operation: None, ..
                    },
                ) if e.refused_as() == Some(ErrorKind::TooLarge) => {
                    if let [alone] = &request.ops[..] {
                        // One operation alone is too large for whatever stands before the
                        // server: set aside with the reason, not retried at every sync.
                        let reason = "the operation is larger than the server, or a proxy \
                                      before it, accepts";
                        lock(store)?.park_rejected(alone.op_id, ErrorKind::TooLarge, reason)?;
                        done += 1;
                        report.rejected += 1;
                    } else {
                        limit.set((request.ops.len() / 2).max(1));
                        bytes.set((sent.body_len() / 2).max(1));
                    }
                }
                Err(e) => return Err(e),
            }
            progress(SyncProgress {
                phase: SyncPhase::Push,
                done: done.min(total.max(done)),
                total: total.max(done),
            });
            batch = if follows {
                next?
            } else {
                read_after(i64::MIN)?
            };
        }
        Ok(())
    }
}
