//! `doorstep serve` and the storage options it shares with `doorstep admin`: embedded defaults
//! (SQLite and a photo directory under `./doorstep-data`), or PostgreSQL and S3-compatible
//! object storage for several servers behind a load balancer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use doorstep_core::forms::builtin::builtin_templates;
use doorstep_core::sync::protocol::{Entity, Record};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;

use crate::api::{AppState, router};
use crate::error::Result;
use crate::photos::sweep::{SweepOptions, sweep_and_log};
use crate::records::{put_from_office, stored};
use crate::storage::{PostgresStorage, SqliteStorage, Storage, write};

/// Where the server keeps its records and its photos.
#[derive(Debug, Clone, clap::Args)]
pub struct StorageOptions {
    /// The directory of the embedded defaults (the SQLite file and the photo directory).
    #[arg(long, default_value = "doorstep-data")]
    pub data: PathBuf,
    /// Keep records in PostgreSQL instead of SQLite (postgres://user:password@host/db).
    #[arg(long, env = "DOORSTEP_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where photos go: a directory, or `s3://bucket` (endpoint and credentials from the
    /// AWS_* environment variables). Default: `<data>/photos`.
    #[arg(long)]
    pub blobs: Option<String>,
    /// Database connections per server process (PostgreSQL).
    #[arg(long, default_value_t = 16)]
    pub pool: u32,
}

impl StorageOptions {
    pub fn open_storage(&self) -> Result<Arc<dyn Storage>, String> {
        let storage: Arc<dyn Storage> = match &self.database_url {
            Some(url) => {
                Arc::new(PostgresStorage::connect(url, self.pool).map_err(|e| e.to_string())?)
            }
            None => Arc::new(
                SqliteStorage::open(&self.data.join("doorstep.sqlite"))
                    .map_err(|e| e.to_string())?,
            ),
        };
        seed_templates(&*storage).map_err(|e| e.to_string())?;
        Ok(storage)
    }

    pub fn open_blobs(&self) -> Result<Arc<dyn ObjectStore>, String> {
        open_blobs(self.blobs.as_deref(), &self.data)
    }
}

pub fn open_blobs(
    blobs: Option<&str>,
    data: &std::path::Path,
) -> Result<Arc<dyn ObjectStore>, String> {
    match blobs {
        Some(url) if url.starts_with("s3://") => {
            let bucket = url.trim_start_matches("s3://").trim_end_matches('/');
            let store = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| format!("S3 photo store: {e}"))?;
            Ok(Arc::new(store))
        }
        other => {
            let dir = other
                .map(PathBuf::from)
                .unwrap_or_else(|| data.join("photos"));
            std::fs::create_dir_all(&dir).map_err(|e| format!("photo directory: {e}"))?;
            let store = LocalFileSystem::new_with_prefix(&dir)
                .map_err(|e| format!("photo directory: {e}"))?;
            Ok(Arc::new(store))
        }
    }
}

/// The built-in form templates, published once (a device pulls them from the `all` bucket);
/// and the server's generation, made at a database's first open (issue 27: [`crate::backup`]).
pub fn seed_templates(storage: &dyn Storage) -> Result<()> {
    write(storage, |tx| {
        crate::backup::generation(tx)?;
        for t in builtin_templates() {
            let record = Record::Template(Box::new(t));
            let id = stored(&record, tx)?.id;
            if tx.record(Entity::Template, &id)?.is_none() {
                put_from_office(tx, &record)?;
            }
        }
        Ok(())
    })
}

#[derive(Debug, clap::Args)]
pub struct ServeOptions {
    #[command(flatten)]
    pub storage: StorageOptions,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub sweep: SweepOptions,
    #[command(flatten)]
    pub backup: crate::backup::BackupOptions,
}

pub fn serve(options: ServeOptions) -> Result<(), String> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let storage = options.storage.open_storage()?;
    let blobs = options.storage.open_blobs()?;
    // A utility's own evaluation sheet is checked at start: a bad one stops the server with the
    // item and field named, rather than a report page failing later.
    let evaluation =
        crate::reports::evaluation::Weights::load(&options.storage.data.join("evaluation.toml"))
            .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(address = %local, storage = storage.backend(), "serving");
        // The test harness reads this line to learn the port.
        println!("listening on http://{local}");
        tokio::spawn(sweep_periodically(options.storage.clone(), options.sweep));
        let mut state = AppState::new(storage.clone(), blobs);
        Arc::get_mut(&mut state)
            .expect("the state is not shared before the router is made")
            .evaluation = evaluation;
        crate::backup::spawn_schedules(&options.storage, options.backup, storage, state.clone());
        let app = router(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })
}

/// Sweeps the photo store's debris every `--sweep-every`, from start: by age only, so a
/// temporary file of another server's upload in progress stays (see [`crate::photos::sweep`]).
async fn sweep_periodically(storage: StorageOptions, sweep: SweepOptions) {
    let mut every = tokio::time::interval(sweep.sweep_every.max(std::time::Duration::from_secs(1)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let storage = storage.clone();
        let _ = tokio::task::spawn_blocking(move || {
            sweep_and_log(
                storage.blobs.as_deref(),
                &storage.data,
                sweep.sweep_older_than,
            )
        })
        .await;
    }
}

/// Structured logs (JSON with `DOORSTEP_LOG_JSON=1`), level from `RUST_LOG` (default info).
pub fn init_logging() {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref()))
        .with_writer(std::io::stderr);
    let _ = if std::env::var_os("DOORSTEP_LOG_JSON").is_some() {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The filter of `RUST_LOG` (`info` when unset or unreadable), with the database driver held
/// at `info` whatever it asks: at `debug`, tokio-postgres logs every statement with its
/// parameters, which are households' names, phones and addresses.
pub fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    let filter = rust_log
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    ["tokio_postgres=info", "postgres=info"]
        .into_iter()
        .fold(filter, |f, d| {
            f.add_directive(d.parse().expect("a valid directive"))
        })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::log_filter;

    /// Everything a subscriber with `RUST_LOG=rust_log` writes while `emit` runs.
    fn logged(rust_log: &str, emit: impl FnOnce()) -> String {
        let out = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(log_filter(Some(rust_log)))
            .with_writer(move || Writer(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(out.lock().unwrap().clone()).unwrap()
    }

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn debug_logging_on_the_server_never_writes_the_database_drivers_parameters() {
        for rust_log in ["debug", "trace", "tokio_postgres=trace,debug"] {
            let out = logged(rust_log, || {
                tracing::debug!(target: "tokio_postgres::query", "executing statement s1 with parameters: [\"王芳\", \"13812345678\"]");
                tracing::debug!(target: "doorstep_server::push", "push applied");
            });
            assert!(!out.contains("13812345678"), "RUST_LOG={rust_log}: {out}");
            assert!(
                out.contains("push applied"),
                "RUST_LOG={rust_log}: our own debug lines stay"
            );
        }
        let out = logged("doorstep=loudly", || tracing::info!("serving"));
        assert!(
            out.contains("serving"),
            "an unreadable RUST_LOG falls back to info"
        );
    }
}
