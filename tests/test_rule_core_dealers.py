"""R4 core dealers: ranking, exact 80% cut, ties, returns, scope, rules override, summary."""
import math

import pytest

from lib.rules.core_dealers import core_dealers, core_summary
from lib.rules_file import load_rules
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

START, END = d("2025-01-01"), d("2025-12-31")


def add_dealer(tdb, dealer_id, *amounts, territory_id="T1", order_date="2025-03-01"):
    tdb.add("dealers", dealer_id=dealer_id, territory_id=territory_id)
    for amount in amounts:
        tdb.add("orders", dealer_id=dealer_id, order_date=order_date, amount=amount)


@pytest.fixture
def network(tdb):
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")
    return tdb


def test_core_dealers_worked_example_reaches_exactly_80_percent(network, rules):
    # amounts 500, 300, 100, 60, 40: total 1000, line 800; cumulative 500, 800 -> core = D1, D2 (exactly 80%)
    add_dealer(network, "D3", 100)
    add_dealer(network, "D1", 200, 300)            # two orders summed: 500
    add_dealer(network, "D5", 40)
    add_dealer(network, "D2", 350, "-50")          # a return inside: 300
    add_dealer(network, "D4", 60)
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert list(out.columns) == ["dealer_id", "dealer_name", "amount", "cumulative_share", "is_core"]
    assert out["dealer_id"].tolist() == ["D1", "D2", "D3", "D4", "D5"]
    assert out["dealer_name"].tolist() == ["name-D1", "name-D2", "name-D3", "name-D4", "name-D5"]
    assert out["amount"].tolist() == [500.0, 300.0, 100.0, 60.0, 40.0]
    # cumulative 500 800 900 960 1000 over 1000
    assert out["cumulative_share"].tolist() == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0], abs=1e-12)
    assert out["is_core"].tolist() == [True, True, False, False, False]
    assert core_summary(out) == {"core_count": 2, "dealer_count": 5, "dealer_share": 0.4, "sales_share": 0.8,
                                 "total_amount": 1000.0}


def test_core_dealers_exact_decimal_line(network, rules):
    # 0.88 + 0.22 = 1.10; the line is 0.80 x 1.10 = 0.88 exactly (in floats 0.8 * 1.1 = 0.8800000000000001)
    # -> D1 alone reaches it
    add_dealer(network, "D1", "0.88")
    add_dealer(network, "D2", "0.22")
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert out["is_core"].tolist() == [True, False]
    assert out["cumulative_share"].tolist() == pytest.approx([0.8, 1.0], abs=1e-12)


def test_core_dealers_ties_broken_by_dealer_id(network, rules):
    # C 600, A 200, B 200: total 1000, line 800; ranking C, A, B (A before B on the tie);
    # cumulative 600, 800 -> core C, A; B has the same amount as A but is not core
    add_dealer(network, "B", 200)
    add_dealer(network, "C", 600)
    add_dealer(network, "A", 200)
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert out["dealer_id"].tolist() == ["C", "A", "B"]
    assert out["is_core"].tolist() == [True, True, False]


def test_core_dealers_one_cent_short_of_the_line_takes_the_next(network, rules):
    # 799.99 + 100.01 + 100.00 = 1000.00, line 800.00: 799.99 is short, 900.00 reaches -> 2 core
    add_dealer(network, "D1", "799.99")
    add_dealer(network, "D2", "100.01")
    add_dealer(network, "D3", "100.00")
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert out["is_core"].tolist() == [True, True, False]


def test_core_dealers_negative_total_has_no_core(network, rules):
    # D1 100, D2 -300 (returns): total -200 <= 0 -> nobody core, cumulative share empty
    add_dealer(network, "D1", 100)
    add_dealer(network, "D2", -300)
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert out["dealer_id"].tolist() == ["D1", "D2"]
    assert out["amount"].tolist() == [100.0, -300.0]
    assert out["cumulative_share"].isna().all()
    assert out["is_core"].tolist() == [False, False]
    summary = core_summary(out)
    assert summary["core_count"] == 0 and summary["dealer_count"] == 2
    assert summary["dealer_share"] == 0.0
    assert summary["sales_share"] is None
    assert summary["total_amount"] == -200.0


