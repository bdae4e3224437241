"""An independent pandas implementation of every report of cli.md, written from domain.md and
docs/interpretations.md alone (it never reads or imports lib/rules).

Used twice: the benchmark times it as "the way a typical dashboard does it" (load the eight tables
into pandas, compute there), and tests/test_reference_agreement.py checks the DuckDB rule
functions against it. Pure pandas/numpy/python on the loaded frames: no SQL after `load_tables`.

Money is carried as integer cents (exact sums, exact comparisons); thresholds are compared with
fractions.Fraction built from str(value), so a value exactly on a line lands where the spec says.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from lib.periods import Quarter, add_months, month_end, month_start, quarter_ends_before
from lib.rules_file import Rules
from lib.scope import Scope

TABLES = ("territories", "salespeople", "dealers", "opportunities", "stage_history", "orders",
          "payments", "targets")
STAGES = ("market", "lead", "qualified", "signed", "paid")
STAGE_ORDER = {s: i + 1 for i, s in enumerate(STAGES)}
OPEN_STAGES = STAGES[:4]
TIERS = ("A", "B", "C", "D")
TIER_ORDER = {t: i for i, t in enumerate(TIERS)}  # lower is better
BANDS = ("high", "medium", "low")
DUPLICATE_FIELDS = ("phone", "tax_id", "bank_account", "address")
# money column -> its integer-cents companion added by load_tables
MONEY = {
    "opportunities": {"expected_amount": "expected_cents", "expected_profit": "profit_cents"},
    "orders": {"amount": "cents"},
    "payments": {"amount": "cents"},
    "targets": {"target_amount": "target_cents"},
}


# ---------------------------------------------------------------------------------------------
# Loading and small helpers


def load_tables(con) -> dict[str, pd.DataFrame]:
    """SELECT * of the eight data tables into pandas (the step a benchmark times separately).

    Dates stay datetime64 (NaT when empty); each money column gets an integer-cents companion
    (nullable Int64) so sums and threshold tests are exact.
    """
    out = {}
    for table in TABLES:
        cur = con.cursor()
        try:
            frame = cur.execute(f"SELECT * FROM {table}").df()
        finally:
            cur.close()
        for column, cents in MONEY.get(table, {}).items():
            # DECIMAL(18,2) arrives as the nearest double; x*100 rounds back to the exact cent.
            frame[cents] = pd.array(np.rint(frame[column].to_numpy(dtype="float64") * 100), dtype="Int64")
        out[table] = frame
    return out


def _ts(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "D")


def _frac(value: Any) -> Fraction:
    return Fraction(str(value))


def _yuan(cents) -> float:
    """Integer cents -> float yuan (the nearest double to the exact cent)."""
    return float(int(cents)) / 100.0


def _round_cents(value: Fraction) -> int:
    """An exact amount in (possibly fractional) cents -> whole cents, half away from zero."""
    value = Fraction(value)
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def _ratio(num, den) -> float | None:
    """num/den as a float; None when den is 0 (a zero denominator gives an empty rate)."""
    if den == 0:
        return None
    return float(Fraction(int(num), int(den)))


def _month_index(series: pd.Series) -> pd.Series:
    """Calendar month number (year*12 + month - 1) of a datetime series."""
    return series.dt.year * 12 + series.dt.month - 1


def _index_to_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _date_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _in(selected: tuple[str, ...], values: pd.Series) -> pd.Series:
    """The scope test of one filter: an empty filter lets everything through."""
    if not selected:
        return pd.Series(True, index=values.index)
    return values.isin(list(selected)).fillna(False).astype(bool)


def _dealers_with_geo(tables) -> pd.DataFrame:
    terr = tables["territories"][["territory_id", "region", "province"]]
    return tables["dealers"].merge(terr, on="territory_id", how="left")


def _scoped_dealers(tables, scope: Scope, use_salespeople: bool = True) -> pd.DataFrame:
    """Dealers by their territory (region, province, territory) and owner rep."""
    d = _dealers_with_geo(tables)
    mask = (_in(scope.regions, d["region"]) & _in(scope.provinces, d["province"])
            & _in(scope.territories, d["territory_id"]))
    if use_salespeople:
        mask &= _in(scope.salespeople, d["salesperson_id"])
    return d[mask]


def _scoped_opportunities(tables, scope: Scope) -> pd.DataFrame:
    """Opportunities by their territory and the rep who owns them."""
    terr = tables["territories"][["territory_id", "region", "province"]]
    o = tables["opportunities"].merge(terr, on="territory_id", how="left")
    mask = (_in(scope.regions, o["region"]) & _in(scope.provinces, o["province"])
            & _in(scope.territories, o["territory_id"]) & _in(scope.salespeople, o["salesperson_id"]))
    return o[mask]


def _scoped_reps(tables, scope: Scope) -> pd.DataFrame:
    """Salespeople of role rep by home territory and id; one without a home territory only
    matches an unrestricted geography."""
    terr = tables["territories"][["territory_id", "region", "province"]]
    s = tables["salespeople"]
    s = s[s["role"] == "rep"].merge(terr, on="territory_id", how="left")
    mask = (_in(scope.regions, s["region"]) & _in(scope.provinces, s["province"])
            & _in(scope.territories, s["territory_id"]) & _in(scope.salespeople, s["salesperson_id"]))
    return s[mask]


def _active_on(dealers: pd.DataFrame, day: dt.date) -> pd.Series:
    """Active on a day: signed on or before it, not terminated on or before it."""
    t = _ts(day)
    return (dealers["signed_on"] <= t) & (dealers["terminated_on"].isna() | (dealers["terminated_on"] > t))


def _active_between(dealers: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Active at some time in [start, end]."""
    return (dealers["signed_on"] <= _ts(end)) & (
        dealers["terminated_on"].isna() | (dealers["terminated_on"] >= _ts(start)))


