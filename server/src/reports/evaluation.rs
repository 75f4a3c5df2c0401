//! The yearly evaluation sheet of a unit (Art.19–22, issue 27), built from the other reports
//! with the weights the utility sets.

use serde::{Deserialize, Serialize};

use super::{Params, Report};
use crate::error::Result;
use crate::storage::Tx;

/// The evaluation's items and their weights (configuration; defaults in docs/reports.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {}

impl Default for Weights {
    fn default() -> Self {
        Self {}
    }
}

pub fn report(_tx: &mut dyn Tx, _params: &Params, _weights: &Weights) -> Result<Report> {
    todo!("issue 27: the evaluation sheet")
}
