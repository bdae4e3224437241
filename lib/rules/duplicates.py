"""R11 suspected duplicate dealers (domain.md R11): the `duplicates` report.

Detection is one SQL fragment, queries/duplicates_pairs.sql, shared with R8's suspected_duplicate
flag and the contest exclusion (R9, R10).
"""
from __future__ import annotations

import duckdb
import pandas as pd

from lib.rules.new_dealers import run_sql, to_dates
from lib.rules_file import Rules
from lib.scope import Scope

COLUMNS = ["dealer_id", "duplicate_of", "matched_on", "signed_on", "duplicate_of_signed_on", "approved_new"]


def duplicates(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope) -> pd.DataFrame:
    """Report `duplicates` (R11): each (later N, earlier E) pair once, N in scope, by N's signed_on, ids."""
    frame = run_sql(con, "duplicates", scope.params())
    for column in ("signed_on", "duplicate_of_signed_on"):
        frame[column] = to_dates(frame[column])
    frame["approved_new"] = frame["approved_new"].astype(bool)
    return frame.loc[:, COLUMNS]
