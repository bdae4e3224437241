"""The report catalogue of cli.md: name -> rule function, the period options it takes, its columns.

The CLI, the pages' downloads and the tests all go through `run_report`, so the numbers on screen
are the numbers on the command line.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any, Callable

import duckdb
import pandas as pd

from lib.periods import PeriodError, Quarter, check_range, month_start
from lib.rules_file import Rules
from lib.scope import Scope


@dataclass(frozen=True)
class Report:
    name: str
    rule: str
    target: str  # "module:function" under lib.rules
    period: str  # which options it takes: as_of | range | quarter | year | month | campaign | drivers | none
    columns: tuple[str, ...]

    @property
    def function(self) -> Callable[..., pd.DataFrame]:
        module, func = self.target.split(":")
        return getattr(importlib.import_module(f"lib.rules.{module}"), func)


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("funnel", "R1", "funnel:funnel", "range",
               ("stage", "stage_order", "count", "amount", "conversion_from_previous",
                "conversion_from_top", "median_days_from_previous")),
        Report("forecast", "R2", "forecast:forecast", "as_of",
               ("stage", "open_count", "expected_amount", "probability", "weighted_amount", "undated_count")),
        Report("profit-matrix", "R3", "profit_matrix:profit_matrix", "as_of",
               ("profit_band", "stage", "open_count", "expected_amount")),
        Report("core-dealers", "R4", "core_dealers:core_dealers", "range",
               ("dealer_id", "dealer_name", "amount", "cumulative_share", "is_core")),
        Report("lifecycle", "R5", "lifecycle:lifecycle", "as_of",
               ("territory_id", "territory_name", "region", "province", "planned_dealers",
                "active_dealers", "coverage", "churn_12m", "stage")),
        Report("tiers", "R6", "tiers:tiers", "quarter",
               ("dealer_id", "dealer_name", "peer_group", "peer_count", "volume", "rank", "threshold_a",
                "threshold_b", "threshold_c", "tier", "prev_tier", "movement", "upgrade_candidate")),
        Report("tier-moves", "R6", "tiers:tier_moves", "quarter", ("from_tier", "to_tier", "dealers")),
        Report("elimination", "R7", "elimination:elimination", "year",
               ("dealer_id", "dealer_name", "year", "target_amount", "actual_amount", "achievement", "status")),
        Report("new-dealers", "R8", "new_dealers:new_dealers", "optional_range",
               ("dealer_id", "dealer_name", "salesperson_id", "signed_on", "first_order_month",
                "success_month", "success_rule", "suspected_duplicate")),
        Report("contest", "R9", "contest:contest", "month",
               ("salesperson_id", "name", "intentions", "intention_penalty", "developed",
                "development_amount", "new_dealer_sales", "rank_developed", "rank_sales",
                "award_developed", "award_sales", "fine_developed", "fine_sales", "payout")),
        Report("contest-score", "R10", "contest:contest_score", "campaign",
               ("salesperson_id", "name", "developed_total", "collected_total", "score", "rank")),
        Report("duplicates", "R11", "duplicates:duplicates", "none",
               ("dealer_id", "duplicate_of", "matched_on", "signed_on", "duplicate_of_signed_on", "approved_new")),
        Report("contracts", "R12", "contracts:contracts", "as_of", ("month", "expiring", "core_expiring")),
        Report("drivers", "R13", "drivers:drivers", "drivers",
               ("factor", "period_value", "comparison_value", "contribution")),
    )
}


def data_end(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The last day the data speaks for: the latest order date (today when there are no orders).

    Defaults are relative to it, so an imported history opens on its own last period, not on
    an empty today.
    """
    cur = con.cursor()
    try:
        last = cur.execute("SELECT max(order_date) FROM orders").fetchone()[0]
    finally:
        cur.close()
    return last or dt.date.today()


@dataclass(frozen=True)
class PeriodOptions:
    """What a user may give on the command line or in the page filters; None = default."""

    as_of: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    month: dt.date | None = None
    quarter: Quarter | None = None
    year: int | None = None
    campaign: tuple[dt.date, dt.date] | None = None
    vs_start: dt.date | None = None
    vs_end: dt.date | None = None


def resolve_period(report: Report, options: PeriodOptions, last: dt.date) -> dict[str, Any]:
    """Keyword arguments of the rule function, with defaults relative to the data's last day."""
    o = options
    year_start = dt.date(last.year, 1, 1)
    kind = report.period
    if kind == "as_of":
        return {"as_of": o.as_of or last}
    if kind in ("range", "optional_range"):
        if kind == "optional_range" and o.start is None and o.end is None:
            return {"start": None, "end": None}
        end = o.end or last
        start = o.start or dt.date(end.year, 1, 1)
        check_range(start, end)
        return {"start": start, "end": end}
    if kind == "quarter":
        return {"quarter": o.quarter or Quarter.containing(last)}
    if kind == "year":
        year = o.year or last.year
        as_of = o.as_of
        if as_of is not None and as_of.year != year:
            raise PeriodError(f"--as-of {as_of} is not in --year {year}")
        return {"year": year, "as_of": as_of}
    if kind == "month":
        return {"month": o.month or month_start(last)}
    if kind == "campaign":
        start, end = o.campaign or (month_start(year_start), month_start(last))
        return {"campaign_start": start, "campaign_end": end}
    if kind == "drivers":
        end = o.end or last
        start = o.start or dt.date(end.year, 1, 1)
        check_range(start, end)
        vs_start = o.vs_start or _year_earlier(start)
        vs_end = o.vs_end or _year_earlier(end)
        check_range(vs_start, vs_end, "comparison period")
        return {"start": start, "end": end, "vs_start": vs_start, "vs_end": vs_end}
    return {}


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29 -> Feb 28
        return day.replace(year=day.year - 1, day=28)


def run_report(
    con: duckdb.DuckDBPyConnection,
    rules: Rules,
    name: str,
    scope: Scope,
    options: PeriodOptions = PeriodOptions(),
) -> pd.DataFrame:
    """Run one report by its CLI name; the frame has exactly the columns of cli.md."""
    report = REPORTS[name]
    kwargs = resolve_period(report, options, data_end(con))
    frame = report.function(con, rules, scope, **kwargs)
    missing = [c for c in report.columns if c not in frame.columns]
    if missing:  # a programming error, not a user one
        raise RuntimeError(f"report {name} lacks columns {missing}")
    return frame.loc[:, list(report.columns)].reset_index(drop=True)

