//! A throwaway PostgreSQL database, for tests and benchmarks: created on the server that
//! `DOORSTEP_TEST_DATABASE_URL` names (`scripts/services start`, then `source
//! target/services/env`), dropped when it goes out of scope. Each test gets one of its own, so
//! tests run in parallel. The one place the storage tests, the server's integration tests and
//! the admin tool's tests make one.

use postgres::{Config, NoTls};

use super::{PostgresStorage, StorageResult};

/// The variable that names the test PostgreSQL server (its URL, with a database to connect to).
pub const URL_VARIABLE: &str = "DOORSTEP_TEST_DATABASE_URL";

pub struct ThrowawayDatabase {
    admin: Config,
    name: String,
    /// The database's own URL, for a server or an admin tool run against it.
    pub url: String,
}

/// Whether the PostgreSQL tests are skipped, on purpose only: with `DOORSTEP_SKIP_POSTGRES=1`.
/// Without it, a run that has no test PostgreSQL fails loudly instead of passing untested.
pub fn skip_postgres() -> bool {
    if std::env::var_os(URL_VARIABLE).is_some() {
        return false;
    }
    if std::env::var("DOORSTEP_SKIP_POSTGRES").as_deref() == Ok("1") {
        eprintln!("PostgreSQL tests skipped on purpose (DOORSTEP_SKIP_POSTGRES=1)");
        return true;
    }
    panic!(
        "{URL_VARIABLE} is not set: run `scripts/services start` and `source \
         target/services/env` (or set DOORSTEP_SKIP_POSTGRES=1 to skip on purpose)"
    );
}

impl ThrowawayDatabase {
    /// A new empty database; `None` only when the PostgreSQL tests are skipped on purpose
    /// ([`skip_postgres`]).
    pub fn create() -> Option<Self> {
        if skip_postgres() {
            return None;
        }
        let admin_url = std::env::var(URL_VARIABLE).unwrap_or_default();
        let admin: Config = admin_url
            .parse()
            .unwrap_or_else(|_| panic!("{URL_VARIABLE} is not a URL"));
        let name = format!("doorstep_t_{}", uuid::Uuid::new_v4().simple());
        let mut client = admin
            .connect(NoTls)
            .expect("connect to the test PostgreSQL");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a throwaway database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Some(Self { admin, name, url })
    }

    /// A connection's configuration for this database (a second client, as another process).
    pub fn config(&self) -> Config {
        let mut config = self.admin.clone();
        config.dbname(&self.name);
        config
    }

    /// The server's storage on this database, with a pool of `pool_size` connections.
    pub fn open(&self, pool_size: u32) -> StorageResult<PostgresStorage> {
        PostgresStorage::with_config(self.config(), pool_size)
    }
}

impl Drop for ThrowawayDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = self.admin.connect(NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
