"""R8 successful new-dealer development (domain.md R8): the `new-dealers` report.

The rule itself is one SQL fragment, queries/new_dealers_success.sql, which the contest (R9, R10)
includes too (`-- @include`, expanded by lib.db.load_sql), so "developed" means the same thing on
every page.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from lib import db
from lib.rules.common import as_dates, exact
from lib.rules_file import Rules
from lib.scope import Scope

COLUMNS = ["dealer_id", "dealer_name", "salesperson_id", "signed_on", "first_order_month",
           "success_month", "success_rule", "suspected_duplicate"]
# "No upper bound" for the signed_on filter, without a NULL parameter of unknown type.
NO_CUTOFF = dt.date(9999, 12, 31)
def success_params(rules: Rules) -> dict[str, Any]:
    """Parameters of new_dealers_success.sql from the rules file."""
    nd = rules["new_dealer"]
    return {
        "monthly_min": exact(nd["monthly_min"]),
        "window_total": exact(nd["window_total"]),
        "window_months": int(nd["window_months"]),
        "max_months_to_first_order": int(nd["max_months_to_first_order"]),
    }


def new_dealers(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope,
                start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Report `new-dealers` (R8): in-scope dealers (signed in [start, end] when given), sorted by signed_on."""
    params = {**scope.params(), **success_params(rules)}
    if start is None and end is None:
        frame = db.query(con, "new_dealers", params)
    else:
        frame = db.query(con, "new_dealers_signed",
                         {**params, "signed_from": start or dt.date.min, "signed_to": end or NO_CUTOFF})
    as_dates(frame, ("signed_on",))
    frame["suspected_duplicate"] = frame["suspected_duplicate"].astype(bool)
    for column in ("first_order_month", "success_month", "success_rule"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.loc[:, COLUMNS]
