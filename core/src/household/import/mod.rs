//! The household file the customer system exports (一户一档): a CSV file, UTF-8, with a header
//! row; its columns are listed in `docs/admin.md`. Reading it is pure: bytes in, every row or
//! every problem out, each problem named by its line and column and never repeating a value.
//! Matching rows with the households already on the server is the server's part; [`merge`]
//! is the rule it applies to each.
//!
//! The file's columns and a line's problems are in `columns`; reading one line, column group
//! by column group, in `row`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::geo::GeoPoint;
use crate::household::{
    Address, Category, Household, Phone, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
};
use crate::ids::{DistrictId, HouseholdId};
use crate::text::said;

mod columns;
mod readings;
mod row;
#[cfg(test)]
mod tests;

use columns::Columns;
pub use columns::{HOUSEHOLD_COLUMNS, HOUSEHOLD_COLUMNS_ZH, LineError, REQUIRED_COLUMNS};
pub use readings::{READING_COLUMNS, ReadingRow, parse_readings_csv};
use row::parse_row;

/// One parsed line of the file. `None` in an optional field: the cell was empty, and the
/// household keeps what the server has (a new household: nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The line of the file the row starts on.
    pub line: u64,
    pub customer_number: String,
    pub name: String,
    pub phones: Option<Vec<Phone>>,
    pub district_id: Option<DistrictId>,
    pub address: Address,
    pub location: Option<GeoPoint>,
    pub category: Category,
    pub gas_on_date: Option<NaiveDate>,
    pub last_inspection_at: Option<DateTime<Utc>>,
    pub special_groups: Option<Vec<SpecialGroup>>,
    pub supply: Option<SupplyStatus>,
}

///
/// `now` is when the file is imported: a last inspection after it is refused. A row that
/// passes holds a household that is valid on its own (as if it were new); whether its district
/// exists, and what it becomes merged with the household the server has, are checked later.
pub fn parse_household_csv(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<ImportRow>, Vec<LineError>> {
    let mut rows = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    read_rows(
        bytes,
        Columns::from_header,
        |columns, record, line, errors| {
            // A repeated customer number is found even on a line with other problems.
            let customer_number = columns
                .0
                .get("customer_number")
                .and_then(|i| record.get(*i))
                .and_then(|cell| std::str::from_utf8(cell).ok())
                .map(str::trim)
                .filter(|n| !n.is_empty());
            if let Some(number) = customer_number {
                match first_line.get(number) {
                    Some(first) => errors.push(LineError::new(
                        line,
                        "customer_number",
                        said(
                            format!("与第{first}行的用户编号相同"),
                            format!("the same customer number as line {first}"),
                        ),
                    )),
                    None => {
                        first_line.insert(number.to_owned(), line);
                    }
                }
            }
            match parse_row(columns, record, line, now) {
                Ok(row) => rows.push(row),
                Err(mut e) => errors.append(&mut e),
            }
        },
    )?;
    Ok(rows)
}

/// Walks a CSV file as a spreadsheet saves it (UTF-8, perhaps with Excel's byte-order mark, a
/// header row, CRLF or LF line ends): `header` reads the header row (its line given), then
/// `row` reads each line that is not blank and has as many cells as the header, with its line
/// as an editor numbers it, and adds its problems to the list. Every problem of the file is
/// returned, or none.
fn read_rows<H>(
    bytes: &[u8],
    header: impl FnOnce(&csv::ByteRecord, u64) -> Result<H, Vec<LineError>>,
    mut row: impl FnMut(&H, &csv::ByteRecord, u64, &mut Vec<LineError>),
) -> Result<(), Vec<LineError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Flexible: a line of spaces is one cell, and blank; the number of cells of every other
    // line is checked below, after the blank ones are skipped.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let mut lines = LineCounter::new(bytes);
    let head = match records.next() {
        None => {
            return Err(vec![LineError::new(
                1,
                "header",
                said("文件是空的", "the file is empty"),
            )]);
        }
        Some(Err(e)) => return Err(vec![csv_error(e, &mut lines)]),
        Some(Ok(head)) => head,
    };
    let read = header(&head, lines.line_of(head.position()))?;
    let mut errors = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(e, &mut lines));
                continue;
            }
        };
        let line = lines.line_of(record.position());
        if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue; // a blank line (a row of empty cells, as spreadsheets save them)
        }
        if record.len() != head.len() {
            let (len, expected_len) = (record.len(), head.len());
            errors.push(LineError::new(
                line,
                "row",
                said(
                    format!("有{len}格，表头有{expected_len}格"),
                    format!("has {len} cells, the header has {expected_len}"),
                ),
            ));
            continue;
        }
        row(&read, &record, line, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Counts lines as an editor shows them, so that a problem names the line the operator finds.
///
/// The csv reader's own count is one short for every record after a CRLF line end (Excel's
/// "CSV UTF-8") and leaves out the blank lines it skips before a record. The byte offset where
/// it started reading a record is exact: the record's line is counted from there.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Where counting stopped, and the line there.
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line a record (or a problem with one) starts on; records come in order.
    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // The reader starts a record where the one before ended: after its `\r` but before
        // the `\n` of a CRLF, and before the blank lines it then skips.
        while let Some(b'\r' | b'\n') = self.text.get(start) {
            start += 1;
        }
        if start > self.offset {
            for (i, byte) in self.text[self.offset..start].iter().enumerate() {
                let next = self.text.get(self.offset + i + 1);
                // `\n`, `\r\n` and a lone `\r` each end a line, as they end a record.
                if *byte == b'\n' || (*byte == b'\r' && next != Some(&b'\n')) {
                    self.line += 1;
                }
            }
            self.offset = start;
        }
        self.line
    }
}

