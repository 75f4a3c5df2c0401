//! JSON kept as it came. The server reads a push request once: each operation decoded for the
//! rules, and its text kept for the operation log (so it is not serialised again). A household
//! edit is merged field by field on the JSON as stored and as sent, so that only the fields an
//! edit names are decoded and the rest is written back as it was.
//!
//! These read what a device sends, so `core/fuzz` checks them against the plain typed reading
//! (`push_request_raw`): the same requests accepted, the same operations read.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ids::OperationId;
use crate::sync::Hlc;
use crate::sync::protocol::PushOp;

/// One operation of a push request: decoded for the rules, and its JSON as the device sent it.
#[derive(Debug, Clone)]
pub struct IncomingOp<'a> {
    pub op: PushOp,
    pub payload: &'a str,
}

/// A push request ([`crate::sync::protocol::PushRequest`]) with each operation's JSON kept as
/// it came.
#[derive(Deserialize)]
struct WireRequest<'a> {
    #[serde(borrow)]
    ops: Vec<WireOp<'a>>,
}

/// [`PushOp`], field for field, with the operation still as JSON text.
#[derive(Deserialize)]
struct WireOp<'a> {
    seq: i64,
    op_id: OperationId,
    hlc: Hlc,
    device_time: DateTime<Utc>,
    #[serde(borrow)]
    operation: &'a RawValue,
    #[serde(default)]
    base_seq: Option<i64>,
}

/// Decodes the body of a push request. It accepts what `PushRequest` accepts and reads the
/// same operations.
pub fn read_push_request(body: &[u8]) -> serde_json::Result<Vec<IncomingOp<'_>>> {
    let request: WireRequest<'_> = serde_json::from_slice(body)?;
    request
        .ops
        .into_iter()
        .map(|w| {
            Ok(IncomingOp {
                op: PushOp {
                    seq: w.seq,
                    op_id: w.op_id,
                    hlc: w.hlc,
                    device_time: w.device_time,
                    operation: serde_json::from_str(w.operation.get())?,
                    base_seq: w.base_seq,
                },
                payload: w.operation.get(),
            })
        })
        .collect()
}

/// A field's name, borrowed from the JSON (unless it had to be unescaped).
#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(transparent)]
pub struct FieldName<'a>(#[serde(borrow)] pub Cow<'a, str>);

/// A JSON object's fields as written, in their order, each value still JSON text: a record is
/// read this way when only a few of its fields are needed, and written back with only those
/// replaced.
#[derive(Debug)]
pub struct RawObject<'a>(Vec<(FieldName<'a>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Fields<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(RawObject(fields))
            }
        }
        d.deserialize_map(Fields(std::marker::PhantomData))
    }
}

impl<'a> RawObject<'a> {
    pub fn parse(json: &'a str) -> serde_json::Result<Self> {
        serde_json::from_str(json)
    }

    /// The value of `field` as written (the first, should the object name it twice).
    pub fn get(&self, field: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k.0 == field).map(|(_, v)| *v)
    }

    /// The values of those of `fields` the object has.
    pub fn values_of(&self, fields: &[String]) -> serde_json::Result<Map<String, Value>> {
        fields
            .iter()
            .filter_map(|f| self.get(f).map(|raw| (f, raw)))
            .map(|(f, raw)| Ok((f.clone(), serde_json::from_str(raw.get())?)))
            .collect()
    }

    /// The object as JSON with the fields of `replaced` set to its values (those it did not
    /// have added at the end).
    pub fn with(&self, replaced: &Map<String, Value>) -> serde_json::Result<String> {
        let mut out = String::with_capacity(
            self.0
                .iter()
                .map(|(k, v)| k.0.len() + v.get().len() + 4)
                .sum::<usize>()
                + 64,
        );
        let mut first = true;
        let mut field = |out: &mut String, key: &str, value: &str| -> serde_json::Result<()> {
            out.push(if first { '{' } else { ',' });
            first = false;
            out.push_str(&serde_json::to_string(key)?);
            out.push(':');
            out.push_str(value);
            Ok(())
        };
        for (key, raw) in &self.0 {
            match replaced.get(key.0.as_ref()) {
                Some(v) => field(&mut out, &key.0, &v.to_string())?,
                None => field(&mut out, &key.0, raw.get())?,
            }
        }
        for (key, v) in replaced {
            if self.get(key).is_none() {
                field(&mut out, key, &v.to_string())?;
            }
        }
        if first {
            out.push('{');
        }
        out.push('}');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::household::{MeterReading, ReadingSource, Volume};
    use crate::sync::protocol::Operation;
    use crate::sync::protocol::PushRequest;
    use crate::synthetic::{CitySize, generate};

    #[test]
    fn a_request_reads_as_push_request_does_and_keeps_each_operations_json() {
        let city = generate(
            &CitySize {
                households: 2,
                readings: 0,
                open_orders: 0,
                districts_per_side: 1,
                technicians_per_district: 1,
            },
            1,
            Utc::now(),
        );
        let h = &city.households[0];
        let operations = [
            Operation::HouseholdSaved {
                household: Box::new(h.clone()),
                changed: vec!["phones".into()],
                base_seq: 7,
            },
            Operation::MeterReadingRecorded {
                reading: MeterReading {
                    household_id: h.id,
                    taken_at: Utc::now(),
                    value: Volume::from_litres(1234),
                    source: ReadingSource::Technician,
                },
            },
        ];
        let request = PushRequest {
            ops: operations
                .into_iter()
                .enumerate()
                .map(|(i, operation)| PushOp {
                    seq: i as i64 + 1,
                    op_id: OperationId::new(),
                    hlc: Hlc {
                        wall_ms: 1000 + i as u64,
                        counter: 1,
                        node: "d1".into(),
                    },
                    device_time: Utc::now(),
                    operation,
                    base_seq: (i % 2 == 0).then_some(i as i64),
                })
                .collect(),
        };
        let body = serde_json::to_vec(&request).unwrap();
        let read = read_push_request(&body).unwrap();
        let decoded: Vec<PushOp> = read.iter().map(|i| i.op.clone()).collect();
        assert_eq!(decoded, request.ops);
        for (incoming, op) in read.iter().zip(&request.ops) {
            assert_eq!(
                incoming.payload,
                serde_json::to_string(&op.operation).unwrap()
            );
        }
        assert!(read_push_request(b"{\"ops\":[{\"seq\":1}]}").is_err());
        assert!(read_push_request(b"{\"ops\":[]} x").is_err());
    }

    #[test]
    fn a_merged_household_keeps_its_other_fields_as_stored_and_in_their_order() {
        let stored = r#"{"id":"h1","name":"\u5f20","phones":["1"],"meter":{"serial":"M 1"}}"#;
        let raw = RawObject::parse(stored).unwrap();
        let fields = ["phones".to_owned(), "supply".to_owned(), "nope".to_owned()];
        let mut values = raw.values_of(&fields).unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values["phones"], serde_json::json!(["1"]));
        values.insert("phones".into(), serde_json::json!(["2", "3"]));
        values.insert("supply".into(), serde_json::json!("on"));
        assert_eq!(
            raw.with(&values).unwrap(),
            r#"{"id":"h1","name":"\u5f20","phones":["2","3"],"meter":{"serial":"M 1"},"supply":"on"}"#
        );
        assert_eq!(raw.with(&Map::new()).unwrap(), stored);
        assert_eq!(
            RawObject::parse("{}").unwrap().with(&Map::new()).unwrap(),
            "{}"
        );
        assert!(RawObject::parse("[1]").is_err());
    }
}
