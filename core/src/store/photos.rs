//! Photos in the store: the pipeline runs outside any transaction (it is the slow part), the
//! files land in the vault, and only then does the row commit with its outbox operation.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::forms::{attach_photo_in, takes_photos, template_in};
use super::households::{append_history, ensure_household};
use super::outbox::Operation;
use super::{Change, Store, ts};
use crate::error::{Error, Result};
use crate::forms::form::PhotoRef;
use crate::household::HistoryKind;
use crate::ids::{FormId, HouseholdId};
use crate::media::{PhotoMetadata, PhotoPolicy, WatermarkContext, ingest};
use crate::words::said;

/// A photo as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPhoto {
    pub sha256: String,
    pub household_id: Option<HouseholdId>,
    pub taken_at: DateTime<Utc>,
    pub bytes: u64,
    pub metadata: PhotoMetadata,
}

impl Store {
    /// Takes in the photo at `path` (the camera's file): runs the pipeline, stores the photo and
    /// its thumbnail encrypted, and records it for the household. The same photo twice is
    /// stored once and returns the first record.
    pub fn ingest_photo(
        &mut self,
        path: &Path,
        household: Option<HouseholdId>,
        context: &WatermarkContext,
        policy: &PhotoPolicy,
    ) -> Result<StoredPhoto> {
        let (stored, new) = self.develop(path, household, context, policy)?;
        if new {
            self.change(|c| record_photo(c, &stored))?;
        }
        Ok(stored)
    }

    /// Takes in a photo and attaches it to a form's item, as the camera button of a form does:
    /// the photo is recorded (and queued) and attached in one transaction, so a crash or a
    /// refusal leaves neither a photo missing from its form nor a form naming a photo the
    /// store does not hold.
    pub fn add_photo_to_form(
        &mut self,
        form: FormId,
        item: &str,
        path: &Path,
        context: &WatermarkContext,
        policy: &PhotoPolicy,
    ) -> Result<StoredPhoto> {
        // The form and item are checked before the photo is taken in, so that a photo for a
        // sealed form or a wrong item is refused with nothing stored, queued or uploaded.
        let draft = self.form(form)?;
        if draft.is_sealed() {
            return Err(Error::Sealed);
        }
        let template = template_in(&self.conn, &draft.template_id, draft.template_version)?;
        takes_photos(&template, item)?;
        let (stored, new) = self.develop(path, Some(draft.household_id), context, policy)?;
        let photo = PhotoRef::new(&stored.sha256, context.captured_at)?;
        self.change(|c| {
            if new {
                record_photo(c, &stored)?;
            }
            attach_photo_in(c, form, item, photo)
        })?;
        Ok(stored)
    }

