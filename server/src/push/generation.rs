//! What push and pull answers tell a phone of the server's backups: the generation of the
//! database (made at its first use, replaced by a restore) and the highest sequence number of
//! the phone's operations its last checked backup holds. A phone keeps what the server
//! acknowledged until a backup holds it, and pushes it again when the generation changes
//! (docs/sync-protocol.md, "Restores").
//!
//! The backup module (`crate::backup`) writes both values in `server_meta`; this one says
//! which of them an answer carries.

use crate::backup;
use crate::error::Result;
use crate::storage::Tx;

/// The database's generation, made (a random UUID) if it has none yet.
pub fn generation(tx: &mut dyn Tx) -> Result<String> {
    backup::generation(tx)
}

/// The database's generation, if it has one (a read transaction cannot make it).
pub fn read_generation(tx: &mut dyn Tx) -> Result<Option<String>> {
    Ok(tx.server_meta(backup::GENERATION)?)
}

/// The highest sequence number of the device's operations the server's last checked backup
/// holds. None on PostgreSQL, whose backups are the database's own (continuous archiving:
/// nothing acknowledged is lost, and the phones keep their work only 7 days), and before a
/// backup held any of the device's work.
pub fn backed_up_through(tx: &mut dyn Tx, device_id: &str, backend: &str) -> Result<Option<i64>> {
    if backend != "sqlite" {
        return Ok(None);
    }
    backup::backed_up_through(tx, device_id)
}
