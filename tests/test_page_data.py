"""Data page: browser import (dry run preview, then one transaction), the import log, the rules in
force and the templates; with a database, without one, with a damaged or locked one, in both
languages. The upload handling is tested through ui.data_admin with (name, bytes) pairs, on COPIES
of the demo database (demo_path itself is only read)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib

import pytest

from lib import db
from lib.rules_file import default_rules, load_rules
from tests.apptest_helpers import frame_with_columns, no_failure, run_page
from ui import data_admin as admin

PAGE = "pages/data.py"
LABELS = {"zh": {"key": "键", "source": "来源", "files": "文件", "table": "表", "sha": "SHA-256 校验值",
                 "demo": "演示数据", "import": "导入", "no_db": "还没有数据库"},
          "en": {"key": "Key", "source": "Source", "files": "Files", "table": "Table", "sha": "SHA-256",
                 "demo": "Demo data", "import": "Import", "no_db": "There is no database yet"}}

# A new territory with its rep, a dealer and its orders: references resolve inside the batch.
GOOD = [
    ("territories.csv", "territory_id,territory_name,province,region,planned_dealers\nTX1,测试区,浙江,华东,5\n"),
    ("业务员.csv", "业务员编码,姓名,岗位,区域编码\nSX1,张测试,业务员,TX1\n"),
    ("dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status\n"
                    "DX1,测试经销商,TX1,SX1,2025/3/7,合作中\n"),
    ("订单.csv", "订单号,经销商编码,订单日期,金额\nOX1,DX1,2025年3月8日,\"1,234.50\"\nOX2,DX1,2025-04-01,1.2万\n"),
]


def encoded(files, gbk=("订单.csv",)):
    """(name, bytes) pairs as uploads arrive; some files in GBK like a Chinese ERP export."""
    return [(name, text.encode("gbk" if name in gbk else "utf-8")) for name, text in files]


@pytest.fixture
def demo_copy(demo_path, tmp_path, monkeypatch):
    """A writable copy of the demo database, made the app's database for this test."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_path, path)
    monkeypatch.setenv("SALESDASH_DB", str(path))
    return path


def checksums(path):
    con = db.connect(path)
    try:
        return db.table_checksums(con), db.import_log(con)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# The upload handling (ui.data_admin), against temp databases


def test_dry_run_previews_then_import_writes_once_and_the_log_shows_it(demo_copy):
    from ui.data import connection

    sources = encoded(GOOD)
    before, log_before = checksums(demo_copy)
    check = admin.preview(demo_copy, sources)
    assert check.ok and check.ready, check.result.problems
    assert check.result.counts["orders"] == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert check.result.counts["salespeople"]["inserted"] == 1
    assert checksums(demo_copy)[0] == before  # the dry run wrote nothing

    connection()  # the app's cached read-only connection is open, as on the page
    steps = []
    done = admin.run_import(demo_copy, sources, progress=steps.append)
    assert done.ok, (done.error, done.result and done.result.problems)
    assert done.result.counts == check.result.counts
    assert len(steps) == admin.progress_steps(check, sources)  # the progress bar reaches 100%
    after, log_after = checksums(demo_copy)
    assert after["orders"][0] == before["orders"][0] + 2 and after["dealers"][0] == before["dealers"][0] + 1
    assert len(log_after) == len(log_before) + 1

    # The log shows the files, their sha256 and the counts.
    newest = admin.log_frame(log_after, "en").iloc[0]
    assert newest["import_source"] == "Import"
    assert newest["import_files"].split(", ") == [name for name, _ in sources]
    assert newest["sha256"].split(", ") == [hashlib.sha256(b).hexdigest()[:admin.SHA_PREFIX] for _, b in sources]
    assert (newest["inserted"], newest["updated"]) == (5, 0)
    files, counts = admin.log_entry(log_after, int(newest["import_id"]), "zh")
    assert list(files["sha256"]) == [hashlib.sha256(b).hexdigest() for _, b in sources]
    assert dict(zip(counts["import_table"], counts["inserted"]))["订单"] == 2

    # The same files again: the dry run says nothing would change.
    again = admin.preview(demo_copy, sources)
    assert again.ready and all(c["inserted"] == c["updated"] == 0 for c in again.result.counts.values())


