//! No debris after a kill: a `doorstep serve` killed (SIGKILL) while photos upload leaves at
//! most temporary files in the photo store, and the sweep removes them by age, never a
//! younger one, which may be another server's upload in progress. On the photo directory
//! (SQLite) and on S3 (PostgreSQL), with real server processes.

use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::common::TestDevice;
use crate::common::process::{self, Served, doorstep};

/// `doorstep serve` with the storage options and `extra`.
fn serve(storage: &[&str], extra: &[&str]) -> Served {
    process::serve(&[storage, extra].concat())
}

/// `doorstep admin` with the storage options and `extra`.
fn admin(storage: &[&str], extra: &[&str]) -> String {
    let mut args = vec!["admin"];
    args.extend_from_slice(storage);
    args.extend_from_slice(extra);
    doorstep(&args)
}

/// An inspector's phone enrolled through `server`: its credential.
fn credential(storage: &[&str], server: &Served) -> String {
    let district = admin(
        storage,
        &[
            "district",
            "add",
            "--name",
            "西湖区",
            "--boundary",
            "120.10 30.25, 120.20 30.25, 120.20 30.30",
        ],
    );
    let technician = admin(
        storage,
        &[
            "technician",
            "add",
            "--badge",
            "HZ3001",
            "--name",
            "测试员",
            "--role",
            "inspector",
            "--district",
            &district,
        ],
    );
    let phone = TestDevice::new();
    phone.enroll(&server.url, &admin(storage, &["enroll", &technician]));
    phone.store().credential().unwrap().unwrap()
}

/// Photos of one chunk each (so that each goes straight to the blob store), uploaded by four
/// threads until the server is killed under them: the hashes of the photos the server took.
fn upload_until_killed(server: &mut Served, credential: &str) -> Vec<(String, Vec<u8>)> {
    let stored = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for thread in 0..4u32 {
            let (url, stored) = (&server.url, &stored);
            s.spawn(move || {
                let client = reqwest::blocking::Client::new();
                for i in 0u32.. {
                    let bytes: Vec<u8> = format!("photo {thread} {i} ")
                        .into_bytes()
                        .into_iter()
                        .cycle()
                        .take(600_000)
                        .collect();
                    let sha = hex::encode(Sha256::digest(&bytes));
                    let sent = client
                        .put(format!(
                            "{url}/v1/photos/{sha}?offset=0&total={}",
                            bytes.len()
                        ))
                        .bearer_auth(credential)
                        .body(bytes.clone())
                        .send();
                    match sent {
                        Ok(answer) if answer.status().is_success() => {
                            stored.lock().unwrap().push((sha, bytes))
                        }
                        Ok(answer) => panic!("upload refused: {}", answer.status()),
                        // The server is gone.
                        Err(_) => return,
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(1500));
        server.child.kill().unwrap();
        server.child.wait().unwrap();
    });
    let stored = stored.into_inner().unwrap();
    assert!(!stored.is_empty(), "no upload finished before the kill");
    stored
}

/// The temporary files under `dir` (`<name>#<digits>`).
fn temporary_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .rsplit_once('#')
                .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            {
                found.push(path);
            }
        }
    }
    found
}

fn swept(output: &str) -> (u64, u64) {
    let count = |name: &str| {
        output
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('\t')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {output:?}"))
    };
    (count("removed"), count("young"))
}

#[test]
fn a_server_killed_mid_upload_leaves_debris_the_sweep_removes_by_age_sparing_a_live_upload() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("doorstep-data");
    let storage = ["--data", data.to_str().unwrap()];
    let mut server = serve(&storage, &[]);
    let credential = credential(&storage, &server);
    let stored = upload_until_killed(&mut server, &credential);
    let photos = data.join("photos");
    let left_by_kill = temporary_files(&photos).len();
    eprintln!(
        "{} photos stored, {left_by_kill} temporary files left by the kill",
        stored.len()
    );
    // The debris as the reported kill left it: 0 bytes beside a photo (the kill above lands in
    // the short moment between a temporary file's creation and its rename only sometimes).
    let (sha, _) = &stored[0];
    let kind_of_debris = photos.join(format!("photos/{}/{sha}.jpg#1", &sha[..2]));
    std::fs::write(&kind_of_debris, b"").unwrap();
    let debris = temporary_files(&photos);

    // A server restarting does not sweep what is younger than the age (another server's
    // upload in progress may be writing it).
    let restarted = serve(&storage, &[]);
    std::thread::sleep(Duration::from_millis(500));
    drop(restarted);
    assert_eq!(temporary_files(&photos).len(), debris.len());

    std::thread::sleep(Duration::from_secs(2));
    let live = photos.join("photos/ff/ffff.jpg#1");
    std::fs::create_dir_all(live.parent().unwrap()).unwrap();
    std::fs::write(&live, b"half a photo").unwrap();
    let (removed, young) = swept(&admin(&storage, &["sweep", "--older-than", "2s"]));
    assert_eq!((removed, young), (debris.len() as u64, 1));
    assert_eq!(temporary_files(&photos), vec![live.clone()]);
    for (sha, bytes) in &stored {
        let photo = photos.join(format!("photos/{}/{sha}.jpg", &sha[..2]));
        assert_eq!(
            &std::fs::read(photo).unwrap(),
            bytes,
            "a stored photo stays whole"
        );
    }

    // `doorstep serve` sweeps by itself, on its interval, by the same age.
    std::thread::sleep(Duration::from_secs(2));
    let _sweeping = serve(
        &storage,
        &["--sweep-every", "1s", "--sweep-older-than", "1s"],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while live.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the serving sweep left the old temporary file"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_server_killed_mid_upload_leaves_no_partial_photo_in_s3() {
    let Some(db) = doorstep_server::storage::throwaway::ThrowawayDatabase::create() else {
        return;
    };
    let bucket = std::env::var("DOORSTEP_TEST_S3_BUCKET").unwrap();
    let blobs = format!("s3://{bucket}");
    let dir = tempfile::tempdir().unwrap();
    let storage = [
        "--data",
        dir.path().to_str().unwrap(),
        "--database-url",
        &db.url,
        "--blobs",
        &blobs,
    ];
    let mut server = serve(&storage, &[]);
    let credential = credential(&storage, &server);
    let stored = upload_until_killed(&mut server, &credential);

    // S3 takes a photo in one PUT: all of it or nothing, and no temporary object to sweep.
    let (removed, young) = swept(&admin(&storage, &["sweep", "--older-than", "0s"]));
    assert_eq!((removed, young), (0, 0));
    let s3 = doorstep_server::serve::open_blobs(Some(&blobs), dir.path()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listed: Vec<object_store::ObjectMeta> = runtime.block_on(async {
        use futures::TryStreamExt;
        s3.list(Some(&object_store::path::Path::from("photos")))
            .try_collect()
            .await
            .unwrap()
    });
    for (sha, bytes) in &stored {
        let path = doorstep_server::photos::blob_path(sha);
        let meta = listed
            .iter()
            .find(|m| m.location == path)
            .expect("a stored photo is in S3");
        assert_eq!(meta.size, bytes.len() as u64, "a stored photo stays whole");
    }
    // Whatever the kill cut off is either whole or absent: no object of this test's uploads
    // has a size other than its photo's.
    for meta in &listed {
        let name = meta.location.filename().unwrap_or_default();
        assert!(!name.contains('#'), "a temporary object in S3: {name}");
        if meta.location.as_ref().ends_with(".jpg") {
            assert!(meta.size > 0, "an empty photo object in S3");
        }
    }
}
