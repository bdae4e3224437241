"""The pandas reference (bench/pandas_reference.py) on the spec's worked examples and hand-computed
cases, each on a real temp DuckDB loaded with load_tables."""
from __future__ import annotations

import math

import pytest

from bench import pandas_reference as ref
from lib import db
from lib.periods import Quarter
from lib.scope import Scope
from tests.conftest import d

ALL = Scope()


def one(frame, **keys):
    rows = frame
    for column, value in keys.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{keys}: {len(rows)} rows"
    return rows.iloc[0]


def is_empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- R9 worked example ------------------------------------------------------------------------


def build_contest_example(tdb):
    tdb.add("territories", territory_id="T1")
    for rep in ("P1", "P2", "P3"):
        tdb.add("salespeople", salesperson_id=rep, territory_id="T1")
    # intentions: opportunities created in June 2025 that reached lead by June 30
    for rep, n in (("P1", 12), ("P2", 7), ("P3", 10)):
        for i in range(n):
            oid = f"{rep}-O{i}"
            tdb.add("opportunities", opportunity_id=oid, salesperson_id=rep, created_on="2025-06-02")
            tdb.add("stage_history", opportunity_id=oid, stage="lead", entered_on="2025-06-10")
    # not intentions: P2's market-only one, P2's lead reached in July, P3's created in May
    tdb.add("opportunities", opportunity_id="P2-market", salesperson_id="P2", created_on="2025-06-02")
    tdb.add("stage_history", opportunity_id="P2-market", stage="market", entered_on="2025-06-02")
    tdb.add("opportunities", opportunity_id="P2-july", salesperson_id="P2", created_on="2025-06-20")
    tdb.add("stage_history", opportunity_id="P2-july", stage="lead", entered_on="2025-07-01")
    tdb.add("opportunities", opportunity_id="P3-may", salesperson_id="P3", created_on="2025-05-20")
    tdb.add("stage_history", opportunity_id="P3-may", stage="lead", entered_on="2025-06-01")

    def dealer(dealer_id, rep, signed_on, orders):
        tdb.add("dealers", dealer_id=dealer_id, salesperson_id=rep, signed_on=signed_on)
        for day, amount in orders:
            tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=amount)

    # (b) successes in June: cumulative 50,000 reached in June (Apr + Jun), June sales 20,000 / 10,000
    dealer("D11", "P1", "2025-04-01", [("2025-04-10", 30000), ("2025-06-10", 20000)])
    dealer("D12", "P1", "2025-04-01", [("2025-04-10", 40000), ("2025-06-10", 10000)])
    # signed Dec 2024 (within the 12 months ending June), window Dec-Feb never succeeds
    dealer("D13", "P1", "2024-12-01", [("2024-12-05", 1000), ("2025-06-15", 50000)])
    dealer("D21", "P2", "2025-04-01", [("2025-04-10", 30000), ("2025-06-10", 20000)])
    dealer("D22", "P2", "2024-12-01", [("2024-12-05", 1000), ("2025-06-15", 10000)])


def test_contest_worked_example_of_r9(tdb, rules):
    # Spec: P1 12 intentions, developed 2, sales 80,000 -> +200 +500 +500 = 1,200
    #       P2 7 intentions, developed 1, sales 30,000 -> -150 +300 +300 = 450 (no fines: holds awards)
    #       P3 10 intentions, developed 0, sales 0 -> -100 - 200 - 200 = -500
    build_contest_example(tdb)
    out = ref.contest(ref.load_tables(tdb.con), rules, ALL, month=d("2025-06-01"))
    assert list(out["salesperson_id"]) == ["P1", "P2", "P3"]  # by payout, highest first
    p1, p2, p3 = (one(out, salesperson_id=p) for p in ("P1", "P2", "P3"))
    assert (p1["intentions"], p2["intentions"], p3["intentions"]) == (12, 7, 10)
    assert (p1["intention_penalty"], p2["intention_penalty"], p3["intention_penalty"]) == (0, 150, 0)
    assert (p1["developed"], p2["developed"], p3["developed"]) == (2, 1, 0)
    assert (p1["development_amount"], p2["development_amount"], p3["development_amount"]) == (200, 0, -100)
    assert (p1["new_dealer_sales"], p2["new_dealer_sales"], p3["new_dealer_sales"]) == (80000, 30000, 0)
    assert (p1["rank_developed"], p2["rank_developed"], p3["rank_developed"]) == (1, 2, 3)
    assert (p1["rank_sales"], p2["rank_sales"], p3["rank_sales"]) == (1, 2, 3)
    assert (p1["award_developed"], p1["award_sales"], p2["award_developed"], p2["award_sales"]) == (500, 500, 300, 300)
    assert (p3["award_developed"], p3["award_sales"]) == (0, 0)
    assert (p1["fine_developed"], p2["fine_developed"], p2["fine_sales"]) == (0, 0, 0)
    assert (p3["fine_developed"], p3["fine_sales"]) == (200, 200)
    assert (p1["payout"], p2["payout"], p3["payout"]) == (1200, 450, -500)


