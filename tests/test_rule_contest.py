"""R9 monthly contest payouts: `contest`, the leaderboard drill-down and the HR payout sheet
(lib/rules/contest.py). Every value is built from real opportunities, stage rows, dealers and orders.
"""
from __future__ import annotations

import datetime as dt

import pytest

from lib.rules.contest import contest, payout_sheet, rep_dealers
from lib.rules_file import load_rules
from lib.scope import Scope

JUNE = dt.date(2025, 6, 1)


def setup_territories(tdb):
    tdb.add("territories", territory_id="T1", region="华东", province="浙江")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")


def rep(tdb, salesperson_id, territory_id="T1", **columns):
    tdb.add("salespeople", salesperson_id=salesperson_id, territory_id=territory_id, **columns)


def intentions(tdb, salesperson_id, count, created_on="2025-06-03", stage="lead", entered_on="2025-06-20",
               tag="I"):
    """`count` opportunities of the rep created on created_on, entering `stage` on entered_on."""
    for i in range(count):
        opp = f"{salesperson_id}-{tag}{i}"
        tdb.add("opportunities", opportunity_id=opp, salesperson_id=salesperson_id, created_on=created_on)
        tdb.add("stage_history", opportunity_id=opp, stage="market", entered_on=created_on)
        tdb.add("stage_history", opportunity_id=opp, stage=stage, entered_on=entered_on)


def dealer(tdb, dealer_id, salesperson_id, signed_on, orders=(), **columns):
    tdb.add("dealers", dealer_id=dealer_id, salesperson_id=salesperson_id, signed_on=signed_on, **columns)
    for order_date, amount in orders:
        tdb.add("orders", dealer_id=dealer_id, order_date=order_date, amount=amount)


def developed_in_june(tdb, dealer_id, salesperson_id, amount=50000, **columns):
    """A dealer signed in May whose one June order reaches window_total -> success June by (b)."""
    dealer(tdb, dealer_id, salesperson_id, "2025-05-10", [("2025-06-15", amount)], **columns)


def new_dealer_with_sales(tdb, dealer_id, salesperson_id, amount, signed_on="2025-01-10"):
    """A dealer signed in the 12-month window whose first order is the June one and too small to
    succeed in June (a needs M2 = Aug; b needs 50,000)."""
    dealer(tdb, dealer_id, salesperson_id, signed_on, [("2025-06-20", amount)])


def override(tmp_path, text):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def by_rep(frame):
    return {r["salesperson_id"]: r for r in frame.to_dict("records")}


def worked_example(tdb):
    """domain.md R9's 3-rep example for June 2025, built from rows (plus rows that must NOT count)."""
    setup_territories(tdb)
    for sid in ("P1", "P2", "P3"):
        rep(tdb, sid, name=f"Rep {sid}")
    # --- intentions: P1 12, P2 7, P3 10 (lead or beyond as of Jun 30, created in June)
    intentions(tdb, "P1", 10)
    intentions(tdb, "P1", 2, stage="paid", entered_on="2025-06-30", tag="PAID")  # entered on the last day
    intentions(tdb, "P2", 7, stage="qualified")
    intentions(tdb, "P3", 9)
    # moved back to market after reaching lead: the highest stage counts -> P3's 10th
    intentions(tdb, "P3", 1, stage="lead", entered_on="2025-06-05", tag="BACK")
    tdb.add("stage_history", opportunity_id="P3-BACK0", stage="market", entered_on="2025-06-25")
    # not intentions: lead only after June, created in May, market only, no stage rows at all
    intentions(tdb, "P3", 3, entered_on="2025-07-01", tag="LATE")
    intentions(tdb, "P3", 3, created_on="2025-05-31", entered_on="2025-06-02", tag="MAY")
    intentions(tdb, "P2", 2, stage="market", entered_on="2025-06-04", tag="MKT")
    tdb.add("opportunities", opportunity_id="P1-NOROW", salesperson_id="P1", created_on="2025-06-09")
    # --- developed: P1 2 (one by rule a, one by rule b), P2 1, P3 0
    dealer(tdb, "D11", "P1", "2025-03-20", [("2025-04-05", 10000), ("2025-05-05", 10000), ("2025-06-05", 10000)])
    developed_in_june(tdb, "D12", "P1")
    dealer(tdb, "D21", "P2", "2025-04-01", [("2025-05-05", 25000), ("2025-06-05", 30000)])  # b: 55,000 in June
    # not developed in June: succeeded in May (b), first order 7 months after signing
    dealer(tdb, "D15", "P1", "2025-04-01", [("2025-05-05", 60000)])
    dealer(tdb, "D31", "P3", "2024-11-30", [("2025-06-05", 60000)])
    # --- new_dealer_sales in June from dealers signed Jul 2024 .. Jun 2025:
    # P1: D11 10,000 + D12 50,000 + D13 20,000 = 80,000 (D15 has no June order; D14 signed a day too early)
    dealer(tdb, "D13", "P1", "2024-07-01", [("2024-08-05", 5000), ("2025-06-10", 20000)])
    dealer(tdb, "D14", "P1", "2024-06-30", [("2025-06-10", 99999)])
    # P2: D21 30,000 (its May order is outside the month)
    # P3: D31 is in the window, but its June 60,000 is returned the same month: net 0
    tdb.add("orders", dealer_id="D31", order_date="2025-06-25", amount=-60000)
    # P3's old dealer (signed 2023) sells in June: not a new dealer
    dealer(tdb, "D32", "P3", "2023-03-01", [("2025-06-05", 40000)])
    return tdb


