//! Proves that `Phone::parse` never panics on any text, and that the number it keeps parses
//! again to itself (normalising twice changes nothing).
#![no_main]

use doorstep_core::household::Phone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(phone) = Phone::parse(text) {
        let again = Phone::parse(phone.as_str()).expect("a normalised number parses");
        assert_eq!(again, phone);
    }
});
