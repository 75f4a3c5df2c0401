//! One line of the household file into an [`ImportRow`]: each group of columns read by its own
//! function, every problem of the line collected (named by its column, never its value).

use chrono::{DateTime, NaiveDate, Utc};

use super::columns::Columns;
use super::{ImportRow, LineError, merge};
use crate::geo::GeoPoint;
use crate::household::{Address, Category, Phone, SpecialGroup, SupplyStatus};
use crate::ids::DistrictId;
use crate::text::Text;
use crate::text::said;

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

/// The cells of a line, trimmed; `None` for an absent column or an empty cell.
struct Cells {
    customer_number: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    district_id: Option<String>,
    address: [Option<String>; 5],
    lat: Option<String>,
    lon: Option<String>,
    category: Option<String>,
    gas_on_date: Option<String>,
    last_inspection_at: Option<String>,
    special_group: Option<String>,
    supply: Option<String>,
}

/// A line being read: where it is, and its problems so far.
struct Line {
    line: u64,
    errors: Vec<LineError>,
}

pub(super) fn parse_row(
    columns: &Columns,
    record: &csv::ByteRecord,
    line: u64,
    now: DateTime<Utc>,
) -> Result<ImportRow, Vec<LineError>> {
    let mut l = Line {
        line,
        errors: Vec::new(),
    };
    let cells = l.cells(columns, record);
    let customer_number = l.required("customer_number", cells.customer_number);
    let name = l.required("name", cells.name);
    let address = l.address(cells.address);
    let category = l.category(cells.category);
    let phones = cells.phone.map(|text| l.phones(&text));
    let district_id = cells.district_id.and_then(|d| l.district_id(&d));
    let location = l.location(cells.lat, cells.lon);
    let gas_on_date = cells.gas_on_date.and_then(|d| l.gas_on_date(&d));
    let last_inspection_at = cells
        .last_inspection_at
        .and_then(|t| l.last_inspection_at(&t, now));
    let special_groups = cells.special_group.map(|text| l.special_groups(&text));
    let supply = cells.supply.and_then(|s| l.supply(&s));

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
    if l.errors.is_empty() {
        // The rules of the file itself, as if the household were new.
        if let Err(e) = merge(None, &row, crate::calendar::local_date(now)).validate() {
            l.errors.push(LineError::invalid(line, e));
        }
    }
    if l.errors.is_empty() {
        Ok(row)
    } else {
        Err(l.errors)
    }
}

impl Line {
    fn problem(&mut self, column: &str, reason: Text) {
        self.errors.push(LineError::new(self.line, column, reason));
    }

    /// Every cell of the line, in the file's column order, so that problems keep that order.
    fn cells(&mut self, columns: &Columns, record: &csv::ByteRecord) -> Cells {
        let mut cell = |column: &'static str| self.cell(columns, record, column);
        Cells {
            customer_number: cell("customer_number"),
            name: cell("name"),
            phone: cell("phone"),
            district_id: cell("district_id"),
            address: [
                cell("address_district"),
                cell("street"),
                cell("building"),
                cell("unit"),
                cell("room"),
            ],
            lat: cell("lat"),
            lon: cell("lon"),
            category: cell("category"),
            gas_on_date: cell("gas_on_date"),
            last_inspection_at: cell("last_inspection_at"),
            special_group: cell("special_group"),
            supply: cell("supply"),
        }
    }

