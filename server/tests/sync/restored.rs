//! No acknowledged work is lost by a restore (issue 27). The server is restored from a backup
//! taken while two phones synced; the work it acknowledged after the backup is on no server
//! and no longer in the phones' outboxes, but the phones kept it (all that the backup did not
//! hold): at their next sync they learn of the restore (another generation of the database)
//! and push it again, photos and all, with their unsynced work; every sealed form, operation
//! and photo is on the restored server once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::forms::{inspect, take_photo};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::household::{Household, Phone};
use doorstep_core::ids::FormId;
use doorstep_core::sync::protocol::Entity;
use doorstep_server::api::{AppState, router};
use doorstep_server::backup;
use doorstep_server::storage::{self, Counted, SqliteStorage, Storage};

use crate::common;

/// A server on a data directory of its own (a database file and a photo directory), listening
/// where the server it replaces did, so the phones find it at the address they know.
struct Restored {
    storage: Arc<dyn Storage>,
    dir: PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Restored {
    fn start(dir: &Path, url: &str) -> Self {
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::open(&dir.join("doorstep.sqlite")).unwrap());
        let blobs = doorstep_server::serve::open_blobs(None, dir).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let address = url.trim_start_matches("http://").to_owned();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(address))
            .expect("the port of the server it replaces");
        let app = router(AppState::new(storage.clone(), blobs));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Self {
            storage,
            dir: dir.to_owned(),
            runtime: Some(runtime),
            shutdown: Some(tx),
        }
    }

    fn count(&self, what: Counted) -> u64 {
        storage::read(&*self.storage, |tx| Ok(tx.count(what)?)).unwrap()
    }

    fn photo_bytes(&self, sha256: &str) -> Vec<u8> {
        std::fs::read(
            self.dir
                .join("photos/photos")
                .join(&sha256[..2])
                .join(format!("{sha256}.jpg")),
        )
        .unwrap_or_else(|e| panic!("photo {sha256} on the restored server: {e}"))
    }
}

impl Drop for Restored {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// A backup of the live server (`doorstep admin backup`'s: the database copied online with
/// its photos, checked, and what it holds of each phone's work recorded for the phones).
fn back_up(server: &TestServer, backups: &Path) -> PathBuf {
    let source = backup::Source {
        database: server.dir.path().join(backup::DATABASE_FILE),
        photos: server.dir.path().join("photos"),
    };
    backup::take(
        &*server.storage,
        &source,
        backups,
        backup::Kind::OnDemand,
        8,
    )
    .expect("a checked backup")
    .path
}

/// A visit: a photo taken and an inspection sealed with it. Returns the form and the photo.
fn visit(phone: &TestDevice, household: &Household, n: u32) -> (FormId, String) {
    let photo = take_photo(phone, household, n);
    (
        inspect(phone, household, std::slice::from_ref(&photo)),
        photo,
    )
}

fn edit_phone_number(phone: &TestDevice, household: &Household, n: u32) {
    let mut h = phone.store().household(household.id).unwrap();
    h.phones = vec![Phone::parse(&format!("1370000{n:04}")).unwrap()];
    phone
        .store()
        .save_household(&h, chrono::Utc::now())
        .unwrap();
}

#[test]
fn a_backup_taken_while_two_phones_sync_restores_and_no_acknowledged_work_is_lost() {
    let server = TestServer::start(Backend::Sqlite);
    let team = team(&server, "西湖一片", "HZ1001");
    let hs = households(&server, &team, 8);
    let a = common::enrolled_phone(&server, &team);
    let b = common::enrolled_phone(&server, &team);
    let mut forms = BTreeSet::new();
    let mut photos: Vec<(String, &TestDevice)> = Vec::new();
    let mut n = 0;
    let mut work = |phone: &'static str, forms: &mut BTreeSet<FormId>| {
        let (device, h) = if phone == "a" {
            (&a, &hs[n % 4])
        } else {
            (&b, &hs[4 + n % 4])
        };
        n += 1;
        let (form, photo) = visit(device, h, n as u32);
        edit_phone_number(device, h, n as u32);
        forms.insert(form);
        photos.push((photo, device));
    };

