"""The one owner of DuckDB connections, the schema and writes.

Readers (the app, reports) open the file read-only and take a cursor per query; the cursor
carries the scope macros of ``queries/_macros.sql``. Writers (import, demo) go through
``open_for_write`` and ``transaction`` so a batch lands whole or not at all.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "queries"
SCHEMA_VERSION = 1
APP_ID = "salesdash"

# The data tables of domain.md §2, in an order where references come first.
DATA_TABLES = (
    "territories",
    "salespeople",
    "dealers",
    "opportunities",
    "stage_history",
    "orders",
    "payments",
    "targets",
)
KEYS = {
    "territories": ("territory_id",),
    "salespeople": ("salesperson_id",),
    "dealers": ("dealer_id",),
    "opportunities": ("opportunity_id",),
    "stage_history": ("opportunity_id", "stage", "entered_on"),
    "orders": ("order_id",),
    "payments": ("payment_id",),
    "targets": ("dealer_id", "year"),
}


class DatabaseError(Exception):
    """A problem with the database file, worded for the user (one line, names the file)."""


class DatabaseMissing(DatabaseError):
    pass


def default_db_path() -> Path:
    """SALESDASH_DB if set, else data/sales.duckdb in the repository."""
    env = os.environ.get("SALESDASH_DB")
    return Path(env) if env else ROOT / "data" / "sales.duckdb"


def how_to_create(path: Path | str) -> str:
    return f"python -m lib.cli demo --db {path}  (or `make run`, or import your files with python -m lib.cli import)"


_INCLUDE = re.compile(r"^[ \t]*--[ \t]*@include[ \t]+(\w+)[ \t]*$", re.MULTILINE)


@functools.lru_cache(maxsize=None)
def load_sql(name: str) -> str:
    """The text of lib/queries/NAME.sql, each line `-- @include OTHER` replaced by OTHER's text.

    Includes let one rule's SQL (a CTE list) serve several queries; only our own SQL files are
    spliced, user values stay bound parameters.
    """

    def expand(query: str, seen: tuple[str, ...]) -> str:
        if query in seen:
            raise RuntimeError(f"SQL include cycle: {' -> '.join(seen + (query,))}")
        text = (QUERIES / f"{query}.sql").read_text(encoding="utf-8")
        return _INCLUDE.sub(lambda m: expand(m.group(1), seen + (query,)), text)

    return expand(name, ())


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        row = con.execute(
            "SELECT value FROM schema_meta WHERE key = 'schema_version'"
        ).fetchone()
        app = con.execute("SELECT value FROM schema_meta WHERE key = 'app'").fetchone()
    except duckdb.Error:
        raise DatabaseError(f"{path}: not a dealer dashboard database (no schema_meta table)") from None
    if app is None or app[0] != APP_ID or row is None:
        raise DatabaseError(f"{path}: not a dealer dashboard database (foreign schema_meta)")
    if int(row[0]) != SCHEMA_VERSION:
        raise DatabaseError(
            f"{path}: schema version {row[0]} but this code expects {SCHEMA_VERSION}; rebuild it with "
            + how_to_create(path)
        )


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"{path}: cannot be opened as a DuckDB database ({first})") from None


def connect(path: Path | str | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open an existing dashboard database; DatabaseError (one line) if missing, damaged or foreign."""
    path = Path(path) if path else default_db_path()
    if not path.exists():
        raise DatabaseMissing(f"{path}: no database yet; create it with {how_to_create(path)}")
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    con = _open(path, read_only)
    try:
        _check_schema(con, path)
    except DatabaseError:
        con.close()
        raise
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql("_schema"))
    con.execute(
        "INSERT INTO schema_meta VALUES ('app', ?), ('schema_version', ?)",
        [APP_ID, str(SCHEMA_VERSION)],
    )


def open_for_write(path: Path | str | None = None, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open read-write, creating the file and schema when it does not exist yet."""
    path = Path(path) if path else default_db_path()
    if path.exists():
        return connect(path, read_only=False)
    if not create:
        raise DatabaseMissing(f"{path}: no database yet; create it with {how_to_create(path)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=False)
    create_schema(con)
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends normally, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A fresh cursor with the scope macros installed (temp macros are per cursor)."""
    cur = con.cursor()
    cur.execute(load_sql("_macros"))
    return cur


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run lib/queries/NAME.sql with named parameters on its own cursor; a small DataFrame."""
    cur = cursor(con)
    try:
        return cur.execute(load_sql(name), params or {}).df()
    finally:
        cur.close()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cur = con.cursor()
    try:
        return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DATA_TABLES}
    finally:
        cur.close()


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash per table: equal means same content."""
    out = {}
    cur = con.cursor()
    try:
        for table in DATA_TABLES:
            count, digest = cur.execute(
                f"SELECT count(*), coalesce(bit_xor(hash(t)), 0)::VARCHAR || ':' ||"
                f" coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM {table} t"
            ).fetchone()
            out[table] = (count, digest)
    finally:
        cur.close()
    return out


def data_date_range(con: duckdb.DuckDBPyConnection):
    """(first, last) order date, or (None, None) when there are no orders."""
    cur = con.cursor()
    try:
        return cur.execute("SELECT min(order_date), max(order_date) FROM orders").fetchone()
    finally:
        cur.close()


def import_log(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT import_id, imported_at, source, files, counts FROM import_log"
            " ORDER BY import_id DESC LIMIT ?",
            [limit],
        ).df()
    finally:
        cur.close()


def sha256_of(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
