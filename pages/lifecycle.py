"""Lifecycle (R5): territories per stage per region, the stage mix over quarter-ends, the territory
table, and the dealers behind a bar or a territory."""
import streamlit as st

from lib.charts import lifecycle as charts
from lib.i18n import fmt_amount, fmt_count, fmt_date, fmt_rate, t
from ui import url_state
from ui.data import call, report, rules
from ui.frame import page_frame
from ui.show import chart, clicked, column_label, drill_select, table

L, F = page_frame()
url_state.bind_choice("lifecycle_measure", "lc_measure", charts.MEASURES[0], charts.MEASURES)
url_state.bind_text("lifecycle_territory_drill", "lc_territory", None)
st.title(t("lifecycle_page.title", L))
st.caption(t("lifecycle_page.as_of", L, date=fmt_date(F.as_of, L)))
life = rules()["lifecycle"]
with st.expander(t("lifecycle_page.how", L)):
    st.markdown(t("lifecycle_page.how_text", L, maintenance=fmt_rate(life["maintenance_coverage"], L, 0),
                  mining=fmt_rate(life["mining_coverage"], L, 0), quarters=life["elevation_quarters"],
                  churn=fmt_rate(life["elevation_max_churn"], L, 0)))

distribution = call("lib.rules.lifecycle:stage_distribution", scope=F.scope, as_of=F.as_of)
totals = charts.stage_totals(distribution)
st.markdown("**" + t("lifecycle_page.stages_heading", L) + "**")
for column, (stage, row) in zip(st.columns(len(totals)), totals.iterrows()):
    column.metric(t(f"lifecycle.{stage}", L), fmt_count(row["territories"], L), border=True)
    column.caption(t("lifecycle_page.stage_caption", L, dealers=fmt_count(row["active_dealers"], L),
                     sales=fmt_amount(row["sales"], L)))

measure = st.radio(t("lifecycle_page.measure", L), charts.MEASURES, key="lifecycle_measure", horizontal=True,
                   format_func=lambda m: t(f"lifecycle_page.measure_{m}", L))
points = chart(charts.stage_bars(distribution, measure, L), key="lifecycle_bars", selectable=True)
bars = charts.bar_counts(distribution)
choice = drill_select(
    t("lifecycle_page.drill", L), list(bars), key="lifecycle_drill", click=clicked(points),
    format_func=lambda bar: t("lifecycle_page.drill_option", L, region=bar[0], stage=t(f"lifecycle.{bar[1]}", L),
                              territories=fmt_count(bars[bar], L)))
if choice:
    region, stage = choice
    st.markdown("**" + t("common.drill_heading", L, what=t("lifecycle_page.drill_what", L, region=region,
                                                              stage=t(f"lifecycle.{stage}", L))) + "**")
    dealers = call("lib.rules.lifecycle:territory_dealers", scope=F.scope, as_of=F.as_of, region=region, stage=stage)
    table(dealers, key="lifecycle_drill_table", filename=f"lifecycle_dealers_{region}_{stage}_{F.as_of}",
          styler=charts.dealers_styler(dealers, L, column_label))

mix = call("lib.rules.lifecycle:lifecycle_mix", scope=F.scope, quarter_ends=tuple(charts.mix_quarter_ends(F.as_of)))
chart(charts.stage_mix(mix, L), key="lifecycle_mix")

st.subheader(t("lifecycle_page.territories", L))
st.caption(t("lifecycle_page.territories_caption", L))
territories = report("lifecycle", F.scope, F.options())
rows = table(territories, key="lifecycle_territories", filename=f"lifecycle_{F.as_of}", selectable=True,
             styler=charts.territory_styler(territories, L, column_label))
names = dict(zip(territories["territory_id"], territories["territory_name"]))
territory = drill_select(
    t("lifecycle_page.territory_drill", L), list(names), key="lifecycle_territory_drill",
    click=charts.picked(territories, rows, "territory_id"),
    format_func=lambda tid: f"{names[tid]} ({tid})")
if territory:
    st.markdown("**" + t("common.drill_heading", L, what=t("lifecycle_page.territory_what", L, name=names[territory],
                                                              territory=territory)) + "**")
    dealers = call("lib.rules.lifecycle:territory_dealers", scope=F.scope, as_of=F.as_of, territory_ids=territory)
    table(dealers, key="lifecycle_territory_table", filename=f"lifecycle_dealers_{territory}_{F.as_of}",
          styler=charts.dealers_styler(dealers, L, column_label))
