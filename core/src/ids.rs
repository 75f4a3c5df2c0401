//! Typed identifiers. Records are keyed by UUIDv7 (time-ordered, generated offline on any
//! device without coordination); the newtypes keep a household id from being passed as an order id.

use crate::text::said;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::InvalidInput;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| crate::InvalidInput::new(stringify!($name), said("不是有效的编号", "not a valid id")))
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.0.to_string()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                Uuid::parse_str(text)
                    .map(Self)
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

id_type!(
    /// A household (one file per household).
    HouseholdId
);
id_type!(
    /// A work order.
    WorkOrderId
);
id_type!(
    /// A technician: an inspector or a member of a repair crew.
    TechnicianId
);
id_type!(
    /// A crew of technicians.
    CrewId
);
id_type!(
    /// A district: the area a technician or crew covers.
    DistrictId
);
id_type!(
    /// A planned outage notice.
    OutageId
);
id_type!(
    /// One entry of a household's history timeline.
    HistoryEventId
);
id_type!(
    /// One operation in the device's outbox.
    OperationId
);
id_type!(
    /// A form: the record of one visit, draft or sealed.
    FormId
);
