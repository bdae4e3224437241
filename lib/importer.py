"""CSV/XLSX files -> checked tables -> one transaction (domain.md §2 "Import guarantees").

    result = import_paths(db_path, ["data/in/"], dry_run=False, progress=print)
    result = import_sources(db_path, [("订单.csv", payload_bytes), Path("dealers.xlsx")])

Everything is checked before anything is written: every problem of every file is collected as
"file:row:column: reason" (row as a spreadsheet shows it, header = row 1; at most 50 per file plus
"file: N more problems"). Only a clean batch is written, in one transaction: rows are upserted by
key, then an import_log row is added. Re-importing the same files changes no data row.

The rows never pass through Python one by one: a file is read into string columns (pyarrow), then
parsed, checked and merged in DuckDB. Only the distinct values the SQL fast path does not
recognise (Excel serial dates, 1.2万, enum values, ...) go through the Python parsers.

Columns a file does not have keep their stored values when a row is updated (an ERP export
without the approved_new column must not clear a manager's approval); an empty cell in a column
the file has clears the stored value.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib import db
from lib.import_formats import (
    PARSERS,
    REFERENCE_NOUN,
    REFERENCES,
    SOFT_REFERENCES,
    TABLE_ALIASES,
    TABLES,
    Column,
    FileProblem,
    Grid,
    column_for_header,
    header_lookup,
    is_xlsx,
    read_csv,
    read_xlsx,
    table_for_name,
)

PROBLEMS_PER_FILE = 50
FILE_SUFFIXES = (".csv", ".xlsx")

SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "money": "DECIMAL(18, 2)", "int": "INTEGER",
             "year": "INTEGER", "number": "DOUBLE", "bool": "BOOLEAN", "role": "VARCHAR",
             "status": "VARCHAR", "stage": "VARCHAR"}
FAST_PATHS = {"date": "import_date", "money": "import_money", "int": "import_int",
              "year": "import_year", "number": "import_number"}
CHECKS = {
    "nonnegative": ("< 0", "must not be negative"),
    "positive": ("<= 0", "must be greater than 0"),
}
# The value a new row gets in a column its file lacks while another file of the batch has it
# (a column no file has is left to the schema default).
INSERT_DEFAULTS = {"approved_new": "false"}

Source = Any  # a path (str or Path), a (name, bytes) pair, or an object with .name and .getvalue()


@dataclass
class ImportResult:
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    # table -> {"inserted": n, "updated": n, "unchanged": n}, for the tables of the batch
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # one entry per imported file (or workbook sheet): file, sha256, table, rows
    files: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def import_paths(db_path: Path | str | None, paths: Iterable[Path | str], dry_run: bool = False,
                 progress: Callable[[str], None] | None = None) -> ImportResult:
    """Import files and folders (every .csv/.xlsx directly inside a folder), all or nothing."""
    sources: list[Path] = []
    problems = _Problems()
    seen = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
                            and not p.name.startswith(("~$", ".")))  # skip Excel lock files
            if not inside:
                problems.add(str(path), 1, "-", "folder holds no .csv or .xlsx file")
            candidates = inside
        elif path.exists():
            candidates = [path]
        else:
            problems.add(str(path), 1, "-", "no such file or folder")
            candidates = []
        for p in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                sources.append(p)
    return _run(db_path, sources, dry_run, progress, problems)


def import_sources(db_path: Path | str | None, sources: Iterable[Source], dry_run: bool = False,
                   progress: Callable[[str], None] | None = None) -> ImportResult:
    """Import named payloads (uploads) or paths, all or nothing.

    Raises lib.db.DatabaseError (one line naming the file) for a damaged or foreign database;
    every problem with the files themselves is in the result.
    """
    return _run(db_path, list(sources), dry_run, progress, _Problems())


# ---------------------------------------------------------------------------------------------
# Problems


class _Problems:
    """Problems per file label; keeps what it needs to print the first 50 of each and count all."""

    def __init__(self):
        self.items: dict[str, list[tuple[int, int, str, str]]] = {}
        self.unlisted: dict[str, int] = {}

    def register(self, label: str) -> None:
        """Fix the place of a file among the reported ones (files are reported in batch order)."""
        self.items.setdefault(label, [])

    def add(self, label: str, row: int, column: str, reason: str, order: int = -1) -> None:
        self.items.setdefault(label, []).append((row, order, column, reason))

    def add_many(self, label: str, items: list[tuple[int, int, str, str]], total: int) -> None:
        """items: the first rows of a larger set of `total` problems, already in order."""
        self.items.setdefault(label, []).extend(items)
        self.unlisted[label] = self.unlisted.get(label, 0) + total - len(items)

    def count(self) -> int:
        return sum(len(v) for v in self.items.values()) + sum(self.unlisted.values())

    def lines(self) -> list[str]:
        out = []
        for label, items in self.items.items():
            if not items and not self.unlisted.get(label):
                continue
            items = sorted(items, key=lambda p: (p[0], p[1]))
            for row, _order, column, reason in items[:PROBLEMS_PER_FILE]:
                out.append(f"{label}:{row}:{column}: {reason}")
            more = len(items) - PROBLEMS_PER_FILE + self.unlisted.get(label, 0)
            if more > 0:
                out.append(f"{label}: {more} more problem{'s' if more != 1 else ''}")
        return out


# ---------------------------------------------------------------------------------------------
# Reading files into parts (one table's rows from one file or sheet)


@dataclass
class _Part:
    label: str
    sha256: str
    table: str
    grid: Grid | None
    position: dict[str, int] = field(default_factory=dict)  # column -> index in the file
    header: dict[str, str] = field(default_factory=dict)  # column -> header as written
    rows: int = 0
    index: int = 0

    @property
    def columns(self) -> list[Column]:
        """The table's columns this file has, in schema order."""
        return [c for c in TABLES[self.table] if c.name in self.position]

    @property
    def stage(self) -> str:
        return f"import_stage_{self.index}"

    def shown(self, column: str) -> str:
        return self.header.get(column, column)


