"""R7 elimination watch: prorated achievement, the exact 60% line, who is listed, scope, leap years."""
from __future__ import annotations

import math

import pytest

from lib.reports import PeriodOptions, run_report
from lib.rules.elimination import ELIMINATION_COLUMNS, elimination
from lib.rules_file import load_rules
from lib.scope import Scope
from tests.conftest import d


def rows(frame):
    return {r["dealer_id"]: r for r in frame.to_dict("records")}


def add(tdb, dealer_id, target=None, orders=(), year=2025, **columns):
    tdb.add("dealers", dealer_id=dealer_id, **columns)
    if target is not None:
        tdb.add("targets", dealer_id=dealer_id, year=year, target_amount=str(target))
    for day, amount in orders:
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=str(amount))


def test_year_end_statuses_and_who_is_listed(tdb, rules):
    # 2025 as of the default 2025-12-31: elapsed 365/365 = 1, achievement = actual / target.
    # W: 59,999.99 / 100,000 = 0.5999999 -> watch.   K: 60,000 / 100,000 = 0.60 exactly -> ok
    #    (its orders on 2024-12-31 and 2026-01-01 are outside the year).
    # H: 30,000 + 40,000 - 5,000 (return) = 65,000 / 100,000 = 0.65 -> ok.
    # Z: target 50,000, no orders -> 0 -> watch.   OldT: terminated 2024-06-30 but has a 2025 target -> listed, 0, watch.
    # N: no 2025 target (only 2024), active, 1,234.50 -> no_target, achievement empty.
    # J1: no target, terminated 2025-01-01 (not before Jan 1: active at some time in the year) -> no_target.
    # Old: no target, terminated 2024-12-31 -> not listed.
    # Order: watch (achievement asc, then id: OldT 0, Z 0, W), ok (K, H), no_target (J1, N).
    tdb.add("territories", territory_id="T1")
    add(tdb, "W", 100000, [("2025-03-01", "59999.99")])
    add(tdb, "K", 100000, [("2025-01-01", 30000), ("2025-12-31", 30000), ("2024-12-31", 999), ("2026-01-01", 999)])
    add(tdb, "H", 100000, [("2025-02-01", 30000), ("2025-05-01", 40000), ("2025-06-01", -5000)])
    add(tdb, "Z", 50000)
    add(tdb, "OldT", 80000, status="terminated", terminated_on="2024-06-30")
    add(tdb, "N", 70000, [("2025-04-01", "1234.50")], year=2024)
    add(tdb, "J1", status="terminated", terminated_on="2025-01-01")
    add(tdb, "Old", status="terminated", terminated_on="2024-12-31")

    frame = elimination(tdb.con, rules, Scope(), 2025)

    assert list(frame.columns) == ELIMINATION_COLUMNS
    assert frame["dealer_id"].tolist() == ["OldT", "Z", "W", "K", "H", "J1", "N"]
    by_id = rows(frame)
    assert {k: r["status"] for k, r in by_id.items()} == {
        "OldT": "watch", "Z": "watch", "W": "watch", "K": "ok", "H": "ok", "J1": "no_target", "N": "no_target"}
    assert by_id["W"]["achievement"] == pytest.approx(0.5999999, abs=1e-12)
    assert by_id["K"]["achievement"] == pytest.approx(0.6, abs=1e-12)
    assert by_id["K"]["actual_amount"] == 60000.0
    assert by_id["H"]["actual_amount"] == 65000.0 and by_id["H"]["achievement"] == pytest.approx(0.65, abs=1e-12)
    assert by_id["Z"]["achievement"] == 0.0 and by_id["Z"]["actual_amount"] == 0.0
    assert by_id["Z"]["target_amount"] == 50000.0
    assert math.isnan(by_id["N"]["achievement"]) and math.isnan(by_id["N"]["target_amount"])
    assert by_id["N"]["actual_amount"] == 1234.5
    assert set(frame["year"]) == {2025}


def test_leap_year_exactly_on_the_line(tdb, rules):
    # 2024 is a leap year. As of 2024-04-09: elapsed = (31 + 29 + 31 + 9) / 366 = 100/366.
    # Target 36,600 -> prorated 36,600 * 100 / 366 = 10,000.
    # L: 6,000 -> achievement exactly 0.60 -> ok (a float 6000 / (36600 * (100/366)) = 0.5999999999999999
    #    would wrongly say watch).  M: 5,999.99 -> 0.599999 -> watch.
    # Leap day order (2024-02-29) counts; the one on 2024-04-10 is after D.
    tdb.add("territories", territory_id="T1")
    add(tdb, "L", 36600, [("2024-02-29", 6000), ("2024-04-10", 5000)], year=2024)
    add(tdb, "M", 36600, [("2024-04-09", "5999.99")], year=2024)

    by_id = rows(elimination(tdb.con, rules, Scope(), 2024, as_of=d("2024-04-09")))

    assert by_id["L"]["status"] == "ok"
    assert by_id["L"]["achievement"] == pytest.approx(0.6, abs=1e-12)
    assert by_id["L"]["actual_amount"] == 6000.0
    assert by_id["M"]["status"] == "watch"
    assert by_id["M"]["achievement"] == pytest.approx(0.599999, abs=1e-12)
    # At the end of the leap year elapsed is 366/366 = 1: L has 11,000 / 36,600 = 0.30055 -> watch.
    year_end = rows(elimination(tdb.con, rules, Scope(), 2024))
    assert year_end["L"]["achievement"] == pytest.approx(11000 / 36600, abs=1e-12)
    assert year_end["L"]["status"] == "watch"


