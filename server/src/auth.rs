//! Devices and their credentials. A device enrolls once with a one-time code the service
//! center issued to a technician; it receives a secret that the server keeps only as a SHA-256
//! hash (the secret is 256 random bits, so a plain hash cannot be guessed back). Every request
//! carries `Authorization: Bearer <device id>.<secret>`.

use chrono::{DateTime, Duration, Utc};
use doorstep_core::sync::protocol::{EnrollRequest, EnrollResponse, Entity};
use doorstep_core::team::Technician;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::push::Device;
use crate::records::{decode, scope_of};
use crate::storage::{Actor, AuditRow, DeviceRow, EnrollmentRow, Tx};

/// How long an enrollment code stays usable.
pub const CODE_LIFETIME: Duration = Duration::days(7);

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A one-time code for a technician: 12 characters, easy to read out over the phone.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 12];
    rand::rng().fill_bytes(&mut buf);
    buf.iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// Issues a code for `technician` (an office action, audited as `actor`'s).
pub fn issue_code(
    tx: &mut dyn Tx,
    technician: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<String> {
    let record = tx
        .record(Entity::Technician, technician)?
        .ok_or(Error::NotFound("technician"))?;
    let t: Technician = decode(&record)?;
    if !t.active {
        return Err(Error::invalid("the technician is not active"));
    }
    let code = new_code();
    tx.put_enrollment(&EnrollmentRow {
        code_sha256: sha256_hex(&code),
        technician_id: technician.to_owned(),
        expires_at: now + CODE_LIFETIME,
        used_by: None,
    })?;
    tx.audit(&AuditRow {
        at: now,
        actor: actor.clone(),
        device_id: None,
        action: "enrollment_code_issued".into(),
        entity: Some("technician".into()),
        entity_id: Some(technician.to_owned()),
    })?;
    Ok(code)
}

const BAD_CODE: &str = "the enrollment code is wrong, already used or expired";

/// How long after enrolling the same phone may send its enrollment again (its answer lost on
/// a bad network) and get a credential. Another phone never may.
pub const REPEAT_ENROLLMENT_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

pub fn enroll(tx: &mut dyn Tx, req: &EnrollRequest, now: DateTime<Utc>) -> Result<EnrollResponse> {
    if req.device_id.is_empty()
        || req.device_id.len() > 64
        || !req.device_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::invalid(
            "device_id must be 1 to 64 letters and digits",
        ));
    }
    if req.device_model.chars().count() > 100 {
        return Err(Error::invalid("device_model is longer than 100 characters"));
    }
    // Shown in the console and the audit log, and PostgreSQL refuses a NUL in text.
    if req.device_model.chars().any(char::is_control) {
        return Err(Error::invalid("device_model has a control character"));
    }
    let code = req.code.trim().to_ascii_uppercase();
    let mut enrollment = tx
        .enrollment(&sha256_hex(&code))?
        .ok_or(Error::Unauthorized(BAD_CODE))?;
    if enrollment.expires_at < now {
        return Err(Error::Unauthorized(BAD_CODE));
    }
    let repeated = match enrollment.used_by.as_deref() {
        None => None,
        // The same phone again: the answer to its enrollment was lost on the way (a cut
        // connection, a timeout), so it asks again. It gets a new credential, which replaces
        // the one it never received, for a short while after the first enrollment only.
        Some(device) if device == req.device_id => Some(
            tx.device(device)?
                .filter(|d| {
                    d.technician_id == enrollment.technician_id
                        && now - d.enrolled_at <= REPEAT_ENROLLMENT_WINDOW
                })
                .ok_or(Error::Unauthorized(BAD_CODE))?,
        ),
        Some(_) => return Err(Error::Unauthorized(BAD_CODE)),
    };
    let technician: Technician = decode(
        &tx.record(Entity::Technician, &enrollment.technician_id)?
            .ok_or(Error::NotFound("technician"))?,
    )?;
    if !technician.active {
        return Err(Error::Unauthorized("the technician is not active"));
    }
    if let Some(existing) = tx.device(&req.device_id)? {
        if existing.revoked_at.is_some() {
            return Err(Error::Revoked);
        }
        // A phone enrolled for one technician does not become another's by a code: its
        // operations, conflicts and audit lines would then speak for two people. A phone that
        // changes hands starts a new store (a new device id).
        if existing.technician_id != technician.id.to_string() {
            return Err(Error::Conflict(
                "this device is enrolled for another technician".into(),
            ));
        }
    }
    let secret = random_hex(32);
    tx.put_device(&DeviceRow {
        id: req.device_id.clone(),
        technician_id: technician.id.to_string(),
        credential_sha256: sha256_hex(&secret),
        model: req.device_model.clone(),
        // A repeat keeps the first time, so that repeats cannot stretch the window.
        enrolled_at: repeated.as_ref().map_or(now, |d| d.enrolled_at),
        revoked_at: None,
    })?;
    enrollment.used_by = Some(req.device_id.clone());
    tx.put_enrollment(&enrollment)?;
    tx.audit(&AuditRow {
        at: now,
        actor: Actor::Technician(technician.id),
        device_id: Some(req.device_id.clone()),
        action: if repeated.is_some() {
            "device_enrollment_repeated"
        } else {
            "device_enrolled"
        }
        .into(),
        entity: Some("device".into()),
        entity_id: Some(req.device_id.clone()),
    })?;
    Ok(EnrollResponse {
        device_id: req.device_id.clone(),
        technician,
        credential: format!("{}.{secret}", req.device_id),
        server_time: now,
    })
}

