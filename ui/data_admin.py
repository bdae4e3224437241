"""The Data page's glue: uploads -> dry-run preview -> one-transaction import, the import log,
the rules in force and the import templates.

The import functions take (name, bytes) pairs and a database path, so tests call them directly;
lib.importer does every check and the write. Frames made here are small and shown with
ui.show.table.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import streamlit as st

from lib import db, importer
from lib.i18n import fmt_count, fmt_date, t
from lib.import_formats import TABLES
from lib.rules_file import DEFAULT_RULES, USER_RULES, Rules

log = logging.getLogger("salesdash")

TEMPLATES = db.ROOT / "data" / "templates"
SHA_PREFIX = 12
Pair = tuple[str, bytes]


# ---------------------------------------------------------------------------------------------
# Uploads -> dry run -> import


@dataclass
class Outcome:
    """What a dry run or an import found: the importer's result, or why it could not run."""

    result: importer.ImportResult | None = None
    error: str | None = None  # worded for the user, already in the page's language
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None and self.result.ok

    @property
    def ready(self) -> bool:
        """The Import button may be pressed: a clean dry run with something to write."""
        return self.ok and bool(self.result.counts)


@dataclass
class Summary:
    """What a finished import wrote, kept for the run after the rerun (small)."""

    files: int
    inserted: int
    updated: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def pairs(uploads: Iterable) -> list[Pair]:
    """st.file_uploader's files (or pairs) as (name, bytes) pairs."""
    out = []
    for item in uploads or []:
        if isinstance(item, tuple):
            out.append((str(item[0]), bytes(item[1])))
        else:
            out.append((str(item.name), bytes(item.getvalue())))
    return out


def fingerprint(uploads: Iterable) -> str:
    """A key for the dry-run cache: names and contents (upload ids when the uploader gives them)."""
    h = hashlib.sha256()
    for item in uploads or []:
        if isinstance(item, tuple):
            h.update(item[0].encode("utf-8") + b"\0" + hashlib.sha256(item[1]).digest())
        else:
            h.update(f"{item.name}\0{getattr(item, 'file_id', '')}\0{getattr(item, 'size', '')}".encode("utf-8"))
    return h.hexdigest()


def _database_message(text: str, L: str) -> str:
    if re.search(r"lock|different configuration", text, re.IGNORECASE):
        return t("data.locked", L, reason=text)
    return t("data.bad_database", L, reason=text)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check(db_path: Path | str, sources: list[Pair]) -> tuple[dict | None, str | None, str | None]:
    """The dry run as plain values: (result, error kind "database"/"check", error text)."""
    try:
        return asdict(importer.import_sources(db_path, sources, dry_run=True)), None, None
    except db.DatabaseError as exc:
        return None, "database", _first_line(exc)
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        log.exception("dry run failed")
        return None, "check", f"{type(exc).__name__}: {exc}"


def _outcome(result: dict | None, kind: str | None, text: str | None, L: str) -> Outcome:
    if kind == "database":
        return Outcome(error=_database_message(text, L))
    if kind is not None:
        return Outcome(error=t("data.check_failed", L, reason=text))
    return Outcome(importer.ImportResult(**result))


def preview(db_path: Path | str, sources: list[Pair], L: str = "en") -> Outcome:
    """The dry run: every problem and the per-table counts, nothing written."""
    return _outcome(*_check(db_path, sources), L)


@st.cache_data(show_spinner=False, max_entries=4)
def _cached_check(db_key: tuple, key: str, _sources: list[Pair]) -> tuple:
    # Plain Python values only: the cache pickles them, and a class would not survive the
    # module reload streamlit does when a source file changes. No language: switching it
    # does not check the files again.
    return _check(db_key[0], _sources)


def cached_preview(db_key: tuple, key: str, sources: list[Pair], L: str) -> Outcome:
    """`preview`, once per database version and set of files (reruns do not check again)."""
    try:
        checked = _cached_check(db_key, key, sources)
    except Exception:  # noqa: BLE001 - a cache problem must not stop the check
        log.exception("cached dry run failed; checking without the cache")
        checked = _check(db_key[0], sources)
    return _outcome(*checked, L)


