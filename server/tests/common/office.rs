//! The service center's side in tests: one data directory (and, on PostgreSQL, a database of its
//! own) and the real `doorstep admin` binary run against it, with what its records hold read
//! through the server library where the output alone would not show it. Test files add their
//! own helpers in `impl Office` blocks of their own.

use std::path::PathBuf;
use std::process::Command;

use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::WorkOrder;
use doorstep_server::records::decode;
use doorstep_server::storage::throwaway::ThrowawayDatabase;
use doorstep_server::storage::{self, Counted, PostgresStorage, SqliteStorage, Storage};

use super::Backend;

pub struct Office {
    pub dir: tempfile::TempDir,
    pub postgres: Option<ThrowawayDatabase>,
}

/// What one run of the admin tool did.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Office {
    pub fn on(backend: Backend) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            postgres: (backend == Backend::Postgres).then(|| {
                ThrowawayDatabase::create().expect("the admin tool's PostgreSQL tests need it")
            }),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs `doorstep admin ARGS`: on SQLite under the data directory unless this office is on
    /// PostgreSQL, whatever the environment says; by the login `wangli` unless the arguments
    /// name another operator.
    pub fn admin(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
        command
            .arg("admin")
            .args(args)
            .arg("--data")
            .arg(self.data())
            .env_remove("DOORSTEP_DATABASE_URL")
            .env_remove("DOORSTEP_OPERATOR")
            .env("USER", "wangli");
        if let Some(db) = &self.postgres {
            command.arg("--database-url").arg(&db.url);
        }
        let out = command.output().unwrap();
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// Runs a command that must succeed and returns its output, trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.admin(args);
        assert!(run.ok, "{args:?} failed: {}", run.stderr);
        run.stdout.trim().to_owned()
    }

    /// Runs a command that must be refused, and returns what it said.
    pub fn refused(&self, args: &[&str]) -> String {
        let run = self.admin(args);
        assert!(!run.ok, "{args:?} should have been refused: {}", run.stdout);
        run.stderr
    }

    pub fn storage(&self) -> Box<dyn Storage> {
        match &self.postgres {
            Some(db) => Box::new(PostgresStorage::connect(&db.url, 2).unwrap()),
            None => Box::new(SqliteStorage::open(&self.data().join("doorstep.sqlite")).unwrap()),
        }
    }

    pub fn count(&self, what: Counted) -> u64 {
        storage::read(&*self.storage(), |tx| Ok(tx.count(what)?)).unwrap()
    }

    /// The order with this number, as the server holds it.
    pub fn order(&self, number: &str) -> WorkOrder {
        storage::read(&*self.storage(), |tx| {
            let id = tx
                .record_id_by_key(Entity::WorkOrder, number)?
                .expect("no order has this number");
            decode(&tx.record(Entity::WorkOrder, &id)?.unwrap())
        })
        .unwrap()
    }
}
