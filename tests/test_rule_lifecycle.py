"""R5 territory lifecycle: coverage, churn, stage thresholds, elevation history, views and drill-down."""
from __future__ import annotations

import math

import pytest

from lib.reports import PeriodOptions, run_report
from lib.rules.lifecycle import (DEALER_COLUMNS, LIFECYCLE_COLUMNS, lifecycle, lifecycle_mix, stage_distribution,
                                 territory_dealers)
from lib.rules_file import load_rules
from lib.scope import Scope
from tests.conftest import d


def add_dealers(tdb, territory_id, count, prefix, signed_on="2020-01-01", terminated_on=None, salesperson_id="S1"):
    for i in range(count):
        tdb.add("dealers", dealer_id=f"{prefix}{i:02d}", territory_id=territory_id, signed_on=signed_on,
                status="terminated" if terminated_on else "active", terminated_on=terminated_on,
                salesperson_id=salesperson_id)


def by_territory(frame):
    return {row["territory_id"]: row for row in frame.to_dict("records")}


def override(tmp_path, text):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_coverage_thresholds_are_exact(tdb, rules):
    # D = 2025-06-30; dealers signed 2025-01-01, so no territory has the two-year history for elevation.
    # TD: 6 active of 10 -> 0.60 development; plus one signed after D (not counted) and one terminated
    #     on D (not active on D, but churned): churn = 1 / (6 + 1) = 0.142857...
    # TM: 7 of 10 -> exactly 0.70 -> maintenance (on the line).  T8: 8 of 10 -> maintenance.
    # TN: 9 of 10 -> exactly 0.90 -> mining (on the line).       TF: 12 of 10 -> 1.2 -> mining.
    for tid, n in (("TD", 6), ("TM", 7), ("T8", 8), ("TN", 9), ("TF", 12)):
        tdb.add("territories", territory_id=tid, planned_dealers=10)
        add_dealers(tdb, tid, n, f"{tid}-", signed_on="2025-01-01")
    tdb.add("dealers", dealer_id="TD-late", territory_id="TD", signed_on="2025-07-01")
    tdb.add("dealers", dealer_id="TD-gone", territory_id="TD", signed_on="2025-01-01", status="terminated",
            terminated_on="2025-06-30")

    frame = lifecycle(tdb.con, rules, Scope(), d("2025-06-30"))

    assert list(frame.columns) == LIFECYCLE_COLUMNS
    rows = by_territory(frame)
    assert {t: r["stage"] for t, r in rows.items()} == {
        "TD": "development", "TM": "maintenance", "T8": "maintenance", "TN": "mining", "TF": "mining"}
    assert {t: r["active_dealers"] for t, r in rows.items()} == {"TD": 6, "TM": 7, "T8": 8, "TN": 9, "TF": 12}
    assert rows["TM"]["coverage"] == pytest.approx(0.7, abs=1e-12)
    assert rows["TF"]["coverage"] == pytest.approx(1.2, abs=1e-12)
    assert rows["TD"]["churn_12m"] == pytest.approx(1 / 7, abs=1e-12)
    assert rows["TM"]["churn_12m"] == 0.0
    assert rows["TM"]["planned_dealers"] == 10


def test_elevation_needs_coverage_at_every_earlier_quarter_end(tdb, rules):
    # D = 2025-06-15; the 7 quarter-ends before it: 2025-03-31, 2024-12-31, 2024-09-30, 2024-06-30,
    # 2024-03-31, 2023-12-31, 2023-09-30. Planned 10 each.
    # E1: 10 signed 2023-09-30 (active that day) -> 1.0 everywhere, churn 0/10 -> elevation.
    # E2: 10 signed 2023-10-01 -> 0 on 2023-09-30 -> mining.
    # E3: 8 signed 2023-01-01, X terminated 2024-06-01, Y signed 2024-07-01 -> 8/10 on 2024-06-30 -> mining
    #     (on D 9/10 = 0.90, churn 0/9: X left before D - 365 = 2024-06-15).
    # E4: as E3 but Y signed 2024-06-30 -> 9/10 on 2024-06-30 (on the line) -> elevation.
    for tid in ("E1", "E2", "E3", "E4"):
        tdb.add("territories", territory_id=tid, planned_dealers=10)
    add_dealers(tdb, "E1", 10, "E1-", signed_on="2023-09-30")
    add_dealers(tdb, "E2", 10, "E2-", signed_on="2023-10-01")
    for tid, y_signed in (("E3", "2024-07-01"), ("E4", "2024-06-30")):
        add_dealers(tdb, tid, 8, f"{tid}-", signed_on="2023-01-01")
        tdb.add("dealers", dealer_id=f"{tid}-X", territory_id=tid, signed_on="2023-01-01", status="terminated",
                terminated_on="2024-06-01")
        tdb.add("dealers", dealer_id=f"{tid}-Y", territory_id=tid, signed_on=y_signed)

    rows = by_territory(lifecycle(tdb.con, rules, Scope(), d("2025-06-15")))

    assert {t: r["stage"] for t, r in rows.items()} == {
        "E1": "elevation", "E2": "mining", "E3": "mining", "E4": "elevation"}
    assert rows["E3"]["coverage"] == pytest.approx(0.9, abs=1e-12)
    assert rows["E3"]["churn_12m"] == 0.0


