//! Planned outages (管网检测、维修): the affected users must be told in advance (Art.7(2)).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::Area;
use crate::household::{Household, SupplyStatus, validate_text};
use crate::ids::OutageId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageNotice {
    pub id: OutageId,
    pub title: String,
    pub reason: OutageReason,
    pub area: Area,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageReason {
    PipelineInspection,
    Repair,
    Construction,
    Upgrade,
}

impl OutageNotice {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("outage.title", &self.title, 1, 100)?;
        if self.ends_at <= self.starts_at {
            return Err(InvalidInput::new(
                "outage.ends_at",
                "the outage must end after it starts",
            ));
        }
        Ok(())
    }

    /// Whether this household must be told: it is located, it receives gas, and it lies in the
    /// area. A household without a location cannot be placed and is left to the back office.
    pub fn affects(&self, household: &Household) -> bool {
        matches!(household.supply, SupplyStatus::Active)
            && household.location.is_some_and(|p| self.area.contains(&p))
    }

    /// The households among `households` that must be told, for the advance notice.
    pub fn affected<'a>(
        &self,
        households: impl IntoIterator<Item = &'a Household>,
    ) -> Vec<&'a Household> {
        households.into_iter().filter(|h| self.affects(h)).collect()
    }
}
