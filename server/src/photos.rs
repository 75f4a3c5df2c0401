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
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(ApiError::invalid("a photo hash is 64 lowercase hexadecimal digits"))
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
}

fn standing(tx: &mut dyn Tx, sha256: &str, total: i64) -> ApiResult<Standing> {
    Ok(match tx.photo(sha256)? {
        Some(p) if p.complete => Standing::Complete(p.total),
        Some(p) if p.total != total => {
            return Err(ApiError::invalid("the photo's size differs from the upload in progress"));
        }
        Some(p) => Standing::At(p.received),
        None => Standing::At(0),
    })
}

/// Takes one chunk. The answer says where the upload stands, so a client that lost an answer
/// learns where to resume; a chunk at the wrong offset is not stored.
pub async fn put_chunk(
    storage: Arc<dyn Storage>,
    blobs: Arc<dyn ObjectStore>,
    sha256: String,
    offset: u64,
    total: u64,
    chunk: Bytes,
) -> ApiResult<PhotoChunkResponse> {
    check_hash(&sha256)?;
    if total == 0 || total > MAX_PHOTO_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a photo must be 1 to {MAX_PHOTO_BYTES} bytes"
        )));
    }
    if chunk.len() > PHOTO_CHUNK_BYTES || chunk.is_empty() {
        return Err(ApiError::invalid(format!(
            "a chunk must be 1 to {PHOTO_CHUNK_BYTES} bytes"
        )));
    }
    let end = offset + chunk.len() as u64;
    if end > total {
        return Err(ApiError::invalid("the chunk runs past the photo's size"));
    }
    let (total_i, offset_i) = (total as i64, offset as i64);
    let whole = offset == 0 && end == total;
    let st = {
        let storage = storage.clone();
        let sha = sha256.clone();
        blocking(move || read(&*storage, |tx| standing(tx, &sha, total_i))).await?
    };
    match st {
        Standing::Complete(t) => return Ok(done(t)),
        Standing::At(at) if at != offset_i => {
            return Ok(PhotoChunkResponse {
                received: at as u64,
                complete: false,
            });
        }
        Standing::At(_) => {}
    }
    if whole {
        if !matches(&sha256, &chunk) {
            return Err(ApiError::PhotoMismatch);
        }
        blobs
            .put(&blob_path(&sha256), chunk.into())
            .await
            .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
        let sha = sha256.clone();
        blocking(move || {
            write(&*storage, |tx| {
                tx.put_photo(&PhotoRow {
                    sha256: sha.clone(),
                    total: total_i,
                    received: total_i,
                    complete: true,
                })?;
                tx.drop_photo_chunks(&sha)?;
                Ok(())
            })
        })
        .await?;
        return Ok(done(total_i));
    }
    // A part of a longer photo: stored in the database until the last part arrives.
    let gathered = {
        let storage = storage.clone();
        let sha = sha256.clone();
        blocking(move || {
            write(&*storage, |tx| {
                match standing(tx, &sha, total_i)? {
                    Standing::Complete(_) => return Ok(None),
                    Standing::At(at) if at != offset_i => return Ok(Some(Err(at))),
                    Standing::At(_) => {}
                }
                tx.put_photo_chunk(&sha, offset_i, &chunk)?;
                tx.put_photo(&PhotoRow {
                    sha256: sha.clone(),
                    total: total_i,
                    received: end as i64,
                    complete: false,
                })?;
                if end == total {
                    Ok(Some(Ok(Some(tx.photo_chunks(&sha)?))))
                } else {
                    Ok(Some(Ok(None)))
                }
            })
        })
        .await?
    };
    let bytes = match gathered {
        None => return Ok(done(total_i)),
        Some(Err(at)) => {
            return Ok(PhotoChunkResponse {
                received: at as u64,
                complete: false,
            });
        }
        Some(Ok(None)) => {
            return Ok(PhotoChunkResponse {
                received: end,
                complete: false,
            });
        }
        Some(Ok(Some(bytes))) => bytes,
    };
    if bytes.len() as u64 != total || !matches(&sha256, &bytes) {
        // Start the upload over: nothing of a mismatched photo is kept.
        let sha = sha256.clone();
        blocking(move || {
            write(&*storage, |tx| {
                tx.drop_photo_chunks(&sha)?;
                tx.put_photo(&PhotoRow {
                    sha256: sha.clone(),
                    total: total_i,
                    received: 0,
                    complete: false,
                })?;
                Ok(())
            })
        })
        .await?;
        return Err(ApiError::PhotoMismatch);
    }
    blobs
        .put(&blob_path(&sha256), Bytes::from(bytes).into())
        .await
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
    blocking(move || {
        write(&*storage, |tx| {
            tx.put_photo(&PhotoRow {
                sha256: sha256.clone(),
                total: total_i,
                received: total_i,
                complete: true,
            })?;
            tx.drop_photo_chunks(&sha256)?;
            Ok(())
        })
    })
    .await?;
    Ok(done(total_i))
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
