"""R1 cohort funnel: counts by highest stage, conversions, stage velocity, drill-down."""
import math

import pytest

from lib.rules.funnel import funnel, funnel_opportunities
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

STAGES = ["market", "lead", "qualified", "signed", "paid"]


def add_opportunity(tdb, opportunity_id, created_on, amount=None, stages=(), **extra):
    tdb.add("opportunities", opportunity_id=opportunity_id, created_on=created_on, expected_amount=amount, **extra)
    for stage, entered_on in stages:
        tdb.add("stage_history", opportunity_id=opportunity_id, stage=stage, entered_on=entered_on)


@pytest.fixture
def cohort_db(tdb):
    """The worked cohort of Q1 2025 (as_of = 2025-03-31)."""
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")
    # P1 goes all the way: highest paid.
    add_opportunity(tdb, "P1", "2025-01-05", 100, [("market", "2025-01-05"), ("lead", "2025-01-10"),
                    ("qualified", "2025-01-20"), ("signed", "2025-02-01"), ("paid", "2025-02-15")])
    # P2 reaches qualified.
    add_opportunity(tdb, "P2", "2025-01-10", 200, [("market", "2025-01-10"), ("lead", "2025-01-13"),
                    ("qualified", "2025-01-30")])
    # P3 enters at lead without a market row: counts at market too.
    add_opportunity(tdb, "P3", "2025-02-01", 300, [("lead", "2025-02-03")], territory_id="T2")
    # P4 has no stage row and no amount: market, amount 0.
    add_opportunity(tdb, "P4", "2025-02-15", None)
    # P5 reaches qualified, then moves back to lead: the funnel uses the highest (qualified).
    add_opportunity(tdb, "P5", "2025-03-01", 400, [("market", "2025-03-01"), ("lead", "2025-03-05"),
                    ("qualified", "2025-03-10"), ("lead", "2025-03-20")])
    # P7 is lost after reaching lead: keeps its stages.
    add_opportunity(tdb, "P7", "2025-03-10", 50, [("market", "2025-03-10"), ("lead", "2025-03-13")],
                    lost_on="2025-03-25", lost_reason="price")
    # P8 enters lead after as_of: only market counts.
    add_opportunity(tdb, "P8", "2025-03-15", 70, [("market", "2025-03-15"), ("lead", "2025-04-02")])
    # P6 was created before the period: not in the cohort.
    add_opportunity(tdb, "P6", "2024-12-31", 1000, [("market", "2024-12-31"), ("lead", "2025-01-02")])
    return tdb


def by_stage(frame):
    return frame.set_index("stage")


def test_funnel_worked_cohort_counts_amounts_conversions(cohort_db, rules):
    out = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"))
    assert list(out.columns) == ["stage", "stage_order", "count", "amount", "conversion_from_previous",
                                 "conversion_from_top", "median_days_from_previous"]
    assert out["stage"].tolist() == STAGES
    assert out["stage_order"].tolist() == [1, 2, 3, 4, 5]
    # market: P1 P2 P3 P4 P5 P7 P8 = 7, amount 100+200+300+0+400+50+70 = 1120
    # lead: P1 P2 P3 P5 P7 = 5, amount 1050; qualified: P1 P2 P5 = 3, amount 700
    # signed: P1 = 1, amount 100; paid: P1 = 1, amount 100
    assert out["count"].tolist() == [7, 5, 3, 1, 1]
    assert out["amount"].tolist() == [1120.0, 1050.0, 700.0, 100.0, 100.0]
    # from previous: -, 5/7, 3/5, 1/3, 1/1; from top: 1, 5/7, 3/7, 1/7, 1/7
    assert math.isnan(out["conversion_from_previous"][0])
    assert out["conversion_from_previous"][1:].tolist() == pytest.approx([5 / 7, 3 / 5, 1 / 3, 1.0], abs=1e-12)
    assert out["conversion_from_top"].tolist() == pytest.approx([1.0, 5 / 7, 3 / 7, 1 / 7, 1 / 7], abs=1e-12)


def test_funnel_stage_velocity_medians_even_count_and_skipped_stage(cohort_db, rules):
    out = by_stage(funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31")))
    # market -> lead over those with both rows: P1 5, P2 3, P5 4, P7 3 (P3 has no market row, P8's lead
    # is after as_of) -> sorted 3 3 4 5, even count: (3 + 4) / 2 = 3.5
    assert out.at["lead", "median_days_from_previous"] == 3.5
    # lead -> qualified: P1 10, P2 17, P5 5 (first lead 03-05, not the move back on 03-20) -> 10
    assert out.at["qualified", "median_days_from_previous"] == 10.0
    # qualified -> signed: P1 12; signed -> paid: P1 14
    assert out.at["signed", "median_days_from_previous"] == 12.0
    assert out.at["paid", "median_days_from_previous"] == 14.0
    assert math.isnan(out.at["market", "median_days_from_previous"])


def test_funnel_as_of_ignores_later_stage_rows_and_later_opportunities(cohort_db, rules):
    # as_of 2025-01-31: P1 has market, lead, qualified (signed is 02-01); P2 market, lead, qualified (01-30).
    # P3..P8 are created after 01-31: they do not exist yet and count nowhere.
    out = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), as_of=d("2025-01-31"))
    assert out["count"].tolist() == [2, 2, 2, 0, 0]
    assert out["amount"].tolist() == [300.0, 300.0, 300.0, 0.0, 0.0]
    # signed: 0/2 = 0; paid: 0/0 is empty
    assert out["conversion_from_previous"][3] == 0.0
    assert math.isnan(out["conversion_from_previous"][4])
    # a stage row entered exactly on as_of counts: as_of 2025-01-30 still has P2 at qualified
    on_day = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), as_of=d("2025-01-30"))
    assert on_day["count"].tolist() == [2, 2, 2, 0, 0]
    # one day earlier P2 is only at lead: qualified = P1 alone
    before = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), as_of=d("2025-01-29"))
    assert before["count"].tolist() == [2, 2, 1, 0, 0]