/// The device behind a bearer credential. Refused at once if revoked.
pub fn authenticate(tx: &mut dyn Tx, authorization: Option<&str>) -> Result<Device> {
    let bearer = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(Error::Unauthorized("a device credential is required"))?;
    let (device_id, secret) = bearer
        .split_once('.')
        .ok_or(Error::Unauthorized("the credential is not valid"))?;
    let device = tx
        .device(device_id)?
        .ok_or(Error::Unauthorized("the credential is not valid"))?;
    let presented = Sha256::digest(secret.as_bytes());
    let stored = hex::decode(&device.credential_sha256).unwrap_or_default();
    if !constant_time_eq(&presented, &stored) {
        return Err(Error::Unauthorized("the credential is not valid"));
    }
    let technician = allowed(tx, &device)?;
    Ok(Device {
        id: device.id,
        scope: scope_of(&technician),
        technician,
    })
}

/// A device authenticated earlier in a request, checked again in the transaction about to
/// write for it: refused if it was revoked, or its technician deactivated, since.
pub fn still_allowed(tx: &mut dyn Tx, device_id: &str) -> Result<()> {
    let device = tx
        .device(device_id)?
        .ok_or(Error::Unauthorized("the credential is not valid"))?;
    allowed(tx, &device).map(drop)
}

/// The device's technician, if the device is not revoked and the technician active.
fn allowed(tx: &mut dyn Tx, device: &DeviceRow) -> Result<Technician> {
    if device.revoked_at.is_some() {
        return Err(Error::Revoked);
    }
    let technician: Technician = decode(
        &tx.record(Entity::Technician, &device.technician_id)?
            .ok_or(Error::Unauthorized("the credential is not valid"))?,
    )?;
    if !technician.active {
        return Err(Error::Unauthorized("the technician is not active"));
    }
    Ok(technician)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Revokes a device: every later request from it is refused (audited as `actor`'s).
pub fn revoke(tx: &mut dyn Tx, device_id: &str, actor: &Actor, now: DateTime<Utc>) -> Result<()> {
    let mut device = tx.device(device_id)?.ok_or(Error::NotFound("device"))?;
    if device.revoked_at.is_none() {
        device.revoked_at = Some(now);
        tx.put_device(&device)?;
    }
    tx.audit(&AuditRow {
        at: now,
        actor: actor.clone(),
        device_id: Some(device_id.to_owned()),
        action: "device_revoked".into(),
        entity: Some("device".into()),
        entity_id: Some(device_id.to_owned()),
    })?;
    Ok(())
}
