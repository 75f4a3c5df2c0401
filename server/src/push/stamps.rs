//! A record's field stamps as stored, of which only those an edit touches are decoded.

use std::collections::BTreeMap;

use doorstep_core::sync::merge::FieldStamps;
use doorstep_core::sync::raw::FieldName;
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// A record's field stamps as stored, of which only those an edit touches are decoded: the
/// others are written back as they were read.
pub(super) struct StoredStamps<'a> {
    stored: BTreeMap<FieldName<'a>, &'a RawValue>,
    updated: BTreeMap<String, Box<RawValue>>,
}

impl<'a> StoredStamps<'a> {
    pub(super) fn read(json: &'a str) -> Result<Self> {
        Ok(Self {
            stored: serde_json::from_str(json).map_err(Error::internal)?,
            updated: BTreeMap::new(),
        })
    }

    /// The stamps of these fields (those that have one).
    pub(super) fn of(&self, fields: &[String]) -> Result<FieldStamps> {
        fields
            .iter()
            .filter_map(|f| self.stored.get(&FieldName(f.into())).map(|raw| (f, raw)))
            .map(|(f, raw)| {
                Ok((
                    f.clone(),
                    serde_json::from_str(raw.get()).map_err(Error::internal)?,
                ))
            })
            .collect()
    }

    pub(super) fn update(&mut self, stamps: FieldStamps) -> Result<()> {
        for (field, stamp) in stamps {
            let raw = serde_json::value::to_raw_value(&stamp).map_err(Error::internal)?;
            self.updated.insert(field, raw);
        }
        Ok(())
    }

    /// The stamps as JSON, as `FieldStamps` would be written.
    pub(super) fn to_json(&self) -> Result<String> {
        let mut all: BTreeMap<&str, &RawValue> = self
            .stored
            .iter()
            .map(|(k, v)| (k.0.as_ref(), *v))
            .collect();
        for (k, v) in &self.updated {
            all.insert(k, v);
        }
        serde_json::to_string(&all).map_err(Error::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_core::sync::Hlc;
    use doorstep_core::sync::merge::{FieldStamp, Origin};

    fn hlc(ms: u64, node: &str) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 1,
            node: node.into(),
        }
    }

    #[test]
    fn stamps_not_touched_are_written_back_as_they_were() {
        let stamp = |seq, node: &str| FieldStamp {
            seq,
            hlc: hlc(seq as u64, node),
            origin: if node == "office" {
                Origin::Office
            } else {
                Origin::Device(node.into())
            },
        };
        let mut all: FieldStamps = [
            ("address", stamp(1, "office")),
            ("name", stamp(2, "office")),
            ("phones", stamp(3, "d\"1")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let json = serde_json::to_string(&all).unwrap();
        let mut stored = StoredStamps::read(&json).unwrap();
        let fields = ["phones".to_owned(), "meter".to_owned()];
        let mut touched = stored.of(&fields).unwrap();
        assert_eq!(touched.len(), 1);
        assert_eq!(touched["phones"], all["phones"]);
        touched.insert("meter".into(), stamp(9, "d2"));
        touched.insert("phones".into(), stamp(9, "d2"));
        stored.update(touched.clone()).unwrap();
        all.extend(touched);
        assert_eq!(
            stored.to_json().unwrap(),
            serde_json::to_string(&all).unwrap()
        );
    }
}
