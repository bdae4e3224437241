"""Dealer tiers (R6, R7): tiers per region, the Q-1 -> Q movement (Sankey and transition matrix) with
the dealers behind each flow, the dealers that moved up while ordering less, upgrade candidates and
the elimination watch list."""
import streamlit as st

from lib.charts import tiers as charts
from lib.i18n import fmt_count, fmt_date, fmt_rate, t
from lib.periods import Quarter
from lib.rules.tiers import upgrade_candidates
from ui import url_state
from ui.data import call, call_without_rules, report, rules
from ui.frame import page_frame
from ui.show import chart, clicked, downloads, drill_select, table

L, F = page_frame()
settings, elimination_rules = rules()["tiers"], rules()["elimination"]


def number_columns(money=(), rates=()):
    """column_config of a display copy made by charts.shown: amounts in 万元 / yuan, rates in %."""
    config = {c: st.column_config.NumberColumn(format=charts.money_format(L)) for c in money}
    config.update({c: st.column_config.NumberColumn(format=charts.RATE_FORMAT) for c in rates})
    return config


def show_table(raw, key, filename, money=(), rates=(), tiers=(), movements=(), columns=None):
    """The frame in the page's language and units (only `columns`, when given); the downloads carry
    the raw frame with every contract column."""
    display = charts.shown(raw if columns is None else raw[columns], L, money=money, rates=rates, tiers=tiers,
                           movements=movements)
    table(display, key=key, column_config=number_columns(money, rates))
    if not raw.empty:
        downloads(raw, key, filename)


def newest_click(*charts_points):
    """The click of whichever chart was clicked last (several charts feed one drill-down box)."""
    click = None
    for key, points in charts_points:
        value = clicked(points)
        if value is not None and value != st.session_state.get(f"{key}__seen"):
            st.session_state[f"{key}__seen"] = value
            click = value
    return click


# The quarter: the filters' (the period end's) unless the user picked another; a new period moves it.
first, last = call_without_rules("lib.db:data_date_range")
quarters = charts.quarter_options(first, last, F.quarter)
if st.session_state.get("tiers_quarter__period") not in (None, str(F.quarter)):
    st.session_state["tiers_quarter"] = str(F.quarter)
st.session_state["tiers_quarter__period"] = str(F.quarter)
url_state.bind_text("tiers_quarter", "quarter", str(F.quarter), valid=lambda q: q in quarters)
if st.session_state.get("tiers_quarter") not in quarters:
    st.session_state["tiers_quarter"] = str(F.quarter)

st.title(t("tiers.title", L))
pick, _ = st.columns([1, 3])
quarter = Quarter.parse(pick.selectbox(t("tiers.quarter_select", L), quarters, key="tiers_quarter",
                                       help=t("tiers.quarter_help", L),
                                       format_func=lambda q: charts.quarter_label(Quarter.parse(q), L)))
previous = quarter.previous()
a, b, c = settings["cumulative_percent"]
st.caption(t("tiers.caption", L, quarter=charts.quarter_label(quarter, L), previous=charts.quarter_label(previous, L),
             peer=t(f"tiers.peer_{settings['peer_group']}", L), a=a, b=b, c=c))

if last is not None and quarter.start <= last < quarter.end:
    st.caption(t("tiers.partial", L, date=fmt_date(last, L)))

options = F.options(quarter=quarter)
tier_list = call("lib.rules.tiers:tiers_with_region", scope=F.scope, quarter=quarter)
moves = report("tier-moves", F.scope, options)
watch = report("elimination", F.scope, F.options())
watch = watch[watch["status"] == "watch"]
candidates = charts.candidate_list(upgrade_candidates(tier_list))
summary = charts.movement_summary(moves)

if not tier_list.empty and not tier_list["volume"].any():
    st.info(t("tiers.no_orders", L))

cards = st.columns(7)
for card, name in zip(cards, ("tiered", "up", "down", "new", "exit")):
    card.metric(t(f"tiers.{name}", L), fmt_count(summary[name], L), border=True)
cards[5].metric(t("tiers.candidates", L), fmt_count(len(candidates), L), border=True)
cards[6].metric(t("tiers.watch", L), fmt_count(len(watch), L), border=True,
                help=t("tiers.watch_help", L, year=F.year, as_of=fmt_date(F.as_of, L),
                       line=fmt_rate(elimination_rules["min_achievement"], L, 0)))

