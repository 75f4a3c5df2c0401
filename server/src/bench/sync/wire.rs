//! The server in this process and the byte-counting forwarder devices talk to it through, so
//! that the wire cost of each phase is measured, not estimated.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use doorstep_core::team::Technician;
use doorstep_server::api::{AppState, router};
use doorstep_server::auth;
use doorstep_server::serve::StorageOptions;
use doorstep_server::storage::{self, Actor, Storage};

use super::*;

/// The server as `doorstep serve` runs it by default, on a loopback port.
pub(super) struct BenchServer {
    pub(super) url: String,
    pub(super) addr: SocketAddr,
    pub(super) storage: Arc<dyn Storage>,
    pub(super) state: Arc<AppState>,
    pub(super) db_path: PathBuf,
    pub(super) _runtime: tokio::runtime::Runtime,
}

impl BenchServer {
    pub(super) fn start(data: &Path) -> BenchResult<Self> {
        let options = StorageOptions {
            data: data.to_owned(),
            database_url: None,
            blobs: None,
            pool: 16,
        };
        let storage = options.open_storage()?;
        let blobs = options.open_blobs()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let state = AppState::new(storage.clone(), blobs);
        let app = router(state.clone());
        runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("server stopped: {e}");
            }
        });
        Ok(Self {
            url: format!("http://{addr}"),
            addr,
            storage,
            state,
            db_path: data.join("doorstep.sqlite"),
            _runtime: runtime,
        })
    }

    pub(super) fn enrollment_code(&self, technician: &Technician) -> BenchResult<String> {
        Ok(storage::write(&*self.storage, |tx| {
            auth::issue_code(
                tx,
                &technician.id.to_string(),
                &Actor::Admin(None),
                Utc::now(),
            )
        })?)
    }
}

/// A TCP forwarder between a device and the server that counts the bytes of each direction.
pub(super) struct Proxy {
    pub(super) url: String,
    pub(super) up: Arc<AtomicU64>,
    pub(super) down: Arc<AtomicU64>,
}

impl Proxy {
    pub(super) fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let up = Arc::new(AtomicU64::new(0));
        let down = Arc::new(AtomicU64::new(0));
        let (u, d) = (up.clone(), down.clone());
        std::thread::spawn(move || {
            for inbound in listener.incoming() {
                let Ok(inbound) = inbound else { continue };
                let Ok(outbound) = TcpStream::connect(target) else {
                    continue;
                };
                let _ = inbound.set_nodelay(true);
                let _ = outbound.set_nodelay(true);
                let (Ok(inbound2), Ok(outbound2)) = (inbound.try_clone(), outbound.try_clone())
                else {
                    continue;
                };
                let (u, d) = (u.clone(), d.clone());
                std::thread::spawn(move || pipe(inbound, outbound, &u));
                std::thread::spawn(move || pipe(outbound2, inbound2, &d));
            }
        });
        Ok(Self { url, up, down })
    }

    /// Bytes sent so far: (device → server, server → device).
    pub(super) fn bytes(&self) -> (u64, u64) {
        (
            self.up.load(Ordering::SeqCst),
            self.down.load(Ordering::SeqCst),
        )
    }
}

pub(super) fn pipe(mut from: TcpStream, mut to: TcpStream, count: &AtomicU64) {
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
