//! PNG samples.

use super::Sample;

/// The hostile and large PNG files.
pub fn hostile() -> Vec<Sample> {
    Vec::new()
}
