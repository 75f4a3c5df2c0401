//! Households told of a planned outage (Art.7(2)), from a phone's push or the office's tool:
//! added to the notice's notifications, a set merged by union (`doorstep_core::outage`), in
//! one write transaction that holds the writer lock before it reads the notice, so that two
//! phones and the office recording at once never lose one.

use doorstep_core::household::Household;
use doorstep_core::ids::OutageId;
use doorstep_core::outage::{Notification, Notifier, OutageNotice};
use doorstep_core::sync::protocol::{Entity, Record};

use super::Apply;
use crate::error::{Error, Result};
use crate::records::{decode, save_at, stored};
use crate::storage::Tx;

/// The most households one recording names (a building's, a street's).
pub const MAX_NOTIFIED_AT_ONCE: usize = 2_000;

/// Adds `notifications` to outage `id`: each for a household the server holds that the
/// outage affects. Returns the server change it was written at.
pub fn add_notifications(
    tx: &mut dyn Tx,
    id: OutageId,
    notifications: &[Notification],
) -> Result<i64> {
    if notifications.is_empty() || notifications.len() > MAX_NOTIFIED_AT_ONCE {
        return Err(Error::invalid(format!(
            "record 1 to {MAX_NOTIFIED_AT_ONCE} households told at once"
        )));
    }
    // The writer lock first: the notice read below is the last one written.
    let seq = tx.next_seq()?;
    let previous = tx
        .record(Entity::Outage, &id.to_string())?
        .filter(|r| !r.deleted)
        .ok_or(Error::NotFound("outage notice"))?;
    let mut notice: OutageNotice = decode(&previous)?;
    for (i, n) in notifications.iter().enumerate() {
        let household: Household = decode(
            &tx.record(Entity::Household, &n.household_id.to_string())?
                .filter(|r| !r.deleted)
                .ok_or(Error::NotFound("household"))?,
        )?;
        notice
            .record_notification(&household, n.how, n.at, n.by.clone())
            .map_err(|e| e.within(&format!("notifications[{i}]")))?;
    }
    let record = stored(&Record::Outage(Box::new(notice)), tx)?;
    Ok(save_at(tx, record, Some(&previous), seq)?.seq)
}

impl Apply<'_> {
    /// A phone's record of households told: told by its own technician.
    pub(super) fn outage_notified(
        &mut self,
        id: OutageId,
        notifications: &[Notification],
    ) -> Result<()> {
        let own = Notifier::Technician {
            id: self.device.technician.id,
        };
        if !self.office_accepts && notifications.iter().any(|n| n.by != own) {
            return Err(Error::invalid(
                "a phone records only what its own technician told",
            ));
        }
        self.server_seq = add_notifications(self.tx, id, notifications)?;
        Ok(())
    }
}
