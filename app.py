"""Entry point: page setup, language, navigation. Run with `make run`."""
import streamlit as st

from lib.i18n import t
from ui.frame import guarded, init_language, lang, language_switch

st.set_page_config(page_title="经销商销售管理看板 · Dealer sales dashboard", page_icon="📊", layout="wide")
init_language()
language_switch()

pages = [
    st.Page("pages/home.py", title=t("nav.home", lang()), icon="🏠", url_path="home", default=True),
]
page = st.navigation(pages)
guarded(page.run)
