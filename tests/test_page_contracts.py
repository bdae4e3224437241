"""Contracts & risks page: the contract-end bars, December's share, the retention watch list and the
elimination watch carry the numbers of the CLI `contracts` and `elimination` reports, in both
languages, for the default filters, a narrow filter and a far-past period; a month drills down to
expiring_dealers()."""
import datetime as dt

import pandas as pd
import pytest

from lib import db, export
from lib.i18n import fmt_count, fmt_rate, t
from lib.reports import PeriodOptions, data_end, run_report
from lib.rules.contracts import december_share, expiring_dealers, retention_watch
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, frame_with_columns, metric, no_failure, run_page
from ui.show import column_label

PAGE = "pages/contracts.py"
EMPTY = {"zh": "当前筛选条件下没有数据", "en": "Nothing matches the current filters"}
FAR_PAST = {"from": "2015-01-01", "to": "2015-03-31"}
RULES = default_rules()
WINDOW, WATCH_DAYS = RULES["contracts"]["months"], RULES["contracts"]["watch_days"]


def with_db(demo_path, fn):
    con = db.connect(demo_path)
    try:
        return fn(con)
    finally:
        con.close()


def cli(demo_path, name, scope, as_of) -> pd.DataFrame:
    options = PeriodOptions(as_of=as_of, year=as_of.year)
    return with_db(demo_path, lambda con: run_report(con, RULES, name, scope, options))


def shown_frame(at, lang, columns) -> pd.DataFrame:
    labels = {column_label(c, lang): c for c in columns}
    return frame_with_columns(at, *labels).rename(columns=labels)[list(columns)]


