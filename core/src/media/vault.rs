//! The photo vault: content-addressed files, encrypted at rest, written so that a crash leaves
//! either nothing or a complete file.
//!
//! - A file is named by the SHA-256 of its plaintext (`<sha>.jpg`, `<sha>.thumb.jpg`): the same
//!   photo twice is stored once.
//! - Writing goes to `<name>.<random>.tmp`, is fsynced, renamed into place, and the directory is
//!   fsynced; the database row that refers to a file commits only after. Leftover `.tmp` files
//!   (a write cut by a crash) are removed when the vault opens.
//! - Contents are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the store key;
//!   the file name is the associated data, so a file swapped under another name fails to open.
//!   Layout: `DSV1` · 12-byte nonce · ciphertext and tag.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

const MAGIC: &[u8; 4] = b"DSV1";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no such file in the photo store")]
    Missing,
    #[error("a stored photo failed its integrity check (damaged, or not the file of that name)")]
    Tampered,
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Vault {
    dir: PathBuf,
    cipher: Option<Aes256Gcm>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("encrypted", &self.cipher.is_some())
            .finish()
    }
}

impl Vault {
    /// Opens (creating) the vault in `dir`; `key` is the store's 256-bit key, or `None` for a
    /// plain folder (the command-line tool without a key).
    pub fn open(dir: impl Into<PathBuf>, key: Option<&[u8; 32]>) -> Result<Self, VaultError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "tmp") {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(Self::reader(dir, key))
    }

    /// The vault in `dir` for reading beside the one that writes it (the screens' connection,
    /// docs/adr/0007-app-layer.md): it leaves the folder as it is, since a `.tmp` file there
    /// may be a photo the writer is storing right now.
    pub fn reader(dir: impl Into<PathBuf>, key: Option<&[u8; 32]>) -> Self {
        let dir = dir.into();
        let cipher = key.map(|k| {
            let mut derived = [0u8; 32];
            Hkdf::<Sha256>::new(None, k)
                .expand(b"doorstep photo vault v1", &mut derived)
                .expect("32 bytes is a valid HKDF length");
            Aes256Gcm::new(&derived.into())
        });
        Self { dir, cipher }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn contains(&self, name: &str) -> bool {
        self.dir.join(name).exists()
    }

    /// Stores `bytes` under `name` unless a file of that name is there already (content
    /// addressing: it holds the same bytes).
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<(), VaultError> {
        let target = self.dir.join(name);
        if target.exists() {
            return Ok(());
        }
        let sealed = match &self.cipher {
            Some(cipher) => {
                let nonce: [u8; 12] = rand::random();
                let body = cipher
                    .encrypt(
                        Nonce::from_slice(&nonce),
                        Payload {
                            msg: bytes,
                            aad: name.as_bytes(),
                        },
                    )
                    .map_err(|_| std::io::Error::other("encryption failed"))?;
                [MAGIC.as_slice(), &nonce, &body].concat()
            }
            None => bytes.to_vec(),
        };
        let temp = self
            .dir
            .join(format!("{name}.{:016x}.tmp", rand::random::<u64>()));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(&sealed)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)?;
        // The rename is durable only once the directory entry is on disk.
        File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// The plaintext of `name`, checked against its tag.
    pub fn get(&self, name: &str) -> Result<Vec<u8>, VaultError> {
        let data = match std::fs::read(self.dir.join(name)) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(VaultError::Missing),
            Err(e) => return Err(e.into()),
        };
        let Some(cipher) = &self.cipher else {
            return Ok(data);
        };
        if data.len() < 16 + 28 || &data[..4] != MAGIC {
            return Err(VaultError::Tampered);
        }
        cipher
            .decrypt(
                Nonce::from_slice(&data[4..16]),
                Payload {
                    msg: &data[16..],
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Tampered)
    }

    /// Deletes a file (gone already is fine).
    pub fn remove(&self, name: &str) -> Result<(), VaultError> {
        match std::fs::remove_file(self.dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The names of the complete files in the vault.
    pub fn names(&self) -> Result<Vec<String>, VaultError> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".tmp") {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_photos_are_encrypted_and_bound_to_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path(), Some(&[3; 32])).unwrap();
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xD9];
        vault.put("a.jpg", &jpeg).unwrap();
        let raw = std::fs::read(dir.path().join("a.jpg")).unwrap();
        assert!(
            !raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]),
            "no JPEG header at rest"
        );
        assert_eq!(vault.get("a.jpg").unwrap(), jpeg);
        std::fs::copy(dir.path().join("a.jpg"), dir.path().join("b.jpg")).unwrap();
        assert!(
            matches!(vault.get("b.jpg"), Err(VaultError::Tampered)),
            "a file under another name does not open"
        );
        let other_key = Vault::open(dir.path(), Some(&[4; 32])).unwrap();
        assert!(matches!(other_key.get("a.jpg"), Err(VaultError::Tampered)));
        assert!(matches!(vault.get("c.jpg"), Err(VaultError::Missing)));
    }

    #[test]
    fn an_interrupted_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.jpg.0123456789abcdef.tmp"),
            b"half a photo",
        )
        .unwrap();
        let vault = Vault::open(dir.path(), Some(&[3; 32])).unwrap();
        assert!(vault.names().unwrap().is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
