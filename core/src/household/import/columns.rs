//! The file's columns: their names in English and Chinese, where each is in a file's header
//! row, and a problem named by its line and column.

use std::collections::HashMap;
use std::fmt;

use crate::InvalidInput;
use crate::forms::Text;
use crate::words::said;

/// The columns of a household CSV file; see `docs/admin.md`.
pub const HOUSEHOLD_COLUMNS: [&str; 16] = [
    "customer_number",
    "name",
    "phone",
    "district_id",
    "address_district",
    "street",
    "building",
    "unit",
    "room",
    "lat",
    "lon",
    "category",
    "gas_on_date",
    "last_inspection_at",
    "special_group",
    "supply",
];

/// The Chinese names a header row may give the columns instead (a service center's own
/// spreadsheets are headed in Chinese), each beside the column it names.
pub const HOUSEHOLD_COLUMNS_ZH: [(&str, &[&str]); 16] = [
    ("customer_number", &["户号", "用户编号"]),
    ("name", &["户名", "姓名"]),
    ("phone", &["电话", "联系电话"]),
    ("district_id", &["片区编号"]),
    ("address_district", &["区", "所在区"]),
    ("street", &["街道门牌", "街道"]),
    ("building", &["楼栋", "栋"]),
    ("unit", &["单元"]),
    ("room", &["室", "房号"]),
    ("lat", &["纬度"]),
    ("lon", &["经度"]),
    ("category", &["用户类别", "类别"]),
    ("gas_on_date", &["通气日期"]),
    ("last_inspection_at", &["上次安检时间"]),
    ("special_group", &["特殊群体"]),
    ("supply", &["供气状态"]),
];

/// The column a header cell names, in English (any case) or Chinese.
fn column_named(cell: &str) -> Option<&'static str> {
    HOUSEHOLD_COLUMNS
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(cell))
        .or_else(|| {
            HOUSEHOLD_COLUMNS_ZH
                .into_iter()
                .find(|(_, zh)| zh.contains(&cell))
                .map(|(c, _)| c)
        })
}

pub const REQUIRED_COLUMNS: [&str; 5] = [
    "customer_number",
    "name",
    "address_district",
    "street",
    "category",
];

/// A problem with one line of the file: the line, the column, the reason; never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line of the file, counted from 1 (the header row); a row whose cells span several
    /// lines is named by its first.
    pub line: u64,
    /// The column's name, or where the problem is when no column is to blame (`row`, `header`,
    /// `column N`).
    pub column: String,
    /// What is wrong, in English.
    pub reason: String,
    /// The same in Chinese.
    pub reason_zh: String,
}

/// In English: `line 4: phone: …`; [`LineError::zh`] gives the Chinese.
impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.column, self.reason)
    }
}

impl LineError {
    pub fn new(line: u64, column: &str, reason: Text) -> Self {
        Self {
            line,
            column: column.to_owned(),
            reason: reason.en,
            reason_zh: reason.zh,
        }
    }

    /// A core validation error, named by the CSV column it comes from.
    pub fn invalid(line: u64, e: InvalidInput) -> Self {
        Self::new(line, column_of(&e.field), e.said())
    }

    /// The problem in Chinese: `第4行 phone：…`.
    pub fn zh(&self) -> String {
        format!("第{}行 {}：{}", self.line, self.column, self.reason_zh)
    }
}

/// The CSV column a core field path comes from.
pub(super) fn column_of(field: &str) -> &str {
    match field {
        "household.customer_number" => "customer_number",
        "household.name" => "name",
        "household.phones" | "phone" => "phone",
        "household.address.district" => "address_district",
        "household.address.street" => "street",
        "household.address.building" => "building",
        "household.address.unit" => "unit",
        "household.address.room" => "room",
        "household.category" => "category",
        f if f.starts_with("household.special_group") => "special_group",
        f => f,
    }
}

/// Where each column is in the file.
pub(super) struct Columns(pub(super) HashMap<&'static str, usize>);

impl Columns {
    pub(super) fn from_header(header: &csv::ByteRecord, line: u64) -> Result<Self, Vec<LineError>> {
        let mut errors = Vec::new();
        let mut at = HashMap::new();
        for (i, cell) in header.iter().enumerate() {
            let position = format!("column {}", i + 1);
            let name = std::str::from_utf8(cell).unwrap_or("").trim();
            // An unknown header cell is not repeated: a file without a header row would put a
            // customer's name here.
            match column_named(name) {
                Some(c) if at.contains_key(c) => {
                    errors.push(LineError::new(line, &position, said(format!("第{c}列重复"), format!("column {c} appears twice"))))
                }
                Some(c) => {
                    at.insert(c, i);
                }
                None => errors.push(LineError::new(
                    line,
                    &position,
                    said("未知的列名（第一行必须是表头；见 docs/admin.md）", "unknown column name (the first line must be the header row; see docs/admin.md)"),
                )),
            }
        }
        for required in REQUIRED_COLUMNS {
            if !at.contains_key(required) {
                errors.push(LineError::new(
                    line,
                    required,
                    said("缺少这一列", "missing column"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(Self(at))
        } else {
            Err(errors)
        }
    }
}
