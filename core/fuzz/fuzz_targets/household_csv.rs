//! Proves that reading a household CSV file (`doorstep admin household import`) never panics on
//! any bytes; that every problem names a line of the file (from 1, the header, to its last);
//! and that every row it accepts names a line after the header, in order, and holds a valid
//! household.
#![no_main]

use chrono::{DateTime, Local, Utc};
use doorstep_core::household::import::{merge, parse_household_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = DateTime::<Utc>::from_timestamp(1_772_000_000, 0).expect("a fixed time");
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    // `\n`, `\r\n` and a lone `\r` each end a line.
    let last_line = 1 + text
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n')))
        .count() as u64;
    match parse_household_csv(data, now) {
        Ok(rows) => {
            let mut after = 1;
            for row in &rows {
                assert!(
                    row.line > after && row.line <= last_line,
                    "row at line {}",
                    row.line
                );
                after = row.line;
                merge(None, row, now.with_timezone(&Local).date_naive())
                    .validate()
                    .expect("an accepted row is a valid household");
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused file names a problem");
            for e in &errors {
                assert!(
                    (1..=last_line).contains(&e.line),
                    "line {} of {last_line}: {e}",
                    e.line
                );
                assert!(e.to_string().starts_with(&format!("line {}: ", e.line)));
            }
        }
    }
});