def test_funnel_period_edges_are_inclusive(cohort_db, rules):
    # [2025-01-05, 2025-03-01]: P1 (created on the first day) .. P5 (created on the last day)
    # -> P1 P2 P3 P4 P5 = 5; lead P1 P2 P3 P5 = 4; qualified P1 P2 P5 = 3
    out = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-05"), d("2025-03-01"), as_of=d("2025-03-31"))
    assert out["count"].tolist() == [5, 4, 3, 1, 1]


def test_funnel_scope_filters_opportunities_by_territory(cohort_db, rules):
    # 华北 holds only P3 (T2): market 1, lead 1, amount 300
    out = funnel(cohort_db.con, rules, Scope.of(regions=["华北"]), d("2025-01-01"), d("2025-03-31"))
    assert out["count"].tolist() == [1, 1, 0, 0, 0]
    assert out["amount"].tolist() == [300.0, 300.0, 0.0, 0.0, 0.0]
    assert out["conversion_from_top"].tolist()[:3] == [1.0, 1.0, 0.0]


def test_funnel_empty_cohort_counts_zero_and_rates_empty(cohort_db, rules):
    # nothing created in 2023
    out = funnel(cohort_db.con, rules, EVERYTHING, d("2023-01-01"), d("2023-12-31"))
    assert out["stage"].tolist() == STAGES
    assert out["count"].tolist() == [0, 0, 0, 0, 0]
    assert out["amount"].tolist() == [0.0] * 5
    for column in ("conversion_from_previous", "conversion_from_top", "median_days_from_previous"):
        assert out[column].isna().all()


def test_funnel_empty_database(tdb, rules):
    out = funnel(tdb.con, rules, EVERYTHING, d("2025-01-01"), d("2025-12-31"))
    assert out["count"].tolist() == [0, 0, 0, 0, 0]
    assert out["conversion_from_top"].isna().all()


def test_funnel_amounts_are_exact_to_the_cent(tdb, rules):
    tdb.add("territories", territory_id="T1")
    # 0.10 + 0.20 + 1234567.89 = 1234568.19 exactly (floats would give ...18999999)
    add_opportunity(tdb, "A", "2025-01-01", "0.10")
    add_opportunity(tdb, "B", "2025-01-02", "0.20")
    add_opportunity(tdb, "C", "2025-01-03", "1234567.89")
    out = funnel(tdb.con, rules, EVERYTHING, d("2025-01-01"), d("2025-01-31"))
    assert out["amount"][0] == 1234568.19


def test_funnel_opportunities_drill_down_lists_highest_and_current(cohort_db, rules):
    out = funnel_opportunities(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), "qualified")
    assert list(out.columns) == ["opportunity_id", "prospect_name", "territory_id", "salesperson_id", "created_on",
                                 "expected_amount", "highest_stage", "current_stage", "lost_on"]
    # reached qualified: P1 (paid, current paid), P2 (qualified), P5 (highest qualified, moved back to lead)
    assert out["opportunity_id"].tolist() == ["P1", "P2", "P5"]
    assert out["highest_stage"].tolist() == ["paid", "qualified", "qualified"]
    assert out["current_stage"].tolist() == ["paid", "qualified", "lead"]
    assert out["created_on"].tolist() == [d("2025-01-05"), d("2025-01-10"), d("2025-03-01")]
    assert out["expected_amount"].tolist() == [100.0, 200.0, 400.0]
    assert out["lost_on"].tolist() == [None, None, None]


def test_funnel_opportunities_market_is_the_whole_cohort_and_counts_match(cohort_db, rules):
    frame = funnel(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"))
    for order, stage in enumerate(STAGES, start=1):
        listed = funnel_opportunities(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), stage)
        assert len(listed) == frame["count"][order - 1]
    market = funnel_opportunities(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), "market")
    # P4 (no stage row, no amount) is at market on both counts; P7 keeps its lost date
    p4 = market.set_index("opportunity_id").loc["P4"]
    assert (p4["highest_stage"], p4["current_stage"]) == ("market", "market")
    assert math.isnan(p4["expected_amount"])
    assert market.set_index("opportunity_id").at["P7", "lost_on"] == d("2025-03-25")
    # stage by order works too: 4 = signed -> P1
    assert funnel_opportunities(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"),
                                4)["opportunity_id"].tolist() == ["P1"]


def test_funnel_opportunities_rejects_unknown_stage(cohort_db, rules):
    with pytest.raises(ValueError):
        funnel_opportunities(cohort_db.con, rules, EVERYTHING, d("2025-01-01"), d("2025-03-31"), "won")
