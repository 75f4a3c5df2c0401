//! The sweep of the photo store's debris: the temporary files of uploads that never finished.
//!
//! The photo directory writes a photo as a temporary file beside it (`<hash>.jpg#<n>`) renamed
//! into place; a server killed in between leaves the temporary file behind, and nothing else
//! removes it. S3 takes a photo in one PUT, which stores all of it or nothing (no multipart
//! upload, no temporary object): there is nothing to sweep there.
//!
//! Debris goes by AGE, never at start: several servers may share the photo store, and a
//! temporary file younger than the age may be another server's upload in progress.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// When `doorstep serve` sweeps, and what it takes for debris.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepOptions {
    /// How often the server sweeps the photo store's debris (e.g. `10m`, `1h`, `30s`).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub sweep_every: Duration,
    /// The age past which a temporary file of the photo store is debris (e.g. `1h`): younger,
    /// it may be another server's upload in progress.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub sweep_older_than: Duration,
}

/// What one sweep found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Temporary files older than the age, removed.
    pub removed: u64,
    /// Temporary files younger than the age, left to the upload that may still write them.
    pub young: u64,
}

/// Sweeps the photo store named as `--blobs` names it (`None`: `<data>/photos`).
pub fn sweep(blobs: Option<&str>, data: &Path, older_than: Duration) -> Result<Swept, String> {
    match blobs {
        Some(url) if url.starts_with("s3://") => Ok(Swept::default()),
        other => {
            let dir = other
                .map(PathBuf::from)
                .unwrap_or_else(|| data.join("photos"));
            sweep_directory(&dir, older_than, SystemTime::now())
        }
    }
}

/// Sweeps, then logs the counts (no file names: they are photo hashes, nothing personal, but
/// the counts are what an operator reads).
pub fn sweep_and_log(blobs: Option<&str>, data: &Path, older_than: Duration) {
    match sweep(blobs, data, older_than) {
        Ok(swept) => tracing::info!(
            removed = swept.removed,
            young = swept.young,
            older_than_secs = older_than.as_secs(),
            "photo store swept"
        ),
        Err(e) => tracing::warn!(error = %e, "photo store sweep failed"),
    }
}

fn sweep_directory(dir: &Path, older_than: Duration, now: SystemTime) -> Result<Swept, String> {
    let mut swept = Swept::default();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("photo directory: {e}")),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("photo directory: {e}"))?;
            let kind = entry
                .file_type()
                .map_err(|e| format!("photo directory: {e}"))?;
            if kind.is_dir() {
                dirs.push(entry.path());
                continue;
            }
            if !kind.is_file() || !is_temporary(&entry.file_name().to_string_lossy()) {
                continue;
            }
            // A file gone meanwhile was renamed into place or swept by another server.
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
                continue;
            };
            let age = now.duration_since(modified).unwrap_or_default();
            if age < older_than {
                swept.young += 1;
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => swept.removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("photo directory: {e}")),
            }
        }
    }
    Ok(swept)
}

/// A temporary file of the photo directory: `<name>#<digits>`, as the store names them (a
/// name with `#` and anything else after it is not one of them).
fn is_temporary(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, suffix)| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()))
}

/// `90`, `90s`, `10m`, `1h`, `2d`: a duration as an operator writes it.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "s"), |at| text.split_at(at));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: give a whole number and s, m, h or d (e.g. 10m)"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit is s, m, h or d (e.g. 10m)")),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stores_temporary_names_are_debris() {
        assert!(is_temporary("ab12.jpg#1"));
        assert!(is_temporary("ab12.jpg#17"));
        assert!(!is_temporary("ab12.jpg"));
        assert!(!is_temporary("ab12.jpg#"));
        assert!(!is_temporary("ab12.jpg#x1"));
    }

    #[test]
    fn an_operator_writes_the_sweeps_durations_with_a_unit() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn a_sweep_removes_old_debris_and_leaves_a_live_upload_and_every_photo() {
        let dir = tempfile::tempdir().unwrap();
        let photos = dir.path().join("photos/ab");
        std::fs::create_dir_all(&photos).unwrap();
        std::fs::write(photos.join("ab12.jpg"), b"photo").unwrap();
        std::fs::write(photos.join("ab12.jpg#1"), b"").unwrap();
        std::fs::write(photos.join("ab34.jpg#2"), b"half").unwrap();
        let later = SystemTime::now() + Duration::from_secs(7200);
        // Two hours on, both temporary files are debris; the photo stays.
        let swept = sweep_directory(dir.path(), Duration::from_secs(3600), later).unwrap();
        assert_eq!(
            swept,
            Swept {
                removed: 2,
                young: 0
            }
        );
        assert!(photos.join("ab12.jpg").exists());
        std::fs::write(photos.join("ab56.jpg#1"), b"").unwrap();
        let swept = sweep_directory(dir.path(), Duration::from_secs(3600), SystemTime::now());
        assert_eq!(
            swept.unwrap(),
            Swept {
                removed: 0,
                young: 1
            }
        );
        assert!(photos.join("ab56.jpg#1").exists());
    }
}
