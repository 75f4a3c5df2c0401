//! The technicians' phones on the board: each phone of the person's districts, when it last
//! pulled, how many changes wait for it (the changes of its scope after the cursor it was
//! last given) and the app version it reported.
//!
//! Nothing recorded a device's last request before the console, so the sync API notes each
//! pull here ([`note_pull`], in `device_syncs`): at most one write a minute per device, plus
//! the page that ends a sync (so that the count of changes waiting is right once a phone is
//! up to date). The version is the app's `User-Agent` (`doorstep/<version>`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::Technician;
use maud::{Markup, html};

use crate::api::AppState;
use crate::console::layout::when;
use crate::console::{ConsoleError, Ctx, Role};
use crate::error::Result;
use crate::records::{decode, scope_of};
use crate::storage::{self, DeviceSyncRow, Storage};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/console/board/phones", get(show))
}

/// One phone as the panel shows it.
pub struct Phone {
    pub technician: Technician,
    pub model: String,
    pub synced: Option<DeviceSyncRow>,
    /// Changes of its scope after its last cursor (all of them for a phone never synced).
    pub waiting: u64,
}

/// The phones (not revoked) of the technicians this person may see, by technician.
pub async fn read(ctx: &Ctx) -> Result<Vec<Phone>, ConsoleError> {
    let staff = ctx.staff.clone();
    ctx.read(move |tx| {
        let syncs: HashMap<String, DeviceSyncRow> = tx
            .device_syncs()?
            .into_iter()
            .map(|r| (r.device_id.clone(), r))
            .collect();
        let mut phones = Vec::new();
        for device in tx.devices(None)? {
            if device.revoked_at.is_some() {
                continue;
            }
            let Some(record) = tx
                .record(Entity::Technician, &device.technician_id)?
                .filter(|r| !r.deleted)
            else {
                continue;
            };
            let technician: Technician = decode(&record)?;
            if !staff.covers(technician.district_id) {
                continue;
            }
            let synced = syncs.get(&device.id).cloned();
            let after = synced.as_ref().map_or(0, |s| s.cursor_seq);
            let waiting = tx.count_changes(&scope_of(&technician), after)?;
            phones.push(Phone {
                technician,
                model: device.model,
                synced,
                waiting,
            });
        }
        phones.sort_by(|a, b| {
            (&a.technician.name, &a.technician.badge)
                .cmp(&(&b.technician.name, &b.technician.badge))
        });
        Ok(phones)
    })
    .await
}

async fn show(ctx: Ctx) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Dispatcher)?;
    let phones = read(&ctx).await?;
    Ok(panel(&ctx, &phones))
}

/// The panel of phones.
pub fn panel(ctx: &Ctx, phones: &[Phone]) -> Markup {
    let w = ctx.words();
    html! {
        section.panel #phones aria-labelledby="phones-title" {
            h2 #phones-title { (w.board.phones) }
            p.muted { ((w.board.phones_count)(phones.len())) }
            @if !phones.is_empty() {
                table {
                    thead {
                        tr {
                            th scope="col" { (w.board.col_technician) }
                            th scope="col" { (w.board.col_model) }
                            th scope="col" { (w.board.col_last_sync) }
                            th scope="col" { (w.board.col_waiting) }
                            th scope="col" { (w.board.col_version) }
                        }
                    }
                    tbody {
                        @for p in phones {
                            tr {
                                td { (p.technician.name) " (" (p.technician.badge) ")" }
                                td { (p.model) }
                                td {
                                    @match &p.synced {
                                        Some(s) => (when(s.synced_at)),
                                        None => span.muted { (w.board.never_synced) },
                                    }
                                }
                                td { (p.waiting) }
                                td {
                                    @match p.synced.as_ref().and_then(|s| s.app_version.as_deref()) {
                                        Some(v) => (v),
                                        None => span.muted { (w.board.version_unknown) },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// When each device's last pull was written, and the cursor it was given then (this
/// process's memory: it only spares writes).
fn written() -> &'static Mutex<HashMap<String, (DateTime<Utc>, i64)>> {
    static WRITTEN: OnceLock<Mutex<HashMap<String, (DateTime<Utc>, i64)>>> = OnceLock::new();
    WRITTEN.get_or_init(Default::default)
}

/// The sync API served a pull page to `device_id` at `at`, giving it `cursor` (`more`: more
/// pages follow at once): noted when the last note is a minute old, or when the page ends a
/// sync at a cursor not noted yet. `user_agent` is the request's; the app names itself
/// `doorstep/<version>`.
pub fn note_pull(
    storage: &dyn Storage,
    device_id: &str,
    cursor: &str,
    more: bool,
    user_agent: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(cursor_seq) = cursor
        .split_once('.')
        .and_then(|(seq, _)| seq.parse::<i64>().ok())
    else {
        return Ok(());
    };
    {
        let mut written = written().lock().unwrap_or_else(|p| p.into_inner());
        if let Some((last_at, last_seq)) = written.get(device_id) {
            let fresh = at - *last_at < Duration::minutes(1);
            if fresh && (more || *last_seq == cursor_seq) {
                return Ok(());
            }
        }
        written.insert(device_id.to_owned(), (at, cursor_seq));
    }
    let app_version = user_agent
        .and_then(|ua| ua.strip_prefix("doorstep/"))
        .map(|v| v.chars().take(32).collect::<String>());
    let row = DeviceSyncRow {
        device_id: device_id.to_owned(),
        synced_at: at,
        cursor_seq,
        app_version,
    };
    storage::write(storage, |tx| Ok(tx.put_device_sync(&row)?))
}