def run_import(db_path: Path | str, sources: list[Pair], progress: Callable[[str], None] | None = None,
               L: str = "en", release: Callable[[], None] | None = None) -> Outcome:
    """Write the batch in one transaction (the importer's), all or nothing.

    The app's cached read-only connection would block the writer: it is released first and the
    caches are cleared afterwards, so the next run reopens the database and every page reads the
    new data.
    """
    if release is None:
        from ui.data import release_connection as release
    release()
    try:
        result = importer.import_sources(db_path, sources, dry_run=False, progress=progress)
        from ui.auth import audit

        audit("import" if not result.problems else "import_rejected",
              files=[name for name, _ in sources], problems=result.problem_count)
        return Outcome(result, dry_run=False)
    except db.DatabaseError as exc:
        return Outcome(error=_database_message(_first_line(exc), L), dry_run=False)
    except Exception as exc:  # noqa: BLE001 - e.g. a folder that cannot be created or written
        log.exception("import failed")
        return Outcome(error=t("data.write_failed", L, reason=f"{type(exc).__name__}: {exc}"), dry_run=False)
    finally:
        st.cache_data.clear()


def summary(outcome: Outcome) -> Summary:
    counts = outcome.result.counts
    return Summary(files=len({f["file"] for f in outcome.result.files}),
                   inserted=sum(c["inserted"] for c in counts.values()),
                   updated=sum(c["updated"] for c in counts.values()), counts=counts)


def progress_steps(outcome: Outcome, sources: list[Pair]) -> int:
    """How many progress messages the import of a clean dry run sends (for a progress bar)."""
    result = outcome.result
    return len(sources) + len(result.files) + 1 + 2 * len(result.counts) + 2


# ---------------------------------------------------------------------------------------------
# Words: problems, warnings and progress messages in the page's language

_NOUNS = "dealer|territory|salesperson|opportunity"
_REASONS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"required value missing$"), "required_value"),
    (re.compile(r"required column missing(?: \(its header may also be (?P<names>.*)\))?$"), "required_column"),
    (re.compile(r"duplicate key '(?P<value>.*)' \(first in row (?P<row>\d+)\)$"), "duplicate_key"),
    (re.compile(rf"unknown (?P<noun>{_NOUNS}) '(?P<value>.*)' \(not in the database or in this batch\)$"),
     "unknown_reference"),
    (re.compile(r"bad date '(?P<value>.*)' \(use .*\)$"), "bad_date"),
    (re.compile(r"no such date '(?P<value>.*)'$"), "no_such_date"),
    (re.compile(r"bad amount '(?P<value>.*)': more than 2 decimals.*$"), "amount_cents"),
    (re.compile(r"bad amount '(?P<value>.*)' \(use .*\)$"), "bad_amount"),
    (re.compile(r"bad whole number '(?P<value>.*)'$"), "bad_whole"),
    (re.compile(r"bad year '(?P<value>.*)' \(.*\)$"), "bad_year"),
    (re.compile(r"bad number '(?P<value>.*)'$"), "bad_number"),
    (re.compile(r"bad yes/no value '(?P<value>.*)' \(.*\)$"), "bad_bool"),
    (re.compile(r"unknown (?P<kind>role|status|stage) '(?P<value>.*)' \(use (?P<accepted>.*)\)$"), "bad_enum"),
    (re.compile(r"must not be negative \((?P<value>.*)\)$"), "negative"),
    (re.compile(r"must be greater than 0 \((?P<value>.*)\)$"), "not_positive"),
    (re.compile(r"required when status is terminated$"), "terminated_on"),
    (re.compile(r"empty file$"), "empty_file"),
    (re.compile(r"empty sheet$"), "empty_sheet"),
    (re.compile(r"the file name names no table; name it after one of: (?P<tables>.*)$"), "no_table"),
    (re.compile(r"not UTF-8 or GBK text(?P<detail>.*)$"), "not_text"),
    (re.compile(r"an old Excel \.xls workbook.*$"), "old_xls"),
    (re.compile(r"cannot read \((?P<detail>.*)\)$"), "cannot_read"),
    (re.compile(r"unknown column ignored$"), "unknown_column"),
]


def reason_text(reason: str, L: str) -> str:
    """An importer reason in the page's language (English keeps the importer's own words)."""
    if L == "en":
        return reason
    for pattern, key in _REASONS:
        m = pattern.match(reason)
        if not m:
            continue
        values = {k: (v or "") for k, v in m.groupdict().items()}
        if key == "required_column":
            names = values.pop("names")
            values["also"] = t("data_reason.also", L, names=names.replace(" or ", "、")) if names else ""
        if "noun" in values:
            values["noun"] = t(f"data_reason.noun_{values['noun']}", L)
        if "kind" in values:
            values["kind"] = t(f"data_reason.kind_{values['kind']}", L)
        return t(f"data_reason.{key}", L, **values)
    return reason


