//! Scanned codes (`doorstep_core::scan`): what the camera read, checked against the utility's
//! format, and the household it belongs to.

pub use doorstep_core::scan::CodeKind;

use super::Household;

#[uniffi::remote(Enum)]
pub enum CodeKind {
    CustomerCard,
    MeterSerial,
    SealNumber,
}

/// A scanned code that passed its format: as the records keep it, and the household on this
/// device that has it (none: no household here has that code).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScannedCode {
    pub code: String,
    pub household: Option<Household>,
}

/// A special-group household's contact person: as the door screen shows it, and as the
/// technician corrects it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ContactPerson {
    pub name: String,
    /// Who they are to the resident (儿子, 邻居).
    pub relation: String,
    pub phone: String,
}
