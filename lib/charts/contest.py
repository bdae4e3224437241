"""Contest: payouts per rep (R9), the campaign score ranking (R10), new-dealer development status
(R8), and the styled tables of the contest page (leaderboard with gold/silver/bronze ranks).

Payouts, awards and fines are shown in yuan in both languages: they are a few hundred yuan, which
in 万元 would read 0.05. Sales and collections follow the usual 万元 (zh) / yuan (en) style.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import NEGATIVE, POSITIVE, TOTAL, empty, missing_as_dash, style
from lib.i18n import MISSING, fmt_amount, fmt_date, fmt_month, t
from lib.periods import add_months

NEUTRAL = "#9C9C9C"
SCORE_BARS = 30  # the ranking chart shows the top 30; the table beside it lists every rep
PAYOUT_TICKS = 60  # more reps than this: names only on hover
MEDAL_BARS = {1: "#D4A017", 2: "#A8A9AD", 3: "#CD7F32"}  # gold, silver, bronze
MEDAL_CELLS = {1: "background-color: #FBE7A1; font-weight: 600",
               2: "background-color: #E3E5E8; font-weight: 600",
               3: "background-color: #F0D0B4; font-weight: 600"}
GREEN_TEXT, RED_TEXT, GREY_TEXT = f"color: {POSITIVE}", f"color: {NEGATIVE}", "color: #999"
EXCLUDED_ROW = "color: #999; text-decoration: line-through"

# New-dealer development status (R8), in the order the chart shows it.
STATUSES = ("a", "b", "pending", "missed", "never")
SUCCESS = ("a", "b")
STATUS_COLORS = {"a": "#2A9D8F", "b": "#76B7A0", "pending": "#4E79A7", "missed": "#F28E2B", "never": "#C8102E"}
# Contest items a rep loses (shown with a minus sign) and items a rep gains.
DEDUCTIONS = ("intention_penalty", "fine_developed", "fine_sales")
GAINS = ("development_amount", "award_developed", "award_sales", "payout")
MATCH_FIELDS = ("phone", "tax_id", "bank_account", "address")
Label = Callable[[str], str]  # column name -> header text in the page's language


# ---------------------------------------------------------------- formatting

def fmt_yuan(value, lang: str) -> str:
    """A payout amount in yuan: zh 1,200元 / en ¥1,200 (cents only when there are any)."""
    if value is None or pd.isna(value):
        return MISSING
    value = float(value)
    sign = "−" if value < 0 else ""
    number = abs(value)
    text = f"{number:,.0f}" if number == round(number) else f"{number:,.2f}"
    return f"{sign}{text}元" if lang == "zh" else f"{sign}¥{text}"


def _month_index(value) -> int | None:
    if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, str):
        return int(value[:4]) * 12 + int(value[5:7]) - 1
    return value.year * 12 + value.month - 1


def month_options(first: dt.date | None, last: dt.date | None, current: dt.date) -> list[dt.date]:
    """The months the data covers (newest first), plus `current` when it lies outside them."""
    months = {dt.date(current.year, current.month, 1)}
    if first is not None and last is not None:
        month = dt.date(first.year, first.month, 1)
        while month <= last:
            months.add(month)
            month = add_months(month, 1)
    return sorted(months, reverse=True)


def development_status(new_dealers: pd.DataFrame, new_dealer_rules, as_of: dt.date) -> pd.Series:
    """Status of each row of the `new-dealers` report as of the data's last day: 'a' / 'b' (success
    by that rule), 'never' (first order, or still no order, more than max_months_to_first_order
    calendar months after signing), 'missed' (window over without success), 'pending' (otherwise)."""
    max_months = int(new_dealer_rules["max_months_to_first_order"])
    window = int(new_dealer_rules["window_months"])
    now = _month_index(as_of)
    statuses = []
    for row in new_dealers.itertuples(index=False):
        signed = _month_index(row.signed_on)
        first = _month_index(row.first_order_month)
        if row.success_rule in ("a", "b"):
            statuses.append(row.success_rule)
        elif (first if first is not None else now) - signed > max_months:
            statuses.append("never")
        elif first is not None and now > first + window - 1:
            statuses.append("missed")
        else:
            statuses.append("pending")
    return pd.Series(statuses, index=new_dealers.index, dtype=object)


def status_label(status: str, lang: str, max_months: int) -> str:
    """The status in words; 'never' names the rules' max_months_to_first_order."""
    return t(f"contest.status_{status}", lang, n=max_months)


# ---------------------------------------------------------------- figures

