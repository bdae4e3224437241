"""Entry point: page setup, language, sign-in, shared filters, navigation. Run with `make run`."""
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lib import db
from lib.i18n import t
from ui import auth, conference, url_state
from ui.data import call_without_rules, connection
from ui.filters import sidebar
from ui.frame import apply_style, guarded, init_language, lang, language_switch

# (url path, file, title key, icon); the first page a role may open is its start page.
PAGES = (
    ("home", "pages/home.py", "nav.home", ":material/home:"),
    ("overview", "pages/overview.py", "overview.nav", ":material/monitoring:"),
    ("funnel", "pages/funnel.py", "funnel.nav", ":material/filter_alt:"),
    ("lifecycle", "pages/lifecycle.py", "lifecycle_page.nav", ":material/map:"),
    ("tiers", "pages/tiers.py", "tiers.nav", ":material/military_tech:"),
    ("contest", "pages/contest.py", "contest.nav", ":material/emoji_events:"),
    ("contracts", "pages/contracts.py", "contracts.nav", ":material/event:"),
    ("data", "pages/data.py", "data.nav", ":material/database:"),
    ("conference", "pages/conference.py", "conference.nav", ":material/co_present:"),
)

# app.py drives navigation; the pages/ folder must never be run as Streamlit's old multipage mode.
PagesManager.uses_pages_directory = False
st.set_page_config(page_title="经销商销售管理看板 · Dealer sales dashboard", page_icon=str(Path(__file__).parent / "ui" / "assets" / "favicon.png"),
                   layout="wide")
conference.restore_link()  # a ?present=1 link keeps its parameters across the switch to the show
init_language()
language_switch()
apply_style()
L = lang()

user = auth.gate()
if user is None:
    st.stop()  # the sign-in form is drawn; the link's parameters stay in the URL for after it

if user.role == "presenter":
    st.session_state["conf_mask_forced"] = True  # an external audience: never an amount or a fine
try:
    connection()
    st.session_state["filters"] = sidebar(
        call_without_rules("lib.dimensions:filter_options", access=user.access),
        call_without_rules("lib.reports:data_end"),
        access=user.access,
    )
    if user.restricted and st.session_state.get("filters_narrowed"):
        st.sidebar.info(t("auth.narrowed", L))  # for the session: the link they followed asked for more
except db.DatabaseError:
    st.session_state.pop("filters", None)  # the page explains what is wrong with the database

allowed = auth.allowed_pages(user)
pages = {
    path: st.Page(file, title=t(title, L), icon=icon, url_path=path, default=(path == allowed[0]))
    for path, file, title, icon in PAGES
    if path in allowed
}
show = pages.get("conference")
present = show is not None and (st.query_params.get("present") == "1" or allowed == ("conference",))
page = st.navigation(list(pages.values()), position="hidden" if present else "sidebar")
if present and page is not show:
    conference.open_show(show)  # keeps the link's parameters across the switch
guarded(page.run)
url_state.sync({"lang": L})