def test_worked_example_three_reps(tdb, rules):
    worked_example(tdb)
    frame = contest(tdb.con, rules, Scope(), JUNE)
    assert list(frame.columns) == ["salesperson_id", "name", "intentions", "intention_penalty", "developed",
                                   "development_amount", "new_dealer_sales", "rank_developed", "rank_sales",
                                   "award_developed", "award_sales", "fine_developed", "fine_sales", "payout"]
    rows = frame.to_dict("records")
    # P1: no penalty (12 >= 10); +200 x (2-1); rank 1 on both -> 500 + 500; = 1,200
    # P2: -50 x (10-7) = -150; developed 1 -> 0; rank 2 on both -> 300 + 300 (2nd from the bottom, but
    #     holds an award on both items -> no fine); = 450
    # P3: no penalty (10); -100 x (1-0); rank 3, value 0 -> no award; bottom 1 -> 200 + 200; = -500
    assert rows == [
        {"salesperson_id": "P1", "name": "Rep P1", "intentions": 12, "intention_penalty": 0.0, "developed": 2,
         "development_amount": 200.0, "new_dealer_sales": 80000.0, "rank_developed": 1, "rank_sales": 1,
         "award_developed": 500.0, "award_sales": 500.0, "fine_developed": 0.0, "fine_sales": 0.0,
         "payout": 1200.0},
        {"salesperson_id": "P2", "name": "Rep P2", "intentions": 7, "intention_penalty": 150.0, "developed": 1,
         "development_amount": 0.0, "new_dealer_sales": 30000.0, "rank_developed": 2, "rank_sales": 2,
         "award_developed": 300.0, "award_sales": 300.0, "fine_developed": 0.0, "fine_sales": 0.0,
         "payout": 450.0},
        {"salesperson_id": "P3", "name": "Rep P3", "intentions": 10, "intention_penalty": 0.0, "developed": 0,
         "development_amount": -100.0, "new_dealer_sales": 0.0, "rank_developed": 3, "rank_sales": 3,
         "award_developed": 0.0, "award_sales": 0.0, "fine_developed": 200.0, "fine_sales": 200.0,
         "payout": -500.0},
    ]