def payout_bars(board: pd.DataFrame, month: dt.date, lang: str) -> go.Figure:
    """One bar per rep in leaderboard order: payout in yuan, green above zero, red below."""
    title = t("contest.payout_title", lang, month=fmt_month(month, lang))
    if board.empty:
        return empty(title, lang)
    payout = board["payout"].astype(float)
    awards = board["award_developed"] + board["award_sales"]
    deductions = board["intention_penalty"] + board["fine_developed"] + board["fine_sales"]
    custom = pd.DataFrame({
        "id": board["salesperson_id"], "name": board["name"],
        "development": [fmt_yuan(v, lang) for v in board["development_amount"]],
        "awards": [fmt_yuan(v, lang) for v in awards],
        "deductions": [fmt_yuan(-v, lang) for v in deductions],
        "payout": [fmt_yuan(v, lang) for v in payout],
    })
    fig = go.Figure(go.Bar(
        x=list(board["salesperson_id"]), y=list(payout),
        marker_color=[POSITIVE if v > 0 else NEGATIVE if v < 0 else NEUTRAL for v in payout],
        customdata=custom.to_numpy(),
        hovertemplate=("%{customdata[1]} (%{customdata[0]}): %{customdata[5]}<br>"
                       + t("contest.hover_development", lang) + " %{customdata[2]}<br>"
                       + t("contest.hover_awards", lang) + " %{customdata[3]}<br>"
                       + t("contest.hover_deductions", lang) + " %{customdata[4]}<extra></extra>"),
    ))
    fig.update_xaxes(title=t("contest.rep_axis", lang), tickmode="array", tickvals=list(board["salesperson_id"]),
                     ticktext=list(board["name"]), type="category", showticklabels=len(board) <= PAYOUT_TICKS)
    fig.update_yaxes(title=t("contest.payout_axis", lang), tickformat=",.0f", zeroline=True,
                     zerolinecolor="#555")
    fig.update_layout(showlegend=False, bargap=0.2)
    return style(fig, title, lang)


def score_bars(score: pd.DataFrame, start: dt.date, end: dt.date, lang: str) -> go.Figure:
    """The campaign ranking as horizontal bars, rank 1 on top; ranks 1-3 gold, silver, bronze."""
    title = t("contest.score_title", lang, start=fmt_month(start, lang), end=fmt_month(end, lang))
    if score.empty:
        return empty(title, lang)
    if len(score) > SCORE_BARS:
        title = t("contest.score_title_top", lang, start=fmt_month(start, lang), end=fmt_month(end, lang),
                  n=SCORE_BARS)
    ranked = score.head(SCORE_BARS).iloc[::-1]  # plotly draws the first category at the bottom
    labels = [f"{r}. {n}" for r, n in zip(ranked["rank"], ranked["name"])]
    custom = pd.DataFrame({
        "id": ranked["salesperson_id"], "name": ranked["name"], "rank": ranked["rank"],
        "developed": ranked["developed_total"],
        "collected": [fmt_amount(v, lang) for v in ranked["collected_total"]],
    })
    fig = go.Figure(go.Bar(
        y=list(ranked["salesperson_id"]), x=list(ranked["score"].astype(float)), orientation="h",
        marker_color=[MEDAL_BARS.get(int(r), TOTAL) for r in ranked["rank"]],
        text=[f"{v:.1f}" for v in ranked["score"]], textposition="outside",
        customdata=custom.to_numpy(),
        hovertemplate=("#%{customdata[2]} %{customdata[1]} (%{customdata[0]}): %{x:.1f}<br>"
                       + t("columns_contest.developed_total", lang) + " %{customdata[3]}<br>"
                       + t("columns_contest.collected_total", lang) + " %{customdata[4]}<extra></extra>"),
    ))
    fig.update_yaxes(tickmode="array", tickvals=list(ranked["salesperson_id"]), ticktext=labels, type="category")
    fig.update_xaxes(title=t("contest.score_axis", lang), range=[0, 112])
    fig.update_layout(showlegend=False, bargap=0.25)
    return style(fig, title, lang, height=max(320, 90 + 22 * len(ranked)))


