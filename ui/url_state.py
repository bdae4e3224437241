"""Widget state mirrored in the URL query string.

`bind_*` seeds a widget's session-state key from the link the first time it is seen (or from a
default), so opening a shared link restores the view; `sync()` at the end of every run writes the
bound keys back, so the address bar always holds the current view.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import streamlit as st

# session-state key -> (query parameter, value -> str | list[str]); static, shared by sessions.
_BOUND: dict[str, tuple[str, Callable[[Any], Any]]] = {}


def _seed(key: str, param: str, dump, value_from_url: Callable[[], Any]) -> None:
    _BOUND[key] = (param, dump)
    if key not in st.session_state:
        st.session_state[key] = value_from_url()


def bind_date(key: str, param: str, default: dt.date) -> None:
    def read():
        try:
            return dt.date.fromisoformat(st.query_params.get(param, ""))
        except ValueError:
            return default
    _seed(key, param, lambda d: d.isoformat(), read)


def bind_choice(key: str, param: str, default: str, choices) -> None:
    def read():
        value = st.query_params.get(param, default)
        return value if value in choices else default
    _seed(key, param, str, read)


def bind_list(key: str, param: str) -> None:
    # Unknown values are dropped later by the widget's own options (the cascade), not here.
    _seed(key, param, list, lambda: [v for v in st.query_params.get_all(param) if v])


def bind_text(key: str, param: str, default: str | None, valid: Callable[[str], bool] = lambda v: True) -> None:
    def read():
        value = st.query_params.get(param)
        return value if value is not None and valid(value) else default
    _seed(key, param, lambda v: "" if v is None else str(v), read)


def sync(extra: dict[str, Any] | None = None) -> None:
    """Write every bound key present in this session (and `extra`) to the query string."""
    wanted: dict[str, Any] = {}
    for key, (param, dump) in _BOUND.items():
        if key in st.session_state and st.session_state[key] is not None:
            value = dump(st.session_state[key])
            if value not in ("", []):
                wanted[param] = value
    wanted.update(extra or {})
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    normal = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if current != normal:
        st.query_params.from_dict(wanted)
