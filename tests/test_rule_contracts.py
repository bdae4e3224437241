"""R12 contract expiry: monthly window, core dealers over (D - 1 year, D], retention watch edges."""
import pytest

from lib.rules.contracts import contracts, december_share, retention_watch
from lib.rules.core_dealers import core_dealers
from lib.rules_file import load_rules
from lib.scope import EVERYTHING, Scope
from tests.conftest import d

# D = 2025-06-15; window 2025-06 .. 2026-05; watch D .. D + 90 = 2025-09-13; core year (2024-06-15, 2025-06-15]
AS_OF = d("2025-06-15")
MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
          "2026-03", "2026-04", "2026-05"]


@pytest.fixture
def book(tdb):
    tdb.add("territories", territory_id="T1", region="华东")
    tdb.add("territories", territory_id="T2", region="华北")

    def dealer(dealer_id, contract_end, *orders, **extra):
        tdb.add("dealers", dealer_id=dealer_id, contract_end=contract_end, **extra)
        for order_date, amount in orders:
            tdb.add("orders", dealer_id=dealer_id, order_date=order_date, amount=amount)

    dealer("C1", "2025-06-14", ("2025-01-10", 10))                     # ended before D: not counted
    dealer("C2", "2025-06-15", ("2025-02-01", 1500))                   # ends on D: 2025-06, watch, 0 days
    dealer("C3", "2025-09-13", ("2024-06-15", 700), ("2025-06-15", 4000), ("2025-06-16", 5))
    #   D + 90: watch; its 2024-06-15 order is exactly D - 1 year (out), 2025-06-16 is after D (out)
    dealer("C4", "2025-09-14", ("2025-03-01", 3000))                   # D + 91: not on watch
    dealer("C5", "2025-12-31", ("2025-04-01", 500))                    # December
    dealer("C6", "2026-05-31", ("2024-06-16", 50))                     # last month of the window
    dealer("C7", "2026-06-01", ("2025-04-01", 20))                     # after the window
    dealer("C8", "2025-07-01", ("2025-05-01", 900), status="terminated", terminated_on="2025-06-01")
    #   terminated before D: not counted, though it is ranked for core
    dealer("C9", "2025-12-01", signed_on="2025-06-16")                 # signed after D: not active
    dealer("C10", None, ("2025-05-01", 30))                             # no contract end
    dealer("C11", "2025-12-01")                                         # December, no orders
    dealer("C12", "2025-08-01", status="terminated", terminated_on="2025-06-15")  # terminated on D: not active
    dealer("N1", "2025-07-20", ("2025-05-01", 40), territory_id="T2")  # 华北
    return tdb


def test_contracts_months_and_core_expiring(book, rules):
    out = contracts(book.con, rules, EVERYTHING, AS_OF)
    assert list(out.columns) == ["month", "expiring", "core_expiring"]
    assert out["month"].tolist() == MONTHS
    # year orders: C3 4000, C4 3000, C2 1500, C8 900, C5 500, C6 50, N1 40, C10 30, C7 20, C1 10 = 10050
    # line 8040: cumulative 4000, 7000, 8500 -> core C3, C4, C2
    # 2025-06: C2 (core); 2025-07: N1; 2025-09: C3, C4 (both core); 2025-12: C5, C11; 2026-05: C6
    expected = {"2025-06": (1, 1), "2025-07": (1, 0), "2025-09": (2, 2), "2025-12": (2, 0), "2026-05": (1, 0)}
    for row in out.itertuples():
        assert (row.expiring, row.core_expiring) == expected.get(row.month, (0, 0)), row.month
    # 7 expiring, 2 in December: 2/7
    assert december_share(out) == pytest.approx(2 / 7, abs=1e-12)


def test_contracts_core_set_is_r4_over_the_year_to_d(book, rules):
    ranking = core_dealers(book.con, rules, EVERYTHING, d("2024-06-16"), AS_OF)
    assert ranking.loc[ranking["is_core"], "dealer_id"].tolist() == ["C3", "C4", "C2"]
    assert ranking.set_index("dealer_id").at["C3", "amount"] == 4000.0


