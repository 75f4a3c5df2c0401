//! The crew's scenes of the demo's day (see `super::Scene`).

use super::Scene;

pub fn scenes() -> Vec<Scene> {
    Vec::new()
}
