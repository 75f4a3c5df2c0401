//! The report pages and their files (issue 27), over real HTTP on both backends, on a server
//! whose clock stands at Monday 2026-12-07 10:00 Beijing time: for every report, the figures
//! of the page's tables (read from its HTML), of its CSV (read back with the `csv` crate, its
//! byte-order mark checked) and of its XLSX (read back with `calamine`) are the same, and each
//! file names the unit, the period and when it was made; a dispatcher is kept to their
//! districts and refused the evaluation; a bad value is refused by its field's name; the admin
//! tool writes the same report.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use doorstep_core::complaint::{Acceptance, Complainant, Complaint, ComplaintChannel};
use doorstep_core::household::{Category, Household};
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::console::Role;
use doorstep_server::reports::ReportKind;
use doorstep_server::storage::{self, AuditRow};

use crate::common::console::{self, Console};
use crate::common::{self, Backend, Team, TestServer, team};

fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    doorstep_core::calendar::service_timezone()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// The server's moment: Monday 7 December 2026, 10:00 in Beijing.
fn now() -> DateTime<Utc> {
    beijing(2026, 12, 7, 10, 0)
}

/// The first row of a sheet's table: after the title, the head (7 lines), an empty row, the
/// table's title and its header (`reports::export::XLSX_HEAD_ROWS`).
const XLSX_FIRST_ROW: u32 = doorstep_server::reports::export::XLSX_HEAD_ROWS + 2;

struct City {
    server: TestServer,
    west: Team,
    east: Team,
}

/// Two districts (each with a crew and an inspector), households due and inspected, repair
/// orders met, late and open, and a complaint answered and accepted: something in every
/// report.
fn city(backend: Backend) -> City {
    let server = TestServer::start_with(backend, |state| state.wall = Arc::new(now));
    let west = team(&server, "西湖一片", "W801");
    let east = team(&server, "上城一片", "E801");
    let home = |n: &str, t: &Team, i: u32, category: Category, last: (i32, u32, u32)| {
        let mut h = common::household(n, t.district.id, i);
        h.category = category;
        h.last_inspection_at = Some(beijing(last.0, last.1, last.2, 10, 0));
        server.office_put(Record::Household(Box::new(h.clone())));
        h
    };
    let w1 = home("HZ000001", &west, 1, Category::Residential, (2024, 11, 30));
    home("HZ000002", &west, 2, Category::Commercial, (2026, 3, 14));
    home("HZ000003", &west, 3, Category::Residential, (2025, 1, 10));
    let e1 = home("HZ000004", &east, 4, Category::Heating, (2025, 6, 1));
    let order = |number: &str,
                 kind: WorkOrderKind,
                 h: &Household,
                 t: &Team,
                 reported: DateTime<Utc>,
                 steps: &[(WorkOrderStatus, DateTime<Utc>)]| {
        let mut o = WorkOrder::open(
            number,
            kind,
            WorkOrderSource::Phone,
            Some(h.id),
            "",
            reported,
        );
        o.assignee = Some(t.inspector.id);
        o.crew = Some(t.crew);
        for (status, at) in steps {
            o.advance(*status, *at, None).unwrap();
        }
        server.office_put(Record::WorkOrder(Box::new(o)));
    };
    use WorkOrderStatus::*;
    // Repaired after 30 hours: the 24-hour repair late.
    order(
        "WO-W1",
        WorkOrderKind::PipelineFault,
        &w1,
        &west,
        beijing(2026, 12, 3, 9, 0),
        &[
            (Dispatched, beijing(2026, 12, 3, 9, 10)),
            (Accepted, beijing(2026, 12, 3, 9, 20)),
            (OnSite, beijing(2026, 12, 3, 11, 0)),
            (Resolved, beijing(2026, 12, 4, 15, 0)),
        ],
    );
    // Reported yesterday morning, still not handled: open and past its 6 hours.
    order(
        "WO-W2",
        WorkOrderKind::PipelineFault,
        &w1,
        &west,
        beijing(2026, 12, 6, 8, 0),
        &[],
    );
    order(
        "WO-W3",
        WorkOrderKind::UserEquipmentFault,
        &w1,
        &west,
        beijing(2026, 12, 7, 9, 0),
        &[(Dispatched, beijing(2026, 12, 7, 9, 5))],
    );
    // Met in two hours.
    order(
        "WO-E1",
        WorkOrderKind::PipelineFault,
        &e1,
        &east,
        beijing(2026, 12, 5, 10, 0),
        &[
            (Dispatched, beijing(2026, 12, 5, 10, 5)),
            (OnSite, beijing(2026, 12, 5, 10, 50)),
            (Resolved, beijing(2026, 12, 5, 12, 0)),
        ],
    );
    let mut c = Complaint::receive(
        "TS-W1",
        Complainant {
            name: "张伟".into(),
            phone: Some("13812345678".into()),
        },
        ComplaintChannel::Phone,
        "维修人员迟到",
        beijing(2026, 12, 2, 10, 0),
        &west.district.policy,
    );
    c.household_id = Some(w1.id);
    c.against_technician = Some(west.inspector.id);
    c.start_investigation(beijing(2026, 12, 2, 10, 30), "wangli")
        .unwrap();
    c.answer(beijing(2026, 12, 3, 9, 0), "wangli", "已核实并致歉")
        .unwrap();
    c.close(
        beijing(2026, 12, 3, 10, 0),
        "wangli",
        "已上门处理",
        Acceptance::Accepted,
    )
    .unwrap();
    server.office_put(Record::Complaint(Box::new(c)));
    City { server, west, east }
}