    // Work synced before the backup.
    work("a", &mut forms);
    work("b", &mut forms);
    a.sync().unwrap();
    b.sync().unwrap();

    // The backup is taken while both phones sync more work.
    work("a", &mut forms);
    work("b", &mut forms);
    let backups = tempfile::tempdir().unwrap();
    let taken = std::thread::scope(|s| {
        let syncing = [s.spawn(|| a.sync()), s.spawn(|| b.sync())];
        let taken = back_up(&server, backups.path());
        for sync in syncing {
            sync.join().unwrap().unwrap();
        }
        taken
    });

    // Work acknowledged after the backup: on no server once it is restored.
    work("a", &mut forms);
    work("b", &mut forms);
    a.sync().unwrap();
    b.sync().unwrap();
    for phone in [&a, &b] {
        assert_eq!(phone.store().outbox_len().unwrap(), 0, "all acknowledged");
        assert!(
            !phone.store().kept_operations().unwrap().is_empty(),
            "and kept"
        );
    }
    let acknowledged_ops = server.count(Counted::Ops);
    assert_eq!(
        server.count(Counted::Records(Entity::Form)),
        forms.len() as u64
    );
    // And work not synced yet.
    work("a", &mut forms);
    let unsynced = a.store().outbox_len().unwrap();
    assert!(unsynced >= 3, "a photo, a form and an edit: {unsynced}");

    // The phones heard what the backup holds, and keep only the rest.
    let kept: usize = [&a, &b]
        .iter()
        .map(|p| p.store().kept_operations().unwrap().len())
        .sum();
    assert!(
        (kept as u64) < acknowledged_ops,
        "the backup's share is forgotten: {kept}"
    );

    // The server is lost; `doorstep admin restore` puts the backup into an empty directory,
    // and a new server starts on it, at the same address.
    let url = server.url.clone();
    drop(server);
    let copy = tempfile::tempdir().unwrap();
    let generation = backup::restore(&taken, copy.path())
        .expect("restored")
        .generation;
    let restored = Restored::start(copy.path(), &url);
    assert!(
        restored.count(Counted::Ops) < acknowledged_ops,
        "the copy lacks what was acknowledged after it"
    );

    let report_a = a.sync().unwrap();
    let report_b = b.sync().unwrap();
    assert!(report_a.pushed > unsynced, "{report_a:?}");
    assert!(report_b.pushed > 0, "{report_b:?}");
    // Once more: nothing is sent twice.
    let again = [a.sync().unwrap(), b.sync().unwrap()];
    assert!(
        again
            .iter()
            .all(|r| r.pushed == 0 && r.photos_uploaded == 0),
        "{again:?}"
    );

