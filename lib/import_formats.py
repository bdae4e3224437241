"""What an import file may look like (domain.md §2): tables, columns, aliases, value formats.

This module knows the data contract and how to turn a CSV or XLSX payload into string columns
with spreadsheet row numbers; lib/importer.py does the checking and the writing. Value parsers
here are the slow, complete path: the importer's SQL fast path handles the common spellings and
hands only the distinct values it does not recognise to these functions.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

# ---------------------------------------------------------------------------------------------
# The data contract


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | date | money | int | year | number | bool | role | status | stage
    required: bool = False
    aliases: tuple[str, ...] = ()
    check: str | None = None  # "nonnegative" | "positive"


def _c(name, kind="text", required=False, aliases="", check=None) -> Column:
    return Column(name, kind, required, tuple(a for a in aliases.split() if a), check)


TABLES: dict[str, tuple[Column, ...]] = {
    "territories": (
        _c("territory_id", required=True, aliases="区域编码"),
        _c("territory_name", required=True, aliases="区域名称"),
        _c("province", required=True, aliases="省份 省区"),
        _c("region", required=True, aliases="大区"),
        _c("planned_dealers", "int", True, "规划经销商数 计划经销商数", check="nonnegative"),
        _c("opened_on", "date", aliases="开发起始日期"),
    ),
    "salespeople": (
        _c("salesperson_id", required=True, aliases="业务员编码 员工编号"),
        _c("name", required=True, aliases="姓名 业务员"),
        _c("role", "role", True, "岗位 角色"),
        _c("territory_id", aliases="区域编码"),
        _c("manager_id", aliases="上级编码"),
        _c("hired_on", "date", aliases="入职日期"),
        _c("left_on", "date", aliases="离职日期"),
    ),
    "dealers": (
        _c("dealer_id", required=True, aliases="经销商编码 客户编码"),
        _c("dealer_name", required=True, aliases="经销商名称 客户名称"),
        _c("territory_id", required=True, aliases="区域编码"),
        _c("salesperson_id", required=True, aliases="负责业务员 业务员编码"),
        _c("channel", aliases="渠道 渠道类型"),
        _c("signed_on", "date", True, "签约日期"),
        _c("contract_end", "date", aliases="合同到期日"),
        _c("status", "status", True, "状态"),
        _c("terminated_on", "date", aliases="终止日期"),
        _c("contact_name", aliases="联系人 法人"),
        _c("phone", aliases="电话 手机"),
        _c("address", aliases="地址"),
        _c("tax_id", aliases="税号 统一社会信用代码"),
        _c("bank_account", aliases="银行账号"),
        _c("approved_new", "bool", aliases="新客户审核通过"),
    ),
    "opportunities": (
        _c("opportunity_id", required=True, aliases="商机编号"),
        _c("prospect_name", required=True, aliases="客户名称 意向客户"),
        _c("territory_id", required=True, aliases="区域编码"),
        _c("salesperson_id", required=True, aliases="业务员编码"),
        _c("created_on", "date", True, "创建日期"),
        _c("expected_amount", "money", aliases="预计金额", check="nonnegative"),
        _c("expected_profit", "money", aliases="预计利润"),
        _c("expected_close_on", "date", aliases="预计签约日期"),
        _c("dealer_id", aliases="经销商编码"),
        _c("lost_on", "date", aliases="丢单日期"),
        _c("lost_reason", aliases="丢单原因"),
    ),
    "stage_history": (
        _c("opportunity_id", required=True, aliases="商机编号"),
        _c("stage", "stage", True, "阶段"),
        _c("entered_on", "date", True, "进入日期"),
    ),
    "orders": (
        _c("order_id", required=True, aliases="订单号 单据编号"),
        _c("dealer_id", required=True, aliases="经销商编码"),
        _c("order_date", "date", True, "订单日期 发货日期"),
        _c("amount", "money", True, "金额 订单金额"),
        _c("quantity", "number", aliases="数量"),
        _c("product_line", aliases="产品线"),
        _c("salesperson_id", aliases="业务员编码"),
    ),
    "payments": (
        _c("payment_id", required=True, aliases="回款单号"),
        _c("dealer_id", required=True, aliases="经销商编码"),
        _c("paid_on", "date", True, "回款日期"),
        _c("amount", "money", True, "回款金额"),
        _c("salesperson_id", aliases="业务员编码"),
    ),
    "targets": (
        _c("dealer_id", required=True, aliases="经销商编码"),
        _c("year", "year", True, "年度"),
        _c("target_amount", "money", True, "任务金额 年度任务", check="positive"),
    ),
}

# File and sheet names: the English table name, a singular, or a Chinese alias (matched as a prefix).
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "territories": ("territories", "territory", "区域", "销售区域"),
    "salespeople": ("salespeople", "salesperson", "业务员", "销售人员"),
    "dealers": ("dealers", "dealer", "经销商", "客户"),
    "opportunities": ("opportunities", "opportunity", "商机"),
    "stage_history": ("stage_history", "阶段记录", "商机阶段"),
    "orders": ("orders", "order", "订单", "发货"),
    "payments": ("payments", "payment", "回款"),
    "targets": ("targets", "target", "任务", "年度任务"),
}

# Mandatory references (domain.md §2): rows naming an unknown key reject the batch.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("dealers", "territory_id", "territories"),
    ("dealers", "salesperson_id", "salespeople"),
    ("opportunities", "territory_id", "territories"),
    ("opportunities", "salesperson_id", "salespeople"),
    ("stage_history", "opportunity_id", "opportunities"),
    ("orders", "dealer_id", "dealers"),
    ("payments", "dealer_id", "dealers"),
    ("targets", "dealer_id", "dealers"),
)
# References the spec does not require: an unknown key is imported as is, with one warning.
SOFT_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("salespeople", "territory_id", "territories"),
    ("salespeople", "manager_id", "salespeople"),
    ("opportunities", "dealer_id", "dealers"),
    ("orders", "salesperson_id", "salespeople"),
    ("payments", "salesperson_id", "salespeople"),
)
REFERENCE_NOUN = {"territories": "territory", "salespeople": "salesperson", "dealers": "dealer",
                  "opportunities": "opportunity"}

ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "role": {
        "rep": ("业务员", "销售员", "销售代表"),
        "manager": ("区域经理", "省区经理", "大区经理"),
        "director": ("销售总监", "营销总监"),
    },
    "status": {
        "active": ("合作中", "正常"),
        "terminated": ("终止", "解约", "淘汰"),
    },
    "stage": {
        "market": ("目标市场",),
        "lead": ("潜在客户", "意向客户"),
        "qualified": ("目标客户",),
        "signed": ("签约客户",),
        "paid": ("合格签约客户",),
    },
}
BOOLEANS = {
    **{v: "true" for v in ("true", "t", "1", "yes", "y", "是", "对", "√")},
    **{v: "false" for v in ("false", "f", "0", "no", "n", "否", "不", "×")},
}

# Bounds that catch a value in the wrong column (a quantity read as a date) without getting in
# the way of real data. The SQL fast path (queries/import_macros.sql) uses the same date bounds.
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_SERIAL_DATE, MAX_SERIAL_DATE = dt.date(1950, 1, 1), dt.date(2199, 12, 31)
MAX_MONEY = Decimal("1e16")  # DECIMAL(18,2)
CENT = Decimal("0.01")


# ---------------------------------------------------------------------------------------------
# Names of tables and columns


def _norm_name(text: str) -> str:
    """Lower case, no BOM, no spaces, '-' and ' ' inside English names read as '_'."""
    text = str(text).replace("\ufeff", "").strip().strip("*").strip()
    text = re.sub(r"[\s\-]+", "_", text.lower())
    return text.strip("_")


def table_for_name(name: str) -> str | None:
    """The table a file or sheet name stands for: the longest table name or alias it starts with."""
    norm = _norm_name(name)
    best, best_len = None, 0
    for table, aliases in TABLE_ALIASES.items():
        for alias in aliases:
            if norm.startswith(alias) and len(alias) > best_len:
                best, best_len = table, len(alias)
    return best


def header_lookup(table: str) -> dict[str, str]:
    """Normalised header text -> column name, for the English names and every Chinese alias."""
    out = {}
    for col in TABLES[table]:
        for text in (col.name, *col.aliases):
            out[_norm_name(text)] = col.name
    return out


def column_for_header(table: str, header: str, lookup: dict[str, str] | None = None) -> str | None:
    lookup = lookup or header_lookup(table)
    norm = _norm_name(header)
    if norm in lookup:
        return lookup[norm]
    # ERP exports add units: 金额(元), 金额（元）.
    bare = re.sub(r"[(（\[【].*?[)）\]】]$", "", norm).strip("_")
    return lookup.get(bare)


# ---------------------------------------------------------------------------------------------
# Value parsers: text -> (canonical text the database casts exactly, None) or (None, reason)

Parsed = tuple[str | None, str | None]

_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMBER_BODY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+|\d+(?:\.\d+)?[eE][-+]?\d+")
_INT_TEXT = re.compile(r"[-+]?\d+(?:\.0*)?")
DATE_HINT = "use 2025-03-07, 2025/3/7, 2025.3.7, 2025年3月7日 or an Excel date"


def _date_in_range(day: dt.date, text: str) -> Parsed:
    if not MIN_DATE <= day <= MAX_DATE:
        return None, f"date '{text}' out of range ({MIN_DATE.year}..{MAX_DATE.year})"
    return day.isoformat(), None


def parse_date(text: str) -> Parsed:
    t = text.strip()
    m = _DATE_TEXT.fullmatch(t)
    if m:
        try:
            return _date_in_range(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), t)
        except ValueError:
            return None, f"no such date '{t}'"
    m = _COMPACT_DATE.fullmatch(t)  # 20250307, unambiguous: far beyond any Excel serial
    if m:
        try:
            return _date_in_range(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), t)
        except ValueError:
            return None, f"no such date '{t}'"
    if _SERIAL.fullmatch(t):
        serial = int(float(t))
        day = EXCEL_EPOCH + dt.timedelta(days=serial) if serial < 3_000_000 else None
        if day is None or not MIN_SERIAL_DATE <= day <= MAX_SERIAL_DATE:
            return None, (f"bad date '{t}': as an Excel date number it is not between "
                          f"{MIN_SERIAL_DATE.year} and {MAX_SERIAL_DATE.year}")
        return day.isoformat(), None
    return None, f"bad date '{t}' ({DATE_HINT})"


def _number(text: str) -> tuple[Decimal | None, str | None]:
    """A decimal from 1234.5, 1,234.50, ¥1,234, ￥1234, 1.2万, -1,234, (1,234), 1 234."""
    t = re.sub(r"\s+", "", text)
    negative = False
    if len(t) > 2 and t[0] in "(（" and t[-1] in ")）":
        negative, t = True, t[1:-1]
    if t and t[0] in "+-":
        negative, t = negative ^ (t[0] == "-"), t[1:]
    t = t.lstrip("¥￥")
    if t and t[0] in "+-":
        negative, t = negative ^ (t[0] == "-"), t[1:]
    t = t.removesuffix("元")
    scale = 1
    if t.endswith("万"):
        scale, t = 10000, t[:-1]
    if not _NUMBER_BODY.fullmatch(t):
        return None, "not a number"
    try:
        value = Decimal(t.replace(",", "")) * scale
    except InvalidOperation:
        return None, "not a number"
    return (-value if negative else value), None


def parse_money(text: str) -> Parsed:
    t = text.strip()
    value, _ = _number(t)
    if value is None:
        return None, f"bad amount '{t}' (use 1234.5, 1,234.50, ¥1,234 or 1.2万)"
    if abs(value) >= MAX_MONEY:
        return None, f"bad amount '{t}': too large"
    if value != value.quantize(CENT):
        return None, f"bad amount '{t}': more than 2 decimals (not a whole number of cents)"
    return str(value.quantize(CENT)), None


def parse_number(text: str) -> Parsed:
    t = text.strip()
    value, _ = _number(t)
    number = float(value) if value is not None else float("nan")
    if not np.isfinite(number):
        return None, f"bad number '{t}'"
    return repr(number), None


def parse_int(text: str) -> Parsed:
    t = re.sub(r"\s+", "", text).replace(",", "")
    if not _INT_TEXT.fullmatch(t):
        return None, f"bad whole number '{text.strip()}'"
    value = int(Decimal(t))
    if abs(value) > 2_000_000_000:
        return None, f"bad whole number '{text.strip()}': too large"
    return str(value), None


def parse_year(text: str) -> Parsed:
    t = text.strip().removesuffix("年").strip()
    value, reason = parse_int(t)
    if reason or not 1900 <= int(value) <= 2999:
        return None, f"bad year '{text.strip()}' (use a year like 2025)"
    return value, None


def parse_bool(text: str) -> Parsed:
    value = BOOLEANS.get(text.strip().lower())
    if value is None:
        return None, f"bad yes/no value '{text.strip()}' (use true/false, 1/0, 是/否 or Y/N)"
    return value, None


def _enum_parser(kind: str) -> Callable[[str], Parsed]:
    lookup = {}
    for value, aliases in ENUMS[kind].items():
        lookup[value] = value
        for alias in aliases:
            lookup[alias] = value
    accepted = "; ".join(f"{v} ({', '.join(a)})" for v, a in ENUMS[kind].items())

    def parse(text: str) -> Parsed:
        t = re.sub(r"\s+", "", text).lower()
        if t in lookup:
            return lookup[t], None
        return None, f"unknown {kind} '{text.strip()}' (use {accepted})"

    return parse


PARSERS: dict[str, Callable[[str], Parsed]] = {
    "date": parse_date,
    "money": parse_money,
    "number": parse_number,
    "int": parse_int,
    "year": parse_year,
    "bool": parse_bool,
    **{kind: _enum_parser(kind) for kind in ENUMS},
}


# ---------------------------------------------------------------------------------------------
# Reading payloads into string columns


class FileProblem(Exception):
    """The whole file cannot be read; the message is the reason (row 1, column '-')."""


@dataclass
class Grid:
    """One table's worth of cells as text: header cells, and per column a pyarrow string array.

    rows[i] is the spreadsheet row number of data row i (the header is row 1).
    """

    header: list[str]
    columns: list[pa.Array]
    rows: np.ndarray
    problems: list[tuple[int, str, str]]  # (row, column, reason) found while reading


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def decode_text(data: bytes) -> tuple[str, bool]:
    """(text, whether data is plain UTF-8 without BOM): UTF-8 (with or without BOM), else
    GB18030/GBK; FileProblem otherwise."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileProblem("not UTF-8 or GBK text (it is UTF-16: save it as CSV UTF-8)")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise FileProblem("an old Excel .xls workbook: save it as .xlsx or as CSV")
    plain_utf8 = False
    try:
        text = data.decode("utf-8-sig")
        plain_utf8 = not data.startswith(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise FileProblem("not UTF-8 or GBK text") from None
    if "\x00" in text:
        raise FileProblem("not UTF-8 or GBK text (it holds NUL bytes: UTF-16 or a binary file?)")
    return text, plain_utf8


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_csv(data: bytes) -> Grid:
    """CSV bytes -> Grid. Fast path pyarrow; Python's csv module when rows are ragged."""
    text, plain_utf8 = decode_text(data)
    if not text.strip():
        raise FileProblem("empty file")
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not any(h.strip() for h in header):
        raise FileProblem("row 1 must be the header row, and it is empty")
    width = len(header)
    ragged = []

    def on_invalid(row):  # rows without the header's width: re-read slowly to name them
        ragged.append(row)
        return "skip"

    payload = data if plain_utf8 else text.encode("utf-8")  # pyarrow reads UTF-8 only
    try:
        table = pa_csv.read_csv(
            io.BytesIO(payload),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=8 << 20),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, ValueError):
        table, ragged = None, [True]
    if ragged or table is None or table.num_columns != width:
        return _read_csv_slowly(text, delimiter, header)
    columns = [table.column(i).combine_chunks() for i in range(width)]
    columns = [c.slice(1) for c in columns]  # row 0 is the header
    return Grid(header, columns, np.arange(2, table.num_rows + 1), [])


