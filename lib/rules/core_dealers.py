"""R4 core dealers (20/80): the shortest top-of-ranking prefix holding `core.share` of the period's sales.

See domain.md R4 and docs/interpretations.md (dealers with an order row in the period; total <= 0
means no core dealer and an empty cumulative share).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from lib import db
from lib.rules_file import Rules
from lib.scope import Scope

CORE_COLUMNS = ["dealer_id", "dealer_name", "amount", "cumulative_share", "is_core"]


def core_dealers(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Report `core-dealers` (R4): the ranking with cumulative share of sales and the core flag."""
    params = {**scope.params(), "start": start, "end": end, "share": Decimal(str(rules["core"]["share"]))}
    frame = db.query(con, "core_dealers", params)
    frame["amount"] = frame["amount"].astype(float).round(2)
    frame["cumulative_share"] = frame["cumulative_share"].astype(float)
    frame["is_core"] = frame["is_core"].astype(bool)
    return frame[CORE_COLUMNS]


def core_summary(frame: pd.DataFrame) -> dict:
    """From a core_dealers() frame: core_count, dealer_count, dealer_share, sales_share, total_amount.

    Shares are None when undefined (no dealer; total 0 or less).
    """
    dealer_count = int(len(frame))
    core = frame[frame["is_core"].astype(bool)]
    core_count = int(len(core))
    # Sum in cents so the total is exact to the cent whatever the float noise.
    total_cents = sum(int(round(float(v) * 100)) for v in frame["amount"])
    if total_cents > 0:
        # The core is a prefix of positive amounts, so its largest cumulative share is its share of sales.
        sales_share = float(core["cumulative_share"].max()) if core_count else 0.0
    else:
        sales_share = None
    return {
        "core_count": core_count,
        "dealer_count": dealer_count,
        "dealer_share": core_count / dealer_count if dealer_count else None,
        "sales_share": sales_share,
        "total_amount": total_cents / 100,
    }
