"""R1 funnel: the cohort funnel with conversions and stage velocity, and its drill-down list.

A cohort is the in-scope opportunities created in [start, end]; each counts at every stage up to
the highest it reached as of `as_of` (default `end`). See domain.md R1 and docs/interpretations.md.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import db
from lib.rules.common import as_dates
from lib.rules_file import Rules
from lib.scope import Scope

STAGES = ("market", "lead", "qualified", "signed", "paid")
FUNNEL_COLUMNS = ["stage", "stage_order", "count", "amount", "conversion_from_previous",
                  "conversion_from_top", "median_days_from_previous"]
OPPORTUNITY_COLUMNS = ["opportunity_id", "prospect_name", "territory_id", "salesperson_id", "created_on",
                       "expected_amount", "highest_stage", "current_stage", "lost_on"]


def _period_params(scope: Scope, start: dt.date, end: dt.date, as_of: dt.date | None) -> dict:
    return {**scope.params(), "start": start, "end": end, "as_of": as_of or end}


def funnel(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> pd.DataFrame:
    """Report `funnel` (R1): per stage the cohort count and Σ expected_amount, conversions, median days."""
    frame = db.query(con, "funnel", _period_params(scope, start, end, as_of))
    frame["count"] = frame["count"].astype("int64")
    frame["stage_order"] = frame["stage_order"].astype("int64")
    frame["amount"] = frame["amount"].astype(float).round(2)
    for column in ("conversion_from_previous", "conversion_from_top", "median_days_from_previous"):
        frame[column] = frame[column].astype(float)
    return frame[FUNNEL_COLUMNS]


def funnel_opportunities(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date, stage: str | int,
                         as_of: dt.date | None = None) -> pd.DataFrame:
    """The cohort opportunities that reached `stage` (name or order 1..5) as of `as_of`, for drill-down."""
    if isinstance(stage, str):
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages are " + ", ".join(STAGES))
        stage_order = STAGES.index(stage) + 1
    else:
        stage_order = int(stage)
        if not 1 <= stage_order <= len(STAGES):
            raise ValueError(f"stage order must be 1..{len(STAGES)}, got {stage}")
    params = {**_period_params(scope, start, end, as_of), "stage_order": stage_order}
    frame = db.query(con, "funnel_opportunities", params)
    frame["expected_amount"] = frame["expected_amount"].astype(float).round(2)
    return as_dates(frame, ("created_on", "lost_on"))[OPPORTUNITY_COLUMNS]
