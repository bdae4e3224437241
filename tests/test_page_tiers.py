"""Tiers page: the cards, the per-region bars, the transition matrix and the Sankey carry the numbers of
the `tiers`, `tier-moves` and `elimination` reports, in both languages, for the default filters, a
narrow filter and far-past periods; the flow and region drill-downs list the dealers of
lib.rules.tiers; the quarter box follows the link and the period."""
import datetime as dt

import pytest

from lib import db
from lib.periods import Quarter
from lib.reports import PeriodOptions, run_report
from lib.rules import tiers as rules_tiers
from lib.rules_file import default_rules
from lib.scope import Scope
from tests.apptest_helpers import figure_titled, frame_with_columns, metric, no_failure, run_page
from ui.show import column_label

PAGE = "pages/tiers.py"
TITLES = {"zh": {"distribution": "各大区分级分布", "matrix": "分级转移矩阵", "sankey": "分级变动"},
          "en": {"distribution": "Tiers per region", "matrix": "Transition matrix", "sankey": "Tier movement"}}
CARDS = {"zh": {"tiered": "本季分级经销商", "up": "升级", "down": "降级", "new": "新进", "exit": "退出",
                "candidates": "升级候选", "watch": "淘汰观察"},
         "en": {"tiered": "Dealers tiered", "up": "Moved up", "down": "Moved down", "new": "New", "exit": "Exited",
                "candidates": "Candidates", "watch": "Watch list"}}
FROM_TIERS = ("A", "B", "C", "D", "new")
TO_TIERS = ("A", "B", "C", "D", "exit")
EMPTY = {"zh": "当前筛选条件下没有数据", "en": "Nothing matches the current filters"}


def divisor(lang):
    return 10000 if lang == "zh" else 1


def with_con(demo_path, fn, *args, **kwargs):
    con = db.connect(demo_path)
    try:
        return fn(con, default_rules(), *args, **kwargs)
    finally:
        con.close()


def cli(demo_path, name, scope, options):
    return with_con(demo_path, run_report, name, scope, options)


def last_day(demo_path):
    con = db.connect(demo_path)
    try:
        return con.execute("SELECT max(order_date) FROM orders").fetchone()[0]
    finally:
        con.close()


def ids(frame, lang):
    return list(frame[column_label("dealer_id", lang)])


