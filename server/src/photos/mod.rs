//! Photo uploads: raw bytes (never base64), in chunks that resume after a cut, checked against
//! their SHA-256 before they count. A photo that fits in one chunk goes straight to the blob
//! store; a longer one gathers its chunks in the database (shared by every server process)
//! until the last arrives.

use std::sync::Arc;

use bytes::Bytes;
use doorstep_core::ids::{PhotoHash, TechnicianId};
use doorstep_core::sync::protocol::{MAX_PHOTO_BYTES, PHOTO_CHUNK_BYTES, PhotoChunkResponse};
use object_store::ObjectStore;
use object_store::path::Path as BlobPath;
use sha2::{Digest, Sha256};

use crate::auth;
use crate::error::{Error, Result};
use crate::storage::{Actor, AuditRow, PhotoRow, Storage, Tx, read, write};

mod completion;
pub mod sweep;

use self::completion::mark_complete;

/// The device uploading a photo, as the request's authentication found it. Checked again in
/// every transaction that stores a part or completes the photo, so that a device revoked (or a
/// technician deactivated) while its upload runs stores nothing more; a completed photo is
/// audited as this device's.
#[derive(Debug, Clone)]
pub struct Uploader {
    pub device_id: String,
    pub technician_id: TechnicianId,
}

impl Uploader {
    /// Still allowed, in the transaction about to write.
    fn recheck(&self, tx: &mut dyn Tx) -> Result<()> {
        auth::still_allowed(tx, &self.device_id)
    }

    fn received(&self, tx: &mut dyn Tx, sha256: &str) -> Result<()> {
        tx.audit(&AuditRow {
            at: chrono::Utc::now(),
            actor: Actor::Technician(self.technician_id),
            device_id: Some(self.device_id.clone()),
            action: "photo_received".into(),
            entity: Some("photo".into()),
            entity_id: Some(sha256.to_owned()),
        })?;
        Ok(())
    }
}

/// A photo's key in the blob store.
pub fn blob_path(sha256: &str) -> BlobPath {
    BlobPath::from(format!("photos/{}/{sha256}.jpg", &sha256[..2]))
}

/// A photo's hash as a request's path names it.
pub fn check_hash(sha256: &str) -> Result<PhotoHash> {
    Ok(PhotoHash::parse(sha256)?)
}

fn matches(sha256: &str, bytes: &[u8]) -> bool {
    hex::encode(Sha256::digest(bytes)) == sha256
}

/// How much of each photo the server holds: `None` when it is complete.
pub fn missing(tx: &mut dyn Tx, hashes: &[PhotoHash]) -> Result<Vec<(PhotoHash, u64)>> {
    let mut out = Vec::new();
    for hash in hashes {
        match tx.photo(hash.as_str())? {
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

fn standing(tx: &mut dyn Tx, sha256: &str, total: i64) -> Result<Standing> {
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
    uploader: Uploader,
    sha256: String,
    offset: u64,
    total: u64,
    chunk: Bytes,
) -> Result<PhotoChunkResponse> {
    check_hash(&sha256)?;
    if total == 0 {
        return Err(Error::invalid("a photo has at least one byte"));
    }
    if total > MAX_PHOTO_BYTES {
        return Err(Error::TooLarge(format!(
            "a photo must be 1 to {MAX_PHOTO_BYTES} bytes"
        )));
    }
    if chunk.len() > PHOTO_CHUNK_BYTES || chunk.is_empty() {
        return Err(Error::invalid(format!(
            "a chunk must be 1 to {PHOTO_CHUNK_BYTES} bytes"
        )));
    }
    if offset
        .checked_add(chunk.len() as u64)
        .is_none_or(|end| end > total)
    {
        return Err(Error::invalid("the chunk runs past the photo's size"));
    }
    tokio::spawn(take_chunk(
        storage,
        blobs,
        uploader,
        sha256,
        offset as i64,
        total as i64,
        chunk,
    ))
    .await
    .map_err(|e| Error::Internal(format!("upload task: {e}")))?
}

async fn take_chunk(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    uploader: Uploader,
    sha256: String,
    offset: i64,
    total: i64,
    chunk: Bytes,
) -> Result<PhotoChunkResponse> {
    let end = offset + chunk.len() as i64;
    if offset == 0 && end == total {
        // The whole photo in one request: checked, stored, done; the database never sees it.
        if let Standing::Complete(t) = standing_now(&storage, &sha256, total).await? {
            return Ok(done(t));
        }
        if !matches(&sha256, &chunk) {
            return Err(Error::PhotoMismatch);
        }
        return store_blob(storage, blobs, uploader, sha256, total, chunk).await;
    }
    // A part of a longer photo: kept in the database until the last part is there.
    let sha = sha256.clone();
    let st = storage.clone();
    let by = uploader.clone();
    let standing = blocking(move || {
        write(&*st, |tx| {
            by.recheck(tx)?;
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
        Standing::At(at) if at == total => finish(storage, blobs, uploader, sha256, total).await,
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

async fn standing_now(storage: &Arc<dyn Storage>, sha256: &str, total: i64) -> Result<Standing> {
    let (st, sha) = (storage.clone(), sha256.to_owned());
    blocking(move || read(&*st, |tx| standing(tx, &sha, total))).await
}

/// Joins the stored parts, checks them against the hash, and stores the photo; a mismatch
/// drops every part, so the upload starts over and nothing of it is kept.
async fn finish(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    uploader: Uploader,
    sha256: String,
    total: i64,
) -> Result<PhotoChunkResponse> {
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
            Err(Error::PhotoMismatch)
        };
    }
    store_blob(storage, blobs, uploader, sha256, total, Bytes::from(bytes)).await
}

/// Puts the checked bytes in the blob store (atomically: a temporary file renamed, or one S3
/// PUT), then marks the photo complete. A server killed between the temporary file and its
/// rename leaves the temporary file: [`sweep`] removes it once it is old. Should the device be refused by then, the file stays in
/// the blob store without a row that says it is complete: the photo counts as missing, and the
/// same bytes uploaded by an allowed device later replace it.
async fn store_blob(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    uploader: Uploader,
    sha256: String,
    total: i64,
    bytes: Bytes,
) -> Result<PhotoChunkResponse> {
    blobs
        .put(&blob_path(&sha256), bytes.into())
        .await
        .map_err(|e| Error::Internal(format!("blob store: {e}")))?;
    mark_complete(storage, uploader, sha256, total).await?;
    Ok(done(total))
}

fn done(total: i64) -> PhotoChunkResponse {
    PhotoChunkResponse {
        received: total as u64,
        complete: true,
    }
}

/// Runs blocking storage work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("worker: {e}")))?
}

#[cfg(test)]
mod tests;
