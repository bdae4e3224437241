"""R3 profit x stage matrix: open opportunities per profit band and current stage.

Bands by expected_profit against the rules file's thresholds, compared exactly in decimal
(200,000.00 is `high`); an empty profit is `low`. See domain.md R3.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import db
from lib.rules.forecast import band_params
from lib.rules_file import Rules
from lib.scope import Scope

MATRIX_COLUMNS = ["profit_band", "stage", "open_count", "expected_amount"]


def profit_matrix(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Report `profit-matrix` (R3): open count and Σ expected_amount per band (high, medium, low) x stage."""
    frame = db.query(con, "profit_matrix", {**scope.params(), "as_of": as_of, **band_params(rules)})
    frame["open_count"] = frame["open_count"].astype("int64")
    frame["expected_amount"] = frame["expected_amount"].astype(float).round(2)
    return frame[MATRIX_COLUMNS]