    // Every acknowledged operation, and the unsynced ones, once.
    assert_eq!(restored.count(Counted::Ops), acknowledged_ops + unsynced);
    assert_eq!(
        restored.count(Counted::Records(Entity::Form)),
        forms.len() as u64
    );
    for form in &forms {
        let stored = storage::read(&*restored.storage, |tx| {
            Ok(tx.record(Entity::Form, &form.to_string())?)
        })
        .unwrap();
        assert!(
            stored.is_some(),
            "sealed form {form} on the restored server"
        );
    }
    let waiting = storage::read(&*restored.storage, |tx| Ok(tx.forms_waiting()?)).unwrap();
    assert!(
        waiting.is_empty(),
        "every form whole, its photos there: {waiting:?}"
    );
    assert_eq!(restored.count(Counted::CompletePhotos), photos.len() as u64);
    for (sha, phone) in &photos {
        assert_eq!(
            restored.photo_bytes(sha),
            phone.store().photo_jpeg(sha).unwrap(),
            "byte-identical"
        );
    }
    // Every phone number edit on the phones is the server's.
    for (phone, mine) in [(&a, &hs[..4]), (&b, &hs[4..])] {
        for h in mine {
            let on_server = storage::read(&*restored.storage, |tx| {
                Ok(tx.record(Entity::Household, &h.id.to_string())?)
            })
            .unwrap()
            .unwrap();
            let on_server: Household = serde_json::from_str(&on_server.body).unwrap();
            assert_eq!(
                on_server.phones,
                phone.store().household(h.id).unwrap().phones
            );
        }
    }
    let check: String = rusqlite::Connection::open(copy.path().join("doorstep.sqlite"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // The phones now keep what the restored server acknowledged, and took its full pull.
    for phone in [&a, &b] {
        let store = phone.store();
        assert_eq!(
            store.server_generation().unwrap().as_deref(),
            Some(generation.as_str())
        );
        assert_eq!(store.outbox_len().unwrap(), 0);
        let kept = store.kept_operations().unwrap();
        assert!(
            kept.iter()
                .all(|k| k.generation.as_deref() == Some(generation.as_str()))
        );
        for h in &hs {
            assert!(
                store.household(h.id).is_ok(),
                "the district is still on the phone"
            );
        }
    }
}

on_both_backends! {
    fn a_server_of_a_new_generation_gets_the_kept_work_again_as_repeats_and_stores_nothing_twice(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 3);
        let phone = common::enrolled_phone(&server, &team);
        let (form, _) = visit(&phone, &hs[0], 1);
        edit_phone_number(&phone, &hs[1], 1);
        phone.sync().unwrap();
        let kept = phone.store().kept_operations().unwrap().len();
        assert!(kept >= 3, "the photo, the form and the edit: {kept}");
        let ops = server.count(Counted::Ops);

        // Restored from a backup that held everything (the database's own archiving, say).
        storage::write(&*server.storage, |tx| Ok(tx.put_server_meta(backup::GENERATION, "restored")?))
            .unwrap();
        let report = phone.sync().unwrap();
        assert_eq!(report.pushed, kept as u64, "every kept operation pushed again");
        assert_eq!(server.count(Counted::Ops), ops, "all repeats: stored once");
        assert_eq!(server.count(Counted::Records(Entity::Form)), 1);
        assert!(storage::read(&*server.storage, |tx| Ok(tx.record(Entity::Form, &form.to_string())?))
            .unwrap()
            .is_some());
        let store = phone.store();
        assert_eq!(store.server_generation().unwrap().as_deref(), Some("restored"));
        assert_eq!(store.outbox_len().unwrap(), 0);
        assert_eq!(store.kept_operations().unwrap().len(), kept, "kept again, for the new one");
        for h in &hs {
            assert!(store.household(h.id).is_ok(), "the full pull brought the district again");
        }
    }
}

on_both_backends! {
    fn a_phone_forgets_kept_work_once_the_servers_backup_holds_it(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 2);
        let phone = common::enrolled_phone(&server, &team);
        edit_phone_number(&phone, &hs[0], 1);
        edit_phone_number(&phone, &hs[1], 2);
        phone.sync().unwrap();
        let kept = phone.store().kept_operations().unwrap();
        assert_eq!(kept.len(), 2);

        // What the backup module records after a checked backup.
        let name = format!("{}{}", backup::BACKED_UP_THROUGH, phone.store().device_id());
        storage::write(&*server.storage, |tx| Ok(tx.put_server_meta(&name, &kept[0].seq.to_string())?))
            .unwrap();
        phone.sync().unwrap();
        let left: Vec<i64> = phone.store().kept_operations().unwrap().iter().map(|k| k.seq).collect();
        match backend {
            // The server backs itself up and says what its backup holds.
            Backend::Sqlite => assert_eq!(left, vec![kept[1].seq]),
            // PostgreSQL's backups are the database's own: the phone keeps its 7 days.
            Backend::Postgres => assert_eq!(left, vec![kept[0].seq, kept[1].seq]),
        }
    }
}
