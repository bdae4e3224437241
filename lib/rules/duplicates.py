"""R11 suspected duplicate dealers (domain.md R11): the `duplicates` report.

Detection is one SQL fragment, queries/duplicates_pairs.sql, shared with R8's suspected_duplicate
flag and the contest exclusion (R9, R10).
"""
from __future__ import annotations

import duckdb
import pandas as pd

from lib import db
from lib.rules.common import as_dates
from lib.rules_file import Rules
from lib.scope import Scope

COLUMNS = ["dealer_id", "duplicate_of", "matched_on", "signed_on", "duplicate_of_signed_on", "approved_new"]


def duplicates(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope) -> pd.DataFrame:
    """Report `duplicates` (R11): each (later N, earlier E) pair once, N in scope, by N's signed_on, ids."""
    frame = as_dates(db.query(con, "duplicates", {**scope.params(), **scope.access_params()}), ("signed_on", "duplicate_of_signed_on"))
    frame["approved_new"] = frame["approved_new"].astype(bool)
    return frame.loc[:, COLUMNS]
