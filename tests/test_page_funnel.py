"""Funnel & forecast page: the funnel, velocity, forecast, trend and matrix figures carry the numbers
of the CLI reports (funnel, forecast, profit-matrix) and of forecast_trend, in both languages, for the
default filters, a narrow filter and a filter that matches nothing; the drill-downs list the rows of
the lib functions."""
import datetime as dt
import math

import pytest

from lib import db
from lib.i18n import fmt_amount, fmt_count, fmt_rate
from lib.reports import PeriodOptions, data_end, run_report
from lib.rules.forecast import forecast_trend, open_opportunities
from lib.rules.funnel import funnel_opportunities
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, frame_with_columns, metric, no_failure, run_page

PAGE = "pages/funnel.py"
LABELS = {
    "zh": {"funnel": "客户漏斗", "velocity": "阶段推进速度", "forecast": "按阶段的加权预测", "trend": "每周加权预测趋势",
           "matrix": "利润档 × 当前阶段", "weighted": "加权预测", "open": "期内未结商机", "undated": "未填预计签约日期",
           "opportunity": "商机编号", "highest": "最高阶段", "band": "利润档", "amount": "预计金额",
           "stage": {"market": "目标市场", "lead": "潜在客户", "qualified": "目标客户", "signed": "签约客户",
                     "paid": "合格签约客户"}},
    "en": {"funnel": "Cohort funnel", "velocity": "Stage velocity", "forecast": "Weighted forecast by stage",
           "trend": "Weekly weighted forecast", "matrix": "Profit band × current stage",
           "weighted": "Weighted forecast", "open": "Open in horizon", "undated": "Undated open",
           "opportunity": "Opportunity", "highest": "Highest stage", "band": "Profit band",
           "amount": "Expected amount",
           "stage": {"market": "Target market", "lead": "Lead", "qualified": "Qualified", "signed": "Signed",
                     "paid": "Paid in full"}},
}
DIVISOR = {"zh": 10000, "en": 1}


def default_options(demo_path) -> PeriodOptions:
    """The page's default filters: 1 Jan of the data's last year to its last day (as of that day)."""
    con = db.connect(demo_path)
    try:
        last = data_end(con)
    finally:
        con.close()
    return PeriodOptions(start=dt.date(last.year, 1, 1), end=last, as_of=last)


def lib_call(demo_path, fn, *args, **kwargs):
    con = db.connect(demo_path)
    try:
        return fn(con, default_rules(), *args, **kwargs)
    finally:
        con.close()


def cli(demo_path, name, scope, options):
    return lib_call(demo_path, run_report, name, scope, options)


def scaled(values, lang):
    return [v / DIVISOR[lang] for v in values]


