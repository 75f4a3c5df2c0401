//! Proves that checking a scanned code (`doorstep_core::scan::check`) never panics on any text
//! under any format; that an accepted code fits its format (length, prefix, check digit) and
//! checks again unchanged; and that a refusal names the kind's field.
#![no_main]

use doorstep_core::scan::{CheckDigit, CodeFormat, CodeKind, ScanFormats, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // The first byte picks the kind and the format; the rest is the scanned text.
    let kind = [
        CodeKind::CustomerCard,
        CodeKind::MeterSerial,
        CodeKind::SealNumber,
    ][usize::from(selector % 3)];
    let check_digit = [
        CheckDigit::None,
        CheckDigit::Luhn,
        CheckDigit::Iso7064Mod11_2,
    ][usize::from(selector / 3 % 3)];
    let format = CodeFormat {
        prefix: if selector & 0x40 != 0 {
            "HZ".into()
        } else {
            String::new()
        },
        min_len: usize::from(selector & 0x07),
        max_len: 32,
        digits_only: selector & 0x80 != 0,
        check_digit,
    };
    let formats = ScanFormats {
        customer_card: format.clone(),
        meter_serial: format.clone(),
        seal_number: format.clone(),
    };
    match check(kind, text, &formats) {
        Ok(code) => {
            let length = code.chars().count();
            assert!(length >= format.min_len.max(1) && length <= format.max_len);
            assert!(code.starts_with(&format.prefix));
            assert_eq!(
                check(kind, &code, &formats).as_ref(),
                Ok(&code),
                "a checked code checks again"
            );
        }
        Err(e) => assert_eq!(e.field, kind.field()),
    }
});
