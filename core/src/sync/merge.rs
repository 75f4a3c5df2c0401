//! How the server merges an edit into a mutable record: field by field, with one explicit rule
//! per field, keeping every edit it overrides as a [`Overridden`] for the back office to review.
//!
//! An edit and a field's last write are *concurrent* when the editor had not seen that write:
//! the write's server sequence number is above the edit's base (the editor's pull cursor when it
//! made the edit) and it came from someone else. Only concurrent writes are resolved by a rule;
//! an edit of a value the editor had seen simply replaces it.
//!
//! The back office's edits have a base too: the console's edit carries the version (the
//! record's server sequence number) of the page it was made on, so a value a phone wrote after
//! the page was drawn is concurrent with it and the field's rule decides, the overridden value
//! kept for review whichever side it was ([`Edit::office`]). The admin tool and the imports
//! edit what is current ([`CURRENT`]): never concurrent.
//!
//! A field never set has no writer: a new record stamps only the fields it gives a value
//! ([`stamps_of_new_record`]), so the first value anyone gives a field left empty replaces no one's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::sync::Hlc;

/// Who made an edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Origin {
    /// The service center (console or admin tool).
    Office,
    /// A device, by its id.
    Device(String),
}

/// What decides between two concurrent writes of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRule {
    /// Account data: the service center's value stands; between two devices the later clock wins.
    OfficeWins,
    /// Contact details and facts seen on site: the later hybrid-clock stamp wins.
    LaterClockWins,
    /// A time that only moves forward (the last inspection): the later value wins, no conflict;
    /// a device's edit never moves it back.
    Latest,
}

impl FieldRule {
    /// The rule's name, as a kept conflict records it.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldRule::OfficeWins => "office_wins",
            FieldRule::LaterClockWins => "later_clock_wins",
            FieldRule::Latest => "latest",
        }
    }
}

/// Every rule that can override an edit, as the back office reviews it: a field's rule, or
/// one of a work order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictRule {
    Field(FieldRule),
    /// The resolution made first on site (by trusted time) stands: a step made after it, or
    /// a later resolution it replaced, is kept for review (`WorkOrder::take_reported`).
    FirstResolutionWins,
    /// An order's status only moves forward: a step back is kept for review.
    StatusMovesForward,
}

impl ConflictRule {
    pub const ALL: [ConflictRule; 5] = [
        ConflictRule::Field(FieldRule::OfficeWins),
        ConflictRule::Field(FieldRule::LaterClockWins),
        ConflictRule::Field(FieldRule::Latest),
        ConflictRule::FirstResolutionWins,
        ConflictRule::StatusMovesForward,
    ];

    /// The rule that keeps an order's status when a device's step contradicts it: the first
    /// resolution when the order is resolved (`is_final`), else the forward-only rule.
    pub fn of_status_step(current_is_final: bool) -> Self {
        if current_is_final {
            ConflictRule::FirstResolutionWins
        } else {
            ConflictRule::StatusMovesForward
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictRule::Field(rule) => rule.as_str(),
            ConflictRule::FirstResolutionWins => "first_resolution_wins",
            ConflictRule::StatusMovesForward => "status_moves_forward",
        }
    }

    /// A stored name read back.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl std::fmt::Display for ConflictRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who wrote a value a kept conflict names: an edit's [`Origin`], or the server's own rule (a
/// work order's status as the server holds it). Written `office`, `server`, `device:<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    Office,
    Server,
    Device(String),
}

impl Author {
    /// A stored name read back.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "office" => Some(Author::Office),
            "server" => Some(Author::Server),
            _ => text
                .strip_prefix("device:")
                .map(|id| Author::Device(id.to_owned())),
        }
    }
}

impl From<&Origin> for Author {
    fn from(origin: &Origin) -> Self {
        match origin {
            Origin::Office => Author::Office,
            Origin::Device(id) => Author::Device(id.clone()),
        }
    }
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Author::Office => f.write_str("office"),
            Author::Server => f.write_str("server"),
            Author::Device(id) => write!(f, "device:{id}"),
        }
    }
}

/// The rule of each field of a household. A field not listed is account data.
pub fn household_rule(field: &str) -> FieldRule {
    match field {
        "name" | "phones" | "location" | "appliances" | "meter" | "supply" | "gas_on_date"
        | "special_group" => FieldRule::LaterClockWins,
        "last_inspection_at" => FieldRule::Latest,
        // customer_number, category, district_id, address and anything new.
        _ => FieldRule::OfficeWins,
    }
}

