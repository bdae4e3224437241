"""The connection owner: missing, damaged and foreign files, read-only opening, all-or-nothing writes."""
import duckdb
import pytest

from lib import db


def test_missing_database_says_how_to_create_it(tmp_path):
    with pytest.raises(db.DatabaseMissing) as err:
        db.connect(tmp_path / "none.duckdb")
    assert "none.duckdb" in str(err.value) and "lib.cli demo" in str(err.value)


def test_damaged_file_gives_one_line_naming_the_file(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(db.DatabaseError) as err:
        db.connect(bad)
    assert str(bad) in str(err.value)
    assert "\n" not in str(err.value)


def test_foreign_duckdb_file_is_refused(tmp_path):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(db.DatabaseError, match="not a dealer dashboard database"):
        db.connect(other)


def test_app_connection_is_read_only(tdb):
    tdb.con.close()
    con = db.connect(tdb.path, read_only=True)
    with pytest.raises(duckdb.Error):
        con.execute("INSERT INTO territories VALUES ('T9', 'x', 'p', 'r', 1, NULL)")
    con.close()
    tdb.con = db.open_for_write(tdb.path)


def test_transaction_rolls_back_everything_on_error(tdb):
    before = db.table_checksums(tdb.con)
    with pytest.raises(RuntimeError):
        with db.transaction(tdb.con):
            tdb.con.execute("INSERT INTO territories VALUES ('T9', 'x', 'p', 'r', 1, NULL)")
            raise RuntimeError("boom")
    assert db.table_checksums(tdb.con) == before
    assert db.table_counts(tdb.con)["territories"] == 0


def test_checksums_change_with_content(tdb):
    tdb.add("territories", territory_id="T1")
    a = db.table_checksums(tdb.con)
    tdb.con.execute("UPDATE territories SET planned_dealers = 11")
    b = db.table_checksums(tdb.con)
    assert a["territories"][0] == b["territories"][0] == 1
    assert a["territories"] != b["territories"]


def test_scope_macros_filter_inside_sql(tdb):
    tdb.add("territories", territory_id="T1", region="华东", province="浙江")
    tdb.add("territories", territory_id="T2", region="华南", province="广东")
    tdb.add("dealers", dealer_id="D1", territory_id="T1", salesperson_id="S1")
    tdb.add("dealers", dealer_id="D2", territory_id="T2", salesperson_id="S2")
    cur = db.cursor(tdb.con)
    sql = "SELECT dealer_id FROM scoped_dealers($regions, $provinces, $territories, $salespeople) ORDER BY 1"
    from lib.scope import Scope
    assert cur.execute(sql, Scope().params()).fetchall() == [("D1",), ("D2",)]
    assert cur.execute(sql, Scope.of(regions=["华南"]).params()).fetchall() == [("D2",)]
    assert cur.execute(sql, Scope.of(regions=["华东"], salespeople=["S2"]).params()).fetchall() == []