def assert_movement_figures(at, lang, moves):
    """The matrix cells and the Sankey links hold the tier-moves counts."""
    counts = {(a, b): n for a, b, n in zip(moves["from_tier"], moves["to_tier"], moves["dealers"])}
    heatmap = [tr for tr in figure_titled(at, TITLES[lang]["matrix"])["data"] if tr["type"] == "heatmap"][0]
    assert heatmap["z"] == [[counts.get((a, b)) for b in TO_TIERS] for a in FROM_TIERS]

    sankey = [tr for tr in figure_titled(at, TITLES[lang]["sankey"])["data"] if tr["type"] == "sankey"][0]
    held = moves[moves["dealers"] > 0]
    assert sankey["link"]["value"] == list(held["dealers"])
    assert [tuple(c) for c in sankey["link"]["customdata"]] == list(zip(held["from_tier"], held["to_tier"]))
    # each flow has a click point naming it like its link
    points = [tr for tr in figure_titled(at, TITLES[lang]["sankey"])["data"]
              if tr["type"] == "scatter" and tr.get("customdata")][0]
    assert points["customdata"] == sankey["link"]["customdata"]
    # distinct nodes per quarter: every flow goes from a left node to a right node
    assert len(sankey["node"]["label"]) == len(set(held["from_tier"])) + len(set(held["to_tier"]))
    assert min(sankey["link"]["target"]) > max(sankey["link"]["source"])


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query, scope", [({}, Scope()), ({"region": "华南"}, Scope.of(regions=["华南"]))])
def test_tiers_numbers_match_the_cli(demo_path, monkeypatch, lang, query, scope):
    at = run_page(monkeypatch, demo_path, PAGE, lang, query)
    no_failure(at)
    last = last_day(demo_path)
    quarter = Quarter.containing(last)  # the default: the quarter of the period end
    options = PeriodOptions(quarter=quarter, year=last.year, as_of=last)
    tiers = cli(demo_path, "tiers", scope, options)
    moves = cli(demo_path, "tier-moves", scope, options)
    watch = cli(demo_path, "elimination", scope, options)
    watch = watch[watch["status"] == "watch"]
    assert not tiers.empty and not watch.empty

    cards = CARDS[lang]
    assert metric(at, cards["tiered"]) == f"{len(tiers):,}"
    for movement in ("up", "down", "new"):
        assert metric(at, cards[movement]) == f"{(tiers['movement'] == movement).sum():,}"
    assert metric(at, cards["exit"]) == f"{moves.loc[moves['to_tier'] == 'exit', 'dealers'].sum():,}"
    assert metric(at, cards["candidates"]) == f"{tiers['upgrade_candidate'].sum():,}"
    assert metric(at, cards["watch"]) == f"{len(watch):,}"

    assert_movement_figures(at, lang, moves)

    distribution = with_con(demo_path, rules_tiers.tier_distribution, scope, quarter)
    bars = figure_titled(at, TITLES[lang]["distribution"])["data"]
    assert sum(sum(trace["y"]) for trace in bars) == len(tiers)
    for trace in bars:
        tier = trace["customdata"][0][1]
        expected = distribution[distribution["tier"] == tier].set_index("region")["dealers"]
        assert dict(zip(trace["x"], trace["y"])) == expected.to_dict()
    if scope.regions:
        assert bars[0]["x"] == ["华南"]

    # upgrade candidates: the report's flagged rows, with the next tier's line and the gap
    candidates = frame_with_columns(at, column_label("next_threshold", lang), column_label("gap", lang))
    flagged = rules_tiers.upgrade_candidates(tiers)
    assert ids(candidates, lang) == list(flagged["dealer_id"])
    shown_volume = candidates[column_label("volume", lang)] * divisor(lang)
    assert list(shown_volume) == pytest.approx(list(flagged["volume"]), abs=0.01)
    line = {"B": "threshold_a", "C": "threshold_b", "D": "threshold_c"}
    gaps = [row[line[row["tier"]]] - row["volume"] for _, row in flagged.iterrows()]
    assert list(candidates[column_label("gap", lang)] * divisor(lang)) == pytest.approx(gaps, abs=0.01)

    # the elimination watch list of the period's year as of its end
    shown_watch = frame_with_columns(at, column_label("achievement", lang), column_label("target_amount", lang))
    assert ids(shown_watch, lang) == list(watch["dealer_id"])
    assert list(shown_watch[column_label("achievement", lang)] / 100) == pytest.approx(list(watch["achievement"]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_drill_downs_list_the_dealers(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    no_failure(at)
    quarter = Quarter.containing(last_day(demo_path))
    moves = cli(demo_path, "tier-moves", Scope(), PeriodOptions(quarter=quarter))
    held = moves[moves["dealers"] > 0]
    flows = list(zip(held["from_tier"], held["to_tier"]))
    assert at.selectbox(key="tiers_drill").value is None

    # a movement between tiers (the one with most dealers), then a new dealer's flow
    changed = held[(held["from_tier"] != held["to_tier"]) & (held["from_tier"] != "new")]
    first = tuple(changed.sort_values("dealers").iloc[-1][["from_tier", "to_tier"]])
    for flow in [first] + [f for f in flows if f[0] == "new"][:1]:
        at.selectbox(key="tiers_drill").set_value("-".join(flow)).run()
        no_failure(at)
        shown = frame_with_columns(at, column_label("prev_volume", lang), column_label("movement", lang))
        expected = with_con(demo_path, rules_tiers.tier_dealers, Scope(), quarter, flow[0], flow[1])
        assert ids(shown, lang) == list(expected["dealer_id"])
        assert len(shown) == dict(zip(flows, held["dealers"]))[flow]
        assert list(shown[column_label("volume", lang)] * divisor(lang)) == pytest.approx(
            list(expected["volume"]), abs=0.01)

    tiers = with_con(demo_path, rules_tiers.tiers_with_region, Scope(), quarter)
    cell = (tiers["region"].iloc[0], "A")
    at.selectbox(key="tiers_region_drill").set_value(":".join(cell)).run()
    no_failure(at)
    shown = frame_with_columns(at, column_label("threshold_a", lang), column_label("peer_count", lang))
    expected = tiers[(tiers["region"] == cell[0]) & (tiers["tier"] == "A")]
    assert ids(shown, lang) == list(expected["dealer_id"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_up_while_volume_fell(demo_path, monkeypatch, lang):
    """The relative-tier story: every dealer listed moved up with a lower volume, and the line of the
    tier it reached fell below its volume."""
    last = last_day(demo_path)
    quarter = Quarter.containing(last).previous()
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"quarter": str(quarter)})
    no_failure(at)
    dealers = with_con(demo_path, rules_tiers.tier_dealers, Scope(), quarter)
    rose = dealers[(dealers["movement"] == "up") & (dealers["volume"] < dealers["prev_volume"])]
    assert not rose.empty  # the demo's Q3 has such dealers
    shown = frame_with_columns(at, column_label("prev_line", lang), column_label("line", lang))
    assert ids(shown, lang) == list(rose["dealer_id"])
    scaled = divisor(lang)
    for volume, line in zip(shown[column_label("volume", lang)], shown[column_label("line", lang)]):
        assert volume * scaled >= line * scaled - 0.01


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_link_restores_the_quarter(demo_path, monkeypatch, lang):
    quarter = Quarter.containing(last_day(demo_path)).previous().previous()
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"quarter": str(quarter)})
    no_failure(at)
    assert at.selectbox(key="tiers_quarter").value == str(quarter)
    assert_movement_figures(at, lang, cli(demo_path, "tier-moves", Scope(), PeriodOptions(quarter=quarter)))
    assert at.query_params.get("quarter") in (str(quarter), [str(quarter)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_link_restores_a_drill_down(demo_path, monkeypatch, lang):
    quarter = Quarter.containing(last_day(demo_path)).previous()
    moves = cli(demo_path, "tier-moves", Scope(), PeriodOptions(quarter=quarter))
    down = moves[(moves["from_tier"] == "A") & (moves["to_tier"] == "B")]
    assert down["dealers"].iloc[0] > 0
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"quarter": str(quarter), "flow": "A-B"})
    no_failure(at)
    assert at.selectbox(key="tiers_drill").value == "A-B"
    shown = frame_with_columns(at, column_label("prev_volume", lang), column_label("movement", lang))
    expected = with_con(demo_path, rules_tiers.tier_dealers, Scope(), quarter, "A", "B")
    assert ids(shown, lang) == list(expected["dealer_id"])
    # a link naming a quarter, flow or cell that does not exist opens the default view
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"quarter": "2025Q9", "flow": "Z-Q", "cell": "x:y"})
    no_failure(at)
    assert at.selectbox(key="tiers_quarter").value == str(Quarter.containing(last_day(demo_path)))
    assert at.selectbox(key="tiers_drill").value is None
    assert at.selectbox(key="tiers_region_drill").value is None