def test_contest_unapproved_duplicate_earns_no_credit_and_equal_values_pay_nothing(tdb, rules):
    # D2 shares D1's phone and signed later -> excluded until approved; D3 same but approved.
    # P1: D1 is an old dealer (no success in June); D2 succeeds in June but is excluded -> developed 0.
    # P2: D3 approved -> developed 1, sales 60,000. Everyone hired: only P1 and P2.
    # developed values (0, 1): P2 rank 1 award 500; P1 bottom 1 fine 200.
    # intentions 0 for both -> penalty 500 each; development: P1 -100, P2 0.
    # P1 = -100 - 500 - 200 (developed fine) - 200 (sales fine) = -1000; P2 = 0 - 500 + 500 + 500 = 500.
    tdb.add("territories", territory_id="T1")
    tdb.add("salespeople", salesperson_id="P1", territory_id="T1")
    tdb.add("salespeople", salesperson_id="P2", territory_id="T1")
    tdb.add("salespeople", salesperson_id="P9", territory_id="T1", left_on="2025-05-31")  # not employed in June
    tdb.add("dealers", dealer_id="D1", salesperson_id="P1", signed_on="2020-01-01", phone="13800000001")
    tdb.add("dealers", dealer_id="D2", salesperson_id="P1", signed_on="2025-06-01", phone="138 0000 0001")
    tdb.add("dealers", dealer_id="D3", salesperson_id="P2", signed_on="2025-06-01", phone="13800000001",
            approved_new=True)
    tdb.add("orders", dealer_id="D2", order_date="2025-06-05", amount=60000)
    tdb.add("orders", dealer_id="D3", order_date="2025-06-05", amount=60000)
    out = ref.contest(ref.load_tables(tdb.con), rules, ALL, month=d("2025-06-01"))
    assert list(out["salesperson_id"]) == ["P2", "P1"]
    p1, p2 = one(out, salesperson_id="P1"), one(out, salesperson_id="P2")
    assert (p1["developed"], p1["new_dealer_sales"], p2["developed"], p2["new_dealer_sales"]) == (0, 0, 1, 60000)
    assert (p1["fine_developed"], p1["fine_sales"], p2["award_developed"], p2["award_sales"]) == (200, 200, 500, 500)
    assert (p1["payout"], p2["payout"]) == (-1000, 500)

    # May: nobody developed or sold anything -> every value equal -> no awards or fines at all.
    # P9 employed in May joins: 3 reps, each -100 development, -500 intentions = -600.
    may = ref.contest(ref.load_tables(tdb.con), rules, ALL, month=d("2025-05-01"))
    assert sorted(may["salesperson_id"]) == ["P1", "P2", "P9"]
    assert set(may["payout"]) == {-600}
    assert set(may["fine_developed"]) | set(may["fine_sales"]) | set(may["award_developed"]) == {0}
    assert set(may["rank_developed"]) == {1}


# --- R6 seed-003 worked example ---------------------------------------------------------------


def test_tiers_seed_003_dealer_moves_up_while_its_volume_falls(tdb, rules):
    # Q1 2025: 271 dealers; ceil(271*20/100) = 55; volumes 54 x 2000, P054 1449, X 946, 215 x 500
    #   -> threshold_a = 1449 (55th), X (946) is not A; threshold_b = threshold_c = 500 -> X is B, rank 56.
    # Q2 2025: 278 dealers (7 signed in April); ceil(278*20/100) = 56; 54 x 1000, X 843, P054 830, 222 x 100
    #   -> threshold_a = 830 (56th), X (843) is A: movement up, rank 55.
    with db.transaction(tdb.con):  # one commit for ~1,100 rows
        tdb.add("territories", territory_id="T1")
        tdb.add("dealers", dealer_id="X", signed_on="2024-01-01")
        tdb.add("orders", dealer_id="X", order_date="2025-02-01", amount=946)
        tdb.add("orders", dealer_id="X", order_date="2025-05-01", amount=843)
        for i in range(277):
            dealer_id = f"P{i:03d}"
            tdb.add("dealers", dealer_id=dealer_id, signed_on="2024-01-01" if i < 270 else "2025-04-01")
            if i < 270:
                q1 = 2000 if i < 54 else 1449 if i == 54 else 500
                tdb.add("orders", dealer_id=dealer_id, order_date="2025-02-01", amount=q1)
            q2 = 1000 if i < 54 else 830 if i == 54 else 100
            tdb.add("orders", dealer_id=dealer_id, order_date="2025-05-01", amount=q2)
    tables = ref.load_tables(tdb.con)

    q1 = ref.tiers(tables, rules, ALL, quarter=Quarter(2025, 1))
    x1 = one(q1, dealer_id="X")
    assert (x1["peer_group"], x1["peer_count"], x1["volume"], x1["threshold_a"]) == ("华东", 271, 946, 1449)
    assert (x1["tier"], x1["rank"], x1["threshold_b"], x1["threshold_c"]) == ("B", 56, 500, 500)
    assert not x1["upgrade_candidate"]  # 946 < 0.9 x 1449 = 1304.1

    q2 = ref.tiers(tables, rules, ALL, quarter=Quarter(2025, 2))
    x2 = one(q2, dealer_id="X")
    assert (x2["peer_count"], x2["volume"], x2["threshold_a"], x2["rank"]) == (278, 843, 830, 55)
    assert (x2["tier"], x2["prev_tier"], x2["movement"]) == ("A", "B", "up")
    assert one(q2, dealer_id="P270")["movement"] == "new"

    # Flows Q1 -> Q2: Q1 A = P000..P054 (55), everyone else B (thresholds b = c = 500).
    # Q2 A = P000..P054 and X (56); thresholds b = c = 100 so the other 222 are B.
    # A->A 55, B->A 1 (X), B->B 215, new->B 7; 278 in all.
    moves = ref.tier_moves(tables, rules, ALL, quarter=Quarter(2025, 2))
    assert len(moves) == 24
    flows = {(r.from_tier, r.to_tier): r.dealers for r in moves.itertuples()}
    assert flows[("A", "A")] == 55 and flows[("B", "A")] == 1
    assert flows[("B", "B")] == 215 and flows[("new", "B")] == 7
    assert sum(flows.values()) == 278