    /// The slow part of taking in a photo, outside any transaction: the pipeline, and the
    /// vault's files of a photo the store does not hold yet (`true`: to be recorded). The same
    /// photo again gives the first one's record. Should the record then not commit, the files
    /// are orphans that [`Self::sweep_photo_vault`] deletes.
    fn develop(
        &mut self,
        path: &Path,
        household: Option<HouseholdId>,
        context: &WatermarkContext,
        policy: &PhotoPolicy,
    ) -> Result<(StoredPhoto, bool)> {
        // Checked before anything is written: no encrypted file is left without its record.
        if let Some(h) = household {
            ensure_household(&self.conn, h)?;
        }
        let photo = ingest(path, context, policy)?;
        match self.photo(&photo.sha256) {
            Ok(existing) => return Ok((existing, false)),
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        self.vault
            .put(&format!("{}.jpg", photo.sha256), &photo.jpeg)?;
        self.vault
            .put(&format!("{}.thumb.jpg", photo.sha256), &photo.thumbnail)?;
        let stored = StoredPhoto {
            sha256: photo.sha256.clone(),
            household_id: household,
            taken_at: context.captured_at,
            bytes: photo.jpeg.len() as u64,
            metadata: photo.metadata,
        };
        Ok((stored, true))
    }

    pub fn photo(&self, sha256: &str) -> Result<StoredPhoto> {
        let row: Option<(Option<HouseholdId>, DateTime<Utc>, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT household_id, taken_at, bytes, metadata FROM photos WHERE sha256 = ?1",
            )?
            .query_row([sha256], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let (household_id, taken_at, bytes, metadata) =
            row.ok_or(Error::NotFound { what: "photo" })?;
        Ok(StoredPhoto {
            sha256: sha256.to_owned(),
            household_id,
            taken_at,
            bytes: bytes as u64,
            metadata: serde_json::from_str(&metadata)?,
        })
    }

    /// The photo's JPEG, decrypted and checked.
    pub fn photo_jpeg(&self, sha256: &str) -> Result<Vec<u8>> {
        self.photo(sha256)?;
        Ok(self.vault.get(&format!("{sha256}.jpg"))?)
    }

    /// The photo's thumbnail JPEG, decrypted and checked.
    pub fn photo_thumbnail(&self, sha256: &str) -> Result<Vec<u8>> {
        self.photo(sha256)?;
        Ok(self.vault.get(&format!("{sha256}.thumb.jpg"))?)
    }

    /// Deletes the vault's files that no photo of the store names any more: those of a
    /// household that left the phone (its photos went with it), and one left by a crash
    /// between writing a photo's file and recording it. A technician's photos of households
    /// no longer theirs do not stay on the phone. Returns how many files went.
    pub fn sweep_photo_vault(&self) -> Result<usize> {
        let swept = self.sweep_vault_files()?;
        self.conn
            .execute("DELETE FROM meta WHERE key = 'sweep_vault'", [])?;
        Ok(swept)
    }

    /// Records left the phone since the vault was last swept (their photos' files may still be
    /// there, say after a crash right after they left).
    pub fn vault_sweep_due(&self) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'sweep_vault')")?
            .query_row([], |r| r.get(0))?)
    }

    fn sweep_vault_files(&self) -> Result<usize> {
        let mut known = self
            .conn
            .prepare_cached("SELECT 1 FROM photos WHERE sha256 = ?1")?;
        let mut swept = 0;
        for name in self.vault.names()? {
            let sha256 = name
                .strip_suffix(".thumb.jpg")
                .or_else(|| name.strip_suffix(".jpg"))
                .unwrap_or(&name);
            if !known.exists([sha256])? {
                self.vault.remove(&name)?;
                swept += 1;
            }
        }
        Ok(swept)
    }

    /// Where the encrypted photo files are.
    pub fn photo_vault(&self) -> &crate::media::vault::Vault {
        &self.vault
    }
}

/// A developed photo's row, its history line and its `photo_taken` operation, inside the
/// caller's change.
fn record_photo(c: &mut Change<'_>, stored: &StoredPhoto) -> Result<()> {
    let household = stored.household_id;
    if let Some(h) = household {
        ensure_household(c, h)?;
    }
    c.prepare_cached(
        "INSERT INTO photos(sha256, household_id, taken_at, width, height, bytes, flagged, metadata)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        stored.sha256,
        household,
        ts(&stored.taken_at),
        stored.metadata.width,
        stored.metadata.height,
        stored.bytes as i64,
        stored.metadata.flagged,
        serde_json::to_string(&stored.metadata)?
    ])?;
    if let Some(h) = household {
        let summary = if stored.metadata.flagged {
            said(
                "已拍照（已标记：相机时间或地点不符）",
                "photo taken (flagged: camera time or place differs)",
            )
        } else {
            said("已拍照", "photo taken")
        };
        append_history(
            c,
            h,
            stored.taken_at,
            HistoryKind::Photo,
            Some(&stored.sha256),
            &summary,
        )?;
    }
    c.append(&Operation::PhotoTaken {
        sha256: stored.sha256.clone(),
        household_id: household,
        metadata: Box::new(stored.metadata.clone()),
    })?;
    Ok(())
}