def same_rows(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert export.records(shown) == export.records(expected.reset_index(drop=True))


def empty_figure(at, title, lang) -> None:
    figure = figure_titled(at, title)
    assert figure["data"] == [] and EMPTY[lang] in figure["layout"]["annotations"][0]["text"]


def check_against_cli(at, demo_path, lang, scope, as_of):
    months = cli(demo_path, "contracts", scope, as_of)
    watch = with_db(demo_path, lambda con: retention_watch(con, RULES, scope, as_of))
    elimination = cli(demo_path, "elimination", scope, as_of)

    expiring = fmt_count(months["expiring"].sum(), lang)
    assert metric(at, t("contracts.expiring_total", lang, months=WINDOW)) == expiring
    assert metric(at, t("contracts.core_expiring_total", lang)) == fmt_count(months["core_expiring"].sum(), lang)
    assert metric(at, t("contracts.december_share", lang)) == fmt_rate(december_share(months), lang)
    assert metric(at, t("contracts.watch_count", lang, days=WATCH_DAYS)) == fmt_count(len(watch), lang)
    counts = elimination["status"].value_counts()
    for status in ("watch", "ok", "no_target"):
        assert metric(at, t(f"status.{status}", lang)) == fmt_count(counts.get(status, 0), lang)

    bars_title = t("contracts.expiry_title", lang, months=WINDOW)
    line = fmt_rate(RULES["elimination"]["min_achievement"], lang, 0)
    histogram_title = t("contracts.histogram_title", lang, line=line)
    if months["expiring"].sum():
        bars = {trace["name"]: trace for trace in figure_titled(at, bars_title)["data"]}
        assert bars[t("contracts.expiring", lang)]["y"] == months["expiring"].tolist()
        assert bars[t("contracts.core_expiring", lang)]["y"] == months["core_expiring"].tolist()
        assert bars[t("contracts.expiring", lang)]["customdata"] == months["month"].tolist()
    else:
        empty_figure(at, bars_title, lang)
    if counts.get("watch", 0) + counts.get("ok", 0):
        histogram = {trace["name"]: trace for trace in figure_titled(at, histogram_title)["data"]}
        for status in ("watch", "ok"):
            assert sum(histogram[t(f"status.{status}", lang)]["y"]) == counts.get(status, 0)
    else:
        empty_figure(at, histogram_title, lang)

    same_rows(shown_frame(at, lang, months.columns), months)
    if len(watch):
        same_rows(shown_frame(at, lang, watch.columns), watch)
    if counts.get("watch", 0):  # the list opens on the watch status
        same_rows(shown_frame(at, lang, elimination.columns), elimination[elimination["status"] == "watch"])
    return months, watch, elimination


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_contracts_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    months, watch, elimination = check_against_cli(at, demo_path, lang, scope, with_db(demo_path, data_end))
    assert months["expiring"].sum() > 0 and len(elimination) > 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contracts_far_past_period_shows_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, FAR_PAST)
    no_failure(at)
    months, watch, elimination = check_against_cli(at, demo_path, lang, Scope(), dt.date(2015, 3, 31))
    # A few dealers had signed by then, but nobody had a target: no watch, no achievement to draw.
    assert watch.empty and not elimination["status"].isin(["watch", "ok"]).any()
    assert metric(at, t("contracts.december_share", lang)) in ("–", fmt_rate(december_share(months), lang))
    infos = [info.value for info in at.info]
    assert infos.count(EMPTY[lang]) >= 2  # the retention list and the (watch) elimination list
    assert len(at.selectbox(key="contracts_drill").options) == int((months["expiring"] > 0).sum())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contracts_month_drill_down_and_status_filter(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    as_of = with_db(demo_path, data_end)
    months = cli(demo_path, "contracts", Scope(), as_of)
    busiest = months.sort_values("expiring", ascending=False).iloc[0]
    at.selectbox(key="contracts_drill").set_value(busiest["month"]).run()
    no_failure(at)
    expected = with_db(demo_path, lambda con: expiring_dealers(con, RULES, Scope(), as_of, busiest["month"]))
    assert len(expected) == busiest["expiring"] and expected["is_core"].sum() == busiest["core_expiring"]
    same_rows(shown_frame(at, lang, expected.columns), expected)

    elimination = cli(demo_path, "elimination", Scope(), as_of)
    for status in ("ok", "no_target", "all"):
        at.radio(key="contracts_status").set_value(status).run()
        no_failure(at)
        rows = elimination if status == "all" else elimination[elimination["status"] == status]
        same_rows(shown_frame(at, lang, elimination.columns), rows)


def test_contracts_chart_helpers_keep_every_dealer():
    from lib.charts.contracts import achievement_bins, status_counts, with_status
    from lib.i18n import catalog

    assert all(f"status.{s}" in catalog() for s in ("watch", "ok", "no_target"))
    frame = pd.DataFrame({"dealer_id": list("abcdef"), "status": ["watch", "watch", "ok", "ok", "ok", "no_target"],
                          "achievement": [-0.2, 0.59999, 0.6, 1.0, 7.5, None]})
    bins = achievement_bins(frame).set_index("low")
    # below 0 joins the first bin, 150% and above the last; no_target is not drawn
    assert bins.at[0.0, "watch"] == 1 and bins.at[0.5, "watch"] == 1 and bins.at[0.6, "ok"] == 1
    assert bins.at[1.0, "ok"] == 1 and bins.at[1.5, "ok"] == 1
    assert bins["watch"].sum() == 2 and bins["ok"].sum() == 3
    assert status_counts(frame) == {"watch": 2, "ok": 3, "no_target": 1}
    assert with_status(frame, "all")["dealer_id"].tolist() == list("abcdef")
    assert with_status(frame, "no_target")["dealer_id"].tolist() == ["f"]


def test_contracts_shared_link_restores_month_and_status(demo_path, monkeypatch):
    as_of = with_db(demo_path, data_end)
    months = cli(demo_path, "contracts", Scope.of(regions=["华南"]), as_of)
    month = months.loc[months["expiring"] > 0, "month"].iloc[-1]
    at = run_page(monkeypatch, demo_path, PAGE, "en", {"region": "华南", "ct_month": month, "ct_status": "ok"})
    no_failure(at)
    assert at.selectbox(key="contracts_drill").value == month and at.radio(key="contracts_status").value == "ok"
    expected = with_db(demo_path, lambda con: expiring_dealers(con, RULES, Scope.of(regions=["华南"]), as_of, month))
    same_rows(shown_frame(at, "en", expected.columns), expected)
    elimination = cli(demo_path, "elimination", Scope.of(regions=["华南"]), as_of)
    same_rows(shown_frame(at, "en", elimination.columns), elimination[elimination["status"] == "ok"])
    assert at.query_params["ct_month"] == [month] and at.query_params["ct_status"] == ["ok"]
    # A month the link names but the data does not hold is dropped, not an error.
    at = run_page(monkeypatch, demo_path, PAGE, "en", {"ct_month": "1999-01", "ct_status": "bogus"})
    no_failure(at)
    assert at.selectbox(key="contracts_drill").value is None and at.radio(key="contracts_status").value == "watch"
