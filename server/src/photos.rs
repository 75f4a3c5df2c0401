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

use crate::auth;
use crate::error::{Error, Result};
use crate::storage::{AuditRow, PhotoRow, Storage, Tx, read, write};

/// The device uploading a photo, as the request's authentication found it. Checked again in
/// every transaction that stores a part or completes the photo, so that a device revoked (or a
/// technician deactivated) while its upload runs stores nothing more; a completed photo is
/// audited as this device's.
#[derive(Debug, Clone)]
pub struct Uploader {
    pub device_id: String,
    pub technician_id: String,
}

impl Uploader {
    /// Still allowed, in the transaction about to write.
    fn recheck(&self, tx: &mut dyn Tx) -> Result<()> {
        auth::still_allowed(tx, &self.device_id)
    }

    fn received(&self, tx: &mut dyn Tx, sha256: &str) -> Result<()> {
        tx.audit(&AuditRow {
            at: chrono::Utc::now(),
            actor: format!("technician:{}", self.technician_id),
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

pub fn check_hash(sha256: &str) -> Result<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(Error::invalid(
            "a photo hash is 64 lowercase hexadecimal digits",
        ))
    }
}

fn matches(sha256: &str, bytes: &[u8]) -> bool {
    hex::encode(Sha256::digest(bytes)) == sha256
}

/// How much of each photo the server holds: `None` when it is complete.
pub fn missing(tx: &mut dyn Tx, hashes: &[String]) -> Result<Vec<(String, u64)>> {
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
/// PUT), then marks the photo complete. Should the device be refused by then, the file stays in
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
async fn mark_complete(
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
mod tests {
    use super::*;
    use crate::records::put_from_office;
    use crate::storage::sqlite::SqliteStorage;
    use crate::storage::{Counted, DeviceRow};
    use doorstep_core::ids::TechnicianId;
    use doorstep_core::sync::protocol::Record;
    use doorstep_core::team::{Technician, TechnicianRole};

    struct Server {
        _dir: tempfile::TempDir,
        storage: Arc<dyn Storage>,
        blobs: Arc<dyn ObjectStore>,
    }

    /// A server with one enrolled device, whose uploader is returned.
    fn server() -> (Server, Uploader) {
        let dir = tempfile::tempdir().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::open(&dir.path().join("server.sqlite")).unwrap());
        let blobs = crate::serve::open_blobs(None, dir.path()).unwrap();
        let technician = Technician {
            id: TechnicianId::new(),
            badge: "HZ1001".into(),
            name: "测试".into(),
            phone: None,
            role: TechnicianRole::Inspector,
            crew_id: None,
            district_id: None,
            active: true,
        };
        let uploader = Uploader {
            device_id: "phone1".into(),
            technician_id: technician.id.to_string(),
        };
        write(&*storage, |tx| {
            put_from_office(tx, &Record::Technician(technician.clone()))?;
            tx.put_device(&DeviceRow {
                id: uploader.device_id.clone(),
                technician_id: uploader.technician_id.clone(),
                credential_sha256: "00".into(),
                model: "test".into(),
                enrolled_at: chrono::Utc::now(),
                revoked_at: None,
            })?;
            Ok(())
        })
        .unwrap();
        let server = Server {
            _dir: dir,
            storage,
            blobs,
        };
        (server, uploader)
    }

    async fn upload(
        s: &Server,
        uploader: &Uploader,
        sha: &str,
        offset: usize,
        total: usize,
        chunk: Bytes,
    ) -> Result<PhotoChunkResponse> {
        put_chunk(
            s.storage.clone(),
            s.blobs.clone(),
            uploader.clone(),
            sha.to_owned(),
            offset as u64,
            total as u64,
            chunk,
        )
        .await
    }

    fn revoke(s: &Server, device_id: &str) {
        write(&*s.storage, |tx| {
            auth::revoke(tx, device_id, "admin", chrono::Utc::now())
        })
        .unwrap();
    }

    fn photo_received_lines(s: &Server) -> Vec<AuditRow> {
        read(&*s.storage, |tx| Ok(tx.audit_log(100)?))
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "photo_received")
            .collect()
    }

    /// The last chunk sent twice (the phone timed out and sent it again, or a proxy duplicated
    /// it): a request that saw every byte there before the other one completed the photo finds
    /// it complete, answers done, and leaves it complete rather than starting it over.
    #[tokio::test]
    async fn a_last_chunk_finished_twice_answers_done_and_keeps_the_photo() {
        let (s, uploader) = server();
        let bytes = Bytes::from_static("一张照片的字节".as_bytes());
        let sha = hex::encode(Sha256::digest(&bytes));
        let total = bytes.len();
        let first = upload(&s, &uploader, &sha, 0, total, bytes).await.unwrap();
        assert!(first.complete);
        // The second request, past its "every byte is there" check, finishes after the first.
        let second = finish(
            s.storage.clone(),
            s.blobs.clone(),
            uploader.clone(),
            sha.clone(),
            total as i64,
        )
        .await
        .unwrap();
        assert!(second.complete, "{second:?}");
        let row = read(&*s.storage, |tx| Ok(tx.photo(&sha)?))
            .unwrap()
            .unwrap();
        assert!(row.complete && row.received == total as i64, "{row:?}");
        // Received once, by this device: one audit line.
        let lines = photo_received_lines(&s);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(
            lines[0].actor,
            format!("technician:{}", uploader.technician_id)
        );
        assert_eq!(lines[0].device_id.as_deref(), Some("phone1"));
        assert_eq!(lines[0].entity_id.as_deref(), Some(sha.as_str()));
    }

    /// A phone revoked while its upload runs (after the request was authenticated, before its
    /// chunk is written): the chunk is refused as revoked and nothing more of it is kept, for a
    /// photo in parts and for a photo in one piece.
    #[tokio::test]
    async fn a_device_revoked_while_its_upload_runs_stores_nothing_more() {
        let (s, uploader) = server();
        let bytes: Vec<u8> = (0..PHOTO_CHUNK_BYTES + 1000)
            .map(|i| (i % 251) as u8)
            .collect();
        let sha = hex::encode(Sha256::digest(&bytes));
        let total = bytes.len();
        let part = |from: usize, to: usize| Bytes::copy_from_slice(&bytes[from..to]);
        let first = upload(&s, &uploader, &sha, 0, total, part(0, PHOTO_CHUNK_BYTES))
            .await
            .unwrap();
        assert_eq!(first.received, PHOTO_CHUNK_BYTES as u64);

        revoke(&s, &uploader.device_id);
        let rest = part(PHOTO_CHUNK_BYTES, total);
        let last = upload(&s, &uploader, &sha, PHOTO_CHUNK_BYTES, total, rest).await;
        assert!(matches!(last, Err(Error::Revoked)), "{last:?}");
        let row = read(&*s.storage, |tx| Ok(tx.photo(&sha)?))
            .unwrap()
            .unwrap();
        assert_eq!(row.received, PHOTO_CHUNK_BYTES as i64);
        assert!(!row.complete);

        let small = Bytes::from_static(b"a small photo");
        let small_sha = hex::encode(Sha256::digest(&small));
        let whole = upload(&s, &uploader, &small_sha, 0, small.len(), small).await;
        assert!(matches!(whole, Err(Error::Revoked)), "{whole:?}");
        assert_eq!(
            read(&*s.storage, |tx| Ok(tx.count(Counted::CompletePhotos)?)).unwrap(),
            0
        );
        assert!(
            read(&*s.storage, |tx| Ok(tx.photo(&small_sha)?))
                .unwrap()
                .is_none()
        );
        assert!(photo_received_lines(&s).is_empty());
    }
}
