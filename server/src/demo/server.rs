//! The demo's sync server: the real one (`api::router` over SQLite and a photo directory in
//! `doorstep-demo/server`), on loopback, on a runtime of its own threads, so that the phones'
//! blocking syncs talk to it over HTTP exactly as phones do.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use doorstep_core::app::{Clock, ManualClock};
use doorstep_core::team::Technician;
use tokio::sync::oneshot;

use super::phone::DemoPhone;
use super::place::Journal;
use super::{Args, DemoError, DemoResult};
use crate::api::{AppState, router};
use crate::serve::StorageOptions;
use crate::storage::{self, Actor};

pub struct Running {
    /// `http://127.0.0.1:port`
    pub url: String,
    pub state: Arc<AppState>,
    /// The server's clock: the demo's day, moved forward with the scenes and with every
    /// phone that syncs (never back), so that the phones' times are believed as they are.
    pub clock: Arc<ManualClock>,
    runtime: tokio::runtime::Runtime,
    stop: Option<oneshot::Sender<()>>,
}

pub fn start(args: &Args, journal: &Journal) -> DemoResult<Running> {
    let options = StorageOptions {
        data: Journal::server_dir(&args.data),
        database_url: None,
        blobs: None,
        pool: 4,
    };
    std::fs::create_dir_all(&options.data)?;
    let storage = options.open_storage().map_err(DemoError::Server)?;
    let blobs = options.open_blobs().map_err(DemoError::Server)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.listen))
        .map_err(|e| {
            DemoError::Server(format!(
                "cannot listen on {}: {e}; give another --listen / 端口被占用，请换一个 --listen",
                args.listen
            ))
        })?;
    let local = listener.local_addr()?;
    let clock = Arc::new(ManualClock::new(super::world::beijing(
        journal.date,
        super::world::hm(6, 30),
    )));
    let wall = clock.clone();
    let state = AppState::with_clock(storage, blobs, Arc::new(move || wall.now()));
    let app = router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    runtime.spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Running {
        url: format!("http://{local}"),
        state,
        clock,
        runtime,
        stop: Some(stop),
    })
}

impl Running {
    /// Moves the server's clock forward to `at` (never back).
    pub fn move_clock_to(&self, at: DateTime<Utc>) {
        if self.clock.now() < at {
            self.clock.set(at);
        }
    }

    /// A one-time enrollment code for the technician, as `doorstep admin enroll` issues it.
    pub fn enrollment_code(&self, technician: &Technician) -> DemoResult<String> {
        Ok(storage::write(&*self.state.storage, |tx| {
            crate::auth::issue_code(
                tx,
                &technician.id.to_string(),
                &Actor::Admin(Some("demo".to_owned())),
                self.state.now(),
            )
        })?)
    }

    /// A phone enrolled by an earlier run, whose server listened elsewhere then: it keeps its
    /// credential and talks to this run's address.
    pub fn point_at_this_server(&self, phone: &DemoPhone) -> DemoResult<()> {
        let store = phone.app.store();
        let mut store = store
            .lock()
            .map_err(|_| phone.script("the phone's store lock was poisoned"))?;
        let state = store.sync_state().map_err(|e| phone.refused(e.into()))?;
        if state.server.as_deref() == Some(self.url.as_str()) {
            return Ok(());
        }
        let credential = store
            .credential()
            .map_err(|e| phone.refused(e.into()))?
            .ok_or_else(|| phone.script("an enrolled phone without its credential"))?;
        store
            .set_enrollment(&self.url, &credential, &phone.technician)
            .map_err(|e| phone.refused(e.into()))
    }

    /// Stops serving and waits for the server's tasks to end.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.runtime
            .shutdown_timeout(std::time::Duration::from_secs(5));
    }

    /// Serves until Ctrl-C.
    pub fn wait_for_ctrl_c(self) {
        let _ = self.runtime.block_on(tokio::signal::ctrl_c());
        self.stop();
    }
}
