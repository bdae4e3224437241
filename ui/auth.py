"""Sign-in, sessions and roles on the Streamlit side (the rules live in lib/auth.py).

The signed-in user is kept in server-side session state (a browser cannot forge it); every run
re-reads the user's record, so a user disabled meanwhile is signed out at their next click. The
user's access scope reaches every query through the shared filters (ui.filters), never through
anything the URL can set.
"""
from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from lib.auth import LOCAL_USER, AuthError, AuthStore, User, auth_path
from lib.i18n import t
from ui.data import database_path
from ui.frame import lang

LOCAL_ADDRESSES = {None, "", "127.0.0.1", "::1", "localhost"}
# Which pages each role may open (url paths); local single-user mode may open them all.
ANALYSIS = ("home", "overview", "funnel", "lifecycle", "tiers", "contest", "contracts")
ROLE_PAGES = {
    "director": ANALYSIS + ("conference",),
    "manager": ANALYSIS,
    "rep": ANALYSIS,
    "presenter": ("conference",),
    "admin": ("home", "data"),
}


def session_minutes() -> int:
    return int(os.environ.get("SALESDASH_SESSION_MINUTES", "30"))


def store() -> AuthStore:
    return AuthStore(auth_path(database_path()))


def current_user() -> User | None:
    return st.session_state.get("auth_user_record")


def allowed_pages(user: User) -> tuple[str, ...]:
    """url paths of the pages this user may open; local single-user mode opens all."""
    if st.session_state.get("auth_local"):
        return ANALYSIS + ("conference", "data")
    return ROLE_PAGES.get(user.role, ())


def audit(action: str, **detail) -> None:
    """Log an action of the signed-in user (exports, imports); never fails the page."""
    user = current_user()
    try:
        store().audit(user.username if user else None, action, detail)
    except Exception:  # noqa: BLE001 - an audit problem must not break the user's work
        pass


def _sign_out(reason: str | None = None) -> None:
    user = current_user()
    if user is not None and user is not LOCAL_USER:
        audit("sign_out" if reason is None else "session_expired")
    for key in ("auth_user_record", "auth_last_seen"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["auth_notice"] = reason


def _sign_in_form() -> None:
    L = lang()
    st.title(t("auth.title", L))
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.info(t(f"auth.{notice}", L))
    with st.form("auth_form", enter_to_submit=True):
        username = st.text_input(t("auth.username", L), key="auth_username")
        password = st.text_input(t("auth.password", L), type="password", key="auth_password")
        submitted = st.form_submit_button(t("auth.sign_in", L), type="primary")
    if submitted:
        try:
            user = store().authenticate(username, password)
        except AuthError as exc:
            key = {"locked": "auth.locked", "disabled": "auth.disabled"}.get(exc.reason, "auth.invalid")
            st.error(t(key, L) + (f" ({exc})" if exc.reason == "locked" else ""))
            return
        st.session_state["auth_user_record"] = user
        st.session_state["auth_last_seen"] = dt.datetime.now()
        st.rerun()


def gate() -> User | None:
    """The user of this session, or None after drawing the sign-in form (the caller stops)."""
    L = lang()
    auth = store()
    if not auth.has_users():
        # No user yet (a fresh demo): one local user, and only from this machine.
        if st.context.ip_address not in LOCAL_ADDRESSES:
            st.error(t("auth.local_only", L))
            return None
        st.session_state["auth_local"] = True
        st.session_state["auth_user_record"] = LOCAL_USER
        st.sidebar.caption(t("auth.local_mode", L))
        return LOCAL_USER
    st.session_state.pop("auth_local", None)
    user = current_user()
    if user is LOCAL_USER or (user is not None and user.username == LOCAL_USER.username):
        user = None  # users were added since: sign in properly
        st.session_state.pop("auth_user_record", None)
    if user is not None:
        last = st.session_state.get("auth_last_seen")
        now = dt.datetime.now()
        if last is None or now - last > dt.timedelta(minutes=session_minutes()):
            _sign_out("expired")
            user = None
        else:
            fresh = auth.still_valid(user.username)
            if fresh is None:
                _sign_out("revoked")
                user = None
            else:
                user = fresh
                st.session_state["auth_user_record"] = fresh
                st.session_state["auth_last_seen"] = now
    if user is None:
        _sign_in_form()
        return None
    side = st.sidebar
    side.caption(t("auth.signed_in_as", L, name=user.name, role=t(f"auth.role_{user.role}", L),
                   access=user.describe_access()))
    if side.button(t("auth.sign_out", L), key="auth_sign_out"):
        _sign_out("signed_out")
        st.rerun()
    return user
