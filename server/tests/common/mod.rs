//! A real server in the test process (axum on a loopback port, SQLite or PostgreSQL, photos in
//! a directory or S3), the back office acting through the library, and devices with real
//! encrypted stores syncing over HTTP.
#![allow(dead_code)]

pub mod console;
pub mod forms;
pub mod office;
pub mod process;
pub mod proxy;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use doorstep_core::device_sync::{CancelToken, SyncOptions, SyncProgress, SyncReport, Syncer};
use doorstep_core::geo::{Area, GeoPoint};
use doorstep_core::household::{Address, Household};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use doorstep_core::store::{Store, StoreKey};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::{District, Technician, TechnicianRole};
use doorstep_core::workorder::WorkOrder;
use doorstep_server::api::{AppState, router};
use doorstep_server::storage::throwaway::ThrowawayDatabase;
use doorstep_server::storage::{self, Actor, Counted, PostgresStorage, SqliteStorage, Storage};
use doorstep_server::{auth, records};
use object_store::ObjectStore;
use object_store::prefix::PrefixStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$name` against both backends: `$name::sqlite` and `$name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* fn $name:ident($backend:ident: Backend) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($backend: Backend) $body
            #[test]
            $(#[$meta])*
            fn sqlite() {
                run(Backend::Sqlite)
            }
            #[test]
            $(#[$meta])*
            fn postgres() {
                if common::skip_postgres() {
                    return;
                }
                run(Backend::Postgres)
            }
        }
    };
}

/// PostgreSQL tests run wherever `scripts/test` runs; a bare `cargo test` without the services
/// fails loudly instead of skipping, unless DOORSTEP_SKIP_POSTGRES=1 says so on purpose.
#[allow(unused_imports)]
pub use doorstep_server::storage::throwaway::skip_postgres;

pub struct TestServer {
    pub url: String,
    pub storage: Arc<dyn Storage>,
    pub blobs: Arc<dyn ObjectStore>,
    pub dir: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _pg: Option<ThrowawayDatabase>,
}

