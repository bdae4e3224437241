"""Lifecycle page: stage metrics, the per-region stage bars, the stage mix over quarter-ends and the
territory table carry the numbers of the CLI `lifecycle` report, in both languages, for the
default filters, a narrow filter and a far-past period; the drill-downs list territory_dealers()."""
import datetime as dt

import pandas as pd
import pytest

from lib import db, export
from lib.charts.lifecycle import bar_counts, mix_quarter_ends
from lib.i18n import fmt_count, t
from lib.reports import PeriodOptions, data_end, run_report
from lib.rules.lifecycle import stage_distribution, territory_dealers
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, frame_with_columns, metric, no_failure, run_page
from ui.show import column_label

PAGE = "pages/lifecycle.py"
STAGES = ("development", "maintenance", "mining", "elevation")
TITLES = {"zh": {"bars": "各大区的生命周期阶段", "mix": "阶段结构变化"},
          "en": {"bars": "Lifecycle stages per region", "mix": "Stage mix at the last"}}
EMPTY = {"zh": "当前筛选条件下没有数据", "en": "Nothing matches the current filters"}
FAR_PAST = {"from": "2015-01-01", "to": "2015-03-31"}


def with_db(demo_path, fn):
    con = db.connect(demo_path)
    try:
        return fn(con)
    finally:
        con.close()


def last_day(demo_path) -> dt.date:
    return with_db(demo_path, data_end)


def cli_lifecycle(demo_path, scope, as_of) -> pd.DataFrame:
    options = PeriodOptions(as_of=as_of)
    return with_db(demo_path, lambda con: run_report(con, default_rules(), "lifecycle", scope, options))


def shown_frame(at, lang, columns) -> pd.DataFrame:
    """The page's table holding these contract columns, with the contract column names back."""
    labels = {column_label(c, lang): c for c in columns}
    frame = frame_with_columns(at, *labels)
    return frame.rename(columns=labels)[list(columns)]


