"""Overview: sales drivers waterfall (R13) and the core-dealer Pareto chart (R4)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import NEGATIVE, POSITIVE, TOTAL, amount_format, amount_title, amounts, empty, style
from lib.i18n import fmt_amount, t

PARETO_BARS = 300  # bars beyond this are unreadable; the cumulative line still covers every dealer


def drivers_waterfall(drivers: pd.DataFrame, lang: str) -> go.Figure:
    """Comparison sales → the three factors' contributions → period sales (they add up exactly)."""
    title = t("overview.drivers_title", lang)
    by_factor = drivers.set_index("factor")
    if drivers.empty or by_factor["contribution"].isna().any():
        return empty(title, lang)
    s0 = by_factor.loc["sales", "comparison_value"]
    s1 = by_factor.loc["sales", "period_value"]
    steps = [("comparison", s0, "absolute")] + [
        (f, by_factor.loc[f, "contribution"], "relative") for f in ("covered", "active_rate", "avg_amount")
    ] + [("period", s1, "total")]
    labels = [t(f"overview.factor_{name}", lang) for name, _, _ in steps]
    values = amounts([v for _, v, _ in steps], lang)
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=[m for _, _, m in steps],
        text=[fmt_amount(v, lang) for _, v, _ in steps], textposition="outside",
        increasing={"marker": {"color": POSITIVE}}, decreasing={"marker": {"color": NEGATIVE}},
        totals={"marker": {"color": TOTAL}}, connector={"line": {"color": "#999"}},
        customdata=[name for name, _, _ in steps],
        hovertemplate="%{x}: %{y:" + amount_format(lang) + "}<extra></extra>",
    ))
    # Start the axis near the lowest running total, so the factors' bars are not slivers on a tall 0-based axis.
    running = [values[0]]
    for v in values[1:-1]:
        running.append(running[-1] + v)
    low, high = min(running + [values[-1]]), max(running + [values[-1]])
    pad = (high - low) * 0.25 or abs(high) * 0.1 or 1
    fig.update_yaxes(title=amount_title(t("charts.amount", lang), lang), tickformat=amount_format(lang),
                     range=[max(0, low - pad), high + pad])
    fig.update_traces(cliponaxis=False)
    fig.update_layout(showlegend=False)
    return style(fig, title, lang)


def pareto(core: pd.DataFrame, share: float, lang: str) -> go.Figure:
    """Dealers by sales (bars, the top ones) and the cumulative share (line) against the core line."""
    title = t("overview.pareto_title", lang)
    if core.empty or core["cumulative_share"].isna().all():
        return empty(title, lang)
    ranked = core.reset_index(drop=True)
    rank = ranked.index + 1
    bars = ranked.head(PARETO_BARS)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=rank[: len(bars)], y=amounts(bars["amount"], lang), name=t("overview.dealer_sales", lang),
        marker_color=[("#C8102E" if c else "#9C9C9C") for c in bars["is_core"]],
        customdata=bars[["dealer_id", "dealer_name"]].to_numpy(),
        hovertemplate="%{customdata[1]} (%{customdata[0]})<br>%{y:" + amount_format(lang) + "}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=rank, y=ranked["cumulative_share"], name=t("overview.cumulative_share", lang), yaxis="y2",
        mode="lines", line={"color": "#333", "width": 2},
        hovertemplate="#%{x}: %{y:.1%}<extra></extra>",
    ))
    fig.add_hline(y=share, yref="y2", line_dash="dash", line_color="#C8102E",
                  annotation_text=t("overview.core_line", lang, share=f"{share:.0%}"),
                  annotation_position="bottom right")
    fig.update_layout(
        xaxis={"title": t("overview.dealer_rank", lang)},
        yaxis={"title": amount_title(t("charts.amount", lang), lang), "tickformat": amount_format(lang)},
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 1.05], "tickformat": ".0%", "showgrid": False},
        bargap=0.1,
    )
    return style(fig, title, lang)
