"""The frame every page runs in: language (sidebar and ?lang=), and a guard that turns any failure
into a clear message instead of a traceback."""
from __future__ import annotations

import logging
from typing import Callable

import streamlit as st

from lib import db
from lib.i18n import LANGUAGES, normalize_language, t

log = logging.getLogger("salesdash")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def init_language() -> None:
    """The first run of a session takes the language from the link (?lang=zh|en)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = normalize_language(st.query_params.get("lang"))


def lang() -> str:
    return st.session_state.get("lang", "zh")


def language_switch() -> None:
    st.sidebar.radio(
        t("app.language", lang()), LANGUAGES, key="lang", horizontal=True, format_func=LANGUAGE_NAMES.get
    )
    st.query_params["lang"] = lang()


# Long amounts (¥483,423,606) must fit five KPI cards side by side. (Fonts: .streamlit/config.toml.)
_STYLE = """
<style>
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, 1.9vw, 2rem); }
</style>
"""


def apply_style() -> None:
    st.html(_STYLE)


def show_database_problem(exc: db.DatabaseError) -> None:
    if isinstance(exc, db.DatabaseMissing):
        path = db.default_db_path()
        st.warning(t("app.no_database", lang(), path=path))
        st.markdown(t("app.create_hint", lang()))
        st.code(f"make run\n# {t('app.database', lang())}:\npython -m lib.cli demo --db {path}", language="bash")
    else:
        st.error(f"{t('app.bad_database', lang())}: {exc}")


def guarded(run: Callable[[], None]) -> None:
    """Run a page; a database problem gets its own message, anything else a short apology."""
    try:
        run()
    except db.DatabaseError as exc:
        show_database_problem(exc)
    except Exception:  # noqa: BLE001 - never a traceback on the page; the terminal has it
        log.exception("page failed")
        st.error(t("app.internal_error", lang()))


def current_filters():
    """The shared filters of this run; raises db.DatabaseError when there is no usable database."""
    from ui.data import connection

    connection()
    return st.session_state["filters"]


def leave_pages_directory_mode() -> None:
    """Make sure the page runs inside app.py's navigation.

    Streamlit's very first run in a process treats a `pages/` folder as the old multipage mode
    until st.navigation is called; a shared link opened right after a restart would run the page
    bare (no language, no filters). Switch the mode off and rerun through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_frame():
    """First call of every analysis page: (language, shared filters)."""
    leave_pages_directory_mode()
    return lang(), current_filters()
