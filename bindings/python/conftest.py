"""The back office for the binding tests: a real `doorstep serve` on loopback, set up with the
real `doorstep admin`, in a directory of its own. The binary and the generated package come
from `scripts/bindings` and `cargo build` (see bindings/README.md)."""

import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "target" / "bindings" / "python"))
DOORSTEP = os.environ.get("DOORSTEP_BIN", str(ROOT / "target" / "debug" / "doorstep"))

# A district around 文三路 in 杭州 (WGS-84), two households in it.
BOUNDARY = "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30"
HOUSEHOLDS = """customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group
HZ-0001,张伟,13812345678,{district},西湖区,文三路88号,3,2,501,30.271,120.121,residential,2019-05-01,2024-04-02T09:30:00+08:00,
HZ-0002,王秀英,13912345678,{district},西湖区,文三路88号,3,2,502,30.2711,120.1211,residential,2020-01-01,,elderly
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    """The service center: its server and its admin tool on one data directory."""

    def __init__(self, data):
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None

    def admin(self, *args):
        run = subprocess.run(
            [DOORSTEP, "admin", "--data", str(self.data), *args],
            capture_output=True, text=True, timeout=60,
        )
        assert run.returncode == 0, f"doorstep admin {args[0]}: {run.stderr}"
        return run.stdout.strip()

    def start(self):
        self.server = subprocess.Popen(
            [DOORSTEP, "serve", "--data", str(self.data), "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.server.stdout.readline()
        assert re.match(r"listening on http://", line), f"the server did not start: {line!r}"

    def stop(self):
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.server = None

    def enrolled_phone(self, directory, model="test phone"):
        """A new installation in `directory`, enrolled with a fresh code for the technician."""
        import doorstep

        store = doorstep.DeviceStore.open(str(directory), doorstep.generate_store_key())
        store.enroll(self.url, self.admin("enroll", self.technician), model)
        return store

    def db(self):
        return sqlite3.connect(self.data / "doorstep.sqlite")

    def count(self, sql, *params):
        with self.db() as conn:
            return conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path / "office")
    office.start()
    district = office.admin("district", "add", "--name", "西湖区文新片区", "--boundary", BOUNDARY)
    office.district = district
    crew = office.admin("crew", "add", "--name", "抢修一班", "--district", district)
    office.crew = crew
    office.technician = office.admin(
        "technician", "add", "--badge", "HZ1024", "--name", "周建国", "--role", "crew_leader",
        "--crew", crew, "--district", district,
    )
    csv = tmp_path / "households.csv"
    csv.write_text(HOUSEHOLDS.format(district=district), encoding="utf-8")
    office.admin("household", "import", str(csv))
    office.order_number = "WO-20261128-001"
    office.admin(
        "order", "create", "--number", office.order_number, "--kind", "pipeline_fault",
        "--source", "phone", "--household", "HZ-0001", "--assignee", office.technician,
        "--description", "楼道内闻到燃气味",
    )
    yield office
    office.stop()


@pytest.fixture
def doorstep():
    import doorstep as module
    return module
