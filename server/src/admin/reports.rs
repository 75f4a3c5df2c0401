//! `doorstep admin report` (issue 27): a report of [`crate::reports`] for a unit and a period,
//! printed tab-separated or written as CSV or XLSX.

use super::Act;
use crate::storage::Storage;

/// `doorstep admin report <kind> …`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {}

pub(super) fn run(_storage: &dyn Storage, _args: ReportArgs, _act: &Act) -> Result<(), String> {
    todo!("issue 27: admin report")
}