def _load(source: Source) -> tuple[str, bytes]:
    if isinstance(source, (str, Path)):
        return str(source), Path(source).read_bytes()
    if isinstance(source, tuple) and len(source) == 2:
        name, payload = source
        if isinstance(payload, (str, Path)):
            return str(name), Path(payload).read_bytes()
        return str(name), bytes(payload)
    name = getattr(source, "name", "upload")
    payload = source.getvalue() if hasattr(source, "getvalue") else source.read()
    return str(name), bytes(payload)


def _source_name(source: Source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, tuple) and source:
        return str(source[0])
    return str(getattr(source, "name", "upload"))


def _tables_hint() -> str:
    return ", ".join(f"{t} ({'/'.join(a for a in aliases if not a.isascii())})"
                     for t, aliases in TABLE_ALIASES.items())


def _read_source(name: str, data: bytes, problems: _Problems, warnings: list[str]) -> list[_Part]:
    sha = hashlib.sha256(data).hexdigest()
    stem = Path(name).stem
    base = Path(name).name
    if not data:
        problems.add(name, 1, "-", "empty file")
        return []
    if is_xlsx(data) or base.lower().endswith(".xlsx"):
        return _read_workbook(name, sha, data, problems, warnings)
    table = table_for_name(stem)
    if table is None:
        problems.add(name, 1, "-", f"the file name names no table; name it after one of: {_tables_hint()}")
        return []
    grid = read_csv(data)
    return [_Part(name, sha, table, grid)]


