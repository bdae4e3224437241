"""R13 sales drivers (covered x active rate x average amount, LMDI split), KPI cards, monthly series."""
import math

import pytest

from lib.rules.drivers import drivers, monthly_sales, sales_kpis
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

P1 = dict(start=d("2025-01-01"), end=d("2025-12-31"), vs_start=d("2024-01-01"), vs_end=d("2024-12-31"))


@pytest.fixture
def network(tdb):
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")

    def dealer(dealer_id, signed_on="2023-01-01", orders=(), payments=(), **extra):
        tdb.add("dealers", dealer_id=dealer_id, signed_on=signed_on, **extra)
        for order_date, amount in orders:
            tdb.add("orders", dealer_id=dealer_id, order_date=order_date, amount=amount)
        for paid_on, amount in payments:
            tdb.add("payments", dealer_id=dealer_id, paid_on=paid_on, amount=amount)

    dealer("A", orders=[("2024-05-01", 1000), ("2025-02-10", 1000), ("2025-03-20", 500)],
           payments=[("2025-02-01", 300), ("2025-03-01", -50)])
    dealer("B", orders=[("2024-06-01", 500)], payments=[("2024-05-01", 100)])
    dealer("C", signed_on="2025-03-01", orders=[("2025-04-05", 1200)], payments=[("2026-01-01", 999)])
    dealer("E", orders=[("2024-07-01", 300), ("2025-04-20", 700)], payments=[("2025-12-31", 20)],
           status="terminated", terminated_on="2025-06-30")
    dealer("F")
    dealer("G", orders=[("2025-03-01", 200), ("2025-03-02", -200)])
    dealer("H", signed_on="2025-01-01")
    return tdb


def test_drivers_worked_lmdi_example(network, rules):
    out = drivers(network.con, rules, EVERYTHING, **P1)
    assert list(out.columns) == ["factor", "period_value", "comparison_value", "contribution"]
    assert out["factor"].tolist() == ["covered", "active_rate", "avg_amount", "sales"]
    v = out.set_index("factor")
    # 2025: covered at 12-31 = A B C F G H = 6 (E terminated 06-30); active A C G = 3 (G nets 0 but ordered);
    #       sales 1500 + 1200 + 0 = 2700 (E's 700 is not from a covered dealer); rate 0.5; avg 900
    # 2024: covered at 12-31 = A B E F G = 5 (C, H not signed yet); active A B E = 3; sales 1800; rate 0.6; avg 600
    assert v.at["covered", "period_value"] == 6 and v.at["covered", "comparison_value"] == 5
    assert v.at["active_rate", "period_value"] == 0.5 and v.at["active_rate", "comparison_value"] == 0.6
    assert v.at["avg_amount", "period_value"] == 900.0 and v.at["avg_amount", "comparison_value"] == 600.0
    assert v.at["sales", "period_value"] == 2700.0 and v.at["sales", "comparison_value"] == 1800.0
    # L = 900 / ln 1.5 = 2219.6731161387884
    # covered: L ln(6/5) = 404.69425810811225; rate: L ln(0.5/0.6) = -404.69425810811225;
    # avg: L ln(900/600) = 900 exactly; sales: the whole change 900
    assert v.at["covered", "contribution"] == pytest.approx(404.69425810811225, abs=1e-9)
    assert v.at["active_rate", "contribution"] == pytest.approx(-404.69425810811225, abs=1e-9)
    assert v.at["avg_amount", "contribution"] == pytest.approx(900.0, abs=1e-9)
    assert v.at["sales", "contribution"] == 900.0
    assert out["contribution"][:3].sum() == pytest.approx(2700.0 - 1800.0, abs=1e-9)


def test_drivers_second_hand_example_sums_to_the_change(tdb, rules):
    tdb.add("territories", territory_id="T1")
    for dealer_id in "ABCD":
        tdb.add("dealers", dealer_id=dealer_id)
    tdb.add("dealers", dealer_id="E", status="terminated", terminated_on="2025-03-01")
    for dealer_id, day, amount in [("A", "2024-02-01", 400), ("E", "2024-03-01", 300), ("E", "2025-01-15", 100),
                                   ("A", "2025-02-01", 500), ("B", "2025-03-01", 300), ("C", "2025-04-01", 200)]:
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=amount)
    out = drivers(tdb.con, rules, EVERYTHING, start=d("2025-01-01"), end=d("2025-06-30"),
                  vs_start=d("2024-01-01"), vs_end=d("2024-06-30")).set_index("factor")
    # period: covered A B C D = 4, active A B C = 3, sales 1000 (E no longer covered); avg 333.33
    # comparison: covered A..E = 5, active A E = 2, sales 700; rate 0.4; avg 350
    assert out["period_value"].tolist() == [4, 0.75, 333.33, 1000.0]
    assert out["comparison_value"].tolist() == [5, 0.4, 350.0, 700.0]
    log_mean = 300 / math.log(1000 / 700)  # 841.1020...
    expected = {"covered": log_mean * math.log(4 / 5),                     # -187.69...
                "active_rate": log_mean * math.log(0.75 / 0.4),            # +528.72...
                "avg_amount": log_mean * math.log((1000 / 3) / 350)}      # -41.04...
    for factor, value in expected.items():
        assert out.at[factor, "contribution"] == pytest.approx(value, rel=1e-12)
    assert sum(out.at[f, "contribution"] for f in expected) == pytest.approx(300.0, abs=1e-9)


