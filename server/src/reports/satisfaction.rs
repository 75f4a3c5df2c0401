//! The satisfaction report (issue 27): see [`super::ReportKind`].

use super::{Params, Report};
use crate::error::Result;
use crate::storage::Tx;

pub fn report(_tx: &mut dyn Tx, _params: &Params) -> Result<Report> {
    todo!("issue 27: the satisfaction report")
}