def _read_workbook(name: str, sha: str, data: bytes, problems: _Problems, warnings: list[str]) -> list[_Part]:
    sheets = read_xlsx(data)
    filled = [(title, grid, problem) for title, grid, problem in sheets if grid is not None or problem]
    file_table = table_for_name(Path(name).stem)
    if not filled:
        problems.add(name, 1, "-", "empty file")
        return []
    named = [s for s in filled if table_for_name(s[0])]
    if len(sheets) == 1 or (not named and len(filled) == 1):
        # A one-sheet workbook (or one with a single filled sheet) may be named after the table.
        title, grid, problem = filled[0]
        table = table_for_name(title) or file_table
        if table is None:
            problems.add(name, 1, "-", f"neither the file nor its sheet names a table; name it after one of: {_tables_hint()}")
            return []
        if problem:
            problems.add(name, 1, "-", problem)
            return []
        return [_Part(name, sha, table, grid)]
    if not named:
        problems.add(name, 1, "-", f"no sheet names a table; name the sheets after: {_tables_hint()}")
        return []
    for title, _grid, _problem in sheets:  # report sheets in workbook order
        if table_for_name(title):
            problems.register(f"{name}[{title}]")
    parts = []
    for title, grid, problem in filled:
        label = f"{name}[{title}]"
        table = table_for_name(title)
        if table is None:
            warnings.append(f"{label}:1:-: the sheet names no table; ignored")
        elif problem:
            problems.add(label, 1, "-", problem)
        else:
            parts.append(_Part(label, sha, table, grid))
    for title, grid, problem in sheets:
        if grid is None and not problem and table_for_name(title):
            problems.add(f"{name}[{title}]", 1, "-", "empty sheet")
    return parts


def _map_header(part: _Part, problems: _Problems, warnings: list[str]) -> None:
    lookup = header_lookup(part.table)
    grid = part.grid
    for pos, text in enumerate(grid.header):
        text = text.replace("\ufeff", "").strip()
        if not text:
            if pc.any(pc.not_equal(pc.utf8_trim_whitespace(grid.columns[pos]), "")).as_py():
                warnings.append(f"{part.label}:1:column {pos + 1}: column without a header ignored")
            continue
        column = column_for_header(part.table, text, lookup)
        if column is None:
            warnings.append(f"{part.label}:1:{text}: unknown column ignored")
        elif column in part.position:
            first = part.header[column]
            reason = (f"duplicate column '{text}'" if first == text
                      else f"duplicate column: '{first}' and '{text}' both mean {column}; keep one")
            problems.add(part.label, 1, text, reason, pos)
        else:
            part.position[column] = pos
            part.header[column] = text
    missing = [c for c in TABLES[part.table] if c.required and c.name not in part.position]
    for c in missing:
        also = f" (its header may also be {' or '.join(c.aliases)})" if c.aliases else ""
        problems.add(part.label, 1, c.name, f"required column missing{also}")
    if not part.position:
        problems.add(part.label, 1, "-", f"no header cell of row 1 is a {part.table} column: is row 1 the "
                     "header, and is the file UTF-8 or GBK text?")
    for row, column, reason in grid.problems:
        problems.add(part.label, row, column, reason)


