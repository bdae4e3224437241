"""R2 weighted forecast: open opportunities as of a day, weighted by stage probability.

Open as of D: created on or before D, not lost on or before D, current stage not `paid`. The
report counts the horizon forecast (expected_close_on in (D, D + horizon]) and, apart, the undated
open ones. Probabilities and the horizon come from the rules file. See domain.md R2.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import db
from lib.rules.common import as_dates, exact
from lib.rules_file import Rules
from lib.scope import Scope

OPEN_STAGES = ("market", "lead", "qualified", "signed")
PROFIT_BANDS = ("high", "medium", "low")
FORECAST_COLUMNS = ["stage", "open_count", "expected_amount", "probability", "weighted_amount", "undated_count"]
TREND_COLUMNS = ["week_ending", "stage", "open_count", "weighted_amount"]
OPEN_COLUMNS = ["opportunity_id", "prospect_name", "salesperson_id", "territory_id", "current_stage",
                "profit_band", "expected_amount", "expected_profit", "expected_close_on"]


def probability_params(rules: Rules) -> dict:
    """$p_market .. $p_signed as exact decimals from the rules file."""
    probabilities = rules["funnel"]["probabilities"]
    return {f"p_{stage}": exact(probabilities[stage]) for stage in OPEN_STAGES}


def band_params(rules: Rules) -> dict:
    """$high and $medium profit band thresholds (R3) as exact decimals."""
    return {"high": exact(rules["profit_bands"]["high"]), "medium": exact(rules["profit_bands"]["medium"])}


def forecast(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Report `forecast` (R2): per open stage the horizon count, Σ expected, probability, weighted Σ, undated."""
    params = {**scope.params(), "as_of": as_of, "horizon_days": int(rules["funnel"]["forecast_horizon_days"]),
              **probability_params(rules)}
    frame = db.query(con, "forecast", params)
    for column in ("open_count", "undated_count"):
        frame[column] = frame[column].astype("int64")
    for column in ("expected_amount", "weighted_amount"):
        frame[column] = frame[column].astype(float).round(2)
    frame["probability"] = frame["probability"].astype(float)
    return frame[FORECAST_COLUMNS]


def forecast_trend(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The horizon forecast at each Friday in [start, end], per open stage (zeros kept), in one query."""
    params = {**scope.params(), "start": start, "end": end,
              "horizon_days": int(rules["funnel"]["forecast_horizon_days"]), **probability_params(rules)}
    frame = db.query(con, "forecast_trend", params)
    frame["open_count"] = frame["open_count"].astype("int64")
    frame["weighted_amount"] = frame["weighted_amount"].astype(float).round(2)
    return as_dates(frame, ("week_ending",))[TREND_COLUMNS]


def open_opportunities(con, rules: Rules, scope: Scope, as_of: dt.date, stage: str | None = None,
                       profit_band: str | None = None) -> pd.DataFrame:
    """Drill-down: every open opportunity as of `as_of` (no horizon), optionally of one stage and band."""
    if stage is not None and stage not in OPEN_STAGES:
        raise ValueError(f"unknown open stage {stage!r}; open stages are " + ", ".join(OPEN_STAGES))
    if profit_band is not None and profit_band not in PROFIT_BANDS:
        raise ValueError(f"unknown profit band {profit_band!r}; bands are " + ", ".join(PROFIT_BANDS))
    params = {**scope.params(), "as_of": as_of, **band_params(rules),
              "stage_order": OPEN_STAGES.index(stage) + 1 if stage else 0,
              "profit_band": profit_band or ""}
    frame = db.query(con, "forecast_open", params)
    for column in ("expected_amount", "expected_profit"):
        frame[column] = frame[column].astype(float).round(2)
    return as_dates(frame, ("expected_close_on",))[OPEN_COLUMNS]