def test_retention_watch_edges_d_plus_90_in_d_plus_91_out(book, rules):
    out = retention_watch(book.con, rules, EVERYTHING, AS_OF)
    assert list(out.columns) == ["dealer_id", "dealer_name", "region", "territory_id", "salesperson_id",
                                 "contract_end", "days_left", "amount_12m"]
    # core C2 (ends on D, 0 days), C3 (D + 90); C4 ends D + 91
    assert out["dealer_id"].tolist() == ["C2", "C3"]
    assert out["contract_end"].tolist() == [d("2025-06-15"), d("2025-09-13")]
    assert out["days_left"].tolist() == [0, 90]
    # C3: 4000 on D counts, 700 on D - 1 year and 5 after D do not
    assert out["amount_12m"].tolist() == [1500.0, 4000.0]
    assert out["region"].tolist() == ["华东", "华东"]


def test_retention_watch_excludes_terminated_core_dealer(tdb, rules):
    tdb.add("territories", territory_id="T1")
    # T1 ordered 1000 and is the only core dealer, but it was terminated before D
    tdb.add("dealers", dealer_id="T1D", contract_end="2025-07-01", status="terminated", terminated_on="2025-06-10")
    tdb.add("orders", dealer_id="T1D", order_date="2025-05-01", amount=1000)
    tdb.add("dealers", dealer_id="OK", contract_end="2025-07-01")
    tdb.add("orders", dealer_id="OK", order_date="2025-05-01", amount=100)
    # ranking 1000, 100: line 880 -> core T1D only
    assert retention_watch(tdb.con, rules, EVERYTHING, AS_OF).empty
    out = contracts(tdb.con, rules, EVERYTHING, AS_OF)
    # OK expires in 2025-07 but is not core; T1D is not active
    assert out.set_index("month").loc["2025-07"].tolist() == [1, 0]


def test_contracts_scope_and_rules_override(book, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[contracts]\nmonths = 3\nwatch_days = 91\n", encoding="utf-8")
    rules = load_rules(path)
    out = contracts(book.con, rules, EVERYTHING, AS_OF)
    # 3 months: 2025-06 C2, 2025-07 N1, 2025-08 none
    assert out["month"].tolist() == ["2025-06", "2025-07", "2025-08"]
    assert out["expiring"].tolist() == [1, 1, 0]
    assert december_share(out) == 0.0
    # watch 91 days takes C4 (D + 91)
    assert retention_watch(book.con, rules, EVERYTHING, AS_OF)["dealer_id"].tolist() == ["C2", "C3", "C4"]


def test_contracts_core_is_ranked_within_the_scope(book, rules):
    north = contracts(book.con, rules, Scope.of(regions=["华北"]), AS_OF)
    # 华北 holds N1 alone: 40 of 40 -> core; expires 2025-07
    assert north.set_index("month").loc["2025-07"].tolist() == [1, 1]
    assert north["expiring"].sum() == 1
    watch = retention_watch(book.con, rules, Scope.of(regions=["华北"]), AS_OF)
    assert watch["dealer_id"].tolist() == ["N1"]
    assert watch["days_left"].tolist() == [35]


def test_contracts_empty_scope_and_december_share_none(book, rules):
    out = contracts(book.con, rules, Scope.of(regions=["西北"]), AS_OF)
    assert out["month"].tolist() == MONTHS
    assert out["expiring"].tolist() == [0] * 12
    assert out["core_expiring"].tolist() == [0] * 12
    assert december_share(out) is None
    assert retention_watch(book.con, rules, Scope.of(regions=["西北"]), AS_OF).empty


def test_contracts_window_starts_in_d_month_across_a_year(tdb, rules):
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="A", contract_end="2026-12-31")
    tdb.add("dealers", dealer_id="B", contract_end="2026-01-31")
    tdb.add("dealers", dealer_id="C", contract_end="2025-12-31")
    # D = 2025-12-31: window 2025-12 .. 2026-11; C ends on D (in), B in 2026-01, A after the window
    out = contracts(tdb.con, rules, EVERYTHING, d("2025-12-31"))
    assert out["month"].tolist()[:2] == ["2025-12", "2026-01"]
    assert out["month"].tolist()[-1] == "2026-11"
    assert out["expiring"].tolist()[:2] == [1, 1]
    assert out["expiring"].sum() == 2
    # December share: C of 2 = 0.5; no orders at all -> no core
    assert december_share(out) == 0.5
    assert out["core_expiring"].sum() == 0


