//! Proves that a household file arriving as JSON (sync, import) never panics the decoder or
//! `Household::validate`, and that every household read survives a JSON round trip unchanged.
#![no_main]

use doorstep_core::household::Household;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(household) = serde_json::from_slice::<Household>(data) else {
        return;
    };
    let _ = household.validate();
    let json = serde_json::to_vec(&household).expect("a household serialises");
    let again: Household = serde_json::from_slice(&json).expect("a written household parses");
    assert_eq!(again, household);
});
