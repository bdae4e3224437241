"""What only a browser can show: a filter change reaches the URL and the charts, the link restores
the view in a new session, a click on a funnel step and on a leaderboard row opens the drill-down
table, and the HR payout sheet downloads as a workbook that opens."""
from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from lib.i18n import t
from lib.rules.contest import payout_sheet
from lib.scope import Scope
from tests.e2e import helpers
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
SOUTH = "华南"
GRID_HEADER_PX = 35  # st.dataframe (glide grid): header row and data rows are 35 px high
GRID_ROW_PX = 35
GRID_ROW_MARKER_X = 15  # the row-selection checkbox column at the grid's left edge


def waterfall(page, lang):
    return helpers.chart_titled(helpers.charts(page), lang, "overview.drivers_title")["traces"][0]["y"]


def drivers_values(cli, scope, divisor):
    drivers = cli("drivers", scope).set_index("factor")
    values = [drivers.loc["sales", "comparison_value"], drivers.loc["covered", "contribution"],
              drivers.loc["active_rate", "contribution"], drivers.loc["avg_amount", "contribution"],
              drivers.loc["sales", "period_value"]]
    return [float(v) / divisor for v in values]


def test_region_filter_goes_to_the_url_and_the_link_restores_the_view(app, context, page, cli):
    lang = "zh"
    helpers.open_page(page, app.url, "overview", lang=lang)
    assert waterfall(page, lang) == pytest.approx(drivers_values(cli, Scope(), 10000), abs=0.01)
    assert "region" not in helpers.query_of(page.url)

    region = page.locator(".st-key-f_region")
    region.locator("input").click()
    option = page.get_by_role("option", name=SOUTH, exact=True)
    helpers.rerun(page, option.click)
    page.keyboard.press("Escape")

    query = helpers.query_of(page.url)
    assert query["region"] == [SOUTH] and query["lang"] == [lang]
    south = drivers_values(cli, Scope.of(regions=[SOUTH]), 10000)
    assert waterfall(page, lang) == pytest.approx(south, abs=0.01)
    assert south != pytest.approx(drivers_values(cli, Scope(), 10000), abs=0.01)  # the charts did change
    helpers.healthy(page, context.e2e_problems)
    helpers.screenshot(page, "overview-zh-region-filter", ARTIFACTS)

    # The link, opened in a new session (a new tab: no session state), shows the same view.
    link = page.url
    again = context.new_page()
    again.goto(link)
    helpers.settle(again)
    assert helpers.query_of(again.url) == query
    chosen = again.locator(".st-key-f_region [data-baseweb='tag']")  # the multiselect's chips
    expect(chosen).to_have_count(1, timeout=30_000)
    expect(chosen).to_contain_text(SOUTH)
    assert waterfall(again, lang) == pytest.approx(south, abs=0.01)
    helpers.healthy(again, context.e2e_problems)


def test_clicking_a_funnel_step_shows_its_opportunities(app, context, page, cli):
    lang = "en"
    helpers.open_page(page, app.url, "funnel", lang=lang)
    chart = page.locator(".st-key-funnel_chart .js-plotly-plot")
    stages = helpers.chart_titled(helpers.charts(page), lang, "funnel.funnel_title")["traces"][0]["customdata"]
    step = 1  # the second step: a click on the first could pass by luck with a default
    bar = chart.locator(".point > path").nth(step)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Plotly clicks what the mouse hovers: move onto the bar, wait for its hover label, then click.
    page.mouse.move(x - 3, y)
    page.mouse.move(x, y)
    chart.locator(".hoverlayer .hovertext").wait_for(state="attached")
    helpers.rerun(page, lambda: page.mouse.click(x, y))

    stage = stages[step]
    assert t(f"stage.{stage}", lang) in page.locator(".st-key-funnel_drill").inner_text()
    table = helpers.tag_frame_before(page, "funnel_drill_table_csv")
    expected = cli.rule("lib.rules.funnel:funnel_opportunities", scope=Scope(), start=cli.period["start"],
                        end=cli.period["end"], stage=stage)
    assert len(expected) > 0
    assert helpers.frame_rows(page, table) == len(expected)
    helpers.healthy(page, context.e2e_problems)
    helpers.screenshot(page, "funnel-en-step-drill-down", ARTIFACTS)


def open_leaderboard(page, app, lang):
    helpers.open_page(page, app.url, "contest", lang=lang)
    board = helpers.tag_frame_before(page, "contest_sheet_csv")
    return page.locator(board)


def test_clicking_a_leaderboard_row_shows_the_reps_dealers(app, context, page, cli):
    lang = "zh"
    board = open_leaderboard(page, app, lang)
    expected_board = cli("contest")
    assert helpers.frame_rows(page, "[data-e2e='contest_sheet_csv']") == len(expected_board)
    row = 2
    board.scroll_into_view_if_needed()
    grid = board.locator("canvas").first.bounding_box()
    x = grid["x"] + GRID_ROW_MARKER_X
    y = grid["y"] + GRID_HEADER_PX + GRID_ROW_PX * row + GRID_ROW_PX / 2
    page.mouse.move(x, y)  # the checkbox shows on hover
    helpers.rerun(page, lambda: page.mouse.click(x, y))

    rep = expected_board["salesperson_id"].iloc[row]
    assert f"({rep})" in page.locator(".st-key-contest_drill").inner_text()
    dealers = cli.rule("lib.rules.contest:rep_dealers", scope=Scope(), month=cli.period["month"],
                       salesperson_id=rep)
    if len(dealers):
        table = helpers.tag_frame_before(page, "contest_rep_dealers_csv")
        assert helpers.frame_rows(page, table) == len(dealers)
    else:
        assert page.locator("[data-testid='stAlertContentInfo']").filter(has_text=t("charts.empty", lang)).count()
    helpers.healthy(page, context.e2e_problems)
    helpers.screenshot(page, "contest-zh-leaderboard-drill-down", ARTIFACTS)


def test_payout_sheet_downloads_as_a_valid_workbook(app, context, page, cli, tmp_path):
    lang = "en"
    open_leaderboard(page, app, lang)
    # the workbook is prepared on request (one click reruns only its fragment), then downloads
    page.locator(".st-key-contest_sheet_prepare button").click()
    page.locator(".st-key-contest_sheet_xlsx button").wait_for(timeout=helpers.TIMEOUT_MS)
    with page.expect_download() as download:
        page.locator(".st-key-contest_sheet_xlsx button").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    board = cli("contest")
    sheet = payout_sheet(board)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["payout_sheet", "contest"]
    rows = list(book["payout_sheet"].iter_rows(values_only=True))
    assert list(rows[0]) == list(sheet.columns)
    assert len(rows) - 1 == len(sheet)
    assert [r[2] for r in rows[1:]] == list(sheet["item"])
    assert [float(r[3]) for r in rows[1:]] == pytest.approx(list(sheet["amount"]))
    contest = list(book["contest"].iter_rows(values_only=True))
    assert list(contest[0]) == list(board.columns) and len(contest) - 1 == len(board)
    helpers.healthy(page, context.e2e_problems)
