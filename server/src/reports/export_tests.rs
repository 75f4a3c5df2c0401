//! The files read back: a report built by hand (every kind of cell, a text that looks like a
//! formula, Chinese everywhere) written as CSV and XLSX and read with the `csv` crate and
//! `calamine`, as Excel would read them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, TimeZone};
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::text::{Lang, said};

use super::*;
use crate::reports::{
    Chart, ChartUnit, Column, Params, Period, PeriodLength, ReportKind, Series, Table,
};

fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    service_timezone()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A month's compliance report of one district, built by hand: the figures of every kind of
/// cell, and a late order listed.
pub(crate) fn sample() -> Report {
    let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let made_at = beijing(2026, 12, 7, 10, 30);
    Report {
        params: Params {
            kind: ReportKind::Compliance,
            level: UnitLevel::District,
            unit: Some("d1".into()),
            within_districts: Vec::new(),
            period: Period::holding(PeriodLength::Month, day),
            now: made_at,
        },
        made_at,
        title: said("时限达标", "Deadline compliance"),
        unit_name: said("西湖片区", "西湖片区"),
        main: Table {
            name: "compliance",
            title: said("各条款时限达标", "Deadlines met per clause"),
            columns: vec![
                Column {
                    key: "clause",
                    title: said("条款", "Clause"),
                },
                Column {
                    key: "met",
                    title: said("按时", "Met"),
                },
                Column {
                    key: "share",
                    title: said("达标率", "Share met"),
                },
                Column {
                    key: "minutes",
                    title: said("平均用时（分钟）", "Mean time (minutes)"),
                },
                Column {
                    key: "fees_yuan",
                    title: said("收费（元）", "Fees (yuan)"),
                },
                Column {
                    key: "score",
                    title: said("平均分", "Mean score"),
                },
                Column {
                    key: "note",
                    title: said("备注", "Note"),
                },
            ],
            rows: vec![
                vec![
                    Cell::Words(said("一般故障 6 小时处理", "Ordinary fault handled in 6 h")),
                    Cell::Count(7),
                    Cell::BasisPoints(8750),
                    Cell::Minutes(95),
                    Cell::Fen(12345),
                    Cell::Hundredths(450),
                    Cell::Text("=HYPERLINK(\"x\")".into()),
                ],
                vec![
                    Cell::Words(said("合计", "Total")),
                    Cell::Count(0),
                    Cell::Empty,
                    Cell::Minutes(0),
                    Cell::Fen(-5),
                    Cell::Hundredths(1000),
                    Cell::Text("含\"引号\", 逗号".into()),
                ],
            ],
        },
        details: vec![Table {
            name: "late",
            title: said("逾期明细", "Late ones"),
            columns: vec![
                Column {
                    key: "order",
                    title: said("工单号", "Order"),
                },
                Column {
                    key: "due",
                    title: said("时限", "Due"),
                },
                Column {
                    key: "day",
                    title: said("报修日", "Reported on"),
                },
            ],
            rows: vec![vec![
                Cell::Text("GD-0001".into()),
                Cell::Time(beijing(2026, 12, 3, 16, 5)),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()),
            ]],
        }],
        chart: Chart {
            title: said("达标率", "Share met"),
            labels: vec!["一般故障".into(), "合计".into()],
            series: vec![Series {
                name: said("达标率", "Share met"),
                values: vec![8750, 0],
            }],
            unit: ChartUnit::BasisPoints,
        },
    }
}

#[test]
fn every_kind_of_cell_reads_the_same_on_the_page_and_in_the_files() {
    let cells = [
        (Cell::Count(7), "7"),
        (Cell::BasisPoints(8750), "87.50%"),
        (Cell::BasisPoints(10000), "100.00%"),
        (Cell::BasisPoints(5), "0.05%"),
        (Cell::Minutes(95), "95"),
        (Cell::Fen(12345), "123.45"),
        (Cell::Fen(-5), "-0.05"),
        (Cell::Fen(-1000), "-10.00"),
        (Cell::Hundredths(450), "4.50"),
        (Cell::Time(beijing(2026, 12, 3, 16, 5)), "2026-12-03 16:05"),
        (
            Cell::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()),
            "2026-12-03",
        ),
        (Cell::Empty, ""),
        (Cell::Words(said("合计", "Total")), "合计"),
    ];
    for (cell, text) in cells {
        assert_eq!(shown(&cell, Lang::Zh), text, "{cell:?}");
    }
    assert_eq!(
        shown(&Cell::Words(said("合计", "Total")), Lang::En),
        "Total"
    );
}