# ---------------------------------------------------------------------------------------------
# Staging: one DuckDB temp table per part, with typed columns and a reason per bad cell


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stage(con: duckdb.DuckDBPyConnection, part: _Part) -> None:
    columns = part.columns
    grid = part.grid
    raw = f"import_raw_{part.index}"
    clean = f"import_clean_{part.index}"
    names = [c.name for c in columns] + ["_row"]
    # Surrounding white space (also U+3000 and no-break spaces) goes here: pyarrow trims 10x faster.
    arrays = [pc.utf8_trim_whitespace(grid.columns[part.position[c.name]]) for c in columns]
    con.register(raw, pa.table(arrays + [pa.array(grid.rows, pa.int64())], names=names))
    # Cleaned text (empty = NULL) and its fast-path value, computed once per cell.
    fast_of = {c.name: FAST_PATHS.get(c.kind) for c in columns}
    outer = ["_row"]
    for c in columns:
        col = _q(c.name)
        outer.append(col)
        if fast_of[c.name]:
            outer.append(f"{fast_of[c.name]}({col}) AS {_q(c.name + '__fast')}")
    inner = ", ".join(["_row"] + [f"nullif({_q(c.name)}, '') AS {_q(c.name)}" for c in columns])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {clean} AS SELECT {', '.join(outer)} FROM (SELECT {inner} FROM {raw})")
    con.unregister(raw)
    part.grid = None  # the cells are in DuckDB now

    selects, joins, reasons, registered = ["r._row"], [], [], []
    for j, c in enumerate(columns):
        col = _q(c.name)
        sql_type = SQL_TYPES[c.kind]
        if c.kind == "text":
            selects.append(f"r.{col} AS {col}")
            continue
        fast = _q(c.name + "__fast") if fast_of[c.name] else None
        unrecognised = con.execute(
            f"SELECT DISTINCT {col} FROM {clean} WHERE {col} IS NOT NULL" + (f" AND {fast} IS NULL" if fast else "")
        ).fetchall()
        candidates = [f"r.{fast}"] if fast else []
        reason = "NULL"
        if unrecognised:
            parse = PARSERS[c.kind]
            mapping = pd.DataFrame([(v, *parse(v)) for (v,) in unrecognised],
                                   columns=["raw", "value", "reason"], dtype=object)
            map_name = f"import_map_{part.index}_{j}"
            con.register(map_name, mapping)
            registered.append(map_name)
            joins.append(f"LEFT JOIN {map_name} m{j} ON m{j}.raw = r.{col}")
            candidates.append(f"CAST(m{j}.value AS {sql_type})")
            reason = f"m{j}.reason"
        value = f"coalesce({', '.join(candidates)})" if len(candidates) > 1 else (
            candidates[0] if candidates else f"CAST(NULL AS {sql_type})")
        if c.kind == "bool":  # an empty approved_new cell means not approved
            value = f"CASE WHEN r.{col} IS NULL THEN false ELSE {value} END"
        selects.append(f"{value} AS {col}")
        selects.append(f"r.{col} AS {_q(c.name + '__raw')}")
        reasons.append(f"{reason} AS {_q(c.name + '__why')}")
    errors = []
    for c in columns:
        col = _q(c.name)
        raw_col = col if c.kind == "text" else _q(c.name + "__raw")
        whens = []
        if c.required:
            whens.append(f"WHEN {raw_col} IS NULL THEN 'required value missing'")
        if c.kind != "text":
            whens.append(f"WHEN {raw_col} IS NOT NULL AND {col} IS NULL THEN "
                         f"coalesce({_q(c.name + '__why')}, 'bad value ''' || {raw_col} || '''')")
        if c.check:
            op, words = CHECKS[c.check]
            whens.append(f"WHEN {col} {op} THEN '{words} (' || {raw_col} || ')'")
        if whens:
            errors.append(f"CASE {' '.join(whens)} END AS {_q(c.name + '__err')}")
    why_columns = [_q(c.name + "__why") for c in columns if c.kind != "text"]
    # Rows without any value in a known column are blank lines: skipped, row numbers kept.
    nonblank = f"WHERE coalesce({', '.join('r.' + _q(c.name) for c in columns)}) IS NOT NULL" if columns else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {part.stage} AS "
        f"SELECT * {'EXCLUDE (' + ', '.join(why_columns) + ')' if why_columns else ''}"
        f"{''.join(', ' + e for e in errors)} "
        f"FROM (SELECT {', '.join(selects + reasons)} FROM {clean} r {' '.join(joins)} {nonblank})"
    )
    con.execute(f"DROP TABLE {clean}")
    for name in registered:
        con.unregister(name)
    part.rows = con.execute(f"SELECT count(*) FROM {part.stage}").fetchone()[0]


def _key_present(part: _Part) -> bool:
    return all(k in part.position for k in db.KEYS[part.table])


def _batch_key_views(con: duckdb.DuckDBPyConnection, parts: list[_Part]) -> None:
    """import_batch_<table>(key): the keys of the referenced tables that arrive in this batch."""
    for table in {target for _t, _c, target in REFERENCES + SOFT_REFERENCES}:
        (key,) = db.KEYS[table]
        selects = [f"SELECT {_q(key)} AS key FROM {p.stage} WHERE {_q(key)} IS NOT NULL"
                   for p in parts if p.table == table and _key_present(p)]
        body = " UNION ALL ".join(selects) or "SELECT CAST(NULL AS VARCHAR) AS key WHERE false"
        con.execute(f"CREATE OR REPLACE TEMP VIEW import_batch_{table} AS {body}")