def test_tier_positions_in_integer_arithmetic_and_ties_at_every_line(tdb, rules):
    # n = 15: positions ceil(3.0) = 3 (float 0.2*15 would say 4), ceil(7.5) = 8, ceil(12.0) = 12.
    # volumes desc: 1500 1400 1300 1170 1100 1000 900 800 720 600 500 400 360 0 -50
    # threshold_a = 1300, threshold_b = 800, threshold_c = 400.
    # 1300 is A (on the line), 800 is B, 400 is C; 360, 0 and -50 are D.
    # upgrade: B 1170 >= 0.9 x 1300 = 1170 (tie) yes, B 1100 no; C 720 >= 0.9 x 800 = 720 yes;
    #          D 360 >= 0.9 x 400 = 360 yes; D 0 never (volume must be > 0).
    volumes = [1500, 1400, 1300, 1170, 1100, 1000, 900, 800, 720, 600, 500, 400, 360, 0, -50]
    tdb.add("territories", territory_id="T1")
    for i, v in enumerate(volumes):
        tdb.add("dealers", dealer_id=f"D{i:02d}", signed_on="2025-01-01")
        if v:
            tdb.add("orders", dealer_id=f"D{i:02d}", order_date="2025-01-15", amount=v)
    # a dealer terminated before the quarter is not a peer; one terminated inside it is (volume 0 -> D)
    tdb.add("dealers", dealer_id="GONE", signed_on="2024-01-01", status="terminated", terminated_on="2024-12-31")
    tdb.add("dealers", dealer_id="LEFT", signed_on="2024-01-01", status="terminated", terminated_on="2025-01-01")
    out = ref.tiers(ref.load_tables(tdb.con), rules, ALL, quarter=Quarter(2025, 1))
    assert "GONE" not in set(out["dealer_id"])
    by_volume = {v: one(out, dealer_id=f"D{i:02d}") for i, v in enumerate(volumes)}
    # 16 peers with LEFT: positions ceil(3.2)=4, ceil(8)=8, ceil(12.8)=13 -> 1170, 800, 360
    assert set(out["peer_count"]) == {16}
    assert (by_volume[1500]["threshold_a"], by_volume[1500]["threshold_b"], by_volume[1500]["threshold_c"]) == (1170, 800, 360)
    tiers = {v: r["tier"] for v, r in by_volume.items()}
    assert [tiers[v] for v in volumes] == ["A", "A", "A", "A", "B", "B", "B", "B", "C", "C", "C", "C", "C", "D", "D"]
    cand = {v for v, r in by_volume.items() if r["upgrade_candidate"]}
    # B: >= 0.9 x 1170 = 1053 -> 1100; C: >= 0.9 x 800 = 720 -> 720; D: only 0 and -50 -> none
    assert cand == {1100, 720}
    assert one(out, dealer_id="LEFT")["tier"] == "D"
    assert by_volume[0]["rank"] == 14 and one(out, dealer_id="LEFT")["rank"] == 14  # equal volumes, equal rank


def test_tier_position_three_of_fifteen(tdb, rules):
    # Exactly 15 peers: threshold_a at position 3 (not 4): 1300; 0.9 x 1300 = 1170 -> B 1170 is a candidate.
    volumes = [1500, 1400, 1300, 1170, 1100, 1000, 900, 800, 720, 600, 500, 400, 360, 0, -50]
    tdb.add("territories", territory_id="T1")
    for i, v in enumerate(volumes):
        tdb.add("dealers", dealer_id=f"D{i:02d}", signed_on="2025-01-01")
        if v:
            tdb.add("orders", dealer_id=f"D{i:02d}", order_date="2025-01-15", amount=v)
    out = ref.tiers(ref.load_tables(tdb.con), rules, ALL, quarter=Quarter(2025, 1))
    row = one(out, dealer_id="D00")
    assert (row["threshold_a"], row["threshold_b"], row["threshold_c"]) == (1300, 800, 400)
    tiers = [one(out, dealer_id=f"D{i:02d}")["tier"] for i in range(15)]
    assert tiers == ["A"] * 3 + ["B"] * 5 + ["C"] * 4 + ["D"] * 3
    cand = {volumes[i] for i in range(15) if one(out, dealer_id=f"D{i:02d}")["upgrade_candidate"]}
    assert cand == {1170, 720, 360}  # each exactly on 0.9 x the next line up


# --- R13 LMDI -----------------------------------------------------------------------------------


