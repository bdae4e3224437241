"""Conference mode without streamlit: the slides carry the numbers of the rule functions / CLI
reports, mask mode shows no amount and nothing about fines, a region without data gives empty
states on every slide, and the HTML export is one self-contained file holding every slide."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from plotly.offline import get_plotlyjs

from lib import conference, db
from lib.charts.conference import STAGE_H
from lib.i18n import fmt_amount, fmt_count, fmt_rate, t
from lib.periods import Quarter
from lib.present_export import ShowSettings, export_show
from lib.reports import PeriodOptions, run_report
from lib.rules.drivers import sales_kpis
from lib.rules_file import default_rules
from lib.scope import Scope

YEAR = 2025  # the demo's last year (data to Dec 2025); targets exist for 2024 and 2025 only
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
AMOUNT = re.compile(r"[¥￥]|\d\s*万|万元|\d\s*元|\bCNY\b|\byuan\b", re.IGNORECASE)
FINE = re.compile(r"罚|扣款|奖金|处罚|\bfines?\b|penalt|payout", re.IGNORECASE)
EMPTY_REGION = "测试大区"


@pytest.fixture(scope="module")
def con(demo_path):
    connection = db.connect(demo_path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def data(con):
    return conference.show_data(con, default_rules(), YEAR, Scope())


@pytest.fixture(scope="module")
def empty_region_db(demo_path, tmp_path_factory):
    """The demo plus a region with one territory and nothing else (no dealers, reps or orders)."""
    path = tmp_path_factory.mktemp("conference") / "empty_region.duckdb"
    shutil.copy(demo_path, path)
    con = db.open_for_write(path)
    con.execute("INSERT INTO territories (territory_id, territory_name, province, region, planned_dealers)"
                " VALUES ('TX1', '测试区域', '测试省', ?, 5)", [EMPTY_REGION])
    con.close()
    return path


def report(con, name, scope=Scope(), **options):
    return run_report(con, default_rules(), name, scope, PeriodOptions(**options))


def by_kind(slides, kind):
    return [s for s in slides if s.kind == kind]


def figure_json(slide) -> dict:
    return json.loads(slide.figure.to_json())


def test_the_show_has_every_slide_in_order(data):
    for lang in ("zh", "en"):
        for mask in (False, True):
            slides = conference.slides(data, lang, mask)
            kinds = list(dict.fromkeys(s.kind for s in slides))
            assert kinds == list(conference.KINDS)
            for slide in slides:
                assert slide.title and not slide.title.startswith("conference.")
                assert slide.figure is not None or slide.numbers or slide.ranking or slide.names or slide.podium \
                    or slide.empty or slide.kind == "cover", slide.kind
                # every text comes from the catalog (a missing key would show itself)
                assert not any(text.startswith("conference.") for text in slide.texts()), slide.kind


def test_year_in_numbers_equals_the_rule_functions(con, data):
    kpi = sales_kpis(con, default_rules(), Scope(), START, END, dt.date(YEAR - 1, 1, 1),
                     dt.date(YEAR - 1, 12, 31)).iloc[0]
    core = report(con, "core-dealers", start=START, end=END)
    for lang in ("zh", "en"):
        values = [b.value for b in conference.year_slide(data, lang, mask=False).numbers]
        assert values[0] == fmt_amount(core["amount"].sum(), lang) == fmt_amount(kpi["sales"], lang)
        assert fmt_rate(kpi["growth"], lang) in values[1]
        assert values[2] == fmt_count(len(core), lang)
        assert values[3] == fmt_count(kpi["new_dealers"], lang)
        assert values[4] == fmt_amount(kpi["collections"], lang)
        assert values[5] == fmt_count(int(core["is_core"].sum()), lang)


def test_sales_by_region_equals_the_core_dealer_report_per_region(con, data):
    slide = conference.regions_slide(data, "zh", mask=False)
    bars = figure_json(slide)["data"][0]
    total = report(con, "core-dealers", start=START, end=END)["amount"].sum()
    for region, value in zip(bars["x"], bars["y"]):
        expected = report(con, "core-dealers", Scope.of(regions=[region]), start=START, end=END)["amount"].sum()
        assert value == pytest.approx(expected / 10000)
    masked = figure_json(conference.regions_slide(data, "en", mask=True))
    assert masked["layout"]["meta"]["measure"] == "share"
    assert sum(masked["data"][0]["y"]) == pytest.approx(1.0)
    assert sum(bars["y"]) == pytest.approx(total / 10000)


def test_funnel_equals_the_funnel_report(con, data):
    funnel = report(con, "funnel", start=START, end=END)
    for lang in ("zh", "en"):
        slide = conference.funnel_slide(data, lang, mask=True)
        trace = figure_json(slide)["data"][0]
        assert trace["x"] == list(funnel["count"])
        assert trace["y"] == [t(f"stage.{s}", lang) for s in funnel["stage"]]
        assert slide.numbers[0].value == fmt_count(funnel["count"].iloc[0], lang)


def test_lifecycle_equals_the_lifecycle_report(con, data):
    territories = report(con, "lifecycle", as_of=END)
    fig = figure_json(conference.lifecycle_slide(data, "en", mask=False))
    for trace in fig["data"]:
        stage = trace["customdata"][0][1]
        for (region, _), count in zip(trace["customdata"], trace["x"]):
            expected = ((territories["region"] == region) & (territories["stage"] == stage)).sum()
            assert count == expected, (region, stage)
    assert sum(sum(trace["x"]) for trace in fig["data"]) == len(territories)


def test_promoted_dealers_are_the_tier_report_moves_into_a(con, data):
    expected = {}
    for number in range(1, 5):
        tiers = report(con, "tiers", quarter=Quarter(YEAR, number))
        for row in tiers[(tiers["tier"] == "A") & (tiers["movement"] == "up")].itertuples():
            expected.setdefault(row.dealer_id, row.dealer_name)
    assert expected, "the demo promotes dealers into tier A"
    slides = by_kind(conference.slides(data, "zh", mask=True), "promoted")
    names = [n for s in slides for n in s.names]
    assert sorted(names) == sorted(expected.values())[: conference.NAMES_PER_SLIDE * conference.MAX_NAME_SLIDES]
    assert fmt_count(len(expected), "zh") in slides[0].subtitle


def test_top_ten_by_sales_and_by_growth(con, data):
    core = report(con, "core-dealers", start=START, end=END)
    before = report(con, "core-dealers", start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31))
    top = conference.top_sales_slide(data, "en", mask=False).ranking
    assert [r.name for r in top] == list(core["dealer_name"].head(10))
    assert [r.value for r in top] == [fmt_amount(a, "en") for a in core["amount"].head(10)]
    masked = conference.top_sales_slide(data, "en", mask=True).ranking
    assert [r.value for r in masked] == [fmt_rate(a / core["amount"].sum(), "en") for a in core["amount"].head(10)]

    both = core[core["amount"] > 0].merge(before[before["amount"] > 0], on="dealer_id", suffixes=("", "_prev"))
    both["growth"] = both["amount"] / both["amount_prev"] - 1
    both = both.sort_values(["growth", "dealer_id"], ascending=[False, True]).head(10)
    growth = conference.top_growth_slide(data, "zh", mask=True).ranking
    assert [r.name for r in growth] == list(both["dealer_name"])
    assert [r.value for r in growth] == [("+" if g > 0 else "") + fmt_rate(g, "zh") for g in both["growth"]]
    assert [r.rank for r in growth] == list(range(1, len(growth) + 1))


def test_podium_is_the_contest_score_ranking_of_the_year(con, data):
    score = report(con, "contest-score", campaign=(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 1)))
    podium = score[(score["rank"] <= 3) & (score["score"] > 0)]
    slide = conference.podium_slide(data, "en", mask=True)
    assert [(s.rank, list(s.names)) for s in slide.podium] == [
        (int(rank), list(group["name"])) for rank, group in podium.groupby("rank")]


def test_next_year_targets(con, demo_path):
    # 2025 -> 2026: no targets loaded yet, a slide says so
    slide = conference.targets_slide(conference.show_data(con, default_rules(), 2025), "en", mask=False)
    assert slide.figure is None and slide.empty == t("conference.targets_missing", "en", year=2026)
    # 2024 -> 2025: the targets of the elimination report, summed per region
    data = conference.show_data(con, default_rules(), 2024)
    slide = conference.targets_slide(data, "zh", mask=False)
    bars = figure_json(slide)["data"][0]
    for region, value in zip(bars["x"], bars["y"]):
        frame = report(con, "elimination", Scope.of(regions=[region]), year=2025)
        assert value == pytest.approx(frame.loc[frame["status"] != "no_target", "target_amount"].sum() / 10000)
    everything = report(con, "elimination", year=2025)
    assert slide.numbers[1].value == fmt_count((everything["status"] != "no_target").sum(), "zh")
    masked = conference.targets_slide(data, "zh", mask=True)
    assert figure_json(masked)["layout"]["meta"]["measure"] == "share"
    assert len(masked.numbers) == 1


def _mask_violations(slides) -> list[str]:
    found = []
    for slide in slides:
        for text in slide.texts():
            if AMOUNT.search(text) or FINE.search(text):
                found.append(f"{slide.kind}: {text}")
        if slide.figure is not None:
            fig = figure_json(slide)
            if fig["layout"]["meta"]["measure"] == "amount":
                found.append(f"{slide.kind} figure of amounts")
            for trace in fig["data"]:
                for key in ("text", "hovertext", "hovertemplate", "texttemplate", "name"):
                    value = trace.get(key)
                    for text in value if isinstance(value, list) else [value]:
                        if isinstance(text, str) and (AMOUNT.search(text) or FINE.search(text)):
                            found.append(f"{slide.kind} figure: {text}")
                if fig["layout"]["meta"]["measure"] == "share" and not all(0 <= v <= 1 for v in trace["y"]):
                    found.append(f"{slide.kind} figure: a share outside 0..1")
            titles = json.dumps([fig["layout"].get(axis, {}).get("title") for axis in ("xaxis", "yaxis")],
                                ensure_ascii=False)
            if AMOUNT.search(titles):
                found.append(f"{slide.kind} axis: {titles}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mask_mode_shows_no_amount_and_no_fine(data, lang):
    assert _mask_violations(conference.slides(data, lang, mask=True)) == []
    # the scan does find amounts when they are shown
    assert _mask_violations(conference.slides(data, lang, mask=False))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_region_without_data_gives_empty_states_on_every_slide(empty_region_db, lang):
    con = db.connect(empty_region_db)
    try:
        for mask in (False, True):
            slides = conference.build_show(con, default_rules(), YEAR, lang, mask, Scope.of(regions=[EMPTY_REGION]))
            assert list(dict.fromkeys(s.kind for s in slides)) == list(conference.KINDS)
            empty_text = t("charts.empty", lang)
            for slide in slides:
                if slide.kind in ("cover",):
                    assert EMPTY_REGION in slide.subtitle
                elif slide.kind == "lifecycle":  # the territory exists, planned for 5 dealers, none active
                    assert slide.figure is not None
                elif slide.figure is not None:
                    annotations = figure_json(slide)["layout"].get("annotations", [])
                    assert annotations and empty_text in annotations[0]["text"], slide.kind
                else:
                    assert slide.empty, slide.kind
            if mask:
                assert _mask_violations(slides) == []
            html = export_show(slides, ShowSettings(lang, mask, YEAR))
            assert html.count('<section class="cf-slide') == len(slides)
    finally:
        con.close()


def test_an_empty_year_renders(con):
    slides = conference.build_show(con, default_rules(), 2015, "en", False, Scope())
    assert list(dict.fromkeys(s.kind for s in slides)) == list(conference.KINDS)
    # dealers signed in 2015 exist in the demo, so the year slide has its (zero-sales) numbers
    assert [s.kind for s in slides if not (s.empty or s.figure is not None or s.numbers or s.kind == "cover")] == []


@pytest.mark.parametrize("lang, mask", [("zh", False), ("en", True)])
def test_export_is_one_self_contained_file_with_every_slide(data, lang, mask):
    slides = conference.slides(data, lang, mask)
    html = export_show(slides, ShowSettings(lang, mask, YEAR, seconds=20))
    assert html.startswith("<!DOCTYPE html>")
    # no CDN, no external file: no script or link loads anything, no http(s) in any src / href of the
    # page (the inlined plotly.js holds URL strings of its own, which are text, not requests)
    assert not re.search(r"<script[^>]+src\s*=", html, re.IGNORECASE) and "<link" not in html.lower()
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.DOTALL | re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", markup, re.IGNORECASE)
    assert html.count(get_plotlyjs()[:2000]) == 1
    sections = re.findall(r'<section class="cf-slide[^"]*" data-kind="([a-z_]+)"', html)
    assert sections == [s.kind for s in slides]
    for slide in slides:
        assert slide.title.replace("&", "&amp;") in html or slide.title in html
    figures = json.loads(re.search(r'<script type="application/json" id="cf-figures">(.*?)</script>', html,
                                   re.DOTALL).group(1))
    assert sorted(int(k) for k in figures) == [i for i, s in enumerate(slides) if s.figure is not None]
    assert all(f["layout"]["height"] <= STAGE_H for f in figures.values())
    settings = json.loads(re.search(r'<script type="application/json" id="cf-settings">(.*?)</script>', html).group(1))
    assert settings["seconds"] == 20 and settings["mask"] is mask
    if mask:
        visible = re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)
        assert not AMOUNT.search(re.sub(r"<[^>]+>", " ", visible))
