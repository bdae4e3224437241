"""The app's read-only connection and cached calls into lib/ (keyed on database, rules and arguments)."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lib import db
from lib.rules_file import Rules, load_rules

log = logging.getLogger("salesdash")


def database_path() -> Path:
    return db.default_db_path()


def database_key() -> tuple[str, float]:
    """Path and modification time: a new import or demo build gives a new key, so caches refresh."""
    path = database_path()
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, mtime: float):
    # One read-only connection per database version; every query takes its own cursor.
    return db.connect(path, read_only=True)


def connection():
    """The open read-only connection; raises db.DatabaseError (missing, damaged, foreign)."""
    path, mtime = database_key()
    return _connection(path, mtime)


def release_connection() -> None:
    """Close the cached connection so a writer (the Data page's import) can take the file."""
    try:
        connection().close()
    except db.DatabaseError:
        pass
    _connection.clear()
    st.cache_data.clear()


@st.cache_data(show_spinner=False, ttl=60)
def rules() -> Rules:
    return load_rules()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(target: str, db_key: tuple, rules_fingerprint: str | None, kwargs: tuple) -> Any:
    module, func = target.split(":")
    fn = getattr(importlib.import_module(module), func)
    if rules_fingerprint is None:
        return fn(connection(), **dict(kwargs))
    return fn(connection(), rules(), **dict(kwargs))


def call(target: str, **kwargs) -> Any:
    """Call lib function "module:function"(con, rules, **kwargs), cached on every input.

    Arguments must be hashable (Scope, dates, Quarter, tuples); the result is usually a small
    DataFrame, copied by st.cache_data so a page cannot mutate the cached one.
    """
    return _cached_call(target, database_key(), rules().fingerprint, tuple(sorted(kwargs.items())))


def call_without_rules(target: str, **kwargs) -> Any:
    """Like `call`, for lib functions that take only the connection (dimensions, data range)."""
    return _cached_call(target, database_key(), None, tuple(sorted(kwargs.items())))


def report(name: str, scope, options) -> pd.DataFrame:
    """A CLI report by name, the same frame `python -m lib.cli report NAME` prints."""
    return call("lib.reports:run_report", name=name, scope=scope, options=options)
