"""R7 elimination watch (末位淘汰): each dealer's year-to-date orders against its time-prorated annual
target; below min_achievement is `watch`.

achievement = Σ orders Jan 1..D / (target_amount × elapsed), elapsed = (days Jan 1..D, both included)
/ days in the year. Listed: every in-scope dealer with a target for the year (even one signed after D,
docs/interpretations.md) and every in-scope dealer active at some time in [Jan 1, D]; those without a
target are `no_target` with an empty achievement.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from lib import db
from lib.rules_file import Rules
from lib.scope import Scope

ELIMINATION_COLUMNS = ["dealer_id", "dealer_name", "year", "target_amount", "actual_amount", "achievement", "status"]


def elimination(con, rules: Rules, scope: Scope, year: int, as_of: dt.date | None = None) -> pd.DataFrame:
    """Report `elimination` (R7); as_of defaults to Dec 31 of year. Rows: watch, then ok, then
    no_target; lowest achievement first, then dealer_id."""
    year = int(year)
    year_start = dt.date(year, 1, 1)
    as_of = as_of or dt.date(year, 12, 31)
    if as_of.year != year:
        raise ValueError(f"as_of {as_of} is not in year {year}")
    params = {
        **scope.params(),
        "year": year,
        "year_start": year_start,
        "as_of": as_of,
        "days_elapsed": (as_of - year_start).days + 1,
        "days_in_year": (dt.date(year + 1, 1, 1) - year_start).days,
        # exact decimal so an achievement of exactly the line is `ok`
        "min_achievement": Decimal(str(rules["elimination"]["min_achievement"])),
    }
    frame = db.query(con, "elimination", params)
    frame["year"] = frame["year"].astype("int64")
    for column in ("target_amount", "actual_amount"):
        frame[column] = frame[column].astype(float).round(2)
    frame["achievement"] = frame["achievement"].astype(float)
    return frame[ELIMINATION_COLUMNS]