def test_tiers_quarter_follows_the_period_end(demo_path, monkeypatch):
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    last = last_day(demo_path)
    assert at.selectbox(key="tiers_quarter").value == str(Quarter.containing(last))
    end = dt.date(last.year, 6, 30)
    at.date_input(key="f_to").set_value(end).run()
    no_failure(at)
    assert at.selectbox(key="tiers_quarter").value == str(Quarter.containing(end))
    assert_movement_figures(at, "en", cli(demo_path, "tier-moves", Scope(),
                                          PeriodOptions(quarter=Quarter.containing(end))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_before_any_dealer_shows_empty_states(demo_path, monkeypatch, lang):
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2010-01-01", "to": "2010-03-31"})
    no_failure(at)
    assert metric(at, CARDS[lang]["tiered"]) == "0"
    assert metric(at, CARDS[lang]["watch"]) == "0"
    for title in TITLES[lang].values():
        figure = figure_titled(at, title)
        assert figure["data"] == [] and EMPTY[lang] in figure["layout"]["annotations"][0]["text"]
    assert not at.dataframe  # each list says it is empty instead
    assert [i.value for i in at.info].count(EMPTY[lang]) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiers_far_past_period_matches_the_cli(demo_path, monkeypatch, lang):
    """2015 Q1: before the first order, dealers signed earlier are active with no volume (all D)."""
    at = run_page(monkeypatch, demo_path, PAGE, lang, {"from": "2015-01-01", "to": "2015-03-31"})
    no_failure(at)
    options = PeriodOptions(quarter=Quarter(2015, 1), year=2015, as_of=dt.date(2015, 3, 31))
    tiers = cli(demo_path, "tiers", Scope(), options)
    assert set(tiers["tier"]) <= {"D"}
    assert metric(at, CARDS[lang]["tiered"]) == f"{len(tiers):,}"
    assert_movement_figures(at, lang, cli(demo_path, "tier-moves", Scope(), options))