def test_churn_window_and_max_churn_line(tdb, rules):
    # D = 2025-06-30, churn window (2024-06-30, 2025-06-30]. Planned 20, 19 dealers since 2020 in each.
    # C1: + 1 terminated 2025-01-15 -> churn 1/20 = 0.05 (on the line) -> elevation.
    # C2: + 2 terminated 2025-01-15 -> churn 2/21 = 0.0952 -> mining (coverage 19/20 = 0.95).
    # C3: + 1 terminated 2024-06-30 (= D - 365, outside) + 1 terminated 2025-06-30 (= D, inside)
    #     -> churn 1/20 = 0.05 -> elevation; active 19.
    for tid in ("C1", "C2", "C3"):
        tdb.add("territories", territory_id=tid, planned_dealers=20)
        add_dealers(tdb, tid, 19, f"{tid}-")
    add_dealers(tdb, "C1", 1, "C1-t", terminated_on="2025-01-15")
    add_dealers(tdb, "C2", 2, "C2-t", terminated_on="2025-01-15")
    add_dealers(tdb, "C3", 1, "C3-old", terminated_on="2024-06-30")
    add_dealers(tdb, "C3", 1, "C3-new", terminated_on="2025-06-30")

    rows = by_territory(lifecycle(tdb.con, rules, Scope(), d("2025-06-30")))

    assert rows["C1"]["churn_12m"] == pytest.approx(0.05, abs=1e-12)
    assert rows["C2"]["churn_12m"] == pytest.approx(2 / 21, abs=1e-12)
    assert rows["C3"]["churn_12m"] == pytest.approx(0.05, abs=1e-12)
    assert {t: r["active_dealers"] for t, r in rows.items()} == {"C1": 19, "C2": 19, "C3": 19}
    assert {t: r["stage"] for t, r in rows.items()} == {"C1": "elevation", "C2": "mining", "C3": "elevation"}


def test_unplanned_and_empty_territories(tdb, rules):
    # TU: planned 0, 3 active + 1 terminated 2025-03-01 -> unplanned, coverage empty, churn 1/4 = 0.25.
    # TE: planned 5, no dealers -> coverage 0/5 = 0 -> development; churn 0/0 -> empty.
    tdb.add("territories", territory_id="TU", planned_dealers=0)
    tdb.add("territories", territory_id="TE", planned_dealers=5)
    add_dealers(tdb, "TU", 3, "TU-")
    add_dealers(tdb, "TU", 1, "TU-t", terminated_on="2025-03-01")

    rows = by_territory(lifecycle(tdb.con, rules, Scope(), d("2025-06-30")))

    assert rows["TU"]["stage"] == "unplanned"
    assert math.isnan(rows["TU"]["coverage"])
    assert rows["TU"]["active_dealers"] == 3
    assert rows["TU"]["churn_12m"] == pytest.approx(0.25, abs=1e-12)
    assert rows["TE"]["stage"] == "development"
    assert rows["TE"]["coverage"] == 0.0
    assert math.isnan(rows["TE"]["churn_12m"])


