//! A report written as a file (issue 27): CSV (UTF-8 with a BOM, so that Excel opens Chinese
//! correctly) and XLSX, each with the unit, the period and the time it was made.

use super::Report;
use crate::error::Result;
use doorstep_core::text::Lang;

pub fn csv(_report: &Report, _lang: Lang) -> Vec<u8> {
    todo!("issue 27: CSV")
}

pub fn xlsx(_report: &Report, _lang: Lang) -> Result<Vec<u8>> {
    todo!("issue 27: XLSX")
}