def none_for_nan(values):
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_funnel_page_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    options = default_options(demo_path)
    labels = LABELS[lang]

    # R1 funnel: one step per stage in business order, count as the value, amount and conversions as text.
    funnel = cli(demo_path, "funnel", scope, options)
    assert funnel["count"].sum() > 0
    step = figure_titled(at, labels["funnel"])["data"][0]
    assert step["type"] == "funnel"
    assert step["y"] == [labels["stage"][s] for s in funnel["stage"]]
    assert step["x"] == list(funnel["count"])
    assert step["customdata"] == list(funnel["stage"])
    for text, row in zip(step["text"], funnel.itertuples(index=False)):
        assert fmt_count(row.count, lang) in text and fmt_amount(row.amount, lang) in text
        if row.stage_order > 1:
            assert fmt_rate(row.conversion_from_previous, lang) in text
            assert fmt_rate(row.conversion_from_top, lang) in text

    velocity = figure_titled(at, labels["velocity"])["data"][0]
    assert velocity["y"] == none_for_nan(list(funnel["median_days_from_previous"].iloc[1:]))

    # R2 forecast as of the period end: expected and weighted amounts per stage, cards with the sums.
    forecast = cli(demo_path, "forecast", scope, options)
    bars = figure_titled(at, labels["forecast"])["data"]
    assert bars[0]["x"] == [labels["stage"][s] for s in forecast["stage"]]
    assert bars[0]["y"] == pytest.approx(scaled(forecast["expected_amount"], lang))
    assert bars[1]["y"] == pytest.approx(scaled(forecast["weighted_amount"], lang))
    assert metric(at, labels["weighted"]) == fmt_amount(forecast["weighted_amount"].sum(), lang)
    assert metric(at, labels["open"]) == fmt_count(forecast["open_count"].sum(), lang)
    assert metric(at, labels["undated"]) == fmt_count(forecast["undated_count"].sum(), lang)

    # R2 weekly trend over the period: one stacked trace per stage, a point per Friday.
    trend = lib_call(demo_path, forecast_trend, scope, options.start, options.end)
    traces = {trace["name"]: trace for trace in figure_titled(at, labels["trend"])["data"]}
    for stage, rows in trend.groupby("stage"):
        trace = traces[labels["stage"][stage]]
        assert trace["x"] == [d.isoformat() for d in rows["week_ending"]]
        assert trace["y"] == pytest.approx(scaled(rows["weighted_amount"], lang))

    # R3 matrix: counts per band (rows) x stage (columns), amounts in the cell text.
    matrix = cli(demo_path, "profit-matrix", scope, options)
    heatmap = figure_titled(at, labels["matrix"])["data"][0]
    grid = matrix.set_index(["profit_band", "stage"])
    bands, stages = list(dict.fromkeys(matrix["profit_band"])), list(dict.fromkeys(matrix["stage"]))
    assert heatmap["z"] == [[grid.loc[(b, s), "open_count"] for s in stages] for b in bands]
    for i, band in enumerate(bands):
        for j, stage in enumerate(stages):
            assert fmt_amount(grid.loc[(band, stage), "expected_amount"], lang) in heatmap["text"][i][j]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_funnel_page_drill_downs_list_the_rows_behind(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    no_failure(at)
    options = default_options(demo_path)
    labels = LABELS[lang]

    at.selectbox(key="funnel_drill").set_value("qualified").run()
    no_failure(at)
    expected = lib_call(demo_path, funnel_opportunities, Scope(), options.start, options.end, "qualified")
    assert len(expected) > 0
    shown = frame_with_columns(at, labels["opportunity"], labels["highest"])
    assert list(shown[labels["opportunity"]]) == list(expected["opportunity_id"])
    assert list(shown[labels["highest"]]) == [labels["stage"][s] for s in expected["highest_stage"]]

    at.selectbox(key="funnel_matrix_drill").set_value(("medium", "lead")).run()
    no_failure(at)
    expected = lib_call(demo_path, open_opportunities, Scope(), options.as_of, stage="lead", profit_band="medium")
    matrix = cli(demo_path, "profit-matrix", Scope(), options).set_index(["profit_band", "stage"])
    assert len(expected) == matrix.loc[("medium", "lead"), "open_count"] > 0
    shown = frame_with_columns(at, labels["opportunity"], labels["band"])
    assert list(shown[labels["opportunity"]]) == list(expected["opportunity_id"])
    # Amounts on screen in the display unit (万元 in Chinese); the downloads keep yuan.
    assert list(shown[labels["amount"]]) == pytest.approx(scaled(expected["expected_amount"], lang), nan_ok=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_funnel_page_empty_period_shows_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2015-01-01", "to": "2015-03-31"})
    no_failure(at)
    labels = LABELS[lang]
    empty = "当前筛选条件下没有数据" if lang == "zh" else "Nothing matches the current filters"
    for title in ("funnel", "velocity", "forecast", "trend", "matrix"):
        figure = figure_titled(at, labels[title])
        assert figure["data"] == [] and empty in figure["layout"]["annotations"][0]["text"]
    assert metric(at, labels["weighted"]) == fmt_amount(0, lang)
    assert metric(at, labels["undated"]) == fmt_count(0, lang)
    # Nothing to drill into: the select boxes still work and show the empty table state.
    at.selectbox(key="funnel_drill").set_value("market").run()
    no_failure(at)
    assert any(empty in info.value for info in at.info)