_LINE = re.compile(r"^(?P<file>.*?):(?P<row>\d+):(?P<column>.*?): (?P<reason>.*)$")
_MORE = re.compile(r"^(?P<file>.*): (?P<count>\d+) more problems?$")


def problem_frames(lines: list[str]) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """The importer's "file:row:column: reason" lines as a frame, and the (file, count) of the
    problems beyond the per-file cap."""
    rows, more = [], []
    for line in lines:
        m = _MORE.match(line)
        if m:
            more.append((m["file"], int(m["count"])))
            continue
        m = _LINE.match(line)
        if m:
            rows.append((m["file"], int(m["row"]), m["column"], m["reason"]))
        else:
            rows.append(("", None, "", line))
    frame = pd.DataFrame(rows, columns=["import_file", "problem_row", "problem_column", "problem_reason"])
    frame["problem_row"] = frame["problem_row"].astype("Int64")
    return frame, more


def shown_problems(frame: pd.DataFrame, L: str) -> pd.DataFrame:
    return frame.assign(problem_reason=[reason_text(r, L) for r in frame["problem_reason"]])


def warning_text(line: str, L: str) -> str:
    m = _LINE.match(line)
    if not m or L == "en":
        return line
    return f"{m['file']}:{m['row']}:{m['column']}: {reason_text(m['reason'], L)}"


_PROGRESS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(?P<file>.*): reading$"), "reading"),
    (re.compile(r"^(?P<file>.*): checking (?P<table>\w+)$"), "checking"),
    (re.compile(r"^checking keys and references$"), "references"),
    (re.compile(r"^(?P<table>\w+): comparing with the stored rows$"), "comparing"),
    (re.compile(r"^(?P<table>\w+): writing (?P<inserted>[\d,]+) new and (?P<updated>[\d,]+) changed rows$"), "writing"),
    (re.compile(r"^logging the import$"), "logging"),
    (re.compile(r"^done$"), "done"),
]


def progress_text(message: str, L: str) -> str:
    """An importer progress message in the page's language."""
    for pattern, key in _PROGRESS:
        m = pattern.match(message)
        if m:
            values = m.groupdict()
            if "table" in values:
                values["table"] = t(f"tables.{values['table']}", L)
            return t(f"data_progress.{key}", L, **values)
    return message


# ---------------------------------------------------------------------------------------------
# Frames of a dry run or an import


def count_columns(frame: pd.DataFrame) -> dict:
    """column_config for the row-count columns of a frame: thousands separators in the table,
    the plain numbers in the frame and its downloads."""
    return {c: st.column_config.NumberColumn(format="localized") for c in frame.columns if c in COUNT_COLUMNS}


COUNT_COLUMNS = ("inserted", "updated", "unchanged", "import_rows")


def counts_frame(counts: dict[str, dict[str, int]], L: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(t(f"tables.{table}", L), c.get("inserted", 0), c.get("updated", 0), c.get("unchanged", 0))
         for table, c in counts.items()],
        columns=["import_table", "inserted", "updated", "unchanged"],
    )


def files_frame(files: list[dict], L: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(f.get("file", ""), t(f"tables.{f.get('table')}", L) if f.get("table") else "", f.get("rows"),
          f.get("sha256", "")) for f in files],
        columns=["import_file", "import_table", "import_rows", "sha256"],
    )


# ---------------------------------------------------------------------------------------------
# The import log


def _json(text, default):
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, type(default)) else default