def test_contracts_year_before_a_leap_day(tdb, rules):
    tdb.add("territories", territory_id="T1")
    # D = 2024-02-29: D - 1 year = 2023-02-28, so the core year is 2023-03-01 .. 2024-02-29
    tdb.add("dealers", dealer_id="OLD", contract_end="2024-03-01")
    tdb.add("orders", dealer_id="OLD", order_date="2023-02-28", amount=10000)  # out of the year
    tdb.add("orders", dealer_id="OLD", order_date="2023-03-01", amount=100)    # in
    tdb.add("dealers", dealer_id="NEW", contract_end="2024-03-02")
    tdb.add("orders", dealer_id="NEW", order_date="2024-02-29", amount=900)    # in (on D)
    # year amounts NEW 900, OLD 100: line 800 -> core NEW only
    watch = retention_watch(tdb.con, rules, EVERYTHING, d("2024-02-29"))
    assert watch["dealer_id"].tolist() == ["NEW"]
    assert watch["amount_12m"].tolist() == [900.0]
    out = contracts(tdb.con, rules, EVERYTHING, d("2024-02-29"))
    assert out.set_index("month").loc["2024-03"].tolist() == [2, 1]


def test_expiring_dealers_are_the_rows_behind_each_month(book, rules):
    from lib.rules.contracts import expiring_dealers

    out = expiring_dealers(book.con, rules, EVERYTHING, AS_OF, "2025-09")
    assert list(out.columns) == ["dealer_id", "dealer_name", "region", "territory_id", "salesperson_id",
                                 "contract_end", "days_left", "is_core", "amount_12m"]
    # C3 (D + 90) and C4 (D + 91), both core; C3's orders on D - 1 year and after D do not count
    assert out["dealer_id"].tolist() == ["C3", "C4"]
    assert out["contract_end"].tolist() == [d("2025-09-13"), d("2025-09-14")]
    assert out["days_left"].tolist() == [90, 91]
    assert out["is_core"].tolist() == [True, True]
    assert out["amount_12m"].tolist() == [4000.0, 3000.0]
    # D's month: C1 ended before D and C12 was terminated on D; C2 ends on D (0 days)
    june = expiring_dealers(book.con, rules, EVERYTHING, AS_OF, "2025-06")
    assert june["dealer_id"].tolist() == ["C2"] and june["days_left"].tolist() == [0]
    # December: C5 (ordered, not core) and C11 (no orders: amount 0, not core); C9 signed after D
    december = expiring_dealers(book.con, rules, EVERYTHING, AS_OF, d("2025-12-25"))
    assert december["dealer_id"].tolist() == ["C11", "C5"]
    assert december["is_core"].tolist() == [False, False]
    assert december["amount_12m"].tolist() == [0.0, 500.0]
    # Every month of the report: the row count is `expiring`, the core rows `core_expiring`
    report = contracts(book.con, rules, EVERYTHING, AS_OF)
    for row in report.itertuples():
        rows = expiring_dealers(book.con, rules, EVERYTHING, AS_OF, row.month)
        assert (len(rows), int(rows["is_core"].sum())) == (row.expiring, row.core_expiring), row.month


def test_expiring_dealers_scope_and_empty_month(book, rules):
    from lib.rules.contracts import expiring_dealers

    north = expiring_dealers(book.con, rules, Scope.of(regions=["华北"]), AS_OF, "2025-07")
    # 华北 alone: N1 is the whole 40 of its year, so it is core inside that scope
    assert north["dealer_id"].tolist() == ["N1"] and north["is_core"].tolist() == [True]
    assert north["region"].tolist() == ["华北"] and north["days_left"].tolist() == [35]
    empty = expiring_dealers(book.con, rules, EVERYTHING, AS_OF, "2025-10")
    assert empty.empty and list(empty.columns)[-2:] == ["is_core", "amount_12m"]
    assert expiring_dealers(book.con, rules, Scope.of(regions=["西北"]), AS_OF, "2025-09").empty
