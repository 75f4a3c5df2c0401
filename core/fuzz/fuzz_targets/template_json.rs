//! Proves that a form template arriving as JSON (published by the back office) is either a
//! valid template or a typed error naming what is wrong, and that valid ones round-trip.
#![no_main]

use doorstep_core::forms::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = Template::from_json(text) else {
        return;
    };
    let json = serde_json::to_string(&template).expect("a template serialises");
    assert_eq!(
        Template::from_json(&json).expect("a written template loads"),
        template
    );
});