def test_drivers_lmdi_contributions_add_up_to_the_change(tdb, rules):
    # Period 2025-01-01..03-31: covered 4 (signed by 03-31, none terminated), active 3, sales 1200
    #   -> active_rate 0.75, avg 400.
    # Comparison 2024-01-01..03-31: covered 2 (two signed 2024-06-01 are not yet), active 1, sales 500
    #   -> active_rate 0.5, avg 500.
    # L = (1200-500)/ln(1200/500) = 700/ln 2.4; covered L ln 2, rate L ln 1.5, avg L ln 0.8; sum 700.
    tdb.add("territories", territory_id="T1")
    for dealer_id, signed in (("A", "2024-01-01"), ("B", "2024-01-01"), ("C", "2024-06-01"), ("E", "2024-06-01")):
        tdb.add("dealers", dealer_id=dealer_id, signed_on=signed)
    # signed after the comparison period, gone before the period's end: covered in neither
    tdb.add("dealers", dealer_id="T", signed_on="2024-04-01", status="terminated", terminated_on="2024-12-31")
    tdb.add("orders", dealer_id="A", order_date="2024-02-01", amount=500)
    tdb.add("orders", dealer_id="T", order_date="2025-01-05", amount=999)  # not covered at 2025-03-31
    for dealer_id, amount in (("A", 300), ("B", 500), ("C", 400)):
        tdb.add("orders", dealer_id=dealer_id, order_date="2025-02-01", amount=amount)
    out = ref.drivers(ref.load_tables(tdb.con), rules, ALL, start=d("2025-01-01"), end=d("2025-03-31"),
                      vs_start=d("2024-01-01"), vs_end=d("2024-03-31"))
    assert list(out["factor"]) == ["covered", "active_rate", "avg_amount", "sales"]
    rows = {r.factor: r for r in out.itertuples()}
    assert (rows["covered"].period_value, rows["covered"].comparison_value) == (4, 2)
    assert (rows["active_rate"].period_value, rows["active_rate"].comparison_value) == (0.75, 0.5)
    assert (rows["avg_amount"].period_value, rows["avg_amount"].comparison_value) == (400, 500)
    assert (rows["sales"].period_value, rows["sales"].comparison_value) == (1200, 500)
    weight = 700 / math.log(2.4)
    assert rows["covered"].contribution == pytest.approx(weight * math.log(2), abs=1e-9)  # 553.75...
    assert rows["active_rate"].contribution == pytest.approx(weight * math.log(1.5), abs=1e-9)  # 324.01...
    assert rows["avg_amount"].contribution == pytest.approx(weight * math.log(0.8), abs=1e-9)  # -177.77...
    parts = rows["covered"].contribution + rows["active_rate"].contribution + rows["avg_amount"].contribution
    assert parts == pytest.approx(700, abs=1e-9)
    assert rows["sales"].contribution == 700


def test_drivers_split_is_empty_when_a_value_is_zero(tdb, rules):
    # Comparison period has covered dealers but no orders: sales 0, active 0 -> avg undefined,
    # every contribution empty; period values are still shown.
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="A", signed_on="2023-01-01")
    tdb.add("orders", dealer_id="A", order_date="2025-02-01", amount=100)
    out = ref.drivers(ref.load_tables(tdb.con), rules, ALL, start=d("2025-01-01"), end=d("2025-03-31"),
                      vs_start=d("2024-01-01"), vs_end=d("2024-03-31"))
    rows = {r.factor: r for r in out.itertuples()}
    assert (rows["covered"].comparison_value, rows["active_rate"].comparison_value, rows["sales"].comparison_value) == (1, 0, 0)
    assert is_empty(rows["avg_amount"].comparison_value)
    assert all(is_empty(r.contribution) for r in rows.values())
    # empty scope: nothing covered -> rates empty, no split
    empty = ref.drivers(ref.load_tables(tdb.con), rules, Scope.of(regions=["无"]), start=d("2025-01-01"),
                        end=d("2025-03-31"), vs_start=d("2024-01-01"), vs_end=d("2024-03-31"))
    rows = {r.factor: r for r in empty.itertuples()}
    assert rows["covered"].period_value == 0 and is_empty(rows["active_rate"].period_value)


# --- R4 ties ----------------------------------------------------------------------------------------


def test_core_dealers_ties_by_dealer_id_and_exactly_on_the_share(tdb, rules):
    # K2 400, K1 400, K3 200, K4 0 (an order row of 0), K5 no order in the period (not ranked).
    # total 1000, 80% line 800: K1 (400, ties before K2 by id), K2 (cum 800 = line) -> core; K3, K4 not.
    tdb.add("territories", territory_id="T1")
    for dealer_id, amount in (("K2", 400), ("K1", 400), ("K3", 200), ("K4", 0)):
        tdb.add("dealers", dealer_id=dealer_id)
        tdb.add("orders", dealer_id=dealer_id, order_date="2025-03-01", amount=amount)
    tdb.add("dealers", dealer_id="K5")
    tdb.add("orders", dealer_id="K5", order_date="2024-12-31", amount=9999)
    out = ref.core_dealers(ref.load_tables(tdb.con), rules, ALL, start=d("2025-01-01"), end=d("2025-12-31"))
    assert list(out["dealer_id"]) == ["K1", "K2", "K3", "K4"]
    assert list(out["amount"]) == [400, 400, 200, 0]
    assert list(out["cumulative_share"]) == [0.4, 0.8, 1.0, 1.0]
    assert list(out["is_core"]) == [True, True, False, False]


def test_core_dealers_total_not_positive_means_no_core(tdb, rules):
    # returns only: total -100 -> no core, cumulative_share empty
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="R1")
    tdb.add("orders", dealer_id="R1", order_date="2025-03-01", amount=-100)
    out = ref.core_dealers(ref.load_tables(tdb.con), rules, ALL, start=d("2025-01-01"), end=d("2025-12-31"))
    assert list(out["dealer_id"]) == ["R1"] and list(out["is_core"]) == [False]
    assert is_empty(out["cumulative_share"].iloc[0])
    none = ref.core_dealers(ref.load_tables(tdb.con), rules, Scope.of(regions=["华南"]), start=d("2025-01-01"),
                            end=d("2025-12-31"))
    assert none.empty and list(none.columns) == list(ref.CORE_COLUMNS)


# --- R11 chain of three -----------------------------------------------------------------------------


