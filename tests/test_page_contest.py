"""Contest page: the leaderboard, payouts, campaign score, new-dealer status and duplicates carry the
numbers of the CLI reports, in both languages, for the default filters, a narrow filter and a
filter that matches nothing; the month box, the rep and status drill-downs and the HR downloads."""
import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from lib import db
from lib.charts.contest import SCORE_BARS, development_status, fmt_yuan
from lib.i18n import MISSING, fmt_count
from lib.periods import add_months, month_start
from lib.reports import PeriodOptions, run_report
from lib.rules.contest import payout_sheet, rep_dealers
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, frame_with_columns, metric, no_failure, plotly_figures, run_page
from ui.show import column_label

PAGE = "pages/contest.py"
TITLES = {"zh": {"payout": "业务员奖惩金额", "score": "竞赛总分", "status": "新签经销商开发状态"},
          "en": {"payout": "Payout per rep", "score": "Campaign score", "status": "Development status"}}
EMPTY = {"zh": "当前筛选条件下没有数据", "en": "Nothing matches the current filters"}
NET_PAYOUT = {"zh": "奖惩合计", "en": "Net payout"}
REPS = {"zh": "参赛业务员", "en": "Reps in the contest"}
REGIONAL_NOTE = {"zh": "区域内竞赛", "en": "a regional contest"}
STATUSES = ("a", "b", "pending", "missed", "never")


def cli(demo_path, name, scope, options=PeriodOptions()):
    con = db.connect(demo_path)
    try:
        return run_report(con, default_rules(), name, scope, options)
    finally:
        con.close()


def last_order_day(demo_path) -> dt.date:
    con = db.connect(demo_path)
    try:
        return con.execute("SELECT max(order_date) FROM orders").fetchone()[0]
    finally:
        con.close()


def shown(at, lang, report_frame, *key_columns):
    """The page's table holding `key_columns`, with its headers turned back into report columns."""
    frame = frame_with_columns(at, *[column_label(c, lang) for c in key_columns])
    back = {column_label(c, lang): c for c in list(report_frame.columns) + ["development_status"]}
    return frame.rename(columns=back)


def assert_same_rows(page_frame: pd.DataFrame, report_frame: pd.DataFrame) -> None:
    """Same columns, same rows in the same order, same values (dates and months compared as text)."""
    assert list(page_frame.columns[: len(report_frame.columns)]) == list(report_frame.columns)
    assert len(page_frame) == len(report_frame)
    for column in report_frame.columns:
        mine, theirs = page_frame[column].reset_index(drop=True), report_frame[column].reset_index(drop=True)
        if pd.api.types.is_float_dtype(theirs):
            assert list(mine.astype(float)) == pytest.approx(list(theirs), abs=0.005), column
        else:
            assert as_text(mine) == as_text(theirs), column


def as_text(values) -> list[str]:
    """Values as the CLI writes them: empty for missing (the page shows a dash), dates and months as ISO text."""
    return ["" if v is None or v == MISSING or (not isinstance(v, str) and pd.isna(v)) else str(v)[:10]
            for v in values]


def visible_texts(at) -> list[str]:
    """Every text the page shows: headings, captions, boxes, labels, options, headers, chart texts."""
    texts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info") for e in getattr(at, kind)]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    for box in at.selectbox:
        texts += [box.label] + list(box.options)
    texts += [str(c) for f in at.dataframe for c in f.value.columns]
    for figure in plotly_figures(at):
        layout = figure.get("layout", {})
        texts.append(json.dumps([layout.get("title"), layout.get("xaxis"), layout.get("yaxis"),
                                 layout.get("annotations")], ensure_ascii=False))
        texts += [json.dumps([trace.get("hovertemplate"), trace.get("y"), trace.get("x")], ensure_ascii=False)
                  for trace in figure.get("data", [])]
    return texts


