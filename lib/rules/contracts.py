"""R12 contract expiry: when the active dealers' contracts end, month by month, and which core
dealers need a renewal talk soon (the retention watch list). See domain.md R12.

Core dealers here are R4 over the orders of the year up to D, (D - 1 year, D].
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from lib import db
from lib.periods import month_start, parse_month
from lib.rules_file import Rules
from lib.scope import Scope

CONTRACT_COLUMNS = ["month", "expiring", "core_expiring"]
WATCH_COLUMNS = ["dealer_id", "dealer_name", "region", "territory_id", "salesperson_id", "contract_end",
                 "days_left", "amount_12m"]
EXPIRING_COLUMNS = ["dealer_id", "dealer_name", "region", "territory_id", "salesperson_id", "contract_end",
                    "days_left", "is_core", "amount_12m"]


def _share(rules: Rules) -> Decimal:
    return Decimal(str(rules["core"]["share"]))


def contracts(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Report `contracts` (R12): per month of the window, contracts expiring and core ones among them."""
    params = {**scope.params(), "as_of": as_of, "months": int(rules["contracts"]["months"]), "share": _share(rules)}
    frame = db.query(con, "contracts", params)
    for column in ("expiring", "core_expiring"):
        frame[column] = frame[column].astype("int64")
    return frame[CONTRACT_COLUMNS]


def retention_watch(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Core dealers active at `as_of` whose contract ends within watch_days after it (D..D+watch_days)."""
    params = {**scope.params(), "as_of": as_of, "watch_days": int(rules["contracts"]["watch_days"]),
              "share": _share(rules)}
    frame = db.query(con, "contracts_watch", params)
    frame["contract_end"] = frame["contract_end"].dt.date.astype(object)  # never empty: the query filters on it
    frame["days_left"] = frame["days_left"].astype("int64")
    frame["amount_12m"] = frame["amount_12m"].astype(float).round(2)
    return frame[WATCH_COLUMNS]


def expiring_dealers(con, rules: Rules, scope: Scope, as_of: dt.date, month) -> pd.DataFrame:
    """The dealers behind one month of contracts(): in-scope dealers active at `as_of` whose contract
    ends in `month` ('YYYY-MM' or any date in it) on or after `as_of`; is_core is R4 over the year
    up to as_of, amount_12m their orders in it. Sorted by contract_end, dealer_id."""
    first = parse_month(month) if isinstance(month, str) else month_start(month)
    params = {**scope.params(), "as_of": as_of, "month_start": first, "share": _share(rules)}
    frame = db.query(con, "contracts_expiring", params)
    frame["contract_end"] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame["contract_end"]]
    frame["days_left"] = frame["days_left"].astype("int64")
    frame["is_core"] = frame["is_core"].astype(bool)
    frame["amount_12m"] = frame["amount_12m"].astype(float).round(2)
    return frame[EXPIRING_COLUMNS]


def december_share(frame: pd.DataFrame) -> float | None:
    """Share of a contracts() frame's expiring contracts that end in a December; None when none expire."""
    total = int(frame["expiring"].sum())
    if total == 0:
        return None
    december = int(frame.loc[frame["month"].str.endswith("-12"), "expiring"].sum())
    return december / total
