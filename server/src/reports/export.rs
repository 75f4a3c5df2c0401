//! A report written out (issue 27): how each [`Cell`] reads, once for the console's page, the
//! CSV and the admin tool's TSV; the head every file starts with (the report, its unit, its
//! period, when it was made); and the files: CSV (UTF-8 with a BOM, so that Excel opens
//! Chinese correctly), XLSX (one sheet per table, figures as numbers with number formats, so
//! that a person can sum them) and TSV.

use chrono::{DateTime, Days, NaiveDate, Utc};
use doorstep_core::calendar::service_timezone;
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::text::{Lang, Text, said};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{Cell, Report, Table};
use crate::error::{Error, Result};

/// How a cell reads wherever it is shown as text: the page, the CSV, the TSV. Figures keep the
/// digits a spreadsheet reads as a number: shares `87.50%`, yuan `123.45` (the column says
/// 元), means `4.50`, minutes and counts as integers; times in Beijing time to the minute.
pub fn shown(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Words(words) => words.get(lang).to_owned(),
        Cell::Count(n) | Cell::Minutes(n) => n.to_string(),
        Cell::BasisPoints(bp) => format!("{}%", hundredths(*bp)),
        Cell::Fen(fen) => hundredths(*fen),
        Cell::Hundredths(h) => hundredths(*h),
        Cell::Time(at) => beijing(*at).format("%Y-%m-%d %H:%M").to_string(),
        Cell::Date(day) => day.format("%Y-%m-%d").to_string(),
        Cell::Empty => String::new(),
    }
}

/// `n / 100` with two decimals, exactly (no float): 8750 → `87.50`, -5 → `-0.05`.
fn hundredths(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    format!("{sign}{}.{:02}", n / 100, n % 100)
}

fn beijing(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&service_timezone()).naive_local()
}

/// Whether a cell is a figure (a CSV writes it bare, a page aligns it right).
pub fn is_figure(cell: &Cell) -> bool {
    matches!(
        cell,
        Cell::Count(_)
            | Cell::BasisPoints(_)
            | Cell::Minutes(_)
            | Cell::Fen(_)
            | Cell::Hundredths(_)
    )
}

/// A unit level in both languages.
pub fn level_words(level: UnitLevel) -> Text {
    match level {
        UnitLevel::District => said("片区", "District"),
        UnitLevel::Crew => said("班组", "Crew"),
        UnitLevel::Technician => said("技术员", "Technician"),
    }
}

/// What every file (and the page) says above the tables: which report, for which unit and
/// level, which period (its label and its first and last day), and when it was made.
pub fn head(report: &Report) -> Vec<(Text, Cell)> {
    let period = report.params.period;
    let last_day = period.end() - Days::new(1);
    vec![
        (said("报表", "Report"), Cell::Words(report.title.clone())),
        (said("单位", "Unit"), Cell::Words(report.unit_name.clone())),
        (
            said("层级", "Level"),
            Cell::Words(level_words(report.params.level)),
        ),
        (said("统计期", "Period"), Cell::Text(period.label())),
        (said("起", "From"), Cell::Date(period.start)),
        (said("止", "To"), Cell::Date(last_day)),
        (
            said("制表时间（北京时间）", "Made at (Beijing time)"),
            Cell::Time(report.made_at),
        ),
    ]
}

/// Every table of the report: the main one, then the details.
pub fn tables(report: &Report) -> impl Iterator<Item = &Table> {
    std::iter::once(&report.main).chain(&report.details)
}

/// The report as CSV: a byte-order mark, the head (label, value), then each table after an
/// empty line: its title, its header, its rows. Text is quoted and a text a spreadsheet would
/// take for a formula is made plain (as the inspections list does); figures are written bare,
/// so that Excel reads them as numbers.
pub fn csv(report: &Report, lang: Lang) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let mut line = |fields: Vec<String>| {
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    for (label, value) in head(report) {
        line(vec![csv_text(label.get(lang)), csv_cell(&value, lang)]);
    }
    for table in tables(report) {
        line(Vec::new());
        line(vec![csv_text(table.title.get(lang))]);
        line(
            table
                .columns
                .iter()
                .map(|c| csv_text(c.title.get(lang)))
                .collect(),
        );
        for row in &table.rows {
            line(row.iter().map(|c| csv_cell(c, lang)).collect());
        }
    }
    out.into_bytes()
}

fn csv_cell(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Empty => String::new(),
        c if is_figure(c) => shown(c, lang),
        Cell::Time(_) | Cell::Date(_) => shown(cell, lang),
        other => csv_text(&shown(other, lang)),
    }
}

fn csv_text(text: &str) -> String {
    let plain = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", plain.replace('"', "\"\""))
}

/// The report as the admin tool prints it: the head (`label<TAB>value`), then each table after
/// an empty line: `# name<TAB>title`, its columns' keys, its rows. Tabs and line breaks inside
/// a value become spaces.
pub fn tsv(report: &Report, lang: Lang) -> String {
    let clean = |v: String| v.replace(['\t', '\n', '\r'], " ");
    let mut out = String::new();
    let mut line = |fields: Vec<String>| {
        let fields: Vec<String> = fields.into_iter().map(clean).collect();
        out.push_str(&fields.join("\t"));
        out.push('\n');
    };
    for (label, value) in head(report) {
        line(vec![label.get(lang).to_owned(), shown(&value, lang)]);
    }
    for table in tables(report) {
        line(Vec::new());
        line(vec![
            format!("# {}", table.name),
            table.title.get(lang).to_owned(),
        ]);
        line(table.columns.iter().map(|c| c.key.to_owned()).collect());
        for row in &table.rows {
            line(row.iter().map(|c| shown(c, lang)).collect());
        }
    }
    out
}