def fmt_time(value, L: str) -> str:
    """A log time in the local style: 2025年12月1日 10:00:00 / 1 Dec 2025 10:00:00."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    stamp = pd.Timestamp(value)
    return f"{fmt_date(stamp.date(), L)} {stamp.strftime('%H:%M:%S')}"


def log_frame(log_rows: pd.DataFrame, L: str) -> pd.DataFrame:
    """One row per import: time, source, files, sha256 prefixes, rows inserted/updated."""
    rows = []
    for entry in log_rows.itertuples(index=False):
        files = _json(entry.files, [])
        counts = _json(entry.counts, {})
        detail = []
        for table, c in counts.items():
            c = c if isinstance(c, dict) else {"inserted": c}
            detail.append(f"{t(f'tables.{table}', L)} +{fmt_count(c.get('inserted', 0), L)}"
                          f"/~{fmt_count(c.get('updated', 0), L)}")
        rows.append((
            int(entry.import_id), fmt_time(entry.imported_at, L), source_label(entry.source, L),
            ", ".join(str(f.get("file", "")) for f in files) or "–",
            ", ".join(str(f.get("sha256", ""))[:SHA_PREFIX] for f in files) or "–",
            sum(int(c.get("inserted", 0)) if isinstance(c, dict) else int(c) for c in counts.values()),
            sum(int(c.get("updated", 0)) if isinstance(c, dict) else 0 for c in counts.values()),
            "; ".join(detail),
        ))
    return pd.DataFrame(rows, columns=["import_id", "imported_at", "import_source", "import_files", "sha256",
                                       "inserted", "updated", "import_detail"])


def source_label(source: str, L: str) -> str:
    return t(f"data.source_{source}", L) if source in ("import", "demo") else str(source)


def log_entry(log_rows: pd.DataFrame, import_id: int, L: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The files (full sha256) and the per-table counts of one logged import."""
    entry = log_rows[log_rows["import_id"] == import_id].iloc[0]
    counts = {table: (c if isinstance(c, dict) else {"inserted": c})
              for table, c in _json(entry["counts"], {}).items()}
    return files_frame(_json(entry["files"], []), L), counts_frame(counts, L)


# ---------------------------------------------------------------------------------------------
# Rules


def rules_frame(rules: Rules, L: str) -> pd.DataFrame:
    rows = []
    for row in rules.rows():
        section = row["key"].split(".", 1)[0]
        source = t("data.rules_source_default", L) if row["source"] == "default" else row["source"]
        rows.append((t(f"data_section.{section}", L), row["key"], row["value"], source))
    return pd.DataFrame(rows, columns=["rule_section", "rule_key", "rule_value", "rule_source"])


def full_height(frame: pd.DataFrame) -> int:
    """A table height in pixels that shows every row without an inner scroll bar."""
    return 35 * (len(frame) + 1) + 3


def rules_files(rules: Rules, L: str) -> list[str]:
    return [t("data.rules_default_file", L, path=f) if Path(f) == DEFAULT_RULES
            else t("data.rules_user_file", L, path=f) for f in rules.files]


# An override file as a user would write it (the example the page shows).
RULES_EXAMPLE = "[core]\nshare = 0.75\n\n[elimination]\nmin_achievement = 0.5\n"


def demo_command(path: Path | str) -> str:
    return f"python -m lib.cli demo --db {path}"


def user_rules_path() -> Path:
    return USER_RULES


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # numbers and strings: the same text in TOML


def rules_toml(rules: Rules) -> str:
    """The rules in force as a TOML file that load_rules reads back to the same values."""
    lines = [f"# Rules in force, {dt.date.today().isoformat()}: " + " + ".join(rules.files)]
    for section, keys in rules.values.items():
        lines.append("")
        lines.append(f"[{section}]")
        for key, value in keys.items():
            lines.append(f"{key} = {_toml_value(value)}  # {rules.sources[f'{section}.{key}']}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Templates


def templates() -> list[tuple[str, Path]]:
    """(table, template CSV) in the data contract's order, for the templates that exist."""
    return [(table, TEMPLATES / f"{table}.csv") for table in db.DATA_TABLES if (TEMPLATES / f"{table}.csv").exists()]


def template_columns(table: str, L: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(c.name, t("data.required_mark", L) if c.required else t("data.optional_mark", L), "、".join(c.aliases))
         for c in TABLES[table]],
        columns=["template_column", "template_required", "template_aliases"],
    )


def template_workbook() -> bytes:
    """Every template as an empty sheet named after its table, in one workbook."""
    from lib import export

    return export.to_xlsx({table: pd.DataFrame(columns=[c.name for c in TABLES[table]])
                           for table in db.DATA_TABLES})


def templates_guide() -> str:
    path = TEMPLATES / "README.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def audit_frame(L: str) -> pd.DataFrame:
    """The audit log (newest first) with translated headers: time, user, action, detail."""
    from ui.auth import store

    rows = store().audit_log()
    return pd.DataFrame(rows, columns=["at", "username", "action", "detail"]).rename(columns={
        "at": t("data.audit_at", L), "username": t("data.audit_user", L),
        "action": t("data.audit_action", L), "detail": t("data.audit_detail", L)})