def test_duplicates_chain_of_three_sharing_a_phone(tdb, rules):
    # A (2024-01-01), B and C (both 2024-02-01, B < C by id) share phone 13800138000 written three ways.
    # Pairs: B->A, C->A, C->B. C also shares A's tax id (spaces/case differ) -> C->A "phone+tax_id".
    # Z's phone "---" normalizes to empty and matches nothing; Y shares A's address only (punctuation,
    # case differ) -> Y->A "address".
    tdb.add("territories", territory_id="T1")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")
    tdb.add("dealers", dealer_id="A", signed_on="2024-01-01", phone="138-0013-8000", tax_id="91330100ABC",
            address="杭州市 Xihu 路1号")
    tdb.add("dealers", dealer_id="B", signed_on="2024-02-01", phone="+86 13800138000", territory_id="T2")
    tdb.add("dealers", dealer_id="C", signed_on="2024-02-01", phone="13800138000", tax_id=" 91330100 abc",
            approved_new=True)
    tdb.add("dealers", dealer_id="Z", signed_on="2024-03-01", phone="---")
    tdb.add("dealers", dealer_id="Z2", signed_on="2024-03-02", phone="--")
    tdb.add("dealers", dealer_id="Y", signed_on="2024-04-01", address="杭州市xihu路1号!")
    out = ref.duplicates(ref.load_tables(tdb.con), rules, ALL)
    pairs = {(r.dealer_id, r.duplicate_of): r.matched_on for r in out.itertuples()}
    assert pairs == {("B", "A"): "phone", ("C", "A"): "phone+tax_id", ("C", "B"): "phone", ("Y", "A"): "address"}
    ca = one(out, dealer_id="C", duplicate_of="A")
    assert (ca["signed_on"], ca["duplicate_of_signed_on"], ca["approved_new"]) == (d("2024-02-01"), d("2024-01-01"), True)
    # Scope picks pairs by the later dealer N: B is in 华南, A is not, the pair still shows.
    south = ref.duplicates(ref.load_tables(tdb.con), rules, Scope.of(regions=["华南"]))
    assert [(r.dealer_id, r.duplicate_of) for r in south.itertuples()] == [("B", "A")]
    # new-dealers flags the later dealers, approved or not
    nd = ref.new_dealers(ref.load_tables(tdb.con), rules, ALL)
    flagged = set(nd.loc[nd["suspected_duplicate"], "dealer_id"])
    assert flagged == {"B", "C", "Y"}


# --- R8 ----------------------------------------------------------------------------------------------


def test_new_dealer_success_rules_tie_and_late_first_order(tdb, rules):
    # N1: Jan 10,000, Feb 10,000, Mar 30,000: (a) -> M2 = Mar; (b) cumulative 50,000 reached in Mar -> tie -> a.
    # N2: Jan 60,000 -> (b) in Jan.  N3: Jan 9,999.99, Feb 20,000, Mar 20,000 -> (a) fails, cum 49,999.99 -> none.
    # N4: signed 2024-06-15, first order Dec 2024 (6 months) -> may succeed: Dec 50,000 -> b Dec.
    # N5: signed 2024-05-31, first order Dec 2024 (7 months) -> never, despite 50,000.
    # N6: no orders -> no first month.
    tdb.add("territories", territory_id="T1")
    cases = {
        "N1": ("2025-01-01", [("2025-01-05", 10000), ("2025-02-05", 10000), ("2025-03-05", 30000)]),
        "N2": ("2025-01-01", [("2025-01-05", 60000)]),
        "N3": ("2025-01-01", [("2025-01-05", 9999.99), ("2025-02-05", 20000), ("2025-03-05", 20000)]),
        "N4": ("2024-06-15", [("2024-12-31", 50000)]),
        "N5": ("2024-05-31", [("2024-12-01", 50000)]),
        "N6": ("2025-01-01", []),
    }
    for dealer_id, (signed, orders) in cases.items():
        tdb.add("dealers", dealer_id=dealer_id, signed_on=signed)
        for day, amount in orders:
            tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=amount)
    out = ref.new_dealers(ref.load_tables(tdb.con), rules, ALL)
    got = {r.dealer_id: (r.first_order_month, r.success_month, r.success_rule) for r in out.itertuples()}
    assert got["N1"] == ("2025-01", "2025-03", "a")
    assert got["N2"] == ("2025-01", "2025-01", "b")
    assert got["N3"] == ("2025-01", None, None)
    assert got["N4"] == ("2024-12", "2024-12", "b")
    assert got["N5"] == ("2024-12", None, None)
    assert got["N6"] == (None, None, None)
    # with a period: only dealers signed in it
    period = ref.new_dealers(ref.load_tables(tdb.con), rules, ALL, start=d("2024-01-01"), end=d("2024-12-31"))
    assert sorted(period["dealer_id"]) == ["N4", "N5"]


# --- R5 ----------------------------------------------------------------------------------------------


