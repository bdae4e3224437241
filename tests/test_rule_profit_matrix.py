"""R3 profit x stage matrix: exact band thresholds, current stage, open opportunities only."""
import pytest

from lib.rules.forecast import open_opportunities
from lib.rules.profit_matrix import profit_matrix
from lib.rules_file import load_rules
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

AS_OF = d("2025-06-30")
STAGES = ["market", "lead", "qualified", "signed"]


def add_opportunity(tdb, opportunity_id, profit, amount=100, stages=(), **extra):
    tdb.add("opportunities", opportunity_id=opportunity_id, created_on="2025-06-01", expected_amount=amount,
            expected_profit=profit, **extra)
    for stage, entered_on in stages:
        tdb.add("stage_history", opportunity_id=opportunity_id, stage=stage, entered_on=entered_on)


@pytest.fixture
def matrix_db(tdb):
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")
    add_opportunity(tdb, "H1", "200000.00", 1000, [("lead", "2025-06-02")])       # exactly high -> high
    add_opportunity(tdb, "H2", "350000", 2000, [("signed", "2025-06-02")])        # high
    add_opportunity(tdb, "M1", "199999.99", 4000, [("lead", "2025-06-02")])       # just below high -> medium
    add_opportunity(tdb, "M2", "50000.00", 8000)                                  # exactly medium, no row: market
    add_opportunity(tdb, "L1", "49999.99", 16000, [("qualified", "2025-06-02")])  # just below medium -> low
    add_opportunity(tdb, "L2", None, None, [("qualified", "2025-06-02")])         # empty profit and amount -> low
    add_opportunity(tdb, "L3", "-5000", 32000)                                    # a loss -> low, market
    # current stage counts, not the highest: signed then back to lead on a later date
    add_opportunity(tdb, "H3", "300000", 64000, [("signed", "2025-06-02"), ("lead", "2025-06-10")])
    # not open: paid, lost on D, created after D
    add_opportunity(tdb, "X1", "500000", 1, [("paid", "2025-06-02")])
    add_opportunity(tdb, "X2", "500000", 1, lost_on="2025-06-30")
    tdb.add("opportunities", opportunity_id="X3", created_on="2025-07-01", expected_amount=1, expected_profit=500000)
    add_opportunity(tdb, "N1", "60000", 128, [("signed", "2025-06-02")], territory_id="T2")  # medium, 华北
    return tdb


def cell(frame, band, stage):
    row = frame[(frame["profit_band"] == band) & (frame["stage"] == stage)]
    assert len(row) == 1
    return int(row["open_count"].iloc[0]), float(row["expected_amount"].iloc[0])


def test_profit_matrix_bands_at_the_exact_thresholds(matrix_db, rules):
    out = profit_matrix(matrix_db.con, rules, EVERYTHING, AS_OF)
    assert list(out.columns) == ["profit_band", "stage", "open_count", "expected_amount"]
    # all 3 bands x 4 stages, zeros kept, high first
    assert out["profit_band"].tolist() == ["high"] * 4 + ["medium"] * 4 + ["low"] * 4
    assert out["stage"].tolist() == STAGES * 3
    # high: lead H1 1000 + H3 64000 (moved back from signed) = 2, 65000; signed H2 2000
    assert cell(out, "high", "lead") == (2, 65000.0)
    assert cell(out, "high", "signed") == (1, 2000.0)
    assert cell(out, "high", "market") == (0, 0.0)
    # medium: lead M1 (199,999.99) 4000; market M2 (exactly 50,000) 8000; signed N1 128
    assert cell(out, "medium", "lead") == (1, 4000.0)
    assert cell(out, "medium", "market") == (1, 8000.0)
    assert cell(out, "medium", "signed") == (1, 128.0)
    # low: qualified L1 (49,999.99) 16000 + L2 (empty profit, empty amount = 0) = 2, 16000; market L3 32000
    assert cell(out, "low", "qualified") == (2, 16000.0)
    assert cell(out, "low", "market") == (1, 32000.0)
    # 9 open: H1 H2 H3 M1 M2 N1 L1 L2 L3 (X1 paid, X2 lost on D, X3 created after D are not open)
    assert out["open_count"].sum() == 9
    assert out["expected_amount"].sum() == 1000 + 64000 + 2000 + 4000 + 8000 + 128 + 16000 + 32000


def test_profit_matrix_scope_and_empty_scope(matrix_db, rules):
    north = profit_matrix(matrix_db.con, rules, Scope.of(regions=["华北"]), AS_OF)
    assert north["open_count"].sum() == 1
    assert cell(north, "medium", "signed") == (1, 128.0)
    nobody = profit_matrix(matrix_db.con, rules, Scope.of(territories=["T9"]), AS_OF)
    assert len(nobody) == 12
    assert nobody["open_count"].tolist() == [0] * 12
    assert nobody["expected_amount"].tolist() == [0.0] * 12


def test_profit_matrix_thresholds_from_a_rules_file(matrix_db, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[profit_bands]\nhigh = 199999.99\nmedium = 60000\n", encoding="utf-8")
    out = profit_matrix(matrix_db.con, load_rules(path), EVERYTHING, AS_OF)
    # M1 (199,999.99) is now exactly high; M2 (50,000) falls to low; N1 (60,000) stays medium exactly
    assert cell(out, "high", "lead") == (3, 69000.0)
    assert cell(out, "low", "market") == (2, 40000.0)
    assert cell(out, "medium", "signed") == (1, 128.0)
    assert cell(out, "medium", "market") == (0, 0.0)


def test_profit_matrix_cells_match_the_drill_down(matrix_db, rules):
    out = profit_matrix(matrix_db.con, rules, EVERYTHING, AS_OF)
    for row in out.itertuples():
        listed = open_opportunities(matrix_db.con, rules, EVERYTHING, AS_OF, stage=row.stage,
                                    profit_band=row.profit_band)
        assert len(listed) == row.open_count
        assert listed["expected_amount"].fillna(0).sum() == pytest.approx(row.expected_amount, abs=0.001)
    high = open_opportunities(matrix_db.con, rules, EVERYTHING, AS_OF, profit_band="high")
    assert sorted(high["opportunity_id"]) == ["H1", "H2", "H3"]
    assert high.set_index("opportunity_id").at["H1", "expected_profit"] == 200000.0
