"""R6 dealer tiers: exact threshold positions, ties, small and zero groups, movements, flows,
peer-group choice, scope invariance, upgrade candidates and the drill-down lists."""
from __future__ import annotations

import pytest

from lib import db
from lib.periods import Quarter
from lib.reports import PeriodOptions, run_report
from lib.rules.tiers import (DEALER_COLUMNS, TIER_COLUMNS, tier_dealers, tier_distribution, tier_moves, tiers,
                             upgrade_candidates)
from lib.rules_file import load_rules
from lib.scope import Scope

Q1, Q2, Q3 = Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3)
DAY = {Q1: "2025-02-15", Q2: "2025-05-15", Q3: "2025-08-15", Quarter(2024, 4): "2024-11-15"}


def add_dealer(tdb, dealer_id, volumes=None, territory_id="T1", **columns):
    """A dealer with one order per quarter of the given volume (None or 0 -> no order)."""
    tdb.add("dealers", dealer_id=dealer_id, territory_id=territory_id, **columns)
    for quarter, amount in (volumes or {}).items():
        if amount:
            tdb.add("orders", dealer_id=dealer_id, order_date=DAY[quarter], amount=str(amount))


def rows(frame):
    return {r["dealer_id"]: r for r in frame.to_dict("records")}


def override(tmp_path, text):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


def test_seed_003_up_while_volume_falls(tdb, rules):
    # Seed 003 worked example, one 华东 peer group.
    # Q1: 271 dealers. Positions 1-54: 2,000; 55: O54 1,449; 56: F 946; 57-271: 500.
    #     threshold_a = position ceil(271*20/100) = ceil(54.2) = 55 -> 1,449, so F (946) is not A;
    #     threshold_b = position ceil(135.5) = 136 -> 500, so F is B. F's rank = 1 + 55 = 56.
    # Q2: the 271 plus 7 new dealers signed 2025-04-15 = 278. Positions 1-54: 900; 55: F 843;
    #     56: O54 830; 57-278: 100. threshold_a = position ceil(278*20/100) = ceil(55.6) = 56 -> 830,
    #     so F (843 >= 830) is A: movement up while its volume fell 946 -> 843. O54 (830, on the line) is A.
    with db.transaction(tdb.con):  # one commit for ~800 rows keeps the test fast
        tdb.add("territories", territory_id="T1")
        for i in range(54):
            add_dealer(tdb, f"O{i:03d}", {Q1: 2000, Q2: 900})
        add_dealer(tdb, "O054", {Q1: 1449, Q2: 830})
        add_dealer(tdb, "F", {Q1: 946, Q2: 843})
        for i in range(55, 270):
            add_dealer(tdb, f"O{i:03d}", {Q1: 500, Q2: 100})
        for i in range(7):
            add_dealer(tdb, f"N{i}", {Q2: 100}, signed_on="2025-04-15")

    q1 = rows(tiers(tdb.con, rules, Scope(), Q1))
    q2 = rows(tiers(tdb.con, rules, Scope(), Q2))

    assert len(q1) == 271 and len(q2) == 278
    f1, f2 = q1["F"], q2["F"]
    assert (f1["peer_count"], f1["volume"], f1["threshold_a"], f1["threshold_b"], f1["tier"], f1["rank"]) == \
        (271, 946.0, 1449.0, 500.0, "B", 56)
    assert (f2["peer_count"], f2["volume"], f2["threshold_a"], f2["tier"], f2["prev_tier"], f2["movement"],
            f2["rank"]) == (278, 843.0, 830.0, "A", "B", "up", 55)
    assert q2["O054"]["tier"] == "A" and q2["O054"]["movement"] == "same"
    assert q2["N0"]["movement"] == "new" and q2["N0"]["prev_tier"] is None
    assert f2["peer_group"] == "华东"


