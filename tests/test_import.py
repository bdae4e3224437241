"""The importer (domain.md §2): formats, every problem kind, all-or-nothing, upsert counts, the CLI."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from lib import db, importer
from lib.import_formats import TABLES, header_lookup, parse_date, parse_money, table_for_name

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "data" / "templates"


# ---------------------------------------------------------------------------------------------
# helpers


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(tdb, paths, **kw) -> importer.ImportResult:
    """Import into the tdb file the way the CLI does: with no other connection open."""
    tdb.con.close()
    try:
        return importer.import_paths(tdb.path, paths, **kw)
    finally:
        tdb.con = db.open_for_write(tdb.path)


def rows(con, sql):
    return con.execute(sql).fetchall()


def seed_network(tdb):
    """One territory, one rep, one dealer already stored."""
    tdb.add("territories", territory_id="T1")
    tdb.add("salespeople", salesperson_id="S1", territory_id="T1")
    tdb.add("dealers", dealer_id="D1")


# ---------------------------------------------------------------------------------------------
# One batch with every kind of problem


def test_bad_batch_reports_every_problem_with_spreadsheet_rows_and_changes_nothing(tdb, tmp_path):
    seed_network(tdb)
    before = db.table_checksums(tdb.con)
    folder = tmp_path / "in"
    folder.mkdir()
    # orders.csv rows as a spreadsheet shows them: 1 header, 2 ok, 3 bad date, 4 blank line,
    # 5 bad amount, 6 unknown dealer D9, 7 duplicate of row 2, 8 empty required order_id.
    write(folder, "orders.csv",
          "order_id,dealer_id,order_date,amount\n"
          "O1,D1,2025-03-07,100\n"
          "O2,D1,2025-02-30,100\n"
          "\n"
          "O3,D1,2025-03-07,12abc\n"
          "O4,D9,2025-03-07,5\n"
          "O1,D1,2025-03-08,7\n"
          ",D1,2025-03-08,7\n")
    # dealers.csv row 3: terminated (解约) without terminated_on.
    write(folder, "dealers.csv",
          "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status,terminated_on\n"
          "D2,乙,T1,S1,2025-01-01,active,\n"
          "D3,丙,T1,S1,2025-01-01,解约,\n")
    # salespeople.csv lacks the required role column.
    write(folder, "salespeople.csv", "salesperson_id,name\nS2,李四\n")
    # targets.csv in Shift-JIS (half-width katakana is not GBK either), territories.csv in UTF-16.
    (folder / "targets.csv").write_bytes("dealer_id,year,target_amount\nﾃｽﾄ,2025,1\n".encode("shift_jis"))
    (folder / "territories.csv").write_bytes("territory_id,territory_name\nT9,x\n".encode("utf-16"))
    (folder / "payments.csv").write_bytes(b"")  # empty file

    result = run_import(tdb, [folder])

    f = str(folder)
    assert result.problems == [
        f"{f}/dealers.csv:3:terminated_on: required when status is terminated",
        f"{f}/orders.csv:3:order_date: no such date '2025-02-30'",
        f"{f}/orders.csv:5:amount: bad amount '12abc' (use 1234.5, 1,234.50, ¥1,234 or 1.2万)",
        f"{f}/orders.csv:6:dealer_id: unknown dealer 'D9' (not in the database or in this batch)",
        f"{f}/orders.csv:7:order_id: duplicate key 'O1' (first in row 2)",
        f"{f}/orders.csv:8:order_id: required value missing",
        f"{f}/payments.csv:1:-: empty file",
        f"{f}/salespeople.csv:1:role: required column missing (its header may also be 岗位 or 角色)",
        f"{f}/targets.csv:1:-: not UTF-8 or GBK text",
        f"{f}/territories.csv:1:-: not UTF-8 or GBK text (it is UTF-16: save it as CSV UTF-8)",
    ]
    assert result.problem_count == 10
    assert result.counts == {}
    assert db.table_checksums(tdb.con) == before
    assert rows(tdb.con, "SELECT count(*) FROM import_log") == [(0,)]


def test_bad_batch_into_a_new_database_leaves_no_file(tmp_path):
    write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\nO1,D9,2025-03-07,1\n")
    target = tmp_path / "new.duckdb"
    result = importer.import_paths(target, [tmp_path / "orders.csv"])
    assert result.problem_count == 1  # unknown dealer D9: nothing stored, nothing in the batch
    assert not target.exists()


# ---------------------------------------------------------------------------------------------
# A clean ERP batch: GBK, Chinese headers and values, every date and amount spelling

GBK_BATCH = {
    "区域.csv": "区域编码,区域名称,省份,大区,规划经销商数,开发起始日期\r\n"
               "T1,杭州,浙江,华东,12,2024/1/5\r\n",
    "业务员.csv": "员工编号,姓名,岗位,区域编码,上级编码,入职日期\r\n"
                 "S1,张三,销售代表,T1,M1,2023年2月1日\r\n"
                 "M1,李四,大区经理,T1,,2020.7.1\r\n"
                 "X1,王五,营销总监,,,\r\n",
    "经销商.csv": "客户编码,客户名称,区域编码,负责业务员,渠道,签约日期,合同到期日,状态,终止日期,手机,新客户审核通过\r\n"
                 "D1,甲商行,T1,S1,批发,2025年3月7日,2026-03-06,正常,,13800138000,否\r\n"
                 "D2,乙商行,T1,S1,零售,45723,,解约,2025/6/30,,是\r\n",
    "订单明细.csv": "单据编号,经销商编码,发货日期,订单金额,数量,产品线,备注\r\n"
                  "O1,D1,2025年3月7日,1.2万,10,A,首单\r\n"
                  "O2,D1,2025/3/7,\"￥1,234\",\"1,000\",B,\r\n"
                  "O3,D2,45724,-250.5,,A,退货\r\n"
                  "O4,D2,2025.3.9,\"(1,234.50)\",,A,\r\n"
                  "O5,D1,2025-03-10 14:30:00,0.05万,,A,\r\n",
    "回款.csv": "回款单号,经销商编码,回款日期,回款金额\r\n"
               "P1,D1,2025年4月1日,\"12,000.00\"\r\n",
    "年度任务.csv": "经销商编码,年度,任务金额\r\n"
                  "D1,2025,50万\r\n"
                  "D2,2025年,300000\r\n",
    "商机.csv": "商机编号,意向客户,区域编码,业务员编码,创建日期,预计金额,预计利润,经销商编码\r\n"
               "OP1,甲商行,T1,S1,2025/1/2,20万,5万,D1\r\n",
    "商机阶段.csv": "商机编号,阶段,进入日期\r\n"
                  "OP1,目标市场,2025/1/2\r\n"
                  "OP1,潜在客户,2025/1/20\r\n"
                  "OP1,合格签约客户,2025/3/7\r\n",
}


def write_gbk_batch(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in GBK_BATCH.items():
        write(folder, name, text, encoding="gbk")
    return folder


def test_clean_gbk_erp_batch_imports_with_every_spelling(tdb, tmp_path):
    folder = write_gbk_batch(tmp_path / "erp")
    result = run_import(tdb, [folder])
    assert result.problems == []
    # The 备注 column of 订单明细.csv is not a column of orders.
    assert result.warnings == [f"{folder}/订单明细.csv:1:备注: unknown column ignored"]
    assert result.counts == {
        "territories": {"inserted": 1, "updated": 0, "unchanged": 0},
        "salespeople": {"inserted": 3, "updated": 0, "unchanged": 0},
        "dealers": {"inserted": 2, "updated": 0, "unchanged": 0},
        "opportunities": {"inserted": 1, "updated": 0, "unchanged": 0},
        "stage_history": {"inserted": 3, "updated": 0, "unchanged": 0},
        "orders": {"inserted": 5, "updated": 0, "unchanged": 0},
        "payments": {"inserted": 1, "updated": 0, "unchanged": 0},
        "targets": {"inserted": 2, "updated": 0, "unchanged": 0},
    }
    con = tdb.con
    assert rows(con, "SELECT * FROM territories") == [("T1", "杭州", "浙江", "华东", 12, dt.date(2024, 1, 5))]
    assert rows(con, "SELECT salesperson_id, role, manager_id, hired_on FROM salespeople ORDER BY 1") == [
        ("M1", "manager", None, dt.date(2020, 7, 1)),
        ("S1", "rep", "M1", dt.date(2023, 2, 1)),
        ("X1", "director", None, None),
    ]
    # Excel serial 45723 = 2025-03-07 (serial 45658 is 2025-01-01, +65 days).
    assert rows(con, "SELECT dealer_id, signed_on, contract_end, status, terminated_on, phone, approved_new "
                     "FROM dealers ORDER BY 1") == [
        ("D1", dt.date(2025, 3, 7), dt.date(2026, 3, 6), "active", None, "13800138000", False),
        ("D2", dt.date(2025, 3, 7), None, "terminated", dt.date(2025, 6, 30), None, True),
    ]
    # 1.2万 = 12000; ￥1,234 = 1234; (1,234.50) = -1234.50; 0.05万 = 500; serial 45724 = 2025-03-08;
    # an ERP timestamp keeps its date.
    assert rows(con, "SELECT order_id, order_date, amount, quantity FROM orders ORDER BY 1") == [
        ("O1", dt.date(2025, 3, 7), Decimal("12000.00"), 10.0),
        ("O2", dt.date(2025, 3, 7), Decimal("1234.00"), 1000.0),
        ("O3", dt.date(2025, 3, 8), Decimal("-250.50"), None),
        ("O4", dt.date(2025, 3, 9), Decimal("-1234.50"), None),
        ("O5", dt.date(2025, 3, 10), Decimal("500.00"), None),
    ]
    assert rows(con, "SELECT amount FROM payments") == [(Decimal("12000.00"),)]
    # 50万 = 500000; "2025年" is the year 2025.
    assert rows(con, "SELECT dealer_id, year, target_amount FROM targets ORDER BY 1") == [
        ("D1", 2025, Decimal("500000.00")), ("D2", 2025, Decimal("300000.00"))]
    assert rows(con, "SELECT expected_amount, expected_profit FROM opportunities") == [
        (Decimal("200000.00"), Decimal("50000.00"))]
    assert rows(con, "SELECT stage, entered_on FROM stage_history ORDER BY entered_on") == [
        ("market", dt.date(2025, 1, 2)), ("lead", dt.date(2025, 1, 20)), ("paid", dt.date(2025, 3, 7))]
    log = db.import_log(con)
    assert len(log) == 1
    logged = json.loads(log["files"][0])
    assert {f["file"].split("/")[-1]: f["rows"] for f in logged} == {
        "区域.csv": 1, "业务员.csv": 3, "经销商.csv": 2, "订单明细.csv": 5, "回款.csv": 1,
        "年度任务.csv": 2, "商机.csv": 1, "商机阶段.csv": 3}
    assert all(len(f["sha256"]) == 64 for f in logged)
    assert json.loads(log["counts"][0])["orders"] == {"inserted": 5, "updated": 0, "unchanged": 0}


def test_reimporting_the_same_files_changes_no_data(tdb, tmp_path):
    folder = write_gbk_batch(tmp_path / "erp")
    first = run_import(tdb, [folder])
    assert first.problem_count == 0
    after_first = db.table_checksums(tdb.con)
    second = run_import(tdb, [folder])
    assert second.problem_count == 0
    assert db.table_checksums(tdb.con) == after_first
    # 1 + 3 + 2 + 1 + 3 + 5 + 1 + 2 rows, all unchanged.
    assert {t: c["unchanged"] for t, c in second.counts.items()} == {
        "territories": 1, "salespeople": 3, "dealers": 2, "opportunities": 1, "stage_history": 3,
        "orders": 5, "payments": 1, "targets": 2}
    assert all(c["inserted"] == 0 and c["updated"] == 0 for c in second.counts.values())
    assert rows(tdb.con, "SELECT count(*) FROM import_log") == [(2,)]  # only a log row was added


def test_newer_export_replaces_rows_with_the_same_key(tdb, tmp_path):
    seed_network(tdb)
    old = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount,quantity\n"
                                        "O1,D1,2025-03-01,100,1\nO2,D1,2025-03-02,200,2\nO3,D1,2025-03-03,300,3\n")
    assert run_import(tdb, [old]).counts["orders"] == {"inserted": 3, "updated": 0, "unchanged": 0}
    newer = write(tmp_path, "orders_new.csv", "order_id,dealer_id,order_date,amount,quantity\n"
                                              "O1,D1,2025-03-01,100,1\nO2,D1,2025-03-05,250,\nO4,D1,2025-03-04,400,4\n")
    result = run_import(tdb, [newer])
    # O1 same, O2 new date/amount and an emptied quantity, O4 new; O3 (not in the export) stays.
    assert result.counts["orders"] == {"inserted": 1, "updated": 1, "unchanged": 1}
    assert rows(tdb.con, "SELECT order_id, order_date, amount, quantity FROM orders ORDER BY 1") == [
        ("O1", dt.date(2025, 3, 1), Decimal("100.00"), 1.0),
        ("O2", dt.date(2025, 3, 5), Decimal("250.00"), None),
        ("O3", dt.date(2025, 3, 3), Decimal("300.00"), 3.0),
        ("O4", dt.date(2025, 3, 4), Decimal("400.00"), 4.0),
    ]


def test_columns_missing_from_a_newer_export_keep_their_stored_values(tdb, tmp_path):
    seed_network(tdb)
    tdb.con.execute("UPDATE dealers SET approved_new = true, phone = '13900000000' WHERE dealer_id = 'D1'")
    # An ERP export without approved_new (and without phone) renames D1: approval and phone stay.
    export = write(tmp_path, "dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status\n"
                                            "D1,新名字,T1,S1,2024-01-01,active\n")
    result = run_import(tdb, [export])
    assert result.counts["dealers"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert rows(tdb.con, "SELECT dealer_name, approved_new, phone FROM dealers") == [("新名字", True, "13900000000")]
    # An empty cell in a column the file has clears the value; an empty approved_new means false.
    export2 = write(tmp_path, "dealers2.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,"
                                              "status,phone,approved_new\nD1,新名字,T1,S1,2024-01-01,active,,\n")
    assert run_import(tdb, [export2]).counts["dealers"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert rows(tdb.con, "SELECT approved_new, phone FROM dealers") == [(False, None)]


def test_same_key_in_two_files_of_a_batch_keeps_the_later_file_with_a_warning(tdb, tmp_path):
    seed_network(tdb)
    a = write(tmp_path, "orders_a.csv", "order_id,dealer_id,order_date,amount\nO1,D1,2025-03-01,1\nO2,D1,2025-03-01,2\n")
    b = write(tmp_path, "orders_b.csv", "order_id,dealer_id,order_date,amount\nO2,D1,2025-03-01,20\nO3,D1,2025-03-01,3\n")
    result = run_import(tdb, [a, b])
    assert result.problems == []
    assert result.warnings == [f"{b}:1:-: 1 key(s) also in {a}; the rows of {b} (the later file) are kept"]
    # O1, O2 (from b), O3: three distinct new rows.
    assert result.counts["orders"] == {"inserted": 3, "updated": 0, "unchanged": 0}
    assert rows(tdb.con, "SELECT order_id, amount FROM orders ORDER BY 1") == [
        ("O1", Decimal("1.00")), ("O2", Decimal("20.00")), ("O3", Decimal("3.00"))]


# ---------------------------------------------------------------------------------------------
# XLSX


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        sheet = book.create_sheet(title)
        for row in table:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_workbook_with_several_sheets(tdb, tmp_path):
    payload = workbook_bytes({
        "区域": [["区域编码", "区域名称", "省份", "大区", "规划经销商数"], ["T1", "杭州", "浙江", "华东", 12]],
        "业务员": [["业务员编码", "姓名", "岗位", "区域编码"], [1001, "张三", "业务员", "T1"]],
        "dealers": [["dealer_id", "dealer_name", "territory_id", "salesperson_id", "signed_on", "status"],
                    ["D1", "甲", "T1", 1001, dt.datetime(2025, 3, 7), "active"],
                    ["D2", "乙", "T1", "1001", 45723, "合作中"]],
        "订单": [["订单号", "经销商编码", "订单日期", "金额", "数量"],
                 ["O1", "D1", dt.datetime(2025, 3, 7, 15, 30), 1234.56, 3],
                 [None, None, None, None, None],
                 ["O2", "D2", dt.date(2025, 3, 8), "1.2万", 2.5]],
        "说明": [["这是说明页"]],
    })
    path = tmp_path / "export.xlsx"
    path.write_bytes(payload)
    result = run_import(tdb, [path])
    assert result.problems == []
    assert result.warnings == [f"{path}[说明]:1:-: the sheet names no table; ignored"]
    assert {t: c["inserted"] for t, c in result.counts.items()} == {
        "territories": 1, "salespeople": 1, "dealers": 2, "orders": 2}
    # Numeric id cell 1001 is the text '1001'; a datetime cell keeps its date; serial 45723 = 2025-03-07.
    assert rows(tdb.con, "SELECT salesperson_id FROM salespeople") == [("1001",)]
    assert rows(tdb.con, "SELECT dealer_id, salesperson_id, signed_on FROM dealers ORDER BY 1") == [
        ("D1", "1001", dt.date(2025, 3, 7)), ("D2", "1001", dt.date(2025, 3, 7))]
    assert rows(tdb.con, "SELECT order_id, order_date, amount, quantity FROM orders ORDER BY 1") == [
        ("O1", dt.date(2025, 3, 7), Decimal("1234.56"), 3.0),
        ("O2", dt.date(2025, 3, 8), Decimal("12000.00"), 2.5)]
    files = json.loads(db.import_log(tdb.con)["files"][0])
    assert [f["file"] for f in files] == [f"{path}[{s}]" for s in ("区域", "业务员", "dealers", "订单")]


def test_xlsx_problems_name_the_sheet_and_spreadsheet_row(tdb, tmp_path):
    seed_network(tdb)
    payload = workbook_bytes({
        "orders": [["order_id", "dealer_id", "order_date", "amount"],
                   ["O1", "D1", "someday", 5],      # row 2: bad date
                   [None, None, None, None],        # row 3: blank
                   ["O2", "D1", dt.date(2025, 1, 1), "abc"]],  # row 4: bad amount
        "payments": [],  # an empty sheet named after a table
    })
    tdb.con.close()
    result = importer.import_sources(tdb.path, [("book.xlsx", payload)])
    tdb.con = db.open_for_write(tdb.path)
    assert result.problems == [
        "book.xlsx[orders]:2:order_date: bad date 'someday' (use 2025-03-07, 2025/3/7, 2025.3.7, "
        "2025年3月7日 or an Excel date)",
        "book.xlsx[orders]:4:amount: bad amount 'abc' (use 1234.5, 1,234.50, ¥1,234 or 1.2万)",
        "book.xlsx[payments]:1:-: empty sheet",
    ]


def test_one_sheet_workbook_is_named_by_its_file(tdb, tmp_path):
    seed_network(tdb)
    path = tmp_path / "回款2025.xlsx"
    path.write_bytes(workbook_bytes({"Sheet1": [["回款单号", "经销商编码", "回款日期", "回款金额"],
                                                ["P1", "D1", dt.datetime(2025, 5, 1), -100]]}))
    result = run_import(tdb, [path])
    assert result.problems == []
    assert rows(tdb.con, "SELECT payment_id, paid_on, amount FROM payments") == [
        ("P1", dt.date(2025, 5, 1), Decimal("-100.00"))]


def test_damaged_xlsx_is_one_problem_for_the_file(tdb, tmp_path):
    path = write(tmp_path, "orders.xlsx", "this is not a workbook")
    result = run_import(tdb, [path])
    assert result.problem_count == 1
    assert result.problems[0].startswith(f"{path}:1:-: not a readable .xlsx workbook")


# ---------------------------------------------------------------------------------------------
# References, dry run, the cap, crashes


def test_references_are_satisfied_by_the_same_batch(tdb, tmp_path):
    # Empty database: the orders' dealer arrives in the same batch, the dealer's territory and rep too;
    # payments name D0, which is only in the database.
    tdb.add("territories", territory_id="T0")
    tdb.add("salespeople", salesperson_id="S0")
    tdb.add("dealers", dealer_id="D0", territory_id="T0", salesperson_id="S0")
    files = [
        write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\nO1,D5,2025-03-07,10\n"),
        write(tmp_path, "dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status\n"
                                       "D5,x,T5,S5,2025-01-01,active\n"),
        write(tmp_path, "territories.csv", "territory_id,territory_name,province,region,planned_dealers\n"
                                           "T5,t,浙江,华东,3\n"),
        write(tmp_path, "salespeople.csv", "salesperson_id,name,role,territory_id\nS5,s,rep,T5\n"),
        write(tmp_path, "payments.csv", "payment_id,dealer_id,paid_on,amount\nP1,D0,2025-03-08,10\n"),
        write(tmp_path, "opportunities.csv", "opportunity_id,prospect_name,territory_id,salesperson_id,created_on\n"
                                             "OP1,p,T5,S5,2025-01-01\n"),
        write(tmp_path, "stage_history.csv", "opportunity_id,stage,entered_on\nOP1,lead,2025-01-02\n"),
        write(tmp_path, "targets.csv", "dealer_id,year,target_amount\nD5,2025,1000\n"),
    ]
    result = run_import(tdb, files)
    assert result.problems == []
    assert rows(tdb.con, "SELECT count(*) FROM orders WHERE dealer_id = 'D5'") == [(1,)]


def test_unknown_references_are_checked_for_every_mandatory_reference(tdb, tmp_path):
    files = [
        write(tmp_path, "dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status\n"
                                       "D1,x,T9,S9,2025-01-01,active\n"),
        write(tmp_path, "opportunities.csv", "opportunity_id,prospect_name,territory_id,salesperson_id,created_on\n"
                                             "OP1,p,T9,S9,2025-01-01\n"),
        write(tmp_path, "stage_history.csv", "opportunity_id,stage,entered_on\nOP9,lead,2025-01-02\n"),
        write(tmp_path, "targets.csv", "dealer_id,year,target_amount\nD9,2025,1000\n"),
        write(tmp_path, "payments.csv", "payment_id,dealer_id,paid_on,amount\nP1,D9,2025-03-08,10\n"),
    ]
    result = run_import(tdb, files)
    names = [p.split(str(tmp_path) + "/")[1] for p in result.problems]
    assert names == [
        "dealers.csv:2:territory_id: unknown territory 'T9' (not in the database or in this batch)",
        "dealers.csv:2:salesperson_id: unknown salesperson 'S9' (not in the database or in this batch)",
        "opportunities.csv:2:territory_id: unknown territory 'T9' (not in the database or in this batch)",
        "opportunities.csv:2:salesperson_id: unknown salesperson 'S9' (not in the database or in this batch)",
        "stage_history.csv:2:opportunity_id: unknown opportunity 'OP9' (not in the database or in this batch)",
        "targets.csv:2:dealer_id: unknown dealer 'D9' (not in the database or in this batch)",
        "payments.csv:2:dealer_id: unknown dealer 'D9' (not in the database or in this batch)",
    ]


def test_unknown_optional_reference_is_a_warning_only(tdb, tmp_path):
    seed_network(tdb)
    path = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount,salesperson_id\n"
                                         "O1,D1,2025-03-07,1,S1\nO2,D1,2025-03-07,1,S7\nO3,D1,2025-03-07,1,S7\n")
    result = run_import(tdb, [path])
    assert result.problems == []
    assert result.warnings == [f"{path}:3:salesperson_id: 2 row(s) name a salesperson that is not in the "
                               "database or this batch (first: 'S7'); imported as is"]


def test_dry_run_reports_counts_and_writes_nothing(tdb, tmp_path):
    seed_network(tdb)
    before = db.table_checksums(tdb.con)
    path = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\nO1,D1,2025-03-07,1\n")
    result = run_import(tdb, [path], dry_run=True)
    assert result.dry_run and result.problems == []
    assert result.counts == {"orders": {"inserted": 1, "updated": 0, "unchanged": 0}}
    assert db.table_checksums(tdb.con) == before
    assert rows(tdb.con, "SELECT count(*) FROM import_log") == [(0,)]


def test_dry_run_does_not_create_a_missing_database(tmp_path):
    folder = write_gbk_batch(tmp_path / "erp")
    target = tmp_path / "none.duckdb"
    result = importer.import_paths(target, [folder], dry_run=True)
    assert result.problems == []
    assert result.counts["orders"] == {"inserted": 5, "updated": 0, "unchanged": 0}
    assert not target.exists()


def test_first_import_creates_the_database_with_the_schema(tmp_path):
    target = tmp_path / "sub" / "new.duckdb"
    result = importer.import_paths(target, [write_gbk_batch(tmp_path / "erp")])
    assert result.problems == []
    con = db.connect(target)  # passes the schema check
    try:
        assert db.table_counts(con)["orders"] == 5
    finally:
        con.close()


def test_problems_are_capped_at_50_per_file_with_the_count_of_the_rest(tdb, tmp_path):
    seed_network(tdb)
    # 120 rows with a bad amount (rows 2..121) and one unknown dealer in row 122 = 121 problems.
    lines = ["order_id,dealer_id,order_date,amount"]
    lines += [f"O{i},D1,2025-03-07,x{i}" for i in range(120)]
    lines += ["O999,D9,2025-03-07,1"]
    path = write(tmp_path, "orders.csv", "\n".join(lines) + "\n")
    other = write(tmp_path, "payments.csv", "payment_id,dealer_id,paid_on,amount\nP1,D1,2025-13-01,1\n")
    result = run_import(tdb, [path, other])
    assert result.problem_count == 122
    assert len(result.problems) == 50 + 1 + 1
    assert result.problems[0] == f"{path}:2:amount: bad amount 'x0' (use 1234.5, 1,234.50, ¥1,234 or 1.2万)"
    assert result.problems[49].startswith(f"{path}:51:amount: bad amount 'x49'")
    assert result.problems[50] == f"{path}: 71 more problems"
    assert result.problems[51] == f"{other}:2:paid_on: no such date '2025-13-01'"


def test_a_failing_write_rolls_back_everything(tdb, tmp_path, monkeypatch):
    seed_network(tdb)
    before = db.table_checksums(tdb.con)
    path = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\nO1,D1,2025-03-07,1\n")

    def broken_log(con, files, counts):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(importer, "_write_log", broken_log)
    result = run_import(tdb, [path])
    assert result.problem_count == 1
    assert "rolled back" in result.problems[0] and "disk full" in result.problems[0]
    assert db.table_checksums(tdb.con) == before  # the orders insert before the log was undone


# ---------------------------------------------------------------------------------------------
# Files, headers, rows


def test_file_and_sheet_names_map_to_tables():
    assert table_for_name("orders") == "orders"
    assert table_for_name("orders_2025") == "orders"
    assert table_for_name("Orders-2025") == "orders"
    assert table_for_name("订单") == "orders"
    assert table_for_name("发货明细") == "orders"
    assert table_for_name("商机") == "opportunities"
    assert table_for_name("商机阶段") == "stage_history"  # longest alias wins over 商机
    assert table_for_name("年度任务") == "targets"
    assert table_for_name("销售区域") == "territories"
    assert table_for_name("销售人员") == "salespeople"
    assert table_for_name("客户档案") == "dealers"
    assert table_for_name("stage_history") == "stage_history"
    assert table_for_name("report") is None


def test_aliases_are_unambiguous_within_each_table():
    for table, columns in TABLES.items():
        spellings = [s for c in columns for s in (c.name, *c.aliases)]
        assert len(spellings) == len(set(spellings)), table
        assert len(header_lookup(table)) == len(spellings)


def test_headers_english_any_case_bom_units_and_unknown_columns(tdb, tmp_path):
    seed_network(tdb)
    path = tmp_path / "orders.csv"
    path.write_bytes("\ufeff Order_ID ,DEALER_ID,订单日期,金额(元),extra\nO1,D1,2025-03-07,5,x\n".encode("utf-8"))
    result = run_import(tdb, [path])
    assert result.problems == []
    assert result.warnings == [f"{path}:1:extra: unknown column ignored"]
    assert rows(tdb.con, "SELECT order_id, amount FROM orders") == [("O1", Decimal("5.00"))]


def test_duplicate_headers_are_problems(tdb, tmp_path):
    seed_network(tdb)
    path = write(tmp_path, "orders.csv", "order_id,dealer_id,订单日期,发货日期,amount,amount\n"
                                         "O1,D1,2025-03-07,2025-03-08,5,5\n")
    result = run_import(tdb, [path])
    assert result.problems == [
        f"{path}:1:发货日期: duplicate column: '订单日期' and '发货日期' both mean order_date; keep one",
        f"{path}:1:amount: duplicate column 'amount'",
    ]


def test_header_of_another_encoding_or_table_gets_a_hint(tdb, tmp_path):
    path = write(tmp_path, "targets.csv", "a,b,c\n1,2,3\n")
    result = run_import(tdb, [path])
    assert result.problems == [
        f"{path}:1:dealer_id: required column missing (its header may also be 经销商编码)",
        f"{path}:1:year: required column missing (its header may also be 年度)",
        f"{path}:1:target_amount: required column missing (its header may also be 任务金额 or 年度任务)",
        f"{path}:1:-: no header cell of row 1 is a targets column: is row 1 the header, and is the file "
        "UTF-8 or GBK text?",
    ]


def test_header_only_file_is_fine_and_empty_file_is_a_problem(tdb, tmp_path):
    header_only = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\n")
    assert run_import(tdb, [header_only]).counts == {"orders": {"inserted": 0, "updated": 0, "unchanged": 0}}
    blank = write(tmp_path, "payments.csv", "\r\n\r\n")
    assert run_import(tdb, [blank]).problems == [f"{blank}:1:-: empty file"]


def test_rows_with_more_values_than_the_header_are_problems(tdb, tmp_path):
    seed_network(tdb)
    # Row 3 has a fifth value; row 4 has trailing empty fields only (fine); row 5 is short (padded).
    path = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\n"
                                         "O1,D1,2025-03-07,1\nO2,D1,2025-03-07,2,oops\nO3,D1,2025-03-07,3,,\n"
                                         "O4,D1,2025-03-07\n")
    result = run_import(tdb, [path])
    assert result.problems == [
        f"{path}:3:-: row has 5 values but the header has 4 columns",
        f"{path}:5:amount: required value missing",
    ]


def test_quoted_line_breaks_count_as_one_spreadsheet_row(tdb, tmp_path):
    seed_network(tdb)
    path = write(tmp_path, "orders.csv", 'order_id,dealer_id,order_date,amount,product_line\n'
                                         'O1,D1,2025-03-07,1,"two\nlines"\nO2,D1,bad,2,x\n')
    assert run_import(tdb, [path]).problems == [
        f"{path}:3:order_date: bad date 'bad' (use 2025-03-07, 2025/3/7, 2025.3.7, 2025年3月7日 or an Excel date)"]


def test_semicolon_and_tab_separated_files(tdb, tmp_path):
    seed_network(tdb)
    a = write(tmp_path, "orders_a.csv", "order_id;dealer_id;order_date;amount\nO1;D1;2025-03-07;1,5\n")
    b = write(tmp_path, "orders_b.csv", "order_id\tdealer_id\torder_date\tamount\nO2\tD1\t2025-03-07\t2\n")
    result = run_import(tdb, [a, b])
    # "1,5" is not read as 1.5 (a decimal comma) nor as 15: it is rejected.
    assert result.problems == [f"{a}:2:amount: bad amount '1,5' (use 1234.5, 1,234.50, ¥1,234 or 1.2万)"]


def test_paths_folders_and_names(tdb, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    unnamed = write(tmp_path, "export.csv", "order_id\n1\n")
    result = run_import(tdb, [tmp_path / "missing.csv", empty, unnamed])
    assert result.problems[0] == f"{tmp_path / 'missing.csv'}:1:-: no such file or folder"
    assert result.problems[1] == f"{empty}:1:-: folder holds no .csv or .xlsx file"
    assert result.problems[2].startswith(f"{unnamed}:1:-: the file name names no table; name it after one of: "
                                         "territories (区域/销售区域)")


def test_import_sources_accepts_name_and_bytes_pairs(tdb):
    seed_network(tdb)
    tdb.con.close()
    result = importer.import_sources(tdb.path, [
        ("订单.csv", "订单号,经销商编码,订单日期,金额\nO1,D1,2025/3/7,￥1234\n".encode("gbk"))])
    tdb.con = db.open_for_write(tdb.path)
    assert result.problems == []
    assert rows(tdb.con, "SELECT amount FROM orders") == [(Decimal("1234.00"),)]


def test_import_sources_accepts_uploaded_file_objects(tdb):
    """The Data page passes Streamlit uploads: objects with .name and .getvalue()."""

    class Upload:
        name = "回款.xlsx"

        def getvalue(self):
            return workbook_bytes({"回款": [["回款单号", "经销商编码", "回款日期", "回款金额"],
                                            ["P1", "D1", "2025/4/1", "1.5万"]]})

    seed_network(tdb)
    tdb.con.close()
    result = importer.import_sources(tdb.path, [Upload()], dry_run=True)
    tdb.con = db.open_for_write(tdb.path)
    assert result.problems == []
    # 1.5万 = 15000; a dry run only counts.
    assert result.counts == {"payments": {"inserted": 1, "updated": 0, "unchanged": 0}}
    assert result.files[0]["file"] == "回款.xlsx" and result.files[0]["rows"] == 1
    assert rows(tdb.con, "SELECT count(*) FROM payments") == [(0,)]


# ---------------------------------------------------------------------------------------------
# Values and their thresholds


@pytest.mark.parametrize("text, expected", [
    ("2025-03-07", "2025-03-07"), ("2025/3/7", "2025-03-07"), ("2025.3.7", "2025-03-07"),
    ("2025年3月7日", "2025-03-07"), ("2025 年 3 月 7 日", "2025-03-07"), ("20250307", "2025-03-07"),
    ("45723", "2025-03-07"), ("45723.75", "2025-03-07"), ("2025-03-07 23:59:59", "2025-03-07"),
    ("1900-01-01", "1900-01-01"), ("2999-12-31", "2999-12-31"),
    ("18264", "1950-01-01"),  # first accepted Excel serial
    ("109574", "2199-12-31"), ("109575", None),  # 2200-01-01: beyond the accepted serials
    ("18263", None), ("1899-12-31", None), ("2025-02-29", None), ("7", None), ("soon", None),
])
def test_parse_date(text, expected):
    assert parse_date(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("1234.5", "1234.50"), ("1,234.50", "1234.50"), ("¥1,234", "1234.00"), ("￥1234", "1234.00"),
    ("1.2万", "12000.00"), ("-1,234", "-1234.00"), ("(1,234)", "-1234.00"), ("（5）", "-5.00"),
    ("¥-5", "-5.00"), ("-¥5", "-5.00"), ("1.2345万", "12345.00"), ("1.234567万", "12345.67"),
    ("100元", "100.00"), ("1.50", "1.50"), ("1.500", "1.50"),  # an exact cent value with 3 decimals is fine
    ("1.2345678万", None), ("1.234", None), ("12,34", None), ("1,2345", None), ("abc", None), ("", None),
    ("9999999999999999.99", "9999999999999999.99"), ("10000000000000000", None),
])
def test_parse_money(text, expected):
    assert parse_money(text)[0] == expected


def test_sql_fast_path_and_python_parsers_agree(tdb, tmp_path):
    """The same spellings through the importer give what the Python parsers give."""
    seed_network(tdb)
    amounts = ["1234.5", "1,234.50", "-1,234", "¥1,234", "1.2万", "(7)", "0.01", "-0.5", "12345678.9"]
    dates = ["2025-03-07", "2025-3-7", "2025/3/7", "2025.3.7", "2025年3月7日", "2025-03-07 10:00:00",
             "45723", "20250307", "1900-01-01", "2999-12-31"]
    lines = ["order_id,dealer_id,order_date,amount"]
    for i, (d, a) in enumerate(zip(dates, amounts + ["1"] * len(dates))):
        lines.append(f'O{i},D1,{d},"{a}"')
    result = run_import(tdb, [write(tmp_path, "orders.csv", "\n".join(lines) + "\n")])
    assert result.problems == []
    stored = dict((r[0], (r[1].isoformat(), str(r[2]))) for r in rows(tdb.con, "SELECT order_id, order_date, amount FROM orders"))
    for i, (d, a) in enumerate(zip(dates, amounts + ["1"] * len(dates))):
        assert stored[f"O{i}"] == (parse_date(d)[0], parse_money(a)[0])


def test_thresholds_of_numbers_are_exact(tdb, tmp_path):
    seed_network(tdb)
    files = [
        # planned_dealers 0 is fine, -1 is not (row 3).
        write(tmp_path, "territories.csv", "territory_id,territory_name,province,region,planned_dealers\n"
                                           "T7,a,p,r,0\nT8,b,p,r,-1\nT9,c,p,r,1.5\n"),
        # target_amount must be > 0: 0.01 fine, 0 not (row 3), -5 not (row 4); year 1899 not (row 5).
        write(tmp_path, "targets.csv", "dealer_id,year,target_amount\nD1,2025,0.01\nD1,2026,0\nD1,2027,-5\n"
                                       "D1,1899,5\n"),
        # expected_amount >= 0: 0 fine, -0.01 not (row 3); expected_profit may be negative.
        write(tmp_path, "opportunities.csv", "opportunity_id,prospect_name,territory_id,salesperson_id,created_on,"
                                             "expected_amount,expected_profit\n"
                                             "OP1,a,T1,S1,2025-01-01,0,-5\nOP2,b,T1,S1,2025-01-01,-0.01,5\n"),
    ]
    names = [p.split(str(tmp_path) + "/")[1] for p in run_import(tdb, files).problems]
    assert names == [
        "territories.csv:3:planned_dealers: must not be negative (-1)",
        "territories.csv:4:planned_dealers: bad whole number '1.5'",
        "targets.csv:3:target_amount: must be greater than 0 (0)",
        "targets.csv:4:target_amount: must be greater than 0 (-5)",
        "targets.csv:5:year: bad year '1899' (use a year like 2025)",
        "opportunities.csv:3:expected_amount: must not be negative (-0.01)",
    ]


def test_enum_and_boolean_spellings(tdb, tmp_path):
    tdb.add("territories", territory_id="T1")
    people = write(tmp_path, "salespeople.csv", "salesperson_id,name,role,territory_id\n"
                                                "S1,a,销售员,T1\nS2,b,省区经理,T1\nS3,c,销售总监,\nS4,d,Manager,T1\n")
    dealers = write(tmp_path, "dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status,"
                                             "terminated_on,approved_new\n"
                                             "D1,a,T1,S1,2025-01-01,合作中,,Y\nD2,b,T1,S1,2025-01-01,终止,2025-02-01,N\n"
                                             "D3,c,T1,S1,2025-01-01,TERMINATED,2025-02-01,1\nD4,d,T1,S1,2025-01-01,active,,否\n")
    result = run_import(tdb, [people, dealers])
    assert result.problems == []
    assert rows(tdb.con, "SELECT role FROM salespeople ORDER BY salesperson_id") == [
        ("rep",), ("manager",), ("director",), ("manager",)]
    assert rows(tdb.con, "SELECT status, approved_new FROM dealers ORDER BY dealer_id") == [
        ("active", True), ("terminated", False), ("terminated", True), ("active", False)]


def test_bad_enum_and_boolean_values(tdb, tmp_path):
    tdb.add("territories", territory_id="T1")
    tdb.add("salespeople", salesperson_id="S1")
    path = write(tmp_path, "dealers.csv", "dealer_id,dealer_name,territory_id,salesperson_id,signed_on,status,"
                                          "approved_new\nD1,a,T1,S1,2025-01-01,暂停,maybe\n")
    assert run_import(tdb, [path]).problems == [
        f"{path}:2:status: unknown status '暂停' (use active (合作中, 正常); terminated (终止, 解约, 淘汰))",
        f"{path}:2:approved_new: bad yes/no value 'maybe' (use true/false, 1/0, 是/否 or Y/N)",
    ]


def test_stage_history_key_compares_parsed_dates(tdb, tmp_path):
    tdb.add("territories", territory_id="T1")
    tdb.add("salespeople", salesperson_id="S1")
    tdb.add("opportunities", opportunity_id="OP1")
    # 2025/3/7 and 2025-03-07 are the same day: row 3 repeats row 2's key.
    path = write(tmp_path, "stage_history.csv", "opportunity_id,stage,entered_on\n"
                                                "OP1,lead,2025/3/7\nOP1,潜在客户,2025-03-07\n")
    assert run_import(tdb, [path]).problems == [
        f"{path}:3:opportunity_id+stage+entered_on: duplicate key 'OP1 / lead / 2025-03-07' (first in row 2)"]


# ---------------------------------------------------------------------------------------------
# Templates


def test_templates_hold_every_column_and_import_cleanly(tdb):
    for table, columns in TABLES.items():
        raw = (TEMPLATES / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        assert raw.decode("utf-8-sig").strip() == ",".join(c.name for c in columns)
    result = run_import(tdb, [TEMPLATES])
    assert result.problems == [] and result.warnings == []
    assert result.counts == {t: {"inserted": 0, "updated": 0, "unchanged": 0} for t in db.DATA_TABLES}
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    assert "中文别名" in readme and "Chinese aliases" in readme


# ---------------------------------------------------------------------------------------------
# The command line


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lib.cli", "import", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_exit_status_2_for_a_bad_batch_and_0_for_a_good_one(tmp_path):
    target = tmp_path / "cli.duckdb"
    bad = write(tmp_path, "orders.csv", "order_id,dealer_id,order_date,amount\nO1,D9,2025-03-07,1\n")
    run = cli("--db", str(target), str(bad))
    assert run.returncode == 2
    assert f"{bad}:2:dealer_id: unknown dealer 'D9' (not in the database or in this batch)" in run.stderr
    assert "nothing imported: 1 problem(s)" in run.stderr
    assert "Traceback" not in run.stderr
    good = write_gbk_batch(tmp_path / "erp")
    run = cli("--db", str(target), str(good))
    assert run.returncode == 0, run.stderr
    assert "imported orders: 5 inserted, 0 updated, 0 unchanged" in run.stdout
    run = cli("--db", str(target), "--dry-run", str(good))
    assert run.returncode == 0
    assert "would import orders: 0 inserted, 0 updated, 5 unchanged" in run.stdout


def test_damaged_database_gives_one_line_naming_the_file(tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(os.urandom(4096))
    good = write_gbk_batch(tmp_path / "erp")
    run = cli("--db", str(damaged), str(good))
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if not line.endswith(": reading")]
    assert len(errors) == 1 and str(damaged) in errors[0]
    assert "Traceback" not in run.stderr
    with pytest.raises(db.DatabaseError, match="damaged.duckdb"):
        importer.import_paths(damaged, [good])
