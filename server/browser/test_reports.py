"""User story (issue 27, "Must show"): a report page in Chinese, its chart drawn by the server,
its CSV and XLSX downloaded by the browser and read back (the `csv` module; `openpyxl`), holding
the page's figures, with the unit, the period and the time it was made; then in English. Every
page fits the screen with its controls labelled, kept as screenshots."""

import csv
import datetime
import pathlib
import re

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import wait_for

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def allow_downloads(console, folder):
    """Downloads go to `folder`, without asking (Chromium's DevTools protocol)."""
    folder.mkdir(parents=True, exist_ok=True)
    console.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )


def downloaded(folder, suffix):
    """The one finished download ending in `suffix`, once Chromium has finished writing it."""

    def done():
        files = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        partial = [p for p in folder.iterdir() if p.name.endswith(".crdownload")]
        return files[0] if len(files) == 1 and not partial and files[0].stat().st_size > 0 else None

    return wait_for(f"the {suffix} download in {folder}", done, timeout=30)


def cell_text(cell):
    return cell.get_attribute("textContent").strip()


def page_figures(console):
    """The page's head (label, value) and the main table's header and rows, as the page shows
    them."""
    labels = [cell_text(e) for e in console.find_all("#report-facts dt")]
    values = [cell_text(e) for e in console.find_all("#report-facts dd")]
    header = [cell_text(th) for th in console.find_all("#report-main thead th")]
    rows = [
        [cell_text(c) for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
        for tr in console.find_all("#report-main tbody tr")
    ]
    return list(zip(labels, values)), header, rows


def xlsx_text(cell):
    """A workbook's cell as the page shows it: shares 87.50%, yuan and means 123.45, counts
    and minutes whole, times to the minute, days as YYYY-MM-DD."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.hour == 0 and value.minute == 0 and "h" not in fmt:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (int, float)):
        if fmt.endswith("%"):
            return f"{value * 100:.2f}%"
        if "0.00" in fmt:
            return f"{value:.2f}"
        assert float(value).is_integer(), f"a whole figure: {value} ({fmt})"
        return str(int(value))
    return str(value)


def test_a_report_page_in_chinese_with_its_chart_and_its_csv_and_xlsx_downloads(console, office, tmp_path):
    # A pipeline fault reported 30 hours ago and still open: late on both its clocks.
    reported = (datetime.datetime.now(BEIJING) - datetime.timedelta(hours=30)).replace(microsecond=0)
    office.admin(
        "order", "create", "--number", "WO-R27-1", "--kind", "pipeline_fault", "--source", "phone",
        "--household", "HZ-0001", "--description", "楼道内闻到燃气味", "--reported-at", reported.isoformat(),
    )
    folder = tmp_path / "downloads"
    allow_downloads(console, folder)
    console.sign_in(office.admin_login, office.admin_password)

    console.go("/console/reports")
    assert console.lang == "zh-CN"
    assert console.title() == "报表与考核"
    console.check_page("reports")
    Select(console.field("报表")).select_by_value("compliance")
    Select(console.field("层级")).select_by_value("district")
    Select(console.field("统计周期")).select_by_value("year")
    console.click_and_wait(console.submit_button("查看报表"))
    assert console.path.startswith("/console/reports/report?"), console.path
    assert re.search(r"[\u4e00-\u9fff]", console.title()), console.title()

    # The chart: an SVG image named in Chinese, a bar per figure, its legend and axis.
    chart = console.find("svg.chart")
    assert chart.get_attribute("role") == "img"
    title = cell_text(console.find("svg.chart > title"))
    assert re.search(r"[\u4e00-\u9fff]", title), f"the chart's title is Chinese: {title!r}"
    bars = console.find_all("svg.chart rect.bar")
    assert bars, "bars drawn"
    assert chart.size["width"] > 300 and chart.size["height"] > 60, chart.size
    head, header, rows = page_figures(console)
    assert rows, "the main table has rows"
    assert any("西湖区文新片区" in " ".join(r) for r in rows) or "西湖区文新片区" in console.text()
    assert head[0][0] == "报表" and head[-1][0] == "制表时间（北京时间）", head
    assert dict(head)["统计期"] == str(datetime.datetime.now(BEIJING).year)
    console.check_page("report-compliance")

    # The CSV: UTF-8 with a BOM; the head, then the main table's title, header and rows (the
    # time it was made is the download's own).
    console.find("#download-csv").click()
    path = downloaded(folder, ".csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "a byte-order mark for Excel"
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = [line for line in csv.reader(f) if line]
    assert [tuple(line) for line in lines[: len(head) - 1]] == head[:-1]
    assert lines[len(head) - 1][0] == "制表时间（北京时间）"
    table = lines[len(head):]
    assert table[1] == header, table[:2]
    assert table[2 : 2 + len(rows)] == rows, (table, rows)

    # The XLSX: opened with openpyxl; the head on the sheet, the figures as numbers.
    console.find("#download-xlsx").click()
    path = downloaded(folder, ".xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    cells = [[c for c in row] for row in sheet.iter_rows()]
    values = [[xlsx_text(c) for c in row] for row in cells]
    sheet_head = [(values[i][0], values[i][1]) for i in range(1, 1 + len(head))]
    assert sheet_head[:-1] == head[:-1], sheet_head
    assert isinstance(cells[len(head)][1].value, datetime.datetime), "made at is a date"
    start = 1 + len(head) + 1  # the title, the head, an empty row
    assert values[start + 1][: len(header)] == header
    assert [r[: len(header)] for r in values[start + 2 : start + 2 + len(rows)]] == rows
    numbers = [c.value for row in cells[start + 2 :] for c in row[1:] if c.value is not None]
    assert any(isinstance(v, (int, float)) for v in numbers), "figures are numbers, not text"

    # The same pages in English.
    console.switch_language()
    assert console.lang == "en"
    assert "Made at (Beijing time)" in console.find("#report-facts").text
    assert console.find_all("svg.chart rect.bar")
    console.check_page("report-compliance")
    console.go("/console/reports")
    console.check_page("reports")


def test_a_dispatcher_is_refused_another_districts_report(console, office):
    console.sign_in(office.dispatcher_login, office.dispatcher_password)
    console.go("/console/reports")
    picker = console.find("select#unit").text
    assert "西湖区文新片区" in picker and "上城区湖滨片区" not in picker, picker
    assert "年度考核" not in console.find("select#kind").text
    path = (
        f"/console/reports/report?kind=compliance&level=district&unit={office.other_district}"
        "&period=month&day=2026-12-07"
    )
    assert console.status_of(path) == 403
    assert console.status_of("/console/reports/report?kind=compliance&period=fortnight") == 422
    console.go("/console/reports/report?kind=compliance&period=fortnight")
    refusal = console.find("main").text
    assert "period: 统计周期须为" in refusal and "period: the period is" in refusal, refusal