def test_lifecycle_ties_on_every_line(tdb, rules):
    # D = 2025-12-31; the 7 quarter-ends before it run 2025-09-30 back to 2024-06-30.
    # T1 planned 10, 7 active -> coverage 0.70 exactly -> maintenance.
    # T2 planned 20, 19 active since 2020 + 1 terminated 2025-06-01 -> coverage 0.95 at D and >= 0.95
    #    at every earlier quarter-end; churn 1/(19+1) = 0.05 exactly -> elevation.
    # T3 planned 10, 9 active (coverage 0.90 exactly) but one signed 2025-01-15 -> 0.80 at 2024-12-31 -> mining.
    # T4 planned 0 -> unplanned, coverage empty.  T5 planned 5, nothing -> development, churn empty.
    tdb.add("territories", territory_id="T1", planned_dealers=10)
    tdb.add("territories", territory_id="T2", planned_dealers=20)
    tdb.add("territories", territory_id="T3", planned_dealers=10)
    tdb.add("territories", territory_id="T4", planned_dealers=0)
    tdb.add("territories", territory_id="T5", planned_dealers=5, region="华南")
    n = 0

    def dealers(territory, count, signed="2020-01-01", **extra):
        nonlocal n
        for _ in range(count):
            n += 1
            tdb.add("dealers", dealer_id=f"D{n:03d}", territory_id=territory, signed_on=signed, **extra)

    dealers("T1", 7)
    dealers("T1", 1, status="terminated", terminated_on="2024-06-30")  # outside the 365 days
    dealers("T2", 19)
    dealers("T2", 1, status="terminated", terminated_on="2025-06-01")
    dealers("T3", 8)
    dealers("T3", 1, signed="2025-01-15")
    dealers("T4", 3)
    out = ref.lifecycle(ref.load_tables(tdb.con), rules, ALL, as_of=d("2025-12-31"))
    got = {r.territory_id: (r.active_dealers, r.coverage, r.churn_12m, r.stage) for r in out.itertuples()}
    assert got["T1"] == (7, 0.7, 0.0, "maintenance")
    assert got["T2"] == (19, 0.95, 0.05, "elevation")
    assert got["T3"] == (9, 0.9, 0.0, "mining")
    assert got["T4"][0] == 3 and is_empty(got["T4"][1]) and got["T4"][3] == "unplanned"
    assert got["T5"][:2] == (0, 0.0) and is_empty(got["T5"][2]) and got["T5"][3] == "development"
    # the salesperson filter does not apply; a region filter does
    assert len(ref.lifecycle(ref.load_tables(tdb.con), rules, Scope.of(salespeople=["nobody"]), as_of=d("2025-12-31"))) == 5
    assert list(ref.lifecycle(ref.load_tables(tdb.con), rules, Scope.of(regions=["华南"]), as_of=d("2025-12-31"))["territory_id"]) == ["T5"]


# --- R7 ----------------------------------------------------------------------------------------------


def test_elimination_exactly_on_the_line_in_a_leap_year(tdb, rules):
    # Y = 2024 (366 days), D = 2024-03-31: elapsed 91 days. Target 366,000 -> pro-rated 91,000; 60% = 54,600.
    # E1 54,600 -> 0.60 -> ok; E2 54,599.99 -> watch; E3 active, no target -> no_target;
    # E4 target but signed after D -> listed, actual 0 -> watch; E5 terminated 2023 without target -> not listed.
    tdb.add("territories", territory_id="T1")
    for dealer_id, signed in (("E1", "2023-01-01"), ("E2", "2023-01-01"), ("E3", "2023-01-01"), ("E4", "2024-06-01")):
        tdb.add("dealers", dealer_id=dealer_id, signed_on=signed)
    tdb.add("dealers", dealer_id="E5", signed_on="2020-01-01", status="terminated", terminated_on="2023-12-31")
    for dealer_id in ("E1", "E2", "E4"):
        tdb.add("targets", dealer_id=dealer_id, year=2024, target_amount=366000)
    tdb.add("orders", dealer_id="E1", order_date="2024-03-31", amount=54600)
    tdb.add("orders", dealer_id="E1", order_date="2024-04-01", amount=99999)  # after D
    tdb.add("orders", dealer_id="E2", order_date="2024-01-01", amount=54599.99)
    out = ref.elimination(ref.load_tables(tdb.con), rules, ALL, year=2024, as_of=d("2024-03-31"))
    got = {r.dealer_id: (r.actual_amount, r.achievement, r.status) for r in out.itertuples()}
    assert set(got) == {"E1", "E2", "E3", "E4"}
    assert got["E1"] == (54600, pytest.approx(0.6, abs=1e-12), "ok")
    assert got["E2"][2] == "watch" and got["E2"][1] == pytest.approx(54599.99 / 91000, abs=1e-12)
    assert got["E3"][0] == 0 and is_empty(got["E3"][1]) and got["E3"][2] == "no_target"
    assert got["E4"] == (0, 0.0, "watch")
    assert is_empty(one(out, dealer_id="E3")["target_amount"]) and one(out, dealer_id="E1")["target_amount"] == 366000


# --- R1, R2, R3 ----------------------------------------------------------------------------------------


def test_funnel_cohort_counts_conversions_and_median_days(tdb, rules):
    # Cohort Jan 2025: O1 market 01-01, lead 01-11, qualified 01-21 (1,000)
    #   O2 lead 01-05, qualified 01-09 (skipped market; 2,000); O3 no row -> market (amount empty -> 0)
    #   O4 market 01-01, lead 01-04, signed 01-20, paid 02-10 (after as_of) (4,000); O5 created Feb: not in cohort.
    # counts 4, 3, 3, 1, 0; amounts 7,000 7,000 7,000 4,000 0.
    # median days lead<-market: O1 10, O4 3 -> 6.5; qualified<-lead: O1 10, O2 4 -> 7;
    # signed<-qualified: O4 has no qualified row -> empty; paid: none -> empty.
    tdb.add("territories", territory_id="T1")
    opps = {"O1": ("2025-01-01", 1000, [("market", "2025-01-01"), ("lead", "2025-01-11"), ("qualified", "2025-01-21")]),
            "O2": ("2025-01-05", 2000, [("lead", "2025-01-05"), ("qualified", "2025-01-09")]),
            "O3": ("2025-01-31", None, []),
            "O4": ("2025-01-01", 4000, [("market", "2025-01-01"), ("lead", "2025-01-04"), ("signed", "2025-01-20"),
                                        ("paid", "2025-02-10")]),
            "O5": ("2025-02-01", 8000, [("market", "2025-02-01")])}
    for oid, (created, amount, stages) in opps.items():
        tdb.add("opportunities", opportunity_id=oid, created_on=created, expected_amount=amount)
        for stage, day in stages:
            tdb.add("stage_history", opportunity_id=oid, stage=stage, entered_on=day)
    out = ref.funnel(ref.load_tables(tdb.con), rules, ALL, start=d("2025-01-01"), end=d("2025-01-31"))
    assert list(out["stage"]) == ["market", "lead", "qualified", "signed", "paid"]
    assert list(out["count"]) == [4, 3, 3, 1, 0]
    assert list(out["amount"]) == [7000, 7000, 7000, 4000, 0]
    assert is_empty(out["conversion_from_previous"].iloc[0])
    assert list(out["conversion_from_previous"].iloc[1:]) == pytest.approx([0.75, 1.0, 1 / 3, 0.0])
    assert list(out["conversion_from_top"]) == pytest.approx([1.0, 0.75, 0.75, 0.25, 0.0])
    med = out["median_days_from_previous"].tolist()
    assert is_empty(med[0]) and med[1:3] == [6.5, 7.0] and is_empty(med[3]) and is_empty(med[4])
    # empty cohort: counts 0, every rate empty
    empty = ref.funnel(ref.load_tables(tdb.con), rules, ALL, start=d("2024-01-01"), end=d("2024-12-31"))
    assert list(empty["count"]) == [0] * 5 and all(is_empty(v) for v in empty["conversion_from_top"])