/// When and by whom a field was last written on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldStamp {
    pub seq: i64,
    pub hlc: Hlc,
    pub origin: Origin,
}

pub type FieldStamps = BTreeMap<String, FieldStamp>;

/// The base of an edit made on the current record (the admin tool, an import): it has seen
/// every write, so nothing is concurrent with it.
pub const CURRENT: i64 = i64::MAX;

/// One edit of a record.
#[derive(Debug, Clone)]
pub struct Edit<'a> {
    pub origin: Origin,
    pub hlc: Hlc,
    /// The newest server sequence number the editor had seen: a device's pull cursor, the
    /// version a console page was drawn from, [`CURRENT`] for the admin tool.
    pub base_seq: i64,
    /// The fields it changed.
    pub fields: &'a [String],
}

impl<'a> Edit<'a> {
    /// The back office's edit of `fields`, made on the version `base_seq` of the record, at
    /// the office's clock `hlc` (its wall time: the server's clock is the reference).
    pub fn office(hlc: Hlc, base_seq: i64, fields: &'a [String]) -> Self {
        Edit {
            origin: Origin::Office,
            hlc,
            base_seq,
            fields,
        }
    }
}

/// An edit that lost to another: the value that was kept and the value that was dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overridden {
    pub field: String,
    pub rule: FieldRule,
    pub kept: Value,
    pub kept_origin: Origin,
    pub lost: Value,
    pub lost_origin: Origin,
}

/// Merges `edit` (the editor's values in `incoming`) into `current`, writing the stamps of the
/// fields it changes with `seq`. Returns the overridden edits, whichever side lost.
pub fn merge_fields(
    rule_of: fn(&str) -> FieldRule,
    current: &mut Map<String, Value>,
    stamps: &mut FieldStamps,
    incoming: &Map<String, Value>,
    edit: &Edit<'_>,
    seq: i64,
) -> Vec<Overridden> {
    let mut overridden = Vec::new();
    for field in edit.fields {
        if field == "id" {
            continue;
        }
        let new = incoming.get(field).cloned().unwrap_or(Value::Null);
        let old = current.get(field).cloned().unwrap_or(Value::Null);
        if new == old {
            continue;
        }
        let stamp = FieldStamp {
            seq,
            hlc: edit.hlc.clone(),
            origin: edit.origin.clone(),
        };
        let rule = rule_of(field);
        // A time that only moves forward does not move back by a device's edit, seen or not
        // (the office may correct it).
        if rule == FieldRule::Latest && edit.origin != Origin::Office && !later_value(&new, &old) {
            continue;
        }
        let concurrent = stamps
            .get(field)
            .filter(|s| s.seq > edit.base_seq && s.origin != edit.origin);
        let Some(last) = concurrent else {
            current.insert(field.clone(), new);
            stamps.insert(field.clone(), stamp);
            continue;
        };
        let edit_wins = match rule {
            // Between devices the later time stands and the earlier says nothing new. The
            // office's value is a correction made on an older page: whichever time stands, the
            // other is kept for review.
            FieldRule::Latest if edit.origin == Origin::Office => later_value(&new, &old),
            FieldRule::Latest => {
                if later_value(&new, &old) {
                    current.insert(field.clone(), new);
                    stamps.insert(field.clone(), stamp);
                }
                continue;
            }
            FieldRule::OfficeWins => match (&last.origin, &edit.origin) {
                (Origin::Office, _) => false,
                (_, Origin::Office) => true,
                _ => edit.hlc > last.hlc,
            },
            FieldRule::LaterClockWins => edit.hlc > last.hlc,
        };
        if edit_wins {
            overridden.push(Overridden {
                field: field.clone(),
                rule,
                kept: new.clone(),
                kept_origin: edit.origin.clone(),
                lost: old,
                lost_origin: last.origin.clone(),
            });
            current.insert(field.clone(), new);
            stamps.insert(field.clone(), stamp);
        } else {
            overridden.push(Overridden {
                field: field.clone(),
                rule,
                kept: old,
                kept_origin: last.origin.clone(),
                lost: new,
                lost_origin: edit.origin.clone(),
            });
        }
    }
    overridden
}

/// `a` is a later time than `b` (RFC 3339 times; null is earliest). Compared as times, not as
/// text: `…:00.5Z` is later than `…:00Z` though it sorts before it.
fn later_value(a: &Value, b: &Value) -> bool {
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    match (a, b) {
        (Value::Null, _) => false,
        (_, Value::Null) => true,
        (Value::String(a), Value::String(b)) => match (time(a), time(b)) {
            (Some(a), Some(b)) => a > b,
            _ => a > b,
        },
        _ => false,
    }
}

