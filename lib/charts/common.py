"""Shared look of every chart: fonts that render Chinese, colours per category, amount axes, empty state."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import MISSING, amount_axis, t

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


def missing_as_dash(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's text columns with their empty cells as a dash, for display: st.dataframe writes an
    empty cell as "None" (an English word on a Chinese page) and ignores a Styler's text for it.
    Number and date columns keep their type, so they still sort as numbers and dates."""
    texts = [c for c in frame.columns if frame[c].dtype == object and frame[c].isna().any()
             and frame[c].dropna().map(lambda v: isinstance(v, str)).all()]
    if not texts:
        return frame
    return frame.assign(**{c: frame[c].where(frame[c].notna(), MISSING) for c in texts})


def amount_title(label: str, lang: str) -> str:
    return f"{label}（{amount_axis(lang)[1]}）" if lang == "zh" else f"{label} ({amount_axis(lang)[1]})"


def amount_format(lang: str) -> str:
    """d3 format for hover/axis of scaled amounts."""
    return ",.1f" if lang == "zh" else ",.0f"


# Room above the plot for the title line and one legend line.
TOP_MARGIN = 80


def style(fig: go.Figure, title: str, lang: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        # the title on the top line, the legend on its own line under it: side by side, a long title
        # (or Chinese legend) ran into the other
        title={"text": title, "x": 0, "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
               "pad": {"t": 10}},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 10, "t": TOP_MARGIN, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left", "title": None},
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


def legend_below(fig: go.Figure, y: float = -0.2) -> go.Figure:
    """Move a styled figure's legend under the plot: beside a half-width chart's title it covers it."""
    fig.update_layout(legend={"yanchor": "top", "y": y, "x": 0, "xanchor": "left"})
    return fig


def empty(title: str, lang: str, height: int = 300) -> go.Figure:
    """A chart that says there is nothing to show, instead of blank axes."""
    fig = go.Figure()
    fig.add_annotation(text=t("charts.empty", lang), showarrow=False, font={"size": 18, "color": "#777"},
                       x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title, lang, height)
