"""R8 successful new-dealer development (domain.md R8): the `new-dealers` report.

The rule itself is one SQL fragment, queries/new_dealers_success.sql, which the contest (R9, R10)
includes too, so "developed" means the same thing on every page. Fragments are CTE lists pulled into
a query file by a line `-- @include NAME`; only SQL text from lib/queries is spliced, user values
stay bound parameters.
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from typing import Any

import duckdb
import pandas as pd

from lib import db
from lib.rules_file import Rules
from lib.scope import Scope

COLUMNS = ["dealer_id", "dealer_name", "salesperson_id", "signed_on", "first_order_month",
           "success_month", "success_rule", "suspected_duplicate"]
# "No upper bound" for the signed_on filter, without a NULL parameter of unknown type.
NO_CUTOFF = dt.date(9999, 12, 31)
_INCLUDE = re.compile(r"^[ \t]*--[ \t]*@include[ \t]+(\w+)[ \t]*$", re.MULTILINE)


@functools.lru_cache(maxsize=None)
def compose_sql(name: str) -> str:
    """The text of lib/queries/NAME.sql with every `-- @include OTHER` line replaced by OTHER's text."""

    def expand(query_name: str, seen: tuple[str, ...]) -> str:
        if query_name in seen:
            raise RuntimeError(f"SQL include cycle: {' -> '.join(seen + (query_name,))}")
        return _INCLUDE.sub(lambda m: expand(m.group(1), seen + (query_name,)), db.load_sql(query_name))

    return expand(name, ())


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Like db.query, on a composed query: its own cursor with the scope macros installed."""
    cur = db.cursor(con)
    try:
        return cur.execute(compose_sql(name), params).df()
    finally:
        cur.close()


def exact(value) -> decimal.Decimal:
    """A rules number as an exact decimal (0.7 stays 0.7, not 0.69999...)."""
    return decimal.Decimal(str(value))


def success_params(rules: Rules) -> dict[str, Any]:
    """Parameters of new_dealers_success.sql from the rules file."""
    nd = rules["new_dealer"]
    return {
        "monthly_min": exact(nd["monthly_min"]),
        "window_total": exact(nd["window_total"]),
        "window_months": int(nd["window_months"]),
        "max_months_to_first_order": int(nd["max_months_to_first_order"]),
    }


def to_dates(column: pd.Series) -> pd.Series:
    """DuckDB DATE values as datetime.date objects (pandas hands them over as Timestamps)."""
    return pd.Series([v.date() if isinstance(v, pd.Timestamp) else v for v in column],
                     index=column.index, dtype=object)


def new_dealers(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope,
                start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Report `new-dealers` (R8): in-scope dealers (signed in [start, end] when given), sorted by signed_on."""
    frame = run_sql(con, "new_dealers", {
        **scope.params(),
        **success_params(rules),
        "signed_from": start or dt.date.min,
        "signed_to": end or NO_CUTOFF,
    })
    frame["signed_on"] = to_dates(frame["signed_on"])
    frame["suspected_duplicate"] = frame["suspected_duplicate"].astype(bool)
    for column in ("first_order_month", "success_month", "success_rule"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.loc[:, COLUMNS]