/// A file downloaded with the person's session (its bytes as they are), its type and name.
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

fn download(c: &Console, path: &str) -> Download {
    let response = reqwest::blocking::Client::new()
        .get(format!("{}{path}", c.url))
        .header(
            "cookie",
            format!("doorstep_session={}", c.cookie().unwrap()),
        )
        .send()
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    Download {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        disposition: header("content-disposition"),
        bytes: response.bytes().unwrap().to_vec(),
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<th>`/`<td>` of `html` (cells hold text only), row by row.
fn cells(html: &str) -> Vec<Vec<String>> {
    html.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap_or(row.len())];
            let mut out = Vec::new();
            let mut rest = row;
            while let Some(at) = rest.find("<t") {
                let tag = &rest[at + 2..];
                if !(tag.starts_with('h') || tag.starts_with('d')) {
                    rest = &rest[at + 2..];
                    continue;
                }
                let open = tag.find('>').unwrap() + 1;
                let close = tag.find("</t").unwrap();
                out.push(unescape(&tag[open..close]));
                rest = &tag[close + 3..];
            }
            out
        })
        .collect()
}

/// Each table of a report page: its id (`report-main`, `report-<name>`), its header and rows.
fn page_tables(body: &str) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("<table id=\"report-") {
        let table = &rest[at..];
        let end = table.find("</table>").unwrap();
        let table = &table[..end];
        let id = table["<table id=\"".len()..]
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let (head, body) = table.split_once("<tbody>").unwrap();
        let header = cells(head).into_iter().next().unwrap_or_default();
        out.push((id, header, cells(body)));
        rest = &rest[at + end..];
    }
    out
}

/// The page's head: each `<dt>` and its `<dd>` of `#report-facts`.
fn facts(body: &str) -> Vec<(String, String)> {
    let at = body
        .find("id=\"report-facts\"")
        .expect("the report's facts");
    let dl = &body[at..at + body[at..].find("</dl>").unwrap()];
    dl.split("<dt>")
        .skip(1)
        .map(|pair| {
            let (dt, rest) = pair.split_once("</dt>").unwrap();
            let dd = rest
                .split("<dd>")
                .nth(1)
                .unwrap()
                .split("</dd>")
                .next()
                .unwrap();
            (unescape(dt), unescape(dd))
        })
        .collect()
}

/// Excel's serial number of a day and a time (days since 1899-12-30).
fn serial(text: &str) -> Option<f64> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M") {
        let minutes = (t - base.and_hms_opt(0, 0, 0).unwrap()).num_minutes();
        return Some(minutes as f64 / 1440.0);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| (d - base).num_days() as f64)
}

/// Whether a workbook's cell holds the figure or text the page shows as `text`: a share as a
/// fraction (87.50% is 0.875), other figures as numbers, times and days as dates.
fn same(cell: &Data, text: &str) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    match cell {
        Data::Empty => text.is_empty(),
        Data::String(s) => s == text,
        Data::Float(f) => match text.strip_suffix('%') {
            Some(share) => share.parse::<f64>().is_ok_and(|p| close(*f, p / 100.0)),
            None => text.parse::<f64>().is_ok_and(|n| close(*f, n)),
        },
        Data::Int(n) => text.parse::<i64>() == Ok(*n),
        Data::DateTime(d) => serial(text).is_some_and(|s| (d.as_f64() - s).abs() < 1e-6),
        other => panic!("a cell of an unexpected type: {other:?}"),
    }
}