def same_rows(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert export.records(shown) == export.records(expected.reset_index(drop=True))


def traces_by_stage(figure, lang) -> dict[str, dict]:
    names = {t(f"lifecycle.{s}", lang): s for s in ("development", "maintenance", "mining", "elevation", "unplanned")}
    return {names[trace["name"]]: trace for trace in figure["data"]}


def check_against_cli(at, demo_path, lang, scope, as_of):
    report = cli_lifecycle(demo_path, scope, as_of)
    per_stage = report["stage"].value_counts()
    for stage in STAGES:
        assert metric(at, t(f"lifecycle.{stage}", lang)) == fmt_count(per_stage.get(stage, 0), lang)

    counts = report.groupby(["region", "stage"]).size()
    bars = traces_by_stage(figure_titled(at, TITLES[lang]["bars"]), lang)
    assert set(STAGES) <= set(bars)
    for stage, trace in bars.items():
        assert trace["x"] == sorted(report["region"].unique())
        assert trace["y"] == [counts.get((region, stage), 0) for region in trace["x"]], stage
        assert [list(c) for c in trace["customdata"]] == [[region, stage] for region in trace["x"]]

    mix = traces_by_stage(figure_titled(at, TITLES[lang]["mix"]), lang)
    for day, position in zip(mix_quarter_ends(as_of), range(8)):
        at_day = cli_lifecycle(demo_path, scope, day)["stage"].value_counts()
        for stage, trace in mix.items():
            assert trace["y"][position] == at_day.get(stage, 0), (day, stage)

    same_rows(shown_frame(at, lang, report.columns), report)
    return report


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_lifecycle_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    report = check_against_cli(at, demo_path, lang, scope, last_day(demo_path))
    if scope.regions:
        assert set(report["region"]) == {"华南"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lifecycle_measure_toggle_draws_active_dealers_and_sales(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    as_of = last_day(demo_path)
    distribution = with_db(demo_path, lambda con: stage_distribution(con, default_rules(), Scope(), as_of))
    divisor = 10000 if lang == "zh" else 1
    for measure, scale in (("active_dealers", 1), ("sales", divisor)):
        at.radio(key="lifecycle_measure").set_value(measure).run()
        no_failure(at)
        title = t("lifecycle_page.distribution_title", lang, measure=t(f"lifecycle_page.measure_{measure}", lang))
        for stage, trace in traces_by_stage(figure_titled(at, title), lang).items():
            rows = distribution[distribution["stage"] == stage].set_index("region")
            assert trace["y"] == pytest.approx([rows.at[r, measure] / scale for r in trace["x"]]), (measure, stage)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lifecycle_far_past_period_renders(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, FAR_PAST)
    no_failure(at)
    as_of = dt.date(2015, 3, 31)
    check_against_cli(at, demo_path, lang, Scope(), as_of)
    # No orders in the 12 months to then: the sales bars give way to the empty state.
    at.radio(key="lifecycle_measure").set_value("sales").run()
    no_failure(at)
    title = t("lifecycle_page.distribution_title", lang, measure=t("lifecycle_page.measure_sales", lang))
    figure = figure_titled(at, title)
    assert figure["data"] == [] and EMPTY[lang] in figure["layout"]["annotations"][0]["text"]
    # Each bar still drills down, to the few dealers signed that early or to the empty state.
    distribution = with_db(demo_path, lambda con: stage_distribution(con, default_rules(), Scope(), as_of))
    bars = list(bar_counts(distribution))
    assert len(at.selectbox(key="lifecycle_drill").options) == len(bars)
    for region, stage in bars[:3]:
        at.selectbox(key="lifecycle_drill").set_value((region, stage)).run()
        no_failure(at)
        expected = with_db(demo_path, lambda con: territory_dealers(con, default_rules(), Scope(), as_of,
                                                                     region=region, stage=stage))
        if expected.empty:
            assert EMPTY[lang] in [info.value for info in at.info]
        else:
            same_rows(shown_frame(at, lang, expected.columns), expected)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lifecycle_drill_down_lists_the_dealers_behind_a_bar_and_a_territory(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    as_of = last_day(demo_path)
    rules = default_rules()
    distribution = with_db(demo_path, lambda con: stage_distribution(con, rules, Scope(), as_of))
    held = distribution[distribution["territories"] > 0].sort_values("active_dealers", ascending=False)
    region, stage = held.iloc[0]["region"], held.iloc[0]["stage"]
    at.selectbox(key="lifecycle_drill").set_value((region, stage)).run()
    no_failure(at)
    expected = with_db(demo_path, lambda con: territory_dealers(con, rules, Scope(), as_of, region=region, stage=stage))
    assert len(expected) > 0 and expected["active"].sum() == held.iloc[0]["active_dealers"]
    same_rows(shown_frame(at, lang, expected.columns), expected)

    territory = expected["territory_id"].iloc[0]
    at = run_page(monkeypatch, demo_path, PAGE, lang)  # a fresh session: only the territory drill-down is open
    at.selectbox(key="lifecycle_territory_drill").set_value(territory).run()
    no_failure(at)
    expected = with_db(demo_path, lambda con: territory_dealers(con, rules, Scope(), as_of, territory_ids=territory))
    same_rows(shown_frame(at, lang, expected.columns), expected)
    report = cli_lifecycle(demo_path, Scope(), as_of).set_index("territory_id")
    assert expected["active"].sum() == report.at[territory, "active_dealers"]


def test_lifecycle_texts_built_from_values_exist_in_both_languages():
    from lib.charts.lifecycle import MEASURES, picked
    from lib.i18n import catalog

    keys = [f"lifecycle_page.measure_{m}" for m in MEASURES] + ["lifecycle_page.dealer_active",
                                                                "lifecycle_page.dealer_terminated"]
    keys += [f"lifecycle.{s}" for s in ("development", "maintenance", "mining", "elevation", "unplanned")]
    assert all(key in catalog() for key in keys)
    frame = pd.DataFrame({"territory_id": ["T1", "T2"]})
    assert picked(frame, [1], "territory_id") == "T2"
    assert picked(frame, [], "territory_id") is None and picked(frame, [5], "territory_id") is None


def test_lifecycle_shared_link_restores_measure_and_territory(demo_path, monkeypatch):
    as_of = last_day(demo_path)
    territory = cli_lifecycle(demo_path, Scope(), as_of)["territory_id"].iloc[1]
    at = run_page(monkeypatch, demo_path, PAGE, "zh", {"lc_measure": "sales", "lc_territory": territory})
    no_failure(at)
    assert at.radio(key="lifecycle_measure").value == "sales"
    assert at.selectbox(key="lifecycle_territory_drill").value == territory
    figure_titled(at, t("lifecycle_page.distribution_title", "zh", measure=t("lifecycle_page.measure_sales", "zh")))
    expected = with_db(demo_path, lambda con: territory_dealers(con, default_rules(), Scope(), as_of,
                                                                 territory_ids=territory))
    same_rows(shown_frame(at, "zh", expected.columns), expected)
    assert at.query_params["lc_measure"] == ["sales"] and at.query_params["lc_territory"] == [territory]
