"""R2 weighted forecast: open opportunities, horizon edges, undated, weekly trend, drill-down."""
import datetime as dt

import pytest

from lib.rules.forecast import forecast, forecast_trend, open_opportunities
from lib.rules_file import load_rules
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

# D = 2025-06-30; horizon 90 days -> (2025-06-30, 2025-09-28]
AS_OF = d("2025-06-30")


def add_opportunity(tdb, opportunity_id, amount=None, close=None, stages=(), created_on="2025-06-01", **extra):
    tdb.add("opportunities", opportunity_id=opportunity_id, created_on=created_on, expected_amount=amount,
            expected_close_on=close, **extra)
    for stage, entered_on in stages:
        tdb.add("stage_history", opportunity_id=opportunity_id, stage=stage, entered_on=entered_on)


@pytest.fixture
def pipeline(tdb):
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")
    add_opportunity(tdb, "F1", 1000, "2025-07-15", [("market", "2025-06-01")])             # market, in horizon
    add_opportunity(tdb, "F2", 2000, "2025-09-28", [("lead", "2025-06-02"), ("qualified", "2025-06-02")])
    #   same-date rows: qualified wins; close exactly D + 90: included
    add_opportunity(tdb, "F3", 4000, "2025-06-30", [("lead", "2025-06-05")])               # close == D: excluded
    add_opportunity(tdb, "F4", 8000, "2025-09-29", [("signed", "2025-06-05")])             # D + 91: excluded
    add_opportunity(tdb, "F5", 16000, "2025-07-01", [("qualified", "2025-06-05")], lost_on="2025-06-30")  # lost on D
    add_opportunity(tdb, "F6", 32000, "2025-07-01", [("signed", "2025-06-05")], lost_on="2025-07-01")     # lost later
    add_opportunity(tdb, "F7", 777, "2025-07-01", [("signed", "2025-06-05"), ("paid", "2025-06-20")])   # paid
    add_opportunity(tdb, "F8", 500, None, [("lead", "2025-06-05")])                          # undated lead
    add_opportunity(tdb, "F9", None, "2025-08-01")                                           # no row: market, 0
    add_opportunity(tdb, "F10", 999, "2025-08-01", created_on="2025-07-01")                   # created after D
    add_opportunity(tdb, "F11", 64000, "2025-08-01", [("signed", "2025-06-10"), ("lead", "2025-06-20")])  # back
    add_opportunity(tdb, "F12", 128, "2025-08-01", [("market", "2025-06-01"), ("signed", "2025-07-05")])  # later row
    add_opportunity(tdb, "F13", 10, None)                                                     # undated market
    add_opportunity(tdb, "F14", 5000, "2025-08-01", [("qualified", "2025-06-05")], territory_id="T2")
    add_opportunity(tdb, "F15", 256, "2025-07-10", created_on="2025-06-30")                 # created on D: open
    return tdb


def test_forecast_horizon_edges_lost_paid_undated_and_moves_back(pipeline, rules):
    out = forecast(pipeline.con, rules, EVERYTHING, AS_OF)
    assert list(out.columns) == ["stage", "open_count", "expected_amount", "probability", "weighted_amount",
                                 "undated_count"]
    assert out["stage"].tolist() == ["market", "lead", "qualified", "signed"]
    # market: F1 1000 + F9 0 + F12 128 (signed only on 07-05) + F15 256 (created on D) = 4, 1384,
    #         x0.05 = 69.20; undated F13
    # lead: F11 64000 (moved back from signed; F3 closes on D) = 1, x0.10 = 6400.00; undated F8
    # qualified: F2 2000 + F14 5000 = 2, 7000 x0.40 = 2800.00 (F5 was lost on D)
    # signed: F6 32000 (lost only after D; F4 beyond the horizon; F7 paid) = 1, x0.80 = 25600.00
    assert out["open_count"].tolist() == [4, 1, 2, 1]
    assert out["expected_amount"].tolist() == [1384.0, 64000.0, 7000.0, 32000.0]
    assert out["probability"].tolist() == [0.05, 0.10, 0.40, 0.80]
    assert out["weighted_amount"].tolist() == [69.20, 6400.0, 2800.0, 25600.0]
    assert out["undated_count"].tolist() == [1, 1, 0, 0]