left, right = st.columns(2)
with left:
    distribution = call("lib.rules.tiers:tier_distribution", scope=F.scope, quarter=quarter)
    bar_points = chart(charts.distribution_bars(distribution, quarter, L), key="tiers_distribution", selectable=True)
with right:
    matrix_points = chart(charts.transition_matrix(moves, quarter, L), key="tiers_matrix", selectable=True)
st.html(charts.click_through_css("tiers_sankey"))
sankey_points = chart(charts.movement_sankey(moves, quarter, L), key="tiers_sankey", selectable=True)
st.caption(t("tiers.sankey_hint", L))

flows = {charts.flow_id(f): (f, n) for f, n in charts.flow_counts(moves).items()}
cells = {charts.cell_id(c): (c, n) for c, n in charts.cell_counts(distribution).items()}
url_state.bind_text("tiers_drill", "flow", None, valid=lambda v: v in flows)
url_state.bind_text("tiers_region_drill", "cell", None, valid=lambda v: v in cells)
pick_flow, pick_cell = st.columns(2)
with pick_flow:
    flow = drill_select(t("tiers.drill", L), list(flows), key="tiers_drill",
                        click=charts.flow_id(newest_click(("tiers_matrix", matrix_points),
                                                          ("tiers_sankey", sankey_points))),
                        format_func=lambda f: charts.flow_label(*flows[f], L))
with pick_cell:
    cell = drill_select(t("tiers.region_drill", L), list(cells), key="tiers_region_drill",
                        click=charts.cell_id(clicked(bar_points)), format_func=lambda c: charts.cell_label(*cells[c], L))
if flow:
    source, target = flows[flow][0]
    st.markdown("**" + t("common.drill_heading", L, what=t("tiers.drill_what", L, source=t(f"tier.{source}", L),
                                                          target=t(f"tier.{target}", L))) + "**")
    dealers = call("lib.rules.tiers:tier_dealers", scope=F.scope, quarter=quarter, from_tier=source, to_tier=target)
    show_table(dealers, "tiers_drill_table", f"tier_flow_{source}_{target}_{quarter}",
               money=("prev_volume", "volume"), tiers=("prev_tier", "tier"), movements=("movement",))
if cell:
    region, tier = cells[cell][0]
    st.markdown("**" + t("common.drill_heading", L, what=t("tiers.cell_what", L, region=region,
                                                          tier=t(f"tier.{tier}", L))) + "**")
    members = tier_list[(tier_list["region"] == region) & (tier_list["tier"] == tier)].reset_index(drop=True)
    show_table(members, "tiers_region_table", f"tiers_{region}_{tier}_{quarter}",
               money=("volume", "threshold_a", "threshold_b", "threshold_c"), tiers=("tier", "prev_tier"),
               movements=("movement",))

st.subheader(t("tiers.falling_heading", L))
st.caption(t("tiers.falling_caption", L))
falling = charts.up_while_falling(call("lib.rules.tiers:tier_dealers", scope=F.scope, quarter=quarter), tier_list,
                                  call("lib.rules.tiers:tiers", scope=F.scope, quarter=previous))
if falling.empty:
    st.info(t("tiers.falling_none", L))
else:
    show_table(falling, "tiers_falling", f"tiers_up_while_falling_{quarter}",
               money=("prev_volume", "volume", "prev_line", "line"), tiers=("prev_tier", "tier"))

st.subheader(t("tiers.candidates_heading", L))
st.caption(t("tiers.candidates_caption", L, margin=fmt_rate(settings["upgrade_margin"], L, 0)))
show_table(candidates, "tiers_candidates", f"tiers_upgrade_candidates_{quarter}",
           money=("volume", "next_threshold", "gap"), tiers=("tier", "next_tier"), movements=("movement",))

st.subheader(t("tiers.watch_heading", L, year=F.year, as_of=fmt_date(F.as_of, L)))
line = fmt_rate(elimination_rules["min_achievement"], L, 0)
st.caption(t("tiers.watch_caption", L, line=line))
show_table(watch.reset_index(drop=True), "tiers_watch", f"elimination_watch_{F.year}_{F.as_of}",
           money=("target_amount", "actual_amount"), rates=("achievement",),
           columns=["dealer_id", "dealer_name", "target_amount", "actual_amount", "achievement"])