/// Asks for one report and checks that its page, its CSV and its XLSX hold the same figures,
/// each with the unit, the period and the moment it was made. Returns the page's tables.
fn page_csv_and_xlsx_agree(
    c: &mut Console,
    query: &str,
) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let page = c.get(&format!("/console/reports/report?{query}")).ok();
    let tables = page_tables(&page.body);
    assert!(
        !tables.is_empty() && tables[0].0 == "report-main",
        "{query}: {}",
        page.body
    );
    let head = facts(&page.body);
    assert_eq!(head.len(), 7, "{head:?}");
    assert_eq!(
        head[6],
        (
            "制表时间（北京时间）".to_owned(),
            "2026-12-07 10:00".to_owned()
        )
    );
    assert!(
        page.shows("<svg class=\"chart\""),
        "{query}: the chart is drawn"
    );
    assert!(page.shows("role=\"img\""));

    // The CSV: a byte-order mark, the head, then each table's title, header and rows.
    let csv = download(c, &format!("/console/reports/report.csv?{query}"));
    assert_eq!(csv.status, 200, "{}", String::from_utf8_lossy(&csv.bytes));
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert!(
        csv.disposition
            .starts_with("attachment; filename=\"report-"),
        "{}",
        csv.disposition
    );
    assert!(
        csv.bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let rows: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&csv.bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let mut next = rows.into_iter();
    for (label, value) in &head {
        assert_eq!(
            next.next().unwrap(),
            vec![label.clone(), value.clone()],
            "{query}"
        );
    }
    for (id, header, body) in &tables {
        let title = next.next().unwrap();
        assert_eq!(
            title.len(),
            1,
            "{query} {id}: a table's title line: {title:?}"
        );
        assert_eq!(&next.next().unwrap(), header, "{query} {id}");
        for row in body {
            // A text the page shows as `=…` is written `'=…` (never a formula).
            let read: Vec<String> = next
                .next()
                .unwrap()
                .into_iter()
                .zip(row)
                .map(|(file, shown)| {
                    if file.starts_with('\'') && !shown.starts_with('\'') {
                        file[1..].to_owned()
                    } else {
                        file
                    }
                })
                .collect();
            assert_eq!(&read, row, "{query} {id}");
        }
    }
    assert!(
        next.next().is_none(),
        "{query}: nothing in the CSV but the page's tables"
    );

    // The XLSX: a sheet per table, the head on each, figures as numbers, times as dates.
    let xlsx = download(c, &format!("/console/reports/report.xlsx?{query}"));
    assert_eq!(xlsx.status, 200, "{}", String::from_utf8_lossy(&xlsx.bytes));
    assert_eq!(
        xlsx.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.bytes)).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), tables.len(), "{query}: {sheets:?}");
    for (sheet, (id, header, body)) in sheets.iter().zip(&tables) {
        let range = book.worksheet_range(sheet).unwrap();
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        for (i, (label, value)) in head.iter().enumerate() {
            let row = i as u32 + 1;
            assert_eq!(at(row, 0), Data::String(label.clone()), "{query} {sheet}");
            assert!(
                same(&at(row, 1), value),
                "{query} {sheet}: {:?} is not {value}",
                at(row, 1)
            );
        }
        for (col, title) in header.iter().enumerate() {
            assert_eq!(
                at(XLSX_FIRST_ROW - 1, col as u32),
                Data::String(title.clone())
            );
        }
        for (r, row) in body.iter().enumerate() {
            for (col, shown) in row.iter().enumerate() {
                let cell = at(XLSX_FIRST_ROW + r as u32, col as u32);
                assert!(
                    same(&cell, shown),
                    "{query} {id} row {r} col {col}: {cell:?} is not {shown:?}"
                );
            }
        }
        assert_eq!(
            at(XLSX_FIRST_ROW + body.len() as u32, 0),
            Data::Empty,
            "{query} {id}: no row past the page's"
        );
    }
    tables
}

fn audit(server: &TestServer) -> Vec<AuditRow> {
    storage::read(&*server.storage, |tx| Ok(tx.audit_log(1000)?)).unwrap()
}

