//! Photos in the store: the pipeline runs outside any transaction (it is the slow part; it can
//! run outside the store altogether, [`develop_photo`]), the files land in the vault, and only
//! then does the row commit with its outbox operation.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::forms::{attach_photo_in, takes_photos};
use super::households::{append_history, ensure_household};
use super::meta::{self, Flag};
use super::templates::template_in;
use super::{Change, Store, ts};
use crate::error::{Error, Result};
use crate::forms::form::PhotoRef;
use crate::geo::GeoPoint;
use crate::household::HistoryKind;
use crate::ids::{FormId, HouseholdId, PhotoHash};
use crate::media::{IngestedPhoto, PhotoMetadata, PhotoPolicy, WatermarkContext, ingest};
use crate::sync::protocol::Operation;
use crate::text::{Lang, said};

/// A photo as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPhoto {
    pub sha256: PhotoHash,
    pub household_id: Option<HouseholdId>,
    pub taken_at: DateTime<Utc>,
    pub bytes: u64,
    pub metadata: PhotoMetadata,
}

/// A camera photo through the pipeline (decoded, resized, watermarked, re-encoded), in no store
/// yet. Made without the store: an app that keeps its store behind one lock takes photos without
/// stopping every other call (the work list, the sync's uploads) for the pipeline's time, and
/// then keeps the photo with [`Store::keep_photo`] or [`Store::attach_developed_photo`].
pub struct DevelopedPhoto(IngestedPhoto);

impl DevelopedPhoto {
    /// SHA-256 of the photo's JPEG, hex: the photo's id.
    pub fn sha256(&self) -> &str {
        &self.0.sha256
    }
}

impl std::fmt::Debug for DevelopedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevelopedPhoto")
            .field("sha256", &self.0.sha256)
            .finish_non_exhaustive()
    }
}

/// Runs the photo pipeline on the camera's file at `path`: the slow part of taking a photo.
pub fn develop_photo(
    path: &Path,
    context: &WatermarkContext,
    policy: &PhotoPolicy,
) -> Result<DevelopedPhoto> {
    Ok(DevelopedPhoto(ingest(path, context, policy)?))
}

impl Store {
    /// What a photo taken now at `household` is stamped with: the time, the household's customer
    /// number, the enrolled technician's badge and where the device is (when it knows), labelled
    /// in Chinese, the users' language.
    pub fn camera_context(
        &self,
        household: HouseholdId,
        at: DateTime<Utc>,
        device_position: Option<GeoPoint>,
    ) -> Result<WatermarkContext> {
        let technician = self.sync_state()?.technician_id.ok_or(Error::NotEnrolled)?;
        Ok(WatermarkContext {
            captured_at: at,
            lang: Lang::Zh,
            customer_number: Some(self.household(household)?.customer_number),
            device_position,
            technician: self.technician(technician)?.badge,
        })
    }

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
        // Checked before the pipeline runs, so that a wrong household costs nothing.
        if let Some(h) = household {
            ensure_household(&self.conn, h)?;
        }
        let photo = develop_photo(path, context, policy)?;
        self.keep_photo(photo, household, context)
    }

    /// Stores a developed photo (`context`: the one it was developed with) and records it for
    /// the household, as [`Store::ingest_photo`] does.
    pub fn keep_photo(
        &mut self,
        photo: DevelopedPhoto,
        household: Option<HouseholdId>,
        context: &WatermarkContext,
    ) -> Result<StoredPhoto> {
        let (stored, new) = self.store_developed(photo, household, context)?;
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
        self.photo_item_household(form, item)?;
        let photo = develop_photo(path, context, policy)?;
        self.attach_developed_photo(form, item, photo, context)
    }

    /// The household of a draft whose `item` takes photos: what a form's camera button checks
    /// before the pipeline runs. A sealed form, or an item that takes no photos, is refused.
    pub fn photo_item_household(&self, form: FormId, item: &str) -> Result<HouseholdId> {
        let draft = self.form(form)?;
        if draft.is_sealed() {
            return Err(Error::Sealed);
        }
        let template = template_in(&self.conn, &draft.template_id, draft.template_version)?;
        takes_photos(&template, item)?;
        Ok(draft.household_id)
    }

    /// [`Store::add_photo_to_form`] with a photo developed beforehand (`context`: the one it was
    /// developed with). The form and item are checked again: the form may have been sealed
    /// while the photo developed.
    pub fn attach_developed_photo(
        &mut self,
        form: FormId,
        item: &str,
        photo: DevelopedPhoto,
        context: &WatermarkContext,
    ) -> Result<StoredPhoto> {
        let household = self.photo_item_household(form, item)?;
        let (stored, new) = self.store_developed(photo, Some(household), context)?;
        let photo = PhotoRef::new(&stored.sha256, context.captured_at)?;
        self.change(|c| {
            if new {
                record_photo(c, &stored)?;
            }
            attach_photo_in(c, form, item, photo)
        })?;
        Ok(stored)
    }

    /// The vault's files of a developed photo the store does not hold yet (`true`: to be
    /// recorded). The same photo again gives the first one's record. Should the record then
    /// not commit, the files are orphans that [`Self::sweep_photo_vault`] deletes.
    fn store_developed(
        &mut self,
        photo: DevelopedPhoto,
        household: Option<HouseholdId>,
        context: &WatermarkContext,
    ) -> Result<(StoredPhoto, bool)> {
        // Checked before anything is written: no encrypted file is left without its record.
        if let Some(h) = household {
            ensure_household(&self.conn, h)?;
        }
        let DevelopedPhoto(photo) = photo;
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
            sha256: PhotoHash::parse(sha256)?,
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
        meta::lower(&self.conn, Flag::SWEEP_VAULT)?;
        Ok(swept)
    }

    /// Records left the phone since the vault was last swept (their photos' files may still be
    /// there, say after a crash right after they left).
    pub fn vault_sweep_due(&self) -> Result<bool> {
        meta::is_raised(&self.conn, Flag::SWEEP_VAULT)
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
