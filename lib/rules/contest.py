"""R9 monthly contest payouts and R10 campaign score (domain.md R9, R10), plus the leaderboard
drill-down and the HR payout sheet.

What counts (intentions, developed, new-dealer sales, collections) is aggregated in SQL; R8's
success and R11's exclusion come from the same SQL fragments as the new-dealers and duplicates
reports. Awards, fines and scores are applied here in exact decimal / rational arithmetic, because
the rules lists may have any length and HR pays from these numbers.
"""
from __future__ import annotations

import bisect
import datetime as dt
import decimal
from fractions import Fraction
from typing import Any

import duckdb
import pandas as pd

from lib import db
from lib.periods import add_months, month_end, month_start
from lib.rules.common import as_dates, exact
from lib.rules.new_dealers import success_params
from lib.rules_file import Rules
from lib.scope import Scope

CONTEST_COLUMNS = ["salesperson_id", "name", "intentions", "intention_penalty", "developed",
                   "development_amount", "new_dealer_sales", "rank_developed", "rank_sales",
                   "award_developed", "award_sales", "fine_developed", "fine_sales", "payout"]
SCORE_COLUMNS = ["salesperson_id", "name", "developed_total", "collected_total", "score", "rank"]
REP_DEALER_COLUMNS = ["dealer_id", "dealer_name", "signed_on", "first_order_month", "success_month",
                      "success_rule", "sales_in_month", "counted_as", "excluded_duplicate"]
PAYOUT_SHEET_COLUMNS = ["salesperson_id", "name", "item", "amount"]
# Payout sheet items in HR's order with the sign each contributes to the payout.
PAYOUT_ITEMS = (
    ("intention_penalty", -1),
    ("development_amount", +1),
    ("award_developed", +1),
    ("award_sales", +1),
    ("fine_developed", -1),
    ("fine_sales", -1),
)
ZERO = decimal.Decimal(0)


def earliest_signing(rules: Rules, first_month: dt.date) -> dt.date:
    """The first day of the earliest signing month whose dealers can still succeed in first_month or
    later: success_month <= M0 + window_months - 1 and M0 <= signing month + max_months_to_first_order."""
    nd = rules["new_dealer"]
    return add_months(first_month, -(int(nd["window_months"]) - 1) - int(nd["max_months_to_first_order"]))


def _month_params(rules: Rules, month: dt.date) -> dict[str, Any]:
    first = month_start(month)
    last = month_end(first)
    return {
        **success_params(rules),
        "month_start": first,
        "month_end": last,
        # new_dealer_months calendar months ending with the contest month
        "sales_signed_from": add_months(first, -(int(rules["contest"]["new_dealer_months"]) - 1)),
    }


def _cents(value: decimal.Decimal) -> float:
    return float(value.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))


def _top_award(rank: int, positive: bool, all_equal: bool, awards: list[decimal.Decimal]) -> decimal.Decimal:
    """The award on an item: none when all reps are equal, the value is <= 0 or the rank is too low."""
    if all_equal or not positive or rank > len(awards):
        return ZERO
    return awards[rank - 1]


def _bottom_fine(bottom_rank: int, award: decimal.Decimal, all_equal: bool,
                 fines: list[decimal.Decimal]) -> decimal.Decimal:
    """The fine on an item; a rep paid a top award on it is not fined (a zero award is no award)."""
    if all_equal or award > 0 or bottom_rank > len(fines):
        return ZERO
    return fines[bottom_rank - 1]


def contest(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope, month: dt.date) -> pd.DataFrame:
    """Report `contest` (R9) for the month containing `month`: one row per rep employed during it in
    the filter scope (ranks compare those reps only), sorted by payout desc, then salesperson_id."""
    c = rules["contest"]
    values = db.query(con, "contest", {**scope.ranking_params(), **_month_params(rules, month),
                                      "earliest_signing": earliest_signing(rules, month_start(month)),
                                      "orders_until": month_end(month)})
    awards = [exact(v) for v in c["top_awards"]]
    fines = [exact(v) for v in c["bottom_fines"]]
    min_intentions, min_developed = int(c["min_intentions"]), int(c["min_developed"])
    rows = []
    for v in values.itertuples(index=False):
        if not v.visible:  # ranked with the others, but outside what the user may see
            continue
        intentions, developed = int(v.intentions), int(v.developed)
        intention_penalty = exact(c["intention_penalty"]) * max(0, min_intentions - intentions)
        development_amount = (exact(c["extra_bonus"]) * max(0, developed - min_developed)
                              - exact(c["shortfall_penalty"]) * max(0, min_developed - developed))
        award_developed = _top_award(int(v.rank_developed), bool(v.developed_positive),
                                     bool(v.developed_all_equal), awards)
        award_sales = _top_award(int(v.rank_sales), bool(v.sales_positive), bool(v.sales_all_equal), awards)
        # a rep holding a top award on an item is not fined on it (worked example: P2)
        fine_developed = _bottom_fine(int(v.bottom_rank_developed), award_developed,
                                      bool(v.developed_all_equal), fines)
        fine_sales = _bottom_fine(int(v.bottom_rank_sales), award_sales, bool(v.sales_all_equal), fines)
        payout = development_amount - intention_penalty + award_developed + award_sales - fine_developed - fine_sales
        rows.append({
            "salesperson_id": v.salesperson_id,
            "name": v.name,
            "intentions": intentions,
            "intention_penalty": intention_penalty,
            "developed": developed,
            "development_amount": development_amount,
            "new_dealer_sales": round(float(v.new_dealer_sales), 2),
            "rank_developed": int(v.rank_developed),
            "rank_sales": int(v.rank_sales),
            "award_developed": award_developed,
            "award_sales": award_sales,
            "fine_developed": fine_developed,
            "fine_sales": fine_sales,
            "payout": payout,
        })
    rows.sort(key=lambda r: (-r["payout"], r["salesperson_id"]))
    money = ("intention_penalty", "development_amount", "award_developed", "award_sales",
             "fine_developed", "fine_sales", "payout")
    for row in rows:
        for key in money:
            row[key] = _cents(row[key])
    frame = pd.DataFrame(rows, columns=CONTEST_COLUMNS)
    return _typed(frame, ints=("intentions", "developed", "rank_developed", "rank_sales"),
                  floats=("new_dealer_sales",) + money)


