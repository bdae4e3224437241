"""Lifecycle (R5): stage bars per region, the stage mix over quarter-ends, and the display of the
territory and dealer tables (pure pandas / plotly, no streamlit)."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import (LIFECYCLE_COLORS, LIFECYCLE_STAGES, amount_format, amount_title, amounts, empty,
                               missing_as_dash, style)
from lib.i18n import MISSING, fmt_amount, fmt_count, fmt_date, fmt_rate, t
from lib.periods import Quarter, quarter_ends_before

MEASURES = ("territories", "active_dealers", "sales")
MIX_QUARTERS = 8  # two years of quarter-ends: the span the elevation stage looks back on
NARROW_REGIONS = 4  # fewer regions than this are drawn as slim bars, not full-width blocks
MAIN_STAGES = LIFECYCLE_STAGES[:4]  # `unplanned` is shown only where there is one


def shown_stages(frame: pd.DataFrame, count_column: str = "territories") -> list[str]:
    """The four lifecycle stages, plus `unplanned` when any territory is unplanned."""
    unplanned = frame.loc[frame["stage"] == "unplanned", count_column].sum() if not frame.empty else 0
    return list(MAIN_STAGES) + (["unplanned"] if unplanned > 0 else [])


def stage_totals(distribution: pd.DataFrame) -> pd.DataFrame:
    """Territories, active dealers and sales per stage over every region (index = stage)."""
    totals = distribution.groupby("stage")[list(MEASURES)].sum()
    return totals.reindex(shown_stages(distribution), fill_value=0)


def bar_counts(distribution: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(region, stage) -> territories, for the bars that hold at least one territory."""
    held = distribution[distribution["territories"] > 0]
    return {(r, s): int(n) for r, s, n in zip(held["region"], held["stage"], held["territories"])}


