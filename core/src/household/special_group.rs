//! A registration for priority service at home: the elderly, weak, sick and disabled (老弱病残).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Phone, validate_text};
use crate::InvalidInput;
use crate::text::said;

/// A registration for priority service at home (老弱病残, Art.7(7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialGroupRegistration {
    pub groups: Vec<SpecialGroup>,
    /// What the person needs, in the words of whoever registered them.
    pub needs: String,
    pub contact: Option<ContactPerson>,
    /// The person agreed to be registered and to have their data kept for this purpose.
    pub consent_given: bool,
    pub registered_on: NaiveDate,
}

impl SpecialGroupRegistration {
    pub(super) fn validate(&self) -> Result<(), InvalidInput> {
        if self.groups.is_empty() {
            return Err(InvalidInput::new(
                "household.special_group.groups",
                said("至少选择一类人群", "name at least one group"),
            ));
        }
        if !self.consent_given {
            return Err(InvalidInput::new(
                "household.special_group.consent_given",
                said(
                    "须经本人同意方可登记",
                    "a person is registered only with their consent",
                ),
            ));
        }
        validate_text("household.special_group.needs", &self.needs, 0, 500)?;
        if let Some(contact) = &self.contact {
            validate_text("household.special_group.contact.name", &contact.name, 1, 64)?;
            validate_text(
                "household.special_group.contact.relation",
                &contact.relation,
                0,
                32,
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialGroup {
    Elderly,
    Weak,
    Sick,
    Disabled,
}

impl SpecialGroup {
    pub const ALL: [SpecialGroup; 4] = [
        SpecialGroup::Elderly,
        SpecialGroup::Weak,
        SpecialGroup::Sick,
        SpecialGroup::Disabled,
    ];

    /// The group's name: as it is stored, and the id of its choice on the registration form.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialGroup::Elderly => "elderly",
            SpecialGroup::Weak => "weak",
            SpecialGroup::Sick => "sick",
            SpecialGroup::Disabled => "disabled",
        }
    }

    pub fn parse(name: &str) -> Option<SpecialGroup> {
        SpecialGroup::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPerson {
    pub name: String,
    pub relation: String,
    pub phone: Phone,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_name_is_the_one_it_is_stored_under() {
        for group in SpecialGroup::ALL {
            let json = serde_json::to_string(&group).unwrap();
            assert_eq!(json, format!("\"{}\"", group.as_str()));
            assert_eq!(SpecialGroup::parse(group.as_str()), Some(group));
        }
    }

    #[test]
    fn registration_without_consent_is_refused() {
        let r = SpecialGroupRegistration {
            groups: vec![SpecialGroup::Elderly],
            needs: String::new(),
            contact: None,
            consent_given: false,
            registered_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        assert_eq!(
            r.validate().unwrap_err().field,
            "household.special_group.consent_given"
        );
    }
}
