//! The household file the customer system exports (一户一档): a CSV file, UTF-8, with a header
//! row; its columns are listed in `docs/admin.md`. Reading it is pure: bytes in, every row or
//! every problem out, each problem named by its line and column and never repeating a value.
//! Matching rows with the households already on the server is the server's part; [`merge`]
//! is the rule it applies to each.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::InvalidInput;
use crate::geo::GeoPoint;
use crate::household::{
    Address, Category, Household, Phone, SpecialGroup, SpecialGroupRegistration, SupplyStatus,
};
use crate::ids::{DistrictId, HouseholdId};
use crate::text::Text;
use crate::text::said;

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

/// The English value a Chinese one in a cell stands for (categories, special groups, supply),
/// or the cell as it is.
fn in_english(value: &str) -> &str {
    match value {
        "居民" => "residential",
        "商业" | "商户" => "commercial",
        "工业" => "industrial",
        "采暖" | "供暖" => "heating",
        "老" | "老年" | "老人" => "elderly",
        "弱" => "weak",
        "病" => "sick",
        "残" | "残疾" => "disabled",
        "正常供气" | "已通气" => "active",
        "未通气" => "not_connected",
        other => other,
    }
}

/// The columns every file must have (and every row must fill).
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
fn column_of(field: &str) -> &str {
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

/// Where each column is in the file.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn from_header(header: &csv::ByteRecord, line: u64) -> Result<Self, Vec<LineError>> {
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

/// Reads and checks every line of the file, without the database: the rows, or every problem.
///
/// `now` is when the file is imported: a last inspection after it is refused. A row that
/// passes holds a household that is valid on its own (as if it were new); whether its district
/// exists, and what it becomes merged with the household the server has, are checked later.
pub fn parse_household_csv(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<ImportRow>, Vec<LineError>> {
    // Excel's "CSV UTF-8" starts with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Flexible: a line of spaces is one cell, and blank; the number of cells of every other
    // line is checked below, after the blank ones are skipped.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let mut lines = LineCounter::new(bytes);
    let header = match records.next() {
        None => {
            return Err(vec![LineError::new(
                1,
                "header",
                said("文件是空的", "the file is empty"),
            )]);
        }
        Some(Err(e)) => return Err(vec![csv_error(e, &mut lines)]),
        Some(Ok(header)) => header,
    };
    let columns = Columns::from_header(&header, lines.line_of(header.position()))?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
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
        if record.len() != header.len() {
            let (len, expected_len) = (record.len(), header.len());
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
        match parse_row(&columns, &record, line, now) {
            Ok(row) => rows.push(row),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
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

fn parse_row(
    columns: &Columns,
    record: &csv::ByteRecord,
    line: u64,
    now: DateTime<Utc>,
) -> Result<ImportRow, Vec<LineError>> {
    let mut errors = Vec::new();
    // A cell, trimmed; None when the column is absent or the cell empty.
    let mut cell = |column: &'static str| -> Option<String> {
        let bytes = record.get(*columns.0.get(column)?)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
            Err(_) => {
                errors.push(LineError::new(
                    line,
                    column,
                    said(
                        "不是 UTF-8 文本（请另存为“CSV UTF-8”）",
                        "not UTF-8 text (save the file as \"CSV UTF-8\")",
                    ),
                ));
                None
            }
        }
    };
    let customer_number = cell("customer_number");
    let name = cell("name");
    let phone = cell("phone");
    let district_id = cell("district_id");
    let address = [
        cell("address_district"),
        cell("street"),
        cell("building"),
        cell("unit"),
        cell("room"),
    ];
    let (lat, lon) = (cell("lat"), cell("lon"));
    let category = cell("category");
    let gas_on_date = cell("gas_on_date");
    let last_inspection_at = cell("last_inspection_at");
    let special_group = cell("special_group");
    let supply = cell("supply");

    let mut required = |column: &'static str, value: Option<String>| {
        if value.is_none() {
            errors.push(LineError::new(
                line,
                column,
                said("不能为空", "must not be empty"),
            ));
        }
        value.unwrap_or_default()
    };
    let customer_number = required("customer_number", customer_number);
    let name = required("name", name);
    let [address_district, street, building, unit, room] = address;
    let address = Address {
        district: required("address_district", address_district),
        street: required("street", street),
        building: building.unwrap_or_default(),
        unit: unit.unwrap_or_default(),
        room: room.unwrap_or_default(),
    };
    let category = match category.as_deref().map(|c| Category::parse(in_english(c))) {
        None => {
            errors.push(LineError::new(
                line,
                "category",
                said("不能为空", "must not be empty"),
            ));
            Category::Residential
        }
        Some(Err(e)) => {
            errors.push(LineError::invalid(line, e));
            Category::Residential
        }
        Some(Ok(c)) => c,
    };

    let mut phones = None;
    if let Some(text) = phone {
        let mut parsed = Vec::new();
        for (i, number) in text
            .split([';', '；'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .enumerate()
        {
            match Phone::parse(number) {
                Ok(p) if !parsed.contains(&p) => parsed.push(p),
                Ok(_) => {}
                Err(e) => errors.push(LineError::new(
                    line,
                    "phone",
                    said(
                        format!("第{}个号码：{}", i + 1, e.reason_zh),
                        format!("number {}: {}", i + 1, e.reason),
                    ),
                )),
            }
        }
        phones = Some(parsed);
    }

    let district_id = district_id.and_then(|d| match d.parse::<DistrictId>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(LineError::new(
                line,
                "district_id",
                said("不是片区编号", "not a district id"),
            ));
            None
        }
    });

    let coordinate =
        |column: &str, text: &str, errors: &mut Vec<LineError>| match text.parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(LineError::new(
                    line,
                    column,
                    said(
                        "不是数字（WGS-84 十进制度）",
                        "not a number (decimal degrees, WGS-84)",
                    ),
                ));
                None
            }
        };
    let location = match (lat, lon) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(LineError::new(
                line,
                "lon",
                said("须与 lat 一起给出", "must be given with lat"),
            ));
            None
        }
        (None, Some(_)) => {
            errors.push(LineError::new(
                line,
                "lat",
                said("须与 lon 一起给出", "must be given with lon"),
            ));
            None
        }
        (Some(lat), Some(lon)) => {
            match (
                coordinate("lat", &lat, &mut errors),
                coordinate("lon", &lon, &mut errors),
            ) {
                (Some(lat), Some(lon)) => match GeoPoint::new(lat, lon) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errors.push(LineError::invalid(line, e));
                        None
                    }
                },
                _ => None,
            }
        }
    };

    let gas_on_date = gas_on_date.and_then(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(LineError::new(
                line,
                "gas_on_date",
                said(
                    "不是日期：请写成 YYYY-MM-DD",
                    "not a date: write YYYY-MM-DD",
                ),
            ));
            None
        }
    });

    let last_inspection_at = last_inspection_at.and_then(|t| match parse_time(&t) {
        Ok(t) if t > now => {
            errors.push(LineError::new(
                line,
                "last_inspection_at",
                said("晚于现在", "is in the future"),
            ));
            None
        }
        Ok(t) => Some(t),
        Err(reason) => {
            errors.push(LineError::new(line, "last_inspection_at", reason));
            None
        }
    });

    let special_groups = special_group.map(|text| {
        let mut groups = Vec::new();
        for name in text
            .split([';', '；'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match serde_json::from_value::<SpecialGroup>(serde_json::Value::String(
                in_english(name).to_owned(),
            )) {
                Ok(g) if !groups.contains(&g) => groups.push(g),
                Ok(_) => {}
                Err(_) => errors.push(LineError::new(
                    line,
                    "special_group",
                    said("未知的人群：可用 elderly（老年）、weak（体弱）、sick（患病）或 disabled（残障），用“;”分隔", "unknown group: use elderly, weak, sick or disabled, separated by ';'"),
                )),
            }
        }
        groups
    });

    let supply = supply.and_then(|s| match in_english(&s) {
        "active" => Some(SupplyStatus::Active),
        "not_connected" => Some(SupplyStatus::NotConnected),
        _ => {
            errors.push(LineError::new(
                line,
                "supply",
                said(
                    "请用 active（在用）或 not_connected（未通气）",
                    "use active or not_connected",
                ),
            ));
            None
        }
    });

    let row = ImportRow {
        line,
        customer_number,
        name,
        phones,
        district_id,
        address,
        location,
        category,
        gas_on_date,
        last_inspection_at,
        special_groups,
        supply,
    };
    if errors.is_empty() {
        // The rules of the file itself, as if the household were new.
        if let Err(e) = merge(None, &row, crate::calendar::local_date(now)).validate() {
            errors.push(LineError::invalid(line, e));
        }
    }
    if errors.is_empty() {
        Ok(row)
    } else {
        Err(errors)
    }
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

/// A time in RFC 3339, as the `last_inspection_at` column holds it.
fn parse_time(text: &str) -> Result<DateTime<Utc>, Text> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            said(
                "时间请按 RFC 3339 书写，例如 2026-03-01T09:30:00+08:00",
                "write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00",
            )
        })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::household::ShutOffReason;
    use crate::text::said;

    fn row(now: DateTime<Utc>, extra_header: &str, extra: &str) -> ImportRow {
        let text = format!(
            "customer_number,name,address_district,street,category{extra_header}\n\
             HZ-1,张伟,西湖区,文三路88号,residential{extra}\n"
        );
        parse_household_csv(text.as_bytes(), now).unwrap().remove(0)
    }

    fn problems(text: &[u8]) -> Vec<String> {
        parse_household_csv(text, Utc::now())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_spreadsheet_export_reads_every_column() {
        let district = DistrictId::new();
        let text = format!(
            "\u{feff}Customer_Number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group,supply\r\n\
             HZ-1, 张伟 ,13812345678；0571-87654321;13812345678,{district},西湖区,文三路88号,3幢,2单元,501,30.27,120.12,residential,2019-05-01,2025-06-01T10:00:00+08:00,elderly;disabled；elderly,not_connected\r\n\
             ,,,,,,,,,,,,,,,\r\n\
             \r\n\
             \"HZ-2\",\"李\"\"娜\"\"\",,,西湖区,\"文三路90号,东门\",,,,,,commercial,,,,\r\n\
             HZ-3,王芳,,,拱墅区,湖墅南路1号,,,,,,heating,,,,\r\n"
        );
        let rows = parse_household_csv(text.as_bytes(), Utc::now()).unwrap();
        assert_eq!(rows.len(), 3);
        let first = &rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.name, "张伟");
        assert_eq!(first.phones.as_ref().unwrap().len(), 2);
        assert_eq!(first.district_id, Some(district));
        assert_eq!(first.address.unit, "2单元");
        assert_eq!(first.location.unwrap().lat(), 30.27);
        assert_eq!(first.gas_on_date, NaiveDate::from_ymd_opt(2019, 5, 1));
        assert_eq!(
            first.last_inspection_at,
            Some(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap())
        );
        assert_eq!(
            first.special_groups,
            Some(vec![SpecialGroup::Elderly, SpecialGroup::Disabled])
        );
        assert_eq!(first.supply, Some(SupplyStatus::NotConnected));
        let second = &rows[1];
        assert_eq!(second.line, 5, "blank lines still count");
        assert_eq!(second.name, "李\"娜\"");
        assert_eq!(second.address.street, "文三路90号,东门");
        assert_eq!(second.phones, None);
        assert_eq!(second.category, Category::Commercial);
        assert_eq!(rows[2].line, 6);
    }

    #[test]
    fn a_file_headed_in_chinese_reads_as_the_same_file_headed_in_english() {
        let body = "HZ-1,张伟,13812345678,西湖区,文三路88号,3,2,501,30.27,120.12,residential,2019-05-01,elderly\n";
        let english = format!(
            "customer_number,name,phone,address_district,street,building,unit,room,lat,lon,category,gas_on_date,special_group\n{body}"
        );
        let chinese = format!(
            "户号,户名,联系电话,区,街道门牌,楼栋,单元,室,纬度,经度,用户类别,通气日期,特殊群体\n{body}"
        );
        let now = Utc::now();
        assert_eq!(
            parse_household_csv(chinese.as_bytes(), now).unwrap(),
            parse_household_csv(english.as_bytes(), now).unwrap()
        );
        // Values may be written in Chinese too.
        let values = "户号,户名,区,街道,类别,特殊群体,供气状态\nHZ-1,张伟,西湖区,文三路88号,采暖,老；残,未通气\n";
        let row = parse_household_csv(values.as_bytes(), now)
            .unwrap()
            .remove(0);
        assert_eq!(row.category, Category::Heating);
        assert_eq!(
            row.special_groups,
            Some(vec![SpecialGroup::Elderly, SpecialGroup::Disabled])
        );
        assert_eq!(row.supply, Some(SupplyStatus::NotConnected));
        // One column named twice, once in each language, is still one column twice.
        assert!(
            problems("户号,customer_number,name,address_district,street,category\n".as_bytes())
                .contains(&"line 1: column 2: column customer_number appears twice".to_owned())
        );
        // Every column has a Chinese name, and no two columns share one.
        let mut seen = std::collections::HashSet::new();
        for (column, names) in HOUSEHOLD_COLUMNS_ZH {
            assert!(HOUSEHOLD_COLUMNS.contains(&column));
            for name in names {
                assert!(seen.insert(*name), "{name} names two columns");
            }
        }
        assert_eq!(HOUSEHOLD_COLUMNS_ZH.len(), HOUSEHOLD_COLUMNS.len());
    }

    #[test]
    fn a_problem_names_the_line_an_editor_shows_whatever_the_line_ends() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "",
                "customer_number,name,address_district,street,category",
                "HZ-1,张伟,西湖区,文三路88号,residential",
                ",,,,",
                "",
                "HZ-2,李娜,西湖区,\"文三路",
                "90号\",residential",
                "HZ-3,王芳,西湖区,文三路88号",
                "",
                "HZ-3,王芳,西湖区,文三路88号,villa",
            ]
            .join(end);
            assert_eq!(
                problems(text.as_bytes()),
                [
                    "line 6: street: must not contain control characters",
                    "line 8: row: has 4 cells, the header has 5",
                    "line 10: category: unknown category: use residential, commercial, industrial or heating",
                ],
                "{end:?}"
            );
            assert_eq!(
                problems(format!("{end}{end}王秀英{end}").as_bytes())[0],
                "line 3: column 1: unknown column name (the first line must be the header row; see docs/admin.md)",
            );
        }
    }

    #[test]
    fn every_problem_of_every_line_is_reported_without_its_value() {
        let text = "customer_number,name,phone,address_district,street,lat,lon,category,gas_on_date,last_inspection_at,special_group,supply,district_id\n\
                    HZ-1,张伟,12345;13812345678,西湖区,文三路88号,30.27,,residential,,,,,\n\
                    HZ-2,,,西湖区,文三路88号,north,120.1,villa,2019-13-01,2999-01-01T00:00:00Z,young,off,not-an-id\n\
                    HZ-1,王芳,,西湖区,文三路88号,95,120.1,residential,,yesterday,,,\n";
        assert_eq!(
            problems(text.as_bytes()),
            [
                "line 2: phone: number 1: not a mobile number (11 digits starting 13–19) or a landline with area code",
                "line 2: lon: must be given with lat",
                "line 3: name: must not be empty",
                "line 3: category: unknown category: use residential, commercial, industrial or heating",
                "line 3: district_id: not a district id",
                "line 3: lat: not a number (decimal degrees, WGS-84)",
                "line 3: gas_on_date: not a date: write YYYY-MM-DD",
                "line 3: last_inspection_at: is in the future",
                "line 3: special_group: unknown group: use elderly, weak, sick or disabled, separated by ';'",
                "line 3: supply: use active or not_connected",
                "line 4: customer_number: the same customer number as line 2",
                "line 4: lat: latitude must be between -90 and 90 degrees",
                "line 4: last_inspection_at: write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00",
            ]
        );
    }

    #[test]
    fn a_file_without_its_header_row_names_columns_not_values() {
        let text = "HZ-1,张伟,西湖区,文三路88号,residential\n";
        let errors = problems(text.as_bytes());
        assert!(errors.iter().all(|e| e.starts_with("line 1: ")));
        assert!(errors.iter().all(|e| !e.contains("张伟")));
        assert!(errors.contains(&"line 1: customer_number: missing column".to_owned()));
        assert_eq!(
            problems(b"name,Name,customer_number,address_district,street,category\n"),
            ["line 1: column 2: column name appears twice"]
        );
        assert_eq!(problems(b""), ["line 1: header: the file is empty"]);
    }

    #[test]
    fn a_row_of_the_wrong_length_or_not_utf8_is_named() {
        let mut text = b"customer_number,name,address_district,street,category\n\
                         HZ-1,\xd5\xc5\xce\xb0,x,y,residential\n\
                         HZ-2,a,b\n"
            .to_vec();
        text.extend_from_slice(b"HZ-3,a,b,c,residential\n");
        assert_eq!(
            problems(&text),
            [
                "line 2: name: not UTF-8 text (save the file as \"CSV UTF-8\")",
                "line 2: name: must not be empty",
                "line 3: row: has 3 cells, the header has 5",
            ]
        );
    }

    /// An office clerk's file ends with a line of spaces, or has one between rows: blank, as
    /// docs/admin.md says, so skipped; the rows around it import.
    #[test]
    fn a_line_of_spaces_is_blank() {
        let text = b"customer_number,name,address_district,street,category\n\
                     HZ-1,a,b,c,residential\n \t\n\
                     HZ-2,a,b,c,residential\n  \n";
        let rows = parse_household_csv(text, Utc::now()).expect("imports");
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_line_error_reads_line_column_reason() {
        let e = LineError::invalid(
            7,
            InvalidInput::new(
                "household.address.room",
                said("最多16个字符", "must be at most 16 characters"),
            ),
        );
        assert_eq!(e.to_string(), "line 7: room: must be at most 16 characters");
    }

    #[test]
    fn a_re_import_never_moves_the_last_inspection_back_nor_reopens_a_shut_off() {
        let now = Utc::now();
        let today = now.date_naive();
        let first = row(
            now,
            ",last_inspection_at,supply",
            ",2025-06-01T10:00:00+08:00,active",
        );
        let mut h = merge(None, &first, today);
        h.supply = SupplyStatus::ShutOff {
            reason: ShutOffReason::Hazard,
            since: now,
        };
        let stale = row(
            now,
            ",last_inspection_at,supply",
            ",2024-01-01T10:00:00+08:00,active",
        );
        let again = merge(Some(&h), &stale, today);
        assert_eq!(again.last_inspection_at, h.last_inspection_at);
        assert_eq!(again.supply.kind(), "shut_off");
        assert_eq!(again.id, h.id);
    }

    #[test]
    fn an_empty_optional_cell_keeps_what_the_server_has() {
        let now = Utc::now();
        let today = now.date_naive();
        let h = merge(
            None,
            &row(now, ",phone,lat,lon", ",13812345678,30.27,120.12"),
            today,
        );
        let again = merge(Some(&h), &row(now, ",phone,lat,lon", ",,,"), today);
        assert_eq!(again.phones, h.phones);
        assert_eq!(again.location, h.location);
    }

    #[test]
    fn a_core_field_is_reported_as_its_csv_column() {
        assert_eq!(column_of("household.address.street"), "street");
        assert_eq!(column_of("household.special_group.groups"), "special_group");
        assert_eq!(column_of("lat"), "lat");
    }
}
