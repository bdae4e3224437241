"""Overview: KPI cards with sparklines, sales drivers (R13) waterfall, core dealers (R4) Pareto."""
import streamlit as st

from lib.charts import overview as charts
from lib.rules.core_dealers import core_summary
from lib.i18n import fmt_amount, fmt_count, fmt_date, fmt_rate, t
from ui.data import call, report, rules
from ui.frame import page_frame
from ui.show import chart, table

L, F = page_frame()
st.title(t("overview.title", L))
st.caption(t("overview.period", L, start=fmt_date(F.start, L), end=fmt_date(F.end, L),
             vs_start=fmt_date(F.vs_start, L), vs_end=fmt_date(F.vs_end, L)))

kpi = call("lib.rules.drivers:sales_kpis", scope=F.scope, start=F.start, end=F.end,
           vs_start=F.vs_start, vs_end=F.vs_end).iloc[0]
monthly = call("lib.rules.drivers:monthly_sales", scope=F.scope, start=F.start, end=F.end)

cards = st.columns(5)
cards[0].metric(t("overview.sales", L), fmt_amount(kpi["sales"], L),
                delta=fmt_amount(kpi["sales"] - kpi["comparison_sales"], L),
                help=t("overview.vs", L, value=fmt_amount(kpi["comparison_sales"], L)),
                chart_data=list(monthly["sales"]), border=True)
cards[1].metric(t("overview.growth", L), fmt_rate(kpi["growth"], L), border=True,
                help=t("overview.vs", L, value=fmt_amount(kpi["comparison_sales"], L)))
cards[2].metric(t("overview.active_dealers", L), fmt_count(kpi["active_dealers"], L),
                delta=int(kpi["active_dealers"] - kpi["comparison_active_dealers"]),
                chart_data=list(monthly["active_dealers"]), border=True)
cards[3].metric(t("overview.new_dealers", L), fmt_count(kpi["new_dealers"], L),
                delta=int(kpi["new_dealers"] - kpi["comparison_new_dealers"]),
                chart_data=list(monthly["new_dealers"]), chart_type="bar", border=True)
cards[4].metric(t("overview.collections", L), fmt_amount(kpi["collections"], L),
                delta=fmt_amount(kpi["collections"] - kpi["comparison_collections"], L),
                chart_data=list(monthly["collections"]), border=True)

left, right = st.columns(2)
with left:
    drivers = report("drivers", F.scope, F.options())
    chart(charts.drivers_waterfall(drivers, L), key="drivers_waterfall")
    if drivers["contribution"].isna().any():
        st.caption(t("overview.drivers_undefined", L))
    with st.expander(t("overview.drivers_table", L)):
        shown = drivers.assign(factor=[t(f"overview.factor_{f}", L) for f in drivers["factor"]])
        table(shown, key="drivers_table", filename=f"drivers_{F.start}_{F.end}")
with right:
    core = report("core-dealers", F.scope, F.options())
    share = rules()["core"]["share"]
    chart(charts.pareto(core, share, L), key="pareto")
    summary = core_summary(core)
    if summary["dealer_count"]:
        st.caption(t("overview.core_summary", L, core=fmt_count(summary["core_count"], L),
                     dealer_share=fmt_rate(summary["dealer_share"], L),
                     sales_share=fmt_rate(summary["sales_share"], L)))
with st.expander(t("overview.core_table", L)):
    table(core[core["is_core"]], key="core_table", filename=f"core_dealers_{F.start}_{F.end}")
