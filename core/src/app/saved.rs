//! The app's state kept across the process being killed: the back stack with its unsaved
//! input, the language, the effects awaited, the lock. One small file beside the store,
//! encrypted with a key derived from the store's (it can hold what a technician is typing: a
//! phone number, a reason), written whole to a temporary name and renamed over the old one,
//! so a kill mid-write leaves the previous state, never half of one.

use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::store::StoreKey;

const AAD: &[u8] = b"doorstep app state v1";

/// Where the app state of the store in `dir` lives, and the cipher that seals it.
pub struct Saved {
    path: PathBuf,
    cipher: Aes256Gcm,
}

impl Saved {
    pub fn new(dir: &Path, key: &StoreKey) -> Self {
        let mut derived = [0u8; 32];
        Hkdf::<Sha256>::new(None, key.as_bytes())
            .expand(AAD, &mut derived)
            .expect("32 bytes is a valid HKDF length");
        Self {
            path: dir.join("app-state.bin"),
            cipher: Aes256Gcm::new(&derived.into()),
        }
    }

    /// The state last written, or `None` when there is none or it cannot be read (a state
    /// from another key or a damaged file starts the app afresh: it only ever held where the
    /// user was, never a record).
    pub fn load<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let bytes = std::fs::read(&self.path).ok()?;
        let (nonce, body) = bytes.split_at_checked(12)?;
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: AAD,
                },
            )
            .ok()?;
        match serde_json::from_slice(&plain) {
            Ok(state) => Some(state),
            Err(e) => {
                tracing::warn!(error = %e, "the saved app state is from another version; starting afresh");
                None
            }
        }
    }

    /// Writes `state` whole (no fsync: it must outlive the process, which the page cache does;
    /// a power cut may lose the last screen, never a record, which lives in the store).
    pub fn save<T: serde::Serialize>(&self, state: &T) -> Result<()> {
        let plain = serde_json::to_vec(state)?;
        let nonce: [u8; 12] = rand::random();
        let body = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: AAD,
                },
            )
            .map_err(|_| Error::Io(std::io::Error::other("the app state cannot be sealed")))?;
        let temp = self.path.with_extension("tmp");
        std::fs::write(&temp, [nonce.as_slice(), &body].concat())?;
        std::fs::rename(&temp, &self.path)?;
        Ok(())
    }

    /// Removes the saved state (the store was wiped).
    pub fn forget(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
