//! JPEG samples.

use super::Sample;

/// The hostile and large JPEG files.
pub fn hostile() -> Vec<Sample> {
    Vec::new()
}