def test_forecast_horizon_edges_moves_back_and_profit_bands(tdb, rules):
    # D = 2025-03-31, horizon (03-31, 06-29].
    # O1 qualified, close 06-29 (last day in), 100,000, profit 200,000 (high, on the line) -> qualified 1, w 40,000
    # O2 signed, close 06-30 (one past) -> in no horizon count; profit 199,999.99 -> medium
    # O3 no row -> market, no close -> undated 1; profit empty -> low
    # O4 lead, close 03-31 (overdue) -> not counted; O5 lost 03-01 -> not open; O6 current paid -> not open
    # O7 lead->qualified->lead (moved back: current lead), close 04-15, 33,333.33, profit 49,999.99 -> low
    # O8 market and lead the same day -> current lead, close 04-01, 10.05, profit 50,000 -> medium
    # lead: 2 open, 33,343.38, weighted 0.10 x 33,343.38 = 3,334.338 -> 3,334.34
    # O9 created after D -> not open.
    tdb.add("territories", territory_id="T1")
    opps = {
        "O1": (dict(expected_close_on="2025-06-29", expected_amount=100000, expected_profit=200000), [("qualified", "2025-02-01")]),
        "O2": (dict(expected_close_on="2025-06-30", expected_amount=5000, expected_profit=199999.99), [("signed", "2025-02-01")]),
        "O3": (dict(), []),
        "O4": (dict(expected_close_on="2025-03-31", expected_amount=7000), [("lead", "2025-02-01")]),
        "O5": (dict(expected_close_on="2025-04-30", expected_amount=7000, lost_on="2025-03-01"), [("lead", "2025-02-01")]),
        "O6": (dict(expected_close_on="2025-04-30", expected_amount=7000), [("signed", "2025-02-01"), ("paid", "2025-03-01")]),
        "O7": (dict(expected_close_on="2025-04-15", expected_amount=33333.33, expected_profit=49999.99),
               [("lead", "2025-01-01"), ("qualified", "2025-02-01"), ("lead", "2025-03-01")]),
        "O8": (dict(expected_close_on="2025-04-01", expected_amount=10.05, expected_profit=50000),
               [("market", "2025-03-01"), ("lead", "2025-03-01")]),
        "O9": (dict(created_on="2025-04-01", expected_close_on="2025-04-30", expected_amount=7000), []),
    }
    for oid, (cols, stages) in opps.items():
        tdb.add("opportunities", opportunity_id=oid, **cols)
        for stage, day in stages:
            tdb.add("stage_history", opportunity_id=oid, stage=stage, entered_on=day)
    tables = ref.load_tables(tdb.con)
    out = ref.forecast(tables, rules, ALL, as_of=d("2025-03-31"))
    got = {r.stage: (r.open_count, r.expected_amount, r.probability, r.weighted_amount, r.undated_count)
           for r in out.itertuples()}
    assert got["market"] == (0, 0, 0.05, 0, 1)
    assert got["lead"] == (2, 33343.38, 0.10, 3334.34, 0)
    assert got["qualified"] == (1, 100000, 0.40, 40000, 0)
    assert got["signed"] == (0, 0, 0.80, 0, 0)

    matrix = ref.profit_matrix(tables, rules, ALL, as_of=d("2025-03-31"))
    assert len(matrix) == 12
    cells = {(r.profit_band, r.stage): (r.open_count, r.expected_amount) for r in matrix.itertuples()}
    # open: O1 high/qualified, O2 medium/signed, O3 low/market, O4 low/lead, O7 low/lead, O8 medium/lead
    assert cells[("high", "qualified")] == (1, 100000)
    assert cells[("medium", "signed")] == (1, 5000)
    assert cells[("medium", "lead")] == (1, 10.05)
    assert cells[("low", "lead")] == (2, 40333.33)
    assert cells[("low", "market")] == (1, 0)
    assert sum(c for c, _ in cells.values()) == 6


# --- R10, R12 ------------------------------------------------------------------------------------------


