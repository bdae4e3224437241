"""Funnel & forecast: cohort funnel with stage velocity (R1), weighted forecast and its weekly trend
(R2), profit x stage matrix (R3); a funnel step or a matrix cell drills down to its opportunities."""
import streamlit as st

from lib.charts import funnel as charts
from lib.charts.common import amount_title
from lib.i18n import fmt_amount, fmt_count, fmt_date, t
from ui.data import call, report, rules
from ui.frame import page_frame
from ui.show import chart, clicked, column_label, downloads, drill_select, table

L, F = page_frame()


def column_config(frame) -> dict:
    """Amounts (scaled by charts.display_copy) with their unit, rates as percent, dates in the local style."""
    config = {}
    for column in frame.columns:
        if column in charts.AMOUNT_COLUMNS:
            config[column] = st.column_config.NumberColumn(amount_title(column_label(column, L), L),
                                                           format=charts.TABLE_AMOUNT_FORMAT[L])
        elif column in charts.RATE_COLUMNS:
            config[column] = st.column_config.NumberColumn(format=charts.TABLE_RATE_FORMAT)
        elif column in charts.DATE_COLUMNS:
            config[column] = st.column_config.DateColumn(format=charts.TABLE_DATE_FORMAT[L])
        elif column == "median_days_from_previous":
            config[column] = st.column_config.NumberColumn(format=charts.TABLE_DAYS_FORMAT)
    return config


def show_table(frame, key: str, filename: str) -> None:
    """The display copy on screen; the downloads carry the frame itself (the CLI's columns and yuan)."""
    shown = charts.display_copy(frame, L)
    table(shown, key=key, column_config=column_config(shown))
    if not frame.empty:
        downloads(frame, key, filename)


st.title(t("funnel.title", L))
st.caption(t("funnel.period", L, start=fmt_date(F.start, L), end=fmt_date(F.end, L), as_of=fmt_date(F.as_of, L)))

# R1: cohort funnel and stage velocity, drill-down to the cohort opportunities of a step.
st.subheader(t("funnel.funnel_heading", L))
funnel = report("funnel", F.scope, F.options())
left, right = st.columns([3, 2])
with left:
    points = chart(charts.funnel_chart(funnel, L), key="funnel_chart", selectable=True)
with right:
    chart(charts.velocity_chart(funnel, L), key="funnel_velocity")
stage = drill_select(t("funnel.drill_funnel", L), list(funnel["stage"]), key="funnel_drill", click=clicked(points),
                     format_func=lambda s: charts.step_label(funnel, s, L))
if stage:
    st.markdown("**" + t("common.drill_heading", L, what=t("funnel.drill_step_heading", L,
                                                           stage=charts.stage_name(stage, L))) + "**")
    reached = call("lib.rules.funnel:funnel_opportunities", scope=F.scope, start=F.start, end=F.end, stage=stage)
    show_table(reached, key="funnel_drill_table", filename=f"funnel_{stage}_{F.start}_{F.end}")
with st.expander(t("funnel.funnel_table", L)):
    show_table(funnel, key="funnel_table", filename=f"funnel_{F.start}_{F.end}")

# R2: weighted forecast as of the period end, and its weekly trend over the period.
st.subheader(t("funnel.forecast_heading", L))
horizon = rules()["funnel"]["forecast_horizon_days"]
st.caption(t("funnel.forecast_caption", L, as_of=fmt_date(F.as_of, L), days=horizon))
forecast = report("forecast", F.scope, F.options())
totals = charts.forecast_totals(forecast)
cards = st.columns(4)
cards[0].metric(t("funnel.weighted_total", L), fmt_amount(totals["weighted_amount"], L), border=True)
cards[1].metric(t("funnel.expected_total", L), fmt_amount(totals["expected_amount"], L), border=True)
cards[2].metric(t("funnel.open_total", L), fmt_count(totals["open_count"], L), border=True)
cards[3].metric(t("funnel.undated_total", L), fmt_count(totals["undated_count"], L), border=True,
                help=t("funnel.undated_help", L))
left, right = st.columns(2)
with left:
    chart(charts.forecast_chart(forecast, horizon, L), key="funnel_forecast")
with right:
    trend = call("lib.rules.forecast:forecast_trend", scope=F.scope, start=F.start, end=F.end)
    chart(charts.trend_chart(trend, L), key="funnel_trend")
with st.expander(t("funnel.forecast_table", L)):
    show_table(forecast, key="funnel_forecast_table", filename=f"forecast_{F.as_of}")

# R3: profit band x current stage, drill-down to the open opportunities of a cell.
st.subheader(t("funnel.matrix_heading", L))
st.caption(t("funnel.matrix_caption", L, as_of=fmt_date(F.as_of, L)))
matrix = report("profit-matrix", F.scope, F.options())
points = chart(charts.matrix_chart(matrix, L), key="funnel_matrix", selectable=True)
cell = drill_select(t("funnel.drill_matrix", L), charts.matrix_cells(matrix), key="funnel_matrix_drill",
                    click=clicked(points), format_func=lambda c: charts.cell_label(matrix, c, L))
if cell:
    band, cell_stage = cell
    st.markdown("**" + t("common.drill_heading", L, what=charts.cell_label(matrix, cell, L)) + "**")
    open_rows = call("lib.rules.forecast:open_opportunities", scope=F.scope, as_of=F.as_of, stage=cell_stage,
                     profit_band=band)
    show_table(open_rows, key="funnel_matrix_table", filename=f"open_{band}_{cell_stage}_{F.as_of}")
with st.expander(t("funnel.matrix_table", L)):
    show_table(matrix, key="funnel_matrix_figures", filename=f"profit_matrix_{F.as_of}")
