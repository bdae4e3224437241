"""Dealer tiers (R6, R7): tiers per region, the Q-1 -> Q Sankey and transition matrix, and the lists
a regional manager works from (upgrade candidates, the elimination watch list, the dealers that moved
up while their volume fell). Pure pandas / plotly, no streamlit.

Streamlit reports clicks only on traces plotly can select (bars, scatter), not on a Sankey link or a
heatmap cell; both figures therefore carry a scatter layer of clickable points, one per flow, whose
customdata is [from_tier, to_tier] like the links and cells themselves.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import NEGATIVE, POSITIVE, TIER_COLORS, TIERS, TOP_MARGIN, amounts, empty, style
from lib.dimensions import region_sort_key
from lib.i18n import fmt_count, t
from lib.periods import Quarter

FROM_TIERS = TIERS + ("new",)
TO_TIERS = TIERS + ("exit",)
MOVEMENTS = ("up", "down", "same", "new", "exit")
MOVEMENT_COLORS = {"up": POSITIVE, "down": NEGATIVE, "same": "#B0B0B0", "new": TIER_COLORS["new"],
                   "exit": TIER_COLORS["exit"]}
NEXT_TIER = {"B": "A", "C": "B", "D": "C"}
NEXT_THRESHOLD = {"B": "threshold_a", "C": "threshold_b", "D": "threshold_c"}

# Sankey geometry. The plot area is the figure height less style()'s top and bottom margins; the
# click points are computed from the same numbers plotly's Sankey layout uses (node pad, the
# dealers-to-pixels scale), so each point sits on its own flow.
SANKEY_HEIGHT = 480
SANKEY_MARGINS = TOP_MARGIN + 10
NODE_PAD = 18
NODE_THICKNESS = 18
NODE_X = (0.02, 0.98)
POINT_AT = 0.35  # how far along a flow (0 = left node, 1 = right node) its click point sits
MATRIX_HEIGHT = 420


# --- small frames the page draws from -------------------------------------------------------------

def quarter_label(quarter: Quarter, lang: str) -> str:
    return t("tiers.quarter", lang, year=quarter.year, number=quarter.number)


def quarter_options(first: dt.date | None, last: dt.date | None, current: Quarter) -> list[str]:
    """The quarters of the data (first to last order date) plus the filters' quarter, newest first,
    as YYYYQn strings (they go into the URL)."""
    quarters = {current}
    if first is not None and last is not None:
        q, end = Quarter.containing(first), Quarter.containing(last)
        while q <= end:
            quarters.add(q)
            q = Quarter(q.year + 1, 1) if q.number == 4 else Quarter(q.year, q.number + 1)
    return [str(q) for q in sorted(quarters, reverse=True)]


def movement_summary(moves: pd.DataFrame) -> dict[str, int]:
    """Dealers per movement from the `tier-moves` report, and `tiered` = the quarter's tier list."""
    out = dict.fromkeys(("tiered",) + MOVEMENTS, 0)
    for row in moves.itertuples(index=False):
        n = int(row.dealers)
        out[_movement(row.from_tier, row.to_tier)] += n
        if row.to_tier != "exit":
            out["tiered"] += n
    return out


def _movement(from_tier: str, to_tier: str) -> str:
    if from_tier == "new":
        return "new"
    if to_tier == "exit":
        return "exit"
    return "up" if to_tier < from_tier else "down" if to_tier > from_tier else "same"


