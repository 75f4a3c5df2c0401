"""The console in a real browser: Debian's headless `chromium` driven through `chromedriver` by
Selenium, against a real `doorstep serve` set up with the real `doorstep admin` (the bindings'
`Office`, imported, not copied), and a phone driven through the real bindings (the bindings'
`Phone`, which drives the app layer the Android shell draws).

Nothing is fetched from the network: the chromedriver and the Chromium binary are named
explicitly (so Selenium Manager never runs), and every page comes from the server on loopback.

Screenshots go to target/console-screenshots/{zh,en}/<page>.png (README.md)."""

import importlib.util
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINDINGS = ROOT / "bindings" / "python"
# The bindings' helpers (app_driver, field) import each other by name.
sys.path.insert(0, str(BINDINGS))


def _bindings_conftest():
    """bindings/python/conftest.py as a module of its own name (ours is `conftest` too)."""
    spec = importlib.util.spec_from_file_location("bindings_office", BINDINGS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


office_module = _bindings_conftest()
Office = office_module.Office
BOUNDARY = office_module.BOUNDARY
HOUSEHOLDS = office_module.HOUSEHOLDS
DOORSTEP = office_module.DOORSTEP

# A second district, east of the first, with one household: what a dispatcher of the first
# district must not see.
OTHER_BOUNDARY = "120.20 30.25, 120.25 30.25, 120.25 30.30, 120.20 30.30"
OTHER_HOUSEHOLDS = """customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group
HZ-0101,刘芳,13712345678,{district},上城区,解放路12号,1,1,101,30.27,120.22,residential,2018-03-01,2023-03-01T10:00:00+08:00,
"""

SHOTS = pathlib.Path(os.environ.get("DOORSTEP_CONSOLE_SHOTS", ROOT / "target" / "console-screenshots"))
WIDTH, HEIGHT = 1366, 768
# The tallest full-page screenshot taken.
MAX_SHOT_HEIGHT = 20_000


def installed(*names):
    """The first of `names` on PATH; a missing tool fails the test (scripts/test installs it)."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{' or '.join(names)} is not installed (scripts/test installs chromium and chromium-driver)")


class ConsoleOffice(Office):
    """The bindings' office, with staff accounts for the console."""

    def staff(self, login, name, role, *districts):
        """`doorstep admin staff add` with a password given on standard input; the password."""
        password = "pw-" + secrets.token_urlsafe(12)
        args = ["staff", "add", "--login", login, "--name", name, "--role", role, "--password-stdin"]
        for district in districts:
            args += ["--district", district]
        run = subprocess.run(
            [DOORSTEP, "admin", "--data", str(self.data), *args],
            input=password + "\n", capture_output=True, text=True, timeout=60,
        )
        assert run.returncode == 0, f"doorstep admin staff add: {run.stderr}"
        return password


def backends():
    """SQLite always; PostgreSQL too unless DOORSTEP_SKIP_POSTGRES=1 (as the server's tests)."""
    if os.environ.get("DOORSTEP_SKIP_POSTGRES") == "1":
        return ["sqlite"]
    return ["sqlite", "postgres"]


@pytest.fixture
def database(request, monkeypatch):
    """The office's database: its SQLite file (nothing to do), or a fresh PostgreSQL database
    on the test server of scripts/services (DOORSTEP_TEST_DATABASE_URL), dropped afterwards.
    The server and the admin tool read DOORSTEP_DATABASE_URL."""
    if request.param == "sqlite":
        monkeypatch.delenv("DOORSTEP_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    base = os.environ.get("DOORSTEP_TEST_DATABASE_URL")
    if not base:
        pytest.fail("DOORSTEP_TEST_DATABASE_URL is not set: `scripts/services start; source "
                    "target/services/env` (or DOORSTEP_SKIP_POSTGRES=1 for SQLite alone)")
    name = "test_browser_" + secrets.token_hex(6)
    psql = installed("psql")
    run = lambda url, sql: subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                                          capture_output=True, text=True, timeout=60)
    made = run(base, f"CREATE DATABASE {name}")
    assert made.returncode == 0, made.stderr
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", base.rsplit("/", 1)[0] + "/" + name)
    try:
        yield "postgres"
    finally:
        run(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def office(tmp_path, database):
    """A server over a fresh data directory (and a fresh database on PostgreSQL): the bindings'
    district, crew, crew leader and two households on 文三路88号; a second district with one
    household; an administrator and a dispatcher of the first district."""
    office = ConsoleOffice(tmp_path / "office")
    office.backend = database
    office.start()
    office.district = office.admin("district", "add", "--name", "西湖区文新片区", "--boundary", BOUNDARY)
    office.other_district = office.admin("district", "add", "--name", "上城区湖滨片区", "--boundary", OTHER_BOUNDARY)
    office.crew = office.admin("crew", "add", "--name", "抢修一班", "--district", office.district)
    office.technician = office.admin(
        "technician", "add", "--badge", "HZ1024", "--name", "周建国", "--role", "crew_leader",
        "--crew", office.crew, "--district", office.district,
    )
    csv = tmp_path / "households.csv"
    csv.write_text(HOUSEHOLDS.format(district=office.district), encoding="utf-8")
    office.admin("household", "import", str(csv))
    csv = tmp_path / "other-households.csv"
    csv.write_text(OTHER_HOUSEHOLDS.format(district=office.other_district), encoding="utf-8")
    office.admin("household", "import", str(csv))
    office.admin_login, office.admin_password = "chenjing", office.staff("chenjing", "陈静", "administrator")
    office.dispatcher_login, office.dispatcher_password = (
        "wangfang", office.staff("wangfang", "王芳", "dispatcher", office.district)
    )
    yield office
    office.stop()


@pytest.fixture
def browser():
    """A headless Chromium of 1366×768, driven by chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = installed("chromium", "chromium-browser")
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}", "--lang=zh-CN",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
    ):
        options.add_argument(arg)
    service = Service(executable_path=installed("chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        # The viewport itself 1366×768, whatever the window's frame takes.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False,
        })
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def console(browser, office):
    from console import Console

    return Console(browser, office)


def pytest_generate_tests(metafunc):
    # Every test with an office runs on both backends.
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", backends(), indirect=True)


def pytest_configure(config):
    # Never let Selenium Manager look for a driver or a browser on the network.
    os.environ.setdefault("SE_OFFLINE", "true")
    # A fresh run starts its screenshots afresh.
    SHOTS.mkdir(parents=True, exist_ok=True)


def now_iso():
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def wait_for(what, check, timeout=15.0, every=0.1):
    """Polls `check` until it returns something true; fails saying `what` when it never does."""
    until = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > until:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)