def test_bad_batch_previews_every_problem_and_leaves_the_database_unchanged(demo_copy):
    rows = "".join(f"OB{i},NO_SUCH_DEALER,2025-01-01,5\n" for i in range(60))
    sources = [
        ("orders.csv", ("order_id,dealer_id,order_date,amount\n" + rows).encode()),
        ("payments.csv", "payment_id,dealer_id,paid_on,amount\nPB1,DX9,2025-02-30,12abc\n".encode()),
        ("notes.csv", b"a,b\n1,2\n"),
        ("dealers.xlsx", b"\x00\x01 not a workbook"),
    ]
    before, log_before = checksums(demo_copy)
    check = admin.preview(demo_copy, sources)
    assert not check.ok and not check.ready
    problems, more = admin.problem_frames(check.result.problems)
    assert more == [("orders.csv", 10)]  # 60 bad rows: 50 listed, the count of the rest
    orders = problems[problems["import_file"] == "orders.csv"]
    assert len(orders) == 50 and list(orders["problem_row"][:2]) == [2, 3]
    assert set(orders["problem_column"]) == {"dealer_id"}
    assert "unknown dealer 'NO_SUCH_DEALER'" in orders["problem_reason"].iloc[0]
    payments = problems[problems["import_file"] == "payments.csv"]
    assert list(payments["problem_column"]) == ["dealer_id", "paid_on", "amount"]
    assert set(problems["import_file"]) >= {"notes.csv", "dealers.xlsx"}
    assert check.result.problem_count == 60 + 3 + 2
    shown = admin.shown_problems(problems, "zh")
    assert shown["problem_reason"].iloc[0] == "未知的经销商 'NO_SUCH_DEALER'（数据库和本批文件中都没有）"

    done = admin.run_import(demo_copy, sources)  # pressed anyway: still nothing written
    assert not done.ok
    after, log_after = checksums(demo_copy)
    assert after == before and len(log_after) == len(log_before)


def test_first_import_creates_the_database(tmp_path, monkeypatch):
    path = tmp_path / "new" / "sales.duckdb"
    monkeypatch.setenv("SALESDASH_DB", str(path))
    sources = encoded(GOOD)
    check = admin.preview(path, sources)
    assert check.ready and not path.exists()
    done = admin.run_import(path, sources)
    assert done.ok
    counts, log = checksums(path)
    assert counts["orders"][0] == 2 and len(log) == 1


def test_header_only_template_workbook_imports_nothing(tmp_path):
    check = admin.preview(tmp_path / "none.duckdb", [("templates.xlsx", admin.template_workbook())])
    assert check.ok, check.result.problems
    assert all(c == {"inserted": 0, "updated": 0, "unchanged": 0} for c in check.result.counts.values())