def test_sales_ties_share_rank_and_award_rank_four_gets_nothing(tdb, rules):
    setup_territories(tdb)
    for sid in ("R1", "R2", "R3", "R4"):
        rep(tdb, sid)
    new_dealer_with_sales(tdb, "N1", "R1", 40000)
    new_dealer_with_sales(tdb, "N2", "R2", 20000)
    new_dealer_with_sales(tdb, "N3", "R3", 20000)
    new_dealer_with_sales(tdb, "N4", "R4", 5000)
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # sales ranks 1, 2, 2, 4: awards 500, 300, 300, none (only 3 awards, and rank 4 is not 3)
    assert [rows[s]["rank_sales"] for s in ("R1", "R2", "R3", "R4")] == [1, 2, 2, 4]
    assert [rows[s]["award_sales"] for s in ("R1", "R2", "R3", "R4")] == [500.0, 300.0, 300.0, 0.0]
    # bottom ranks: R4 1 (200); R2, R3 2 (100, but they hold an award); R1 4
    assert [rows[s]["fine_sales"] for s in ("R1", "R2", "R3", "R4")] == [0.0, 0.0, 0.0, 200.0]
    # developed 0 for all: every rep equal -> no award, no fine on that item; all rank 1
    assert all(rows[s]["rank_developed"] == 1 and rows[s]["award_developed"] == 0.0
               and rows[s]["fine_developed"] == 0.0 for s in rows)
    # payouts: intentions 0 -> -500; developed 0 -> -100; R1 -100; R2/R3 -300; R4 -800
    assert {s: rows[s]["payout"] for s in rows} == {"R1": -100.0, "R2": -300.0, "R3": -300.0, "R4": -800.0}


def test_bottom_ties_share_the_fine_and_award_holders_are_not_fined(tdb, rules):
    setup_territories(tdb)
    for sid in ("A", "B", "C", "D"):
        rep(tdb, sid)
    developed_in_june(tdb, "A1", "A")
    developed_in_june(tdb, "A2", "A")
    developed_in_june(tdb, "B1", "B")
    frame = contest(tdb.con, rules, Scope(), JUNE)
    rows = by_rep(frame)
    # developed 2, 1, 0, 0 -> ranks 1, 2, 3, 3; sales 100,000, 50,000, 0, 0 -> the same ranks
    assert [rows[s]["rank_developed"] for s in "ABCD"] == [1, 2, 3, 3]
    assert [rows[s]["rank_sales"] for s in "ABCD"] == [1, 2, 3, 3]
    # C and D tie at the bottom: both bottom rank 1 -> 200 each; B is 3rd from the bottom (50) but
    # holds a 300 award; C, D rank 3 but value 0 -> no 100 award
    for item in ("developed", "sales"):
        assert [rows[s][f"award_{item}"] for s in "ABCD"] == [500.0, 300.0, 0.0, 0.0]
        assert [rows[s][f"fine_{item}"] for s in "ABCD"] == [0.0, 0.0, 200.0, 200.0]
    # A: -500 + 200 + 500 + 500 = 700; B: -500 + 0 + 300 + 300 = 100; C, D: -500 - 100 - 400 = -1,000
    assert list(zip(frame["salesperson_id"], frame["payout"])) == [
        ("A", 700.0), ("B", 100.0), ("C", -1000.0), ("D", -1000.0)]  # payout desc, then id


def test_all_reps_equal_on_an_item_get_no_award_and_no_fine(tdb, rules):
    setup_territories(tdb)
    for sid in ("E1", "E2", "E3"):
        rep(tdb, sid)
        developed_in_june(tdb, f"{sid}-D", sid)  # each: developed 1, sales 50,000
        intentions(tdb, sid, 10)
    frame = contest(tdb.con, rules, Scope(), JUNE)
    # all rank 1 on both items, nobody awarded or fined; payout = 0 penalty + 0 development = 0
    for r in frame.to_dict("records"):
        assert (r["rank_developed"], r["rank_sales"]) == (1, 1)
        assert (r["award_developed"], r["award_sales"], r["fine_developed"], r["fine_sales"]) == (0, 0, 0, 0)
        assert (r["developed"], r["new_dealer_sales"], r["payout"]) == (1, 50000.0, 0.0)


