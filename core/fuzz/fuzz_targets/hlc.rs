//! Proves that parsing a clock stamp (`Hlc::from_str`) never panics on any text, and that a
//! stamp parses back from its own text to the same stamp.
#![no_main]

use doorstep_core::sync::Hlc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(stamp) = text.parse::<Hlc>() {
        let again: Hlc = stamp.to_string().parse().expect("a written stamp parses");
        assert_eq!(again, stamp);
    }
});
