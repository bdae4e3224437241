"""Every page in both languages, in a real browser: it loads with no exception, no error box and
no console error; its charts are drawn with the expected traces (and, where cheap, the numbers of
the CLI report); Chinese renders in a CJK font; a full-page screenshot goes to test-artifacts/."""
from __future__ import annotations

import pytest

from lib.i18n import t
from tests.e2e import helpers
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# url path -> (title key, [(chart title keys (any of them), expected trace type)]). The landing page
# is the default page, at "/" (its url_path "home" is not an address: Streamlit serves the default
# page at the root and logs "page not found" for /home).
PAGES = {
    "": ("app.title", []),
    "overview": ("overview.title", [(("overview.drivers_title",), "waterfall"),
                                    (("overview.pareto_title",), "bar")]),
    "funnel": ("funnel.title", [(("funnel.funnel_title",), "funnel"), (("funnel.velocity_title",), "bar"),
                                (("funnel.forecast_title",), "bar"), (("funnel.trend_title",), "scatter"),
                                (("funnel.matrix_title",), "heatmap")]),
    "lifecycle": ("lifecycle_page.title", [(("lifecycle_page.distribution_title",), "bar"),
                                           (("lifecycle_page.mix_title",), "bar")]),
    "tiers": ("tiers.title", [(("tiers.distribution_title",), "bar"), (("tiers.matrix_title",), "heatmap"),
                              (("tiers.sankey_title",), "sankey")]),
    "contest": ("contest.title", [(("contest.payout_title",), "bar"),
                                  (("contest.score_title", "contest.score_title_top"), "bar"),
                                  (("contest.status_title",), "bar")]),
    "contracts": ("contracts.title", [(("contracts.expiry_title",), "bar"),
                                      (("contracts.histogram_title",), "bar")]),
    "data": ("data.title", []),
}


def numbers_match_the_cli(path: str, found: list[dict], lang: str, cli) -> None:
    """Key numbers of the default view against lib.reports.run_report on the same database."""
    divisor = 10000 if lang == "zh" else 1
    if path == "overview":
        drivers = cli("drivers").set_index("factor")
        expected = [drivers.loc["sales", "comparison_value"], drivers.loc["covered", "contribution"],
                    drivers.loc["active_rate", "contribution"], drivers.loc["avg_amount", "contribution"],
                    drivers.loc["sales", "period_value"]]
        waterfall = helpers.chart_titled(found, lang, "overview.drivers_title")["traces"][0]
        assert waterfall["y"] == pytest.approx([float(v) / divisor for v in expected], abs=0.01)
        core = cli("core-dealers")
        line = [tr for tr in helpers.chart_titled(found, lang, "overview.pareto_title")["traces"]
                if tr["type"] == "scatter"][0]
        assert line["y"] == pytest.approx([float(v) for v in core["cumulative_share"]])
    elif path == "funnel":
        funnel = cli("funnel")
        trace = helpers.chart_titled(found, lang, "funnel.funnel_title")["traces"][0]
        assert trace["x"] == [int(v) for v in funnel["count"]]
        assert trace["customdata"] == list(funnel["stage"])
    elif path == "lifecycle":
        territories = cli("lifecycle")
        counts = territories.groupby(["region", "stage"]).size().to_dict()
        for trace in helpers.chart_titled(found, lang, "lifecycle_page.distribution_title")["traces"]:
            for (region, stage), y in zip(trace["customdata"], trace["y"]):
                assert y == counts.get((region, stage), 0), (region, stage)
    elif path == "tiers":
        tiers = cli("tiers")
        shown = {}
        for trace in helpers.chart_titled(found, lang, "tiers.distribution_title")["traces"]:
            for (region, tier), y in zip(trace["customdata"], trace["y"]):
                shown[tier] = shown.get(tier, 0) + int(y)
        assert {k: v for k, v in shown.items() if v} == tiers["tier"].value_counts().to_dict()
    elif path == "contest":
        board = cli("contest")
        bars = helpers.chart_titled(found, lang, "contest.payout_title")["traces"][0]
        assert bars["x"] == list(board["salesperson_id"])
        assert bars["y"] == pytest.approx([float(v) for v in board["payout"]])
    elif path == "contracts":
        months = cli("contracts")
        bars = helpers.chart_titled(found, lang, "contracts.expiry_title")["traces"][0]
        assert bars["customdata"] == list(months["month"])
        assert bars["y"] == [int(v) for v in months["expiring"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", list(PAGES), ids=[p or "home" for p in PAGES])
def test_page_renders(app, context, page, path, lang, cli):
    log_from = app.log_size()
    helpers.open_page(page, app.url, path, lang=lang)
    helpers.screenshot(page, f"{path or 'home'}-{lang}", ARTIFACTS)

    helpers.healthy(page, context.e2e_problems)
    title_key, expected = PAGES[path]
    assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == t(title_key, lang)

    found = helpers.charts(page)
    for chart in found:  # every chart is plotted: traces, or the empty state's message
        assert chart["drawn"] and (chart["traces"] or chart["annotations"]), chart["title"]
    for keys, trace_type in expected:
        chart = helpers.chart_titled(found, lang, *keys)
        types = [trace["type"] for trace in chart["traces"]]
        assert trace_type in types, f"{chart['title']}: traces {types}"
        data = [trace for trace in chart["traces"] if trace["type"] == trace_type]
        assert any(len(trace.get("x") or trace.get("y") or trace.get("z") or [1]) for trace in data)
    numbers_match_the_cli(path, found, lang, cli)

    if lang == "zh":
        helpers.assert_chinese_in_cjk_font(context, page)
    log = app.log_since(log_from)
    assert "Traceback" not in log, log[-3000:]


def test_the_font_check_sees_boxes_without_a_cjk_font(app, browser, tmp_path):
    """The CJK check is not vacuous: Chromium started with a font configuration that holds no font
    (FONTCONFIG_FILE) draws the Chinese as boxes, and the check fails on that page."""
    import os

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, VIEWPORT

    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n")
    no_fonts = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                           env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    try:
        context = no_fonts.new_context(viewport=VIEWPORT)
        context.set_default_timeout(helpers.TIMEOUT_MS)
        context.add_init_script(helpers.INIT_SCRIPT)
        page = context.new_page()
        helpers.open_page(page, app.url, "", lang="zh")
        helpers.screenshot(page, "home-zh-without-cjk-font", ARTIFACTS)
        with pytest.raises(AssertionError, match="not a CJK font"):
            helpers.assert_chinese_in_cjk_font(context, page)
    finally:
        no_fonts.close()
