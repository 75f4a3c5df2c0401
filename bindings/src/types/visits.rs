//! Being at the household: the check-in and the photos taken there. Mirrors: a check-in comes
//! with the core's verdict on it (`flagged`), a photo with its metadata flattened.

pub use doorstep_core::visit::CheckInVerdict;

use super::Timestamp;

#[uniffi::remote(Enum)]
pub enum CheckInVerdict {
    AtAddress,
    FarFromAddress { excess_m: f64 },
    PositionTooImprecise,
    AddressNotLocated,
}

/// The check-in recorded with a visit.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckIn {
    pub distance_m: Option<f64>,
    pub accuracy_m: f64,
    pub verdict: CheckInVerdict,
    /// A supervisor should look at this visit.
    pub flagged: bool,
}

impl From<doorstep_core::visit::CheckIn> for CheckIn {
    fn from(c: doorstep_core::visit::CheckIn) -> Self {
        Self {
            flagged: c.flagged(),
            distance_m: c.distance_m,
            accuracy_m: c.accuracy_m,
            verdict: c.verdict,
        }
    }
}

/// A photo as the store keeps it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Photo {
    pub sha256: String,
    pub household_id: Option<String>,
    pub taken_at: Timestamp,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// The camera's time or place differs from the device's: a supervisor should look.
    pub flagged: bool,
}

impl From<doorstep_core::store::StoredPhoto> for Photo {
    fn from(p: doorstep_core::store::StoredPhoto) -> Self {
        Self {
            sha256: p.sha256,
            household_id: p.household_id.map(|h| h.to_string()),
            taken_at: p.taken_at,
            bytes: p.bytes,
            width: p.metadata.width,
            height: p.metadata.height,
            flagged: p.metadata.flagged,
        }
    }
}
