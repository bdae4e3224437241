"""R8 successful new-dealer development: the `new-dealers` report (lib/rules/new_dealers.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from lib.rules.new_dealers import new_dealers
from lib.rules_file import load_rules
from lib.scope import Scope


def setup_territories(tdb):
    tdb.add("territories", territory_id="T1", region="华东", province="浙江")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")


def dealer(tdb, dealer_id, signed_on="2025-01-01", orders=(), **columns):
    """A dealer and its orders: orders = [(order_date, amount), ...]."""
    tdb.add("dealers", dealer_id=dealer_id, signed_on=signed_on, **columns)
    for order_date, amount in orders:
        tdb.add("orders", dealer_id=dealer_id, order_date=order_date, amount=amount)


def row(frame, dealer_id):
    rows = frame[frame["dealer_id"] == dealer_id]
    assert len(rows) == 1, f"{dealer_id} listed {len(rows)} times"
    return rows.iloc[0]


def outcome(frame, dealer_id):
    r = row(frame, dealer_id)
    return r["first_order_month"], r["success_month"], r["success_rule"]


def override(tmp_path, text):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_rule_a_every_window_month_at_least_monthly_min(tdb, rules):
    setup_territories(tdb)
    # 10,000 exactly in each of Mar, Apr, May (>= X) -> (a), success in M2 = May.
    # Cumulative 30,000 never reaches 50,000, so (b) does not compete.
    dealer(tdb, "A1", "2025-02-10", [("2025-03-31", 10000), ("2025-04-01", 10000), ("2025-05-15", 10000)])
    # One cent short in M1 (9,999.99) -> no (a); total 29,999.99 -> no (b): never a success.
    dealer(tdb, "A2", "2025-02-10", [("2025-03-05", 10000), ("2025-04-05", 9999.99), ("2025-05-05", 10000)])
    # Two orders in M1 add up: 4,000 + 6,000 = 10,000 -> (a) in May.
    dealer(tdb, "A3", "2025-02-10", [("2025-03-05", 12000), ("2025-04-02", 4000), ("2025-04-28", 6000),
                                      ("2025-05-05", 11000)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "A1") == ("2025-03", "2025-05", "a")
    assert outcome(frame, "A2") == ("2025-03", None, None)
    assert outcome(frame, "A3") == ("2025-03", "2025-05", "a")


def test_rule_a_fails_on_a_month_without_orders_and_on_returns(tdb, rules):
    setup_territories(tdb)
    # M1 (Apr) has no order at all -> 0 < 10,000 -> no (a); total 40,000 < 50,000 -> no (b).
    dealer(tdb, "G1", "2025-03-01", [("2025-03-05", 20000), ("2025-05-05", 20000)])
    # M1 net = 15,000 - 6,000 return = 9,000 < 10,000 -> no (a); total 10k + 9k + 10k = 29k -> no (b).
    dealer(tdb, "G2", "2025-03-01", [("2025-03-05", 10000), ("2025-04-05", 15000), ("2025-04-20", -6000),
                                      ("2025-05-05", 10000)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "G1") == ("2025-03", None, None)
    assert outcome(frame, "G2") == ("2025-03", None, None)


def test_rule_b_first_month_the_cumulative_reaches_window_total(tdb, rules):
    setup_territories(tdb)
    # Cumulative 20,000 (Mar), 50,000 (Apr) -> reaches exactly 50,000 in M1 -> (b), Apr.
    dealer(tdb, "B1", "2025-03-01", [("2025-03-05", 20000), ("2025-04-05", 30000)])
    # 49,999.99 over the window -> never.
    dealer(tdb, "B2", "2025-03-01", [("2025-03-05", 20000), ("2025-05-31", 29999.99)])
    # 60,000 in M0 but a 15,000 return the same month: net 45,000; M1 +5,000 -> 50,000 in Apr.
    dealer(tdb, "B3", "2025-03-01", [("2025-03-05", 60000), ("2025-03-25", -15000), ("2025-04-25", 5000)])
    # 80,000 in M3 (June) is outside the window Mar..May: total in window 10,000 -> never.
    dealer(tdb, "B4", "2025-03-01", [("2025-03-05", 10000), ("2025-06-05", 80000)])
    # Cumulative 55,000 in Apr, then a return brings it under 50,000 in May: success stays Apr.
    dealer(tdb, "B5", "2025-03-01", [("2025-03-05", 5000), ("2025-04-05", 50000), ("2025-05-05", -30000)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "B1") == ("2025-03", "2025-04", "b")
    assert outcome(frame, "B2") == ("2025-03", None, None)
    assert outcome(frame, "B3") == ("2025-03", "2025-04", "b")
    assert outcome(frame, "B4") == ("2025-03", None, None)
    assert outcome(frame, "B5") == ("2025-03", "2025-04", "b")


def test_earlier_rule_wins_and_tie_goes_to_a(tdb, rules):
    setup_territories(tdb)
    # Both hold: (b) reached in M0 (50,000), (a) only at M2 -> the earlier: Mar, rule b.
    dealer(tdb, "E1", "2025-03-01", [("2025-03-05", 50000), ("2025-04-05", 10000), ("2025-05-05", 10000)])
    # Both hold in M2: 10k, 20k, 20k -> (a) May; cumulative 10k, 30k, 50k -> (b) May: tie -> a.
    dealer(tdb, "E2", "2025-03-01", [("2025-03-05", 10000), ("2025-04-05", 20000), ("2025-05-05", 20000)])
    # (a) fails in M0 (5,000) but (b) reaches 55,000 in M2 -> b, May.
    dealer(tdb, "E3", "2025-03-01", [("2025-03-05", 5000), ("2025-04-05", 20000), ("2025-05-05", 30000)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "E1") == ("2025-03", "2025-03", "b")
    assert outcome(frame, "E2") == ("2025-03", "2025-05", "a")
    assert outcome(frame, "E3") == ("2025-03", "2025-05", "b")


def test_window_starts_at_the_earliest_order_row_even_a_return(tdb, rules):
    setup_territories(tdb)
    # Earliest row is a -100 return in Feb -> window Feb..Apr: -100, 30,000, 30,000;
    # cumulative -100, 29,900, 59,900 -> (b) in Apr; (a) fails (Feb < 10,000).
    dealer(tdb, "R1", "2025-01-15", [("2025-02-27", -100), ("2025-03-05", 30000), ("2025-04-05", 30000)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "R1") == ("2025-02", "2025-04", "b")


def test_first_order_more_than_six_calendar_months_after_signing_never_succeeds(tdb, rules):
    setup_territories(tdb)
    big = 60000  # alone reaches 50,000 in M0, so only the delay decides
    # Month difference, not days: signed Jan 31, first order Jul 1 -> 7 - 1 = 6 months -> may succeed.
    dealer(tdb, "L1", "2025-01-31", [("2025-07-01", big)])
    # Signed Jan 1, first order Jul 31 -> 6 months (210 days) -> may succeed.
    dealer(tdb, "L2", "2025-01-01", [("2025-07-31", big)])
    # Signed Jan 31, first order Aug 1 -> 7 months -> never.
    dealer(tdb, "L3", "2025-01-31", [("2025-08-01", big)])
    # Across a year end: signed 2024-12-20, first order 2025-06-01 -> 6 -> may; 2025-07-01 -> 7 -> never.
    dealer(tdb, "L4", "2024-12-20", [("2025-06-01", big)])
    dealer(tdb, "L5", "2024-12-20", [("2025-07-01", big)])
    # Ordered before signing (negative difference): allowed.
    dealer(tdb, "L6", "2025-03-10", [("2025-02-20", big)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "L1") == ("2025-07", "2025-07", "b")
    assert outcome(frame, "L2") == ("2025-07", "2025-07", "b")
    assert outcome(frame, "L3") == ("2025-08", None, None)
    assert outcome(frame, "L4") == ("2025-06", "2025-06", "b")
    assert outcome(frame, "L5") == ("2025-07", None, None)
    assert outcome(frame, "L6") == ("2025-02", "2025-02", "b")


def test_dealer_without_orders_is_listed_with_empty_months(tdb, rules):
    setup_territories(tdb)
    dealer(tdb, "N1", "2025-01-01")
    frame = new_dealers(tdb.con, rules, Scope())
    r = row(frame, "N1")
    assert (r["first_order_month"], r["success_month"], r["success_rule"]) == (None, None, None)
    assert not r["suspected_duplicate"]
    assert r["signed_on"] == dt.date(2025, 1, 1)


def test_rules_override_changes_window_and_thresholds(tdb, tmp_path):
    setup_territories(tdb)
    # 6,000, 6,000: defaults -> (a) fails (< 10,000), total 12,000 < 50,000 -> never.
    dealer(tdb, "W1", "2025-03-01", [("2025-03-05", 6000), ("2025-04-05", 6000)])
    # 0 in Apr (no order) then 9,000 / 9,000.
    dealer(tdb, "W2", "2025-03-01", [("2025-03-05", 9000), ("2025-05-05", 9000)])
    strict = override(tmp_path, "[new_dealer]\nmonthly_min = 5000\nwindow_total = 12000\nwindow_months = 2\n"
                                "max_months_to_first_order = 0\n")
    frame = new_dealers(tdb.con, strict, Scope())
    # window Mar..Apr: 6,000 >= 5,000 twice -> (a) Apr; cumulative 12,000 reaches 12,000 in Apr -> tie -> a.
    assert outcome(frame, "W1") == ("2025-03", "2025-04", "a")
    # window Mar..Apr: Apr = 0 -> no (a); cumulative 9,000 < 12,000 -> never (May is outside).
    assert outcome(frame, "W2") == ("2025-03", None, None)
    # max_months_to_first_order = 0: a first order in the signing month is still fine (0 > 0 is false).
    zero_min = override(tmp_path, "[new_dealer]\nmonthly_min = 0\nwindow_total = 1000000\n")
    frame = new_dealers(tdb.con, zero_min, Scope())
    # X = 0: a month without orders (0) passes (0 >= 0) -> W2 succeeds by (a) in M2 = May.
    assert outcome(frame, "W2") == ("2025-03", "2025-05", "a")


def test_suspected_duplicate_flag_approved_or_not(tdb, rules):
    setup_territories(tdb)
    dealer(tdb, "E", "2025-01-01", phone="138 0013 8000")
    dealer(tdb, "N", "2025-02-01", phone="+86-13800138000", approved_new=True)
    dealer(tdb, "X", "2025-02-01", phone="13900000000")
    frame = new_dealers(tdb.con, rules, Scope())
    # N duplicates the earlier E; approval does not clear the flag (only the contest exclusion).
    assert frame.set_index("dealer_id")["suspected_duplicate"].to_dict() == {"E": False, "N": True, "X": False}


def test_signed_period_scope_and_columns(tdb, rules):
    setup_territories(tdb)
    dealer(tdb, "S1", "2025-01-31", [("2025-02-01", 50000)], territory_id="T1", salesperson_id="P1")
    dealer(tdb, "S2", "2025-02-01", territory_id="T1", salesperson_id="P2")
    dealer(tdb, "S3", "2025-02-28", territory_id="T2", salesperson_id="P1")
    dealer(tdb, "S4", "2025-03-01", territory_id="T1", salesperson_id="P1")
    frame = new_dealers(tdb.con, rules, Scope())
    assert list(frame.columns) == ["dealer_id", "dealer_name", "salesperson_id", "signed_on", "first_order_month",
                                   "success_month", "success_rule", "suspected_duplicate"]
    # sorted by signed_on
    assert list(frame["dealer_id"]) == ["S1", "S2", "S3", "S4"]
    r = row(frame, "S1")
    assert (r["dealer_name"], r["salesperson_id"], r["signed_on"]) == ("name-S1", "P1", dt.date(2025, 1, 31))
    assert (r["first_order_month"], r["success_month"], r["success_rule"]) == ("2025-02", "2025-02", "b")
    # signed in [Feb 1, Feb 28], both ends included
    period = new_dealers(tdb.con, rules, Scope(), start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 28))
    assert list(period["dealer_id"]) == ["S2", "S3"]
    assert list(new_dealers(tdb.con, rules, Scope.of(regions=["华南"]))["dealer_id"]) == ["S3"]
    assert list(new_dealers(tdb.con, rules, Scope.of(salespeople=["P1"]))["dealer_id"]) == ["S1", "S3", "S4"]


def test_empty_scope_gives_no_rows_with_the_columns(tdb, rules):
    setup_territories(tdb)
    dealer(tdb, "S1", "2025-01-31", [("2025-02-01", 50000)])
    frame = new_dealers(tdb.con, rules, Scope.of(regions=["西北"]))
    assert len(frame) == 0
    assert list(frame.columns)[-1] == "suspected_duplicate"
    empty_db = new_dealers(tdb.con, rules, Scope(), start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
    assert len(empty_db) == 0


@pytest.mark.parametrize("amount,expected", [("50000.00", "b"), ("49999.99", None)])
def test_window_total_tie_is_exact_to_the_cent(tdb, rules, amount, expected):
    setup_territories(tdb)
    # 0.1 + 0.2 style float error must not matter: 49,999.70 + 0.10 + 0.20 = 50,000.00 exactly.
    dealer(tdb, "C1", "2025-03-01", [("2025-03-01", 49999.70), ("2025-03-02", 0.10), ("2025-03-03", 0.20)])
    dealer(tdb, "C2", "2025-03-01", [("2025-03-01", amount)])
    frame = new_dealers(tdb.con, rules, Scope())
    assert outcome(frame, "C1") == ("2025-03", "2025-03", "b")
    assert row(frame, "C2")["success_rule"] == expected