def status_bars(statuses: pd.Series, max_months: int, lang: str) -> go.Figure:
    """New dealers per development status, as horizontal bars in STATUSES order (zeros included)."""
    title = t("contest.status_title", lang)
    if statuses.empty:
        return empty(title, lang)
    counts = statuses.value_counts()
    order = STATUSES[::-1]  # plotly draws the first category at the bottom
    values = [int(counts.get(s, 0)) for s in order]
    fig = go.Figure(go.Bar(
        y=[status_label(s, lang, max_months) for s in order], x=values, orientation="h",
        marker_color=[STATUS_COLORS[s] for s in order],
        text=values, textposition="outside", cliponaxis=False, customdata=list(order),
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    fig.update_xaxes(title=t("charts.dealers", lang), rangemode="tozero")
    fig.update_yaxes(type="category")
    fig.update_layout(showlegend=False)
    return style(fig, title, lang, height=360)


# ---------------------------------------------------------------- tables

def _styled(frame: pd.DataFrame, label: Label, formats: dict[str, Callable],
            css: pd.DataFrame | None = None):
    """A pandas Styler of the frame with display headers (`label` names a column), display formats
    and cell CSS; the values stay the raw ones (sorting, AppTest and downloads see the report's)."""
    labels = {c: label(c) for c in frame.columns}
    shown = missing_as_dash(frame).rename(columns=labels)
    styler = shown.style.format({labels[c]: f for c, f in formats.items() if c in frame.columns},
                                na_rep=MISSING)
    if css is not None:
        css = css.rename(columns=labels)
        styler = styler.apply(lambda _: css, axis=None)
    return styler


def _blank_css(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame("", index=frame.index, columns=frame.columns, dtype=object)


def leaderboard_style(board: pd.DataFrame, lang: str, label: Label):
    """The `contest` frame as the leaderboard: items in yuan (deductions with a minus sign), gains
    green, deductions red, the ranks that earned a top award in gold/silver/bronze."""
    if board.empty:  # the table shows its empty state
        return None
    formats = {c: (lambda v: fmt_yuan(-v if v else 0, lang)) for c in DEDUCTIONS}
    formats.update({c: (lambda v: fmt_yuan(v, lang)) for c in GAINS})
    formats["new_dealer_sales"] = lambda v: fmt_amount(v, lang)
    css = _blank_css(board)
    for c in DEDUCTIONS:
        css[c] = [RED_TEXT if v > 0 else GREY_TEXT for v in board[c]]
    for c in GAINS:
        css[c] = [GREEN_TEXT if v > 0 else RED_TEXT if v < 0 else GREY_TEXT for v in board[c]]
    css["payout"] = css["payout"] + "; font-weight: 700"
    for rank, award in (("rank_developed", "award_developed"), ("rank_sales", "award_sales")):
        css[rank] = [MEDAL_CELLS.get(int(r), "") if a > 0 else "" for r, a in zip(board[rank], board[award])]
    return _styled(board, label, formats, css)


def rep_dealers_style(dealers: pd.DataFrame, lang: str, label: Label):
    """The dealers behind a leaderboard row; excluded duplicates greyed and struck through."""
    if dealers.empty:  # the table shows its empty state
        return None
    formats = {
        "signed_on": lambda v: fmt_date(v, lang),
        "first_order_month": lambda v: fmt_month(v, lang),
        "success_month": lambda v: fmt_month(v, lang),
        "success_rule": lambda v: t(f"contest.rule_{v}", lang) if v in ("a", "b") else MISSING,
        "sales_in_month": lambda v: fmt_amount(v, lang),
        "counted_as": lambda v: t(f"contest.counted_{v}", lang),
        "excluded_duplicate": lambda v: t("contest.yes" if v else "contest.no", lang),
    }
    css = _blank_css(dealers)
    for i, excluded in enumerate(dealers["excluded_duplicate"]):
        if excluded:
            css.iloc[i, :] = EXCLUDED_ROW
    return _styled(dealers, label, formats, css)


def score_style(score: pd.DataFrame, lang: str, label: Label):
    if score.empty:  # the table shows its empty state
        return None
    formats = {"collected_total": lambda v: fmt_amount(v, lang), "score": lambda v: f"{v:.1f}"}
    css = _blank_css(score)
    css["rank"] = [MEDAL_CELLS.get(int(r), "") for r in score["rank"]]
    return _styled(score, label, formats, css)


def new_dealers_style(frame: pd.DataFrame, lang: str, label: Label, max_months: int,
                      rep_names: dict[str, str]):
    """The `new-dealers` report plus a development_status column, statuses in words and colour."""
    if frame.empty:  # the table shows its empty state
        return None
    formats = {
        "salesperson_id": lambda v: f"{rep_names[v]} ({v})" if v in rep_names else v,
        "signed_on": lambda v: fmt_date(v, lang),
        "first_order_month": lambda v: fmt_month(v, lang),
        "success_month": lambda v: fmt_month(v, lang),
        "success_rule": lambda v: t(f"contest.rule_{v}", lang) if v in ("a", "b") else MISSING,
        "suspected_duplicate": lambda v: t("contest.yes" if v else "contest.no", lang),
        "development_status": lambda v: status_label(v, lang, max_months),
    }
    css = _blank_css(frame)
    if "development_status" in frame.columns:
        css["development_status"] = [f"color: {STATUS_COLORS.get(s, '#333')}; font-weight: 600"
                                     for s in frame["development_status"]]
    css["suspected_duplicate"] = [RED_TEXT if v else "" for v in frame["suspected_duplicate"]]
    return _styled(frame, label, formats, css)


def matched_on_label(value: str, lang: str) -> str:
    """'phone+address' -> 电话 + 地址 / Phone + Address."""
    parts = [p for p in str(value or "").split("+") if p]
    return " + ".join(t(f"contest.field_{p}", lang) if p in MATCH_FIELDS else p for p in parts) or MISSING


def duplicates_style(pairs: pd.DataFrame, lang: str, label: Label):
    if pairs.empty:  # the table shows its empty state
        return None
    formats = {
        "matched_on": lambda v: matched_on_label(v, lang),
        "signed_on": lambda v: fmt_date(v, lang),
        "duplicate_of_signed_on": lambda v: fmt_date(v, lang),
        "approved_new": lambda v: t("contest.yes" if v else "contest.no", lang),
    }
    css = _blank_css(pairs)
    css["approved_new"] = [GREEN_TEXT if v else RED_TEXT for v in pairs["approved_new"]]
    return _styled(pairs, label, formats, css)