impl TestServer {
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {})
    }

    /// A server whose state `configure` adjusts before it starts (its clock, the console's
    /// session settings).
    pub fn start_with(backend: Backend, configure: impl FnOnce(&mut AppState)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (storage, pg): (Arc<dyn Storage>, _) = match backend {
            Backend::Sqlite => (
                Arc::new(SqliteStorage::open(&dir.path().join("doorstep.sqlite")).unwrap()),
                None,
            ),
            Backend::Postgres => {
                let db =
                    ThrowawayDatabase::create().expect("PostgreSQL tests are not skipped here");
                (
                    Arc::new(PostgresStorage::connect(&db.url, 8).unwrap()),
                    Some(db),
                )
            }
        };
        doorstep_server::serve::seed_templates(&*storage).unwrap();
        // SQLite runs with the photo directory, PostgreSQL with S3-compatible storage (each
        // test under a prefix of its own): both photo stores are exercised by every suite.
        let blobs: Arc<dyn ObjectStore> = match backend {
            Backend::Sqlite => doorstep_server::serve::open_blobs(None, dir.path()).unwrap(),
            Backend::Postgres => {
                let bucket = std::env::var("DOORSTEP_TEST_S3_BUCKET")
                    .expect("DOORSTEP_TEST_S3_BUCKET (from target/services/env)");
                let s3 =
                    doorstep_server::serve::open_blobs(Some(&format!("s3://{bucket}")), dir.path())
                        .unwrap();
                let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
                Arc::new(PrefixStore::new(s3, prefix.as_str()))
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut state = AppState::new(storage.clone(), blobs.clone());
        configure(Arc::get_mut(&mut state).expect("a new state has one owner"));
        let app = router(state);
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
            url,
            storage,
            blobs,
            dir,
            runtime: Some(runtime),
            shutdown: Some(tx),
            _pg: pg,
        }
    }

    /// The admin tool's options that reach this server's database: its data directory, and
    /// on PostgreSQL its database.
    pub fn admin_storage_args(&self) -> Vec<String> {
        let mut args = vec!["--data".to_owned(), self.dir.path().display().to_string()];
        if let Some(db) = &self._pg {
            args.extend(["--database-url".to_owned(), db.url.clone()]);
        }
        args
    }

    /// Writes a record as the back office does.
    pub fn office_put(&self, record: Record) {
        storage::write(&*self.storage, |tx| {
            records::put_from_office(tx, &record)?;
            Ok(())
        })
        .unwrap();
    }

    pub fn enrollment_code(&self, technician: TechnicianId) -> String {
        storage::write(&*self.storage, |tx| {
            auth::issue_code(tx, &technician.to_string(), &Actor::Admin(None), Utc::now())
        })
        .unwrap()
    }

    pub fn count(&self, what: Counted) -> u64 {
        storage::read(&*self.storage, |tx| Ok(tx.count(what)?)).unwrap()
    }

    pub fn household(&self, id: HouseholdId) -> Household {
        let record = storage::read(&*self.storage, |tx| {
            Ok(tx.record(Entity::Household, &id.to_string())?)
        })
        .unwrap()
        .expect("household on the server");
        serde_json::from_str(&record.body).unwrap()
    }

    pub fn work_order(&self, id: &str) -> WorkOrder {
        let record = storage::read(&*self.storage, |tx| Ok(tx.record(Entity::WorkOrder, id)?))
            .unwrap()
            .expect("order on the server");
        serde_json::from_str(&record.body).unwrap()
    }

    /// Saves a record as a newer version of the server (another process sharing the database)
    /// would: `edit` changes its stored JSON, which this version need not be able to read.
    pub fn save_as_newer_server(
        &self,
        entity: Entity,
        id: &str,
        edit: impl Fn(&mut serde_json::Value),
    ) {
        storage::write(&*self.storage, |tx| {
            let stored = tx.record(entity, id)?.expect("record on the server");
            let mut body: serde_json::Value = serde_json::from_str(&stored.body).unwrap();
            edit(&mut body);
            let newer = doorstep_server::storage::StoredRecord {
                body: body.to_string(),
                ..stored.clone()
            };
            let seq = tx.next_seq()?;
            records::save_at(tx, newer, Some(&stored), seq)?;
            Ok(())
        })
        .unwrap();
    }

    /// Saves a household as the back office edits it.
    pub fn office_edit(&self, id: HouseholdId, edit: impl FnOnce(&mut Household)) {
        let mut h = self.household(id);
        edit(&mut h);
        self.office_put(Record::Household(Box::new(h)));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

pub const KEY_HEX: &str = "5f1c0d6e2a9b4c3d8e7f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";

/// A phone with its encrypted store.
pub struct TestDevice {
    pub store: Mutex<Store>,
    pub syncer: Syncer,
    pub dir: tempfile::TempDir,
}

impl TestDevice {
    pub fn new() -> Self {
        Self::with_options(SyncOptions {
            backoff: std::time::Duration::from_millis(20),
            max_backoff: std::time::Duration::from_millis(200),
            attempts: 3,
            ..SyncOptions::default()
        })
    }

    pub fn with_options(options: SyncOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path().join("device.db"),
            &StoreKey::from_hex(KEY_HEX).unwrap(),
        )
        .unwrap();
        Self {
            store: Mutex::new(store),
            syncer: Syncer::new(options).unwrap(),
            dir,
        }
    }

    pub fn enroll(&self, server: &str, code: &str) -> Technician {
        self.syncer
            .enroll(&self.store, server, code, "Test phone")
            .unwrap()
    }

    pub fn sync(&self) -> doorstep_core::Result<SyncReport> {
        self.syncer
            .sync(&self.store, &|_: SyncProgress| {}, &CancelToken::new())
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap()
    }
}

/// A district, an inspector in it and a crew, on a server.
pub struct Team {
    pub district: District,
    pub inspector: Technician,
    pub crew: CrewId,
}

/// A phone enrolled for the team's inspector, with its first pull done.
pub fn enrolled_phone(server: &TestServer, team: &Team) -> TestDevice {
    let phone = TestDevice::new();
    phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
    phone.sync().unwrap();
    phone
}

pub fn square(lat: f64, lon: f64, size: f64) -> Area {
    Area::new(vec![
        GeoPoint::new(lat, lon).unwrap(),
        GeoPoint::new(lat, lon + size).unwrap(),
        GeoPoint::new(lat + size, lon + size).unwrap(),
        GeoPoint::new(lat + size, lon).unwrap(),
    ])
    .unwrap()
}

pub fn team(server: &TestServer, name: &str, badge: &str) -> Team {
    let district = District {
        id: DistrictId::new(),
        name: name.into(),
        policy: Default::default(),
        boundary: square(30.25, 120.15, 0.05),
    };
    server.office_put(Record::District(district.clone()));
    let crew = CrewId::new();
    server.office_put(Record::Crew(doorstep_core::team::Crew {
        id: crew,
        name: format!("{name}抢修班"),
        district_id: Some(district.id),
    }));
    let inspector = Technician {
        id: TechnicianId::new(),
        badge: badge.into(),
        name: "王师傅".into(),
        phone: None,
        role: TechnicianRole::Inspector,
        crew_id: Some(crew),
        district_id: Some(district.id),
        active: true,
    };
    server.office_put(Record::Technician(inspector.clone()));
    Team {
        district,
        inspector,
        crew,
    }
}

pub fn household(customer_number: &str, district: DistrictId, i: u32) -> Household {
    let address = Address {
        district: "西湖区".into(),
        street: "文三路".into(),
        building: format!("{}", i % 40 + 1),
        unit: "1".into(),
        room: format!("{}", 100 + i % 30),
    };
    let name = format!("住户{i}");
    let phone = format!("139{:08}", i);
    Household {
        location: Some(GeoPoint::new(30.26 + f64::from(i % 100) * 1e-4, 120.16).unwrap()),
        district_id: Some(district),
        ..doorstep_core::testkit::household(customer_number, &name, &phone, address)
    }
}

/// Households on the server, in the team's district.
pub fn households(server: &TestServer, team: &Team, n: u32) -> Vec<Household> {
    (0..n)
        .map(|i| {
            let h = household(&format!("HZ{:06}", i + 1), team.district.id, i);
            server.office_put(Record::Household(Box::new(h.clone())));
            h
        })
        .collect()
}

impl TestServer {
    /// The bytes of a photo in the server's photo store.
    pub fn photo_bytes(&self, sha256: &str) -> Vec<u8> {
        let blobs = self.blobs.clone();
        let path = doorstep_server::photos::blob_path(sha256);
        self.runtime
            .as_ref()
            .unwrap()
            .block_on(async move { blobs.get(&path).await?.bytes().await })
            .expect("photo in the server's photo store")
            .to_vec()
    }

    /// How many photo files the photo store holds.
    pub fn photo_files(&self) -> usize {
        use futures::TryStreamExt;
        let blobs = self.blobs.clone();
        self.runtime
            .as_ref()
            .unwrap()
            .block_on(async move { blobs.list(None).try_collect::<Vec<_>>().await })
            .unwrap()
            .len()
    }
}

/// A request as the device would send it, with its credential, but built by hand.
pub fn raw_post<T: serde::Serialize>(
    server: &str,
    path: &str,
    device: &TestDevice,
    body: &T,
) -> reqwest::blocking::Response {
    let credential = device.store().credential().unwrap().unwrap();
    reqwest::blocking::Client::new()
        .post(format!("{server}{path}"))
        .bearer_auth(credential)
        .json(body)
        .send()
        .unwrap()
}
