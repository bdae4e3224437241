"""The dimensions users filter by: regions, provinces, territories and reps."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from lib import db
from lib.scope import Scope

# The conventional order of China's sales regions, used to sort charts and filters.
REGION_ORDER = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")


def region_sort_key(region: str) -> tuple[int, str]:
    return (REGION_ORDER.index(region) if region in REGION_ORDER else len(REGION_ORDER), region)


@dataclass(frozen=True)
class FilterOptions:
    """What the region → province → territory cascade and the rep filter can offer."""

    frame: pd.DataFrame  # region, province, territory_id, territory_name, salesperson_id, salesperson_name

    def regions(self) -> list[str]:
        return sorted(self.frame["region"].dropna().unique(), key=region_sort_key)

    def _within(self, regions=(), provinces=(), territories=()) -> pd.DataFrame:
        f = self.frame
        if regions:
            f = f[f["region"].isin(regions)]
        if provinces:
            f = f[f["province"].isin(provinces)]
        if territories:
            f = f[f["territory_id"].isin(territories)]
        return f

    def provinces(self, regions=()) -> list[str]:
        return sorted(self._within(regions)["province"].dropna().unique())

    def territories(self, regions=(), provinces=()) -> dict[str, str]:
        f = self._within(regions, provinces).drop_duplicates("territory_id")
        return dict(zip(f["territory_id"], f["territory_name"]))

    def salespeople(self, regions=(), provinces=(), territories=()) -> dict[str, str]:
        f = self._within(regions, provinces, territories).dropna(subset=["salesperson_id"])
        f = f.drop_duplicates("salesperson_id").sort_values("salesperson_id")
        return dict(zip(f["salesperson_id"], f["salesperson_name"]))


def filter_options(con: duckdb.DuckDBPyConnection, access: Scope | None = None) -> FilterOptions:
    """The cascade's options, limited in SQL to what the user may see."""
    return FilterOptions(db.query(con, "filter_options", (access or Scope()).params()))