    /// A cell, trimmed; `None` when the column is absent or the cell empty.
    fn cell(
        &mut self,
        columns: &Columns,
        record: &csv::ByteRecord,
        column: &'static str,
    ) -> Option<String> {
        let bytes = record.get(*columns.0.get(column)?)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
            Err(_) => {
                self.problem(
                    column,
                    said(
                        "不是 UTF-8 文本（请另存为“CSV UTF-8”）",
                        "not UTF-8 text (save the file as \"CSV UTF-8\")",
                    ),
                );
                None
            }
        }
    }

    fn required(&mut self, column: &str, value: Option<String>) -> String {
        if value.is_none() {
            self.problem(column, said("不能为空", "must not be empty"));
        }
        value.unwrap_or_default()
    }

    fn address(&mut self, cells: [Option<String>; 5]) -> Address {
        let [district, street, building, unit, room] = cells;
        Address {
            district: self.required("address_district", district),
            street: self.required("street", street),
            building: building.unwrap_or_default(),
            unit: unit.unwrap_or_default(),
            room: room.unwrap_or_default(),
        }
    }

    /// The category; residential stands in for a missing or unknown one (the line is refused).
    fn category(&mut self, cell: Option<String>) -> Category {
        match cell.as_deref().map(|c| Category::parse(in_english(c))) {
            None => {
                self.problem("category", said("不能为空", "must not be empty"));
                Category::Residential
            }
            Some(Err(e)) => {
                self.errors.push(LineError::invalid(self.line, e));
                Category::Residential
            }
            Some(Ok(c)) => c,
        }
    }

    /// Numbers separated by `;` (or `；`), each normalised, repeats dropped.
    fn phones(&mut self, text: &str) -> Vec<Phone> {
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
                Err(e) => self.problem(
                    "phone",
                    said(
                        format!("第{}个号码：{}", i + 1, e.reason_zh),
                        format!("number {}: {}", i + 1, e.reason),
                    ),
                ),
            }
        }
        parsed
    }

    fn district_id(&mut self, text: &str) -> Option<DistrictId> {
        match text.parse::<DistrictId>() {
            Ok(id) => Some(id),
            Err(_) => {
                self.problem("district_id", said("不是片区编号", "not a district id"));
                None
            }
        }
    }

    /// Both coordinates or neither.
    fn location(&mut self, lat: Option<String>, lon: Option<String>) -> Option<GeoPoint> {
        match (lat, lon) {
            (None, None) => None,
            (Some(_), None) => {
                self.problem("lon", said("须与 lat 一起给出", "must be given with lat"));
                None
            }
            (None, Some(_)) => {
                self.problem("lat", said("须与 lon 一起给出", "must be given with lon"));
                None
            }
            (Some(lat), Some(lon)) => {
                match (self.coordinate("lat", &lat), self.coordinate("lon", &lon)) {
                    (Some(lat), Some(lon)) => match GeoPoint::new(lat, lon) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            self.errors.push(LineError::invalid(self.line, e));
                            None
                        }
                    },
                    _ => None,
                }
            }
        }
    }

    fn coordinate(&mut self, column: &str, text: &str) -> Option<f64> {
        match text.parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.problem(
                    column,
                    said(
                        "不是数字（WGS-84 十进制度）",
                        "not a number (decimal degrees, WGS-84)",
                    ),
                );
                None
            }
        }
    }

    fn gas_on_date(&mut self, text: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(
                    "gas_on_date",
                    said(
                        "不是日期：请写成 YYYY-MM-DD",
                        "not a date: write YYYY-MM-DD",
                    ),
                );
                None
            }
        }
    }

    /// A time in RFC 3339, not after `now` (when the file is imported).
    fn last_inspection_at(&mut self, text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match parse_time(text) {
            Ok(t) if t > now => {
                self.problem("last_inspection_at", said("晚于现在", "is in the future"));
                None
            }
            Ok(t) => Some(t),
            Err(reason) => {
                self.problem("last_inspection_at", reason);
                None
            }
        }
    }

    /// Groups separated by `;` (or `；`), in English or Chinese, repeats dropped.
    fn special_groups(&mut self, text: &str) -> Vec<SpecialGroup> {
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
                Err(_) => self.problem(
                    "special_group",
                    said(
                        "未知的人群：可用 elderly（老年）、weak（体弱）、sick（患病）或 disabled（残障），用“;”分隔",
                        "unknown group: use elderly, weak, sick or disabled, separated by ';'",
                    ),
                ),
            }
        }
        groups
    }

    /// Only a supply the file may set: in use, or not connected (a shut-off is the field's).
    fn supply(&mut self, text: &str) -> Option<SupplyStatus> {
        match in_english(text) {
            "active" => Some(SupplyStatus::Active),
            "not_connected" => Some(SupplyStatus::NotConnected),
            _ => {
                self.problem(
                    "supply",
                    said(
                        "请用 active（在用）或 not_connected（未通气）",
                        "use active or not_connected",
                    ),
                );
                None
            }
        }
    }
}

/// A time in RFC 3339, as the `last_inspection_at` column holds it.
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>, Text> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            said(
                "时间请按 RFC 3339 书写，例如 2026-03-01T09:30:00+08:00",
                "write a time as RFC 3339, e.g. 2026-03-01T09:30:00+08:00",
            )
        })
}
