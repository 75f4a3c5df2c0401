//! WebP samples.

use super::Sample;

/// The hostile and large WebP files.
pub fn hostile() -> Vec<Sample> {
    Vec::new()
}
