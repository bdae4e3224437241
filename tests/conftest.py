"""Shared fixtures: a real DuckDB file per test, built with the app's own schema."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib import db
from lib.rules_file import default_rules

# Column defaults so a test names only the columns its rule reads.
DEFAULTS = {
    "territories": {"territory_name": None, "province": "浙江", "region": "华东", "planned_dealers": 10,
                    "opened_on": None},
    "salespeople": {"name": None, "role": "rep", "territory_id": None, "manager_id": None,
                    "hired_on": None, "left_on": None},
    "dealers": {"dealer_name": None, "territory_id": "T1", "salesperson_id": "S1", "channel": "批发",
                "signed_on": "2024-01-01", "contract_end": None, "status": "active", "terminated_on": None,
                "contact_name": None, "phone": None, "address": None, "tax_id": None, "bank_account": None,
                "approved_new": False},
    "opportunities": {"prospect_name": None, "territory_id": "T1", "salesperson_id": "S1",
                      "created_on": "2025-01-01", "expected_amount": None, "expected_profit": None,
                      "expected_close_on": None, "dealer_id": None, "lost_on": None, "lost_reason": None},
    "stage_history": {},
    "orders": {"quantity": None, "product_line": None, "salesperson_id": None},
    "payments": {"salesperson_id": None},
    "targets": {},
}
NAME_COLUMN = {"territories": ("territory_name", "territory_id"), "salespeople": ("name", "salesperson_id"),
               "dealers": ("dealer_name", "dealer_id"), "opportunities": ("prospect_name", "opportunity_id")}


class TestDB:
    """A temp dashboard database with a terse way to add rows."""

    __test__ = False  # not a test class

    def __init__(self, path: Path):
        self.path = path
        self.con = db.open_for_write(path)
        self._serial = 0

    def add(self, table: str, **row) -> dict:
        full = {**DEFAULTS[table], **row}
        if table in NAME_COLUMN:
            name, key = NAME_COLUMN[table]
            if full.get(name) is None:
                full[name] = f"name-{full[key]}"
        if table == "orders" and "order_id" not in full:
            self._serial += 1
            full["order_id"] = f"O{self._serial:06d}"
        if table == "payments" and "payment_id" not in full:
            self._serial += 1
            full["payment_id"] = f"P{self._serial:06d}"
        cols = list(full)
        self.con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [full[c] for c in cols],
        )
        return full

    def add_many(self, table: str, rows: list[dict]) -> None:
        for row in rows:
            self.add(table, **row)


@pytest.fixture
def tdb(tmp_path) -> TestDB:
    t = TestDB(tmp_path / "test.duckdb")
    yield t
    t.con.close()


@pytest.fixture
def rules():
    """The shipped defaults, whatever data/rules.toml the working tree holds."""
    return default_rules()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


DEMO_END = dt.date(2025, 12, 1)


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A small demo database (300 dealers, 24 months to Dec 2025), built once per test session.

    Page tests read it; nothing writes to it.
    """
    from lib import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build_demo(path, seed=11, dealers=300, months=24, end=DEMO_END, progress=lambda m: None)
    return path