def test_single_rep_is_neither_awarded_nor_fined(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "S1")
    developed_in_june(tdb, "D1", "S1")
    developed_in_june(tdb, "D2", "S1")
    developed_in_june(tdb, "D3", "S1")
    intentions(tdb, "S1", 4)
    frame = contest(tdb.con, rules, Scope(), JUNE)
    # one rep: every rep has the same value -> no award/fine.
    # -50 x (10 - 4) = -300; +200 x (3 - 1) = +400; payout 100; sales 3 x 50,000
    assert frame.to_dict("records") == [
        {"salesperson_id": "S1", "name": "name-S1", "intentions": 4, "intention_penalty": 300.0, "developed": 3,
         "development_amount": 400.0, "new_dealer_sales": 150000.0, "rank_developed": 1, "rank_sales": 1,
         "award_developed": 0.0, "award_sales": 0.0, "fine_developed": 0.0, "fine_sales": 0.0, "payout": 100.0}]


def test_only_reps_employed_during_the_month_are_compared(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "LEFT_MAY", left_on="2025-05-31")     # left before June: not listed
    rep(tdb, "LEFT_JUN1", left_on="2025-06-01")    # employed on June 1: listed
    rep(tdb, "HIRED_JUN30", hired_on="2025-06-30")  # employed on June 30: listed
    rep(tdb, "HIRED_JUL", hired_on="2025-07-01")   # hired after June: not listed
    rep(tdb, "ALWAYS")
    rep(tdb, "BOSS", role="manager")                # not a rep
    developed_in_june(tdb, "D1", "LEFT_MAY")  # its success counts for nobody in the contest
    developed_in_june(tdb, "D2", "ALWAYS")
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    assert sorted(rows) == ["ALWAYS", "HIRED_JUN30", "LEFT_JUN1"]
    # ALWAYS alone has 1 developed / 50,000: rank 1 among the 3 -> 500 + 500; others 0 -> bottom 1 -> 200 + 200
    assert rows["ALWAYS"]["payout"] == -500.0 + 0 + 1000.0
    assert rows["LEFT_JUN1"]["payout"] == -500.0 - 100.0 - 400.0


