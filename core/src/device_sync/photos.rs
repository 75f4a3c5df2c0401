//! Uploading the photos the server lacks: asked for by hash, a few uploads in flight, each
//! in chunks that resume where the server stands and shrink over a slow uplink.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::transport::Request;
use super::{Session, SyncPhase, SyncProgress, SyncReport, lock};
use crate::error::Result;
use crate::ids::PhotoHash;
use crate::store::Store;
use crate::sync::protocol::{
    ErrorKind, MissingPhotosRequest, MissingPhotosResponse, PhotoChunkResponse,
};

/// Photo uploads in flight at once: the next photo is read and sent while the server checks
/// and stores the one before.
const PHOTO_UPLOADS_IN_FLIGHT: usize = 4;

/// The smallest photo chunk a slow uplink is given: 32 KiB take 4 s at 64 kbit/s.
const SMALLEST_PHOTO_CHUNK: usize = 32 * 1024;

impl Session<'_> {
    /// Asks which waiting photos the server lacks, marks the rest uploaded and uploads these;
    /// a photo that cannot be read or that the server refuses stays waiting, out of the way.
    pub(super) fn photos(
        &self,
        store: &Mutex<Store>,
        progress: &dyn Fn(SyncProgress),
        report: &mut SyncReport,
    ) -> Result<()> {
        let waiting = lock(store)?.photos_to_upload()?;
        let total = waiting.len() as u64;
        let mut done = 0;
        progress(SyncProgress {
            phase: SyncPhase::Photos,
            done,
            total,
        });
        for hashes in waiting.chunks(500) {
            let request = MissingPhotosRequest {
                sha256: hashes.to_vec(),
            };
            let url = format!("{}/v1/photos/missing", self.server);
            let missing: MissingPhotosResponse = self.json(&Request::post(&url, &request)?)?;
            let lacking: std::collections::HashMap<&PhotoHash, u64> = missing
                .missing
                .iter()
                .map(|m| (&m.sha256, m.received))
                .collect();
            let there: Vec<PhotoHash> = hashes
                .iter()
                .filter(|h| !lacking.contains_key(h))
                .cloned()
                .collect();
            lock(store)?.mark_photos_uploaded(&there)?;
            done += there.len() as u64;
            let uploads: Vec<&PhotoHash> =
                hashes.iter().filter(|h| lacking.contains_key(h)).collect();
            // A few uploads in flight, each its own request; the photos are marked uploaded
            // and progress is told here, on the sync's own thread, as each one completes.
            let next = std::sync::atomic::AtomicUsize::new(0);
            let failed = AtomicBool::new(false);
            // Each upload's answer: the bytes sent, or `None` for a photo set aside (above).
            let (sender, finished) =
                std::sync::mpsc::channel::<Result<(&PhotoHash, Option<u64>)>>();
            let mut first_error = None;
            std::thread::scope(|s| {
                for _ in 0..PHOTO_UPLOADS_IN_FLIGHT.min(uploads.len()) {
                    let sender = sender.clone();
                    let (next, failed, uploads, lacking) = (&next, &failed, &uploads, &lacking);
                    s.spawn(move || {
                        while !failed.load(Ordering::SeqCst) {
                            let Some(hash) = uploads.get(next.fetch_add(1, Ordering::SeqCst))
                            else {
                                break;
                            };
                            let read = lock(store).map(|s| s.photo_jpeg(hash.as_str()));
                            let sent = match read {
                                Ok(Ok(bytes)) => {
                                    match self.upload(hash, &bytes, lacking[hash]) {
                                        // The server refused this photo (its bytes, its size):
                                        // it stays waiting, and the other photos and the pull
                                        // go on. A failure of the network or of the server
                                        // itself stops the sync, to be tried again.
                                        Err(e)
                                            if e.refused_as()
                                                .is_some_and(ErrorKind::refuses_one_photo) =>
                                        {
                                            Ok(None)
                                        }
                                        sent => sent.map(Some),
                                    }
                                }
                                Ok(Err(_unreadable)) => Ok(None),
                                Err(poisoned) => Err(poisoned),
                            };
                            if sent.is_err() {
                                failed.store(true, Ordering::SeqCst);
                            }
                            if sender.send(sent.map(|n| (*hash, n))).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(sender);
                for result in finished {
                    let marked = result.and_then(|(hash, sent)| {
                        if sent.is_some() {
                            lock(store)?.mark_photos_uploaded(std::slice::from_ref(hash))?;
                        }
                        Ok((hash, sent))
                    });
                    match marked {
                        Ok((hash, None)) => {
                            // A hash names no one; the photo stays in the list of photos waiting.
                            tracing::warn!(
                                photo = %hash,
                                "a photo could not be read or the server refused it; it stays waiting"
                            );
                            report.photos_unreadable += 1;
                        }
                        Ok((_, Some(sent))) => {
                            report.photo_bytes += sent;
                            report.photos_uploaded += 1;
                            done += 1;
                            progress(SyncProgress {
                                phase: SyncPhase::Photos,
                                done,
                                total,
                            });
                        }
                        Err(e) => {
                            failed.store(true, Ordering::SeqCst);
                            first_error.get_or_insert(e);
                        }
                    }
                }
            });
            if let Some(e) = first_error {
                return Err(e);
            }
        }
        progress(SyncProgress {
            phase: SyncPhase::Photos,
            done: total,
            total,
        });
        Ok(())
    }

    /// Uploads one photo from `offset` in chunks; returns the bytes sent. A chunk that does not
    /// get through in time is sent again smaller (the server keeps nothing of a chunk that did
    /// not arrive whole, and says where the upload stands after one that did): on an uplink too
    /// slow for a whole photo within the timeout, the photo still arrives, a part at a time,
    /// instead of starting over from nothing at every try and every sync.
    fn upload(&self, hash: &PhotoHash, bytes: &[u8], mut offset: u64) -> Result<u64> {
        let total = bytes.len() as u64;
        let mut sent = 0;
        loop {
            // Never an empty chunk: if the server holds every byte but has not finished the
            // photo (an earlier request was cut), the last byte again makes it finish.
            let start = offset.min(total.saturating_sub(1)) as usize;
            let mut end = start;
            let answer: PhotoChunkResponse =
                self.shrinking(&self.photo_chunk, SMALLEST_PHOTO_CHUNK, |chunk| {
                    end = (start + chunk).min(bytes.len());
                    let url = format!(
                        "{}/v1/photos/{hash}?offset={start}&total={total}",
                        self.server
                    );
                    let request = Request::Put {
                        url: &url,
                        bytes: &bytes[start..end],
                    };
                    (
                        end - start,
                        self.syncer.attempt(&request, Some(&self.credential)),
                    )
                })?;
            sent += (end - start) as u64;
            if answer.complete {
                return Ok(sent);
            }
            // The server says where it stands: normally after this chunk; after a cut, where
            // the last chunk it stored ended.
            offset = answer.received;
        }
    }
}