def _unknown_reference_sql(part: _Part, column: str, target: str) -> str:
    (key,) = db.KEYS[target]
    col = _q(column)
    return (f"FROM {part.stage} s ANTI JOIN {target} t ON t.{_q(key)} = s.{col} "
            f"ANTI JOIN import_batch_{target} b ON b.key = s.{col} WHERE s.{col} IS NOT NULL")


def _check_part(con: duckdb.DuckDBPyConnection, part: _Part, problems: _Problems, warnings: list[str]) -> None:
    """Row problems of one staged part: bad cells, row rules, duplicate keys, unknown references."""
    spec = TABLES[part.table]
    shown: dict[int, str] = {}  # problem code -> column as shown
    order: dict[int, int] = {}  # problem code -> sort position within a row
    selects = []
    for code, c in enumerate(spec):
        shown[code] = part.shown(c.name)
        order[code] = part.position.get(c.name, 1000 + code)
        if c.name in part.position and (c.required or c.kind != "text" or c.check):
            selects.append(f"SELECT _row, {code} AS code, {_q(c.name + '__err')} AS reason "
                           f"FROM {part.stage} WHERE {_q(c.name + '__err')} IS NOT NULL")
    codes = {c.name: code for code, c in enumerate(spec)}
    if part.table == "dealers" and "status" in part.position:
        no_date = ("terminated_on__raw IS NULL" if "terminated_on" in part.position else "true")
        selects.append(f"SELECT _row, {codes['terminated_on']} AS code, "
                       f"'required when status is terminated' AS reason FROM {part.stage} "
                       f"WHERE status = 'terminated' AND {no_date}")
    keys = db.KEYS[part.table]
    if _key_present(part):
        dup_code = len(spec)
        shown[dup_code] = "+".join(part.shown(k) for k in keys)
        order[dup_code] = 2000
        on = " AND ".join(f"s.{_q(k)} = d.{_q(k)}" for k in keys)
        key_text = " || ' / ' || ".join(f"CAST(s.{_q(k)} AS VARCHAR)" for k in keys)
        not_null = " AND ".join(f"{_q(k)} IS NOT NULL" for k in keys)
        selects.append(
            f"SELECT s._row, {dup_code} AS code, 'duplicate key ''' || {key_text} || ''' (first in row ' "
            f"|| d.first_row || ')' AS reason FROM {part.stage} s JOIN (SELECT {', '.join(_q(k) for k in keys)}, "
            f"min(_row) AS first_row FROM {part.stage} WHERE {not_null} GROUP BY ALL HAVING count(*) > 1) d "
            f"ON {on} WHERE s._row > d.first_row")
    for table, column, target in REFERENCES:
        if table == part.table and column in part.position:
            noun = REFERENCE_NOUN[target]
            selects.append(
                f"SELECT s._row, {codes[column]} AS code, 'unknown {noun} ''' || s.{_q(column)} || "
                f"''' (not in the database or in this batch)' AS reason " + _unknown_reference_sql(part, column, target))
    if selects:
        union = " UNION ALL ".join(selects)
        total = con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]
        if total:
            first = con.execute(f"SELECT _row, code, reason FROM ({union}) ORDER BY _row, code "
                                f"LIMIT {PROBLEMS_PER_FILE}").fetchall()
            items = [(row, order[code], shown[code], reason) for row, code, reason in first]
            problems.add_many(part.label, items, total)
    for table, column, target in SOFT_REFERENCES:
        if table == part.table and column in part.position:
            count, row, value = con.execute(
                f"SELECT count(*), min(s._row), arg_min(s.{_q(column)}, s._row) "
                + _unknown_reference_sql(part, column, target)).fetchone()
            if count:
                noun = REFERENCE_NOUN[target]
                warnings.append(f"{part.label}:{row}:{part.shown(column)}: {count} row(s) name a {noun} that is "
                                f"not in the database or this batch (first: '{value}'); imported as is")


# ---------------------------------------------------------------------------------------------
# Merging with the stored rows