def test_scope_selects_territories_but_not_salespeople(tdb, rules):
    # T1 (华东) has 4 dealers of S1 and 4 of S2, planned 10 -> 8/10 = 0.80 maintenance whatever the
    # salesperson filter. T2 (华南) 9 of 10. A region filter keeps only its territories; an unknown
    # region gives an empty frame with the report's columns.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    tdb.add("territories", territory_id="T2", planned_dealers=10, region="华南", province="广东")
    add_dealers(tdb, "T1", 4, "A", salesperson_id="S1")
    add_dealers(tdb, "T1", 4, "B", salesperson_id="S2")
    add_dealers(tdb, "T2", 9, "C", salesperson_id="S3", signed_on="2025-01-01")

    by_rep = by_territory(lifecycle(tdb.con, rules, Scope.of(salespeople=["S2"]), d("2025-06-30")))
    assert by_rep["T1"]["active_dealers"] == 8
    assert by_rep["T1"]["stage"] == "maintenance"
    assert set(by_rep) == {"T1", "T2"}

    south = lifecycle(tdb.con, rules, Scope.of(regions=["华南"]), d("2025-06-30"))
    assert south["territory_id"].tolist() == ["T2"]
    assert south["stage"].tolist() == ["mining"]

    empty = lifecycle(tdb.con, rules, Scope.of(regions=["nowhere"]), d("2025-06-30"))
    assert empty.empty
    assert list(empty.columns) == LIFECYCLE_COLUMNS


def test_rules_override_moves_the_lines(tdb, tmp_path):
    # With maintenance_coverage 0.5 and elevation_quarters 1 (only D itself):
    # TA: 6 of 10 -> 0.60 >= 0.5 -> maintenance (development under the defaults).
    # TB: 10 of 10 signed 2025-01-01 -> no history needed -> elevation (mining under the defaults).
    # TC: 9 of 10 with churn 1/10 = 0.10 -> max churn raised to 0.10 -> elevation (on the line).
    custom = override(tmp_path, "[lifecycle]\nmaintenance_coverage = 0.5\nelevation_quarters = 1\n"
                                "elevation_max_churn = 0.10\n")
    for tid in ("TA", "TB", "TC"):
        tdb.add("territories", territory_id=tid, planned_dealers=10)
    add_dealers(tdb, "TA", 6, "A", signed_on="2025-01-01")
    add_dealers(tdb, "TB", 10, "B", signed_on="2025-01-01")
    add_dealers(tdb, "TC", 9, "C", signed_on="2025-01-01")
    add_dealers(tdb, "TC", 1, "Ct", signed_on="2025-01-01", terminated_on="2025-05-01")

    rows = by_territory(lifecycle(tdb.con, custom, Scope(), d("2025-06-30")))

    assert {t: r["stage"] for t, r in rows.items()} == {"TA": "maintenance", "TB": "elevation", "TC": "elevation"}


def test_stage_mix_over_quarter_ends_in_one_go(tdb, rules):
    # T1 planned 10: 7 dealers signed 2024-11-01, 2 more signed 2025-02-01, 1 more 2025-05-01.
    #   2024-12-31: 7/10 maintenance; 2025-03-31: 9/10 mining; 2025-06-30: 10/10 mining (short history).
    # T2 planned 0 -> unplanned at every date. T3 planned 4, 1 dealer from 2020 -> development throughout.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    tdb.add("territories", territory_id="T2", planned_dealers=0)
    tdb.add("territories", territory_id="T3", planned_dealers=4)
    add_dealers(tdb, "T1", 7, "A", signed_on="2024-11-01")
    add_dealers(tdb, "T1", 2, "B", signed_on="2025-02-01")
    add_dealers(tdb, "T1", 1, "C", signed_on="2025-05-01")
    add_dealers(tdb, "T3", 1, "D")
    days = [d("2024-12-31"), d("2025-03-31"), d("2025-06-30")]

    mix = lifecycle_mix(tdb.con, rules, Scope(), days)

    assert list(mix.columns) == ["as_of", "stage", "territories"]
    assert len(mix) == 15  # 3 days x 5 stages, zeros kept
    counts = {(r["as_of"], r["stage"]): r["territories"] for r in mix.to_dict("records")}
    assert counts[(d("2024-12-31"), "maintenance")] == 1
    assert counts[(d("2024-12-31"), "mining")] == 0
    assert counts[(d("2025-03-31"), "mining")] == 1
    assert counts[(d("2025-06-30"), "mining")] == 1
    assert counts[(d("2025-06-30"), "elevation")] == 0
    assert all(counts[(day, "unplanned")] == 1 and counts[(day, "development")] == 1 for day in days)
    # the same as running the report at each date
    for day in days:
        single = lifecycle(tdb.con, rules, Scope(), day)["stage"].value_counts().to_dict()
        assert {s: n for (dd, s), n in counts.items() if dd == day and n} == single
    assert lifecycle_mix(tdb.con, rules, Scope(), []).empty


