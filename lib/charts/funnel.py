"""Funnel & forecast: the cohort funnel and stage velocity (R1), the weighted forecast by stage and
its weekly trend (R2), the profit x stage matrix (R3), and display copies of their tables.

Pure functions of the report frames; amounts are scaled for display (万元 in Chinese), the frames
themselves (and so the downloads) keep yuan.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import STAGE_COLORS, amount_format, amount_title, amounts, empty, legend_below, style
from lib.i18n import MISSING, fmt_amount, fmt_count, fmt_rate, t

EXPECTED_COLOR = "#C6DBEF"
# Light enough at the top end for dark cell text to stay readable in every cell.
MATRIX_COLORSCALE = [[0.0, "#F7FBFF"], [1.0, "#6BAED6"]]
MATRIX_TEXT_COLOR = "#1A1A1A"
# Columns of the funnel/forecast frames that hold codes shown through the catalog, and amounts.
CODE_COLUMNS = {"stage": "stage", "highest_stage": "stage", "current_stage": "stage", "profit_band": "profit_band"}
AMOUNT_COLUMNS = ("amount", "expected_amount", "expected_profit", "weighted_amount")
RATE_COLUMNS = ("conversion_from_previous", "conversion_from_top", "probability")
DATE_COLUMNS = ("created_on", "lost_on", "expected_close_on", "week_ending")
# Date axes in the local style (d3 time formats; None = plotly's English default).
DATE_TICKS = {"zh": "%Y年%-m月", "en": None}
DATE_HOVER = {"zh": "%Y年%-m月%-d日", "en": "%-d %b %Y"}
# Table formats (Streamlit column_config): amounts are already scaled by display_copy.
TABLE_AMOUNT_FORMAT = {"zh": "%.1f", "en": "localized"}
TABLE_DATE_FORMAT = {"zh": "YYYY年M月D日", "en": "D MMM YYYY"}
TABLE_DAYS_FORMAT = "%.1f"
TABLE_RATE_FORMAT = "percent"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_days(value, lang: str) -> str:
    if _missing(value):
        return MISSING
    days = float(value)
    return t("funnel.days", lang, days=f"{days:.0f}" if days.is_integer() else f"{days:.1f}")


def stage_name(stage: str, lang: str) -> str:
    return t(f"stage.{stage}", lang)


def band_name(band: str, lang: str) -> str:
    return t(f"profit_band.{band}", lang)


def step_label(funnel: pd.DataFrame, stage: str, lang: str) -> str:
    """Drill-down choice of a funnel step: its name and count."""
    count = funnel.loc[funnel["stage"] == stage, "count"]
    return t("funnel.drill_step", lang, stage=stage_name(stage, lang),
             count=fmt_count(count.iloc[0] if len(count) else 0, lang))


def cell_label(matrix: pd.DataFrame, cell: tuple[str, str], lang: str) -> str:
    """Drill-down choice of a matrix cell (band, stage): names and open count."""
    band, stage = cell
    count = matrix.loc[(matrix["profit_band"] == band) & (matrix["stage"] == stage), "open_count"]
    return t("funnel.drill_cell", lang, band=band_name(band, lang), stage=stage_name(stage, lang),
             count=fmt_count(count.iloc[0] if len(count) else 0, lang))


def matrix_cells(matrix: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(matrix["profit_band"], matrix["stage"]))


def step_texts(funnel: pd.DataFrame, lang: str) -> list[str]:
    """Per step: count and amount, then conversion from the previous step and from the top."""
    texts = []
    for row in funnel.itertuples(index=False):
        values = dict(count=fmt_count(row.count, lang), amount=fmt_amount(row.amount, lang))
        if _missing(row.conversion_from_previous):
            texts.append(t("funnel.step_first", lang, **values))
        else:
            texts.append(t("funnel.step_text", lang, previous=fmt_rate(row.conversion_from_previous, lang),
                           top=fmt_rate(row.conversion_from_top, lang), **values))
    return texts


def funnel_chart(funnel: pd.DataFrame, lang: str) -> go.Figure:
    """The cohort funnel in stage order: count per step, with amount and conversions as text."""
    title = t("funnel.funnel_title", lang)
    if funnel.empty or funnel["count"].sum() == 0:
        return empty(title, lang)
    stages = list(funnel["stage"])
    fig = go.Figure(go.Funnel(
        y=[stage_name(s, lang) for s in stages], x=list(funnel["count"]),
        text=step_texts(funnel, lang), textinfo="text", textposition="outside",
        marker={"color": [STAGE_COLORS[s] for s in stages]},
        connector={"line": {"color": "#bbb", "width": 1}},
        customdata=stages,
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=[stage_name(s, lang) for s in stages])
    fig.update_layout(showlegend=False)
    style(fig, title, lang, height=440)
    # The steps are centred on 0; room on the right for the text beside them.
    top = funnel["count"].max()
    fig.update_xaxes(range=[-0.6 * top, 1.6 * top], visible=False)
    return fig


def velocity_chart(funnel: pd.DataFrame, lang: str) -> go.Figure:
    """Median days from the previous stage, per step after the first."""
    title = t("funnel.velocity_title", lang)
    steps = funnel[funnel["stage_order"] > funnel["stage_order"].min()] if not funnel.empty else funnel
    if steps.empty or steps["median_days_from_previous"].isna().all():
        return empty(title, lang)
    names = dict(zip(funnel["stage_order"], funnel["stage"]))
    labels = [f"{stage_name(names[k - 1], lang)} → {stage_name(s, lang)}"
              for k, s in zip(steps["stage_order"], steps["stage"])]
    days = [None if _missing(v) else float(v) for v in steps["median_days_from_previous"]]
    fig = go.Figure(go.Bar(
        x=labels, y=days, text=[fmt_days(v, lang) for v in days], textposition="outside",
        marker_color=[STAGE_COLORS[s] for s in steps["stage"]], customdata=list(steps["stage"]),
        hovertemplate="%{x}: %{text}<extra></extra>", cliponaxis=False,
    ))
    fig.update_yaxes(title=t("funnel.days_axis", lang), rangemode="tozero")
    fig.update_layout(showlegend=False)
    return style(fig, title, lang, height=440)


def forecast_totals(forecast: pd.DataFrame) -> dict:
    """The sums the cards show: horizon count, expected and weighted amount, undated count."""
    return {"open_count": int(forecast["open_count"].sum()), "expected_amount": float(forecast["expected_amount"].sum()),
            "weighted_amount": float(forecast["weighted_amount"].sum()),
            "undated_count": int(forecast["undated_count"].sum())}


def forecast_chart(forecast: pd.DataFrame, horizon_days: int, lang: str) -> go.Figure:
    """Per open stage: expected amount in the horizon and its probability-weighted amount."""
    title = t("funnel.forecast_title", lang, days=horizon_days)
    if forecast.empty or forecast["open_count"].sum() == 0:
        return empty(title, lang)
    stages = list(forecast["stage"])
    labels = [stage_name(s, lang) for s in stages]
    hover = [t("funnel.forecast_hover", lang, stage=stage_name(r.stage, lang), count=fmt_count(r.open_count, lang),
               probability=fmt_rate(r.probability, lang), undated=fmt_count(r.undated_count, lang))
             for r in forecast.itertuples(index=False)]
    # The weighted amount drawn inside the expected amount it comes from (narrower, darker bar).
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=labels, y=amounts(forecast["expected_amount"], lang), name=t("funnel.expected", lang),
        marker_color=EXPECTED_COLOR, customdata=stages, hovertext=hover, width=0.7,
        text=[t("funnel.weighted_text", lang, amount=fmt_amount(w, lang), probability=fmt_rate(p, lang))
              for w, p in zip(forecast["weighted_amount"], forecast["probability"])],
        # readable at its own size: plotly would shrink it to the bar's width
        textposition="outside", cliponaxis=False, constraintext="none", textfont={"size": 12},
        hovertemplate="%{hovertext}<br>" + t("funnel.expected", lang) + ": %{y:" + amount_format(lang)
                      + "}<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        x=labels, y=amounts(forecast["weighted_amount"], lang), name=t("funnel.weighted", lang),
        marker_color=[STAGE_COLORS[s] for s in stages], customdata=stages, hovertext=hover, width=0.4,
        hovertemplate="%{hovertext}<br>" + t("funnel.weighted", lang) + ": %{y:" + amount_format(lang)
                      + "}<extra></extra>",
    ))
    fig.update_yaxes(title=amount_title(t("charts.amount", lang), lang), tickformat=amount_format(lang))
    fig.update_layout(barmode="overlay")
    return legend_below(style(fig, title, lang), -0.18)


def trend_chart(trend: pd.DataFrame, lang: str) -> go.Figure:
    """Weighted forecast at each Friday, stacked by stage."""
    title = t("funnel.trend_title", lang)
    if trend.empty or (trend["open_count"].sum() == 0 and trend["weighted_amount"].sum() == 0):
        return empty(title, lang)
    fig = go.Figure()
    for stage, rows in trend.groupby("stage", sort=False):
        fig.add_trace(go.Scatter(
            x=list(rows["week_ending"]), y=amounts(rows["weighted_amount"], lang), name=stage_name(stage, lang),
            mode="lines", stackgroup="forecast", line={"color": STAGE_COLORS[stage], "width": 1},
            customdata=list(rows["open_count"]),
            hovertemplate=stage_name(stage, lang) + " %{x}: %{y:" + amount_format(lang) + "} (%{customdata})"
                          + "<extra></extra>",
        ))
    fig.update_xaxes(title=t("funnel.week", lang), tickformat=DATE_TICKS[lang], hoverformat=DATE_HOVER[lang])
    fig.update_yaxes(title=amount_title(t("funnel.weighted", lang), lang), tickformat=amount_format(lang))
    fig.update_layout(hovermode="x unified")
    return legend_below(style(fig, title, lang), -0.33)  # four stage names would cover the title


def matrix_chart(matrix: pd.DataFrame, lang: str) -> go.Figure:
    """Profit band (rows) x current stage (columns): colour = open count, text = count and amount.

    A heatmap draws the cells; an invisible marker per cell on top carries (band, stage) in its
    customdata, because clicks select points of a scatter, not of a heatmap.
    """
    title = t("funnel.matrix_title", lang)
    if matrix.empty or matrix["open_count"].sum() == 0:
        return empty(title, lang)
    bands = list(dict.fromkeys(matrix["profit_band"]))
    stages = list(dict.fromkeys(matrix["stage"]))
    cells = matrix.set_index(["profit_band", "stage"])
    counts = [[int(cells.loc[(b, s), "open_count"]) for s in stages] for b in bands]
    texts = [[t("funnel.cell_text", lang, count=fmt_count(cells.loc[(b, s), "open_count"], lang),
                amount=fmt_amount(cells.loc[(b, s), "expected_amount"], lang)) for s in stages] for b in bands]
    x = [stage_name(s, lang) for s in stages]
    y = [band_name(b, lang) for b in bands]
    fig = go.Figure(go.Heatmap(
        z=counts, x=x, y=y, text=texts, texttemplate="%{text}", colorscale=MATRIX_COLORSCALE, showscale=False,
        textfont={"color": MATRIX_TEXT_COLOR},
        xgap=2, ygap=2, hoverinfo="skip",
    ))
    fig.add_trace(go.Scatter(
        x=[x[j] for i in range(len(bands)) for j in range(len(stages))],
        y=[y[i] for i in range(len(bands)) for j in range(len(stages))],
        customdata=[[b, s] for b in bands for s in stages],
        hovertext=[texts[i][j].replace("<br>", " · ") for i in range(len(bands)) for j in range(len(stages))],
        mode="markers", marker={"symbol": "square", "size": 70, "color": "#C8102E", "opacity": 0},
        selected={"marker": {"opacity": 0.25}}, unselected={"marker": {"opacity": 0}},
        hovertemplate="%{y} × %{x}<br>%{hovertext}<extra></extra>", showlegend=False,
    ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(y)), showgrid=False)
    fig.update_xaxes(side="top", showgrid=False)
    fig.update_layout(clickmode="event+select")
    return style(fig, title, lang, height=380)


def display_copy(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table's display copy: stage and band names in the language, amounts scaled (万元 in zh)."""
    shown = frame.copy()
    for column, section in CODE_COLUMNS.items():
        if column in shown:
            shown[column] = [None if _missing(v) else t(f"{section}.{v}", lang) for v in shown[column]]
    for column in AMOUNT_COLUMNS:
        if column in shown:
            shown[column] = amounts(shown[column], lang)
    return shown.drop(columns=[c for c in ("stage_order",) if c in shown])
