"""Access scope below the UI: a user who may see only 华东 (or only their own dealers) never gets a row,
a name or a total from elsewhere from any report, whatever filter they ask for; rankings keep the
values they have in the full comparison group."""
import pandas as pd
import pytest

from lib import db
from lib.reports import REPORTS, run_report
from lib.rules_file import default_rules
from lib.scope import NOTHING, Scope

EAST = Scope.of(regions=["华东"])
DEALER_ROWS = {"core-dealers", "tiers", "elimination", "new-dealers", "duplicates"}
REP_ROWS = {"contest", "contest-score"}
AGGREGATES = {"funnel", "forecast", "profit-matrix", "contracts", "drivers", "tier-moves"}


@pytest.fixture(scope="module")
def con(demo_path):
    c = db.connect(demo_path)
    yield c
    c.close()


def members(con, sql):
    return {r[0] for r in con.execute(sql).fetchall()}


def test_intersection_of_filter_and_access():
    scope = Scope.of(regions=["华南"]).within(EAST)
    assert scope.params()["regions"] == list(NOTHING)  # asking for 华南 as a 华东 manager: nothing
    assert scope.comparison_params()["regions"] == ["华南"]
    assert Scope.of(provinces=["浙江"]).within(EAST).params() == {
        "regions": ["华东"], "provinces": ["浙江"], "territories": [], "salespeople": []}
    assert Scope().within(Scope()).access is None  # the director's access adds nothing


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_manager_of_one_region_gets_nothing_from_another(con, name):
    rules = default_rules()
    east_dealers = members(con, "SELECT dealer_id FROM dealers JOIN territories USING (territory_id) WHERE region = '华东'")
    east_reps = members(con, "SELECT salesperson_id FROM salespeople JOIN territories USING (territory_id) WHERE region = '华东'")
    east_territories = members(con, "SELECT territory_id FROM territories WHERE region = '华东'")
    seen = run_report(con, rules, name, Scope().within(EAST))
    if name in DEALER_ROWS:
        assert set(seen["dealer_id"]) <= east_dealers
        if name == "duplicates":
            assert set(seen["duplicate_of"].dropna()) <= east_dealers
    elif name in REP_ROWS:
        assert not seen.empty and set(seen["salesperson_id"]) <= east_reps
        # ranks compare every rep of the (unfiltered) contest, as for the director
        everyone = run_report(con, rules, name, Scope()).set_index("salesperson_id")
        rank_columns = [c for c in seen.columns if c.startswith("rank")]
        for column in rank_columns + ["payout" if name == "contest" else "score"]:
            assert list(seen[column]) == list(everyone.loc[seen["salesperson_id"], column])
    elif name == "lifecycle":
        assert set(seen["territory_id"]) == east_territories
    else:
        assert name in AGGREGATES
        # every total equals the 华东 report: nothing from elsewhere is summed in
        pd.testing.assert_frame_equal(seen, run_report(con, rules, name, EAST))


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_filter_outside_the_access_widens_nothing(con, name):
    """A manager of 华东 opening a director's 华南 link: no row at all, not 华南's rows."""
    rules = default_rules()
    seen = run_report(con, rules, name, Scope.of(regions=["华南"]).within(EAST))
    if name in DEALER_ROWS | REP_ROWS | {"lifecycle"}:
        assert seen.empty
    else:
        assert seen.equals(run_report(con, rules, name, Scope.of(regions=["\0nothing"])))


def test_a_rep_sees_only_their_own_dealers(con):
    rules = default_rules()
    rep = con.execute("SELECT salesperson_id FROM dealers GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    own = members(con, f"SELECT dealer_id FROM dealers WHERE salesperson_id = '{rep}'")
    access = Scope.of(salespeople=[rep])
    assert set(run_report(con, rules, "tiers", Scope().within(access))["dealer_id"]) <= own
    assert set(run_report(con, rules, "core-dealers", Scope().within(access))["dealer_id"]) <= own
    assert set(run_report(con, rules, "contest", Scope().within(access))["salesperson_id"]) <= {rep}
