//! Proves that reading an enrollment QR code (`doorstep_core::app::screens::enroll::read_qr`)
//! never panics on any text; that what it accepts is a usable code (4 to 64 letters, digits,
//! dashes or underscores) and, when present, an http(s) address without spaces; and that a
//! code it accepts reads again as itself.
#![no_main]

use doorstep_core::app::screens::enroll::read_qr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(scanned) = read_qr(text) else {
        return;
    };
    let code = &scanned.code;
    assert!((4..=64).contains(&code.len()));
    assert!(
        code.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    if let Some(server) = &scanned.server {
        assert!(server.starts_with("http://") || server.starts_with("https://"));
        assert!(!server.trim().contains(char::is_whitespace));
    }
    assert_eq!(read_qr(code).map(|s| s.code), Some(code.clone()));
});