def test_drivers_period_boundaries(tdb, rules):
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="K", signed_on="2025-03-31")                  # signed on the period end: covered
    tdb.add("dealers", dealer_id="L", signed_on="2023-01-01", status="terminated", terminated_on="2025-03-31")
    tdb.add("dealers", dealer_id="M", signed_on="2024-01-01")
    for dealer_id, day, amount in [("K", "2025-03-31", 100), ("L", "2025-03-15", 7), ("M", "2024-01-01", 50),
                                   ("M", "2025-01-01", 80), ("M", "2025-04-01", 999)]:
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=amount)
    out = drivers(tdb.con, rules, EVERYTHING, start=d("2025-01-01"), end=d("2025-03-31"),
                  vs_start=d("2024-01-01"), vs_end=d("2024-03-31")).set_index("factor")
    # period: covered K M = 2 (L terminated on the end day); active K M = 2; sales 100 + 80 = 180 (M's 04-01 out)
    # comparison: covered L M = 2; active M (50 on the first day) = 1; sales 50
    assert out["period_value"].tolist() == [2, 1.0, 90.0, 180.0]
    assert out["comparison_value"].tolist() == [2, 0.5, 50.0, 50.0]
    # L = 130 / ln 3.6; covered 0; rate L ln 2; avg L ln 1.8; together 130
    log_mean = 130 / math.log(3.6)
    assert out.at["covered", "contribution"] == 0.0
    assert out.at["active_rate", "contribution"] == pytest.approx(log_mean * math.log(2), rel=1e-12)
    assert out.at["avg_amount", "contribution"] == pytest.approx(log_mean * math.log(1.8), rel=1e-12)
    assert out["contribution"][:3].sum() == pytest.approx(130.0, abs=1e-9)


def test_drivers_equal_sales_use_the_sales_as_log_mean(tdb, rules):
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="A")
    tdb.add("dealers", dealer_id="B")
    tdb.add("orders", dealer_id="A", order_date="2024-03-01", amount=600)
    tdb.add("orders", dealer_id="A", order_date="2025-03-01", amount=300)
    tdb.add("orders", dealer_id="B", order_date="2025-03-01", amount=300)
    out = drivers(tdb.con, rules, EVERYTHING, **P1).set_index("factor")
    # S1 = S0 = 600, L = 600; covered 2 = 2 -> 0; rate 1 vs 0.5 -> 600 ln 2 = 415.888...; avg 300 vs 600 -> -415.888...
    assert out.at["covered", "contribution"] == 0.0
    assert out.at["active_rate", "contribution"] == pytest.approx(600 * math.log(2), rel=1e-12)
    assert out.at["avg_amount", "contribution"] == pytest.approx(-600 * math.log(2), rel=1e-12)
    assert out.at["sales", "contribution"] == 0.0


def test_drivers_zero_value_gives_empty_contributions(network, rules):
    # comparison 2022: every dealer signed in 2023 or later -> 0 covered, rate and avg empty, sales 0
    out = drivers(network.con, rules, EVERYTHING, start=d("2025-01-01"), end=d("2025-12-31"),
                  vs_start=d("2022-01-01"), vs_end=d("2022-12-31")).set_index("factor")
    assert out.at["covered", "comparison_value"] == 0
    assert out.at["active_rate", "comparison_value"] is None
    assert out.at["avg_amount", "comparison_value"] is None
    assert out.at["sales", "comparison_value"] == 0.0
    assert out["contribution"].isna().all()
    # a period with covered dealers but no order: active 0 -> rate 0, avg empty, split empty
    quiet = drivers(network.con, rules, EVERYTHING, start=d("2026-01-01"), end=d("2026-03-31"),
                    **{"vs_start": d("2025-01-01"), "vs_end": d("2025-12-31")}).set_index("factor")
    # 2026-03-31: covered A B C F G H = 6, none ordered
    assert quiet.at["covered", "period_value"] == 6
    assert quiet.at["active_rate", "period_value"] == 0.0
    assert quiet.at["avg_amount", "period_value"] is None
    assert quiet["contribution"].isna().all()


def test_drivers_negative_sales_give_empty_contributions(network, rules):
    network.add("orders", dealer_id="F", order_date="2025-06-01", amount=-5000)
    out = drivers(network.con, rules, EVERYTHING, **P1).set_index("factor")
    # sales 2700 - 5000 = -2300; active A C F G = 4; avg -575
    assert out.at["sales", "period_value"] == -2300.0
    assert out.at["avg_amount", "period_value"] == -575.0
    assert out["contribution"].isna().all()