def test_mid_year_as_of(tdb, rules):
    # 2025 as of 2025-06-30: elapsed = 181/365. Target 73,000 -> prorated 36,200.
    # A: 21,720 -> 21,720 / 36,200 = 0.60 -> ok.  B: 21,719.99 -> watch.  C: 36,200 -> 1.0 -> ok.
    # Fut: signed 2025-08-01 with a target -> listed, 0 -> watch. FutN: signed 2025-08-01 without -> not listed.
    # An order of A on 2025-07-01 is after D.
    tdb.add("territories", territory_id="T1")
    add(tdb, "A", 73000, [("2025-06-30", 21720), ("2025-07-01", 50000)])
    add(tdb, "B", 73000, [("2025-01-15", "21719.99")])
    add(tdb, "C", 73000, [("2025-03-15", 36200)])
    add(tdb, "Fut", 73000, signed_on="2025-08-01")
    add(tdb, "FutN", signed_on="2025-08-01")

    by_id = rows(elimination(tdb.con, rules, Scope(), 2025, as_of=d("2025-06-30")))

    assert set(by_id) == {"A", "B", "C", "Fut"}
    assert {k: r["status"] for k, r in by_id.items()} == {"A": "ok", "B": "watch", "C": "ok", "Fut": "watch"}
    assert by_id["A"]["achievement"] == pytest.approx(0.6, abs=1e-12)
    assert by_id["A"]["actual_amount"] == 21720.0
    assert by_id["B"]["achievement"] == pytest.approx(21719.99 / 36200, abs=1e-12)
    assert by_id["C"]["achievement"] == pytest.approx(1.0, abs=1e-12)


def test_zero_order_year(tdb, rules):
    # No orders at all in 2025: P (target 10,000) -> 0 -> watch; Q (no target) -> no_target, actual 0.
    tdb.add("territories", territory_id="T1")
    add(tdb, "P", 10000)
    add(tdb, "Q")

    by_id = rows(elimination(tdb.con, rules, Scope(), 2025))

    assert (by_id["P"]["actual_amount"], by_id["P"]["achievement"], by_id["P"]["status"]) == (0.0, 0.0, "watch")
    assert (by_id["Q"]["actual_amount"], by_id["Q"]["status"]) == (0.0, "no_target")


def test_scope_filter_and_empty_scope(tdb, rules):
    # 华东 T1: E (S1, target 1,000, 700 -> 0.70 ok); 华南 T2: S (S2, target 1,000, 100 -> 0.10 watch).
    tdb.add("territories", territory_id="T1")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")
    add(tdb, "E", 1000, [("2025-05-01", 700)])
    add(tdb, "S", 1000, [("2025-05-01", 100)], territory_id="T2", salesperson_id="S2")

    south = elimination(tdb.con, rules, Scope.of(regions=["华南"]), 2025)
    assert south[["dealer_id", "status"]].values.tolist() == [["S", "watch"]]
    rep = elimination(tdb.con, rules, Scope.of(salespeople=["S1"]), 2025)
    assert rep[["dealer_id", "status"]].values.tolist() == [["E", "ok"]]
    assert rep["achievement"].tolist() == [pytest.approx(0.7, abs=1e-12)]
    empty = elimination(tdb.con, rules, Scope.of(regions=["nowhere"]), 2025)
    assert empty.empty and list(empty.columns) == ELIMINATION_COLUMNS


def test_min_achievement_from_rules_and_report_catalogue(tdb, tmp_path):
    # min_achievement 0.5: E 550 / 1,000 = 0.55 -> ok (watch under the default 0.60); F 499.99 -> watch.
    # Through run_report with --year 2025 and --as-of 2025-12-31 the same rows and the cli.md columns.
    path = tmp_path / "rules.toml"
    path.write_text("[elimination]\nmin_achievement = 0.5\n", encoding="utf-8")
    custom = load_rules(path)
    tdb.add("territories", territory_id="T1")
    add(tdb, "E", 1000, [("2025-05-01", 550)])
    add(tdb, "F", 1000, [("2025-05-01", "499.99")])

    frame = run_report(tdb.con, rules=custom, name="elimination", scope=Scope(),
                       options=PeriodOptions(year=2025, as_of=d("2025-12-31")))

    assert frame[["dealer_id", "status"]].values.tolist() == [["F", "watch"], ["E", "ok"]]
    assert list(frame.columns) == ELIMINATION_COLUMNS