def test_stage_distribution_per_region(tdb, rules):
    # D = 2025-06-30; sales window (2024-06-30, 2025-06-30].
    # 华东: T1 planned 10, 7 dealers -> maintenance; orders 2024-06-30 (outside) 500, 2024-07-01 100.50,
    #       2025-06-30 200 -> sales 300.50; a terminated dealer's order 2025-01-01 50 counts -> 350.50.
    #       T2 planned 10, 6 dealers -> development, no orders -> 0.
    # 华南: T3 planned 0, 2 dealers -> unplanned; order 2025-07-01 (after D) 999 not counted -> 0.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    tdb.add("territories", territory_id="T2", planned_dealers=10)
    tdb.add("territories", territory_id="T3", planned_dealers=0, region="华南")
    add_dealers(tdb, "T1", 7, "A")
    add_dealers(tdb, "T1", 1, "At", terminated_on="2025-03-01")
    add_dealers(tdb, "T2", 6, "B")
    add_dealers(tdb, "T3", 2, "C")
    tdb.add("orders", dealer_id="A00", order_date="2024-06-30", amount="500")
    tdb.add("orders", dealer_id="A00", order_date="2024-07-01", amount="100.50")
    tdb.add("orders", dealer_id="A01", order_date="2025-06-30", amount="200")
    tdb.add("orders", dealer_id="At00", order_date="2025-01-01", amount="50")
    tdb.add("orders", dealer_id="C00", order_date="2025-07-01", amount="999")

    frame = stage_distribution(tdb.con, rules, Scope(), d("2025-06-30"))

    assert list(frame.columns) == ["region", "stage", "territories", "active_dealers", "sales"]
    assert len(frame) == 10  # 2 regions x 5 stages
    cells = {(r["region"], r["stage"]): (r["territories"], r["active_dealers"], r["sales"])
             for r in frame.to_dict("records")}
    assert cells[("华东", "maintenance")] == (1, 7, 350.50)
    assert cells[("华东", "development")] == (1, 6, 0.0)
    assert cells[("华东", "mining")] == (0, 0, 0.0)
    assert cells[("华南", "unplanned")] == (1, 2, 0.0)
    assert stage_distribution(tdb.con, rules, Scope.of(regions=["nowhere"]), d("2025-06-30")).empty


def test_territory_dealers_behind_a_bar(tdb, rules):
    # D = 2025-06-30. T1 (maintenance, 7/10): A00..A06 active; At terminated 2025-03-01 (in the churn
    # window, listed, not active); Aold terminated 2024-01-01 (outside, not listed); Alate signed after D
    # (not listed). T2 (development) is not behind the maintenance bar.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    tdb.add("territories", territory_id="T2", planned_dealers=10)
    add_dealers(tdb, "T1", 7, "A")
    tdb.add("dealers", dealer_id="At", territory_id="T1", status="terminated", terminated_on="2025-03-01")
    tdb.add("dealers", dealer_id="Aold", territory_id="T1", status="terminated", terminated_on="2024-01-01")
    tdb.add("dealers", dealer_id="Alate", territory_id="T1", signed_on="2025-07-01")
    add_dealers(tdb, "T2", 2, "B")

    frame = territory_dealers(tdb.con, rules, Scope(), d("2025-06-30"), stage="maintenance")

    assert list(frame.columns) == DEALER_COLUMNS
    assert frame["dealer_id"].tolist() == [f"A{i:02d}" for i in range(7)] + ["At"]
    assert frame["active"].tolist() == [True] * 7 + [False]
    gone = frame.iloc[-1]
    assert gone["terminated_on"] == d("2025-03-01") and gone["status"] == "terminated"
    assert frame.iloc[0]["signed_on"] == d("2020-01-01") and frame.iloc[0]["terminated_on"] is None
    assert territory_dealers(tdb.con, rules, Scope(), d("2025-06-30"), territory_ids=["T2"])["dealer_id"].tolist() \
        == ["B00", "B01"]
    assert territory_dealers(tdb.con, rules, Scope(), d("2025-06-30"), stage="elevation").empty
    assert territory_dealers(tdb.con, rules, Scope(), d("2025-06-30"), region="华南").empty


def test_report_catalogue_runs_lifecycle(tdb, rules):
    # Through run_report with --as-of 2025-06-30: T1 7 of 10 -> maintenance, the cli.md columns.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    add_dealers(tdb, "T1", 7, "A")

    frame = run_report(tdb.con, rules=rules, name="lifecycle", scope=Scope(),
                       options=PeriodOptions(as_of=d("2025-06-30")))

    assert list(frame.columns) == LIFECYCLE_COLUMNS
    assert frame[["territory_id", "active_dealers", "stage"]].values.tolist() == [["T1", 7, "maintenance"]]