def _orders_between(tables, start: dt.date | None, end: dt.date) -> pd.DataFrame:
    o = tables["orders"]
    mask = o["order_date"] <= _ts(end)
    if start is not None:
        mask &= o["order_date"] >= _ts(start)
    return o[mask]


def _cents_by_dealer(orders: pd.DataFrame) -> pd.Series:
    return orders.groupby("dealer_id")["cents"].sum().astype("int64")


def _stage_positions(tables, as_of: dt.date) -> pd.DataFrame:
    """Per opportunity with a stage row on or before as_of: highest and current stage order."""
    sh = tables["stage_history"]
    sh = sh[sh["entered_on"] <= _ts(as_of)].copy()
    sh["order"] = sh["stage"].map(STAGE_ORDER)
    if sh.empty:
        return pd.DataFrame({"highest": pd.Series(dtype="int64"), "current": pd.Series(dtype="int64")})
    highest = sh.groupby("opportunity_id")["order"].max()
    # Latest entered_on; on the same date, the higher stage.
    current = sh.sort_values(["opportunity_id", "entered_on", "order"]).groupby("opportunity_id")["order"].last()
    return pd.DataFrame({"highest": highest, "current": current})


def _with_positions(opps: pd.DataFrame, tables, as_of: dt.date) -> pd.DataFrame:
    """Opportunities with highest/current stage as of a day; no row yet = market on both."""
    pos = _stage_positions(tables, as_of)
    out = opps.merge(pos, left_on="opportunity_id", right_index=True, how="left")
    out["highest"] = out["highest"].fillna(1).astype("int64")
    out["current"] = out["current"].fillna(1).astype("int64")
    return out


def _competition_rank_desc(values: list) -> list[int]:
    """1 + how many have a strictly higher value (1, 2, 2, 4)."""
    ordered = sorted(values, reverse=True)
    first = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return [first[v] for v in values]