def test_locked_database_gives_a_clear_message(demo_copy):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "time.sleep(60)", str(demo_copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for L, words in (("en", "in use"), ("zh", "占用")):
            check = admin.preview(demo_copy, encoded(GOOD), L)
            assert not check.ready and words in check.error
            done = admin.run_import(demo_copy, encoded(GOOD), L=L, release=lambda: None)
            assert not done.ok and words in done.error
    finally:
        holder.kill()
        holder.wait()


def test_messages_in_both_languages():
    assert admin.reason_text("required value missing", "zh") == "必填值为空"
    assert admin.reason_text("required value missing", "en") == "required value missing"
    assert admin.reason_text("required column missing (its header may also be 金额 or 订单金额)", "zh") == \
        "缺少必填列（表头也可写作 金额、订单金额）"
    assert admin.reason_text("something new", "zh") == "something new"
    assert admin.progress_text("orders: writing 1,000 new and 2 changed rows", "zh") == "订单：写入 1,000 行新数据和 2 行变化"
    assert admin.progress_text("orders.csv: checking orders", "en") == "orders.csv: checking Orders"


def test_rules_download_reads_back_to_the_same_values(tmp_path):
    rules = default_rules()
    text = admin.rules_toml(rules)
    tomllib.loads(text)
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    assert load_rules(path).values == rules.values


# ---------------------------------------------------------------------------------------------
# The page (AppTest), both languages


@pytest.fixture
def fresh_rules():
    """The rules cache is per process: start and end every page test that changes rules with none."""
    from ui.data import rules

    rules.clear()
    yield
    rules.clear()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_with_the_demo_database(demo_path, monkeypatch, lang, fresh_rules):
    at = run_page(monkeypatch, demo_path, PAGE, lang)
    no_failure(at)
    words = LABELS[lang]
    shown = frame_with_columns(at, words["key"])
    assert list(shown[words["key"]]) == [row["key"] for row in load_rules().rows()]
    log = frame_with_columns(at, words["files"], words["sha"])
    assert list(log[words["source"]]) == [words["demo"]]
    assert at.button(key="data_import").disabled  # nothing chosen yet: Import is off
    assert len([e for e in at.expander]) >= len(admin.templates())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_shows_a_browser_import_in_the_log_with_its_files(demo_copy, monkeypatch, lang):
    sources = encoded(GOOD)
    assert admin.run_import(demo_copy, sources).ok
    at = run_page(monkeypatch, demo_copy, PAGE, lang)
    no_failure(at)
    words = LABELS[lang]
    log = frame_with_columns(at, words["files"], words["sha"])
    assert list(log[words["source"]])[:2] == [words["import"], words["demo"]]
    newest = int(db.import_log(db.connect(demo_copy)).iloc[0]["import_id"])
    at.selectbox(key="data_log_drill").set_value(newest).run()
    no_failure(at)
    files = frame_with_columns(at, words["table"], words["sha"])
    assert list(files[words["sha"]]) == [hashlib.sha256(b).hexdigest() for _, b in sources]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_without_a_database_still_offers_the_import(tmp_path, monkeypatch, lang, fresh_rules):
    at = run_page(monkeypatch, tmp_path / "none.duckdb", PAGE, lang)
    no_failure(at)
    words = LABELS[lang]
    assert any(words["no_db"] in i.value and "none.duckdb" in i.value for i in at.info)
    assert any("lib.cli demo" in c.value for c in at.code)
    assert len(frame_with_columns(at, words["key"])) == len(load_rules().rows())
    assert at.button(key="data_import").disabled
    assert not (tmp_path / "none.duckdb").exists()


def test_page_with_a_damaged_database_explains_and_still_shows_the_rules(tmp_path, monkeypatch, fresh_rules):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"garbage" * 1000)
    at = run_page(monkeypatch, bad, PAGE, "en")
    assert not at.exception
    assert any(str(bad) in w.value for w in at.warning)
    assert len(frame_with_columns(at, "Key")) == len(load_rules().rows())


def test_page_shows_where_each_rule_comes_from_and_a_bad_rules_file(tmp_path, monkeypatch, demo_path, fresh_rules):
    from lib import rules_file
    from ui.data import rules

    user = tmp_path / "rules.toml"
    user.write_text("[core]\nshare = 0.75\n", encoding="utf-8")
    monkeypatch.setattr(rules_file, "USER_RULES", user)
    at = run_page(monkeypatch, demo_path, PAGE, "en")
    no_failure(at)
    shown = frame_with_columns(at, "Key", "From file").set_index("Key")
    assert shown.loc["core.share", "Value"] == "0.75" and shown.loc["core.share", "From file"] == str(user)
    assert shown.loc["funnel.forecast_horizon_days", "From file"] == "default"

    user.write_text("[core]\nshare = 7\nmystery = 1\n", encoding="utf-8")
    rules.clear()
    at = run_page(monkeypatch, demo_path, PAGE, "zh")
    assert not at.exception
    assert any("core.share" in c.value and "mystery" in c.value for c in at.code)
    assert any("规则文件有错误" in e.value for e in at.error)


def test_reruns_and_a_language_switch_reuse_the_dry_run(demo_copy, monkeypatch):
    from lib import importer

    calls = []
    real = importer.import_sources
    monkeypatch.setattr(importer, "import_sources", lambda *a, **k: calls.append(1) or real(*a, **k))
    sources = encoded(GOOD)
    key = (str(demo_copy), demo_copy.stat().st_mtime)
    first = admin.cached_preview(key, admin.fingerprint(sources), sources, "zh")
    second = admin.cached_preview(key, admin.fingerprint(sources), sources, "en")
    assert first.ready and second.ready and len(calls) == 1
    assert second.result.counts == first.result.counts
