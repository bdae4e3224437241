"""Conference page: every slide renders in both languages for the whole network, a region and a
region without data; the charts carry the CLI reports' numbers; the controls (next, previous,
pause, first, last, jump, language, audience, year, interval) work and are kept in the link;
?present=1 on another page's link opens the show; mask mode shows no amount anywhere."""
import datetime as dt
import json
import re
import shutil

import pytest

from lib import db
from lib.i18n import t
from lib.reports import PeriodOptions, run_report
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import no_failure, plotly_figures, run_page

PAGE = "pages/conference.py"
YEAR = 2025
AMOUNT = re.compile(r"[¥￥]|\d\s*万|万元|\d\s*元|\bCNY\b|\byuan\b", re.IGNORECASE)
FINE = re.compile(r"罚|扣款|奖金|处罚|\bfines?\b|penalt|payout", re.IGNORECASE)
EMPTY_REGION = "测试大区"


def cli(path, name, scope=Scope(), **options):
    con = db.connect(path)
    try:
        return run_report(con, default_rules(), name, scope, PeriodOptions(**options))
    finally:
        con.close()


@pytest.fixture(scope="module")
def empty_region_db(demo_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("conference_page") / "empty_region.duckdb"
    shutil.copy(demo_path, path)
    con = db.open_for_write(path)
    con.execute("INSERT INTO territories (territory_id, territory_name, province, region, planned_dealers)"
                " VALUES ('TX1', '测试区域', '测试省', ?, 5)", [EMPTY_REGION])
    con.close()
    return path


def slide_count(at) -> int:
    return len(at.selectbox(key="conf_slide").options)


def slide_html(at) -> str:
    """The text of the slide on the stage (the HTML parts, without the page's style sheets)."""
    return "\n".join(h.proto.body for h in at.get("html") if "<style" not in h.proto.body)


def slide_title(at) -> str:
    return re.search(r'<h1 class="cf-title">(.*?)</h1>', slide_html(at)).group(1)


def each_slide(at):
    """Go through the show with the jump box; yields (number, the AppTest after the run)."""
    for number in range(1, slide_count(at) + 1):
        at.selectbox(key="conf_slide").set_value(str(number)).run()
        no_failure(at)
        yield number, at


def chart_of(at) -> dict | None:
    figures = plotly_figures(at)
    assert len(figures) <= 1
    return figures[0] if figures else None


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_every_slide_renders_with_the_reports_numbers(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    assert at.selectbox(key="conf_year").value == str(YEAR)  # the data's last year
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    core = cli(demo_path, "core-dealers", scope, start=start, end=end)
    funnel = cli(demo_path, "funnel", scope, start=start, end=end)
    divisor = 10000 if lang == "zh" else 1
    seen = set()
    for _, at in each_slide(at):
        html = slide_html(at)
        figure = chart_of(at)
        kind = figure["layout"]["meta"]["slide"] if figure else None
        seen.add(kind)
        if kind == "regions":
            bars = figure["data"][0]
            for region, value in zip(bars["x"], bars["y"]):
                expected = cli(demo_path, "core-dealers", Scope.of(regions=[region], provinces=scope.provinces),
                               start=start, end=end)["amount"].sum()
                assert value == pytest.approx(expected / divisor)
        elif kind == "funnel":
            assert figure["data"][0]["x"] == list(funnel["count"])
        if t("conference.top_sales_title", lang, n=10) in html:
            for name in core["dealer_name"].head(10):
                assert name in html
    assert {"regions", "funnel", "lifecycle"} <= seen


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_region_without_data_shows_empty_states(empty_region_db, monkeypatch, lang):
    at = run_page(monkeypatch, empty_region_db, PAGE, lang, {"region": EMPTY_REGION})
    no_failure(at)
    empty = t("charts.empty", lang)
    for _, at in each_slide(at):
        figure = chart_of(at)
        html = slide_html(at)
        if figure is not None and figure["layout"]["meta"]["slide"] != "lifecycle":
            assert empty in figure["layout"]["annotations"][0]["text"]
        assert "cf-title" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_far_past_period_shows_that_year_with_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2015-01-01", "to": "2015-03-31"})
    no_failure(at)
    assert at.selectbox(key="conf_year").value == "2015"
    empty = t("charts.empty", lang)
    charts = 0
    for _, at in each_slide(at):
        figure = chart_of(at)
        if figure is not None and figure["layout"]["meta"]["slide"] != "lifecycle":
            charts += 1
            assert empty in figure["layout"]["annotations"][0]["text"]
    assert charts == 2  # sales by region and the funnel; the targets slide says 2016 is not loaded


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mask_mode_shows_no_amount_and_no_fine_anywhere(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"mask": "1"})
    no_failure(at)
    assert at.radio(key="conf_mask").value == "1"
    for number, at in each_slide(at):
        html = re.sub(r"<[^>]+>", " ", slide_html(at))
        assert not AMOUNT.search(html) and not FINE.search(html), (number, html)
        figure = chart_of(at)
        if figure is not None:
            assert figure["layout"]["meta"]["measure"] != "amount"
            text = json.dumps([trace.get("text") for trace in figure["data"]], ensure_ascii=False)
            assert not AMOUNT.search(text), (number, text)
    # the same page without mask does show amounts
    at.radio(key="conf_mask").set_value("0").run()
    at.selectbox(key="conf_slide").set_value("2").run()
    assert AMOUNT.search(re.sub(r"<[^>]+>", " ", slide_html(at)))


def test_controls_move_pause_and_keep_the_settings_in_the_link(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en", {"secs": "30"})
    no_failure(at)
    count = slide_count(at)
    assert at.selectbox(key="conf_slide").value == "1" and at.selectbox(key="conf_secs").value == "30"
    at.button(key="conf_next").click().run()
    assert at.selectbox(key="conf_slide").value == "2" and at.query_params["slide"] == ["2"]
    at.button(key="conf_prev").click().run()
    at.button(key="conf_prev").click().run()  # wraps around to the last slide
    assert at.selectbox(key="conf_slide").value == str(count)
    at.button(key="conf_first").click().run()
    assert at.selectbox(key="conf_slide").value == "1"
    at.button(key="conf_last").click().run()
    assert at.selectbox(key="conf_slide").value == str(count)
    assert at.button(key="conf_pause").label == t("conference.pause", "en")
    at.button(key="conf_pause").click().run()
    assert at.button(key="conf_pause").label == t("conference.play", "en")
    at.selectbox(key="conf_slide").set_value("3").run()
    title = slide_title(at)
    # the language switch keeps the slide, the interval and the audience
    at.radio(key="conf_lang").set_value("zh").run()
    no_failure(at)
    assert at.session_state["lang"] == "zh" and at.selectbox(key="conf_slide").value == "3"
    assert at.selectbox(key="conf_secs").value == "30" and slide_title(at) != title
    assert slide_title(at) == t("conference.regions_title", "zh")
    at.selectbox(key="conf_year").set_value("2024").run()
    no_failure(at)
    assert at.query_params["year"] == ["2024"] and at.query_params["lang"] == ["zh"]
    assert t("conference.year_title", "zh", year=2024) in at.selectbox(key="conf_slide").options[1]
    # the keyboard / timer script knows the state it acts on
    script = [c for c in at.get("iframe") if "conf_next" in c.proto.srcdoc] if hasattr(at, "get") else []
    assert script and '"playing": false' in script[0].proto.srcdoc and '"seconds": 30' in script[0].proto.srcdoc


def test_present_on_any_link_opens_the_show(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, "pages/overview.py", "en", {"present": "1", "mask": "1", "slide": "4"})
    no_failure(at)
    assert at.selectbox(key="conf_slide").value == "4"
    assert at.radio(key="conf_mask").value == "1"
    assert at.query_params["mask"] == ["1"] and at.query_params["lang"] == ["en"]
    assert slide_title(at) == t("conference.funnel_title", "en")


def test_the_show_links_back_home(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    links = [link for link in at.get("page_link") if link.proto.label == t("conference.exit", "en")]
    assert len(links) == 1 and links[0].proto.page_script_hash


def test_the_offline_export_is_prepared_on_request(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en", {"mask": "1"})
    no_failure(at)
    assert not at.get("download_button")
    at.button(key="conf_prepare").click().run()
    no_failure(at)
    downloads = at.get("download_button")
    assert len(downloads) == 1 and str(downloads[0].proto.url).endswith(".html")


def test_forced_mask_cannot_be_turned_off(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en", {"slide": "2"})
    assert AMOUNT.search(re.sub(r"<[^>]+>", " ", slide_html(at)))
    at.session_state["conf_mask_forced"] = True
    at.run()
    no_failure(at)
    assert at.radio(key="conf_mask").disabled
    assert not AMOUNT.search(re.sub(r"<[^>]+>", " ", slide_html(at)))