def stage_bars(distribution: pd.DataFrame, measure: str, lang: str) -> go.Figure:
    """Stacked bars: per region, the territories (or their active dealers, or sales) in each stage.
    Each point carries customdata [region, stage] so a click names the bar."""
    title = t("lifecycle_page.distribution_title", lang, measure=t(f"lifecycle_page.measure_{measure}", lang))
    if distribution.empty or distribution[measure].sum() == 0:
        return empty(title, lang)
    regions = sorted(distribution["region"].unique())
    fig = go.Figure()
    for stage in shown_stages(distribution):
        rows = distribution[distribution["stage"] == stage].set_index("region").reindex(regions).fillna(0)
        values = rows[measure]
        y = amounts(values, lang) if measure == "sales" else values.astype(int)
        name = t(f"lifecycle.{stage}", lang)
        hover = [t("lifecycle_page.hover", lang, region=region, stage=name,
                   territories=fmt_count(row.territories, lang), dealers=fmt_count(row.active_dealers, lang),
                   sales=fmt_amount(row.sales, lang))
                 for region, row in zip(regions, rows.itertuples())]
        fig.add_trace(go.Bar(
            x=regions, y=y, name=name, marker_color=LIFECYCLE_COLORS[stage],
            customdata=[[region, stage] for region in regions],
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    y_title = t(f"lifecycle_page.measure_{measure}", lang)
    fig.update_layout(barmode="stack", legend_traceorder="normal",
                      xaxis={"title": t("lifecycle_page.region_axis", lang)},
                      yaxis={"title": amount_title(y_title, lang) if measure == "sales" else y_title,
                             "tickformat": amount_format(lang) if measure == "sales" else ",d"})
    if len(regions) < NARROW_REGIONS:  # one or two regions: keep the bars slim, centred
        pad = (NARROW_REGIONS - len(regions)) / 2
        fig.update_xaxes(range=[-0.5 - pad, len(regions) - 0.5 + pad])
    return style(fig, title, lang)


def picked(frame: pd.DataFrame, rows: list, column: str):
    """The `column` value of the first selected table row (None when none, or when the selection is
    stale: a row position beyond the frame after the filters narrowed it)."""
    if not rows or not 0 <= rows[0] < len(frame):
        return None
    return frame[column].iloc[rows[0]]


def mix_quarter_ends(as_of: dt.date, count: int = MIX_QUARTERS) -> list[dt.date]:
    """The `count` quarter-ends on or before as_of, oldest first."""
    if Quarter.containing(as_of).end == as_of:
        days = [as_of] + quarter_ends_before(as_of, count - 1)
    else:
        days = quarter_ends_before(as_of, count)
    return sorted(days)


def quarter_label(day: dt.date, lang: str) -> str:
    q = Quarter.containing(day)
    return t("lifecycle_page.quarter", lang, year=q.year, number=q.number)


def stage_mix(mix: pd.DataFrame, lang: str) -> go.Figure:
    """100% stacked bars: the share of territories in each stage at each quarter-end. The traces
    hold the territory counts (plotly normalises them); hover shows count and share."""
    days = list(dict.fromkeys(mix["as_of"])) if not mix.empty else []
    title = t("lifecycle_page.mix_title", lang, quarters=len(days) or MIX_QUARTERS)
    if mix.empty or mix["territories"].sum() == 0:
        return empty(title, lang)
    labels = [quarter_label(day, lang) for day in days]
    per_day = mix.groupby("as_of")["territories"].sum().reindex(days)
    fig = go.Figure()
    for stage in shown_stages(mix):
        rows = mix[mix["stage"] == stage].set_index("as_of").reindex(days)
        counts = rows["territories"].fillna(0).astype(int)
        shares = [n / total if total else 0.0 for n, total in zip(counts, per_day)]
        fig.add_trace(go.Bar(
            x=labels, y=counts, name=t(f"lifecycle.{stage}", lang), marker_color=LIFECYCLE_COLORS[stage],
            customdata=[[day.isoformat(), stage, fmt_count(n, lang), fmt_rate(s, lang)]
                        for day, n, s in zip(days, counts, shares)],
            hovertemplate="%{x} · " + t(f"lifecycle.{stage}", lang)
                          + ": %{customdata[2]} (%{customdata[3]})<extra></extra>",
        ))
    fig.update_layout(barmode="stack", barnorm="percent", legend_traceorder="normal",
                      yaxis={"title": t("lifecycle_page.mix_axis", lang), "ticksuffix": "%", "range": [0, 100]})
    return style(fig, title, lang)


def styled(frame: pd.DataFrame, lang: str, label: Callable[[str, str], str], *, amounts_: Iterable[str] = (),
           rates: Iterable[str] = (), dates: Iterable[str] = (), values: dict[str, Callable] | None = None,
           colours: dict[str, dict[str, str]] | None = None):
    """A display Styler of a frame: headers via `label(column, lang)`, amounts, rates and dates in the
    language's style, `values` columns shown through a function (e.g. stage names), `colours`
    columns with a background per raw value. The data stay raw (sorting, tests, downloads)."""
    labels = {c: label(c, lang) for c in frame.columns}
    shown = missing_as_dash(frame).rename(columns=labels)
    formats: dict[str, Callable] = {}
    for column in amounts_:
        formats[labels[column]] = lambda v: fmt_amount(v, lang)
    for column in rates:
        formats[labels[column]] = lambda v: fmt_rate(v, lang)
    for column in dates:
        formats[labels[column]] = lambda v: fmt_date(v, lang)
    for column, func in (values or {}).items():
        formats[labels[column]] = func
    styler = shown.style.format(formats, na_rep=MISSING)
    for column, palette in (colours or {}).items():
        styler = styler.map(
            lambda v, p=palette: f"background-color: {p[v]}; color: white" if v in p else "",
            subset=[labels[column]])
    return styler


def territory_styler(territories: pd.DataFrame, lang: str, label: Callable[[str, str], str]):
    """The `lifecycle` report as shown: stage names in the language, coloured; coverage and churn in %."""
    return styled(territories, lang, label, rates=("coverage", "churn_12m"),
                  values={"stage": lambda s: t(f"lifecycle.{s}", lang)},
                  colours={"stage": LIFECYCLE_COLORS})


def dealers_styler(dealers: pd.DataFrame, lang: str, label: Callable[[str, str], str]):
    """territory_dealers() as shown: dates and the dealer status in the language."""
    return styled(dealers, lang, label, dates=("signed_on", "terminated_on"),
                  values={"status": lambda s: t(f"lifecycle_page.dealer_{s}", lang)})