def _read_csv_slowly(text: str, delimiter: str, header: list[str]) -> Grid:
    width = len(header)
    values: list[list[str]] = [[] for _ in range(width)]
    problems = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    count = 0
    for row_number, record in enumerate(reader, start=2):
        count += 1
        if len(record) > width:
            if any(v.strip() for v in record[width:]):
                problems.append((row_number, "-", f"row has {len(record)} values but the header has {width} columns"))
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        for i, v in enumerate(record):
            values[i].append(v)
    return Grid(header, [pa.array(v, pa.string()) for v in values], np.arange(2, count + 2), problems)


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")  # Excel shows 15 significant digits; drop binary noise
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes) -> list[tuple[str, Grid | None, str | None]]:
    """XLSX bytes -> [(sheet name, Grid or None, problem or None)] for every sheet."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage becomes one problem for the file
        raise FileProblem(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    out = []
    try:
        for sheet in book.worksheets:
            try:
                out.append((sheet.title, _sheet_grid(sheet), None))
            except FileProblem as exc:
                out.append((sheet.title, None, str(exc)))
    finally:
        book.close()
    return out


def _sheet_grid(sheet) -> Grid | None:
    """None for a sheet without any value."""
    rows = sheet.iter_rows(values_only=True)
    header_cells = None
    for header_cells in rows:
        break
    if header_cells is None:
        return None
    header = [_cell_text(v).strip() for v in header_cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        if any(any(_cell_text(v).strip() for v in cells or ()) for cells in rows):
            raise FileProblem("row 1 must be the header row, and it is empty")
        return None
    width = len(header)
    values: list[list[str]] = [[] for _ in range(width)]
    problems = []
    count = 0
    for row_number, cells in enumerate(rows, start=2):
        count += 1
        cells = cells or ()
        if len(cells) > width and any(_cell_text(v).strip() for v in cells[width:]):
            problems.append((row_number, "-", "row has values beyond the last header column"))
        for i in range(width):
            values[i].append(_cell_text(cells[i]) if i < len(cells) else "")
    return Grid(header, [pa.array(v, pa.string()) for v in values], np.arange(2, count + 2), problems)
