"""R6 dealer tiers: per calendar quarter, each active dealer's tier (A, B, C, D) relative to its
peer group, its movement from the previous quarter, the flow counts and the drill-down lists.

In a peer group of n dealers sorted by volume descending, threshold_X is the volume at position
ceil(n * p / 100) in exact integer arithmetic. Peer groups are formed over all dealers active in
the quarter whatever the filter; the scope only chooses the rows shown (docs/interpretations.md).
"""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from lib import db
from lib.periods import Quarter
from lib.rules_file import Rules
from lib.scope import Scope

TIERS = ("A", "B", "C", "D")
FROM_TIERS = TIERS + ("new",)
TO_TIERS = TIERS + ("exit",)
TIER_COLUMNS = ["dealer_id", "dealer_name", "peer_group", "peer_count", "volume", "rank", "threshold_a",
                "threshold_b", "threshold_c", "tier", "prev_tier", "movement", "upgrade_candidate"]
MOVE_COLUMNS = ["from_tier", "to_tier", "dealers"]
DISTRIBUTION_COLUMNS = ["region", "tier", "dealers"]
DEALER_COLUMNS = ["dealer_id", "dealer_name", "region", "prev_tier", "tier", "movement", "prev_volume", "volume"]
MONEY_COLUMNS = ("volume", "prev_volume", "threshold_a", "threshold_b", "threshold_c")


def _flows(con, rules: Rules, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Every in-scope dealer active in `quarter` or the one before, with both quarters' tiers.

    Exits (a previous tier, none now) have an empty tier and movement 'exit'."""
    settings = rules["tiers"]
    percent_a, percent_b, percent_c = (int(p) for p in settings["cumulative_percent"])
    previous = quarter.previous()
    params = {
        **scope.params(),
        "q_start": quarter.start,
        "q_end": quarter.end,
        "prev_start": previous.start,
        "prev_end": previous.end,
        "peer_group": settings["peer_group"],
        "percent_a": percent_a,
        "percent_b": percent_b,
        "percent_c": percent_c,
        # exact decimal so `volume >= margin * threshold` has no float rounding
        "upgrade_margin": Decimal(str(settings["upgrade_margin"])),
    }
    frame = db.query(con, "tiers", params)
    for column in MONEY_COLUMNS:
        frame[column] = frame[column].astype(float).round(2)
    frame["upgrade_candidate"] = frame["upgrade_candidate"].astype(bool)
    for column in ("tier", "prev_tier"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def tiers_with_region(con, rules: Rules, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """The `tiers` frame plus the dealer's region (for pages that group by region)."""
    frame = _flows(con, rules, scope, quarter)
    frame = frame[frame["tier"].notna()].reset_index(drop=True)
    frame["peer_count"] = frame["peer_count"].astype("int64")
    frame["rank"] = frame["rank"].astype("int64")
    return frame[TIER_COLUMNS[:2] + ["region"] + TIER_COLUMNS[2:]]


def tiers(con, rules: Rules, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Report `tiers` (R6): the tier list of the quarter (in-scope dealers active in it), sorted by
    peer group, rank and dealer_id; prev_tier empty and movement 'new' for dealers not active before."""
    return tiers_with_region(con, rules, scope, quarter)[TIER_COLUMNS]


def _move_counts(frame: pd.DataFrame) -> pd.DataFrame:
    counts = frame.assign(from_tier=frame["prev_tier"].fillna("new"), to_tier=frame["tier"].fillna("exit")) \
        .groupby(["from_tier", "to_tier"]).size()
    rows = [(a, b, int(counts.get((a, b), 0))) for a in FROM_TIERS for b in TO_TIERS if (a, b) != ("new", "exit")]
    return pd.DataFrame(rows, columns=MOVE_COLUMNS).astype({"dealers": "int64"})


def tier_moves(con, rules: Rules, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Report `tier-moves` (R6): in-scope dealers per flow (A, B, C, D, new) -> (A, B, C, D, exit),
    all 24 flows except new -> exit, zeros kept, in that order."""
    return _move_counts(_flows(con, rules, scope, quarter))


def tier_distribution(con, rules: Rules, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Dealers of the quarter's tier list per region and tier; every region shown gets all four tiers."""
    frame = tiers_with_region(con, rules, scope, quarter)
    counts = frame.groupby(["region", "tier"]).size()
    regions = sorted(frame["region"].unique())
    full = pd.MultiIndex.from_product([regions, TIERS], names=["region", "tier"])
    out = counts.reindex(full, fill_value=0).rename("dealers").reset_index()
    out["dealers"] = out["dealers"].astype("int64")
    return out[DISTRIBUTION_COLUMNS]


def tier_dealers(con, rules: Rules, scope: Scope, quarter: Quarter, from_tier: str | None = None,
                 to_tier: str | None = None) -> pd.DataFrame:
    """The dealers behind a transition-matrix cell or Sankey flow: from_tier in A..D or 'new',
    to_tier in A..D or 'exit' (None = any). A new dealer has an empty prev_tier and prev_volume,
    an exit an empty tier and volume."""
    if from_tier is not None and from_tier not in FROM_TIERS:
        raise ValueError(f"unknown from_tier {from_tier!r}; one of " + ", ".join(FROM_TIERS))
    if to_tier is not None and to_tier not in TO_TIERS:
        raise ValueError(f"unknown to_tier {to_tier!r}; one of " + ", ".join(TO_TIERS))
    frame = _flows(con, rules, scope, quarter)
    if from_tier is not None:
        frame = frame[frame["prev_tier"].isna()] if from_tier == "new" else frame[frame["prev_tier"] == from_tier]
    if to_tier is not None:
        frame = frame[frame["tier"].isna()] if to_tier == "exit" else frame[frame["tier"] == to_tier]
    return frame[DEALER_COLUMNS].reset_index(drop=True)


def upgrade_candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `tiers` frame flagged as upgrade candidates: by tier, then highest volume first."""
    return frame[frame["upgrade_candidate"]].sort_values(["tier", "volume", "dealer_id"],
                                                          ascending=[True, False, True]).reset_index(drop=True)
