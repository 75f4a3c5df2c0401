//! Proves that `Volume::parse_cubic_metres` never panics on any text, and that a reading
//! shown as "12.345 m³" parses back, without its unit, to the same volume.
#![no_main]

use doorstep_core::household::Volume;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(volume) = Volume::parse_cubic_metres(text) {
        let shown = volume.to_string();
        let number = shown.strip_suffix(" m³").expect("a volume is shown in m³");
        let again = Volume::parse_cubic_metres(number).expect("a shown volume parses");
        assert_eq!(again, volume);
    }
});
