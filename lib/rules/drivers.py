"""R13 sales drivers: sales = covered dealers x active rate x average amount, and the LMDI split of
the change against a comparison period; plus the Overview's KPI cards and monthly series.

The split is computed in 50-digit decimal arithmetic from the exact counts and cent amounts, so
each contribution is the correctly rounded L(S1, S0) * ln(x1 / x0) and the three add up to S1 - S0
to the last float bit or two. See domain.md R13 and docs/interpretations.md.
"""
from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

import pandas as pd

from lib import db
from lib.rules_file import Rules
from lib.scope import Scope

DRIVER_COLUMNS = ["factor", "period_value", "comparison_value", "contribution"]
KPI_COLUMNS = ["sales", "comparison_sales", "growth", "active_dealers", "comparison_active_dealers",
               "new_dealers", "comparison_new_dealers", "collections", "comparison_collections"]
MONTHLY_COLUMNS = ["month", "sales", "collections", "active_dealers", "new_dealers"]
FACTORS = ("covered", "active_rate", "avg_amount")


def _period_params(scope: Scope, start, end, vs_start, vs_end) -> dict:
    return {**scope.params(), "start": start, "end": end, "vs_start": vs_start, "vs_end": vs_end}


def _cents(amount: float) -> Decimal:
    """The exact cent amount behind a float that DuckDB produced from a DECIMAL(38,2) sum."""
    return Decimal(round(float(amount) * 100)) / 100


def _factors(covered: int, active: int, sales: Decimal) -> dict[str, Decimal | None]:
    """Exact factor values; None where a denominator is 0."""
    return {
        "covered": Decimal(covered),
        "active_rate": Decimal(active) / Decimal(covered) if covered else None,
        "avg_amount": sales / Decimal(active) if active else None,
        "sales": sales,
    }


def lmdi(period: dict[str, Decimal | None], comparison: dict[str, Decimal | None]) -> dict[str, float | None]:
    """LMDI contributions of covered, active_rate and avg_amount to S1 - S0, and S1 - S0 for sales.

    All None when any of the values is missing or <= 0 (the logarithms are undefined).
    """
    values = [period[f] for f in (*FACTORS, "sales")] + [comparison[f] for f in (*FACTORS, "sales")]
    if any(v is None or v <= 0 for v in values):
        return {f: None for f in (*FACTORS, "sales")}
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        s1, s0 = +period["sales"], +comparison["sales"]
        log_mean = s1 if s1 == s0 else (s1 - s0) / (s1.ln() - s0.ln())
        out = {f: float(log_mean * (period[f] / comparison[f]).ln()) for f in FACTORS}
        out["sales"] = float(s1 - s0)
    return out


def drivers(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date, vs_start: dt.date,
            vs_end: dt.date) -> pd.DataFrame:
    """Report `drivers` (R13): covered, active_rate, avg_amount, sales in both periods and the LMDI split."""
    row = db.query(con, "drivers", _period_params(scope, start, end, vs_start, vs_end)).iloc[0]
    period = _factors(int(row["covered_1"]), int(row["active_1"]), _cents(row["sales_1"]))
    comparison = _factors(int(row["covered_0"]), int(row["active_0"]), _cents(row["sales_0"]))
    contribution = lmdi(period, comparison)

    def shown(factor: str, value: Decimal | None):
        if value is None:
            return None
        if factor == "covered":
            return int(value)
        if factor in ("avg_amount", "sales"):
            return float(value.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))
        return float(value)

    factors = (*FACTORS, "sales")
    # object columns keep `covered` a whole number next to the rates; contributions are floats (NaN = empty)
    return pd.DataFrame({
        "factor": list(factors),
        "period_value": pd.Series([shown(f, period[f]) for f in factors], dtype=object),
        "comparison_value": pd.Series([shown(f, comparison[f]) for f in factors], dtype=object),
        "contribution": pd.Series([contribution[f] for f in factors], dtype=float),
    })[DRIVER_COLUMNS]


def sales_kpis(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date, vs_start: dt.date,
               vs_end: dt.date) -> pd.DataFrame:
    """One row for the Overview cards: sales, active/new dealers, collections, each with its comparison.

    sales = all in-scope order amount in the period; growth = (sales - comparison) / comparison,
    empty when the comparison is 0 or less; active_dealers = in-scope dealers with an order row;
    new_dealers = signed in the period; collections = payments in the period.
    """
    frame = db.query(con, "drivers_kpis", _period_params(scope, start, end, vs_start, vs_end))
    for column in ("sales", "comparison_sales", "collections", "comparison_collections"):
        frame[column] = frame[column].astype(float).round(2)
    for column in ("active_dealers", "comparison_active_dealers", "new_dealers", "comparison_new_dealers"):
        frame[column] = frame[column].astype("int64")
    cents_1 = round(float(frame.at[0, "sales"]) * 100)
    cents_0 = round(float(frame.at[0, "comparison_sales"]) * 100)
    frame["growth"] = (cents_1 - cents_0) / cents_0 if cents_0 > 0 else float("nan")
    return frame[KPI_COLUMNS]


def monthly_sales(con, rules: Rules, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per calendar month of [start, end] ('YYYY-MM'): sales, collections, active and new dealers, zeros kept."""
    frame = db.query(con, "drivers_monthly", {**scope.params(), "start": start, "end": end})
    for column in ("sales", "collections"):
        frame[column] = frame[column].astype(float).round(2)
    for column in ("active_dealers", "new_dealers"):
        frame[column] = frame[column].astype("int64")
    return frame[MONTHLY_COLUMNS]


def sales_by_region(con, rules: Rules, scope: Scope, regions: list[str], start: dt.date, end: dt.date,
                    vs_start: dt.date, vs_end: dt.date) -> pd.DataFrame:
    """Per region of `regions` (in that order, zeros kept): sales, comparison_sales, growth and
    active_dealers as the Overview's cards define them for that region, in one query."""
    frame = db.query(con, "drivers_regions", _period_params(scope, start, end, vs_start, vs_end))
    by_region = frame.set_index("region")
    rows = []
    for region in regions:
        sales = float(by_region.at[region, "sales"]) if region in by_region.index else 0.0
        comparison = float(by_region.at[region, "comparison_sales"]) if region in by_region.index else 0.0
        active = int(by_region.at[region, "active_dealers"]) if region in by_region.index else 0
        cents_1, cents_0 = round(sales * 100), round(comparison * 100)
        rows.append({"region": region, "sales": round(sales, 2), "comparison_sales": round(comparison, 2),
                     "growth": (cents_1 - cents_0) / cents_0 if cents_0 > 0 else float("nan"),
                     "active_dealers": active})
    return pd.DataFrame(rows, columns=["region", "sales", "comparison_sales", "growth", "active_dealers"])
