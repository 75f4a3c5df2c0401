//! Meter readings the billing system exports: a CSV file, UTF-8, with a header row naming the
//! columns `customer_number`, `taken_at` (RFC 3339), `value` (cubic metres, up to three
//! decimals) and, optionally, `source` (`technician`, the default: a meter reader's round;
//! `customer`, `remote_meter` or `estimated`). Chinese headers are read too (用户编号, 抄表时间,
//! 表读数, 来源). Reading it is pure, as the household file's is: every row or every problem,
//! each named by its line and column, never repeating a value. Which household a customer
//! number is, is the server's part.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::row::parse_time;
use super::{LineError, read_rows};
use crate::household::{ReadingSource, Volume};
use crate::text::said;

/// The columns of a readings file, as its header names them (English, then Chinese).
pub const READING_COLUMNS: [(&str, &str); 4] = [
    ("customer_number", "用户编号"),
    ("taken_at", "抄表时间"),
    ("value", "表读数"),
    ("source", "来源"),
];

/// One line of the readings file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingRow {
    pub line: u64,
    pub customer_number: String,
    pub taken_at: DateTime<Utc>,
    pub value: Volume,
    pub source: ReadingSource,
}

/// Reads a readings file: all its rows, or every problem found. `now` is when it is imported:
/// a reading taken after it is refused, as a field reading is (`MeterReading::validate`).
pub fn parse_readings_csv(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<ReadingRow>, Vec<LineError>> {
    let mut rows = Vec::new();
    // One reading per meter and moment: the same line twice is a mistake of the export.
    let mut first_line: HashMap<(String, DateTime<Utc>), u64> = HashMap::new();
    read_rows(
        bytes,
        columns,
        |columns, record, line, errors| match parse_row(columns, record, line, now) {
            Ok(row) => {
                let key = (row.customer_number.clone(), row.taken_at);
                if let Some(first) = first_line.get(&key) {
                    errors.push(LineError::new(
                        line,
                        "taken_at",
                        said(
                            format!("与第{first}行是同一户同一时间的读数"),
                            format!("the same household and time as line {first}"),
                        ),
                    ));
                } else {
                    first_line.insert(key, line);
                    rows.push(row);
                }
            }
            Err(mut e) => errors.append(&mut e),
        },
    )?;
    Ok(rows)
}

/// Where each column is: index by English name.
fn columns(
    header: &csv::ByteRecord,
    line: u64,
) -> Result<HashMap<&'static str, usize>, Vec<LineError>> {
    let mut found = HashMap::new();
    let mut errors = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(cell);
        let name = name.trim();
        match READING_COLUMNS
            .iter()
            .find(|(en, zh)| name == *en || name == *zh)
        {
            Some((en, _)) if found.insert(*en, i).is_some() => errors.push(LineError::new(
                line,
                en,
                said("表头中出现两次", "appears twice in the header"),
            )),
            Some(_) => {}
            None => errors.push(LineError::new(
                line,
                &format!("column {}", i + 1),
                said(
                    "未知的列：可用 customer_number、taken_at、value、source",
                    "unknown column: use customer_number, taken_at, value, source",
                ),
            )),
        }
    }
    for required in ["customer_number", "taken_at", "value"] {
        if !found.contains_key(required) {
            errors.push(LineError::new(
                line,
                required,
                said("缺少这一列", "this column is missing"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

fn parse_row(
    columns: &HashMap<&'static str, usize>,
    record: &csv::ByteRecord,
    line: u64,
    now: DateTime<Utc>,
) -> Result<ReadingRow, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut cell = |column: &'static str| -> Option<String> {
        let bytes = record.get(*columns.get(column)?)?;
        match std::str::from_utf8(bytes) {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(text.trim().to_owned()),
            Err(_) => {
                errors.push(LineError::new(
                    line,
                    column,
                    said("不是 UTF-8 文字", "is not UTF-8 text"),
                ));
                None
            }
        }
    };
    let (number, taken_at, value, source) = (
        cell("customer_number"),
        cell("taken_at"),
        cell("value"),
        cell("source"),
    );
    let mut problem = |column: &str, reason| errors.push(LineError::new(line, column, reason));
    let customer_number = match number {
        Some(n) => match crate::household::validate_code("customer_number", &n) {
            Ok(()) => Some(n),
            Err(e) => {
                problem("customer_number", e.said());
                None
            }
        },
        None => {
            problem("customer_number", said("不能为空", "must not be empty"));
            None
        }
    };
    let taken_at = match taken_at.as_deref().map(parse_time) {
        Some(Ok(t)) if t > now + chrono::Duration::minutes(5) => {
            problem("taken_at", said("晚于现在", "is in the future"));
            None
        }
        Some(Ok(t)) => Some(t),
        Some(Err(reason)) => {
            problem("taken_at", reason);
            None
        }
        None => {
            problem("taken_at", said("不能为空", "must not be empty"));
            None
        }
    };
    let value = match value.as_deref().map(Volume::parse_cubic_metres) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            problem("value", e.said());
            None
        }
        None => {
            problem("value", said("不能为空", "must not be empty"));
            None
        }
    };
    let source = match source.as_deref() {
        None => Some(ReadingSource::Technician),
        Some(s) => match ReadingSource::ALL.into_iter().find(|r| r.as_str() == s) {
            Some(r) => Some(r),
            None => {
                problem(
                    "source",
                    said(
                        "请用 technician、customer、remote_meter 或 estimated",
                        "use technician, customer, remote_meter or estimated",
                    ),
                );
                None
            }
        },
    };
    match (customer_number, taken_at, value, source) {
        (Some(customer_number), Some(taken_at), Some(value), Some(source)) if errors.is_empty() => {
            Ok(ReadingRow {
                line,
                customer_number,
                taken_at,
                value,
                source,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_billing_export_of_readings_is_read_row_by_row() {
        let file = "customer_number,taken_at,value\r\nHZ000001,2026-11-01T09:00:00+08:00,1234.5\r\n\r\nHZ000002,2026-11-02T09:00:00+08:00,12,\n";
        // The last line has a cell too many.
        let errors = parse_readings_csv(file.as_bytes(), now()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "line 4: row: has 4 cells, the header has 3"
        );

        let file = "\u{feff}用户编号,抄表时间,表读数,来源\nHZ000001,2026-11-01T09:00:00+08:00,1234.5,\nHZ000002,2026-11-02T01:00:00Z,12,estimated\n";
        let rows = parse_readings_csv(file.as_bytes(), now()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, Volume::from_litres(1_234_500));
        assert_eq!(rows[0].source, ReadingSource::Technician);
        assert_eq!(rows[1].source, ReadingSource::Estimated);
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_bad_cell_is_named_by_its_line_and_column_and_nothing_is_read() {
        let file = "customer_number,taken_at,value\n\
                    HZ 01,2026-11-01T09:00:00+08:00,1\n\
                    HZ000002,yesterday,1\n\
                    HZ000003,2027-01-01T00:00:00Z,1\n\
                    HZ000004,2026-11-01T09:00:00+08:00,-3\n\
                    HZ000005,2026-11-01T09:00:00+08:00,1\n\
                    HZ000005,2026-11-01T09:00:00+08:00,2\n";
        let errors = parse_readings_csv(file.as_bytes(), now()).unwrap_err();
        let said: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{}", e.line, e.column))
            .collect();
        assert_eq!(
            said,
            [
                "2:customer_number",
                "3:taken_at",
                "4:taken_at",
                "5:value",
                "7:taken_at"
            ]
        );
        assert!(
            errors.iter().all(|e| !e.reason.contains("HZ")),
            "no value repeated"
        );
    }

    #[test]
    fn a_header_without_a_needed_column_is_refused() {
        let errors = parse_readings_csv(b"customer_number,value,meter\n", now()).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["column 3", "taken_at"]);
    }
}
