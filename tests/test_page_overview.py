"""Overview page: KPI cards, drivers waterfall and Pareto carry the numbers of the CLI reports,
in both languages, for the default filters, a narrow filter and a filter that matches nothing."""
import datetime as dt

import pytest

from lib import db
from lib.i18n import fmt_amount, fmt_count
from lib.reports import PeriodOptions, run_report
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, metric, no_failure, run_page

PAGE = "pages/overview.py"
LABELS = {"zh": {"sales": "销售额", "active": "活跃经销商", "drivers": "销售驱动因素", "pareto": "核心经销商"},
          "en": {"sales": "Sales", "active": "Active dealers", "drivers": "Sales drivers", "pareto": "Core dealers"}}


def cli(demo_path, name, scope, options):
    con = db.connect(demo_path)
    try:
        return run_report(con, default_rules(), name, scope, options)
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_overview_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    # Defaults: 1 Jan of the data's last year to its last day, vs the same dates a year earlier.
    con = db.connect(demo_path)
    last = con.execute("SELECT max(order_date) FROM orders").fetchone()[0]
    con.close()
    options = PeriodOptions(start=dt.date(last.year, 1, 1), end=last,
                            vs_start=dt.date(last.year - 1, 1, 1), vs_end=last.replace(year=last.year - 1))
    drivers = cli(demo_path, "drivers", scope, options).set_index("factor")
    sales = drivers.loc["sales", "period_value"]
    core = cli(demo_path, "core-dealers", scope, options)
    # The cards count every in-scope dealer with an order (the core-dealers ranking); the drivers
    # split counts the dealers still covered at the period end.
    assert metric(at, LABELS[lang]["sales"]) == fmt_amount(core["amount"].sum(), lang)
    assert metric(at, LABELS[lang]["active"]) == fmt_count(len(core), lang)

    waterfall = figure_titled(at, LABELS[lang]["drivers"])["data"][0]
    divisor = 10000 if lang == "zh" else 1
    expected = [drivers.loc["sales", "comparison_value"], drivers.loc["covered", "contribution"],
                drivers.loc["active_rate", "contribution"], drivers.loc["avg_amount", "contribution"], sales]
    assert waterfall["y"] == pytest.approx([v / divisor for v in expected], abs=0.01 / divisor)

    pareto = figure_titled(at, LABELS[lang]["pareto"])["data"]
    line = [trace for trace in pareto if trace["type"] == "scatter"][0]
    assert line["y"] == pytest.approx(list(core["cumulative_share"]))
    bars = [trace for trace in pareto if trace["type"] == "bar"][0]
    assert bars["y"][0] == pytest.approx(core["amount"].iloc[0] / divisor)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_empty_period_shows_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2015-01-01", "to": "2015-03-31"})
    no_failure(at)
    assert metric(at, LABELS[lang]["sales"]) == fmt_amount(0, lang)
    empty = "当前筛选条件下没有数据" if lang == "zh" else "Nothing matches the current filters"
    for title in (LABELS[lang]["drivers"], LABELS[lang]["pareto"]):
        figure = figure_titled(at, title)
        assert figure["data"] == [] and empty in figure["layout"]["annotations"][0]["text"]