def flow_counts(moves: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(from_tier, to_tier) -> dealers, for the flows that hold at least one dealer, report order."""
    held = moves[moves["dealers"] > 0]
    return {(a, b): int(n) for a, b, n in zip(held["from_tier"], held["to_tier"], held["dealers"])}


def _regions(distribution: pd.DataFrame) -> list[str]:
    return sorted(distribution["region"].unique(), key=region_sort_key)


def cell_counts(distribution: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(region, tier) -> dealers for the bar segments that hold at least one dealer."""
    held = distribution[distribution["dealers"] > 0]
    order = {r: i for i, r in enumerate(_regions(distribution))} if not distribution.empty else {}
    cells = sorted(zip(held["region"], held["tier"], held["dealers"]), key=lambda c: (order[c[0]], c[1]))
    return {(r, tier): int(n) for r, tier, n in cells}


def flow_id(flow: tuple[str, str] | None) -> str | None:
    """('A', 'B') <-> 'A-B': a flow as the drill-down box and the link (?flow=) name it."""
    return None if flow is None else "-".join(flow)


def cell_id(cell: tuple[str, str] | None) -> str | None:
    """('华东', 'A') <-> '华东:A': a region x tier bar segment as the box and the link (?cell=) name it."""
    return None if cell is None else ":".join(cell)


def _dealers(count: int, lang: str) -> str:
    return t("tiers.dealer_one" if count == 1 else "tiers.dealer_many", lang, n=fmt_count(count, lang))


def flow_label(flow: tuple[str, str], count: int, lang: str) -> str:
    """'A Strategic → B Key (20 dealers)': a drill-down option and a click point's hover text."""
    return t("tiers.flow_option", lang, source=t(f"tier.{flow[0]}", lang), target=t(f"tier.{flow[1]}", lang),
             dealers=_dealers(count, lang))


def cell_label(cell: tuple[str, str], count: int, lang: str) -> str:
    """'华东 · A Strategic (44 dealers)': a region x tier drill-down option."""
    return t("tiers.cell_option", lang, region=cell[0], tier=t(f"tier.{cell[1]}", lang), dealers=_dealers(count, lang))


def candidate_list(candidates: pd.DataFrame) -> pd.DataFrame:
    """Upgrade candidates (rows of the tiers frame) with the next tier up, its threshold and the gap
    (the volume still missing to reach it)."""
    columns = ["dealer_id", "dealer_name", "region", "tier", "volume", "next_tier", "next_threshold", "gap",
               "movement"]
    if candidates.empty:
        return pd.DataFrame(columns=columns)
    out = candidates.copy()
    out["next_tier"] = out["tier"].map(NEXT_TIER)
    out["next_threshold"] = [out.at[i, NEXT_THRESHOLD[tier]] for i, tier in zip(out.index, out["tier"])]
    out["gap"] = (out["next_threshold"] - out["volume"]).round(2)
    return out[columns].reset_index(drop=True)


def up_while_falling(dealers: pd.DataFrame, current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Dealers that moved up although they ordered less than in the quarter before (seed 003), with
    the line of the tier they reached in both quarters (prev_line, line): the line fell further than
    their volume.

    `dealers` is tier_dealers() of the quarter, `current` and `previous` the tiers frames of the
    quarter and the one before (they hold each dealer's peer-group thresholds)."""
    columns = ["dealer_id", "dealer_name", "region", "prev_tier", "tier", "prev_volume", "volume",
               "prev_line", "line"]
    rose = dealers[(dealers["movement"] == "up") & (dealers["volume"] < dealers["prev_volume"])]
    if rose.empty:
        return pd.DataFrame(columns=columns)
    line_column = {"A": "threshold_a", "B": "threshold_b", "C": "threshold_c"}

    def lines(frame: pd.DataFrame) -> list[float]:
        by_dealer = frame.set_index("dealer_id")
        return [float(by_dealer.at[d, line_column[tier]]) if d in by_dealer.index else math.nan
                for d, tier in zip(rose["dealer_id"], rose["tier"])]

    out = rose.assign(prev_line=lines(previous), line=lines(current))
    return out[columns].reset_index(drop=True)


# --- tables as shown ------------------------------------------------------------------------------

def shown(frame: pd.DataFrame, lang: str, *, money=(), rates=(), tiers=(), movements=(), statuses=()) -> pd.DataFrame:
    """A display copy: amounts scaled (万元 in Chinese), rates in percent, codes in the language.

    The raw frame is what the downloads carry."""
    out = frame.copy()
    for column in money:
        out[column] = amounts(out[column].astype(float), lang)
    for column in rates:
        out[column] = out[column].astype(float) * 100
    for columns, section in ((tiers, "tier"), (movements, "movement"), (statuses, "status")):
        for column in columns:
            out[column] = [t(f"{section}.{v}", lang) if isinstance(v, str) and v else None for v in out[column]]
    return out


def money_format(lang: str) -> str:
    """Number format of a scaled amount column (st.column_config.NumberColumn): 123.4万 / ¥1,234."""
    return "%.1f" + t("unit.wan", lang) if lang == "zh" else "yen"


RATE_FORMAT = "%.1f%%"


# --- figures --------------------------------------------------------------------------------------

def distribution_bars(distribution: pd.DataFrame, quarter: Quarter, lang: str) -> go.Figure:
    """Stacked bars: per region, the dealers of the quarter's tier list in A, B, C and D. Each point
    carries customdata [region, tier]."""
    title = t("tiers.distribution_title", lang, quarter=quarter_label(quarter, lang))
    if distribution.empty or distribution["dealers"].sum() == 0:
        return empty(title, lang)
    regions = _regions(distribution)
    totals = distribution.groupby("region")["dealers"].sum()
    fig = go.Figure()
    for tier in TIERS:
        rows = distribution[distribution["tier"] == tier].set_index("region").reindex(regions)
        counts = rows["dealers"].fillna(0).astype(int)
        name = t(f"tier.{tier}", lang)
        fig.add_trace(go.Bar(
            x=regions, y=counts, name=name, marker_color=TIER_COLORS[tier],
            customdata=[[region, tier] for region in regions],
            hovertext=[t("tiers.distribution_hover", lang, region=region, tier=name, dealers=_dealers(n, lang),
                         total=fmt_count(totals[region], lang)) for region, n in zip(regions, counts)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal", bargap=max(0.2, 1 - 0.25 * len(regions)),
                      xaxis={"title": t("tiers.region_axis", lang)},
                      yaxis={"title": t("charts.dealers", lang)})
    return style(fig, title, lang, height=MATRIX_HEIGHT)


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _node_label(tier: str, quarter: Quarter | None, lang: str) -> str:
    if quarter is None:  # `new` and `exit` belong to no quarter's tier list
        return t(f"tier.{tier}", lang)
    return t("tiers.node", lang, tier=t(f"tier.{tier}", lang), quarter=quarter_label(quarter, lang))


def sankey_layout(flows: dict[tuple[str, str], int], height: int = SANKEY_HEIGHT) -> dict:
    """Node centres and click points, in the plot area's normalised coordinates (y from the top).

    Mirrors plotly's Sankey (d3-sankey): node pad is at most 2/3 of the height over the longest
    column; one scale (pixels per dealer) for both columns; a node's links are stacked in the
    order of the node at their other end; a link is the cubic curve with both control points
    half-way across. Returns {"left": {tier: y}, "right": {tier: y}, "points": {flow: (x, y)}}.
    """
    area = height - SANKEY_MARGINS
    left = [f for f in FROM_TIERS if any(a == f for a, _ in flows)]
    right = [to for to in TO_TIERS if any(b == to for _, b in flows)]
    total = sum(flows.values())
    longest = max(len(left), len(right))
    pad = NODE_PAD if longest < 2 else min(NODE_PAD, 2 / 3 * area / (longest - 1))
    scale = min((area - (len(column) - 1) * pad) / total for column in (left, right))

    def stack(column, side):
        sizes = {n: sum(v for f, v in flows.items() if f[side] == n) * scale for n in column}
        y = (area - sum(sizes.values()) - (len(column) - 1) * pad) / 2  # the shorter column is centred
        tops = {}
        for n in column:
            tops[n] = y
            y += sizes[n] + pad
        return tops, sizes

    (top_l, size_l), (top_r, size_r) = stack(left, 0), stack(right, 1)
    order = list(flows)
    at_source, at_target = {}, {}
    for node in left:
        y = top_l[node]
        for flow in sorted((f for f in order if f[0] == node), key=lambda f: (top_r[f[1]], order.index(f))):
            at_source[flow] = y + flows[flow] * scale / 2
            y += flows[flow] * scale
    for node in right:
        y = top_r[node]
        for flow in sorted((f for f in order if f[1] == node), key=lambda f: (top_l[f[0]], order.index(f))):
            at_target[flow] = y + flows[flow] * scale / 2
            y += flows[flow] * scale
    s = POINT_AT
    across = 1.5 * s * (1 - s) + s ** 3  # x of the curve at s, as a share of the way across
    x = NODE_X[0] + across * (NODE_X[1] - NODE_X[0])
    points = {f: (x, (at_source[f] * (1 - s) ** 2 * (1 + 2 * s) + at_target[f] * s ** 2 * (3 - 2 * s)) / area)
              for f in order}
    return {"left": {n: (top_l[n] + size_l[n] / 2) / area for n in left},
            "right": {n: (top_r[n] + size_r[n] / 2) / area for n in right},
            "points": points}


def movement_sankey(moves: pd.DataFrame, quarter: Quarter, lang: str) -> go.Figure:
    """Q-1 -> Q: distinct nodes per quarter (left: A-D of Q-1 and `new`; right: A-D of Q and `exit`),
    link value = dealers, coloured by movement; links and click points carry [from_tier, to_tier]."""
    previous = quarter.previous()
    title = t("tiers.sankey_title", lang, previous=quarter_label(previous, lang), quarter=quarter_label(quarter, lang))
    flows = flow_counts(moves)
    if not flows:
        return empty(title, lang)
    layout = sankey_layout(flows)
    left, right = list(layout["left"]), list(layout["right"])
    labels = ([_node_label(n, None if n == "new" else previous, lang) for n in left]
              + [_node_label(n, None if n == "exit" else quarter, lang) for n in right])
    value = t("tiers.sankey_value", lang)
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": labels, "pad": NODE_PAD, "thickness": NODE_THICKNESS,
              "color": [TIER_COLORS[n] for n in left + right],
              "x": [NODE_X[0]] * len(left) + [NODE_X[1]] * len(right),
              "y": list(layout["left"].values()) + list(layout["right"].values()),
              "customdata": left + right,
              "hovertemplate": "%{label}<br>" + value + "<extra></extra>"},
        link={"source": [left.index(a) for a, _ in flows],
              "target": [len(left) + right.index(b) for _, b in flows],
              "value": list(flows.values()),
              "color": [_rgba(MOVEMENT_COLORS[_movement(a, b)], 0.45) for a, b in flows],
              "customdata": [[a, b] for a, b in flows],
              "hovertemplate": "%{source.label} → %{target.label}<br>" + value + "<extra></extra>"},
    ))
    fig.add_trace(go.Scatter(
        x=[p[0] for p in layout["points"].values()], y=[p[1] for p in layout["points"].values()],
        mode="markers", showlegend=False, cliponaxis=False,
        marker={"size": 9, "color": "white", "line": {"color": "#333", "width": 1.5}},
        customdata=[[a, b] for a, b in flows],
        hovertext=[flow_label(f, n, lang) for f, n in flows.items()],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    for movement in MOVEMENTS:  # legend of the link colours
        if any(_movement(a, b) == movement for a, b in flows):
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=t(f"movement.{movement}", lang),
                                     marker={"symbol": "square", "size": 12, "color": MOVEMENT_COLORS[movement]},
                                     hoverinfo="skip"))
    fig.update_layout(xaxis={"range": [0, 1], "visible": False, "fixedrange": True},
                      yaxis={"range": [1, 0], "visible": False, "fixedrange": True},
                      hovermode="closest", plot_bgcolor="rgba(0,0,0,0)")
    return style(fig, title, lang, height=SANKEY_HEIGHT)


def click_through_css(key: str) -> str:
    """CSS that lets clicks on the Sankey chart `key` through to its click points: plotly's Sankey
    layer (links, nodes and its background) lies above the scatter layer and would take them."""
    scope = f".st-key-{key}"
    return (f"<style>{scope} .sankey-link, {scope} .sankey-node, {scope} .bgsankey "
            "{ pointer-events: none !important; }</style>")


def transition_matrix(moves: pd.DataFrame, quarter: Quarter, lang: str) -> go.Figure:
    """From (rows: A-D of Q-1, new) x to (columns: A-D of Q, exit), the dealers of each flow; the
    cells are a heatmap with a clickable point on each (customdata [from_tier, to_tier])."""
    previous = quarter.previous()
    title = t("tiers.matrix_title", lang)
    if moves.empty or moves["dealers"].sum() == 0:
        return empty(title, lang)
    counts = {(a, b): int(n) for a, b, n in zip(moves["from_tier"], moves["to_tier"], moves["dealers"])}
    rows = [t(f"tier.{a}", lang) for a in FROM_TIERS]
    columns = [t(f"tier.{b}", lang) for b in TO_TIERS]
    z = [[counts.get((a, b)) for b in TO_TIERS] for a in FROM_TIERS]  # new -> exit is no flow: empty
    top = max(counts.values())
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=rows, colorscale="Blues", showscale=False, xgap=2, ygap=2, hoverinfo="skip",
        zmin=0, zmax=max(top, 1),
    ))
    cells = [(a, b) for a in FROM_TIERS for b in TO_TIERS if (a, b) in counts]
    fig.add_trace(go.Scatter(
        x=[t(f"tier.{b}", lang) for _, b in cells], y=[t(f"tier.{a}", lang) for a, _ in cells],
        mode="markers+text", text=[fmt_count(counts[c], lang) for c in cells], showlegend=False,
        textfont={"color": ["white" if counts[c] > 0.55 * top else "#222" for c in cells], "size": 15},
        marker={"symbol": "square", "size": 44, "color": "white", "opacity": 0.02},
        customdata=[list(c) for c in cells],
        hovertext=[flow_label(c, counts[c], lang) for c in cells],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    fig.update_layout(
        xaxis={"title": t("tiers.matrix_to", lang, quarter=quarter_label(quarter, lang)),
               "fixedrange": True, "showgrid": False},
        yaxis={"title": t("tiers.matrix_from", lang, quarter=quarter_label(previous, lang)), "autorange": "reversed",
               "fixedrange": True, "showgrid": False},
        hovermode="closest",
    )
    return style(fig, title, lang, height=MATRIX_HEIGHT)