/// A CSV syntax error, without the content of the line.
fn csv_error(e: csv::Error, lines: &mut LineCounter<'_>) -> LineError {
    let line = lines.line_of(e.position());
    // Rows of any length are read (the reader is flexible); what is left is bad CSV.
    LineError::new(
        line,
        "row",
        said("无法按 CSV 读取", "cannot be read as CSV"),
    )
}

/// The household after the import of `row`: the file's columns over what the server has.
///
/// The name, address and category are replaced; an empty optional cell keeps the stored value;
/// the meter, appliances and history are never touched; a shut-off or a disconnection is
/// changed only by the forms in the field; the last inspection never moves back in time.
pub fn merge(existing: Option<&Household>, row: &ImportRow, today: NaiveDate) -> Household {
    let mut h = existing.cloned().unwrap_or_else(|| Household {
        id: HouseholdId::new(),
        customer_number: row.customer_number.clone(),
        name: String::new(),
        phones: Vec::new(),
        address: Address::default(),
        location: None,
        district_id: None,
        category: row.category,
        meter: None,
        appliances: Vec::new(),
        supply: SupplyStatus::Active,
        gas_on_date: None,
        last_inspection_at: None,
        special_group: None,
    });
    h.name = row.name.clone();
    h.address = row.address.clone();
    h.category = row.category;
    if let Some(phones) = &row.phones {
        h.phones = phones.clone();
    }
    if let Some(d) = row.district_id {
        h.district_id = Some(d);
    }
    if let Some(p) = row.location {
        h.location = Some(p);
    }
    if let Some(d) = row.gas_on_date {
        h.gas_on_date = Some(d);
    }
    if let Some(t) = row.last_inspection_at {
        h.last_inspection_at = h.last_inspection_at.max(Some(t));
    }
    if let Some(groups) = &row.special_groups {
        match &mut h.special_group {
            Some(registration) => registration.groups = groups.clone(),
            None => {
                h.special_group = Some(SpecialGroupRegistration {
                    groups: groups.clone(),
                    needs: String::new(),
                    contact: None,
                    // The service center lists a person only with their consent on file.
                    consent_given: true,
                    registered_on: today,
                })
            }
        }
    }
    if let Some(supply) = &row.supply
        && matches!(h.supply, SupplyStatus::Active | SupplyStatus::NotConnected)
    {
        h.supply = supply.clone();
    }
    h
}