#[test]
fn the_csv_opens_in_excel_with_its_head_and_tables_and_no_formula() {
    let report = sample();
    let bytes = csv(&report, Lang::Zh);
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[3..]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let line = |fields: &[&str]| fields.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    assert_eq!(rows[0], line(&["报表", "时限达标"]));
    assert_eq!(rows[1], line(&["单位", "西湖片区"]));
    assert_eq!(rows[2], line(&["层级", "片区"]));
    assert_eq!(rows[3], line(&["统计期", "2026-12"]));
    assert_eq!(rows[4], line(&["起", "2026-12-01"]));
    assert_eq!(rows[5], line(&["止", "2026-12-31"]));
    assert_eq!(rows[6], line(&["制表时间（北京时间）", "2026-12-07 10:30"]));
    // The csv crate skips the empty line between the head and each table.
    assert_eq!(rows[7], line(&["各条款时限达标"]));
    assert_eq!(rows[8][0], "条款");
    assert_eq!(
        rows[9],
        line(&[
            "一般故障 6 小时处理",
            "7",
            "87.50%",
            "95",
            "123.45",
            "4.50",
            "'=HYPERLINK(\"x\")"
        ])
    );
    assert_eq!(
        rows[10],
        line(&["合计", "0", "", "0", "-0.05", "10.00", "含\"引号\", 逗号"])
    );
    assert_eq!(rows[11], line(&["逾期明细"]));
    assert_eq!(
        rows[13],
        line(&["GD-0001", "2026-12-03 16:05", "2026-12-03"])
    );
    assert_eq!(rows.len(), 14);
    // Figures are bare (a number to Excel), text quoted.
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("\"一般故障 6 小时处理\",7,87.50%,95,123.45,4.50,"),
        "{text}"
    );
    // English: the same figures under English words.
    let en = String::from_utf8(csv(&report, Lang::En)).unwrap();
    assert!(
        en.contains("\"Made at (Beijing time)\",2026-12-07 10:30\r\n"),
        "{en}"
    );
    assert!(
        en.contains("\"Ordinary fault handled in 6 h\",7,87.50%"),
        "{en}"
    );
}

#[test]
fn the_workbook_has_a_sheet_per_table_with_numbers_formatted_and_dates_as_dates() {
    let report = sample();
    let bytes = xlsx(&report, Lang::Zh).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["compliance", "late"]);
    let main = book.worksheet_range("compliance").unwrap();
    let at = |r: u32, c: u32| main.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(0, 0), Data::String("时限达标".into()));
    assert_eq!(at(1, 0), Data::String("报表".into()));
    assert_eq!(at(2, 1), Data::String("西湖片区".into()));
    assert_eq!(at(4, 1), Data::String("2026-12".into()));
    let Data::DateTime(from) = at(5, 1) else {
        panic!("the first day is a date: {:?}", at(5, 1))
    };
    assert_eq!(
        from.as_f64(),
        excel_date(report.params.period.start).unwrap().to_excel()
    );
    let Data::DateTime(made) = at(7, 1) else {
        panic!("made at is a date: {:?}", at(7, 1))
    };
    assert_eq!(
        made.as_f64(),
        excel_time(report.made_at).unwrap().to_excel()
    );
    let h = XLSX_HEAD_ROWS;
    assert_eq!(at(h, 0), Data::String("各条款时限达标".into()));
    assert_eq!(at(h + 1, 2), Data::String("达标率".into()));
    let first = h + 2;
    assert_eq!(at(first, 0), Data::String("一般故障 6 小时处理".into()));
    assert_eq!(at(first, 1), Data::Float(7.0));
    assert_eq!(at(first, 2), Data::Float(0.875));
    assert_eq!(at(first, 3), Data::Float(95.0));
    assert_eq!(at(first, 4), Data::Float(123.45));
    assert_eq!(at(first, 5), Data::Float(4.5));
    assert_eq!(
        at(first, 6),
        Data::String("=HYPERLINK(\"x\")".into()),
        "a string, not a formula"
    );
    assert_eq!(at(first + 1, 2), Data::Empty);
    assert_eq!(at(first + 1, 4), Data::Float(-0.05));
    let late = book.worksheet_range("late").unwrap();
    let Some(Data::DateTime(due)) = late.get_value((h + 2, 1)).cloned() else {
        panic!("a time is a date cell")
    };
    assert_eq!(
        due.as_f64(),
        excel_time(beijing(2026, 12, 3, 16, 5)).unwrap().to_excel()
    );
    assert!(matches!(
        late.get_value((h + 2, 2)),
        Some(Data::DateTime(_))
    ));
    assert_eq!(
        late.get_value((2, 1)),
        Some(&Data::String("西湖片区".into())),
        "the head on every sheet"
    );
}

#[test]
fn the_tsv_is_the_head_then_each_table_by_its_keys() {
    let text = tsv(&sample(), Lang::En);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Report\tDeadline compliance");
    assert_eq!(lines[6], "Made at (Beijing time)\t2026-12-07 10:30");
    assert_eq!(lines[7], "");
    assert_eq!(lines[8], "# compliance\tDeadlines met per clause");
    assert_eq!(
        lines[9],
        "clause\tmet\tshare\tminutes\tfees_yuan\tscore\tnote"
    );
    assert_eq!(
        lines[10],
        "Ordinary fault handled in 6 h\t7\t87.50%\t95\t123.45\t4.50\t=HYPERLINK(\"x\")"
    );
    assert_eq!(lines[13], "# late\tLate ones");
}

#[test]
fn a_sheet_name_is_short_plain_and_not_taken() {
    assert_eq!(sheet_name("late", &[]), "late");
    assert_eq!(sheet_name("late", &["LATE".into()]), "late-2");
    assert_eq!(sheet_name("a/b:c", &[]), "a_b_c");
    assert_eq!(sheet_name(&"x".repeat(40), &[]).chars().count(), 28);
    assert_eq!(display_width("达标率 x"), 8);
}
