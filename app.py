"""Entry point: page setup, language, shared filters, navigation. Run with `make run`."""
import streamlit as st

from lib import db
from lib.i18n import t
from ui import conference, url_state
from ui.data import call_without_rules, connection
from ui.filters import sidebar
from ui.frame import apply_style, guarded, init_language, lang, language_switch

st.set_page_config(page_title="经销商销售管理看板 · Dealer sales dashboard", page_icon=":material/bar_chart:", layout="wide")
conference.restore_link()  # a ?present=1 link keeps its parameters across the switch to the show
init_language()
language_switch()
apply_style()

try:
    connection()
    st.session_state["filters"] = sidebar(
        call_without_rules("lib.dimensions:filter_options"), call_without_rules("lib.reports:data_end")
    )
except db.DatabaseError:
    st.session_state.pop("filters", None)  # the page explains what is wrong with the database

L = lang()
present = st.query_params.get("present") == "1"  # ?present=1 on any link: the conference show, full screen
show = st.Page("pages/conference.py", title=t("conference.nav", L), icon=":material/co_present:", url_path="conference")
pages = [
    st.Page("pages/home.py", title=t("nav.home", L), icon=":material/home:", url_path="home", default=True),
    st.Page("pages/overview.py", title=t("overview.nav", L), icon=":material/monitoring:", url_path="overview"),
    st.Page("pages/funnel.py", title=t("funnel.nav", L), icon=":material/filter_alt:", url_path="funnel"),
    st.Page("pages/lifecycle.py", title=t("lifecycle_page.nav", L), icon=":material/map:", url_path="lifecycle"),
    st.Page("pages/tiers.py", title=t("tiers.nav", L), icon=":material/military_tech:", url_path="tiers"),
    st.Page("pages/contest.py", title=t("contest.nav", L), icon=":material/emoji_events:", url_path="contest"),
    st.Page("pages/contracts.py", title=t("contracts.nav", L), icon=":material/event:", url_path="contracts"),
    st.Page("pages/data.py", title=t("data.nav", L), icon=":material/database:", url_path="data"),
    show,
]
page = st.navigation(pages, position="hidden" if present else "sidebar")
if present and page is not show:
    conference.open_show(show)  # keeps the link's parameters across the switch
guarded(page.run)
url_state.sync({"lang": L})
