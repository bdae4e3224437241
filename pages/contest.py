"""New-dealer contest: the monthly leaderboard with every award and fine (R9), payouts per rep, the
campaign score ranking (R10), new dealers and their development status (R8), suspected duplicates
(R11); the HR payout sheet as CSV/XLSX; a leaderboard row drills down to the dealers behind it."""
import datetime as dt

import streamlit as st

from lib.charts import contest as charts
from lib.i18n import fmt_amount, fmt_count, fmt_date, fmt_month, fmt_rate, t
from lib.periods import format_month, parse_month
from lib.rules.contest import payout_sheet
from ui import url_state
from ui.data import call, call_without_rules, report, rules
from ui.frame import page_frame
from ui.show import audit_export, chart, clicked, column_label, csv_bytes, drill_select, table, xlsx_download


L, F = page_frame()
st.title(t("contest.title", L))

# The contest month: the months of the data, default the filter's month; shared links carry it.
first_day, last_day = call_without_rules("lib.db:data_date_range")
month_keys = [format_month(m) for m in charts.month_options(first_day, last_day, F.month)]
url_state.bind_text("contest_month", "month", format_month(F.month), valid=lambda v: v in month_keys)
if (st.session_state.get("contest_month__end", F.month) != F.month
        or st.session_state.get("contest_month") not in month_keys):
    st.session_state["contest_month"] = format_month(F.month)  # a new filter period moves the month too
st.session_state["contest_month__end"] = F.month
month_key = st.selectbox(t("contest.month", L), month_keys, key="contest_month",
                         format_func=lambda k: fmt_month(k, L))
month = parse_month(month_key)
campaign = (dt.date(month.year, 1, 1), month)
st.caption(t("contest.period", L, month=fmt_month(month, L), campaign_start=fmt_month(campaign[0], L),
             campaign_end=fmt_month(campaign[1], L), start=fmt_date(F.start, L), end=fmt_date(F.end, L)))

R = rules()
board = report("contest", F.scope, F.options(month=month))
label = lambda column: column_label(column, L)  # noqa: E731 - headers of the styled tables
if F.scope.is_everything:
    st.caption("ℹ️ " + t("contest.scope_all", L))
else:
    st.info(t("contest.scope_filtered", L, n=fmt_count(len(board), L)), icon="ℹ️")

# ------------------------------------------------------------------ monthly leaderboard (R9)
st.subheader(t("contest.leaderboard", L))
cards = st.columns(5)
cards[0].metric(t("contest.reps", L), fmt_count(len(board), L), border=True)
cards[1].metric(t("contest.developed", L), fmt_count(board["developed"].sum(), L), border=True)
cards[2].metric(t("contest.awards", L), charts.fmt_yuan((board["award_developed"] + board["award_sales"]).sum(), L),
                border=True)
cards[3].metric(t("contest.deductions", L), charts.fmt_yuan(
    -(board["intention_penalty"] + board["fine_developed"] + board["fine_sales"]).sum(), L), border=True)
cards[4].metric(t("contest.payout_total", L), charts.fmt_yuan(board["payout"].sum(), L), border=True)

c = R["contest"]
with st.expander(t("contest.rules_heading", L)):
    st.markdown(t("contest.rules_text", L, min_intentions=c["min_intentions"],
                  intention_penalty=c["intention_penalty"], min_developed=c["min_developed"],
                  shortfall_penalty=c["shortfall_penalty"], extra_bonus=c["extra_bonus"],
                  new_dealer_months=c["new_dealer_months"], awards="/".join(str(v) for v in c["top_awards"]),
                  fines="/".join(str(v) for v in c["bottom_fines"])))
if not board.empty:
    st.caption(t("contest.leaderboard_hint", L))
rows = table(board, key="contest_board", selectable=True, styler=charts.leaderboard_style(board, L, label))
if not board.empty:
    sheet = payout_sheet(board)
    d1, d2, d3, _ = st.columns([1.5, 1.1, 1.9, 0.5])
    d1.download_button(t("contest.download_sheet_csv", L), csv_bytes(sheet),
                       file_name=f"payout_sheet_{month_key}.csv", mime="text/csv", key="contest_sheet_csv",
                       on_click=audit_export, args=(f"payout_sheet_{month_key}.csv",))
    d2.download_button(t("contest.download_board_csv", L), csv_bytes(board),
                       file_name=f"contest_{month_key}.csv", mime="text/csv", key="contest_board_csv",
                       on_click=audit_export, args=(f"contest_{month_key}.csv",))
    with d3:  # HR's workbook: the itemised sheet and the leaderboard
        xlsx_download({"payout_sheet": sheet, "contest": board}, f"payout_sheet_{month_key}", "contest_sheet",
                      label=t("contest.download_xlsx", L))

