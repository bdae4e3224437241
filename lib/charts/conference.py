"""Conference mode charts: large type on a dark, high-contrast theme for a projector (pure plotly,
no streamlit). The slide's own title is drawn above the chart, so the figures carry no title; each
figure's layout.meta names its slide and what its numbers are ("amount", "share" or "count"), which
is how tests find them and check that mask mode shows no amount."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lib.charts import common
from lib.i18n import MISSING, fmt_amount, fmt_count, fmt_rate, t

BACKGROUND = "#000000"
FOREGROUND = "#FFFFFF"
ACCENT = "#FFD400"       # yellow: the year's bars and highlights
MUTED = "#BBBBBB"
GRID = "#3A3A3A"
FONT_SIZE = 22           # px; readable at 1280x720 and at 1920x1080 from the back of the room
# High-contrast stage colours on black (the pages' pastel colours wash out on a projector).
LIFECYCLE_COLORS = {"development": "#FF8C1A", "maintenance": "#21D19F", "mining": "#3FA7FF",
                    "elevation": "#E36BFF", "unplanned": "#9E9E9E"}
FUNNEL_COLORS = ["#FFF3A0", "#FFE45C", "#FFD400", "#FFB000", "#FF8C00"]

# The slide is designed on a 1920x1080 stage that the renderers scale to the window; a chart fills
# the body of its slide, below the title (and the compact numbers, when there are any).
STAGE_W, STAGE_H = 1920, 1080
PAD_TOP, PAD_X, PAD_BOTTOM = 44, 80, 84   # the bottom padding leaves room for the control bar
HEAD_H = 140                              # title + subtitle
NOTE_H = 64                               # the rule / footnote line(s)
NUMBERS_H = 170                           # compact big numbers above a chart
BODY_H = STAGE_H - PAD_TOP - PAD_BOTTOM - HEAD_H - NOTE_H
CHART_W = STAGE_W - 2 * PAD_X


def chart_height(with_numbers: bool) -> int:
    return BODY_H - (NUMBERS_H if with_numbers else 0)


def _growth(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return ("+" if value > 0 else "") + f"{value * 100:.1f}%"


def theme(fig: go.Figure, lang: str, slide: str, measure: str, height: int) -> go.Figure:
    """Dark background, white text, large fonts; no title (the slide has it); the size of the body."""
    fig.update_layout(
        template="none",  # a named template is slow to apply; the colours are set here
        title={"text": ""},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
        font={"family": common.FONT, "size": FONT_SIZE, "color": FOREGROUND},
        margin={"l": 20, "r": 20, "t": 30, "b": 20},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left", "title": None,
                "font": {"size": FONT_SIZE, "color": FOREGROUND}, "bgcolor": "rgba(0,0,0,0)"},
        hoverlabel={"font": {"family": common.FONT, "size": FONT_SIZE}},
        separators=".,",
        width=CHART_W,
        height=height,
        meta={"lang": lang, "slide": slide, "measure": measure},
    )
    for update in (fig.update_xaxes, fig.update_yaxes):
        update(gridcolor=GRID, zerolinecolor=GRID, automargin=True, linecolor=MUTED,
               tickfont={"size": FONT_SIZE, "color": FOREGROUND}, title_font={"size": FONT_SIZE, "color": MUTED})
    return fig


def empty(lang: str, slide: str, height: int) -> go.Figure:
    """The shared empty state (common.empty), in the conference theme."""
    fig = common.empty("", lang)
    fig.update_annotations(font={"size": 34, "color": FOREGROUND})
    return theme(fig, lang, slide, "none", height)


def region_bars(regions: pd.DataFrame, lang: str, mask: bool, height: int) -> go.Figure:
    """Sales per region (万元 / CNY), or each region's share of sales in mask mode; the label on each
    bar adds the growth against the same dates a year earlier. customdata = region."""
    if regions.empty or not (regions["sales"] != 0).any():
        return empty(lang, "regions", height)
    if mask:
        y = [0.0 if math.isnan(s) else s for s in regions["share"]]
        text = [f"{fmt_rate(s, lang)}<br>{_growth(g)}" for s, g in zip(regions["share"], regions["growth"])]
        axis = {"title": t("conference.axis_share", lang), "tickformat": ".0%", "rangemode": "tozero"}
    else:
        y = common.amounts(regions["sales"], lang)
        text = [f"{fmt_amount(s, lang)}<br>{_growth(g)}" for s, g in zip(regions["sales"], regions["growth"])]
        axis = {"title": common.amount_title(t("conference.axis_sales", lang), lang),
                "tickformat": common.amount_format(lang), "rangemode": "tozero"}
    fig = go.Figure(go.Bar(
        x=list(regions["region"]), y=list(y), text=text, textposition="outside", cliponaxis=False,
        textfont={"size": FONT_SIZE + 2, "color": FOREGROUND}, marker_color=ACCENT,
        customdata=list(regions["region"]), hoverinfo="skip",
    ))
    top = max(y) if len(y) else 0
    fig.update_yaxes(**axis, range=[min(0, min(y)), top * 1.25 if top > 0 else 1])
    fig.update_layout(showlegend=False, bargap=0.35)
    return theme(fig, lang, "regions", "share" if mask else "amount", height)


def funnel_chart(funnel: pd.DataFrame, lang: str, height: int) -> go.Figure:
    """The year's cohort funnel (R1): opportunities that reached each stage, with the share of the
    cohort. Counts only, so it is the same with or without mask. customdata = stage."""
    if funnel.empty or int(funnel["count"].iloc[0]) == 0:
        return empty(lang, "funnel", height)
    counts = [int(c) for c in funnel["count"]]
    text = [f"{fmt_count(c, lang)} · {fmt_rate(s, lang)}" if i else fmt_count(c, lang)
            for i, (c, s) in enumerate(zip(counts, funnel["conversion_from_top"]))]
    fig = go.Figure(go.Funnel(
        y=[t(f"stage.{s}", lang) for s in funnel["stage"]], x=counts, text=text, textinfo="text",
        textposition="auto", textfont={"size": FONT_SIZE + 4},
        insidetextfont={"size": FONT_SIZE + 4, "color": BACKGROUND},
        outsidetextfont={"size": FONT_SIZE + 4, "color": FOREGROUND},
        marker={"color": FUNNEL_COLORS[: len(counts)]}, connector={"fillcolor": "#222222"},
        customdata=list(funnel["stage"]), hoverinfo="skip",
    ))
    fig.update_yaxes(tickfont={"size": FONT_SIZE + 2})
    fig.update_layout(showlegend=False)
    return theme(fig, lang, "funnel", "count", height)


def lifecycle_bars(distribution: pd.DataFrame, lang: str, height: int) -> go.Figure:
    """Territories per region in each lifecycle stage (R5), stacked horizontal bars; counts only.
    customdata = [region, stage]."""
    if distribution.empty or distribution["territories"].sum() == 0:
        return empty(lang, "lifecycle", height)
    from lib.dimensions import region_sort_key

    regions = sorted(distribution["region"].unique(), key=region_sort_key, reverse=True)  # first on top
    stages = [s for s in common.LIFECYCLE_STAGES
              if s != "unplanned" or distribution.loc[distribution["stage"] == s, "territories"].sum() > 0]
    fig = go.Figure()
    for stage in stages:
        rows = distribution[distribution["stage"] == stage].set_index("region").reindex(regions).fillna(0)
        counts = [int(v) for v in rows["territories"]]
        fig.add_trace(go.Bar(
            y=regions, x=counts, orientation="h", name=t(f"lifecycle.{stage}", lang),
            marker_color=LIFECYCLE_COLORS[stage], text=[str(c) if c else "" for c in counts],
            textposition="inside", insidetextanchor="middle",
            textfont={"size": FONT_SIZE, "color": BACKGROUND},
            customdata=[[region, stage] for region in regions], hoverinfo="skip",
        ))
    fig.update_layout(barmode="stack", legend_traceorder="normal", bargap=0.25)
    fig.update_xaxes(title=t("conference.axis_territories", lang), dtick=None, tickformat=",d")
    return theme(fig, lang, "lifecycle", "count", height)


def target_bars(targets: pd.DataFrame, lang: str, mask: bool, height: int) -> go.Figure:
    """Next year's targets per region: the sum of the dealers' targets (万元 / CNY), or each region's
    share of the total in mask mode; the label adds the number of dealers with a target."""
    if targets.empty or targets["dealers"].sum() == 0:
        return empty(lang, "targets", height)
    total = float(targets["target_amount"].sum())
    dealers_text = [t("conference.target_dealers_label", lang, count=fmt_count(n, lang)) for n in targets["dealers"]]
    if mask:
        y = [a / total if total > 0 else 0.0 for a in targets["target_amount"]]
        text = [f"{fmt_rate(s, lang)}<br>{d}" for s, d in zip(y, dealers_text)]
        axis = {"title": t("conference.axis_target_share", lang), "tickformat": ".0%"}
    else:
        y = list(common.amounts(targets["target_amount"], lang))
        text = [f"{fmt_amount(a, lang)}<br>{d}" for a, d in zip(targets["target_amount"], dealers_text)]
        axis = {"title": common.amount_title(t("conference.axis_target", lang), lang),
                "tickformat": common.amount_format(lang)}
    fig = go.Figure(go.Bar(
        x=list(targets["region"]), y=y, text=text, textposition="outside", cliponaxis=False,
        textfont={"size": FONT_SIZE + 2, "color": FOREGROUND}, marker_color=ACCENT,
        customdata=list(targets["region"]), hoverinfo="skip",
    ))
    top = max(y) if y else 0
    fig.update_yaxes(**axis, range=[0, top * 1.3 if top > 0 else 1])
    fig.update_layout(showlegend=False, bargap=0.35)
    return theme(fig, lang, "targets", "share" if mask else "amount", height)
