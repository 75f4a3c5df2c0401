//! The unit a piece of work belonged to when it was done (issue 27): the district of a
//! household and the crew and district of a technician, at any moment, from the history the
//! server keeps of them (technicians change crews, households change districts).

use chrono::{DateTime, Utc};
use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};

use crate::error::Result;
use crate::storage::Tx;

/// Every unit membership over time, read once for a report.
pub struct Units {}

impl Units {
    pub fn load(_tx: &mut dyn Tx) -> Result<Self> {
        todo!("issue 27: unit history")
    }

    /// The household's district at `at`.
    pub fn household_district(&self, _h: HouseholdId, _at: DateTime<Utc>) -> Option<DistrictId> {
        todo!()
    }

    /// The technician's crew at `at`.
    pub fn technician_crew(&self, _t: TechnicianId, _at: DateTime<Utc>) -> Option<CrewId> {
        todo!()
    }

    /// The technician's district at `at`.
    pub fn technician_district(
        &self,
        _t: TechnicianId,
        _at: DateTime<Utc>,
    ) -> Option<DistrictId> {
        todo!()
    }
}
