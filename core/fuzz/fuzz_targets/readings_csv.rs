//! Proves that reading a meter readings CSV file (`doorstep admin reading import`) never panics
//! on any bytes; that every problem names a line of the file; and that every row it accepts
//! names a line after the header, in order, and is a reading a field reading could be (not
//! negative, not in the future).
#![no_main]

use chrono::{DateTime, Utc};
use doorstep_core::household::MeterReading;
use doorstep_core::household::import::parse_readings_csv;
use doorstep_core::ids::HouseholdId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = DateTime::<Utc>::from_timestamp(1_772_000_000, 0).expect("a fixed time");
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let last_line = 1 + text
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n')))
        .count() as u64;
    match parse_readings_csv(data, now) {
        Ok(rows) => {
            let mut after = 1;
            for row in &rows {
                assert!(
                    row.line > after && row.line <= last_line,
                    "row at line {}",
                    row.line
                );
                after = row.line;
                MeterReading {
                    household_id: HouseholdId::default(),
                    taken_at: row.taken_at,
                    value: row.value,
                    source: row.source,
                }
                .validate(now)
                .expect("an accepted row is a valid reading");
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
