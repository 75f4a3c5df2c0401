//! Photo uploads: raw bytes (never base64), in chunks that resume after a cut, checked against
//! their SHA-256 before they count. A photo that fits in one chunk goes straight to the blob
//! store; a longer one gathers its chunks in the database (shared by every server process)
//! until the last arrives.

use std::sync::Arc;

use bytes::Bytes;
use doorstep_core::sync::protocol::{MAX_PHOTO_BYTES, PHOTO_CHUNK_BYTES, PhotoChunkResponse};
use object_store::ObjectStore;
use object_store::path::Path as BlobPath;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::storage::{PhotoRow, Storage, Tx, read, write};

/// A photo's key in the blob store.
pub fn blob_path(sha256: &str) -> BlobPath {
    BlobPath::from(format!("photos/{}/{sha256}.jpg", &sha256[..2]))
}

pub fn check_hash(sha256: &str) -> ApiResult<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "a photo hash is 64 lowercase hexadecimal digits",
        ))
    }
}

fn matches(sha256: &str, bytes: &[u8]) -> bool {
    hex::encode(Sha256::digest(bytes)) == sha256
}

/// How much of each photo the server holds: `None` when it is complete.
pub fn missing(tx: &mut dyn Tx, hashes: &[String]) -> ApiResult<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for hash in hashes {
        check_hash(hash)?;
        match tx.photo(hash)? {
            Some(p) if p.complete => {}
            Some(p) => out.push((hash.clone(), p.received as u64)),
            None => out.push((hash.clone(), 0)),
        }
    }
    Ok(out)
}

/// Where an upload stands before a chunk: complete, or the offset the next chunk must start at.
enum Standing {
    Complete(i64),
    At(i64),
    /// An upload in progress under another size: a faulty client's (the same hash is the same
    /// bytes, so the same size). It gives way, or it would keep the photo from ever arriving;
    /// the hash checked at the end keeps the stored photo right whoever uploads it.
    OtherSize,
}

fn standing(tx: &mut dyn Tx, sha256: &str, total: i64) -> ApiResult<Standing> {
    Ok(match tx.photo(sha256)? {
        Some(p) if p.complete => Standing::Complete(p.total),
        Some(p) if p.total != total => Standing::OtherSize,
        Some(p) => Standing::At(p.received),
        None => Standing::At(0),
    })
}

/// Takes one chunk. The answer says where the upload stands, so a client that lost an answer
/// learns where to resume; a chunk at the wrong offset is not stored. The work runs to its end
/// even if the client goes away in the middle, so an upload is never left half-finished.
pub async fn put_chunk(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    sha256: String,
    offset: u64,
    total: u64,
    chunk: Bytes,
) -> ApiResult<PhotoChunkResponse> {
    check_hash(&sha256)?;
    if total == 0 {
        return Err(ApiError::invalid("a photo has at least one byte"));
    }
    if total > MAX_PHOTO_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a photo must be 1 to {MAX_PHOTO_BYTES} bytes"
        )));
    }
    if chunk.len() > PHOTO_CHUNK_BYTES || chunk.is_empty() {
        return Err(ApiError::invalid(format!(
            "a chunk must be 1 to {PHOTO_CHUNK_BYTES} bytes"
        )));
    }
    if offset
        .checked_add(chunk.len() as u64)
        .is_none_or(|end| end > total)
    {
        return Err(ApiError::invalid("the chunk runs past the photo's size"));
    }
    tokio::spawn(take_chunk(
        storage,
        blobs,
        sha256,
        offset as i64,
        total as i64,
        chunk,
    ))
    .await
    .map_err(|e| ApiError::Internal(format!("upload task: {e}")))?
}

async fn take_chunk(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    sha256: String,
    offset: i64,
    total: i64,
    chunk: Bytes,
) -> ApiResult<PhotoChunkResponse> {
    let end = offset + chunk.len() as i64;
    if offset == 0 && end == total {
        // The whole photo in one request: checked, stored, done; the database never sees it.
        if let Standing::Complete(t) = standing_now(&storage, &sha256, total).await? {
            return Ok(done(t));
        }
        if !matches(&sha256, &chunk) {
            return Err(ApiError::PhotoMismatch);
        }
        return store_blob(storage, blobs, sha256, total, chunk).await;
    }
    // A part of a longer photo: kept in the database until the last part is there.
    let sha = sha256.clone();
    let st = storage.clone();
    let standing = blocking(move || {
        write(&*st, |tx| {
            match standing(tx, &sha, total)? {
                Standing::At(at) if at == offset => {}
                Standing::OtherSize => {
                    // Started over at this size, from its first byte.
                    tx.drop_photo_chunks(&sha)?;
                    tx.put_photo(&PhotoRow {
                        sha256: sha.clone(),
                        total,
                        received: 0,
                        complete: false,
                    })?;
                    if offset != 0 {
                        return Ok(Standing::At(0));
                    }
                }
                other => return Ok(other),
            }
            tx.put_photo_chunk(&sha, offset, &chunk)?;
            tx.put_photo(&PhotoRow {
                sha256: sha.clone(),
                total,
                received: end,
                complete: false,
            })?;
            Ok(Standing::At(end))
        })
    })
    .await?;
    match standing {
        Standing::Complete(t) => Ok(done(t)),
        // Every byte is there (now, or by an earlier request that was cut before it finished).
        Standing::At(at) if at == total => finish(storage, blobs, sha256, total).await,
        Standing::At(at) => Ok(PhotoChunkResponse {
            received: at as u64,
            complete: false,
        }),
        // Not left by the write above (it starts such an upload over); from the first byte.
        Standing::OtherSize => Ok(PhotoChunkResponse {
            received: 0,
            complete: false,
        }),
    }
}