def test_core_dealers_with_a_net_return_dealer_in_a_positive_total(network, rules):
    # 700, 400, -100: total 1000, line 800; cumulative 700, 1100, 1000 -> core D1, D2
    add_dealer(network, "D1", 700)
    add_dealer(network, "D2", 400)
    add_dealer(network, "D3", -100)
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    assert out["is_core"].tolist() == [True, True, False]
    assert out["cumulative_share"].tolist() == pytest.approx([0.7, 1.1, 1.0], abs=1e-12)
    assert core_summary(out)["sales_share"] == pytest.approx(1.1, abs=1e-12)


def test_core_dealers_period_edges_scope_and_dealers_without_orders(network, rules):
    add_dealer(network, "D1", 100, order_date="2025-01-01")   # first day: in
    add_dealer(network, "D2", 50, order_date="2025-12-31")    # last day: in
    add_dealer(network, "D3", 999, order_date="2024-12-31")   # before: out
    add_dealer(network, "D4", 999, order_date="2026-01-01")   # after: out
    add_dealer(network, "D5")                                  # no orders: not ranked
    add_dealer(network, "N1", 70, territory_id="T2")           # 华北
    add_dealer(network, "Z0", 0)                               # an order row netting 0 is ranked
    out = core_dealers(network.con, rules, EVERYTHING, START, END)
    # ranking 100, 70, 50, 0: total 220, line 176; cumulative 100, 170, 220 -> core D1, N1, D2
    assert out["dealer_id"].tolist() == ["D1", "N1", "D2", "Z0"]
    assert out["is_core"].tolist() == [True, True, True, False]
    east = core_dealers(network.con, rules, Scope.of(regions=["华东"]), START, END)
    # 华东: 100, 50, 0: total 150, line 120 -> core D1, D2
    assert east["dealer_id"].tolist() == ["D1", "D2", "Z0"]
    assert east["is_core"].tolist() == [True, True, False]
    assert east["cumulative_share"].tolist() == pytest.approx([100 / 150, 1.0, 1.0], abs=1e-12)


def test_core_dealers_empty_scope(network, rules):
    add_dealer(network, "D1", 100)
    out = core_dealers(network.con, rules, Scope.of(regions=["西北"]), START, END)
    assert out.empty
    assert list(out.columns) == ["dealer_id", "dealer_name", "amount", "cumulative_share", "is_core"]
    assert core_summary(out) == {"core_count": 0, "dealer_count": 0, "dealer_share": None, "sales_share": None,
                                 "total_amount": 0.0}


def test_core_dealers_share_from_a_rules_file_changes_the_count(network, tmp_path, rules):
    for i, amount in enumerate([400, 300, 200, 100], start=1):
        add_dealer(network, f"D{i}", amount)
    # default 0.80: line 800, cumulative 400, 700, 900 -> 3 core
    assert core_dealers(network.con, rules, EVERYTHING, START, END)["is_core"].sum() == 3
    path = tmp_path / "rules.toml"
    path.write_text("[core]\nshare = 0.7\n", encoding="utf-8")
    # 0.70: line 700 reached exactly at 2
    out = core_dealers(network.con, load_rules(path), EVERYTHING, START, END)
    assert out["is_core"].tolist() == [True, True, False, False]
    assert core_summary(out)["sales_share"] == pytest.approx(0.7, abs=1e-12)


def test_core_summary_total_is_exact_to_the_cent(network, rules):
    # 0.10 + 0.20 = 0.30 exactly (not 0.30000000000000004)
    add_dealer(network, "D1", "0.20")
    add_dealer(network, "D2", "0.10")
    summary = core_summary(core_dealers(network.con, rules, EVERYTHING, START, END))
    assert summary["total_amount"] == 0.3
    # line 0.24: D1 0.20 short, 0.30 reaches -> both core
    assert summary["core_count"] == 2
    assert not math.isnan(summary["sales_share"]) and summary["sales_share"] == pytest.approx(1.0)