on_both_backends! {
    fn every_report_shows_the_same_figures_on_its_page_in_its_csv_and_in_its_xlsx(backend: Backend) {
        let city = city(backend);
        let mut c = console::admin(&city.server, "chenjing");
        for kind in ReportKind::ALL {
            let query = format!("kind={}&level=district&unit=&period=month&day=2026-12-07", kind.as_str());
            let tables = page_csv_and_xlsx_agree(&mut c, &query);
            if matches!(kind, ReportKind::Compliance | ReportKind::Coverage | ReportKind::Complaints) {
                assert!(!tables[0].2.is_empty(), "{query}: the city's work is in the main table");
            }
        }
        // Other levels, one unit, other periods.
        for query in [
            "kind=compliance&level=technician&unit=&period=week&day=2026-12-03".to_owned(),
            "kind=work&level=crew&unit=&period=year&day=2026-06-01".to_owned(),
            format!("kind=satisfaction&level=district&unit={}&period=day&day=2026-12-03", city.west.district.id),
            format!("kind=evaluation&level=crew&unit={}&period=year&day=2026-12-07", city.east.crew),
        ] {
            page_csv_and_xlsx_agree(&mut c, &query);
        }
        // English: the same figures under English words.
        c.language("en");
        let page = c.get("/console/reports/report?kind=compliance&level=district&period=month&day=2026-12-07").ok();
        assert!(page.shows("Made at (Beijing time)"), "{}", page.body);
        assert!(page.shows("<html lang=\"en\">"));
        // Every view and every download audited, by the person, naming the report.
        let log = audit(&city.server);
        let exports: Vec<&AuditRow> = log.iter().filter(|r| r.action == "export").collect();
        assert_eq!(exports.len(), 2 * (ReportKind::ALL.len() + 4));
        assert!(exports.iter().all(|r| r.entity.as_deref() == Some("report")
            && r.actor == storage::Actor::Staff("chenjing".into())));
        assert!(exports.iter().any(|r| r.entity_id.as_deref() == Some("compliance/district/all/2026-12.xlsx")));
        assert_eq!(log.iter().filter(|r| r.action == "report_viewed").count(), ReportKind::ALL.len() + 5);
    }
}

on_both_backends! {
    fn a_dispatcher_sees_only_their_districts_and_is_refused_another_districts_report_and_the_evaluation(backend: Backend) {
        let city = city(backend);
        let password = console::staff(&city.server, "lina", Role::Dispatcher, &[city.west.district.id]);
        let mut c = Console::sign_in(&city.server, "lina", &password);
        let form = c.get("/console/reports").ok();
        assert!(form.shows("西湖一片") && !form.shows("上城一片"), "only their units to pick");
        assert!(!form.shows("value=\"evaluation\""), "no evaluation offered to a dispatcher");
        let query = "kind=compliance&level=district&period=month&day=2026-12-07";
        page_csv_and_xlsx_agree(&mut c, query);
        let page = c.get(&format!("/console/reports/report?{query}")).ok();
        assert!(!page.shows("上城一片") && !page.shows("HZ000004"), "nothing of the other district");
        let east = city.east.district.id;
        for path in [
            format!("/console/reports/report?kind=compliance&level=district&unit={east}&period=month&day=2026-12-07"),
            format!("/console/reports/report.csv?kind=compliance&level=district&unit={east}&period=month&day=2026-12-07"),
            format!("/console/reports/report.xlsx?kind=compliance&level=district&unit={east}&period=month&day=2026-12-07"),
            format!("/console/reports/report?kind=work&level=crew&unit={}&period=month&day=2026-12-07", city.east.crew),
            "/console/reports/report?kind=evaluation&level=district&period=year&day=2026-12-07".to_owned(),
            "/console/reports/report.xlsx?kind=evaluation&level=district&period=year&day=2026-12-07".to_owned(),
        ] {
            let refused = c.get(&path);
            assert_eq!(refused.status, 403, "{path}: {}", refused.body);
            assert!(!refused.shows("上城一片"), "the refusal shows nothing of the other district");
        }
        let log = audit(&city.server);
        assert_eq!(log.iter().filter(|r| r.action == "export").count(), 2, "only what was given is audited");
        assert_eq!(log.iter().filter(|r| r.action == "report_viewed").count(), 2);
    }
}

