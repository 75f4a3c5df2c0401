//! Planned outages (管网检测、维修): the affected users must be told in advance (Art.7(2)).

use crate::text::said;
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

/// The one rule of who is told of an outage in `area`: a located household that receives gas
/// and lies inside it.
pub fn is_affected(household: &Household, area: &Area) -> bool {
    matches!(household.supply, SupplyStatus::Active)
        && household.location.is_some_and(|p| area.contains(&p))
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
                said(
                    "停气结束时间必须晚于开始时间",
                    "the outage must end after it starts",
                ),
            ));
        }
        Ok(())
    }

    /// Whether this household must be told: it is located, it receives gas, and it lies in the
    /// area. A household without a location cannot be placed and is left to the back office.
    pub fn affects(&self, household: &Household) -> bool {
        is_affected(household, &self.area)
    }

    /// The households among `households` that must be told, for the advance notice.
    pub fn affected<'a>(
        &self,
        households: impl IntoIterator<Item = &'a Household>,
    ) -> Vec<&'a Household> {
        households.into_iter().filter(|h| self.affects(h)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::GeoPoint;
    use crate::household::{Address, Category};
    use crate::ids::HouseholdId;
    use chrono::TimeZone;

    fn at(lat: f64, lon: f64, supply: SupplyStatus) -> Household {
        Household {
            id: HouseholdId::new(),
            customer_number: "1".into(),
            name: "x".into(),
            phones: vec![],
            address: Address::default(),
            location: GeoPoint::new(lat, lon).ok(),
            district_id: None,
            category: Category::Residential,
            meter: None,
            appliances: vec![],
            supply,
            gas_on_date: None,
            last_inspection_at: None,
            special_group: None,
        }
    }

    fn notice() -> OutageNotice {
        let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
        OutageNotice {
            id: OutageId::new(),
            title: "文三路管网检修".into(),
            reason: OutageReason::PipelineInspection,
            // An L-shaped block: the notch must not count.
            area: Area::new(vec![
                p(30.0, 120.0),
                p(30.0, 120.2),
                p(30.1, 120.2),
                p(30.1, 120.1),
                p(30.2, 120.1),
                p(30.2, 120.0),
            ])
            .unwrap(),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
        }
    }

    #[test]
    fn planned_outage_notifies_only_supplied_households_inside_the_area() {
        let n = notice();
        let inside = at(30.05, 120.05, SupplyStatus::Active);
        let in_the_notch = at(30.15, 120.15, SupplyStatus::Active);
        let outside = at(31.0, 120.05, SupplyStatus::Active);
        let not_connected = at(30.05, 120.06, SupplyStatus::NotConnected);
        let mut unlocated = at(30.05, 120.05, SupplyStatus::Active);
        unlocated.location = None;
        let all = [
            inside.clone(),
            in_the_notch,
            outside,
            not_connected,
            unlocated,
        ];
        let told: Vec<_> = n.affected(&all).into_iter().map(|h| h.id).collect();
        assert_eq!(told, vec![inside.id]);
    }

    #[test]
    fn outage_that_ends_before_it_starts_is_refused() {
        let mut n = notice();
        n.ends_at = n.starts_at;
        assert_eq!(n.validate().unwrap_err().field, "outage.ends_at");
    }
}
