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
use crate::error::ApiResult;
use crate::records::{put_from_office, stored};
use crate::storage::{PostgresStorage, SqliteStorage, Storage, write};

/// Where the server keeps its records and its photos.
#[derive(Debug, Clone, clap::Args)]
pub struct StorageOptions {
    /// The directory of the embedded defaults (the SQLite file and the photo directory).
    #[arg(long, default_value = "doorstep-data")]
    pub data: PathBuf,
    /// Keep records in PostgreSQL instead of SQLite (postgres://user:password@host/db).
    #[arg(long, env = "DOORSTEP_DATABASE_URL")]
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

/// The built-in form templates, published once (a device pulls them from the `all` bucket).
pub fn seed_templates(storage: &dyn Storage) -> ApiResult<()> {
    write(storage, |tx| {
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
}

pub fn serve(options: ServeOptions) -> Result<(), String> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let storage = options.storage.open_storage()?;
    let blobs = options.storage.open_blobs()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(address = %local, storage = storage.backend(), "serving");
        // The test harness reads this line to learn the port.
        println!("listening on http://{local}");
        let app = router(AppState::new(storage, blobs));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })
}

/// Structured logs (JSON with `DOORSTEP_LOG_JSON=1`), level from `RUST_LOG` (default info).
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var_os("DOORSTEP_LOG_JSON").is_some() {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