on_both_backends! {
    fn a_bad_period_or_another_bad_value_is_refused_naming_its_field(backend: Backend) {
        let city = city(backend);
        let mut c = console::admin(&city.server, "chenjing");
        for (query, field, zh, en) in [
            ("kind=compliance&level=district&period=fortnight&day=2026-12-07", "period", "统计周期须为", "the period is day"),
            ("kind=compliance&level=district&period=month&day=2026-02-30", "day", "日期须为", "the date is YYYY-MM-DD"),
            ("kind=compliance&level=district&period=month&day=1999-12-31", "day", "日期须为", "the date is YYYY-MM-DD"),
            ("kind=sales&level=district&period=month&day=2026-12-07", "kind", "请选择报表", "choose a report"),
            ("kind=compliance&level=street&period=month&day=2026-12-07", "level", "层级须为", "the level is"),
            ("kind=compliance&level=crew&unit=0193a5e2-0000-7000-8000-000000000000&period=month&day=2026-12-07", "unit", "所选单位不存在", "no such unit"),
        ] {
            for path in ["report", "report.csv", "report.xlsx"] {
                let page = c.get(&format!("/console/reports/{path}?{query}"));
                assert_eq!(page.status, 422, "{query}: {}", page.body);
                assert!(page.shows(&format!("{field}: {zh}")), "{query}: {}", page.body);
                assert!(page.shows(&format!("{field}: {en}")), "{query}: and in English: {}", page.body);
            }
        }
        // The district given as the crew's unit: not a unit of that level.
        let page = c.get(&format!(
            "/console/reports/report?kind=work&level=crew&unit={}&period=month&day=2026-12-07",
            city.west.district.id
        ));
        assert_eq!(page.status, 422);
        assert!(page.shows("unit: "));
        let log = audit(&city.server);
        assert!(
            log.iter().all(|r| r.action != "export" && r.action != "report_viewed"),
            "nothing refused is audited as read"
        );
    }
}

on_both_backends! {
    fn the_admin_tool_prints_the_report_and_writes_the_same_figures_as_csv_and_xlsx(backend: Backend) {
        let city = city(backend);
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_doorstep"))
                .arg("admin")
                .args(city.server.admin_storage_args())
                .args(["--operator", "wangli", "report"])
                .args(args)
                .env_remove("DOORSTEP_DATABASE_URL")
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        };
        let asked = [
            "compliance", "--level", "district", "--period", "month", "--day", "2026-12-07",
            "--now", "2026-12-07T10:00:00+08:00",
        ];
        let (ok, tsv, err) = run(&asked);
        assert!(ok, "{err}");
        let lines: Vec<&str> = tsv.lines().collect();
        assert!(lines[0].starts_with("报表\t"), "{tsv}");
        assert!(lines.contains(&"统计期\t2026-12"), "{tsv}");
        assert!(lines.contains(&"制表时间（北京时间）\t2026-12-07 10:00"), "{tsv}");
        let xlsx = dir.path().join("compliance.xlsx");
        let xlsx_arg = xlsx.to_str().unwrap();
        let (ok, out, err) = run(&[&asked[..], &["--format", "xlsx", "--out", xlsx_arg]].concat());
        assert!(ok, "{err}");
        assert_eq!(out.trim(), xlsx_arg);
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(std::fs::read(&xlsx).unwrap())).unwrap();
        let first = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&first).unwrap();
        // The TSV's main table (after the head and an empty line: `# name`, keys, rows) holds
        // the workbook's first sheet's figures.
        let table: Vec<Vec<&str>> = lines[10..]
            .iter()
            .take_while(|l| !l.is_empty())
            .map(|l| l.split('\t').collect())
            .collect();
        assert!(lines[8].starts_with("# ") && !table.is_empty(), "{tsv}");
        for (r, row) in table.iter().enumerate() {
            for (col, shown) in row.iter().enumerate() {
                let cell = range
                    .get_value((XLSX_FIRST_ROW + r as u32, col as u32))
                    .cloned()
                    .unwrap_or(Data::Empty);
                assert!(same(&cell, shown), "row {r} col {col}: {cell:?} is not {shown:?}");
            }
        }
        let csv = dir.path().join("compliance.csv");
        let (ok, _, err) = run(&[&asked[..], &["--format", "csv", "--out", csv.to_str().unwrap(), "--lang", "en"]].concat());
        assert!(ok, "{err}");
        let bytes = std::fs::read(&csv).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        assert!(String::from_utf8(bytes).unwrap().contains("\"Made at (Beijing time)\",2026-12-07 10:00\r\n"));
        // Refusals name the option.
        let (ok, _, err) = run(&[&asked[..], &["--format", "xlsx"]].concat());
        assert!(!ok && err.contains("--out"), "{err}");
        let (ok, _, err) = run(&["compliance", "--period", "fortnight", "--day", "2026-12-07"]);
        assert!(!ok && err.contains("--period"), "{err}");
        let (ok, _, err) = run(&["compliance", "--period", "month", "--day", "2026-02-30"]);
        assert!(!ok && err.contains("--day") && err.contains("日期须为"), "{err}");
        let (ok, _, err) = run(&["work", "--level", "crew", "--unit", "nobody", "--period", "month", "--day", "2026-12-07"]);
        assert!(!ok && err.contains("--unit: 所选单位不存在"), "{err}");
        let exports = audit(&city.server)
            .into_iter()
            .filter(|r| r.action == "export" && r.entity.as_deref() == Some("report"))
            .count();
        assert_eq!(exports, 3, "each report made is audited");
    }
}