chart(charts.payout_bars(board, month, L), key="contest_payouts")

# ------------------------------------------------------------------ drill-down: the dealers behind a rep
st.subheader(t("contest.drill_heading", L))
reps = list(board["salesperson_id"])
names = dict(zip(board["salesperson_id"], board["name"]))
row_click = reps[rows[0]] if rows and rows[0] < len(reps) else None
rep = drill_select(t("contest.drill_rep", L), reps, key="contest_drill", click=row_click,
                   format_func=lambda s: f"{names.get(s, s)} ({s})")
if rep:
    st.markdown(t("common.drill_heading", L,
                  what=t("contest.drill_what", L, name=names.get(rep, rep), id=rep, month=fmt_month(month, L))))
    st.caption(t("contest.drill_note", L, months=c["new_dealer_months"]))
    dealers = call("lib.rules.contest:rep_dealers", scope=F.scope, month=month, salesperson_id=rep)
    table(dealers, key="contest_rep_dealers", filename=f"contest_{month_key}_{rep}",
          styler=charts.rep_dealers_style(dealers, L, label))

# ------------------------------------------------------------------ campaign score (R10)
st.subheader(t("contest.score_heading", L))
w = R["contest_score"]
st.caption(t("contest.score_formula", L, developed_weight=w["developed_weight"],
             collected_weight=w["collected_weight"]))
score = report("contest-score", F.scope, F.options(campaign=campaign))
chart(charts.score_bars(score, campaign[0], campaign[1], L), key="contest_score_chart")
table(score, key="contest_score_table", filename=f"contest_score_{format_month(campaign[0])}_{month_key}",
      styler=charts.score_style(score, L, label))

# ------------------------------------------------------------------ new dealers (R8)
st.subheader(t("contest.new_heading", L))
nd = R["new_dealer"]
as_of = last_day or F.end
st.caption(t("contest.new_standard", L, window=nd["window_months"], monthly=fmt_amount(nd["monthly_min"], L),
             total=fmt_amount(nd["window_total"], L), max_months=nd["max_months_to_first_order"],
             as_of=fmt_date(as_of, L)))
new = report("new-dealers", F.scope, F.options())
new = new.assign(development_status=charts.development_status(new, nd, as_of))
succeeded = int(new["development_status"].isin(charts.SUCCESS).sum())
cards = st.columns(4)
cards[0].metric(t("contest.new_signed", L), fmt_count(len(new), L), border=True)
cards[1].metric(t("contest.new_succeeded", L), fmt_count(succeeded, L), border=True)
cards[2].metric(t("contest.new_rate", L), fmt_rate(succeeded / len(new) if len(new) else None, L), border=True)
cards[3].metric(t("contest.new_pending", L), fmt_count((new["development_status"] == "pending").sum(), L),
                border=True)
max_months = int(nd["max_months_to_first_order"])
# one above the other: the statuses' long names leave a side column's chart no room for its bars
points = chart(charts.status_bars(new["development_status"], max_months, L), key="contest_status_chart",
               selectable=True)
status = drill_select(t("contest.status_drill", L), list(charts.STATUSES), key="contest_status_drill",
                      click=clicked(points), format_func=lambda s: charts.status_label(s, L, max_months))
shown = new[new["development_status"] == status] if status else new
st.markdown(t("common.drill_heading", L, what=charts.status_label(status, L, max_months)) if status
            else t("contest.all_new_dealers", L))
rep_names = call_without_rules("lib.dimensions:filter_options", access=F.scope.access).salespeople()
table(shown, key="contest_new_dealers", filename=f"new_dealers_{F.start}_{F.end}",
      styler=charts.new_dealers_style(shown, L, label, max_months, rep_names), height=420)

# ------------------------------------------------------------------ suspected duplicates (R11)
st.subheader(t("contest.dup_heading", L))
st.caption(t("contest.dup_note", L))
pairs = report("duplicates", F.scope, F.options())
cards = st.columns(3)
cards[0].metric(t("contest.dup_pairs", L), fmt_count(len(pairs), L), border=True)
cards[1].metric(t("contest.dup_approved", L), fmt_count(pairs["approved_new"].sum(), L), border=True)
cards[2].metric(t("contest.dup_excluded", L), fmt_count(pairs.loc[~pairs["approved_new"], "dealer_id"].nunique(), L),
                border=True)
table(pairs, key="contest_duplicates", filename="duplicates", styler=charts.duplicates_style(pairs, L, label))
