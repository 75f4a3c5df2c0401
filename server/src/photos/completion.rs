//! Photos marked complete in batches: uploads that finish together share one commit.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::storage::{PhotoRow, Storage, write};

use super::*;

/// A stored photo waiting to be marked complete.
struct Completion {
    uploader: Uploader,
    sha256: String,
    total: i64,
    marked: tokio::sync::oneshot::Sender<Result<()>>,
}

/// Photos waiting to be marked complete, per storage (by its address). An entry exists while
/// one upload (the leader) is marking: the others add themselves and wait.
static COMPLETIONS: std::sync::Mutex<std::collections::BTreeMap<usize, Vec<Completion>>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn completions()
-> std::sync::MutexGuard<'static, std::collections::BTreeMap<usize, Vec<Completion>>> {
    COMPLETIONS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Marks a photo complete. Photos arriving together are marked in one transaction, so that
/// uploads in flight at once share one commit (with `synchronous = FULL`, one sync of the log)
/// instead of queueing for one each; the upload that finds nobody marking marks its own and
/// everything that arrives meanwhile, then answers each.
pub(super) async fn mark_complete(
    storage: Arc<dyn Storage>,
    uploader: Uploader,
    sha256: String,
    total: i64,
) -> Result<()> {
    let key = Arc::as_ptr(&storage) as *const () as usize;
    let (marked, answer) = tokio::sync::oneshot::channel();
    let completion = Completion {
        uploader,
        sha256,
        total,
        marked,
    };
    let lead = {
        let mut queues = completions();
        match queues.get_mut(&key) {
            Some(waiting) => {
                waiting.push(completion);
                false
            }
            None => {
                queues.insert(key, vec![completion]);
                true
            }
        }
    };
    if lead {
        // Should this task stop half-way, the ones waiting are told (their senders dropped)
        // and the next upload leads.
        struct Leading(Option<usize>);
        impl Drop for Leading {
            fn drop(&mut self) {
                if let Some(key) = self.0 {
                    completions().remove(&key);
                }
            }
        }
        let mut leading = Leading(Some(key));
        loop {
            // Taking the last batch and leaving are one step under the lock: an upload that
            // arrives after it leads the next round itself.
            let batch = {
                let mut queues = completions();
                let batch = queues.get_mut(&key).map(std::mem::take).unwrap_or_default();
                if batch.is_empty() {
                    queues.remove(&key);
                    leading.0 = None;
                }
                batch
            };
            if batch.is_empty() {
                break;
            }
            let rows: Vec<(Uploader, PhotoRow)> = batch
                .iter()
                .map(|c| {
                    let row = PhotoRow {
                        sha256: c.sha256.clone(),
                        total: c.total,
                        received: c.total,
                        complete: true,
                    };
                    (c.uploader.clone(), row)
                })
                .collect();
            let st = storage.clone();
            // Each photo's own answer: refused alone if its device no longer may upload.
            let result = blocking(move || {
                write(&*st, |tx| {
                    let mut answers = Vec::with_capacity(rows.len());
                    for (uploader, row) in &rows {
                        if let Err(e) = uploader.recheck(tx) {
                            answers.push(Err(e));
                            continue;
                        }
                        // The same photo may complete twice in one batch (two devices, or a
                        // duplicated request): audited once.
                        let already = tx.photo(&row.sha256)?.is_some_and(|p| p.complete);
                        tx.put_photo(row)?;
                        tx.drop_photo_chunks(&row.sha256)?;
                        if !already {
                            uploader.received(tx, &row.sha256)?;
                        }
                        answers.push(Ok(()));
                    }
                    Ok(answers)
                })
            })
            .await;
            match result {
                Ok(answers) => {
                    for (c, answer) in batch.into_iter().zip(answers) {
                        let _ = c.marked.send(answer);
                    }
                }
                Err(e) => {
                    let e = e.to_string();
                    for c in batch {
                        let _ = c.marked.send(Err(Error::Internal(e.clone())));
                    }
                }
            }
        }
    }
    match answer.await {
        Ok(answer) => answer,
        Err(_) => Err(Error::Internal(
            "the photo could not be marked complete".into(),
        )),
    }
}
