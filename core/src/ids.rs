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
id_type!(
    /// A complaint (Art.7(6), Art.16): its own record, with its clocks.
    ComplaintId
);
id_type!(
    /// A call the service center took (Art.5(1), Art.13).
    CallId
);
id_type!(
    /// A technician's settlement of one day's fees (Art.14, 日清日结).
    SettlementId
);

/// A photo's content address: the SHA-256 of its stored JPEG, as 64 lowercase hexadecimal
/// characters. Photos are named by it on the device, on the wire and on the server; the format
/// is checked here, once, whenever one is read (parsed, decoded from JSON or from the store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhotoHash(String);

impl PhotoHash {
    /// The hash of these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Self(hex::encode(Sha256::digest(bytes)))
    }

    pub fn parse(text: &str) -> Result<Self, crate::InvalidInput> {
        let valid = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(crate::InvalidInput::new(
                "photo.sha256",
                said(
                    "照片编号须为64个小写十六进制字符",
                    "a photo id is 64 lowercase hexadecimal characters",
                ),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PhotoHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PhotoHash {
    type Err = crate::InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PhotoHash {
    type Error = crate::InvalidInput;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<PhotoHash> for String {
    fn from(hash: PhotoHash) -> Self {
        hash.0
    }
}

impl PartialEq<str> for PhotoHash {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for PhotoHash {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<&str> for PhotoHash {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Read as the text it is (it is only ever made valid, and never changed).
impl std::ops::Deref for PhotoHash {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl rusqlite::ToSql for PhotoHash {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.0.as_str()))
    }
}

impl rusqlite::types::FromSql for PhotoHash {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        Self::parse(value.as_str()?).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_is_named_by_the_sha256_of_its_bytes_and_nothing_else_reads_as_one() {
        let hash = PhotoHash::of(b"jpeg");
        assert_eq!(hash.as_str().len(), 64);
        assert_eq!(PhotoHash::parse(hash.as_str()), Ok(hash.clone()));
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(json, format!("\"{hash}\""));
        assert_eq!(serde_json::from_str::<PhotoHash>(&json).unwrap(), hash);
        for bad in [
            "",
            "ab",
            &"AB".repeat(32),
            &"g".repeat(64),
            &"a".repeat(65),
            "13812345678",
        ] {
            let e = PhotoHash::parse(bad).unwrap_err();
            assert_eq!(e.field, "photo.sha256");
            let decoded = serde_json::from_str::<PhotoHash>(&format!("\"{bad}\""));
            let message = decoded.unwrap_err().to_string();
            assert!(message.contains("64 lowercase hexadecimal"), "{message}");
            assert!(
                !message.contains("13812345678"),
                "never repeats what it was sent"
            );
        }
    }
}
