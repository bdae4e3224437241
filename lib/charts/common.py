"""Shared look of every chart: fonts that render Chinese, colours per category, amount axes, empty state."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import amount_axis, t

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
STAGES = ("market", "lead", "qualified", "signed", "paid")
LIFECYCLE_STAGES = ("development", "maintenance", "mining", "elevation", "unplanned")
TIERS = ("A", "B", "C", "D")

STAGE_COLORS = {"market": "#9ecae1", "lead": "#6baed6", "qualified": "#4292c6", "signed": "#2171b5", "paid": "#08519c"}
LIFECYCLE_COLORS = {"development": "#F4A261", "maintenance": "#2A9D8F", "mining": "#457B9D",
                    "elevation": "#6A4C93", "unplanned": "#BDBDBD"}
TIER_COLORS = {"A": "#C8102E", "B": "#F28E2B", "C": "#4E79A7", "D": "#9C9C9C", "new": "#59A14F", "exit": "#555555"}
POSITIVE, NEGATIVE, TOTAL = "#2A9D8F", "#C8102E", "#4E79A7"


def amounts(values, lang: str):
    """Amounts scaled for display: 万元 in Chinese, yuan in English."""
    divisor, _ = amount_axis(lang)
    if isinstance(values, pd.Series):
        return values.astype(float) / divisor
    return [None if v is None else float(v) / divisor for v in values]


def amount_title(label: str, lang: str) -> str:
    return f"{label}（{amount_axis(lang)[1]}）" if lang == "zh" else f"{label} ({amount_axis(lang)[1]})"


def amount_format(lang: str) -> str:
    """d3 format for hover/axis of scaled amounts."""
    return ",.1f" if lang == "zh" else ",.0f"


def style(fig: go.Figure, title: str, lang: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 1, "xanchor": "right", "title": None},
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
        # no named template: applying one costs ~40 ms per figure and ~10 kB of JSON; the little
        # we want from one is set here
        template="none",
        plot_bgcolor="white",
        meta={"lang": lang},
    )
    # what the template used to give: room for tick labels, light grid lines
    fig.update_xaxes(automargin=True, gridcolor="#EEE", zeroline=False)
    fig.update_yaxes(automargin=True, gridcolor="#EEE", zeroline=False)
    return fig


def empty(title: str, lang: str, height: int = 300) -> go.Figure:
    """A chart that says there is nothing to show, instead of blank axes."""
    fig = go.Figure()
    fig.add_annotation(text=t("charts.empty", lang), showarrow=False, font={"size": 18, "color": "#777"},
                       x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title, lang, height)