/// The stamps of a record as it is created (by the office, or opened on site by a device): each
/// field it gives a value is written by its creator with `stamp`; a field left empty (null, an
/// empty list, text or object) is not written by anyone, so no later edit of it is concurrent
/// with the creation. Setting a field to null later is a write like any other.
pub fn stamps_of_new_record(record: &Map<String, Value>, stamp: &FieldStamp) -> FieldStamps {
    record
        .iter()
        .filter(|(field, value)| field.as_str() != "id" && !is_empty(value))
        .map(|(field, _)| (field.clone(), stamp.clone()))
        .collect()
}

/// A value that says nothing was set: what a new record holds in a field nobody filled in.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::String(text) => text.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The fields of `new` that differ from `old` (both objects), for an edit's field list.
pub fn changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let Some(new) = new.as_object() else {
        return Vec::new();
    };
    let mut fields: Vec<String> = new
        .iter()
        .filter(|(k, v)| k.as_str() != "id" && old.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    fields.extend(
        old.keys()
            .filter(|k| !new.contains_key(k.as_str()))
            .cloned(),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_kept_conflict_names_its_rule_and_authors_as_the_back_office_reads_them_back() {
        for rule in ConflictRule::ALL {
            assert_eq!(ConflictRule::parse(rule.as_str()), Some(rule));
        }
        for field_rule in [
            FieldRule::OfficeWins,
            FieldRule::LaterClockWins,
            FieldRule::Latest,
        ] {
            // The name a field rule is stored under is its serde name.
            assert_eq!(
                serde_json::to_value(field_rule).unwrap(),
                json!(field_rule.as_str())
            );
        }
        assert_eq!(ConflictRule::parse("coin_toss"), None);
        for author in [Author::Office, Author::Server, Author::Device("d:1".into())] {
            assert_eq!(Author::parse(&author.to_string()), Some(author));
        }
        assert_eq!(
            Author::from(&Origin::Device("d1".into())).to_string(),
            "device:d1"
        );
    }

    fn hlc(ms: u64, node: &str) -> Hlc {
        Hlc {
            wall_ms: ms,
            counter: 0,
            node: node.into(),
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_later_of_two_inspection_times_is_compared_as_a_time_not_as_text() {
        let half_past = json!("2026-11-02T01:00:00.500Z");
        let on_the_second = json!("2026-11-02T01:00:00Z");
        assert!(later_value(&half_past, &on_the_second));
        assert!(!later_value(&on_the_second, &half_past));
        assert!(later_value(&on_the_second, &Value::Null));
    }

    /// The office wrote `field` as `office` at server change 9 (clock 100); a device that had
    /// pulled up to `base_seq` sends `device` for it at clock `device_ms`. What the household
    /// holds afterwards, and what the merge kept as lost.
    fn device_edit_after_office(
        field: &str,
        office: Value,
        device: Value,
        base_seq: i64,
        device_ms: u64,
    ) -> (Map<String, Value>, Vec<Overridden>) {
        let mut cur = obj(json!({ field: office }));
        let mut stamps = FieldStamps::new();
        stamps.insert(
            field.into(),
            FieldStamp {
                seq: 9,
                hlc: hlc(100, "office"),
                origin: Origin::Office,
            },
        );
        let fields = vec![field.to_string()];
        let edit = Edit {
            origin: Origin::Device("a".into()),
            hlc: hlc(device_ms, "a"),
            base_seq,
            fields: &fields,
        };
        let sent = obj(json!({ field: device }));
        let lost = merge_fields(household_rule, &mut cur, &mut stamps, &sent, &edit, 10);
        (cur, lost)
    }

    #[test]
    fn an_edit_of_a_value_the_editor_had_seen_replaces_it() {
        // The device had pulled the office's write (base 9): not concurrent, even with an
        // older clock.
        let (cur, lost) = device_edit_after_office("phones", json!(["1"]), json!(["2"]), 9, 50);
        assert!(lost.is_empty());
        assert_eq!(cur["phones"], json!(["2"]));
    }

    #[test]
    fn the_office_wins_account_data_and_the_device_edit_is_kept_as_a_conflict() {
        let (cur, lost) = device_edit_after_office(
            "category",
            json!("commercial"),
            json!("residential"),
            3,
            500,
        );
        assert_eq!(cur["category"], json!("commercial"));
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].lost, json!("residential"));
        assert_eq!(lost[0].lost_origin, Origin::Device("a".into()));
    }

    #[test]
    fn the_later_clock_wins_contact_details_whichever_side_loses() {
        let (cur, lost) =
            device_edit_after_office("phones", json!(["office"]), json!(["device"]), 3, 200);
        assert_eq!(cur["phones"], json!(["device"]));
        assert_eq!(lost[0].lost, json!(["office"]));
        assert_eq!(lost[0].lost_origin, Origin::Office);
    }

    #[test]
    fn a_new_record_stamps_only_the_fields_it_fills_in() {
        let stamp = FieldStamp {
            seq: 3,
            hlc: hlc(100, "office"),
            origin: Origin::Office,
        };
        let created = obj(json!({
            "id": "h1", "name": "住户1", "phones": [], "meter": null, "special_group": null,
            "address": {}, "category": "residential", "gas_on_date": "",
        }));
        let stamps = stamps_of_new_record(&created, &stamp);
        let written: Vec<&str> = stamps.keys().map(String::as_str).collect();
        assert_eq!(written, ["category", "name"]);
    }

    #[test]
    fn a_devices_first_value_of_a_field_nobody_set_is_no_conflict_whatever_its_base() {
        let mut cur = obj(json!({ "name": "住户1", "meter": null }));
        let mut stamps = stamps_of_new_record(
            &cur,
            &FieldStamp {
                seq: 9,
                hlc: hlc(100, "office"),
                origin: Origin::Office,
            },
        );
        let fields = vec!["meter".to_string()];
        let edit = Edit {
            origin: Origin::Device("a".into()),
            hlc: hlc(50, "a"),
            // A seal queued before the device sent merge bases: it says nothing of what it saw.
            base_seq: 0,
            fields: &fields,
        };
        let sent = obj(json!({ "meter": { "serial": "M1" } }));
        let lost = merge_fields(household_rule, &mut cur, &mut stamps, &sent, &edit, 10);
        assert!(lost.is_empty(), "{lost:?}");
        assert_eq!(cur["meter"], json!({ "serial": "M1" }));
    }

    /// Edits of a household's fields by the office and devices, merged in turn on a server
    /// that counts its changes: the property tests' world.
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The fields edited: one of each rule that can override an edit.
        const FIELDS: [&str; 2] = ["phones", "category"];

        #[derive(Debug, Clone)]
        struct Write {
            writer: Origin,
            field: usize,
            value: u8,
            /// The writer's clock, in ms: any order, as phones' clocks are.
            ms: u64,
        }

        fn writer() -> impl Strategy<Value = Origin> {
            prop_oneof![
                Just(Origin::Office),
                Just(Origin::Device("a".into())),
                Just(Origin::Device("b".into())),
                Just(Origin::Device("c".into())),
            ]
        }

        fn write() -> impl Strategy<Value = Write> {
            (writer(), 0..FIELDS.len(), 0..4u8, 0..1000u64).prop_map(
                |(writer, field, value, ms)| Write {
                    writer,
                    field,
                    value,
                    ms,
                },
            )
        }

        fn value(field: &str, v: u8) -> Value {
            match field {
                "phones" => json!([format!("1390000000{v}")]),
                _ => json!(format!("category{v}")),
            }
        }

        struct Server {
            record: Map<String, Value>,
            stamps: FieldStamps,
            seq: i64,
        }

        impl Server {
            /// A household the office created with a phone number and no category set.
            fn new() -> Self {
                let record = obj(json!({ "phones": value("phones", 0), "category": null }));
                let stamps = stamps_of_new_record(
                    &record,
                    &FieldStamp {
                        seq: 1,
                        hlc: hlc(0, "office"),
                        origin: Origin::Office,
                    },
                );
                Server {
                    record,
                    stamps,
                    seq: 1,
                }
            }

            /// Merges `w` made on `base` (the newest change its writer had seen).
            fn merge(&mut self, w: &Write, base: i64) -> Vec<Overridden> {
                self.seq += 1;
                let field = FIELDS[w.field];
                let fields = vec![field.to_string()];
                let node = match &w.writer {
                    Origin::Office => "office".to_string(),
                    Origin::Device(id) => id.clone(),
                };
                let edit = Edit {
                    origin: w.writer.clone(),
                    hlc: hlc(w.ms, &node),
                    base_seq: base,
                    fields: &fields,
                };
                let sent = obj(json!({ field: value(field, w.value) }));
                merge_fields(
                    household_rule,
                    &mut self.record,
                    &mut self.stamps,
                    &sent,
                    &edit,
                    self.seq,
                )
            }
        }

        proptest! {
            /// Edits one after another, each made by a writer who had seen the value it
            /// replaces (the office always has): no conflict, and each edit takes effect.
            #[test]
            fn edits_each_made_on_the_value_before_it_are_never_conflicts(
                writes in proptest::collection::vec(write(), 1..40),
            ) {
                let mut server = Server::new();
                for w in &writes {
                    let base = server.seq;
                    let lost = server.merge(w, base);
                    prop_assert!(lost.is_empty(), "{w:?} on base {base}: {lost:?}");
                    let field = FIELDS[w.field];
                    prop_assert_eq!(&server.record[field], &value(field, w.value));
                }
            }

            /// After such a history, an edit made on a base below another writer's last write
            /// of the field, with another value, is one conflict: whichever side the rule keeps.
            #[test]
            fn an_edit_that_had_not_seen_another_writers_last_write_is_one_conflict(
                writes in proptest::collection::vec(write(), 1..30),
                late in write(),
                base_back in 1..40i64,
            ) {
                let mut server = Server::new();
                for w in &writes {
                    let base = server.seq;
                    server.merge(w, base);
                }
                let field = FIELDS[late.field];
                let last = server.stamps.get(field).cloned();
                prop_assume!(last.is_some());
                let last = last.expect("assumed");
                // Another writer than the last, with another value than the field's.
                let writers = [
                    Origin::Office,
                    Origin::Device("a".into()),
                    Origin::Device("b".into()),
                    Origin::Device("c".into()),
                ];
                let first = writers.iter().position(|w| *w == late.writer).unwrap_or(0);
                let writer = (0..writers.len())
                    .map(|k| writers[(first + k) % writers.len()].clone())
                    .find(|w| *w != last.origin)
                    .expect("four writers");
                let old = server.record[field].clone();
                let v = (0..5u8)
                    .map(|k| (late.value + k) % 5)
                    .find(|v| value(field, *v) != old)
                    .expect("five values");
                let late = Write { writer, value: v, ..late };
                let new = value(field, late.value);
                let base = (last.seq - base_back).max(0);
                let lost = server.merge(&late, base);
                prop_assert_eq!(lost.len(), 1, "{:?} on base {}: {:?}", late, base, lost);
                let o = &lost[0];
                prop_assert_eq!(o.field.as_str(), field);
                let kept_new = o.kept == new && o.lost == old;
                let kept_old = o.kept == old && o.lost == new;
                prop_assert!(kept_new || kept_old, "{o:?}");
                let (new_by, old_by) = if kept_new {
                    (&o.kept_origin, &o.lost_origin)
                } else {
                    (&o.lost_origin, &o.kept_origin)
                };
                prop_assert_eq!(new_by, &late.writer);
                prop_assert_eq!(old_by, &last.origin);
                prop_assert_eq!(&server.record[field], &o.kept);
            }
        }
    }

    /// The console's edits, made on a page drawn from an older version of the household while
    /// phones kept writing: the property tests' world of issue 26.
    mod office_edits {
        use super::*;
        use proptest::prelude::*;

        /// One field of each rule.
        const FIELDS: [&str; 3] = ["phones", "category", "last_inspection_at"];

        fn value(field: &str, v: u8) -> Value {
            match field {
                "phones" => json!([format!("1390000000{v}")]),
                "last_inspection_at" => json!(format!("2026-0{}-01T08:00:00Z", v % 9 + 1)),
                _ => json!(format!("category{v}")),
            }
        }

        #[derive(Debug, Clone)]
        struct Write {
            /// `None`: the office (on the current version); else a device.
            device: Option<u8>,
            field: usize,
            value: u8,
            ms: u64,
        }

        fn write() -> impl Strategy<Value = Write> {
            (
                proptest::option::weighted(0.75, 0..3u8),
                0..FIELDS.len(),
                0..9u8,
                0..1000u64,
            )
                .prop_map(|(device, field, value, ms)| Write {
                    device,
                    field,
                    value,
                    ms,
                })
        }

        struct Server {
            record: Map<String, Value>,
            stamps: FieldStamps,
            seq: i64,
        }

        impl Server {
            fn new() -> Self {
                let record = obj(json!({
                    "phones": value("phones", 0),
                    "category": value("category", 0),
                    "last_inspection_at": value("last_inspection_at", 0),
                }));
                let stamps = stamps_of_new_record(
                    &record,
                    &FieldStamp {
                        seq: 1,
                        hlc: hlc(0, "office"),
                        origin: Origin::Office,
                    },
                );
                Server {
                    record,
                    stamps,
                    seq: 1,
                }
            }

            fn merge(
                &mut self,
                origin: Origin,
                ms: u64,
                field: &str,
                v: Value,
                base: i64,
            ) -> Vec<Overridden> {
                self.seq += 1;
                let fields = vec![field.to_string()];
                let node = match &origin {
                    Origin::Office => "office".to_string(),
                    Origin::Device(id) => id.clone(),
                };
                let edit = Edit {
                    origin,
                    hlc: hlc(ms, &node),
                    base_seq: base,
                    fields: &fields,
                };
                let sent = obj(json!({ field: v }));
                merge_fields(
                    household_rule,
                    &mut self.record,
                    &mut self.stamps,
                    &sent,
                    &edit,
                    self.seq,
                )
            }

            /// Devices push what they made on what they had pulled; the office's own writes
            /// are on the current version.
            fn play(&mut self, w: &Write) {
                let field = FIELDS[w.field];
                let origin = match w.device {
                    None => Origin::Office,
                    Some(d) => Origin::Device(format!("d{d}")),
                };
                let base = self.seq;
                self.merge(origin, w.ms, field, value(field, w.value), base);
            }
        }

        proptest! {
            /// The console draws the household at some point of its history, phones write on,
            /// then the office saves one field from that page: a value a phone wrote after the
            /// page was drawn is never overwritten without a conflict naming it, and whichever
            /// side the rule keeps, the record holds the kept value.
            #[test]
            fn an_office_edit_from_an_old_version_never_overwrites_a_newer_device_value_without_a_conflict(
                before in proptest::collection::vec(write(), 0..15),
                after in proptest::collection::vec(write(), 0..15),
                field in 0..FIELDS.len(),
                v in 0..9u8,
                ms in 0..2000u64,
            ) {
                let mut server = Server::new();
                for w in &before {
                    server.play(w);
                }
                let drawn = server.seq;
                for w in &after {
                    server.play(w);
                }
                let field = FIELDS[field];
                let typed = value(field, v);
                let was = server.record[field].clone();
                let last = server.stamps[field].clone();
                let lost = server.merge(Origin::Office, ms, field, typed.clone(), drawn);
                let device_wrote_since =
                    last.seq > drawn && matches!(last.origin, Origin::Device(_));
                if device_wrote_since && was != typed {
                    prop_assert_eq!(lost.len(), 1, "{:?}", lost);
                    let o = &lost[0];
                    prop_assert_eq!(&server.record[field], &o.kept);
                    if o.kept == typed {
                        prop_assert_eq!(&o.lost, &was);
                        prop_assert_eq!(&o.lost_origin, &last.origin);
                        prop_assert_eq!(&o.kept_origin, &Origin::Office);
                    } else {
                        prop_assert_eq!(&o.kept, &was);
                        prop_assert_eq!(&o.kept_origin, &last.origin);
                        prop_assert_eq!(&o.lost, &typed);
                        prop_assert_eq!(&o.lost_origin, &Origin::Office);
                    }
                } else {
                    prop_assert!(lost.is_empty(), "{:?}", lost);
                    prop_assert_eq!(&server.record[field], &typed);
                }
            }

            /// An office edit made on the current version is applied, with no conflict,
            /// whatever came before and whatever its clock.
            #[test]
            fn an_office_edit_from_the_current_version_is_applied_with_no_conflict(
                before in proptest::collection::vec(write(), 0..30),
                field in 0..FIELDS.len(),
                v in 0..9u8,
                ms in 0..2000u64,
                admin_tool in any::<bool>(),
            ) {
                let mut server = Server::new();
                for w in &before {
                    server.play(w);
                }
                let field = FIELDS[field];
                let typed = value(field, v);
                let base = if admin_tool { CURRENT } else { server.seq };
                let was = server.record[field].clone();
                let lost = server.merge(Origin::Office, ms, field, typed.clone(), base);
                prop_assert!(lost.is_empty(), "{:?}", lost);
                prop_assert_eq!(&server.record[field], &typed);
                if was != typed {
                    prop_assert_eq!(&server.stamps[field].origin, &Origin::Office);
                }
            }
        }
    }
}