def _final_table(con: duckdb.DuckDBPyConnection, table: str, parts: list[_Part],
                 warnings: list[str]) -> tuple[list[Column], set[str]]:
    """import_final_<table>: the batch's rows (the last file wins a key) marked inserted/updated/
    unchanged against the stored rows. Returns the columns it carries and those with a per-row
    __has_ flag (columns only some of the files have)."""
    keys = db.KEYS[table]
    present = {c.name for p in parts for c in p.columns}
    columns = [c for c in TABLES[table] if c.name in present]
    partial = {c.name for c in columns if any(c.name not in p.position for p in parts)}
    if len(parts) == 1:
        source = parts[0].stage
    else:
        selects = []
        for n, p in enumerate(parts):
            cols = [(_q(c.name) if c.name in p.position else f"CAST(NULL AS {SQL_TYPES[c.kind]}) AS {_q(c.name)}")
                    for c in columns]
            flags = [f"{'true' if name in p.position else 'false'} AS {_q('__has_' + name)}" for name in sorted(partial)]
            selects.append(f"SELECT {', '.join(cols + flags)}, {n} AS __part FROM {p.stage}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE import_union_{table} AS {' UNION ALL '.join(selects)}")
        on = " AND ".join(f"a.{_q(k)} = b.{_q(k)}" for k in keys)
        overlaps = con.execute(f"SELECT a.__part, b.__part, count(*) FROM import_union_{table} a "
                               f"JOIN import_union_{table} b ON {on} WHERE a.__part < b.__part "
                               f"GROUP BY ALL ORDER BY 1, 2").fetchall()
        for earlier, later, count in overlaps:
            warnings.append(f"{parts[later].label}:1:-: {count} key(s) also in {parts[earlier].label}; "
                            f"the rows of {parts[later].label} (the later file) are kept")
        source = (f"(SELECT * FROM import_union_{table} QUALIFY row_number() OVER "
                  f"(PARTITION BY {', '.join(_q(k) for k in keys)} ORDER BY __part DESC) = 1)")
    changed = [
        (f"(s.{_q('__has_' + c.name)} AND s.{_q(c.name)} IS DISTINCT FROM t.{_q(c.name)})" if c.name in partial
         else f"s.{_q(c.name)} IS DISTINCT FROM t.{_q(c.name)}")
        for c in columns if c.name not in keys
    ]
    on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in keys)
    carried = [f"s.{_q(c.name)}" for c in columns] + [f"s.{_q('__has_' + n)}" for n in sorted(partial)]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE import_final_{table} AS SELECT {', '.join(carried)}, "
        f"CASE WHEN t.{_q(keys[0])} IS NULL THEN 'inserted' "
        f"WHEN {' OR '.join(changed) if changed else 'false'} THEN 'updated' ELSE 'unchanged' END AS __change "
        f"FROM {source} s LEFT JOIN {table} t ON {on}"
    )
    return columns, partial


def _change_counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for change, n in con.execute(f"SELECT __change, count(*) FROM import_final_{table} GROUP BY 1").fetchall():
        counts[change] = n
    return counts


def _write_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[Column], partial: set[str]) -> None:
    keys = db.KEYS[table]
    final = f"import_final_{table}"
    values = [
        (f"CASE WHEN {_q('__has_' + c.name)} THEN {_q(c.name)} ELSE {INSERT_DEFAULTS.get(c.name, 'NULL')} END"
         if c.name in partial else _q(c.name))
        for c in columns
    ]
    con.execute(f"INSERT INTO {table} ({', '.join(_q(c.name) for c in columns)}) "
                f"SELECT {', '.join(values)} FROM {final} WHERE __change = 'inserted'")
    updates = [
        (f"{_q(c.name)} = CASE WHEN s.{_q('__has_' + c.name)} THEN s.{_q(c.name)} ELSE t.{_q(c.name)} END"
         if c.name in partial else f"{_q(c.name)} = s.{_q(c.name)}")
        for c in columns if c.name not in keys
    ]
    if updates:
        on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in keys)
        con.execute(f"UPDATE {table} AS t SET {', '.join(updates)} FROM {final} s "
                    f"WHERE {on} AND s.__change = 'updated'")