def test_unapproved_duplicate_not_counted_until_approved(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    rep(tdb, "P2")
    dealer(tdb, "OLD", "P2", "2023-01-01", phone="13800138000")
    # NEW succeeds in June with 60,000 of June orders, but shares OLD's phone (+86 prefix)
    dealer(tdb, "NEW", "P1", "2025-05-10", [("2025-06-15", 60000)], phone="+86 138 0013 8000")
    row = by_rep(contest(tdb.con, rules, Scope(), JUNE))["P1"]
    assert (row["developed"], row["new_dealer_sales"]) == (0, 0.0)
    tdb.con.execute("UPDATE dealers SET approved_new = true WHERE dealer_id = 'NEW'")
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # approved: developed 1, sales 60,000 -> rank 1 on both (500 + 500), intentions 0 (-500): payout 500
    assert (rows["P1"]["developed"], rows["P1"]["new_dealer_sales"], rows["P1"]["payout"]) == (1, 60000.0, 500.0)
    # P2: -500 - 100 - 200 - 200
    assert rows["P2"]["payout"] == -1000.0


def test_earlier_dealer_of_a_pair_is_not_excluded(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    developed_in_june(tdb, "FIRST", "P1", bank_account="6222-0000")
    dealer(tdb, "LATER", "P1", "2025-05-11", [("2025-06-16", 70000)], bank_account="62220000")
    row = contest(tdb.con, rules, Scope(), JUNE).iloc[0]
    # FIRST (signed May 10) counts; LATER (May 11, same bank account) does not: 1 developed, 50,000
    assert (row["developed"], row["new_dealer_sales"]) == (1, 50000.0)


def test_rules_override_top_awards_changes_payouts(tdb, tmp_path):
    worked_example(tdb)
    rules = override(tmp_path, "[contest]\ntop_awards = [1000]\n")
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # P1: 200 + 1000 + 1000 = 2,200
    # P2: rank 2 -> no award now, so its bottom rank 2 fines apply: -150 - 100 - 100 = -350
    # P3: unchanged -100 - 200 - 200 = -500
    assert {s: rows[s]["payout"] for s in rows} == {"P1": 2200.0, "P2": -350.0, "P3": -500.0}
    assert (rows["P2"]["award_sales"], rows["P2"]["fine_sales"], rows["P2"]["fine_developed"]) == (0.0, 100.0, 100.0)


def test_rules_override_amounts_and_minimums(tdb, tmp_path):
    setup_territories(tdb)
    rep(tdb, "S1")
    rep(tdb, "S2")
    intentions(tdb, "S1", 3)
    developed_in_june(tdb, "D1", "S1")
    rules = override(tmp_path, "[contest]\nmin_intentions = 5\nintention_penalty = 12.5\nmin_developed = 2\n"
                               "shortfall_penalty = 30\nextra_bonus = 0\ntop_awards = []\n"
                               "bottom_fines = [10, 5, 1, 1]\n")
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # S1: -12.5 x (5-3) = -25; -30 x (2-1) = -30; no awards; bottom rank 2 on both -> 5 + 5; = -65
    # S2: -12.5 x 5 = -62.5; -30 x 2 = -60; bottom rank 1 on both -> 10 + 10; = -142.5
    assert (rows["S1"]["intention_penalty"], rows["S1"]["development_amount"], rows["S1"]["payout"]) == (
        25.0, -30.0, -65.0)
    assert (rows["S2"]["intention_penalty"], rows["S2"]["development_amount"], rows["S2"]["payout"]) == (
        62.5, -60.0, -142.5)


def test_new_dealer_sales_window_and_returns(tdb, tmp_path, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    new_dealer_with_sales(tdb, "FIRST_DAY", "P1", 1000, signed_on="2024-07-01")  # window Jul 2024 .. Jun 2025
    new_dealer_with_sales(tdb, "BEFORE", "P1", 2000, signed_on="2024-06-30")      # outside
    new_dealer_with_sales(tdb, "LAST_DAY", "P1", 4000, signed_on="2025-06-30")    # inside
    tdb.add("orders", dealer_id="LAST_DAY", order_date="2025-06-30", amount=-500)  # return nets
    tdb.add("orders", dealer_id="LAST_DAY", order_date="2025-07-01", amount=8000)  # July: not in June
    # 1,000 + 4,000 - 500 = 4,500
    assert contest(tdb.con, rules, Scope(), JUNE).iloc[0]["new_dealer_sales"] == 4500.0
    one_month = override(tmp_path, "[contest]\nnew_dealer_months = 1\n")
    # only dealers signed in June: LAST_DAY 3,500
    assert contest(tdb.con, one_month, Scope(), JUNE).iloc[0]["new_dealer_sales"] == 3500.0


def test_negative_sales_value_gets_no_award(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    rep(tdb, "P2")
    new_dealer_with_sales(tdb, "N1", "P1", -100)  # returns only: -100
    new_dealer_with_sales(tdb, "N2", "P2", -300)
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # P1 rank 1 but value -100 <= 0: no award, and (holding none) it is 2nd from the bottom -> fine 100
    assert (rows["P1"]["rank_sales"], rows["P1"]["award_sales"], rows["P1"]["fine_sales"]) == (1, 0.0, 100.0)
    assert (rows["P2"]["rank_sales"], rows["P2"]["award_sales"], rows["P2"]["fine_sales"]) == (2, 0.0, 200.0)


def test_empty_scope_gives_no_rows(tdb, rules):
    worked_example(tdb)
    frame = contest(tdb.con, rules, Scope.of(regions=["西北"]), JUNE)
    assert len(frame) == 0
    assert list(frame.columns)[0] == "salesperson_id" and list(frame.columns)[-1] == "payout"
    assert len(payout_sheet(frame)) == 0


def test_regional_contest_ranks_inside_the_filter_scope(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "EAST1", territory_id="T1")
    rep(tdb, "EAST2", territory_id="T1")
    rep(tdb, "SOUTH", territory_id="T2")
    new_dealer_with_sales(tdb, "N1", "EAST1", 30000)
    new_dealer_with_sales(tdb, "N2", "EAST2", 10000)
    new_dealer_with_sales(tdb, "N3", "SOUTH", 40000)
    national = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    assert {s: national[s]["rank_sales"] for s in national} == {"SOUTH": 1, "EAST1": 2, "EAST2": 3}
    assert national["EAST1"]["award_sales"] == 300.0
    east = by_rep(contest(tdb.con, rules, Scope.of(regions=["华东"]), JUNE))
    # compared inside 华东 only: EAST1 1st (500), EAST2 2nd and last (300 award held, no fine)
    assert sorted(east) == ["EAST1", "EAST2"]
    assert (east["EAST1"]["rank_sales"], east["EAST1"]["award_sales"]) == (1, 500.0)
    assert (east["EAST2"]["rank_sales"], east["EAST2"]["award_sales"], east["EAST2"]["fine_sales"]) == (2, 300.0, 0.0)
    # one rep picked: a contest of one -> no award
    alone = contest(tdb.con, rules, Scope.of(salespeople=["SOUTH"]), JUNE)
    assert (len(alone), alone.iloc[0]["award_sales"]) == (1, 0.0)


def test_rep_dealers_drill_down(tdb, rules):
    worked_example(tdb)
    dealer(tdb, "DUP", "P1", "2025-05-01", [("2025-06-02", 70000)], phone="13911112222")
    dealer(tdb, "ORIG", "P2", "2024-01-01", phone="139-1111-2222")
    frame = rep_dealers(tdb.con, rules, Scope(), JUNE, "P1")
    assert list(frame.columns) == ["dealer_id", "dealer_name", "signed_on", "first_order_month", "success_month",
                                   "success_rule", "sales_in_month", "counted_as", "excluded_duplicate"]
    got = {r["dealer_id"]: r for r in frame.to_dict("records")}
    # developed first (by signed_on): D11 (a, Apr..Jun), DUP (b, excluded), D12 (b); then D13 (sales only)
    assert list(frame["dealer_id"]) == ["D11", "DUP", "D12", "D13"]
    assert (got["D11"]["counted_as"], got["D11"]["success_rule"], got["D11"]["first_order_month"],
            got["D11"]["sales_in_month"]) == ("both", "a", "2025-04", 10000.0)
    assert (got["D12"]["counted_as"], got["D12"]["success_month"], got["D12"]["sales_in_month"]) == (
        "both", "2025-06", 50000.0)
    assert (got["D13"]["counted_as"], got["D13"]["success_month"], got["D13"]["sales_in_month"]) == (
        "new_dealer_sales", None, 20000.0)
    # a dealer selling 20,000 in June and succeeding in July (cumulative 50,000, rule b) is listed for
    # June as new_dealer_sales, with its true success month
    dealer(tdb, "JUL", "P1", "2025-06-01", [("2025-06-03", 20000), ("2025-07-03", 30000)])
    late = rep_dealers(tdb.con, rules, Scope(), JUNE, "P1").set_index("dealer_id")
    assert (late.loc["JUL", "counted_as"], late.loc["JUL", "success_month"], late.loc["JUL", "success_rule"]) == (
        "new_dealer_sales", "2025-07", "b")
    assert got["D13"]["signed_on"] == dt.date(2024, 7, 1)
    assert got["DUP"]["excluded_duplicate"] and not got["D11"]["excluded_duplicate"]
    # the counted rows add up to the contest row: developed 2, sales 80,000
    counted = frame[~frame["excluded_duplicate"]]
    assert counted["counted_as"].isin(["developed", "both"]).sum() == 2
    assert counted.loc[counted["counted_as"].isin(["new_dealer_sales", "both"]), "sales_in_month"].sum() == 80000.0
    assert len(rep_dealers(tdb.con, rules, Scope.of(regions=["华南"]), JUNE, "P1")) == 0  # rep out of scope


def test_rep_dealers_in_another_month_and_outside_the_sales_window(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    # signed 2024-06-30, first order Dec 2024 (6 months later: allowed); window Dec..Feb = 20k, 10k, 10k
    # -> (a) in Feb 2025; Feb sales 10,000; signed within Mar 2024 .. Feb 2025 -> 'both'
    dealer(tdb, "OLD", "P1", "2024-06-30", [("2024-12-05", 20000), ("2025-01-05", 10000),
                                             ("2025-02-05", 10000), ("2025-06-05", 5000)])
    frame = rep_dealers(tdb.con, rules, Scope(), dt.date(2025, 2, 1), "P1")
    assert frame.to_dict("records") == [
        {"dealer_id": "OLD", "dealer_name": "name-OLD", "signed_on": dt.date(2024, 6, 30),
         "first_order_month": "2024-12", "success_month": "2025-02", "success_rule": "a",
         "sales_in_month": 10000.0, "counted_as": "both", "excluded_duplicate": False}]
    # June 2025: not developed then, and signed before the Jul 2024 .. Jun 2025 window -> no rows
    assert len(rep_dealers(tdb.con, rules, Scope(), JUNE, "P1")) == 0


def test_payout_sheet_itemises_every_amount_with_its_sign(tdb, rules):
    worked_example(tdb)
    sheet = payout_sheet(contest(tdb.con, rules, Scope(), JUNE))
    assert list(sheet.columns) == ["salesperson_id", "name", "item", "amount"]
    items = ["intention_penalty", "development_amount", "award_developed", "award_sales", "fine_developed",
             "fine_sales", "payout"]
    p2 = sheet[sheet["salesperson_id"] == "P2"]
    assert list(p2["item"]) == items
    # P2: -150, 0, +300, +300, 0, 0 -> 450
    assert list(p2["amount"]) == [-150.0, 0.0, 300.0, 300.0, 0.0, 0.0, 450.0]
    p3 = sheet[sheet["salesperson_id"] == "P3"]
    # P3: 0, -100, 0, 0, -200, -200 -> -500
    assert list(p3["amount"]) == [0.0, -100.0, 0.0, 0.0, -200.0, -200.0, -500.0]
    for sid, group in sheet.groupby("salesperson_id"):
        parts = group[group["item"] != "payout"]["amount"].sum()
        assert parts == pytest.approx(group[group["item"] == "payout"]["amount"].iloc[0], abs=1e-9)
    assert list(sheet["salesperson_id"].unique()) == ["P1", "P2", "P3"]  # contest order (payout desc)


def test_a_zero_award_is_no_award_so_the_fine_applies(tdb, tmp_path):
    setup_territories(tdb)
    for sid in ("A", "B", "C"):
        rep(tdb, sid)
    new_dealer_with_sales(tdb, "NA", "A", 3000)
    new_dealer_with_sales(tdb, "NB", "B", 2000)
    new_dealer_with_sales(tdb, "NC", "C", 1000)
    rules = override(tmp_path, "[contest]\ntop_awards = [500, 0]\nbottom_fines = [200, 100, 50]\n")
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    # sales ranks 1, 2, 3; B's rank-2 award is 0 -> nothing paid, so its bottom rank 2 fine (100) applies;
    # A holds 500 -> not fined at bottom rank 3; C bottom 1 -> 200
    assert [(rows[s]["award_sales"], rows[s]["fine_sales"]) for s in "ABC"] == [(500.0, 0.0), (0.0, 100.0),
                                                                              (0.0, 200.0)]


def test_success_limits_first_order_delay_and_signing_bound(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    rep(tdb, "P2")
    orders = [("2025-04-05", 10000), ("2025-05-05", 10000), ("2025-06-05", 10000)]
    # signed Oct 2024, first order Apr 2025: 6 months -> may succeed: (a) in June
    dealer(tdb, "OK6", "P1", "2024-10-31", orders)
    # signed Sep 2024, first order Apr 2025: 7 months -> never
    dealer(tdb, "LATE7", "P2", "2024-09-30", orders)
    rows = by_rep(contest(tdb.con, rules, Scope(), JUNE))
    assert (rows["P1"]["developed"], rows["P2"]["developed"]) == (1, 0)
    # new_dealer_sales counts both (signed within Jul 2024 .. Jun 2025): 10,000 each
    assert (rows["P1"]["new_dealer_sales"], rows["P2"]["new_dealer_sales"]) == (10000.0, 10000.0)
