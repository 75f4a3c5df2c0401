//! Buckets: what a record is in, and what a device may read. A technician's scope is a list
//! of buckets; a record is readable by a device when they share one. A bucket is written as
//! text (`district:<id>`) only where it is stored.

use std::fmt;
use std::str::FromStr;

use doorstep_core::ids::{CrewId, DistrictId, HouseholdId, TechnicianId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Bucket {
    /// What every device reads (templates, districts, outages).
    All,
    /// Everything in a district: its households and what is theirs.
    District(DistrictId),
    /// A technician's own work orders and their households.
    Technician(TechnicianId),
    /// A crew's work.
    Crew(CrewId),
    /// The tie of a household's readings, forms and work orders to it. No device reads it (no
    /// scope holds it); it is how the server finds them when the household moves to another
    /// district, is shared with a crew, or is deleted, so that they follow it.
    Household(HouseholdId),
    /// A bucket this version does not write (a newer server's, sharing the database): kept as
    /// it was stored, in no scope this version gives a device.
    Other(String),
}

impl Bucket {
    /// A bucket of a person (a technician's or a crew's), as opposed to a place's or a tie.
    pub fn is_people(&self) -> bool {
        matches!(self, Bucket::Technician(_) | Bucket::Crew(_))
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::All => f.write_str("all"),
            Bucket::District(id) => write!(f, "district:{id}"),
            Bucket::Technician(id) => write!(f, "tech:{id}"),
            Bucket::Crew(id) => write!(f, "crew:{id}"),
            Bucket::Household(id) => write!(f, "household:{id}"),
            Bucket::Other(text) => f.write_str(text),
        }
    }
}

impl Bucket {
    /// A stored bucket read back; one this version does not write is [`Bucket::Other`].
    pub fn parse(text: &str) -> Bucket {
        let other = || Bucket::Other(text.to_owned());
        if text == "all" {
            return Bucket::All;
        }
        let Some((kind, id)) = text.split_once(':') else {
            return other();
        };
        let bucket = match kind {
            "district" => id.parse().map(Bucket::District),
            "tech" => id.parse().map(Bucket::Technician),
            "crew" => id.parse().map(Bucket::Crew),
            "household" => id.parse().map(Bucket::Household),
            _ => return other(),
        };
        bucket.unwrap_or_else(|_| other())
    }
}

impl FromStr for Bucket {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Bucket::parse(text))
    }
}

impl From<Bucket> for String {
    fn from(bucket: Bucket) -> String {
        bucket.to_string()
    }
}

impl From<String> for Bucket {
    fn from(text: String) -> Self {
        Bucket::parse(&text)
    }
}

/// Sorted as their text is, the order a record's buckets have always been stored in.
impl Ord for Bucket {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

impl PartialOrd for Bucket {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_is_stored_as_the_text_it_always_was_and_read_back() {
        let district = DistrictId::new();
        let buckets = [
            Bucket::All,
            Bucket::District(district),
            Bucket::Technician(TechnicianId::new()),
            Bucket::Crew(CrewId::new()),
            Bucket::Household(HouseholdId::new()),
        ];
        for bucket in buckets.clone() {
            assert_eq!(Bucket::parse(&bucket.to_string()), bucket);
        }
        assert_eq!(
            Bucket::District(district).to_string(),
            format!("district:{district}")
        );
        let json = serde_json::to_string(&buckets).unwrap();
        assert!(json.starts_with(r#"["all","district:"#), "{json}");
        assert_eq!(serde_json::from_str::<Vec<Bucket>>(&json).unwrap(), buckets);
    }

    #[test]
    fn a_bucket_a_newer_server_wrote_is_kept_as_it_was_and_read_by_no_one() {
        for newer in ["", "district", "district:1", "street:x", "all:"] {
            let bucket = Bucket::parse(newer);
            assert_eq!(bucket, Bucket::Other(newer.into()));
            assert_eq!(bucket.to_string(), newer);
            assert!(!bucket.is_people());
        }
    }
}
