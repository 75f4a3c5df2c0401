//! Where this device stands with the server: enrollment, the pull cursor, the last sync.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::held_back;
use crate::error::Result;
use crate::ids::TechnicianId;
use crate::store::meta::{self, Key};
use crate::store::team::write_technician;
use crate::store::{Store, ts};
use crate::sync::protocol::Entity;
use crate::team::Technician;
use crate::text::said;

/// Where this device stands with the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server's base URL, once enrolled.
    pub server: Option<String>,
    pub technician_id: Option<TechnicianId>,
    /// The cursor of the last pulled page ("" before the first pull).
    pub cursor: String,
    /// The newest server change pulled.
    pub pulled_through: i64,
    /// When the last sync finished.
    pub last_sync_at: Option<DateTime<Utc>>,
}

impl Store {
    pub fn sync_state(&self) -> Result<SyncState> {
        Ok(SyncState {
            server: meta::get(&self.conn, Key::SERVER)?,
            technician_id: meta::get(&self.conn, Key::TECHNICIAN_ID)?
                .map(|t| t.parse())
                .transpose()?,
            cursor: meta::get(&self.conn, Key::CURSOR)?.unwrap_or_default(),
            pulled_through: pulled_through(&self.conn)?,
            last_sync_at: meta::get(&self.conn, Key::LAST_SYNC_AT)?
                .map(|t| t.parse::<DateTime<Utc>>())
                .transpose()
                .map_err(|_| {
                    crate::InvalidInput::new("meta.last_sync_at", said("不是时间", "not a time"))
                })?,
        })
    }

    /// The device's credential, kept only in the encrypted store.
    pub fn credential(&self) -> Result<Option<String>> {
        meta::get(&self.conn, Key::CREDENTIAL)
    }

    /// Keeps what enrollment gave: the server, the credential and the technician.
    pub fn set_enrollment(
        &mut self,
        server: &str,
        credential: &str,
        technician: &Technician,
    ) -> Result<()> {
        technician.validate()?;
        self.receive(|tx| {
            meta::set(tx, Key::SERVER, server)?;
            meta::set(tx, Key::CREDENTIAL, credential)?;
            meta::set(tx, Key::TECHNICIAN_ID, &technician.id.to_string())?;
            write_technician(tx, technician)
        })
    }

    pub fn note_sync_finished(&mut self, at: DateTime<Utc>) -> Result<()> {
        meta::set(&self.conn, Key::LAST_SYNC_AT, &ts(&at))
    }
}

/// The newest server change this device has pulled (0 before the first pull).
pub(crate) fn pulled_through(conn: &Connection) -> Result<i64> {
    Ok(meta::get(conn, Key::PULLED_THROUGH)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Keeps where the pull stands after a page: its cursor and the newest change it brought.
pub(super) fn keep_pull_position(conn: &Connection, cursor: &str, through: i64) -> Result<()> {
    meta::set(conn, Key::CURSOR, cursor)?;
    meta::set(conn, Key::PULLED_THROUGH, &through.to_string())
}

/// The newest server change of a record the device has seen: its pull cursor, except that a
/// change of the record held back (not applied yet) was not seen. An edit made now carries it
/// as its base, so the server knows which writes of others the technician had before them.
pub(crate) fn seen_through(conn: &Connection, entity: Entity, id: &str) -> Result<i64> {
    let through = pulled_through(conn)?;
    Ok(match held_back::held_seq(conn, entity, id)? {
        // Not a synthetic departure (seq 0) made by a full pull.
        Some(seq) if seq > 0 => through.min(seq - 1),
        _ => through,
    })
}
