//! Proves that the server's own reading of a push (`POST /v1/push`), which keeps each
//! operation's JSON as it came, agrees with the typed reading `push_request_json` fuzzes: the
//! same bodies accepted, the same operations read, each kept text the operation's own; and that
//! a household sent in one, taken apart field by field as the server merges it and put back
//! together, reads as the same household.
#![no_main]

use doorstep_core::household::Household;
use doorstep_core::sync::protocol::Operation;
use doorstep_core::sync::protocol::PushRequest;
use doorstep_core::sync::raw::{RawObject, read_push_request};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

/// A `household_saved` operation as the server reads its household: field by field.
#[derive(Deserialize)]
struct Saved<'a> {
    #[serde(borrow)]
    household: RawObject<'a>,
}

fuzz_target!(|data: &[u8]| {
    let typed = serde_json::from_slice::<PushRequest>(data);
    let raw = read_push_request(data);
    let (typed, raw) = match (typed, raw) {
        (Ok(typed), Ok(raw)) => (typed, raw),
        (Err(_), Err(_)) => return,
        (typed, raw) => panic!(
            "the readings disagree: typed {:?}, kept as sent {:?}",
            typed.err(),
            raw.err()
        ),
    };
    assert_eq!(typed.ops.len(), raw.len());
    for (op, incoming) in typed.ops.iter().zip(&raw) {
        assert_eq!(op, &incoming.op);
        let again: Operation =
            serde_json::from_str(incoming.payload).expect("the kept text reads again");
        assert_eq!(again, op.operation);
        if let Operation::HouseholdSaved { household, .. } = &op.operation {
            let sent: Saved<'_> =
                serde_json::from_str(incoming.payload).expect("a household is an object");
            let fields: Vec<String> = match serde_json::to_value(household.as_ref()) {
                Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
                other => panic!("a household serialises as an object: {other:?}"),
            };
            let values = sent
                .household
                .values_of(&fields)
                .expect("each field of a household read reads again");
            let rebuilt = sent.household.with(&values).expect("writes back");
            let back: Household =
                serde_json::from_str(&rebuilt).expect("the rebuilt household reads");
            assert_eq!(&back, household.as_ref());
        }
    }
});