def test_forecast_scope_and_empty_scope(pipeline, rules):
    north = forecast(pipeline.con, rules, Scope.of(regions=["华北"]), AS_OF)
    # only F14: qualified 5000 x 0.40 = 2000.00
    assert north["open_count"].tolist() == [0, 0, 1, 0]
    assert north["weighted_amount"].tolist() == [0.0, 0.0, 2000.0, 0.0]
    nobody = forecast(pipeline.con, rules, Scope.of(regions=["西北"]), AS_OF)
    assert nobody["open_count"].tolist() == [0, 0, 0, 0]
    assert nobody["expected_amount"].tolist() == [0.0] * 4
    assert nobody["undated_count"].tolist() == [0, 0, 0, 0]


def test_forecast_weighted_amount_is_exact_decimal_rounded_to_cent(tdb, rules):
    tdb.add("territories", territory_id="T1")
    # lead 0.10: 12345.67 + 0.01 = 12345.68 x 0.10 = 1234.568 -> 1234.57
    add_opportunity(tdb, "A", "12345.67", "2025-07-01", [("lead", "2025-06-01")])
    add_opportunity(tdb, "B", "0.01", "2025-07-01", [("lead", "2025-06-01")])
    # qualified 0.40: 0.35 x 0.40 = 0.14 exactly (0.35 * 0.4 in floats is 0.13999999999999999)
    add_opportunity(tdb, "C", "0.35", "2025-07-01", [("qualified", "2025-06-01")])
    out = forecast(tdb.con, rules, EVERYTHING, AS_OF).set_index("stage")
    assert out.at["lead", "weighted_amount"] == 1234.57
    assert out.at["qualified", "weighted_amount"] == 0.14


