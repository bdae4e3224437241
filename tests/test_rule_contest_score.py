"""R10 contest score over a campaign: `contest-score` (lib/rules/contest.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from lib.rules.contest import contest, contest_score
from lib.scope import Scope
from tests.test_rule_contest import dealer, override, rep, setup_territories

JAN, MAR = dt.date(2025, 1, 1), dt.date(2025, 3, 1)


def developed(tdb, dealer_id, salesperson_id, month="2025-01", signed_on="2025-01-02", **columns):
    """A dealer whose single order of 50,000 on the 15th of `month` succeeds there by rule (b)."""
    dealer(tdb, dealer_id, salesperson_id, signed_on, [(f"{month}-15", 50000)], **columns)


def paid(tdb, dealer_id, paid_on, amount):
    tdb.add("payments", dealer_id=dealer_id, paid_on=paid_on, amount=amount)


def by_rep(frame):
    return {r["salesperson_id"]: r for r in frame.to_dict("records")}


def test_score_weights_ranks_and_what_counts(tdb, rules):
    setup_territories(tdb)
    for sid in ("P1", "P2", "P3"):
        rep(tdb, sid, name=f"Rep {sid}")
    # P1 developed 2: D11 signed before the campaign, success Jan (b); D12 10,000 x Jan..Mar -> (a) Mar
    developed(tdb, "D11", "P1", signed_on="2024-12-15")
    dealer(tdb, "D12", "P1", "2025-01-10", [("2025-01-10", 10000), ("2025-02-10", 10000), ("2025-03-10", 10000)])
    # P1 collected 30,000 = D12 20,000 (Feb 1) + 10,000 (Mar 31); D11 signed before the campaign: its
    # 99,999 is not counted; D12's Apr 1 payment is after the campaign
    paid(tdb, "D12", "2025-02-01", 20000)
    paid(tdb, "D12", "2025-03-31", 10000)
    paid(tdb, "D11", "2025-02-01", 99999)
    paid(tdb, "D12", "2025-04-01", 5000)
    # P2 developed 1 (Feb), collected 60,000 = 70,000 - a 10,000 reversal
    developed(tdb, "D21", "P2", month="2025-02", signed_on="2025-02-01")
    paid(tdb, "D21", "2025-01-01", 70000)  # paid before signing but inside the campaign: counts
    paid(tdb, "D21", "2025-03-15", -10000)
    # P2's D22 succeeds in May (10,000 x Mar..May): outside the campaign
    dealer(tdb, "D22", "P2", "2025-03-01", [("2025-03-05", 10000), ("2025-04-05", 10000), ("2025-05-05", 10000)])
    # P3: a success in Dec 2024 is before the campaign
    developed(tdb, "D31", "P3", month="2024-12", signed_on="2024-10-01")
    paid(tdb, "D31", "2025-01-20", 40000)
    frame = contest_score(tdb.con, rules, Scope(), JAN, MAR)
    assert list(frame.columns) == ["salesperson_id", "name", "developed_total", "collected_total", "score", "rank"]
    # max developed 2, max collected 60,000
    # P1: 100 x (0.6 x 2/2 + 0.4 x 30,000/60,000) = 80; P2: 100 x (0.6 x 1/2 + 0.4 x 1) = 70; P3: 0
    assert frame.to_dict("records") == [
        {"salesperson_id": "P1", "name": "Rep P1", "developed_total": 2, "collected_total": 30000.0,
         "score": pytest.approx(80.0, abs=1e-9), "rank": 1},
        {"salesperson_id": "P2", "name": "Rep P2", "developed_total": 1, "collected_total": 60000.0,
         "score": pytest.approx(70.0, abs=1e-9), "rank": 2},
        {"salesperson_id": "P3", "name": "Rep P3", "developed_total": 0, "collected_total": 0.0,
         "score": 0.0, "rank": 3},
    ]
    # developed_total is the sum of R9's monthly developed
    monthly = sum(by_rep(contest(tdb.con, rules, Scope(), dt.date(2025, m, 1)))["P1"]["developed"] for m in (1, 2, 3))
    assert monthly == 2


def test_a_term_is_zero_when_its_max_is_zero_or_less(tdb, rules):
    setup_territories(tdb)
    for sid in ("P1", "P2", "P3"):
        rep(tdb, sid)
    # nobody developed; collected 100 and 50 -> scores 40 x 100/100 = 40, 40 x 50/100 = 20, 0
    dealer(tdb, "D1", "P1", "2025-01-05")
    dealer(tdb, "D2", "P2", "2025-01-05")
    paid(tdb, "D1", "2025-02-01", 100)
    paid(tdb, "D2", "2025-02-01", 50)
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    assert {s: (rows[s]["score"], rows[s]["rank"]) for s in rows} == {
        "P1": (pytest.approx(40.0), 1), "P2": (pytest.approx(20.0), 2), "P3": (0.0, 3)}
    # only reversals: max collected -50 <= 0 -> that term is 0 too: everybody 0, all rank 1
    tdb.con.execute("UPDATE payments SET amount = -amount")
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    assert {s: (rows[s]["collected_total"], rows[s]["score"], rows[s]["rank"]) for s in rows} == {
        "P1": (-100.0, 0.0, 1), "P2": (-50.0, 0.0, 1), "P3": (0.0, 0.0, 1)}


def test_equal_scores_tie_exactly(tdb, rules):
    setup_territories(tdb)
    for sid in ("MAX", "P1", "P2", "P3"):
        rep(tdb, sid)
    for i in range(7):
        developed(tdb, f"M{i}", "MAX")
    paid(tdb, "M0", "2025-01-20", 700)
    dealer(tdb, "A", "P1", "2025-01-03")
    paid(tdb, "A", "2025-01-20", 270)
    developed(tdb, "B", "P2")
    paid(tdb, "B", "2025-01-20", 120)
    developed(tdb, "C", "P3")
    paid(tdb, "C", "2025-01-20", 120.01)
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    # MAX: 100. P1: 100 x 0.4 x 270/700 = 15.428571...; P2: 100 x (0.6/7 + 0.4 x 120/700) = 15.428571...
    # equal exactly (float arithmetic would give ...27 vs ...3); P3 collected one cent more -> above them
    assert rows["P1"]["score"] == pytest.approx(108 / 7, abs=1e-9)
    assert rows["P2"]["score"] == pytest.approx(108 / 7, abs=1e-9)
    assert {s: rows[s]["rank"] for s in rows} == {"MAX": 1, "P3": 2, "P1": 3, "P2": 3}
    assert list(contest_score(tdb.con, rules, Scope(), JAN, MAR)["salesperson_id"]) == ["MAX", "P3", "P1", "P2"]


def test_weights_override(tdb, tmp_path):
    setup_territories(tdb)
    for sid in ("P1", "P2", "P3"):
        rep(tdb, sid)
    developed(tdb, "D1", "P1")
    developed(tdb, "D2", "P1")
    developed(tdb, "D3", "P3")
    dealer(tdb, "D4", "P2", "2025-02-01")
    paid(tdb, "D4", "2025-02-02", 1000)
    paid(tdb, "D3", "2025-02-02", 500)
    halves = override(tmp_path, "[contest_score]\ndeveloped_weight = 0.5\ncollected_weight = 0.5\n")
    rows = by_rep(contest_score(tdb.con, halves, Scope(), JAN, MAR))
    # P1: 50 x 2/2 = 50; P2: 50 x 1000/1000 = 50 (tie, rank 1); P3: 50 x 1/2 + 50 x 500/1000 = 50 too
    assert {s: rows[s]["rank"] for s in rows} == {"P1": 1, "P2": 1, "P3": 1}
    only_count = override(tmp_path, "[contest_score]\ndeveloped_weight = 1.0\ncollected_weight = 0.0\n")
    rows = by_rep(contest_score(tdb.con, only_count, Scope(), JAN, MAR))
    # 100 x developed / 2: P1 100, P3 50, P2 0
    assert {s: (rows[s]["score"], rows[s]["rank"]) for s in rows} == {
        "P1": (100.0, 1), "P3": (50.0, 2), "P2": (0.0, 3)}


def test_reps_employed_in_the_campaign_and_developed_only_in_their_months(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "GONE", left_on="2024-12-31")       # left before the campaign: not listed
    rep(tdb, "LEFT_JAN", left_on="2025-01-31")   # listed; a Feb success is not in R9 for it
    rep(tdb, "JOINED", hired_on="2025-02-15")    # listed; a Jan success is not in R9 for it
    rep(tdb, "LATER", hired_on="2025-04-01")     # hired after the campaign: not listed
    developed(tdb, "L1", "LEFT_JAN", month="2025-01")
    developed(tdb, "L2", "LEFT_JAN", month="2025-02")
    developed(tdb, "J1", "JOINED", month="2025-01")
    developed(tdb, "J2", "JOINED", month="2025-02")
    developed(tdb, "J3", "JOINED", month="2025-03")
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    assert sorted(rows) == ["JOINED", "LEFT_JAN"]
    # LEFT_JAN: Jan only -> 1; JOINED: Feb (hired Feb 15, employed during Feb) + Mar -> 2
    assert (rows["LEFT_JAN"]["developed_total"], rows["JOINED"]["developed_total"]) == (1, 2)
    # collected: none -> 0 term; scores 60 x 1/2 = 30 and 60
    assert (rows["LEFT_JAN"]["score"], rows["JOINED"]["score"]) == (pytest.approx(30.0), pytest.approx(60.0))


def test_duplicates_excluded_until_approved_and_scope(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "EAST", territory_id="T1")
    rep(tdb, "SOUTH", territory_id="T2")
    dealer(tdb, "ORIG", "SOUTH", "2020-01-01", address="广州市天河路1号")
    developed(tdb, "COPY", "EAST", address="广州市 天河路 1 号")
    paid(tdb, "COPY", "2025-01-20", 8000)
    developed(tdb, "S1", "SOUTH")
    paid(tdb, "S1", "2025-01-20", 2000)
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    # COPY excluded: EAST 0 / 0 -> 0; SOUTH 1 / 2,000 -> 100
    assert (rows["EAST"]["developed_total"], rows["EAST"]["collected_total"], rows["EAST"]["score"]) == (0, 0.0, 0.0)
    assert (rows["SOUTH"]["score"], rows["SOUTH"]["rank"]) == (pytest.approx(100.0), 1)
    tdb.con.execute("UPDATE dealers SET approved_new = true WHERE dealer_id = 'COPY'")
    rows = by_rep(contest_score(tdb.con, rules, Scope(), JAN, MAR))
    # EAST 1 / 8,000 -> 100; SOUTH 1 / 2,000 -> 60 + 40 x 0.25 = 70
    assert (rows["EAST"]["score"], rows["SOUTH"]["score"]) == (pytest.approx(100.0), pytest.approx(70.0))
    # regional: SOUTH alone in 华南 -> max is its own -> 100, rank 1
    south = contest_score(tdb.con, rules, Scope.of(regions=["华南"]), JAN, MAR)
    assert south.to_dict("records") == [{"salesperson_id": "SOUTH", "name": "name-SOUTH", "developed_total": 1,
                                         "collected_total": 2000.0, "score": pytest.approx(100.0), "rank": 1}]
    assert len(contest_score(tdb.con, rules, Scope.of(regions=["西北"]), JAN, MAR)) == 0


def test_single_month_campaign(tdb, rules):
    setup_territories(tdb)
    rep(tdb, "P1")
    developed(tdb, "D1", "P1", month="2025-03", signed_on="2025-03-01")
    paid(tdb, "D1", "2025-03-31", 123.45)
    frame = contest_score(tdb.con, rules, Scope(), MAR, MAR)
    # the only rep is its own max: 60 + 40 = 100; the Jan..Mar window of a 1-month campaign is March only
    assert frame.to_dict("records") == [{"salesperson_id": "P1", "name": "name-P1", "developed_total": 1,
                                         "collected_total": 123.45, "score": pytest.approx(100.0), "rank": 1}]
    assert contest_score(tdb.con, rules, Scope(), JAN, dt.date(2025, 2, 1)).iloc[0]["developed_total"] == 0