def test_drivers_zero_covered_dealers(network, rules):
    out = drivers(network.con, rules, Scope.of(regions=["华北"]), **P1).set_index("factor")
    assert out["period_value"].tolist() == [0, None, None, 0.0]
    assert out["comparison_value"].tolist() == [0, None, None, 0.0]
    assert out["contribution"].isna().all()


def test_sales_kpis_cards(network, rules):
    out = sales_kpis(network.con, rules, EVERYTHING, **P1)
    assert list(out.columns) == ["sales", "comparison_sales", "growth", "active_dealers",
                                 "comparison_active_dealers", "new_dealers", "comparison_new_dealers",
                                 "collections", "comparison_collections"]
    row = out.iloc[0]
    # 2025 sales, every in-scope dealer: A 1500 + C 1200 + E 700 + G 0 = 3400; 2024: 1000 + 500 + 300 = 1800
    assert row["sales"] == 3400.0 and row["comparison_sales"] == 1800.0
    # growth (3400 - 1800) / 1800 = 0.888...
    assert row["growth"] == pytest.approx(1600 / 1800, abs=1e-12)
    # active: 2025 A C E G = 4; 2024 A B E = 3. new: 2025 C H = 2; 2024 none
    assert (row["active_dealers"], row["comparison_active_dealers"]) == (4, 3)
    assert (row["new_dealers"], row["comparison_new_dealers"]) == (2, 0)
    # collections 2025: 300 - 50 + 20 (E, on the last day) = 270 (C's 999 is 2026); 2024: 100
    assert (row["collections"], row["comparison_collections"]) == (270.0, 100.0)


def test_sales_kpis_growth_empty_without_comparison_sales(network, rules):
    out = sales_kpis(network.con, rules, EVERYTHING, start=d("2025-01-01"), end=d("2025-12-31"),
                     vs_start=d("2022-01-01"), vs_end=d("2022-12-31"))
    assert out.at[0, "comparison_sales"] == 0.0
    assert math.isnan(out.at[0, "growth"])
    empty = sales_kpis(network.con, rules, Scope.of(regions=["华北"]), **P1)
    assert empty.iloc[0][["sales", "active_dealers", "new_dealers", "collections"]].tolist() == [0.0, 0, 0, 0.0]
    assert math.isnan(empty.at[0, "growth"])


def test_monthly_sales_series_keeps_zero_months_and_clips_to_range(network, rules):
    out = monthly_sales(network.con, rules, EVERYTHING, d("2025-02-15"), d("2025-04-10"))
    assert list(out.columns) == ["month", "sales", "collections", "active_dealers", "new_dealers"]
    assert out["month"].tolist() == ["2025-02", "2025-03", "2025-04"]
    # Feb: A's 02-10 order is before the range -> 0; Mar: A 500 + G (200 - 200) = 500, 2 dealers;
    # Apr: C 1200 (04-05), E's 04-20 is after the range
    assert out["sales"].tolist() == [0.0, 500.0, 1200.0]
    assert out["active_dealers"].tolist() == [0, 2, 1]
    # collections: A's -50 reversal on 03-01; new dealers: C signed 2025-03-01
    assert out["collections"].tolist() == [0.0, -50.0, 0.0]
    assert out["new_dealers"].tolist() == [0, 1, 0]


def test_monthly_sales_sums_match_the_kpis(network, rules):
    series = monthly_sales(network.con, rules, EVERYTHING, d("2025-01-01"), d("2025-12-31"))
    assert len(series) == 12
    kpis = sales_kpis(network.con, rules, EVERYTHING, **P1).iloc[0]
    assert series["sales"].sum() == kpis["sales"] == 3400.0
    assert series["collections"].sum() == kpis["collections"] == 270.0
    assert series["new_dealers"].sum() == kpis["new_dealers"] == 2


def test_sales_by_region_equals_the_cards_of_each_region(demo_path, rules):
    """One query per page, not one per region: the same numbers as sales_kpis narrowed to a region."""
    import datetime as dt

    from lib import db
    from lib.rules.drivers import sales_by_region, sales_kpis
    from lib.scope import Scope

    con = db.connect(demo_path)
    period = (dt.date(2025, 1, 1), dt.date(2025, 9, 30), dt.date(2024, 1, 1), dt.date(2024, 9, 30))
    regions = ["华东", "华南", "东北", "nowhere"]
    frame = sales_by_region(con, rules, Scope(), regions, *period).set_index("region")
    for region in regions:
        kpi = sales_kpis(con, rules, Scope.of(regions=[region]), *period).iloc[0]
        assert frame.at[region, "sales"] == kpi["sales"]
        assert frame.at[region, "comparison_sales"] == kpi["comparison_sales"]
        assert frame.at[region, "active_dealers"] == kpi["active_dealers"]
    assert frame.at["nowhere", "sales"] == 0
    con.close()
