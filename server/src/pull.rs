//! Pull: the changes in a device's scope after its cursor, a page at a time.
//!
//! The cursor is `<seq>.<scope fingerprint>`. When the technician's scope changed since the
//! cursor was issued, the pull starts over from the beginning with `reset` set: the device
//! drops what it holds and takes the full pull, so nothing of the old scope lingers on it. So
//! does a cursor past the server's last change (the database was restored from a backup).

use chrono::{DateTime, Utc};
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{Entity, PullResponse};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::bucket::Bucket;
use crate::error::{Error, Result};
use crate::push::Device;
use crate::storage::{BucketEntry, Tx};

pub const MAX_PAGE: usize = 5000;

fn fingerprint(scope: &[Bucket]) -> String {
    let text: Vec<String> = scope.iter().map(Bucket::to_string).collect();
    let digest = Sha256::digest(text.join(",").as_bytes());
    hex::encode(&digest[..8])
}

pub fn pull(
    tx: &mut dyn Tx,
    device: &Device,
    cursor: &str,
    limit: usize,
    server_hlc: Hlc,
) -> Result<PullResponse<Served>> {
    let limit = limit.clamp(1, MAX_PAGE);
    let scope_fp = fingerprint(&device.scope);
    let (after, reset) = match cursor.split_once('.') {
        None if cursor.is_empty() => (0, false),
        Some((seq, fp)) => {
            let seq: i64 = seq.parse().map_err(|_| {
                Error::Malformed("the pull cursor is not one this server issued".into())
            })?;
            // A cursor past the last change is one from before the database was restored
            // from a backup: every change since the backup would be skipped, so it starts over.
            if fp == scope_fp && seq <= tx.last_seq()? {
                (seq, false)
            } else {
                (0, true)
            }
        }
        None => {
            return Err(Error::Malformed(
                "the pull cursor is not one this server issued".into(),
            ));
        }
    };
    let mut entries = tx.changes(&device.scope, after, limit + 1)?;
    let more = entries.len() > limit;
    entries.truncate(limit);
    let last = entries.last().map(|e| e.seq).unwrap_or(after);
    // A record in two of the device's buckets appears once, at its latest entry.
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<BucketEntry> = Vec::with_capacity(entries.len());
    for e in entries.into_iter().rev() {
        if seen.insert((e.entity, e.id.clone())) {
            unique.push(e);
        }
    }
    unique.reverse();
    let mut changes = Vec::with_capacity(unique.len());
    for e in unique {
        let change = change_for(tx, device, e)?;
        // A pull from the beginning (a new device's first, or the full pull after a scope
        // change) sends a record's departure only to a device that may hold it without having
        // pulled it: one that pushed something about it (a household it opened, say, moved by
        // the office before the phone's first pull). Any other has never had the record; after
        // a scope change, what the full pull does not send again leaves the device anyway.
        if after == 0
            && change.record.is_none()
            && !tx.pushed_about(&device.id, change.entity, &change.id)?
        {
            continue;
        }
        changes.push(change);
    }
    let remaining = if more {
        tx.count_changes(&device.scope, last)?
    } else {
        0
    };
    // The office's decisions on the device's parked work, made after its cursor: sent with
    // every page until the cursor passes them (a device applies one once).
    let decisions = crate::push::parked::decisions(tx, &device.id, after)?;
    Ok(PullResponse {
        changes,
        cursor: format!("{last}.{scope_fp}"),
        more,
        reset,
        remaining,
        // The clock the page was served by (the server's, or the demo's day).
        server_time: DateTime::from_timestamp_millis(server_hlc.wall_ms as i64)
            .unwrap_or_else(Utc::now),
        server_hlc,
        decisions,
        // Filled in by the answer (`push::generation`), which knows the storage's backend.
        generation: None,
        backed_up_through: None,
    })
}

/// A change as the server sends it: the same JSON as a
/// [`Change`](doorstep_core::sync::protocol::Change), with the stored record's body sent as it
/// is stored, not decoded and encoded again. So a process of an older version sharing the
/// database serves what a newer one wrote, and the device decides what it can read
/// ([`Pulled`](doorstep_core::sync::protocol::Pulled)); a page also costs no decoding.
#[derive(Debug, Serialize)]
pub struct Served {
    seq: i64,
    entity: Entity,
    id: String,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<Box<RawValue>>,
}

impl Served {
    /// A work order's current version: its id and the change's `seq` (for the delivery
    /// record, `crate::delivery`).
    pub fn work_order_put(&self) -> Option<(&str, i64)> {
        (self.entity == Entity::WorkOrder && self.action == "put").then_some((&self.id, self.seq))
    }
}

fn change_for(tx: &mut dyn Tx, device: &Device, e: BucketEntry) -> Result<Served> {
    let stored = tx.record(e.entity, &e.id)?;
    let (action, record) = match stored {
        Some(r) if r.deleted => ("delete", None),
        Some(r) if r.buckets.iter().any(|b| device.scope.contains(b)) => {
            // The record as `Record` is tagged: its kind, then its body.
            let tagged = format!(
                r#"{{"entity":"{}","record":{}}}"#,
                e.entity.as_str(),
                r.body
            );
            let record = RawValue::from_string(tagged).map_err(|err| {
                Error::Internal(format!(
                    "stored {} is not JSON: {}",
                    e.entity.as_str(),
                    doorstep_core::input::without_values(&err.to_string())
                ))
            })?;
            ("put", Some(record))
        }
        Some(_) => ("leave", None),
        None => ("delete", None),
    };
    Ok(Served {
        seq: e.seq,
        entity: e.entity,
        id: e.id,
        action,
        record,
    })
}

/// Entities that never travel to devices.
pub fn is_pulled(entity: Entity) -> bool {
    entity != Entity::Photo
}

#[cfg(test)]
mod tests {
    use doorstep_core::geo::{Area, GeoPoint};
    use doorstep_core::ids::DistrictId;
    use doorstep_core::sync::protocol::{Change, ChangeAction, Record};
    use doorstep_core::team::District;

    use super::*;

    #[test]
    fn a_served_change_reads_as_the_protocols_change() {
        let corner = |lat, lon| GeoPoint::new(lat, lon).unwrap();
        let district = District {
            id: DistrictId::new(),
            name: "西湖一片".into(),
            policy: Default::default(),
            boundary: Area::new(vec![
                corner(30.0, 120.0),
                corner(30.0, 120.1),
                corner(30.1, 120.1),
            ])
            .unwrap(),
        };
        let body = serde_json::to_string(&district).unwrap();
        let id = district.id.to_string();
        let served = |action, record| Served {
            seq: 7,
            entity: Entity::District,
            id: id.clone(),
            action,
            record,
        };
        let tagged =
            RawValue::from_string(format!(r#"{{"entity":"district","record":{body}}}"#)).unwrap();
        for (served, action) in [
            (
                served("put", Some(tagged)),
                ChangeAction::Put {
                    record: Record::District(district.clone()),
                },
            ),
            (served("leave", None), ChangeAction::Leave),
            (served("delete", None), ChangeAction::Delete),
        ] {
            let read: Change = serde_json::from_str(&serde_json::to_string(&served).unwrap())
                .expect("the device reads what the server serves");
            assert_eq!(
                read,
                Change {
                    seq: 7,
                    entity: Entity::District,
                    id: id.clone(),
                    action
                }
            );
        }
    }
}