def _write_log(con: duckdb.DuckDBPyConnection, files: list[dict], counts: dict[str, dict[str, int]]) -> None:
    next_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
    con.execute(
        "INSERT INTO import_log (import_id, imported_at, source, files, counts) VALUES (?, ?, 'import', ?, ?)",
        [next_id, dt.datetime.now().replace(microsecond=0),
         json.dumps(files, ensure_ascii=False), json.dumps(counts, ensure_ascii=False)],
    )


# ---------------------------------------------------------------------------------------------
# The whole run


def _open(db_path: Path, dry_run: bool) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """(connection, whether this call created the database file)."""
    if dry_run:
        if db_path.exists():
            return db.connect(db_path, read_only=True), False
        con = duckdb.connect(":memory:")  # nothing stored yet: check against empty tables
        db.create_schema(con)
        return con, False
    created = not db_path.exists()
    return db.open_for_write(db_path), created


def _remove_created(db_path: Path) -> None:
    for p in (db_path, db_path.with_name(db_path.name + ".wal")):
        try:
            p.unlink()
        except OSError:
            pass


def _run(db_path, sources: list[Source], dry_run: bool, progress, problems: _Problems) -> ImportResult:
    say = progress or (lambda _message: None)
    db_path = Path(db_path) if db_path else db.default_db_path()
    warnings: list[str] = []
    result = ImportResult(dry_run=dry_run)

    parts: list[_Part] = []
    for source in sources:
        name = _source_name(source)
        problems.register(name)
        try:
            say(f"{name}: reading")
            name, data = _load(source)
            for part in _read_source(name, data, problems, warnings):
                problems.register(part.label)
                _map_header(part, problems, warnings)
                parts.append(part)
        except FileProblem as exc:
            problems.add(name, 1, "-", str(exc))
        except Exception as exc:  # noqa: BLE001 - never a traceback for a file we cannot read
            problems.add(name, 1, "-", f"cannot read ({type(exc).__name__}: {exc})")

    con, created = _open(db_path, dry_run)
    try:
        con.execute(db.load_sql("import_macros"))
        staged = []
        for index, part in enumerate(parts):
            part.index = index
            say(f"{part.label}: checking {part.table}")
            try:
                _stage(con, part)
                staged.append(part)
            except Exception as exc:  # noqa: BLE001 - a value DuckDB chokes on is still the file's problem
                problems.add(part.label, 1, "-", f"cannot read ({type(exc).__name__}: {exc})")
        say("checking keys and references")
        _batch_key_views(con, staged)
        for part in staged:
            try:
                _check_part(con, part, problems, warnings)
            except Exception as exc:  # noqa: BLE001 - reported against the file, never a traceback
                problems.add(part.label, 1, "-", f"cannot check ({type(exc).__name__}: {exc})")

        result.warnings = warnings
        if problems.count():
            result.problems, result.problem_count = problems.lines(), problems.count()
            return result

        if not staged:
            return result  # nothing given: nothing to write or log
        tables = [t for t in db.DATA_TABLES if any(p.table == t for p in staged)]
        plans = {}
        for table in tables:
            say(f"{table}: comparing with the stored rows")
            plans[table] = _final_table(con, table, [p for p in staged if p.table == table], warnings)
            result.counts[table] = _change_counts(con, table)
        result.files = [{"file": p.label, "sha256": p.sha256, "table": p.table, "rows": p.rows} for p in staged]
        if dry_run:
            return result
        try:
            with db.transaction(con):
                for table in tables:
                    c = result.counts[table]
                    say(f"{table}: writing {c['inserted']:,} new and {c['updated']:,} changed rows")
                    _write_table(con, table, *plans[table])
                say("logging the import")
                _write_log(con, result.files, result.counts)
        except Exception as exc:  # noqa: BLE001 - rolled back: report it, nothing changed
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            result.problems = [f"{db_path}: writing failed and was rolled back, nothing imported "
                               f"({type(exc).__name__}: {first})"]
            result.problem_count = 1
            result.counts = {}
            return result
        say("done")
        created = False  # keep the file: it holds the import
        return result
    finally:
        con.close()
        if created:
            _remove_created(db_path)  # a failed first import leaves no empty database behind