def _competition_rank_asc(values: list) -> list[int]:
    """Rank from the bottom: 1 + how many have a strictly lower value."""
    ordered = sorted(values)
    first = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return [first[v] for v in values]


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _date_or_none(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


# ---------------------------------------------------------------------------------------------
# R1 funnel

FUNNEL_COLUMNS = ("stage", "stage_order", "count", "amount", "conversion_from_previous",
                  "conversion_from_top", "median_days_from_previous")


def funnel(tables, rules: Rules, scope: Scope, start: dt.date, end: dt.date, as_of: dt.date | None = None):
    """R1 cohort funnel: opportunities created in [start, end], highest stage as of `end`."""
    as_of = as_of or end
    opps = _scoped_opportunities(tables, scope)
    cohort = opps[(opps["created_on"] >= _ts(start)) & (opps["created_on"] <= _ts(end))]
    cohort = _with_positions(cohort, tables, as_of)
    cents = cohort["expected_cents"].fillna(0).astype("int64")

    # First entered_on of each stage (rows on or before as_of) for the cohort.
    sh = tables["stage_history"]
    sh = sh[(sh["entered_on"] <= _ts(as_of)) & sh["opportunity_id"].isin(cohort["opportunity_id"])]
    first = sh.groupby(["opportunity_id", "stage"])["entered_on"].min().unstack("stage")

    rows = []
    counts = []
    for k, stage in enumerate(STAGES, start=1):
        reached = cohort["highest"] >= k
        count = int(reached.sum())
        counts.append(count)
        amount = int(cents[reached].sum())
        if k == 1:
            from_previous = None
            from_top = 1.0 if count > 0 else None
            median_days = None
        else:
            from_previous = _ratio(count, counts[k - 2])
            from_top = _ratio(count, counts[0])
            median_days = None
            prev_stage = STAGES[k - 2]
            if prev_stage in first.columns and stage in first.columns:
                both = first[[prev_stage, stage]].dropna()
                if len(both):
                    days = (both[stage] - both[prev_stage]).dt.days.to_numpy()
                    median_days = float(np.median(days))
        rows.append({"stage": stage, "stage_order": k, "count": count, "amount": _yuan(amount),
                     "conversion_from_previous": from_previous, "conversion_from_top": from_top,
                     "median_days_from_previous": median_days})
    return pd.DataFrame(rows, columns=list(FUNNEL_COLUMNS))


# ---------------------------------------------------------------------------------------------
# R2 forecast, R3 profit matrix


def _open_opportunities(tables, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Open as of D: created on or before D, not lost on or before D, current stage not paid."""
    opps = _scoped_opportunities(tables, scope)
    d = _ts(as_of)
    opps = opps[(opps["created_on"] <= d) & (opps["lost_on"].isna() | (opps["lost_on"] > d))]
    opps = _with_positions(opps, tables, as_of)
    return opps[opps["current"] != STAGE_ORDER["paid"]]


FORECAST_COLUMNS = ("stage", "open_count", "expected_amount", "probability", "weighted_amount", "undated_count")


def forecast(tables, rules: Rules, scope: Scope, as_of: dt.date):
    """R2 horizon forecast per open stage: close date in (D, D + horizon]; undated apart."""
    probabilities = rules["funnel"]["probabilities"]
    horizon_end = as_of + dt.timedelta(days=int(rules["funnel"]["forecast_horizon_days"]))
    opps = _open_opportunities(tables, scope, as_of)
    close = opps["expected_close_on"]
    in_horizon = (close > _ts(as_of)) & (close <= _ts(horizon_end))
    undated = close.isna()
    cents = opps["expected_cents"].fillna(0).astype("int64")
    rows = []
    for k, stage in enumerate(OPEN_STAGES, start=1):
        of_stage = opps["current"] == k
        sel = of_stage & in_horizon
        amount = int(cents[sel].sum())
        p = probabilities[stage]
        weighted = _round_cents(Fraction(amount) * _frac(p))
        rows.append({"stage": stage, "open_count": int(sel.sum()), "expected_amount": _yuan(amount),
                     "probability": float(p), "weighted_amount": _yuan(weighted),
                     "undated_count": int((of_stage & undated).sum())})
    return pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))


PROFIT_MATRIX_COLUMNS = ("profit_band", "stage", "open_count", "expected_amount")


def profit_matrix(tables, rules: Rules, scope: Scope, as_of: dt.date):
    """R3 open opportunities per profit band x current stage (all 12 cells, zeros kept)."""
    high_cents = _frac(rules["profit_bands"]["high"]) * 100
    medium_cents = _frac(rules["profit_bands"]["medium"]) * 100
    opps = _open_opportunities(tables, scope, as_of)
    profit = opps["profit_cents"]

    def band(value) -> str:
        if pd.isna(value):
            return "low"
        if value >= high_cents:
            return "high"
        if value >= medium_cents:
            return "medium"
        return "low"

    bands = profit.map(band) if len(opps) else pd.Series(dtype="object")
    cents = opps["expected_cents"].fillna(0).astype("int64")
    rows = []
    for b in BANDS:
        for k, stage in enumerate(OPEN_STAGES, start=1):
            sel = (bands == b) & (opps["current"] == k)
            rows.append({"profit_band": b, "stage": stage, "open_count": int(sel.sum()),
                         "expected_amount": _yuan(int(cents[sel].sum()))})
    return pd.DataFrame(rows, columns=list(PROFIT_MATRIX_COLUMNS))


# ---------------------------------------------------------------------------------------------
# R4 core dealers

CORE_COLUMNS = ("dealer_id", "dealer_name", "amount", "cumulative_share", "is_core")


def _core_ranking(tables, rules: Rules, dealers: pd.DataFrame, start: dt.date | None, end: dt.date,
                  start_exclusive: bool = False) -> pd.DataFrame:
    """R4 ranking of `dealers` having an order row in the period, with cumulative share and
    is_core. Ranked by amount desc, ties by dealer_id."""
    orders = tables["orders"]
    mask = (orders["order_date"] <= _ts(end)) & orders["dealer_id"].isin(dealers["dealer_id"])
    if start is not None:
        mask &= (orders["order_date"] > _ts(start)) if start_exclusive else (orders["order_date"] >= _ts(start))
    amounts = _cents_by_dealer(orders[mask]).rename("cents").reset_index()
    ranked = amounts.merge(dealers[["dealer_id", "dealer_name"]], on="dealer_id", how="left")
    ranked = ranked.sort_values(["cents", "dealer_id"], ascending=[False, True], kind="mergesort")
    ranked = ranked.reset_index(drop=True)
    total = int(ranked["cents"].sum())
    cumulative = ranked["cents"].cumsum()
    if total <= 0:
        ranked["cumulative_share"] = None
        ranked["is_core"] = False
        return ranked
    line = _frac(rules["core"]["share"]) * total
    reached = [i for i, c in enumerate(cumulative.tolist()) if c >= line]
    core_len = reached[0] + 1 if reached else 0
    ranked["cumulative_share"] = [float(Fraction(int(c), total)) for c in cumulative.tolist()]
    ranked["is_core"] = ranked.index < core_len
    return ranked


def core_dealers(tables, rules: Rules, scope: Scope, start: dt.date, end: dt.date):
    """R4 over the in-scope dealers with an order row in [start, end]."""
    ranked = _core_ranking(tables, rules, _scoped_dealers(tables, scope), start, end)
    out = pd.DataFrame({
        "dealer_id": ranked["dealer_id"],
        "dealer_name": ranked["dealer_name"],
        "amount": [_yuan(c) for c in ranked["cents"]],
        "cumulative_share": ranked["cumulative_share"],
        "is_core": ranked["is_core"].astype(bool),
    })
    return out.reset_index(drop=True)[list(CORE_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# R5 lifecycle

LIFECYCLE_COLUMNS = ("territory_id", "territory_name", "region", "province", "planned_dealers",
                     "active_dealers", "coverage", "churn_12m", "stage")


def lifecycle(tables, rules: Rules, scope: Scope, as_of: dt.date):
    """R5 territory stage as of D (the salesperson filter does not apply)."""
    life = rules["lifecycle"]
    maintenance, mining = _frac(life["maintenance_coverage"]), _frac(life["mining_coverage"])
    max_churn = _frac(life["elevation_max_churn"])
    terr = tables["territories"]
    terr = terr[_in(scope.regions, terr["region"]) & _in(scope.provinces, terr["province"])
                & _in(scope.territories, terr["territory_id"])]
    dealers = tables["dealers"]

    def active_counts(day: dt.date) -> pd.Series:
        return dealers[_active_on(dealers, day)].groupby("territory_id").size()

    active_now = active_counts(as_of)
    earlier = [active_counts(q) for q in quarter_ends_before(as_of, int(life["elevation_quarters"]) - 1)]
    window_start = _ts(as_of - dt.timedelta(days=365))
    term = dealers["terminated_on"]
    churned = dealers[(term > window_start) & (term <= _ts(as_of))].groupby("territory_id").size()

    rows = []
    for t in terr.itertuples(index=False):
        planned = int(t.planned_dealers)
        active = int(active_now.get(t.territory_id, 0))
        lost = int(churned.get(t.territory_id, 0))
        churn = Fraction(lost, active + lost) if active + lost > 0 else None
        if planned <= 0:
            coverage, stage = None, "unplanned"
        else:
            coverage = Fraction(active, planned)
            if coverage < maintenance:
                stage = "development"
            elif coverage < mining:
                stage = "maintenance"
            else:
                held = all(Fraction(int(c.get(t.territory_id, 0)), planned) >= mining for c in earlier)
                stage = "elevation" if held and churn is not None and churn <= max_churn else "mining"
        rows.append({"territory_id": t.territory_id, "territory_name": t.territory_name, "region": t.region,
                     "province": t.province, "planned_dealers": planned, "active_dealers": active,
                     "coverage": None if coverage is None else float(coverage),
                     "churn_12m": None if churn is None else float(churn), "stage": stage})
    if not rows:
        return _empty(LIFECYCLE_COLUMNS)
    return pd.DataFrame(rows, columns=list(LIFECYCLE_COLUMNS)).sort_values("territory_id").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# R6 tiers


def _tier_table(tables, rules: Rules, quarter: Quarter) -> pd.DataFrame:
    """Every dealer active at some time in the quarter (whatever the scope), with its peer
    group, volume (cents), rank, thresholds and tier."""
    cfg = rules["tiers"]
    dealers = _dealers_with_geo(tables)
    dealers = dealers[_active_between(dealers, quarter.start, quarter.end)].copy()
    volume = _cents_by_dealer(_orders_between(tables, quarter.start, quarter.end))
    dealers["volume"] = dealers["dealer_id"].map(volume).fillna(0).astype("int64")
    kind = cfg["peer_group"]
    if kind == "all":
        dealers["peer_group"] = "all"
    elif kind == "channel":
        channel = dealers["channel"]
        dealers["peer_group"] = channel.where(channel.notna() & (channel != ""), "unspecified")
    else:
        dealers["peer_group"] = dealers[kind]
    percents = [int(p) for p in cfg["cumulative_percent"]]
    parts = []
    for _, group in dealers.groupby("peer_group", sort=False):
        group = group.copy()
        n = len(group)
        ordered = np.sort(group["volume"].to_numpy())[::-1]
        # Position ceil(n*p/100), 1-based, in exact integer arithmetic.
        th = [int(ordered[(n * p + 99) // 100 - 1]) for p in percents]
        group["peer_count"] = n
        group["threshold_a"], group["threshold_b"], group["threshold_c"] = th
        group["rank"] = group["volume"].rank(method="min", ascending=False).astype("int64")
        parts.append(group)
    if not parts:
        return dealers.assign(peer_count=0, threshold_a=0, threshold_b=0, threshold_c=0, rank=0, tier="")
    out = pd.concat(parts)
    v = out["volume"]
    out["tier"] = np.select(
        [v <= 0, v >= out["threshold_a"], v >= out["threshold_b"], v >= out["threshold_c"]],
        ["D", "A", "B", "C"], default="D")
    return out


TIERS_COLUMNS = ("dealer_id", "dealer_name", "peer_group", "peer_count", "volume", "rank", "threshold_a",
                 "threshold_b", "threshold_c", "tier", "prev_tier", "movement", "upgrade_candidate")


def tiers(tables, rules: Rules, scope: Scope, quarter: Quarter):
    """R6 tier list of the quarter: in-scope dealers active in Q, with the movement from Q-1."""
    current = _tier_table(tables, rules, quarter)
    previous = _tier_table(tables, rules, quarter.previous()).set_index("dealer_id")["tier"]
    in_scope = set(_scoped_dealers(tables, scope)["dealer_id"])
    current = current[current["dealer_id"].isin(in_scope)]
    margin = _frac(rules["tiers"]["upgrade_margin"])
    rows = []
    for r in current.itertuples(index=False):
        prev = previous.get(r.dealer_id)
        if prev is None:
            movement = "new"
        elif TIER_ORDER[r.tier] < TIER_ORDER[prev]:
            movement = "up"
        elif TIER_ORDER[r.tier] > TIER_ORDER[prev]:
            movement = "down"
        else:
            movement = "same"
        next_up = {"B": r.threshold_a, "C": r.threshold_b, "D": r.threshold_c}.get(r.tier)
        candidate = bool(next_up is not None and r.volume > 0 and Fraction(int(r.volume)) >= margin * int(next_up))
        rows.append({"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "peer_group": r.peer_group,
                     "peer_count": int(r.peer_count), "volume": _yuan(r.volume), "rank": int(r.rank),
                     "threshold_a": _yuan(r.threshold_a), "threshold_b": _yuan(r.threshold_b),
                     "threshold_c": _yuan(r.threshold_c), "tier": r.tier, "prev_tier": prev,
                     "movement": movement, "upgrade_candidate": candidate})
    if not rows:
        return _empty(TIERS_COLUMNS)
    out = pd.DataFrame(rows, columns=list(TIERS_COLUMNS))
    return out.sort_values(["peer_group", "rank", "dealer_id"]).reset_index(drop=True)


def tier_moves(tables, rules: Rules, scope: Scope, quarter: Quarter):
    """R6 flows Q-1 -> Q for in-scope dealers: all 24 (from A..D,new) x (to A..D,exit) but new->exit."""
    now = _tier_table(tables, rules, quarter).set_index("dealer_id")["tier"]
    before = _tier_table(tables, rules, quarter.previous()).set_index("dealer_id")["tier"]
    in_scope = set(_scoped_dealers(tables, scope)["dealer_id"])
    counts: dict[tuple[str, str], int] = {}
    for dealer_id in (set(now.index) | set(before.index)) & in_scope:
        key = (before.get(dealer_id, "new"), now.get(dealer_id, "exit"))
        counts[key] = counts.get(key, 0) + 1
    rows = [{"from_tier": f, "to_tier": t, "dealers": counts.get((f, t), 0)}
            for f in TIERS + ("new",) for t in TIERS + ("exit",) if (f, t) != ("new", "exit")]
    return pd.DataFrame(rows, columns=["from_tier", "to_tier", "dealers"])


# ---------------------------------------------------------------------------------------------
# R7 elimination

ELIMINATION_COLUMNS = ("dealer_id", "dealer_name", "year", "target_amount", "actual_amount", "achievement", "status")


def elimination(tables, rules: Rules, scope: Scope, year: int, as_of: dt.date | None = None):
    """R7 achievement against the pro-rated annual target, as of D (default Dec 31 of Y)."""
    day = as_of or dt.date(year, 12, 31)
    jan1 = dt.date(year, 1, 1)
    days_in_year = (dt.date(year + 1, 1, 1) - jan1).days
    elapsed_days = (day - jan1).days + 1
    min_achievement = _frac(rules["elimination"]["min_achievement"])
    dealers = _scoped_dealers(tables, scope)
    targets = tables["targets"]
    targets = targets[targets["year"] == year].set_index("dealer_id")["target_cents"]
    listed = dealers[dealers["dealer_id"].isin(targets.index) | _active_between(dealers, jan1, day)]
    actual = _cents_by_dealer(_orders_between(tables, jan1, day))
    rows = []
    for r in listed.itertuples(index=False):
        cents = int(actual.get(r.dealer_id, 0))
        target = targets.get(r.dealer_id)
        if target is None or pd.isna(target):
            achievement, status, target_amount = None, "no_target", None
        else:
            target = int(target)
            exact = Fraction(cents * days_in_year, target * elapsed_days)
            achievement = float(exact)
            status = "watch" if exact < min_achievement else "ok"
            target_amount = _yuan(target)
        rows.append({"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "year": int(year),
                     "target_amount": target_amount, "actual_amount": _yuan(cents),
                     "achievement": achievement, "status": status})
    if not rows:
        return _empty(ELIMINATION_COLUMNS)
    out = pd.DataFrame(rows, columns=list(ELIMINATION_COLUMNS))
    return out.sort_values(["achievement", "dealer_id"], na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# R11 duplicates (R8 and R9 use it)


def _digits(text: str) -> str:
    # Any script's decimal digits, by value (a full-width ５ is a 5).
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def normalize_phone(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _digits(str(value))[-11:]


def normalize_tax_id(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", "", str(value)).upper()


def normalize_bank_account(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _digits(str(value))


def normalize_address(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    kept = "".join(c for c in str(value) if unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd")
    return kept.lower()


NORMALIZERS = {"phone": normalize_phone, "tax_id": normalize_tax_id, "bank_account": normalize_bank_account,
               "address": normalize_address}


def _duplicate_pairs(tables) -> pd.DataFrame:
    """All (dealer_id = N, duplicate_of = E, matched_on) pairs over every dealer."""
    dealers = tables["dealers"][["dealer_id", "signed_on", "approved_new", *DUPLICATE_FIELDS]]
    found = []
    for field in DUPLICATE_FIELDS:
        keyed = pd.DataFrame({"dealer_id": dealers["dealer_id"], "signed_on": dealers["signed_on"],
                              "key": dealers[field].map(NORMALIZERS[field])})
        keyed = keyed[keyed["key"] != ""]
        shared = keyed[keyed.duplicated("key", keep=False)]
        if shared.empty:
            continue
        pairs = shared.merge(shared, on="key", suffixes=("_n", "_e"))
        later = (pairs["signed_on_e"] < pairs["signed_on_n"]) | (
            (pairs["signed_on_e"] == pairs["signed_on_n"]) & (pairs["dealer_id_e"] < pairs["dealer_id_n"]))
        pairs = pairs[later][["dealer_id_n", "dealer_id_e"]].drop_duplicates()
        pairs["field"] = field
        found.append(pairs)
    if not found:
        return pd.DataFrame({"dealer_id": pd.Series(dtype="object"), "duplicate_of": pd.Series(dtype="object"),
                             "matched_on": pd.Series(dtype="object")})
    allpairs = pd.concat(found)
    allpairs["field_order"] = allpairs["field"].map({f: i for i, f in enumerate(DUPLICATE_FIELDS)})
    allpairs = allpairs.sort_values(["dealer_id_n", "dealer_id_e", "field_order"])
    matched = allpairs.groupby(["dealer_id_n", "dealer_id_e"], sort=False)["field"].agg("+".join).reset_index()
    return matched.rename(columns={"dealer_id_n": "dealer_id", "dealer_id_e": "duplicate_of", "field": "matched_on"})


DUPLICATES_COLUMNS = ("dealer_id", "duplicate_of", "matched_on", "signed_on", "duplicate_of_signed_on", "approved_new")


def duplicates(tables, rules: Rules, scope: Scope):
    """R11 pairs whose later dealer N is in scope, fields in the order phone, tax_id, bank_account, address."""
    pairs = _duplicate_pairs(tables)
    in_scope = set(_scoped_dealers(tables, scope)["dealer_id"])
    pairs = pairs[pairs["dealer_id"].isin(in_scope)]
    if pairs.empty:
        return _empty(DUPLICATES_COLUMNS)
    info = tables["dealers"].set_index("dealer_id")
    out = pd.DataFrame({
        "dealer_id": pairs["dealer_id"].to_numpy(),
        "duplicate_of": pairs["duplicate_of"].to_numpy(),
        "matched_on": pairs["matched_on"].to_numpy(),
        "signed_on": [_date_or_none(info.at[n, "signed_on"]) for n in pairs["dealer_id"]],
        "duplicate_of_signed_on": [_date_or_none(info.at[e, "signed_on"]) for e in pairs["duplicate_of"]],
        "approved_new": [bool(info.at[n, "approved_new"]) for n in pairs["dealer_id"]],
    })
    return out.sort_values(["signed_on", "dealer_id", "duplicate_of"]).reset_index(drop=True)


def _contest_excluded(tables) -> set[str]:
    """Dealers kept out of contest credit: the later dealer of a pair, not approved_new."""
    suspected = set(_duplicate_pairs(tables)["dealer_id"])
    d = tables["dealers"]
    approved = set(d.loc[d["approved_new"].fillna(False).astype(bool), "dealer_id"])
    return suspected - approved


# ---------------------------------------------------------------------------------------------
# R8 new dealers


def _new_dealer_success(tables, rules: Rules) -> pd.DataFrame:
    """Per dealer with orders: first order month index, success month index (or NA), rule."""
    cfg = rules["new_dealer"]
    months = int(cfg["window_months"])
    monthly_min = _frac(cfg["monthly_min"]) * 100
    window_total = _frac(cfg["window_total"]) * 100
    orders = tables["orders"][["dealer_id", "order_date", "cents"]]
    if orders.empty:
        return pd.DataFrame(columns=["first_month", "success_month", "success_rule"])
    month = _month_index(orders["order_date"])
    first = month.groupby(orders["dealer_id"]).min()
    offset = month - orders["dealer_id"].map(first)
    window = orders[(offset >= 0) & (offset < months)]
    per_month = (window.assign(offset=offset[window.index]).groupby(["dealer_id", "offset"])["cents"].sum()
                 .unstack("offset").reindex(index=first.index, columns=range(months)).fillna(0).astype("int64"))
    dealers = tables["dealers"].set_index("dealer_id")
    signed_month = _month_index(dealers["signed_on"])
    max_gap = int(cfg["max_months_to_first_order"])
    rows = {}
    values = per_month.to_numpy()
    for i, dealer_id in enumerate(per_month.index):
        f = int(first[dealer_id])
        success, rule = None, None
        gap_ok = dealer_id not in signed_month.index or f - int(signed_month[dealer_id]) <= max_gap
        if gap_ok:
            by_month = [int(x) for x in values[i]]
            a = f + months - 1 if all(x >= monthly_min for x in by_month) else None
            b = None
            running = 0
            for k, x in enumerate(by_month):
                running += x
                if running >= window_total:
                    b = f + k
                    break
            if a is not None and (b is None or a <= b):
                success, rule = a, "a"
            elif b is not None:
                success, rule = b, "b"
        rows[dealer_id] = (f, success, rule)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["first_month", "success_month", "success_rule"])


NEW_DEALERS_COLUMNS = ("dealer_id", "dealer_name", "salesperson_id", "signed_on", "first_order_month",
                       "success_month", "success_rule", "suspected_duplicate")


def new_dealers(tables, rules: Rules, scope: Scope, start: dt.date | None = None, end: dt.date | None = None):
    """R8 per in-scope dealer (signed in [start, end] when given): first order month and success."""
    dealers = _scoped_dealers(tables, scope)
    if start is not None:
        dealers = dealers[dealers["signed_on"] >= _ts(start)]
    if end is not None:
        dealers = dealers[dealers["signed_on"] <= _ts(end)]
    success = _new_dealer_success(tables, rules)
    suspected = set(_duplicate_pairs(tables)["dealer_id"])
    rows = []
    for r in dealers.itertuples(index=False):
        first = success_month = rule = None
        if r.dealer_id in success.index:
            f, s, rule = success.loc[r.dealer_id]
            first = _index_to_month(int(f))
            success_month = None if s is None or pd.isna(s) else _index_to_month(int(s))
            rule = None if rule is None or pd.isna(rule) else rule
        rows.append({"dealer_id": r.dealer_id, "dealer_name": r.dealer_name, "salesperson_id": r.salesperson_id,
                     "signed_on": _date_or_none(r.signed_on), "first_order_month": first,
                     "success_month": success_month, "success_rule": rule,
                     "suspected_duplicate": r.dealer_id in suspected})
    if not rows:
        return _empty(NEW_DEALERS_COLUMNS)
    return pd.DataFrame(rows, columns=list(NEW_DEALERS_COLUMNS)).sort_values(
        ["signed_on", "dealer_id"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# R9 contest, R10 contest score


def _developed_dealers(tables, rules: Rules, first_month: int, last_month: int) -> pd.DataFrame:
    """Dealers whose success month is in [first, last] (month indexes), with owner rep and success
    month; suspected duplicates that are not approved excluded."""
    success = _new_dealer_success(tables, rules)
    ok = success[success["success_month"].notna()]
    month = ok["success_month"].astype("int64")
    ok = ok[(month >= first_month) & (month <= last_month)]
    excluded = _contest_excluded(tables)
    ok = ok[~ok.index.isin(list(excluded))]
    owners = tables["dealers"].set_index("dealer_id")["salesperson_id"]
    return pd.DataFrame({"dealer_id": ok.index, "salesperson_id": owners.reindex(ok.index).to_numpy(),
                         "success_month": ok["success_month"].astype("int64").to_numpy()})


def _developed_by_rep(tables, rules: Rules, first_month: int, last_month: int) -> pd.Series:
    """Count of each owner rep's developed dealers with success month in [first, last]."""
    return _developed_dealers(tables, rules, first_month, last_month)["salesperson_id"].value_counts()


def _item_money(values: list[int], top_awards: list, bottom_fines: list) -> tuple[list[int], list, list]:
    """Ranks, awards and fines of one ranking item (R9)."""
    ranks = _competition_rank_desc(values)
    awards = [Fraction(0)] * len(values)
    fines = [Fraction(0)] * len(values)
    if len(set(values)) > 1:  # everyone equal: nobody awarded or fined
        bottom = _competition_rank_asc(values)
        for i, v in enumerate(values):
            if v > 0 and ranks[i] <= len(top_awards):
                awards[i] = _frac(top_awards[ranks[i] - 1])
            if awards[i] == 0 and bottom[i] <= len(bottom_fines):
                fines[i] = _frac(bottom_fines[bottom[i] - 1])
    return ranks, awards, fines


CONTEST_COLUMNS = ("salesperson_id", "name", "intentions", "intention_penalty", "developed",
                   "development_amount", "new_dealer_sales", "rank_developed", "rank_sales",
                   "award_developed", "award_sales", "fine_developed", "fine_sales", "payout")


def contest(tables, rules: Rules, scope: Scope, month: dt.date):
    """R9 monthly payouts of the reps in scope employed during the month."""
    cfg = rules["contest"]
    m0, m1 = month_start(month), month_end(month)
    reps = _scoped_reps(tables, scope)
    reps = reps[(reps["hired_on"].isna() | (reps["hired_on"] <= _ts(m1)))
                & (reps["left_on"].isna() | (reps["left_on"] >= _ts(m0)))]
    if reps.empty:
        return _empty(CONTEST_COLUMNS)

    opps = tables["opportunities"]
    opps = opps[(opps["created_on"] >= _ts(m0)) & (opps["created_on"] <= _ts(m1))]
    opps = _with_positions(opps, tables, m1)
    intentions = opps[opps["highest"] >= STAGE_ORDER["lead"]].groupby("salesperson_id").size()

    idx = _date_index(m0)
    developed = _developed_by_rep(tables, rules, idx, idx)

    dealers = tables["dealers"]
    excluded = _contest_excluded(tables)
    recent = dealers[(dealers["signed_on"] >= _ts(add_months(m0, -(int(cfg["new_dealer_months"]) - 1))))
                     & (dealers["signed_on"] <= _ts(m1)) & ~dealers["dealer_id"].isin(excluded)]
    month_orders = _orders_between(tables, m0, m1)
    month_orders = month_orders[month_orders["dealer_id"].isin(recent["dealer_id"])]
    owner = recent.set_index("dealer_id")["salesperson_id"]
    sales = month_orders["cents"].groupby(month_orders["dealer_id"].map(owner)).sum()

    reps = reps.sort_values("salesperson_id")
    ids = reps["salesperson_id"].tolist()
    n_intentions = [int(intentions.get(s, 0)) for s in ids]
    n_developed = [int(developed.get(s, 0)) for s in ids]
    sales_cents = [int(sales.get(s, 0)) for s in ids]
    rank_dev, award_dev, fine_dev = _item_money(n_developed, cfg["top_awards"], cfg["bottom_fines"])
    rank_sal, award_sal, fine_sal = _item_money(sales_cents, cfg["top_awards"], cfg["bottom_fines"])
    min_int, min_dev = int(cfg["min_intentions"]), int(cfg["min_developed"])
    rows = []
    for i, (s, name) in enumerate(zip(ids, reps["name"])):
        penalty = _frac(cfg["intention_penalty"]) * max(0, min_int - n_intentions[i])
        development = (_frac(cfg["extra_bonus"]) * max(0, n_developed[i] - min_dev)
                       - _frac(cfg["shortfall_penalty"]) * max(0, min_dev - n_developed[i]))
        payout = development - penalty + award_dev[i] + award_sal[i] - fine_dev[i] - fine_sal[i]
        rows.append({"salesperson_id": s, "name": name, "intentions": n_intentions[i],
                     "intention_penalty": float(penalty), "developed": n_developed[i],
                     "development_amount": float(development), "new_dealer_sales": _yuan(sales_cents[i]),
                     "rank_developed": rank_dev[i], "rank_sales": rank_sal[i],
                     "award_developed": float(award_dev[i]), "award_sales": float(award_sal[i]),
                     "fine_developed": float(fine_dev[i]), "fine_sales": float(fine_sal[i]),
                     "payout": float(payout)})
    out = pd.DataFrame(rows, columns=list(CONTEST_COLUMNS))
    return out.sort_values(["payout", "salesperson_id"], ascending=[False, True]).reset_index(drop=True)


CONTEST_SCORE_COLUMNS = ("salesperson_id", "name", "developed_total", "collected_total", "score", "rank")


def contest_score(tables, rules: Rules, scope: Scope, campaign_start: dt.date, campaign_end: dt.date):
    """R10 campaign score: 60% developed, 40% collected, each against the best rep."""
    cfg = rules["contest_score"]
    first_day, last_day = month_start(campaign_start), month_end(campaign_end)
    reps = _scoped_reps(tables, scope)
    reps = reps[(reps["hired_on"].isna() | (reps["hired_on"] <= _ts(last_day)))
                & (reps["left_on"].isna() | (reps["left_on"] >= _ts(first_day)))]
    if reps.empty:
        return _empty(CONTEST_SCORE_COLUMNS)
    # Σ developed of R9 over the campaign months: a month counts for a rep only when R9 lists the
    # rep in it (employed during that month).
    dev_rows = _developed_dealers(tables, rules, _date_index(first_day), _date_index(last_day))
    employment = reps.set_index("salesperson_id")[["hired_on", "left_on"]]
    dev_rows = dev_rows[dev_rows["salesperson_id"].isin(employment.index)]
    month_first = pd.to_datetime([_index_to_month(m) + "-01" for m in dev_rows["success_month"]])
    month_last = month_first + pd.offsets.MonthEnd(0)
    hired = dev_rows["salesperson_id"].map(employment["hired_on"]).to_numpy()
    left = dev_rows["salesperson_id"].map(employment["left_on"]).to_numpy()
    employed = (pd.isna(hired) | (hired <= month_last.to_numpy())) & (pd.isna(left) | (left >= month_first.to_numpy()))
    developed = dev_rows[employed]["salesperson_id"].value_counts()

    dealers = tables["dealers"]
    excluded = _contest_excluded(tables)
    signed = dealers[(dealers["signed_on"] >= _ts(first_day)) & (dealers["signed_on"] <= _ts(last_day))
                     & ~dealers["dealer_id"].isin(excluded)]
    pay = tables["payments"]
    pay = pay[(pay["paid_on"] >= _ts(first_day)) & (pay["paid_on"] <= _ts(last_day))
              & pay["dealer_id"].isin(signed["dealer_id"])]
    owner = signed.set_index("dealer_id")["salesperson_id"]
    collected = pay["cents"].groupby(pay["dealer_id"].map(owner)).sum()

    reps = reps.sort_values("salesperson_id")
    ids = reps["salesperson_id"].tolist()
    dev = [int(developed.get(s, 0)) for s in ids]
    col = [int(collected.get(s, 0)) for s in ids]
    max_dev, max_col = max(dev), max(col)
    w_dev, w_col = _frac(cfg["developed_weight"]), _frac(cfg["collected_weight"])
    scores = [100 * ((w_dev * Fraction(d, max_dev) if max_dev > 0 else 0)
                     + (w_col * Fraction(c, max_col) if max_col > 0 else 0)) for d, c in zip(dev, col)]
    ranks = _competition_rank_desc(scores)
    out = pd.DataFrame({"salesperson_id": ids, "name": reps["name"].tolist(), "developed_total": dev,
                        "collected_total": [_yuan(c) for c in col], "score": [float(s) for s in scores],
                        "rank": ranks})
    return out.sort_values(["rank", "salesperson_id"]).reset_index(drop=True)[list(CONTEST_SCORE_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# R12 contracts

def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29 -> Feb 28
        return day.replace(year=day.year - 1, day=28)


def contracts(tables, rules: Rules, scope: Scope, as_of: dt.date):
    """R12 contract ends per month from D's month on, and how many of them are core dealers
    (R4 over orders in (D - 1 year, D])."""
    months = int(rules["contracts"]["months"])
    dealers = _scoped_dealers(tables, scope)
    ranked = _core_ranking(tables, rules, dealers, _year_earlier(as_of), as_of, start_exclusive=True)
    core = set(ranked.loc[ranked["is_core"], "dealer_id"])
    active = dealers[_active_on(dealers, as_of) & (dealers["contract_end"] >= _ts(as_of))]
    end_month = _month_index(active["contract_end"])
    first = _date_index(as_of)
    rows = []
    for k in range(months):
        ending = active[end_month == first + k]
        rows.append({"month": _index_to_month(first + k), "expiring": int(len(ending)),
                     "core_expiring": int(ending["dealer_id"].isin(core).sum())})
    return pd.DataFrame(rows, columns=["month", "expiring", "core_expiring"])


def retention_watch(tables, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """R12 retention watch list: core dealers with D <= contract_end <= D + watch_days."""
    dealers = _scoped_dealers(tables, scope)
    ranked = _core_ranking(tables, rules, dealers, _year_earlier(as_of), as_of, start_exclusive=True)
    core = set(ranked.loc[ranked["is_core"], "dealer_id"])
    last = as_of + dt.timedelta(days=int(rules["contracts"]["watch_days"]))
    sel = (dealers["dealer_id"].isin(core) & _active_on(dealers, as_of)
           & (dealers["contract_end"] >= _ts(as_of)) & (dealers["contract_end"] <= _ts(last)))
    return dealers.loc[sel, ["dealer_id", "dealer_name", "contract_end"]].sort_values(["contract_end", "dealer_id"])


# ---------------------------------------------------------------------------------------------
# R13 drivers


def _driver_values(tables, dealers: pd.DataFrame, start: dt.date, end: dt.date):
    """(covered, active, sales cents) of a period."""
    covered = dealers[_active_on(dealers, end)]
    orders = _orders_between(tables, start, end)
    orders = orders[orders["dealer_id"].isin(covered["dealer_id"])]
    return len(covered), int(orders["dealer_id"].nunique()), int(orders["cents"].sum())


def _log_mean(a: float, b: float) -> float:
    return a if a == b else (a - b) / (math.log(a) - math.log(b))


def drivers(tables, rules: Rules, scope: Scope, start: dt.date, end: dt.date, vs_start: dt.date, vs_end: dt.date):
    """R13 sales = covered x active_rate x avg_amount, with the LMDI split of the change."""
    dealers = _scoped_dealers(tables, scope)
    values = []
    for a, b in ((start, end), (vs_start, vs_end)):
        covered, active, sales = _driver_values(tables, dealers, a, b)
        rate = Fraction(active, covered) if covered else None
        avg = Fraction(sales, active * 100) if active else None  # yuan
        values.append({"covered": Fraction(covered), "active_rate": rate, "avg_amount": avg,
                       "sales": Fraction(sales, 100)})
    now, before = values
    defined = all(v is not None and v > 0 for side in values for v in side.values())
    contributions: dict[str, float | None] = {f: None for f in now}
    if defined:
        weight = _log_mean(float(now["sales"]), float(before["sales"]))
        for f in ("covered", "active_rate", "avg_amount"):
            contributions[f] = weight * math.log(float(now[f] / before[f]))
        contributions["sales"] = float(now["sales"] - before["sales"])

    def show(factor, value):
        if value is None:
            return None
        if factor in ("avg_amount", "sales"):
            return _yuan(_round_cents(value * 100))
        return float(value)

    rows = [{"factor": f, "period_value": show(f, now[f]), "comparison_value": show(f, before[f]),
             "contribution": contributions[f]} for f in ("covered", "active_rate", "avg_amount", "sales")]
    return pd.DataFrame(rows, columns=["factor", "period_value", "comparison_value", "contribution"])


# Report name (cli.md) -> reference function.
REFERENCE = {
    "funnel": funnel,
    "forecast": forecast,
    "profit-matrix": profit_matrix,
    "core-dealers": core_dealers,
    "lifecycle": lifecycle,
    "tiers": tiers,
    "tier-moves": tier_moves,
    "elimination": elimination,
    "new-dealers": new_dealers,
    "contest": contest,
    "contest-score": contest_score,
    "duplicates": duplicates,
    "contracts": contracts,
    "drivers": drivers,
}