def expected_statuses(new: pd.DataFrame, as_of: dt.date) -> list[str]:
    """R8 statuses worked out here from the report's columns, independently of the page's helper."""
    def index(value):
        if value is None or value == "" or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
            return None
        text = str(value)
        return int(text[:4]) * 12 + int(text[5:7]) - 1

    now = as_of.year * 12 + as_of.month - 1
    out = []
    for row in new.itertuples(index=False):
        signed, first = index(row.signed_on), index(row.first_order_month)
        if row.success_rule:
            out.append(row.success_rule)
        elif first is None:
            out.append("never" if now - signed > 6 else "pending")
        elif first - signed > 6:
            out.append("never")
        elif now >= first + 3:
            out.append("missed")
        else:
            out.append("pending")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_contest_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    last = last_order_day(demo_path)
    month = month_start(last)
    assert at.selectbox(key="contest_month").value == f"{month:%Y-%m}"

    catalog_key = re.compile(r"\b(contest|columns_contest|charts|common)\.[a-z_]+")
    assert not [text for text in visible_texts(at) if catalog_key.search(text)]  # every text is translated

    # R9 leaderboard: every item of every rep, in the report's order; ranks inside the filter scope.
    board = cli(demo_path, "contest", scope, PeriodOptions(month=month))
    assert not board.empty
    assert_same_rows(shown(at, lang, board, "payout", "rank_developed", "fine_sales"), board)
    assert metric(at, REPS[lang]) == fmt_count(len(board), lang)
    assert metric(at, NET_PAYOUT[lang]) == fmt_yuan(board["payout"].sum(), lang)
    bars = figure_titled(at, TITLES[lang]["payout"])["data"][0]
    assert bars["x"] == list(board["salesperson_id"])
    assert bars["y"] == pytest.approx(list(board["payout"]))
    regional = any(REGIONAL_NOTE[lang] in i.value for i in at.info)
    assert regional == (not scope.is_everything)

    # R10 campaign: January to the contest month.
    score = cli(demo_path, "contest-score", scope, PeriodOptions(campaign=(dt.date(month.year, 1, 1), month)))
    assert_same_rows(shown(at, lang, score, "score", "collected_total"), score)
    ranking = figure_titled(at, TITLES[lang]["score"])["data"][0]
    top = score.head(SCORE_BARS)
    assert ranking["y"][::-1] == list(top["salesperson_id"])
    assert ranking["x"][::-1] == pytest.approx(list(top["score"]))

    # R8 new dealers signed in the filter period, with their status.
    new = cli(demo_path, "new-dealers", scope, PeriodOptions(start=dt.date(last.year, 1, 1), end=last))
    page_new = shown(at, lang, new, "first_order_month", "success_rule")
    assert_same_rows(page_new, new)
    statuses = expected_statuses(new, last)
    assert list(page_new["development_status"]) == statuses
    status_bars = figure_titled(at, TITLES[lang]["status"])["data"][0]
    counts = dict(zip(status_bars["customdata"], status_bars["x"]))
    assert counts == {s: statuses.count(s) for s in STATUSES}
    assert counts["a"] == int((new["success_rule"] == "a").sum())
    assert counts["b"] == int((new["success_rule"] == "b").sum())

    # R11 suspected duplicates of the scope, with approved_new.
    pairs = cli(demo_path, "duplicates", scope)
    if pairs.empty:
        assert not [f for f in at.dataframe if column_label("matched_on", lang) in f.value.columns]
    else:
        assert_same_rows(shown(at, lang, pairs, "matched_on", "approved_new"), pairs)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contest_far_past_period_shows_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2015-01-01", "to": "2015-03-31"})
    no_failure(at)
    assert at.selectbox(key="contest_month").value == "2015-03"
    board = cli(demo_path, "contest", Scope(), PeriodOptions(month=dt.date(2015, 3, 1)))
    assert board.empty  # no rep was employed yet
    for title in (TITLES[lang]["payout"], TITLES[lang]["score"]):
        figure = figure_titled(at, title)
        assert figure["data"] == [] and EMPTY[lang] in figure["layout"]["annotations"][0]["text"]
    assert any(EMPTY[lang] in i.value for i in at.info)
    assert metric(at, NET_PAYOUT[lang]) == fmt_yuan(0, lang)
    new = cli(demo_path, "new-dealers", Scope(), PeriodOptions(start=dt.date(2015, 1, 1), end=dt.date(2015, 3, 31)))
    status_bars = figure_titled(at, TITLES[lang]["status"])
    if new.empty:
        assert status_bars["data"] == []
    else:
        assert sum(status_bars["data"][0]["x"]) == len(new)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_leaderboard_drill_down_shows_the_reps_dealers(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    no_failure(at)
    month = month_start(last_order_day(demo_path))
    board = cli(demo_path, "contest", Scope(), PeriodOptions(month=month))
    rep = board.sort_values(["developed", "new_dealer_sales"], ascending=False)["salesperson_id"].iloc[0]
    at.selectbox(key="contest_drill").set_value(rep).run()
    no_failure(at)
    con = db.connect(demo_path)
    try:
        expected = rep_dealers(con, default_rules(), Scope(), month, rep)
    finally:
        con.close()
    assert not expected.empty
    assert_same_rows(shown(at, lang, expected, "counted_as", "sales_in_month"), expected)


def test_status_drill_down_lists_the_dealers_of_a_status(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    last = last_order_day(demo_path)
    new = cli(demo_path, "new-dealers", Scope(), PeriodOptions(start=dt.date(last.year, 1, 1), end=last))
    at.selectbox(key="contest_status_drill").set_value("b").run()
    no_failure(at)
    page_new = shown(at, "en", new, "first_order_month", "success_rule")
    assert_same_rows(page_new, new[new["success_rule"] == "b"])


def test_month_box_changes_leaderboard_and_campaign(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    month = add_months(month_start(last_order_day(demo_path)), -6)
    at.selectbox(key="contest_month").set_value(f"{month:%Y-%m}").run()
    no_failure(at)
    board = cli(demo_path, "contest", Scope(), PeriodOptions(month=month))
    assert_same_rows(shown(at, "en", board, "payout", "rank_developed"), board)
    score = cli(demo_path, "contest-score", Scope(), PeriodOptions(campaign=(dt.date(month.year, 1, 1), month)))
    assert_same_rows(shown(at, "en", score, "score", "collected_total"), score)
    assert f"{month:%b %Y}" in figure_titled(at, "Payout per rep")["layout"]["title"]["text"]


def test_shared_link_restores_the_month(demo_path, monkeypatch):
    month = add_months(month_start(last_order_day(demo_path)), -3)
    at = run_page(monkeypatch, demo_path, PAGE, "zh", {"month": f"{month:%Y-%m}"})
    no_failure(at)
    assert at.selectbox(key="contest_month").value == f"{month:%Y-%m}"
    assert at.query_params["month"] == [f"{month:%Y-%m}"] or at.query_params["month"] == f"{month:%Y-%m}"


def test_payout_sheet_downloads_for_hr(demo_path, monkeypatch):
    files = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = run_page(monkeypatch, demo_path, PAGE, "zh")
    no_failure(at)
    # the workbook is built when HR asks for it (one click), then downloads
    assert f"payout_sheet_{month_start(last_order_day(demo_path)):%Y-%m}.xlsx" not in files
    at.button(key="contest_sheet_prepare").click().run()
    no_failure(at)
    month = month_start(last_order_day(demo_path))
    board = cli(demo_path, "contest", Scope(), PeriodOptions(month=month))
    sheet = payout_sheet(board)

    csv = pd.read_csv(io.BytesIO(files[f"payout_sheet_{month:%Y-%m}.csv"]), encoding="utf-8-sig")
    assert list(csv.columns) == list(sheet.columns)
    assert list(csv["amount"]) == pytest.approx(list(sheet["amount"]))
    book = pd.read_excel(io.BytesIO(files[f"payout_sheet_{month:%Y-%m}.xlsx"]), sheet_name=None)
    assert list(book) == ["payout_sheet", "contest"]
    assert list(book["payout_sheet"]["amount"]) == pytest.approx(list(sheet["amount"]))
    assert list(book["contest"].columns) == list(board.columns)
    assert list(book["contest"]["payout"]) == pytest.approx(list(board["payout"]))
    # each rep's items add up to the payout HR pays
    items = book["payout_sheet"][book["payout_sheet"]["item"] != "payout"].groupby("salesperson_id")["amount"].sum()
    assert dict(items) == pytest.approx(dict(zip(board["salesperson_id"], board["payout"])))


def test_development_status_rules():
    rules = default_rules()["new_dealer"]
    frame = pd.DataFrame([
        # dealer, signed_on, first_order_month, success_rule
        ("A", dt.date(2025, 1, 5), "2025-01", "a"),
        ("B", dt.date(2025, 1, 5), "2025-02", "b"),
        ("late", dt.date(2025, 1, 5), "2025-08", None),      # 7 months after signing
        ("limit", dt.date(2025, 1, 5), "2025-07", None),     # exactly 6: may still succeed, window open
        ("missed", dt.date(2025, 1, 5), "2025-02", None),    # window Feb-Apr is over
        ("noorder", dt.date(2025, 9, 1), None, None),        # 3 months, may still order
        ("noorder_late", dt.date(2025, 4, 1), None, None),   # Oct is 6 months after Apr... Dec is 8
    ], columns=["dealer_id", "signed_on", "first_order_month", "success_rule"])
    got = list(development_status(frame, rules, dt.date(2025, 12, 15)))
    assert got == ["a", "b", "never", "missed", "missed", "pending", "never"]
    # the same dealers seen in August: the July window is still open
    assert development_status(frame, rules, dt.date(2025, 8, 31))[3] == "pending"


def test_month_follows_a_new_filter_period(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    last = last_order_day(demo_path)
    at.selectbox(key="contest_month").set_value(f"{add_months(month_start(last), -2):%Y-%m}").run()
    new_end = dt.date(last.year, 6, 30)
    at.date_input(key="f_to").set_value(new_end).run()
    no_failure(at)
    assert at.selectbox(key="contest_month").value == f"{new_end:%Y-%m}"
