//! Pull: the changes in a device's scope after its cursor, a page at a time.
//!
//! The cursor is `<seq>.<scope fingerprint>`. When the technician's scope changed since the
//! cursor was issued, the pull starts over from the beginning with `reset` set: the device
//! drops what it holds and takes the full pull, so nothing of the old scope lingers on it.

use chrono::Utc;
use doorstep_core::sync::Hlc;
use doorstep_core::sync::protocol::{Change, ChangeAction, Entity, PullResponse, Record};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::push::Device;
use crate::storage::{BucketEntry, Tx};

pub const MAX_PAGE: usize = 5000;

fn fingerprint(scope: &[String]) -> String {
    let digest = Sha256::digest(scope.join(",").as_bytes());
    hex::encode(&digest[..8])
}

pub fn pull(
    tx: &mut dyn Tx,
    device: &Device,
    cursor: &str,
    limit: usize,
    server_hlc: Hlc,
) -> ApiResult<PullResponse> {
    let limit = limit.clamp(1, MAX_PAGE);
    let scope_fp = fingerprint(&device.scope);
    let (after, reset) = match cursor.split_once('.') {
        None if cursor.is_empty() => (0, false),
        Some((seq, fp)) => {
            let seq: i64 = seq
                .parse()
                .map_err(|_| ApiError::invalid("the pull cursor is not one this server issued"))?;
            if fp == scope_fp {
                (seq, false)
            } else {
                (0, true)
            }
        }
        None => {
            return Err(ApiError::invalid(
                "the pull cursor is not one this server issued",
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
        changes.push(change_for(tx, device, e)?);
    }
    let remaining = if more {
        tx.count_changes(&device.scope, last)?
    } else {
        0
    };
    Ok(PullResponse {
        changes,
        cursor: format!("{last}.{scope_fp}"),
        more,
        reset,
        remaining,
        server_time: Utc::now(),
        server_hlc,
    })
}

fn change_for(tx: &mut dyn Tx, device: &Device, e: BucketEntry) -> ApiResult<Change> {
    let record = tx.record(e.entity, &e.id)?;
    let action = match record {
        Some(r) if r.deleted => ChangeAction::Delete,
        Some(r) if r.buckets.iter().any(|b| device.scope.contains(b)) => {
            let tagged = format!(
                r#"{{"entity":"{}","record":{}}}"#,
                e.entity.as_str(),
                r.body
            );
            let record: Record = serde_json::from_str(&tagged).map_err(|err| {
                ApiError::Internal(format!(
                    "stored {} unreadable: {}",
                    e.entity.as_str(),
                    doorstep_core::error::without_values(&err.to_string())
                ))
            })?;
            ChangeAction::Put { record }
        }
        Some(_) => ChangeAction::Leave,
        None => ChangeAction::Delete,
    };
    Ok(Change {
        seq: e.seq,
        entity: e.entity,
        id: e.id,
        action,
    })
}

/// Entities that never travel to devices.
pub fn is_pulled(entity: Entity) -> bool {
    entity != Entity::Photo
}
