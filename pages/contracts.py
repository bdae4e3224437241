"""Contracts & risks: contract ends per month with December's share (R12), the dealers behind a
month, the retention watch list of core dealers, and the elimination watch (R7)."""
import streamlit as st

from lib.charts import contracts as charts
from lib.i18n import fmt_count, fmt_date, fmt_month, fmt_rate, t
from lib.rules.contracts import december_share
from ui import url_state
from ui.data import call, report, rules
from ui.frame import page_frame
from ui.show import chart, clicked, column_label, drill_select, table

L, F = page_frame()
url_state.bind_text("contracts_drill", "ct_month", None)
url_state.bind_choice("contracts_status", "ct_status", charts.STATUS_CHOICES[0], charts.STATUS_CHOICES)
st.title(t("contracts.title", L))
st.caption(t("contracts.as_of", L, date=fmt_date(F.as_of, L)))
window = rules()["contracts"]["months"]
watch_days = rules()["contracts"]["watch_days"]

months = report("contracts", F.scope, F.options())
watch = call("lib.rules.contracts:retention_watch", scope=F.scope, as_of=F.as_of)
share = december_share(months)

cards = st.columns(4)
cards[0].metric(t("contracts.expiring_total", L, months=window), fmt_count(months["expiring"].sum(), L), border=True)
cards[1].metric(t("contracts.core_expiring_total", L), fmt_count(months["core_expiring"].sum(), L), border=True)
cards[2].metric(t("contracts.december_share", L), fmt_rate(share, L), border=True)
cards[3].metric(t("contracts.watch_count", L, days=watch_days), fmt_count(len(watch), L), border=True)

points = chart(charts.expiry_bars(months, share, L, window), key="contracts_bars", selectable=True)
if share is not None:
    st.caption(t("contracts.december_note", L, share=fmt_rate(share, L)))
counts = charts.drill_months(months)
month = drill_select(t("contracts.drill", L), list(counts), key="contracts_drill", click=clicked(points),
                     format_func=lambda m: t("contracts.drill_option", L, month=fmt_month(m, L),
                                             count=fmt_count(counts[m], L)))
if month:
    st.markdown("**" + t("common.drill_heading", L, what=t("contracts.drill_what", L, month=fmt_month(month, L)))
                + "**")
    expiring = call("lib.rules.contracts:expiring_dealers", scope=F.scope, as_of=F.as_of, month=month)
    table(expiring, key="contracts_drill_table", filename=f"contracts_expiring_{month}_as_of_{F.as_of}",
          styler=charts.dealers_styler(expiring, L, column_label))
with st.expander(t("contracts.monthly_table", L)):
    table(months, key="contracts_months", filename=f"contracts_{F.as_of}",
          styler=charts.month_table_styler(months, L, column_label))

st.subheader(t("contracts.retention", L))
st.caption(t("contracts.retention_caption", L, share=fmt_rate(rules()["core"]["share"], L, 0), days=watch_days))
table(watch, key="contracts_watch", filename=f"retention_watch_{F.as_of}",
      styler=charts.dealers_styler(watch, L, column_label))

line = rules()["elimination"]["min_achievement"]
st.subheader(t("contracts.elimination", L, year=F.year, date=fmt_date(F.as_of, L)))
st.caption(t("contracts.elimination_caption", L, line=fmt_rate(line, L, 0)))
elimination = report("elimination", F.scope, F.options())
status_counts = charts.status_counts(elimination)
for column, status in zip(st.columns(len(status_counts)), status_counts):
    column.metric(t(f"status.{status}", L), fmt_count(status_counts[status], L), border=True)
chart(charts.achievement_histogram(elimination, line, L), key="contracts_histogram")
status = st.radio(t("contracts.status_filter", L), charts.STATUS_CHOICES, key="contracts_status", horizontal=True,
                  format_func=lambda s: t("contracts.status_all", L) if s == "all" else t(f"status.{s}", L))
listed = charts.with_status(elimination, status)
table(listed, key="contracts_elimination", filename=f"elimination_{F.year}_{status}_as_of_{F.as_of}",
      styler=charts.elimination_styler(listed, L, column_label))