def test_contest_score_weights_and_ties(tdb, rules):
    # Campaign 2025-01..2025-03. P1: 2 developed (N1 Jan b, N2 Feb b), collected 10,000 from N1.
    # P2: 1 developed (N3 Mar b), collected 20,000. P3: nothing (but a payment from a dealer signed
    # before the campaign does not count).
    # score P1 = 100 (0.6 x 2/2 + 0.4 x 10,000/20,000) = 80; P2 = 100 (0.6 x 1/2 + 0.4 x 1) = 70; P3 0.
    tdb.add("territories", territory_id="T1")
    for rep in ("P1", "P2", "P3"):
        tdb.add("salespeople", salesperson_id=rep, territory_id="T1")
    for dealer_id, rep, signed, day in (("N1", "P1", "2025-01-02", "2025-01-10"), ("N2", "P1", "2025-02-01", "2025-02-10"),
                                        ("N3", "P2", "2025-03-01", "2025-03-10"), ("OLD", "P3", "2024-06-01", "2024-06-10")):
        tdb.add("dealers", dealer_id=dealer_id, salesperson_id=rep, signed_on=signed)
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=50000)
    tdb.add("payments", dealer_id="N1", paid_on="2025-01-20", amount=10000)
    tdb.add("payments", dealer_id="N3", paid_on="2025-03-31", amount=20000)
    tdb.add("payments", dealer_id="N3", paid_on="2025-04-01", amount=77777)  # after the campaign
    tdb.add("payments", dealer_id="OLD", paid_on="2025-02-01", amount=90000)
    out = ref.contest_score(ref.load_tables(tdb.con), rules, ALL, campaign_start=d("2025-01-01"),
                            campaign_end=d("2025-03-01"))
    got = {r.salesperson_id: (r.developed_total, r.collected_total, r.score, r.rank) for r in out.itertuples()}
    assert got["P1"] == (2, 10000, pytest.approx(80, abs=1e-9), 1)
    assert got["P2"] == (1, 20000, pytest.approx(70, abs=1e-9), 2)
    assert got["P3"] == (0, 0, 0, 3)


def test_contracts_months_and_core_expiring(tdb, rules):
    # D = 2025-03-15, months 2025-03..2026-02. Core over orders in (2024-03-15, 2025-03-15]:
    # C1 800, C2 150, C3 50 -> total 1000, line 800 -> C1 alone is core. (C2's 2024-03-15 order is outside.)
    # Contract ends: C1 2025-03-15 (= D, counted), C2 2025-03-31, C3 2026-02-28, C4 2025-03-14 (before D: no),
    # C5 2026-03-01 (beyond the window), C6 terminated 2025-01-01 (not active) ends 2025-05-01 -> no.
    tdb.add("territories", territory_id="T1")
    ends = {"C1": "2025-03-15", "C2": "2025-03-31", "C3": "2026-02-28", "C4": "2025-03-14", "C5": "2026-03-01"}
    for dealer_id, end in ends.items():
        tdb.add("dealers", dealer_id=dealer_id, contract_end=end)
    tdb.add("dealers", dealer_id="C6", contract_end="2025-05-01", status="terminated", terminated_on="2025-01-01")
    for dealer_id, day, amount in (("C1", "2025-03-15", 800), ("C2", "2024-06-01", 150), ("C3", "2025-01-01", 50),
                                   ("C2", "2024-03-15", 5000)):
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=amount)
    out = ref.contracts(ref.load_tables(tdb.con), rules, ALL, as_of=d("2025-03-15"))
    assert list(out["month"]) == [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    got = {r.month: (r.expiring, r.core_expiring) for r in out.itertuples()}
    assert got["2025-03"] == (2, 1)
    assert got["2026-02"] == (1, 0)
    assert sum(e for e, _ in got.values()) == 3
    watch = ref.retention_watch(ref.load_tables(tdb.con), rules, ALL, as_of=d("2025-03-15"))
    assert list(watch["dealer_id"]) == ["C1"]


def test_contest_score_counts_developed_only_in_months_the_rep_was_employed(tdb, rules):
    # developed_total = Σ developed of R9, and R9 lists a rep in month m only when employed during m.
    # Campaign 2025-01..03. P1 hired 2025-02-01: N1 succeeds in Jan (not counted), N2 in Feb (counted).
    # P2 left 2025-01-31: N3 succeeds in Jan (counted), N4 in Mar (not counted).
    # developed 1 and 1, nothing collected -> score 100 x 0.6 x 1/1 = 60 each, both rank 1 (a tie).
    tdb.add("territories", territory_id="T1")
    tdb.add("salespeople", salesperson_id="P1", territory_id="T1", hired_on="2025-02-01")
    tdb.add("salespeople", salesperson_id="P2", territory_id="T1", left_on="2025-01-31")
    tdb.add("salespeople", salesperson_id="P3", territory_id="T1", left_on="2024-12-31")  # not in the campaign
    for dealer_id, rep, day in (("N1", "P1", "2025-01-10"), ("N2", "P1", "2025-02-10"),
                                ("N3", "P2", "2025-01-10"), ("N4", "P2", "2025-03-10")):
        tdb.add("dealers", dealer_id=dealer_id, salesperson_id=rep, signed_on="2025-01-01")
        tdb.add("orders", dealer_id=dealer_id, order_date=day, amount=50000)
    out = ref.contest_score(ref.load_tables(tdb.con), rules, ALL, campaign_start=d("2025-01-01"),
                            campaign_end=d("2025-03-01"))
    got = {r.salesperson_id: (r.developed_total, r.collected_total, r.score, r.rank) for r in out.itertuples()}
    assert got == {"P1": (1, 0, pytest.approx(60, abs=1e-9), 1), "P2": (1, 0, pytest.approx(60, abs=1e-9), 1)}
    # an empty scope has no reps at all
    nobody = ref.contest_score(ref.load_tables(tdb.con), rules, Scope.of(regions=["无"]),
                               campaign_start=d("2025-01-01"), campaign_end=d("2025-03-01"))
    assert nobody.empty and list(nobody.columns) == list(ref.CONTEST_SCORE_COLUMNS)