def test_forecast_probabilities_and_horizon_from_a_rules_file(pipeline, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[funnel]\nprobabilities = { market = 0.5 }\nforecast_horizon_days = 91\n", encoding="utf-8")
    rules = load_rules(path)
    out = forecast(pipeline.con, rules, EVERYTHING, AS_OF)
    # market now 0.5: 1384 x 0.5 = 692.00; the others keep their defaults
    # horizon 91 takes F4 (closes D + 91): signed 32000 + 8000 = 40000 x 0.80 = 32000.00
    assert out["probability"].tolist() == [0.5, 0.10, 0.40, 0.80]
    assert out["weighted_amount"].tolist() == [692.0, 6400.0, 2800.0, 32000.0]
    assert out["open_count"].tolist() == [4, 1, 2, 2]


def test_forecast_trend_matches_forecast_on_each_friday(pipeline, rules):
    start, end = d("2025-06-18"), d("2025-07-12")  # Fridays 06-20, 06-27, 07-04, 07-11
    trend = forecast_trend(pipeline.con, rules, EVERYTHING, start, end)
    assert list(trend.columns) == ["week_ending", "stage", "open_count", "weighted_amount"]
    fridays = [d("2025-06-20"), d("2025-06-27"), d("2025-07-04"), d("2025-07-11")]
    assert trend["week_ending"].tolist() == [f for f in fridays for _ in range(4)]
    assert trend["stage"].tolist() == ["market", "lead", "qualified", "signed"] * 4
    for friday in fridays:
        expected = forecast(pipeline.con, rules, EVERYTHING, friday)
        got = trend[trend["week_ending"] == friday]
        assert got["open_count"].tolist() == expected["open_count"].tolist(), friday
        assert got["weighted_amount"].tolist() == expected["weighted_amount"].tolist(), friday


def test_forecast_trend_hand_numbers_on_one_friday(pipeline, rules):
    # Friday 2025-07-11, horizon to 2025-10-09:
    # market: F1 1000 (closes 07-15) + F9 0 + F10 999 (created 07-01) = 1999 -> 3, 99.95
    #   (F12 is signed since 07-05, F13 undated, F15 closed 07-10)
    # lead: F11 64000 -> 1, 6400.00 (F3 closed 06-30, F8 undated)
    # qualified: F2 2000 + F14 5000 = 7000 -> 2, 2800.00 (F5 lost 06-30)
    # signed: F4 8000 (now in horizon) + F12 128 = 8128 -> 2, 6502.40 (F6 lost 07-01, F7 paid)
    trend = forecast_trend(pipeline.con, rules, EVERYTHING, d("2025-07-11"), d("2025-07-11"))
    assert trend["week_ending"].tolist() == [d("2025-07-11")] * 4
    assert trend["open_count"].tolist() == [3, 1, 2, 2]
    assert trend["weighted_amount"].tolist() == [99.95, 6400.0, 2800.0, 6502.40]
    # 华北 holds only F14: qualified 5000 x 0.40 = 2000.00
    north = forecast_trend(pipeline.con, rules, Scope.of(regions=["华北"]), d("2025-07-11"), d("2025-07-11"))
    assert north["open_count"].tolist() == [0, 0, 1, 0]
    assert north["weighted_amount"].tolist() == [0.0, 0.0, 2000.0, 0.0]


def test_forecast_trend_without_a_friday_is_empty(pipeline, rules):
    # 2025-07-05 (Sat) .. 2025-07-10 (Thu) holds no Friday
    trend = forecast_trend(pipeline.con, rules, EVERYTHING, d("2025-07-05"), d("2025-07-10"))
    assert trend.empty
    assert list(trend.columns) == ["week_ending", "stage", "open_count", "weighted_amount"]


def test_forecast_trend_over_a_long_range_matches_forecast(pipeline, rules):
    start = d("2025-05-02")
    trend = forecast_trend(pipeline.con, rules, EVERYTHING, start, d("2025-10-31"))
    # 2025-05-02 .. 2025-10-31 are both Fridays: 27 weeks x 4 stages
    assert len(trend) == 27 * 4
    for week in range(0, 27, 3):
        friday = start + dt.timedelta(days=7 * week)
        expected = forecast(pipeline.con, rules, EVERYTHING, friday)
        got = trend[trend["week_ending"] == friday]
        assert got["open_count"].tolist() == expected["open_count"].tolist(), friday
        assert got["weighted_amount"].tolist() == expected["weighted_amount"].tolist(), friday


def test_open_opportunities_drill_down(pipeline, rules):
    out = open_opportunities(pipeline.con, rules, EVERYTHING, AS_OF)
    assert list(out.columns) == ["opportunity_id", "prospect_name", "salesperson_id", "territory_id",
                                 "current_stage", "profit_band", "expected_amount", "expected_profit",
                                 "expected_close_on"]
    # open on D, no horizon: F1 F9 F12 F13 F15 (market), F3 F8 F11 (lead), F2 F14 (qualified), F4 F6 (signed)
    # not open: F5 (lost on D), F7 (paid), F10 (created after D)
    assert sorted(out["opportunity_id"]) == sorted(["F1", "F9", "F12", "F13", "F15", "F3", "F8", "F11", "F2",
                                                    "F14", "F4", "F6"])
    lead = open_opportunities(pipeline.con, rules, EVERYTHING, AS_OF, stage="lead")
    # ordered by close date, undated last: F3 06-30, F11 08-01, F8 undated
    assert lead["opportunity_id"].tolist() == ["F3", "F11", "F8"]
    assert lead["expected_close_on"].tolist() == [d("2025-06-30"), d("2025-08-01"), None]
    assert lead["profit_band"].tolist() == ["low", "low", "low"]
    assert open_opportunities(pipeline.con, rules, EVERYTHING, AS_OF, profit_band="high").empty


def test_open_opportunities_rejects_unknown_stage_or_band(pipeline, rules):
    with pytest.raises(ValueError):
        open_opportunities(pipeline.con, rules, EVERYTHING, AS_OF, stage="paid")
    with pytest.raises(ValueError):
        open_opportunities(pipeline.con, rules, EVERYTHING, AS_OF, profit_band="huge")