def contest_score(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope,
                  campaign_start: dt.date, campaign_end: dt.date) -> pd.DataFrame:
    """Report `contest-score` (R10) over the whole months campaign_start..campaign_end: reps employed
    at some time in it, in the filter scope; sorted by rank, then salesperson_id."""
    first_day = month_start(campaign_start)
    last_day = month_end(campaign_end)
    totals = db.query(con, "contest_score", {
        **scope.ranking_params(),
        **success_params(rules),
        "campaign_first_day": first_day,
        "campaign_last_day": last_day,
        "earliest_signing": earliest_signing(rules, first_day),
        "orders_until": last_day,
    })
    weights = rules["contest_score"]
    developed_weight = Fraction(str(weights["developed_weight"]))
    collected_weight = Fraction(str(weights["collected_weight"]))
    developed = [int(v) for v in totals["developed_total"]]
    collected = [Fraction(decimal.Decimal(v)) for v in totals["collected_total"]]
    max_developed = max(developed, default=0)
    max_collected = max(collected, default=Fraction(0))
    # exact rationals, so equal scores tie exactly in the ranking
    scores = [
        100 * ((developed_weight * d / max_developed if max_developed > 0 else 0)
               + (collected_weight * c / max_collected if max_collected > 0 else 0))
        for d, c in zip(developed, collected)
    ]
    frame = pd.DataFrame({
        "salesperson_id": totals["salesperson_id"],
        "name": totals["name"],
        "developed_total": developed,
        "collected_total": [round(float(c), 2) for c in collected],
        "score": [float(s) for s in scores],
        "rank": _competition_ranks(scores),
    }, columns=SCORE_COLUMNS)
    frame = frame[totals["visible"].astype(bool).to_numpy()]  # ranked with all, shown if visible
    frame = frame.sort_values(["rank", "salesperson_id"], kind="stable")
    return _typed(frame.reset_index(drop=True), ints=("developed_total", "rank"),
                  floats=("collected_total", "score"))


def _competition_ranks(values: list) -> list[int]:
    """Descending competition ranks (1, 2, 2, 4): 1 + the number of strictly greater values."""
    ascending = sorted(values)
    return [1 + len(ascending) - bisect.bisect_right(ascending, v) for v in values]


def rep_dealers(con: duckdb.DuckDBPyConnection, rules: Rules, scope: Scope, month: dt.date,
                salesperson_id: str) -> pd.DataFrame:
    """The dealers behind one contest row: the rep's dealers with success_month = month and the rep's
    new dealers with order rows in the month. counted_as = 'developed' | 'new_dealer_sales' | 'both';
    rows with excluded_duplicate = True are shown but not counted. Empty when the rep is out of scope."""
    frame = db.query(con, "contest_rep_dealers", {
        **scope.params(), **_month_params(rules, month), "salesperson_id": salesperson_id,
    })
    as_dates(frame, ("signed_on",))
    frame["sales_in_month"] = frame["sales_in_month"].astype(float).round(2)
    frame["excluded_duplicate"] = frame["excluded_duplicate"].astype(bool)
    for column in ("first_order_month", "success_month", "success_rule"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.loc[:, REP_DEALER_COLUMNS].reset_index(drop=True)


def payout_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """The HR payout sheet from a contest() frame: per rep (in the frame's order) one row per item with
    the signed amount it adds to the payout (penalties and fines negative), then a 'payout' total row."""
    rows = []
    for rep in frame.itertuples(index=False):
        for item, sign in PAYOUT_ITEMS:
            amount = getattr(rep, item)
            rows.append((rep.salesperson_id, rep.name, item, sign * amount if amount else 0.0))
        rows.append((rep.salesperson_id, rep.name, "payout", float(rep.payout)))
    return pd.DataFrame(rows, columns=PAYOUT_SHEET_COLUMNS).astype({"amount": float})


def _typed(frame: pd.DataFrame, ints=(), floats=()) -> pd.DataFrame:
    # An empty frame must still carry numeric columns (CSV/JSON writers, charts).
    return frame.astype({**{c: "int64" for c in ints}, **{c: "float64" for c in floats}})
