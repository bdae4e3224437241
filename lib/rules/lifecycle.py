"""R5 territory lifecycle: each territory's stage (development, maintenance, mining, elevation or
unplanned) as of a day, the stage mix over quarter-ends, the per-region distribution and the
dealers behind a bar.

coverage = active dealers / planned_dealers; churn_12m = dealers terminated in (D - 365 days, D] /
(active + those terminated). Elevation needs coverage >= mining_coverage on D and on each of the
(elevation_quarters - 1) quarter-ends before D, and churn_12m <= elevation_max_churn. The
salesperson filter does not apply: a stage belongs to the whole territory (docs/interpretations.md).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import db
from lib.periods import quarter_ends_before
from lib.rules.common import as_dates, exact
from lib.rules_file import Rules
from lib.scope import Scope

STAGES = ("development", "maintenance", "mining", "elevation", "unplanned")
LIFECYCLE_COLUMNS = ["territory_id", "territory_name", "region", "province", "planned_dealers",
                     "active_dealers", "coverage", "churn_12m", "stage"]
MIX_COLUMNS = ["as_of", "stage", "territories"]
DISTRIBUTION_COLUMNS = ["region", "stage", "territories", "active_dealers", "sales"]
DEALER_COLUMNS = ["dealer_id", "dealer_name", "territory_id", "territory_name", "region", "salesperson_id",
                  "signed_on", "status", "terminated_on", "active"]


def _geo_params(scope: Scope) -> dict:
    # Territory views ignore the salesperson filter, so $salespeople is not bound.
    params = scope.params()
    params.pop("salespeople")
    return params


def _threshold_params(rules: Rules) -> dict:
    # Bound as exact decimals so the SQL compares `count >= threshold * denominator` without floats.
    life = rules["lifecycle"]
    return {
        "maintenance_coverage": exact(life["maintenance_coverage"]),
        "mining_coverage": exact(life["mining_coverage"]),
        "elevation_max_churn": exact(life["elevation_max_churn"]),
    }


def territory_stages(con, rules: Rules, scope: Scope, report_days: list[dt.date]) -> pd.DataFrame:
    """Every in-scope territory at every report day (one query): as_of, the lifecycle columns and
    terminated_12m. Rows sorted by as_of, territory_id."""
    earlier_quarter_ends = rules["lifecycle"]["elevation_quarters"] - 1
    pairs = [(day, day) for day in dict.fromkeys(report_days)]
    pairs += [(day, end) for day in dict.fromkeys(report_days) for end in quarter_ends_before(day, earlier_quarter_ends)]
    params = {
        **_geo_params(scope),
        **_threshold_params(rules),
        "report_days": [p[0] for p in pairs],
        "check_days": [p[1] for p in pairs],
    }
    frame = db.query(con, "lifecycle_stages", params)
    for column in ("planned_dealers", "active_dealers", "terminated_12m"):
        frame[column] = frame[column].astype("int64")
    for column in ("coverage", "churn_12m"):
        frame[column] = frame[column].astype(float)
    return as_dates(frame, ("as_of",))


def lifecycle(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Report `lifecycle` (R5): one row per in-scope territory with its coverage, churn and stage."""
    return territory_stages(con, rules, scope, [as_of])[LIFECYCLE_COLUMNS].reset_index(drop=True)


def lifecycle_mix(con, rules: Rules, scope: Scope, quarter_ends: list[dt.date]) -> pd.DataFrame:
    """Territories per stage at each given day (as_of, stage, territories): all five stages per day,
    zeros kept, days in the order given (duplicates dropped)."""
    days = list(dict.fromkeys(quarter_ends))
    if not days:
        return pd.DataFrame({"as_of": [], "stage": [], "territories": pd.Series([], dtype="int64")})
    stages = territory_stages(con, rules, scope, days)
    counts = stages.groupby(["as_of", "stage"]).size()
    full = pd.MultiIndex.from_product([days, STAGES], names=["as_of", "stage"])
    frame = counts.reindex(full, fill_value=0).rename("territories").reset_index()
    frame["territories"] = frame["territories"].astype("int64")
    return frame[MIX_COLUMNS]


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29 -> Feb 28
        return day.replace(year=day.year - 1, day=28)


def stage_distribution(con, rules: Rules, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    """Per region and stage: territories, their active dealers on as_of and their order amount in the
    12 months to as_of, i.e. (as_of one year earlier, as_of]. Every in-scope region gets all five
    stages, zeros kept."""
    stages = territory_stages(con, rules, scope, [as_of])
    if stages.empty:
        return pd.DataFrame({"region": pd.Series([], dtype=object), "stage": pd.Series([], dtype=object),
                             "territories": pd.Series([], dtype="int64"),
                             "active_dealers": pd.Series([], dtype="int64"),
                             "sales": pd.Series([], dtype=float)})
    sales = db.query(con, "lifecycle_sales",
                     {**_geo_params(scope), "as_of": as_of, "sales_from": _year_earlier(as_of)})
    stages = stages.merge(sales, on="territory_id", how="left")
    stages["sales"] = stages["sales"].astype(float).fillna(0.0)
    grouped = stages.groupby(["region", "stage"]).agg(
        territories=("territory_id", "size"), active_dealers=("active_dealers", "sum"), sales=("sales", "sum"))
    regions = sorted(stages["region"].unique())
    full = pd.MultiIndex.from_product([regions, STAGES], names=["region", "stage"])
    frame = grouped.reindex(full, fill_value=0).reset_index()
    frame["territories"] = frame["territories"].astype("int64")
    frame["active_dealers"] = frame["active_dealers"].astype("int64")
    frame["sales"] = frame["sales"].astype(float).round(2)
    return frame[DISTRIBUTION_COLUMNS]


def territory_dealers(con, rules: Rules, scope: Scope, as_of: dt.date, territory_ids=None, stage: str | None = None,
                      region: str | None = None) -> pd.DataFrame:
    """The dealers behind a lifecycle bar or row: of the in-scope territories matching territory_ids,
    stage and region (None = any), the dealers active on as_of and those terminated in the churn
    window (D - 365 days, D]; `active` tells which."""
    if stage is not None and stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages are " + ", ".join(STAGES))
    stages = territory_stages(con, rules, scope, [as_of])
    if territory_ids is not None:
        ids = [territory_ids] if isinstance(territory_ids, str) else list(territory_ids)
        stages = stages[stages["territory_id"].isin(ids)]
    if stage is not None:
        stages = stages[stages["stage"] == stage]
    if region is not None:
        stages = stages[stages["region"] == region]
    ids = stages["territory_id"].tolist()
    if not ids:
        return pd.DataFrame({c: pd.Series([], dtype=bool if c == "active" else object) for c in DEALER_COLUMNS})
    frame = db.query(con, "lifecycle_dealers", {"as_of": as_of, "territory_ids": ids})
    frame["active"] = frame["active"].astype(bool)
    return as_dates(frame, ("signed_on", "terminated_on"))[DEALER_COLUMNS]