async fn standing_now(storage: &Arc<dyn Storage>, sha256: &str, total: i64) -> ApiResult<Standing> {
    let (st, sha) = (storage.clone(), sha256.to_owned());
    blocking(move || read(&*st, |tx| standing(tx, &sha, total))).await
}

/// Joins the stored parts, checks them against the hash, and stores the photo; a mismatch
/// drops every part, so the upload starts over and nothing of it is kept.
async fn finish(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    sha256: String,
    total: i64,
) -> ApiResult<PhotoChunkResponse> {
    // The row and its parts are read together: a request that completed the photo meanwhile
    // (the same last chunk sent again after a timeout, or duplicated on the way) has dropped
    // the parts, and the photo is done, not mismatched.
    let (st, sha) = (storage.clone(), sha256.clone());
    let parts = blocking(move || {
        read(&*st, |tx| {
            Ok(match tx.photo(&sha)? {
                Some(p) if p.complete => None,
                _ => Some(tx.photo_chunks(&sha)?),
            })
        })
    })
    .await?;
    let Some(bytes) = parts else {
        return Ok(done(total));
    };
    if bytes.len() as i64 != total || !matches(&sha256, &bytes) {
        // Reset, unless another request completed the photo since the parts were read.
        let completed = blocking(move || {
            write(&*storage, |tx| {
                if tx.photo(&sha256)?.is_some_and(|p| p.complete) {
                    return Ok(true);
                }
                tx.drop_photo_chunks(&sha256)?;
                tx.put_photo(&PhotoRow {
                    sha256: sha256.clone(),
                    total,
                    received: 0,
                    complete: false,
                })?;
                Ok(false)
            })
        })
        .await?;
        return if completed {
            Ok(done(total))
        } else {
            Err(ApiError::PhotoMismatch)
        };
    }
    store_blob(storage, blobs, sha256, total, Bytes::from(bytes)).await
}

/// Puts the checked bytes in the blob store (atomically: a temporary file renamed, or one S3
/// PUT), then marks the photo complete.
async fn store_blob(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    sha256: String,
    total: i64,
    bytes: Bytes,
) -> ApiResult<PhotoChunkResponse> {
    blobs
        .put(&blob_path(&sha256), bytes.into())
        .await
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
    mark_complete(storage, sha256, total).await?;
    Ok(done(total))
}

/// A stored photo waiting to be marked complete.
struct Completion {
    sha256: String,
    total: i64,
    marked: tokio::sync::oneshot::Sender<Result<(), String>>,
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
async fn mark_complete(storage: Arc<dyn Storage>, sha256: String, total: i64) -> ApiResult<()> {
    let key = Arc::as_ptr(&storage) as *const () as usize;
    let (marked, answer) = tokio::sync::oneshot::channel();
    let completion = Completion {
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
            let rows: Vec<PhotoRow> = batch
                .iter()
                .map(|c| PhotoRow {
                    sha256: c.sha256.clone(),
                    total: c.total,
                    received: c.total,
                    complete: true,
                })
                .collect();
            let st = storage.clone();
            let result = blocking(move || {
                write(&*st, |tx| {
                    for row in &rows {
                        tx.put_photo(row)?;
                        tx.drop_photo_chunks(&row.sha256)?;
                    }
                    Ok(())
                })
            })
            .await
            .map_err(|e| e.to_string());
            for c in batch {
                let _ = c.marked.send(result.clone());
            }
        }
    }
    match answer.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ApiError::Internal(e)),
        Err(_) => Err(ApiError::Internal(
            "the photo could not be marked complete".into(),
        )),
    }
}

fn done(total: i64) -> PhotoChunkResponse {
    PhotoChunkResponse {
        received: total as u64,
        complete: true,
    }
}

/// Runs blocking storage work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("worker: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteStorage;

    /// The last chunk sent twice (the phone timed out and sent it again, or a proxy duplicated
    /// it): a request that saw every byte there before the other one completed the photo finds
    /// it complete, answers done, and leaves it complete rather than starting it over.
    #[tokio::test]
    async fn a_last_chunk_finished_twice_answers_done_and_keeps_the_photo() {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::open(&dir.path().join("server.sqlite")).unwrap());
        let blobs = crate::serve::open_blobs(None, dir.path()).unwrap();
        let bytes = Bytes::from_static("一张照片的字节".as_bytes());
        let sha = hex::encode(Sha256::digest(&bytes));
        let total = bytes.len() as u64;
        let first = put_chunk(storage.clone(), blobs.clone(), sha.clone(), 0, total, bytes)
            .await
            .unwrap();
        assert!(first.complete);
        // The second request, past its "every byte is there" check, finishes after the first.
        let second = finish(storage.clone(), blobs.clone(), sha.clone(), total as i64)
            .await
            .unwrap();
        assert!(second.complete, "{second:?}");
        let row = read(&*storage, |tx| Ok(tx.photo(&sha)?)).unwrap().unwrap();
        assert!(row.complete && row.received == total as i64, "{row:?}");
    }
}
