//! Uploads against a real storage: chunks, resumption, a device revoked mid-upload.

use super::*;
use crate::records::put_from_office;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Actor, Counted, DeviceRow};
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
        technician_id: technician.id,
    };
    write(&*storage, |tx| {
        put_from_office(tx, &Record::Technician(technician.clone()))?;
        tx.put_device(&DeviceRow {
            id: uploader.device_id.clone(),
            technician_id: uploader.technician_id.to_string(),
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
        auth::revoke(tx, device_id, &Actor::Admin(None), chrono::Utc::now())
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
    assert_eq!(lines[0].actor, Actor::Technician(uploader.technician_id));
    assert_eq!(
        lines[0].actor.to_string(),
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
