"""The landing page in both languages: open database, row counts, date range, import log; and the
messages for a missing or damaged database (never a traceback)."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import frame_with_columns

APP = "app.py"


def run_app(monkeypatch, db_path, lang):
    monkeypatch.setenv("SALESDASH_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_shows_counts_dates_and_log(tdb, monkeypatch, lang):
    tdb.add("territories", territory_id="T1")
    tdb.add("dealers", dealer_id="D1")
    tdb.add("orders", dealer_id="D1", order_date="2025-03-07", amount=100)
    tdb.add("orders", dealer_id="D1", order_date="2025-11-30", amount=50)
    tdb.con.execute(
        "INSERT INTO import_log VALUES (1, '2025-12-01 10:00:00', 'import', ?, ?)",
        [json.dumps([{"file": "orders.csv", "sha256": "x"}]), json.dumps({"orders": {"inserted": 2, "updated": 0}})],
    )
    tdb.con.close()
    at = run_app(monkeypatch, tdb.path, lang)
    assert not at.exception
    table, n = ("表", "行数") if lang == "zh" else ("Table", "Rows")
    counts = frame_with_columns(at, table, n)
    rows = dict(zip(counts[table], counts[n]))
    assert rows["订单" if lang == "zh" else "Orders"] == "2"
    assert rows["经销商" if lang == "zh" else "Dealers"] == "1"
    dates = [m.value for m in at.metric]
    assert ("2025年3月7日 – 2025年11月30日" if lang == "zh" else "7 Mar 2025 – 30 Nov 2025") in dates
    log = frame_with_columns(at, "文件" if lang == "zh" else "Files")
    assert list(log["文件" if lang == "zh" else "Files"]) == ["orders.csv"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_database_says_how_to_create_it(tmp_path, monkeypatch, lang):
    at = run_app(monkeypatch, tmp_path / "none.duckdb", lang)
    assert not at.exception
    assert any("none.duckdb" in w.value for w in at.warning)
    assert any("lib.cli demo" in c.value for c in at.code)


def test_damaged_database_gives_a_one_line_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"garbage" * 1000)
    at = run_app(monkeypatch, bad, "en")
    assert not at.exception
    assert any(str(bad) in e.value for e in at.error)
