//! Who does the work and where: technicians, the crews they belong to, and the districts they
//! cover. A district is a polygon on the map; inspections are planned per district.

use crate::text::said;
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::Area;
use crate::household::{Phone, validate_text};
use crate::ids::{CrewId, DistrictId, TechnicianId};
use crate::workorder::DeadlinePolicy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Technician {
    pub id: TechnicianId,
    /// The employee number printed on the technician's badge and on every watermark.
    pub badge: String,
    pub name: String,
    pub phone: Option<Phone>,
    pub role: TechnicianRole,
    pub crew_id: Option<CrewId>,
    pub district_id: Option<DistrictId>,
    pub active: bool,
}

impl Technician {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_badge("technician.badge", &self.badge)?;
        validate_text("technician.name", &self.name, 1, 64)
    }
}

/// A badge number: 1 to 16 ASCII letters or digits (it is printed on every photo's stamp).
pub(crate) fn validate_badge(field: &str, badge: &str) -> Result<(), InvalidInput> {
    if badge.is_empty() || badge.len() > 16 || !badge.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(InvalidInput::new(
            field,
            said("须为1到16个字母或数字", "must be 1 to 16 letters or digits"),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechnicianRole {
    Inspector,
    RepairTechnician,
    CrewLeader,
}

impl TechnicianRole {
    pub const ALL: [TechnicianRole; 3] = [
        TechnicianRole::Inspector,
        TechnicianRole::RepairTechnician,
        TechnicianRole::CrewLeader,
    ];

    /// The role's name as it is stored and typed (`doorstep admin technician add --role`).
    pub fn as_str(self) -> &'static str {
        match self {
            TechnicianRole::Inspector => "inspector",
            TechnicianRole::RepairTechnician => "repair_technician",
            TechnicianRole::CrewLeader => "crew_leader",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crew {
    pub id: CrewId,
    pub name: String,
    pub district_id: Option<DistrictId>,
}

impl Crew {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("crew.name", &self.name, 1, 64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub id: DistrictId,
    pub name: String,
    pub boundary: Area,
    /// The district's targets for its orders' clocks; each order opened in the district is
    /// stamped with them. A district stored before it had a policy reads as the defaults.
    /// (Boxed: it is most of a district's size, and a district travels in every pull's record.)
    #[serde(default, skip_serializing_if = "DeadlinePolicy::is_default")]
    pub policy: Box<DeadlinePolicy>,
}

impl District {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("district.name", &self.name, 1, 64)?;
        self.policy.validate("district.policy")
    }
}

#[cfg(test)]
mod tests {
    use super::TechnicianRole;

    #[test]
    fn a_roles_name_is_the_one_it_is_stored_under() {
        for role in TechnicianRole::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
    }
}