/// The number formats of the workbook, made once.
struct Formats {
    bold: Format,
    title: Format,
    header: Format,
    count: Format,
    share: Format,
    yuan: Format,
    hundredths: Format,
    time: Format,
    date: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new().set_bold().set_text_wrap(),
            count: Format::new().set_num_format("0"),
            share: Format::new().set_num_format("0.00%"),
            yuan: Format::new().set_num_format("¥#,##0.00"),
            hundredths: Format::new().set_num_format("0.00"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// The rows above each sheet's table: the report's title, then the head's lines, then an empty
/// row. A sheet's table title is on the row after them and its header on the next.
pub const XLSX_HEAD_ROWS: u32 = 9;

/// The report as an Excel workbook: one sheet per table (named by [`Table::name`]), each with
/// the head (unit, level, period, made at, a date cell), the table's title, its header (frozen
/// when scrolling) and its rows; figures are numbers with number formats (a share is 0.875
/// shown as 87.50%, yuan are 123.45 shown as ¥123.45), times and days are dates. Columns are
/// as wide as their longest text, a Chinese character counted twice.
pub fn xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for table in tables(report) {
        let sheet = book.add_worksheet();
        let name = sheet_name(table.name, &names);
        sheet.set_name(&name).map_err(xlsx_error)?;
        names.push(name);
        write_sheet(sheet, report, table, lang, &f).map_err(xlsx_error)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

fn write_sheet(
    sheet: &mut Worksheet,
    report: &Report,
    table: &Table,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    let mut widths: Vec<usize> = vec![0; table.columns.len().max(2)];
    let widen = |col: usize, text: &str, widths: &mut Vec<usize>| {
        if col >= widths.len() {
            widths.resize(col + 1, 0);
        }
        widths[col] = widths[col].max(display_width(text));
    };
    sheet.write_string_with_format(0, 0, report.title.get(lang), &f.title)?;
    let mut row = 1;
    for (label, value) in head(report) {
        sheet.write_string_with_format(row, 0, label.get(lang), &f.bold)?;
        widen(0, label.get(lang), &mut widths);
        write_cell(sheet, row, 1, &value, lang, f)?;
        widen(1, &shown(&value, lang), &mut widths);
        row += 1;
    }
    row += 1;
    debug_assert_eq!(row, XLSX_HEAD_ROWS);
    sheet.write_string_with_format(row, 0, table.title.get(lang), &f.title)?;
    row += 1;
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, column.title.get(lang), &f.header)?;
        widen(col, column.title.get(lang), &mut widths);
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    row += 1;
    for cells in &table.rows {
        for (col, cell) in cells.iter().enumerate() {
            write_cell(sheet, row, col as u16, cell, lang, f)?;
            widen(col, &shown(cell, lang), &mut widths);
        }
        row += 1;
    }
    for (col, width) in widths.into_iter().enumerate() {
        // Excel's width is in characters of its default font; a little air on each side.
        let width = (width + 2).clamp(8, 60);
        sheet.set_column_width(col as u16, width as f64)?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    lang: Lang,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    match cell {
        Cell::Text(_) | Cell::Words(_) => {
            // Written as a string: never taken for a formula.
            sheet.write_string(row, col, shown(cell, lang))?;
        }
        Cell::Count(n) | Cell::Minutes(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &f.count)?;
        }
        Cell::BasisPoints(bp) => {
            sheet.write_number_with_format(row, col, *bp as f64 / 10_000.0, &f.share)?;
        }
        Cell::Fen(fen) => {
            sheet.write_number_with_format(row, col, *fen as f64 / 100.0, &f.yuan)?;
        }
        Cell::Hundredths(h) => {
            sheet.write_number_with_format(row, col, *h as f64 / 100.0, &f.hundredths)?;
        }
        Cell::Time(at) => {
            sheet.write_datetime_with_format(row, col, excel_time(*at)?, &f.time)?;
        }
        Cell::Date(day) => {
            sheet.write_datetime_with_format(row, col, excel_date(*day)?, &f.date)?;
        }
        Cell::Empty => {}
    }
    Ok(())
}

/// A day as Excel counts it.
pub fn excel_date(day: NaiveDate) -> std::result::Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    let year =
        u16::try_from(day.year()).map_err(|_| XlsxError::DateTimeRangeError(String::new()))?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8)
}

/// A moment as Excel counts it: its Beijing wall time.
pub fn excel_time(at: DateTime<Utc>) -> std::result::Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_timestamp(beijing(at).and_utc().timestamp())
}

/// A sheet's name: at most 31 characters, none of `[]:*?/\`, not taken by another sheet.
fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let base: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .filter(|c| !c.is_control())
        .take(28)
        .collect();
    let base = if base.trim().is_empty() || base.starts_with('\'') {
        "sheet".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// How many columns of a monospaced cell `text` takes: Chinese, Japanese and Korean
/// characters and full-width forms two, the rest one.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::internal(format!("writing the workbook: {e}"))
}

#[cfg(test)]
#[path = "export_tests.rs"]
pub(crate) mod tests;
