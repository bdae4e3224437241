"""The DuckDB rule functions (lib/rules via lib.reports.run_report) agree with the independent pandas
reference (bench/pandas_reference.py) on a demo database, for every report, on the default period,
one region, one rep, and a past period.

Same rows (matched on key columns), amounts equal to the cent (|diff| < 0.005), rates and other
numbers within 1e-9, text/dates/bools equal, empty (None/NaN/NaT) matching empty.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from bench import pandas_reference as ref
from lib import db
from lib.periods import Quarter, add_months, month_start
from lib.reports import REPORTS, PeriodOptions, data_end, resolve_period, run_report
from lib.rules_file import default_rules
from lib.scope import Scope

KEYS = {
    "funnel": ("stage",),
    "forecast": ("stage",),
    "profit-matrix": ("profit_band", "stage"),
    "core-dealers": ("dealer_id",),
    "lifecycle": ("territory_id",),
    "tiers": ("dealer_id",),
    "tier-moves": ("from_tier", "to_tier"),
    "elimination": ("dealer_id",),
    "new-dealers": ("dealer_id",),
    "contest": ("salesperson_id",),
    "contest-score": ("salesperson_id",),
    "duplicates": ("dealer_id", "duplicate_of"),
    "contracts": ("month",),
    "drivers": ("factor",),
}
# Columns in yuan: equal to the cent. Everything else numeric (rates, counts, days, scores): 1e-9.
AMOUNTS = {
    "amount", "expected_amount", "weighted_amount", "volume", "threshold_a", "threshold_b", "threshold_c",
    "target_amount", "actual_amount", "intention_penalty", "development_amount", "new_dealer_sales",
    "award_developed", "award_sales", "fine_developed", "fine_sales", "payout", "collected_total",
    "contribution",
}
DRIVER_AMOUNT_FACTORS = {"avg_amount", "sales"}
CASES = ("default", "region", "rep", "past")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    demo = pytest.importorskip("lib.demo")
    path = tmp_path_factory.mktemp("agreement") / "demo.duckdb"
    demo.build_demo(path, seed=11, dealers=300, months=24, end=dt.date(2025, 12, 1), progress=lambda m: None)
    con = db.connect(path, read_only=True)
    yield con, ref.load_tables(con)
    con.close()


def past_options(period: str, last: dt.date) -> PeriodOptions:
    """A past period of each kind, well inside a 24-month history ending at `last`."""
    y = last.year - 1
    return {
        "as_of": PeriodOptions(as_of=add_months(last, -9).replace(day=15)),
        "range": PeriodOptions(start=dt.date(y, 1, 1), end=dt.date(y, 6, 30)),
        "optional_range": PeriodOptions(start=dt.date(y, 1, 1), end=dt.date(y, 6, 30)),
        "quarter": PeriodOptions(quarter=Quarter.containing(last).previous().previous()),
        "year": PeriodOptions(year=y, as_of=dt.date(y, 8, 15)),
        "month": PeriodOptions(month=month_start(add_months(last, -5))),
        "campaign": PeriodOptions(campaign=(dt.date(y, 1, 1), dt.date(y, 6, 1))),
        "drivers": PeriodOptions(start=dt.date(y, 4, 1), end=dt.date(y, 9, 30),
                                 vs_start=dt.date(y, 1, 1), vs_end=dt.date(y, 3, 31)),
        "none": PeriodOptions(),
    }[period]


def case_inputs(case: str, con, tables, report) -> tuple[Scope, PeriodOptions]:
    territories = tables["territories"].sort_values("territory_id")
    if case == "region":
        return Scope.of(regions=[territories["region"].iloc[0]]), PeriodOptions()
    if case == "rep":
        # the rep owning the most dealers, so the scope is narrow but not empty
        owner = tables["dealers"]["salesperson_id"].value_counts().sort_index(kind="mergesort")
        return Scope.of(salespeople=[owner.idxmax()]), PeriodOptions()
    if case == "past":
        return Scope(), past_options(report.period, data_end(con))
    return Scope(), PeriodOptions()


def _plain(value):
    """One cell as a comparable python value: None for any kind of empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, (dt.datetime, dt.date)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    try:
        import decimal
        if isinstance(value, decimal.Decimal):
            return float(value)
    except ImportError:  # pragma: no cover
        pass
    return value


def _rows(frame: pd.DataFrame, keys: tuple[str, ...]) -> dict[tuple, dict]:
    out = {}
    for record in frame.to_dict("records"):
        plain = {c: _plain(v) for c, v in record.items()}
        key = tuple(plain[k] for k in keys)
        assert key not in out, f"key {key} twice"
        out[key] = plain
    return out


def _tolerance(name: str, column: str, row: dict) -> float:
    if name == "drivers" and column in ("period_value", "comparison_value"):
        return 0.005 if row["factor"] in DRIVER_AMOUNT_FACTORS else 1e-9
    return 0.005 if column in AMOUNTS else 1e-9


def differences(name: str, ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    """Every disagreement, worded as key / column / duckdb value / pandas value."""
    keys = KEYS[name]
    a, b = _rows(ours, keys), _rows(theirs, keys)
    problems = []
    for key in sorted(set(a) - set(b), key=str):
        problems.append(f"{key}: only in lib/rules")
    for key in sorted(set(b) - set(a), key=str):
        problems.append(f"{key}: only in the pandas reference")
    for key in sorted(set(a) & set(b), key=str):
        for column in REPORTS[name].columns:
            x, y = a[key].get(column), b[key].get(column)
            if x is None or y is None:
                same = x is None and y is None
            elif isinstance(x, float) and isinstance(y, float):
                same = abs(x - y) < _tolerance(name, column, a[key])
            else:
                same = x == y
            if not same:
                problems.append(f"{key} {column}: lib/rules {x!r} vs reference {y!r}")
    return problems


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", list(REPORTS))
def test_rule_functions_agree_with_the_pandas_reference(demo_db, name, case):
    con, tables = demo_db
    rules = default_rules()
    report = REPORTS[name]
    scope, options = case_inputs(case, con, tables, report)
    kwargs = resolve_period(report, options, data_end(con))

    theirs = ref.REFERENCE[name](tables, rules, scope, **kwargs)
    assert list(theirs.columns) == list(report.columns)
    ours = run_report(con, rules, name, scope, options)
    assert list(ours.columns) == list(report.columns)

    problems = differences(name, ours, theirs)
    shown = "\n".join(problems[:25]) + (f"\n... and {len(problems) - 25} more" if len(problems) > 25 else "")
    assert not problems, f"{name} [{case}] {scope} {kwargs}: {len(problems)} difference(s)\n{shown}"


def test_the_demo_gives_the_comparison_something_to_compare(demo_db):
    # Guard against an agreement that holds only because both sides are empty: the default
    # period of the demo has tiered dealers, duplicates and contest reps.
    con, tables = demo_db
    rules = default_rules()
    assert len(run_report(con, rules, "tiers", Scope())) > 100
    assert len(run_report(con, rules, "contest", Scope())) > 1
    assert len(run_report(con, rules, "core-dealers", Scope())) > 50
    assert run_report(con, rules, "funnel", Scope())["count"].iloc[0] > 0