def test_fifteen_dealers_take_position_three_for_a(tdb, rules):
    # Volumes 1,500, 1,400, ..., 100. A at position ceil(15*20/100) = 3 -> 1,300 (in floating point
    # 0.2*15 = 3.0000000000000004 would wrongly give position 4 -> 1,200); B at ceil(7.5) = 8 -> 800;
    # C at ceil(12) = 12 -> 400. So 1,300 A, 1,200 B, 800 B, 700 C, 400 C, 300 D.
    tdb.add("territories", territory_id="T1")
    for i in range(15):
        add_dealer(tdb, f"D{i:02d}", {Q1: 1500 - 100 * i})

    frame = tiers(tdb.con, rules, Scope(), Q1)

    assert list(frame.columns) == TIER_COLUMNS
    first = frame.iloc[0]
    assert (first["threshold_a"], first["threshold_b"], first["threshold_c"]) == (1300.0, 800.0, 400.0)
    tier_of = {r["volume"]: r["tier"] for r in frame.to_dict("records")}
    assert [tier_of[v] for v in (1500.0, 1300.0, 1200.0, 800.0, 700.0, 400.0, 300.0, 100.0)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D"]
    assert frame["rank"].tolist() == list(range(1, 16))
    assert frame["dealer_id"].tolist() == [f"D{i:02d}" for i in range(15)]


def test_ties_at_every_threshold_get_equal_tiers_and_ranks(tdb, rules):
    # n = 10: A at position 2, B at 5, C at 8.
    # Volumes 1000, 900, 900, 700, 600, 600, 500, 400, 400, 0 -> thresholds 900 / 600 / 400.
    # Tiers A A A B B B C C C D; ranks 1 2 2 4 5 5 7 8 8 10 (1 + peers with a higher volume).
    tdb.add("territories", territory_id="T1")
    volumes = [1000, 900, 900, 700, 600, 600, 500, 400, 400, 0]
    for i, v in enumerate(volumes):
        add_dealer(tdb, f"D{i}", {Q1: v})

    frame = rows(tiers(tdb.con, rules, Scope(), Q1))

    assert [frame[f"D{i}"]["tier"] for i in range(10)] == list("AAABBBCCCD")
    assert [frame[f"D{i}"]["rank"] for i in range(10)] == [1, 2, 2, 4, 5, 5, 7, 8, 8, 10]
    assert (frame["D0"]["threshold_a"], frame["D0"]["threshold_b"], frame["D0"]["threshold_c"]) == \
        (900.0, 600.0, 400.0)


def test_peer_groups_smaller_than_five(tdb, rules):
    # One region per group size n (positions A/B/C = ceil(n*0.2), ceil(n*0.5), ceil(n*0.8)):
    # n=1 [500]: 1/1/1 -> thresholds 500 -> A.
    # n=2 [200,100]: 1/1/2 -> 200/200/100 -> A, C.
    # n=3 [300,200,100]: 1/2/3 -> A, B, C.
    # n=4 [400,300,200,100]: 1/2/4 -> 400/300/100 -> A, B, C, C.
    groups = {1: [500], 2: [200, 100], 3: [300, 200, 100], 4: [400, 300, 200, 100]}
    for n, volumes in groups.items():
        tdb.add("territories", territory_id=f"T{n}", region=f"R{n}")
        for i, v in enumerate(volumes):
            add_dealer(tdb, f"G{n}-{i}", {Q1: v}, territory_id=f"T{n}")

    frame = rows(tiers(tdb.con, rules, Scope(), Q1))

    def tiers_of(n):
        return "".join(frame[f"G{n}-{i}"]["tier"] for i in range(n))

    assert [tiers_of(n) for n in (1, 2, 3, 4)] == ["A", "AC", "ABC", "ABCC"]
    assert [frame[f"G{n}-0"]["peer_count"] for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    four = frame["G4-0"]
    assert (four["threshold_a"], four["threshold_b"], four["threshold_c"]) == (400.0, 300.0, 100.0)
    two = frame["G2-1"]
    assert (two["threshold_a"], two["threshold_b"], two["threshold_c"]) == (200.0, 200.0, 100.0)


def test_zero_and_negative_volumes_are_always_d(tdb, rules):
    # n = 5: P 100, Z1 0 (order +50 and a -50 return), Z2 and Z3 no orders, R -50 (a return).
    # Sorted 100, 0, 0, 0, -50: A at 1 -> 100, B at ceil(2.5) = 3 -> 0, C at 4 -> 0.
    # The zeros reach the B line (0 >= 0) but a volume <= 0 is always D, and never an upgrade candidate.
    # Ranks: P 1, zeros 2, R 5.
    tdb.add("territories", territory_id="T1")
    add_dealer(tdb, "P", {Q1: 100})
    add_dealer(tdb, "Z1", {Q1: 50})
    tdb.add("orders", dealer_id="Z1", order_date="2025-03-01", amount="-50")
    add_dealer(tdb, "Z2")
    add_dealer(tdb, "Z3")
    add_dealer(tdb, "R", {Q1: -50})

    frame = rows(tiers(tdb.con, rules, Scope(), Q1))

    assert {k: r["tier"] for k, r in frame.items()} == {"P": "A", "Z1": "D", "Z2": "D", "Z3": "D", "R": "D"}
    assert {k: r["rank"] for k, r in frame.items()} == {"P": 1, "Z1": 2, "Z2": 2, "Z3": 2, "R": 5}
    assert frame["Z1"]["volume"] == 0.0 and frame["R"]["volume"] == -50.0
    assert (frame["P"]["threshold_b"], frame["P"]["threshold_c"]) == (0.0, 0.0)
    assert not any(r["upgrade_candidate"] for r in frame.values())


def test_upgrade_candidates_at_the_margin_line(tdb, rules):
    # n = 10, positions A 2, B 5, C 8. Volumes sorted: 2000, 1000.20, 900.18, 900.17, 800, 720, 500, 450,
    # 405, 404.99 -> thresholds 1000.20 / 800 / 450.
    # B 900.18 >= 0.9 * 1000.20 = 900.18 exactly -> candidate (a float product, 900.1800000000001, would
    # miss it); B 900.17 not; B 800 not. C 720 >= 0.9 * 800 = 720 -> candidate; C 500, 450 not.
    # D 405 >= 0.9 * 450 = 405 -> candidate; D 404.99 not. A dealers never.
    tdb.add("territories", territory_id="T1")
    volumes = {"A1": "2000", "A2": "1000.20", "B1": "900.18", "B2": "900.17", "B3": "800", "C1": "720",
               "C2": "500", "C3": "450", "D1": "405", "D2": "404.99"}
    for dealer_id, v in volumes.items():
        add_dealer(tdb, dealer_id, {Q1: v})

    frame = tiers(tdb.con, rules, Scope(), Q1)
    by_id = rows(frame)

    assert {k: r["tier"] for k, r in by_id.items()} == {k: k[0] for k in volumes}
    assert by_id["A1"]["threshold_a"] == 1000.20
    assert sorted(k for k, r in by_id.items() if r["upgrade_candidate"]) == ["B1", "C1", "D1"]
    assert upgrade_candidates(frame)["dealer_id"].tolist() == ["B1", "C1", "D1"]


def test_upgrade_margin_comes_from_the_rules(tdb, tmp_path):
    # upgrade_margin 0.5: thresholds (n=3: positions 1/2/3) 1000 / 600 / 300. B 600 >= 0.5 * 1000 -> candidate;
    # C 300 >= 0.5 * 600 = 300 -> candidate (on the line).
    custom = override(tmp_path, "[tiers]\nupgrade_margin = 0.5\n")
    tdb.add("territories", territory_id="T1")
    for dealer_id, v in (("A", 1000), ("B", 600), ("C", 300)):
        add_dealer(tdb, dealer_id, {Q1: v})

    frame = rows(tiers(tdb.con, custom, Scope(), Q1))

    assert {k: (r["tier"], r["upgrade_candidate"]) for k, r in frame.items()} == {
        "A": ("A", False), "B": ("B", True), "C": ("C", True)}


def test_mid_quarter_signing_and_termination(tdb, rules):
    # Q2 2025 group (n=5, A at 1, B at 3, C at 4): S signed 2025-05-10 (new in Q2), K terminated 2025-05-15
    # (active in Q2, exits in Q3), E terminated 2025-06-30 (exits in Q3), L terminated 2025-07-01 (not
    # terminated before Q3 starts: still in Q3's list), M steady.
    # Q2 volumes S 500, K 400, E 300, L 200, M 100 -> A, B, B (300 >= 300), C (200 >= 200), D.
    # Q1 list: K, E, L, M, all without orders -> D; so in Q2 K, E, L moved up, M stayed D, S is new.
    # Q3 list: S, L, M (volumes 0, 0, 100 -> D, D, A). Q2 -> Q3 flows: S A->D, K B->exit, E B->exit,
    # L C->D, M D->A.
    tdb.add("territories", territory_id="T1")
    add_dealer(tdb, "S", {Q2: 500}, signed_on="2025-05-10")
    add_dealer(tdb, "K", {Q2: 400}, status="terminated", terminated_on="2025-05-15")
    add_dealer(tdb, "E", {Q2: 300}, status="terminated", terminated_on="2025-06-30")
    add_dealer(tdb, "L", {Q2: 200}, status="terminated", terminated_on="2025-07-01")
    add_dealer(tdb, "M", {Q2: 100, Q3: 100})

    q1 = rows(tiers(tdb.con, rules, Scope(), Q1))
    q2 = rows(tiers(tdb.con, rules, Scope(), Q2))
    q3 = rows(tiers(tdb.con, rules, Scope(), Q3))

    assert set(q1) == {"K", "E", "L", "M"}
    assert {k: (r["tier"], r["movement"]) for k, r in q2.items()} == {
        "S": ("A", "new"), "K": ("B", "up"), "E": ("B", "up"), "L": ("C", "up"), "M": ("D", "same")}
    assert set(q3) == {"S", "L", "M"}
    exits = tier_dealers(tdb.con, rules, Scope(), Q3, to_tier="exit")
    assert list(exits.columns) == DEALER_COLUMNS
    assert exits["dealer_id"].tolist() == ["E", "K"]
    assert exits["prev_tier"].tolist() == ["B", "B"]
    assert exits["prev_volume"].tolist() == [300.0, 400.0]
    assert exits["tier"].isna().all() and exits["volume"].isna().all()
    assert (exits["movement"] == "exit").all()
    moves = {(r["from_tier"], r["to_tier"]): r["dealers"] for r in tier_moves(tdb.con, rules, Scope(), Q3).to_dict("records")}
    assert {k: n for k, n in moves.items() if n} == {("A", "D"): 1, ("B", "exit"): 2, ("C", "D"): 1, ("D", "A"): 1}


def test_tiers_are_relative_to_the_peers(tdb, rules):
    # X orders 500 in both quarters. Q1 peers 1000, 900, 800, 700 -> n=5, A at 1 (1000), B at 3 (800),
    # C at 4 (700): X is D. Q2 peers fall to 400, 300, 200, 100 -> X is first, A: up with the same volume.
    tdb.add("territories", territory_id="T1")
    add_dealer(tdb, "X", {Q1: 500, Q2: 500})
    for i, (v1, v2) in enumerate(((1000, 400), (900, 300), (800, 200), (700, 100))):
        add_dealer(tdb, f"P{i}", {Q1: v1, Q2: v2})

    x1 = rows(tiers(tdb.con, rules, Scope(), Q1))["X"]
    x2 = rows(tiers(tdb.con, rules, Scope(), Q2))["X"]

    assert (x1["tier"], x1["rank"], x1["volume"]) == ("D", 5, 500.0)
    assert (x2["tier"], x2["rank"], x2["volume"], x2["prev_tier"], x2["movement"]) == ("A", 1, 500.0, "D", "up")


def build_two_regions(tdb):
    """华东: T1 (E1 1000, E2 500) and T2 (E3 300, no channel); 华南: T3 (S1 200 批发, S2 100 零售)."""
    tdb.add("territories", territory_id="T1")
    tdb.add("territories", territory_id="T2")
    tdb.add("territories", territory_id="T3", region="华南", province="广东")
    add_dealer(tdb, "E1", {Q1: 1000}, channel="批发")
    add_dealer(tdb, "E2", {Q1: 500}, channel="零售")
    add_dealer(tdb, "E3", {Q1: 300}, territory_id="T2", channel=None, salesperson_id="S2")
    add_dealer(tdb, "S1", {Q1: 200}, territory_id="T3", channel="批发")
    add_dealer(tdb, "S2", {Q1: 100}, territory_id="T3", channel="零售")


def test_peer_group_region_channel_all(tdb, rules, tmp_path):
    # region: 华东 n=3 [1000, 500, 300] (A 1, B 2, C 3) -> A B C; 华南 n=2 [200, 100] (A 1, B 1, C 2) -> A C.
    # channel: 批发 [1000, 200] -> A C; 零售 [500, 100] -> A C; unspecified [300] -> A.
    # all: n=5 [1000, 500, 300, 200, 100] (A 1, B 3, C 4) -> A B B C D.
    build_two_regions(tdb)

    def tiers_with(peer_group):
        custom = override(tmp_path, f'[tiers]\npeer_group = "{peer_group}"\n')
        return rows(tiers(tdb.con, custom, Scope(), Q1))

    by_region = rows(tiers(tdb.con, rules, Scope(), Q1))
    by_channel = tiers_with("channel")
    by_all = tiers_with("all")

    order = ["E1", "E2", "E3", "S1", "S2"]
    assert [by_region[k]["tier"] for k in order] == list("ABCAC")
    assert [by_region[k]["peer_group"] for k in order] == ["华东"] * 3 + ["华南"] * 2
    assert [by_channel[k]["tier"] for k in order] == list("AAACC")
    assert [by_channel[k]["peer_group"] for k in order] == ["批发", "零售", "unspecified", "批发", "零售"]
    assert [by_channel[k]["peer_count"] for k in order] == [2, 2, 1, 2, 2]
    assert [by_all[k]["tier"] for k in order] == list("ABBCD")
    assert {r["peer_group"] for r in by_all.values()} == {"all"}
    assert by_all["S2"]["peer_count"] == 5


def test_scope_filter_does_not_change_tiers(tdb, rules):
    # Filtering to T2 (only E3) or to salesperson S2 shows E3 alone with the same 华东 group numbers:
    # peer_count 3, thresholds 1000 / 500 / 300, tier C, rank 3. An unknown region shows nothing and
    # counts no flows.
    build_two_regions(tdb)
    full = rows(tiers(tdb.con, rules, Scope(), Q1))["E3"]

    for scope in (Scope.of(territories=["T2"]), Scope.of(salespeople=["S2"])):
        frame = tiers(tdb.con, rules, scope, Q1)
        assert frame["dealer_id"].tolist() == ["E3"]
        assert frame.iloc[0].to_dict() == full
    assert (full["peer_count"], full["threshold_a"], full["threshold_b"], full["threshold_c"], full["tier"],
            full["rank"]) == (3, 1000.0, 500.0, 300.0, "C", 3)
    south = tiers(tdb.con, rules, Scope.of(regions=["华南"]), Q1)
    assert south["dealer_id"].tolist() == ["S1", "S2"]

    empty = tiers(tdb.con, rules, Scope.of(regions=["nowhere"]), Q1)
    assert empty.empty and list(empty.columns) == TIER_COLUMNS
    moves = tier_moves(tdb.con, rules, Scope.of(regions=["nowhere"]), Q1)
    assert len(moves) == 24 and moves["dealers"].sum() == 0


def test_tier_moves_lists_every_flow_across_a_year_end(tdb, rules):
    # Previous quarter of 2025Q1 is 2024Q4. Group 华东.
    # 2024Q4: A1 1000, B1 600, C1 300, D1 0, G (terminated 2024-12-20) 800  -> n=5, A at 1 (1000),
    #         B at 3 (600), C at 4 (300): A1 A, G B, B1 B, C1 C, D1 D.
    # 2025Q1: A1 100, B1 1000, C1 300, D1 600, N (signed 2025-02-01) 50 -> n=5, A at 1 (1000), B at 3 (300),
    #         C at 4 (100): B1 A, D1 B (600), C1 B, A1 C, N D.
    # Flows: A->C 1, B->A 1, B->exit 1 (G), C->B 1, D->B 1, new->D 1; 24 rows, the rest 0.
    tdb.add("territories", territory_id="T1")
    q4 = Quarter(2024, 4)
    add_dealer(tdb, "A1", {q4: 1000, Q1: 100})
    add_dealer(tdb, "B1", {q4: 600, Q1: 1000})
    add_dealer(tdb, "C1", {q4: 300, Q1: 300})
    add_dealer(tdb, "D1", {Q1: 600})
    add_dealer(tdb, "G", {q4: 800}, status="terminated", terminated_on="2024-12-20")
    add_dealer(tdb, "N", {Q1: 50}, signed_on="2025-02-01")

    moves = tier_moves(tdb.con, rules, Scope(), Q1)

    assert list(moves.columns) == ["from_tier", "to_tier", "dealers"]
    assert len(moves) == 24
    assert list(zip(moves["from_tier"], moves["to_tier"]))[:6] == [
        ("A", "A"), ("A", "B"), ("A", "C"), ("A", "D"), ("A", "exit"), ("B", "A")]
    assert list(zip(moves["from_tier"], moves["to_tier"]))[-4:] == [
        ("new", "A"), ("new", "B"), ("new", "C"), ("new", "D")]
    nonzero = {(r["from_tier"], r["to_tier"]): r["dealers"] for r in moves.to_dict("records") if r["dealers"]}
    assert nonzero == {("A", "C"): 1, ("B", "A"): 1, ("B", "exit"): 1, ("C", "B"): 1, ("D", "B"): 1,
                       ("new", "D"): 1}
    listed = rows(tiers(tdb.con, rules, Scope(), Q1))
    assert {k: r["movement"] for k, r in listed.items()} == {
        "A1": "down", "B1": "up", "C1": "up", "D1": "up", "N": "new"}

    new = tier_dealers(tdb.con, rules, Scope(), Q1, from_tier="new")
    assert new[["dealer_id", "prev_tier", "tier", "movement", "volume"]].values.tolist() == [["N", None, "D", "new", 50.0]]
    assert new["prev_volume"].isna().all()
    b_to_a = tier_dealers(tdb.con, rules, Scope(), Q1, from_tier="B", to_tier="A")
    assert b_to_a[["dealer_id", "prev_volume", "volume"]].values.tolist() == [["B1", 600.0, 1000.0]]
    assert len(tier_dealers(tdb.con, rules, Scope(), Q1)) == 6
    with pytest.raises(ValueError):
        tier_dealers(tdb.con, rules, Scope(), Q1, to_tier="new")


def test_tier_distribution_per_region_keeps_zero_tiers(tdb, rules):
    # From build_two_regions (peer group region): 华东 A 1, B 1, C 1, D 0; 华南 A 1, B 0, C 1, D 0.
    build_two_regions(tdb)

    frame = tier_distribution(tdb.con, rules, Scope(), Q1)

    assert list(frame.columns) == ["region", "tier", "dealers"]
    assert frame.values.tolist() == [
        ["华东", "A", 1], ["华东", "B", 1], ["华东", "C", 1], ["华东", "D", 0],
        ["华南", "A", 1], ["华南", "B", 0], ["华南", "C", 1], ["华南", "D", 0]]
    assert tier_distribution(tdb.con, rules, Scope.of(regions=["nowhere"]), Q1).empty


def test_report_catalogue_runs_tiers_and_moves(tdb, rules):
    # Through run_report with --quarter 2025Q1 on build_two_regions: 5 tier rows in peer-group, rank order.
    # All 5 dealers were active in 2024Q4 (signed 2024-01-01) without orders -> D then. In Q1:
    # 华东 E1 A, E2 B, E3 C; 华南 S1 A, S2 C -> flows D->A 2, D->B 1, D->C 2.
    build_two_regions(tdb)

    listed = run_report(tdb.con, rules=rules, name="tiers", scope=Scope(), options=PeriodOptions(quarter=Q1))
    moves = run_report(tdb.con, rules=rules, name="tier-moves", scope=Scope(), options=PeriodOptions(quarter=Q1))

    assert list(listed.columns) == TIER_COLUMNS
    assert listed["dealer_id"].tolist() == ["E1", "E2", "E3", "S1", "S2"]
    assert {(r["from_tier"], r["to_tier"]): r["dealers"] for r in moves.to_dict("records") if r["dealers"]} == {
        ("D", "A"): 2, ("D", "B"): 1, ("D", "C"): 2}
