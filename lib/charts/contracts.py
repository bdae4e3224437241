"""Contracts & risks: contract ends per month (R12) and the elimination watch (R7) histogram, plus
the display of their tables (pure pandas / plotly, no streamlit)."""
from __future__ import annotations

import math
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import NEGATIVE, POSITIVE, empty, style
from lib.charts.lifecycle import styled
from lib.i18n import fmt_count, fmt_month, fmt_rate, t

OTHER, CORE = "#9DB4C8", "#C8102E"
STATUSES = ("watch", "ok", "no_target")
STATUS_CHOICES = STATUSES + ("all",)
BIN_WIDTH = 0.10  # achievement histogram: 10-point bins
BIN_TOP = 1.50    # the last bin takes everything from 150% up


def _is_december(month: str) -> bool:
    return month.endswith("-12")


def expiry_bars(months: pd.DataFrame, share: float | None, lang: str, window: int) -> go.Figure:
    """The `contracts` report as bars: contracts ending per month, with the core dealers among them
    drawn over them in red. Points carry customdata = the month ('YYYY-MM'); December is marked
    with its share of the window."""
    title = t("contracts.expiry_title", lang, months=window)
    if months.empty or months["expiring"].sum() == 0:
        return empty(title, lang)
    labels = [fmt_month(m, lang) for m in months["month"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=labels, y=months["expiring"].astype(int), name=t("contracts.expiring", lang), marker_color=OTHER,
        customdata=list(months["month"]), text=[fmt_count(v, lang) for v in months["expiring"]],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:,d}<extra>" + t("contracts.expiring", lang) + "</extra>",
    ))
    fig.add_trace(go.Bar(
        x=labels, y=months["core_expiring"].astype(int), name=t("contracts.core_expiring", lang),
        marker_color=CORE, width=0.45, customdata=list(months["month"]),
        hovertemplate="%{x}: %{y:,d}<extra>" + t("contracts.core_expiring", lang) + "</extra>",
    ))
    if share is not None:
        for label, month, n in zip(labels, months["month"], months["expiring"]):
            if _is_december(month) and n > 0:
                fig.add_annotation(x=label, y=int(n), yshift=36, showarrow=False, font={"color": CORE},
                                   text=t("contracts.december_mark", lang, share=fmt_rate(share, lang)))
    fig.update_layout(barmode="overlay", xaxis={"title": t("charts.month", lang), "type": "category"},
                      yaxis={"title": t("charts.dealers", lang), "tickformat": ",d", "rangemode": "tozero"})
    fig.update_yaxes(range=[0, int(months["expiring"].max()) * 1.18 + 1])
    return style(fig, title, lang)


def drill_months(months: pd.DataFrame) -> dict[str, int]:
    """month -> contracts ending, for the months that have any (the drill-down choices)."""
    held = months[months["expiring"] > 0]
    return {m: int(n) for m, n in zip(held["month"], held["expiring"])}


def status_counts(elimination: pd.DataFrame) -> dict[str, int]:
    """Dealers per elimination status (watch, ok, no_target), zeros kept."""
    counts = elimination["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def with_status(elimination: pd.DataFrame, status: str) -> pd.DataFrame:
    """The elimination list for one status, or all of it."""
    if status == "all":
        return elimination.reset_index(drop=True)
    return elimination[elimination["status"] == status].reset_index(drop=True)


def achievement_bins(elimination: pd.DataFrame) -> pd.DataFrame:
    """Dealers with a target per achievement bin and status: low (bin start), watch, ok. Bins are
    BIN_WIDTH wide from 0; below 0 joins the first bin and BIN_TOP and above the last one."""
    rated = elimination[elimination["status"].isin(("watch", "ok"))]
    last = round(BIN_TOP / BIN_WIDTH)
    index = [min(last, max(0, math.floor(round(a / BIN_WIDTH, 9)))) for a in rated["achievement"]]
    frame = pd.DataFrame({"bin": index, "status": rated["status"].to_numpy()})
    counts = frame.groupby(["bin", "status"]).size().unstack(fill_value=0) if len(frame) else pd.DataFrame()
    bins = pd.DataFrame(index=range(0, last + 1))
    for status in ("watch", "ok"):
        bins[status] = counts[status].reindex(bins.index, fill_value=0) if status in counts else 0
    bins["low"] = [round(i * BIN_WIDTH, 6) for i in bins.index]
    return bins.reset_index(drop=True)[["low", "watch", "ok"]]


def _bin_label(low: float, lang: str) -> str:
    high = low + BIN_WIDTH
    if low == 0:
        return t("contracts.bin_below", lang, high=fmt_rate(high, lang, 0))
    if low >= BIN_TOP - 1e-9:
        return t("contracts.bin_above", lang, low=fmt_rate(low, lang, 0))
    return t("contracts.bin_range", lang, low=fmt_rate(low, lang, 0), high=fmt_rate(high, lang, 0))


def achievement_histogram(elimination: pd.DataFrame, line: float, lang: str) -> go.Figure:
    """Dealers with a target by achievement (10-point bins), watch ones red and ok ones green, with
    the elimination line."""
    title = t("contracts.histogram_title", lang, line=fmt_rate(line, lang, 0))
    bins = achievement_bins(elimination)
    if bins[["watch", "ok"]].to_numpy().sum() == 0:
        return empty(title, lang)
    centres = bins["low"] + BIN_WIDTH / 2
    labels = [_bin_label(low, lang) for low in bins["low"]]
    fig = go.Figure()
    for status, colour in (("watch", NEGATIVE), ("ok", POSITIVE)):
        fig.add_trace(go.Bar(
            x=centres, y=bins[status].astype(int), width=BIN_WIDTH * 0.95, name=t(f"status.{status}", lang),
            marker_color=colour, customdata=labels,
            hovertemplate="%{customdata}: %{y:,d}<extra>" + t(f"status.{status}", lang) + "</extra>",
        ))
    fig.add_vline(x=line, line_dash="dash", line_color="#333",
                  annotation_text=t("contracts.watch_line", lang, line=fmt_rate(line, lang, 0)),
                  annotation_position="top right")
    fig.update_layout(barmode="stack",
                      xaxis={"title": t("contracts.achievement_axis", lang), "tickformat": ".0%",
                             "range": [0, BIN_TOP + BIN_WIDTH], "dtick": 0.2},
                      yaxis={"title": t("contracts.dealers_axis", lang), "tickformat": ",d"})
    return style(fig, title, lang, height=360)


def month_table_styler(months: pd.DataFrame, lang: str, label: Callable[[str, str], str]):
    return styled(months, lang, label, values={"month": lambda m: fmt_month(m, lang)})


def dealers_styler(dealers: pd.DataFrame, lang: str, label: Callable[[str, str], str]):
    """expiring_dealers() / retention_watch() as shown: end dates and 12-month sales in the language."""
    return styled(dealers, lang, label, amounts_=("amount_12m",), dates=("contract_end",))


def elimination_styler(elimination: pd.DataFrame, lang: str, label: Callable[[str, str], str]):
    """The `elimination` report as shown: amounts, achievement in %, status in the language and colour."""
    return styled(elimination, lang, label, amounts_=("target_amount", "actual_amount"), rates=("achievement",),
                  values={"status": lambda s: t(f"status.{s}", lang)},
                  colours={"status": {"watch": NEGATIVE}})
